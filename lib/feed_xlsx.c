/*
 * xlsx workbooks as government offices send them: a zip (libzip, read from
 * memory) of XML parts read with libxml2's streaming xmlTextReader.
 *
 * The first sheet whose rows hold a header with an address column is read
 * (sheets in workbook order, so a cover sheet is passed over). Shared
 * strings and inline strings are resolved; merged cells (mergeCells, which
 * the sheet lists after its rows, so a first pass collects them) take the
 * value of their top-left cell; numbers in a time column are Excel serial
 * days (1900 system with its 1900-02-29, or 1904 when the workbook says so).
 * Rows then go through the table logic of feed_table.c (title rows, header,
 * total row).
 *
 * Caps against hostile files: each member's uncompressed size (counted as it
 * is read, not taken from the zip directory), the number of shared strings,
 * merges, sheets tried, columns per row, bytes per cell and rows per sheet.
 * A DTD in any part ends the read (no entity tricks).
 */
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "canh/mem.h"
#include "feed_internal.h"

#define XLSX_MAX_SMALL_PART ((size_t)16 << 20) /* workbook.xml, its rels */
#define XLSX_MAX_STRINGS 4000000u
#define XLSX_MAX_MERGES 65536u
/* cells covered by all merges of a sheet, and bytes of their copied values:
 * what applying merges may cost, whatever a hostile sheet declares */
#define XLSX_MAX_MERGE_CELLS ((uint64_t)16 << 20)
#define XLSX_MAX_MERGE_BYTES ((size_t)64 << 20)
#define XLSX_MAX_SHEETS 32u
#define XLSX_MAX_COLS 1024u
#define XLSX_MAX_PATH 256

/* ---- reading a zip member through libxml2 ---- */

struct member {
	zip_file_t *zf;
	size_t total, cap;
	bool over, failed;
};

static int member_read(void *ctx, char *buf, int len)
{
	struct member *m = ctx;
	zip_int64_t n;

	if (len <= 0)
		return 0;
	n = zip_fread(m->zf, buf, (zip_uint64_t)len);
	if (n < 0) {
		m->failed = true;
		return -1;
	}
	m->total += (size_t)n;
	if (m->total > m->cap) {
		m->over = true;
		return -1;
	}
	return (int)n;
}

static int member_close(void *ctx)
{
	(void)ctx;
	return 0;
}

#if LIBXML_VERSION >= 21200
static void xml_quiet(void *ctx, const xmlError *e)
#else
static void xml_quiet(void *ctx, xmlErrorPtr e)
#endif
{
	(void)ctx;
	(void)e;
}

struct part {
	struct member m;
	xmlTextReaderPtr r;
	const char *name;
};

/* Open member name for streaming; 0, 1 when it does not exist, or -1. */
static int part_open(zip_t *za, const char *name, size_t cap, struct part *p)
{
	zip_int64_t idx = zip_name_locate(za, name, ZIP_FL_NOCASE);

	memset(p, 0, sizeof(*p));
	p->name = name;
	if (idx < 0)
		return 1;
	p->m.zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!p->m.zf)
		return -1;
	p->m.cap = cap;
	p->r = xmlReaderForIO(member_read, member_close, &p->m, name, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!p->r) {
		zip_fclose(p->m.zf);
		p->m.zf = NULL;
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(p->r, xml_quiet, NULL);
	return 0;
}

static void part_close(struct part *p)
{
	if (p->r)
		xmlFreeTextReader(p->r);
	if (p->m.zf)
		zip_fclose(p->m.zf);
	p->r = NULL;
	p->m.zf = NULL;
}

/*
 * Next node: 1, 0 at the end, or CANH_EPARSE / CANH_ETOOBIG on a broken
 * part (the reason in err). A document type declaration is refused.
 */
