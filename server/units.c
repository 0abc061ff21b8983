/*
 * Units: the rules for a valid unit, and the CSV import.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/csv.h"
#include "canh/ipaddr.h"
#include "canh/mem.h"
#include "canh/utf8.h"
#include "messages.h"
#include "units.h"

static const char *const unit_types[] = {"department", "district", "school",
					 "centre",     "other",	   NULL};

void canh_unit_in_release(struct canh_unit_in *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->ranges_json);
	free(u->contacts_json);
	memset(u, 0, sizeof(*u));
}

int canh_unit_code_valid(const char *s, size_t len)
{
	if (len == 0 || len > CANH_UNIT_CODE_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * How many bytes of s to quote in a message, at most max: whole UTF-8
 * characters only, so that cutting a Vietnamese word short does not make the
 * message invalid UTF-8 (and lose it in the JSON answer).
 */
static int quote_len(const char *s, size_t len, size_t max)
{
	size_t n = 0;

	while (n < len) {
		size_t k = canh_utf8_decode(s + n, len - n, NULL);
		if (k == 0)
			k = 1; /* not UTF-8: the answer escapes it */
		if (n + k > max)
			break;
		n += k;
	}
	return (int)n;
}

static int check_name(const char *s, size_t len, enum canh_lang lang, struct canh_errmsg *err)
{
	if (len == 0)
		return canh_msg_set(err, lang, CANH_EINVAL, S_NAME_EMPTY);
	if (len > CANH_UNIT_NAME_MAX)
		return canh_msg_set(err, lang, CANH_EINVAL, S_NAME_TOO_LONG, CANH_UNIT_NAME_MAX);
	if (!canh_utf8_valid(s, len))
		return canh_msg_set(err, lang, CANH_EINVAL, S_NAME_NOT_UTF8);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return canh_msg_set(err, lang, CANH_EINVAL, S_NAME_CONTROL);
	return 0;
}

static int set_type(struct canh_unit_in *u, const char *s, size_t len, enum canh_lang lang,
		    struct canh_errmsg *err)
{
	for (const char *const *t = unit_types; *t; t++) {
		if (strlen(*t) == len && strncmp(*t, s, len) == 0) {
			canh_strlcpy(u->type, *t, sizeof(u->type));
			return 0;
		}
	}
	return canh_msg_set(err, lang, CANH_EINVAL, S_TYPE_INVALID, quote_len(s, len, 32), s);
}

static int set_code(char *dst, const char *field, const char *s, size_t len, enum canh_lang lang,
		    struct canh_errmsg *err)
{
	if (!canh_unit_code_valid(s, len))
		return canh_msg_set(err, lang, CANH_EINVAL, S_CODE_INVALID, field,
				    quote_len(s, len, 80), s);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Parse one range and append its normalised form. */
static int add_range(json_t *arr, const char *s, size_t len, size_t idx, enum canh_lang lang,
		     struct canh_errmsg *err)
{
	char in[CANH_CIDR_STRLEN + 1], out[CANH_CIDR_STRLEN];
	struct canh_cidr c;

	if (json_array_size(arr) >= CANH_UNIT_MAX_RANGES)
		return canh_msg_set(err, lang, CANH_EINVAL, S_RANGES_TOO_MANY,
				    CANH_UNIT_MAX_RANGES);
	if (len >= sizeof(in) || memchr(s, '\0', len))
		goto bad;
	memcpy(in, s, len);
	in[len] = '\0';
	if (canh_cidr_parse(in, false, &c) != 0)
		goto bad;
	json_array_append_new(arr, json_string(canh_cidr_format(&c, out, sizeof(out))));
	return 0;
bad:
	return canh_msg_set(err, lang, CANH_EINVAL, S_RANGE_INVALID, idx, quote_len(s, len, 64), s);
}

static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	CANH_BUG_ON(!s);
	return s;
}

