/*
 * Agent batch parser and message validators (docs/protocol.md).
 *
 * Two levels of refusal. The batch as a whole is refused only when it cannot
 * be acknowledged safely: it is not a JSON object, has no messages array, has
 * too many messages, or a message has no valid seq, or the seqs are not
 * strictly increasing. Anything else wrong with a message (type, time, data)
 * rejects only that message, which the server records and acknowledges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/ipaddr.h"
#include "canh/mem.h"
#include "canh/log.h"
#include "canh/proto.h"
#include "canh/time.h"

#define PROTO_MAX_SEQ 9007199254740992ULL /* 2^53 */
#define PROTO_MAX_STR 1024
#define PROTO_MAX_HOSTNAME 255
#define PROTO_MAX_PACKAGES 100000
#define PROTO_MAX_SOFTWARE 256
#define PROTO_MAX_INTERFACES 4096
#define PROTO_MAX_LISTENING 16384
#define PROTO_MAX_ADDRESSES 1024
#define PROTO_MAX_ERRORS 256
#define PROTO_MAX_OS_KEYS 64

const char *canh_msg_type_name(enum canh_msg_type t)
{
	switch (t) {
	case CANH_MSG_INVENTORY:
		return "inventory";
	case CANH_MSG_HEARTBEAT:
		return "heartbeat";
	case CANH_MSG_LOST:
		return "lost";
	case CANH_MSG_FLOWS:
		return "flows";
	case CANH_MSG_HUNT_PROGRESS:
		return "hunt_progress";
	case CANH_MSG_DETECTION:
		return "detection";
	case CANH_MSG_QUARANTINE_EVENT:
		return "quarantine_event";
	case CANH_MSG_LOGS:
		return "logs";
	case CANH_MSG_UNKNOWN:
		break;
	}
	return "unknown";
}

enum canh_msg_type canh_msg_type_parse(const char *s)
{
	if (!s)
		return CANH_MSG_UNKNOWN;
	if (strcmp(s, "inventory") == 0)
		return CANH_MSG_INVENTORY;
	if (strcmp(s, "heartbeat") == 0)
		return CANH_MSG_HEARTBEAT;
	if (strcmp(s, "lost") == 0)
		return CANH_MSG_LOST;
	if (strcmp(s, "flows") == 0)
		return CANH_MSG_FLOWS;
	if (strcmp(s, "hunt_progress") == 0)
		return CANH_MSG_HUNT_PROGRESS;
	if (strcmp(s, "detection") == 0)
		return CANH_MSG_DETECTION;
	if (strcmp(s, "quarantine_event") == 0)
		return CANH_MSG_QUARANTINE_EVENT;
	if (strcmp(s, "logs") == 0)
		return CANH_MSG_LOGS;
	return CANH_MSG_UNKNOWN;
}

/* ---- validation helpers: each fills err with a path and returns CANH_EPARSE ---- */

static int bad(struct canh_errmsg *err, const char *path, const char *what)
{
	return canh_errmsg_set(err, CANH_EPARSE, "%s: %s", path, what);
}

/*
 * A string of at most max bytes, without NUL bytes. With optional, a missing
 * key or null is fine; with nonempty, "" is refused.
 */
static int check_str(const json_t *obj, const char *key, const char *prefix, size_t max,
		     int optional, int nonempty, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	char path[128];
	size_t len;

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!v || json_is_null(v)) {
		if (optional)
			return 0;
		return bad(err, path, "missing");
	}
	if (!json_is_string(v))
		return bad(err, path, "expected a string");
	len = json_string_length(v);
	if (len > max)
		return canh_errmsg_set(err, CANH_EPARSE, "%s: longer than %zu bytes", path, max);
	if (memchr(json_string_value(v), '\0', len))
		return bad(err, path, "contains a NUL byte");
	if (nonempty && len == 0)
		return bad(err, path, "empty");
	return 0;
}

