/*
 * canh botnet report [--unit CODE] (docs/intel.md, GET /botnet/report)
 *
 * canhd sends the reasons a host is a candidate as codes with parameters; they are worded here,
 * in the user's language.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/mem.h"
#include "cli.h"
#include "table.h"

enum {
	O_UNIT = 1,
};

static const struct canh_cli_opt report_opts[] = {
    {"unit", 0, 1, O_UNIT},
    {NULL, 0, 0, 0},
};

/* A string member made safe for the terminal, or "unknown" in the user's language. */
static char *safe_str(const struct canh_cli *c, const json_t *o, const char *key)
{
	const char *s = canh_cli_jstr(o, key);
	return canh_cli_sanitize(s && s[0] ? s : canh_cli_tr(c, M_INTEL_UNKNOWN), 512);
}

static void when(const struct canh_cli *c, const json_t *o, const char *key, char *buf, size_t len)
{
	const char *t = canh_cli_jstr(o, key), *s;

	s = t ? canh_cli_time(t, buf, len) : canh_cli_tr(c, M_INTEL_UNKNOWN);
	if (s != buf)
		canh_strlcpy(buf, s, len);
}

/* A reason canh does not know yet: "code: key=value, ..." as the server sent it. */
static void reason_other(struct canh_cli *c, const json_t *r)
{
	struct canh_buf b = CANH_BUF_INIT(2048);
	const char *key;
	json_t *v;
	char *safe;

	canh_buf_puts(&b, canh_cli_jstr(r, "code") ? canh_cli_jstr(r, "code") : "?");
	json_object_foreach((json_t *)r, key, v)
	{
		if (strcmp(key, "code") == 0)
			continue;
		canh_buf_puts(&b, b.len && strchr(b.data, '=') ? ", " : ": ");
		if (json_is_string(v)) {
			canh_buf_appendf(&b, "%s=%s", key, json_string_value(v));
		} else {
			char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			canh_buf_appendf(&b, "%s=%s", key, j ? j : "?");
			free(j);
		}
	}
	safe = canh_cli_sanitize(canh_buf_cstr(&b), 1024);
	canh_cli_say(c->lang, c->out, M_BOTNET_R_OTHER, safe);
	free(safe);
	canh_buf_release(&b);
}

static void print_reason(struct canh_cli *c, const json_t *r)
{
	const char *code = canh_cli_jstr(r, "code");
	char t1[64], t2[64], port[32], hosts[32];
	const char *unknown = canh_cli_tr(c, M_INTEL_UNKNOWN);
	char *s1, *s2, *s3, *s4, *s5;

	if (!code) {
		reason_other(c, r);
		return;
	}
	if (strcmp(code, "egress") == 0 || strcmp(code, "egress_other_time") == 0) {
		s1 = safe_str(c, r, "addr");
		when(c, r, "first_seen", t1, sizeof(t1));
		when(c, r, "last_seen", t2, sizeof(t2));
		if (code[6] == '\0')
			canh_cli_say(c->lang, c->out, M_BOTNET_R_EGRESS, s1, t1, t2);
		else
			canh_cli_say(c->lang, c->out, M_BOTNET_R_EGRESS_OTHER, s1, t1, t2);
		free(s1);
	} else if (strcmp(code, "unit_range") == 0) {
		s1 = safe_str(c, r, "range");
		s2 = safe_str(c, r, "unit");
		canh_cli_say(c->lang, c->out, M_BOTNET_R_UNIT_RANGE, s1, s2);
		free(s1);
		free(s2);
	} else if (strcmp(code, "c2_contact") == 0) {
		s1 = safe_str(c, r, "remote");
		s2 = safe_str(c, r, "feed");
		s3 = safe_str(c, r, "family");
		s4 = safe_str(c, r, "process");
		s5 = safe_str(c, r, "exe");
		when(c, r, "time", t1, sizeof(t1));
		canh_cli_say(c->lang, c->out, M_BOTNET_R_C2, s1,
			     canh_cli_jint(r, "port", port, sizeof(port)) ? port : unknown, s2,
			     canh_cli_jll(r, "version", 0), s3, s4, s5, t1);
		free(s1);
		free(s2);
		free(s3);
		free(s4);
		free(s5);
	} else if (strcmp(code, "c2_family") == 0) {
		s1 = safe_str(c, r, "family");
		canh_cli_say(c->lang, c->out, M_BOTNET_R_C2_FAMILY, s1);
		free(s1);
	} else if (strcmp(code, "listed_port") == 0) {
		const char *dir = canh_cli_jstr(r, "direction");
		s1 = safe_str(c, r, "remote");
		s2 = safe_str(c, r, "process");
		s3 = safe_str(c, r, "exe");
		when(c, r, "time", t1, sizeof(t1));
		canh_cli_say(c->lang, c->out, M_BOTNET_R_LISTED_PORT,
			     canh_cli_jint(r, "port", port, sizeof(port)) ? port : unknown,
			     canh_cli_tr(c, dir && strcmp(dir, "in") == 0 ? M_BOTNET_DIR_IN
									  : M_BOTNET_DIR_OUT),
			     s1, s2, s3, t1);
		free(s1);
		free(s2);
		free(s3);
	} else if (strcmp(code, "unusual_port") == 0) {
		s1 = safe_str(c, r, "remote");
		s2 = safe_str(c, r, "process");
		s3 = safe_str(c, r, "exe");
		canh_cli_say(c->lang, c->out, M_BOTNET_R_UNUSUAL_PORT,
			     canh_cli_jint(r, "port", port, sizeof(port)) ? port : unknown, s1, s2,
			     s3, canh_cli_jint(r, "hosts", hosts, sizeof(hosts)) ? hosts : "0");
		free(s1);
		free(s2);
		free(s3);
	} else if (strcmp(code, "unowned_process") == 0) {
		s1 = safe_str(c, r, "process");
		s2 = safe_str(c, r, "exe");
		canh_cli_say(c->lang, c->out, M_BOTNET_R_UNOWNED, s1, s2);
		free(s1);
		free(s2);
	} else {
		reason_other(c, r);
	}
}

