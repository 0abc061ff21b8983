/*
 * RFC 4180 CSV reader (see canh/csv.h).
 *
 * One pass over the input with no look-behind: the record being read is
 * collected into one bounded buffer of NUL-terminated fields, so reading a
 * record allocates nothing once the buffer has grown to the largest record.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/csv.h"
#include "canh/mem.h"

#define CSV_DEF_MAX_FIELD (64u * 1024)
#define CSV_DEF_MAX_FIELDS 1024u
#define CSV_DEF_MAX_RECORD (1024u * 1024)

struct canh_csv {
	const char *p;
	const char *end;
	char delim;
	size_t max_field;
	size_t max_fields;
	size_t max_record;
	size_t line;	 /* physical line at p */
	size_t rec_line; /* line the current record starts on */

	char *buf; /* field bytes, each field NUL-terminated */
	size_t buf_len;
	size_t buf_cap;
	size_t rec_bytes; /* field bytes of the record, without NULs */

	size_t *off; /* offset of each field in buf */
	size_t *flen;
	size_t nfields;
	size_t fields_cap;

	struct canh_csv_error error; /* of the last canh_csv_next */
};

int canh_csv_open(const char *data, size_t len, const struct canh_csv_opts *o,
		  struct canh_csv **out)
{
	struct canh_csv *r;

	*out = NULL;
	if (!data && len)
		return CANH_EINVAL;
	if (o && (o->delimiter == '"' || o->delimiter == '\r' || o->delimiter == '\n'))
		return CANH_EINVAL;
	r = canh_xcalloc(1, sizeof(*r));
	r->p = data ? data : "";
	r->end = r->p + len;
	r->delim = (o && o->delimiter) ? o->delimiter : ',';
	r->max_field = (o && o->max_field) ? o->max_field : CSV_DEF_MAX_FIELD;
	r->max_fields = (o && o->max_fields) ? o->max_fields : CSV_DEF_MAX_FIELDS;
	r->max_record = (o && o->max_record) ? o->max_record : CSV_DEF_MAX_RECORD;
	if (r->max_field > r->max_record)
		r->max_field = r->max_record;
	r->line = 1;
	if (len >= 3 && memcmp(r->p, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	*out = r;
	return 0;
}

void canh_csv_free(struct canh_csv *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->off);
	free(r->flen);
	free(r);
}

/* Consume one line ending at p (CRLF, LF or CR); returns 1 if there was one. */
static int eat_eol(struct canh_csv *r)
{
	if (r->p >= r->end)
		return 0;
	if (*r->p == '\r') {
		r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		return 1;
	}
	if (*r->p == '\n') {
		r->p++;
		r->line++;
		return 1;
	}
	return 0;
}

/*
 * After an error: skip the rest of the record, honouring quotes, so the next
 * call starts on the following record. in_quotes says whether p is inside a
 * quoted field; at_field_start whether a quote at p would open one.
 */
static void skip_record(struct canh_csv *r, int in_quotes, int at_field_start)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (in_quotes) {
			if (c == '"') {
				if (r->p + 1 < r->end && r->p[1] == '"') {
					r->p += 2;
					continue;
				}
				in_quotes = 0;
				at_field_start = 0;
				r->p++;
				continue;
			}
			if (c == '\n' || (c == '\r' && (r->p + 1 >= r->end || r->p[1] != '\n')))
				r->line++;
			r->p++;
			continue;
		}
		if (c == '\r' || c == '\n') {
			eat_eol(r);
			return;
		}
		if (c == '"' && at_field_start)
			in_quotes = 1;
		at_field_start = (c == r->delim);
		r->p++;
	}
}

