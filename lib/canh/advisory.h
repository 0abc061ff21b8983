/*
 * Security advisories: one internal model for every source canh imports.
 *
 * A `struct canh_advisory` is one advisory as a source states it: its id
 * (CVE-..., DSA-..., GHSA-..., an OSV id, a KEV entry's CVE or a letter's
 * number), aliases, severity, CVSS, references and the packages or products
 * it affects, each with its ecosystem, version ordering and version ranges in
 * OSV's semantics (introduced / fixed / last_affected / limit).
 *
 * Sources:
 *   debian-tracker  the Debian Security Tracker JSON, one advisory per
 *                   (CVE or TEMP id, source package), one affected entry per
 *                   release ("bookworm", ...).
 *   osv             OSV schema 1.x records: one JSON object, a JSON array of
 *                   them, or a zip of many (the bulk all.zip).
 *   kev             CISA Known Exploited Vulnerabilities: one advisory per
 *                   CVE carrying only the KEV fields; joined on the CVE.
 *   letter          an authority's letter as the operator registers it
 *                   (JSON or YAML, docs/vuln.md): number, date, issuer,
 *                   deadline, CVEs and products with version ranges.
 *
 * Memory: an advisory owns everything it points to through an arena inside
 * it; canh_advisory_free releases it all at once, canh_advisory_reset empties
 * it and keeps the memory for the next record (parsers reuse one advisory, so
 * no allocation per record once warm). Strings added through the helpers are
 * copied. Parsers hand each advisory to a sink callback; that advisory belongs
 * to the parser and lives only until the callback returns: a sink that keeps
 * it calls canh_advisory_dup.
 */
#ifndef CANH_ADVISORY_H
#define CANH_ADVISORY_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

enum canh_advisory_format {
	CANH_ADV_FORMAT_UNKNOWN = 0,
	CANH_ADV_FORMAT_DEBIAN, /* "debian-tracker" */
	CANH_ADV_FORMAT_OSV,	/* "osv" */
	CANH_ADV_FORMAT_KEV,	/* "kev" */
	CANH_ADV_FORMAT_LETTER, /* "letter" */
};

/* Severity in canh's own scale; ordered, so `a > b` means a is more severe. */
enum canh_severity {
	CANH_SEV_UNKNOWN = 0,
	CANH_SEV_LOW,
	CANH_SEV_MEDIUM,
	CANH_SEV_HIGH,
	CANH_SEV_CRITICAL,
};

enum canh_ecosystem {
	CANH_ECO_UNKNOWN = 0, /* an OSV ecosystem canh does not model; ecosystem_raw tells which */
	CANH_ECO_DEBIAN,
	CANH_ECO_UBUNTU,
	CANH_ECO_ALPINE,
	CANH_ECO_REDHAT,
	CANH_ECO_ALMALINUX,
	CANH_ECO_ROCKY,
	CANH_ECO_SOFTWARE, /* a product without a package feed (letters: F5 BIG-IP, Zimbra) */
};

/* How versions of an affected entry are ordered. */
enum canh_verorder {
	CANH_VERORDER_GENERIC = 0, /* dotted numbers, then text (letters' products) */
	CANH_VERORDER_DPKG,	   /* Debian, Ubuntu */
	CANH_VERORDER_RPM,	   /* Red Hat, AlmaLinux, Rocky Linux */
	CANH_VERORDER_APK,	   /* Alpine: apk-tools' rules (canh_version_cmp_apk) */
	CANH_VERORDER_SEMVER,	   /* OSV SEMVER ranges */
};

enum canh_affected_status {
	/* Versions inside ranges[] or versions[] are affected; no fix is known
	 * when no range has a fixed event (Debian "open"). */
	CANH_AFF_AFFECTED = 0,
	/* Fixed in fixed_version; versions below it are affected (Debian
	 * "resolved"; ranges[] holds introduced "0", fixed fixed_version). */
	CANH_AFF_FIXED,
	/* Never affected (Debian fixed_version "0", OSV has no such entry). */
	CANH_AFF_NOT_AFFECTED,
	/* Not known yet (Debian "undetermined"); matchers report it apart. */
	CANH_AFF_UNDETERMINED,
};

enum canh_range_type {
	CANH_RANGE_ECOSYSTEM = 0,
	CANH_RANGE_SEMVER,
	CANH_RANGE_GIT, /* commit hashes: kept, never matched against versions */
};

enum canh_event_kind {
	CANH_EV_INTRODUCED = 0,
	CANH_EV_FIXED,
	CANH_EV_LAST_AFFECTED,
	CANH_EV_LIMIT,
};

