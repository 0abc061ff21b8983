/*
 * canh detections (docs/malware.md): what the hunts found, newest first.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "table.h"

enum {
	O_UNIT = 1,
	O_HUNT,
	O_SINCE,
};

static const struct canh_cli_opt opts[] = {
    {"unit", 0, 1, O_UNIT},
    {"hunt", 0, 1, O_HUNT},
    {"since", 0, 1, O_SINCE},
    {NULL, 0, 0, 0},
};

static const char *action_label(const struct canh_cli *c, const char *a)
{
	if (a && strcmp(a, "quarantined") == 0)
		return canh_cli_tr(c, M_HUNT_ACT_QUARANTINED);
	if (a && strcmp(a, "failed") == 0)
		return canh_cli_tr(c, M_HUNT_ACT_FAILED);
	return canh_cli_tr(c, M_HUNT_ACT_NONE);
}

int canh_cli_cmd_detections(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct canh_cli_table t;
	const char *unit = NULL, *hunt = NULL, *since = NULL;
	char path[1024], esc[400];
	json_t *resp = NULL, *arr, *d;
	size_t i, o;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_HUNT_USAGE_DETECTIONS, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		if (id == O_UNIT)
			unit = p.value;
		else if (id == O_HUNT)
			hunt = p.value;
		else if (id == O_SINCE)
			since = p.value;
	}
	o = (size_t)snprintf(path, sizeof(path), "/detections?limit=100000");
	if (unit) {
		if (canh_cli_path_escape(unit, esc, sizeof(esc)) != 0)
			return canh_cli_usage_error(c, M_ERR_TOO_LONG, unit);
		o += (size_t)snprintf(path + o, sizeof(path) - o, "&unit=%s", esc);
	}
	if (hunt) {
		long long h;
		if (canh_cli_parse_id(hunt, &h) != 0)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, hunt);
		o += (size_t)snprintf(path + o, sizeof(path) - o, "&hunt=%lld", h);
	}
	if (since) {
		if (canh_cli_path_escape(since, esc, sizeof(esc)) != 0)
			return canh_cli_usage_error(c, M_ERR_TOO_LONG, since);
		snprintf(path + o, sizeof(path) - o, "&since=%s", esc);
	}
	if (canh_cli_list(c, path, "detections", M_HUNT_NO_DETECTIONS, &resp, &arr, &st) != 0)
		return st;
	canh_cli_table_init(&t, 7);
	canh_cli_table_row(&t, canh_cli_tr(c, M_HUNT_H_TIME), canh_cli_tr(c, M_HUNT_H_HOST),
			   canh_cli_tr(c, M_HUNT_H_UNIT), canh_cli_tr(c, M_HUNT_H_PATH),
			   canh_cli_tr(c, M_HUNT_H_FOUND), canh_cli_tr(c, M_HUNT_H_SHA256),
			   canh_cli_tr(c, M_HUNT_H_ACTION));
	json_array_foreach(arr, i, d)
	{
		char when[64];
		const char *what =
		    canh_cli_jstr(d, "rule") ? canh_cli_jstr(d, "rule") : canh_cli_jstr(d, "ioc");
		char *spath = canh_cli_sanitize(
		    canh_cli_jstr(d, "path") ? canh_cli_jstr(d, "path") : "", 1024);
		char shortened[256];
		/* "sha256:<64 hex> name": the digest is in its own column */
		const char *colon = what ? strchr(what, ':') : NULL;
		if (!canh_cli_jstr(d, "rule") && colon) {
			const char *name = strchr(colon, ' ');
			snprintf(shortened, sizeof(shortened), "%.*s IOC%s%s", (int)(colon - what),
				 what, name ? ":" : "", name ? name : "");
			what = shortened;
		}
		char *swhat = canh_cli_sanitize(what ? what : "", 200);
		canh_cli_table_row(&t, canh_cli_time(canh_cli_jstr(d, "time"), when, sizeof(when)),
				   canh_cli_jstr(d, "hostname"), canh_cli_jstr(d, "unit"), spath,
				   swhat, canh_cli_jstr(d, "sha256"),
				   action_label(c, canh_cli_jstr(d, "action")));
		free(spath);
		free(swhat);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}