static int part_next(struct part *p, struct feed_ctx *c)
{
	int rc = xmlTextReaderRead(p->r);

	if (rc == 1 && xmlTextReaderNodeType(p->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
		return canh_errmsg_set(c->err, CANH_EPARSE, "'%s': part '%s' has a DTD, refused",
				       c->filename, p->name);
	}
	if (rc >= 0)
		return rc;
	if (p->m.over)
		return canh_errmsg_set(c->err, CANH_ETOOBIG,
				       "'%s': part '%s' is over %zu bytes uncompressed",
				       c->filename, p->name, p->m.cap);
	if (p->m.failed)
		return canh_errmsg_set(c->err, CANH_EPARSE,
				       "'%s': part '%s' cannot be decompressed", c->filename,
				       p->name);
	return canh_errmsg_set(c->err, CANH_EPARSE,
			       "'%s': part '%s' is not well-formed XML near line %d", c->filename,
			       p->name, xmlTextReaderGetParserLineNumber(p->r));
}

static bool is_el(struct part *p, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(p->r);
	return xmlTextReaderNodeType(p->r) == XML_READER_TYPE_ELEMENT && n &&
	       strcmp((const char *)n, name) == 0;
}

static bool is_end(struct part *p, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(p->r);
	return xmlTextReaderNodeType(p->r) == XML_READER_TYPE_END_ELEMENT && n &&
	       strcmp((const char *)n, name) == 0;
}

static bool is_text(struct part *p)
{
	int t = xmlTextReaderNodeType(p->r);
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE;
}

/* An attribute by local name (any namespace) copied into out; false when missing. */
static bool attr(struct part *p, const char *name, char *out, size_t outsz)
{
	bool found = false;

	if (xmlTextReaderMoveToFirstAttribute(p->r) != 1)
		return false;
	do {
		const xmlChar *n = xmlTextReaderConstLocalName(p->r);
		if (n && strcmp((const char *)n, name) == 0) {
			const xmlChar *v = xmlTextReaderConstValue(p->r);
			canh_strlcpy(out, v ? (const char *)v : "", outsz);
			found = true;
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(p->r) == 1);
	xmlTextReaderMoveToElement(p->r);
	return found;
}

/* ---- a growable text buffer with a cap ---- */

struct tbuf {
	char *p;
	size_t len, cap, max;
};

static bool tbuf_add(struct tbuf *b, const char *s, size_t n)
{
	if (n > b->max - b->len)
		return false;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		b->p = canh_xrealloc(b->p, ncap);
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

/* ---- the workbook ---- */

struct sst {
	struct tbuf text;
	size_t *off; /* n + 1 offsets into text */
	size_t n, cap;
};

struct merge {
	uint32_t r1, r2, c1, c2;
	char *value; /* the top-left cell's text, once its row has been read */
	size_t vlen;
};

struct xlsx {
	struct feed_ctx *c;
	zip_t *za;
	struct sst sst;
	bool date1904;
	char sheets[XLSX_MAX_SHEETS][XLSX_MAX_PATH];
	size_t nsheets;
	struct merge *merges;
	size_t nmerges;
	size_t *active; /* merges covering the current row */
	size_t nactive, next;
	size_t value_bytes;
};

static int sst_end(struct xlsx *x)
{
	if (x->sst.n >= XLSX_MAX_STRINGS)
		return canh_errmsg_set(x->c->err, CANH_ETOOBIG, "'%s': more than %u shared strings",
				       x->c->filename, XLSX_MAX_STRINGS);
	if (x->sst.n + 2 > x->sst.cap) {
		x->sst.cap = x->sst.cap ? x->sst.cap * 2 : 1024;
		x->sst.off = canh_xrealloc(x->sst.off, x->sst.cap * sizeof(size_t));
		if (x->sst.n == 0)
			x->sst.off[0] = 0;
	}
	/* each string is NUL-terminated in place */
	if (!tbuf_add(&x->sst.text, "\0", 1))
		return canh_errmsg_set(x->c->err, CANH_ETOOBIG,
				       "'%s': shared strings over %zu bytes", x->c->filename,
				       CANH_FEED_MAX_XML);
	x->sst.off[++x->sst.n] = x->sst.text.len;
	return 0;
}

static int read_sst(struct xlsx *x)
{
	struct part p;
	int rc, depth_rph = 0;
	bool in_si = false, in_t = false;

	rc = part_open(x->za, "xl/sharedStrings.xml", CANH_FEED_MAX_XML, &p);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return canh_errmsg_set(x->c->err, CANH_EPARSE,
				       "'%s': cannot open the shared strings", x->c->filename);
	x->sst.text.max = CANH_FEED_MAX_XML;
	while ((rc = part_next(&p, x->c)) == 1) {
		if (is_el(&p, "si")) {
			in_si = !xmlTextReaderIsEmptyElement(p.r);
			if (!in_si && (rc = sst_end(x)) != 0)
				break;
		} else if (is_el(&p, "rPh") && !xmlTextReaderIsEmptyElement(p.r)) {
			depth_rph++;
		} else if (is_end(&p, "rPh")) {
			depth_rph--;
		} else if (is_el(&p, "t")) {
			in_t = !xmlTextReaderIsEmptyElement(p.r);
		} else if (is_end(&p, "t")) {
			in_t = false;
		} else if (in_si && in_t && depth_rph == 0 && is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.r);
			if (v && !tbuf_add(&x->sst.text, v, strlen(v))) {
				rc = canh_errmsg_set(x->c->err, CANH_ETOOBIG,
						     "'%s': shared strings over %zu bytes",
						     x->c->filename, CANH_FEED_MAX_XML);
				break;
			}
		} else if (is_end(&p, "si") && in_si) {
			in_si = false;
			if ((rc = sst_end(x)) != 0)
				break;
		}
	}
	part_close(&p);
	return rc < 0 ? rc : 0;
}

/* Shared string i (NUL-terminated) and its length, or NULL. */
static const char *sst_get(const struct xlsx *x, size_t i, size_t *len)
{
	if (i >= x->sst.n)
		return NULL;
	*len = x->sst.off[i + 1] - x->sst.off[i] - 1;
	return x->sst.text.p + x->sst.off[i];
}

/* Sheets in workbook order, resolved through the workbook's relationships. */
static int read_workbook(struct xlsx *x)
{
	char ids[XLSX_MAX_SHEETS][64], buf[XLSX_MAX_PATH];
	size_t nids = 0;
	struct part p;
	int rc;

	rc = part_open(x->za, "xl/workbook.xml", XLSX_MAX_SMALL_PART, &p);
	if (rc != 0)
		return canh_errmsg_set(
		    x->c->err, CANH_EPARSE,
		    "'%s' is a zip but not an xlsx workbook (no xl/workbook.xml)", x->c->filename);
	while ((rc = part_next(&p, x->c)) == 1) {
		if (is_el(&p, "workbookPr") && attr(&p, "date1904", buf, sizeof(buf)))
			x->date1904 = strcmp(buf, "1") == 0 || strcmp(buf, "true") == 0;
		if (is_el(&p, "sheet") && nids < XLSX_MAX_SHEETS &&
		    attr(&p, "id", ids[nids], sizeof(ids[nids])))
			nids++;
	}
	part_close(&p);
	if (rc < 0)
		return rc;
	rc = part_open(x->za, "xl/_rels/workbook.xml.rels", XLSX_MAX_SMALL_PART, &p);
	if (rc == 0) {
		char(*targets)[XLSX_MAX_PATH] = canh_xcalloc(nids ? nids : 1, XLSX_MAX_PATH);
		while ((rc = part_next(&p, x->c)) == 1) {
			char id[64], target[XLSX_MAX_PATH];
			if (!is_el(&p, "Relationship") || !attr(&p, "Id", id, sizeof(id)) ||
			    !attr(&p, "Target", target, sizeof(target)))
				continue;
			for (size_t i = 0; i < nids; i++) {
				if (strcmp(ids[i], id) == 0)
					canh_strlcpy(targets[i], target, XLSX_MAX_PATH);
			}
		}
		part_close(&p);
		for (size_t i = 0; i < nids && rc >= 0; i++) {
			const char *t = targets[i];
			if (!*t)
				continue;
			if (t[0] == '/')
				canh_strlcpy(x->sheets[x->nsheets], t + 1, XLSX_MAX_PATH);
			else
				snprintf(x->sheets[x->nsheets], XLSX_MAX_PATH, "xl/%s", t);
			x->nsheets++;
		}
		free(targets);
		if (rc < 0)
			return rc;
	}
	if (x->nsheets == 0) {
		canh_strlcpy(x->sheets[0], "xl/worksheets/sheet1.xml", XLSX_MAX_PATH);
		x->nsheets = 1;
	}
	return 0;
}

/* "B7" -> column 1 (0-based), row 7; false when malformed. */
static bool parse_ref(const char *s, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0, r = 0;
	int nl = 0, nd = 0;

	for (; *s >= 'A' && *s <= 'Z'; s++) {
		if (++nl > 3)
			return false;
		c = c * 26 + (uint32_t)(*s - 'A' + 1);
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++nd > 7)
			return false;
		r = r * 10 + (uint32_t)(*s - '0');
	}
	if (*s || nl == 0 || nd == 0 || r == 0)
		return false;
	*col = c - 1;
	*row = r;
	return true;
}

static int merge_cmp(const void *a, const void *b)
{
	const struct merge *x = a, *y = b;
	return x->r1 < y->r1 ? -1 : x->r1 > y->r1;
}

static void free_merges(struct xlsx *x)
{
	for (size_t i = 0; i < x->nmerges; i++)
		free(x->merges[i].value);
	free(x->merges);
	free(x->active);
	x->merges = NULL;
	x->active = NULL;
	x->nmerges = x->nactive = x->next = x->value_bytes = 0;
}

/* First pass over a sheet: its merged ranges. */
static int read_merges(struct xlsx *x, const char *sheet)
{
	struct part p;
	size_t cap = 0;
	uint64_t covered = 0, cells;
	int rc;

	free_merges(x);
	if (part_open(x->za, sheet, CANH_FEED_MAX_XML, &p) != 0)
		return canh_errmsg_set(x->c->err, CANH_EPARSE, "'%s': cannot open sheet '%s'",
				       x->c->filename, sheet);
	while ((rc = part_next(&p, x->c)) == 1) {
		char ref[64], *colon;
		struct merge m = {0};
		if (!is_el(&p, "mergeCell") || !attr(&p, "ref", ref, sizeof(ref)))
			continue;
		if ((colon = strchr(ref, ':')) == NULL)
			continue;
		*colon = '\0';
		if (!parse_ref(ref, &m.c1, &m.r1) || !parse_ref(colon + 1, &m.c2, &m.r2) ||
		    m.r2 < m.r1 || m.c2 < m.c1)
			continue;
		if (x->nmerges >= XLSX_MAX_MERGES || m.c1 >= XLSX_MAX_COLS)
			continue;
		if (m.c2 >= XLSX_MAX_COLS)
			m.c2 = XLSX_MAX_COLS - 1;
		cells = (uint64_t)(m.r2 - m.r1 + 1) * (m.c2 - m.c1 + 1);
		if (cells > XLSX_MAX_MERGE_CELLS - covered)
			continue;
		covered += cells;
		if (x->nmerges == cap) {
			cap = cap ? cap * 2 : 64;
			x->merges = canh_xrealloc(x->merges, cap * sizeof(*x->merges));
		}
		x->merges[x->nmerges++] = m;
	}
	part_close(&p);
	if (rc < 0)
		return rc;
	if (x->nmerges > 0)
		qsort(x->merges, x->nmerges, sizeof(*x->merges), merge_cmp);
	x->active = canh_xcalloc(x->nmerges ? x->nmerges : 1, sizeof(size_t));
	return 0;
}

/* One row being assembled. */
struct row {
	uint32_t num;
	size_t ncells;			/* columns used: highest index + 1 */
	const char *ptr[XLSX_MAX_COLS]; /* shared string or merge value; NULL: off/len */
	size_t off[XLSX_MAX_COLS], len[XLSX_MAX_COLS];
	bool set[XLSX_MAX_COLS];
	struct tbuf text;
	uint32_t long_col; /* 1 + column of a cell over the cap, or 0 */
	const char *cells[XLSX_MAX_COLS];
};

static void row_reset(struct row *r, uint32_t num)
{
	r->num = num;
	memset(r->set, 0, r->ncells * sizeof(bool));
	r->ncells = 0;
	r->text.len = 0;
	r->long_col = 0;
}

/* Apply merges, hand the row to the table. */
static int row_done(struct xlsx *x, struct feed_table *t, struct row *r)
{
	char cname[16];

	while (x->next < x->nmerges && x->merges[x->next].r1 <= r->num)
		x->active[x->nactive++] = x->next++;
	for (size_t k = 0; k < x->nactive;) {
		struct merge *m = &x->merges[x->active[k]];
		if (m->r2 < r->num) {
			x->active[k] = x->active[--x->nactive];
			continue;
		}
		k++;
		if (m->r1 == r->num) {
			/* the top-left cell: remember its text */
			size_t n = 0;
			const char *s = NULL;
			if (m->c1 < r->ncells && r->set[m->c1]) {
				s = r->ptr[m->c1] ? r->ptr[m->c1] : r->text.p + r->off[m->c1];
				n = r->len[m->c1];
			}
			if (n > XLSX_MAX_MERGE_BYTES - x->value_bytes)
				n = 0;
			x->value_bytes += n;
			free(m->value);
			m->value = canh_xstrndup(s ? s : "", n);
			m->vlen = n;
		}
		for (uint32_t col = m->c1; col <= m->c2; col++) {
			if (col == m->c1 && m->r1 == r->num)
				continue;
			r->ptr[col] = m->value;
			r->len[col] = m->vlen;
			r->set[col] = m->value != NULL;
			if (col + 1 > r->ncells) {
				for (size_t j = r->ncells; j < col; j++)
					r->set[j] = false;
				r->ncells = col + 1;
			}
		}
	}
	if (r->long_col) {
		x->c->st->rows++;
		canh__feed_cellname(r->long_col - 1, r->num, cname);
		canh__feed_reject(x->c, r->num, cname, "cell longer than %zu bytes",
				  CANH_FEED_MAX_CELL);
		return 0;
	}
	for (size_t i = 0; i < r->ncells; i++) {
		if (!r->set[i])
			r->cells[i] = NULL;
		else
			r->cells[i] = r->ptr[i] ? r->ptr[i] : r->text.p + r->off[i];
		if (!r->set[i])
			r->len[i] = 0;
	}
	return canh__feed_table_row(t, r->ncells, r->cells, r->len, r->num);
}

/* Second pass: the rows. Returns 0, the sink's value, or a negative code. */
static int read_rows(struct xlsx *x, const char *sheet, struct feed_table *t)
{
	struct part p;
	struct row *r = canh_xcalloc(1, sizeof(*r));
	uint32_t rownum = 0, col = 0, nrows = 0;
	bool in_row = false, in_cell = false, in_value = false, cell_over = false;
	char ctype[16] = "";
	int rc;

	r->text.max = (size_t)XLSX_MAX_COLS * CANH_FEED_MAX_CELL;
	if (part_open(x->za, sheet, CANH_FEED_MAX_XML, &p) != 0) {
		free(r);
		return canh_errmsg_set(x->c->err, CANH_EPARSE, "'%s': cannot open sheet '%s'",
				       x->c->filename, sheet);
	}
	while ((rc = part_next(&p, x->c)) == 1) {
		char buf[32];
		if (is_el(&p, "row")) {
			uint32_t n = rownum + 1;
			if (attr(&p, "r", buf, sizeof(buf))) {
				char *end;
				unsigned long v = strtoul(buf, &end, 10);
				if (*end == '\0' && v > rownum && v <= 9999999)
					n = (uint32_t)v;
			}
			if (++nrows > CANH_FEED_MAX_ROWS) {
				canh__feed_reject(
				    x->c, n, "", "sheet has more than %u rows; the rest is ignored",
				    CANH_FEED_MAX_ROWS);
				rc = 0;
				break;
			}
			rownum = n;
			row_reset(r, n);
			col = 0;
			in_row = true;
			if (xmlTextReaderIsEmptyElement(p.r)) {
				in_row = false;
				if ((rc = row_done(x, t, r)) != 0)
					break;
			}
		} else if (is_end(&p, "row") && in_row) {
			in_row = false;
			if ((rc = row_done(x, t, r)) != 0)
				break;
		} else if (in_row && is_el(&p, "c")) {
			uint32_t cc, rr;
			if (attr(&p, "r", buf, sizeof(buf)) && parse_ref(buf, &cc, &rr))
				col = cc;
			if (!attr(&p, "t", ctype, sizeof(ctype)))
				ctype[0] = '\0';
			in_cell = !xmlTextReaderIsEmptyElement(p.r) && col < XLSX_MAX_COLS;
			cell_over = false;
			if (in_cell) {
				for (size_t k = r->ncells; k <= col; k++)
					r->set[k] = false;
				if (col + 1 > r->ncells)
					r->ncells = col + 1;
				r->set[col] = true;
				r->ptr[col] = NULL;
				r->off[col] = r->text.len;
				r->len[col] = 0;
			} else {
				col++;
			}
		} else if (in_cell && is_end(&p, "c")) {
			if (!cell_over && strcmp(ctype, "s") == 0) {
				/* the value was an index into the shared strings */
				char idx[16], *end;
				size_t n = r->len[col], sl = 0;
				const char *s = NULL;
				if (n > 0 && n < sizeof(idx)) {
					memcpy(idx, r->text.p + r->off[col], n);
					idx[n] = '\0';
					unsigned long v = strtoul(idx, &end, 10);
					if (*end == '\0')
						s = sst_get(x, v, &sl);
				}
				r->text.len = r->off[col];
				r->ptr[col] = s;
				r->len[col] = sl;
				r->set[col] = s != NULL;
			} else if (!cell_over && !tbuf_add(&r->text, "\0", 1)) {
				cell_over = true;
			}
			if (cell_over) {
				r->set[col] = false;
				r->text.len = r->off[col];
				if (!r->long_col)
					r->long_col = col + 1;
			}
			in_cell = false;
			col++;
		} else if (in_cell && (is_el(&p, "v") || is_el(&p, "t"))) {
			in_value = !xmlTextReaderIsEmptyElement(p.r);
		} else if (in_cell && (is_end(&p, "v") || is_end(&p, "t"))) {
			in_value = false;
		} else if (in_cell && in_value && is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.r);
			size_t n = v ? strlen(v) : 0;
			if (cell_over || r->len[col] + n > CANH_FEED_MAX_CELL ||
			    !tbuf_add(&r->text, v, n))
				cell_over = true;
			else
				r->len[col] += n;
		}
	}
	part_close(&p);
	free(r->text.p);
	free(r);
	return rc;
}

