/*
 * /vuln: advisory imports, findings, letters (docs/vuln.md, "API").
 */
#include <stdio.h>
#include <string.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/time.h"
#include "canh/utf8.h"
#include "http.h"
#include "vuln.h"

#define ADMIN_ACTOR "admin"
#define FILENAME_MAX_BYTES 255
#define REASON_MAX_BYTES 2000
#define LIMIT_MAX 100000

/* Printable UTF-8 of 1..max bytes. */
static int text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !canh_utf8_valid(s, n))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* "what at line L, column C (byte N)": the position taken apart, reason before it. */
static int parse_position(const char *text, char *reason, size_t rlen, size_t *line, size_t *col,
			  size_t *byte)
{
	const char *at = strstr(text, " at line ");
	unsigned long long l, c, b;

	if (!at || sscanf(at, " at line %llu, column %llu (byte %llu)", &l, &c, &b) != 3)
		return -1;
	snprintf(reason, rlen, "%.*s", (int)(at - text), text);
	*line = (size_t)l;
	*col = (size_t)c;
	*byte = (size_t)b;
	return 0;
}

static json_t *counts_json(const struct canh_vuln_import_result *res)
{
	json_t *o = json_object();

	json_object_set_new(o, "import_id", json_integer(res->import_id));
	json_object_set_new(o, "format", json_string(canh_advisory_format_name(res->format)));
	json_object_set_new(o, "source", json_string(res->source));
	json_object_set_new(o, "advisories", json_integer(res->counts.advisories));
	json_object_set_new(o, "affected", json_integer(res->counts.affected));
	json_object_set_new(o, "kev", json_integer(res->counts.kev));
	json_object_set_new(o, "letters", json_integer(res->counts.letters));
	json_object_set_new(o, "skipped", json_integer(res->counts.skipped));
	json_object_set_new(o, "replaced", json_integer(res->counts.replaced));
	json_object_set_new(o, "not_affected", json_integer((json_int_t)res->stats.not_affected));
	json_object_set_new(o, "undetermined", json_integer((json_int_t)res->stats.undetermined));
	if (res->stats.first_skip[0])
		json_object_set_new(o, "first_skip", json_string(res->stats.first_skip));
	json_object_set_new(o, "ms", json_integer(res->parse_store_ms));
	return o;
}

void canh_api_vuln_import(struct canh_req *r)
{
	enum canh_advisory_format fmt = CANH_ADV_FORMAT_UNKNOWN;
	const char *fmt_s = canh_req_query(r, "format");
	const char *fname = canh_req_query(r, "filename");
	struct canh_vuln_import_result res;
	struct canh_errmsg e;
	const char *fmt_name;
	int rc;

	if (fmt_s && strcmp(fmt_s, "auto") != 0 && canh_advisory_format_parse(fmt_s, &fmt) != 0) {
		canh_req_error(r, 400, S_VULN_BAD_FORMAT, fmt_s);
		return;
	}
	if (fname && !text_ok(fname, FILENAME_MAX_BYTES)) {
		canh_req_error(r, 400, S_VULN_FILENAME, FILENAME_MAX_BYTES);
		return;
	}
	if (!fname)
		fname = "upload";
	if (r->body.len == 0) {
		canh_req_error(r, 400, S_VULN_EMPTY);
		return;
	}
	e.text[0] = '\0';
	rc = canh_vuln_import(r->srv->store, r->body.data, r->body.len, fmt, fname, ADMIN_ACTOR,
			      canh_now_ms(), &res, &e);
	fmt_name = res.format ? canh_advisory_format_name(res.format) : "advisory";
	if (rc == CANH_EINVAL && res.format == CANH_ADV_FORMAT_UNKNOWN) {
		canh_req_error(r, 400, S_VULN_UNKNOWN_FORMAT, fname);
		return;
	}
	if (rc == CANH_EPARSE || rc == CANH_EINVAL) {
		char reason[512];
		size_t line, col, byte;
		canh_info("advisory import '%s' refused: %s", fname, e.text);
		if (parse_position(e.text, reason, sizeof(reason), &line, &col, &byte) == 0)
			canh_req_error(r, 400, S_VULN_MALFORMED_AT, fmt_name, fname, line, col,
				       byte, reason);
		else
			canh_req_error(r, 400, S_VULN_MALFORMED, fmt_name, fname, e.text);
		return;
	}
	if (rc == CANH_ETOOBIG) {
		canh_info("advisory import '%s' refused: %s", fname, e.text);
		canh_req_error(r, 413, S_VULN_TOO_BIG, fmt_name, fname, e.text);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	/* The matching thread rebuilds its index and re-matches every host. */
	canh_vuln_kick(r->srv->vuln, 1);
	canh_req_reply(r, 200, counts_json(&res));
}

void canh_api_vuln_imports(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	int rc = canh_store_vuln_import_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "imports", arr);
	canh_req_reply(r, 200, o);
}

