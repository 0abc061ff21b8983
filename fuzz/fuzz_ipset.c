/*
 * Differential fuzz harness for the ipset (lib/ipset.c): the input is a
 * program of entries (IPv4 ranges and CIDRs, IPv6 ranges near one prefix or
 * anywhere) and queries; the built set must answer every query, and every
 * entry boundary and its neighbours, exactly like a linear scan of the
 * entries: the same most specific ref (fewest addresses, then first added),
 * the same list from lookup_all, the same from lookup_v4 and the batch call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/ipset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef unsigned __int128 u128;

#define MAX_ENTRIES 64
#define MAX_QUERIES 256

struct ent {
	int v6;
	u128 lo, hi;
	uint32_t ref;
};

static u128 take(const uint8_t **p, const uint8_t *end, unsigned n)
{
	u128 v = 0;
	for (unsigned i = 0; i < n; i++) {
		v = v << 8 | (*p < end ? **p : 0);
		if (*p < end)
			(*p)++;
	}
	return v;
}

static struct canh_ipaddr addr_of(int v6, u128 v)
{
	struct canh_ipaddr a;
	memset(&a, 0, sizeof(a));
	a.family = v6 ? 6 : 4;
	unsigned n = v6 ? 16 : 4;
	for (unsigned i = 0; i < n; i++)
		a.bytes[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return a;
}

/* The refs of the entries covering q, most specific first; returns their number. */
static size_t brute(const struct ent *e, size_t n, int v6, u128 q, uint32_t *out)
{
	size_t idx[MAX_ENTRIES], k = 0;
	for (size_t i = 0; i < n; i++)
		if (e[i].v6 == v6 && e[i].lo <= q && q <= e[i].hi)
			idx[k++] = i;
	/* Insertion sort by (size, order added): stable on the index. */
	for (size_t i = 1; i < k; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && e[idx[j - 1]].hi - e[idx[j - 1]].lo > e[x].hi - e[x].lo) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
	for (size_t i = 0; i < k; i++)
		out[i] = e[idx[i]].ref;
	return k;
}

static void check(const struct canh_ipset *s, const struct ent *e, size_t n, int v6, u128 q)
{
	u128 max = v6 ? ~(u128)0 : 0xffffffffu;
	if (q > max)
		return;
	uint32_t want[MAX_ENTRIES], got[MAX_ENTRIES], ref = 0;
	size_t nw = brute(e, n, v6, q, want);
	struct canh_ipaddr a = addr_of(v6, q);
	bool hit = canh_ipset_lookup(s, &a, &ref);
	size_t ng = canh_ipset_lookup_all(s, &a, got, MAX_ENTRIES);
	if (hit != (nw > 0) || ng != nw || (hit && ref != want[0]))
		abort();
	if (memcmp(got, want, nw * sizeof(*got)) != 0)
		abort();
	if (!v6) {
		uint32_t r4 = 0, rm = 0, q4 = (uint32_t)q;
		if (canh_ipset_lookup_v4(s, q4, &r4) != hit || (hit && r4 != ref))
			abort();
		if (canh_ipset_lookup_v4_many(s, &q4, 1, &rm) != (size_t)hit)
			abort();
		if (rm != (hit ? ref : CANH_IPSET_NOREF))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct ent e[MAX_ENTRIES];
	struct {
		int v6;
		u128 v;
	} q[MAX_QUERIES];
	size_t n = 0, nq = 0;
	const u128 base6 = (u128)0x20010db8u << 96;
	struct canh_ipset_builder *b = canh_ipset_builder_new();

	while (p < end) {
		uint8_t op = *p++;
		struct ent x = {0};
		int rc;
		x.ref = (uint32_t)(op >> 4);
		switch (op & 3) {
		case 0: /* IPv4 range */
			x.lo = take(&p, end, 4);
			x.hi = take(&p, end, 4);
			if (x.lo > x.hi) {
				u128 t = x.lo;
				x.lo = x.hi;
				x.hi = t;
			}
			break;
		case 1: { /* IPv4 CIDR */
			u128 v = take(&p, end, 4);
			unsigned prefix = (unsigned)take(&p, end, 1) % 33;
			struct canh_cidr c = {addr_of(0, v), (uint8_t)prefix};
			u128 host = prefix == 0 ? 0xffffffffu : ((u128)1 << (32 - prefix)) - 1;
			x.lo = v & ~host;
			x.hi = x.lo | host;
			if (n < MAX_ENTRIES) {
				if (canh_ipset_add_cidr(b, &c, x.ref) != 0)
					abort();
				e[n++] = x;
			}
			continue;
		}
		case 2: /* IPv6 range: near 2001:db8::/96, or anywhere */
			x.v6 = 1;
			if (op & 4) {
				x.lo = take(&p, end, 16);
				x.hi = take(&p, end, 16);
			} else {
				x.lo = base6 | take(&p, end, 4);
				x.hi = base6 | take(&p, end, 4);
			}
			if (x.lo > x.hi) {
				u128 t = x.lo;
				x.lo = x.hi;
				x.hi = t;
			}
			break;
		default: /* a query */
			if (nq < MAX_QUERIES) {
				q[nq].v6 = (op & 4) != 0;
				q[nq].v = q[nq].v6 ? ((op & 8) ? take(&p, end, 16)
							       : base6 | take(&p, end, 4))
						   : take(&p, end, 4);
				nq++;
			}
			continue;
		}
		if (n == MAX_ENTRIES)
			continue;
		struct canh_ipaddr lo = addr_of(x.v6, x.lo), hi = addr_of(x.v6, x.hi);
		if ((rc = canh_ipset_add_range(b, &lo, &hi, x.ref)) != 0)
			abort();
		e[n++] = x;
	}

	struct canh_ipset *s = NULL;
	if (canh_ipset_build(b, &s, NULL) != 0)
		abort();
	for (size_t i = 0; i < nq; i++)
		check(s, e, n, q[i].v6, q[i].v);
	for (size_t i = 0; i < n; i++) {
		check(s, e, n, e[i].v6, e[i].lo);
		check(s, e, n, e[i].v6, e[i].hi);
		check(s, e, n, e[i].v6, e[i].lo - 1);
		check(s, e, n, e[i].v6, e[i].hi + 1);
	}
	struct canh_ipset_stats st;
	canh_ipset_stats(s, &st);
	if (st.entries != n)
		abort();
	canh_ipset_free(s);
	return 0;
}
