/*
 * Sigma rules: loading (rule collections, detections, modifiers, conditions,
 * correlations) into the compiled form of sigma_internal.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/buf.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "sigma_internal.h"

/* Values one modifier chain may expand to (windash x expand x base64offset). */
#define VALUES_MAX 256
/* Longest value after encoding. */
#define VALUE_MAX (64u * 1024u)
#define CORR_THRESHOLD_MAX 100000

/* Why a rule is not loaded: skipped (unsupported) or an error, with a position. */
struct why {
	enum canh_sigma_status status;
	unsigned line, col;
	char text[256];
};

static int fail(struct why *w, enum canh_sigma_status st, const struct ynode *at, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
static int fail(struct why *w, enum canh_sigma_status st, const struct ynode *at, const char *fmt,
		...)
{
	if (w->status != CANH_SIGMA_LOADED)
		return -1;
	w->status = st;
	w->line = at ? at->line : 0;
	w->col = at ? at->col : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	return -1;
}
#define unsupported(w, at, ...) fail((w), CANH_SIGMA_SKIPPED, (at), __VA_ARGS__)
#define invalid(w, at, ...) fail((w), CANH_SIGMA_ERROR, (at), __VA_ARGS__)

struct canh_sigma *canh_sigma_new(const struct canh_sigma_opts *opts)
{
	struct canh_sigma *s = canh_xcalloc(1, sizeof(*s));
	if (opts)
		s->opts = *opts;
	if (!s->opts.corr_groups_max)
		s->opts.corr_groups_max = 10000;
	if (s->opts.corr_groups_max > (1u << 24))
		s->opts.corr_groups_max = 1u << 24;
	if (!s->opts.corr_events_max)
		s->opts.corr_events_max = 10;
	if (s->opts.corr_events_max > 1000)
		s->opts.corr_events_max = 1000;
	s->mhash_size = 1024;
	s->mhash = canh_xcalloc(s->mhash_size, sizeof(*s->mhash));
	s->gen = 1;
	return s;
}

static void dnode_free(struct dnode *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		dnode_free(d->kids[i]);
	free(d->kids);
	free(d);
}

static void corr_free(struct corr *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrefs; i++)
		free(c->refs[i]);
	free(c->refs);
	free(c->ref_rule);
	for (size_t i = 0; i < c->ngroup; i++)
		free(c->group_by[i]);
	free(c->group_by);
	free(c->gfield);
	free(c->value_name);
	free(c->vfield);
	canh__ynode_free(c->aliases);
	free(c);
}

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < sizeof(r->strs) / sizeof(r->strs[0]); i++)
		free(r->strs[i]);
	dnode_free(r->cond);
	free(r->corrs);
	corr_free(r->corr);
	free(r);
}

void canh_sigma_free(struct canh_sigma *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++)
		rule_free(s->rules[i]);
	free(s->rules);
	for (size_t i = 0; i < s->nm; i++) {
		free(s->m[i]->pat);
		free(s->m[i]->wild);
		if (s->m[i]->re)
			pcre2_code_free(s->m[i]->re);
		free(s->m[i]);
		free(s->mkeys[i]);
	}
	free(s->m);
	free(s->mkeys);
	free(s->mkeylen);
	free(s->mhash);
	free(s->groups);
	canh__sigma_prefilter_free(s);
	free(s->cand);
	free(s->tried);
	free(s->low_stamp);
	free(s->low_off);
	free(s->low);
	free(s->lowraw);
	if (s->md)
		pcre2_match_data_free(s->md);
	canh__sigma_corr_free(s);
	free(s);
}

/* ---- matchers ---- */

