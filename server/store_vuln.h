/*
 * The store's calls for vulnerabilities (server/store_sqlite_vuln.c): advisory
 * imports, the matcher's inputs, findings with their lifecycle, letters and
 * their compliance.
 *
 * The store keeps every advisory in the model of lib/canh/advisory.h faithfully
 * enough to hand it back (canh_store_vuln_load), so the matcher's index
 * (lib/vulnmatch.c, the same code as `canh vuln check`) is rebuilt from the
 * database alone after a restart or an import.
 *
 * Same rules as store.h: every call is serialised inside the store, writes
 * are all-or-nothing, JSON returned belongs to the caller.
 */
#ifndef CANH_SERVER_STORE_VULN_H
#define CANH_SERVER_STORE_VULN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/advisory.h"
#include "store.h"

/* ---- import: one transaction per file ---- */

struct canh_vuln_import_info {
	const char *source;   /* what this import replaces: "debian-tracker", "osv:F", "kev", ... */
	const char *format;   /* debian-tracker | osv | kev | letter */
	const char *filename; /* as the client named it */
	const char *sha256;   /* hex of the file */
	int64_t size;
	int64_t now;
	const char *actor;
};

struct canh_vuln_counts {
	int64_t advisories, affected, kev, letters, skipped, replaced;
};

struct canh_vuln_writer;

/*
 * Open the import's transaction: the store stays locked for this thread until
 * commit or abort (other threads wait). The previous advisories of the same
 * source are deleted first, so a re-import replaces them; a KEV import
 * replaces the whole catalogue; a letter replaces the letter of its number.
 */
int canh_store_vuln_import_begin(struct canh_store *s, const struct canh_vuln_import_info *info,
				 struct canh_vuln_writer **out, struct canh_errmsg *err);
/*
 * Store one advisory of any format: tracker and OSV advisories with their
 * affected entries (entries that are not affected are counted as skipped),
 * KEV records into the catalogue, a letter with its products.
 */
int canh_store_vuln_add(struct canh_vuln_writer *w, const struct canh_advisory *a,
			struct canh_errmsg *err);
/* Count entries the parser left out. */
void canh_store_vuln_skip(struct canh_vuln_writer *w, int64_t n);
/*
 * Record the counts, mark every active host for re-matching, write the audit
 * record and commit; *counts receives what was stored and *import_id the
 * import's id. The writer is freed whatever happens.
 */
int canh_store_vuln_import_commit(struct canh_vuln_writer *w, struct canh_vuln_counts *counts,
				  int64_t *import_id, struct canh_errmsg *err);
/* Roll back and free (NULL-safe). */
void canh_store_vuln_import_abort(struct canh_vuln_writer *w);

/* The imports, newest first: [{"id","source","format","filename","sha256",...}]. */
int canh_store_vuln_import_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);

/*
 * Every stored advisory, KEV record and letter, rebuilt in the model and
 * handed to sink one by one (the advisory lives until the callback returns).
 */
int canh_store_vuln_load(struct canh_store *s, const struct canh_advisory_sink *sink,
			 struct canh_errmsg *err);

/* ---- matching ---- */

/*
 * The advisories' generation: the last import's id (0 before any). An index
 * built from the store is current while this has not changed.
 */
int canh_store_vuln_generation(struct canh_store *s, int64_t *gen, struct canh_errmsg *err);

/* Mark a host for re-matching (inside the caller's transaction when one is open). */
int canh_store_vuln_mark_dirty(struct canh_store *s, int64_t agent_id, int64_t now,
			       struct canh_errmsg *err);
/* Mark every active host. */
int canh_store_vuln_mark_all(struct canh_store *s, int64_t now, struct canh_errmsg *err);
/* Up to max hosts waiting, oldest mark first, each with the generation of its mark. */
int canh_store_vuln_dirty_list(struct canh_store *s, size_t max, int64_t *ids, int64_t *gens,
			       size_t *n, struct canh_errmsg *err);

