/*
 * A letter advisory: the authority's letter as the operator registers it,
 * in JSON or YAML with one schema (docs/letter-format.md).
 *
 * Both syntaxes are first read into one tree (jansson values) with the
 * position of every node beside it: JSON through the pull scanner
 * (canh/jsonstream.h), YAML through libyaml's events, where every scalar
 * stays text (so 15.1 is the version "15.1", never a float) and only a plain
 * ~, null or empty value is null. The schema is then checked on the tree,
 * and every error names the file, the line and column of the offending
 * node (and its byte offset in JSON) and the field's path
 * ("products[1].affected[0].fixed").
 *
 * The letter becomes one advisory: id the letter number, the letter fields,
 * the CVEs (also as aliases, so KEV and CVE joins find it), references, and
 * one affected entry per product, with one range per affected-range item.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "canh/advisory.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "canh/vercmp.h"

#define LETTER_MAX_BYTES (4u * 1024 * 1024)
#define LETTER_MAX_NODES 200000
#define LETTER_MAX_DEPTH 32
#define LETTER_MAX_SCALAR (256u * 1024)
#define LETTER_MAX_VERSION 128
#define LETTER_MAX_TEXT 1024 /* number, issuer, title, product, vendor, package */

/* Where a node came from: YAML line/column, or a JSON byte offset. */
struct npos {
	const json_t *node;
	size_t a, b; /* YAML: line, column (1-based); JSON: offset, unused */
};

struct tree {
	const char *data;
	size_t len;
	int yaml;
	const char *file;
	struct npos *pos;
	size_t n_pos, cap_pos;
	struct canh_errmsg *err;
};

static void pos_add(struct tree *t, const json_t *n, size_t a, size_t b)
{
	if (t->n_pos == t->cap_pos) {
		size_t cap = t->cap_pos ? t->cap_pos * 2 : 256;
		t->pos = canh_xrealloc(t->pos, cap * sizeof(*t->pos));
		t->cap_pos = cap;
	}
	t->pos[t->n_pos++] = (struct npos){n, a, b};
}

/* "'FILE' line L, column C[ (byte N)]" for a node, "'FILE'" when it has no position. */
static void where(const struct tree *t, const json_t *n, char *buf, size_t len)
{
	for (size_t i = 0; n && i < t->n_pos; i++) {
		if (t->pos[i].node != n)
			continue;
		if (t->yaml) {
			snprintf(buf, len, "'%s' line %zu, column %zu", t->file, t->pos[i].a,
				 t->pos[i].b);
		} else {
			size_t line, col;
			canh_json_position(t->data, t->len, t->pos[i].a, &line, &col);
			snprintf(buf, len, "'%s' line %zu, column %zu (byte %zu)", t->file, line,
				 col, t->pos[i].a);
		}
		return;
	}
	snprintf(buf, len, "'%s'", t->file);
}

/* The error for node n at path: "<where>: <path>: <why>"; returns CANH_EPARSE. */
static int fail(struct tree *t, const json_t *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct tree *t, const json_t *n, const char *path, const char *fmt, ...)
{
	char w[300], why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	where(t, n, w, sizeof(w));
	return canh_errmsg_set(t->err, CANH_EPARSE, "%s: %s%s%s", w, path ? path : "",
			       path && *path ? ": " : "", why);
}

/* ---- JSON into the tree ---- */

static int json_value(struct tree *t, struct canh_json_reader *r, enum canh_json_tok tok, int depth,
		      json_t **out);

