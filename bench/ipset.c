/*
 * ipset lookups per second and memory, beside the two obvious alternatives,
 * in the same run on the same data:
 *
 *   - canh ipset: disjoint intervals behind a 2^17 to 2^20 bucket index of
 *     64-bit words, an empty or one-piece bucket answered from its word, a
 *     longer one from a run of keys and values (lib/ipset.c);
 *   - a hash table: exact addresses and, for CIDRs, one hash table per prefix
 *     length, probed from the longest length present to the shortest;
 *   - a sorted array: the entries merged into disjoint intervals (what
 *     grepcidr does), a binary search over all of them.
 *
 * Data: 1 M random addresses and 100 k CIDRs with a prefix mix like
 * Spamhaus DROP's (/8 to /24, most of them /22 to /24); 10 M lookups, 30 %
 * of them drawn from inside an entry, the rest uniformly random. The same for
 * IPv6 (addresses and /32 to /64 networks inside 2000::/3). One thread.
 *
 *   bench_ipset [ENTRIES_MILLIONS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/ipset.h"

typedef unsigned __int128 u128;

#define NQUERIES 10000000u
#define HIT_PERCENT 30u

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Lookup loops are timed in CPU time of the thread, best of REPS runs: on a
 * shared machine wall time also counts the time other processes had the core.
 */
#define REPS 3

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define TIMED(rate, body)                                                                          \
	do {                                                                                       \
		double best_ = 1e30;                                                               \
		for (int rep_ = 0; rep_ < REPS; rep_++) {                                          \
			double t_ = cpu_now();                                                     \
			body;                                                                      \
			t_ = cpu_now() - t_;                                                       \
			if (t_ < best_)                                                            \
				best_ = t_;                                                        \
		}                                                                                  \
		(rate) = NQUERIES / best_;                                                         \
	} while (0)

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* Prefix lengths with weights (per 10000), DROP-like for IPv4. */
struct mix {
	unsigned prefix, weight;
};
static const struct mix mix4[] = {
    {8, 1},   {10, 1},	 {11, 2},   {12, 3},   {13, 5},	  {14, 8},    {15, 15},	  {16, 60},
    {17, 80}, {18, 150}, {19, 300}, {20, 600}, {21, 800}, {22, 2000}, {23, 1500}, {24, 4475},
};
static const struct mix mix6[] = {
    {32, 500}, {36, 200}, {40, 300}, {44, 500}, {48, 5000}, {56, 1000}, {64, 2500},
};

static unsigned pick_prefix(const struct mix *m, size_t n)
{
	unsigned r = (unsigned)(rnd() % 10000), acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += m[i].weight;
		if (r < acc)
			return m[i].prefix;
	}
	return m[n - 1].prefix;
}

struct ent {
	u128 lo, hi;
	unsigned prefix;
	uint32_t ref;
};

/* ---- hash table per prefix length ---- */

struct htab {
	u128 *keys;
	uint32_t *refs; /* UINT32_MAX = empty */
	size_t mask;
	unsigned prefix;
};

struct htab4 {
	uint32_t *keys;
	uint32_t *refs;
	size_t mask;
	uint32_t netmask;
};

struct hashset {
	struct htab t[129];
	struct htab4 t4[33]; /* the same for IPv4 with 32-bit keys */
	unsigned lens[129];  /* present prefix lengths, longest first */
	unsigned nlens;
	unsigned bits;
	size_t bytes;
};

static inline size_t hkey(u128 k)
{
	uint64_t x = (uint64_t)k ^ (uint64_t)(k >> 64) * 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (size_t)x;
}

static void hash_build(struct hashset *h, const struct ent *e, size_t n, unsigned bits)
{
	size_t count[129] = {0};
	memset(h, 0, sizeof(*h));
	h->bits = bits;
	for (size_t i = 0; i < n; i++)
		count[e[i].prefix]++;
	for (int p = (int)bits; p >= 0; p--) {
		if (!count[p])
			continue;
		struct htab *t = &h->t[p];
		size_t cap = 16;
		while (cap < count[p] * 2)
			cap *= 2;
		t->keys = calloc(cap, sizeof(*t->keys));
		t->refs = malloc(cap * sizeof(*t->refs));
		memset(t->refs, 0xff, cap * sizeof(*t->refs));
		t->mask = cap - 1;
		t->prefix = (unsigned)p;
		h->lens[h->nlens++] = (unsigned)p;
		h->bytes += cap * (sizeof(*t->keys) + sizeof(*t->refs));
	}
	for (size_t i = 0; i < n; i++) {
		struct htab *t = &h->t[e[i].prefix];
		size_t j = hkey(e[i].lo) & t->mask;
		while (t->refs[j] != UINT32_MAX && t->keys[j] != e[i].lo)
			j = (j + 1) & t->mask;
		if (t->refs[j] == UINT32_MAX) { /* the first of duplicates is kept */
			t->keys[j] = e[i].lo;
			t->refs[j] = e[i].ref;
		}
	}
}