/* An integer in min..max; with optional, a missing key or null is fine. */
static int check_int(const json_t *obj, const char *key, const char *prefix, json_int_t min,
		     json_int_t max, int optional, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	char path[128];
	json_int_t i;

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!v || json_is_null(v)) {
		if (optional)
			return 0;
		return bad(err, path, "missing");
	}
	if (!json_is_integer(v))
		return bad(err, path, "expected an integer");
	i = json_integer_value(v);
	if (i < min || i > max)
		return canh_errmsg_set(err, CANH_EPARSE, "%s: %lld is out of range %lld..%lld",
				       path, (long long)i, (long long)min, (long long)max);
	return 0;
}

static int check_bool(const json_t *obj, const char *key, const char *prefix, int optional,
		      struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	char path[128];

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!v || json_is_null(v))
		return optional ? 0 : bad(err, path, "missing");
	if (!json_is_boolean(v))
		return bad(err, path, "expected true or false");
	return 0;
}

/* An optional array of at most max entries; *arr is NULL when absent. */
static int get_array(const json_t *obj, const char *key, size_t max, const json_t **arr,
		     struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);

	*arr = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(err, key, "expected an array");
	if (json_array_size(v) > max)
		return canh_errmsg_set(err, CANH_EPARSE, "%s: more than %zu entries", key, max);
	*arr = v;
	return 0;
}

static int check_string_array(const json_t *obj, const char *key, const char *prefix, size_t max,
			      struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	char path[128];
	size_t i;
	const json_t *e;

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(err, path, "expected an array");
	if (json_array_size(v) > max)
		return canh_errmsg_set(err, CANH_EPARSE, "%s: more than %zu entries", path, max);
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) > PROTO_MAX_STR ||
		    memchr(json_string_value(e), '\0', json_string_length(e)))
			return canh_errmsg_set(err, CANH_EPARSE,
					       "%s[%zu]: expected a string of at most %d bytes",
					       path, i, PROTO_MAX_STR);
	}
	return 0;
}

/* An object whose every value is a bounded string (os-release, kernel). */
static int check_string_object(const json_t *obj, const char *key, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	const char *k;
	const json_t *e;

	if (!v)
		return bad(err, key, "missing");
	if (!json_is_object(v))
		return bad(err, key, "expected an object");
	if (json_object_size(v) > PROTO_MAX_OS_KEYS)
		return canh_errmsg_set(err, CANH_EPARSE, "%s: more than %d keys", key,
				       PROTO_MAX_OS_KEYS);
	json_object_foreach((json_t *)v, k, e)
	{
		if (strlen(k) > 64)
			return bad(err, key, "key longer than 64 bytes");
		if (json_is_null(e))
			continue;
		if (!json_is_string(e) || json_string_length(e) > PROTO_MAX_STR ||
		    memchr(json_string_value(e), '\0', json_string_length(e)))
			return canh_errmsg_set(err, CANH_EPARSE,
					       "%s.%s: expected a string of at most %d bytes", key,
					       k, PROTO_MAX_STR);
	}
	return 0;
}

