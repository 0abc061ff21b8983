/*
 * Pull scanner over JSON in memory (canh/jsonstream.h).
 */
#include <string.h>

#include "canh/crypto.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"
#include "canh/utf8.h"

enum {
	ST_VALUE = 0,	 /* a value must come (top level, after ':' or ',' in an array) */
	ST_VALUE_OR_END, /* after '[' */
	ST_KEY_OR_END,	 /* after '{' */
	ST_KEY,		 /* after ',' in an object */
	ST_COLON,	 /* after a key */
	ST_COMMA_OR_END, /* after a value inside a container */
	ST_DONE,	 /* the top-level value is complete */
};

void canh_json_reader_init(struct canh_json_reader *r, const void *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->base = data;
	r->len = len;
	r->state = ST_VALUE;
	canh_buf_init(&r->scratch, CANH_JSON_MAX_STRING);
}

void canh_json_reader_release(struct canh_json_reader *r)
{
	canh_buf_release(&r->scratch);
}

void canh_json_position(const void *data, size_t len, size_t off, size_t *line, size_t *col)
{
	const char *p = data, *end, *nl, *last = p;
	size_t l = 1;

	if (off > len)
		off = len;
	end = p + off;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		l++;
		p = nl + 1;
		last = p;
	}
	*line = l;
	*col = (size_t)(end - last) + 1;
}

int canh_json_error_at(const struct canh_json_reader *r, size_t off, int code,
		       struct canh_errmsg *err, const char *what)
{
	size_t line, col;

	canh_json_position(r->base, r->len, off, &line, &col);
	return canh_errmsg_set(err, code, "%s at line %zu, column %zu (byte %zu)", what, line, col,
			       off);
}

/* Record a sticky error at offset off. */
static int fail(struct canh_json_reader *r, size_t off, int code, const char *what,
		struct canh_errmsg *err)
{
	struct canh_errmsg e;

	canh_json_error_at(r, off, code, &e, what);
	canh_strlcpy(r->err_text, e.text, sizeof(r->err_text));
	r->err_code = code;
	return canh_errmsg_set(err, code, "%s", r->err_text);
}

static void skip_ws(struct canh_json_reader *r)
{
	const char *p = r->base + r->pos, *end = r->base + r->len;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	r->pos = (size_t)(p - r->base);
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether any of 8 bytes is '"', '\\' or below 0x20 (bytes >= 0x80 never count). */
static inline int special8(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
	uint64_t zq = (q - ONES) & ~q, zb = (b - ONES) & ~b, lt = (v - ONES * 0x20) & ~v;
	return ((zq | zb | lt) & HIGHS) != 0;
}

/* Whether n bytes are all ASCII. */
static int all_ascii(const char *p, size_t n)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		acc |= v;
	}
	for (; i < n; i++)
		acc |= (unsigned char)p[i];
	return (acc & HIGHS) == 0 && (acc & 0x80) == 0;
}

/* Scan a string starting at the opening quote; checks escapes, not UTF-8. */
static int scan_string(struct canh_json_reader *r, struct canh_errmsg *err)
{
	const unsigned char *start = (const unsigned char *)r->base + r->pos + 1;
	const unsigned char *p = start, *end = (const unsigned char *)r->base + r->len;
	int escaped = 0;

	for (;;) {
		/* Fast path over plain bytes, eight at a time, then one by one. */
		while (end - p >= 8) {
			uint64_t v;
			memcpy(&v, p, 8);
			if (special8(v))
				break;
			p += 8;
		}
		while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
			p++;
		if (p >= end)
			return fail(r, r->pos, CANH_EPARSE, "unterminated string", err);
		if (*p == '"')
			break;
		if (*p < 0x20)
			return fail(r, (size_t)((const char *)p - r->base), CANH_EPARSE,
				    "control character in a string", err);
		/* Backslash. */
		escaped = 1;
		if (p + 1 >= end)
			return fail(r, r->pos, CANH_EPARSE, "unterminated string", err);
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p += 2;
			break;
		case 'u':
			if (end - p < 6 || canh_hexval(p[2]) < 0 || canh_hexval(p[3]) < 0 ||
			    canh_hexval(p[4]) < 0 || canh_hexval(p[5]) < 0)
				return fail(r, (size_t)((const char *)p - r->base), CANH_EPARSE,
					    "bad \\u escape in a string", err);
			p += 6;
			break;
		default:
			return fail(r, (size_t)((const char *)p - r->base), CANH_EPARSE,
				    "bad escape in a string", err);
		}
	}
	r->raw = (const char *)start;
	r->raw_len = (size_t)(p - start);
	r->raw_escaped = escaped;
	r->pos = (size_t)((const char *)p - r->base) + 1;
	return 0;
}

