/*
 * RFC 4180 CSV reader over a buffer in memory.
 *
 * Fields may be quoted ("a, b"), a doubled quote inside a quoted field is one
 * quote, and a quoted field may span lines. Records end with CRLF, LF or a
 * lone CR. A UTF-8 byte order mark at the start is skipped; completely empty
 * lines are skipped (they carry no record). The delimiter is configurable
 * (',' ';' '\t' '|'...). Everything is capped: bytes per field, fields per
 * record and bytes per record, so a hostile file costs bounded memory.
 *
 * Errors name the physical line ("line 7: unterminated quoted field"). After
 * an error in one record the reader has skipped to the end of that record,
 * so the caller may report it and go on with the next one (an unterminated
 * quote runs to the end of the input, so nothing follows it).
 *
 * The reader does not copy the input: `data` must outlive it. Field values
 * live in the reader and are valid until the next canh_csv_next call; each is
 * NUL-terminated and also has an explicit length (a field may hold a NUL).
 */
#ifndef CANH_CSV_H
#define CANH_CSV_H

#include <stddef.h>

#include "canh/error.h"

struct canh_csv_opts {
	char delimiter;	   /* 0 means ',' ; must not be '"', CR or LF */
	size_t max_field;  /* bytes in one field; 0 means 64 KiB */
	size_t max_fields; /* fields in one record; 0 means 1,024 */
	size_t max_record; /* bytes of all fields of one record; 0 means 1 MiB */
};

struct canh_csv;

/* o may be NULL for the defaults. Caller frees *out with canh_csv_free. */
int canh_csv_open(const char *data, size_t len, const struct canh_csv_opts *o,
		  struct canh_csv **out);
void canh_csv_free(struct canh_csv *r); /* NULL-safe */

/*
 * Read the next record. Returns 1 when a record is available, 0 at the end of
 * the input, or a negative CANH_E... code with err saying what and on which
 * line (CANH_EPARSE for bad quoting, CANH_ETOOBIG for a cap).
 */
int canh_csv_next(struct canh_csv *r, struct canh_errmsg *err);

/*
 * The same failure as data, for a caller that words it itself (canhd answers
 * in English or Vietnamese): err's text is built from these fields. The
 * numbers a kind does not use are 0.
 */
enum canh_csv_errkind {
	CANH_CSV_ERR_NONE,
	CANH_CSV_ERR_FIELD_TOO_LONG,   /* field `field` (1-based) is over `limit` bytes */
	CANH_CSV_ERR_RECORD_TOO_LONG,  /* the record is over `limit` bytes */
	CANH_CSV_ERR_RECORD_TOO_LARGE, /* the record does not fit the reader's buffer */
	CANH_CSV_ERR_TOO_MANY_FIELDS,  /* more than `limit` fields */
	CANH_CSV_ERR_UNTERMINATED,     /* a quoted field opened on `open_line` never closes */
	CANH_CSV_ERR_AFTER_QUOTE,      /* something other than a delimiter or line end follows
					  the closing quote of field `field` */
};

struct canh_csv_error {
	enum canh_csv_errkind kind;
	size_t line; /* the physical line err names */
	size_t field;
	size_t limit;
	size_t open_line;
};

/* What the last canh_csv_next call failed on; kind CANH_CSV_ERR_NONE when it did not fail. */
const struct canh_csv_error *canh_csv_last_error(const struct canh_csv *r);

size_t canh_csv_nfields(const struct canh_csv *r);
/* Field i of the current record, or NULL when i is out of range; *len may be NULL. */
const char *canh_csv_field(const struct canh_csv *r, size_t i, size_t *len);
/* The line the current record starts on (1-based). */
size_t canh_csv_line(const struct canh_csv *r);

/*
 * Index of the field of the current record equal to name, ignoring ASCII case
 * and surrounding blanks (for header rows), or -1.
 */
long canh_csv_find(const struct canh_csv *r, const char *name);

#endif
