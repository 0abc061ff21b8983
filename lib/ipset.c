/*
 * IPv4/IPv6 sets as sorted disjoint intervals with a 16-bit index.
 *
 * Build: the entries of one family are cut at every boundary (each lo and
 * hi + 1) into disjoint pieces; a sweep over the boundaries keeps the
 * entries covering the current piece ordered by (size, order added), so each
 * piece knows its most specific entry and the full list of covering entries.
 * A piece covered by one entry stores that entry's ref directly; a piece
 * covered by several stores (top bit set) an index into a table of lists.
 * Adjacent pieces with the same list share it.
 *
 * IPv4 pieces are also cut at every /16 boundary, so that each piece lies in
 * one /16 bucket and needs only the low 16 bits of its start and end: one
 * uint32 key (start16 << 16 | end16) and one uint32 value per piece, 8 bytes.
 * A lookup reads the bucket's bounds from a 65537-entry index, then does a
 * branchless binary search over the (on average few dozen) keys of the
 * bucket. IPv6 pieces keep full 128-bit starts and ends; the index is on the
 * 16 bits that follow the prefix all IPv6 pieces share, so that a set of
 * addresses inside 2000::/3 still spreads over the whole index.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "canh/ipset.h"
#include "canh/mem.h"

typedef unsigned __int128 u128;

#define MULTI_BIT 0x80000000u
#define NBUCKETS 65536u
/*
 * Budget for the sweep: the sum over all pieces of the number of entries
 * covering them. Real lists overlap a few levels deep; thousands of nested
 * ranges would need quadratic time and memory, and are refused instead.
 */
#define OVERLAP_BUDGET ((size_t)1 << 26)

struct entry {
	u128 lo, hi;
	uint32_t ref;
	uint32_t seq;
};

struct ebuf {
	struct entry *v;
	size_t n, cap;
};

struct canh_ipset_builder {
	struct ebuf fam[2]; /* 0: IPv4, 1: IPv6 */
	uint32_t seq;
};

struct canh_ipset {
	atomic_size_t users; /* references while held by a slot */
	size_t entries;
	/* IPv4: idx4[b]..idx4[b+1] are the pieces of bucket b (the /16 b). */
	uint32_t *idx4;
	uint32_t *key4; /* start16 << 16 | end16 */
	uint32_t *val4;
	size_t n4;
	/* IPv6: pieces sorted by start; all share the top v6_common bits. */
	uint32_t *idx6;
	u128 *start6, *end6;
	uint32_t *val6;
	size_t n6;
	unsigned v6_common; /* 0..112 */
	u128 v6_prefix;	    /* the shared bits (others zero) */
	/* Lists of covering entries: multi[2k] = offset in pool, multi[2k+1] = count. */
	uint32_t *multi;
	size_t nmulti;
	uint32_t *pool;
	size_t npool;
	size_t bytes;
};

/* Growable arrays used while building (aborts on allocation failure, like canh_x*). */
struct u32buf {
	uint32_t *v;
	size_t n, cap;
};

static void u32_push(struct u32buf *b, uint32_t x)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->v = canh_xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n++] = x;
}

struct u128buf {
	u128 *v;
	size_t n, cap;
};

static void u128_push(struct u128buf *b, u128 x)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->v = canh_xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n++] = x;
}

static u128 fam_max(int fam)
{
	return fam == 0 ? (u128)0xffffffffu : ~(u128)0;
}

static u128 ip_value(const struct canh_ipaddr *a)
{
	u128 v = 0;
	unsigned n = a->family == 4 ? 4 : 16;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | a->bytes[i];
	return v;
}

/* ---- builder ---- */

struct canh_ipset_builder *canh_ipset_builder_new(void)
{
	return canh_xcalloc(1, sizeof(struct canh_ipset_builder));
}

void canh_ipset_builder_free(struct canh_ipset_builder *b)
{
	if (!b)
		return;
	free(b->fam[0].v);
	free(b->fam[1].v);
	free(b);
}

size_t canh_ipset_builder_count(const struct canh_ipset_builder *b)
{
	return b ? b->fam[0].n + b->fam[1].n : 0;
}

