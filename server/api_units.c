/*
 * /units: list, show, add, CSV import.
 */
#include <string.h>

#include "canh/log.h"
#include "canh/time.h"
#include "http.h"
#include "units.h"

#define ADMIN_ACTOR "admin"

void canh_api_units_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	int rc = canh_store_unit_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "units", arr);
	canh_req_reply(r, 200, o);
}

void canh_api_units_show(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (!canh_unit_code_valid(r->arg, strlen(r->arg))) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, r->arg);
		return;
	}
	rc = canh_store_unit_get(r->srv->store, r->arg, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, r->arg);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

void canh_api_units_add(struct canh_req *r)
{
	struct canh_unit_in u;
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (canh_unit_from_json(r->json, r->lang, &u, &e) != 0) {
		canh_req_error_text(r, 400, e.text);
		return;
	}
	rc = canh_store_unit_add(r->srv->store, &u.unit, canh_now_ms(), ADMIN_ACTOR, &e);
	if (rc == CANH_ENOENT) {
		/* The only thing that can be missing is the parent: the request is wrong. */
		canh_req_error(r, 400, S_PARENT_NOT_FOUND, u.parent);
		goto out;
	}
	if (rc == CANH_EEXIST) {
		canh_req_error(r, 409, S_UNIT_EXISTS, u.code);
		goto out;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	canh_info("unit '%s' added", u.code);
	rc = canh_store_unit_get(r->srv->store, u.code, &o, &e);
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	canh_req_reply(r, 201, o);
out:
	canh_unit_in_release(&u);
}

void canh_api_units_import(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *res;
	int rc = canh_units_import_csv(r->srv->store, r->body.data ? r->body.data : "", r->body.len,
				       canh_now_ms(), ADMIN_ACTOR, r->lang, &res, &e);

	if (rc == CANH_EPARSE || rc == CANH_EINVAL) {
		canh_req_error_text(r, 400, e.text);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_info("units import: %lld new, %lld updated, %zu rows refused",
		  (long long)json_integer_value(json_object_get(res, "imported")),
		  (long long)json_integer_value(json_object_get(res, "updated")),
		  json_array_size(json_object_get(res, "errors")));
	canh_req_reply(r, 200, res);
}