static inline size_t hkey4(uint32_t k)
{
	uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 32);
}

/* IPv4 copies of the tables, 8 bytes a slot instead of 20. */
static void hash4_from(struct hashset *h)
{
	h->bytes = 0;
	for (unsigned i = 0; i < h->nlens; i++) {
		unsigned p = h->lens[i];
		struct htab *t = &h->t[p];
		struct htab4 *t4 = &h->t4[p];
		size_t cap = t->mask + 1;
		t4->keys = calloc(cap, sizeof(*t4->keys));
		t4->refs = malloc(cap * sizeof(*t4->refs));
		memset(t4->refs, 0xff, cap * sizeof(*t4->refs));
		t4->mask = t->mask;
		t4->netmask = p == 0 ? 0 : ~0u << (32 - p);
		h->bytes += cap * (sizeof(*t4->keys) + sizeof(*t4->refs));
		for (size_t j = 0; j < cap; j++) {
			if (t->refs[j] == UINT32_MAX)
				continue;
			uint32_t k = (uint32_t)t->keys[j];
			size_t x = hkey4(k) & t4->mask;
			while (t4->refs[x] != UINT32_MAX)
				x = (x + 1) & t4->mask;
			t4->keys[x] = k;
			t4->refs[x] = t->refs[j];
		}
		free(t->keys);
		free(t->refs);
		t->keys = NULL;
		t->refs = NULL;
	}
}

static inline bool hash4_lookup(const struct hashset *h, uint32_t a, uint32_t *ref)
{
	for (unsigned i = 0; i < h->nlens; i++) {
		const struct htab4 *t = &h->t4[h->lens[i]];
		uint32_t k = a & t->netmask;
		size_t j = hkey4(k) & t->mask;
		while (t->refs[j] != UINT32_MAX) {
			if (t->keys[j] == k) {
				*ref = t->refs[j];
				return true;
			}
			j = (j + 1) & t->mask;
		}
	}
	return false;
}

static inline u128 net_of(u128 a, unsigned prefix, unsigned bits)
{
	if (prefix == 0)
		return 0;
	u128 host = prefix >= bits ? 0 : (((u128)1 << (bits - prefix)) - 1);
	return a & ~host;
}

static inline bool hash_lookup(const struct hashset *h, u128 a, uint32_t *ref)
{
	for (unsigned i = 0; i < h->nlens; i++) {
		const struct htab *t = &h->t[h->lens[i]];
		u128 k = net_of(a, t->prefix, h->bits);
		size_t j = hkey(k) & t->mask;
		while (t->refs[j] != UINT32_MAX) {
			if (t->keys[j] == k) {
				*ref = t->refs[j];
				return true;
			}
			j = (j + 1) & t->mask;
		}
	}
	return false;
}

static void hash_free(struct hashset *h)
{
	for (int p = 0; p <= 128; p++) {
		free(h->t[p].keys);
		free(h->t[p].refs);
	}
	for (int p = 0; p <= 32; p++) {
		free(h->t4[p].keys);
		free(h->t4[p].refs);
	}
}

/* ---- sorted array of merged intervals ---- */

struct sorted {
	u128 *lo, *hi;
	uint32_t *ref;
	size_t n, bytes;
};