static int json_build(struct tree *t, json_t **out)
{
	struct canh_json_reader r;
	enum canh_json_tok tok;
	int rc;

	*out = NULL;
	canh_json_reader_init(&r, t->data, t->len);
	if ((rc = canh_json_next(&r, &tok, t->err)) == 0 &&
	    (rc = json_value(t, &r, tok, 0, out)) == 0) {
		/* The scanner refuses anything but blanks after the value. */
		rc = canh_json_next(&r, &tok, t->err);
	}
	if (rc != 0 && t->err) {
		char tmp[sizeof(t->err->text)];
		canh_strlcpy(tmp, t->err->text, sizeof(tmp));
		canh_errmsg_set(t->err, rc, "'%s': %s", t->file, tmp);
	}
	canh_json_reader_release(&r);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int json_value(struct tree *t, struct canh_json_reader *r, enum canh_json_tok tok, int depth,
		      json_t **out)
{
	size_t off = r->tok_off;
	json_t *v = NULL;
	int rc = 0;

	*out = NULL;
	if (t->n_pos >= LETTER_MAX_NODES || depth > LETTER_MAX_DEPTH)
		return canh_json_error_at(r, off, CANH_ETOOBIG, t->err,
					  "letter nested or sized over canh's caps");
	switch (tok) {
	case CANH_JSON_OBJ:
		v = json_object();
		for (;;) {
			if ((rc = canh_json_next(r, &tok, t->err)) != 0)
				break;
			if (tok == CANH_JSON_OBJ_END)
				break;
			size_t koff = r->tok_off;
			const char *k = canh_json_str(r, NULL, t->err);
			if (!k) {
				rc = CANH_EPARSE;
				break;
			}
			char *key = canh_xstrdup(k);
			json_t *child;
			if (json_object_get(v, key)) {
				rc = canh_json_error_at(r, koff, CANH_EPARSE, t->err,
							"duplicate key");
			} else if ((rc = canh_json_next(r, &tok, t->err)) == 0 &&
				   (rc = json_value(t, r, tok, depth + 1, &child)) == 0) {
				json_object_set_new(v, key, child);
			}
			free(key);
			if (rc != 0)
				break;
		}
		break;
	case CANH_JSON_ARR:
		v = json_array();
		for (;;) {
			json_t *child;
			if ((rc = canh_json_next(r, &tok, t->err)) != 0 || tok == CANH_JSON_ARR_END)
				break;
			if ((rc = json_value(t, r, tok, depth + 1, &child)) != 0)
				break;
			json_array_append_new(v, child);
		}
		break;
	case CANH_JSON_STRING: {
		size_t n;
		const char *s = canh_json_str(r, &n, t->err);
		if (!s)
			return CANH_EPARSE;
		if (n > LETTER_MAX_SCALAR)
			return canh_json_error_at(r, off, CANH_ETOOBIG, t->err,
						  "string over canh's cap");
		v = json_stringn(s, n);
		break;
	}
	case CANH_JSON_NUMBER: {
		char num[64];
		size_t n = r->raw_len < sizeof(num) - 1 ? r->raw_len : sizeof(num) - 1;
		memcpy(num, r->raw, n);
		num[n] = '\0';
		/* No field takes a number: the node only has to exist (jansson refuses inf). */
		double d = strtod(num, NULL);
		if (strpbrk(num, ".eE"))
			v = json_real(isfinite(d) ? d : 0.0);
		else
			v = json_integer(strtoll(num, NULL, 10));
		break;
	}
	case CANH_JSON_TRUE:
	case CANH_JSON_FALSE:
		v = json_boolean(tok == CANH_JSON_TRUE);
		break;
	case CANH_JSON_NULL:
		v = json_null();
		break;
	default:
		return canh_json_error_at(r, off, CANH_EPARSE, t->err, "unexpected token");
	}
	if (!v)
		CANH_BUG("jansson could not allocate");
	pos_add(t, v, off, 0);
	if (rc != 0) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* ---- YAML into the tree ---- */

struct yframe {
	json_t *node;
	char *key; /* a mapping's pending key, or NULL */
	size_t key_line, key_col;
};

static int yaml_fail(struct tree *t, const yaml_mark_t *m, const char *why)
{
	return canh_errmsg_set(t->err, CANH_EPARSE, "'%s' line %zu, column %zu: %s", t->file,
			       m->line + 1, m->column + 1, why);
}

static int is_yaml_null(const yaml_event_t *e)
{
	const char *s = (const char *)e->data.scalar.value;
	if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Place v (just made at mark m) into the open container, or as the root. */
static int yaml_place(struct tree *t, struct yframe *st, int depth, json_t **root, json_t *v,
		      const yaml_mark_t *m, int is_scalar, const char *text)
{
	if (depth == 0) {
		if (*root) {
			json_decref(v);
			return yaml_fail(t, m, "more than one top-level value");
		}
		*root = v;
		pos_add(t, v, m->line + 1, m->column + 1);
		return 0;
	}
	struct yframe *f = &st[depth - 1];
	if (json_is_array(f->node)) {
		pos_add(t, v, m->line + 1, m->column + 1);
		json_array_append_new(f->node, v);
		return 0;
	}
	if (!f->key) {
		/* v is a key: only text can be one. */
		if (!is_scalar) {
			json_decref(v);
			return yaml_fail(t, m, "a mapping key must be plain text");
		}
		if (json_object_get(f->node, text)) {
			json_decref(v);
			char why[200];
			snprintf(why, sizeof(why), "duplicate key '%.100s'", text);
			return yaml_fail(t, m, why);
		}
		f->key = canh_xstrdup(text);
		f->key_line = m->line + 1;
		f->key_col = m->column + 1;
		json_decref(v);
		return 0;
	}
	pos_add(t, v, m->line + 1, m->column + 1);
	json_object_set_new(f->node, f->key, v);
	free(f->key);
	f->key = NULL;
	return 0;
}

static int yaml_build(struct tree *t, json_t **out)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct yframe st[LETTER_MAX_DEPTH + 1];
	int depth = 0, rc = 0, done = 0, docs = 0;
	json_t *root = NULL;

	*out = NULL;
	memset(st, 0, sizeof(st));
	if (!yaml_parser_initialize(&p))
		return canh_errmsg_set(t->err, CANH_ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)t->data, t->len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &e)) {
			char why[300];
			snprintf(why, sizeof(why), "%s%s%s", p.problem ? p.problem : "invalid YAML",
				 p.context ? " " : "", p.context ? p.context : "");
			rc = yaml_fail(t, &p.problem_mark, why);
			break;
		}
		const yaml_mark_t *m = &e.start_mark;
		if (t->n_pos >= LETTER_MAX_NODES) {
			rc = yaml_fail(t, m, "letter over canh's cap on nodes");
			yaml_event_delete(&e);
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = yaml_fail(t, m,
					       "more than one YAML document (one letter per file)");
			break;
		case YAML_ALIAS_EVENT:
			rc = yaml_fail(t, m, "aliases (*name) are not accepted in a letter");
			break;
		case YAML_SCALAR_EVENT: {
			const char *s = (const char *)e.data.scalar.value;
			json_t *v;
			if (e.data.scalar.length > LETTER_MAX_SCALAR) {
				rc = yaml_fail(t, m, "value over canh's cap on one value");
				break;
			}
			if (strlen(s) != e.data.scalar.length) {
				rc = yaml_fail(t, m, "value holds a NUL character");
				break;
			}
			v = is_yaml_null(&e) ? json_null() : json_stringn(s, e.data.scalar.length);
			if (!v) {
				rc = yaml_fail(t, m, "value is not valid UTF-8");
				break;
			}
			rc = yaml_place(t, st, depth, &root, v, m, 1, s);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (depth >= LETTER_MAX_DEPTH) {
				rc = yaml_fail(t, m, "nested deeper than canh's cap");
				break;
			}
			json_t *v =
			    e.type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
			json_incref(v);
			if ((rc = yaml_place(t, st, depth, &root, v, m, 0, NULL)) != 0) {
				json_decref(v);
				break;
			}
			st[depth].node = v; /* the reference taken above */
			st[depth].key = NULL;
			depth++;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			json_decref(st[depth].node);
			st[depth].node = NULL;
			free(st[depth].key);
			st[depth].key = NULL;
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	while (depth > 0) {
		depth--;
		json_decref(st[depth].node);
		free(st[depth].key);
	}
	yaml_parser_delete(&p);
	if (rc == 0 && !root) {
		yaml_mark_t m0 = {0, 0, 0};
		rc = yaml_fail(t, &m0, "the file holds no letter");
	}
	if (rc != 0) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* ---- the schema ---- */

/* A field's path into buf (vsnprintf: a path cut at the buffer's end is still a path). */
static void pathf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* null, true and false are shared singletons in jansson: point at their parent instead. */
static const json_t *at(const json_t *v, const json_t *parent)
{
	return !v || json_is_null(v) || json_is_boolean(v) ? parent : v;
}

struct lctx {
	struct tree *t;
	struct canh_advisory *a;
};

/* A member that must be text (YAML scalars always are): NULL when absent/null. */
static int get_text(struct lctx *c, const json_t *obj, const char *key, const char *path,
		    int required, size_t max, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	char p[200];
	pathf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(c->t, obj, p, "missing (required)");
		return 0;
	}
	if (!json_is_string(v))
		return fail(c->t, at(v, obj), p,
			    "must be text (in JSON a string in double quotes)");
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return fail(c->t, v, p, "holds a NUL character");
	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s) {
		if (required)
			return fail(c->t, v, p, "is empty");
		return 0;
	}
	if (n > max)
		return fail(c->t, v, p, "longer than %zu bytes", max);
	*out = json_string_value(v);
	return 0;
}

/* "YYYY-MM-DD" (a real calendar date) into *ms. */
static int get_date(struct lctx *c, const json_t *obj, const char *key, const char *path,
		    int required, const char **out, int64_t *ms)
{
	int rc = get_text(c, obj, key, path, required, 32, out);
	if (rc != 0 || !*out)
		return rc;
	const char *s = *out;
	int ok = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; ok && i < 10; i++)
		ok = i == 4 || i == 7 || isdigit((unsigned char)s[i]);
	char back[CANH_TIME_BUFSZ];
	if (ok)
		ok = canh_time_parse(s, ms) == 0 && canh_time_format(*ms, back, sizeof(back)) &&
		     strncmp(back, s, 10) == 0; /* 2023-02-30 comes back as March */
	if (!ok) {
		char p[200];
		pathf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
		return fail(c->t, json_object_get(obj, key), p,
			    "'%.40s' is not a date written YYYY-MM-DD", s);
	}
	return 0;
}

