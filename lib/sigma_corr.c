/*
 * Sigma correlation rules over sliding windows in bounded memory.
 *
 * State lives in groups keyed by (correlation, group-by values), in a hash
 * table with an LRU list. A group is dropped when its last event is older
 * than its correlation's timespan (seen from the LRU tail as events arrive),
 * or, when the table holds opts.corr_groups_max groups, the least recently
 * used one goes (stats.corr_evicted_cap). After a correlation fires, its
 * group starts afresh, so one burst raises one alert per threshold reached.
 *
 * Time is the event's time_ms; an event "within the timespan" of another is at
 * most timespan ms from it (both ends included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/mem.h"
#include "sigma_internal.h"

#define RAW_KEEP 512
#define TEMPORAL_RING 8
#define KEY_MAX 4096

struct cgroup {
	struct cgroup *hnext, *prev, *next;
	uint32_t corr;
	uint64_t hash;
	char *key;
	size_t keylen;
	int64_t last;
	/* event_count: timestamps ring; value_count: (hash, time) of distinct values */
	int64_t *ts;
	uint64_t *vh;
	uint32_t cap, n, head;
	/* temporal: TEMPORAL_RING timestamps per referenced rule */
	int64_t *rt;
	uint8_t *rn;
	/* contributing events ring */
	struct canh_sigma_contrib *ev;
	char *raws;
	char **ev_rule;
	uint32_t evn, evhead;
};

static uint64_t hash64(uint32_t corr, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ corr;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
}

static void group_free(struct cgroup *g)
{
	free(g->key);
	free(g->ts);
	free(g->vh);
	free(g->rt);
	free(g->rn);
	free(g->ev);
	free(g->raws);
	free(g->ev_rule);
	free(g);
}

static void lru_unlink(struct canh_sigma *s, struct cgroup *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		s->lru_head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		s->lru_tail = g->prev;
	g->prev = g->next = NULL;
}

static void lru_front(struct canh_sigma *s, struct cgroup *g)
{
	g->next = s->lru_head;
	g->prev = NULL;
	if (s->lru_head)
		s->lru_head->prev = g;
	s->lru_head = g;
	if (!s->lru_tail)
		s->lru_tail = g;
}

