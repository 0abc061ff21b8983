/*
 * The matcher: a host's packages and detected software against advisories,
 * giving findings (docs/vuln.md, "Matching").
 *
 * Build an index once from advisories of any source (canh/advisory.h): each
 * affected entry is filed under (ecosystem, package name) in a hash table;
 * KEV records are filed by CVE, letters by the CVEs and products they name.
 * Then match any number of hosts against it: one hash lookup per package
 * name (two when the source package differs), so N packages cost
 * O(N + findings), with no allocation while matching. An index is read-only
 * while matching: several threads may match against one index at once.
 *
 * Rules:
 *   - Debian and Ubuntu entries name SOURCE packages (the tracker's keys,
 *     OSV's DSA/DLA/USN records): a host package matches through its source
 *     name ("Source: name (version)" in dpkg status; its own name when
 *     absent) and the SOURCE version is compared (the binary's when no
 *     source version is given), with dpkg's ordering.
 *   - rpm entries (Red Hat, AlmaLinux, Rocky) name binary packages and use
 *     rpm's ordering; Alpine entries are matched by name with apk order.
 *   - Only entries of the host's ecosystem and release count (release
 *     "bookworm" and "12" are the same Debian release; rpm and Alpine
 *     releases compare by major / major.minor), and entries without a
 *     release count for every release.
 *   - Debian "resolved" with fixed_version "0" is not affected and is
 *     dropped when indexed; a version equal to the fixed version is fixed;
 *     "open" is affected with no fix yet; "undetermined" gives a finding with
 *     status UNDETERMINED.
 *   - Software entries ("software" inventory section, e.g. zimbra 9.0.0.P38)
 *     match letter products of the same name (case-insensitive), with the
 *     ordering the letter's entry names.
 *   - Every finding carries the KEV flag and due date when a KEV record of
 *     its CVE was added, and the letters that name its CVE or its product.
 *
 * Memory: the index copies what it keeps from each advisory into its own
 * arenas (an advisory handed to canh_vulnmatch_add may be freed right
 * after); canh_vulnmatch_free releases everything. The strings of a finding
 * handed to the callback point into the index (valid until
 * canh_vulnmatch_free) or are the caller's own package and software strings;
 * the finding itself and its letters array are valid only during the call.
 */
#ifndef CANH_VULNMATCH_H
#define CANH_VULNMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "canh/advisory.h"
#include "canh/error.h"

struct canh_vulnmatch;

/* What an index keeps; zeroed = everything (the server's index). */
struct canh_vulnmatch_opts {
	/*
	 * Keep only entries of this ecosystem and release (a one-host check:
	 * `canh vuln check` passes the host's), plus every software entry.
	 * CANH_ECO_UNKNOWN / NULL keep all.
	 */
	enum canh_ecosystem ecosystem;
	const char *release;
	/*
	 * When set, keep only entries whose package is one of these names
	 * (given with canh_vulnmatch_want); the check of one host indexes only
	 * what can match it, so a 200,000-entry feed costs little memory.
	 */
	int filter_names;
};

/* A new, empty index (never NULL; aborts on OOM like canh_xmalloc). */
struct canh_vulnmatch *canh_vulnmatch_new(const struct canh_vulnmatch_opts *o);
/* NULL-safe. */
void canh_vulnmatch_free(struct canh_vulnmatch *m);

/* With filter_names: a package (binary or source) name worth keeping entries for. */
void canh_vulnmatch_want(struct canh_vulnmatch *m, const char *name);

/*
 * Index one advisory (any source; KEV records and letters included).
 * Returns 0, or CANH_ETOOBIG when the index is over its cap
 * (CANH_VULNMATCH_MAX_ENTRIES affected entries or CANH_VULNMATCH_MAX_BYTES).
 */
int canh_vulnmatch_add(struct canh_vulnmatch *m, const struct canh_advisory *a);
#define CANH_VULNMATCH_MAX_ENTRIES 20000000u
#define CANH_VULNMATCH_MAX_BYTES (4ull << 30)

/* An advisory sink that calls canh_vulnmatch_add (ctx = the index), for the parsers. */
int canh_vulnmatch_sink(void *ctx, const struct canh_advisory *a);

/*
 * Read one advisory file (format fmt, or detected when UNKNOWN) into the
 * index; release is handed to the Debian tracker parser ("bookworm" keeps
 * only that release; NULL all). With filter_names, a Debian tracker file takes
 * a fast path: its top-level object is walked with a bracket-matching scan
 * that skips, without tokenizing, every source package nobody wants, and only
 * the wanted packages go through canh_advisory_parse_debian (a one-host check
 * of a 70 MB tracker file reads ~20% of it). The skipped parts are checked
 * for balanced brackets and strings only; any fault found falls back to the
 * full parser, so errors name the same position as `canh vuln import` would.
 * *skipped_records (may be NULL) gets the number of (CVE, package) records
 * skipped that way. Returns 0 or the parser's error with err set.
 */
