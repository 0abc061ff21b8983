/*
 * /tokens (enrolment tokens) and /enroll.
 */
#include <stdio.h>
#include <string.h>

#include "canh/config.h"
#include "canh/crypto.h"
#include "canh/log.h"
#include "canh/time.h"
#include "http.h"
#include "units.h"

#define ADMIN_ACTOR "admin"

void canh_api_tokens_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr, *o;
	int rc = canh_store_token_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "tokens", arr);
	canh_req_reply(r, 200, o);
}

/* "90d", "12h", "30m" or "45s": the largest unit that divides ms. */
static void fmt_duration(int64_t ms, char *buf, size_t len)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms % units[i].ms == 0) {
			snprintf(buf, len, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
			return;
		}
	}
}

void canh_api_tokens_create(struct canh_req *r)
{
	const struct canh_server_config *cfg = &r->srv->cfg;
	char token[65], hash[CANH_SHA256_HEX], when[CANH_TIME_BUFSZ], max[32];
	const json_t *unit = json_object_get(r->json, "unit");
	const json_t *exp = json_object_get(r->json, "expires_in");
	int64_t ttl = cfg->token_default_expiry, now = canh_now_ms(), id;
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (!json_is_string(unit) ||
	    !canh_unit_code_valid(json_string_value(unit), json_string_length(unit))) {
		canh_req_error(r, 400, S_TOKEN_UNIT_INVALID);
		return;
	}
	if (exp && !json_is_null(exp)) {
		fmt_duration(cfg->token_max_expiry, max, sizeof(max));
		if (json_is_integer(exp)) {
			/* Seconds, for callers that prefer a number. */
			json_int_t v = json_integer_value(exp);
			if (v <= 0 || v > cfg->token_max_expiry / 1000) {
				canh_req_error(r, 400, S_EXPIRES_SECONDS_RANGE, max);
				return;
			}
			ttl = (int64_t)v * 1000;
		} else if (!json_is_string(exp) ||
			   canh_parse_duration_ms(json_string_value(exp), &ttl) != 0) {
			canh_req_error(r, 400, S_EXPIRES_INVALID);
			return;
		}
		if (ttl <= 0 || ttl > cfg->token_max_expiry) {
			canh_req_error(r, 400, S_EXPIRES_RANGE, max);
			return;
		}
	}
	if (canh_random_hex(token, 32) != 0 || canh_sha256_hex(token, 64, hash) != 0) {
		canh_req_error(r, 500, S_INTERNAL);
		canh_error("cannot make a token: no randomness");
		return;
	}
	rc = canh_store_token_create(r->srv->store, json_string_value(unit), hash, now, now + ttl,
				     ADMIN_ACTOR, &id, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 400, S_UNIT_NOT_FOUND, json_string_value(unit));
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_info("enrolment token %lld created for unit '%s'", (long long)id,
		  json_string_value(unit));
	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "token", json_string(token));
	json_object_set_new(o, "unit", json_string(json_string_value(unit)));
	json_object_set_new(o, "expires_at",
			    json_string(canh_time_format(now + ttl, when, sizeof(when))));
	canh_req_reply(r, 201, o);
}

/* An optional string field of at most max bytes; *out NULL when absent. */
static int opt_string(struct canh_req *r, const char *key, size_t max, int required,
		      const char **out)
{
	const json_t *v = json_object_get(r->json, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		canh_req_error(r, 400, S_FIELD_MISSING, key);
		return -1;
	}
	if (!json_is_string(v) || json_string_length(v) > max ||
	    memchr(json_string_value(v), '\0', json_string_length(v)) ||
	    (required && json_string_length(v) == 0)) {
		if (required)
			canh_req_error(r, 400, S_FIELD_STRING_REQUIRED, key, max);
		else
			canh_req_error(r, 400, S_FIELD_STRING_OPTIONAL, key, max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

void canh_api_enroll(struct canh_req *r)
{
	char secret[65], cred_hash[CANH_SHA256_HEX], token_hash[CANH_SHA256_HEX];
	char unit[CANH_UNIT_CODE_MAX + 1], cred[96];
	struct canh_enrolment en = {0};
	const char *token;
	struct canh_errmsg e;
	int64_t id;
	json_t *o;
	int rc;

	if (opt_string(r, "token", 256, 1, &token) != 0 ||
	    opt_string(r, "hostname", 255, 1, &en.hostname) != 0 ||
	    opt_string(r, "machine_id", 1024, 0, &en.machine_id) != 0 ||
	    opt_string(r, "agent_version", 64, 0, &en.agent_version) != 0)
		return;
	if (canh_sha256_hex(token, strlen(token), token_hash) != 0 ||
	    canh_random_hex(secret, 32) != 0 || canh_sha256_hex(secret, 64, cred_hash) != 0) {
		canh_error("cannot make a credential");
		canh_req_error(r, 500, S_INTERNAL);
		return;
	}
	en.token_hash = token_hash;
	en.cred_hash = cred_hash;
	en.now = canh_now_ms();
	rc = canh_store_enroll(r->srv->store, &en, &id, unit, &e);
	if (rc == CANH_ENOENT || rc == CANH_ECONFLICT || rc == CANH_EEXPIRED) {
		canh_info("enrolment refused from %s: %s", r->peer, e.text);
		if (rc == CANH_ENOENT)
			canh_req_error(r, 401, S_TOKEN_UNKNOWN);
		else if (rc == CANH_ECONFLICT)
			canh_req_error(r, 401, S_TOKEN_USED);
		else
			canh_req_error(r, 401, S_TOKEN_EXPIRED);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	rc = canh_store_agent_seen(r->srv->store, id, r->peer, en.now, &e);
	if (rc != 0)
		canh_error_r(rc, "agent %lld: %s", (long long)id, e.text);
	canh_info("agent %lld enrolled in unit '%s' as host '%s' from %s", (long long)id, unit,
		  en.hostname, r->peer);
	snprintf(cred, sizeof(cred), "A%lld.%s", (long long)id, secret);
	o = json_object();
	json_object_set_new(o, "agent_id", json_integer(id));
	json_object_set_new(o, "credential", json_string(cred));
	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "server_fingerprint", json_string(r->srv->fingerprint));
	canh_req_reply(r, 201, o);
}