static void bind_unit(struct canh_unit_in *u)
{
	int keep = u->unit.keep_parent;

	u->unit.code = u->code;
	u->unit.name = u->name;
	u->unit.type = u->type;
	u->unit.parent = u->parent[0] ? u->parent : NULL;
	u->unit.ranges_json = u->ranges_json;
	u->unit.contacts_json = u->contacts_json;
	u->unit.keep_parent = keep;
}

static int contacts_from_json(const json_t *v, enum canh_lang lang, json_t **out,
			      struct canh_errmsg *err)
{
	static const char *const keys[] = {"name", "role", "phone", "email", NULL};
	json_t *arr = json_array();
	const json_t *c;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (v && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_CONTACTS_NOT_ARRAY);
			goto out;
		}
		if (json_array_size(v) > CANH_UNIT_MAX_CONTACTS) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_CONTACTS_TOO_MANY,
					  CANH_UNIT_MAX_CONTACTS);
			goto out;
		}
		json_array_foreach(v, i, c)
		{
			json_t *o = json_object();
			const char *k;
			const json_t *f;

			json_array_append_new(arr, o);
			if (!json_is_object(c)) {
				rc = canh_msg_set(err, lang, CANH_EINVAL, S_CONTACT_NOT_OBJECT, i);
				goto out;
			}
			json_object_foreach((json_t *)c, k, f)
			{
				const char *const *kk;
				for (kk = keys; *kk; kk++)
					if (strcmp(*kk, k) == 0)
						break;
				if (!*kk) {
					rc = canh_msg_set(err, lang, CANH_EINVAL,
							  S_CONTACT_UNKNOWN_FIELD, i, k);
					goto out;
				}
				if (json_is_null(f))
					continue;
				if (!json_is_string(f) ||
				    json_string_length(f) > CANH_UNIT_CONTACT_FIELD_MAX ||
				    memchr(json_string_value(f), '\0', json_string_length(f))) {
					rc = canh_msg_set(err, lang, CANH_EINVAL,
							  S_CONTACT_FIELD_INVALID, i, k,
							  CANH_UNIT_CONTACT_FIELD_MAX);
					goto out;
				}
				json_object_set(o, k, (json_t *)f);
			}
		}
	}
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	return rc;
}

int canh_unit_from_json(const json_t *o, enum canh_lang lang, struct canh_unit_in *u,
			struct canh_errmsg *err)
{
	const json_t *v;
	json_t *ranges = json_array(), *contacts = NULL;
	size_t i;
	int rc;

	memset(u, 0, sizeof(*u));
	v = json_object_get(o, "code");
	if (!json_is_string(v)) {
		rc = canh_msg_set(err, lang, CANH_EINVAL, S_CODE_MISSING);
		goto out;
	}
	if ((rc = set_code(u->code, "code", json_string_value(v), json_string_length(v), lang,
			   err)) != 0)
		goto out;

	v = json_object_get(o, "name");
	if (!json_is_string(v)) {
		rc = canh_msg_set(err, lang, CANH_EINVAL, S_NAME_MISSING);
		goto out;
	}
	if ((rc = check_name(json_string_value(v), json_string_length(v), lang, err)) != 0)
		goto out;
	u->name = canh_xstrndup(json_string_value(v), json_string_length(v));

	v = json_object_get(o, "type");
	if (!v || json_is_null(v)) {
		canh_strlcpy(u->type, "other", sizeof(u->type));
	} else if (!json_is_string(v)) {
		rc = canh_msg_set(err, lang, CANH_EINVAL, S_TYPE_NOT_STRING);
		goto out;
	} else if ((rc = set_type(u, json_string_value(v), json_string_length(v), lang, err)) !=
		   0) {
		goto out;
	}

