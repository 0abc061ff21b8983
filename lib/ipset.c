/*
 * IPv4/IPv6 sets as sorted disjoint intervals behind a bucket index.
 *
 * Build: the entries of one family are cut at every boundary (each lo and
 * hi + 1) into disjoint pieces; a sweep over the boundaries keeps the
 * entries covering the current piece ordered by (size, order added), so each
 * piece knows its most specific entry and the full list of covering entries.
 * A piece covered by one entry stores that entry's ref directly; a piece
 * covered by several stores (top bit set) an index into a table of lists.
 * Adjacent pieces with the same list share it.
 *
 * Index: the address space of a family is divided into 2^bits buckets and
 * the pieces are also cut at bucket boundaries.
 *
 * IPv4 (17 to 20 bits, two to four pieces a bucket): one 64-bit word a bucket.
 * A bucket with no piece or one piece is answered from that word alone (the
 * piece's start and end offsets and its value are inline): one memory
 * access. A bucket with more pieces points to a run: its keys (start << 16 |
 * end, offsets in the bucket, < 2^15), then their values, adjacent, so the
 * second access is one or two cache lines. The keys of a run of up to 8
 * pieces are counted with two SSE2 compares and a movemask; longer runs
 * (rare) with a binary search. The processor predicts whether the word holds
 * a run: a branch here measured faster than masks (14-22 against 9-12 M/s
 * one at a time, under load), as the prediction lets consecutive lookups
 * overlap their memory accesses. The
 * measured alternatives: a binary search over all intervals, and a hash
 * table per prefix length. The previous layout (a uint32 bucket index, then
 * keys, then values) needed two to three dependent accesses for every
 * lookup.
 *
 * IPv6: the buckets cover the bits that follow the prefix all IPv6 pieces
 * share (so that addresses inside 2000::/3 still spread over the whole
 * index); the count runs over the upper halves of the starts, the rest of a
 * piece is in a 32-byte record read once.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "canh/ipset.h"
#include "canh/mem.h"

typedef unsigned __int128 u128;

#define MULTI_BIT 0x80000000u
#define MIN_BITS 16u
#define MAX_BITS 20u
/* Pieces a lookup compares without a branch; bigger buckets are searched. */
#define SCAN 8u
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

struct rec6 {
	uint64_t start_lo, end_hi, end_lo;
	uint32_t val;
};

