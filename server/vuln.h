/*
 * Vulnerabilities in canhd: advisory imports, matching hosts against them,
 * findings with their lifecycle (docs/vuln.md).
 *
 * Matching is lib/vulnmatch.c, the same code as `canh vuln check`: canhd
 * keeps one index built from every advisory in the store (rebuilt from the
 * store after an import and at start, so the database stays the only
 * authority), and matches a host's stored packages and software against it.
 *
 * When: an import marks every active host, an inventory that carries
 * packages or software marks its host (store_sqlite_vuln.c, inside the
 * ingest transaction). The marks are rows of the store, and a host's mark is
 * removed in the same transaction that writes its findings, only when no
 * newer mark came meanwhile; so a crash between an ingest and its match loses
 * nothing (the mark is still there at the next start) and a host is matched
 * at least once after each change. Matching runs on one thread of its own
 * (canh_vuln_start), off the request threads: an import answers as soon as
 * its transaction commits, and findings follow within seconds.
 */
#ifndef CANH_SERVER_VULN_H
#define CANH_SERVER_VULN_H

#include <stddef.h>
#include <stdint.h>

#include "canh/advisory.h"
#include "canh/error.h"
#include "store_vuln.h"

struct canh_vuln;

/* A new engine over the store (never NULL; nothing runs until canh_vuln_start). */
struct canh_vuln *canh_vuln_new(struct canh_store *s);
/* Stop the thread (if started) and free; NULL-safe. */
void canh_vuln_free(struct canh_vuln *v);

/* Start the matching thread: it builds the index, then matches every marked host. */
int canh_vuln_start(struct canh_vuln *v, struct canh_errmsg *err);
void canh_vuln_stop(struct canh_vuln *v);
/* Wake the thread: after an import (index_stale = 1) or new marks (0). */
void canh_vuln_kick(struct canh_vuln *v, int index_stale);

/* What an import did, for the API's answer and the log. */
struct canh_vuln_import_result {
	enum canh_advisory_format format;
	char source[300]; /* "debian-tracker", "osv:FILE", "kev", "letter:NUMBER" */
	struct canh_vuln_counts counts;
	struct canh_advisory_stats stats;
	int64_t import_id;
	int64_t parse_store_ms;
};

/*
 * Parse data (fmt UNKNOWN: detect) and store it in one transaction,
 * replacing the previous import of the same source. On a malformed file the
 * store is left as it was and err names the position (CANH_EPARSE), or says
 * the format cannot be told (CANH_EINVAL).
 */
int canh_vuln_import(struct canh_store *s, const void *data, size_t len,
		     enum canh_advisory_format fmt, const char *filename, const char *actor,
		     int64_t now, struct canh_vuln_import_result *res, struct canh_errmsg *err);

/* Rebuild the index from the store now (the thread does this itself). */
int canh_vuln_rebuild(struct canh_vuln *v, struct canh_errmsg *err);

struct canh_vuln_run_stats {
	size_t hosts;
	struct canh_vuln_apply_stats findings;
	int64_t ms, cpu_ms; /* wall and this thread's CPU time, index rebuild included */
};

/*
 * Match one host now and write its findings; gen is its mark's generation
 * (-1: leave any mark alone). The index must have been built.
 */
int canh_vuln_match_host(struct canh_vuln *v, int64_t agent_id, int64_t gen, int64_t now,
			 struct canh_vuln_run_stats *st, struct canh_errmsg *err);
/*
 * What the thread does each round, callable directly (tests, benchmarks):
 * rebuild the index when stale, then match every marked host. `now` 0 means
 * the clock's.
 */
int canh_vuln_run_pending(struct canh_vuln *v, int64_t now, struct canh_vuln_run_stats *st,
			  struct canh_errmsg *err);

#endif
