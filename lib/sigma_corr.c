/*
 * Sigma correlation rules over sliding windows in bounded memory.
 *
 * State lives in groups keyed by (correlation, group-by values). The hot
 * bookkeeping — hash table, LRU order, last time — is in small arrays indexed
 * by slot (a few hundred KiB for the default 10,000 groups, so it stays in
 * cache); a group's payload (its window and contributing events) is one block
 * touched only when the group itself is. A group is dropped when its last
 * event is older than its correlation's timespan (seen from the LRU tail as
 * events arrive), or, when all opts.corr_groups_max slots are in use, the
 * least recently used one goes (stats.corr_evicted_cap). Dropped payload
 * blocks are kept per correlation and reused, so a flood of new groups does
 * not churn malloc. After a correlation fires, its group starts afresh, so one
 * burst raises one alert per threshold reached.
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
#define NIL UINT32_MAX
/*
 * A hash-table entry is the group's hash with its low CTAB_SLOT_BITS replaced
 * by slot + 1 (slots < 2^24): probing compares the stored hash bits and reads
 * a slot only on a likely match, and the home position of an entry is known
 * without reading its slot (bits CTAB_SLOT_BITS and up, masked).
 */
#define CTAB_SLOT_BITS 25
/* Keys up to this length may start as a one-event record in the arena. */
#define CKEY_MAX 128
#define AREC_MAX (CKEY_MAX + RAW_KEEP)
#define CTAB_SLOT_MASK ((UINT64_C(1) << CTAB_SLOT_BITS) - 1)

/* Per-slot bookkeeping, kept apart from the payload for cache locality. */
struct cslot {
	uint64_t hash;
	int64_t last;
	int64_t span;
	uint32_t prev, next; /* LRU, NIL-terminated; head is the most recent */
	uint32_t corr;
	struct cgroup *g; /* NULL while the group has seen one event */
	/* A group with one event: its key and raw line in the arena at aoff. */
	uint64_t vh;	 /* value_count: the value's hash */
	uint32_t aoff;	 /* arena offset of the key, the raw line follows */
	uint16_t keylen; /* both states */
	uint16_t rawlen;
	uint8_t ref;  /* which referenced rule the event matched */
	uint8_t hasv; /* value_count: the event had the value */
};

/* Payload blocks dropped by one correlation, ready for its next group. */
struct cfree_stack {
	struct cgroup **v;
	size_t n, cap;
};

struct cgroup {
	char *key;
	size_t keylen, keycap;
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
	uint32_t evn, evhead;
	char keyin[64]; /* keys up to 63 bytes live here, longer ones in key */
};

static uint64_t hash64(uint32_t corr, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ corr;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h ? h : 1;
}

static void group_free(struct cgroup *g)
{
	if (g->key != g->keyin)
		free(g->key);
	free(g);
}

