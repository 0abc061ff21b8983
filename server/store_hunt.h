/*
 * The store's calls for the centralised anti-malware (server/store_sqlite_hunt.c): rule sets
 * and hash lists by version, hunts with their per-host progress, the agents' tasks,
 * detections and the quarantine.
 *
 * Same rules as store.h: every call is serialised inside the store, writes are
 * all-or-nothing, JSON returned belongs to the caller.
 */
#ifndef CANH_SERVER_STORE_HUNT_H
#define CANH_SERVER_STORE_HUNT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/proto.h"
#include "store.h"

/* ---- rule sets and hash lists ---- */

struct canh_hunt_ruleset {
	const char *name; /* validated by the caller */
	const char *kind; /* "yara" or "hashes" */
	const char *source;
	size_t len;
	const char *sha256; /* hex of source */
	int64_t compiled_size;
	int64_t rules;		   /* YARA rules, or hashes in a list */
	const char *rules_version; /* canh/yarac.h's version, or the hash set's */
	int64_t now;
	const char *actor;
};

/*
 * Store a new version of name (1 for a new name). When the latest version has the same
 * SHA-256 nothing is stored and *unchanged is 1. CANH_ECONFLICT when name exists with the
 * other kind. *version receives the version stored (or the unchanged latest).
 */
int canh_store_hunt_ruleset_add(struct canh_store *s, const struct canh_hunt_ruleset *rs,
				int64_t *version, int *unchanged, struct canh_errmsg *err);
/* Every name with its latest version's metadata and its number of versions. */
int canh_store_hunt_ruleset_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);
/*
 * One version (0: the latest) of name: *meta (may be NULL) gets its metadata with a
 * "versions" array when version is 0, *source (may be NULL) the source (malloc'd, NUL
 * terminated, *len bytes). CANH_ENOENT when unknown.
 */
int canh_store_hunt_ruleset_get(struct canh_store *s, const char *name, int64_t version,
				json_t **meta, char **source, size_t *len, struct canh_errmsg *err);

/*
 * The MD5, SHA-1 and SHA-256 entries of intel feed `feed`'s active version as a hash list
 * named "intel.FEED" (a new version when they changed; name receives it). CANH_ENOENT when
 * there is no such feed or no active version, CANH_EPARSE when it holds no hash entry.
 */
#define CANH_HUNT_FEED_PREFIX "intel."
int canh_store_hunt_hashes_from_feed(struct canh_store *s, const char *feed, int64_t now,
				     const char *actor, char *name, size_t namesz, int64_t *count,
				     struct canh_errmsg *err);

/* ---- hunts ---- */

enum canh_hunt_target { CANH_HUNT_ALL, CANH_HUNT_UNIT, CANH_HUNT_HOSTS };

struct canh_hunt_spec {
	const char *rules;  /* rule set name or NULL */
	const char *hashes; /* hash list name or NULL (not both NULL) */
	enum canh_hunt_target target;
	const char *unit; /* CANH_HUNT_UNIT: the unit's code (its children are included) */
	const int64_t *hosts;
	size_t nhosts;	     /* CANH_HUNT_HOSTS */
	const json_t *paths; /* array of absolute paths */
	int quarantine;
	int64_t every_ms; /* 0: once */
	int64_t now;
	const char *actor;
};

/* What a CANH_ENOENT of canh_store_hunt_create is about. */
enum canh_hunt_missing {
	CANH_HUNT_MISSING_NONE,
	CANH_HUNT_MISSING_RULES,
	CANH_HUNT_MISSING_HASHES,
	CANH_HUNT_MISSING_UNIT,
	CANH_HUNT_MISSING_HOST, /* *bad_host names it */
};

/*
 * Create a hunt pinned to the latest versions of its rule set and hash list, with one
 * queued row per targeted active host. CANH_ENOENT with *missing set when something named
 * does not exist (a host that is revoked counts as missing).
 */
int canh_store_hunt_create(struct canh_store *s, const struct canh_hunt_spec *h, int64_t *id,
			   enum canh_hunt_missing *missing, int64_t *bad_host,
			   struct canh_errmsg *err);
/* Every hunt, newest first, with its hosts counted by state. */
int canh_store_hunt_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);
/* One hunt with a "hosts" array (per host progress). CANH_ENOENT when unknown. */
int canh_store_hunt_get(struct canh_store *s, int64_t id, json_t **out, struct canh_errmsg *err);
/*
 * Queue again every scheduled hunt whose next run is due (run + 1, every host queued,
 * counters reset); *n (may be NULL) gets the number of hunts queued.
 */
int canh_store_hunt_requeue_due(struct canh_store *s, int64_t now, size_t *n,
				struct canh_errmsg *err);
/*
 * The agent's tasks: {"tasks": [{"kind": "hunt", ...}, {"kind": "restore", ...}]} —
 * its hunts queued or running (a running one is handed out again so an agent that
 * restarted mid-hunt resumes it) and its restores requested. docs/protocol.md.
 */
int canh_store_hunt_agent_tasks(struct canh_store *s, int64_t agent_id, json_t **out,
				struct canh_errmsg *err);

/* ---- detections and quarantine ---- */

/* Filters (NULL/0: any). unit includes its children. CANH_ENOENT: unit unknown. */
int canh_store_hunt_detections(struct canh_store *s, const char *unit, int64_t hunt, int64_t since,
			       int64_t limit, json_t **out, struct canh_errmsg *err);
/* agent_id 0: every host. */
int canh_store_hunt_quarantine_list(struct canh_store *s, int64_t agent_id, json_t **out,
				    struct canh_errmsg *err);
/*
 * Ask for item id (the server's row id) to be restored: a task for its agent.
 * CANH_ENOENT when unknown, CANH_ECONFLICT when already restored. *out gets the item.
 */
int canh_store_hunt_quarantine_restore(struct canh_store *s, int64_t id, int64_t now,
				       const char *actor, json_t **out, struct canh_errmsg *err);

/* ---- ingest (inside canh_store_ingest_batch's transaction) ---- */

/* Apply a hunt_progress, detection or quarantine_event message just stored. */
int canh__store_apply_hunt(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err);

#endif
