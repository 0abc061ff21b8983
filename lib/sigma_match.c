/*
 * Sigma matching: field matchers with a per-event cache, the Hyperscan
 * literal prefilter, rule evaluation and alerts.
 */
#include <hs/hs.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "canh/mem.h"
#include "sigma_internal.h"

static unsigned char lower_tab[256];
static void init_lower(void)
{
	for (int i = 0; i < 256; i++)
		lower_tab[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
}

static void lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)lower_tab[(unsigned char)src[i]];
}

bool canh__sigma_glob(const char *pat, const uint8_t *wild, size_t plen, const char *s, size_t n)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
	while (i < n) {
		if (p < plen && wild[p] == 1) {
			star_p = p++;
			star_i = i;
		} else if (p < plen && wild[p] == 2) {
			/* '?' is one character: a UTF-8 lead byte and its continuations. */
			i++;
			while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
				i++;
			p++;
		} else if (p < plen && pat[p] == s[i]) {
			p++;
			i++;
		} else if (star_p != (size_t)-1) {
			p = star_p + 1;
			i = ++star_i;
		} else {
			return false;
		}
	}
	while (p < plen && wild[p] == 1)
		p++;
	return p == plen;
}

/* The value of a field for a matcher, lowered when the matcher is not cased. */
static const char *value_of(struct canh_sigma *s, const struct canh_event *ev, int field,
			    bool lowered, size_t *len)
{
	const char *v;
	if (field == FIELD_RAW) {
		if (!ev->raw)
			return NULL;
		*len = ev->raw_len;
		if (!lowered)
			return ev->raw;
		if (s->lowraw_stamp != s->gen) {
			if (s->lowraw_cap < ev->raw_len + 1) {
				free(s->lowraw);
				s->lowraw_cap = ev->raw_len + 1 > 4096 ? ev->raw_len + 1 : 4096;
				s->lowraw = canh_xmalloc(s->lowraw_cap);
			}
			lower_copy(s->lowraw, ev->raw, ev->raw_len);
			s->lowraw[ev->raw_len] = '\0';
			s->lowraw_stamp = s->gen;
		}
		return s->lowraw;
	}
	v = canh_event_get(ev, field, len);
	if (!v || !lowered)
		return v;
	if (s->low_stamp[field] != s->gen) {
		if (CANH_EVENT_BUF_MAX - s->low_used < *len + 1)
			return NULL;
		s->low_off[field] = (uint32_t)s->low_used;
		lower_copy(s->low + s->low_used, v, *len);
		s->low[s->low_used + *len] = '\0';
		s->low_used += *len + 1;
		s->low_stamp[field] = s->gen;
	}
	return s->low + s->low_off[field];
}

static bool str_op(int op, const char *p, size_t plen, const char *v, size_t n)
{
	switch (op) {
	case MK_EQ:
		return n == plen && memcmp(v, p, n) == 0;
	case MK_STARTS:
		return n >= plen && memcmp(v, p, plen) == 0;
	case MK_ENDS:
		return n >= plen && memcmp(v + n - plen, p, plen) == 0;
	case MK_CONTAINS:
		return plen == 0 || memmem(v, n, p, plen) != NULL;
	default:
		return false;
	}
}

