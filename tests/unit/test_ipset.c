/*
 * Unit tests for lib/ipset.c: fixed cases for the boundaries, overlaps and
 * specificity rules, a randomised cross-check against a linear scan, and the
 * slot under concurrent readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/ipaddr.h"
#include "canh/ipset.h"

static struct canh_ipaddr ip(const char *s)
{
	struct canh_ipaddr a;
	if (canh_ip_parse(s, &a) != 0)
		fail_msg("bad test address '%s'", s);
	return a;
}

static void add_cidr(struct canh_ipset_builder *b, const char *s, uint32_t ref)
{
	struct canh_cidr c;
	if (canh_cidr_parse(s, false, &c) != 0)
		fail_msg("bad test cidr '%s'", s);
	assert_int_equal(canh_ipset_add_cidr(b, &c, ref), 0);
}

static void add_range(struct canh_ipset_builder *b, const char *lo, const char *hi, uint32_t ref)
{
	struct canh_ipaddr l = ip(lo), h = ip(hi);
	assert_int_equal(canh_ipset_add_range(b, &l, &h, ref), 0);
}

static struct canh_ipset *build(struct canh_ipset_builder *b)
{
	struct canh_ipset *s = NULL;
	struct canh_errmsg em;
	assert_int_equal(canh_ipset_build(b, &s, &em), 0);
	assert_non_null(s);
	return s;
}

/* The most specific ref for s, or -1 when nothing covers it. */
static long look(const struct canh_ipset *set, const char *s)
{
	struct canh_ipaddr a = ip(s);
	uint32_t ref = 0xdeadbeef;
	if (!canh_ipset_lookup(set, &a, &ref))
		return -1;
	if (a.family == 4) {
		uint32_t v = (uint32_t)a.bytes[0] << 24 | (uint32_t)a.bytes[1] << 16 |
			     (uint32_t)a.bytes[2] << 8 | a.bytes[3];
		uint32_t r4 = 0xdeadbeef;
		assert_true(canh_ipset_lookup_v4(set, v, &r4));
		assert_int_equal(r4, ref);
	}
	return (long)ref;
}

static void test_empty(void **state)
{
	struct canh_ipset *s = build(canh_ipset_builder_new());
	struct canh_ipaddr a = ip("1.2.3.4"), b = ip("::1");
	uint32_t refs[4];
	struct canh_ipset_stats st;

	assert_false(canh_ipset_lookup(s, &a, NULL));
	assert_false(canh_ipset_lookup(s, &b, NULL));
	assert_false(canh_ipset_lookup_v4(s, 0x01020304, NULL));
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 4), 0);
	canh_ipset_stats(s, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.v4_intervals, 0);
	assert_int_equal(st.v6_intervals, 0);
	assert_false(canh_ipset_lookup(NULL, &a, NULL));
	uint32_t q4[3] = {0, 0x01020304u, 0xffffffffu}, r4[3];
	assert_int_equal(canh_ipset_lookup_v4_many(s, q4, 3, r4), 0);
	assert_int_equal(r4[1], CANH_IPSET_NOREF);
	assert_int_equal(canh_ipset_lookup_v4_many(NULL, q4, 3, r4), 0);
	assert_int_equal(r4[2], CANH_IPSET_NOREF);
	assert_int_equal(canh_ipset_lookup_v4_many(s, q4, 0, r4), 0);
	canh_ipset_free(s);
}

