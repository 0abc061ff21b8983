/*
 * canh token create|list
 */
#include <stdlib.h>
#include <string.h>

#include "canh/config.h"
#include "canh/error.h"
#include "canh/time.h"
#include "cli.h"
#include "table.h"

enum {
	O_UNIT = 1,
	O_EXPIRES,
};

static const struct canh_cli_opt create_opts[] = {
    {"unit", 0, 1, O_UNIT},
    {"expires", 0, 1, O_EXPIRES},
    {NULL, 0, 0, 0},
};

static int token_create(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *unit = NULL, *expires = NULL;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, create_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_TOKEN, &id, &st))
			return st; /* help, version or a usage error */
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		if (id == O_UNIT)
			unit = p.value;
		else if (id == O_EXPIRES)
			expires = p.value;
	}
	if (!unit)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--unit");
	if (expires) {
		int64_t ms;
		if (canh_parse_duration_ms(expires, &ms) != 0 || ms <= 0)
			return canh_cli_usage_error(c, M_ERR_BAD_DURATION, expires);
	}

	json_t *body = json_object(), *resp = NULL;
	json_object_set_new(body, "unit", json_string(unit));
	if (expires)
		json_object_set_new(body, "expires_in", json_string(expires));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	st = canh_cli_call(c, "POST", "/tokens", "application/json", text, strlen(text), 1, &resp);
	free(text);
	if (st != 0)
		return st;

	const char *token = canh_cli_jstr(resp, "token");
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else if (!token) {
		canh_cli_error(c, M_ERR_BAD_ANSWER, canh_cli_tr(c, M_WHY_NO_TOKEN_IN_ANSWER));
		st = CANH_CLI_EXIT_FAIL;
	} else {
		/* The token alone on stdout, so that TOKEN=$(canh token create ...) works. */
		char when[64];
		fprintf(c->out, "%s\n", token);
		const char *u = canh_cli_jstr(resp, "unit");
		const char *exp =
		    canh_cli_time(canh_cli_jstr(resp, "expires_at"), when, sizeof(when));
		char *su = canh_cli_sanitize(u ? u : unit, 256);
		canh_cli_say(c->lang, c->err, M_TOKEN_CREATED, canh_cli_jll(resp, "id", 0), su,
			     exp ? exp : "-");
		free(su);
	}
	json_decref(resp);
	return st;
}

static int token_list(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *resp = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_TOKEN, NULL, NULL, NULL, NULL, &st))
		return st;
	json_t *tokens;
	if (canh_cli_list(c, "/tokens", "tokens", M_NO_TOKENS, &resp, &tokens, &st) != 0)
		return st;

	struct canh_cli_table t;
	canh_cli_table_init(&t, 5);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_ID), canh_cli_tr(c, M_H_UNIT),
			   canh_cli_tr(c, M_H_CREATED), canh_cli_tr(c, M_H_EXPIRES),
			   canh_cli_tr(c, M_H_STATUS));
	int64_t now = canh_now_ms();
	size_t i;
	json_t *tk;
	json_array_foreach(tokens, i, tk)
	{
		char id[32], created[64], expires[64], status[128];
		const char *exp = canh_cli_jstr(tk, "expires_at");
		int64_t exp_ms;
		if (canh_cli_jstr(tk, "used_at")) {
			long long agent = canh_cli_jll(tk, "agent_id", 0);
			if (agent > 0)
				canh_cli_format(c, status, sizeof(status), M_TOKEN_USED_BY, agent);
			else
				snprintf(status, sizeof(status), "%s",
					 canh_cli_tr(c, M_TOKEN_USED));
		} else if (exp && canh_time_parse(exp, &exp_ms) == 0 && exp_ms <= now) {
			snprintf(status, sizeof(status), "%s", canh_cli_tr(c, M_TOKEN_EXPIRED));
		} else {
			snprintf(status, sizeof(status), "%s", canh_cli_tr(c, M_TOKEN_VALID));
		}
		canh_cli_table_row(
		    &t, canh_cli_jint(tk, "id", id, sizeof(id)), canh_cli_jstr(tk, "unit"),
		    canh_cli_time(canh_cli_jstr(tk, "created_at"), created, sizeof(created)),
		    canh_cli_time(exp, expires, sizeof(expires)), status);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

int canh_cli_cmd_token(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_TOKEN, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "token");
	if (strcmp(sub, "create") == 0)
		return token_create(c, argc, argv, p.index);
	if (strcmp(sub, "list") == 0)
		return token_list(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "token", sub);
}