/* An array member (absent: NULL, or an error when required). */
static int get_array(struct lctx *c, const json_t *obj, const char *key, const char *path,
		     int required, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	char p[200];
	pathf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(c->t, obj, p, "missing (required, a list)");
		return 0;
	}
	if (!json_is_array(v))
		return fail(c->t, at(v, obj), p, "must be a list");
	if (required && json_array_size(v) == 0)
		return fail(c->t, v, p, "is an empty list");
	*out = v;
	return 0;
}

/* Every key of obj must be one of `known` (catches misspelt fields). */
static int check_keys(struct lctx *c, const json_t *obj, const char *path, const char *const *known)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		int ok = 0;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok) {
			char p[200];
			pathf(p, sizeof(p), "%s%s%.60s", path, *path ? "." : "", key);
			return fail(c->t, at(v, obj), p, "unknown field");
		}
	}
	return 0;
}

static int is_cve_id(const char *s)
{
	if (strncasecmp(s, "CVE-", 4) != 0)
		return 0;
	for (int i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[8] != '-')
		return 0;
	size_t n = strspn(s + 9, "0123456789");
	return n >= 4 && n <= 19 && s[9 + n] == '\0';
}

typedef int (*cmp_fn)(const char *, const char *);

static cmp_fn order_cmp(enum canh_verorder o)
{
	switch (o) {
	case CANH_VERORDER_DPKG:
		return canh_vercmp_dpkg;
	case CANH_VERORDER_RPM:
		return canh_vercmp_rpm_evr;
	case CANH_VERORDER_APK:
		return canh_version_cmp_apk;
	case CANH_VERORDER_SEMVER:
		return canh_version_cmp_semver;
	default:
		return canh_version_cmp_generic;
	}
}