static int cmp_ent(const void *pa, const void *pb)
{
	const struct ent *a = pa, *b = pb;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static void sorted_build(struct sorted *s, struct ent *e, size_t n)
{
	qsort(e, n, sizeof(*e), cmp_ent);
	s->lo = malloc(n * sizeof(*s->lo));
	s->hi = malloc(n * sizeof(*s->hi));
	s->ref = malloc(n * sizeof(*s->ref));
	s->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (s->n > 0 && e[i].lo <= s->hi[s->n - 1] + 1 && s->hi[s->n - 1] + 1 != 0) {
			if (e[i].hi > s->hi[s->n - 1])
				s->hi[s->n - 1] = e[i].hi;
			continue;
		}
		s->lo[s->n] = e[i].lo;
		s->hi[s->n] = e[i].hi;
		s->ref[s->n] = e[i].ref;
		s->n++;
	}
	s->bytes = s->n * (2 * sizeof(u128) + sizeof(uint32_t));
}

/* The IPv4 variant keeps 32-bit keys, as any IPv4-only implementation would. */
struct sorted4 {
	uint32_t *lo, *hi, *ref;
	size_t n, bytes;
};

static void sorted4_from(struct sorted4 *s4, const struct sorted *s)
{
	s4->n = s->n;
	s4->lo = malloc(s->n * sizeof(uint32_t));
	s4->hi = malloc(s->n * sizeof(uint32_t));
	s4->ref = malloc(s->n * sizeof(uint32_t));
	for (size_t i = 0; i < s->n; i++) {
		s4->lo[i] = (uint32_t)s->lo[i];
		s4->hi[i] = (uint32_t)s->hi[i];
		s4->ref[i] = s->ref[i];
	}
	s4->bytes = s->n * 3 * sizeof(uint32_t);
}

static inline bool sorted4_lookup(const struct sorted4 *s, uint32_t a, uint32_t *ref)
{
	if (s->n == 0 || a < s->lo[0])
		return false;
	const uint32_t *base = s->lo;
	size_t n = s->n;
	while (n > 1) {
		size_t half = n / 2;
		base = base[half] <= a ? base + half : base;
		n -= half;
	}
	size_t i = (size_t)(base - s->lo);
	if (a > s->hi[i])
		return false;
	*ref = s->ref[i];
	return true;
}

static inline bool sorted_lookup(const struct sorted *s, u128 a, uint32_t *ref)
{
	if (s->n == 0 || a < s->lo[0])
		return false;
	const u128 *base = s->lo;
	size_t n = s->n;
	while (n > 1) {
		size_t half = n / 2;
		base = base[half] <= a ? base + half : base;
		n -= half;
	}
	size_t i = (size_t)(base - s->lo);
	if (a > s->hi[i])
		return false;
	*ref = s->ref[i];
	return true;
}

/* ---- the run ---- */

static struct canh_ipaddr to_ip(int v6, u128 v)
{
	struct canh_ipaddr a;
	memset(&a, 0, sizeof(a));
	a.family = v6 ? 6 : 4;
	unsigned n = v6 ? 16 : 4;
	for (unsigned i = 0; i < n; i++)
		a.bytes[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return a;
}

static u128 rand_addr(int v6)
{
	if (!v6)
		return (uint32_t)rnd();
	/* Inside 2000::/3, where the routed IPv6 addresses are. */
	u128 v = ((u128)rnd() << 64) | rnd();
	return (v >> 3) | ((u128)1 << 125);
}

struct result {
	const char *name;
	double build_s, lookups_s;
	size_t bytes;
	size_t hits;
};

/* The first ncanh rows are canh's; the others get "canh is N x faster" against canh's best. */
static void print_results(const struct result *r, size_t n, size_t ncanh)
{
	double best = 0;
	for (size_t i = 0; i < ncanh; i++)
		if (r[i].lookups_s > best)
			best = r[i].lookups_s;
	printf("  %-40s %8s %11s %12s %13s\n", "engine", "build s", "memory MiB", "M lookups/s",
	       "canh faster");
	for (size_t i = 0; i < n; i++) {
		char ratio[32];
		if (i < ncanh)
			snprintf(ratio, sizeof(ratio), "-");
		else
			snprintf(ratio, sizeof(ratio), "%.2fx", best / r[i].lookups_s);
		printf("  %-40s %8.3f %11.1f %12.1f %13s\n", r[i].name, r[i].build_s,
		       mib(r[i].bytes), r[i].lookups_s / 1e6, ratio);
	}
}

static int run(int v6, size_t nips, size_t ncidrs)
{
	const unsigned bits = v6 ? 128 : 32;
	size_t n = nips + ncidrs;
	struct ent *e = malloc(n * sizeof(*e));
	struct result res[4];
	double many_s = 0;
	uint32_t ref;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned p = i < nips ? bits
				      : (v6 ? pick_prefix(mix6, sizeof(mix6) / sizeof(mix6[0]))
					    : pick_prefix(mix4, sizeof(mix4) / sizeof(mix4[0])));
		u128 host = p >= bits ? 0 : (((u128)1 << (bits - p)) - 1);
		u128 lo = rand_addr(v6) & ~host;
		e[i] = (struct ent){lo, lo | host, p, (uint32_t)i};
	}