struct canh_range_event {
	enum canh_event_kind kind;
	const char *version; /* "0" for introduced means every version */
};

struct canh_range {
	enum canh_range_type type;
	struct canh_range_event *events;
	size_t n_events;
	size_t cap_events_; /* private */
};

struct canh_affected {
	enum canh_ecosystem ecosystem;
	const char *ecosystem_raw; /* as the source wrote it: "Debian:12", "Alpine:v3.18", "npm" */
	const char *release;	   /* "bookworm", "12", "22.04", "v3.18", "9"; NULL = any release */
	const char *package;	   /* package or product name */
	const char *vendor;	   /* letters: "F5", "Synacor"; else NULL */
	const char *purl;	   /* OSV package.purl when given */
	int source_package;	   /* 1: package is a source package (Debian tracker keys) */
	enum canh_verorder order;
	enum canh_affected_status status;
	const char *fixed_version;   /* the fix to show (first fixed event); NULL when none */
	enum canh_severity severity; /* per entry where the source says (Debian urgency) */
	const char *urgency;	     /* Debian urgency as written: "low", "not yet assigned", ... */
	struct canh_range *ranges;
	size_t n_ranges;
	const char **versions; /* OSV "versions": explicitly affected versions */
	size_t n_versions;
	size_t cap_ranges_, cap_versions_; /* private */
};

struct canh_advisory {
	enum canh_advisory_format source;
	const char *id;
	const char **aliases;
	size_t n_aliases;
	const char **related; /* OSV "related" and "upstream" */
	size_t n_related;
	const char *summary;	     /* title or one-line summary (Debian: description) */
	const char *details;	     /* longer text (OSV details, letter body) */
	enum canh_severity severity; /* the highest given (CVSS, database_specific, urgency) */
	double cvss_score;	     /* base score, or -1 when none */
	const char *cvss_vector;     /* "CVSS:3.1/AV:N/..." or "CVSS:4.0/..." */
	int64_t published_ms;	     /* 0 when unknown (canh/time.h) */
	int64_t modified_ms;
	const char **references; /* URLs */
	size_t n_references;
	struct canh_affected *affected;
	size_t n_affected;

	/* Debian tracker only. */
	const char *scope;  /* "local", "remote" or NULL */
	int64_t debian_bug; /* 0 when none */

	/* letter only: the authority's letter. */
	struct {
		const char *number;   /* "1943/CATTT-NCSC" */
		const char *date;     /* "2023-11-01" */
		const char *issuer;   /* "Cục An toàn thông tin" */
		const char *deadline; /* "2023-11-15"; NULL when none */
		int64_t date_ms, deadline_ms;
	} letter;
	/*
	 * Every CVE the advisory is about, once each: a letter's list; for the
	 * tracker and OSV the CVE ids among id, aliases, upstream and related
	 * (a DSA or an ALSA names its CVEs as related or upstream).
	 */
	const char **cves;
	size_t n_cves;

	/* kev only: the advisory's id is the CVE. */
	struct {
		int listed;		/* 1 when this CVE is in the KEV catalogue */
		const char *date_added; /* "2023-11-02" */
		const char *due_date;
		int64_t date_added_ms, due_date_ms;
		const char *vendor, *product, *name, *required_action, *notes;
		int ransomware; /* knownRansomwareCampaignUse "Known" */
	} kev;

	/* private */
	struct canh__advisory_arena *arena_;
	size_t cap_aliases_, cap_related_, cap_references_, cap_affected_, cap_cves_;
};

/* Caps on one advisory, so a hostile record cannot grow without bound. */
#define CANH_ADVISORY_MAX_BYTES (16u * 1024 * 1024) /* arena bytes per advisory */
#define CANH_ADVISORY_MAX_ITEMS 100000		    /* entries in any one list */

/* Lifecycle. new never returns NULL (aborts on OOM); free is NULL-safe. */
struct canh_advisory *canh_advisory_new(void);
void canh_advisory_reset(struct canh_advisory *a);
void canh_advisory_free(struct canh_advisory *a);
/* A deep copy the caller frees with canh_advisory_free. */
struct canh_advisory *canh_advisory_dup(const struct canh_advisory *a);

/*
 * Building an advisory (parsers, tests). Strings are copied into the
 * advisory's arena; NULL stays NULL. Functions returning int give 0 or
 * CANH_ETOOBIG past the caps above; pointer-returning ones NULL past them.
 */