static void group_drop(struct canh_sigma *s, struct cgroup *g)
{
	struct cgroup **pp = &s->ctab[g->hash & (s->ctab_size - 1)];
	while (*pp && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = g->hnext;
	lru_unlink(s, g);
	group_free(g);
	s->st.corr_groups--;
}

void canh__sigma_corr_free(struct canh_sigma *s)
{
	struct cgroup *g = s->lru_head;
	while (g) {
		struct cgroup *n = g->next;
		group_free(g);
		g = n;
	}
	s->lru_head = s->lru_tail = NULL;
	free(s->ctab);
	free(s->contrib_tmp);
	free(s->keybuf);
	s->ctab = NULL;
}

static void group_reset(struct cgroup *g, size_t nrefs)
{
	g->n = g->head = 0;
	g->evn = g->evhead = 0;
	if (g->rn)
		memset(g->rn, 0, nrefs);
}

static struct cgroup *group_get(struct canh_sigma *s, uint32_t ci, const struct corr *c,
				const char *key, size_t keylen, int64_t now)
{
	uint64_t h = hash64(ci, key, keylen);
	struct cgroup **slot = &s->ctab[h & (s->ctab_size - 1)];
	for (struct cgroup *g = *slot; g; g = g->hnext) {
		if (g->hash == h && g->corr == ci && g->keylen == keylen &&
		    memcmp(g->key, key, keylen) == 0) {
			lru_unlink(s, g);
			lru_front(s, g);
			return g;
		}
	}
	if (s->st.corr_groups >= s->opts.corr_groups_max && s->lru_tail) {
		group_drop(s, s->lru_tail);
		s->st.corr_evicted_cap++;
	}
	struct cgroup *g = canh_xcalloc(1, sizeof(*g));
	g->corr = ci;
	g->hash = h;
	g->key = canh_xstrndup(key, keylen);
	g->keylen = keylen;
	g->last = now;
	if (c->type == CANH_SIGMA_CORR_EVENT_COUNT || c->type == CANH_SIGMA_CORR_VALUE_COUNT) {
		g->cap = (uint32_t)c->threshold + 1;
		g->ts = canh_xcalloc(g->cap, sizeof(*g->ts));
		if (c->type == CANH_SIGMA_CORR_VALUE_COUNT)
			g->vh = canh_xcalloc(g->cap, sizeof(*g->vh));
	} else {
		g->rt = canh_xcalloc(c->nrefs * TEMPORAL_RING, sizeof(*g->rt));
		g->rn = canh_xcalloc(c->nrefs, 1);
	}
	size_t ne = s->opts.corr_events_max;
	g->ev = canh_xcalloc(ne, sizeof(*g->ev));
	g->raws = canh_xmalloc(ne * RAW_KEEP);
	g->ev_rule = canh_xcalloc(ne, sizeof(*g->ev_rule));
	g->hnext = *slot;
	*slot = g;
	lru_front(s, g);
	s->st.corr_groups++;
	return g;
}

static bool within(int64_t a, int64_t b, int64_t span)
{
	int64_t d = a > b ? a - b : b - a;
	return d <= span;
}

/* Whether the rings hold rules 0..n-1 in order within span. */
static bool ordered_ok(const struct cgroup *g, size_t nrefs, int64_t span)
{
	const int64_t *last = g->rt + (nrefs - 1) * TEMPORAL_RING;
	for (uint8_t j = 0; j < g->rn[nrefs - 1]; j++) {
		int64_t end = last[j], hi = end;
		bool ok = true;
		for (size_t i = nrefs - 1; i-- > 0 && ok;) {
			const int64_t *r = g->rt + i * TEMPORAL_RING;
			int64_t best = INT64_MIN;
			for (uint8_t k = 0; k < g->rn[i]; k++) {
				if (r[k] <= hi && r[k] > best)
					best = r[k];
			}
			if (best == INT64_MIN || end - best > span)
				ok = false;
			hi = best;
		}
		if (ok)
			return true;
	}
	return false;
}

static void keep_event(struct canh_sigma *s, struct cgroup *g, const struct rule *base,
		       const struct canh_event *ev, int64_t now)
{
	size_t ne = s->opts.corr_events_max;
	uint32_t at = (g->evhead + g->evn) % (uint32_t)ne;
	if (g->evn == ne)
		g->evhead = (g->evhead + 1) % (uint32_t)ne;
	else
		g->evn++;
	size_t n = ev->raw_len < RAW_KEEP ? ev->raw_len : RAW_KEEP;
	if (n)
		memcpy(g->raws + (size_t)at * RAW_KEEP, ev->raw, n);
	g->ev[at].time_ms = now;
	g->ev[at].raw = g->raws + (size_t)at * RAW_KEEP;
	g->ev[at].raw_len = n;
	g->ev[at].rule_id = base->info.id[0] ? base->info.id : base->info.title;
}

void canh__sigma_corr_feed(struct canh_sigma *s, int corr_rule, int base_rule,
			   const struct canh_event *ev)
{
	struct rule *cr = s->rules[corr_rule];
	const struct rule *br = s->rules[base_rule];
	const struct corr *c = cr->corr;
	int64_t now = ev->time_ms;
	if (!now) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	/* Time eviction from the LRU tail. */
	while (s->lru_tail) {
		struct cgroup *t = s->lru_tail;
		int64_t span = s->rules[t->corr]->corr->span_ms;
		if (now - t->last <= span)
			break;
		group_drop(s, t);
		s->st.corr_evicted_time++;
	}
	size_t ref = 0;
	while (ref < c->nrefs && c->ref_rule[ref] != base_rule)
		ref++;
	if (ref == c->nrefs)
		return;
	/* Group key: "Field=value, ..." in group-by order. */
	if (!s->keybuf)
		s->keybuf = canh_xmalloc(KEY_MAX);
	size_t kl = 0;
	for (size_t g = 0; g < c->ngroup; g++) {
		size_t vl = 0;
		const char *v = canh_event_get(ev, c->gfield[ref * c->ngroup + g], &vl);
		int w = snprintf(s->keybuf + kl, KEY_MAX - kl, "%s%s=%.*s", g ? ", " : "",
				 c->group_by[g], (int)(vl > 1024 ? 1024 : vl), v ? v : "");
		if (w < 0 || (size_t)w >= KEY_MAX - kl) {
			kl = KEY_MAX - 1;
			break;
		}
		kl += (size_t)w;
	}
	s->keybuf[kl] = '\0';
	struct cgroup *g = group_get(s, (uint32_t)corr_rule, c, s->keybuf, kl, now);
	if (now > g->last)
		g->last = now;
	keep_event(s, g, br, ev, now);
	uint64_t value = 0;
	bool fire = false;
	switch (c->type) {
	case CANH_SIGMA_CORR_EVENT_COUNT: {
		uint32_t at = (g->head + g->n) % g->cap;
		if (g->n == g->cap)
			g->head = (g->head + 1) % g->cap;
		else
			g->n++;
		g->ts[at] = now;
		for (uint32_t i = 0; i < g->n; i++)
			value += within(g->ts[(g->head + i) % g->cap], now, c->span_ms);
		break;
	}
	case CANH_SIGMA_CORR_VALUE_COUNT: {
		size_t vl = 0;
		const char *v = canh_event_get(ev, c->vfield[ref], &vl);
		if (!v)
			break;
		uint64_t vh = hash64(0, v, vl);
		uint32_t i, oldest = 0;
		for (i = 0; i < g->n; i++) {
			if (g->vh[i] == vh)
				break;
			if (g->ts[i] < g->ts[oldest])
				oldest = i;
		}
		if (i < g->n) {
			g->ts[i] = now;
		} else if (g->n < g->cap) {
			g->vh[g->n] = vh;
			g->ts[g->n++] = now;
		} else {
			g->vh[oldest] = vh;
			g->ts[oldest] = now;
		}
		for (i = 0; i < g->n; i++)
			value += within(g->ts[i], now, c->span_ms);
		break;
	}
	default: {
		int64_t *r = g->rt + ref * TEMPORAL_RING;
		if (g->rn[ref] < TEMPORAL_RING) {
			r[g->rn[ref]++] = now;
		} else {
			memmove(r, r + 1, (TEMPORAL_RING - 1) * sizeof(*r));
			r[TEMPORAL_RING - 1] = now;
		}
		for (size_t i = 0; i < c->nrefs; i++) {
			bool seen = false;
			for (uint8_t k = 0; k < g->rn[i]; k++)
				seen |= within(g->rt[i * TEMPORAL_RING + k], now, c->span_ms);
			value += seen;
		}
		fire = value == c->nrefs;
		if (fire && c->type == CANH_SIGMA_CORR_TEMPORAL_ORDERED)
			fire = ordered_ok(g, c->nrefs, c->span_ms);
		break;
	}
	}
	if (c->type <= CANH_SIGMA_CORR_VALUE_COUNT) {
		double v = (double)value;
		fire = c->op == MK_GT	 ? v > c->threshold
		       : c->op == MK_GTE ? v >= c->threshold
					 : v == c->threshold;
	}
	if (!fire)
		return;
	for (uint32_t i = 0; i < g->evn; i++)
		s->contrib_tmp[i] = g->ev[(g->evhead + i) % s->opts.corr_events_max];
	struct canh_sigma_alert a = {
	    .rule = &cr->info,
	    .event = ev,
	    .group = g->key,
	    .value = value,
	    .ncontrib = g->evn,
	    .contrib = s->contrib_tmp,
	};
	s->st.alerts++;
	if (s->alert_fn)
		s->alert_fn(s->alert_arg, &a);
	group_reset(g, c->nrefs);
}
