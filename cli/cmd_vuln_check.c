/*
 * canh vuln check: this machine (or a dpkg status file) against advisory
 * files, offline (docs/vuln.md, "canh vuln check").
 *
 * Order of work, chosen for speed on large feeds: the installed packages are
 * read first, so the index keeps only entries naming one of them (a 200,000
 * entry tracker file becomes a few thousand entries); then every file is
 * streamed through its parser into the index; then one pass over the
 * packages gives the findings.
 *
 * Exit status (unlike other commands, a finding is not a failure of canh but
 * the answer, as with debsecan or grep): 0 no findings, 1 findings, 2 error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/dpkg.h"
#include "canh/fs.h"
#include "canh/inventory.h"
#include "canh/mem.h"
#include "canh/software.h"
#include "canh/vulnmatch.h"
#include "cli.h"
#include "table.h"

enum {
	O_ADVISORIES = 1,
	O_DPKG_STATUS,
	O_RELEASE,
	O_KEV_ONLY,
	O_SEVERITY,
	O_ROOT,
	O_FORMAT,
};

static const struct canh_cli_opt check_opts[] = {
    {"advisories", 'a', 1, O_ADVISORIES}, {"dpkg-status", 0, 1, O_DPKG_STATUS},
    {"release", 0, 1, O_RELEASE},	  {"kev-only", 0, 0, O_KEV_ONLY},
    {"severity", 0, 1, O_SEVERITY},	  {"root", 0, 1, O_ROOT},
    {"format", 0, 1, O_FORMAT},		  {NULL, 0, 0, 0},
};

#define MAX_FILES 256
#define OS_RELEASE_MAX (64u * 1024)
#define MAX_FINDINGS 1000000

struct pkgs {
	struct canh_vuln_pkg *v;
	size_t n, cap;
};

/*
 * A finding kept for printing: the matcher's strings stay valid as long as
 * the index and the package list, which outlive the printing; only the
 * letters array is the callback's own and is copied.
 */
struct finding {
	struct canh_vuln_finding f;
	const struct canh_vuln_letter **letters;
};

struct run {
	struct canh_cli *c;
	int kev_only;
	enum canh_severity min_sev;
	struct finding *f;
	struct finding **sorted;
	size_t n, cap;
	int too_many;
};

static char *dup_or_null(const char *s)
{
	return s ? canh_xstrdup(s) : NULL;
}

static int pkg_cb(const struct canh_pkg *p, void *ctx)
{
	struct pkgs *pk = ctx;
	struct canh_vuln_pkg *d;

	if (pk->n == pk->cap) {
		pk->cap = pk->cap ? pk->cap * 2 : 1024;
		pk->v = canh_xrealloc(pk->v, pk->cap * sizeof(*pk->v));
	}
	d = &pk->v[pk->n++];
	d->manager = "dpkg";
	d->name = canh_xstrdup(p->name);
	d->version = canh_xstrdup(p->version);
	d->source = dup_or_null(p->source);
	d->source_version = dup_or_null(p->source_version);
	return 0;
}

static void add_json_pkg(struct pkgs *pk, const json_t *e)
{
	struct canh_pkg p = {0};
	p.name = json_string_value(json_object_get(e, "name"));
	p.version = json_string_value(json_object_get(e, "version"));
	p.source = json_string_value(json_object_get(e, "source"));
	p.source_version = json_string_value(json_object_get(e, "source_version"));
	if (!p.name || !p.version)
		return;
	const char *mgr = json_string_value(json_object_get(e, "manager"));
	pkg_cb(&p, pk);
	if (mgr && strcmp(mgr, "rpm") == 0)
		pk->v[pk->n - 1].manager = "rpm";
}

static void pkgs_release(struct pkgs *pk)
{
	for (size_t i = 0; i < pk->n; i++) {
		free((char *)pk->v[i].name);
		free((char *)pk->v[i].version);
		free((char *)pk->v[i].source);
		free((char *)pk->v[i].source_version);
	}
	free(pk->v);
}