/* A version: text without blanks or control characters, at most LETTER_MAX_VERSION bytes. */
static int check_version(struct lctx *c, const json_t *n, const char *path, const char *v,
			 enum canh_verorder order)
{
	size_t len = strlen(v);
	if (len == 0 || len > LETTER_MAX_VERSION)
		return fail(c->t, n, path, "a version must be 1 to %d bytes", LETTER_MAX_VERSION);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return fail(c->t, n, path,
				    "version '%.60s' holds a blank or control character", v);
	if (order == CANH_VERORDER_DPKG) {
		struct canh_errmsg e;
		if (canh_vercmp_validate_dpkg(v, &e) < 0)
			return fail(c->t, n, path, "%s", e.text);
	}
	return 0;
}

/*
 * One clause of a range string: blanks, an operator of < > =, blanks, a
 * version up to a blank or a comma, blanks. The rest after it, or NULL.
 */
static const char *range_clause(const char *p, char op[3], char ver[LETTER_MAX_VERSION + 1])
{
	p += strspn(p, " \t");
	size_t k = strspn(p, "<>=");
	if (k == 0 || k > 2)
		return NULL;
	memcpy(op, p, k);
	op[k] = '\0';
	p += k;
	p += strspn(p, " \t");
	size_t n = strcspn(p, " \t,");
	if (n == 0 || n > LETTER_MAX_VERSION)
		return NULL;
	memcpy(ver, p, n);
	ver[n] = '\0';
	p += n;
	return p + strspn(p, " \t");
}