	v = json_object_get(o, "parent");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_PARENT_NOT_STRING);
			goto out;
		}
		if ((rc = set_code(u->parent, "parent", json_string_value(v), json_string_length(v),
				   lang, err)) != 0)
			goto out;
		/* parent == code is left to the store: an existing code is a conflict
		   (409) before anything else, a new one has no such parent yet (400). */
	}

	v = json_object_get(o, "public_ranges");
	if (v && !json_is_null(v)) {
		const json_t *e;
		if (!json_is_array(v)) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_RANGES_NOT_ARRAY);
			goto out;
		}
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e)) {
				rc = canh_msg_set(err, lang, CANH_EINVAL, S_RANGE_NOT_STRING, i);
				goto out;
			}
			if ((rc = add_range(ranges, json_string_value(e), json_string_length(e), i,
					    lang, err)) != 0)
				goto out;
		}
	}
	if ((rc = contacts_from_json(json_object_get(o, "contacts"), lang, &contacts, err)) != 0)
		goto out;
	u->ranges_json = dump(ranges);
	u->contacts_json = dump(contacts);
	bind_unit(u);
out:
	json_decref(ranges);
	json_decref(contacts);
	if (rc != 0)
		canh_unit_in_release(u);
	return rc;
}

/* ---- CSV import ---- */

struct row {
	struct canh_unit_in u;
	size_t line;
	int ok;
	long parent; /* index of the parent's row in the file, or -1 */
	int state;   /* topological walk: 0 new, 1 on the stack, 2 placed */
};

struct import_error {
	size_t line;
	char *msg;
};

struct import {
	enum canh_lang lang; /* of the row errors */
	struct row *rows;
	size_t nrows, caprows;
	struct import_error *errs;
	size_t nerrs, caperrs;
};

/* A row error, already worded in im->lang. */
static void add_error(struct import *im, size_t line, const char *msg)
{
	if (im->nerrs == im->caperrs) {
		im->caperrs = im->caperrs ? im->caperrs * 2 : 16;
		im->errs = canh_xrealloc(im->errs, im->caperrs * sizeof(*im->errs));
	}
	im->errs[im->nerrs].line = line;
	im->errs[im->nerrs].msg = canh_xstrdup(msg);
	im->nerrs++;
}

/* A row error from the table (arguments checked like canh_msg_set). */
static void add_msg_(struct import *im, size_t line, enum canh_msg_id id, ...)
{
	char msg[sizeof(((struct canh_errmsg *)0)->text)];
	va_list ap;

	va_start(ap, id);
	canh_msg_vformat(im->lang, msg, sizeof(msg), id, ap);
	va_end(ap);
	add_error(im, line, msg);
}
#define add_msg(im, line, id, ...)                                                                 \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__), add_msg_((im), (line), id, ##__VA_ARGS__))

/*
 * What the CSV reader failed on, worded in lang (without the line: the
 * caller has it). The reader's own text is English; its data is not.
 */
static void csv_error_text(const struct canh_csv_error *e, enum canh_lang lang, char *buf,
			   size_t len)
{
	switch (e->kind) {
	case CANH_CSV_ERR_FIELD_TOO_LONG:
		canh_msg_format(lang, buf, len, S_CSV_FIELD_TOO_LONG, e->field, e->limit);
		return;
	case CANH_CSV_ERR_RECORD_TOO_LONG:
		canh_msg_format(lang, buf, len, S_CSV_RECORD_TOO_LONG, e->limit);
		return;
	case CANH_CSV_ERR_TOO_MANY_FIELDS:
		canh_msg_format(lang, buf, len, S_CSV_TOO_MANY_FIELDS, e->limit);
		return;
	case CANH_CSV_ERR_UNTERMINATED:
		canh_msg_format(lang, buf, len, S_CSV_UNTERMINATED, e->open_line);
		return;
	case CANH_CSV_ERR_AFTER_QUOTE:
		canh_msg_format(lang, buf, len, S_CSV_AFTER_QUOTE, e->field);
		return;
	case CANH_CSV_ERR_RECORD_TOO_LARGE:
	case CANH_CSV_ERR_NONE:
		break;
	}
	canh_msg_format(lang, buf, len, S_CSV_RECORD_TOO_LARGE);
}

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

