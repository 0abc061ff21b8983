/*
 * canh hunt start|status (docs/malware.md).
 */
#include <stdlib.h>
#include <string.h>

#include "canh/config.h"
#include "cli.h"
#include "table.h"

#define MAX_HOSTS 4096
#define MAX_PATHS 64

enum {
	O_RULES = 1,
	O_HASHES,
	O_UNIT,
	O_HOST,
	O_PATHS,
	O_QUARANTINE,
	O_EVERY,
	O_HASHES_FEED,
};

static const struct canh_cli_opt start_opts[] = {
    {"rules", 0, 1, O_RULES}, {"hashes", 0, 1, O_HASHES},
    {"unit", 0, 1, O_UNIT},   {"host", 0, 1, O_HOST},
    {"paths", 0, 1, O_PATHS}, {"quarantine", 0, 0, O_QUARANTINE},
    {"every", 0, 1, O_EVERY}, {"hashes-feed", 0, 1, O_HASHES_FEED},
    {NULL, 0, 0, 0},
};

static const char *state_label(const struct canh_cli *c, const char *s)
{
	if (!s)
		return "";
	if (strcmp(s, "queued") == 0)
		return canh_cli_tr(c, M_HUNT_ST_QUEUED);
	if (strcmp(s, "running") == 0)
		return canh_cli_tr(c, M_HUNT_ST_RUNNING);
	if (strcmp(s, "done") == 0)
		return canh_cli_tr(c, M_HUNT_ST_DONE);
	if (strcmp(s, "failed") == 0)
		return canh_cli_tr(c, M_HUNT_ST_FAILED);
	return s;
}

/* "shipped v2 + iocs v1" */
static void rules_text(const json_t *h, char *buf, size_t len)
{
	const char *r = canh_cli_jstr(h, "rules"), *x = canh_cli_jstr(h, "hashes");
	size_t o = 0;

	buf[0] = '\0';
	if (r)
		o = (size_t)snprintf(buf, len, "%s v%lld", r, canh_cli_jll(h, "rules_version", 0));
	if (x && o < len)
		snprintf(buf + o, len - o, "%s%s v%lld", r ? " + " : "", x,
			 canh_cli_jll(h, "hashes_version", 0));
}

static void target_text(const struct canh_cli *c, const json_t *h, char *buf, size_t len)
{
	const json_t *t = json_object_get(h, "target");
	const char *kind = canh_cli_jstr(t, "kind");

	if (kind && strcmp(kind, "unit") == 0) {
		snprintf(buf, len, "%s %s", canh_cli_tr(c, M_HUNT_TARGET_UNIT),
			 canh_cli_jstr(t, "unit") ? canh_cli_jstr(t, "unit") : "");
	} else if (kind && strcmp(kind, "hosts") == 0) {
		size_t o = (size_t)snprintf(buf, len, "%s", canh_cli_tr(c, M_HUNT_TARGET_HOSTS));
		size_t i;
		const json_t *v;
		json_array_foreach(json_object_get(t, "hosts"), i, v)
		{
			if (o >= len)
				break;
			o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : " ",
					      (long long)json_integer_value(v));
		}
	} else {
		snprintf(buf, len, "%s", canh_cli_tr(c, M_HUNT_TARGET_ALL));
	}
}

