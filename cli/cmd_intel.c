/*
 * canh intel import|list|show|alerts|match (docs/intel.md)
 *
 * import sends the file as it was received (POST /intel/feeds, the bytes untouched: canhd parses
 * every format), so what the server stores is what the authority sent, with its SHA-256.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/feed.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/utf8.h"
#include "cli.h"
#include "table.h"

#define FEED_NAME_MAX 64
#define IMPORT_TIMEOUT_MS (10 * 60 * 1000) /* a million entries take seconds, not minutes */

enum {
	O_KIND = 1,
	O_NAME,
	O_FORMAT,
};

static const struct canh_cli_opt import_opts[] = {
    {"kind", 0, 1, O_KIND},
    {"name", 0, 1, O_NAME},
    {"format", 0, 1, O_FORMAT},
    {NULL, 0, 0, 0},
};

static int name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FEED_NAME_MAX)
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
	return slash ? slash + 1 : path;
}

/*
 * "Danh sách IP Botnet T10.2026.xlsx" -> "Danh-sach-IP-Botnet-T10.2026": the file name without
 * its extension, Vietnamese letters without their marks, other characters as '-' (a run of them
 * once), at most 64 bytes.
 */
static void name_from_file(const char *path, char *out, size_t len)
{
	const char *b = base_name(path);
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b), o = 0;

	for (size_t i = 0; i < n && o + 1 < len && o < FEED_NAME_MAX;) {
		uint32_t cp;
		size_t k = canh_utf8_decode(b + i, n - i, &cp);
		char ch;

		if (k == 0) {
			k = 1;
			cp = 0xfffd;
		}
		i += k;
		ch = cp < 0x80 ? (char)cp : canh_utf8_base_letter(cp);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')) {
			if (cp >= 0x300 && cp <= 0x36f)
				continue; /* a combining mark of decomposed text */
			if (o == 0 || out[o - 1] == '-')
				continue;
			ch = '-';
		}
		out[o++] = ch;
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
}

static const char *kind_label(const struct canh_cli *c, const char *kind)
{
	if (kind && strcmp(kind, "victim") == 0)
		return canh_cli_tr(c, M_INTEL_KIND_VICTIM);
	if (kind && strcmp(kind, "c2") == 0)
		return canh_cli_tr(c, M_INTEL_KIND_C2);
	return kind;
}

static const struct {
	const char *key;
	enum canh_cli_msg_id label;
} entry_types[] = {
    {"ip", M_INTEL_T_IP},   {"domain", M_INTEL_T_DOMAIN}, {"url", M_INTEL_T_URL},
    {"md5", M_INTEL_T_MD5}, {"sha1", M_INTEL_T_SHA1},	  {"sha256", M_INTEL_T_SHA256},
};

static void print_by_type(struct canh_cli *c, const json_t *entries)
{
	for (size_t i = 0; i < sizeof(entry_types) / sizeof(entry_types[0]); i++) {
		long long n = canh_cli_jll(entries, entry_types[i].key, 0);
		if (n > 0)
			canh_cli_say(c->lang, c->out, M_INTEL_BY_TYPE,
				     canh_cli_tr(c, entry_types[i].label), n);
	}
}

/* The rejected rows of an answer: line (and cell), reason. */
static void print_rejects(struct canh_cli *c, const json_t *rejects)
{
	size_t i;
	json_t *r;

	json_array_foreach(rejects, i, r)
	{
		const char *cell = canh_cli_jstr(r, "cell");
		const char *why = canh_cli_jstr(r, "reason");
		char *safe = canh_cli_sanitize(why ? why : "?", 1024);
		if (cell)
			canh_cli_say(c->lang, c->out, M_INTEL_REJECT_CELL,
				     canh_cli_jll(r, "line", 0), cell, safe);
		else
			canh_cli_say(c->lang, c->out, M_INTEL_REJECT_LINE,
				     canh_cli_jll(r, "line", 0), safe);
		free(safe);
	}
}