const char *canh_advisory_strdup(struct canh_advisory *a, const char *s);
const char *canh_advisory_strndup(struct canh_advisory *a, const char *s, size_t n);
int canh_advisory_add_alias(struct canh_advisory *a, const char *s);
int canh_advisory_add_related(struct canh_advisory *a, const char *s);
int canh_advisory_add_reference(struct canh_advisory *a, const char *url);
int canh_advisory_add_cve(struct canh_advisory *a, const char *cve);
/* A zeroed entry (status AFFECTED, order from the ecosystem later); valid until the next add. */
struct canh_affected *canh_advisory_add_affected(struct canh_advisory *a);
struct canh_range *canh_affected_add_range(struct canh_advisory *a, struct canh_affected *af,
					   enum canh_range_type type);
int canh_range_add_event(struct canh_advisory *a, struct canh_range *r, enum canh_event_kind kind,
			 const char *version);
int canh_affected_add_version(struct canh_advisory *a, struct canh_affected *af,
			      const char *version);
/* True when id or one of the aliases equals s (CVE ids compared case-insensitively). */
int canh_advisory_has_id(const struct canh_advisory *a, const char *s);
/* The CVE this advisory is about: id when it is a CVE, else the first CVE alias, else cves[0]. */
const char *canh_advisory_cve(const struct canh_advisory *a);
/* Add the CVE ids among id, aliases and related to cves[] (no duplicates, any case). */
int canh_advisory_collect_cves(struct canh_advisory *a);

/*
 * Range semantics (OSV, osv-schema "Evaluation"): a version is affected when
 * any range holds it or it is listed in versions[]. Within one range, events
 * sorted by version (cmp) make intervals: from each introduced ("0" = the
 * beginning) up to the next fixed (excluded) or last_affected (included), or
 * without end when neither follows. A range with limit events holds only
 * versions below at least one limit ("*" = no limit). GIT ranges never match
 * a version. NOT_AFFECTED and UNDETERMINED entries
 * contain nothing (1 = affected, 0 = not). cmp returns <0, 0, >0 like strcmp.
 */
int canh_affected_contains(const struct canh_affected *af, const char *version,
			   int (*cmp)(const char *, const char *));
/* The same with the comparison af->order names (dpkg, rpm, apk, semver, generic). */
int canh_affected_match(const struct canh_affected *af, const char *version);
/*
 * Generic ordering for products: runs of digits compared as numbers and
 * sorting after runs of letters, compared as text; the words dev, snapshot,
 * alpha, beta, milestone, pre, preview, rc (any case, in this order) sort
 * before everything else, the release itself included ("2.0-beta9" < "2.0").
 */
int canh_version_cmp_generic(const char *a, const char *b);
/* Semantic Versioning 2.0.0 precedence ("v" prefix allowed, build metadata ignored). */
int canh_version_cmp_semver(const char *a, const char *b);
/*
 * apk-tools' order: "1.2.3[letter][_suffix[N]...][-rN]", with _alpha _beta
 * _pre _rc before the release and _cvs _svn _git _hg _p after it.
 */
int canh_version_cmp_apk(const char *a, const char *b);

/* Names. Each returns a static string, never NULL. */
const char *canh_advisory_format_name(enum canh_advisory_format f); /* "debian-tracker" */
int canh_advisory_format_parse(const char *name, enum canh_advisory_format *out);
const char *canh_severity_name(enum canh_severity s); /* "unknown", "low", ..., "critical" */
/* "low", "moderate"/"medium", "important"/"high", "critical" (any case); UNKNOWN otherwise. */
enum canh_severity canh_severity_parse(const char *s);
/* Debian urgency ("low", "medium", "high", "unimportant" -> low; others unknown). */
enum canh_severity canh_severity_from_urgency(const char *urgency);
/* CVSS v3 qualitative rating: 0 unknown, <4 low, <7 medium, <9 high, else critical. */
enum canh_severity canh_severity_from_cvss(double score);
const char *canh_ecosystem_name(enum canh_ecosystem e); /* "Debian", "Red Hat", "software" */
/*
 * An OSV ecosystem string ("Debian:12", "Alpine:v3.18", "Rocky Linux:9",
 * "Red Hat:enterprise_linux:9::appstream") to the enum; *release (may be NULL)
 * points into s after the first ':' or is NULL when there is none.
 */
enum canh_ecosystem canh_ecosystem_parse(const char *s, const char **release);
enum canh_verorder canh_ecosystem_order(enum canh_ecosystem e);
const char *canh_verorder_name(enum canh_verorder o);
/* Debian release number <-> codename ("12" <-> "bookworm"); NULL when unknown. */
const char *canh_debian_codename(const char *number);
const char *canh_debian_number(const char *codename);