static int check_interface(const json_t *e, size_t i, struct canh_errmsg *err)
{
	char prefix[64];
	int rc;

	snprintf(prefix, sizeof(prefix), "interfaces[%zu].", i);
	if (!json_is_object(e))
		return canh_errmsg_set(err, CANH_EPARSE, "interfaces[%zu]: expected an object", i);
	if ((rc = check_str(e, "name", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "mac", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_bool(e, "up", prefix, 1, err)) != 0 ||
	    (rc = check_string_array(e, "addresses", prefix, PROTO_MAX_ADDRESSES, err)) != 0)
		return rc;
	return 0;
}

static int check_package(const json_t *e, size_t i, struct canh_errmsg *err)
{
	char prefix[64];
	int rc;

	snprintf(prefix, sizeof(prefix), "packages[%zu].", i);
	if (!json_is_object(e))
		return canh_errmsg_set(err, CANH_EPARSE, "packages[%zu]: expected an object", i);
	if ((rc = check_str(e, "manager", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "name", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "version", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "arch", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_str(e, "source", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_str(e, "source_version", prefix, PROTO_MAX_STR, 1, 0, err)) != 0)
		return rc;
	return 0;
}

/* An application found by lib/software.c: {name, version, vendor, product, path, source, ...}. */
static int check_software(const json_t *e, size_t i, struct canh_errmsg *err)
{
	static const char *const optional[] = {"vendor", "product", "path",   "source",
					       "patch",	 "build",   "edition"};
	char prefix[64];
	int rc;

	snprintf(prefix, sizeof(prefix), "software[%zu].", i);
	if (!json_is_object(e))
		return canh_errmsg_set(err, CANH_EPARSE, "software[%zu]: expected an object", i);
	if ((rc = check_str(e, "name", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "version", prefix, PROTO_MAX_STR, 0, 1, err)) != 0)
		return rc;
	for (size_t k = 0; k < sizeof(optional) / sizeof(optional[0]); k++)
		if ((rc = check_str(e, optional[k], prefix, PROTO_MAX_STR, 1, 0, err)) != 0)
			return rc;
	return 0;
}

static int check_listening(const json_t *e, size_t i, struct canh_errmsg *err)
{
	char prefix[64];
	int rc;

	snprintf(prefix, sizeof(prefix), "listening[%zu].", i);
	if (!json_is_object(e))
		return canh_errmsg_set(err, CANH_EPARSE, "listening[%zu]: expected an object", i);
	if ((rc = check_str(e, "proto", prefix, PROTO_MAX_STR, 0, 1, err)) != 0 ||
	    (rc = check_str(e, "addr", prefix, PROTO_MAX_STR, 0, 0, err)) != 0 ||
	    (rc = check_int(e, "port", prefix, 0, 65535, 0, err)) != 0 ||
	    (rc = check_int(e, "pid", prefix, 0, INT32_MAX, 1, err)) != 0 ||
	    (rc = check_str(e, "process", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_str(e, "exe", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_int(e, "user", prefix, -1, UINT32_MAX, 1, err)) != 0)
		return rc;
	return 0;
}

int canh_proto_validate_inventory(const json_t *data, struct canh_errmsg *err)
{
	const json_t *arr, *e;
	size_t i;
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_bool(data, "full", "", 1, err)) != 0 ||
	    (rc = check_str(data, "hostname", "", PROTO_MAX_HOSTNAME, 0, 1, err)) != 0 ||
	    (rc = check_str(data, "machine_id", "", PROTO_MAX_STR, 0, 0, err)) != 0 ||
	    (rc = check_string_object(data, "os", err)) != 0 ||
	    (rc = check_string_object(data, "kernel", err)) != 0 ||
	    (rc = check_str(data, "arch", "", PROTO_MAX_STR, 0, 0, err)) != 0 ||
	    (rc = check_string_array(data, "errors", "", PROTO_MAX_ERRORS, err)) != 0)
		return rc;

	if ((rc = get_array(data, "interfaces", PROTO_MAX_INTERFACES, &arr, err)) != 0)
		return rc;
	if (arr) {
		json_array_foreach(arr, i, e)
		{
			if ((rc = check_interface(e, i, err)) != 0)
				return rc;
		}
	}

	if ((rc = get_array(data, "packages", PROTO_MAX_PACKAGES, &arr, err)) != 0)
		return rc;
	if (arr) {
		json_array_foreach(arr, i, e)
		{
			if ((rc = check_package(e, i, err)) != 0)
				return rc;
		}
	}

	if ((rc = get_array(data, "software", PROTO_MAX_SOFTWARE, &arr, err)) != 0)
		return rc;
	if (arr) {
		json_array_foreach(arr, i, e)
		{
			if ((rc = check_software(e, i, err)) != 0)
				return rc;
		}
	}

	if ((rc = get_array(data, "listening", PROTO_MAX_LISTENING, &arr, err)) != 0)
		return rc;
	if (arr) {
		json_array_foreach(arr, i, e)
		{
			if ((rc = check_listening(e, i, err)) != 0)
				return rc;
		}
	}
	return 0;
}

int canh_proto_validate_heartbeat(const json_t *data, struct canh_errmsg *err)
{
	const json_t *spool;
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_str(data, "agent_version", "", 64, 1, 0, err)) != 0 ||
	    (rc = check_int(data, "uptime_s", "", 0, INT64_MAX, 1, err)) != 0)
		return rc;
	spool = json_object_get(data, "spool");
	if (spool && !json_is_null(spool)) {
		if (!json_is_object(spool))
			return bad(err, "spool", "expected an object");
		if ((rc = check_int(spool, "pending", "spool.", 0, INT64_MAX, 1, err)) != 0 ||
		    (rc = check_int(spool, "pending_bytes", "spool.", 0, INT64_MAX, 1, err)) != 0 ||
		    (rc = check_int(spool, "refused", "spool.", 0, INT64_MAX, 1, err)) != 0 ||
		    (rc = check_int(spool, "acked", "spool.", 0, INT64_MAX, 1, err)) != 0)
			return rc;
	}
	return 0;
}

/* An RFC 3339 time (required). */
static int check_time(const json_t *obj, const char *key, const char *prefix,
		      struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	char path[128];
	int64_t t;

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!json_is_string(v) || json_string_length(v) > 64 ||
	    canh_time_parse(json_string_value(v), &t) != 0)
		return bad(err, path, "expected an RFC 3339 time");
	return 0;
}

