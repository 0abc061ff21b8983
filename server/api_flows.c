/*
 * GET /intel/alerts (C2 alerts), GET /intel/pinpoint (the hosts behind an address) and
 * GET /hosts/{id}/flows (a host's stored connections), docs/intel.md.
 */
#include <string.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/time.h"
#include "flows.h"
#include "http.h"
#include "store_flows.h"

#define QUERY_ECHO_MAX 64

static int query_limit(struct canh_req *r, int64_t *limit)
{
	const char *s = canh_req_query(r, "limit");

	*limit = 0;
	if (s && canh_parse_int64(s, 1, 100000, limit) != 0) {
		canh_req_error(r, 400, S_FLOWS_BAD_LIMIT, (int)strnlen(s, QUERY_ECHO_MAX), s);
		return -1;
	}
	return 0;
}

void canh_api_intel_alerts(struct canh_req *r)
{
	struct canh_alert_filter f = {0};
	const char *host = canh_req_query(r, "host");
	const char *since = canh_req_query(r, "since");
	struct canh_errmsg e;
	json_t *o;
	int rc;

	f.unit = canh_req_query(r, "unit");
	if (f.unit && !f.unit[0])
		f.unit = NULL;
	if (host && host[0] &&
	    (host[0] < '1' || host[0] > '9' ||
	     canh_parse_int64(host, 1, 9007199254740992LL, &f.agent_id) != 0)) {
		canh_req_error(r, 400, S_FLOWS_BAD_HOST, (int)strnlen(host, QUERY_ECHO_MAX), host);
		return;
	}
	if (since && since[0]) {
		int64_t d;
		/* an absolute time, or a duration back from now */
		if (canh_time_parse(since, &f.since_ms) != 0) {
			if (canh_parse_duration_ms(since, &d) != 0 || d < 0) {
				canh_req_error(r, 400, S_FLOWS_BAD_SINCE,
					       (int)strnlen(since, QUERY_ECHO_MAX), since);
				return;
			}
			f.since_ms = canh_now_ms() - d;
		}
	}
	if (query_limit(r, &f.limit) != 0)
		return;
	rc = canh_store_alert_list(r->srv->store, &f, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, f.unit);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

#define DAY_MS (86400LL * 1000)
#define FAMILY_MAX 64

void canh_api_intel_pinpoint(struct canh_req *r)
{
	const char *addr = canh_req_query(r, "addr"), *time = canh_req_query(r, "time");
	const char *window = canh_req_query(r, "window"), *port = canh_req_query(r, "port");
	const char *family = canh_req_query(r, "family");
	struct canh_ipaddr a;
	struct canh_errmsg e;
	int64_t t = canh_now_ms(), w = 0, p = 0;
	json_t *cands, *o;
	char norm[CANH_IPADDR_STRLEN], ts[CANH_TIME_BUFSZ];
	int rc;

	if (!addr || !addr[0]) {
		canh_req_error(r, 400, S_FLOWS_ADDR_MISSING);
		return;
	}
	if (strlen(addr) >= CANH_IPADDR_STRLEN || canh_ip_parse(addr, &a) != 0) {
		canh_req_error(r, 400, S_FLOWS_BAD_ADDR, (int)strnlen(addr, QUERY_ECHO_MAX), addr);
		return;
	}
	if (time && time[0] && canh_time_parse(time, &t) != 0) {
		canh_req_error(r, 400, S_FLOWS_BAD_TIME, (int)strnlen(time, QUERY_ECHO_MAX), time);
		return;
	}
	if (window && window[0] &&
	    (canh_parse_duration_ms(window, &w) != 0 || w < 1000 || w > 90 * DAY_MS)) {
		canh_req_error(r, 400, S_FLOWS_BAD_WINDOW, (int)strnlen(window, QUERY_ECHO_MAX),
			       window);
		return;
	}
	if (port && port[0] && canh_parse_int64(port, 1, 65535, &p) != 0) {
		canh_req_error(r, 400, S_FLOWS_BAD_PORT, (int)strnlen(port, QUERY_ECHO_MAX), port);
		return;
	}
	if (family && strlen(family) > FAMILY_MAX) {
		canh_req_error(r, 400, S_FLOWS_BAD_FAMILY);
		return;
	}
	rc = canh_flows_pinpoint(r->srv, &a, t, w, family && family[0] ? family : NULL, (int)p,
				 &cands, &e);
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "addr", json_string(canh_ip_format(&a, norm, sizeof(norm))));
	json_object_set_new(o, "time", json_string(canh_time_format(t, ts, sizeof(ts))));
	json_object_set_new(o, "window_s", json_integer((w > 0 ? w : DAY_MS) / 1000));
	json_object_set_new(o, "candidates", cands);
	canh_req_reply(r, 200, o);
}

void canh_api_hosts_flows(struct canh_req *r)
{
	struct canh_errmsg e;
	int64_t id, limit;
	json_t *arr, *o;
	int rc;

	if (r->arg[0] < '1' || r->arg[0] > '9' ||
	    canh_parse_int64(r->arg, 1, 9007199254740992LL, &id) != 0) {
		canh_req_error(r, 404, S_HOST_NOT_FOUND, r->arg);
		return;
	}
	if (query_limit(r, &limit) != 0)
		return;
	rc = canh_store_host_get(r->srv->store, id, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HOST_ID_NOT_FOUND, (long long)id);
		return;
	}
	if (rc == 0) {
		json_decref(o);
		rc = canh_store_flow_list(r->srv->store, id, limit, &arr, &e);
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "host", json_integer(id));
	json_object_set_new(o, "flows", arr);
	canh_req_reply(r, 200, o);
}