/* CVSS 3.0/3.1 base score from a vector "CVSS:3.1/AV:N/AC:L/..."; CANH_EPARSE if malformed. */
int canh_cvss3_base_score(const char *vector, double *score);

/* Counts a parse reports; the caller zeroes it (or not, to add up several files). */
struct canh_advisory_stats {
	size_t advisories; /* handed to the sink */
	size_t affected;   /* affected entries in them */
	size_t packages;   /* Debian: source packages walked; OSV zip: members read */
	size_t open, fixed, not_affected, undetermined; /* per affected status */
	size_t skipped; /* records left out as invalid; the first reason below */
	char first_skip[256];
};

/*
 * The sink: called once per advisory. Return 0 to go on or a negative
 * CANH_E... code to stop the parse, which then returns that code.
 */
struct canh_advisory_sink {
	int (*advisory)(void *ctx, const struct canh_advisory *a);
	void *ctx;
	/*
	 * Optional (NULL = every package): asked once per package before its
	 * records are read (Debian tracker: each source package; name is not
	 * NUL-terminated). Returning 0 skips the package's records unbuilt
	 * (still checked for well-formed JSON), so a one-host check reads only
	 * the packages the host has.
	 */
	int (*want_package)(void *ctx, const char *name, size_t len);
};

/*
 * Parsers. All take the whole input as one buffer (mmap'd by
 * canh_advisory_parse_file) and never copy it whole. Records already handed to
 * the sink stay handed over when a later part is malformed: the parse then
 * returns CANH_EPARSE and err names the position (line:column and byte
 * offset) and the reason. Records that are well-formed JSON but not a valid
 * advisory are skipped and counted (st->skipped, st->first_skip).
 *
 * Debian tracker: release "bookworm" keeps only that release; NULL keeps all.
 * Streams the top-level object: memory is bounded by the largest package.
 */
int canh_advisory_parse_debian(const void *data, size_t len, const char *release,
			       const struct canh_advisory_sink *sink,
			       struct canh_advisory_stats *st, struct canh_errmsg *err);
/* One record, an array of records, or a zip of "*.json" records (capped). */
int canh_advisory_parse_osv(const void *data, size_t len, const struct canh_advisory_sink *sink,
			    struct canh_advisory_stats *st, struct canh_errmsg *err);
/* CISA KEV catalogue JSON (lib/advisory_kev.c). */
int canh_advisory_parse_kev(const void *data, size_t len, const struct canh_advisory_sink *sink,
			    struct canh_advisory_stats *st, struct canh_errmsg *err);
/* A letter, JSON or YAML (by content; filename only helps messages) (lib/advisory_letter.c). */
int canh_advisory_parse_letter(const void *data, size_t len, const char *filename,
			       const struct canh_advisory_sink *sink,
			       struct canh_advisory_stats *st, struct canh_errmsg *err);

/* Caps on OSV zips: members, bytes of one member, bytes in all, expansion ratio. */
#define CANH_OSV_ZIP_MAX_MEMBERS 2000000
#define CANH_OSV_ZIP_MAX_MEMBER (8u * 1024 * 1024)
#define CANH_OSV_ZIP_MAX_TOTAL (4ull * 1024 * 1024 * 1024)
#define CANH_OSV_ZIP_MAX_RATIO 200
/* Largest advisory file canh_advisory_parse_file maps. */
#define CANH_ADVISORY_FILE_MAX (2ull * 1024 * 1024 * 1024)

/*
 * Guess the format from the content (and the file name, may be NULL):
 * a zip or an object with "affected"/"schema_version" is osv, "vulnerabilities"
 * with "catalogVersion" kev, a "letter"/"number"+"deadline" document letter, an
 * object whose values are objects of CVE/TEMP keys debian-tracker.
 */
enum canh_advisory_format canh_advisory_detect(const void *data, size_t len, const char *filename);
/* Dispatch on fmt (UNKNOWN: detect, CANH_EINVAL with a message when it cannot). */
int canh_advisory_parse(enum canh_advisory_format fmt, const void *data, size_t len,
			const char *filename, const char *release,
			const struct canh_advisory_sink *sink, struct canh_advisory_stats *st,
			struct canh_errmsg *err);
/* mmap path (capped at CANH_ADVISORY_FILE_MAX) and canh_advisory_parse it. */
int canh_advisory_parse_file(const char *path, enum canh_advisory_format fmt, const char *release,
			     const struct canh_advisory_sink *sink, struct canh_advisory_stats *st,
			     struct canh_errmsg *err);

#endif
