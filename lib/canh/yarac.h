/*
 * Compile YARA source into a rules object (libyara), for `canh scan`, the
 * agent's hunt runner and canhd's rule-set upload.
 *
 * Sources are files, directories (every *.yar / *.yara file below them, in
 * byte order of their paths, so the same tree always compiles the same way)
 * or buffers. Each source gets its own namespace-free compile; the first
 * source that fails stops nothing: every error of every file is handed to the
 * callback with its file and line, and the compile then fails as a whole.
 *
 * The compiler always declares the external string variables filename,
 * filepath, extension, filetype and owner (empty by default) so rule sets
 * written for scanners that set them per file (signature-base, LOKI, THOR)
 * compile; the scan engine fills them per file (canh/scan.h).
 *
 * The rules version is the SHA-256, in hex, of the sources fed to the
 * compiler: for each source its name, a NUL, its length as 8 bytes
 * little-endian and its bytes. The same sources give the same version on
 * every host.
 */
#ifndef CANH_YARAC_H
#define CANH_YARAC_H

#include <stddef.h>

#include "canh/crypto.h"
#include "canh/error.h"

#define CANH_YARAC_MAX_FILE ((size_t)16 << 20)	/* one source file */
#define CANH_YARAC_MAX_TOTAL ((size_t)64 << 20) /* all sources together */
#define CANH_YARAC_MAX_FILES 10000u

struct canh_scan_rules; /* canh/scan.h */

/* One diagnostic: file ("" for a buffer without a name), 1-based line (0
 * unknown), libyara's message, warning (1) or error (0). */
typedef void (*canh_yarac_diag_fn)(void *ctx, const char *file, int line, const char *message,
				   int warning);

/* A source held in memory: name (shown in diagnostics), data, len. */
struct canh_yarac_source {
	const char *name;
	const char *data;
	size_t len;
};

/*
 * Compile files and directories. On success *out is a rules object the
 * caller frees with canh_scan_rules_free. On a compile error: CANH_EPARSE,
 * every error handed to diag (may be NULL), err names the first one as
 * "file:line: message". A path that cannot be read: CANH_EIO / CANH_ENOENT.
 * No source found under the paths: CANH_ENOENT.
 */
int canh_yarac_compile_paths(const char *const *paths, size_t npaths, struct canh_scan_rules **out,
			     canh_yarac_diag_fn diag, void *ctx, struct canh_errmsg *err);

/* The same over sources in memory (the buffers need not be NUL-terminated). */
int canh_yarac_compile_sources(const struct canh_yarac_source *src, size_t nsrc,
			       struct canh_scan_rules **out, canh_yarac_diag_fn diag, void *ctx,
			       struct canh_errmsg *err);

/* Write the compiled form (yr_rules_save) to path, atomically, mode 0644. */
int canh_yarac_save(const struct canh_scan_rules *rules, const char *path, struct canh_errmsg *err);

/*
 * Expand paths into the sorted list of source files compile_paths would
 * read (for callers that ship the source form). *files is a malloc'd array
 * of malloc'd strings; free with canh_yarac_files_free.
 */
int canh_yarac_list_files(const char *const *paths, size_t npaths, char ***files, size_t *nfiles,
			  struct canh_errmsg *err);
void canh_yarac_files_free(char **files, size_t nfiles);

#endif