	/* Queries: HIT_PERCENT from inside a random entry, the rest uniform. */
	u128 *q = malloc(NQUERIES * sizeof(*q));
	for (size_t i = 0; i < NQUERIES; i++) {
		if (rnd() % 100 < HIT_PERCENT) {
			const struct ent *x = &e[rnd() % n];
			u128 span = x->hi - x->lo;
			q[i] = x->lo + (span ? (((u128)rnd() << 64 | rnd()) % (span + 1)) : 0);
		} else {
			q[i] = rand_addr(v6);
		}
	}

	/* canh ipset. */
	double t0 = now();
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	for (size_t i = 0; i < n; i++) {
		struct canh_ipaddr lo = to_ip(v6, e[i].lo), hi = to_ip(v6, e[i].hi);
		if (canh_ipset_add_range(b, &lo, &hi, e[i].ref) != 0) {
			fprintf(stderr, "add failed\n");
			return 1;
		}
	}
	struct canh_ipset *set;
	struct canh_errmsg em;
	if (canh_ipset_build(b, &set, &em) != 0) {
		fprintf(stderr, "build: %s\n", em.text);
		return 1;
	}
	res[0].build_s = now() - t0;
	struct canh_ipset_stats st;
	canh_ipset_stats(set, &st);
	res[0].name = v6 ? "canh ipset (lookup)" : "canh ipset, one at a time (lookup_v4)";
	res[0].bytes = st.bytes;

	/* canh's answers, for the check; touched first so that page faults stay off the clock. */
	uint32_t *qref = malloc(NQUERIES * sizeof(*qref));
	memset(qref, 0, NQUERIES * sizeof(*qref));
	size_t hits = 0;
	if (!v6) {
		uint32_t *q4 = malloc(NQUERIES * sizeof(*q4));
		for (size_t i = 0; i < NQUERIES; i++)
			q4[i] = (uint32_t)q[i];
		TIMED(res[0].lookups_s, {
			hits = 0;
			for (size_t i = 0; i < NQUERIES; i++) {
				uint32_t r = UINT32_MAX;
				hits += canh_ipset_lookup_v4(set, q4[i], &r);
				qref[i] = r;
			}
		});
		/* The same through the batch call. */
		uint32_t *r4 = malloc(NQUERIES * sizeof(*r4));
		memset(r4, 0, NQUERIES * sizeof(*r4));
		size_t mh = 0;
		TIMED(many_s, mh = canh_ipset_lookup_v4_many(set, q4, NQUERIES, r4));
		size_t bad = mh != hits;
		for (size_t i = 0; i < NQUERIES; i++)
			bad += r4[i] != qref[i];
		if (bad) {
			fprintf(stderr, "lookup_v4_many and lookup_v4 disagree\n");
			rc = 1;
		}
		free(r4);
		free(q4);
	} else {
		/* Addresses as the API takes them, converted before the clock starts. */
		struct canh_ipaddr *qa = malloc(NQUERIES * sizeof(*qa));
		for (size_t i = 0; i < NQUERIES; i++)
			qa[i] = to_ip(1, q[i]);
		TIMED(res[0].lookups_s, {
			hits = 0;
			for (size_t i = 0; i < NQUERIES; i++) {
				uint32_t r = UINT32_MAX;
				hits += canh_ipset_lookup(set, &qa[i], &r);
				qref[i] = r;
			}
		});
		free(qa);
	}
	res[0].hits = hits;

