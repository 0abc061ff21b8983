/*
 * The anti-malware endpoints (docs/malware.md): /rules, /hunts, /detections, /quarantine,
 * and the agents' /agent/tasks and /agent/rules/NAME/VERSION (docs/protocol.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "http.h"
#include "hunt.h"
#include "store_hunt.h"

#define ADMIN_ACTOR "admin"
#define ECHO_MAX 80
#define MAX_PATHS 64
#define MAX_PATH_LEN 4096
#define MAX_HOSTS 100000
#define EVERY_MIN_MS (60LL * 1000)
#define EVERY_MAX_MS (90LL * 86400 * 1000)

/* Where a hunt looks when it names no paths: home directories, web roots, temporary
   directories and system binaries (docs/malware.md). */
static const char *const default_paths[] = {
    "/home",	 "/root",	   "/var/www",	      "/srv",
    "/tmp",	 "/var/tmp",	   "/dev/shm",	      "/usr/bin",
    "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin",
    "/sbin",	 "/opt",	   "/var/spool/cron", "/etc/cron.d",
};

/* A positive decimal id, or 0. */
static int64_t parse_id(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return 0;
	return v;
}

/* ---- rule sets ---- */

void canh_api_rules_upload(struct canh_req *r)
{
	const char *name = canh_req_query(r, "name");
	const char *kind = canh_req_query(r, "kind");
	const char *filename = canh_req_query(r, "filename");
	struct canh_hunt_check c;
	struct canh_hunt_ruleset rs;
	struct canh_errmsg e;
	char fname[CANH_HUNT_NAME_MAX + 8];
	int64_t version = 0;
	int unchanged = 0, rc;

	if (!name || !name[0]) {
		canh_req_error(r, 400, S_HUNT_NAME_MISSING);
		return;
	}
	if (!canh_hunt_name_valid(name)) {
		canh_req_error(r, 400, S_HUNT_NAME_INVALID, (int)strnlen(name, ECHO_MAX), name);
		return;
	}
	if (!kind || !kind[0])
		kind = "yara";
	if (strcmp(kind, "yara") != 0 && strcmp(kind, "hashes") != 0) {
		canh_req_error(r, 400, S_HUNT_KIND_INVALID);
		return;
	}
	if (!filename || !filename[0] || strlen(filename) > 255 || strchr(filename, '\n')) {
		snprintf(fname, sizeof(fname), "%s.%s", name, kind[0] == 'y' ? "yar" : "txt");
		filename = fname;
	}
	if (r->body.len == 0) {
		canh_req_error(r, 400, S_HUNT_EMPTY);
		return;
	}
	rc = canh_hunt_check(kind, filename, r->body.data, r->body.len, r->srv->state_dir, &c, &e);
	if (rc == CANH_EINVAL) {
		canh_req_error(r, 400, S_HUNT_NOT_TEXT, c.bad_utf8);
		goto out;
	}
	if (rc == CANH_EPARSE && kind[0] == 'y') {
		char text[1024];
		canh_msg_format(r->lang, text, sizeof(text), S_HUNT_COMPILE, c.nerrors, c.first);
		json_t *o = json_pack("{s:s,s:s,s:O}", "error", text, "code", "bad_request",
				      "errors", c.errors);
		canh_info("rules '%s' refused: %s", name, c.first);
		canh_req_reply(r, 400, o);
		goto out;
	}
	if (rc == CANH_EPARSE) {
		canh_req_error(r, 400, S_HUNT_NO_HASHES, c.first);
		goto out;
	}
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 400, S_HUNT_NO_RULES);
		goto out;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	memset(&rs, 0, sizeof(rs));
	rs.name = name;
	rs.kind = kind;
	rs.source = r->body.data;
	rs.len = r->body.len;
	rs.sha256 = c.sha256;
	rs.compiled_size = c.compiled_size;
	rs.rules = c.count;
	rs.rules_version = c.version;
	rs.now = canh_now_ms();
	rs.actor = ADMIN_ACTOR;
	rc = canh_store_hunt_ruleset_add(r->srv->store, &rs, &version, &unchanged, &e);
	if (rc == CANH_ECONFLICT) {
		canh_req_error(r, 409, S_HUNT_KIND_CONFLICT, name);
		goto out;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	json_t *meta = NULL;
	rc = canh_store_hunt_ruleset_get(r->srv->store, name, version, &meta, NULL, NULL, &e);
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	json_object_set_new(meta, "unchanged", json_boolean(unchanged));
	canh_info("rules '%s' version %" PRId64 " %s (%s, %" PRId64 " %s)", name, version,
		  unchanged ? "unchanged" : "stored", kind, c.count,
		  kind[0] == 'y' ? "rules" : "hashes");
	canh_req_reply(r, unchanged ? 200 : 201, meta);
out:
	canh_hunt_check_release(&c);
}