/* One item of `affected`: an object of events or a string like ">= A, < B". */
static int parse_range(struct lctx *c, struct canh_affected *af, const json_t *item,
		       const char *path)
{
	const char *intro = NULL, *fixed = NULL, *last = NULL, *limit = NULL, *exact = NULL;
	char a[LETTER_MAX_VERSION + 1], b[LETTER_MAX_VERSION + 1], op1[3], op2[3];
	int rc;

	if (json_is_string(item)) {
		const char *s = json_string_value(item);
		int n = 0;
		if (strlen(s) > 2 * LETTER_MAX_VERSION + 64)
			return fail(c->t, item, path, "range longer than %d bytes",
				    2 * LETTER_MAX_VERSION + 64);
		/* OPERATOR VERSION [, OPERATOR VERSION], blanks allowed around the parts. */
		const char *q = s + strspn(s, " \t");
		size_t tl = strlen(q);
		while (tl && (q[tl - 1] == ' ' || q[tl - 1] == '\t'))
			tl--;
		if ((tl == 1 && q[0] == '*') || (tl == 3 && strncasecmp(q, "all", 3) == 0)) {
			intro = "0";
		} else {
			if (!(q = range_clause(q, op1, a)))
				goto bad;
			n = 1;
			if (*q == ',') {
				if (!(q = range_clause(q + 1, op2, b)))
					goto bad;
				n = 2;
			}
			if (*q)
				goto bad;
			if (n == 1 && (!strcmp(op1, "=") || !strcmp(op1, "==")))
				exact = a;
			else if (n == 1 && !strcmp(op1, "<"))
				intro = "0", fixed = a;
			else if (n == 1 && !strcmp(op1, "<="))
				intro = "0", last = a;
			else if (n == 1 && !strcmp(op1, ">="))
				intro = a;
			else if (n == 2 && !strcmp(op1, ">=") && !strcmp(op2, "<"))
				intro = a, fixed = b;
			else if (n == 2 && !strcmp(op1, ">=") && !strcmp(op2, "<="))
				intro = a, last = b;
			else
				goto bad;
		}
	} else if (json_is_object(item)) {
		static const char *const keys[] = {"introduced", "fixed", "last_affected", "limit",
						   NULL};
		if ((rc = check_keys(c, item, path, keys)) != 0 ||
		    (rc = get_text(c, item, "introduced", path, 0, LETTER_MAX_VERSION, &intro)) ||
		    (rc = get_text(c, item, "fixed", path, 0, LETTER_MAX_VERSION, &fixed)) ||
		    (rc = get_text(c, item, "last_affected", path, 0, LETTER_MAX_VERSION, &last)) ||
		    (rc = get_text(c, item, "limit", path, 0, LETTER_MAX_VERSION, &limit)))
			return rc;
		if (fixed && last)
			return fail(c->t, item, path,
				    "give either 'fixed' or 'last_affected', not both");
		if (!intro && !fixed && !last)
			return fail(c->t, item, path,
				    "a range needs 'introduced', 'fixed' or 'last_affected'");
		if (!intro)
			intro = "0";
	} else {
		return fail(c->t, item, path,
			    "a range is an object {introduced, fixed | last_affected} or text "
			    "such as '< 17.1.1' or '>= 16.1.0, < 16.1.4.1'");
	}

	const char *vs[] = {intro, fixed, last, limit, exact};
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		if (vs[i] && !(i == 0 && strcmp(vs[i], "0") == 0) &&
		    (rc = check_version(c, item, path, vs[i], af->order)) != 0)
			return rc;
	}
	cmp_fn cmp = order_cmp(af->order);
	const char *end = fixed ? fixed : last;
	if (intro && end && strcmp(intro, "0") != 0 &&
	    (fixed ? cmp(intro, end) >= 0 : cmp(intro, end) > 0))
		return fail(c->t, item, path, "introduced '%.60s' is not below %s '%.60s'", intro,
			    fixed ? "fixed" : "last_affected", end);

	if (exact)
		return canh_affected_add_version(c->a, af, exact) == 0
			   ? 0
			   : fail(c->t, item, path, "over canh's caps on one advisory");
	struct canh_range *r = canh_affected_add_range(c->a, af, CANH_RANGE_ECOSYSTEM);
	if (!r || canh_range_add_event(c->a, r, CANH_EV_INTRODUCED, intro) != 0 ||
	    (fixed && canh_range_add_event(c->a, r, CANH_EV_FIXED, fixed) != 0) ||
	    (last && canh_range_add_event(c->a, r, CANH_EV_LAST_AFFECTED, last) != 0) ||
	    (limit && canh_range_add_event(c->a, r, CANH_EV_LIMIT, limit) != 0))
		return fail(c->t, item, path, "over canh's caps on one advisory");
	if (fixed && !af->fixed_version)
		af->fixed_version = canh_advisory_strdup(c->a, fixed);
	return 0;
bad:
	return fail(c->t, item, path,
		    "cannot read the range '%.80s': write '< X', '<= X', '>= A, < B', "
		    "'>= A, <= B', '>= A', '= X' or '*'",
		    json_string_value(item));
}

