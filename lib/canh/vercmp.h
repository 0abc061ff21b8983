/*
 * Version ordering exactly as dpkg and rpm order versions.
 *
 * dpkg (Debian, Ubuntu): "[epoch:]upstream[-revision]". The epoch is a
 * decimal number (default 0) compared numerically; the revision is what
 * follows the LAST hyphen; upstream and revision are compared with dpkg's
 * verrevcmp: alternately a run of non-digits, compared character by
 * character where `~` sorts before everything (even the end of the string),
 * letters before everything else, and a run of digits compared as a number
 * (leading zeros ignored, never converted, so long runs cannot overflow).
 * The order is dpkg 1.21's (lib/dpkg/version.c) on a signed-char machine
 * (amd64): bytes above 0x7f, which dpkg only warns about, sort after letters
 * and before ASCII punctuation.
 *
 * rpm (Red Hat, Alma, Rocky, Fedora, SUSE): rpmvercmp of rpm >= 4.15 on
 * each of epoch, version and release: runs of ASCII letters or digits are
 * compared, everything else separates them; a numeric run is newer than an
 * alphabetic one; `~` sorts before everything (pre-release), `^` after the
 * end of the other string (post-release snapshot) but before any other
 * segment.
 *
 * All functions return <0, 0 or >0 (exactly -1, 0, 1), never allocate and
 * never fail: a string dpkg would refuse is still ordered (see
 * canh_vercmp_dpkg_n). Length-delimited variants (_n) let a caller compare
 * pieces of a larger buffer without copying; a NUL byte inside the given
 * length ends the string there.
 */
#ifndef CANH_VERCMP_H
#define CANH_VERCMP_H

#include <stddef.h>

#include "canh/error.h"

/* Which ordering an ecosystem uses. */
enum canh_vercmp_scheme {
	CANH_VERCMP_DPKG = 0,
	CANH_VERCMP_RPM = 1,
};

/* A dpkg version split into its parts; the pointers point into the parsed string. */
struct canh_dpkg_version {
	unsigned epoch; /* 0 .. INT_MAX */
	const char *upstream;
	size_t upstream_len;
	const char *revision; /* "" (length 0) when there is no hyphen */
	size_t revision_len;
};

/*
 * What dpkg says about a version string (parseversion in dpkg 1.21). The
 * CANH_DPKG_WARN_* kinds are only warnings: dpkg --compare-versions still
 * compares such a version, and so does canh vercmp.
 */
enum canh_dpkg_problem {
	CANH_DPKG_OK = 0,
	CANH_DPKG_ERR_EMPTY,		/* version string is empty */
	CANH_DPKG_ERR_SPACES,		/* version string has embedded spaces */
	CANH_DPKG_ERR_EPOCH_EMPTY,	/* epoch in version is empty */
	CANH_DPKG_ERR_EPOCH_NOT_NUMBER, /* epoch in version is not number */
	CANH_DPKG_ERR_EPOCH_NEGATIVE,	/* epoch in version is negative */
	CANH_DPKG_ERR_EPOCH_TOO_BIG,	/* epoch in version is too big */
	CANH_DPKG_ERR_NOTHING_AFTER_COLON,
	CANH_DPKG_ERR_REVISION_EMPTY,	  /* "1.0-" */
	CANH_DPKG_ERR_VERSION_EMPTY,	  /* "1:-1" */
	CANH_DPKG_WARN_NOT_DIGIT,	  /* upstream does not start with a digit */
	CANH_DPKG_WARN_BAD_CHAR_VERSION,  /* not [A-Za-z0-9.+~:-] in upstream */
	CANH_DPKG_WARN_BAD_CHAR_REVISION, /* not [A-Za-z0-9.+~] in the revision */
};

/* dpkg's own English wording of a problem ("revision number is empty"). */
const char *canh_dpkg_problem_text(enum canh_dpkg_problem p);

/*
 * Parse s[0..len) as dpkg does: blanks (space, tab) around it are ignored,
 * the epoch is the number before the first colon, the revision follows the
 * last hyphen. Returns 0 when dpkg accepts it silently, 1 when dpkg accepts
 * it with a warning, CANH_EINVAL when dpkg refuses it; *problem (may be
 * NULL) says which, and err (may be NULL) gets dpkg's wording with the
 * version quoted. *v is filled whenever the result is not CANH_EINVAL.
 */
int canh_vercmp_dpkg_parse(const char *s, size_t len, struct canh_dpkg_version *v,
			   enum canh_dpkg_problem *problem, struct canh_errmsg *err);
/* canh_vercmp_dpkg_parse on a C string, keeping only the verdict. */
int canh_vercmp_validate_dpkg(const char *s, struct canh_errmsg *err);

/* dpkg_version_compare on two parsed versions: epoch, then upstream, then revision. */
int canh_vercmp_dpkg_parsed(const struct canh_dpkg_version *a, const struct canh_dpkg_version *b);

/*
 * dpkg's order of two version strings. A string dpkg refuses is split as
 * far as it goes: an epoch that is not a valid number is taken as part of
 * the upstream version (epoch 0), an empty revision stays empty.
 */
int canh_vercmp_dpkg(const char *a, const char *b);
int canh_vercmp_dpkg_n(const char *a, size_t alen, const char *b, size_t blen);

/* rpmvercmp on one field (a version, a release or an epoch). */
int canh_vercmp_rpm(const char *a, const char *b);
int canh_vercmp_rpm_n(const char *a, size_t alen, const char *b, size_t blen);

/*
 * rpm's order of two "[epoch:]version[-release]" strings (rpmverCmp): a
 * missing epoch counts as 0; the release, after the last hyphen, is only
 * compared when both strings have one (rpm's rule, so "1.0" equals
 * "1.0-3.el9").
 */
int canh_vercmp_rpm_evr(const char *a, const char *b);
int canh_vercmp_rpm_evr_n(const char *a, size_t alen, const char *b, size_t blen);

/* canh_vercmp_dpkg or canh_vercmp_rpm_evr by scheme. */
int canh_vercmp(enum canh_vercmp_scheme scheme, const char *a, const char *b);
int canh_vercmp_n(enum canh_vercmp_scheme scheme, const char *a, size_t alen, const char *b,
		  size_t blen);

#endif