static const char *field(const struct canh_csv *r, long col, size_t *len)
{
	const char *f;

	*len = 0;
	if (col < 0)
		return "";
	f = canh_csv_field(r, (size_t)col, len);
	if (!f)
		return "";
	trim(&f, len);
	return f;
}

static int row_from_csv(const struct canh_csv *r, const long cols[5], enum canh_lang lang,
			struct canh_unit_in *u, struct canh_errmsg *err)
{
	const char *f;
	size_t len;
	json_t *ranges = json_array();
	int rc;

	memset(u, 0, sizeof(*u));
	for (int c = 0; c < 5; c++) {
		f = field(r, cols[c], &len);
		if (memchr(f, '\0', len)) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_FIELD_NUL);
			goto out;
		}
	}
	f = field(r, cols[0], &len);
	if ((rc = set_code(u->code, "code", f, len, lang, err)) != 0)
		goto out;
	f = field(r, cols[1], &len);
	if ((rc = check_name(f, len, lang, err)) != 0)
		goto out;
	u->name = canh_xstrndup(f, len);
	f = field(r, cols[2], &len);
	if ((rc = set_type(u, f, len, lang, err)) != 0)
		goto out;
	f = field(r, cols[3], &len);
	if (len) {
		if ((rc = set_code(u->parent, "parent_code", f, len, lang, err)) != 0)
			goto out;
		if (strcmp(u->parent, u->code) == 0) {
			rc = canh_msg_set(err, lang, CANH_EINVAL, S_OWN_PARENT);
			goto out;
		}
	}
	/* A column the file does not have keeps what is stored. */
	u->unit.keep_parent = cols[3] < 0;
	f = field(r, cols[4], &len);
	for (size_t i = 0, idx = 0; i < len; idx++) {
		size_t n;
		while (i < len && (f[i] == ' ' || f[i] == '\t' || f[i] == ',' || f[i] == ';'))
			i++;
		if (i == len)
			break;
		n = strcspn(f + i, " \t,;");
		if (n > len - i)
			n = len - i;
		if ((rc = add_range(ranges, f + i, n, idx, lang, err)) != 0)
			goto out;
		i += n;
	}
	u->ranges_json = cols[4] < 0 ? NULL : dump(ranges);
	u->contacts_json = NULL; /* not in CSV: an update keeps the stored contacts */
	bind_unit(u);
out:
	json_decref(ranges);
	if (rc != 0)
		canh_unit_in_release(u);
	return rc;
}

static int record_empty(const struct canh_csv *r)
{
	for (size_t i = 0; i < canh_csv_nfields(r); i++) {
		size_t len;
		const char *f = canh_csv_field(r, i, &len);
		trim(&f, &len);
		if (len)
			return 0;
	}
	return 1;
}