/* ID, VERSION_CODENAME and VERSION_ID of <root>/etc/os-release (or /usr/lib/os-release). */
struct osrel {
	char id[64], codename[64], version_id[64];
};

static void osr_value(const char *line, size_t n, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key), i = 0;
	const char *v;

	if (n <= k || memcmp(line, key, k) != 0 || line[k] != '=')
		return;
	v = line + k + 1;
	n -= k + 1;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	for (; i < n && i + 1 < cap; i++)
		out[i] = v[i];
	out[i] = '\0';
}

static void read_os_release(const char *root, struct osrel *o)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	char *text = NULL;
	size_t len = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < 2 && !text; i++) {
		char *path = canh_xasprintf("%s%s", root ? root : "", files[i]);
		if (canh_file_read(path, OS_RELEASE_MAX, &text, &len, NULL) != 0)
			text = NULL;
		free(path);
	}
	if (!text)
		return;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		osr_value(p, n, "ID", o->id, sizeof(o->id));
		osr_value(p, n, "VERSION_CODENAME", o->codename, sizeof(o->codename));
		osr_value(p, n, "VERSION_ID", o->version_id, sizeof(o->version_id));
		p += n + 1;
	}
	free(text);
}

static int finding_cb(void *ctx, const struct canh_vuln_finding *f)
{
	struct run *r = ctx;
	struct finding *d;

	if (r->kev_only && !f->kev)
		return 0;
	if (r->min_sev != CANH_SEV_UNKNOWN && f->severity < r->min_sev)
		return 0;
	if (r->n >= MAX_FINDINGS) {
		r->too_many = 1;
		return 1;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->f = canh_xrealloc(r->f, r->cap * sizeof(*r->f));
	}
	d = &r->f[r->n++];
	d->f = *f;
	d->letters = NULL;
	if (f->n_letters) {
		d->letters = canh_xcalloc(f->n_letters, sizeof(*d->letters));
		memcpy(d->letters, f->letters, f->n_letters * sizeof(*d->letters));
	}
	d->f.letters = d->letters;
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	if (a == b) /* the findings of one package share its strings */
		return 0;
	return strcmp(a ? a : "", b ? b : "");
}

static const char *shown_id(const struct canh_vuln_finding *f)
{
	return f->cve ? f->cve : f->advisory_id;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct canh_vuln_finding *a = &(*(struct finding *const *)pa)->f;
	const struct canh_vuln_finding *b = &(*(struct finding *const *)pb)->f;
	int r;
	if (a->software != b->software)
		return a->software - b->software;
	if ((r = cmp_str(a->package, b->package)) != 0)
		return r;
	if ((r = cmp_str(shown_id(a), shown_id(b))) != 0)
		return r;
	return cmp_str(a->advisory_id, b->advisory_id);
}

static enum canh_cli_msg_id sev_msg(enum canh_severity s)
{
	switch (s) {
	case CANH_SEV_LOW:
		return M_VULN_CHECK_SEV_LOW;
	case CANH_SEV_MEDIUM:
		return M_VULN_CHECK_SEV_MEDIUM;
	case CANH_SEV_HIGH:
		return M_VULN_CHECK_SEV_HIGH;
	case CANH_SEV_CRITICAL:
		return M_VULN_CHECK_SEV_CRITICAL;
	default:
		return M_VULN_CHECK_SEV_UNKNOWN;
	}
}

static int parse_severity(const char *s, enum canh_severity *out)
{
	static const struct {
		const char *name;
		enum canh_severity sev;
	} names[] = {{"low", CANH_SEV_LOW},	    {"medium", CANH_SEV_MEDIUM},
		     {"moderate", CANH_SEV_MEDIUM}, {"high", CANH_SEV_HIGH},
		     {"important", CANH_SEV_HIGH},  {"critical", CANH_SEV_CRITICAL}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].sev;
			return 0;
		}
	return -1;
}