struct canh_ipset {
	atomic_size_t users; /* references while held by a slot */
	size_t entries;
	/*
	 * IPv4: dir4[a >> shift4] describes the bucket of a: no piece, one
	 * piece (inline) or a run of pieces in run4 (see DIR_RUN). run4 has
	 * SCAN spare entries at the end, so that the scan may read past the
	 * last run.
	 */
	uint64_t *dir4;
	uint32_t *run4;
	size_t nrun4;
	size_t n4;
	unsigned bits4, shift4;
	uint32_t low4;
	/*
	 * IPv6: all pieces share the top v6_common bits (v6_prefix, the rest
	 * zero); bucket b = the bits6 bits after them. hi6 are the upper halves
	 * of the starts, with SCAN spare entries.
	 */
	uint32_t *idx6;
	uint64_t *hi6;
	struct rec6 *rec6;
	size_t n6;
	unsigned bits6, v6_common;
	u128 v6_prefix;
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

/* The sorted distinct boundaries of one family: 32-bit for IPv4 (in the upper halves), else 128. */
struct points {
	uint64_t *p4;
	u128 *p6;
	size_t n;
};

static inline u128 point_at(const struct points *pts, size_t k)
{
	return pts->p4 ? (u128)(pts->p4[k] >> 32) : pts->p6[k];
}

/* Stable LSD radix sort of v[0..n) by bits 32..63; tmp holds n values. */
static void radix_hi32(uint64_t *v, uint64_t *tmp, size_t n)
{
	size_t count[256];
	for (unsigned shift = 32; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(v[i] >> shift) & 0xff]++;
		size_t sum = 0;
		for (size_t b = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
		uint64_t *t = v;
		v = tmp;
		tmp = t;
	}
	/* Four passes: the result is back in the caller's v. */
}

static int cmp_u128(const void *pa, const void *pb)
{
	u128 a = *(const u128 *)pa, b = *(const u128 *)pb;
	return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_order(const void *pa, const void *pb, void *ctx)
{
	const struct entry *v = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	if (v[a].lo != v[b].lo)
		return v[a].lo < v[b].lo ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * order: the entries by lo (ties in the order added); pts: every lo and hi + 1,
 * sorted, each once. IPv4 sorts 32-bit keys by radix, IPv6 with qsort.
 */
static void sort_entries(const struct ebuf *e, int fam, uint32_t *order, struct points *pts)
{
	const u128 max = fam_max(fam);
	size_t n = e->n, np = 0;

	if (fam == 0) {
		uint64_t *v = canh_xmalloc(2 * n * sizeof(*v)),
			 *tmp = canh_xmalloc(2 * n * sizeof(*tmp));
		for (size_t i = 0; i < n; i++)
			v[i] = (uint64_t)e->v[i].lo << 32 | i;
		radix_hi32(v, tmp, n);
		for (size_t i = 0; i < n; i++)
			order[i] = (uint32_t)v[i];
		for (size_t i = 0; i < n; i++) {
			v[np++] = (uint64_t)e->v[i].lo << 32;
			if (e->v[i].hi != max)
				v[np++] = (uint64_t)(e->v[i].hi + 1) << 32;
		}
		radix_hi32(v, tmp, np);
		size_t u = 0;
		for (size_t i = 0; i < np; i++)
			if (u == 0 || v[u - 1] != v[i])
				v[u++] = v[i];
		free(tmp);
		pts->p4 = v;
		pts->n = u;
		return;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), cmp_order, e->v);
	u128 *p = canh_xmalloc(2 * n * sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		p[np++] = e->v[i].lo;
		if (e->v[i].hi != max)
			p[np++] = e->v[i].hi + 1;
	}
	qsort(p, np, sizeof(*p), cmp_u128);
	size_t u = 0;
	for (size_t i = 0; i < np; i++)
		if (u == 0 || p[u - 1] != p[i])
			p[u++] = p[i];
	pts->p6 = p;
	pts->n = u;
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
	const struct entry **act = NULL;
	uint32_t *order = NULL;
	struct points pts = {0};
	size_t nact = 0, ei = 0, budget = 0;
	bool have_prev = false;
	u128 prev_hi = 0;
	uint32_t prev_val = 0;
	int rc = 0;

	if (e->n == 0)
		return 0;
	order = canh_xmalloc(e->n * sizeof(*order));
	sort_entries(e, fam, order, &pts);
	size_t np = pts.n;
	act = canh_xmalloc(e->n * sizeof(*act));

	for (size_t k = 0; k < np; k++) {
		u128 p = point_at(&pts, k);
		u128 q = k + 1 < np ? point_at(&pts, k + 1) - 1 : max;

		/* Drop the entries that ended before p, keeping the order. */
		size_t w = 0;
		for (size_t i = 0; i < nact; i++)
			if (act[i]->hi >= p)
				act[w++] = act[i];
		nact = w;
		/* Add the entries starting at p in order of specificity. */
		while (ei < e->n && e->v[order[ei]].lo == p) {
			const struct entry *n = &e->v[order[ei++]];
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
	free(pts.p4);
	free(pts.p6);
	free(order);
	free(act);
	return rc;
}

struct raw4 {
	struct u32buf lo, hi, val;
};

static void emit_v4(void *ctx, u128 lo, u128 hi, uint32_t val)
{
	struct raw4 *r = ctx;
	u32_push(&r->lo, (uint32_t)lo);
	u32_push(&r->hi, (uint32_t)hi);
	u32_push(&r->val, val);
}

struct raw6 {
	struct u128buf lo, hi;
	struct u32buf val;
};

static void emit_v6(void *ctx, u128 lo, u128 hi, uint32_t val)
{
	struct raw6 *r = ctx;
	u128_push(&r->lo, lo);
	u128_push(&r->hi, hi);
	u32_push(&r->val, val);
}

/* Index bits for n pieces: about two pieces a bucket, within MIN_BITS..MAX_BITS. */
static unsigned index_bits(size_t n)
{
	unsigned bits = MIN_BITS;
	while (bits < MAX_BITS && ((size_t)1 << (bits + 2)) <= n)
		bits++;
	return bits;
}

/* idx[b] = sum of count[0..b-1], for b = 0..nb; count is freed. */
static uint32_t *prefix_sums(uint32_t *count, size_t nb)
{
	uint32_t *idx = canh_xmalloc((nb + 1) * sizeof(*idx));
	uint32_t acc = 0;
	for (size_t b = 0; b < nb; b++) {
		idx[b] = acc;
		acc += count[b];
	}
	idx[nb] = acc;
	free(count);
	return idx;
}

/*
 * IPv4 index bits for n pieces: two to four pieces a bucket, within
 * MIN_BITS4..MAX_BITS. At least 17 bits, so that a bucket offset fits in 15
 * bits and a piece fits inline in a 64-bit bucket word (DIR_RUN).
 */
#define MIN_BITS4 17u

static unsigned index_bits4(size_t n)
{
	unsigned bits = MIN_BITS4;
	while (bits < MAX_BITS && ((size_t)1 << (bits + 2)) < n)
		bits++;
	return bits;
}

/*
 * A bucket word of dir4: with DIR_RUN, a run of n pieces (n in bits 32..47)
 * at run4[off] (off in bits 0..31): n keys ((start << 16) | end, offsets in
 * the bucket, each below 2^15, so the keys compare as signed 32-bit), then
 * their n values. Without it, one piece inline: value in bits 0..31, start
 * offset in bits 32..47, end offset in bits 48..62; an empty bucket has the
 * start DIR_NONE, above any offset.
 */
#define DIR_RUN (1ull << 63)
#define DIR_NONE 0xffffull
#define DIR_EMPTY (DIR_NONE << 32)

/* Cut the IPv4 pieces at bucket boundaries, pack and index them. */
static void finish_v4(struct canh_ipset *s, const struct raw4 *r)
{
	size_t n = r->lo.n, nb, total = 0;

	if (n == 0) /* no index: lookups check n4 */
		return;
	s->bits4 = index_bits4(n);
	s->shift4 = 32 - s->bits4;
	s->low4 = (uint32_t)((1ull << s->shift4) - 1);
	nb = (size_t)1 << s->bits4;
	uint32_t *count = canh_xcalloc(nb, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint32_t b0 = r->lo.v[i] >> s->shift4, b1 = r->hi.v[i] >> s->shift4;
		for (uint32_t b = b0;; b++) {
			count[b]++;
			total++;
			if (b == b1)
				break;
		}
	}
	uint32_t *idx = prefix_sums(count, nb);
	uint32_t *key = canh_xmalloc(total * sizeof(*key)),
		 *val = canh_xmalloc(total * sizeof(*val));
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t lo = r->lo.v[i], hi = r->hi.v[i];
		for (;;) {
			uint32_t bend = lo | s->low4, t = hi < bend ? hi : bend;
			key[w] = (lo & s->low4) << 16 | (t & s->low4);
			val[w++] = r->val.v[i];
			if (t == hi)
				break;
			lo = t + 1;
		}
	}
	size_t nrun = 0;
	for (size_t b = 0; b < nb; b++)
		if (idx[b + 1] - idx[b] > 1)
			nrun += 2 * (size_t)(idx[b + 1] - idx[b]);
	s->dir4 = canh_xmalloc(nb * sizeof(*s->dir4));
	s->run4 = canh_xcalloc(nrun + SCAN, sizeof(*s->run4));
	size_t off = 0;
	for (size_t b = 0; b < nb; b++) {
		uint32_t k = idx[b], m = idx[b + 1] - k;
		if (m == 0) {
			s->dir4[b] = DIR_EMPTY;
		} else if (m == 1) {
			s->dir4[b] = (uint64_t)(key[k] & 0xffffu) << 48 |
				     (uint64_t)(key[k] >> 16) << 32 | val[k];
		} else {
			s->dir4[b] = DIR_RUN | (uint64_t)m << 32 | off;
			memcpy(s->run4 + off, key + k, m * sizeof(*key));
			memcpy(s->run4 + off + m, val + k, m * sizeof(*val));
			off += 2 * (size_t)m;
		}
	}
	free(idx);
	free(key);
	free(val);
	s->nrun4 = nrun;
	s->n4 = total;
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

static inline uint32_t bucket6(const struct canh_ipset *s, u128 x)
{
	return (uint32_t)((x << s->v6_common) >> (128 - s->bits6));
}

/* The same for IPv6, after the shared prefix. */
static void finish_v6(struct canh_ipset *s, const struct raw6 *r)
{
	size_t n = r->lo.n, nb, total = 0;

	if (n == 0)
		return;
	s->bits6 = index_bits(n);
	if (n > 0) {
		unsigned common = clz128(r->lo.v[0] ^ r->hi.v[n - 1]);
		if (common > 128 - s->bits6)
			common = 128 - s->bits6;
		s->v6_common = common;
		s->v6_prefix = common == 0 ? 0 : (r->lo.v[0] >> (128 - common)) << (128 - common);
	}
	/* Addresses in one bucket agree on all bits above `below`. */
	unsigned below = 128 - s->v6_common - s->bits6;
	u128 lowmask = below == 0 ? 0 : (((u128)1 << below) - 1);
	nb = (size_t)1 << s->bits6;
	uint32_t *count = canh_xcalloc(nb, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint32_t b0 = bucket6(s, r->lo.v[i]), b1 = bucket6(s, r->hi.v[i]);
		count[b0]++;
		for (uint32_t b = b0; b < b1; b++) {
			count[b + 1]++;
			total++;
		}
		total++;
	}
	s->idx6 = prefix_sums(count, nb);
	s->hi6 = canh_xcalloc(total + SCAN, sizeof(*s->hi6));
	s->rec6 = canh_xcalloc(total + SCAN, sizeof(*s->rec6));
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		u128 lo = r->lo.v[i], hi = r->hi.v[i];
		for (;;) {
			u128 bend = lo | lowmask, t = hi < bend ? hi : bend;
			s->hi6[w] = (uint64_t)(lo >> 64);
			s->rec6[w++] = (struct rec6){.start_lo = (uint64_t)lo,
						     .end_hi = (uint64_t)(t >> 64),
						     .end_lo = (uint64_t)t,
						     .val = r->val.v[i]};
			if (t == hi)
				break;
			lo = t + 1;
		}
	}
	s->n6 = total;
}

int canh_ipset_build(struct canh_ipset_builder *b, struct canh_ipset **out, struct canh_errmsg *err)
{
	struct canh_ipset *s = NULL;
	struct sweep_out so = {0};
	struct raw4 r4 = {0};
	struct raw6 r6 = {0};
	int rc;

	if (out)
		*out = NULL;
	if (!b || !out) {
		canh_ipset_builder_free(b);
		return CANH_EINVAL;
	}
	s = canh_xcalloc(1, sizeof(*s));
	s->entries = b->fam[0].n + b->fam[1].n;

	if ((rc = sweep(&b->fam[0], 0, &so, emit_v4, &r4, err)) != 0)
		goto out;
	if ((rc = sweep(&b->fam[1], 1, &so, emit_v6, &r6, err)) != 0)
		goto out;
	/* Cutting at bucket boundaries adds at most one piece per bucket. */
	if (r4.lo.n > UINT32_MAX / 2 || r6.lo.n > UINT32_MAX / 2) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "too many disjoint pieces");
		goto out;
	}
	finish_v4(s, &r4);
	finish_v6(s, &r6);
	if (so.multi.n) {
		s->multi = canh_xrealloc(so.multi.v, so.multi.n * sizeof(uint32_t));
		s->pool = canh_xrealloc(so.pool.v, so.pool.n * sizeof(uint32_t));
		s->nmulti = so.multi.n / 2;
		s->npool = so.pool.n;
		so.multi.v = so.pool.v = NULL;
	}
	s->bytes = sizeof(*s) + s->nmulti * 2 * sizeof(uint32_t) + s->npool * sizeof(uint32_t);
	if (s->dir4)
		s->bytes += ((size_t)1 << s->bits4) * sizeof(uint64_t) +
			    (s->nrun4 + SCAN) * sizeof(uint32_t);
	if (s->idx6)
		s->bytes += (((size_t)1 << s->bits6) + 1) * sizeof(uint32_t) +
			    (s->n6 + SCAN) * (sizeof(uint64_t) + sizeof(struct rec6));
	atomic_init(&s->users, 1);
	*out = s;
	s = NULL;
	rc = 0;
out:
	free(r4.lo.v);
	free(r4.hi.v);
	free(r4.val.v);
	free(r6.lo.v);
	free(r6.hi.v);
	free(r6.val.v);
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
	free(s->dir4);
	free(s->run4);
	free(s->idx6);
	free(s->hi6);
	free(s->rec6);
	free(s->multi);
	free(s->pool);
	free(s);
}

/* ---- lookups ---- */

/* How many of the n sorted keys k[] are <= t, n > SCAN. */
static uint32_t count_le(const uint32_t *k, uint32_t n, uint32_t t)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (k[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Eight zero keys: the run an inline bucket "scans", in a line that stays cached. */
static const uint32_t no_run[SCAN] __attribute__((aligned(32)));

/*
 * How many of the first n (<= SCAN) of the sorted keys k[0..SCAN) are <= t:
 * the position of the first key above t, or n. Keys past n may be anything.
 */
static inline uint32_t count_scan(const uint32_t *k, uint32_t n, uint32_t t)
{
#ifdef __SSE2__
	/* Keys and t are below 2^31: a signed comparison is right. */
	__m128i tv = _mm_set1_epi32((int)t);
	__m128i g0 = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *)k), tv);
	__m128i g1 = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *)(k + 4)), tv);
	uint32_t gt = (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(g0)) |
		      (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(g1)) << 4;
	return (uint32_t)__builtin_ctz(gt | 1u << n);