static int scan_number(struct canh_json_reader *r, struct canh_errmsg *err)
{
	const char *p = r->base + r->pos, *end = r->base + r->len, *s = p;

	if (p < end && *p == '-')
		p++;
	if (p >= end || !(*p >= '0' && *p <= '9'))
		return fail(r, r->pos, CANH_EPARSE, "malformed number", err);
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !(*p >= '0' && *p <= '9'))
			return fail(r, r->pos, CANH_EPARSE, "malformed number", err);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !(*p >= '0' && *p <= '9'))
			return fail(r, r->pos, CANH_EPARSE, "malformed number", err);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	r->raw = s;
	r->raw_len = (size_t)(p - s);
	r->raw_escaped = 0;
	r->pos = (size_t)(p - r->base);
	return 0;
}

static void after_value(struct canh_json_reader *r)
{
	r->state = r->depth == 0 ? ST_DONE : ST_COMMA_OR_END;
}

static int push(struct canh_json_reader *r, uint8_t kind, struct canh_errmsg *err)
{
	if (r->depth >= CANH_JSON_MAX_DEPTH)
		return fail(r, r->pos, CANH_ETOOBIG, "JSON nested too deeply", err);
	r->stack[r->depth++] = kind;
	return 0;
}

static int scan_value(struct canh_json_reader *r, enum canh_json_tok *tok, struct canh_errmsg *err)
{
	const char *p = r->base + r->pos;
	size_t left = r->len - r->pos;
	int rc;

	r->tok_off = r->pos;
	r->raw = p;
	r->raw_len = 1;
	r->raw_escaped = 0;
	switch (*p) {
	case '{':
		if ((rc = push(r, 'O', err)) < 0)
			return rc;
		r->pos++;
		r->state = ST_KEY_OR_END;
		*tok = CANH_JSON_OBJ;
		return 0;
	case '[':
		if ((rc = push(r, 'A', err)) < 0)
			return rc;
		r->pos++;
		r->state = ST_VALUE_OR_END;
		*tok = CANH_JSON_ARR;
		return 0;
	case '"':
		if ((rc = scan_string(r, err)) < 0)
			return rc;
		*tok = CANH_JSON_STRING;
		break;
	case 't':
		if (left < 4 || memcmp(p, "true", 4) != 0)
			return fail(r, r->pos, CANH_EPARSE, "unexpected character", err);
		r->pos += 4;
		r->raw_len = 4;
		*tok = CANH_JSON_TRUE;
		break;
	case 'f':
		if (left < 5 || memcmp(p, "false", 5) != 0)
			return fail(r, r->pos, CANH_EPARSE, "unexpected character", err);
		r->pos += 5;
		r->raw_len = 5;
		*tok = CANH_JSON_FALSE;
		break;
	case 'n':
		if (left < 4 || memcmp(p, "null", 4) != 0)
			return fail(r, r->pos, CANH_EPARSE, "unexpected character", err);
		r->pos += 4;
		r->raw_len = 4;
		*tok = CANH_JSON_NULL;
		break;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			if ((rc = scan_number(r, err)) < 0)
				return rc;
			*tok = CANH_JSON_NUMBER;
			break;
		}
		if (*p == '}' || *p == ']' || *p == ',')
			return fail(r, r->pos, CANH_EPARSE, "expected a value", err);
		return fail(r, r->pos, CANH_EPARSE, "unexpected character", err);
	}
	after_value(r);
	return 0;
}

static int close_container(struct canh_json_reader *r, char c, enum canh_json_tok *tok,
			   struct canh_errmsg *err)
{
	uint8_t want = c == '}' ? 'O' : 'A';

