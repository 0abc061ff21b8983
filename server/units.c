/*
 * Units: the rules for a valid unit, and the CSV import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/csv.h"
#include "canh/ipaddr.h"
#include "canh/mem.h"
#include "canh/utf8.h"
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

static int check_name(const char *s, size_t len, struct canh_errmsg *err)
{
	if (len == 0)
		return canh_errmsg_set(err, CANH_EINVAL, "name: must not be empty");
	if (len > CANH_UNIT_NAME_MAX)
		return canh_errmsg_set(err, CANH_EINVAL, "name: longer than %d bytes",
				       CANH_UNIT_NAME_MAX);
	if (!canh_utf8_valid(s, len))
		return canh_errmsg_set(err, CANH_EINVAL, "name: not valid UTF-8");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return canh_errmsg_set(err, CANH_EINVAL,
					       "name: contains a control character");
	return 0;
}

static int set_type(struct canh_unit_in *u, const char *s, size_t len, struct canh_errmsg *err)
{
	for (const char *const *t = unit_types; *t; t++) {
		if (strlen(*t) == len && strncmp(*t, s, len) == 0) {
			canh_strlcpy(u->type, *t, sizeof(u->type));
			return 0;
		}
	}
	return canh_errmsg_set(err, CANH_EINVAL,
			       "type: '%.*s' is not one of department, district, school, centre, "
			       "other",
			       (int)(len > 32 ? 32 : len), s);
}

static int set_code(char *dst, const char *field, const char *s, size_t len,
		    struct canh_errmsg *err)
{
	if (!canh_unit_code_valid(s, len))
		return canh_errmsg_set(err, CANH_EINVAL,
				       "%s: '%.*s' is not 1..64 characters of A-Z a-z 0-9 . _ -",
				       field, (int)(len > 80 ? 80 : len), s);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Parse one range and append its normalised form. */
static int add_range(json_t *arr, const char *s, size_t len, size_t idx, struct canh_errmsg *err)
{
	char in[CANH_CIDR_STRLEN + 1], out[CANH_CIDR_STRLEN];
	struct canh_cidr c;

	if (json_array_size(arr) >= CANH_UNIT_MAX_RANGES)
		return canh_errmsg_set(err, CANH_EINVAL, "public_ranges: more than %d ranges",
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
	return canh_errmsg_set(err, CANH_EINVAL,
			       "public_ranges[%zu]: '%.*s' is not an IPv4 or IPv6 address or CIDR",
			       idx, (int)(len > 64 ? 64 : len), s);
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

static int contacts_from_json(const json_t *v, json_t **out, struct canh_errmsg *err)
{
	static const char *const keys[] = {"name", "role", "phone", "email", NULL};
	json_t *arr = json_array();
	const json_t *c;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (v && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "contacts: expected an array");
			goto out;
		}
		if (json_array_size(v) > CANH_UNIT_MAX_CONTACTS) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "contacts: more than %d entries",
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
				rc = canh_errmsg_set(err, CANH_EINVAL,
						     "contacts[%zu]: expected an object", i);
				goto out;
			}
			json_object_foreach((json_t *)c, k, f)
			{
				const char *const *kk;
				for (kk = keys; *kk; kk++)
					if (strcmp(*kk, k) == 0)
						break;
				if (!*kk) {
					rc = canh_errmsg_set(err, CANH_EINVAL,
							     "contacts[%zu]: unknown field '%.32s' "
							     "(name, role, phone, email)",
							     i, k);
					goto out;
				}
				if (json_is_null(f))
					continue;
				if (!json_is_string(f) ||
				    json_string_length(f) > CANH_UNIT_CONTACT_FIELD_MAX ||
				    memchr(json_string_value(f), '\0', json_string_length(f))) {
					rc = canh_errmsg_set(
					    err, CANH_EINVAL,
					    "contacts[%zu].%s: expected a string of "
					    "at most %d bytes",
					    i, k, CANH_UNIT_CONTACT_FIELD_MAX);
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

int canh_unit_from_json(const json_t *o, struct canh_unit_in *u, struct canh_errmsg *err)
{
	const json_t *v;
	json_t *ranges = json_array(), *contacts = NULL;
	size_t i;
	int rc;

	memset(u, 0, sizeof(*u));
	v = json_object_get(o, "code");
	if (!json_is_string(v)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "code: missing or not a string");
		goto out;
	}
	if ((rc = set_code(u->code, "code", json_string_value(v), json_string_length(v), err)) != 0)
		goto out;

	v = json_object_get(o, "name");
	if (!json_is_string(v)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "name: missing or not a string");
		goto out;
	}
	if ((rc = check_name(json_string_value(v), json_string_length(v), err)) != 0)
		goto out;
	u->name = canh_xstrndup(json_string_value(v), json_string_length(v));

	v = json_object_get(o, "type");
	if (!v || json_is_null(v)) {
		canh_strlcpy(u->type, "other", sizeof(u->type));
	} else if (!json_is_string(v)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "type: not a string");
		goto out;
	} else if ((rc = set_type(u, json_string_value(v), json_string_length(v), err)) != 0) {
		goto out;
	}

	v = json_object_get(o, "parent");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "parent: not a string or null");
			goto out;
		}
		if ((rc = set_code(u->parent, "parent", json_string_value(v), json_string_length(v),
				   err)) != 0)
			goto out;
		/* parent == code is left to the store: an existing code is a conflict
		   (409) before anything else, a new one has no such parent yet (400). */
	}

	v = json_object_get(o, "public_ranges");
	if (v && !json_is_null(v)) {
		const json_t *e;
		if (!json_is_array(v)) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "public_ranges: expected an array");
			goto out;
		}
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e)) {
				rc = canh_errmsg_set(err, CANH_EINVAL,
						     "public_ranges[%zu]: not a string", i);
				goto out;
			}
			if ((rc = add_range(ranges, json_string_value(e), json_string_length(e), i,
					    err)) != 0)
				goto out;
		}
	}
	if ((rc = contacts_from_json(json_object_get(o, "contacts"), &contacts, err)) != 0)
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
	struct row *rows;
	size_t nrows, caprows;
	struct import_error *errs;
	size_t nerrs, caperrs;
};