static uint32_t key_hash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static void mhash_grow(struct canh_sigma *s)
{
	size_t size = s->mhash_size * 2;
	uint32_t *t = canh_xcalloc(size, sizeof(*t));
	for (size_t i = 0; i < s->nm; i++) {
		uint32_t h = key_hash(s->mkeys[i], s->mkeylen[i]) & (uint32_t)(size - 1);
		while (t[h])
			h = (h + 1) & (uint32_t)(size - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(s->mhash);
	s->mhash = t;
	s->mhash_size = size;
}

/* The literal a matcher's value must contain (for the prefilter). */
static void set_literal(struct matcher *m)
{
	m->lit = NULL;
	m->litlen = 0;
	switch (m->kind) {
	case MK_EQ:
	case MK_CONTAINS:
	case MK_STARTS:
	case MK_ENDS:
		if (m->plen && !memchr(m->pat, '\0', m->plen)) {
			m->lit = m->pat;
			m->litlen = m->plen;
		}
		break;
	case MK_GLOB: {
		size_t best = 0, bestlen = 0;
		for (size_t i = 0; i < m->plen;) {
			if (m->wild[i]) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < m->plen && !m->wild[j] && m->pat[j])
				j++;
			if (j - i > bestlen) {
				best = i;
				bestlen = j - i;
			}
			i = j == i ? i + 1 : j;
		}
		if (bestlen) {
			m->lit = m->pat + best;
			m->litlen = bestlen;
		}
		break;
	}
	default:
		break;
	}
}

/*
 * Add a matcher or find its twin; takes ownership of pat, wild and re.
 * Returns the index.
 */
static uint32_t matcher_add(struct canh_sigma *s, struct matcher *tmpl, const char *rekey)
{
	struct canh_buf k = CANH_BUF_INIT(VALUE_MAX * 3);
	canh_buf_append(&k, &tmpl->field, sizeof(tmpl->field));
	canh_buf_append(&k, &tmpl->kind, 4);
	canh_buf_append(&k, &tmpl->num, sizeof(tmpl->num));
	canh_buf_append(&k, &tmpl->ref_field, sizeof(tmpl->ref_field));
	if (tmpl->kind == MK_CIDR)
		canh_buf_append(&k, &tmpl->cidr, sizeof(tmpl->cidr));
	if (rekey)
		canh_buf_puts(&k, rekey);
	if (tmpl->pat)
		canh_buf_append(&k, tmpl->pat, tmpl->plen);
	if (tmpl->wild)
		canh_buf_append(&k, tmpl->wild, tmpl->plen);
	uint32_t h = key_hash(k.data, k.len) & (uint32_t)(s->mhash_size - 1);
	while (s->mhash[h]) {
		uint32_t i = s->mhash[h] - 1;
		if (s->mkeylen[i] == k.len && memcmp(s->mkeys[i], k.data, k.len) == 0) {
			canh_buf_release(&k);
			free(tmpl->pat);
			free(tmpl->wild);
			if (tmpl->re)
				pcre2_code_free(tmpl->re);
			return i;
		}
		h = (h + 1) & (uint32_t)(s->mhash_size - 1);
	}
	if (s->nm == s->m_cap) {
		s->m_cap = s->m_cap ? s->m_cap * 2 : 64;
		s->m = canh_xrealloc(s->m, s->m_cap * sizeof(*s->m));
		s->mkeys = canh_xrealloc(s->mkeys, s->m_cap * sizeof(*s->mkeys));
		s->mkeylen = canh_xrealloc(s->mkeylen, s->m_cap * sizeof(*s->mkeylen));
	}
	uint32_t idx = (uint32_t)s->nm++;
	struct matcher *m = canh_xmalloc(sizeof(*m));
	*m = *tmpl;
	set_literal(m);
	s->m[idx] = m;
	s->mkeylen[idx] = k.len;
	s->mkeys[idx] = canh_buf_detach(&k, NULL);
	s->mhash[h] = idx + 1;
	if (s->nm * 2 > s->mhash_size)
		mhash_grow(s);
	return idx;
}

static struct dnode *dn_new(int kind)
{
	struct dnode *d = canh_xcalloc(1, sizeof(*d));
	d->kind = (uint8_t)kind;
	return d;
}

static void dn_add(struct dnode *d, struct dnode *kid)
{
	d->kids = canh_xrealloc(d->kids, (d->n + 1) * sizeof(*d->kids));
	d->kids[d->n++] = kid;
}

static struct dnode *dn_match(uint32_t m)
{
	struct dnode *d = dn_new(D_MATCH);
	d->m = m;
	return d;
}

/* ---- values and modifiers ---- */

struct sval {
	char *s;
	size_t len;
	bool literal; /* wildcards already resolved (encoded values) */
};

struct vlist {
	struct sval v[VALUES_MAX];
	size_t n;
};

static void vl_free(struct vlist *vl)
{
	for (size_t i = 0; i < vl->n; i++)
		free(vl->v[i].s);
	vl->n = 0;
}

static int vl_push(struct vlist *vl, char *str, size_t len, bool literal)
{
	if (vl->n >= VALUES_MAX || len > VALUE_MAX) {
		free(str);
		return -1;
	}
	vl->v[vl->n].s = str;
	vl->v[vl->n].len = len;
	vl->v[vl->n].literal = literal;
	vl->n++;
	return 0;
}

/* Resolve \* \? \\ escapes into plain bytes (for values that get encoded). */
static char *unescape(const char *s, size_t n, size_t *outlen)
{
	char *o = canh_xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
			i++;
		o[k++] = s[i];
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

static bool has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '*' || s[i] == '?')
			return true;
	}
	return false;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(const unsigned char *in, size_t n, size_t *outlen)
{
	char *o = canh_xmalloc((n + 2) / 3 * 4 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		o[k++] = b64chars[(v >> 18) & 63];
		o[k++] = b64chars[(v >> 12) & 63];
		o[k++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		o[k++] = i + 2 < n ? b64chars[v & 63] : '=';
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* UTF-8 to UTF-16 (le or be), invalid bytes taken as Latin-1. */
static char *utf16(const char *s, size_t n, bool be, bool bom, size_t *outlen)
{
	char *o = canh_xmalloc(n * 4 + 3);
	size_t k = 0;
	if (bom) {
		o[k++] = be ? '\xfe' : '\xff';
		o[k++] = be ? '\xff' : '\xfe';
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp = (unsigned char)s[i];
		size_t adv = 1;
		if (cp >= 0xc0 && cp < 0xf8) {
			size_t need = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : 1;
			uint32_t v = cp & (0x3f >> need);
			size_t j;
			for (j = 1;
			     j <= need && i + j < n && ((unsigned char)s[i + j] & 0xc0) == 0x80;
			     j++)
				v = (v << 6) | ((unsigned char)s[i + j] & 0x3f);
			if (j == need + 1) {
				cp = v;
				adv = need + 1;
			}
		}
		i += adv;
		uint16_t units[2];
		int nu = 1;
		if (cp >= 0x10000 && cp <= 0x10ffff) {
			cp -= 0x10000;
			units[0] = (uint16_t)(0xd800 + (cp >> 10));
			units[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
			nu = 2;
		} else {
			units[0] = (uint16_t)cp;
		}
		for (int u = 0; u < nu; u++) {
			o[k++] = (char)(be ? units[u] >> 8 : units[u] & 0xff);
			o[k++] = (char)(be ? units[u] & 0xff : units[u] >> 8);
		}
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* Windows command-line dashes: '-' or '/' starting a word, each variant applied everywhere. */
static const char *const windash_chars[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
					    "\xe2\x80\x95"};

static int windash(const struct sval *in, struct vlist *out)
{
	for (size_t v = 0; v < 5; v++) {
		struct canh_buf b = CANH_BUF_INIT(VALUE_MAX);
		for (size_t i = 0; i < in->len; i++) {
			char c = in->s[i];
			bool start = i == 0 || in->s[i - 1] == ' ' || in->s[i - 1] == '\t';
			if ((c == '-' || c == '/') && start)
				canh_buf_puts(&b, windash_chars[v]);
			else
				canh_buf_putc(&b, c);
		}
		size_t len = b.len;
		char *str = canh_buf_detach(&b, NULL);
		if (!str)
			str = canh_xstrdup("");
		if (vl_push(out, str, len, in->literal) < 0)
			return -1;
	}
	return 0;
}

static int expand(struct canh_sigma *s, const struct sval *in, struct vlist *out, char *missing,
		  size_t mlen)
{
	const char *p = memchr(in->s, '%', in->len);
	const char *q = p ? memchr(p + 1, '%', in->len - (size_t)(p + 1 - in->s)) : NULL;
	if (!p || !q) {
		char *copy = canh_xmalloc(in->len + 1);
		memcpy(copy, in->s, in->len);
		copy[in->len] = '\0';
		return vl_push(out, copy, in->len, in->literal);
	}
	size_t nlen = (size_t)(q - p - 1);
	for (size_t i = 0; i < s->opts.n_expand; i++) {
		if (strlen(s->opts.expand_names[i]) != nlen ||
		    memcmp(s->opts.expand_names[i], p + 1, nlen) != 0)
			continue;
		for (const char *const *v = s->opts.expand_values[i]; v && *v; v++) {
			struct canh_buf b = CANH_BUF_INIT(VALUE_MAX);
			canh_buf_append(&b, in->s, (size_t)(p - in->s));
			canh_buf_puts(&b, *v);
			canh_buf_append(&b, q + 1, in->len - (size_t)(q + 1 - in->s));
			struct sval t = {b.data ? b.data : "", b.len, in->literal};
			int rc = expand(s, &t, out, missing, mlen);
			canh_buf_release(&b);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	snprintf(missing, mlen, "%.*s", (int)nlen, p + 1);
	return -2;
}

enum op { OP_EQ, OP_CONTAINS, OP_STARTS, OP_ENDS };

struct mods {
	enum op op;
	bool all, cased, re, re_i, re_m, re_s, cidr, exists, fieldref, num;
	int numkind;
	bool has_transform;
};

/* Build a string matcher (EQ/CONTAINS/STARTS/ENDS/GLOB) for one value. */
static struct dnode *string_matcher(struct canh_sigma *s, int field, const struct sval *v,
				    const struct mods *md)
{
	struct matcher t = {0};
	t.field = field;
	t.cased = md->cased;
	/* Pattern bytes with per-byte wildcard marks. */
	size_t cap = v->len + 2;
	char *pat = canh_xmalloc(cap + 1);
	uint8_t *wild = canh_xcalloc(cap + 1, 1);
	size_t n = 0;
	if (md->op == OP_CONTAINS || md->op == OP_ENDS)
		wild[n] = 1, pat[n++] = '*';
	for (size_t i = 0; i < v->len; i++) {
		char c = v->s[i];
		if (!v->literal && c == '\\' && i + 1 < v->len &&
		    (v->s[i + 1] == '*' || v->s[i + 1] == '?' || v->s[i + 1] == '\\')) {
			pat[n++] = v->s[++i];
			continue;
		}
		if (!v->literal && (c == '*' || c == '?')) {
			wild[n] = c == '*' ? 1 : 2;
			pat[n++] = c;
			continue;
		}
		pat[n++] = md->cased ? c : (char)tolower((unsigned char)c);
	}
	if (md->op == OP_CONTAINS || md->op == OP_STARTS)
		wild[n] = 1, pat[n++] = '*';
	pat[n] = '\0';
	/* Collapse runs of '*'. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (wild[i] == 1 && k > 0 && wild[k - 1] == 1)
			continue;
		pat[k] = pat[i];
		wild[k] = wild[i];
		k++;
	}
	n = k;
	pat[n] = '\0';
	size_t nwild = 0, nq = 0;
	for (size_t i = 0; i < n; i++) {
		nwild += wild[i] != 0;
		nq += wild[i] == 2;
	}
	bool lead = n && wild[0] == 1, trail = n > 1 && wild[n - 1] == 1;
	if (n == 1 && wild[0] == 1) {
		/* '*' alone: any value of a present field. */
		free(pat);
		free(wild);
		t.kind = MK_EXISTS;
		t.want = 1;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (nwild == 0) {
		t.kind = MK_EQ;
	} else if (nq == 0 && nwild == 1 && trail) {
		t.kind = MK_STARTS;
		n--;
	} else if (nq == 0 && nwild == 1 && lead) {
		t.kind = MK_ENDS;
		memmove(pat, pat + 1, n);
		n--;
	} else if (nq == 0 && nwild == 2 && lead && trail) {
		t.kind = MK_CONTAINS;
		memmove(pat, pat + 1, n);
		n -= 2;
	} else {
		t.kind = MK_GLOB;
	}
	pat[n] = '\0';
	t.pat = pat;
	t.plen = n;
	if (t.kind == MK_GLOB) {
		t.wild = wild;
	} else {
		free(wild);
	}
	return dn_match(matcher_add(s, &t, NULL));
}

static bool scalar_bool(const struct ynode *v, bool *out)
{
	if (v->type != Y_SCALAR)
		return false;
	if (strcasecmp(v->s, "true") == 0 || strcasecmp(v->s, "yes") == 0) {
		*out = true;
		return true;
	}
	if (strcasecmp(v->s, "false") == 0 || strcasecmp(v->s, "no") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* One value of a detection item into a node (OR of its variants). */
static struct dnode *value_node(struct canh_sigma *s, int field, const struct ynode *yv,
				const struct mods *md, const char *const *chain, size_t nchain,
				struct why *w)
{
	struct matcher t = {0};
	t.field = field;
	t.cased = md->cased;
	if (yv->type != Y_SCALAR) {
		invalid(w, yv, "a value must be a scalar, not a list or a map");
		return NULL;
	}
	if (md->exists) {
		bool b;
		if (!scalar_bool(yv, &b)) {
			invalid(w, yv, "'exists' takes true or false");
			return NULL;
		}
		t.kind = MK_EXISTS;
		t.want = b;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (canh__ynode_is_null(yv)) {
		if (md->has_transform || md->re || md->cidr || md->num || md->fieldref) {
			invalid(w, yv, "a null value cannot take modifiers");
			return NULL;
		}
		t.kind = MK_NULL;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (md->num) {
		char *end;
		errno = 0;
		double d = strtod(yv->s, &end);
		if (end == yv->s || *end || errno == ERANGE || !isfinite(d)) {
			invalid(w, yv, "'%s' is not a number", yv->s);
			return NULL;
		}
		t.kind = (uint8_t)md->numkind;
		t.num = d;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (md->cidr) {
		if (canh_cidr_parse(yv->s, false, &t.cidr) < 0) {
			invalid(w, yv, "'%s' is not a CIDR network", yv->s);
			return NULL;
		}
		t.kind = MK_CIDR;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (md->fieldref) {
		int id = canh_field_id(yv->s);
		if (id < 0) {
			invalid(w, yv, "bad field name '%s'", yv->s);
			return NULL;
		}
		t.kind = MK_FIELDREF;
		t.ref_field = id;
		t.ref_op = md->op == OP_CONTAINS ? MK_CONTAINS
			   : md->op == OP_STARTS ? MK_STARTS
			   : md->op == OP_ENDS	 ? MK_ENDS
						 : MK_EQ;
		return dn_match(matcher_add(s, &t, NULL));
	}
	if (md->re) {
		uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
		if (md->re_i)
			opt |= PCRE2_CASELESS;
		if (md->re_m)
			opt |= PCRE2_MULTILINE;
		if (md->re_s)
			opt |= PCRE2_DOTALL;
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)yv->s, yv->len, opt, &err, &off, NULL);
		if (!re) {
			PCRE2_UCHAR buf[128];
			pcre2_get_error_message(err, buf, sizeof(buf));
			invalid(w, yv, "regular expression '%.60s': %s at offset %zu", yv->s,
				(const char *)buf, (size_t)off);
			return NULL;
		}
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
		t.kind = MK_RE;
		t.re = re;
		char flags[8];
		snprintf(flags, sizeof(flags), "re%d%d%d", md->re_i, md->re_m, md->re_s);
		t.pat = canh_xstrndup(yv->s, yv->len);
		t.plen = yv->len;
		return dn_match(matcher_add(s, &t, flags));
	}
	/* Strings, through the transformation chain in order. */
	struct vlist *a = canh_xcalloc(1, sizeof(*a)), *b = canh_xcalloc(1, sizeof(*b));
	struct dnode *res = NULL;
	vl_push(a, canh_xstrndup(yv->s, yv->len), yv->len, false);
	bool forced_contains = false;
	for (size_t c = 0; c < nchain; c++) {
		const char *mod = chain[c];
		for (size_t i = 0; i < a->n; i++) {
			struct sval *v = &a->v[i];
			int rc = 0;
			if (strcmp(mod, "expand") == 0) {
				char missing[96];
				rc = expand(s, v, b, missing, sizeof(missing));
				if (rc == -2) {
					unsupported(w, yv, "'%%%s%%' has no values to expand",
						    missing);
					goto out;
				}
			} else if (strcmp(mod, "windash") == 0) {
				rc = windash(v, b);
			} else {
				size_t ulen = 0, olen;
				char *u;
				if (v->literal) {
					/* Encoded values may hold NUL bytes (UTF-16). */
					u = canh_xmalloc(v->len + 1);
					memcpy(u, v->s, v->len);
					u[v->len] = '\0';
				} else {
					u = unescape(v->s, v->len, &ulen);
				}
				if (v->literal)
					ulen = v->len;
				if (!v->literal && has_wildcard(v->s, v->len)) {
					free(u);
					unsupported(w, yv, "'%s' of a value with wildcards", mod);
					goto out;
				}
				if (strcmp(mod, "base64") == 0) {
					char *e = b64((unsigned char *)u, ulen, &olen);
					rc = vl_push(b, e, olen, true);
				} else if (strcmp(mod, "base64offset") == 0) {
					static const size_t start[3] = {0, 2, 3};
					static const size_t endcut[3] = {0, 3, 2};
					for (size_t k = 0; k < 3 && rc == 0; k++) {
						char *pre = canh_xmalloc(ulen + 3);
						memset(pre, ' ', k);
						memcpy(pre + k, u, ulen);
						char *e =
						    b64((unsigned char *)pre, ulen + k, &olen);
						free(pre);
						size_t cut = endcut[(ulen + k) % 3];
						size_t from = start[k];
						size_t to = olen > cut ? olen - cut : 0;
						if (to <= from) {
							free(e);
							continue;
						}
						char *piece = canh_xstrndup(e + from, to - from);
						free(e);
						rc = vl_push(b, piece, to - from, true);
					}
					forced_contains = true;
				} else {
					bool be = strcmp(mod, "utf16be") == 0;
					bool bom = strcmp(mod, "utf16") == 0;
					char *e = utf16(u, ulen, be, bom, &olen);
					rc = vl_push(b, e, olen, true);
				}
				free(u);
			}
			if (rc < 0) {
				unsupported(w, yv, "too many or too long values after '%s'", mod);
				goto out;
			}
		}
		vl_free(a);
		struct vlist *tmp = a;
		a = b;
		b = tmp;
	}
	struct mods m2 = *md;
	if (forced_contains && m2.op == OP_EQ)
		m2.op = OP_CONTAINS;
	if (a->n == 1) {
		res = string_matcher(s, field, &a->v[0], &m2);
	} else {
		res = dn_new(D_OR);
		for (size_t i = 0; i < a->n; i++)
			dn_add(res, string_matcher(s, field, &a->v[i], &m2));
	}
out:
	vl_free(a);
	vl_free(b);
	free(a);
	free(b);
	return res;
}

/* "Field|mod|mod": value or list of values. */
static struct dnode *item_node(struct canh_sigma *s, const struct ynode *key,
			       const struct ynode *val, struct why *w)
{
	char *spec = canh_xstrdup(key->s);
	char *parts[16];
	size_t np = 0;
	for (char *p = spec;;) {
		char *bar = strchr(p, '|');
		if (np == 16) {
			free(spec);
			unsupported(w, key, "too many modifiers in '%s'", key->s);
			return NULL;
		}
		parts[np++] = p;
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	int field = FIELD_RAW;
	if (parts[0][0]) {
		field = canh_field_id(parts[0]);
		if (field < 0) {
			unsupported(w, key,
				    "field name '%s' is too long or the field table is full",
				    parts[0]);
			free(spec);
			return NULL;
		}
	}
	struct mods md = {0};
	const char *chain[16];
	size_t nchain = 0;
	int nops = 0;
	for (size_t i = 1; i < np; i++) {
		const char *m = parts[i];
		if (strcmp(m, "contains") == 0)
			md.op = OP_CONTAINS, nops++;
		else if (strcmp(m, "startswith") == 0)
			md.op = OP_STARTS, nops++;
		else if (strcmp(m, "endswith") == 0)
			md.op = OP_ENDS, nops++;
		else if (strcmp(m, "all") == 0)
			md.all = true;
		else if (strcmp(m, "cased") == 0)
			md.cased = true;
		else if (strcmp(m, "re") == 0)
			md.re = true;
		else if (md.re && strcmp(m, "i") == 0)
			md.re_i = true;
		else if (md.re && strcmp(m, "m") == 0)
			md.re_m = true;
		else if (md.re && strcmp(m, "s") == 0)
			md.re_s = true;
		else if (strcmp(m, "cidr") == 0)
			md.cidr = true;
		else if (strcmp(m, "exists") == 0)
			md.exists = true;
		else if (strcmp(m, "fieldref") == 0)
			md.fieldref = true;
		else if (strcmp(m, "lt") == 0 || strcmp(m, "lte") == 0 || strcmp(m, "gt") == 0 ||
			 strcmp(m, "gte") == 0) {
			md.num = true;
			md.numkind = strcmp(m, "lt") == 0    ? MK_LT
				     : strcmp(m, "lte") == 0 ? MK_LTE
				     : strcmp(m, "gt") == 0  ? MK_GT
							     : MK_GTE;
		} else if (strcmp(m, "base64") == 0 || strcmp(m, "base64offset") == 0 ||
			   strcmp(m, "utf16le") == 0 || strcmp(m, "utf16be") == 0 ||
			   strcmp(m, "utf16") == 0 || strcmp(m, "windash") == 0 ||
			   strcmp(m, "expand") == 0 || strcmp(m, "wide") == 0) {
			/* Static names: spec is freed before the chain runs. */
			static const char *const names[] = {"base64",  "base64offset", "utf16le",
							    "utf16be", "utf16",	       "windash",
							    "expand"};
			const char *name = "utf16le";
			for (size_t q = 0; q < sizeof(names) / sizeof(names[0]); q++) {
				if (strcmp(m, names[q]) == 0)
					name = names[q];
			}
			chain[nchain++] = name;
			md.has_transform = true;
		} else {
			unsupported(w, key, "modifier '%s' is not supported", m);
			free(spec);
			return NULL;
		}
	}
	free(spec);
	if (nops > 1) {
		invalid(w, key, "more than one of contains, startswith, endswith in '%s'", key->s);
		return NULL;
	}
	if ((md.re || md.cidr || md.exists || md.num) && (md.has_transform || nops)) {
		unsupported(w, key, "modifiers in '%s' cannot be combined", key->s);
		return NULL;
	}
	if (field == FIELD_RAW && (md.exists || md.fieldref)) {
		invalid(w, key, "'exists' and 'fieldref' need a field name");
		return NULL;
	}
	/* Keywords look for the value anywhere in the raw line. */
	if (field == FIELD_RAW && !nops && !md.re && !md.cidr && !md.num)
		md.op = OP_CONTAINS;
	if (val->type == Y_MAP) {
		invalid(w, val, "the value of '%s' is a map", key->s);
		return NULL;
	}
	if (val->type == Y_SCALAR)
		return value_node(s, field, val, &md, chain, nchain, w);
	if (val->n == 0) {
		invalid(w, val, "the value list of '%s' is empty", key->s);
		return NULL;
	}
	struct dnode *d = dn_new(md.all ? D_AND : D_OR);
	for (size_t i = 0; i < val->n; i++) {
		struct dnode *k = value_node(s, field, val->kids[i], &md, chain, nchain, w);
		if (!k) {
			dnode_free(d);
			return NULL;
		}
		dn_add(d, k);
	}
	return d;
}

static struct dnode *map_node(struct canh_sigma *s, const struct ynode *map, struct why *w)
{
	struct dnode *d = dn_new(D_AND);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		struct dnode *k = item_node(s, map->kids[i], map->kids[i + 1], w);
		if (!k) {
			dnode_free(d);
			return NULL;
		}
		dn_add(d, k);
	}
	if (d->n == 0) {
		dnode_free(d);
		invalid(w, map, "empty selection");
		return NULL;
	}
	return d;
}

static struct dnode *keyword_node(struct canh_sigma *s, const struct ynode *v, struct why *w)
{
	struct mods md = {.op = OP_CONTAINS};
	return value_node(s, FIELD_RAW, v, &md, NULL, 0, w);
}

/* A search identifier's definition. */
static struct dnode *search_node(struct canh_sigma *s, const struct ynode *v, struct why *w)
{
	if (v->type == Y_MAP)
		return map_node(s, v, w);
	if (v->type == Y_SCALAR)
		return keyword_node(s, v, w);
	if (v->n == 0) {
		invalid(w, v, "empty search identifier");
		return NULL;
	}
	struct dnode *d = dn_new(D_OR);
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->kids[i];
		struct dnode *c = k->type == Y_MAP	? map_node(s, k, w)
				  : k->type == Y_SCALAR ? keyword_node(s, k, w)
							: NULL;
		if (!c) {
			if (k->type == Y_SEQ)
				invalid(w, k, "a list inside a list of a search identifier");
			dnode_free(d);
			return NULL;
		}
		dn_add(d, c);
	}
	return d;
}

/* ---- conditions ---- */

struct cond_parser {
	const char *p;
	const struct ynode *at;
	char **names;
	struct dnode **defs;
	size_t n;
	struct why *w;
	int depth;
};

static struct dnode *dn_clone(const struct dnode *d)
{
	struct dnode *c = dn_new(d->kind);
	c->m = d->m;
	for (size_t i = 0; i < d->n; i++)
		dn_add(c, dn_clone(d->kids[i]));
	return c;
}

/* Next token into tok; returns its length, 0 at the end. */
static size_t next_tok(struct cond_parser *cp, char *tok, size_t cap)
{
	while (*cp->p == ' ' || *cp->p == '\t' || *cp->p == '\n' || *cp->p == '\r')
		cp->p++;
	if (!*cp->p)
		return 0;
	if (*cp->p == '(' || *cp->p == ')' || *cp->p == '|') {
		tok[0] = *cp->p++;
		tok[1] = '\0';
		return 1;
	}
	size_t n = 0;
	while (*cp->p && !strchr(" \t\r\n()|", *cp->p)) {
		if (n + 1 < cap)
			tok[n++] = *cp->p;
		cp->p++;
	}
	tok[n] = '\0';
	return n ? n : 1;
}

static size_t peek_tok(struct cond_parser *cp, char *tok, size_t cap)
{
	const char *save = cp->p;
	size_t n = next_tok(cp, tok, cap);
	cp->p = save;
	return n;
}

static bool name_glob(const char *pat, const char *name)
{
	size_t n = strlen(pat);
	uint8_t wild[256];
	if (n >= sizeof(wild))
		return strcmp(pat, name) == 0;
	for (size_t i = 0; i < n; i++)
		wild[i] = pat[i] == '*' ? 1 : pat[i] == '?' ? 2 : 0;
	return canh__sigma_glob(pat, wild, n, name, strlen(name));
}

static struct dnode *cond_or(struct cond_parser *cp);

static struct dnode *cond_primary(struct cond_parser *cp)
{
	char tok[256];
	if (++cp->depth > 100) {
		invalid(cp->w, cp->at, "condition nested too deeply");
		return NULL;
	}
	size_t n = next_tok(cp, tok, sizeof(tok));
	if (n == 0) {
		invalid(cp->w, cp->at, "condition ends too early");
		return NULL;
	}
	if (strcmp(tok, "|") == 0) {
		unsupported(cp->w, cp->at, "aggregation in the condition (use a correlation rule)");
		return NULL;
	}
	if (strcmp(tok, "(") == 0) {
		struct dnode *d = cond_or(cp);
		if (!d)
			return NULL;
		next_tok(cp, tok, sizeof(tok));
		if (strcmp(tok, ")") != 0) {
			dnode_free(d);
			invalid(cp->w, cp->at, "')' expected in the condition");
			return NULL;
		}
		return d;
	}
	if (strcmp(tok, "not") == 0) {
		struct dnode *k = cond_primary(cp);
		if (!k)
			return NULL;
		struct dnode *d = dn_new(D_NOT);
		dn_add(d, k);
		return d;
	}
	char tok2[256];
	peek_tok(cp, tok2, sizeof(tok2));
	if (strcmp(tok2, "of") == 0) {
		bool all;
		if (strcmp(tok, "1") == 0 || strcmp(tok, "any") == 0)
			all = false;
		else if (strcmp(tok, "all") == 0)
			all = true;
		else {
			unsupported(cp->w, cp->at, "'%s of' in the condition", tok);
			return NULL;
		}
		next_tok(cp, tok2, sizeof(tok2));
		if (next_tok(cp, tok2, sizeof(tok2)) == 0 || strchr("()|", tok2[0])) {
			invalid(cp->w, cp->at, "a name pattern or 'them' must follow 'of'");
			return NULL;
		}
		bool them = strcmp(tok2, "them") == 0;
		struct dnode *d = dn_new(all ? D_AND : D_OR);
		for (size_t i = 0; i < cp->n; i++) {
			if (them ? cp->names[i][0] != '_' : name_glob(tok2, cp->names[i]))
				dn_add(d, dn_clone(cp->defs[i]));
		}
		if (d->n == 0) {
			dnode_free(d);
			invalid(cp->w, cp->at, "no search identifier matches '%s'", tok2);
			return NULL;
		}
		return d;
	}
	if (strcmp(tok, ")") == 0 || strcmp(tok, "and") == 0 || strcmp(tok, "or") == 0) {
		invalid(cp->w, cp->at, "unexpected '%s' in the condition", tok);
		return NULL;
	}
	for (size_t i = 0; i < cp->n; i++) {
		if (strcmp(cp->names[i], tok) == 0)
			return dn_clone(cp->defs[i]);
	}
	invalid(cp->w, cp->at, "the condition names '%s', which the detection does not define",
		tok);
	return NULL;
}

static struct dnode *cond_and(struct cond_parser *cp)
{
	struct dnode *d = cond_primary(cp);
	char tok[16];
	while (d && peek_tok(cp, tok, sizeof(tok)) && strcmp(tok, "and") == 0) {
		next_tok(cp, tok, sizeof(tok));
		struct dnode *r = cond_primary(cp);
		if (!r) {
			dnode_free(d);
			return NULL;
		}
		if (d->kind != D_AND) {
			struct dnode *a = dn_new(D_AND);
			dn_add(a, d);
			d = a;
		}
		dn_add(d, r);
	}
	return d;
}

static struct dnode *cond_or(struct cond_parser *cp)
{
	struct dnode *d = cond_and(cp);
	char tok[16];
	while (d && peek_tok(cp, tok, sizeof(tok)) && strcmp(tok, "or") == 0) {
		next_tok(cp, tok, sizeof(tok));
		struct dnode *r = cond_and(cp);
		if (!r) {
			dnode_free(d);
			return NULL;
		}
		struct dnode *o = dn_new(D_OR);
		dn_add(o, d);
		dn_add(o, r);
		d = o;
	}
	return d;
}

static struct dnode *parse_condition(const struct ynode *c, char **names, struct dnode **defs,
				     size_t n, struct why *w)
{
	struct cond_parser cp = {c->s, c, names, defs, n, w, 0};
	struct dnode *d = cond_or(&cp);
	char tok[64];
	if (d && next_tok(&cp, tok, sizeof(tok))) {
		dnode_free(d);
		if (strcmp(tok, "|") == 0)
			unsupported(w, c, "aggregation in the condition (use a correlation rule)");
		else
			invalid(w, c, "unexpected '%s' in the condition", tok);
		return NULL;
	}
	return d;
}

static struct dnode *detection(struct canh_sigma *s, const struct ynode *det, struct why *w)
{
	if (!det || det->type != Y_MAP) {
		invalid(w, det, "the rule has no detection map");
		return NULL;
	}
	const struct ynode *cond = canh__ymap_get(det, "condition");
	if (!cond) {
		invalid(w, det, "the detection has no condition");
		return NULL;
	}
	size_t nmax = det->n / 2;
	char **names = canh_xcalloc(nmax + 1, sizeof(*names));
	struct dnode **defs = canh_xcalloc(nmax + 1, sizeof(*defs));
	size_t n = 0;
	struct dnode *res = NULL;
	for (size_t i = 0; i + 1 < det->n; i += 2) {
		const char *k = det->kids[i]->s;
		if (strcmp(k, "condition") == 0 || strcmp(k, "timeframe") == 0)
			continue;
		struct dnode *d = search_node(s, det->kids[i + 1], w);
		if (!d)
			goto out;
		names[n] = det->kids[i]->s;
		defs[n++] = d;
	}
	if (cond->type == Y_SCALAR) {
		res = parse_condition(cond, names, defs, n, w);
	} else if (cond->type == Y_SEQ && cond->n > 0) {
		res = dn_new(D_OR);
		for (size_t i = 0; i < cond->n; i++) {
			struct dnode *c = cond->kids[i]->type == Y_SCALAR
					      ? parse_condition(cond->kids[i], names, defs, n, w)
					      : NULL;
			if (!c) {
				invalid(w, cond->kids[i], "a condition must be a string");
				dnode_free(res);
				res = NULL;
				goto out;
			}
			dn_add(res, c);
		}
	} else {
		invalid(w, cond, "the condition must be a string or a list of strings");
	}
out:
	for (size_t i = 0; i < n; i++)
		dnode_free(defs[i]);
	free(names);
	free(defs);
	return res;
}

/* ---- rules ---- */

static const char *scalar(const struct ynode *map, const char *key)
{
	const struct ynode *v = canh__ymap_get(map, key);
	return v && v->type == Y_SCALAR ? v->s : "";
}

static int lsgroup_of(struct canh_sigma *s, const char *p, const char *sv, const char *c)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		struct lsgroup *g = &s->groups[i];
		if (strcasecmp(g->product, p) == 0 && strcasecmp(g->service, sv) == 0 &&
		    strcasecmp(g->category, c) == 0)
			return (int)i;
	}
	s->groups = canh_xrealloc(s->groups, (s->ngroups + 1) * sizeof(*s->groups));
	struct lsgroup *g = &s->groups[s->ngroups];
	memset(g, 0, sizeof(*g));
	canh_strlcpy(g->product, p, sizeof(g->product));
	canh_strlcpy(g->service, sv, sizeof(g->service));
	canh_strlcpy(g->category, c, sizeof(g->category));
	return (int)s->ngroups++;
}

static int64_t parse_timespan(const char *t)
{
	char *end;
	errno = 0;
	long long v = strtoll(t, &end, 10);
	if (end == t || v <= 0 || errno)
		return -1;
	int64_t mult;
	if (strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else if (strcmp(end, "d") == 0)
		mult = 86400000;
	else if (strcmp(end, "w") == 0)
		mult = 7 * 86400000LL;
	else
		return -1;
	if (v > INT64_MAX / mult / 2)
		return -1;
	return v * mult;
}

static char **str_list(const struct ynode *v, size_t *n)
{
	*n = 0;
	if (!v)
		return NULL;
	if (v->type == Y_SCALAR) {
		char **l = canh_xcalloc(1, sizeof(*l));
		l[0] = canh_xstrdup(v->s);
		*n = 1;
		return l;
	}
	if (v->type != Y_SEQ)
		return NULL;
	char **l = canh_xcalloc(v->n + 1, sizeof(*l));
	for (size_t i = 0; i < v->n; i++) {
		if (v->kids[i]->type != Y_SCALAR) {
			for (size_t j = 0; j < *n; j++)
				free(l[j]);
			free(l);
			*n = 0;
			return NULL;
		}
		l[(*n)++] = canh_xstrdup(v->kids[i]->s);
	}
	return l;
}

static struct corr *correlation(const struct ynode *c, struct why *w)
{
	if (c->type != Y_MAP) {
		invalid(w, c, "'correlation' must be a map");
		return NULL;
	}
	struct corr *k = canh_xcalloc(1, sizeof(*k));
	k->line = c->line;
	k->col = c->col;
	const char *type = scalar(c, "type");
	if (strcmp(type, "event_count") == 0)
		k->type = CANH_SIGMA_CORR_EVENT_COUNT;
	else if (strcmp(type, "value_count") == 0)
		k->type = CANH_SIGMA_CORR_VALUE_COUNT;
	else if (strcmp(type, "temporal") == 0)
		k->type = CANH_SIGMA_CORR_TEMPORAL;
	else if (strcmp(type, "temporal_ordered") == 0)
		k->type = CANH_SIGMA_CORR_TEMPORAL_ORDERED;
	else {
		if (*type)
			unsupported(w, c, "correlation type '%s' is not supported", type);
		else
			invalid(w, c, "the correlation has no type");
		goto bad;
	}
	const struct ynode *rules = canh__ymap_get(c, "rules");
	k->refs = str_list(rules, &k->nrefs);
	if (!k->nrefs) {
		invalid(w, rules ? rules : c, "the correlation references no rules");
		goto bad;
	}
	if (k->type >= CANH_SIGMA_CORR_TEMPORAL && k->nrefs > 32) {
		unsupported(w, rules, "a temporal correlation over more than 32 rules");
		goto bad;
	}
	const struct ynode *gb = canh__ymap_get(c, "group-by");
	k->group_by = str_list(gb, &k->ngroup);
	if (gb && !k->group_by) {
		invalid(w, gb, "'group-by' must be a list of field names");
		goto bad;
	}
	const struct ynode *ts = canh__ymap_get(c, "timespan");
	if (!ts)
		ts = canh__ymap_get(c, "timeframe");
	if (!ts || ts->type != Y_SCALAR || (k->span_ms = parse_timespan(ts->s)) < 0) {
		invalid(w, ts ? ts : c,
			"the correlation needs a timespan such as 5m (s, m, h, d, w)");
		goto bad;
	}
	const struct ynode *cond = canh__ymap_get(c, "condition");
	if (cond && cond->type != Y_MAP) {
		invalid(w, cond, "the correlation condition must be a map");
		goto bad;
	}
	k->op = -1;
	for (size_t i = 0; cond && i + 1 < cond->n; i += 2) {
		const char *op = cond->kids[i]->s;
		const struct ynode *v = cond->kids[i + 1];
		if (strcmp(op, "field") == 0) {
			if (v->type != Y_SCALAR) {
				invalid(w, v, "the condition field must be a field name");
				goto bad;
			}
			free(k->value_name);
			k->value_name = canh_xstrdup(v->s);
			continue;
		}
		int kind = strcmp(op, "gt") == 0    ? MK_GT
			   : strcmp(op, "gte") == 0 ? MK_GTE
			   : strcmp(op, "lt") == 0  ? MK_LT
			   : strcmp(op, "lte") == 0 ? MK_LTE
			   : strcmp(op, "eq") == 0  ? MK_EQ
						    : -1;
		if (kind < 0) {
			invalid(w, cond->kids[i], "unknown condition operator '%s'", op);
			goto bad;
		}
		if (k->op >= 0) {
			unsupported(w, cond->kids[i],
				    "more than one operator in a correlation condition");
			goto bad;
		}
		char *end;
		double d = v->type == Y_SCALAR ? strtod(v->s, &end) : NAN;
		if (v->type != Y_SCALAR || end == v->s || *end || !isfinite(d) || d < 0 ||
		    d > CORR_THRESHOLD_MAX) {
			invalid(w, v, "the condition needs a count from 0 to %d",
				CORR_THRESHOLD_MAX);
			goto bad;
		}
		if (kind == MK_LT || kind == MK_LTE) {
			unsupported(
			    w, cond->kids[i],
			    "'%s' needs the end of each window, which a stream engine does not "
			    "wait for",
			    op);
			goto bad;
		}
		k->op = kind;
		k->threshold = (double)(long long)d;
	}
	if (k->type <= CANH_SIGMA_CORR_VALUE_COUNT && k->op < 0) {
		invalid(w, cond ? cond : c, "the correlation needs a condition such as gte: 10");
		goto bad;
	}
	if (k->type == CANH_SIGMA_CORR_VALUE_COUNT && !k->value_name) {
		invalid(w, cond, "a value_count condition needs 'field'");
		goto bad;
	}
	const struct ynode *al = canh__ymap_get(c, "aliases");
	if (al) {
		if (al->type != Y_MAP) {
			invalid(w, al, "'aliases' must be a map");
			goto bad;
		}
		k->aliases = canh__ynode_clone(al);
	}
	return k;
bad:
	corr_free(k);
	return NULL;
}

static void report_rule(canh_sigma_report_fn fn, void *arg, const char *source, unsigned doc,
			const struct ynode *d, const struct why *w)
{
	if (!fn)
		return;
	struct canh_sigma_report r = {
	    .source = source,
	    .doc = doc,
	    .id = d ? scalar(d, "id") : "",
	    .title = d ? scalar(d, "title") : "",
	    .status = w->status,
	    .line = w->line,
	    .column = w->col,
	    .reason = w->text,
	};
	fn(arg, &r);
}

static void add_rule(struct canh_sigma *s, struct rule *r)
{
	if (s->nrules == s->rules_cap) {
		s->rules_cap = s->rules_cap ? s->rules_cap * 2 : 64;
		s->rules = canh_xrealloc(s->rules, s->rules_cap * sizeof(*s->rules));
	}
	s->rules[s->nrules++] = r;
}

/* One merged document into a rule. */
static int load_doc(struct canh_sigma *s, const char *source, const struct ynode *d, struct why *w)
{
	if (d->type != Y_MAP)
		return invalid(w, d, "a rule must be a YAML map");
	const struct ynode *title = canh__ymap_get(d, "title");
	if (!title || title->type != Y_SCALAR || !title->len)
		return invalid(w, d, "the rule has no title");
	const struct ynode *ls = canh__ymap_get(d, "logsource");
	const struct ynode *c = canh__ymap_get(d, "correlation");
	const struct ynode *det = canh__ymap_get(d, "detection");
	if (ls && ls->type != Y_MAP)
		return invalid(w, ls, "'logsource' must be a map");
	struct rule *r = canh_xcalloc(1, sizeof(*r));
	if (c) {
		r->corr = correlation(c, w);
		if (!r->corr)
			goto bad;
		const struct ynode *g = canh__ymap_get(c, "generate");
		if (!g)
			g = canh__ymap_get(d, "generate");
		bool b;
		if (g && scalar_bool(g, &b))
			r->corr->generate = b;
		r->info.correlation = r->corr->type;
		r->lsgroup = -1;
	} else {
		r->cond = detection(s, det, w);
		if (!r->cond)
			goto bad;
		r->lsgroup = lsgroup_of(s, scalar(ls, "product"), scalar(ls, "service"),
					scalar(ls, "category"));
	}
	const char *vals[11] = {scalar(d, "id"),
				scalar(d, "name"),
				title->s,
				scalar(d, "level"),
				scalar(d, "status"),
				scalar(d, "description"),
				scalar(ls, "product"),
				scalar(ls, "service"),
				scalar(ls, "category"),
				source,
				scalar(d, "title_vi")};
	for (int i = 0; i < 11; i++)
		r->strs[i] = canh_xstrdup(vals[i]);
	r->info.id = r->strs[0];
	r->info.name = r->strs[1];
	r->info.title = r->strs[2];
	r->info.level = r->strs[3];
	r->info.status = r->strs[4];
	r->info.description = r->strs[5];
	r->info.product = r->strs[6];
	r->info.service = r->strs[7];
	r->info.category = r->strs[8];
	r->info.source = r->strs[9];
	r->info.title_vi = r->strs[10];
	add_rule(s, r);
	return 0;
bad:
	rule_free(r);
	return -1;
}

int canh_sigma_load(struct canh_sigma *s, const char *source, const char *yaml, size_t len,
		    canh_sigma_report_fn report, void *arg)
{
	if (s->compiled)
		return CANH_EINVAL;
	struct ystream ys;
	canh__sigma_yaml_parse(yaml, len, &ys);
	int rc = 0;
	struct ynode *global = NULL, *prev = NULL;
	for (size_t i = 0; i < ys.ndocs; i++) {
		const struct ynode *d = ys.docs[i];
		const char *action = scalar(d, "action");
		struct why w = {CANH_SIGMA_LOADED, 0, 0, ""};
		if (strcmp(action, "global") == 0) {
			struct ynode *g = canh__ynode_merge(global, d);
			canh__ynode_free(global);
			global = g;
			continue;
		}
		if (strcmp(action, "reset") == 0) {
			canh__ynode_free(global);
			global = NULL;
			continue;
		}
		struct ynode *merged;
		if (strcmp(action, "repeat") == 0) {
			if (!prev) {
				invalid(&w, d, "'action: repeat' without a rule before it");
				report_rule(report, arg, source, (unsigned)i + 1, d, &w);
				rc = CANH_EPARSE;
				continue;
			}
			merged = canh__ynode_merge(prev, d);
		} else if (*action) {
			invalid(&w, canh__ymap_get(d, "action"), "unknown action '%s'", action);
			report_rule(report, arg, source, (unsigned)i + 1, d, &w);
			rc = CANH_EPARSE;
			continue;
		} else {
			merged = canh__ynode_merge(global, d);
		}
		load_doc(s, source, merged, &w);
		report_rule(report, arg, source, (unsigned)i + 1, merged, &w);
		if (w.status == CANH_SIGMA_ERROR)
			rc = CANH_EPARSE;
		canh__ynode_free(prev);
		prev = merged;
	}
	if (ys.error) {
		struct why w = {CANH_SIGMA_ERROR, ys.err_line, ys.err_col, ""};
		canh_strlcpy(w.text, ys.err_text, sizeof(w.text));
		report_rule(report, arg, source, (unsigned)ys.ndocs + 1, NULL, &w);
		rc = CANH_EPARSE;
	}
	canh__ynode_free(global);
	canh__ynode_free(prev);
	canh__sigma_yaml_release(&ys);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_rule_file(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int load_file(struct canh_sigma *s, const char *path, canh_sigma_report_fn report, void *arg)
{
	char *data;
	size_t len;
	struct canh_errmsg em = {{0}};
	int rc = canh_file_read(path, CANH_SIGMA_FILE_MAX, &data, &len, &em);
	if (rc < 0) {
		struct why w = {CANH_SIGMA_ERROR, 0, 0, ""};
		canh_strlcpy(w.text, em.text[0] ? em.text : canh_strerror(rc), sizeof(w.text));
		report_rule(report, arg, path, 0, NULL, &w);
		return CANH_EPARSE;
	}
	rc = canh_sigma_load(s, path, data, len, report, arg);
	free(data);
	return rc;
}

static int load_dir(struct canh_sigma *s, const char *dir, canh_sigma_report_fn report, void *arg,
		    int depth)
{
	if (depth > 16)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = canh_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = canh_xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *p = canh_path_join(dir, names[i]);
		struct stat st;
		if (lstat(p, &st) == 0) {
			int r = 0;
			if (S_ISDIR(st.st_mode))
				r = load_dir(s, p, report, arg, depth + 1);
			else if (S_ISREG(st.st_mode) && is_rule_file(names[i]))
				r = load_file(s, p, report, arg);
			if (r < 0)
				rc = r;
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

int canh_sigma_load_path(struct canh_sigma *s, const char *path, canh_sigma_report_fn report,
			 void *arg, struct canh_errmsg *em)
{
	struct stat st;
	if (s->compiled)
		return canh_errmsg_set(em, CANH_EINVAL, "rules are already compiled");
	if (stat(path, &st) < 0)
		return canh_errmsg_set(em, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				       "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return load_dir(s, path, report, arg, 0);
	return load_file(s, path, report, arg);
}

/* ---- compile ---- */

static int find_rule(struct canh_sigma *s, const char *ref)
{
	for (size_t i = 0; i < s->nrules; i++) {
		const struct rule *r = s->rules[i];
		if ((r->info.id[0] && strcmp(r->info.id, ref) == 0) ||
		    (r->info.name[0] && strcmp(r->info.name, ref) == 0))
			return (int)i;
	}
	return -1;
}

/* The field a correlation name stands for in rule `ref` (aliases applied). */
static int corr_field(const struct corr *c, const char *name, const struct rule *ref)
{
	const struct ynode *a = canh__ymap_get(c->aliases, name);
	if (a && a->type == Y_MAP) {
		const struct ynode *f = NULL;
		if (ref->info.name[0])
			f = canh__ymap_get(a, ref->info.name);
		if (!f && ref->info.id[0])
			f = canh__ymap_get(a, ref->info.id);
		if (f && f->type == Y_SCALAR)
			return canh_field_id(f->s);
	}
	return canh_field_id(name);
}

int canh_sigma_compile(struct canh_sigma *s, canh_sigma_report_fn report, void *arg,
		       struct canh_errmsg *em)
{
	if (s->compiled)
		return 0;
	/* Resolve correlations; drop the ones that cannot be. */
	bool *drop = canh_xcalloc(s->nrules + 1, sizeof(*drop));
	for (size_t i = 0; i < s->nrules; i++) {
		struct rule *r = s->rules[i];
		struct why w = {CANH_SIGMA_LOADED, 0, 0, ""};
		if (r->corr) {
			struct corr *c = r->corr;
			c->ref_rule = canh_xcalloc(c->nrefs, sizeof(int));
			for (size_t k = 0; k < c->nrefs && w.status == CANH_SIGMA_LOADED; k++) {
				int ri = find_rule(s, c->refs[k]);
				if (ri < 0)
					fail(&w, CANH_SIGMA_ERROR, NULL,
					     "the correlation references '%s', which is not loaded",
					     c->refs[k]);
				else if (s->rules[ri]->corr)
					fail(&w, CANH_SIGMA_SKIPPED, NULL,
					     "chained correlations ('%s' is a correlation)",
					     c->refs[k]);
				c->ref_rule[k] = ri;
			}
			if (w.status != CANH_SIGMA_LOADED) {
				w.line = c->line;
				w.col = c->col;
			}
			if (report) {
				struct canh_sigma_report rep = {
				    r->info.source, r->doc, r->info.id, r->info.title,
				    w.status,	    w.line, w.col,	w.text};
				report(arg, &rep);
			}
			drop[i] = w.status != CANH_SIGMA_LOADED;
		}
	}
	/* Free only now: find_rule above looks at every rule. */
	size_t keep = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		if (drop[i])
			rule_free(s->rules[i]);
		else
			s->rules[keep++] = s->rules[i];
	}
	free(drop);
	s->nrules = keep;
	for (size_t i = 0; i < s->nrules; i++) {
		struct rule *r = s->rules[i];
		struct corr *c = r->corr;
		if (!c)
			continue;
		/* Indices moved while dropping: resolve again. */
		for (size_t k = 0; k < c->nrefs; k++)
			c->ref_rule[k] = find_rule(s, c->refs[k]);
		c->gfield = canh_xcalloc(c->nrefs * (c->ngroup ? c->ngroup : 1), sizeof(int));
		c->vfield = canh_xcalloc(c->nrefs, sizeof(int));
		for (size_t k = 0; k < c->nrefs; k++) {
			struct rule *b = s->rules[c->ref_rule[k]];
			for (size_t g = 0; g < c->ngroup; g++)
				c->gfield[k * c->ngroup + g] = corr_field(c, c->group_by[g], b);
			c->vfield[k] = c->value_name ? corr_field(c, c->value_name, b) : -1;
			/* Silent unless some correlation over it asks for its alerts too. */
			b->silent = true;
			if (c->generate)
				b->generate = true;
			bool dup = false;
			for (size_t j = 0; j < b->ncorrs; j++)
				dup |= b->corrs[j] == (int)i;
			if (!dup) {
				b->corrs = canh_xrealloc(b->corrs, (b->ncorrs + 1) * sizeof(int));
				b->corrs[b->ncorrs++] = (int)i;
			}
		}
	}
	for (size_t i = 0; i < s->nrules; i++) {
		if (s->rules[i]->generate)
			s->rules[i]->silent = false;
	}
	int rc = canh__sigma_prefilter_build(s, em);
	if (rc < 0)
		return rc;
	s->cand = canh_xcalloc(s->nrules + 1, sizeof(*s->cand));
	s->tried = canh_xcalloc(s->nrules + 1, sizeof(*s->tried));
	s->low_stamp = canh_xcalloc(CANH_FIELD_MAX, sizeof(*s->low_stamp));
	s->low_off = canh_xcalloc(CANH_FIELD_MAX, sizeof(*s->low_off));
	s->low = canh_xmalloc(CANH_EVENT_BUF_MAX);
	s->md = pcre2_match_data_create(1, NULL);
	canh__sigma_corr_init(s);
	s->compiled = true;
	return 0;
}

size_t canh_sigma_rule_count(const struct canh_sigma *s)
{
	return s->nrules;
}

const struct canh_sigma_rule_info *canh_sigma_rule(const struct canh_sigma *s, size_t i)
{
	return i < s->nrules ? &s->rules[i]->info : NULL;
}
