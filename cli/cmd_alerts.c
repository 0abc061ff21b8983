/*
 * canh alerts: alerts from the hosts' logs (GET /alerts), and canh sigma upload|list|disable|
 * enable: the server's Sigma rules (docs/logs.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "cli.h"
#include "table.h"

enum {
	O_UNIT = 1,
	O_SINCE,
	O_LEVEL,
	O_LIMIT,
	O_NAME,
};

static const struct canh_cli_opt alerts_opts[] = {
    {"unit", 0, 1, O_UNIT},   {"since", 0, 1, O_SINCE}, {"level", 0, 1, O_LEVEL},
    {"limit", 0, 1, O_LIMIT}, {NULL, 0, 0, 0},
};

static const struct canh_cli_opt sigma_opts[] = {
    {"name", 0, 1, O_NAME},
    {"unit", 0, 1, O_UNIT},
    {NULL, 0, 0, 0},
};

/* Append "&key=value" (percent-encoded) to the query in b. */
static int add_param(struct canh_buf *b, const char *key, const char *value)
{
	char esc[512];

	if (canh_cli_path_escape(value, esc, sizeof(esc)) != 0)
		return -1;
	canh_buf_putc(b, strchr(canh_buf_cstr(b), '?') ? '&' : '?');
	canh_buf_puts(b, key);
	canh_buf_putc(b, '=');
	canh_buf_puts(b, esc);
	return 0;
}

static const char *level_word(struct canh_cli *c, const char *level)
{
	static const struct {
		const char *name;
		enum canh_cli_msg_id id;
	} words[] = {
	    {"informational", M_ALERTS_LEVEL_INFORMATIONAL},
	    {"low", M_ALERTS_LEVEL_LOW},
	    {"medium", M_ALERTS_LEVEL_MEDIUM},
	    {"high", M_ALERTS_LEVEL_HIGH},
	    {"critical", M_ALERTS_LEVEL_CRITICAL},
	};

	for (size_t i = 0; level && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(level, words[i].name) == 0)
			return canh_cli_tr(c, words[i].id);
	return level ? level : "-";
}

