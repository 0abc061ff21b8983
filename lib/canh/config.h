/*
 * Table-driven INI configuration (nginx directive tables, OpenBSD httpd -n).
 *
 * A program describes its settings once in a table of struct canh_cfg_def;
 * the parser fills a plain struct through offsets, checks every value against
 * its bounds, and reports the first error with file name and line:
 *   "canhd.conf:12: 'max_body' must be between 1K and 1G, got '5G'"
 * Unknown sections or keys are errors (a typo must not silently do nothing).
 *
 * File syntax: `[section]` headers, `key = value` lines, `#` or `;` comments
 * on their own line, values may be "double-quoted". Lines are capped at 4 KiB
 * and files at 1 MiB. Types:
 *   INT       decimal integer, bounds min..max
 *   BOOL      yes/no/true/false/on/off/1/0
 *   STRING    copied into a char array of `size` bytes inside the struct;
 *             longer values are an error
 *   DURATION  "250ms", "30s", "5m", "2h", "7d", or bare seconds; stored as
 *             int64_t milliseconds, bounds in milliseconds
 *   SIZE      "512", "64K", "8M", "1G" (powers of 1024); stored as int64_t
 *             bytes, bounds in bytes
 * INT is stored as int64_t too.
 */
#ifndef CANH_CONFIG_H
#define CANH_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "canh/buf.h"
#include "canh/error.h"

enum canh_cfg_type {
	CANH_CFG_INT,
	CANH_CFG_BOOL,
	CANH_CFG_STRING,
	CANH_CFG_DURATION,
	CANH_CFG_SIZE,
};

struct canh_cfg_def {
	const char *section;
	const char *name;
	enum canh_cfg_type type;
	int64_t min; /* INT, DURATION, SIZE */
	int64_t max;
	const char *defval; /* textual default, parsed like a file value; may be NULL (empty/0) */
	size_t offset;	    /* offsetof(struct X, field) */
	size_t size;	    /* STRING: sizeof the char array */
	const char *help;
};
/* A table ends with an entry whose name is NULL. BOOL fields are `int`. */

/* Apply every default to obj. Fails only when a default violates its own bounds (a bug). */
int canh_config_defaults(const struct canh_cfg_def *defs, void *obj, struct canh_errmsg *err);

/* Parse text (not necessarily NUL-terminated) over obj; `name` is used in messages. */
int canh_config_parse(const struct canh_cfg_def *defs, void *obj, const char *text, size_t len,
		      const char *name, struct canh_errmsg *err);

/* Read and parse a file (size-capped). */
int canh_config_load(const struct canh_cfg_def *defs, void *obj, const char *path,
		     struct canh_errmsg *err);

/* Set one value by "section.name" or "name" (first match), e.g. from a command-line override. */
int canh_config_set(const struct canh_cfg_def *defs, void *obj, const char *key, const char *value,
		    struct canh_errmsg *err);

/* Write the effective configuration as INI text (for -n). */
int canh_config_dump(const struct canh_cfg_def *defs, const void *obj, struct canh_buf *out);

/* Stand-alone parsers, bounds-checked; used by the table and by callers. */
int canh_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
int canh_parse_duration_ms(const char *s, int64_t *out);
int canh_parse_size(const char *s, int64_t *out);
int canh_parse_bool(const char *s, int *out);

#endif
