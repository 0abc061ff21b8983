/*
 * Parser of the dpkg status file (/var/lib/dpkg/status, deb822 stanzas).
 *
 * Only installed packages are reported (Status "install ok installed" or any
 * status whose last word is "installed", "half-configured", "unpacked" is
 * reported with that state). "Source: name (version)" gives the source
 * package and version; without it they equal the binary's. Fields longer
 * than their caps and stanzas without Package or Version are counted as
 * skipped, never fatal. The file is read in one pass without copying it.
 */
#ifndef CANH_DPKG_H
#define CANH_DPKG_H

#include <stddef.h>

#include "canh/error.h"

struct canh_pkg {
	const char *name;
	const char *version;
	const char *arch;
	const char *source;
	const char *source_version;
	const char *state; /* "installed", "half-configured", ... */
};

/* Called for each package; strings are valid only during the call. Return non-zero to stop. */
typedef int (*canh_pkg_fn)(const struct canh_pkg *p, void *ctx);

/* Parse a status file held in memory. *skipped (may be NULL) counts stanzas ignored. */
int canh_dpkg_parse(const char *text, size_t len, canh_pkg_fn fn, void *ctx, size_t *skipped);
/* Read (capped at 256 MiB) and parse a file. */
int canh_dpkg_parse_file(const char *path, canh_pkg_fn fn, void *ctx, size_t *skipped,
			 struct canh_errmsg *err);

#endif
