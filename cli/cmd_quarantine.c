/*
 * canh quarantine list|restore (docs/malware.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "table.h"

enum {
	O_HOST = 1,
};

static const struct canh_cli_opt list_opts[] = {
    {"host", 0, 1, O_HOST},
    {NULL, 0, 0, 0},
};

static const char *state_label(const struct canh_cli *c, const char *s)
{
	if (s && strcmp(s, "restore_requested") == 0)
		return canh_cli_tr(c, M_HUNT_QS_REQUESTED);
	if (s && strcmp(s, "restored") == 0)
		return canh_cli_tr(c, M_HUNT_QS_RESTORED);
	if (s && strcmp(s, "restore_failed") == 0)
		return canh_cli_tr(c, M_HUNT_QS_FAILED);
	return canh_cli_tr(c, M_HUNT_QS_QUARANTINED);
}

static int q_list(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct canh_cli_table t;
	char path[64] = "/quarantine";
	json_t *resp = NULL, *arr, *q;
	size_t i;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, list_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_HUNT_USAGE_QUARANTINE, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		long long h;
		if (canh_cli_parse_id(p.value, &h) != 0)
			return canh_cli_usage_error(c, M_ERR_BAD_HOST_ID, p.value);
		snprintf(path, sizeof(path), "/quarantine?host=%lld", h);
	}
	if (canh_cli_list(c, path, "quarantine", M_HUNT_NO_QUARANTINE, &resp, &arr, &st) != 0)
		return st;
	canh_cli_table_init(&t, 7);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_row(&t, canh_cli_tr(c, M_HUNT_H_ID), canh_cli_tr(c, M_HUNT_H_HOST),
			   canh_cli_tr(c, M_HUNT_H_PATH), canh_cli_tr(c, M_HUNT_H_FOUND),
			   canh_cli_tr(c, M_HUNT_H_SIZE), canh_cli_tr(c, M_HUNT_H_TIME),
			   canh_cli_tr(c, M_HUNT_H_STATE));
	json_array_foreach(arr, i, q)
	{
		char idb[32], sz[32], when[64];
		char *spath = canh_cli_sanitize(
		    canh_cli_jstr(q, "path") ? canh_cli_jstr(q, "path") : "", 1024);
		char *srule = canh_cli_sanitize(
		    canh_cli_jstr(q, "rule") ? canh_cli_jstr(q, "rule") : "", 200);
		canh_cli_table_row(
		    &t, canh_cli_jint(q, "id", idb, sizeof(idb)), canh_cli_jstr(q, "hostname"),
		    spath, srule, canh_cli_jint(q, "size", sz, sizeof(sz)),
		    canh_cli_time(canh_cli_jstr(q, "quarantined_at"), when, sizeof(when)),
		    state_label(c, canh_cli_jstr(q, "state")));
		free(spath);
		free(srule);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

static int q_restore(struct canh_cli *c, int argc, char **argv, int first)
{
	const char *arg;
	char path[64];
	long long qid;
	json_t *resp = NULL;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_HUNT_USAGE_QUARANTINE, NULL, NULL,
				canh_cli_tr(c, M_HUNT_ARG_ID), &arg, &st))
		return st;
	if (canh_cli_parse_id(arg, &qid) != 0)
		return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, arg);
	snprintf(path, sizeof(path), "/quarantine/%lld/restore", qid);
	if ((st = canh_cli_call(c, "POST", path, NULL, NULL, 0, 1, &resp)) != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else {
		char *spath = canh_cli_sanitize(
		    canh_cli_jstr(resp, "path") ? canh_cli_jstr(resp, "path") : "", 1024);
		canh_cli_say(c->lang, c->out, M_HUNT_RESTORE_ASKED, spath,
			     canh_cli_jll(resp, "host", 0));
		free(spath);
	}
	json_decref(resp);
	return 0;
}

int canh_cli_cmd_quarantine(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_HUNT_USAGE_QUARANTINE, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "quarantine");
	if (strcmp(sub, "list") == 0)
		return q_list(c, argc, argv, p.index);
	if (strcmp(sub, "restore") == 0)
		return q_restore(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "quarantine", sub);
}