static void test_v4_basic(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	add_cidr(b, "10.0.0.0/8", 1);
	add_cidr(b, "10.1.0.0/16", 2);
	add_cidr(b, "10.1.2.3/32", 3);
	add_range(b, "192.0.2.10", "192.0.2.20", 4);
	add_cidr(b, "198.51.100.7", 5);
	assert_int_equal(canh_ipset_builder_count(b), 5);
	struct canh_ipset *s = build(b);

	assert_int_equal(look(s, "10.0.0.0"), 1);
	assert_int_equal(look(s, "10.255.255.255"), 1);
	assert_int_equal(look(s, "9.255.255.255"), -1);
	assert_int_equal(look(s, "11.0.0.0"), -1);
	assert_int_equal(look(s, "10.1.0.0"), 2);
	assert_int_equal(look(s, "10.1.2.2"), 2);
	assert_int_equal(look(s, "10.1.2.3"), 3);
	assert_int_equal(look(s, "10.1.2.4"), 2);
	assert_int_equal(look(s, "10.1.255.255"), 2);
	assert_int_equal(look(s, "10.2.0.0"), 1);
	assert_int_equal(look(s, "192.0.2.9"), -1);
	assert_int_equal(look(s, "192.0.2.10"), 4);
	assert_int_equal(look(s, "192.0.2.20"), 4);
	assert_int_equal(look(s, "192.0.2.21"), -1);
	assert_int_equal(look(s, "198.51.100.7"), 5);
	assert_int_equal(look(s, "198.51.100.6"), -1);
	assert_int_equal(look(s, "198.51.100.8"), -1);
	assert_int_equal(look(s, "0.0.0.0"), -1);
	assert_int_equal(look(s, "255.255.255.255"), -1);
	/* IPv6 does not see IPv4 entries, and the other way round. */
	assert_int_equal(look(s, "::a01:203"), -1);
	assert_int_equal(look(s, "::ffff:10.1.2.3"), 3);

	uint32_t refs[8];
	struct canh_ipaddr a = ip("10.1.2.3");
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 8), 3);
	assert_int_equal(refs[0], 3);
	assert_int_equal(refs[1], 2);
	assert_int_equal(refs[2], 1);
	/* Fewer slots than covering entries: the count is still the total. */
	memset(refs, 0, sizeof(refs));
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 1), 3);
	assert_int_equal(refs[0], 3);
	assert_int_equal(refs[1], 0);
	a = ip("10.200.0.1");
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 8), 1);
	assert_int_equal(refs[0], 1);

	struct canh_ipset_stats st;
	canh_ipset_stats(s, &st);
	assert_int_equal(st.entries, 5);
	assert_true(st.v4_intervals >= 7);
	assert_int_equal(st.v6_intervals, 0);
	assert_true(st.bytes > 65536 * 4);
	canh_ipset_free(s);
}

static void test_boundaries(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	add_cidr(b, "0.0.0.0/0", 1);
	add_cidr(b, "255.255.255.255/32", 2);
	add_cidr(b, "0.0.0.0/32", 3);
	add_cidr(b, "::/0", 4);
	add_cidr(b, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 5);
	add_cidr(b, "::/128", 6);
	add_range(b, "255.255.0.0", "255.255.255.255", 7);
	struct canh_ipset *s = build(b);

	assert_int_equal(look(s, "0.0.0.0"), 3);
	assert_int_equal(look(s, "0.0.0.1"), 1);
	assert_int_equal(look(s, "127.0.0.1"), 1);
	assert_int_equal(look(s, "255.255.255.254"), 7);
	assert_int_equal(look(s, "255.255.255.255"), 2);
	assert_int_equal(look(s, "255.254.255.255"), 1);
	assert_int_equal(look(s, "::"), 6);
	assert_int_equal(look(s, "::1"), 4);
	assert_int_equal(look(s, "2001:db8::1"), 4);
	assert_int_equal(look(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 4);
	assert_int_equal(look(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 5);

	uint32_t refs[8];
	struct canh_ipaddr a = ip("255.255.255.255");
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 8), 3);
	assert_int_equal(refs[0], 2);
	assert_int_equal(refs[1], 7);
	assert_int_equal(refs[2], 1);
	for (uint32_t x = 0; x < 0xffff0000u; x += 0x00fedcbau) {
		uint32_t r;
		assert_true(canh_ipset_lookup_v4(s, x, &r));
		assert_int_equal(r, x == 0 ? 3 : 1);
	}
	canh_ipset_free(s);
}