void canh_api_rules_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr;
	int rc = canh_store_hunt_ruleset_list(r->srv->store, &arr, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, json_pack("{s:o}", "rules", arr));
}

void canh_api_rules_show(struct canh_req *r)
{
	const char *v = canh_req_query(r, "version");
	int64_t version = 0;
	struct canh_errmsg e;
	json_t *o;
	char *src = NULL;
	size_t len = 0;
	int rc;

	if (v && v[0] && (version = parse_id(v)) == 0) {
		canh_req_error(r, 400, S_HUNT_BAD_QUERY, "version", (int)strnlen(v, ECHO_MAX), v);
		return;
	}
	if (!canh_hunt_name_valid(r->arg)) {
		canh_req_error(r, 404, S_HUNT_RULES_NOT_FOUND, r->arg);
		return;
	}
	rc = canh_store_hunt_ruleset_get(r->srv->store, r->arg, version, &o,
					 canh_req_query(r, "source") ? &src : NULL, &len, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HUNT_RULES_NOT_FOUND, r->arg);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	if (src)
		json_object_set_new(o, "source", json_stringn(src, len));
	free(src);
	canh_req_reply(r, 200, o);
}

/* GET /agent/rules/NAME/VERSION: the source an agent compiles (it checks the SHA-256). */
void canh_api_agent_rules(struct canh_req *r)
{
	char name[CANH_HUNT_NAME_MAX + 1];
	const char *slash = strchr(r->arg, '/');
	struct canh_errmsg e;
	int64_t version;
	json_t *o;
	char *src = NULL;
	size_t len = 0, n;
	int rc;

	n = slash ? (size_t)(slash - r->arg) : 0;
	version = slash ? parse_id(slash + 1) : 0;
	if (!slash || n == 0 || n > CANH_HUNT_NAME_MAX || version == 0) {
		canh_req_error(r, 404, S_HUNT_VERSION_INVALID, (int)strnlen(r->arg, ECHO_MAX),
			       r->arg);
		return;
	}
	memcpy(name, r->arg, n);
	name[n] = '\0';
	if (!canh_hunt_name_valid(name)) {
		canh_req_error(r, 404, S_HUNT_RULES_NOT_FOUND, name);
		return;
	}
	rc = canh_store_hunt_ruleset_get(r->srv->store, name, version, &o, &src, &len, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HUNT_RULES_NOT_FOUND, name);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	json_object_set_new(o, "source", json_stringn(src, len));
	free(src);
	canh_req_reply(r, 200, o);
}

/* ---- hunts ---- */

static int bad_field(struct canh_req *r, const char *field, const char *expected)
{
	canh_req_error(r, 400, S_HUNT_BAD_FIELD, field, expected);
	return -1;
}