static void set_key(struct cgroup *g, const char *key, size_t keylen)
{
	if (keylen < sizeof(g->keyin)) {
		if (g->key != g->keyin)
			free(g->key);
		g->key = g->keyin;
		g->keycap = sizeof(g->keyin);
	} else if (g->key == g->keyin || g->keycap < keylen + 1) {
		if (g->key != g->keyin)
			free(g->key);
		g->keycap = keylen + 1;
		g->key = canh_xmalloc(g->keycap);
	}
	memcpy(g->key, key, keylen);
	g->key[keylen] = '\0';
	g->keylen = keylen;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A group and all its arrays in one allocation. */
static struct cgroup *group_alloc(struct canh_sigma *s, const struct corr *c)
{
	size_t ne = s->opts.corr_events_max;
	bool counts =
	    c->type == CANH_SIGMA_CORR_EVENT_COUNT || c->type == CANH_SIGMA_CORR_VALUE_COUNT;
	size_t cap = counts ? (size_t)c->threshold + 1 : 0;
	size_t off_ts = align8(sizeof(struct cgroup));
	size_t off_vh = off_ts + cap * sizeof(int64_t);
	size_t off_rt =
	    off_vh + (c->type == CANH_SIGMA_CORR_VALUE_COUNT ? cap * sizeof(uint64_t) : 0);
	size_t off_ev = off_rt + (counts ? 0 : c->nrefs * TEMPORAL_RING * sizeof(int64_t));
	size_t off_rn = off_ev + ne * sizeof(struct canh_sigma_contrib);
	size_t off_raw = align8(off_rn + (counts ? 0 : c->nrefs));
	char *blk = canh_xmalloc(off_raw + ne * RAW_KEEP);
	struct cgroup *g = (struct cgroup *)blk;
	memset(g, 0, sizeof(*g));
	g->cap = (uint32_t)cap;
	g->ts = counts ? (int64_t *)(blk + off_ts) : NULL;
	g->vh = c->type == CANH_SIGMA_CORR_VALUE_COUNT ? (uint64_t *)(blk + off_vh) : NULL;
	g->rt = counts ? NULL : (int64_t *)(blk + off_rt);
	g->rn = counts ? NULL : (uint8_t *)(blk + off_rn);
	if (g->rn)
		memset(g->rn, 0, c->nrefs);
	g->ev = (struct canh_sigma_contrib *)(blk + off_ev);
	g->raws = blk + off_raw;
	g->key = g->keyin;
	g->keycap = sizeof(g->keyin);
	return g;
}

static void group_reset(struct cgroup *g, size_t nrefs)
{
	g->n = g->head = 0;
	g->evn = g->evhead = 0;
	if (g->rn)
		memset(g->rn, 0, nrefs);
}

void canh__sigma_corr_init(struct canh_sigma *s)
{
	size_t cap = s->opts.corr_groups_max;
	s->cs = canh_xcalloc(cap, sizeof(*s->cs));
	s->ctab_size = 1;
	while (s->ctab_size < cap * 2)
		s->ctab_size *= 2; /* <= 2^25: the home bits fit above the slot bits */
	s->ctab = canh_xcalloc(s->ctab_size, sizeof(*s->ctab));
	s->cfree_slots = canh_xcalloc(cap, sizeof(*s->cfree_slots));
	for (size_t i = 0; i < cap; i++)
		s->cfree_slots[i] = (uint32_t)(cap - 1 - i);
	s->nfree_slots = cap;
	s->lru_head = s->lru_tail = NIL;
	s->cfree = canh_xcalloc(s->nrules + 1, sizeof(*s->cfree));
	s->contrib_tmp = canh_xcalloc(s->opts.corr_events_max, sizeof(*s->contrib_tmp));
	/*
	 * The arena is a ring written in order of group creation. A one-event
	 * group is never touched after its creation, so every group created after
	 * it is newer in the LRU order and is evicted (by time or by the cap) only
	 * after it: while it lives, fewer than corr_groups_max records follow its
	 * own, and one record per group plus one wasted at the wrap fits.
	 * (calloc: pages are mapped only when first written.)
	 */
	s->carena_size = (cap + 2) * AREC_MAX;
	s->carena = canh_xcalloc(s->carena_size, 1);
	s->carena_pos = 0;
}

void canh__sigma_corr_free(struct canh_sigma *s)
{
	for (size_t i = 0; s->cs && i < s->opts.corr_groups_max; i++) {
		if (s->cs[i].g)
			group_free(s->cs[i].g);
	}
	for (size_t i = 0; s->cfree && i < s->nrules; i++) {
		for (size_t k = 0; k < s->cfree[i].n; k++)
			group_free(s->cfree[i].v[k]);
		free(s->cfree[i].v);
	}
	free(s->cs);
	free(s->ctab);
	free(s->cfree_slots);
	free(s->cfree);
	free(s->contrib_tmp);
	free(s->keybuf);
	free(s->carena);
	s->carena = NULL;
	s->cs = NULL;
	s->ctab = NULL;
	s->cfree = NULL;
}

static void lru_unlink(struct canh_sigma *s, uint32_t i)
{
	struct cslot *c = &s->cs[i];
	if (c->prev != NIL)
		s->cs[c->prev].next = c->next;
	else
		s->lru_head = c->next;
	if (c->next != NIL)
		s->cs[c->next].prev = c->prev;
	else
		s->lru_tail = c->prev;
	c->prev = c->next = NIL;
}

static void lru_front(struct canh_sigma *s, uint32_t i)
{
	struct cslot *c = &s->cs[i];
	c->prev = NIL;
	c->next = s->lru_head;
	if (s->lru_head != NIL)
		s->cs[s->lru_head].prev = i;
	s->lru_head = i;
	if (s->lru_tail == NIL)
		s->lru_tail = i;
}

static size_t ctab_home(uint64_t e, size_t mask)
{
	return (size_t)(e >> CTAB_SLOT_BITS) & mask;
}

/* Take slot i out of the hash table (linear probing, backward-shift deletion). */
static void slot_drop(struct canh_sigma *s, uint32_t i)
{
	size_t mask = s->ctab_size - 1;
	size_t p = ctab_home(s->cs[i].hash, mask);
	while ((s->ctab[p] & CTAB_SLOT_MASK) != (uint64_t)i + 1)
		p = (p + 1) & mask;
	size_t q = p;
	for (;;) {
		q = (q + 1) & mask;
		if (!s->ctab[q])
			break;
		size_t home = ctab_home(s->ctab[q], mask);
		/* The entry at q stays when its home lies cyclically in (p, q]. */
		bool stay = p <= q ? (p < home && home <= q) : (p < home || home <= q);
		if (stay)
			continue;
		s->ctab[p] = s->ctab[q];
		p = q;
	}
	s->ctab[p] = 0;
}

static void group_drop(struct canh_sigma *s, uint32_t i)
{
	struct cslot *c = &s->cs[i];
	lru_unlink(s, i);
	/* A stack of pointers: the dropped payload itself is not touched. */
	if (c->g) {
		struct cfree_stack *fs = &s->cfree[c->corr];
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? fs->cap * 2 : 16;
			fs->v = canh_xrealloc(fs->v, fs->cap * sizeof(*fs->v));
		}
		fs->v[fs->n++] = c->g;
		c->g = NULL;
	}
	s->cfree_slots[s->nfree_slots++] = i;
	s->st.corr_groups--;
	/*
	 * The next victim is the new tail: start loading its slot and its hash
	 * table entry now, so the next eviction does not wait on memory (a flood
	 * of new keys evicts one group per event).
	 */
	if (s->lru_tail != NIL) {
		const struct cslot *t = &s->cs[s->lru_tail];
		__builtin_prefetch(t, 1);
		if (t->prev != NIL)
			__builtin_prefetch(&s->cs[t->prev], 1);
		__builtin_prefetch(&s->ctab[ctab_home(t->hash, s->ctab_size - 1)], 1);
	}
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

static void keep_raw(struct canh_sigma *s, struct cgroup *g, const struct rule *base,
		     const char *raw, size_t len, int64_t t)
{
	size_t ne = s->opts.corr_events_max;
	uint32_t at = (g->evhead + g->evn) % (uint32_t)ne;
	if (g->evn == ne)
		g->evhead = (g->evhead + 1) % (uint32_t)ne;
	else
		g->evn++;
	size_t n = len < RAW_KEEP ? len : RAW_KEEP;
	if (n)
		memcpy(g->raws + (size_t)at * RAW_KEEP, raw, n);
	g->ev[at].time_ms = t;
	g->ev[at].raw = g->raws + (size_t)at * RAW_KEEP;
	g->ev[at].raw_len = n;
	g->ev[at].rule_id = base->info.id[0] ? base->info.id : base->info.title;
}

/*
 * Count one event of referenced rule `ref` at time t into g; returns the
 * correlation's value and sets *fire for temporal types.
 */
static uint64_t apply(struct cgroup *g, const struct corr *c, size_t ref, bool hasv, uint64_t vh,
		      int64_t t, bool *fire)
{
	uint64_t value = 0;
	switch (c->type) {
	case CANH_SIGMA_CORR_EVENT_COUNT: {
		uint32_t at = (g->head + g->n) % g->cap;
		if (g->n == g->cap)
			g->head = (g->head + 1) % g->cap;
		else
			g->n++;
		g->ts[at] = t;
		for (uint32_t i = 0; i < g->n; i++)
			value += within(g->ts[(g->head + i) % g->cap], t, c->span_ms);
		break;
	}
	case CANH_SIGMA_CORR_VALUE_COUNT: {
		if (!hasv)
			break;
		uint32_t i, oldest = 0;
		for (i = 0; i < g->n; i++) {
			if (g->vh[i] == vh)
				break;
			if (g->ts[i] < g->ts[oldest])
				oldest = i;
		}
		if (i < g->n) {
			g->ts[i] = t;
		} else if (g->n < g->cap) {
			g->vh[g->n] = vh;
			g->ts[g->n++] = t;
		} else {
			g->vh[oldest] = vh;
			g->ts[oldest] = t;
		}
		for (i = 0; i < g->n; i++)
			value += within(g->ts[i], t, c->span_ms);
		break;
	}
	default: {
		int64_t *r = g->rt + ref * TEMPORAL_RING;
		if (g->rn[ref] < TEMPORAL_RING) {
			r[g->rn[ref]++] = t;
		} else {
			memmove(r, r + 1, (TEMPORAL_RING - 1) * sizeof(*r));
			r[TEMPORAL_RING - 1] = t;
		}
		for (size_t i = 0; i < c->nrefs; i++) {
			bool seen = false;
			for (uint8_t k = 0; k < g->rn[i]; k++)
				seen |= within(g->rt[i * TEMPORAL_RING + k], t, c->span_ms);
			value += seen;
		}
		*fire = value == c->nrefs;
		if (*fire && c->type == CANH_SIGMA_CORR_TEMPORAL_ORDERED)
			*fire = ordered_ok(g, c->nrefs, c->span_ms);
		return value;
	}
	}
	double v = (double)value;
	*fire = c->op == MK_GT	  ? v > c->threshold
		: c->op == MK_GTE ? v >= c->threshold
				  : v == c->threshold;
	return value;
}

/* Whether one event alone can meet the correlation's condition. */
static bool fires_on_one(const struct corr *c)
{
	if (c->type == CANH_SIGMA_CORR_TEMPORAL || c->type == CANH_SIGMA_CORR_TEMPORAL_ORDERED)
		return c->nrefs <= 1;
	return c->op == MK_GT	 ? 1 > c->threshold
	       : c->op == MK_GTE ? 1 >= c->threshold
				 : 1 == c->threshold;
}

/* A payload block for correlation ci: a dropped one of the same rule, or a new one. */
static struct cgroup *block_take(struct canh_sigma *s, uint32_t ci, const struct corr *c)
{
	struct cfree_stack *fs = &s->cfree[ci];
	if (fs->n) {
		struct cgroup *g = fs->v[--fs->n];
		group_reset(g, c->nrefs);
		return g;
	}
	return group_alloc(s, c);
}

/* The key of slot i, in its payload or in the arena. */
static const char *slot_key(const struct canh_sigma *s, const struct cslot *cs)
{
	return cs->g ? cs->g->key : s->carena + cs->aoff;
}

/* Turn the one-event group in slot i into a full one (its second event has come). */
static void promote(struct canh_sigma *s, uint32_t i, const struct corr *c, int64_t first)
{
	struct cslot *cs = &s->cs[i];
	struct cgroup *g = block_take(s, cs->corr, c);
	const char *rec = s->carena + cs->aoff;
	set_key(g, rec, cs->keylen);
	bool fire;
	apply(g, c, cs->ref, cs->hasv, cs->vh, first, &fire);
	keep_raw(s, g, s->rules[c->ref_rule[cs->ref]], rec + cs->keylen, cs->rawlen, first);
	cs->g = g;
}

/*
 * The group of (ci, key): found, or opened. Returns NULL when the group was
 * opened as a one-event record (the event is recorded, nothing can fire).
 */
static struct cgroup *group_get(struct canh_sigma *s, uint32_t ci, const struct corr *c,
				const char *key, size_t keylen, int64_t now, size_t ref, bool hasv,
				uint64_t vh, const struct canh_event *ev)
{
	uint64_t h = hash64(ci, key, keylen);
	size_t mask = s->ctab_size - 1;
	size_t p = ctab_home(h, mask);
	for (; s->ctab[p]; p = (p + 1) & mask) {
		if ((s->ctab[p] ^ h) & ~CTAB_SLOT_MASK)
			continue;
		uint32_t i = (uint32_t)(s->ctab[p] & CTAB_SLOT_MASK) - 1;
		struct cslot *cs = &s->cs[i];
		if (cs->hash == h && cs->corr == ci && cs->keylen == keylen &&
		    memcmp(slot_key(s, cs), key, keylen) == 0) {
			if (s->lru_head != i) {
				lru_unlink(s, i);
				lru_front(s, i);
			}
			if (!cs->g)
				promote(s, i, c, cs->last);
			if (now > cs->last)
				cs->last = now;
			return cs->g;
		}
	}
	if (s->nfree_slots == 0) {
		uint32_t victim = s->lru_tail;
		slot_drop(s, victim);
		group_drop(s, victim);
		s->st.corr_evicted_cap++;
		/* The table changed: find the free position for h again. */
		for (p = ctab_home(h, mask); s->ctab[p]; p = (p + 1) & mask)
			;
	}
	uint32_t i = s->cfree_slots[--s->nfree_slots];
	struct cslot *cs = &s->cs[i];
	cs->hash = h;
	cs->last = now;
	cs->span = c->span_ms;
	cs->corr = ci;
	cs->keylen = (uint16_t)keylen;
	s->ctab[p] = (h & ~CTAB_SLOT_MASK) | ((uint64_t)i + 1);
	lru_front(s, i);
	s->st.corr_groups++;
	if (keylen <= CKEY_MAX && !fires_on_one(c)) {
		/* Most groups never see a second event: record this one compactly. */
		size_t rl = ev->raw_len < RAW_KEEP ? ev->raw_len : RAW_KEEP;
		if (s->carena_size - s->carena_pos < keylen + rl)
			s->carena_pos = 0;
		char *rec = s->carena + s->carena_pos;
		memcpy(rec, key, keylen);
		if (rl)
			memcpy(rec + keylen, ev->raw, rl);
		cs->aoff = (uint32_t)s->carena_pos;
		s->carena_pos += keylen + rl;
		cs->rawlen = (uint16_t)rl;
		cs->ref = (uint8_t)ref;
		cs->hasv = hasv;
		cs->vh = vh;
		cs->g = NULL;
		return NULL;
	}
	struct cgroup *g = block_take(s, ci, c);
	set_key(g, key, keylen);
	cs->g = g;
	return g;
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
	while (s->lru_tail != NIL) {
		const struct cslot *t = &s->cs[s->lru_tail];
		if (now - t->last <= t->span)
			break;
		uint32_t victim = s->lru_tail;
		slot_drop(s, victim);
		group_drop(s, victim);
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
		size_t nl = strlen(c->group_by[g]);
		if (vl > 1024)
			vl = 1024;
		if (kl + nl + vl + 3 >= KEY_MAX)
			break;
		if (g) {
			s->keybuf[kl++] = ',';
			s->keybuf[kl++] = ' ';
		}
		memcpy(s->keybuf + kl, c->group_by[g], nl);
		kl += nl;
		s->keybuf[kl++] = '=';
		if (v)
			memcpy(s->keybuf + kl, v, vl);
		kl += v ? vl : 0;
	}
	s->keybuf[kl] = '\0';
	bool hasv = false;
	uint64_t vh = 0;
	if (c->type == CANH_SIGMA_CORR_VALUE_COUNT) {
		size_t vl = 0;
		const char *v = canh_event_get(ev, c->vfield[ref], &vl);
		if (v) {
			hasv = true;
			vh = hash64(0, v, vl);
		}
	}
	struct cgroup *g =
	    group_get(s, (uint32_t)corr_rule, c, s->keybuf, kl, now, ref, hasv, vh, ev);
	if (!g)
		return;
	keep_raw(s, g, br, ev->raw, ev->raw_len, now);
	bool fire = false;
	uint64_t value = apply(g, c, ref, hasv, vh, now, &fire);
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