static int add_value(struct canh_ipset_builder *b, int fam, u128 lo, u128 hi, uint32_t ref)
{
	struct ebuf *e = &b->fam[fam];

	if (lo > hi)
		return CANH_EINVAL;
	if (ref > CANH_IPSET_REF_MAX)
		return CANH_ERANGE;
	if (b->fam[0].n + b->fam[1].n >= CANH_IPSET_MAX_ENTRIES)
		return CANH_ETOOBIG;
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->v = canh_xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = (struct entry){.lo = lo, .hi = hi, .ref = ref, .seq = b->seq++};
	return 0;
}

int canh_ipset_add_range(struct canh_ipset_builder *b, const struct canh_ipaddr *lo,
			 const struct canh_ipaddr *hi, uint32_t ref)
{
	if (!b || !lo || !hi || lo->family != hi->family || (lo->family != 4 && lo->family != 6))
		return CANH_EINVAL;
	return add_value(b, lo->family == 4 ? 0 : 1, ip_value(lo), ip_value(hi), ref);
}

int canh_ipset_add_cidr(struct canh_ipset_builder *b, const struct canh_cidr *c, uint32_t ref)
{
	if (!b || !c || (c->addr.family != 4 && c->addr.family != 6))
		return CANH_EINVAL;
	int fam = c->addr.family == 4 ? 0 : 1;
	unsigned bits = fam == 0 ? 32 : 128;
	if (c->prefix > bits)
		return CANH_EINVAL;
	u128 host = c->prefix == 0 ? fam_max(fam) : (((u128)1 << (bits - c->prefix)) - 1);
	u128 lo = ip_value(&c->addr) & ~host;
	return add_value(b, fam, lo, lo | host, ref);
}

int canh_ipset_add_ip(struct canh_ipset_builder *b, const struct canh_ipaddr *a, uint32_t ref)
{
	if (!b || !a || (a->family != 4 && a->family != 6))
		return CANH_EINVAL;
	u128 v = ip_value(a);
	return add_value(b, a->family == 4 ? 0 : 1, v, v, ref);
}

/* ---- build ---- */

static int cmp_entry_lo(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	return a->lo < b->lo ? -1 : a->lo > b->lo ? 1 : 0;
}

static int cmp_u128(const void *pa, const void *pb)
{
	u128 a = *(const u128 *)pa, b = *(const u128 *)pb;
	return a < b ? -1 : a > b ? 1 : 0;
}

/* Is entry a more specific than b (fewer addresses; among equals, added first)? */
static bool more_specific(const struct entry *a, const struct entry *b)
{
	u128 sa = a->hi - a->lo, sb = b->hi - b->lo;
	return sa < sb || (sa == sb && a->seq < b->seq);
}

/* A piece lo..hi with its value, handed to the family's emitter. */
typedef void (*emit_fn)(void *ctx, u128 lo, u128 hi, uint32_t val);

struct sweep_out {
	struct u32buf multi, pool;
};

/*
 * The sweep over the boundaries of the entries of one family, calling emit
 * for every covered piece in ascending order. Returns 0 or CANH_ETOOBIG.
 */
static int sweep(struct ebuf *e, int fam, struct sweep_out *so, emit_fn emit, void *ctx,
		 struct canh_errmsg *err)
{
	const u128 max = fam_max(fam);
	struct u128buf pts = {0};
	const struct entry **act = NULL;
	size_t nact = 0, ei = 0, budget = 0;
	bool have_prev = false;
	u128 prev_hi = 0;
	uint32_t prev_val = 0;
	int rc = 0;

	if (e->n == 0)
		return 0;
	qsort(e->v, e->n, sizeof(*e->v), cmp_entry_lo);
	pts.cap = e->n * 2;
	pts.v = canh_xmalloc(pts.cap * sizeof(*pts.v));
	for (size_t i = 0; i < e->n; i++) {
		u128_push(&pts, e->v[i].lo);
		if (e->v[i].hi != max)
			u128_push(&pts, e->v[i].hi + 1);
	}
	qsort(pts.v, pts.n, sizeof(*pts.v), cmp_u128);
	size_t np = 0;
	for (size_t i = 0; i < pts.n; i++)
		if (np == 0 || pts.v[np - 1] != pts.v[i])
			pts.v[np++] = pts.v[i];
	act = canh_xmalloc(e->n * sizeof(*act));

