/*
 * canh rules upload|list|show (YARA rule sets and hash lists on canhd, docs/malware.md) and
 * canh rules check (Sigma rules, offline: cmd_rules_check.c).
 *
 * upload of a directory: every *.yar / *.yara file below it, in the byte order of their paths
 * (canh/yarac.h), compiled here first so that an error names its own file and line, then sent
 * as one source, the files concatenated in that order with a newline between them. A YARA
 * "include" is not followed on the server: a rule set is self-contained.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/buf.h"
#include "canh/fs.h"
#include "canh/scan.h"
#include "canh/yarac.h"
#include "cli.h"
#include "table.h"

#define NAME_MAX_LEN 64
#define UPLOAD_MAX ((size_t)64 << 20)

enum {
	O_NAME = 1,
	O_KIND,
};

static const struct canh_cli_opt upload_opts[] = {
    {"name", 0, 1, O_NAME},
    {"kind", 0, 1, O_KIND},
    {NULL, 0, 0, 0},
};

static int name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

struct diag_ctx {
	struct canh_cli *c;
	size_t errors;
};

static void diag(void *ctx, const char *file, int line, const char *message, int warning)
{
	struct diag_ctx *d = ctx;

	if (warning)
		return;
	d->errors++;
	canh_cli_error(d->c, M_HUNT_ERR_DIAG, file, line, message);
}

/* The YARA sources of src (a file or a directory), checked, concatenated into out. */
static int yara_source(struct canh_cli *c, const char *src, struct canh_buf *out)
{
	struct canh_scan_rules *rules = NULL;
	struct diag_ctx d = {.c = c};
	struct canh_errmsg em;
	char **files = NULL;
	size_t nfiles = 0;
	int rc;

	rc = canh_yarac_compile_paths(&src, 1, &rules, diag, &d, &em);
	canh_scan_rules_free(rules);
	if (rc != 0 && d.errors) {
		canh_cli_error(c, M_HUNT_ERR_COMPILE, src, d.errors);
		return CANH_CLI_EXIT_FAIL;
	}
	if (rc == 0)
		rc = canh_yarac_list_files(&src, 1, &files, &nfiles, &em);
	if (rc != 0) {
		canh_cli_error(c, M_HUNT_ERR_SOURCES, src, em.text);
		return CANH_CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < nfiles && rc == 0; i++) {
		char *data = NULL;
		size_t len = 0;
		rc = canh_file_read(files[i], CANH_YARAC_MAX_FILE, &data, &len, &em);
		if (rc != 0) {
			canh_cli_error(c, M_ERR_READ_FILE, files[i],
				       canh_cli_file_reason(c, rc, &em));
			break;
		}
		if (out->len + len + 1 > UPLOAD_MAX) {
			canh_cli_error(c, M_HUNT_ERR_TOO_BIG, src, UPLOAD_MAX);
			rc = CANH_ETOOBIG;
		} else {
			canh_buf_append(out, data, len);
			if (len && data[len - 1] != '\n')
				canh_buf_putc(out, '\n');
		}
		free(data);
	}
	canh_yarac_files_free(files, nfiles);
	return rc == 0 ? 0 : CANH_CLI_EXIT_FAIL;
}

