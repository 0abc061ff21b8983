/*
 * /health, /hosts, /summary.
 */
#include <string.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/time.h"
#include "http.h"
#include "store_vuln.h"

#define ADMIN_ACTOR "admin"

void canh_api_health(struct canh_req *r)
{
	char now[CANH_TIME_BUFSZ];
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string("ok"));
	json_object_set_new(o, "version", json_string(CANH_VERSION));
	json_object_set_new(o, "time",
			    json_string(canh_time_format(canh_now_ms(), now, sizeof(now))));
	json_object_set_new(o, "schema", json_integer(canh_store_schema_version(r->srv->store)));
	canh_req_reply(r, 200, o);
}

void canh_api_hosts_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	int rc = canh_store_host_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "hosts", arr);
	canh_req_reply(r, 200, o);
}

/* The {id} of /hosts/{id}: a positive decimal without sign or leading zero. */
static int host_id(struct canh_req *r, int64_t *id)
{
	if (r->arg[0] < '1' || r->arg[0] > '9' ||
	    canh_parse_int64(r->arg, 1, 9007199254740992LL, id) != 0) {
		canh_req_error(r, 404, S_HOST_NOT_FOUND, r->arg);
		return -1;
	}
	return 0;
}

void canh_api_hosts_show(struct canh_req *r)
{
	struct canh_errmsg e;
	int64_t id;
	json_t *o;
	int rc;

	if (host_id(r, &id) != 0)
		return;
	rc = canh_store_host_get(r->srv->store, id, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HOST_ID_NOT_FOUND, (long long)id);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

void canh_api_hosts_revoke(struct canh_req *r)
{
	struct canh_errmsg e;
	int64_t id;
	json_t *o;
	int rc;

	if (host_id(r, &id) != 0)
		return;
	rc = canh_store_agent_revoke(r->srv->store, id, canh_now_ms(), ADMIN_ACTOR, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_AGENT_NOT_FOUND, (long long)id);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_info("agent %lld revoked", (long long)id);
	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "status", json_string("revoked"));
	canh_req_reply(r, 200, o);
}

void canh_api_summary(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o;
	int rc = canh_store_summary(r->srv->store, canh_now_ms(), &o, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	/* Open findings, KEV among them, letters past their deadline (store_vuln.h). */
	if ((rc = canh_store_vuln_summary(r->srv->store, canh_now_ms(), o, &e)) != 0) {
		json_decref(o);
		canh_req_store_error(r, rc, &e);
		return;
	}
	json_object_set_new(o, "listen", json_string(r->srv->url));
	canh_req_reply(r, 200, o);
}