	if (r->depth == 0 || r->stack[r->depth - 1] != want)
		return fail(r, r->pos, CANH_EPARSE,
			    c == '}' ? "'}' closes no object" : "']' closes no array", err);
	r->depth--;
	r->tok_off = r->pos;
	r->raw = r->base + r->pos;
	r->raw_len = 1;
	r->pos++;
	*tok = c == '}' ? CANH_JSON_OBJ_END : CANH_JSON_ARR_END;
	after_value(r);
	return 0;
}

int canh_json_next(struct canh_json_reader *r, enum canh_json_tok *tok, struct canh_errmsg *err)
{
	char c;
	int rc;

	*tok = CANH_JSON_EOF;
	if (r->err_code)
		return canh_errmsg_set(err, r->err_code, "%s", r->err_text);
	for (;;) {
		skip_ws(r);
		if (r->pos >= r->len) {
			if (r->state == ST_DONE)
				return 0;
			return fail(r, r->pos, CANH_EPARSE,
				    r->len == 0 ? "empty JSON text" : "JSON text ends too early",
				    err);
		}
		c = r->base[r->pos];
		switch (r->state) {
		case ST_DONE:
			return fail(r, r->pos, CANH_EPARSE, "data after the JSON value", err);
		case ST_COMMA_OR_END:
			if (c == ',') {
				r->pos++;
				r->state = r->stack[r->depth - 1] == 'O' ? ST_KEY : ST_VALUE;
				continue;
			}
			if (c == '}' || c == ']')
				return close_container(r, c, tok, err);
			return fail(r, r->pos, CANH_EPARSE,
				    r->stack[r->depth - 1] == 'O' ? "expected ',' or '}'"
								  : "expected ',' or ']'",
				    err);
		case ST_COLON:
			if (c != ':')
				return fail(r, r->pos, CANH_EPARSE, "expected ':' after a key",
					    err);
			r->pos++;
			r->state = ST_VALUE;
			continue;
		case ST_KEY_OR_END:
			if (c == '}')
				return close_container(r, c, tok, err);
			/* fall through */
		case ST_KEY:
			if (c != '"')
				return fail(r, r->pos, CANH_EPARSE, "expected a member name string",
					    err);
			r->tok_off = r->pos;
			if ((rc = scan_string(r, err)) < 0)
				return rc;
			r->state = ST_COLON;
			*tok = CANH_JSON_KEY;
			return 0;
		case ST_VALUE_OR_END:
			if (c == ']')
				return close_container(r, c, tok, err);
			/* fall through */
		default:
			return scan_value(r, tok, err);
		}
	}
}

int canh_json_skip(struct canh_json_reader *r, enum canh_json_tok tok, struct canh_errmsg *err)
{
	int depth, rc;

	if (tok != CANH_JSON_OBJ && tok != CANH_JSON_ARR) {
		if (tok == CANH_JSON_KEY || tok == CANH_JSON_OBJ_END || tok == CANH_JSON_ARR_END)
			return canh_errmsg_set(err, CANH_EINVAL, "nothing to skip");
		return 0;
	}
	depth = r->depth - 1;
	while (r->depth > depth) {
		/* Strings and numbers inside are scanned, never decoded. */
		if ((rc = canh_json_next(r, &tok, err)) < 0)
			return rc;
		if (tok == CANH_JSON_EOF)
			return fail(r, r->pos, CANH_EPARSE, "JSON text ends too early", err);
	}
	return 0;
}

static void put_utf8(struct canh_buf *b, uint32_t cp, int *rc)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*rc == 0)
		*rc = canh_buf_append(b, u, n);
}

static uint32_t hex4(const char *p)
{
	return (uint32_t)(canh_hexval(p[0]) << 12 | canh_hexval(p[1]) << 8 |
			  canh_hexval(p[2]) << 4 | canh_hexval(p[3]));
}