static bool matcher_run(struct canh_sigma *s, const struct matcher *m, const struct canh_event *ev)
{
	size_t n;
	const char *v;
	switch (m->kind) {
	case MK_EXISTS:
		v = m->field == FIELD_RAW ? ev->raw : canh_event_get(ev, m->field, &n);
		return (v != NULL) == (m->want != 0);
	case MK_NULL:
		v = canh_event_get(ev, m->field, &n);
		return !v || n == 0;
	case MK_RE: {
		v = value_of(s, ev, m->field, false, &n);
		if (!v)
			return false;
		int rc = pcre2_match(m->re, (PCRE2_SPTR)v, n, 0, 0, s->md, NULL);
		return rc >= 0;
	}
	case MK_CIDR: {
		v = value_of(s, ev, m->field, false, &n);
		struct canh_ipaddr a;
		char tmp[64];
		if (!v || n == 0 || n >= sizeof(tmp))
			return false;
		memcpy(tmp, v, n);
		tmp[n] = '\0';
		return canh_ip_parse(tmp, &a) == 0 && canh_cidr_contains(&m->cidr, &a);
	}
	case MK_LT:
	case MK_LTE:
	case MK_GT:
	case MK_GTE: {
		double d;
		if (m->field == FIELD_RAW || canh_event_get_num(ev, m->field, &d) < 0)
			return false;
		return m->kind == MK_LT	   ? d < m->num
		       : m->kind == MK_LTE ? d <= m->num
		       : m->kind == MK_GT  ? d > m->num
					   : d >= m->num;
	}
	case MK_FIELDREF: {
		size_t rn;
		v = value_of(s, ev, m->field, !m->cased, &n);
		if (!v)
			return false;
		const char *r = value_of(s, ev, m->ref_field, !m->cased, &rn);
		return r && str_op(m->ref_op, r, rn, v, n);
	}
	case MK_GLOB:
		v = value_of(s, ev, m->field, !m->cased, &n);
		return v && canh__sigma_glob(m->pat, m->wild, m->plen, v, n);
	default:
		v = value_of(s, ev, m->field, !m->cased, &n);
		return v && str_op(m->kind, m->pat, m->plen, v, n);
	}
}

bool canh__sigma_eval_node(struct canh_sigma *s, const struct dnode *d, const struct canh_event *ev)
{
	switch (d->kind) {
	case D_MATCH: {
		struct matcher *m = s->m[d->m];
		if (m->stamp != s->gen) {
			m->result = matcher_run(s, m, ev);
			m->stamp = s->gen;
		}
		return m->result;
	}
	case D_AND:
		for (size_t i = 0; i < d->n; i++) {
			if (!canh__sigma_eval_node(s, d->kids[i], ev))
				return false;
		}
		return true;
	case D_OR:
		for (size_t i = 0; i < d->n; i++) {
			if (canh__sigma_eval_node(s, d->kids[i], ev))
				return true;
		}
		return false;
	case D_NOT:
		return !canh__sigma_eval_node(s, d->kids[0], ev);
	case D_TRUE:
		return true;
	default:
		return false;
	}
}

/* ---- prefilter ---- */

/*
 * The literals one of which must occur in an event for node d to be true:
 * appends matcher indices to *out and returns true, or returns false when no
 * such set exists (the node can be true without any literal).
 */
struct mlist {
	uint32_t *v;
	size_t n, cap;
};

static void ml_push(struct mlist *l, uint32_t m)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = canh_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = m;
}

static size_t ml_minlen(struct canh_sigma *s, const struct mlist *l)
{
	size_t best = (size_t)-1;
	for (size_t i = 0; i < l->n; i++) {
		if (s->m[l->v[i]]->litlen < best)
			best = s->m[l->v[i]]->litlen;
	}
	return best;
}

static bool need(struct canh_sigma *s, const struct dnode *d, struct mlist *out)
{
	switch (d->kind) {
	case D_MATCH: {
		struct matcher *m = s->m[d->m];
		if (!m->lit)
			return false;
		ml_push(out, d->m);
		return true;
	}
	case D_OR: {
		size_t start = out->n;
		for (size_t i = 0; i < d->n; i++) {
			if (!need(s, d->kids[i], out)) {
				out->n = start;
				return false;
			}
		}
		return d->n > 0;
	}
	case D_AND: {
		struct mlist best = {0};
		bool have = false;
		size_t bestlen = 0;
		for (size_t i = 0; i < d->n; i++) {
			struct mlist t = {0};
			if (need(s, d->kids[i], &t)) {
				size_t ml = ml_minlen(s, &t);
				if (!have || ml > bestlen || (ml == bestlen && t.n < best.n)) {
					free(best.v);
					best = t;
					bestlen = ml;
					have = true;
					continue;
				}
			}
			free(t.v);
		}
		for (size_t i = 0; have && i < best.n; i++)
			ml_push(out, best.v[i]);
		free(best.v);
		return have;
	}
	default:
		return false;
	}
}