/* Remove a host's mark if its generation is still gen (a host gone or revoked). */
int canh_store_vuln_unmark(struct canh_store *s, int64_t agent_id, int64_t gen,
			   struct canh_errmsg *err);

/*
 * What matching reads of a host: {"active", "os_id", "version_id",
 * "codename", "inventory_at" (ms, 0 when none), "packages": [{"manager",
 * "name", "version", "source", "source_version"}], "software": [{"name",
 * "vendor", "version"}]}. CANH_ENOENT when the host is unknown.
 */
int canh_store_vuln_host_inventory(struct canh_store *s, int64_t agent_id, json_t **out,
				   struct canh_errmsg *err);

/* A finding as the matcher gave it for a host now (strings borrowed). */
struct canh_vuln_match {
	const char *advisory, *cve, *source, *package, *source_package, *kind;
	const char *installed, *fixed, *release, *severity, *match, *kev_due;
	int kev;
	const json_t *letters; /* array of letter numbers, or NULL */
};

struct canh_vuln_apply_stats {
	int64_t opened, still_open, reopened, fixed, accepted;
};

/*
 * Bring the host's findings to the matches of now, in one transaction: new
 * ones open (opened_at = now); open or accepted ones matched again keep their
 * status (versions, KEV flag, letters and last_matched_at updated); fixed
 * ones matched again reopen (opened_at = now); open and accepted ones no
 * longer matched become fixed with fixed_at = the host's inventory time
 * (never before opened_at). Then the host's mark is removed when its
 * generation is still gen (a newer mark stays for the next round); gen < 0
 * leaves the mark alone.
 */
int canh_store_vuln_apply(struct canh_store *s, int64_t agent_id, int64_t gen,
			  const struct canh_vuln_match *m, size_t n, int64_t inventory_at,
			  int64_t now, struct canh_vuln_apply_stats *st, struct canh_errmsg *err);

/* ---- findings ---- */

struct canh_vuln_filter {
	const char *unit; /* the unit and its descendants, or NULL */
	int64_t host;	  /* or 0 */
	int kev_only;
	const char *status; /* open | fixed | accepted | NULL for all */
	const char *letter; /* only findings the letter names, or NULL */
	int64_t limit;	    /* rows, <= 0 for the default */
};

/* {"findings": [...], "count", "truncated"}; CANH_ENOENT when filter->unit is unknown. */
int canh_store_vuln_findings(struct canh_store *s, const struct canh_vuln_filter *f, json_t **out,
			     struct canh_errmsg *err);
/* CANH_ENOENT: no such finding; CANH_ECONFLICT: it is fixed (nothing to accept). */
int canh_store_vuln_accept(struct canh_store *s, int64_t id, const char *reason, int64_t now,
			   const char *actor, json_t **out, struct canh_errmsg *err);

/* ---- letters ---- */

/* Every letter with its counts: [{"number","date","issuer","title","deadline",...}]. */
int canh_store_vuln_letters(struct canh_store *s, json_t **out, struct canh_errmsg *err);
/*
 * One letter with its compliance: "hosts" (each affected host's state) and
 * "units" (each unit with affected hosts in its subtree: "own" counters for
 * its own hosts, "total" with its descendants'); CANH_ENOENT when unknown.
 */
int canh_store_vuln_letter(struct canh_store *s, const char *number, int64_t now, json_t **out,
			   struct canh_errmsg *err);

/* Adds "vuln": {open findings, KEV among them, hosts affected, letters overdue...} to o. */
int canh_store_vuln_summary(struct canh_store *s, int64_t now, json_t *o, struct canh_errmsg *err);

/* The inventory hook (store_sqlite.c's apply_inventory, inside the ingest transaction). */
struct canh_proto_msg;
int canh__store_vuln_inventory(struct canh_store *s, int64_t agent_id,
			       const struct canh_proto_msg *m, int64_t now,
			       struct canh_errmsg *err);

#endif
