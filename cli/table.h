/*
 * Aligned text tables for the CLI's human output.
 *
 * Widths are counted in code points, not bytes, so Vietnamese names in UTF-8
 * line up; combining marks (a name typed in decomposed form, NFD) count zero.
 * Cells are copied and made safe for a terminal when added: control bytes
 * and invalid UTF-8 — which can come from an agent through the server —
 * become '?', so a hostname cannot move the cursor or recolour the screen.
 * The table owns its cells; canh_cli_table_release frees them.
 */
#ifndef CANH_CLI_TABLE_H
#define CANH_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define CANH_CLI_TABLE_MAX_COLS 16
#define CANH_CLI_TABLE_MAX_CELL 4096 /* bytes kept of one cell */

struct canh_cli_table {
	size_t ncols;
	size_t nrows;
	size_t cap;
	char **cells;	/* nrows * ncols */
	unsigned right; /* bit c: column c is right-aligned (numbers) */
};

void canh_cli_table_init(struct canh_cli_table *t, size_t ncols);
void canh_cli_table_release(struct canh_cli_table *t);
void canh_cli_table_align_right(struct canh_cli_table *t, size_t col);
/* Append a row of exactly ncols `const char *` arguments; NULL shows as "-". */
void canh_cli_table_row(struct canh_cli_table *t, ...);
/* Same, from an array. */
void canh_cli_table_add(struct canh_cli_table *t, const char *const *cells);
/*
 * Print every row, columns separated by two spaces, each line after
 * `indent` (may be NULL); no trailing spaces.
 */
void canh_cli_table_print(const struct canh_cli_table *t, FILE *f, const char *indent);

/* Display width of a UTF-8 string: code points, combining marks count zero, bad bytes one. */
size_t canh_cli_utf8_width(const char *s);
/* A malloc'd copy of s (at most max bytes kept, cut at a character boundary) safe for a terminal.
 */
char *canh_cli_sanitize(const char *s, size_t max);

#endif