/* The fields that say most about an alert: group-by values, else a few event fields. */
static void key_fields(const json_t *a, char *buf, size_t len)
{
	static const char *const keys[] = {"SourceIp", "User",	      "TargetUserName",
					   "Image",    "CommandLine", "c-uri"};
	const char *group = canh_cli_jstr(a, "group");
	const json_t *fields =
	    json_object_get(json_object_get(json_object_get(a, "detail"), "event"), "fields");
	size_t used = 0;

	buf[0] = '\0';
	if (group && group[0]) {
		snprintf(buf, len, "%s", group);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && used + 1 < len; i++) {
		const char *v = canh_cli_jstr(fields, keys[i]);
		if (!v || !v[0])
			continue;
		int n =
		    snprintf(buf + used, len - used, "%s%s=%.60s", used ? ", " : "", keys[i], v);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

int canh_cli_cmd_alerts(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *unit = NULL, *since = NULL, *level = NULL, *limit = NULL;
	struct canh_buf path = CANH_BUF_INIT(4096);
	json_t *resp = NULL, *alerts, *a;
	struct canh_cli_table t;
	int id, st;
	size_t i;

	canh_cli_opt_init(&p, argc, argv, first, alerts_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_ALERTS, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		if (id == O_UNIT)
			unit = p.value;
		else if (id == O_SINCE)
			since = p.value;
		else if (id == O_LEVEL)
			level = p.value;
		else if (id == O_LIMIT)
			limit = p.value;
	}
	canh_buf_puts(&path, "/alerts");
	if ((unit && add_param(&path, "unit", unit) != 0) ||
	    (since && add_param(&path, "since", since) != 0) ||
	    (level && add_param(&path, "level", level) != 0) ||
	    (limit && add_param(&path, "limit", limit) != 0)) {
		canh_buf_release(&path);
		return canh_cli_usage_error(c, M_ALERTS_ERR_FILTER);
	}
	if (canh_cli_list(c, canh_buf_cstr(&path), "alerts", M_ALERTS_NONE, &resp, &alerts, &st) !=
	    0) {
		canh_buf_release(&path);
		return st;
	}
	canh_buf_release(&path);

	canh_cli_table_init(&t, 7);
	canh_cli_table_row(&t, canh_cli_tr(c, M_ALERTS_H_TIME), canh_cli_tr(c, M_ALERTS_H_LEVEL),
			   canh_cli_tr(c, M_ALERTS_H_RULE), canh_cli_tr(c, M_ALERTS_H_HOST),
			   canh_cli_tr(c, M_ALERTS_H_UNIT), canh_cli_tr(c, M_ALERTS_H_KEY),
			   canh_cli_tr(c, M_ALERTS_H_COUNT));
	json_array_foreach(alerts, i, a)
	{
		char when[64], count[32], key[512];
		const char *title =
		    canh_cli_jstr(a, c->lang == CANH_LANG_VI ? "title_vi" : "title");

		if (!title || !title[0])
			title = canh_cli_jstr(a, "title");
		snprintf(count, sizeof(count), "%lld", canh_cli_jll(a, "count", 1));
		key_fields(a, key, sizeof(key));
		canh_cli_table_row(
		    &t, canh_cli_time(canh_cli_jstr(a, "last_seen"), when, sizeof(when)),
		    level_word(c, canh_cli_jstr(a, "level")), title ? title : "-",
		    canh_cli_jstr(a, "hostname"), canh_cli_jstr(a, "unit"), key, count);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	canh_cli_say(c->lang, c->out, M_ALERTS_COUNT, (long long)json_array_size(alerts));
	json_decref(resp);
	return 0;
}

/* ---- canh sigma ---- */

static int sigma_upload(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *file = NULL, *name = NULL;
	struct canh_buf path = CANH_BUF_INIT(1024);
	struct canh_errmsg em;
	char *data = NULL;
	size_t len = 0, i;
	json_t *out = NULL, *r;
	int id, st, rc;

	canh_cli_opt_init(&p, argc, argv, first, sigma_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_SIGMA, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL) {
			if (file)
				return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			file = p.value;
		} else if (id == O_NAME) {
			name = p.value;
		} else {
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, "--unit");
		}
	}
	if (!file)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, "FILE");
	if (!name)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--name");
	if ((rc = canh_file_read(file, CANH_CLI_MAX_UPLOAD, &data, &len, &em)) != 0) {
		canh_cli_say(c->lang, c->err, M_SIGMA_ERR_READ, file, em.text);
		fputc('\n', c->err);
		return CANH_CLI_EXIT_FAIL;
	}
	canh_buf_puts(&path, "/sigma/rules");
	if (add_param(&path, "name", name) != 0) {
		free(data);
		canh_buf_release(&path);
		return canh_cli_usage_error(c, M_ALERTS_ERR_FILTER);
	}
	st = canh_cli_call(c, "POST", canh_buf_cstr(&path), "application/yaml", data, len, 1, &out);
	free(data);
	canh_buf_release(&path);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, out);
		json_decref(out);
		return 0;
	}
	canh_cli_say(c->lang, c->out, M_SIGMA_UPLOADED, name, canh_cli_jll(out, "version", 0),
		     canh_cli_jll(out, "loaded", 0), canh_cli_jll(out, "skipped", 0),
		     canh_cli_jll(out, "errors", 0));
	json_array_foreach(json_object_get(out, "report"), i, r)
	{
		const char *status = canh_cli_jstr(r, "status");
		const char *rid = canh_cli_jstr(r, "id"), *why = canh_cli_jstr(r, "reason");
		if (status && strcmp(status, "skipped") == 0)
			canh_cli_say(c->lang, c->out, M_SIGMA_REPORT_SKIPPED, rid ? rid : "-",
				     canh_cli_jstr(r, "title") ? canh_cli_jstr(r, "title") : "",
				     why ? why : "");
		else if (status && strcmp(status, "error") == 0)
			canh_cli_say(c->lang, c->out, M_SIGMA_REPORT_ERROR, rid ? rid : "-",
				     canh_cli_jll(r, "line", 0), canh_cli_jll(r, "column", 0),
				     why ? why : "");
	}
	json_decref(out);
	return 0;
}