struct litent {
	char *s;
	size_t len;
	int *rules;
	size_t n;
};

int canh__sigma_prefilter_build(struct canh_sigma *s, struct canh_errmsg *em)
{
	init_lower();
	struct litent *lits = NULL;
	size_t nl = 0, capl = 0;
	int *always = canh_xcalloc(s->nrules + 1, sizeof(int));
	size_t na = 0;
	/* Small open-addressing table from lowered literal to its index. */
	size_t hsize = 1024;
	while (hsize < s->nm * 4)
		hsize *= 2;
	uint32_t *h = canh_xcalloc(hsize, sizeof(*h));
	for (size_t ri = 0; ri < s->nrules; ri++) {
		struct rule *r = s->rules[ri];
		if (r->corr)
			continue;
		struct mlist l = {0};
		if (!need(s, r->cond, &l)) {
			always[na++] = (int)ri;
			free(l.v);
			continue;
		}
		for (size_t i = 0; i < l.n; i++) {
			const struct matcher *m = s->m[l.v[i]];
			char *low = canh_xmalloc(m->litlen + 1);
			lower_copy(low, m->lit, m->litlen);
			low[m->litlen] = '\0';
			uint32_t hv = 2166136261u;
			for (size_t k = 0; k < m->litlen; k++)
				hv = (hv ^ (unsigned char)low[k]) * 16777619u;
			size_t slot = hv & (hsize - 1);
			while (h[slot] && !(lits[h[slot] - 1].len == m->litlen &&
					    memcmp(lits[h[slot] - 1].s, low, m->litlen) == 0))
				slot = (slot + 1) & (hsize - 1);
			struct litent *e;
			if (h[slot]) {
				e = &lits[h[slot] - 1];
				free(low);
			} else {
				if (nl == capl) {
					capl = capl ? capl * 2 : 64;
					lits = canh_xrealloc(lits, capl * sizeof(*lits));
				}
				e = &lits[nl++];
				e->s = low;
				e->len = m->litlen;
				e->rules = NULL;
				e->n = 0;
				h[slot] = (uint32_t)nl;
				if (nl * 2 > hsize) {
					/* Rebuild larger. */
					free(h);
					hsize *= 2;
					h = canh_xcalloc(hsize, sizeof(*h));
					for (size_t q = 0; q < nl; q++) {
						uint32_t hq = 2166136261u;
						for (size_t k = 0; k < lits[q].len; k++)
							hq = (hq ^ (unsigned char)lits[q].s[k]) *
							     16777619u;
						size_t sq = hq & (hsize - 1);
						while (h[sq])
							sq = (sq + 1) & (hsize - 1);
						h[sq] = (uint32_t)q + 1;
					}
				}
			}
			if (e->n == 0 || e->rules[e->n - 1] != (int)ri) {
				e->rules = canh_xrealloc(e->rules, (e->n + 2) * sizeof(int));
				e->rules[e->n++] = (int)ri;
				e->rules[e->n] = -1;
			}
		}
		free(l.v);
	}
	free(h);
	always[na] = -1;
	s->always = always;
	s->nlits = nl;
	s->lit_rules = canh_xcalloc(nl + 1, sizeof(*s->lit_rules));
	int rc = 0;
	if (nl) {
		const char **exprs = canh_xcalloc(nl, sizeof(*exprs));
		unsigned *flags = canh_xcalloc(nl, sizeof(*flags));
		unsigned *ids = canh_xcalloc(nl, sizeof(*ids));
		size_t *lens = canh_xcalloc(nl, sizeof(*lens));
		for (size_t i = 0; i < nl; i++) {
			exprs[i] = lits[i].s;
			lens[i] = lits[i].len;
			flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
			ids[i] = (unsigned)i;
		}
		hs_database_t *db = NULL;
		hs_compile_error_t *cerr = NULL;
		if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)nl, HS_MODE_BLOCK, NULL,
					 &db, &cerr) != HS_SUCCESS) {
			rc = canh_errmsg_set(em, CANH_EINTERNAL,
					     "cannot build the literal prefilter: %s",
					     cerr && cerr->message ? cerr->message : "hyperscan");
			hs_free_compile_error(cerr);
		} else {
			hs_scratch_t *scr = NULL;
			if (hs_alloc_scratch(db, &scr) != HS_SUCCESS) {
				hs_free_database(db);
				rc = canh_errmsg_set(em, CANH_ENOMEM,
						     "cannot allocate prefilter scratch");
			} else {
				s->hsdb = db;
				s->hsscratch = scr;
			}
		}
		free(exprs);
		free(flags);
		free(ids);
		free(lens);
	}
	for (size_t i = 0; i < nl; i++) {
		s->lit_rules[i] = lits[i].rules;
		free(lits[i].s);
	}
	free(lits);
	return rc;
}

