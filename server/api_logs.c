/*
 * Log monitoring endpoints (docs/logs.md, docs/api.md): alerts and Sigma rules.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/time.h"
#include "http.h"
#include "logs.h"
#include "store_logs.h"

#define ADMIN_ACTOR "admin"
#define QUERY_ECHO_MAX 64
#define SET_NAME_MAX 64

/* GET /alerts?unit=CODE&since=24h|TIME&level=L&limit=N */
void canh_api_alerts_list(struct canh_req *r)
{
	const char *unit = canh_req_query(r, "unit"), *since = canh_req_query(r, "since");
	const char *level = canh_req_query(r, "level"), *limit = canh_req_query(r, "limit");
	struct canh_log_alert_filter f = {.min_rank = -1};
	struct canh_errmsg e;
	json_t *out;
	int rc;

	if (unit && unit[0])
		f.unit = unit;
	if (since && since[0] && canh_time_parse(since, &f.since_ms) != 0) {
		int64_t d;
		if (canh_parse_duration_ms(since, &d) != 0 || d < 0) {
			canh_req_error(r, 400, S_LOGS_BAD_SINCE,
				       (int)strnlen(since, QUERY_ECHO_MAX), since);
			return;
		}
		f.since_ms = canh_now_ms() - d;
	}
	if (level && level[0] && (f.min_rank = canh_log_level_rank(level)) < 0) {
		canh_req_error(r, 400, S_LOGS_BAD_LEVEL, (int)strnlen(level, QUERY_ECHO_MAX),
			       level);
		return;
	}
	if (limit && limit[0]) {
		char *end;
		long long n = strtoll(limit, &end, 10);
		if (*end || n < 1 || n > 100000) {
			canh_req_error(r, 400, S_LOGS_BAD_LIMIT,
				       (int)strnlen(limit, QUERY_ECHO_MAX), limit);
			return;
		}
		f.limit = n;
	}
	rc = canh_store_logs_alerts(r->srv->store, &f, &out, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_LOGS_UNIT_NOT_FOUND, (int)strnlen(unit, QUERY_ECHO_MAX),
			       unit);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, out);
}

/* GET /hosts/ID/logs: the host's log counters (zeros before its first logs message). */
void canh_api_hosts_logs(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o = NULL;
	char *end;
	long long id = strtoll(r->arg, &end, 10);
	int rc;

	if (!r->arg[0] || *end || id <= 0) {
		canh_req_error(r, 400, S_LOGS_BAD_HOST, (int)strnlen(r->arg, QUERY_ECHO_MAX),
			       r->arg);
		return;
	}
	if ((rc = canh_store_logs_counters(r->srv->store, id, &o, &e)) != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	if (!o)
		o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:n}", "lines", 0, "events", 0, "shed", 0,
			      "cut", 0, "alerts", 0, "last_at");
	json_object_set_new(o, "host", json_integer(id));
	canh_req_reply(r, 200, o);
}

/* GET /sigma/rules */
void canh_api_sigma_rules_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *disabled = NULL, *sets = NULL, *rules, *o, *rule;
	size_t i;
	int rc;

	if ((rc = canh_store_sigma_disabled_map(r->srv->store, &disabled, &e)) != 0 ||
	    (rc = canh_store_sigma_rulesets_json(r->srv->store, &sets, &e)) != 0) {
		json_decref(disabled);
		canh_req_store_error(r, rc, &e);
		return;
	}
	rules = r->srv->logs ? canh_logs_rules_json(r->srv->logs) : json_array();
	json_array_foreach(rules, i, rule)
	{
		json_t *units =
		    json_object_get(disabled, json_string_value(json_object_get(rule, "id")));
		json_object_set_new(rule, "disabled_units",
				    units ? json_incref(units) : json_array());
	}
	o = json_object();
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "sets", sets);
	json_object_set_new(o, "disabled", disabled);
	canh_req_reply(r, 200, o);
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SET_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* POST /sigma/rules?name=N, body: one YAML file (rules, a collection, correlations). */
void canh_api_sigma_rules_upload(struct canh_req *r)
{
	const char *name = canh_req_query(r, "name");
	size_t loaded = 0, skipped = 0, errors = 0;
	struct canh_errmsg e;
	json_t *report = NULL, *o;
	int64_t version = 0;
	int rc;

	if (!name || !name[0]) {
		canh_req_error(r, 400, S_SIGMA_NAME_MISSING);
		return;
	}
	if (!name_ok(name)) {
		canh_req_error(r, 400, S_SIGMA_BAD_NAME, (int)strnlen(name, QUERY_ECHO_MAX), name);
		return;
	}
	if (r->body.len == 0) {
		canh_req_error(r, 400, S_SIGMA_EMPTY);
		return;
	}
	canh_logs_check_rules(name, r->body.data, r->body.len, &report, &loaded, &skipped, &errors);
	if (loaded == 0) {
		char text[512];
		canh_msg_format(r->lang, text, sizeof(text), S_SIGMA_NO_RULE, skipped, errors);
		o = json_object();
		json_object_set_new(o, "error", json_string(text));
		json_object_set_new(o, "report", report);
		canh_req_reply(r, 422, o);
		return;
	}
	rc =
	    canh_store_sigma_ruleset_add(r->srv->store, name, r->body.data, r->body.len, loaded,
					 skipped, errors, ADMIN_ACTOR, canh_now_ms(), &version, &e);
	if (rc != 0) {
		json_decref(report);
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_info("Sigma rule set '%s' version %lld uploaded: %zu loaded, %zu skipped, %zu errors",
		  name, (long long)version, loaded, skipped, errors);
	if (r->srv->logs && canh_logs_reload(r->srv->logs, &e) != 0)
		canh_error("Sigma rules not reloaded after the upload of '%s': %s", name, e.text);
	o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "version", json_integer(version));
	json_object_set_new(o, "loaded", json_integer((json_int_t)loaded));
	json_object_set_new(o, "skipped", json_integer((json_int_t)skipped));
	json_object_set_new(o, "errors", json_integer((json_int_t)errors));
	json_object_set_new(o, "report", report);
	canh_req_reply(r, 201, o);
}

static void set_disabled(struct canh_req *r, int disable)
{
	const char *unit = canh_req_query(r, "unit");
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (!unit || !unit[0]) {
		canh_req_error(r, 400, S_SIGMA_UNIT_MISSING);
		return;
	}
	if (!r->srv->logs || !canh_logs_has_rule(r->srv->logs, r->arg)) {
		canh_req_error(r, 404, S_SIGMA_RULE_NOT_FOUND, (int)strnlen(r->arg, QUERY_ECHO_MAX),
			       r->arg);
		return;
	}
	rc = canh_store_sigma_set_disabled(r->srv->store, r->arg, unit, disable, ADMIN_ACTOR,
					   canh_now_ms(), &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_LOGS_UNIT_NOT_FOUND, (int)strnlen(unit, QUERY_ECHO_MAX),
			       unit);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "rule", json_string(r->arg));
	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "enabled", json_boolean(!disable));
	canh_req_reply(r, 200, o);
}

/* POST /sigma/rules/ID/disable?unit=CODE */
void canh_api_sigma_rule_disable(struct canh_req *r)
{
	set_disabled(r, 1);
}

/* POST /sigma/rules/ID/enable?unit=CODE */
void canh_api_sigma_rule_enable(struct canh_req *r)
{
	set_disabled(r, 0);
}