static const struct {
	const char *name;
	enum canh_ecosystem eco;
} ecosystems[] = {
    {"software", CANH_ECO_SOFTWARE}, {"debian", CANH_ECO_DEBIAN},	{"ubuntu", CANH_ECO_UBUNTU},
    {"alpine", CANH_ECO_ALPINE},     {"rpm", CANH_ECO_REDHAT},		{"redhat", CANH_ECO_REDHAT},
    {"red hat", CANH_ECO_REDHAT},    {"almalinux", CANH_ECO_ALMALINUX}, {"rocky", CANH_ECO_ROCKY},
    {"rocky linux", CANH_ECO_ROCKY},
};

static const struct {
	const char *name;
	enum canh_verorder order;
} orders[] = {
    {"generic", CANH_VERORDER_GENERIC}, {"dpkg", CANH_VERORDER_DPKG},
    {"rpm", CANH_VERORDER_RPM},		{"apk", CANH_VERORDER_APK},
    {"semver", CANH_VERORDER_SEMVER},
};

static int parse_product(struct lctx *c, const json_t *p, const char *path)
{
	static const char *const keys[] = {
	    "product",	     "vendor",	 "ecosystem", "package", "release",
	    "version_order", "affected", "fixed",     "notes",	 NULL};
	const char *product, *vendor, *eco_s, *package, *release, *order_s, *notes;
	const json_t *ranges, *fixed;
	int rc;
	char sub[200];

	if (!json_is_object(p))
		return fail(c->t, p, path,
			    "a product is a mapping (product, vendor, affected, ...)");
	if ((rc = check_keys(c, p, path, keys)) ||
	    (rc = get_text(c, p, "product", path, 1, LETTER_MAX_TEXT, &product)) ||
	    (rc = get_text(c, p, "vendor", path, 0, LETTER_MAX_TEXT, &vendor)) ||
	    (rc = get_text(c, p, "ecosystem", path, 0, 64, &eco_s)) ||
	    (rc = get_text(c, p, "package", path, 0, LETTER_MAX_TEXT, &package)) ||
	    (rc = get_text(c, p, "release", path, 0, 64, &release)) ||
	    (rc = get_text(c, p, "version_order", path, 0, 64, &order_s)) ||
	    (rc = get_text(c, p, "notes", path, 0, LETTER_MAX_SCALAR, &notes)) ||
	    (rc = get_array(c, p, "affected", path, 0, &ranges)) ||
	    (rc = get_array(c, p, "fixed", path, 0, &fixed)))
		return rc;

	enum canh_ecosystem eco = CANH_ECO_SOFTWARE;
	if (eco_s) {
		size_t i, n = sizeof(ecosystems) / sizeof(ecosystems[0]);
		for (i = 0; i < n && strcasecmp(ecosystems[i].name, eco_s) != 0; i++)
			;
		pathf(sub, sizeof(sub), "%s.ecosystem", path);
		if (i == n)
			return fail(c->t, json_object_get(p, "ecosystem"), sub,
				    "unknown ecosystem '%.40s' (software, debian, ubuntu, alpine, "
				    "rpm, redhat, almalinux, rocky)",
				    eco_s);
		eco = ecosystems[i].eco;
	}
	if (eco != CANH_ECO_SOFTWARE && !package) {
		pathf(sub, sizeof(sub), "%s.package", path);
		return fail(c->t, p, sub, "missing (required when the ecosystem is '%s')", eco_s);
	}
	enum canh_verorder order = canh_ecosystem_order(eco);
	if (order_s) {
		size_t i, n = sizeof(orders) / sizeof(orders[0]);
		for (i = 0; i < n && strcasecmp(orders[i].name, order_s) != 0; i++)
			;
		pathf(sub, sizeof(sub), "%s.version_order", path);
		if (i == n)
			return fail(
			    c->t, json_object_get(p, "version_order"), sub,
			    "unknown version order '%.40s' (generic, dpkg, rpm, apk, semver)",
			    order_s);
		order = orders[i].order;
	}
	size_t n_fixed = fixed ? json_array_size(fixed) : 0;
	if ((!ranges || json_array_size(ranges) == 0) && n_fixed != 1) {
		pathf(sub, sizeof(sub), "%s.affected", path);
		return fail(c->t, p, sub,
			    "missing: list the affected version ranges (or give exactly one "
			    "'fixed' version, meaning every version below it)");
	}

	struct canh_affected *af = canh_advisory_add_affected(c->a);
	if (!af)
		return fail(c->t, p, path, "over canh's caps on one advisory");
	af->ecosystem = eco;
	af->ecosystem_raw = canh_advisory_strdup(c->a, canh_ecosystem_name(eco));
	af->package = canh_advisory_strdup(c->a, package ? package : product);
	af->vendor = canh_advisory_strdup(c->a, vendor);
	af->release = canh_advisory_strdup(c->a, release);
	af->order = order;
	af->status = CANH_AFF_AFFECTED;
	af->severity = c->a->severity;

	/* The fixed versions: each checked; the first is the one shown. */
	for (size_t i = 0; i < n_fixed; i++) {
		const json_t *v = json_array_get(fixed, i);
		pathf(sub, sizeof(sub), "%s.fixed[%zu]", path, i);
		if (!json_is_string(v))
			return fail(c->t, v, sub, "must be a version (text)");
		if ((rc = check_version(c, v, sub, json_string_value(v), order)) != 0)
			return rc;
		if (i == 0)
			af->fixed_version = canh_advisory_strdup(c->a, json_string_value(v));
	}
	if (ranges && json_array_size(ranges)) {
		for (size_t i = 0; i < json_array_size(ranges); i++) {
			pathf(sub, sizeof(sub), "%s.affected[%zu]", path, i);
			/* parse_range may set fixed_version only when `fixed` gave none. */
			if ((rc = parse_range(c, af, json_array_get(ranges, i), sub)) != 0)
				return rc;
		}
	} else {
		struct canh_range *r = canh_affected_add_range(c->a, af, CANH_RANGE_ECOSYSTEM);
		if (!r || canh_range_add_event(c->a, r, CANH_EV_INTRODUCED, "0") != 0 ||
		    canh_range_add_event(c->a, r, CANH_EV_FIXED, af->fixed_version) != 0)
			return fail(c->t, p, path, "over canh's caps on one advisory");
	}
	if (af->fixed_version)
		af->status = CANH_AFF_FIXED;
	return 0;
}