int canh_vulnmatch_load_file(struct canh_vulnmatch *m, const char *path,
			     enum canh_advisory_format fmt, const char *release,
			     struct canh_advisory_stats *st, size_t *skipped_records,
			     struct canh_errmsg *err);

/* The same on a buffer held in memory (filename only names it in messages; may be NULL). */
int canh_vulnmatch_load(struct canh_vulnmatch *m, const void *data, size_t len,
			enum canh_advisory_format fmt, const char *filename, const char *release,
			struct canh_advisory_stats *st, size_t *skipped_records,
			struct canh_errmsg *err);

/* Counts of what the index holds. */
struct canh_vulnmatch_stats {
	size_t advisories; /* with at least one entry kept */
	size_t entries;	   /* affected entries kept */
	size_t dropped;	   /* entries left out: not affected, other ecosystem/release/name */
	size_t kev;	   /* KEV records */
	size_t letters;
	size_t bytes; /* arena bytes */
};
void canh_vulnmatch_stats(const struct canh_vulnmatch *m, struct canh_vulnmatch_stats *st);

/* The host being matched. */
struct canh_vuln_host {
	enum canh_ecosystem ecosystem; /* from os-release ID: canh_vulnmatch_ecosystem() */
	const char *release;	       /* "bookworm" / "12", "22.04", "9.3"; NULL: any */
};

/* os-release ID ("debian", "ubuntu", "rhel", "almalinux", "rocky", "alpine") to an ecosystem. */
enum canh_ecosystem canh_vulnmatch_ecosystem(const char *os_id);

/* One installed package (as in the inventory's "packages"; strings borrowed). */
struct canh_vuln_pkg {
	const char *manager; /* "dpkg" or "rpm" */
	const char *name;
	const char *version;
	const char *source;	    /* source package, or NULL/"" = name */
	const char *source_version; /* or NULL/"" = version */
};

/* One detected application (the inventory's "software"). */
struct canh_vuln_software {
	const char *name; /* "zimbra" */
	const char *vendor;
	const char *version; /* "9.0.0.P38" */
};

enum canh_vuln_status {
	CANH_VULN_AFFECTED = 0,
	CANH_VULN_UNDETERMINED, /* the source has not decided (Debian "undetermined") */
};

/* A letter a finding is referenced by. */
struct canh_vuln_letter {
	const char *number;	     /* "2216/CATTT-NCSC" */
	const char *date, *deadline; /* "YYYY-MM-DD"; deadline NULL when none */
	int64_t deadline_ms;	     /* 0 when none */
	const char *title;
};

struct canh_vuln_finding {
	const char *advisory_id; /* "CVE-2024-1234", "DSA-5678-1", a letter's number */
	enum canh_advisory_format source;
	const char *cve;	    /* the CVE (id or first CVE alias), or NULL */
	const char *const *aliases; /* the advisory's aliases (a letter: its CVEs) */
	size_t n_aliases;
	const char *summary; /* may be NULL */

	int software;		    /* 1: `package` is a detected application */
	const char *package;	    /* installed binary package or application name */
	const char *source_package; /* when matched through the source name, else NULL */
	const char *installed;	    /* the version compared (source version for source entries) */
	const char *fixed;	    /* fixed version, or NULL: no fix yet */
	const char *release;	    /* the entry's release, or NULL */
	enum canh_vuln_status status;
	enum canh_severity severity;
	const char *urgency; /* Debian urgency as written, or NULL */

	int kev;	       /* a KEV record of the CVE was indexed */
	const char *kev_due;   /* its due date "YYYY-MM-DD", or NULL */
	const char *kev_added; /* dateAdded */
	int64_t kev_due_ms;

	const struct canh_vuln_letter *const *letters; /* letters naming the CVE or product */
	size_t n_letters;
};

/* Called per finding; return non-zero to stop (canh_vulnmatch_host returns it). */
typedef int (*canh_vuln_finding_fn)(void *ctx, const struct canh_vuln_finding *f);

/*
 * Match one host. pkgs/sw may be NULL when their count is 0. Findings come
 * in package order, then software order. Returns 0 or the callback's
 * non-zero value.
 */
int canh_vulnmatch_host(const struct canh_vulnmatch *m, const struct canh_vuln_host *h,
			const struct canh_vuln_pkg *pkgs, size_t n_pkgs,
			const struct canh_vuln_software *sw, size_t n_sw, canh_vuln_finding_fn fn,
			void *ctx);

/* "affected" / "undetermined". */
const char *canh_vuln_status_name(enum canh_vuln_status s);

#endif