/* Sort helper (qsort_r): row indices by code, then line. */
static int cmp_idx(const void *a, const void *b, void *ctx)
{
	const struct row *rows = ctx;
	const struct row *x = &rows[*(const size_t *)a], *y = &rows[*(const size_t *)b];
	int c = strcmp(x->u.code, y->u.code);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_err(const void *a, const void *b)
{
	const struct import_error *x = a, *y = b;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Find the ok row with this code among the sorted ok rows; -1 if none. */
static long find_row(const struct row *rows, const size_t *idx, size_t n, const char *code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rows[idx[mid]].u.code, code);
		if (c == 0)
			return (long)idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static char guess_delimiter(const char *data, size_t len)
{
	size_t n = 0;
	int commas = 0, semis = 0, tabs = 0;

	while (n < len && data[n] != '\n')
		n++;
	for (size_t i = 0; i < n; i++) {
		commas += data[i] == ',';
		semis += data[i] == ';';
		tabs += data[i] == '\t';
	}
	if (!commas && semis)
		return ';';
	if (!commas && tabs)
		return '\t';
	return ',';
}

/*
 * Sort the good rows so that a parent in the file comes before its children.
 * Rows on a parent cycle inside the file become errors.
 */
static size_t order_rows(struct import *im, size_t *order)
{
	size_t norder = 0;
	size_t *stack = canh_xcalloc(im->nrows ? im->nrows : 1, sizeof(*stack));

	for (size_t i = 0; i < im->nrows; i++) {
		size_t n = 0;
		long j = (long)i;
		int cycle;

		if (!im->rows[i].ok || im->rows[i].state)
			continue;
		while (j >= 0 && im->rows[j].state == 0) {
			im->rows[j].state = 1;
			stack[n++] = (size_t)j;
			j = im->rows[j].parent;
		}
		cycle = j >= 0 && im->rows[j].state == 1;
		while (n) {
			struct row *rw = &im->rows[stack[--n]];
			rw->state = 2;
			if (cycle) {
				add_msg(im, rw->line, S_IMPORT_CYCLE, rw->u.parent);
				rw->ok = 0;
				continue;
			}
			order[norder++] = stack[n];
		}
	}
	free(stack);
	return norder;
}

int canh_units_import_csv(struct canh_store *s, const char *data, size_t len, int64_t now,
			  const char *actor, enum canh_lang lang, json_t **result,
			  struct canh_errmsg *err)
{
	static const char *const names[5] = {"code", "name", "type", "parent_code",
					     "public_ranges"};
	struct canh_csv_opts opts = {0};
	struct canh_csv *csv = NULL;
	struct import im = {0};
	struct canh_errmsg e;
	size_t *idx = NULL, *order = NULL, nok = 0, norder;
	size_t imported = 0, updated = 0;
	long cols[5];
	json_t *res = NULL, *errs;
	int rc, in_txn = 0;

	*result = NULL;
	im.lang = lang;
	opts.delimiter = guess_delimiter(data, len);
	opts.max_field = 16 * 1024;
	opts.max_fields = 256;
	opts.max_record = 64 * 1024;
	if ((rc = canh_csv_open(data, len, &opts, &csv)) != 0) {
		canh_msg_set(err, lang, rc, S_CSV_UNREADABLE);
		goto out;
	}
	rc = canh_csv_next(csv, &e);
	if (rc == 0) {
		rc = canh_msg_set(err, lang, CANH_EPARSE, S_CSV_EMPTY);
		goto out;
	}
	if (rc < 0) {
		char why[256];
		csv_error_text(canh_csv_last_error(csv), lang, why, sizeof(why));
		rc = canh_msg_set(err, lang, CANH_EPARSE, S_CSV_AT_LINE,
				  canh_csv_last_error(csv)->line, why);
		goto out;
	}
	for (int c = 0; c < 5; c++)
		cols[c] = canh_csv_find(csv, names[c]);
	if (cols[3] < 0)
		cols[3] = canh_csv_find(csv, "parent");
	for (int c = 0; c < 3; c++) {
		if (cols[c] < 0) {
			rc = canh_msg_set(err, lang, CANH_EPARSE, S_CSV_NO_COLUMN, names[c]);
			goto out;
		}
	}

	for (;;) {
		struct row *rw;

		rc = canh_csv_next(csv, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			char why[256];
			csv_error_text(canh_csv_last_error(csv), lang, why, sizeof(why));
			add_error(&im, canh_csv_line(csv), why);
			continue;
		}
		if (record_empty(csv))
			continue;
		if (im.nrows == CANH_UNITS_IMPORT_MAX_ROWS) {
			add_msg(&im, canh_csv_line(csv), S_IMPORT_TOO_MANY_ROWS);
			break;
		}
		if (im.nrows == im.caprows) {
			im.caprows = im.caprows ? im.caprows * 2 : 64;
			im.rows = canh_xrealloc(im.rows, im.caprows * sizeof(*im.rows));
		}
		rw = &im.rows[im.nrows];
		memset(rw, 0, sizeof(*rw));
		rw->line = canh_csv_line(csv);
		rw->parent = -1;
		if (row_from_csv(csv, cols, lang, &rw->u, &e) != 0) {
			add_error(&im, rw->line, e.text);
			continue; /* the slot is reused */
		}
		rw->ok = 1;
		im.nrows++;
	}
	rc = 0;

	/* A code twice in the file: the first row wins. */
	idx = canh_xcalloc(im.nrows ? im.nrows : 1, sizeof(*idx));
	for (size_t i = 0; i < im.nrows; i++)
		idx[i] = i;
	qsort_r(idx, im.nrows, sizeof(*idx), cmp_idx, im.rows);
	for (size_t i = 0; i < im.nrows; i++) {
		if (nok && strcmp(im.rows[idx[nok - 1]].u.code, im.rows[idx[i]].u.code) == 0) {
			add_msg(&im, im.rows[idx[i]].line, S_IMPORT_DUPLICATE,
				im.rows[idx[i]].u.code, im.rows[idx[nok - 1]].line);
			im.rows[idx[i]].ok = 0;
			continue;
		}
		idx[nok++] = idx[i];
	}
	for (size_t i = 0; i < im.nrows; i++)
		if (im.rows[i].ok && im.rows[i].u.parent[0])
			im.rows[i].parent = find_row(im.rows, idx, nok, im.rows[i].u.parent);

	order = canh_xcalloc(im.nrows ? im.nrows : 1, sizeof(*order));
	norder = order_rows(&im, order);

	if ((rc = canh_store_begin(s, err)) != 0)
		goto out;
	in_txn = 1;
	for (size_t k = 0; k < norder; k++) {
		struct row *rw = &im.rows[order[k]];
		int created = 0;

		rc = canh_store_unit_upsert(s, &rw->u.unit, now, actor, &created, &e);
		if (rc == 0) {
			if (created)
				imported++;
			else
				updated++;
			continue;
		}
		/* The store's codes, worded here: its texts are English, for the log. */
		if (rc == CANH_ENOENT) {
			add_msg(&im, rw->line, S_PARENT_NOT_FOUND, rw->u.parent);
			rc = 0;
			continue;
		}
		if (rc == CANH_ECONFLICT) {
			add_msg(&im, rw->line, S_PARENT_CYCLE, rw->u.parent, rw->u.code);
			rc = 0;
			continue;
		}
		canh_errmsg_set(err, rc, "%s", e.text);
		goto out;
	}
	rc = canh_store_commit(s, err);
	in_txn = 0;
	if (rc != 0)
		goto out;

	if (im.nerrs)
		qsort(im.errs, im.nerrs, sizeof(*im.errs), cmp_err);
	res = json_object();
	json_object_set_new(res, "imported", json_integer((json_int_t)imported));
	json_object_set_new(res, "updated", json_integer((json_int_t)updated));
	errs = json_array();
	json_object_set_new(res, "errors", errs);
	for (size_t i = 0; i < im.nerrs; i++) {
		json_t *o = json_object();
		json_t *m = json_string(im.errs[i].msg);
		json_object_set_new(o, "line", json_integer((json_int_t)im.errs[i].line));
		/* A message quoting a non-UTF-8 field cannot be a JSON string as is. */
		if (!m) {
			char fallback[128];
			canh_msg_format(lang, fallback, sizeof(fallback), S_IMPORT_NOT_UTF8);
			m = json_string(fallback);
		}
		json_object_set_new(o, "error", m);
		json_array_append_new(errs, o);
	}
	*result = res;
out:
	if (in_txn)
		canh_store_rollback(s);
	for (size_t i = 0; i < im.nrows; i++)
		canh_unit_in_release(&im.rows[i].u);
	for (size_t i = 0; i < im.nerrs; i++)
		free(im.errs[i].msg);
	free(im.rows);
	free(im.errs);
	free(idx);
	free(order);
	canh_csv_free(csv);
	return rc;
}