void canh__sigma_prefilter_free(struct canh_sigma *s)
{
	if (s->hsscratch)
		hs_free_scratch(s->hsscratch);
	if (s->hsdb)
		hs_free_database(s->hsdb);
	for (size_t i = 0; s->lit_rules && i < s->nlits; i++)
		free(s->lit_rules[i]);
	free(s->lit_rules);
	free(s->always);
	s->hsdb = s->hsscratch = NULL;
	s->lit_rules = NULL;
	s->always = NULL;
}

static bool lsgroup_ok(struct canh_sigma *s, int gi, const struct canh_event *ev)
{
	struct lsgroup *g = &s->groups[gi];
	if (g->stamp != s->gen) {
		g->ok = (!g->product[0] || strcasecmp(g->product, ev->product) == 0) &&
			(!g->service[0] || canh_event_has_service(ev, g->service)) &&
			(!g->category[0] || strcasecmp(g->category, ev->category) == 0);
		g->stamp = s->gen;
	}
	return g->ok;
}

static void mark(struct canh_sigma *s, int ri)
{
	struct rule *r = s->rules[ri];
	if (r->stamp == s->gen)
		return;
	r->stamp = s->gen;
	/* Rules for other logsources are not candidates (nor sorted, nor tried). */
	if (!lsgroup_ok(s, r->lsgroup, s->cur_ev))
		return;
	s->cand[s->ncand++] = ri;
}

static int on_lit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		  void *ctx)
{
	struct canh_sigma *s = ctx;
	for (const int *r = s->lit_rules[id]; *r >= 0; r++)
		mark(s, *r);
	return 0;
}

void canh__sigma_prefilter_scan(struct canh_sigma *s, const struct canh_event *ev)
{
	s->ncand = 0;
	for (const int *r = s->always; *r >= 0; r++)
		mark(s, *r);
	if (!s->hsdb)
		return;
	if (ev->used)
		hs_scan(s->hsdb, ev->buf, (unsigned)ev->used, 0, s->hsscratch, on_lit, s);
	if (ev->raw_len && ev->raw_len < UINT32_MAX)
		hs_scan(s->hsdb, ev->raw, (unsigned)ev->raw_len, 0, s->hsscratch, on_lit, s);
}