void canh_api_hunts_create(struct canh_req *r)
{
	const json_t *j = r->json, *v;
	struct canh_hunt_spec h;
	enum canh_hunt_missing missing;
	int64_t *hosts = NULL, id = 0, bad_host = 0;
	char feed_list[CANH_HUNT_NAME_MAX + 1];
	json_t *paths = NULL, *o = NULL;
	struct canh_errmsg e;
	int rc;

	memset(&h, 0, sizeof(h));
	v = json_object_get(j, "rules");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || !canh_hunt_name_valid(json_string_value(v))) {
			bad_field(r, "rules", "a rule set name");
			goto out;
		}
		h.rules = json_string_value(v);
	}
	v = json_object_get(j, "hashes");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || !canh_hunt_name_valid(json_string_value(v))) {
			bad_field(r, "hashes", "a hash list name");
			goto out;
		}
		h.hashes = json_string_value(v);
	}
	v = json_object_get(j, "hashes_feed");
	if (v && !json_is_null(v)) {
		const char *feed = json_string_value(v);
		int64_t n = 0;
		if (h.hashes || !feed || !canh_hunt_name_valid(feed) ||
		    strlen(feed) + strlen(CANH_HUNT_FEED_PREFIX) > CANH_HUNT_NAME_MAX) {
			bad_field(r, "hashes_feed", "an intel feed name (instead of \"hashes\")");
			goto out;
		}
		rc = canh_store_hunt_hashes_from_feed(r->srv->store, feed, canh_now_ms(),
						      ADMIN_ACTOR, feed_list, sizeof(feed_list), &n,
						      &e);
		if (rc == CANH_ENOENT) {
			canh_req_error(r, 404, S_HUNT_FEED_NOT_FOUND, feed);
			goto out;
		}
		if (rc == CANH_EPARSE) {
			canh_req_error(r, 400, S_HUNT_FEED_NO_HASHES, feed);
			goto out;
		}
		if (rc != 0) {
			canh_req_store_error(r, rc, &e);
			goto out;
		}
		h.hashes = feed_list;
	}
	if (!h.rules && !h.hashes) {
		canh_req_error(r, 400, S_HUNT_NEEDS_RULES);
		goto out;
	}
	h.target = CANH_HUNT_ALL;
	v = json_object_get(j, "target");
	if (v && !json_is_null(v) &&
	    !(json_is_string(v) && strcmp(json_string_value(v), "all") == 0)) {
		bad_field(r, "target", "\"all\" (or use \"unit\" or \"hosts\")");
		goto out;
	}
	v = json_object_get(j, "unit");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_length(v) == 0) {
			bad_field(r, "unit", "a unit code");
			goto out;
		}
		h.target = CANH_HUNT_UNIT;
		h.unit = json_string_value(v);
	}
	v = json_object_get(j, "hosts");
	if (v && !json_is_null(v)) {
		size_t i;
		const json_t *e2;
		if (h.target != CANH_HUNT_ALL || !json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > MAX_HOSTS) {
			bad_field(r, "hosts", "a non-empty array of host ids (not with \"unit\")");
			goto out;
		}
		hosts = canh_xcalloc(json_array_size(v), sizeof(*hosts));
		json_array_foreach(v, i, e2)
		{
			if (!json_is_integer(e2) || json_integer_value(e2) <= 0) {
				bad_field(r, "hosts", "host ids (positive integers)");
				goto out;
			}
			hosts[i] = json_integer_value(e2);
		}
		h.target = CANH_HUNT_HOSTS;
		h.hosts = hosts;
		h.nhosts = json_array_size(v);
	}
	v = json_object_get(j, "paths");
	paths = json_array();
	if (v && !json_is_null(v)) {
		size_t i;
		const json_t *p;
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > MAX_PATHS) {
			bad_field(r, "paths", "an array of 1..64 absolute paths");
			goto out;
		}
		json_array_foreach(v, i, p)
		{
			const char *s = json_string_value(p);
			if (!s || s[0] != '/' || json_string_length(p) > MAX_PATH_LEN ||
			    strlen(s) != json_string_length(p)) {
				canh_req_error(r, 400, S_HUNT_BAD_PATH, i);
				goto out;
			}
			json_array_append_new(paths, json_string(s));
		}
	} else {
		for (size_t i = 0; i < sizeof(default_paths) / sizeof(default_paths[0]); i++)
			json_array_append_new(paths, json_string(default_paths[i]));
	}
	v = json_object_get(j, "quarantine");
	if (v && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			bad_field(r, "quarantine", "true or false");
			goto out;
		}
		h.quarantine = json_is_true(v);
	}
	v = json_object_get(j, "every");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) ||
		    canh_parse_duration_ms(json_string_value(v), &h.every_ms) != 0 ||
		    h.every_ms < EVERY_MIN_MS || h.every_ms > EVERY_MAX_MS) {
			bad_field(r, "every", "a duration of 1m..90d such as 6h or 7d");
			goto out;
		}
	}
	h.paths = paths;
	h.now = canh_now_ms();
	h.actor = ADMIN_ACTOR;
	rc = canh_store_hunt_create(r->srv->store, &h, &id, &missing, &bad_host, &e);
	if (rc == CANH_ENOENT) {
		switch (missing) {
		case CANH_HUNT_MISSING_RULES:
			canh_req_error(r, 404, S_HUNT_RULES_NOT_FOUND, h.rules);
			break;
		case CANH_HUNT_MISSING_HASHES:
			canh_req_error(r, 404, S_HUNT_HASHES_NOT_FOUND, h.hashes);
			break;
		case CANH_HUNT_MISSING_UNIT:
			canh_req_error(r, 404, S_UNIT_NOT_FOUND, h.unit);
			break;
		default:
			canh_req_error(r, 404, S_HUNT_HOST_NOT_FOUND, (long long)bad_host);
			break;
		}
		goto out;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	if ((rc = canh_store_hunt_get(r->srv->store, id, &o, &e)) != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	canh_info("hunt %" PRId64 " created (%s%s%s), %" JSON_INTEGER_FORMAT " host(s)", id,
		  h.rules ? h.rules : "", h.rules && h.hashes ? " + " : "",
		  h.hashes ? h.hashes : "", json_integer_value(json_object_get(o, "hosts_total")));
	canh_req_reply(r, 201, o);
out:
	free(hosts);
	json_decref(paths);
}

void canh_api_hunts_list(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *arr;
	int rc;

	/* A scheduled hunt that is due shows as queued again, even before an agent asks. */
	if ((rc = canh_store_hunt_requeue_due(r->srv->store, canh_now_ms(), NULL, &e)) != 0 ||
	    (rc = canh_store_hunt_list(r->srv->store, &arr, &e)) != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, json_pack("{s:o}", "hunts", arr));
}

void canh_api_hunts_show(struct canh_req *r)
{
	int64_t id = parse_id(r->arg);
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (id == 0) {
		canh_req_error(r, 404, S_HUNT_NOT_FOUND, (int)strnlen(r->arg, ECHO_MAX), r->arg);
		return;
	}
	if ((rc = canh_store_hunt_requeue_due(r->srv->store, canh_now_ms(), NULL, &e)) == 0)
		rc = canh_store_hunt_get(r->srv->store, id, &o, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HUNT_NOT_FOUND, (int)strnlen(r->arg, ECHO_MAX), r->arg);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

void canh_api_agent_tasks(struct canh_req *r)
{
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if ((rc = canh_store_hunt_requeue_due(r->srv->store, canh_now_ms(), NULL, &e)) == 0)
		rc = canh_store_hunt_agent_tasks(r->srv->store, r->agent_id, &o, &e);
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, o);
}

/* ---- detections and quarantine ---- */

void canh_api_detections_list(struct canh_req *r)
{
	const char *unit = canh_req_query(r, "unit");
	const char *hunt = canh_req_query(r, "hunt");
	const char *since = canh_req_query(r, "since");
	const char *limit = canh_req_query(r, "limit");
	int64_t hid = 0, since_ms = 0, lim = 0, d;
	struct canh_errmsg e;
	json_t *arr;
	int rc;

	if (unit && !unit[0])
		unit = NULL;
	if (hunt && hunt[0] && (hid = parse_id(hunt)) == 0) {
		canh_req_error(r, 400, S_HUNT_BAD_QUERY, "hunt", (int)strnlen(hunt, ECHO_MAX),
			       hunt);
		return;
	}
	if (since && since[0] && canh_time_parse(since, &since_ms) != 0) {
		if (canh_parse_duration_ms(since, &d) != 0 || d < 0) {
			canh_req_error(r, 400, S_HUNT_BAD_QUERY, "since",
				       (int)strnlen(since, ECHO_MAX), since);
			return;
		}
		since_ms = canh_now_ms() - d;
	}
	if (limit && limit[0] && (lim = parse_id(limit)) == 0) {
		canh_req_error(r, 400, S_HUNT_BAD_QUERY, "limit", (int)strnlen(limit, ECHO_MAX),
			       limit);
		return;
	}
	rc = canh_store_hunt_detections(r->srv->store, unit, hid, since_ms, lim, &arr, &e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_UNIT_NOT_FOUND, unit);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, json_pack("{s:o}", "detections", arr));
}