static int hunt_start(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *rules = NULL, *hashes = NULL, *unit = NULL, *paths = NULL, *every = NULL;
	const char *feed = NULL;
	json_t *body, *hosts = json_array(), *resp = NULL;
	int quarantine = 0, id, st;
	int64_t d;

	canh_cli_opt_init(&p, argc, argv, first, start_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_HUNT_USAGE_HUNT, &id, &st))
			goto fail;
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case CANH_OPT_POSITIONAL:
			st = canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			goto fail;
		case O_RULES:
			rules = p.value;
			break;
		case O_HASHES:
			hashes = p.value;
			break;
		case O_UNIT:
			unit = p.value;
			break;
		case O_HOST: {
			long long h;
			if (canh_cli_parse_id(p.value, &h) != 0 ||
			    json_array_size(hosts) >= MAX_HOSTS) {
				st = canh_cli_usage_error(c, M_ERR_BAD_HOST_ID, p.value);
				goto fail;
			}
			json_array_append_new(hosts, json_integer(h));
			break;
		}
		case O_PATHS:
			paths = p.value;
			break;
		case O_QUARANTINE:
			quarantine = 1;
			break;
		case O_EVERY:
			every = p.value;
			break;
		case O_HASHES_FEED:
			feed = p.value;
			break;
		}
	}
	if (!rules && !hashes && !feed) {
		st = canh_cli_usage_error(c, M_HUNT_ERR_NEEDS);
		goto fail;
	}
	if (unit && json_array_size(hosts)) {
		st = canh_cli_usage_error(c, M_HUNT_ERR_UNIT_HOST);
		goto fail;
	}
	if (every && canh_parse_duration_ms(every, &d) != 0) {
		st = canh_cli_usage_error(c, M_ERR_BAD_DURATION, every);
		goto fail;
	}
	body = json_object();
	if (rules)
		json_object_set_new(body, "rules", json_string(rules));
	if (hashes)
		json_object_set_new(body, "hashes", json_string(hashes));
	if (feed)
		json_object_set_new(body, "hashes_feed", json_string(feed));
	if (unit)
		json_object_set_new(body, "unit", json_string(unit));
	if (json_array_size(hosts))
		json_object_set(body, "hosts", hosts);
	if (paths) {
		json_t *arr = json_array();
		const char *s = paths;
		while (*s) {
			size_t n = strcspn(s, ",");
			if (n) {
				char one[4097];
				if (n >= sizeof(one) || s[0] != '/' ||
				    json_array_size(arr) >= MAX_PATHS) {
					snprintf(one, sizeof(one), "%.*s",
						 (int)(n < 4096 ? n : 4096), s);
					st = canh_cli_usage_error(c, M_HUNT_ERR_PATH, one);
					json_decref(arr);
					json_decref(body);
					goto fail;
				}
				json_array_append_new(arr, json_stringn(s, n));
			}
			s += n;
			if (*s == ',')
				s++;
		}
		json_object_set_new(body, "paths", arr);
	}
	if (quarantine)
		json_object_set_new(body, "quarantine", json_true());
	if (every)
		json_object_set_new(body, "every", json_string(every));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	st = canh_cli_call(c, "POST", "/hunts", "application/json", text, strlen(text), 1, &resp);
	free(text);
	if (st != 0)
		goto fail;
	if (c->json)
		canh_cli_print_json(c, resp);
	else
		canh_cli_say(c->lang, c->out, M_HUNT_STARTED, canh_cli_jll(resp, "id", 0),
			     canh_cli_jll(resp, "hosts_total", 0), canh_cli_jll(resp, "id", 0));
	json_decref(resp);
	json_decref(hosts);
	return 0;
fail:
	json_decref(hosts);
	return st;
}