static int parse_letter(struct lctx *c, const json_t *root)
{
	static const char *const keys[] = {"number",   "date",	  "issuer", "title", "deadline",
					   "severity", "summary", "cvss",   "cves",  "references",
					   "products", "notes",	  NULL};
	const char *number, *date, *issuer, *title, *deadline, *sev, *summary, *cvss, *notes;
	const json_t *cves, *refs, *products;
	int64_t date_ms = 0, deadline_ms = 0;
	struct canh_advisory *a = c->a;
	int rc;
	char sub[200];

	if (!json_is_object(root))
		return fail(c->t, root, "",
			    "a letter is a mapping of fields (number, date, issuer, title, ...)");
	if ((rc = check_keys(c, root, "", keys)) ||
	    (rc = get_text(c, root, "number", "", 1, LETTER_MAX_TEXT, &number)) ||
	    (rc = get_date(c, root, "date", "", 1, &date, &date_ms)) ||
	    (rc = get_text(c, root, "issuer", "", 1, LETTER_MAX_TEXT, &issuer)) ||
	    (rc = get_text(c, root, "title", "", 1, LETTER_MAX_TEXT, &title)) ||
	    (rc = get_date(c, root, "deadline", "", 0, &deadline, &deadline_ms)) ||
	    (rc = get_text(c, root, "severity", "", 0, 32, &sev)) ||
	    (rc = get_text(c, root, "summary", "", 0, LETTER_MAX_SCALAR, &summary)) ||
	    (rc = get_text(c, root, "cvss", "", 0, 200, &cvss)) ||
	    (rc = get_text(c, root, "notes", "", 0, LETTER_MAX_SCALAR, &notes)) ||
	    (rc = get_array(c, root, "cves", "", 1, &cves)) ||
	    (rc = get_array(c, root, "references", "", 0, &refs)) ||
	    (rc = get_array(c, root, "products", "", 1, &products)))
		return rc;
	if (deadline && deadline_ms < date_ms)
		return fail(c->t, json_object_get(root, "deadline"), "deadline",
			    "%s is before the letter's date %s", deadline, date);

	canh_advisory_reset(a);
	a->source = CANH_ADV_FORMAT_LETTER;
	a->id = canh_advisory_strdup(a, number);
	a->summary = canh_advisory_strdup(a, title);
	a->details = canh_advisory_strdup(a, summary);
	a->published_ms = date_ms;
	a->letter.number = a->id;
	a->letter.date = canh_advisory_strdup(a, date);
	a->letter.date_ms = date_ms;
	a->letter.issuer = canh_advisory_strdup(a, issuer);
	a->letter.deadline = canh_advisory_strdup(a, deadline);
	a->letter.deadline_ms = deadline ? deadline_ms : 0;
	a->cvss_score = -1;
	if (sev) {
		a->severity = canh_severity_parse(sev);
		if (a->severity == CANH_SEV_UNKNOWN)
			return fail(c->t, json_object_get(root, "severity"), "severity",
				    "unknown severity '%.40s' (low, medium, high, critical)", sev);
	}
	if (cvss) {
		double score;
		if (canh_cvss3_base_score(cvss, &score) != 0)
			return fail(c->t, json_object_get(root, "cvss"), "cvss",
				    "'%.100s' is not a CVSS 3.x vector (CVSS:3.1/AV:N/AC:L/...)",
				    cvss);
		a->cvss_score = score;
		a->cvss_vector = canh_advisory_strdup(a, cvss);
		if (!sev)
			a->severity = canh_severity_from_cvss(score);
	}

	for (size_t i = 0; i < json_array_size(cves); i++) {
		const json_t *v = json_array_get(cves, i);
		pathf(sub, sizeof(sub), "cves[%zu]", i);
		if (!json_is_string(v) || !is_cve_id(json_string_value(v)))
			return fail(c->t, v, sub, "not a CVE id (CVE-YYYY-NNNN)");
		char id[32];
		canh_strlcpy(id, json_string_value(v), sizeof(id));
		for (char *p = id; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		for (size_t k = 0; k < a->n_cves; k++)
			if (strcmp(a->cves[k], id) == 0)
				return fail(c->t, v, sub, "%s is listed twice", id);
		if (canh_advisory_add_cve(a, id) != 0 || canh_advisory_add_alias(a, id) != 0)
			return fail(c->t, v, sub, "over canh's caps on one advisory");
	}
	for (size_t i = 0; refs && i < json_array_size(refs); i++) {
		const json_t *v = json_array_get(refs, i);
		const char *u = json_is_string(v) ? json_string_value(v) : "";
		pathf(sub, sizeof(sub), "references[%zu]", i);
		if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
		    strlen(u) > 2048 || strpbrk(u, " \t\r\n"))
			return fail(c->t, v, sub, "not an http(s) URL");
		if (canh_advisory_add_reference(a, u) != 0)
			return fail(c->t, v, sub, "over canh's caps on one advisory");
	}
	for (size_t i = 0; i < json_array_size(products); i++) {
		pathf(sub, sizeof(sub), "products[%zu]", i);
		if ((rc = parse_product(c, json_array_get(products, i), sub)) != 0)
			return rc;
	}
	if (!a->id || !a->summary || !a->letter.issuer)
		return fail(c->t, root, "", "over canh's caps on one advisory");
	return 0;
}

