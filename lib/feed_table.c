/*
 * Tables: CSV files (any delimiter, Feodo Tracker's ipblocklist.csv among
 * them) and, through feed_xlsx.c, spreadsheet rows. Rows before the header
 * are titles; the header is the first row that maps an address column. Its
 * labels are matched in English or Vietnamese, with or without diacritics,
 * ignoring case, blanks and punctuation ("Địa chỉ IP" = "Dia chi IP" =
 * "diachiip"). A row whose address is empty or unreadable but which says
 * "Tổng" / "Tổng cộng" / "Total" is a total row and is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/mem.h"
#include "canh/utf8.h"
#include "feed_internal.h"

enum role { R_ADDR, R_TIME, R_LAST, R_FAMILY, R_PORT, R_ORG, R_REF, R_N };

struct label {
	const char *key; /* folded */
	enum role role;
};

/* Exact labels, folded; checked before the prefix rules below. */
static const struct label labels[] = {
    /* address */
    {"ip", R_ADDR},
    {"ips", R_ADDR},
    {"diachiip", R_ADDR},
    {"diachi", R_ADDR},
    {"ipaddress", R_ADDR},
    {"ipaddr", R_ADDR},
    {"address", R_ADDR},
    {"addr", R_ADDR},
    {"srcip", R_ADDR},
    {"dstip", R_ADDR},
    {"sourceip", R_ADDR},
    {"destinationip", R_ADDR},
    {"ipv4", R_ADDR},
    {"ipv6", R_ADDR},
    {"ipdochai", R_ADDR},
    {"ipnhiem", R_ADDR},
    {"ipnhiemmadoc", R_ADDR},
    {"ipbotnet", R_ADDR},
    {"ioc", R_ADDR},
    {"indicator", R_ADDR},
    {"domain", R_ADDR},
    {"tenmien", R_ADDR},
    {"hostname", R_ADDR},
    {"host", R_ADDR},
    {"url", R_ADDR},
    {"hash", R_ADDR},
    {"md5", R_ADDR},
    {"sha1", R_ADDR},
    {"sha256", R_ADDR},
    {"cidr", R_ADDR},
    {"network", R_ADDR},
    {"netblock", R_ADDR},
    {"iprange", R_ADDR},
    {"daiip", R_ADDR},
    {"c2", R_ADDR},
    {"c2ip", R_ADDR},
    {"ipport", R_ADDR},
    {"ipcong", R_ADDR},
    {"ipc2", R_ADDR},
    /* last seen, before the time prefixes */
    {"lastseen", R_LAST},
    {"lastseenutc", R_LAST},
    {"lastonline", R_LAST},
    {"lastonlineutc", R_LAST},
    {"lancuoi", R_LAST},
    {"thoigiancuoi", R_LAST},
    {"ngaycuoi", R_LAST},
    {"lancuoiphathien", R_LAST},
    /* time seen */
    {"thoigian", R_TIME},
    {"ngayphathien", R_TIME},
    {"ngay", R_TIME},
    {"ngaygio", R_TIME},
    {"thoidiem", R_TIME},
    {"firstseen", R_TIME},
    {"firstseenutc", R_TIME},
    {"time", R_TIME},
    {"date", R_TIME},
    {"timestamp", R_TIME},
    {"datetime", R_TIME},
    {"seen", R_TIME},
    {"detected", R_TIME},
    {"detectedat", R_TIME},
    {"dateadded", R_TIME},
    {"validfrom", R_TIME},
    /* family */
    {"tenmangbotnet", R_FAMILY},
    {"mangbotnet", R_FAMILY},
    {"tenbotnet", R_FAMILY},
    {"botnet", R_FAMILY},
    {"loaibotnet", R_FAMILY},
    {"madoc", R_FAMILY},
    {"loaimadoc", R_FAMILY},
    {"tenmadoc", R_FAMILY},
    {"malware", R_FAMILY},
    {"malwarefamily", R_FAMILY},
    {"family", R_FAMILY},
    {"threat", R_FAMILY},
    /* port */
    {"cong", R_PORT},
    {"congketnoi", R_PORT},
    {"congdich", R_PORT},
    {"port", R_PORT},
    {"dstport", R_PORT},
    {"dport", R_PORT},
    {"destinationport", R_PORT},
    /* organisation */
    {"donvi", R_ORG},
    {"tendonvi", R_ORG},
    {"donviquanly", R_ORG},
    {"tochuc", R_ORG},
    {"tentochuc", R_ORG},
    {"coquan", R_ORG},
    {"tencoquan", R_ORG},
    {"coquantochuc", R_ORG},
    {"congty", R_ORG},
    {"tencongty", R_ORG},
    {"chuquan", R_ORG},
    {"organization", R_ORG},
    {"organisation", R_ORG},
    {"org", R_ORG},
    {"asnowner", R_ORG},
    {"asname", R_ORG},
    {"asorg", R_ORG},
    {"owner", R_ORG},
    {"isp", R_ORG},
    /* source id */
    {"sblid", R_REF},
    {"sbl", R_REF},
    {"ref", R_REF},
    {"reference", R_REF},
    {"id", R_REF},
    {"uuid", R_REF},
};

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The role of a folded label, or -1. */
static int role_of(const char *f)
{
	if (*f == '\0')
		return -1;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(f, labels[i].key) == 0)
			return (int)labels[i].role;
	}
	if (starts(f, "diachiip") || starts(f, "ipaddress"))
		return R_ADDR;
	if (starts(f, "lastseen") || starts(f, "lastonline"))
		return R_LAST;
	if (starts(f, "thoigian") || starts(f, "ngay") || starts(f, "thoidiem") ||
	    starts(f, "firstseen"))
		return R_TIME;
	if (strstr(f, "botnet") || strstr(f, "madoc") || strstr(f, "malware"))
		return R_FAMILY;
	if (starts(f, "port") || (strlen(f) > 4 && strcmp(f + strlen(f) - 4, "port") == 0))
		return R_PORT;
	if (starts(f, "donvi") || starts(f, "tochuc") || starts(f, "coquan") || starts(f, "organi"))
		return R_ORG;
	return -1;
}