static int hunt_list(struct canh_cli *c)
{
	struct canh_cli_table t;
	json_t *resp = NULL, *arr, *h;
	size_t i;
	int st;

	if (canh_cli_list(c, "/hunts", "hunts", M_HUNT_NO_HUNTS, &resp, &arr, &st) != 0)
		return st;
	canh_cli_table_init(&t, 7);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_align_right(&t, 3);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_align_right(&t, 5);
	canh_cli_table_row(&t, canh_cli_tr(c, M_HUNT_H_ID), canh_cli_tr(c, M_HUNT_H_RULES),
			   canh_cli_tr(c, M_HUNT_H_TARGET), canh_cli_tr(c, M_HUNT_H_HOSTS),
			   canh_cli_tr(c, M_HUNT_H_DONE), canh_cli_tr(c, M_HUNT_H_DETECTIONS),
			   canh_cli_tr(c, M_HUNT_H_CREATED));
	json_array_foreach(arr, i, h)
	{
		char idb[32], rb[200], tb[200], nh[32], done[64], det[32], when[64];
		canh_cli_table_row(
		    &t, canh_cli_jint(h, "id", idb, sizeof(idb)),
		    (rules_text(h, rb, sizeof(rb)), rb), (target_text(c, h, tb, sizeof(tb)), tb),
		    canh_cli_jint(h, "hosts_total", nh, sizeof(nh)),
		    (snprintf(done, sizeof(done), "%lld/%lld",
			      canh_cli_jll(h, "done", 0) + canh_cli_jll(h, "failed", 0),
			      canh_cli_jll(h, "hosts_total", 0)),
		     done),
		    canh_cli_jint(h, "detections", det, sizeof(det)),
		    canh_cli_time(canh_cli_jstr(h, "created_at"), when, sizeof(when)));
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

static int hunt_show(struct canh_cli *c, const char *arg)
{
	struct canh_cli_table t;
	long long hid;
	char path[64], rb[200];
	json_t *h = NULL, *x;
	size_t i;
	int st;

	if (canh_cli_parse_id(arg, &hid) != 0)
		return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, arg);
	snprintf(path, sizeof(path), "/hunts/%lld", hid);
	if ((st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &h)) != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, h);
		json_decref(h);
		return 0;
	}
	rules_text(h, rb, sizeof(rb));
	canh_cli_say(c->lang, c->out, M_HUNT_SUMMARY, hid, rb, canh_cli_jll(h, "hosts_total", 0),
		     canh_cli_jll(h, "queued", 0), canh_cli_jll(h, "running", 0),
		     canh_cli_jll(h, "done", 0), canh_cli_jll(h, "failed", 0),
		     canh_cli_jll(h, "files", 0), canh_cli_jll(h, "detections", 0));
	char *paths = json_dumps(json_object_get(h, "paths"), JSON_COMPACT);
	canh_cli_say(c->lang, c->out, M_HUNT_PATHS, paths ? paths : "[]");
	free(paths);
	if (json_is_true(json_object_get(h, "quarantine")))
		canh_cli_say(c->lang, c->out, M_HUNT_POLICY_QUARANTINE);
	if (canh_cli_jll(h, "every_ms", 0) > 0)
		canh_cli_say(c->lang, c->out, M_HUNT_EVERY, canh_cli_jll(h, "every_ms", 0) / 60000,
			     canh_cli_jll(h, "run", 1));
	canh_cli_table_init(&t, 9);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_align_right(&t, 5);
	canh_cli_table_align_right(&t, 6);
	canh_cli_table_row(&t, canh_cli_tr(c, M_HUNT_H_HOST), canh_cli_tr(c, M_HUNT_H_NAME),
			   canh_cli_tr(c, M_HUNT_H_UNIT), canh_cli_tr(c, M_HUNT_H_STATE),
			   canh_cli_tr(c, M_HUNT_H_FILES), canh_cli_tr(c, M_HUNT_H_BYTES),
			   canh_cli_tr(c, M_HUNT_H_DETECTIONS), canh_cli_tr(c, M_HUNT_H_FINISHED),
			   canh_cli_tr(c, M_HUNT_H_ERROR));
	json_array_foreach(json_object_get(h, "hosts"), i, x)
	{
		char hb[32], fb[32], bb[32], db[32], when[64];
		const char *err = canh_cli_jstr(x, "error");
		char *safe = canh_cli_sanitize(err ? err : "", 200);
		canh_cli_table_row(
		    &t, canh_cli_jint(x, "host", hb, sizeof(hb)), canh_cli_jstr(x, "hostname"),
		    canh_cli_jstr(x, "unit"), state_label(c, canh_cli_jstr(x, "state")),
		    canh_cli_jint(x, "files", fb, sizeof(fb)),
		    canh_cli_jint(x, "bytes", bb, sizeof(bb)),
		    canh_cli_jint(x, "detections", db, sizeof(db)),
		    canh_cli_time(canh_cli_jstr(x, "finished_at"), when, sizeof(when)), safe);
		free(safe);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(h);
	return 0;
}

static int hunt_status(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *arg = NULL;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_HUNT_USAGE_HUNT, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (arg)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		arg = p.value;
	}
	return arg ? hunt_show(c, arg) : hunt_list(c);
}

int canh_cli_cmd_hunt(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_HUNT_USAGE_HUNT, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "hunt");
	if (strcmp(sub, "start") == 0)
		return hunt_start(c, argc, argv, p.index);
	if (strcmp(sub, "status") == 0)
		return hunt_status(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "hunt", sub);
}