static int intel_import(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct canh_errmsg em;
	const char *file = NULL, *kind = NULL, *name = NULL, *format = NULL;
	char derived[FEED_NAME_MAX + 1], path[2048], e_name[3 * FEED_NAME_MAX + 1], e_file[800];
	enum canh_feed_format fmt;
	json_t *resp = NULL;
	char *data = NULL;
	size_t len = 0;
	int id, st, rc;

	canh_cli_opt_init(&p, argc, argv, first, import_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_INTEL, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case CANH_OPT_POSITIONAL:
			if (file)
				return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			file = p.value;
			break;
		case O_KIND:
			kind = p.value;
			break;
		case O_NAME:
			name = p.value;
			break;
		case O_FORMAT:
			format = p.value;
			break;
		}
	}
	if (!file)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT,
					    canh_cli_tr(c, M_INTEL_ARG_FILE));
	if (!kind)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--kind");
	if (strcmp(kind, "victim") != 0 && strcmp(kind, "c2") != 0)
		return canh_cli_usage_error(c, M_INTEL_ERR_KIND, kind);
	if (format && canh_feed_format_parse(format, &fmt) != 0)
		return canh_cli_usage_error(c, M_INTEL_ERR_FORMAT, format);
	if (name && !name_valid(name))
		return canh_cli_usage_error(c, M_INTEL_ERR_NAME, name);
	if (!name) {
		name_from_file(file, derived, sizeof(derived));
		if (!name_valid(derived))
			return canh_cli_usage_error(c, M_INTEL_ERR_NO_NAME, file);
		name = derived;
	}
	if (canh_cli_path_escape(name, e_name, sizeof(e_name)) != 0 ||
	    canh_cli_path_escape(base_name(file), e_file, sizeof(e_file)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, file);
	snprintf(path, sizeof(path), "/intel/feeds?name=%s&kind=%s&format=%s&filename=%s", e_name,
		 kind, format ? canh_feed_format_name(fmt) : "auto", e_file);

	rc = canh_file_read(file, CANH_FEED_MAX_FILE, &data, &len, &em);
	if (rc != 0) {
		canh_cli_error(c, M_ERR_READ_FILE, file, canh_cli_file_reason(c, rc, &em));
		return CANH_CLI_EXIT_FAIL;
	}
	if (c->timeout_ms == CANH_CLI_DEFAULT_TIMEOUT_MS)
		c->timeout_ms = IMPORT_TIMEOUT_MS;
	st = canh_cli_call(c, "POST", path, "application/octet-stream", data ? data : "", len, 1,
			   &resp);
	free(data);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else if (json_is_true(json_object_get(resp, "unchanged"))) {
		canh_cli_say(c->lang, c->out, M_INTEL_UNCHANGED, name,
			     canh_cli_jll(resp, "version", 0),
			     canh_cli_jll(json_object_get(resp, "entries"), "total", 0));
	} else {
		json_t *rejects = json_object_get(resp, "rejects");
		long long rejected = canh_cli_jll(resp, "rejected", 0);
		long long shown = (long long)json_array_size(rejects);

		canh_cli_say(c->lang, c->out, M_INTEL_IMPORTED, name,
			     kind_label(c, canh_cli_jstr(resp, "kind")),
			     canh_cli_jll(resp, "version", 0), base_name(file),
			     canh_cli_jll(json_object_get(resp, "entries"), "total", 0), rejected);
		if (canh_cli_jll(resp, "previous", 0) > 0)
			canh_cli_say(c->lang, c->out, M_INTEL_REPLACED,
				     canh_cli_jll(resp, "previous", 0));
		print_by_type(c, json_object_get(resp, "entries"));
		if (json_object_get(resp, "victim_matches"))
			canh_cli_say(c->lang, c->out, M_INTEL_VICTIM_MATCHES,
				     canh_cli_jll(resp, "victim_matches", 0));
		if (rejected > 0) {
			canh_cli_say(c->lang, c->out, M_INTEL_REJECTS_HEAD);
			print_rejects(c, rejects);
			if (rejected > shown)
				canh_cli_say(c->lang, c->out, M_INTEL_REJECTS_MORE,
					     rejected - shown, name);
		}
	}
	rc = !json_is_true(json_object_get(resp, "unchanged")) &&
	     canh_cli_jll(resp, "rejected", 0) > 0;
	json_decref(resp);
	return rc ? CANH_CLI_EXIT_FAIL : CANH_CLI_EXIT_OK;
}

