/*
 * A pull scanner over a JSON text in memory (RFC 8259), for inputs too large
 * to load as a tree: the Debian Security Tracker's tens of MB, an OSV array
 * of thousands of records.
 *
 * canh_json_next returns one token at a time and checks the grammar as it
 * goes (commas, colons, nesting, literals, numbers, string escapes), so a
 * caller walks what it wants and canh_json_skip()s the rest without
 * decoding it. Nothing is allocated except the scratch buffer that decoded
 * strings live in (capped). The input is never copied or modified.
 *
 * Errors: CANH_EPARSE with err naming the position as "line L, column C
 * (byte N)" and the reason; CANH_ETOOBIG past the depth or string caps.
 * Once an error is returned, every later call returns it again.
 */
#ifndef CANH_JSONSTREAM_H
#define CANH_JSONSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "canh/buf.h"
#include "canh/error.h"

enum canh_json_tok {
	CANH_JSON_EOF = 0, /* the top-level value ended and only blanks follow */
	CANH_JSON_OBJ,	   /* { */
	CANH_JSON_OBJ_END, /* } */
	CANH_JSON_ARR,	   /* [ */
	CANH_JSON_ARR_END, /* ] */
	CANH_JSON_KEY,	   /* an object member's name; its value is the next token */
	CANH_JSON_STRING,
	CANH_JSON_NUMBER,
	CANH_JSON_TRUE,
	CANH_JSON_FALSE,
	CANH_JSON_NULL,
};

#define CANH_JSON_MAX_DEPTH 128
#define CANH_JSON_MAX_STRING (4u * 1024 * 1024) /* decoded bytes of one string */

struct canh_json_reader {
	const char *base;
	size_t len, pos;
	/* The last token: raw bytes (strings without their quotes, undecoded). */
	const char *raw;
	size_t raw_len, tok_off; /* tok_off: byte offset where the token starts */
	int raw_escaped;	 /* the string holds backslash escapes */
	int depth, state, err_code;
	uint8_t stack[CANH_JSON_MAX_DEPTH]; /* 'O' or 'A' per open container */
	struct canh_buf scratch;
	char err_text[256];
};

/* Initialise over data[0..len); depth counts containers open at once (<= CANH_JSON_MAX_DEPTH). */
void canh_json_reader_init(struct canh_json_reader *r, const void *data, size_t len);
/* Frees the scratch buffer. */
void canh_json_reader_release(struct canh_json_reader *r);

/* The next token into *tok; 0 or a negative CANH_E... code (err filled). */
int canh_json_next(struct canh_json_reader *r, enum canh_json_tok *tok, struct canh_errmsg *err);

/*
 * Skip the value that tok (just returned by canh_json_next) starts: for an
 * object or array everything up to its matching end, for a scalar nothing.
 * tok must not be a KEY or an END token (CANH_EINVAL).
 */
int canh_json_skip(struct canh_json_reader *r, enum canh_json_tok tok, struct canh_errmsg *err);

/*
 * The last KEY or STRING token decoded to UTF-8 (escapes resolved, checked
 * for valid UTF-8, no NUL inside): a NUL-terminated string valid until the
 * next call on r. *n (may be NULL) gets its length. NULL with err filled
 * when the string cannot be decoded.
 */
const char *canh_json_str(struct canh_json_reader *r, size_t *n, struct canh_errmsg *err);

/* Whether the last KEY/STRING token equals s exactly (escapes decoded when present). */
int canh_json_str_eq(struct canh_json_reader *r, const char *s);

/* The last NUMBER token as an integer in [min, max]; CANH_ERANGE otherwise (fractions too). */
int canh_json_int(struct canh_json_reader *r, int64_t min, int64_t max, int64_t *out,
		  struct canh_errmsg *err);

/* Fill err with "<what> at line L, column C (byte N)" for offset off; returns code. */
int canh_json_error_at(const struct canh_json_reader *r, size_t off, int code,
		       struct canh_errmsg *err, const char *what);

/* Line and column (1-based, column in bytes) of byte offset off in data. */
void canh_json_position(const void *data, size_t len, size_t off, size_t *line, size_t *col);

#endif