/* Fail the record: the problem as data (canh_csv_last_error) and as err's English text. */
static int fail_record(struct canh_csv *r, struct canh_errmsg *err, int rc,
		       enum canh_csv_errkind kind, size_t line, size_t field, size_t limit,
		       size_t open_line)
{
	r->error.kind = kind;
	r->error.line = line;
	r->error.field = field;
	r->error.limit = limit;
	r->error.open_line = open_line;
	switch (kind) {
	case CANH_CSV_ERR_FIELD_TOO_LONG:
		return canh_errmsg_set(err, rc, "line %zu: field %zu is longer than %zu bytes",
				       line, field, limit);
	case CANH_CSV_ERR_RECORD_TOO_LONG:
		return canh_errmsg_set(err, rc, "line %zu: record is longer than %zu bytes", line,
				       limit);
	case CANH_CSV_ERR_RECORD_TOO_LARGE:
		return canh_errmsg_set(err, rc, "line %zu: record is too large", line);
	case CANH_CSV_ERR_TOO_MANY_FIELDS:
		return canh_errmsg_set(err, rc, "line %zu: more than %zu fields", line, limit);
	case CANH_CSV_ERR_UNTERMINATED:
		return canh_errmsg_set(err, rc,
				       "line %zu: unterminated quoted field (opened on line %zu)",
				       line, open_line);
	case CANH_CSV_ERR_AFTER_QUOTE:
		return canh_errmsg_set(
		    err, rc, "line %zu: unexpected character after the closing quote of field %zu",
		    line, field);
	case CANH_CSV_ERR_NONE:
		break;
	}
	CANH_BUG("CSV failure without a kind");
}

static int grow_buf(struct canh_csv *r, size_t need)
{
	size_t limit, ncap;

	/* Field bytes plus one NUL per field. */
	if (canh_size_add(r->max_record, r->max_fields, &limit) != 0)
		return CANH_ETOOBIG;
	if (need <= r->buf_cap)
		return 0;
	if (need > limit)
		return CANH_ETOOBIG;
	ncap = r->buf_cap ? r->buf_cap : 256;
	while (ncap < need)
		ncap = (ncap > limit / 2) ? limit : ncap * 2;
	r->buf = canh_xrealloc(r->buf, ncap);
	r->buf_cap = ncap;
	return 0;
}

static int put_byte(struct canh_csv *r, char c, struct canh_errmsg *err)
{
	size_t cur = r->flen[r->nfields - 1];

	if (cur >= r->max_field)
		return fail_record(r, err, CANH_ETOOBIG, CANH_CSV_ERR_FIELD_TOO_LONG, r->line,
				   r->nfields, r->max_field, 0);
	if (r->rec_bytes >= r->max_record)
		return fail_record(r, err, CANH_ETOOBIG, CANH_CSV_ERR_RECORD_TOO_LONG, r->rec_line,
				   0, r->max_record, 0);
	/* +1 keeps room for the field's NUL. */
	if (grow_buf(r, r->buf_len + 2) != 0)
		return fail_record(r, err, CANH_ETOOBIG, CANH_CSV_ERR_RECORD_TOO_LARGE, r->rec_line,
				   0, 0, 0);
	r->buf[r->buf_len++] = c;
	r->flen[r->nfields - 1] = cur + 1;
	r->rec_bytes++;
	return 0;
}

static int begin_field(struct canh_csv *r, struct canh_errmsg *err)
{
	if (r->nfields >= r->max_fields)
		return fail_record(r, err, CANH_ETOOBIG, CANH_CSV_ERR_TOO_MANY_FIELDS, r->rec_line,
				   0, r->max_fields, 0);
	if (r->nfields == r->fields_cap) {
		size_t ncap = r->fields_cap ? r->fields_cap * 2 : 16;
		if (ncap > r->max_fields)
			ncap = r->max_fields;
		r->off = canh_xrealloc(r->off, ncap * sizeof(*r->off));
		r->flen = canh_xrealloc(r->flen, ncap * sizeof(*r->flen));
		r->fields_cap = ncap;
	}
	if (grow_buf(r, r->buf_len + 1) != 0)
		return fail_record(r, err, CANH_ETOOBIG, CANH_CSV_ERR_RECORD_TOO_LARGE, r->rec_line,
				   0, 0, 0);
	r->off[r->nfields] = r->buf_len;
	r->flen[r->nfields] = 0;
	r->nfields++;
	return 0;
}