struct feed_table {
	struct feed_ctx *c;
	bool xlsx, header, utc, utc_hint;
	int serial;
	int col[R_N];
	char vbuf[FEED_VALUE_MAX];
	char family[256], org[256], ref[128];
};

struct feed_table *canh__feed_table_new(struct feed_ctx *c, int serial)
{
	struct feed_table *t = canh_xcalloc(1, sizeof(*t));
	t->c = c;
	t->serial = serial;
	t->xlsx = serial != FEED_SERIAL_NONE;
	for (int r = 0; r < R_N; r++)
		t->col[r] = -1;
	return t;
}

void canh__feed_table_free(struct feed_table *t)
{
	free(t);
}

bool canh__feed_table_has_header(const struct feed_table *t)
{
	return t->header;
}

/* Map cells as a header into col[] (first column of a role wins); whether an address maps. */
static bool map_header(size_t ncells, const char *const *cells, const size_t *lens, int col[R_N],
		       bool *utc)
{
	char f[64];

	for (int r = 0; r < R_N; r++)
		col[r] = -1;
	*utc = false;
	for (size_t i = 0; i < ncells && i < 1024; i++) {
		const char *s = cells[i];
		size_t n = s ? lens[i] : 0;
		int r;
		if (n == 0 || n > 200)
			continue;
		canh__feed_trim(&s, &n);
		canh__feed_fold(s, n, f, sizeof(f));
		if (strstr(f, "utc") || strstr(f, "gmt"))
			*utc = true;
		if ((r = role_of(f)) >= 0 && col[r] < 0)
			col[r] = (int)i;
	}
	return col[R_ADDR] >= 0;
}

bool canh__feed_is_header(size_t ncells, const char *const *cells, const size_t *lens)
{
	int col[R_N];
	bool utc;
	return map_header(ncells, cells, lens, col, &utc);
}