	for (size_t k = 0; k < np; k++) {
		u128 p = pts.v[k];
		u128 q = k + 1 < np ? pts.v[k + 1] - 1 : max;

		/* Drop the entries that ended before p, keeping the order. */
		size_t w = 0;
		for (size_t i = 0; i < nact; i++)
			if (act[i]->hi >= p)
				act[w++] = act[i];
		nact = w;
		/* Add the entries starting at p in order of specificity. */
		while (ei < e->n && e->v[ei].lo == p) {
			const struct entry *n = &e->v[ei++];
			size_t lo = 0, hi = nact;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (more_specific(act[mid], n))
					lo = mid + 1;
				else
					hi = mid;
			}
			memmove(act + lo + 1, act + lo, (nact - lo) * sizeof(*act));
			act[lo] = n;
			nact++;
		}
		if (nact == 0)
			continue;
		budget += nact;
		if (budget > OVERLAP_BUDGET) {
			rc = canh_errmsg_set(err, CANH_ETOOBIG,
					     "entries overlap too deeply (more than %zu covering "
					     "references in all)",
					     (size_t)OVERLAP_BUDGET);
			goto out;
		}

		uint32_t val;
		if (nact == 1) {
			val = act[0]->ref;
		} else {
			bool same = false;
			if (have_prev && (prev_val & MULTI_BIT) && prev_hi + 1 == p) {
				size_t m = prev_val & ~MULTI_BIT;
				uint32_t off = so->multi.v[2 * m], cnt = so->multi.v[2 * m + 1];
				if (cnt == nact) {
					same = true;
					for (size_t i = 0; i < nact && same; i++)
						same = so->pool.v[off + i] == act[i]->ref;
				}
			}
			if (same) {
				val = prev_val;
			} else {
				if (so->multi.n / 2 >= MULTI_BIT - 1 ||
				    so->pool.n + nact > UINT32_MAX) {
					rc = canh_errmsg_set(err, CANH_ETOOBIG,
							     "too many overlapping entries");
					goto out;
				}
				val = MULTI_BIT | (uint32_t)(so->multi.n / 2);
				u32_push(&so->multi, (uint32_t)so->pool.n);
				u32_push(&so->multi, (uint32_t)nact);
				for (size_t i = 0; i < nact; i++)
					u32_push(&so->pool, act[i]->ref);
			}
		}
		emit(ctx, p, q, val);
		have_prev = true;
		prev_hi = q;
		prev_val = val;
	}
out:
	free(pts.v);
	free(act);
	return rc;
}

struct emit4 {
	struct u32buf key, val;
	uint32_t *count; /* pieces per bucket */
};

static void emit_v4(void *ctx, u128 lo128, u128 hi128, uint32_t val)
{
	struct emit4 *e = ctx;
	uint32_t lo = (uint32_t)lo128, hi = (uint32_t)hi128;
	for (uint32_t b = lo >> 16;; b++) {
		uint32_t s = b == lo >> 16 ? lo : b << 16;
		uint32_t t = b == hi >> 16 ? hi : (b << 16) | 0xffffu;
		u32_push(&e->key, (s & 0xffffu) << 16 | (t & 0xffffu));
		u32_push(&e->val, val);
		e->count[b]++;
		if (b == hi >> 16)
			break;
	}
}

struct emit6 {
	struct u128buf start, end;
	struct u32buf val;
};

static void emit_v6_raw(void *ctx, u128 lo, u128 hi, uint32_t val)
{
	struct emit6 *e = ctx;
	u128_push(&e->start, lo);
	u128_push(&e->end, hi);
	u32_push(&e->val, val);
}

static unsigned clz128(u128 x)
{
	uint64_t h = (uint64_t)(x >> 64), l = (uint64_t)x;
	if (h)
		return (unsigned)__builtin_clzll(h);
	if (l)
		return 64 + (unsigned)__builtin_clzll(l);
	return 128;
}