static void test_v6(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	add_cidr(b, "2001:db8::/32", 1);
	add_cidr(b, "2001:db8:1::/48", 2);
	add_cidr(b, "2001:db8:1::5/128", 3);
	add_range(b, "2001:db8:2::10", "2001:db8:2::20", 4);
	add_cidr(b, "2a00:1450::/29", 5);
	struct canh_ipset *s = build(b);

	assert_int_equal(look(s, "2001:db8::"), 1);
	assert_int_equal(look(s, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 1);
	assert_int_equal(look(s, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), -1);
	assert_int_equal(look(s, "2001:db9::"), -1);
	assert_int_equal(look(s, "2001:db8:1::4"), 2);
	assert_int_equal(look(s, "2001:db8:1::5"), 3);
	assert_int_equal(look(s, "2001:db8:1::6"), 2);
	assert_int_equal(look(s, "2001:db8:2::f"), 1);
	assert_int_equal(look(s, "2001:db8:2::10"), 4);
	assert_int_equal(look(s, "2001:db8:2::20"), 4);
	assert_int_equal(look(s, "2001:db8:2::21"), 1);
	assert_int_equal(look(s, "2a00:1450:4001::1"), 5);
	assert_int_equal(look(s, "2a00:1458::"), -1);
	assert_int_equal(look(s, "::1"), -1);
	assert_int_equal(look(s, "fe80::1"), -1);
	assert_int_equal(look(s, "3000::"), -1);
	assert_int_equal(look(s, "10.0.0.1"), -1);

	uint32_t refs[4];
	struct canh_ipaddr a = ip("2001:db8:1::5");
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 4), 3);
	assert_int_equal(refs[0], 3);
	assert_int_equal(refs[1], 2);
	assert_int_equal(refs[2], 1);
	struct canh_ipset_stats st;
	canh_ipset_stats(s, &st);
	assert_int_equal(st.v4_intervals, 0);
	assert_true(st.v6_intervals >= 7);
	canh_ipset_free(s);
}

static void test_ties_and_same_ref(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	/* Same size: the first added wins; duplicates are all listed. */
	add_cidr(b, "203.0.113.0/24", 10);
	add_cidr(b, "203.0.113.0/24", 11);
	add_range(b, "203.0.113.128", "203.0.114.127", 12); /* 256 addresses too */
	add_cidr(b, "203.0.113.0/24", 10);
	struct canh_ipset *s = build(b);

	assert_int_equal(look(s, "203.0.113.1"), 10);
	assert_int_equal(look(s, "203.0.113.200"), 10);
	assert_int_equal(look(s, "203.0.114.1"), 12);
	uint32_t refs[8];
	struct canh_ipaddr a = ip("203.0.113.200");
	assert_int_equal(canh_ipset_lookup_all(s, &a, refs, 8), 4);
	assert_int_equal(refs[0], 10);
	assert_int_equal(refs[1], 11);
	assert_int_equal(refs[2], 12);
	assert_int_equal(refs[3], 10);
	canh_ipset_free(s);
}

static void test_bad_input(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	struct canh_ipaddr lo = ip("10.0.0.2"), hi = ip("10.0.0.1"), v6 = ip("::1");
	struct canh_cidr c;

	assert_int_equal(canh_ipset_add_range(b, &lo, &hi, 1), CANH_EINVAL);
	assert_int_equal(canh_ipset_add_range(b, &hi, &v6, 1), CANH_EINVAL);
	assert_int_equal(canh_ipset_add_ip(b, &lo, CANH_IPSET_REF_MAX + 1u), CANH_ERANGE);
	assert_int_equal(canh_ipset_add_ip(b, &lo, CANH_IPSET_REF_MAX), 0);
	memset(&c, 0, sizeof(c));
	c.addr.family = 4;
	c.prefix = 33;
	assert_int_equal(canh_ipset_add_cidr(b, &c, 1), CANH_EINVAL);
	c.addr.family = 5;
	c.prefix = 8;
	assert_int_equal(canh_ipset_add_cidr(b, &c, 1), CANH_EINVAL);
	/* Host bits beyond the prefix are ignored. */
	assert_int_equal(canh_cidr_parse("192.0.2.77/24", false, &c), 0);
	c.addr.bytes[3] = 77;
	assert_int_equal(canh_ipset_add_cidr(b, &c, 7), 0);
	assert_int_equal(canh_ipset_builder_count(b), 2);
	struct canh_ipset *s = build(b);
	assert_int_equal(look(s, "10.0.0.2"), CANH_IPSET_REF_MAX);
	assert_int_equal(look(s, "192.0.2.0"), 7);
	assert_int_equal(look(s, "192.0.2.255"), 7);
	canh_ipset_free(s);

	struct canh_ipset *out = (struct canh_ipset *)&out;
	assert_int_equal(canh_ipset_build(NULL, &out, NULL), CANH_EINVAL);
	assert_null(out);
	canh_ipset_builder_free(NULL);
	canh_ipset_free(NULL);
}