/* An IP address in its text form (required). */
static int check_ip(const json_t *obj, const char *key, const char *prefix, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	struct canh_ipaddr a;
	char path[128];

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	if (!json_is_string(v) || json_string_length(v) >= CANH_IPADDR_STRLEN ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    canh_ip_parse(json_string_value(v), &a) != 0)
		return bad(err, path, "expected an IP address");
	return 0;
}

static int check_flow(const json_t *e, size_t i, struct canh_errmsg *err)
{
	const char *proto, *dir;
	char prefix[48];
	int rc;

	snprintf(prefix, sizeof(prefix), "flows[%zu].", i);
	if (!json_is_object(e))
		return canh_errmsg_set(err, CANH_EPARSE, "flows[%zu]: expected an object", i);
	if ((rc = check_str(e, "proto", prefix, 8, 0, 1, err)) != 0 ||
	    (rc = check_ip(e, "local", prefix, err)) != 0 ||
	    (rc = check_int(e, "local_port", prefix, 0, 65535, 0, err)) != 0 ||
	    (rc = check_ip(e, "remote", prefix, err)) != 0 ||
	    (rc = check_int(e, "remote_port", prefix, 0, 65535, 0, err)) != 0 ||
	    (rc = check_str(e, "direction", prefix, 8, 0, 1, err)) != 0 ||
	    (rc = check_int(e, "pid", prefix, 0, INT32_MAX, 1, err)) != 0 ||
	    (rc = check_int(e, "uid", prefix, 0, UINT32_MAX, 1, err)) != 0 ||
	    (rc = check_str(e, "process", prefix, 64, 1, 0, err)) != 0 ||
	    (rc = check_str(e, "exe", prefix, PROTO_MAX_STR, 1, 0, err)) != 0 ||
	    (rc = check_str(e, "package", prefix, 256, 1, 0, err)) != 0 ||
	    (rc = check_bool(e, "owned", prefix, 1, err)) != 0 ||
	    (rc = check_time(e, "first_seen", prefix, err)) != 0 ||
	    (rc = check_time(e, "last_seen", prefix, err)) != 0 ||
	    (rc = check_int(e, "count", prefix, 1, INT64_MAX, 0, err)) != 0)
		return rc;
	proto = json_string_value(json_object_get(e, "proto"));
	dir = json_string_value(json_object_get(e, "direction"));
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return canh_errmsg_set(err, CANH_EPARSE, "%sproto: expected tcp or udp", prefix);
	if (strcmp(dir, "out") != 0 && strcmp(dir, "in") != 0)
		return canh_errmsg_set(err, CANH_EPARSE, "%sdirection: expected out or in", prefix);
	return 0;
}

