/*
 * canh summary, canh health
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "table.h"

int canh_cli_cmd_summary(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *s = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_SUMMARY, NULL, NULL, NULL, NULL, &st))
		return st;
	st = canh_cli_call(c, "GET", "/summary", NULL, NULL, 0, 1, &s);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, s);
		json_decref(s);
		return 0;
	}
	char n[6][32];
	struct canh_cli_table t;
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_UNITS), canh_cli_jint(s, "units", n[0], 32));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_HOSTS), canh_cli_jint(s, "hosts", n[1], 32));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_HOSTS_ACTIVE),
			   canh_cli_jint(s, "hosts_active", n[2], 32));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_HOSTS_24H),
			   canh_cli_jint(s, "hosts_seen_24h", n[3], 32));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_PACKAGES),
			   canh_cli_jint(s, "packages", n[4], 32));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_MESSAGES),
			   canh_cli_jint(s, "messages", n[5], 32));
	/* Vulnerabilities (docs/vuln.md): shown when the server reports them. */
	const json_t *v = json_object_get(s, "vuln");
	char nv[4][32];
	if (json_is_object(v)) {
		canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_FINDINGS_OPEN),
				   canh_cli_jint(v, "findings_open", nv[0], 32));
		canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_FINDINGS_KEV),
				   canh_cli_jint(v, "findings_open_kev", nv[1], 32));
		canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_HOSTS_AFFECTED),
				   canh_cli_jint(v, "hosts_affected", nv[2], 32));
		canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_LETTERS_OVERDUE),
				   canh_cli_jint(v, "letters_overdue", nv[3], 32));
	}
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_API), canh_cli_jstr(s, "listen"));
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(s);
	return 0;
}

int canh_cli_cmd_health(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *h = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_HEALTH, NULL, NULL, NULL, NULL, &st))
		return st;
	/* /health needs no token: it must work before the token file is readable. */
	st = canh_cli_call(c, "GET", "/health", NULL, NULL, 0, 0, &h);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, h);
	} else {
		char when[64];
		const char *v = canh_cli_jstr(h, "version");
		const char *tm = canh_cli_time(canh_cli_jstr(h, "time"), when, sizeof(when));
		char *sv = canh_cli_sanitize(v ? v : "?", 64);
		canh_cli_say(c->lang, c->out, M_HEALTH_OK, c->conn.url, sv,
			     canh_cli_jll(h, "schema", 0), tm ? tm : "-");
		free(sv);
	}
	json_decref(h);
	return 0;
}