void canh_api_quarantine_list(struct canh_req *r)
{
	const char *host = canh_req_query(r, "host");
	int64_t hid = 0;
	struct canh_errmsg e;
	json_t *arr;
	int rc;

	if (host && host[0] && (hid = parse_id(host)) == 0) {
		canh_req_error(r, 400, S_HUNT_BAD_QUERY, "host", (int)strnlen(host, ECHO_MAX),
			       host);
		return;
	}
	rc = canh_store_hunt_quarantine_list(r->srv->store, hid, &arr, &e);
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 200, json_pack("{s:o}", "quarantine", arr));
}

void canh_api_quarantine_restore(struct canh_req *r)
{
	int64_t id = parse_id(r->arg);
	struct canh_errmsg e;
	json_t *o;
	int rc;

	if (id == 0) {
		canh_req_error(r, 404, S_HUNT_QUARANTINE_NOT_FOUND, (int)strnlen(r->arg, ECHO_MAX),
			       r->arg);
		return;
	}
	rc = canh_store_hunt_quarantine_restore(r->srv->store, id, canh_now_ms(), ADMIN_ACTOR, &o,
						&e);
	if (rc == CANH_ENOENT) {
		canh_req_error(r, 404, S_HUNT_QUARANTINE_NOT_FOUND, (int)strnlen(r->arg, ECHO_MAX),
			       r->arg);
		return;
	}
	if (rc == CANH_ECONFLICT) {
		canh_req_error(r, 409, S_HUNT_ALREADY_RESTORED, (long long)id);
		return;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	canh_req_reply(r, 202, o);
}
