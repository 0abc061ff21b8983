/*
 * Aligned tables with UTF-8 aware widths.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/error.h"
#include "canh/mem.h"
#include "canh/utf8.h"
#include "table.h"

static int is_combining(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	       (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0x200b || cp == 0x200c || cp == 0x200d ||
	       cp == 0xfeff;
}

size_t canh_cli_utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = canh_utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			w++;
			i++;
			continue;
		}
		if (!is_combining(cp))
			w++;
		i += len;
	}
	return w;
}

char *canh_cli_sanitize(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	int cut = n > max;
	if (cut)
		n = max;
	char *out = canh_xmalloc(n + 1);
	while (i < n) {
		uint32_t cp;
		size_t len = canh_utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			/* A sequence cut by `max` is dropped, a bad byte shown. */
			if (cut && n - i < 4 && (p[i] & 0xc0) == 0xc0)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (canh_utf8_is_unsafe(cp)) {
			/* Controls, line separators and bidi overrides. */
			out[o++] = cp == '\t' ? ' ' : '?';
		} else {
			memcpy(out + o, p + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

void canh_cli_table_init(struct canh_cli_table *t, size_t ncols)
{
	CANH_BUG_ON(ncols == 0 || ncols > CANH_CLI_TABLE_MAX_COLS);
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = 0;
	t->cells = NULL;
	t->right = 0;
}

void canh_cli_table_release(struct canh_cli_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
	t->cap = 0;
}

void canh_cli_table_align_right(struct canh_cli_table *t, size_t col)
{
	CANH_BUG_ON(col >= t->ncols);
	t->right |= 1u << col;
}

void canh_cli_table_add(struct canh_cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16, bytes;
		if (canh_size_mul(ncap, t->ncols * sizeof(char *), &bytes) != 0)
			CANH_BUG("table too large");
		t->cells = canh_xrealloc(t->cells, bytes);
		t->cap = ncap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++)
		row[c] = canh_cli_sanitize(cells[c] ? cells[c] : "-", CANH_CLI_TABLE_MAX_CELL);
	t->nrows++;
}

void canh_cli_table_row(struct canh_cli_table *t, ...)
{
	const char *cells[CANH_CLI_TABLE_MAX_COLS];
	va_list ap;
	va_start(ap, t);
	for (size_t c = 0; c < t->ncols; c++)
		cells[c] = va_arg(ap, const char *);
	va_end(ap);
	canh_cli_table_add(t, cells);
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

void canh_cli_table_print(const struct canh_cli_table *t, FILE *f, const char *indent)
{
	size_t width[CANH_CLI_TABLE_MAX_COLS] = {0};
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = canh_cli_utf8_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		if (indent)
			fputs(indent, f);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			size_t w = canh_cli_utf8_width(cell);
			int last = c + 1 == t->ncols;
			if (t->right & (1u << c)) {
				pad(f, width[c] - w);
				fputs(cell, f);
			} else {
				fputs(cell, f);
				if (!last)
					pad(f, width[c] - w);
			}
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
}
