/*
 * canhd's threat intelligence in memory and the import of a feed (docs/intel.md).
 *
 * Two address sets are held: the C2 set (every address entry of the active versions of c2
 * feeds) and the victim set (the same for victim feeds). Each is a canh_ipset in a
 * canh_ipset_slot whose refs are the entries' row ids. Finding whether an address is covered
 * takes no lock and never allocates, on any thread at any time, also while an import replaces
 * a set; only a hit reads its details (feed, version, value, family) from the store, by row id.
 * So memory is the set alone (a million addresses: 9.3 MB), and misses — nearly every
 * lookup — never touch the database. A lookup that races a replacement answers from either the
 * old or the new set, and drops a hit whose version is no longer active (the retro-hunt that
 * follows every C2 import covers the new version).
 *
 * The sets are loaded from the store when canhd starts (canh_intel_new) and rebuilt after every
 * import of a feed of their kind.
 */
#ifndef CANH_SERVER_INTEL_H
#define CANH_SERVER_INTEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/feed.h"
#include "canh/i18n.h"
#include "canh/ipaddr.h"
#include "store_intel.h"

struct canh_intel;
struct canh_server;

/* Load both sets from the store. *out is freed with canh_intel_free. */
int canh_intel_new(struct canh_store *store, struct canh_intel **out, struct canh_errmsg *err);
void canh_intel_free(struct canh_intel *in); /* NULL-safe; no lookup may be running */

/* Rebuild the set of one kind from the store's active versions and swap it in. */
int canh_intel_reload(struct canh_intel *in, enum canh_intel_kind kind, struct canh_errmsg *err);

/*
 * The C2 entries covering a, most specific first: writes at most max hits and returns how many
 * were written (0: a is on no active C2 list). in may be NULL (no sets: 0).
 */
size_t canh_intel_lookup_c2(struct canh_intel *in, const struct canh_ipaddr *a,
			    struct canh_intel_hit *hits, size_t max);
/* The same over the victim lists. */
size_t canh_intel_lookup_victim(struct canh_intel *in, const struct canh_ipaddr *a,
				struct canh_intel_hit *hits, size_t max);

/* Address entries held in each set. */
void canh_intel_counts(struct canh_intel *in, size_t *c2, size_t *victim);

/* ---- import (api_intel.c's POST /intel/feeds) ---- */

#define CANH_INTEL_ANSWER_REJECTS 100 /* rejected rows listed in an import's answer */

struct canh_intel_import_req {
	const char *name;
	enum canh_intel_kind kind;
	enum canh_feed_format format; /* CANH_FEED_AUTO detects */
	const char *filename;	      /* may be NULL: the name is used */
	const void *data;
	size_t len;
	const char *actor;
};

/*
 * Parse data and store it as a new version of the feed in one transaction (entries, rejected
 * rows, active version, victim matches), then rebuild the set of its kind and, for a c2 feed,
 * run the retro-hunt over stored connections. *result is the API's answer (docs/intel.md).
 * Errors: CANH_ECONFLICT (the feed exists with the other kind), a parser's code (CANH_EPARSE,
 * CANH_EINVAL, CANH_ETOOBIG...: the file is unusable; err has the parser's English text, and
 * nothing was stored), CANH_ESTORE.
 */
int canh_intel_import(struct canh_server *srv, const struct canh_intel_import_req *req,
		      json_t **result, struct canh_errmsg *err);

/*
 * The botnet report of unit `code` and its descendants (every unit when NULL): the victim
 * matches, each listed address with its candidate hosts (canh_flows_pinpoint). Rebuilds the
 * matches first when units or egress addresses changed since. CANH_ENOENT: no such unit.
 */
int canh_intel_botnet_report(struct canh_server *srv, const char *code, json_t **out,
			     struct canh_errmsg *err);

#endif
