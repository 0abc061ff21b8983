/*
 * Shared between the feed parsers (lib/feed*.c); not a public API.
 */
#ifndef CANH_FEED_INTERNAL_H
#define CANH_FEED_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/feed.h"

/* One parse: where entries and rejections go, and the counters. */
struct feed_ctx {
	const struct canh_feed_sink *sink;
	struct canh_feed_stats *st;
	struct canh_errmsg *err;
	const char *filename;
};

/* Hand e to the sink; returns the sink's value (nonzero stops the parse). */
int canh__feed_emit(struct feed_ctx *c, const struct canh_feed_entry *e);
/* Report a rejected row; the reason is printf-formatted and cut at 255 bytes. */
void canh__feed_reject(struct feed_ctx *c, uint32_t line, const char *cell, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* What an indicator text may be, for canh__feed_ioc. */
enum {
	FEED_IOC_PORT = 1,   /* "a.b.c.d:port", "[v6]:port" */
	FEED_IOC_NAMES = 2,  /* domains, URLs and hashes besides addresses */
	FEED_IOC_RANGE = 4,  /* "a-b" */
	FEED_IOC_SPACES = 8, /* blanks allowed around '-' of a range */
};

/* Big enough for any normalised value canh__feed_ioc writes (URLs are capped to fit). */
#define FEED_VALUE_MAX 2100

/*
 * Parse one indicator (s, n: already trimmed) into e->type, lo, hi, port
 * (when FEED_IOC_PORT and a port is given) and e->value, written into vbuf
 * (FEED_VALUE_MAX bytes). Returns 0, or -1 with *why set to a static reason.
 */
int canh__feed_ioc(const char *s, size_t n, unsigned flags, struct canh_feed_entry *e, char *vbuf,
		   const char **why);

/* A value quoted in a reason: at most 48 bytes, control bytes as '?'. */
const char *canh__feed_shown(const char *s, size_t n, char out[64]);

/* Trim ASCII blanks, NBSP (U+00A0), zero-width spaces and BOMs at both ends. */
void canh__feed_trim(const char **s, size_t *n);

/*
 * Fold a label to lowercase ASCII letters and digits: Vietnamese letters
 * lose their marks ("Địa chỉ IP" -> "diachiip"), everything that is not a
 * letter or digit is dropped. Writes at most outsz - 1 bytes and a NUL.
 */
size_t canh__feed_fold(const char *s, size_t n, char *out, size_t outsz);

/* How numbers in a time column are read: Unix time, or Excel serial days. */
enum { FEED_SERIAL_NONE, FEED_SERIAL_1900, FEED_SERIAL_1904 };

/*
 * A date or time as found in a feed: ISO 8601 (with or without zone),
 * "dd/mm/yyyy [HH:MM[:SS]]" (also with '-' or '.'), "yyyy-mm-dd HH:MM:SS",
 * Unix seconds (10 digits) or milliseconds (13), and with serial an Excel
 * serial day number (fractions are the time of day). Zoneless times are
 * UTC+7 unless utc. Returns 0 or -1.
 */
int canh__feed_time(const char *s, size_t n, bool utc, int serial, int64_t *ms);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t canh__feed_days(int64_t y, unsigned m, unsigned d);

/* Text lists: plain (IPs, CIDRs, ranges, names, hashes) and Spamhaus DROP. */
int canh__feed_plain(struct feed_ctx *c, const char *data, size_t len, bool drop);

/*
 * Tables (CSV, Feodo, xlsx): the header is found and mapped, then each row
 * becomes an entry. A table is fed row by row by its reader.
 */
struct feed_table;
/* serial: FEED_SERIAL_NONE for CSV, else the xlsx date system (cells named "B7"). */
struct feed_table *canh__feed_table_new(struct feed_ctx *c, int serial);
void canh__feed_table_free(struct feed_table *t);
/*
 * One row: ncells cells (text, lengths; a cell may be NULL for empty) and
 * its line or row number; for xlsx the cell names ("B7") come from the cell
 * index, and numbers in time columns are Excel serial days. Returns the
 * sink's nonzero value to stop, else 0.
 */
int canh__feed_table_row(struct feed_table *t, size_t ncells, const char *const *cells,
			 const size_t *lens, uint32_t line);
/* A title or comment row before the header: one that says "UTC" or "GMT"
 * makes the table's zoneless times UTC. */
void canh__feed_table_title(struct feed_table *t, size_t ncells, const char *const *cells,
			    const size_t *lens);
/* Whether a header with an address column has been found. */
bool canh__feed_table_has_header(const struct feed_table *t);
/* Whether the cells would map as a header with an address column. */
bool canh__feed_is_header(size_t ncells, const char *const *cells, const size_t *lens);

int canh__feed_csv(struct feed_ctx *c, const char *data, size_t len);
int canh__feed_xlsx(struct feed_ctx *c, const char *data, size_t len);
int canh__feed_json(struct feed_ctx *c, const char *data, size_t len, enum canh_feed_format fmt);
int canh__feed_drop_json(struct feed_ctx *c, const char *data, size_t len);

/* "B7" for column 1 (0-based), row 7. */
void canh__feed_cellname(uint32_t col, uint32_t row, char out[16]);

/* The delimiter of a CSV text whose header maps an address column, or 0. */
char canh__feed_csv_sniff(const char *data, size_t len);

#endif