static inline uint32_t bucket6(unsigned common, u128 x)
{
	return (uint32_t)((x >> (112 - common)) & 0xffffu);
}

/* Cut the IPv6 pieces at bucket boundaries and index them. */
static void finish_v6(struct canh_ipset *s, struct emit6 *raw)
{
	size_t n = raw->start.n;
	if (n == 0)
		return;
	u128 first = raw->start.v[0], last = raw->end.v[n - 1];
	unsigned common = clz128(first ^ last);
	if (common > 112)
		common = 112;
	s->v6_common = common;
	s->v6_prefix = common == 0 ? 0 : (first >> (128 - common)) << (128 - common);

	struct emit6 out = {0};
	uint32_t *count = canh_xcalloc(NBUCKETS, sizeof(*count));
	u128 width = (u128)1 << (112 - common);
	for (size_t i = 0; i < n; i++) {
		u128 lo = raw->start.v[i], hi = raw->end.v[i];
		for (;;) {
			uint32_t b = bucket6(common, lo);
			/* The bucket's last address: lo with the bits below the bucket set. */
			u128 bend = lo | (width - 1);
			u128 t = hi < bend ? hi : bend;
			emit_v6_raw(&out, lo, t, raw->val.v[i]);
			count[b]++;
			if (t == hi)
				break;
			lo = t + 1;
		}
	}
	s->idx6 = canh_xmalloc((NBUCKETS + 1) * sizeof(*s->idx6));
	uint32_t acc = 0;
	for (uint32_t b = 0; b < NBUCKETS; b++) {
		s->idx6[b] = acc;
		acc += count[b];
	}
	s->idx6[NBUCKETS] = acc;
	free(count);
	s->start6 = out.start.v;
	s->end6 = out.end.v;
	s->val6 = out.val.v;
	s->n6 = out.start.n;
}

int canh_ipset_build(struct canh_ipset_builder *b, struct canh_ipset **out, struct canh_errmsg *err)
{
	struct canh_ipset *s = NULL;
	struct sweep_out so = {0};
	struct emit4 e4 = {0};
	struct emit6 e6 = {0};
	int rc;

	if (out)
		*out = NULL;
	if (!b || !out) {
		canh_ipset_builder_free(b);
		return CANH_EINVAL;
	}
	s = canh_xcalloc(1, sizeof(*s));
	s->entries = b->fam[0].n + b->fam[1].n;

	e4.count = canh_xcalloc(NBUCKETS, sizeof(*e4.count));
	if ((rc = sweep(&b->fam[0], 0, &so, emit_v4, &e4, err)) != 0)
		goto out;
	if ((rc = sweep(&b->fam[1], 1, &so, emit_v6_raw, &e6, err)) != 0)
		goto out;

	if (e4.key.n > 0) {
		if (e4.key.n > UINT32_MAX) {
			rc = canh_errmsg_set(err, CANH_ETOOBIG, "too many IPv4 pieces");
			goto out;
		}
		s->idx4 = canh_xmalloc((NBUCKETS + 1) * sizeof(*s->idx4));
		uint32_t acc = 0;
		for (uint32_t k = 0; k < NBUCKETS; k++) {
			s->idx4[k] = acc;
			acc += e4.count[k];
		}
		s->idx4[NBUCKETS] = acc;
		s->key4 = canh_xrealloc(e4.key.v, e4.key.n * sizeof(uint32_t));
		s->val4 = canh_xrealloc(e4.val.v, e4.val.n * sizeof(uint32_t));
		e4.key.v = e4.val.v = NULL;
		s->n4 = e4.key.n;
	}
	if (e6.start.n > UINT32_MAX - NBUCKETS) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "too many IPv6 pieces");
		goto out;
	}
	finish_v6(s, &e6);
	if (so.multi.n) {
		s->multi = canh_xrealloc(so.multi.v, so.multi.n * sizeof(uint32_t));
		s->pool = canh_xrealloc(so.pool.v, so.pool.n * sizeof(uint32_t));
		s->nmulti = so.multi.n / 2;
		s->npool = so.pool.n;
		so.multi.v = so.pool.v = NULL;
	}
	s->bytes = sizeof(*s) + (s->idx4 ? (NBUCKETS + 1) * sizeof(uint32_t) : 0) +
		   s->n4 * 2 * sizeof(uint32_t) +
		   (s->idx6 ? (NBUCKETS + 1) * sizeof(uint32_t) : 0) +
		   s->n6 * (2 * sizeof(u128) + sizeof(uint32_t)) +
		   s->nmulti * 2 * sizeof(uint32_t) + s->npool * sizeof(uint32_t);
	atomic_init(&s->users, 1);
	*out = s;
	s = NULL;
	rc = 0;