int canh__feed_xlsx(struct feed_ctx *c, const char *data, size_t len)
{
	struct xlsx x;
	zip_error_t zerr;
	zip_source_t *src;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	if (len >= 8 && memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
		return canh_errmsg_set(c->err, CANH_EPARSE,
				       "'%s' is an old .xls or a password-protected workbook; "
				       "save it as .xlsx without a password",
				       c->filename);
	zip_error_init(&zerr);
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (!src || !(x.za = zip_open_from_source(src, ZIP_RDONLY, &zerr))) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&zerr);
		return canh_errmsg_set(c->err, CANH_EPARSE,
				       "'%s' is not an xlsx file (not a zip archive)", c->filename);
	}
	zip_error_fini(&zerr);
	xmlInitParser();
	if ((rc = read_workbook(&x)) != 0 || (rc = read_sst(&x)) != 0)
		goto out;
	rc = CANH_EPARSE;
	for (size_t i = 0; i < x.nsheets; i++) {
		struct canh_feed_stats before = *c->st;
		struct feed_table *t;
		if ((rc = read_merges(&x, x.sheets[i])) != 0)
			goto out;
		t = canh__feed_table_new(c, x.date1904 ? FEED_SERIAL_1904 : FEED_SERIAL_1900);
		rc = read_rows(&x, x.sheets[i], t);
		if (rc == 0 && !canh__feed_table_has_header(t)) {
			*c->st = before;
			canh__feed_table_free(t);
			rc = canh_errmsg_set(
			    c->err, CANH_EPARSE,
			    "'%s': no sheet has a header row with an address column "
			    "(IP, IP address...)",
			    c->filename);
			continue;
		}
		canh__feed_table_free(t);
		goto out;
	}
out:
	free_merges(&x);
	free(x.sst.text.p);
	free(x.sst.off);
	zip_discard(x.za);
	return rc;
}
