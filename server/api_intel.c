/*
 * /intel/feeds (import, list, show) and /botnet/report (docs/intel.md).
 */
#include <string.h>

#include "canh/log.h"
#include "canh/utf8.h"
#include "http.h"
#include "intel.h"
#include "units.h"

#define ADMIN_ACTOR "admin"
#define FILENAME_MAX_BYTES 255

static int filename_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FILENAME_MAX_BYTES || !canh_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

void canh_api_intel_feeds_import(struct canh_req *r)
{
	const char *name = canh_req_query(r, "name");
	const char *kind = canh_req_query(r, "kind");
	const char *format = canh_req_query(r, "format");
	const char *filename = canh_req_query(r, "filename");
	struct canh_intel_import_req req;
	struct canh_errmsg e;
	json_t *res = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	if (!name || !name[0]) {
		canh_req_error(r, 400, S_INTEL_NAME_MISSING);
		return;
	}
	if (!canh_intel_name_valid(name)) {
		canh_req_error(r, 400, S_INTEL_NAME_INVALID, (int)strnlen(name, 80), name);
		return;
	}
	if (!kind || canh_intel_kind_parse(kind, &req.kind) != 0) {
		canh_req_error(r, 400, S_INTEL_KIND_INVALID);
		return;
	}
	req.format = CANH_FEED_AUTO;
	if (format && format[0] && canh_feed_format_parse(format, &req.format) != 0) {
		canh_req_error(r, 400, S_INTEL_FORMAT_INVALID, (int)strnlen(format, 32), format);
		return;
	}
	if (filename && !filename_ok(filename)) {
		canh_req_error(r, 400, S_INTEL_FILENAME_INVALID);
		return;
	}
	if (r->body.len == 0) {
		canh_req_error(r, 400, S_INTEL_EMPTY_FILE);
		return;
	}
	req.name = name;
	req.filename = filename && filename[0] ? filename : NULL;
	req.data = r->body.data;
	req.len = r->body.len;
	req.actor = ADMIN_ACTOR;
	rc = canh_intel_import(r->srv, &req, &res, &e);
	switch (rc) {
	case 0:
		canh_req_reply(r, json_is_true(json_object_get(res, "unchanged")) ? 200 : 201, res);
		return;
	case CANH_ECONFLICT:
		canh_req_error(r, 409, S_INTEL_KIND_CONFLICT, name,
			       canh_intel_kind_name(req.kind == CANH_INTEL_C2 ? CANH_INTEL_VICTIM
									      : CANH_INTEL_C2),
			       canh_intel_kind_name(req.kind == CANH_INTEL_C2 ? CANH_INTEL_VICTIM
									      : CANH_INTEL_C2));
		return;
	case CANH_ENOENT:
		/* Nothing could be read: the parser's first reason, as it gave it. */
		if ((long long)json_integer_value(json_object_get(res, "rejected")) == 0)
			canh_req_error(r, 400, S_INTEL_NO_ROWS);
		else
			canh_req_error(
			    r, 400, S_INTEL_NO_ENTRIES,
			    (long long)json_integer_value(json_object_get(res, "rejected")),
			    json_string_value(json_object_get(res, "first")));
		json_decref(res);
		return;
	case CANH_ESTORE:
	case CANH_ECRYPTO:
	case CANH_ENOMEM:
		canh_req_store_error(r, rc, &e);
		return;
	default:
		canh_info("intel import '%s' refused: %s", name, e.text);
		canh_req_error(
		    r, 400, S_INTEL_UNUSABLE,
		    canh_feed_format_name(req.format == CANH_FEED_AUTO
					      ? canh_feed_detect(req.data, req.len, req.filename)
					      : req.format),
		    e.text);
		return;
	}
}

void canh_api_intel_feeds_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	size_t c2 = 0, victim = 0;
	int rc = canh_store_intel_feed_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_intel_counts(r->srv->intel, &c2, &victim);
	o = json_object();
	json_object_set_new(o, "feeds", arr);
	json_object_set_new(
	    o, "loaded",
	    json_pack("{s:I,s:I}", "c2", (json_int_t)c2, "victim", (json_int_t)victim));
	canh_req_reply(r, 200, o);
}

void canh_api_intel_feeds_show(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (!canh_intel_name_valid(r->arg)) {
		canh_req_error(r, 404, S_INTEL_FEED_NOT_FOUND, r->arg);
		return;
	}
	rc = canh_store_intel_feed_get(r->srv->store, r->arg, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_INTEL_FEED_NOT_FOUND, r->arg);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

void canh_api_botnet_report(struct canh_req *r)
{
	const char *unit = canh_req_query(r, "unit");
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (unit && !unit[0])
		unit = NULL;
	if (unit && !canh_unit_code_valid(unit, strlen(unit))) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, unit);
		return;
	}
	rc = canh_intel_botnet_report(r->srv, unit, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, unit ? unit : "");
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}