static void add_error(struct import *im, size_t line, const char *msg)
{
	const char *p = msg;

	/* The CSV reader's messages start with "line N: "; the line is a field here. */
	if (strncmp(p, "line ", 5) == 0) {
		size_t n = strspn(p + 5, "0123456789");
		if (n && p[5 + n] == ':' && p[6 + n] == ' ')
			p += 7 + n;
	}
	if (im->nerrs == im->caperrs) {
		im->caperrs = im->caperrs ? im->caperrs * 2 : 16;
		im->errs = canh_xrealloc(im->errs, im->caperrs * sizeof(*im->errs));
	}
	im->errs[im->nerrs].line = line;
	im->errs[im->nerrs].msg = canh_xstrdup(p);
	im->nerrs++;
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

static int row_from_csv(const struct canh_csv *r, const long cols[5], struct canh_unit_in *u,
			struct canh_errmsg *err)
{
	const char *f;
	size_t len;
	json_t *ranges = json_array();
	int rc;

	memset(u, 0, sizeof(*u));
	for (int c = 0; c < 5; c++) {
		f = field(r, cols[c], &len);
		if (memchr(f, '\0', len)) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "a field contains a NUL byte");
			goto out;
		}
	}
	f = field(r, cols[0], &len);
	if ((rc = set_code(u->code, "code", f, len, err)) != 0)
		goto out;
	f = field(r, cols[1], &len);
	if ((rc = check_name(f, len, err)) != 0)
		goto out;
	u->name = canh_xstrndup(f, len);
	f = field(r, cols[2], &len);
	if ((rc = set_type(u, f, len, err)) != 0)
		goto out;
	f = field(r, cols[3], &len);
	if (len) {
		if ((rc = set_code(u->parent, "parent_code", f, len, err)) != 0)
			goto out;
		if (strcmp(u->parent, u->code) == 0) {
			rc = canh_errmsg_set(err, CANH_EINVAL,
					     "parent_code: a unit cannot be its own parent");
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
		if ((rc = add_range(ranges, f + i, n, idx, err)) != 0)
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
				char msg[200];
				snprintf(
				    msg, sizeof(msg),
				    "parent_code '%s' makes a cycle with other rows of the file",
				    rw->u.parent);
				add_error(im, rw->line, msg);
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
			  const char *actor, json_t **result, struct canh_errmsg *err)
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
	opts.delimiter = guess_delimiter(data, len);
	opts.max_field = 16 * 1024;
	opts.max_fields = 256;
	opts.max_record = 64 * 1024;
	if ((rc = canh_csv_open(data, len, &opts, &csv)) != 0) {
		canh_errmsg_set(err, rc, "cannot read the CSV");
		goto out;
	}
	rc = canh_csv_next(csv, &e);
	if (rc <= 0) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "%s",
				     rc == 0 ? "empty file: a header row is required" : e.text);
		goto out;
	}
	for (int c = 0; c < 5; c++)
		cols[c] = canh_csv_find(csv, names[c]);
	if (cols[3] < 0)
		cols[3] = canh_csv_find(csv, "parent");
	for (int c = 0; c < 3; c++) {
		if (cols[c] < 0) {
			rc = canh_errmsg_set(err, CANH_EPARSE,
					     "header row has no '%s' column (expected "
					     "code,name,type,parent_code,public_ranges)",
					     names[c]);
			goto out;
		}
	}

	for (;;) {
		struct row *rw;

		rc = canh_csv_next(csv, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			add_error(&im, canh_csv_line(csv), e.text);
			continue;
		}
		if (record_empty(csv))
			continue;
		if (im.nrows == CANH_UNITS_IMPORT_MAX_ROWS) {
			add_error(&im, canh_csv_line(csv),
				  "too many rows; the rest of the file is ignored");
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
		if (row_from_csv(csv, cols, &rw->u, &e) != 0) {
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
			char msg[160];
			snprintf(msg, sizeof(msg), "duplicate code '%s' (first on line %zu)",
				 im.rows[idx[i]].u.code, im.rows[idx[nok - 1]].line);
			add_error(&im, im.rows[idx[i]].line, msg);
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
		if (rc == CANH_ENOENT || rc == CANH_ECONFLICT || rc == CANH_EINVAL) {
			add_error(&im, rw->line, e.text);
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
		json_object_set_new(o, "error", m ? m : json_string("invalid field (not UTF-8)"));
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