struct counts {
	size_t findings, packages, cves, kev, nofix, undetermined;
};

static void count(const struct run *r, struct counts *n)
{
	memset(n, 0, sizeof(*n));
	n->findings = r->n;
	for (size_t i = 0; i < r->n; i++) {
		const struct canh_vuln_finding *f = &r->sorted[i]->f;
		const struct canh_vuln_finding *p = i ? &r->sorted[i - 1]->f : NULL;
		/* Sorted by package: each change of package starts a new one. */
		if (!p || cmp_str(f->package, p->package) != 0 || f->software != p->software)
			n->packages++;
		if (f->kev)
			n->kev++;
		if (f->status == CANH_VULN_UNDETERMINED)
			n->undetermined++;
		else if (!f->fixed)
			n->nofix++;
	}
}

/* Distinct CVEs over all findings, through a small open-addressing set. */
static size_t distinct_cves(const struct run *r)
{
	size_t cap = 64, d = 0;
	const char **set;

	while (cap < r->n * 2)
		cap *= 2;
	set = canh_xcalloc(cap, sizeof(*set));
	for (size_t i = 0; i < r->n; i++) {
		const char *cve = r->f[i].f.cve;
		uint32_t h = 2166136261u;
		size_t k;
		if (!cve)
			continue;
		for (const char *p = cve; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		for (k = h & (cap - 1); set[k] && strcmp(set[k], cve) != 0; k = (k + 1) & (cap - 1))
			;
		if (!set[k]) {
			set[k] = cve;
			d++;
		}
	}
	free(set);
	return d;
}

/* ---- JSON, written as it goes (one finding per line) ---- */

static void jkey(struct canh_buf *b, const char *k, const char *v)
{
	canh_buf_appendf(b, ", \"%s\": ", k);
	if (v)
		canh_buf_put_json_string(b, v, strlen(v));
	else
		canh_buf_puts(b, "null");
}

static void print_json(struct run *r, const struct counts *n, size_t npkgs, size_t nsw, size_t nadv,
		       const char *release)
{
	struct canh_buf b;

	canh_buf_init(&b, (size_t)1 << 30);
	canh_buf_puts(&b, "{\n  \"findings\": [");
	for (size_t i = 0; i < r->n; i++) {
		const struct canh_vuln_finding *f = &r->sorted[i]->f;
		canh_buf_puts(&b, i ? ",\n    {\"advisory\": " : "\n    {\"advisory\": ");
		canh_buf_put_json_string(&b, f->advisory_id, strlen(f->advisory_id));
		jkey(&b, "source", canh_advisory_format_name(f->source));
		jkey(&b, "cve", f->cve);
		canh_buf_puts(&b, ", \"aliases\": [");
		for (size_t k = 0; k < f->n_aliases; k++) {
			if (k)
				canh_buf_puts(&b, ", ");
			canh_buf_put_json_string(&b, f->aliases[k], strlen(f->aliases[k]));
		}
		canh_buf_puts(&b, "]");
		jkey(&b, "package", f->package);
		canh_buf_appendf(&b, ", \"software\": %s", f->software ? "true" : "false");
		jkey(&b, "source_package", f->source_package);
		jkey(&b, "installed", f->installed);
		jkey(&b, "fixed", f->fixed);
		jkey(&b, "release", f->release);
		jkey(&b, "status", canh_vuln_status_name(f->status));
		jkey(&b, "severity", canh_severity_name(f->severity));
		jkey(&b, "urgency", f->urgency);
		canh_buf_appendf(&b, ", \"kev\": %s", f->kev ? "true" : "false");
		jkey(&b, "kev_due", f->kev_due);
		canh_buf_puts(&b, ", \"letters\": [");
		for (size_t k = 0; k < f->n_letters; k++) {
			canh_buf_puts(&b, k ? ", {\"number\": " : "{\"number\": ");
			canh_buf_put_json_string(&b, f->letters[k]->number,
						 strlen(f->letters[k]->number));
			jkey(&b, "deadline", f->letters[k]->deadline);
			canh_buf_puts(&b, "}");
		}
		canh_buf_puts(&b, "]}");
	}
	canh_buf_appendf(
	    &b,
	    "%s],\n  \"summary\": {\"findings\": %zu, \"packages\": %zu, \"cves\": %zu, "
	    "\"kev\": %zu, \"no_fix\": %zu, \"undetermined\": %zu},\n"
	    "  \"checked\": {\"packages\": %zu, \"software\": %zu, \"advisories\": %zu",
	    r->n ? "\n  " : "", n->findings, n->packages, n->cves, n->kev, n->nofix,
	    n->undetermined, npkgs, nsw, nadv);
	jkey(&b, "release", release);
	canh_buf_puts(&b, "}\n}\n");
	fwrite(b.data, 1, b.len, r->c->out);
	canh_buf_release(&b);
}

/* ---- the table: two spaces between columns, widths in characters ---- */

#define NCOLS 7

/*
 * Printable ASCII only: shown as it is, one column per byte. *len is the
 * length when it is.
 */
static int plain(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	*len = (size_t)(p - (const unsigned char *)s);
	return 1;
}

/* The cells of finding i (or of the header when f is NULL); bufs hold the formatted ones. */
static void row_cells(struct run *r, const struct canh_vuln_finding *f, const char **cells,
		      char kev[64], char letters[256])
{
	struct canh_cli *c = r->c;
	size_t off = 0;

	if (!f) {
		static const enum canh_cli_msg_id h[NCOLS] = {
		    M_VULN_CHECK_H_PACKAGE, M_VULN_CHECK_H_INSTALLED, M_VULN_CHECK_H_FIXED,
		    M_VULN_CHECK_H_CVE,	    M_VULN_CHECK_H_SEVERITY,  M_VULN_CHECK_H_KEV,
		    M_VULN_CHECK_H_LETTER};
		for (int k = 0; k < NCOLS; k++)
			cells[k] = canh_cli_tr(c, h[k]);
		return;
	}
	cells[0] = f->package;
	cells[1] = f->installed;
	cells[2] = f->status == CANH_VULN_UNDETERMINED ? canh_cli_tr(c, M_VULN_CHECK_UNDETERMINED)
		   : f->fixed			       ? f->fixed
						       : canh_cli_tr(c, M_VULN_CHECK_NO_FIX);
	cells[3] = shown_id(f);
	cells[4] = canh_cli_tr(c, sev_msg(f->severity));
	cells[5] = "-";
	if (f->kev && f->kev_due) {
		canh_cli_format(c, kev, 64, M_VULN_CHECK_KEV_DUE, f->kev_due);
		cells[5] = kev;
	} else if (f->kev) {
		cells[5] = canh_cli_tr(c, M_VULN_CHECK_KEV_YES);
	}
	letters[0] = '\0';
	for (size_t k = 0; k < f->n_letters && off < 256; k++) {
		int w = snprintf(letters + off, 256 - off, "%s%s", k ? ", " : "",
				 f->letters[k]->number);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	cells[6] = letters[0] ? letters : "-";
}

/*
 * A cell as printed: its text (sanitised when it is not plain ASCII), its
 * length and its width in columns. The catalogue's texts (headers, severity,
 * status) recur on every row: their sanitised copies are kept in a small memo.
 */
struct cell {
	const char *text;
	size_t len, width;
	char *owned;
};

#define MEMO_MAX 16

struct memo {
	const char *src[MEMO_MAX];
	struct cell c[MEMO_MAX];
	size_t n;
};

static void cell_of(struct memo *mo, const char *s, struct cell *out)
{
	out->owned = NULL;
	out->text = s;
	if (plain(s, &out->len)) {
		out->width = out->len;
		return;
	}
	for (size_t i = 0; i < mo->n; i++)
		if (mo->src[i] == s) {
			*out = mo->c[i];
			out->owned = NULL;
			return;
		}
	out->owned = canh_cli_sanitize(s, 4096);
	out->text = out->owned;
	out->len = strlen(out->owned);
	out->width = canh_cli_utf8_width(out->owned);
}

/* Remember the catalogue text s (a pointer that stays valid) once sanitised. */
static void memo_add(struct memo *mo, const char *s)
{
	struct cell c;
	for (size_t i = 0; i < mo->n; i++)
		if (mo->src[i] == s)
			return;
	if (mo->n == MEMO_MAX)
		return;
	cell_of(mo, s, &c);
	if (!c.owned)
		return;
	mo->src[mo->n] = s;
	mo->c[mo->n++] = c;
}

/* Output through one buffer, written out when full. */
struct outbuf {
	FILE *f;
	char *data;
	size_t len, cap;
};

static void ob_flush(struct outbuf *o)
{
	if (o->len)
		fwrite(o->data, 1, o->len, o->f);
	o->len = 0;
}

static void ob_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		ob_flush(o);
		if (n > o->cap) {
			fwrite(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
}

static void ob_spaces(struct outbuf *o, size_t n)
{
	while (n) {
		size_t k;
		if (o->len == o->cap)
			ob_flush(o);
		k = o->cap - o->len < n ? o->cap - o->len : n;
		memset(o->data + o->len, ' ', k);
		o->len += k;
		n -= k;
	}
}

/*
 * Two passes over the rows, nothing kept between them: the column widths,
 * then the rows, two spaces between columns and none at the end.
 */
static void print_table(struct run *r)
{
	static const enum canh_cli_msg_id cat[] = {
	    M_VULN_CHECK_SEV_LOW,      M_VULN_CHECK_SEV_MEDIUM,	 M_VULN_CHECK_SEV_HIGH,
	    M_VULN_CHECK_SEV_CRITICAL, M_VULN_CHECK_SEV_UNKNOWN, M_VULN_CHECK_UNDETERMINED,
	    M_VULN_CHECK_NO_FIX,       M_VULN_CHECK_KEV_YES};
	size_t width[NCOLS] = {0}, rows = r->n + 1;
	struct outbuf o = {r->c->out, NULL, 0, (size_t)64 << 10};
	struct memo mo;

	mo.n = 0;
	for (size_t i = 0; i < sizeof(cat) / sizeof(cat[0]); i++)
		memo_add(&mo, canh_cli_tr(r->c, cat[i]));
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			o.data = canh_xmalloc(o.cap);
		for (size_t i = 0; i < rows; i++) {
			const char *c[NCOLS];
			char kev[64], letters[256];
			row_cells(r, i ? &r->sorted[i - 1]->f : NULL, c, kev, letters);
			for (int k = 0; k < NCOLS; k++) {
				struct cell ce;
				cell_of(&mo, c[k], &ce);
				if (!pass) {
					if (ce.width > width[k])
						width[k] = ce.width;
				} else {
					ob_put(&o, ce.text, ce.len);
					if (k + 1 < NCOLS)
						ob_spaces(&o, width[k] + 2 - ce.width);
					else
						ob_put(&o, "\n", 1);
				}
				free(ce.owned);
			}
		}
	}
	ob_flush(&o);
	free(o.data);
	for (size_t i = 0; i < mo.n; i++)
		free(mo.c[i].owned);
}

/* Packages from the dpkg status file, or from this machine's inventory. */
static int load_packages(struct canh_cli *c, const char *dpkg_status, const char *root,
			 struct pkgs *pk, json_t **software)
{
	struct canh_software_opts so = {root, NULL, NULL};
	struct canh_errmsg em;
	json_t *inv = NULL, *errs = json_array(), *e;
	size_t i;
	int rc;

	*software = NULL;
	if (dpkg_status) {
		rc = canh_dpkg_parse_file(dpkg_status, pkg_cb, pk, NULL, &em);
		if (rc != 0) {
			canh_cli_error(c, M_VULN_CHECK_ERR_PACKAGES, em.text);
			json_decref(errs);
			return CANH_CLI_EXIT_USAGE;
		}
		canh_software_detect(&so, software, errs);
	} else {
		struct canh_inventory_opts io = {root, NULL, 0};
		rc = canh_inventory_collect(&io, &inv, &em);
		if (rc != 0) {
			canh_cli_error(c, M_VULN_CHECK_ERR_PACKAGES, em.text);
			json_decref(errs);
			return CANH_CLI_EXIT_USAGE;
		}
		json_array_foreach(json_object_get(inv, "packages"), i, e) add_json_pkg(pk, e);
		e = json_object_get(inv, "software");
		if (json_is_array(e)) {
			*software = json_incref(e);
		} else {
			so.packages = json_object_get(inv, "packages");
			canh_software_detect(&so, software, errs);
		}
		json_decref(inv);
	}
	json_array_foreach(errs, i, e)
	{
		char *safe = canh_cli_sanitize(json_string_value(e), 512);
		canh_cli_say(c->lang, c->err, M_VULN_CHECK_WARN_INVENTORY, safe);
		free(safe);
	}
	json_decref(errs);
	return 0;
}

int canh_cli_vuln_check(struct canh_cli *c, int argc, char **argv, int first)
{
	const char *files[MAX_FILES], *dpkg_status = NULL, *release = NULL, *root = NULL;
	enum canh_advisory_format fmt = CANH_ADV_FORMAT_UNKNOWN;
	struct canh_vulnmatch_opts mo = {0};
	struct canh_vulnmatch_stats ms;
	struct canh_cli_optparse p;
	struct run r = {0};
	struct pkgs pk = {0};
	struct canh_vuln_software *sws = NULL;
	json_t *software = NULL;
	struct canh_vulnmatch *m = NULL;
	struct canh_vuln_host host = {0};
	struct counts n;
	struct osrel os;
	size_t nfiles = 0, nsw = 0, nadv = 0;
	int id, st = 0;
	char relbuf[64];

	r.c = c;
	canh_cli_opt_init(&p, argc, argv, first, check_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_VULN_CHECK, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case O_ADVISORIES:
		case CANH_OPT_POSITIONAL:
			if (nfiles >= MAX_FILES)
				return canh_cli_usage_error(c, M_VULN_CHECK_ERR_TOO_MANY,
							    MAX_FILES);
			files[nfiles++] = p.value;
			break;
		case O_DPKG_STATUS:
			dpkg_status = p.value;
			break;
		case O_RELEASE:
			release = p.value;
			break;
		case O_KEV_ONLY:
			r.kev_only = 1;
			break;
		case O_SEVERITY:
			if (parse_severity(p.value, &r.min_sev) != 0)
				return canh_cli_usage_error(c, M_VULN_CHECK_ERR_SEVERITY, p.value);
			break;
		case O_ROOT:
			root = p.value;
			break;
		case O_FORMAT:
			if (canh_advisory_format_parse(p.value, &fmt) != 0)
				return canh_cli_usage_error(c, M_VULN_CHECK_ERR_FORMAT, p.value);
			break;
		default:
			break;
		}
	}
	if (nfiles == 0)
		return canh_cli_usage_error(c, M_VULN_CHECK_ERR_NO_ADVISORIES);

	if ((st = load_packages(c, dpkg_status, root, &pk, &software)) != 0)
		goto out;

	/* The host: ecosystem from os-release, release from --release or os-release. */
	read_os_release(root, &os);
	host.ecosystem = canh_vulnmatch_ecosystem(os.id);
	if (!release)
		release = os.codename[0] ? os.codename : os.version_id[0] ? os.version_id : NULL;
	if (host.ecosystem == CANH_ECO_UNKNOWN && release &&
	    (canh_debian_number(release) || canh_debian_codename(release)))
		host.ecosystem = CANH_ECO_DEBIAN;
	/* The tracker names releases by codename: "12" is "bookworm". */
	if (host.ecosystem == CANH_ECO_DEBIAN && release && canh_debian_codename(release))
		release = canh_debian_codename(release);
	if (release) {
		canh_strlcpy(relbuf, release, sizeof(relbuf));
		host.release = relbuf;
	}

	mo.ecosystem = host.ecosystem;
	mo.release = host.release;
	mo.filter_names = 1;
	m = canh_vulnmatch_new(&mo);
	for (size_t i = 0; i < pk.n; i++) {
		canh_vulnmatch_want(m, pk.v[i].name);
		canh_vulnmatch_want(m, pk.v[i].source);
	}
	for (size_t i = 0; i < nfiles; i++) {
		struct canh_advisory_stats as;
		struct canh_errmsg em;
		memset(&as, 0, sizeof(as));
		em.text[0] = '\0';
		size_t skipped = 0;
		int rc =
		    canh_vulnmatch_load_file(m, files[i], fmt, host.release, &as, &skipped, &em);
		if (rc != 0) {
			char *safe =
			    canh_cli_sanitize(em.text[0] ? em.text : canh_strerror(rc), 600);
			canh_cli_error(c, M_VULN_CHECK_ERR_ADVISORIES, files[i], safe);
			free(safe);
			st = CANH_CLI_EXIT_USAGE;
			goto out;
		}
		if (as.skipped) {
			char *safe = canh_cli_sanitize(as.first_skip, 300);
			canh_cli_say(c->lang, c->err, M_VULN_CHECK_WARN_SKIPPED, files[i],
				     (unsigned long)as.skipped, safe);
			free(safe);
		}
		nadv += as.advisories + skipped;
	}

	/* Detected applications. */
	if (json_array_size(software)) {
		size_t i;
		json_t *e;
		sws = canh_xcalloc(json_array_size(software), sizeof(*sws));
		json_array_foreach(software, i, e)
		{
			sws[nsw].name = json_string_value(json_object_get(e, "name"));
			sws[nsw].vendor = json_string_value(json_object_get(e, "vendor"));
			sws[nsw].version = json_string_value(json_object_get(e, "version"));
			nsw++;
		}
	}
	canh_vulnmatch_host(m, &host, pk.v, pk.n, sws, nsw, finding_cb, &r);
	canh_vulnmatch_stats(m, &ms);
	r.sorted = canh_xcalloc(r.n ? r.n : 1, sizeof(*r.sorted));
	for (size_t i = 0; i < r.n; i++) {
		r.f[i].f.letters = r.f[i].letters; /* r.f may have moved since the callback */
		r.sorted[i] = &r.f[i];
	}
	qsort(r.sorted, r.n, sizeof(*r.sorted), cmp_finding);
	count(&r, &n);
	n.cves = distinct_cves(&r);

	if (c->json) {
		print_json(&r, &n, pk.n, nsw, nadv, host.release);
	} else if (r.n == 0) {
		canh_cli_say(c->lang, c->out, M_VULN_CHECK_NONE, (unsigned long)pk.n,
			     (unsigned long)nsw, (unsigned long)nadv);
	} else {
		print_table(&r);
		fputc('\n', c->out);
		canh_cli_say(c->lang, c->out, M_VULN_CHECK_SUMMARY, (unsigned long)n.findings,
			     (unsigned long)n.packages, (unsigned long)n.cves, (unsigned long)n.kev,
			     (unsigned long)n.nofix, (unsigned long)n.undetermined,
			     (unsigned long)pk.n, (unsigned long)nsw, (unsigned long)nadv);
	}
	st = r.n ? CANH_CLI_EXIT_FAIL : CANH_CLI_EXIT_OK;
out:
	for (size_t i = 0; i < r.n; i++)
		free(r.f[i].letters);
	free(r.f);
	free(r.sorted);
	free(sws);
	json_decref(software);
	canh_vulnmatch_free(m);
	pkgs_release(&pk);
	return st;
}