static int sigma_list(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *resp = NULL, *rules, *r;
	struct canh_cli_table t;
	unsigned flags = 0;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_SIGMA, NULL, &flags, NULL, NULL, &st))
		return st;
	if (canh_cli_list(c, "/sigma/rules", "rules", M_SIGMA_NO_RULES, &resp, &rules, &st) != 0)
		return st;
	canh_cli_table_init(&t, 5);
	canh_cli_table_row(&t, canh_cli_tr(c, M_SIGMA_H_ID), canh_cli_tr(c, M_SIGMA_H_LEVEL),
			   canh_cli_tr(c, M_SIGMA_H_TITLE), canh_cli_tr(c, M_SIGMA_H_SOURCE),
			   canh_cli_tr(c, M_SIGMA_H_DISABLED));
	json_array_foreach(rules, i, r)
	{
		struct canh_buf units = CANH_BUF_INIT(4096);
		const json_t *u;
		size_t k;
		json_array_foreach(json_object_get(r, "disabled_units"), k, u)
		{
			if (k)
				canh_buf_puts(&units, ", ");
			canh_buf_puts(&units, json_string_value(u) ? json_string_value(u) : "");
		}
		const char *title = c->lang == CANH_LANG_VI ? canh_cli_jstr(r, "title_vi") : NULL;
		canh_cli_table_row(
		    &t, canh_cli_jstr(r, "id"), level_word(c, canh_cli_jstr(r, "level")),
		    title ? title : canh_cli_jstr(r, "title"), canh_cli_jstr(r, "source"),
		    units.len ? canh_buf_cstr(&units) : "-");
		canh_buf_release(&units);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	canh_cli_say(c->lang, c->out, M_SIGMA_RULES_COUNT, (long long)json_array_size(rules));
	json_decref(resp);
	return 0;
}

static int sigma_toggle(struct canh_cli *c, int argc, char **argv, int first, int disable)
{
	struct canh_cli_optparse p;
	const char *rule = NULL, *unit = NULL;
	struct canh_buf path = CANH_BUF_INIT(2048);
	char esc[512];
	json_t *out = NULL;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, sigma_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_SIGMA, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL) {
			if (rule)
				return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			rule = p.value;
		} else if (id == O_UNIT) {
			unit = p.value;
		} else {
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, "--name");
		}
	}
	if (!rule)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, "RULE_ID");
	if (!unit)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--unit");
	if (canh_cli_path_escape(rule, esc, sizeof(esc)) != 0)
		return canh_cli_usage_error(c, M_ALERTS_ERR_FILTER);
	canh_buf_appendf(&path, "/sigma/rules/%s/%s", esc, disable ? "disable" : "enable");
	if (add_param(&path, "unit", unit) != 0) {
		canh_buf_release(&path);
		return canh_cli_usage_error(c, M_ALERTS_ERR_FILTER);
	}
	st = canh_cli_call(c, "POST", canh_buf_cstr(&path), NULL, NULL, 0, 1, &out);
	canh_buf_release(&path);
	if (st != 0)
		return st;
	if (c->json)
		canh_cli_print_json(c, out);
	else if (disable)
		canh_cli_say(c->lang, c->out, M_SIGMA_DISABLED, rule, unit);
	else
		canh_cli_say(c->lang, c->out, M_SIGMA_ENABLED, rule, unit);
	json_decref(out);
	return 0;
}

int canh_cli_cmd_sigma(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_SIGMA, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "sigma");
	if (strcmp(sub, "upload") == 0)
		return sigma_upload(c, argc, argv, p.index);
	if (strcmp(sub, "list") == 0)
		return sigma_list(c, argc, argv, p.index);
	if (strcmp(sub, "disable") == 0)
		return sigma_toggle(c, argc, argv, p.index, 1);
	if (strcmp(sub, "enable") == 0)
		return sigma_toggle(c, argc, argv, p.index, 0);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "sigma", sub);
}
