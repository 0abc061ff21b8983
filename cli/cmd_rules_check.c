/*
 * canh rules check [--quiet] [--expand NAME=VALUE,...] DIR|FILE...
 *
 * Loads Sigma rules the way canhd and canh logtest do and reports each one:
 * loaded, skipped (unsupported feature, with the reason) or an error (line
 * and column). Correlations whose references cannot be resolved are checked
 * too (compile step). Exit 1 when any rule has an error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/mem.h"
#include "canh/sigma.h"
#include "cli.h"
#include "logs_common.h"

enum {
	O_QUIET = 1,
	O_EXPAND,
};

static const struct canh_cli_opt check_opts[] = {
    {"quiet", 'q', 0, O_QUIET},
    {"expand", 0, 1, O_EXPAND},
    {NULL, 0, 0, 0},
};

struct check {
	struct canh_cli *c;
	bool quiet;
	size_t loaded, skipped, errors;
};

static void on_report(void *arg, const struct canh_sigma_report *r)
{
	struct check *k = arg;
	struct canh_cli *c = k->c;
	const char *id = r->id[0] ? r->id : "-";
	if (r->status == CANH_SIGMA_LOADED)
		k->loaded++;
	else if (r->status == CANH_SIGMA_SKIPPED)
		k->skipped++;
	else
		k->errors++;
	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(r->source));
		json_object_set_new(o, "document", json_integer(r->doc));
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "title", json_string(r->title));
		json_object_set_new(o, "status",
				    json_string(r->status == CANH_SIGMA_LOADED	  ? "ok"
						: r->status == CANH_SIGMA_SKIPPED ? "skipped"
										  : "error"));
		if (r->line) {
			json_object_set_new(o, "line", json_integer(r->line));
			json_object_set_new(o, "column", json_integer(r->column));
		}
		if (r->reason[0])
			json_object_set_new(o, "reason", json_string(r->reason));
		char *t = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (t)
			fprintf(c->out, "%s\n", t);
		free(t);
		json_decref(o);
		return;
	}
	switch (r->status) {
	case CANH_SIGMA_LOADED:
		if (!k->quiet)
			canh_cli_say(c->lang, c->out, M_RULES_CHECK_OK, r->source, id, r->title);
		break;
	case CANH_SIGMA_SKIPPED:
		canh_cli_say(c->lang, c->out, M_RULES_CHECK_SKIPPED, r->source, id, r->title,
			     r->reason);
		break;
	default:
		canh_cli_say(c->lang, c->out, M_RULES_CHECK_ERROR, r->source, r->line, r->column,
			     id, r->reason);
		break;
	}
}

int canh_cli_rules_check(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct check k = {.c = c};
	struct canh_logs_expand ex;
	const char **paths = canh_xcalloc((size_t)argc + 1, sizeof(*paths));
	size_t npaths = 0;
	int id, st, status = CANH_CLI_EXIT_OK;

	canh_logs_expand_init(&ex);
	canh_cli_opt_init(&p, argc, argv, first, check_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_RULES_CHECK, &id, &st)) {
			status = st;
			goto out;
		}
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL)
			paths[npaths++] = p.value;
		else if (id == O_QUIET)
			k.quiet = true;
		else if (id == O_EXPAND && canh_logs_expand_add(&ex, p.value) < 0) {
			status = canh_cli_usage_error(c, M_LOGTEST_ERR_EXPAND, p.value);
			goto out;
		}
	}
	if (npaths == 0) {
		status = canh_cli_usage_error(c, M_RULES_CHECK_ERR_NO_PATH);
		goto out;
	}
	struct canh_sigma_opts so = {0};
	canh_logs_expand_opts(&ex, &so);
	struct canh_sigma *s = canh_sigma_new(&so);
	for (size_t i = 0; i < npaths; i++) {
		struct canh_errmsg em = {{0}};
		int rc = canh_sigma_load_path(s, paths[i], on_report, &k, &em);
		if (rc < 0 && rc != CANH_EPARSE) {
			canh_cli_error(c, M_RULES_CHECK_ERR_PATH, paths[i], em.text);
			k.errors++;
		}
	}
	/* Compiling drops unresolved correlations: count them as errors, not loaded. */
	size_t before = k.errors + k.skipped;
	struct canh_errmsg em = {{0}};
	if (canh_sigma_compile(s, on_report, &k, &em) < 0) {
		canh_cli_error(c, M_LOGTEST_ERR_COMPILE, em.text);
		k.errors++;
	}
	k.loaded -= (k.errors + k.skipped) - before;
	canh_sigma_free(s);
	if (c->json) {
		fprintf(
		    c->out,
		    "{\"summary\":{\"rules\":%zu,\"loaded\":%zu,\"skipped\":%zu,\"errors\":%zu}}\n",
		    k.loaded + k.skipped + k.errors, k.loaded, k.skipped, k.errors);
	} else {
		canh_cli_say(c->lang, c->out, M_RULES_CHECK_SUMMARY,
			     k.loaded + k.skipped + k.errors, k.loaded, k.skipped, k.errors);
	}
	status = k.errors ? CANH_CLI_EXIT_FAIL : CANH_CLI_EXIT_OK;
out:
	canh_logs_expand_release(&ex);
	free(paths);
	return status;
}