const char *canh_json_str(struct canh_json_reader *r, size_t *n, struct canh_errmsg *err)
{
	const char *p = r->raw, *end = r->raw + r->raw_len;
	size_t off = (size_t)(r->raw - r->base);
	int rc = 0;

	canh_buf_reset(&r->scratch);
	if (!r->raw_escaped) {
		/* The scanner refused control bytes (NUL among them) already. */
		if (!all_ascii(p, r->raw_len) && !canh_utf8_valid(p, r->raw_len)) {
			canh_json_error_at(r, off, CANH_EPARSE, err, "invalid UTF-8 in a string");
			return NULL;
		}
		rc = canh_buf_append(&r->scratch, p, r->raw_len);
	} else {
		while (p < end && rc == 0) {
			const char *q = p;
			while (q < end && *q != '\\')
				q++;
			if (q > p) {
				if (memchr(p, '\0', (size_t)(q - p)) ||
				    !canh_utf8_valid(p, (size_t)(q - p))) {
					canh_json_error_at(r, off, CANH_EPARSE, err,
							   "invalid UTF-8 in a string");
					return NULL;
				}
				rc = canh_buf_append(&r->scratch, p, (size_t)(q - p));
			}
			if (q >= end)
				break;
			/* The scanner checked every escape's shape. */
			switch (q[1]) {
			case 'b':
				rc = rc ? rc : canh_buf_putc(&r->scratch, '\b');
				break;
			case 'f':
				rc = rc ? rc : canh_buf_putc(&r->scratch, '\f');
				break;
			case 'n':
				rc = rc ? rc : canh_buf_putc(&r->scratch, '\n');
				break;
			case 'r':
				rc = rc ? rc : canh_buf_putc(&r->scratch, '\r');
				break;
			case 't':
				rc = rc ? rc : canh_buf_putc(&r->scratch, '\t');
				break;
			case 'u': {
				uint32_t cp = hex4(q + 2);
				if (cp >= 0xd800 && cp <= 0xdbff && end - q >= 12 && q[6] == '\\' &&
				    q[7] == 'u') {
					uint32_t lo = hex4(q + 8);
					if (lo >= 0xdc00 && lo <= 0xdfff) {
						cp =
						    0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						q += 6;
					}
				}
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
					canh_json_error_at(r, (size_t)(q - r->base), CANH_EPARSE,
							   err,
							   cp ? "unpaired surrogate in a string"
							      : "\\u0000 in a string");
					return NULL;
				}
				put_utf8(&r->scratch, cp, &rc);
				p = q + 6;
				continue;
			}
			default: /* " \ / */
				rc = rc ? rc : canh_buf_putc(&r->scratch, q[1]);
				break;
			}
			p = q + 2;
		}
	}
	if (rc < 0) {
		canh_json_error_at(r, off, CANH_ETOOBIG, err, "string too long");
		return NULL;
	}
	if (n)
		*n = r->scratch.len;
	return canh_buf_cstr(&r->scratch);
}

int canh_json_str_eq(struct canh_json_reader *r, const char *s)
{
	size_t n = strlen(s), dn;
	const char *d;

	if (!r->raw_escaped)
		return r->raw_len == n && memcmp(r->raw, s, n) == 0;
	d = canh_json_str(r, &dn, NULL);
	return d && dn == n && memcmp(d, s, n) == 0;
}

int canh_json_int(struct canh_json_reader *r, int64_t min, int64_t max, int64_t *out,
		  struct canh_errmsg *err)
{
	const char *p = r->raw, *end = r->raw + r->raw_len;
	int neg = 0;
	uint64_t v = 0;

	*out = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end)
		return canh_json_error_at(r, r->tok_off, CANH_ERANGE, err, "not an integer");
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return canh_json_error_at(r, r->tok_off, CANH_ERANGE, err,
						  "not an integer");
		if (v > (UINT64_MAX - 9) / 10)
			return canh_json_error_at(r, r->tok_off, CANH_ERANGE, err,
						  "integer out of range");
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return canh_json_error_at(r, r->tok_off, CANH_ERANGE, err, "integer out of range");
	int64_t s = neg ? -(int64_t)v : (int64_t)v;
	if (s < min || s > max)
		return canh_json_error_at(r, r->tok_off, CANH_ERANGE, err, "integer out of range");
	*out = s;
	return 0;
}