/* ---- evaluation ---- */

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int canh_sigma_eval(struct canh_sigma *s, const struct canh_event *ev, canh_sigma_alert_fn alert,
		    void *arg)
{
	if (!s->compiled)
		return 0;
	if (++s->gen == 0) {
		/* Stamps wrapped: clear them so none looks current. */
		for (size_t i = 0; i < s->nm; i++)
			s->m[i]->stamp = 0;
		for (size_t i = 0; i < s->nrules; i++)
			s->rules[i]->stamp = 0;
		for (size_t i = 0; i < s->ngroups; i++)
			s->groups[i].stamp = 0;
		memset(s->low_stamp, 0, CANH_FIELD_MAX * sizeof(*s->low_stamp));
		s->lowraw_stamp = 0;
		s->gen = 1;
	}
	s->low_used = 0;
	s->st.events++;
	s->alert_fn = alert;
	s->alert_arg = arg;
	s->cur_ev = ev;
	canh__sigma_prefilter_scan(s, ev);
	if (s->ncand > 1)
		qsort(s->cand, s->ncand, sizeof(*s->cand), int_cmp);
	s->ntried = 0;
	uint64_t before = s->st.alerts;
	for (size_t i = 0; i < s->ncand; i++) {
		struct rule *r = s->rules[s->cand[i]];
		if (!lsgroup_ok(s, r->lsgroup, ev))
			continue;
		s->tried[s->ntried++] = &r->info;
		s->st.rules_tried++;
		if (!canh__sigma_eval_node(s, r->cond, ev))
			continue;
		if (!r->silent) {
			struct canh_sigma_alert a = {.rule = &r->info, .event = ev, .group = ""};
			s->st.alerts++;
			if (alert)
				alert(arg, &a);
		}
		for (size_t k = 0; k < r->ncorrs; k++)
			canh__sigma_corr_feed(s, r->corrs[k], s->cand[i], ev);
	}
	return (int)(s->st.alerts - before);
}

size_t canh_sigma_tried(const struct canh_sigma *s, const struct canh_sigma_rule_info *const **out)
{
	*out = s->tried;
	return s->ntried;
}

void canh_sigma_get_stats(const struct canh_sigma *s, struct canh_sigma_stats *st)
{
	*st = s->st;
}

static const char *corr_type_name(int t)
{
	switch (t) {
	case CANH_SIGMA_CORR_EVENT_COUNT:
		return "event_count";
	case CANH_SIGMA_CORR_VALUE_COUNT:
		return "value_count";
	case CANH_SIGMA_CORR_TEMPORAL:
		return "temporal";
	default:
		return "temporal_ordered";
	}
}

static json_t *jstr(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (!j) {
		/* Not UTF-8: keep it readable, byte by byte as Latin-1 would be wrong; escape. */
		char *t = canh_xmalloc(n * 4 + 1);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x80 && c) {
				t[k++] = (char)c;
			} else {
				snprintf(t + k, 5, "\\x%02x", c);
				k += 4;
			}
		}
		j = json_stringn(t, k);
		free(t);
	}
	return j;
}

json_t *canh_sigma_alert_json(const struct canh_sigma_alert *a)
{
	json_t *o = json_object();
	json_t *r = json_object();
	const struct canh_sigma_rule_info *ri = a->rule;
	json_object_set_new(r, "id", jstr(ri->id, strlen(ri->id)));
	if (ri->name[0])
		json_object_set_new(r, "name", jstr(ri->name, strlen(ri->name)));
	json_object_set_new(r, "title", jstr(ri->title, strlen(ri->title)));
	if (ri->title_vi[0])
		json_object_set_new(r, "title_vi", jstr(ri->title_vi, strlen(ri->title_vi)));
	json_object_set_new(r, "level", jstr(ri->level, strlen(ri->level)));
	json_object_set_new(r, "source", jstr(ri->source, strlen(ri->source)));
	json_object_set_new(o, "rule", r);
	if (a->event)
		json_object_set_new(o, "event", canh_event_json(a->event));
	if (ri->correlation) {
		json_t *c = json_object();
		json_object_set_new(c, "type", json_string(corr_type_name(ri->correlation)));
		json_object_set_new(c, "group", jstr(a->group, strlen(a->group)));
		json_object_set_new(c, "value", json_integer((json_int_t)a->value));
		json_t *evs = json_array();
		for (size_t i = 0; i < a->ncontrib; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "time", json_integer(a->contrib[i].time_ms));
			json_object_set_new(
			    e, "rule", jstr(a->contrib[i].rule_id, strlen(a->contrib[i].rule_id)));
			json_object_set_new(e, "raw",
					    jstr(a->contrib[i].raw, a->contrib[i].raw_len));
			json_array_append_new(evs, e);
		}
		json_object_set_new(c, "events", evs);
		json_object_set_new(o, "correlation", c);
	}
	return o;
}
