/*
 * The store's threat-intelligence calls: feeds and their versions, entries and rejected rows,
 * victim matches (docs/intel.md). SQL lives in store_sqlite_intel.c; the rules of store.h hold
 * (errors, times in ms, JSON shapes owned by the caller).
 *
 * An import runs in one transaction from canh_store_intel_import_begin to _commit or _abort, on
 * one thread: other threads' store calls wait for it. Either everything of the version (entries,
 * rejects, new active version, victim matches) is stored, or nothing.
 */
#ifndef CANH_SERVER_STORE_INTEL_H
#define CANH_SERVER_STORE_INTEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/crypto.h"
#include "canh/feed.h"
#include "canh/ipaddr.h"
#include "store.h"

#define CANH_INTEL_NAME_MAX 64
#define CANH_INTEL_REJECTS_KEPT 1000 /* rejected rows stored per version; all are counted */

enum canh_intel_kind {
	CANH_INTEL_VICTIM,
	CANH_INTEL_C2,
};

/* "victim", "c2". */
const char *canh_intel_kind_name(enum canh_intel_kind k);
/* The reverse; CANH_EINVAL for anything else. */
int canh_intel_kind_parse(const char *s, enum canh_intel_kind *out);
/* A feed name: [A-Za-z0-9._-]{1,64}. */
int canh_intel_name_valid(const char *s);

struct canh_intel_import_in {
	const char *name; /* validated by the caller */
	enum canh_intel_kind kind;
	const char *filename; /* as the client named it (for the history only) */
	const char *format;   /* canh_feed_format_name of the format parsed */
	char sha256[CANH_SHA256_HEX];
	int64_t size;
	int64_t now;
	const char *actor;
};

struct canh_store_intel_import;

/*
 * Open the import of a new version of feed `in->name` (the feed is created on its first
 * import). CANH_ECONFLICT when the feed exists with the other kind. When the active version has
 * the same SHA-256, nothing is opened: *imp is NULL and *unchanged is the active version's
 * number. Otherwise *imp holds the transaction until _commit or _abort.
 */
int canh_store_intel_import_begin(struct canh_store *s, const struct canh_intel_import_in *in,
				  struct canh_store_intel_import **imp, int64_t *unchanged,
				  struct canh_errmsg *err);
/* One entry of the version being imported. */
int canh_store_intel_import_entry(struct canh_store_intel_import *imp,
				  const struct canh_feed_entry *e, struct canh_errmsg *err);
/* One rejected row; only the first CANH_INTEL_REJECTS_KEPT are stored, every one is counted. */
int canh_store_intel_import_reject(struct canh_store_intel_import *imp, uint32_t line,
				   const char *cell, const char *reason, struct canh_errmsg *err);

struct canh_intel_import_out {
	int64_t version_id; /* row id of the version */
	int64_t version;    /* its number within the feed: 1, 2, ... */
	int64_t previous;   /* the version it replaced as active, or 0 */
	int64_t by_type[6]; /* entries by enum canh_ioc_type */
	int64_t rejected;
	int64_t victim_matches; /* rows of the victim matches after the import */
};

/*
 * Store the version's counts, make it the active version (the previous one stays as history),
 * rebuild the victim matches, write the audit record and commit. Frees imp whatever happens.
 */
int canh_store_intel_import_commit(struct canh_store_intel_import *imp,
				   const struct canh_feed_stats *st,
				   struct canh_intel_import_out *out, struct canh_errmsg *err);
/* Roll the whole import back and free imp (NULL-safe). */
void canh_store_intel_import_abort(struct canh_store_intel_import *imp);

/*
 * Feeds, newest import first: [{"name","kind","version","imported_at","filename","format",
 * "sha256","entries":{"ip",...,"total"},"rejected","versions"}].
 */
int canh_store_intel_feed_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);
/*
 * One feed: {"name","kind","created_at","active":{version...},"versions":[{...},...] newest
 * first,"rejects":[{"line","cell","reason"}] of the active version}. CANH_ENOENT when unknown.
 */
int canh_store_intel_feed_get(struct canh_store *s, const char *name, json_t **out,
			      struct canh_errmsg *err);

#define CANH_INTEL_VALUE_MAX 96	 /* "a-b" of two IPv6 addresses fits */
#define CANH_INTEL_FAMILY_MAX 64 /* longer botnet family names are cut */

/* One entry covering a looked-up address (canh_intel_lookup_c2 in intel.h). */
struct canh_intel_hit {
	int64_t entry_id;			/* row of the entry (intel_entries.id) */
	char feed[CANH_INTEL_NAME_MAX + 1];	/* feed name */
	int64_t version;			/* the feed's version number */
	char value[CANH_INTEL_VALUE_MAX];	/* the entry: "192.0.2.7", "192.0.2.0/24", "a-b" */
	char family[CANH_INTEL_FAMILY_MAX + 1]; /* botnet / malware family; "" when unknown */
	int af;					/* 4 or 6 */
	int port;				/* port given by the list, 0 when none */
};

/*
 * The details of entry `id` into *out when its version is active; CANH_ENOENT when the entry is
 * unknown or its version no longer active.
 */
int canh_store_intel_hit(struct canh_store *s, int64_t id, struct canh_intel_hit *out,
			 struct canh_errmsg *err);

/* An address entry of an active version, as canh_store_intel_ip_entries hands them out. */
struct canh_intel_ip_entry {
	int64_t id;
	const char *feed; /* valid during the callback */
	int64_t version;
	struct canh_ipaddr lo, hi;
	const char *value;
	const char *family; /* NULL when unknown */
	int64_t seen_ms, last_ms;
	int port;
};

/*
 * Every address entry (type ip) of the active versions of feeds of `kind`, the entries of one
 * version together (no other order: sorting a million rows costs more than it gives). A nonzero
 * return of fn stops the walk and is returned.
 */
int canh_store_intel_ip_entries(struct canh_store *s, enum canh_intel_kind kind,
				int (*fn)(void *ctx, const struct canh_intel_ip_entry *e),
				void *ctx, struct canh_errmsg *err);

/*
 * Rebuild the victim matches: every active victim address entry against every unit's public
 * ranges and every active agent's egress addresses. *matches (may be NULL) receives the number of
 * rows.
 */
int canh_store_intel_victims_rematch(struct canh_store *s, int64_t now, int64_t *matches,
				     struct canh_errmsg *err);
/*
 * Whether units, their ranges, agents or egress addresses changed since the last rebuild (*stale
 * is then 1).
 */
int canh_store_intel_victims_stale(struct canh_store *s, int *stale, struct canh_errmsg *err);

/*
 * The victim matches of unit `code` and its descendants (every unit when code is NULL), units in
 * tree order, only those with matches: [{"code","name","parent","addresses":[{"entry","address",
 * "af","family","seen","last","port","org","feed","version","line","cell","matched":[{"how",
 * "via","host":{"id","hostname"}|null}]}]}]. CANH_ENOENT when the unit does not exist.
 */
int canh_store_intel_victims(struct canh_store *s, const char *code, json_t **out,
			     struct canh_errmsg *err);

#endif