int canh_advisory_parse_letter(const void *data, size_t len, const char *filename,
			       const struct canh_advisory_sink *sink,
			       struct canh_advisory_stats *st, struct canh_errmsg *err)
{
	struct tree t = {
	    .data = data, .len = len, .file = filename ? filename : "letter", .err = err};
	json_t *root = NULL;
	int rc;

	if (len > LETTER_MAX_BYTES)
		return canh_errmsg_set(err, CANH_ETOOBIG,
				       "'%s': %zu bytes is over the cap of %u bytes on a letter",
				       t.file, len, LETTER_MAX_BYTES);
	/* JSON when the first thing after blanks (and a byte-order mark) is '{'. */
	const char *p = data;
	size_t bom = len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, i = bom;
	while (i < len && isspace((unsigned char)p[i]))
		i++;
	t.yaml = !(i < len && p[i] == '{');
	if (!t.yaml) {
		/* The JSON scanner does not take the mark: offsets then count from after it. */
		t.data += bom;
		t.len -= bom;
	}
	rc = t.yaml ? yaml_build(&t, &root) : json_build(&t, &root);
	if (rc == 0) {
		struct lctx c = {&t, canh_advisory_new()};
		rc = parse_letter(&c, root);
		if (rc == 0) {
			if (st) {
				st->advisories++;
				st->affected += c.a->n_affected;
				for (size_t k = 0; k < c.a->n_affected; k++) {
					if (c.a->affected[k].status == CANH_AFF_FIXED)
						st->fixed++;
					else
						st->open++;
				}
			}
			if (sink && sink->advisory)
				rc = sink->advisory(sink->ctx, c.a);
		}
		canh_advisory_free(c.a);
	}
	json_decref(root);
	free(t.pos);
	return rc;
}