void canh__feed_table_title(struct feed_table *t, size_t ncells, const char *const *cells,
			    const size_t *lens)
{
	char f[256];

	for (size_t i = 0; i < ncells && i < 64 && !t->utc_hint; i++) {
		const char *s = cells[i];
		size_t n = s ? lens[i] : 0;
		if (n == 0 || n > 1024)
			continue;
		canh__feed_fold(s, n, f, sizeof(f));
		if (strstr(f, "utc") || strstr(f, "gmt"))
			t->utc_hint = true;
	}
}

/* How many kinds of column the cells map when one is an address, else 0. */
static int header_roles(size_t ncells, const char *const *cells, const size_t *lens)
{
	int col[R_N], n = 0;
	bool utc;

	if (!map_header(ncells, cells, lens, col, &utc))
		return 0;
	for (int r = 0; r < R_N; r++)
		n += col[r] >= 0;
	return n;
}

/* A cell's text trimmed; "" for a missing cell. */
static const char *cell(size_t ncells, const char *const *cells, const size_t *lens, int i,
			size_t *n)
{
	const char *s;
	if (i < 0 || (size_t)i >= ncells || !cells[i]) {
		*n = 0;
		return "";
	}
	s = cells[i];
	*n = lens[i];
	canh__feed_trim(&s, n);
	return s;
}

/* Copy a cell's text into out (NUL-terminated, cut on a UTF-8 boundary); NULL when empty. */
static const char *copy_text(const char *s, size_t n, char *out, size_t outsz)
{
	if (n == 0)
		return NULL;
	if (n >= outsz) {
		n = outsz - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
	return out;
}

void canh__feed_cellname(uint32_t col, uint32_t row, char out[16])
{
	char letters[8];
	int k = 0;
	uint32_t v = col + 1;

	while (v > 0 && k < 4) {
		letters[k++] = (char)('A' + (v - 1) % 26);
		v = (v - 1) / 26;
	}
	int o = 0;
	while (k > 0)
		out[o++] = letters[--k];
	out[o] = '\0';
	snprintf(out + o, (size_t)(16 - o), "%u", row);
}

static void cell_name(bool xlsx, int col, uint32_t line, char out[16])
{
	if (!xlsx || col < 0)
		out[0] = '\0';
	else
		canh__feed_cellname((uint32_t)col, line, out);
}

/* "Tổng", "Tổng cộng: 4", "Total", "Cộng", "Sum" in some cell: a total row. */
static bool is_total_row(size_t ncells, const char *const *cells, const size_t *lens)
{
	static const char *const words[] = {"tong",  "tongcong", "tongso", "tongsoip",
					    "total", "cong",	 "sum",	   "grandtotal"};
	char f[32];

	for (size_t i = 0; i < ncells && i < 64; i++) {
		const char *s = cells[i];
		size_t n = s ? lens[i] : 0, k;
		if (n == 0 || n > 100)
			continue;
		canh__feed_trim(&s, &n);
		k = canh__feed_fold(s, n, f, sizeof(f));
		while (k > 0 && f[k - 1] >= '0' && f[k - 1] <= '9')
			f[--k] = '\0';
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
			if (strcmp(f, words[w]) == 0)
				return true;
		}
	}
	return false;
}

/* Every non-empty cell holds the same text: a section heading ("Tỉnh A"),
 * alone in its row (outside the address column) or merged across it. */
static bool is_heading_row(size_t ncells, const char *const *cells, const size_t *lens,
			   int addr_col)
{
	const char *first = NULL;
	size_t fn = 0, count = 0;
	bool in_addr = false;

	for (size_t i = 0; i < ncells; i++) {
		const char *s = cells[i];
		size_t n = s ? lens[i] : 0;
		canh__feed_trim(&s, &n);
		if (n == 0)
			continue;
		count++;
		in_addr |= (int)i == addr_col;
		if (!first) {
			first = s;
			fn = n;
		} else if (n != fn || memcmp(s, first, n) != 0) {
			return false;
		}
	}
	if (count > 1 || (count == 1 && !in_addr))
		return true;
	/* a lone word in the address column is a bad address; words with
	 * blanks or Vietnamese letters are a heading */
	for (size_t i = 0; first && i < fn; i++) {
		if (first[i] == ' ' || (unsigned char)first[i] >= 0x80)
			return true;
	}
	return false;
}

