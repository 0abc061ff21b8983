/*
 * The request object the API handlers (api_*.c) work on, and how they answer.
 *
 * http.c owns the libmicrohttpd side: it routes, authenticates, collects the
 * body under the max_body cap and calls one handler per request with the
 * body complete. A handler answers exactly once with canh_req_reply or
 * canh_req_error; it never sees MHD.
 */
#ifndef CANH_SERVER_HTTP_H
#define CANH_SERVER_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "canh/buf.h"
#include "canh/ipaddr.h"
#include "server.h"

struct MHD_Connection;
struct canh_route;

struct canh_req {
	struct canh_server *srv;
	struct MHD_Connection *conn;
	const struct canh_route *route;
	char method[8];
	char arg[160];		       /* the {code} or {id} path segment, if the route has one */
	int64_t agent_id;	       /* authenticated agent (agent routes) */
	char peer[CANH_IPADDR_STRLEN]; /* the client's address (egress address for agents) */
	struct canh_buf body;
	json_t *json; /* parsed body of JSON routes */
	int answered;
	unsigned status;
	int64_t start_ms;
};

/* Answer with a JSON body (stolen; NULL sends {}). */
void canh_req_reply(struct canh_req *r, unsigned status, json_t *body);
/* Answer {"error": message, "code": <from status>}. */
void canh_req_error(struct canh_req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Answer a failed store call: ENOENT 404, EEXIST/ECONFLICT 409, EINVAL/EPARSE
 * 400, anything else 500 with the details only in the log.
 */
void canh_req_store_error(struct canh_req *r, int rc, const struct canh_errmsg *e);

/* Handlers (api_*.c). */
void canh_api_health(struct canh_req *r);
void canh_api_units_list(struct canh_req *r);
void canh_api_units_add(struct canh_req *r);
void canh_api_units_show(struct canh_req *r);
void canh_api_units_import(struct canh_req *r);
void canh_api_tokens_list(struct canh_req *r);
void canh_api_tokens_create(struct canh_req *r);
void canh_api_enroll(struct canh_req *r);
void canh_api_hosts_list(struct canh_req *r);
void canh_api_hosts_show(struct canh_req *r);
void canh_api_hosts_revoke(struct canh_req *r);
void canh_api_summary(struct canh_req *r);
void canh_api_agent_state(struct canh_req *r);
void canh_api_agent_messages(struct canh_req *r);

#endif