out:
	free(e4.count);
	free(e4.key.v);
	free(e4.val.v);
	free(e6.start.v);
	free(e6.end.v);
	free(e6.val.v);
	free(so.multi.v);
	free(so.pool.v);
	canh_ipset_free(s);
	canh_ipset_builder_free(b);
	return rc;
}

void canh_ipset_free(struct canh_ipset *s)
{
	if (!s)
		return;
	free(s->idx4);
	free(s->key4);
	free(s->val4);
	free(s->idx6);
	free(s->start6);
	free(s->end6);
	free(s->val6);
	free(s->multi);
	free(s->pool);
	free(s);
}

/* ---- lookups ---- */

/* The value of the piece holding a, or false. */
static inline bool find4(const struct canh_ipset *s, uint32_t a, uint32_t *val)
{
	if (s->n4 == 0)
		return false;
	uint32_t b = a >> 16;
	uint32_t first = s->idx4[b], n = s->idx4[b + 1] - first;
	if (n == 0)
		return false;
	const uint32_t *base = s->key4 + first;
	uint32_t t = (a << 16) | 0xffffu;
	while (n > 1) {
		uint32_t half = n / 2;
		base = base[half] <= t ? base + half : base;
		n -= half;
	}
	uint32_t k = *base;
	if (k > t || (k & 0xffffu) < (a & 0xffffu))
		return false;
	*val = s->val4[base - s->key4];
	return true;
}

static inline bool find6(const struct canh_ipset *s, u128 x, uint32_t *val)
{
	if (s->n6 == 0)
		return false;
	unsigned c = s->v6_common;
	if (c > 0 && (x >> (128 - c)) << (128 - c) != s->v6_prefix)
		return false;
	uint32_t b = bucket6(c, x);
	uint32_t first = s->idx6[b], n = s->idx6[b + 1] - first;
	if (n == 0)
		return false;
	const u128 *base = s->start6 + first;
	while (n > 1) {
		uint32_t half = n / 2;
		base = base[half] <= x ? base + half : base;
		n -= half;
	}
	size_t i = (size_t)(base - s->start6);
	if (*base > x || s->end6[i] < x)
		return false;
	*val = s->val6[i];
	return true;
}

static bool find(const struct canh_ipset *s, const struct canh_ipaddr *a, uint32_t *val)
{
	if (!s || !a)
		return false;
	if (a->family == 4)
		return find4(s, (uint32_t)ip_value(a), val);
	if (a->family == 6)
		return find6(s, ip_value(a), val);
	return false;
}

static inline uint32_t best_ref(const struct canh_ipset *s, uint32_t val)
{
	if (!(val & MULTI_BIT))
		return val;
	return s->pool[s->multi[2 * (val & ~MULTI_BIT)]];
}

bool canh_ipset_lookup_v4(const struct canh_ipset *s, uint32_t addr, uint32_t *ref)
{
	uint32_t val;
	if (!s || !find4(s, addr, &val))
		return false;
	if (ref)
		*ref = best_ref(s, val);
	return true;
}

bool canh_ipset_lookup(const struct canh_ipset *s, const struct canh_ipaddr *a, uint32_t *ref)
{
	uint32_t val;
	if (!find(s, a, &val))
		return false;
	if (ref)
		*ref = best_ref(s, val);
	return true;
}