static int intel_list(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	json_t *resp = NULL, *feeds, *f;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_INTEL, NULL, NULL, NULL, NULL, &st))
		return st;
	if (canh_cli_list(c, "/intel/feeds", "feeds", M_INTEL_NO_FEEDS, &resp, &feeds, &st) != 0)
		return st;
	canh_cli_table_init(&t, 7);
	canh_cli_table_align_right(&t, 2);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_align_right(&t, 5);
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_H_FEED), canh_cli_tr(c, M_INTEL_H_KIND),
			   canh_cli_tr(c, M_INTEL_H_VERSION), canh_cli_tr(c, M_INTEL_H_IMPORTED),
			   canh_cli_tr(c, M_INTEL_H_ENTRIES), canh_cli_tr(c, M_INTEL_H_REJECTED),
			   canh_cli_tr(c, M_INTEL_H_FILE));
	json_array_foreach(feeds, i, f)
	{
		char ver[32], when[64], n[32], rej[32];
		canh_cli_table_row(
		    &t, canh_cli_jstr(f, "name"), kind_label(c, canh_cli_jstr(f, "kind")),
		    canh_cli_jint(f, "version", ver, sizeof(ver)),
		    canh_cli_time(canh_cli_jstr(f, "imported_at"), when, sizeof(when)),
		    canh_cli_jint(json_object_get(f, "entries"), "total", n, sizeof(n)),
		    canh_cli_jint(f, "rejected", rej, sizeof(rej)), canh_cli_jstr(f, "filename"));
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

static int intel_show(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	const char *name;
	char path[512], esc[400], ver[32], when[64], n[32], rej[32];
	json_t *f = NULL, *a, *v;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_INTEL, NULL, NULL,
				canh_cli_tr(c, M_INTEL_ARG_NAME), &name, &st))
		return st;
	if (canh_cli_path_escape(name, esc, sizeof(esc)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, name);
	snprintf(path, sizeof(path), "/intel/feeds/%s", esc);
	if ((st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &f)) != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, f);
		json_decref(f);
		return 0;
	}
	a = json_object_get(f, "active");
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_FEED), canh_cli_jstr(f, "name"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_KIND),
			   kind_label(c, canh_cli_jstr(f, "kind")));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_VERSION),
			   canh_cli_jint(a, "version", ver, sizeof(ver)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_FILE), canh_cli_jstr(a, "filename"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_FORMAT), canh_cli_jstr(a, "format"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_SHA256), canh_cli_jstr(a, "sha256"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_IMPORTED),
			   canh_cli_time(canh_cli_jstr(a, "imported_at"), when, sizeof(when)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_IMPORTED_BY),
			   canh_cli_jstr(a, "imported_by"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_ENTRIES),
			   canh_cli_jint(json_object_get(a, "entries"), "total", n, sizeof(n)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_L_REJECTED),
			   canh_cli_jint(a, "rejected", rej, sizeof(rej)));
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	print_by_type(c, json_object_get(a, "entries"));

	fprintf(c->out, "\n%s:\n", canh_cli_tr(c, M_INTEL_L_VERSIONS));
	canh_cli_table_init(&t, 6);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_align_right(&t, 2);
	canh_cli_table_align_right(&t, 3);
	canh_cli_table_row(&t, canh_cli_tr(c, M_INTEL_H_VERSION),
			   canh_cli_tr(c, M_INTEL_H_IMPORTED), canh_cli_tr(c, M_INTEL_H_ENTRIES),
			   canh_cli_tr(c, M_INTEL_H_REJECTED), canh_cli_tr(c, M_INTEL_H_ACTIVE),
			   canh_cli_tr(c, M_INTEL_H_FILE));
	json_array_foreach(json_object_get(f, "versions"), i, v)
	{
		canh_cli_table_row(
		    &t, canh_cli_jint(v, "version", ver, sizeof(ver)),
		    canh_cli_time(canh_cli_jstr(v, "imported_at"), when, sizeof(when)),
		    canh_cli_jint(json_object_get(v, "entries"), "total", n, sizeof(n)),
		    canh_cli_jint(v, "rejected", rej, sizeof(rej)),
		    json_is_true(json_object_get(v, "active")) ? canh_cli_tr(c, M_INTEL_YES) : "",
		    canh_cli_jstr(v, "filename"));
	}
	canh_cli_table_print(&t, c->out, "  ");
	canh_cli_table_release(&t);

	if (canh_cli_jll(a, "rejected", 0) > 0) {
		json_t *rejects = json_object_get(f, "rejects");
		long long more =
		    canh_cli_jll(a, "rejected", 0) - (long long)json_array_size(rejects);
		fputc('\n', c->out);
		canh_cli_say(c->lang, c->out, M_INTEL_REJECTS_HEAD);
		print_rejects(c, rejects);
		if (more > 0)
			canh_cli_say(c->lang, c->out, M_INTEL_REJECTS_KEPT, more);
	}
	json_decref(f);
	return 0;
}

int canh_cli_cmd_intel(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_INTEL, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "intel");
	if (strcmp(sub, "import") == 0)
		return intel_import(c, argc, argv, p.index);
	if (strcmp(sub, "list") == 0)
		return intel_list(c, argc, argv, p.index);
	if (strcmp(sub, "show") == 0)
		return intel_show(c, argc, argv, p.index);
	if (strcmp(sub, "alerts") == 0)
		return canh_cli_intel_alerts(c, argc, argv, p.index);
	if (strcmp(sub, "match") == 0)
		return canh_cli_intel_match(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "intel", sub);
}