#else
	uint32_t c = 0;
	for (uint32_t i = 0; i < SCAN; i++)
		c += (i < n) & (k[i] <= t);
	return c;
#endif
}

/*
 * The value of the piece of the bucket word d holding the address with
 * offset low in the bucket; *hit tells whether one holds it. An inline
 * piece or an empty bucket is answered from d alone: no branch, and the
 * scan then reads no_run, so there is no second memory access to wait for.
 */
static inline uint32_t piece4(const struct canh_ipset *s, uint64_t d, uint32_t low, bool *hit)
{
	bool run = d >> 63;
	uint32_t n = run ? (uint32_t)(d >> 32) & 0xffffu : 0;
	const uint32_t *k = run ? s->run4 + (uint32_t)d : no_run;
	uint32_t t = low << 16 | 0xffffu, c;
	if (__builtin_expect(n <= SCAN, 1))
		c = count_scan(k, n, t);
	else
		c = count_le(k, n, t);
	uint32_t i = c - (c > 0);
	bool rhit = (c > 0) & ((k[i] & 0xffffu) >= low);
	uint32_t rval = k[n + i];
	uint32_t st = (uint32_t)(d >> 32) & 0xffffu, en = (uint32_t)(d >> 48) & 0x7fffu;
	bool ihit = (st <= low) & (low <= en);
	*hit = run ? rhit : ihit;
	return run ? rval : (uint32_t)d;
}