static int rules_upload(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct canh_errmsg em;
	const char *src = NULL, *name = NULL, *kind = "yara";
	char path[1200], e_file[800];
	struct canh_buf body;
	json_t *resp = NULL;
	int id, st, rc;

	canh_cli_opt_init(&p, argc, argv, first, upload_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_HUNT_USAGE_RULES, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL) {
			if (src)
				return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			src = p.value;
		} else if (id == O_NAME) {
			name = p.value;
		} else if (id == O_KIND) {
			kind = p.value;
		}
	}
	if (!src)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT,
					    canh_cli_tr(c, M_HUNT_ARG_SOURCE));
	if (!name)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--name");
	if (!name_valid(name))
		return canh_cli_usage_error(c, M_HUNT_ERR_NAME, name);
	if (strcmp(kind, "yara") != 0 && strcmp(kind, "hashes") != 0)
		return canh_cli_usage_error(c, M_HUNT_ERR_KIND, kind);
	if (canh_cli_path_escape(base_name(src), e_file, sizeof(e_file)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, src);

	canh_buf_init(&body, UPLOAD_MAX);
	if (strcmp(kind, "yara") == 0) {
		struct stat sb;
		if ((st = yara_source(c, src, &body)) != 0)
			goto out;
		/* A directory is named after itself, with the .yar the server expects of a name. */
		if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
			snprintf(e_file + strlen(e_file), sizeof(e_file) - strlen(e_file), ".yar");
	} else {
		char *data = NULL;
		size_t len = 0;
		rc = canh_file_read(src, UPLOAD_MAX, &data, &len, &em);
		if (rc != 0) {
			canh_cli_error(c, M_ERR_READ_FILE, src, canh_cli_file_reason(c, rc, &em));
			st = CANH_CLI_EXIT_FAIL;
			goto out;
		}
		canh_buf_append(&body, data, len);
		free(data);
	}
	snprintf(path, sizeof(path), "/rules?name=%s&kind=%s&filename=%s", name, kind, e_file);
	st = canh_cli_call(c, "POST", path, "text/plain; charset=utf-8", body.data ? body.data : "",
			   body.len, 1, &resp);
	if (st != 0)
		goto out;
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else if (json_is_true(json_object_get(resp, "unchanged"))) {
		canh_cli_say(c->lang, c->out, M_HUNT_UNCHANGED, name,
			     canh_cli_jll(resp, "version", 0));
	} else if (strcmp(kind, "yara") == 0) {
		canh_cli_say(c->lang, c->out, M_HUNT_UPLOADED_YARA, name,
			     canh_cli_jll(resp, "version", 0), canh_cli_jll(resp, "rules", 0),
			     canh_cli_jll(resp, "size", 0), canh_cli_jll(resp, "compiled_size", 0));
		canh_cli_say(c->lang, c->out, M_HUNT_SHA256, canh_cli_jstr(resp, "sha256"));
	} else {
		canh_cli_say(c->lang, c->out, M_HUNT_UPLOADED_HASHES, name,
			     canh_cli_jll(resp, "version", 0), canh_cli_jll(resp, "rules", 0));
		canh_cli_say(c->lang, c->out, M_HUNT_SHA256, canh_cli_jstr(resp, "sha256"));
	}
	json_decref(resp);
out:
	canh_buf_release(&body);
	return st;
}

static void ruleset_row(struct canh_cli_table *t, const struct canh_cli *c, const json_t *r)
{
	char ver[32], n[32], size[32], when[64];

	(void)c;
	canh_cli_table_row(t, canh_cli_jstr(r, "name"), canh_cli_jstr(r, "kind"),
			   canh_cli_jint(r, "version", ver, sizeof(ver)),
			   canh_cli_jint(r, "rules", n, sizeof(n)),
			   canh_cli_jint(r, "size", size, sizeof(size)),
			   canh_cli_time(canh_cli_jstr(r, "uploaded_at"), when, sizeof(when)));
}

static void ruleset_head(struct canh_cli_table *t, const struct canh_cli *c)
{
	canh_cli_table_init(t, 6);
	canh_cli_table_align_right(t, 2);
	canh_cli_table_align_right(t, 3);
	canh_cli_table_align_right(t, 4);
	canh_cli_table_row(t, canh_cli_tr(c, M_HUNT_H_NAME), canh_cli_tr(c, M_HUNT_H_KIND),
			   canh_cli_tr(c, M_HUNT_H_VERSION), canh_cli_tr(c, M_HUNT_H_ENTRIES),
			   canh_cli_tr(c, M_HUNT_H_SIZE), canh_cli_tr(c, M_HUNT_H_UPLOADED));
}

static int rules_list(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	json_t *resp = NULL, *arr, *r;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_HUNT_USAGE_RULES, NULL, NULL, NULL, NULL,
				&st))
		return st;
	if (canh_cli_list(c, "/rules", "rules", M_HUNT_NO_RULES, &resp, &arr, &st) != 0)
		return st;
	ruleset_head(&t, c);
	json_array_foreach(arr, i, r) ruleset_row(&t, c, r);
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

static int rules_show(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	const char *name;
	char path[256];
	json_t *resp = NULL, *r;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_HUNT_USAGE_RULES, NULL, NULL,
				canh_cli_tr(c, M_HUNT_ARG_NAME), &name, &st))
		return st;
	if (!name_valid(name))
		return canh_cli_usage_error(c, M_HUNT_ERR_NAME, name);
	snprintf(path, sizeof(path), "/rules/%s", name);
	if ((st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &resp)) != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
		json_decref(resp);
		return 0;
	}
	ruleset_head(&t, c);
	json_array_foreach(json_object_get(resp, "history"), i, r) ruleset_row(&t, c, r);
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	canh_cli_say(c->lang, c->out, M_HUNT_SHA256, canh_cli_jstr(resp, "sha256"));
	json_decref(resp);
	return 0;
}

int canh_cli_cmd_rules(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_HUNT_USAGE_RULES, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "rules");
	if (strcmp(sub, "check") == 0)
		return canh_cli_rules_check(c, argc, argv, p.index);
	if (strcmp(sub, "upload") == 0)
		return rules_upload(c, argc, argv, p.index);
	if (strcmp(sub, "list") == 0)
		return rules_list(c, argc, argv, p.index);
	if (strcmp(sub, "show") == 0)
		return rules_show(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "rules", sub);
}
