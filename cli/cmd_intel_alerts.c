/*
 * canh intel alerts [--unit CODE] [--host ID] [--since T] [--json]: the C2 alerts
 * (GET /intel/alerts, docs/intel.md "C2 alerts").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "cli.h"
#include "table.h"

enum {
	O_UNIT = 1,
	O_HOST,
	O_SINCE,
	O_LIMIT,
};

static const struct canh_cli_opt alerts_opts[] = {
    {"unit", 0, 1, O_UNIT},   {"host", 0, 1, O_HOST}, {"since", 0, 1, O_SINCE},
    {"limit", 0, 1, O_LIMIT}, {NULL, 0, 0, 0},
};

/* Append "&key=value" (percent-encoded) to the query in b. */
static int add_param(struct canh_buf *b, const char *key, const char *value)
{
	char esc[512];

	if (canh_cli_path_escape(value, esc, sizeof(esc)) != 0)
		return -1;
	canh_buf_putc(b, b->len && strchr(canh_buf_cstr(b), '?') ? '&' : '?');
	canh_buf_puts(b, key);
	canh_buf_putc(b, '=');
	canh_buf_puts(b, esc);
	return 0;
}

/* "203.0.113.9:443", "[2001:db8::9]:443", or the address alone when the port is 0. */
static const char *endpoint(const json_t *a, char *buf, size_t len)
{
	const char *ip = canh_cli_jstr(a, "remote");
	long long port = canh_cli_jll(a, "remote_port", 0);

	if (!ip)
		return NULL;
	if (port <= 0)
		return ip;
	snprintf(buf, len, strchr(ip, ':') ? "[%s]:%lld" : "%s:%lld", ip, port);
	return buf;
}

int canh_cli_intel_alerts(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *unit = NULL, *host = NULL, *since = NULL, *limit = NULL;
	struct canh_buf path = CANH_BUF_INIT(4096);
	json_t *resp = NULL, *alerts, *a;
	struct canh_cli_table t;
	long long hid;
	int id, st;
	size_t i;

	canh_cli_opt_init(&p, argc, argv, first, alerts_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_INTEL, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		if (id == O_UNIT)
			unit = p.value;
		else if (id == O_HOST)
			host = p.value;
		else if (id == O_SINCE)
			since = p.value;
		else if (id == O_LIMIT)
			limit = p.value;
	}
	if (host && canh_cli_parse_id(host, &hid) != 0)
		return canh_cli_usage_error(c, M_INTEL_ERR_HOST_ID, host);
	canh_buf_puts(&path, "/intel/alerts");
	if ((unit && add_param(&path, "unit", unit) != 0) ||
	    (host && add_param(&path, "host", host) != 0) ||
	    (since && add_param(&path, "since", since) != 0) ||
	    (limit && add_param(&path, "limit", limit) != 0)) {
		canh_buf_release(&path);
		return canh_cli_usage_error(c, M_INTEL_ERR_ALERT_FILTER);
	}
	if (canh_cli_list(c, canh_buf_cstr(&path), "alerts", M_INTEL_NO_ALERTS, &resp, &alerts,
			  &st) != 0) {
		canh_buf_release(&path);
		return st;
	}
	canh_buf_release(&path);

	canh_cli_table_init(&t, 8);
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_AH_TIME), canh_cli_tr(c, M_INTEL_AH_HOST),
			   canh_cli_tr(c, M_INTEL_AH_UNIT), canh_cli_tr(c, M_INTEL_AH_PROCESS),
			   canh_cli_tr(c, M_INTEL_AH_REMOTE), canh_cli_tr(c, M_INTEL_AH_DIRECTION),
			   canh_cli_tr(c, M_INTEL_AH_FEED_VERSION),
			   canh_cli_tr(c, M_INTEL_AH_FAMILY));
	json_array_foreach(alerts, i, a)
	{
		char when[64], hostbuf[300], ep[80], feed[200], proc[1200];
		const char *hn = canh_cli_jstr(a, "hostname"), *pn = canh_cli_jstr(a, "process");
		const char *exe = canh_cli_jstr(a, "exe"), *dir = canh_cli_jstr(a, "direction");
		const char *fam = canh_cli_jstr(a, "family");

		snprintf(hostbuf, sizeof(hostbuf), "%lld %s", canh_cli_jll(a, "host", 0),
			 hn ? hn : "");
		snprintf(feed, sizeof(feed), "%s/%lld",
			 canh_cli_jstr(a, "feed") ? canh_cli_jstr(a, "feed") : "?",
			 canh_cli_jll(a, "feed_version", 0));
		if (pn && exe && exe[0])
			snprintf(proc, sizeof(proc), "%s (%s)", pn, exe);
		else
			snprintf(proc, sizeof(proc), "%s",
				 exe && exe[0] ? exe : (pn ? pn : canh_cli_tr(c, M_INTEL_UNKNOWN)));
		canh_cli_table_row(&t, canh_cli_time(canh_cli_jstr(a, "time"), when, sizeof(when)),
				   hostbuf, canh_cli_jstr(a, "unit"), proc,
				   endpoint(a, ep, sizeof(ep)),
				   canh_cli_tr(c, dir && strcmp(dir, "in") == 0 ? M_INTEL_DIR_IN
										: M_INTEL_DIR_OUT),
				   feed, fam && fam[0] ? fam : "-");
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	canh_cli_say(c->lang, c->out, M_INTEL_ALERTS_COUNT, (long long)json_array_size(alerts));
	json_decref(resp);
	return 0;
}