static inline bool find4(const struct canh_ipset *s, uint32_t a, uint32_t *val)
{
	if (__builtin_expect(s->n4 == 0, 0)) {
		*val = 0;
		return false;
	}
	bool hit;
	*val = piece4(s, s->dir4[a >> s->shift4], a & s->low4, &hit);
	return hit;
}

static inline bool find6(const struct canh_ipset *s, u128 x, uint32_t *val)
{
	unsigned c = s->v6_common;
	if (s->n6 == 0 || (c > 0 && (x >> (128 - c)) << (128 - c) != s->v6_prefix))
		return false;
	uint64_t xh = (uint64_t)(x >> 64), xl = (uint64_t)x;
	uint32_t b = bucket6(s, x);
	uint32_t base = s->idx6[b], n = s->idx6[b + 1] - base, cnt = 0;
	const uint64_t *k = s->hi6 + base;
	if (n <= SCAN) {
		for (uint32_t i = 0; i < SCAN; i++)
			cnt += (i < n) & (k[i] <= xh);
	} else {
		uint32_t lo = 0, hi = n;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (k[mid] <= xh)
				lo = mid + 1;
			else
				hi = mid;
		}
		cnt = lo;
	}
	/* Pieces with the same upper half (one /64): back to the last starting at or before x. */
	while (cnt > 0 && k[cnt - 1] == xh && s->rec6[base + cnt - 1].start_lo > xl)
		cnt--;
	if (cnt == 0)
		return false;
	const struct rec6 *r = &s->rec6[base + cnt - 1];
	if (r->end_hi < xh || (r->end_hi == xh && r->end_lo < xl))
		return false;
	*val = r->val;
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
	if (!s)
		return false;
	/* No branch on the answer: the caller's next lookup can start meanwhile. */
	bool hit = find4(s, addr, &val);
	uint32_t m = 0u - (uint32_t)hit;
	val &= m;
	if (ref)
		*ref = (best_ref(s, val) & m) | (*ref & ~m);
	return hit;
}