int canh_proto_validate_flows(const json_t *data, struct canh_errmsg *err)
{
	const json_t *arr, *e;
	size_t i;
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_time(data, "since", "", err)) != 0 ||
	    (rc = check_time(data, "until", "", err)) != 0 ||
	    (rc = check_int(data, "dropped", "", 0, INT64_MAX, 1, err)) != 0 ||
	    (rc = get_array(data, "flows", CANH_PROTO_MAX_FLOWS, &arr, err)) != 0)
		return rc;
	if (!arr)
		return bad(err, "flows", "missing");
	json_array_foreach(arr, i, e)
	{
		if ((rc = check_flow(e, i, err)) != 0)
			return rc;
	}
	return 0;
}

/* ---- anti-malware messages (docs/protocol.md) ---- */

/* A lower-case hex digest of exactly len digits, optional. */
static int check_hex(const json_t *obj, const char *key, size_t len, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(obj, key);
	const char *p;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) != len)
		return bad(err, key, "expected a hex digest of the right length");
	p = json_string_value(v);
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return bad(err, key, "expected lower-case hex digits");
	return 0;
}

/* o[key] is one of the strings of set (NULL-terminated); required. */
static int check_enum(const json_t *obj, const char *key, const char *const *set,
		      struct canh_errmsg *err)
{
	const char *v = json_string_value(json_object_get(obj, key));

	for (size_t i = 0; v && set[i]; i++)
		if (strcmp(v, set[i]) == 0)
			return 0;
	return bad(err, key, "missing or not one of the allowed values");
}

int canh_proto_validate_hunt_progress(const json_t *data, struct canh_errmsg *err)
{
	static const char *const states[] = {"running", "done", "failed", NULL};
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_int(data, "hunt", "", 1, INT64_MAX, 0, err)) != 0 ||
	    (rc = check_int(data, "run", "", 1, INT64_MAX, 0, err)) != 0 ||
	    (rc = check_enum(data, "state", states, err)) != 0 ||
	    (rc = check_int(data, "files", "", 0, INT64_MAX, 0, err)) != 0 ||
	    (rc = check_int(data, "bytes", "", 0, INT64_MAX, 0, err)) != 0 ||
	    (rc = check_int(data, "detections", "", 0, INT64_MAX, 0, err)) != 0 ||
	    (rc = check_str(data, "error", "", PROTO_MAX_STR, 1, 0, err)) != 0)
		return rc;
	return 0;
}