static void end_field(struct canh_csv *r)
{
	/* begin_field/put_byte always leave room for this NUL. */
	r->buf[r->buf_len++] = '\0';
}

int canh_csv_next(struct canh_csv *r, struct canh_errmsg *err)
{
	int rc;

	r->nfields = 0;
	r->buf_len = 0;
	r->rec_bytes = 0;
	memset(&r->error, 0, sizeof(r->error));

	/* Empty lines carry no record. */
	while (eat_eol(r))
		;
	if (r->p >= r->end)
		return 0;
	r->rec_line = r->line;

	for (;;) {
		rc = begin_field(r, err);
		if (rc != 0) {
			skip_record(r, 0, 1);
			goto fail;
		}
		if (r->p < r->end && *r->p == '"') {
			size_t open_line = r->line;
			r->p++;
			for (;;) {
				char c;
				if (r->p >= r->end) {
					rc = fail_record(r, err, CANH_EPARSE,
							 CANH_CSV_ERR_UNTERMINATED, r->line, 0, 0,
							 open_line);
					goto fail;
				}
				c = *r->p;
				if (c == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						rc = put_byte(r, '"', err);
						if (rc != 0) {
							skip_record(r, 1, 0);
							goto fail;
						}
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (c == '\n' ||
				    (c == '\r' && (r->p + 1 >= r->end || r->p[1] != '\n')))
					r->line++;
				rc = put_byte(r, c, err);
				if (rc != 0) {
					skip_record(r, 1, 0);
					goto fail;
				}
				r->p++;
			}
			end_field(r);
			if (r->p >= r->end)
				return 1;
			if (*r->p == r->delim) {
				r->p++;
				continue;
			}
			if (eat_eol(r))
				return 1;
			rc = fail_record(r, err, CANH_EPARSE, CANH_CSV_ERR_AFTER_QUOTE, r->line,
					 r->nfields, 0, 0);
			skip_record(r, 0, 0);
			goto fail;
		}
		while (r->p < r->end && *r->p != r->delim && *r->p != '\n' && *r->p != '\r') {
			rc = put_byte(r, *r->p, err);
			if (rc != 0) {
				skip_record(r, 0, 0);
				goto fail;
			}
			r->p++;
		}
		end_field(r);
		if (r->p >= r->end)
			return 1;
		if (*r->p == r->delim) {
			r->p++;
			continue;
		}
		eat_eol(r);
		return 1;
	}

fail:
	r->nfields = 0;
	r->buf_len = 0;
	return rc;
}

size_t canh_csv_nfields(const struct canh_csv *r)
{
	return r->nfields;
}

const char *canh_csv_field(const struct canh_csv *r, size_t i, size_t *len)
{
	if (i >= r->nfields) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = r->flen[i];
	return r->buf + r->off[i];
}

size_t canh_csv_line(const struct canh_csv *r)
{
	return r->rec_line;
}

const struct canh_csv_error *canh_csv_last_error(const struct canh_csv *r)
{
	return &r->error;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

long canh_csv_find(const struct canh_csv *r, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < r->nfields; i++) {
		const char *f = r->buf + r->off[i];
		size_t flen = r->flen[i];
		size_t k;

		while (flen && is_blank(*f)) {
			f++;
			flen--;
		}
		while (flen && is_blank(f[flen - 1]))
			flen--;
		if (flen != nlen)
			continue;
		for (k = 0; k < nlen; k++)
			if (lower(f[k]) != lower(name[k]))
				break;
		if (k == nlen)
			return (long)i;
	}
	return -1;
}