/* "1"/"0" (also "true"/"false"); -1 when neither. */
static int flag_value(const char *s)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		return 0;
	return -1;
}

void canh_api_vuln_findings(struct canh_req *r)
{
	struct canh_vuln_filter f;
	const char *unit = canh_req_query(r, "unit"), *host = canh_req_query(r, "host");
	const char *kev = canh_req_query(r, "kev"), *status = canh_req_query(r, "status");
	const char *letter = canh_req_query(r, "letter"), *limit = canh_req_query(r, "limit");
	struct canh_errmsg e;
	json_t *o;
	int rc;

	memset(&f, 0, sizeof(f));
	if (unit && *unit)
		f.unit = unit;
	if (host && *host &&
	    (host[0] < '1' || host[0] > '9' ||
	     canh_parse_int64(host, 1, 9007199254740992LL, &f.host) != 0)) {
		canh_req_error(r, 400, S_VULN_BAD_HOST, host);
		return;
	}
	if (kev && *kev) {
		f.kev_only = flag_value(kev);
		if (f.kev_only < 0) {
			canh_req_error(r, 400, S_VULN_BAD_FLAG, "kev", kev);
			return;
		}
	}
	if (status && *status) {
		if (strcmp(status, "open") != 0 && strcmp(status, "fixed") != 0 &&
		    strcmp(status, "accepted") != 0) {
			canh_req_error(r, 400, S_VULN_BAD_STATUS, status);
			return;
		}
		f.status = status;
	}
	if (letter && *letter)
		f.letter = letter;
	if (limit && *limit && canh_parse_int64(limit, 1, LIMIT_MAX, &f.limit) != 0) {
		canh_req_error(r, 400, S_VULN_BAD_LIMIT, limit, LIMIT_MAX);
		return;
	}
	rc = canh_store_vuln_findings(r->srv->store, &f, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, unit);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

void canh_api_vuln_accept(struct canh_req *r)
{
	const char *reason = json_string_value(json_object_get(r->json, "reason"));
	struct canh_errmsg e;
	int64_t id;
	json_t *o;
	int rc;

	if (r->arg[0] < '1' || r->arg[0] > '9' ||
	    canh_parse_int64(r->arg, 1, 9007199254740992LL, &id) != 0) {
		canh_req_error(r, 404, S_VULN_FINDING_NOT_FOUND, r->arg);
		return;
	}
	if (!reason || !canh_utf8_valid(reason, strlen(reason)) || !*reason ||
	    strlen(reason) > REASON_MAX_BYTES) {
		canh_req_error(r, 400, S_VULN_REASON, REASON_MAX_BYTES);
		return;
	}
	rc = canh_store_vuln_accept(r->srv->store, id, reason, canh_now_ms(), ADMIN_ACTOR, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_VULN_FINDING_NOT_FOUND, r->arg);
		return;
	}
	if (rc == CANH_ECONFLICT) {
		canh_req_error(r, 409, S_VULN_FINDING_FIXED, (long long)id);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_info("finding %lld accepted", (long long)id);
	canh_req_reply(r, 200, o);
}

void canh_api_vuln_letters(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	int rc = canh_store_vuln_letters(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "letters", arr);
	canh_req_reply(r, 200, o);
}

void canh_api_vuln_letter(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o;
	int rc;

	/* The number holds '/' ("1943/CATTT-NCSC"): the route takes the rest of the path. */
	if (!text_ok(r->arg, sizeof(r->arg) - 1)) {
		canh_req_error(r, 404, S_VULN_LETTER_NOT_FOUND, "");
		return;
	}
	rc = canh_store_vuln_letter(r->srv->store, r->arg, canh_now_ms(), &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_VULN_LETTER_NOT_FOUND, r->arg);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}