int canh_proto_validate_detection(const json_t *data, struct canh_errmsg *err)
{
	static const char *const actions[] = {"none", "quarantined", "failed", NULL};
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_int(data, "hunt", "", 1, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_int(data, "run", "", 1, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_str(data, "path", "", 4096, 0, 1, err)) != 0 ||
	    (rc = check_int(data, "size", "", 0, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_hex(data, "md5", 32, err)) != 0 ||
	    (rc = check_hex(data, "sha1", 40, err)) != 0 ||
	    (rc = check_hex(data, "sha256", 64, err)) != 0 ||
	    (rc = check_str(data, "rule", "", 256, 1, 0, err)) != 0 ||
	    (rc = check_str(data, "ioc", "", 256, 1, 0, err)) != 0 ||
	    (rc = check_str(data, "rules", "", 64, 1, 0, err)) != 0 ||
	    (rc = check_int(data, "rules_version", "", 0, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_enum(data, "action", actions, err)) != 0 ||
	    (rc = check_hex(data, "quarantine_id", 32, err)) != 0 ||
	    (rc = check_str(data, "error", "", PROTO_MAX_STR, 1, 0, err)) != 0)
		return rc;
	if (!json_is_string(json_object_get(data, "rule")) &&
	    !json_is_string(json_object_get(data, "ioc")))
		return bad(err, "rule", "a detection names a rule or an IOC");
	return 0;
}

int canh_proto_validate_quarantine_event(const json_t *data, struct canh_errmsg *err)
{
	static const char *const events[] = {"quarantined", "restored", "restore_failed", NULL};
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	if ((rc = check_enum(data, "event", events, err)) != 0 ||
	    (rc = check_hex(data, "id", 32, err)) != 0 ||
	    (rc = check_int(data, "hunt", "", 1, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_str(data, "path", "", 4096, 1, 0, err)) != 0 ||
	    (rc = check_int(data, "size", "", 0, INT64_MAX, 1, err)) != 0 ||
	    (rc = check_int(data, "mode", "", 0, 07777, 1, err)) != 0 ||
	    (rc = check_hex(data, "md5", 32, err)) != 0 ||
	    (rc = check_hex(data, "sha1", 40, err)) != 0 ||
	    (rc = check_hex(data, "sha256", 64, err)) != 0 ||
	    (rc = check_str(data, "rule", "", 256, 1, 0, err)) != 0 ||
	    (rc = check_str(data, "error", "", PROTO_MAX_STR, 1, 0, err)) != 0)
		return rc;
	if (!json_is_string(json_object_get(data, "id")))
		return bad(err, "id", "missing");
	if (strcmp(json_string_value(json_object_get(data, "event")), "quarantined") == 0) {
		if (!json_is_string(json_object_get(data, "path")))
			return bad(err, "path", "missing");
		const json_t *t = json_object_get(data, "quarantined_at");
		if (t && !json_is_null(t) &&
		    (rc = check_time(data, "quarantined_at", "", err)) != 0)
			return rc;
	}
	return 0;
}

/* Judge one message whose seq is already known good; sets m->error on rejection. */
static void judge_message(const json_t *jm, struct canh_proto_msg *m)
{
	const json_t *type = json_object_get(jm, "type");
	const json_t *time = json_object_get(jm, "time");
	const json_t *data = json_object_get(jm, "data");
	struct canh_errmsg e;
	int rc;

	m->data = NULL;
	m->error[0] = '\0';
	if (!type || !json_is_string(type)) {
		snprintf(m->error, sizeof(m->error), "missing or non-string 'type'");
		return;
	}
	if (json_string_length(type) > CANH_PROTO_MAX_TYPE ||
	    memchr(json_string_value(type), '\0', json_string_length(type))) {
		snprintf(m->error, sizeof(m->error), "'type' is longer than %d bytes",
			 CANH_PROTO_MAX_TYPE);
		return;
	}
	canh_strlcpy(m->type_name, json_string_value(type), sizeof(m->type_name));
	m->type = canh_msg_type_parse(m->type_name);
	if (m->type == CANH_MSG_UNKNOWN) {
		char esc[CANH_PROTO_MAX_TYPE * 4 + 1];
		size_t j = 0;
		/* The type is echoed into logs and the rejects table: keep it printable. */
		for (const char *s = m->type_name; *s && j + 4 < sizeof(esc); s++) {
			unsigned char c = (unsigned char)*s;
			if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
				esc[j++] = (char)c;
			else
				j += (size_t)snprintf(esc + j, sizeof(esc) - j, "\\x%02x", c);
		}
		esc[j] = '\0';
		snprintf(m->error, sizeof(m->error), "unknown type '%s'", esc);
		return;
	}
	if (!time || !json_is_string(time)) {
		snprintf(m->error, sizeof(m->error), "missing or non-string 'time'");
		return;
	}
	if (json_string_length(time) > 64 ||
	    canh_time_parse(json_string_value(time), &m->time_ms) != 0) {
		snprintf(m->error, sizeof(m->error), "'time' is not an RFC 3339 time");
		return;
	}
	if (!data) {
		snprintf(m->error, sizeof(m->error), "missing 'data'");
		return;
	}
	if (m->type == CANH_MSG_LOST) {
		json_t *reason = json_is_object(data) ? json_object_get(data, "reason") : NULL;
		char esc[CANH_PROTO_MAX_LOST_REASON + 1];
		if (!json_is_string(reason) ||
		    json_string_length(reason) > CANH_PROTO_MAX_LOST_REASON) {
			snprintf(m->error, sizeof(m->error),
				 "lost by the agent (no valid 'reason' given)");
			return;
		}
		canh_log_escape(esc, sizeof(esc), json_string_value(reason),
				json_string_length(reason));
		snprintf(m->error, sizeof(m->error), "lost by the agent: %s", esc);
		return;
	}
	if (m->type == CANH_MSG_INVENTORY)
		rc = canh_proto_validate_inventory(data, &e);
	else if (m->type == CANH_MSG_FLOWS)
		rc = canh_proto_validate_flows(data, &e);
	else if (m->type == CANH_MSG_HUNT_PROGRESS)
		rc = canh_proto_validate_hunt_progress(data, &e);
	else if (m->type == CANH_MSG_DETECTION)
		rc = canh_proto_validate_detection(data, &e);
	else if (m->type == CANH_MSG_QUARANTINE_EVENT)
		rc = canh_proto_validate_quarantine_event(data, &e);
	else if (m->type == CANH_MSG_LOGS)
		rc = canh_proto_validate_logs(data, &e);
	else
		rc = canh_proto_validate_heartbeat(data, &e);
	if (rc != 0) {
		canh_strlcpy(m->error, e.text, sizeof(m->error));
		return;
	}
	m->data = (json_t *)data;
}

int canh_proto_batch_parse(const char *body, size_t len, struct canh_proto_batch *out,
			   struct canh_errmsg *err)
{
	json_error_t jerr;
	json_t *root = NULL, *msgs, *ver;
	struct canh_proto_msg *arr = NULL;
	uint64_t prev = 0;
	size_t n, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!body && len) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "no body");
		goto out;
	}
	/* NUL inside a string is judged per message (a poison message must not
	   refuse the whole batch), so the parser lets it through. */
	root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		rc = canh_errmsg_set(err, CANH_EPARSE,
				     "batch is not valid JSON: %s at line %d column %d", jerr.text,
				     jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "batch is not a JSON object");
		goto out;
	}
	ver = json_object_get(root, "version");
	if (!ver) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "batch has no 'version'");
		goto out;
	}
	if (!json_is_integer(ver) || json_integer_value(ver) != CANH_PROTO_VERSION) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "unsupported batch 'version' (expected %d)",
				     CANH_PROTO_VERSION);
		goto out;
	}
	msgs = json_object_get(root, "messages");
	if (!msgs || !json_is_array(msgs)) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "batch has no 'messages' array");
		goto out;
	}
	n = json_array_size(msgs);
	if (n > CANH_PROTO_MAX_MESSAGES) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "batch has %zu messages, more than %d", n,
				     CANH_PROTO_MAX_MESSAGES);
		goto out;
	}
	if (n)
		arr = canh_xcalloc(n, sizeof(*arr));
	for (i = 0; i < n; i++) {
		json_t *jm = json_array_get(msgs, i);
		json_t *jseq;
		json_int_t seq;

		if (!json_is_object(jm)) {
			rc = canh_errmsg_set(err, CANH_EPARSE, "messages[%zu]: not an object", i);
			goto out;
		}
		jseq = json_object_get(jm, "seq");
		if (!jseq || !json_is_integer(jseq)) {
			rc = canh_errmsg_set(err, CANH_EPARSE,
					     "messages[%zu]: missing integer 'seq'", i);
			goto out;
		}
		seq = json_integer_value(jseq);
		if (seq < 1 || (uint64_t)seq > PROTO_MAX_SEQ) {
			rc = canh_errmsg_set(err, CANH_EPARSE,
					     "messages[%zu]: 'seq' %lld is out of range 1..2^53", i,
					     (long long)seq);
			goto out;
		}
		if ((uint64_t)seq <= prev) {
			rc = canh_errmsg_set(
			    err, CANH_EPARSE,
			    "messages[%zu]: 'seq' %lld does not follow %llu (sequences "
			    "must be strictly increasing)",
			    i, (long long)seq, (unsigned long long)prev);
			goto out;
		}
		prev = (uint64_t)seq;
		arr[i].seq = (uint64_t)seq;
		judge_message(jm, &arr[i]);
	}
	out->root = root;
	out->version = CANH_PROTO_VERSION;
	out->n = n;
	out->msgs = arr;
	root = NULL;
	arr = NULL;
	rc = 0;
out:
	free(arr);
	json_decref(root);
	return rc;
}

void canh_proto_batch_release(struct canh_proto_batch *b)
{
	if (!b)
		return;
	free(b->msgs);
	json_decref(b->root);
	memset(b, 0, sizeof(*b));
}
