/*
 * Validation of "logs" messages (docs/protocol.md, docs/logs.md).
 */
#include <stdio.h>
#include <string.h>

#include "canh/proto.h"
#include "canh/time.h"

#define PATH_MAX_BYTES 1024
#define UNIT_MAX_BYTES 256

static int str_field(const json_t *o, const char *key, const char *prefix, size_t max, int required,
		     const char **out, struct canh_errmsg *err)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return canh_errmsg_set(err, CANH_EPARSE, "%s%s: missing", prefix, key);
		return 0;
	}
	if (!json_is_string(v))
		return canh_errmsg_set(err, CANH_EPARSE, "%s%s: expected a string", prefix, key);
	if (json_string_length(v) > max)
		return canh_errmsg_set(err, CANH_EPARSE, "%s%s: longer than %zu bytes", prefix, key,
				       max);
	if (memchr(json_string_value(v), '\0', json_string_length(v)))
		return canh_errmsg_set(err, CANH_EPARSE, "%s%s: contains a NUL byte", prefix, key);
	*out = json_string_value(v);
	return 0;
}

static int count_field(const json_t *o, const char *key, const char *prefix, int required,
		       struct canh_errmsg *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return required ? canh_errmsg_set(err, CANH_EPARSE, "%s%s: missing", prefix, key)
				: 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return canh_errmsg_set(err, CANH_EPARSE, "%s%s: expected an integer >= 0", prefix,
				       key);
	return 0;
}

/* source and its path (files) or unit (journald). */
static int check_source(const json_t *e, const char *prefix, struct canh_errmsg *err)
{
	const char *src, *path, *unit;
	int rc;

	if ((rc = str_field(e, "source", prefix, 16, 1, &src, err)) != 0 ||
	    (rc = str_field(e, "path", prefix, PATH_MAX_BYTES, 0, &path, err)) != 0 ||
	    (rc = str_field(e, "unit", prefix, UNIT_MAX_BYTES, 0, &unit, err)) != 0)
		return rc;
	if (strcmp(src, "file") == 0) {
		if (!path || !*path)
			return canh_errmsg_set(err, CANH_EPARSE, "%spath: missing for a file",
					       prefix);
	} else if (strcmp(src, "journald") != 0) {
		return canh_errmsg_set(err, CANH_EPARSE, "%ssource: expected file or journald",
				       prefix);
	}
	return 0;
}

int canh_proto_validate_logs(const json_t *data, struct canh_errmsg *err)
{
	const json_t *lines, *shed, *e;
	char prefix[48];
	size_t i;
	int rc;

	if (!json_is_object(data))
		return canh_errmsg_set(err, CANH_EPARSE, "data: expected an object");
	lines = json_object_get(data, "lines");
	if (!json_is_array(lines))
		return canh_errmsg_set(err, CANH_EPARSE, "lines: missing or not an array");
	if (json_array_size(lines) > CANH_PROTO_MAX_LOG_LINES)
		return canh_errmsg_set(err, CANH_EPARSE, "lines: more than %d entries",
				       CANH_PROTO_MAX_LOG_LINES);
	json_array_foreach(lines, i, e)
	{
		const char *line, *recv;
		int64_t ms;

		snprintf(prefix, sizeof(prefix), "lines[%zu].", i);
		if (!json_is_object(e))
			return canh_errmsg_set(err, CANH_EPARSE, "lines[%zu]: expected an object",
					       i);
		if ((rc = check_source(e, prefix, err)) != 0 ||
		    (rc = str_field(e, "line", prefix, CANH_PROTO_MAX_LOG_LINE, 1, &line, err)) !=
			0 ||
		    (rc = str_field(e, "recv", prefix, 64, 1, &recv, err)) != 0)
			return rc;
		if (canh_time_parse(recv, &ms) != 0)
			return canh_errmsg_set(err, CANH_EPARSE, "%srecv: not an RFC 3339 time",
					       prefix);
	}
	shed = json_object_get(data, "shed");
	if (shed && !json_is_null(shed)) {
		if (!json_is_array(shed) || json_array_size(shed) > CANH_PROTO_MAX_LOG_SHED)
			return canh_errmsg_set(err, CANH_EPARSE,
					       "shed: expected an array of at most %d entries",
					       CANH_PROTO_MAX_LOG_SHED);
		json_array_foreach(shed, i, e)
		{
			snprintf(prefix, sizeof(prefix), "shed[%zu].", i);
			if (!json_is_object(e))
				return canh_errmsg_set(err, CANH_EPARSE,
						       "shed[%zu]: expected an object", i);
			if ((rc = check_source(e, prefix, err)) != 0 ||
			    (rc = count_field(e, "lines", prefix, 1, err)) != 0 ||
			    (rc = count_field(e, "bytes", prefix, 0, err)) != 0)
				return rc;
		}
	}
	return count_field(data, "cut", "", 0, err);
}