static void print_address(struct canh_cli *c, const json_t *a)
{
	char *addr = safe_str(c, a, "address"), *family = safe_str(c, a, "family");
	char *feed = safe_str(c, a, "feed"), seen[64], port[32], fam[8];
	const char *cell = canh_cli_jstr(a, "cell"), *org = canh_cli_jstr(a, "org");
	json_t *cands = json_object_get(a, "candidates"), *m, *h;
	size_t i, k;

	when(c, a, "seen", seen, sizeof(seen));
	snprintf(fam, sizeof(fam), "IPv%lld", canh_cli_jll(a, "af", 4));
	canh_cli_say(c->lang, c->out, M_BOTNET_ADDRESS, addr, fam, family, seen,
		     canh_cli_jint(a, "port", port, sizeof(port)) ? port : "-");
	canh_cli_say(c->lang, c->out, M_BOTNET_SOURCE, feed, canh_cli_jll(a, "version", 0),
		     canh_cli_jll(a, "line", 0), cell ? canh_cli_tr(c, M_BOTNET_CELL) : "",
		     cell ? cell : "");
	if (org) {
		char *o = canh_cli_sanitize(org, 512);
		canh_cli_say(c->lang, c->out, M_BOTNET_ORG, o);
		free(o);
	}
	json_array_foreach(json_object_get(a, "matched"), i, m)
	{
		const char *how = canh_cli_jstr(m, "how");
		char *via = safe_str(c, m, "via");
		if (how && strcmp(how, "agent_egress") == 0) {
			char *host = safe_str(c, json_object_get(m, "host"), "hostname");
			canh_cli_say(c->lang, c->out, M_BOTNET_VIA_EGRESS,
				     canh_cli_jll(json_object_get(m, "host"), "id", 0), host);
			free(host);
		} else {
			canh_cli_say(c->lang, c->out, M_BOTNET_VIA_RANGE, via);
		}
		free(via);
	}
	if (json_array_size(cands) == 0) {
		canh_cli_say(c->lang, c->out, M_BOTNET_NO_CANDIDATE);
	} else {
		canh_cli_say(c->lang, c->out, M_BOTNET_CANDIDATES);
		json_array_foreach(cands, k, h)
		{
			char *hn = safe_str(c, h, "hostname"), *unit = safe_str(c, h, "unit");
			size_t j;
			json_t *r;
			canh_cli_say(c->lang, c->out, M_BOTNET_CANDIDATE,
				     canh_cli_jll(h, "host", 0), hn, unit,
				     canh_cli_jll(h, "score", 0));
			json_array_foreach(json_object_get(h, "reasons"), j, r) print_reason(c, r);
			free(hn);
			free(unit);
		}
	}
	free(addr);
	free(family);
	free(feed);
}

static int botnet_report(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *unit = NULL;
	char path[512], esc[400];
	json_t *resp = NULL, *u, *a;
	size_t i, j;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, report_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_BOTNET, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		unit = p.value;
	}
	if (unit) {
		if (canh_cli_path_escape(unit, esc, sizeof(esc)) != 0)
			return canh_cli_usage_error(c, M_ERR_TOO_LONG, unit);
		snprintf(path, sizeof(path), "/botnet/report?unit=%s", esc);
	} else {
		snprintf(path, sizeof(path), "/botnet/report");
	}
	if ((st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &resp)) != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
		json_decref(resp);
		return 0;
	}
	if (json_array_size(json_object_get(resp, "units")) == 0) {
		char *who =
		    canh_cli_sanitize(unit ? unit : canh_cli_tr(c, M_BOTNET_ALL_UNITS), 256);
		canh_cli_say(c->lang, c->out, M_BOTNET_NONE, who);
		free(who);
		json_decref(resp);
		return 0;
	}
	json_array_foreach(json_object_get(resp, "units"), i, u)
	{
		char *code = safe_str(c, u, "code"), *name = safe_str(c, u, "name");
		if (i > 0)
			fputc('\n', c->out);
		canh_cli_say(c->lang, c->out, M_BOTNET_UNIT, code, name,
			     (long long)json_array_size(json_object_get(u, "addresses")));
		json_array_foreach(json_object_get(u, "addresses"), j, a) print_address(c, a);
		free(code);
		free(name);
	}
	fputc('\n', c->out);
	a = json_object_get(resp, "totals");
	canh_cli_say(c->lang, c->out, M_BOTNET_TOTALS, canh_cli_jll(a, "units", 0),
		     canh_cli_jll(a, "addresses", 0), canh_cli_jll(a, "candidates", 0));
	json_decref(resp);
	return 0;
}

int canh_cli_cmd_botnet(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_BOTNET, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "botnet");
	if (strcmp(sub, "report") == 0)
		return botnet_report(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "botnet", sub);
}