	/* Hash per prefix length (32-bit keys for IPv4). */
	struct hashset *h = malloc(sizeof(*h));
	t0 = now();
	hash_build(h, e, n, bits);
	if (!v6)
		hash4_from(h);
	res[1].build_s = now() - t0;
	res[1].name = "hash per prefix length";
	res[1].bytes = h->bytes;
	size_t mism = 0;
	if (!v6) {
		uint32_t *q4 = malloc(NQUERIES * sizeof(*q4));
		for (size_t i = 0; i < NQUERIES; i++)
			q4[i] = (uint32_t)q[i];
		TIMED(res[1].lookups_s, {
			hits = mism = 0;
			for (size_t i = 0; i < NQUERIES; i++) {
				uint32_t r = UINT32_MAX;
				hits += hash4_lookup(h, q4[i], &r);
				mism += r != qref[i];
			}
		});
		free(q4);
	} else {
		TIMED(res[1].lookups_s, {
			hits = mism = 0;
			for (size_t i = 0; i < NQUERIES; i++) {
				uint32_t r = UINT32_MAX;
				hits += hash_lookup(h, q[i], &r);
				mism += r != qref[i];
			}
		});
	}
	res[1].hits = hits;
	if (mism) {
		fprintf(stderr, "hash and canh disagree on %zu answers\n", mism);
		rc = 1;
	}
	unsigned nlens = h->nlens;
	hash_free(h);
	free(h);

	/* Sorted array of merged intervals. */
	struct sorted s;
	struct sorted4 s4 = {0};
	t0 = now();
	sorted_build(&s, e, n);
	if (!v6)
		sorted4_from(&s4, &s);
	res[2].build_s = now() - t0;
	res[2].name = "sorted array, binary search";
	res[2].bytes = v6 ? s.bytes : s4.bytes;
	hits = 0;
	if (!v6) {
		uint32_t *q4 = malloc(NQUERIES * sizeof(*q4));
		for (size_t i = 0; i < NQUERIES; i++)
			q4[i] = (uint32_t)q[i];
		TIMED(res[2].lookups_s, {
			hits = 0;
			for (size_t i = 0; i < NQUERIES; i++)
				hits += sorted4_lookup(&s4, q4[i], &ref);
		});
		free(q4);
	} else {
		TIMED(res[2].lookups_s, {
			hits = 0;
			for (size_t i = 0; i < NQUERIES; i++)
				hits += sorted_lookup(&s, q[i], &ref);
		});
	}
	res[2].hits = hits;

	printf("%s: %zu addresses + %zu CIDRs (%u prefix lengths), %u lookups, %.1f%% hits; "
	       "canh: %zu disjoint intervals\n",
	       v6 ? "IPv6" : "IPv4", nips, ncidrs, nlens, NQUERIES,
	       100.0 * (double)res[0].hits / NQUERIES, v6 ? st.v6_intervals : st.v4_intervals);
	if (v6) {
		res[3] = res[2];
		res[2] = res[1];
		res[1] = res[0];
	} else {
		res[3] = res[2];
		res[2] = res[1];
		res[1] = res[0];
		res[1].name = "canh ipset, batches (lookup_v4_many)";
		res[1].lookups_s = many_s;
	}
	size_t ncanh = v6 ? 1 : 2;
	print_results(res + (v6 ? 1 : 0), v6 ? 3 : 4, ncanh);
	for (int i = 2; i < 4; i++)
		if (res[i].hits != res[0].hits) {
			fprintf(stderr, "%s found %zu hits, canh %zu\n", res[i].name, res[i].hits,
				res[0].hits);
			rc = 1;
		}
	printf("  answers: the three agree on every hit%s\n\n",
	       rc ? " -- NO, see above" : "; hash and canh on every ref (most specific)");

	canh_ipset_free(set);
	free(s.lo);
	free(s.hi);
	free(s.ref);
	free(s4.lo);
	free(s4.hi);
	free(s4.ref);
	free(qref);
	free(q);
	free(e);
	return rc;
}

int main(int argc, char **argv)
{
	double scale = 1.0;
	if (argc > 1) {
		char *end;
		scale = strtod(argv[1], &end);
		if (*end || scale <= 0 || scale > 20) {
			fprintf(stderr,
				"usage: bench_ipset [ENTRIES_MILLIONS (0..20, default 1)]\n");
			return 2;
		}
	}
	size_t nips = (size_t)(1000000 * scale), ncidrs = (size_t)(100000 * scale);
	int rc = run(0, nips, ncidrs);
	rc |= run(1, nips, ncidrs);
	return rc;
}
