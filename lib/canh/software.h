/*
 * Detection of server applications that a package list misses (the inventory's
 * "software" section, docs/protocol.md; how each is found: docs/vuln.md).
 *
 * Zimbra Collaboration is found under <root>/opt/zimbra, from the first of:
 *   1. a saved `zmcontrol -v` output (<root>/var/lib/canh/zimbra-version, or
 *      opts->zmcontrol_file): "Release 9.0.0_GA_4178.RHEL8_64_20220217141011
 *      RHEL8_64 FOSS edition, Patch 9.0.0_P38." — the most precise source;
 *   2. the installer's history <root>/opt/zimbra/.install_history, lines
 *      "<epoch>: INSTALLED <package>", where the last zimbra-core line gives
 *      the release and a later zimbra-patch line (or a ".pNN" in the core's
 *      version) of that release gives the patch;
 *   3. the packages zimbra-core / zimbra-patch in the inventory's package list
 *      (opts->packages), for installs whose history file is gone.
 * The version is "MAJOR.MINOR.MICRO" plus ".PNN" when a patch is installed
 * ("9.0.0.P38"). Both canh_vercmp_dpkg and canh_vercmp_rpm order such strings
 * as Zimbra releases them (8.8.15.P41 < 9.0.0 < 9.0.0.P4 < 9.0.0.P38 <
 * 10.0.0), so letter advisories write their ranges in the same form.
 *
 * Every file read is capped; unreadable or malformed files add a line to
 * `errors` and detection goes on with the next source, never failing.
 */
#ifndef CANH_SOFTWARE_H
#define CANH_SOFTWARE_H

#include <jansson.h>
#include <stddef.h>

#include "canh/error.h"

/* Caps on what is read. */
#define CANH_SOFTWARE_MAX_FILE (4u << 20) /* .install_history, zmcontrol output */
#define CANH_SOFTWARE_MAX_ENTRIES 256	  /* entries in the "software" section */
#define CANH_SOFTWARE_DEFAULT_ZMCONTROL "/var/lib/canh/zimbra-version"

struct canh_software_opts {
	const char *root;	    /* prefix of /opt, /var ("" or NULL = the real system) */
	const json_t *packages;	    /* the inventory's "packages" array, or NULL */
	const char *zmcontrol_file; /* NULL: <root>CANH_SOFTWARE_DEFAULT_ZMCONTROL */
};

/* A Zimbra version taken apart; strings are NUL-terminated, "" when unknown. */
struct canh_zimbra_version {
	unsigned major, minor, micro;
	unsigned patch;	  /* 0 = no patch (GA) */
	char build[16];	  /* "4178" */
	char edition[16]; /* "FOSS", "NETWORK" */
};

/*
 * Parse one line of `zmcontrol -v` output ("Release 9.0.0_GA_4178... FOSS
 * edition, Patch 9.0.0_P38."). CANH_EPARSE when it is not one.
 */
int canh_software_zimbra_zmcontrol(const char *line, size_t len, struct canh_zimbra_version *v);

/*
 * Parse a Zimbra package name with its version as the installer and the
 * package managers write it: "zimbra-core-9.0.0_GA_4178.RHEL8_64-2022....x86_64[.rpm]",
 * "zimbra-core_9.0.0.GA.4178.UBUNTU20.64_amd64[.deb]", "zimbra-core_9.0.0.p38",
 * "zimbra-patch-9.0.0.1683635917.p33-2.r8.x86_64". *is_patch is set for
 * zimbra-patch. CANH_ENOENT when the package is neither zimbra-core nor
 * zimbra-patch, CANH_EPARSE when its version cannot be read.
 */
int canh_software_zimbra_package(const char *s, size_t len, struct canh_zimbra_version *v,
				 int *is_patch);

/* "9.0.0" or "9.0.0.P38" into buf; returns buf. */
const char *canh_software_zimbra_string(const struct canh_zimbra_version *v, char *buf, size_t len);

/*
 * Detect everything known. *out is a new JSON array (caller owns it) of
 * {"name","vendor","product","version","path","source", and where known
 * "patch","build","edition"}; empty when nothing is found. Problems met on
 * the way are appended to `errors` (a JSON array, may be NULL) as strings.
 * Returns 0, or CANH_ENOMEM.
 */
int canh_software_detect(const struct canh_software_opts *o, json_t **out, json_t *errors);

#endif