/* Thousands of nested ranges would need quadratic memory: refused with a reason. */
static void test_overlap_budget(void **state)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	for (uint32_t i = 0; i < 20000; i++) {
		struct canh_ipaddr lo = {.family = 4}, hi = {.family = 4};
		uint32_t l = 0x0a000000u + i, h = 0x0affffffu - i;
		for (int k = 0; k < 4; k++) {
			lo.bytes[k] = (uint8_t)(l >> (24 - 8 * k));
			hi.bytes[k] = (uint8_t)(h >> (24 - 8 * k));
		}
		assert_int_equal(canh_ipset_add_range(b, &lo, &hi, i), 0);
	}
	struct canh_ipset *s = (struct canh_ipset *)&s;
	struct canh_errmsg em = {{0}};
	assert_int_equal(canh_ipset_build(b, &s, &em), CANH_ETOOBIG);
	assert_null(s);
	assert_non_null(strstr(em.text, "overlap"));
}

/* ---- randomised cross-check against a linear scan ---- */

struct ref_entry {
	int fam;
	unsigned __int128 lo, hi;
	uint32_t ref;
	uint32_t seq;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static struct canh_ipaddr from_value(int fam, unsigned __int128 v)
{
	struct canh_ipaddr a;
	memset(&a, 0, sizeof(a));
	a.family = fam == 0 ? 4 : 6;
	unsigned n = fam == 0 ? 4 : 16;
	for (unsigned i = 0; i < n; i++)
		a.bytes[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return a;
}

static int cmp_specific(const void *pa, const void *pb)
{
	const struct ref_entry *a = *(const struct ref_entry *const *)pa;
	const struct ref_entry *b = *(const struct ref_entry *const *)pb;
	unsigned __int128 sa = a->hi - a->lo, sb = b->hi - b->lo;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A random value near base: entries and queries crowd a small space so they overlap. */
static unsigned __int128 near(int fam, unsigned __int128 base)
{
	unsigned span = fam == 0 ? 20 : 24;
	return base + (rnd() & ((1u << span) - 1));
}

static void check_query(const struct canh_ipset *s, const struct ref_entry *es, size_t n, int fam,
			unsigned __int128 q, const struct ref_entry **cov)
{
	unsigned __int128 max = fam == 0 ? 0xffffffffu : ~(unsigned __int128)0;
	if (q > max)
		return;
	size_t nc = 0;
	for (size_t i = 0; i < n; i++)
		if (es[i].fam == fam && es[i].lo <= q && q <= es[i].hi)
			cov[nc++] = &es[i];
	qsort(cov, nc, sizeof(*cov), cmp_specific);

	struct canh_ipaddr a = from_value(fam, q);
	uint32_t got[64], ref = 0;
	bool hit = canh_ipset_lookup(s, &a, &ref);
	size_t ng = canh_ipset_lookup_all(s, &a, got, 64);
	if (ng != nc || hit != (nc > 0)) {
		char buf[CANH_IPADDR_STRLEN];
		fail_msg("query %s: %zu covering entries, lookup_all said %zu",
			 canh_ip_format(&a, buf, sizeof(buf)), nc, ng);
	}
	if (nc == 0)
		return;
	assert_int_equal(ref, cov[0]->ref);
	for (size_t i = 0; i < nc && i < 64; i++)
		assert_int_equal(got[i], cov[i]->ref);
	if (fam == 0) {
		uint32_t r4;
		assert_true(canh_ipset_lookup_v4(s, (uint32_t)q, &r4));
		assert_int_equal(r4, ref);
	}
}

/*
 * The IPv4 bucket words (lib/ipset.c): empty buckets, one piece inline
 * (also a piece filling its bucket, and one at its last address), runs of
 * 2..8 pieces (the vector count) and of more (the binary search). A small set
 * has 2^17 buckets of 2^15 addresses; every address of the /16s used is
 * checked against the entries, one at a time and in a batch.
 */
static void test_v4_bucket_kinds(void **state)
{
	(void)state;
	enum { NE = 64 };
	uint32_t lo[NE], hi[NE];
	size_t ne = 0;
	/* 10.0.0.0/17: 20 addresses, a run of 20 pieces. */
	for (uint32_t i = 0; i < 20; i++) {
		lo[ne] = hi[ne] = 0x0a000000u + 1000u * i + 7u;
		ne++;
	}
	/* 10.1.0.0/17 entire (inline, offsets 0..0x7fff). */
	lo[ne] = 0x0a010000u, hi[ne++] = 0x0a017fffu;
	/* The last address of the bucket 10.2.0.0/17, and the first of the next. */
	lo[ne] = hi[ne] = 0x0a027fffu, ne++;
	lo[ne] = hi[ne] = 0x0a028000u, ne++;
	/* Three pieces and a range across two buckets in 10.3. */
	lo[ne] = hi[ne] = 0x0a030010u, ne++;
	lo[ne] = 0x0a030100u, hi[ne++] = 0x0a0301ffu;
	lo[ne] = 0x0a037ff0u, hi[ne++] = 0x0a038010u;
	/* Seven pieces in one bucket of 10.4: three addresses nested in a /20. */
	lo[ne] = 0x0a040000u, hi[ne++] = 0x0a040fffu;
	for (uint32_t i = 0; i < 3; i++) {
		lo[ne] = hi[ne] = 0x0a040100u + 0x100u * i;
		ne++;
	}

	struct canh_ipset_builder *b = canh_ipset_builder_new();
	for (size_t i = 0; i < ne; i++) {
		struct canh_ipaddr a = {.family = 4}, z = {.family = 4};
		for (int k = 0; k < 4; k++) {
			a.bytes[k] = (uint8_t)(lo[i] >> (24 - 8 * k));
			z.bytes[k] = (uint8_t)(hi[i] >> (24 - 8 * k));
		}
		assert_int_equal(canh_ipset_add_range(b, &a, &z, (uint32_t)(100 + i)), 0);
	}
	struct canh_ipset *s = NULL;
	struct canh_errmsg em;
	assert_int_equal(canh_ipset_build(b, &s, &em), 0);

	enum { QN = 5 * 65536 };
	uint32_t *qs = malloc(QN * sizeof(*qs)), *rs = malloc(QN * sizeof(*rs));
	for (uint32_t i = 0; i < QN; i++)
		qs[i] = 0x0a000000u + i;
	size_t hits = canh_ipset_lookup_v4_many(s, qs, QN, rs), expect_hits = 0;
	for (uint32_t i = 0; i < QN; i++) {
		uint32_t a = qs[i], want = CANH_IPSET_NOREF;
		uint64_t best = UINT64_MAX;
		for (size_t e = 0; e < ne; e++)
			if (lo[e] <= a && a <= hi[e] && (uint64_t)hi[e] - lo[e] < best) {
				best = (uint64_t)hi[e] - lo[e];
				want = (uint32_t)(100 + e);
			}
		uint32_t got = CANH_IPSET_NOREF;
		bool hit = canh_ipset_lookup_v4(s, a, &got);
		if (got != want || hit != (want != CANH_IPSET_NOREF) || rs[i] != want)
			fail_msg("address 0x%08x: want %u, lookup_v4 %u, many %u", a, want, got,
				 rs[i]);
		expect_hits += want != CANH_IPSET_NOREF;
	}
	assert_int_equal(hits, expect_hits);
	assert_true(expect_hits > 32768);
	free(qs);
	free(rs);
	canh_ipset_free(s);
}

static void test_random_crosscheck(void **state)
{
	enum { N = 4000, Q = 20000 };
	struct ref_entry *es = calloc(N + 1, sizeof(*es));
	const struct ref_entry **cov = calloc(N + 1, sizeof(*cov));
	const unsigned __int128 base4 = 0x0a000000u;
	const unsigned __int128 base6 = (unsigned __int128)0x20010db800000000ull << 64;

	for (int round = 0; round < 3; round++) {
		struct canh_ipset_builder *b = canh_ipset_builder_new();
		for (uint32_t i = 0; i < N; i++) {
			struct ref_entry *e = &es[i];
			e->fam = (rnd() % 4 == 0) ? 1 : 0;
			e->ref = (uint32_t)(rnd() % 3000); /* refs repeat, like rows of one feed */
			e->seq = i;
			unsigned bits = e->fam == 0 ? 32 : 128;
			unsigned __int128 base = e->fam == 0 ? base4 : base6;
			unsigned __int128 v = near(e->fam, base);
			int kind = (int)(rnd() % 10);
			if (kind < 4) { /* a single address */
				e->lo = e->hi = v;
				struct canh_ipaddr a = from_value(e->fam, v);
				assert_int_equal(canh_ipset_add_ip(b, &a, e->ref), 0);
			} else if (kind < 8) { /* a CIDR of 2^0 .. 2^16 addresses */
				unsigned hostbits = (unsigned)(rnd() % 17);
				struct canh_cidr c;
				c.addr = from_value(e->fam, v);
				c.prefix = (uint8_t)(bits - hostbits);
				unsigned __int128 host = ((unsigned __int128)1 << hostbits) - 1;
				e->lo = v & ~host;
				e->hi = e->lo | host;
				assert_int_equal(canh_ipset_add_cidr(b, &c, e->ref), 0);
			} else { /* an arbitrary range */
				unsigned __int128 w = rnd() % 70000;
				e->lo = v;
				e->hi = v + w;
				struct canh_ipaddr lo = from_value(e->fam, e->lo);
				struct canh_ipaddr hi = from_value(e->fam, e->hi);
				assert_int_equal(canh_ipset_add_range(b, &lo, &hi, e->ref), 0);
			}
		}
		size_t n = N;
		if (round == 2) { /* and one entry over half of the space, added last */
			struct canh_cidr c;
			assert_int_equal(canh_cidr_parse("0.0.0.0/1", false, &c), 0);
			es[N] = (struct ref_entry){0, 0, 0x7fffffffu, 77, N};
			assert_int_equal(canh_ipset_add_cidr(b, &c, 77), 0);
			n = N + 1;
		}
		struct canh_ipset *s = build(b);
		for (int i = 0; i < Q; i++) {
			int fam = (int)(rnd() % 2);
			unsigned __int128 base = fam == 0 ? base4 : base6;
			check_query(s, es, n, fam, near(fam, base), cov);
		}
		/* Every boundary and its neighbours. */
		for (size_t i = 0; i < n; i++) {
			check_query(s, es, n, es[i].fam, es[i].lo, cov);
			check_query(s, es, n, es[i].fam, es[i].hi, cov);
			check_query(s, es, n, es[i].fam, es[i].lo - 1, cov);
			check_query(s, es, n, es[i].fam, es[i].hi + 1, cov);
		}
		check_query(s, es, n, 0, 0, cov);
		check_query(s, es, n, 0, 0xffffffffu, cov);
		/* The batch lookup answers like the single one, on random and boundary addresses.
		 */
		uint32_t qs[3000], rs[3000];
		for (size_t i = 0; i < 3000; i++)
			qs[i] = i % 3 ? (uint32_t)near(0, base4) : (uint32_t)es[i % n].lo + (i % 2);
		size_t hits = canh_ipset_lookup_v4_many(s, qs, 3000, rs), expect = 0;
		for (size_t i = 0; i < 3000; i++) {
			uint32_t r = CANH_IPSET_NOREF;
			expect += canh_ipset_lookup_v4(s, qs[i], &r);
			assert_int_equal(rs[i], r);
		}
		assert_int_equal(hits, expect);
		check_query(s, es, n, 1, 0, cov);
		check_query(s, es, n, 1, ~(unsigned __int128)0, cov);
		canh_ipset_free(s);
	}
	free(es);
	free(cov);
}

/* ---- slot ---- */

/* Set number g holds 10.0.0.0/8 with ref g and 11.g.0.0/16 with ref g + 1000000. */
static struct canh_ipset *gen_set(uint32_t g)
{
	struct canh_ipset_builder *b = canh_ipset_builder_new();
	char buf[32];
	add_cidr(b, "10.0.0.0/8", g);
	snprintf(buf, sizeof(buf), "11.%u.0.0/16", g % 256);
	add_cidr(b, buf, g + 1000000);
	return build(b);
}

struct reader_arg {
	struct canh_ipset_slot *slot;
	atomic_int *stop;
	long acquired;
	int bad;
};

static void *reader(void *p)
{
	struct reader_arg *r = p;
	uint32_t last = 0;
	while (!atomic_load(r->stop)) {
		const struct canh_ipset *s = canh_ipset_slot_acquire(r->slot);
		if (!s) {
			r->bad++;
			continue;
		}
		uint32_t g, g2;
		/* Every lookup on one held set agrees, and generations only go up. */
		for (int k = 0; k < 50; k++) {
			if (!canh_ipset_lookup_v4(s, 0x0a7f0001u, &g) ||
			    !canh_ipset_lookup_v4(s, 0x0b000001u | ((g % 256) << 16), &g2) ||
			    g2 != g + 1000000 || g < last)
				r->bad++;
		}
		last = g;
		canh_ipset_slot_release(r->slot, s);
		r->acquired++;
	}
	return NULL;
}

static void test_slot_concurrent(void **state)
{
	enum { READERS = 4, SWAPS = 400 };
	struct canh_ipset_slot *slot = canh_ipset_slot_new(gen_set(1));
	atomic_int stop;
	pthread_t th[READERS];
	struct reader_arg ra[READERS];

	atomic_init(&stop, 0);
	for (int i = 0; i < READERS; i++) {
		ra[i] = (struct reader_arg){slot, &stop, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, reader, &ra[i]), 0);
	}
	/* A set held across many swaps stays readable. */
	const struct canh_ipset *held = canh_ipset_slot_acquire(slot);
	uint32_t g;
	assert_true(canh_ipset_lookup_v4(held, 0x0a000001u, &g));
	for (uint32_t i = 2; i <= SWAPS; i++)
		canh_ipset_slot_swap(slot, gen_set(i));
	uint32_t g_again;
	assert_true(canh_ipset_lookup_v4(held, 0x0a000001u, &g_again));
	assert_int_equal(g_again, g);
	canh_ipset_slot_release(slot, held);
	atomic_store(&stop, 1);
	for (int i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(ra[i].bad, 0);
		assert_true(ra[i].acquired > 0);
	}
	const struct canh_ipset *s = canh_ipset_slot_acquire(slot);
	assert_true(canh_ipset_lookup_v4(s, 0x0a000001u, &g));
	assert_int_equal(g, SWAPS);
	canh_ipset_slot_release(slot, s);

	/* Emptied and refilled. */
	canh_ipset_slot_swap(slot, NULL);
	assert_null(canh_ipset_slot_acquire(slot));
	canh_ipset_slot_release(slot, NULL);
	canh_ipset_slot_swap(slot, gen_set(7));
	s = canh_ipset_slot_acquire(slot);
	assert_true(canh_ipset_lookup_v4(s, 0x0a000001u, &g));
	assert_int_equal(g, 7);
	canh_ipset_slot_release(slot, s);
	canh_ipset_slot_free(slot);
	canh_ipset_slot_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_v4_basic),
	    cmocka_unit_test(test_boundaries),
	    cmocka_unit_test(test_v4_bucket_kinds),
	    cmocka_unit_test(test_v6),
	    cmocka_unit_test(test_ties_and_same_ref),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_overlap_budget),
	    cmocka_unit_test(test_random_crosscheck),
	    cmocka_unit_test(test_slot_concurrent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
