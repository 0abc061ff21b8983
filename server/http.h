/*
 * The request object the API handlers (api_*.c) work on, and how they answer.
 *
 * http.c owns the libmicrohttpd side: it routes, authenticates, collects the
 * body under the max_body cap and calls one handler per request with the
 * body complete. A handler answers exactly once with canh_req_reply or
 * canh_req_error; it never sees MHD.
 *
 * Every text a client reads comes from the message table (messages.h) in the
 * request's language, which http.c takes from Accept-Language (English when
 * absent) and names in Content-Language; log lines stay English.
 */
#ifndef CANH_SERVER_HTTP_H
#define CANH_SERVER_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "canh/buf.h"
#include "canh/i18n.h"
#include "canh/ipaddr.h"
#include "messages.h"
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
	enum canh_lang lang;	       /* of the texts of the answer (Accept-Language) */
	struct canh_buf body;
	json_t *json; /* parsed body of JSON routes */
	int answered;
	unsigned status;
	int64_t start_ms;
};

/* Answer with a JSON body (stolen; NULL sends {}). */
void canh_req_reply(struct canh_req *r, unsigned status, json_t *body);
/*
 * canh_req_error(r, status, S_ID, args...): answer {"error": <the message in
 * r->lang>, "code": <from status>}. The arguments are checked against the
 * message's English text at compile time.
 */
void canh_req__error(struct canh_req *r, unsigned status, enum canh_msg_id id, ...);
#define canh_req_error(r, status, id, ...)                                                         \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__), canh_req__error((r), (status), id, ##__VA_ARGS__))
/* The same with a text already worded in r->lang (units.c's validation messages). */
void canh_req_error_text(struct canh_req *r, unsigned status, const char *text);
/*
 * Answer a store call's failure that the handler does not expect: 500, with
 * the details (e, English) only in the log. The codes a store call documents
 * (not found, exists, used token...) are answered by the handler itself, in
 * the request's language, from what it asked for: the store's texts are for
 * the log.
 */
void canh_req_store_error(struct canh_req *r, int rc, const struct canh_errmsg *e);
/* The decoded value of query parameter key ("?unit=HP-01"), or NULL when absent. */
const char *canh_req_query(struct canh_req *r, const char *key);

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
void canh_api_intel_alerts(struct canh_req *r);
void canh_api_intel_pinpoint(struct canh_req *r);
void canh_api_hosts_flows(struct canh_req *r);
void canh_api_intel_feeds_list(struct canh_req *r);
void canh_api_intel_feeds_import(struct canh_req *r);
void canh_api_intel_feeds_show(struct canh_req *r);
void canh_api_vuln_import(struct canh_req *r);
void canh_api_vuln_imports(struct canh_req *r);
void canh_api_vuln_findings(struct canh_req *r);
void canh_api_vuln_accept(struct canh_req *r);
void canh_api_vuln_letters(struct canh_req *r);
void canh_api_vuln_letter(struct canh_req *r);
void canh_api_botnet_report(struct canh_req *r);
void canh_api_rules_upload(struct canh_req *r);
void canh_api_rules_list(struct canh_req *r);
void canh_api_rules_show(struct canh_req *r);
void canh_api_hunts_create(struct canh_req *r);
void canh_api_hunts_list(struct canh_req *r);
void canh_api_hunts_show(struct canh_req *r);
void canh_api_detections_list(struct canh_req *r);
void canh_api_quarantine_list(struct canh_req *r);
void canh_api_quarantine_restore(struct canh_req *r);
void canh_api_agent_tasks(struct canh_req *r);
void canh_api_agent_rules(struct canh_req *r);
void canh_api_alerts_list(struct canh_req *r);
void canh_api_hosts_logs(struct canh_req *r);
void canh_api_sigma_rules_list(struct canh_req *r);
void canh_api_sigma_rules_upload(struct canh_req *r);
void canh_api_sigma_rule_disable(struct canh_req *r);
void canh_api_sigma_rule_enable(struct canh_req *r);

#endif