/*
 * A software pipeline over the addresses: while address i is finished,
 * i + DIST has its bucket word read (and its run, if any, prefetched) and
 * i + 2 DIST its bucket word prefetched. The cache misses of about 2 DIST
 * lookups are in flight at once instead of following one another.
 */
#define DIST 16
#define RING 32 /* >= 2 DIST, a power of two */

size_t canh_ipset_lookup_v4_many(const struct canh_ipset *s, const uint32_t *addrs, size_t n,
				 uint32_t *refs)
{
	uint64_t dir[RING];
	size_t hits = 0;

	if (!s || s->n4 == 0) {
		for (size_t i = 0; i < n; i++)
			refs[i] = CANH_IPSET_NOREF;
		return 0;
	}
	for (size_t i = 0; i < n + 2 * DIST; i++) {
		if (i < n)
			__builtin_prefetch(&s->dir4[addrs[i] >> s->shift4]);
		if (i >= DIST && i - DIST < n) {
			size_t j = i - DIST;
			uint64_t d = s->dir4[addrs[j] >> s->shift4];
			dir[j % RING] = d;
			const uint32_t *k = d >> 63 ? s->run4 + (uint32_t)d : no_run;
			__builtin_prefetch(k);
			__builtin_prefetch(k + 2 * SCAN - 1);
		}
		if (i >= 2 * DIST) {
			size_t j = i - 2 * DIST;
			bool hit;
			uint32_t val = piece4(s, dir[j % RING], addrs[j] & s->low4, &hit);
			uint32_t mask = 0u - (uint32_t)hit;
			refs[j] = (best_ref(s, val & mask) & mask) | (CANH_IPSET_NOREF & ~mask);
			hits += hit;
		}
	}
	return hits;
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
