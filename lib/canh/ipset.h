/*
 * Sets of IPv4 and IPv6 addresses, networks and ranges, for matching
 * addresses against threat-intelligence lists of millions of entries.
 *
 * Each entry is a range lo..hi of one family (a single address, a CIDR or
 * an arbitrary range) with a uint32_t `ref` chosen by the caller, usually the
 * row of the entry in the caller's own table. Entries may overlap: a /16
 * from one list and a single address from another both match the address.
 *
 * Entries are collected in a builder, then built once into an immutable set.
 * A built set is read without locks and without allocation by any number of
 * threads. The set is a sorted array of disjoint intervals (the entries cut
 * at every boundary, each piece knowing which entries cover it), found through
 * an index on the first 16 to 20 bits of the address (IPv4) or of the bits
 * after the prefix every IPv6 entry shares, then a scan of the few pieces of
 * that bucket (lib/ipset.c and docs/intel.md tell the layout and its figures).
 *
 * Ownership: the builder owns its entries until canh_ipset_build(), which
 * consumes it (also on failure); the caller owns the set it gets and frees it
 * with canh_ipset_free(), or hands it to a slot (below), which then owns it.
 */
#ifndef CANH_IPSET_H
#define CANH_IPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/ipaddr.h"

/* Refs are 0..CANH_IPSET_REF_MAX (the top bit is the set's own). */
#define CANH_IPSET_REF_MAX 0x7fffffffu
/* At most this many entries in one builder (CANH_ETOOBIG beyond). */
#define CANH_IPSET_MAX_ENTRIES (1u << 26)

struct canh_ipset;
struct canh_ipset_builder;

struct canh_ipset_builder *canh_ipset_builder_new(void);
/* Frees a builder that was not built (NULL-safe). */
void canh_ipset_builder_free(struct canh_ipset_builder *b);

/*
 * Add the range lo..hi (inclusive, same family, lo <= hi). Returns 0,
 * CANH_EINVAL (families differ, lo > hi, bad family), CANH_ERANGE (ref over
 * CANH_IPSET_REF_MAX) or CANH_ETOOBIG (builder full).
 */
int canh_ipset_add_range(struct canh_ipset_builder *b, const struct canh_ipaddr *lo,
			 const struct canh_ipaddr *hi, uint32_t ref);
/* The network c (host bits beyond the prefix are ignored). */
int canh_ipset_add_cidr(struct canh_ipset_builder *b, const struct canh_cidr *c, uint32_t ref);
/* One address. */
int canh_ipset_add_ip(struct canh_ipset_builder *b, const struct canh_ipaddr *a, uint32_t ref);
/* Entries added so far. */
size_t canh_ipset_builder_count(const struct canh_ipset_builder *b);

/*
 * Build the set and free the builder (in every case). An empty builder gives
 * an empty set. Fails with CANH_ETOOBIG when the entries overlap so deeply
 * that the lists of covering entries would exceed a fixed budget (a hostile
 * feed of thousands of nested ranges), with a message in *err.
 */
int canh_ipset_build(struct canh_ipset_builder *b, struct canh_ipset **out,
		     struct canh_errmsg *err);
/* NULL-safe. Not for a set held by a slot. */
void canh_ipset_free(struct canh_ipset *set);

/*
 * The ref of the most specific entry covering a (the one with the fewest
 * addresses; among equals, the one added first). false when none does (or
 * set is NULL), *ref then unchanged; ref may be NULL.
 */
bool canh_ipset_lookup(const struct canh_ipset *set, const struct canh_ipaddr *a, uint32_t *ref);
/* The same for an IPv4 address given as a host-order integer (1.2.3.4 = 0x01020304). */
bool canh_ipset_lookup_v4(const struct canh_ipset *set, uint32_t addr, uint32_t *ref);
/* No entry covers the address (in the refs of canh_ipset_lookup_v4_many). */
#define CANH_IPSET_NOREF UINT32_MAX
/*
 * Look up n IPv4 addresses (host order) at once: refs[i] is the ref of the
 * most specific entry covering addrs[i], or CANH_IPSET_NOREF. Returns how
 * many were covered. Faster than n single lookups on large sets, since the
 * memory accesses of a batch overlap.
 */
size_t canh_ipset_lookup_v4_many(const struct canh_ipset *set, const uint32_t *addrs, size_t n,
				 uint32_t *refs);
/*
 * Every entry covering a, most specific first (refs[0] is canh_ipset_lookup's
 * answer), ordered like canh_ipset_lookup among equals. Writes at most max
 * refs and returns how many entries cover a (which may be more than max).
 */
size_t canh_ipset_lookup_all(const struct canh_ipset *set, const struct canh_ipaddr *a,
			     uint32_t *refs, size_t max);

struct canh_ipset_stats {
	size_t entries;	     /* entries added */
	size_t v4_intervals; /* disjoint IPv4 pieces stored */
	size_t v6_intervals; /* disjoint IPv6 pieces stored */
	size_t bytes;	     /* memory held by the set */
};
void canh_ipset_stats(const struct canh_ipset *set, struct canh_ipset_stats *st);

/*
 * A slot holds the current set for many reader threads and replaces it
 * atomically. A reader acquires the set, does any number of lookups, and
 * releases it; the set stays valid in between even if it was swapped out
 * meanwhile. The old set is freed when its last reader releases it (or at
 * once by the swap if no reader holds it). acquire/release take no lock and
 * never wait; swap is serialised with other swaps and waits only for readers
 * that are in the few instructions of acquire itself.
 */
struct canh_ipset_slot;

/* A slot holding set (which may be NULL); the slot owns set. */
struct canh_ipset_slot *canh_ipset_slot_new(struct canh_ipset *set);
/* Frees the slot and its set; no reader may hold it any more (NULL-safe). */
void canh_ipset_slot_free(struct canh_ipset_slot *slot);
/* The current set (NULL when the slot is empty), valid until released. */
const struct canh_ipset *canh_ipset_slot_acquire(struct canh_ipset_slot *slot);
/* Give back a set from canh_ipset_slot_acquire (NULL-safe). */
void canh_ipset_slot_release(struct canh_ipset_slot *slot, const struct canh_ipset *set);
/* Install set (may be NULL; the slot owns it) in place of the current one. */
void canh_ipset_slot_swap(struct canh_ipset_slot *slot, struct canh_ipset *set);

#endif