size_t canh_ipset_lookup_all(const struct canh_ipset *s, const struct canh_ipaddr *a,
			     uint32_t *refs, size_t max)
{
	uint32_t val;
	if (!find(s, a, &val))
		return 0;
	if (!(val & MULTI_BIT)) {
		if (max > 0 && refs)
			refs[0] = val;
		return 1;
	}
	size_t m = val & ~MULTI_BIT;
	uint32_t off = s->multi[2 * m], cnt = s->multi[2 * m + 1];
	if (refs)
		memcpy(refs, s->pool + off, (cnt < max ? cnt : max) * sizeof(*refs));
	return cnt;
}

void canh_ipset_stats(const struct canh_ipset *s, struct canh_ipset_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	st->entries = s->entries;
	st->v4_intervals = s->n4;
	st->v6_intervals = s->n6;
	st->bytes = s->bytes;
}

/* ---- slot ---- */

/*
 * Readers announce themselves on pins[i] for the index i they read, then
 * check that i is still current before touching sets[i]. A swap installs the
 * new set at the other index, flips idx, and waits until no reader is
 * announced on the old index: from then on nobody can read the old pointer,
 * and those that did already hold a reference on the set. All atomics are
 * sequentially consistent.
 */
struct canh_ipset_slot {
	_Atomic(struct canh_ipset *) sets[2];
	atomic_uint idx;
	atomic_ulong pins[2];
	pthread_mutex_t swap_lock;
};

static void set_put(struct canh_ipset *s)
{
	if (s && atomic_fetch_sub(&s->users, 1) == 1)
		canh_ipset_free(s);
}

struct canh_ipset_slot *canh_ipset_slot_new(struct canh_ipset *set)
{
	struct canh_ipset_slot *slot = canh_xcalloc(1, sizeof(*slot));
	if (set)
		atomic_store(&set->users, 1);
	atomic_init(&slot->sets[0], set);
	atomic_init(&slot->sets[1], NULL);
	atomic_init(&slot->idx, 0);
	atomic_init(&slot->pins[0], 0);
	atomic_init(&slot->pins[1], 0);
	pthread_mutex_init(&slot->swap_lock, NULL);
	return slot;
}

void canh_ipset_slot_free(struct canh_ipset_slot *slot)
{
	if (!slot)
		return;
	set_put(atomic_load(&slot->sets[0]));
	set_put(atomic_load(&slot->sets[1]));
	pthread_mutex_destroy(&slot->swap_lock);
	free(slot);
}

const struct canh_ipset *canh_ipset_slot_acquire(struct canh_ipset_slot *slot)
{
	for (;;) {
		unsigned i = atomic_load(&slot->idx);
		atomic_fetch_add(&slot->pins[i], 1);
		if (atomic_load(&slot->idx) != i) {
			/* A swap flipped the index meanwhile: retry on the new one. */
			atomic_fetch_sub(&slot->pins[i], 1);
			continue;
		}
		struct canh_ipset *s = atomic_load(&slot->sets[i]);
		if (s)
			atomic_fetch_add(&s->users, 1);
		atomic_fetch_sub(&slot->pins[i], 1);
		return s;
	}
}

void canh_ipset_slot_release(struct canh_ipset_slot *slot, const struct canh_ipset *set)
{
	(void)slot;
	/* The set is only const to the reader; its counter is the slot's business. */
	set_put((struct canh_ipset *)set);
}

static void wait_unpinned(atomic_ulong *pins)
{
	while (atomic_load(pins) != 0)
		sched_yield();
}

void canh_ipset_slot_swap(struct canh_ipset_slot *slot, struct canh_ipset *set)
{
	if (set)
		atomic_store(&set->users, 1);
	pthread_mutex_lock(&slot->swap_lock);
	unsigned i = atomic_load(&slot->idx), j = i ^ 1u;
	/* Readers on j saw a stale index and are backing off without reading. */
	wait_unpinned(&slot->pins[j]);
	atomic_store(&slot->sets[j], set);
	atomic_store(&slot->idx, j);
	wait_unpinned(&slot->pins[i]);
	struct canh_ipset *old = atomic_exchange(&slot->sets[i], NULL);
	pthread_mutex_unlock(&slot->swap_lock);
	set_put(old);
}