static int parse_port(const char *s, size_t n, int *port)
{
	unsigned v = 0;
	size_t i = 0;

	if (n == 0 || n > 8)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	/* "443.0" from a spreadsheet that stored the port as a float */
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] == '0'; i++)
			;
	}
	if (i != n || v == 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int canh__feed_table_row(struct feed_table *t, size_t ncells, const char *const *cells,
			 const size_t *lens, uint32_t line)
{
	struct feed_ctx *c = t->c;
	struct canh_feed_entry e;
	const char *s, *why;
	size_t n;
	char cname[16], q[64];
	bool empty = true;

	c->st->rows++;
	if (t->header) {
		cell(ncells, cells, lens, t->col[R_ADDR], &n);
		empty = n == 0;
	}
	for (size_t i = 0; i < ncells && empty; i++) {
		cell(ncells, cells, lens, (int)i, &n);
		if (n > 0)
			empty = false;
	}
	if (empty) {
		c->st->skipped++;
		return 0;
	}
	if (!t->header) {
		/* title rows until the header */
		t->header = map_header(ncells, cells, lens, t->col, &t->utc);
		if (t->header)
			t->utc |= t->utc_hint;
		else
			canh__feed_table_title(t, ncells, cells, lens);
		c->st->skipped++;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	cell_name(t->xlsx, t->col[R_ADDR], line, cname);
	memcpy(e.cell, cname, sizeof(e.cell));
	s = cell(ncells, cells, lens, t->col[R_ADDR], &n);
	if (canh__feed_ioc(s, n, FEED_IOC_PORT | FEED_IOC_NAMES | FEED_IOC_RANGE | FEED_IOC_SPACES,
			   &e, t->vbuf, &why) != 0) {
		if (is_total_row(ncells, cells, lens) ||
		    is_heading_row(ncells, cells, lens, t->col[R_ADDR]) ||
		    canh__feed_is_header(ncells, cells, lens)) {
			c->st->skipped++;
			return 0;
		}
		if (n == 0)
			canh__feed_reject(c, line, cname, "no address");
		else
			canh__feed_reject(c, line, cname, "%s: '%s'", why,
					  canh__feed_shown(s, n, q));
		return 0;
	}
	s = cell(ncells, cells, lens, t->col[R_TIME], &n);
	if (n > 0 && canh__feed_time(s, n, t->utc, t->serial, &e.seen_ms) != 0) {
		cell_name(t->xlsx, t->col[R_TIME], line, cname);
		canh__feed_reject(c, line, cname, "date or time not understood: '%s'",
				  canh__feed_shown(s, n, q));
		return 0;
	}
	s = cell(ncells, cells, lens, t->col[R_LAST], &n);
	if (n > 0 && canh__feed_time(s, n, t->utc, t->serial, &e.last_ms) != 0) {
		cell_name(t->xlsx, t->col[R_LAST], line, cname);
		canh__feed_reject(c, line, cname, "date or time not understood: '%s'",
				  canh__feed_shown(s, n, q));
		return 0;
	}
	s = cell(ncells, cells, lens, t->col[R_PORT], &n);
	if (n > 0) {
		int port;
		if (parse_port(s, n, &port) != 0) {
			cell_name(t->xlsx, t->col[R_PORT], line, cname);
			canh__feed_reject(c, line, cname, "bad port: '%s'",
					  canh__feed_shown(s, n, q));
			return 0;
		}
		e.port = port;
	}
	s = cell(ncells, cells, lens, t->col[R_FAMILY], &n);
	e.family = copy_text(s, n, t->family, sizeof(t->family));
	s = cell(ncells, cells, lens, t->col[R_ORG], &n);
	e.org = copy_text(s, n, t->org, sizeof(t->org));
	s = cell(ncells, cells, lens, t->col[R_REF], &n);
	e.ref = copy_text(s, n, t->ref, sizeof(t->ref));
	return canh__feed_emit(c, &e);
}

/* ---- CSV ---- */

static const char delims[] = {',', ';', '\t', '|'};

/* Whether line (naively split on d, quotes and blanks stripped) maps an address column. */
static bool line_maps(const char *s, size_t n, char d, int min_roles, size_t *nfields)
{
	const char *cells[64];
	size_t lens[64], k = 0, start = 0;

	for (size_t i = 0; i <= n && k < 64; i++) {
		if (i == n || s[i] == d) {
			const char *f = s + start;
			size_t fn = i - start;
			canh__feed_trim(&f, &fn);
			if (fn >= 2 && f[0] == '"' && f[fn - 1] == '"') {
				f++;
				fn -= 2;
			}
			cells[k] = f;
			lens[k++] = fn;
			start = i + 1;
		}
	}
	*nfields = k;
	return k > 1 && header_roles(k, cells, lens) >= min_roles;
}

char canh__feed_csv_sniff(const char *data, size_t len)
{
	size_t pos = 0;

	for (int lines = 0; lines < 64 && pos < len; lines++) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, best_n = 0;
		char best = 0;

		int min_roles = 1;

		pos += n + 1;
		if (n > 4096)
			continue;
		if (n > 0 && s[0] == '#') {
			/* a header kept as a comment (URLhaus: "# id,dateadded,url,...")
			 * counts when it maps an address and something else */
			while (n > 0 && (s[0] == '#' || s[0] == ' ')) {
				s++;
				n--;
			}
			min_roles = 2;
		}
		for (size_t i = 0; i < sizeof(delims); i++) {
			size_t nf;
			if (memchr(s, delims[i], n) && line_maps(s, n, delims[i], min_roles, &nf) &&
			    nf > best_n) {
				best = delims[i];
				best_n = nf;
			}
		}
		if (best)
			return best;
	}
	return 0;
}

/*
 * The CSV reader. A line without a quote (nearly every line of a feed) is
 * split where it lies, copying nothing; a record with quotes is unquoted
 * into a scratch buffer of CANH_FEED_MAX_LINE bytes (RFC 4180: a quoted
 * field may hold the delimiter, "" for a quote, and line breaks).
 */
#define CSV_MAX_FIELDS 1024

struct csv {
	const char *data;
	size_t len, pos;
	uint32_t line;	   /* lines consumed so far */
	uint32_t rec_line; /* the line the current record starts on */
	char delim;
	char *scratch; /* CANH_FEED_MAX_LINE bytes */
	const char *f[CSV_MAX_FIELDS];
	size_t flen[CSV_MAX_FIELDS], nf;
	const char *why; /* why the last record was refused */
};

/* Skip to just after the end of the physical line holding data[at]. */
static void csv_skip_line(struct csv *r, size_t at)
{
	const char *nl = at < r->len ? memchr(r->data + at, '\n', r->len - at) : NULL;
	r->pos = nl ? (size_t)(nl - r->data) + 1 : r->len;
	r->line++;
}

/* A record with quotes, from r->pos. */
static int csv_quoted(struct csv *r)
{
	const char *d = r->data;
	size_t i = r->pos, o = 0, n = r->len;

	r->nf = 0;
	for (;;) {
		size_t start = o;
		if (r->nf >= CSV_MAX_FIELDS) {
			r->why = "too many fields";
			csv_skip_line(r, i);
			return -1;
		}
		if (i < n && d[i] == '"') {
			for (i++;; i++) {
				if (i >= n) {
					r->why = "quoted field never closes";
					r->pos = n;
					return -1;
				}
				if (d[i] == '"') {
					if (i + 1 < n && d[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				} else if (d[i] == '\n') {
					r->line++;
				}
				if (o >= CANH_FEED_MAX_LINE) {
					r->why = "row too long";
					csv_skip_line(r, i);
					return -1;
				}
				r->scratch[o++] = d[i];
			}
			/* blanks may follow the closing quote */
			while (i < n && (d[i] == ' ' || d[i] == '\t') && d[i] != r->delim)
				i++;
			if (i < n && d[i] != r->delim && d[i] != '\r' && d[i] != '\n') {
				r->why = "text after a closing quote";
				csv_skip_line(r, i);
				return -1;
			}
		} else {
			while (i < n && d[i] != r->delim && d[i] != '\n') {
				if (o >= CANH_FEED_MAX_LINE) {
					r->why = "row too long";
					csv_skip_line(r, i);
					return -1;
				}
				r->scratch[o++] = d[i++];
			}
			/* a CR before the LF ends the line, not the field */
			if (o > start && (i >= n || d[i] == '\n') && r->scratch[o - 1] == '\r')
				o--;
		}
		r->f[r->nf] = r->scratch + start;
		r->flen[r->nf++] = o - start;
		if (i < n && d[i] == r->delim) {
			i++;
			continue;
		}
		if (i < n && d[i] == '\r')
			i++;
		if (i < n && d[i] == '\n')
			i++;
		r->pos = i;
		r->line++;
		return 1;
	}
}

/* Next record: 1, 0 at the end, -1 refused (r->why; the reader has moved past it). */
static int csv_next(struct csv *r)
{
	for (;;) {
		const char *s = r->data + r->pos, *nl, *q;
		size_t n;

		if (r->pos >= r->len)
			return 0;
		nl = memchr(s, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - s) : r->len - r->pos;
		r->rec_line = r->line + 1;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			/* an empty line carries no record */
			csv_skip_line(r, r->pos);
			continue;
		}
		if ((q = memchr(s, '"', n)) != NULL)
			return csv_quoted(r);
		if (n > CANH_FEED_MAX_LINE) {
			r->why = "row too long";
			csv_skip_line(r, r->pos);
			return -1;
		}
		r->nf = 0;
		for (size_t i = 0;;) {
			const char *dl = memchr(s + i, r->delim, n - i);
			size_t e = dl ? (size_t)(dl - s) : n;
			if (r->nf >= CSV_MAX_FIELDS) {
				r->why = "too many fields";
				csv_skip_line(r, r->pos);
				return -1;
			}
			r->f[r->nf] = s + i;
			r->flen[r->nf++] = e - i;
			if (!dl)
				break;
			i = e + 1;
		}
		csv_skip_line(r, r->pos);
		return 1;
	}
}

int canh__feed_csv(struct feed_ctx *c, const char *data, size_t len)
{
	struct csv *r;
	struct feed_table *t;
	char delim = canh__feed_csv_sniff(data, len);
	int rc = 0;

	if (delim == 0)
		return canh_errmsg_set(
		    c->err, CANH_EPARSE,
		    "no header with an address column (IP, IP address, src_ip...) "
		    "in the first 64 lines of '%s'",
		    c->filename);
	r = canh_xcalloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	r->delim = delim;
	r->scratch = canh_xmalloc(CANH_FEED_MAX_LINE);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	t = canh__feed_table_new(c, FEED_SERIAL_NONE);
	for (;;) {
		rc = csv_next(r);
		if (rc == 0)
			break;
		if (rc < 0) {
			c->st->rows++;
			canh__feed_reject(c, r->rec_line, "", "%s", r->why);
			rc = 0;
			continue;
		}
		if (r->flen[0] > 0 && r->f[0][0] == '#') {
			/* a comment, or a header kept as one before any header */
			const char *f0 = r->f[0];
			size_t n0 = r->flen[0];
			while (n0 > 0 && (f0[0] == '#' || f0[0] == ' ')) {
				f0++;
				n0--;
			}
			r->f[0] = f0;
			r->flen[0] = n0;
			if (canh__feed_table_has_header(t) ||
			    header_roles(r->nf, r->f, r->flen) < 2) {
				if (!canh__feed_table_has_header(t))
					canh__feed_table_title(t, r->nf, r->f, r->flen);
				c->st->rows++;
				c->st->skipped++;
				continue;
			}
		}
		rc = canh__feed_table_row(t, r->nf, r->f, r->flen, r->rec_line);
		if (rc != 0)
			break;
	}
	free(r->scratch);
	free(r);
	canh__feed_table_free(t);
	return rc;
}
