/*
 * canh vuln import|findings|accept|letter|check (docs/vuln.md, "CLI").
 *
 * All but check talk to canhd; check (cmd_vuln_check.c) runs offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "cli.h"
#include "table.h"

/* The largest advisory file canh sends (the server has its own cap, max_advisory_size). */
#define VULN_MAX_UPLOAD (2048ull << 20)
#define VULN_IMPORT_TIMEOUT_MS (600 * 1000)

static const char *severity_text(const struct canh_cli *c, const char *s)
{
	if (!s)
		return NULL;
	if (strcmp(s, "low") == 0)
		return canh_cli_tr(c, M_VULN_CHECK_SEV_LOW);
	if (strcmp(s, "medium") == 0)
		return canh_cli_tr(c, M_VULN_CHECK_SEV_MEDIUM);
	if (strcmp(s, "high") == 0)
		return canh_cli_tr(c, M_VULN_CHECK_SEV_HIGH);
	if (strcmp(s, "critical") == 0)
		return canh_cli_tr(c, M_VULN_CHECK_SEV_CRITICAL);
	return canh_cli_tr(c, M_VULN_CHECK_SEV_UNKNOWN);
}

static const char *status_text(const struct canh_cli *c, const char *s)
{
	if (!s)
		return NULL;
	if (strcmp(s, "open") == 0)
		return canh_cli_tr(c, M_VULN_ST_OPEN);
	if (strcmp(s, "fixed") == 0)
		return canh_cli_tr(c, M_VULN_ST_FIXED);
	if (strcmp(s, "accepted") == 0)
		return canh_cli_tr(c, M_VULN_ST_ACCEPTED);
	if (strcmp(s, "open_overdue") == 0)
		return canh_cli_tr(c, M_VULN_ST_OVERDUE);
	if (strcmp(s, "fixed_late") == 0)
		return canh_cli_tr(c, M_VULN_ST_LATE);
	return s;
}

/* The strings of a JSON array joined with ", " into buf; NULL when it is empty. */
static const char *join(const json_t *arr, char *buf, size_t len)
{
	size_t i, o = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v)
	{
		int n;
		if (!json_is_string(v))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", json_string_value(v));
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	return buf[0] ? buf : NULL;
}

/* ---- import ---- */

enum { O_FORMAT = 1 };

static const struct canh_cli_opt import_opts[] = {
    {"format", 'f', 1, O_FORMAT},
    {NULL, 0, 0, 0},
};

static int vuln_import(struct canh_cli *c, int argc, char **argv, int first)
{
	static const char *const formats[] = {"auto", "debian-tracker", "debian", "osv",
					      "kev",  "letter",		NULL};
	struct canh_cli_optparse p;
	const char *file = NULL, *format = "auto", *base;
	char enc_name[1024], enc_fmt[64], path[1200];
	struct canh_errmsg em;
	json_t *resp = NULL;
	char *data = NULL;
	size_t len = 0;
	int id, st, ok = 0;

	canh_cli_opt_init(&p, argc, argv, first, import_opts, canh_cli_global_opts);
	while (!canh_cli_next_arg(c, &p, M_USAGE_VULN_IMPORT, &id, &st)) {
		if (id == CANH_OPT_END)
			goto parsed;
		if (id == O_FORMAT) {
			format = p.value;
		} else if (!file) {
			file = p.value;
		} else {
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
		}
	}
	return st;
parsed:
	if (!file)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, canh_cli_tr(c, M_ARG_FILE));
	for (const char *const *f = formats; *f; f++)
		ok |= strcmp(*f, format) == 0;
	if (!ok)
		return canh_cli_usage_error(c, M_VULN_ERR_FORMAT, format);
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (!*base)
		base = file;
	if (canh_cli_path_escape(base, enc_name, sizeof(enc_name)) != 0 ||
	    canh_cli_path_escape(format, enc_fmt, sizeof(enc_fmt)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, base);
	snprintf(path, sizeof(path), "/vuln/advisories?format=%s&filename=%s", enc_fmt, enc_name);
	/* The whole tracker takes the server tens of seconds on a busy machine. */
	if (c->timeout_ms == CANH_CLI_DEFAULT_TIMEOUT_MS)
		c->timeout_ms = VULN_IMPORT_TIMEOUT_MS;

	st = canh_file_read(file, VULN_MAX_UPLOAD, &data, &len, &em);
	if (st != 0) {
		canh_cli_error(c, M_ERR_READ_FILE, file, canh_cli_file_reason(c, st, &em));
		return CANH_CLI_EXIT_FAIL;
	}
	st = canh_cli_call(c, "POST", path, "application/octet-stream", data, len, 1, &resp);
	free(data);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else {
		const char *fmt = canh_cli_jstr(resp, "format");
		const char *src = canh_cli_jstr(resp, "source");
		canh_cli_say(c->lang, c->out, M_VULN_IMPORTED, base, fmt ? fmt : "?",
			     src ? src : "?", canh_cli_jll(resp, "advisories", 0),
			     canh_cli_jll(resp, "affected", 0), canh_cli_jll(resp, "kev", 0),
			     canh_cli_jll(resp, "letters", 0), canh_cli_jll(resp, "skipped", 0),
			     canh_cli_jll(resp, "replaced", 0));
		canh_cli_say(c->lang, c->out, M_VULN_REMATCH);
	}
	json_decref(resp);
	return 0;
}

/* ---- findings ---- */

enum { O_UNIT = 1, O_HOST, O_KEV, O_OPEN, O_STATUS, O_LETTER, O_LIMIT };

static const struct canh_cli_opt findings_opts[] = {
    {"unit", 'u', 1, O_UNIT},	{"host", 0, 1, O_HOST},
    {"kev", 0, 0, O_KEV},	{"open", 0, 0, O_OPEN},
    {"status", 0, 1, O_STATUS}, {"letter", 0, 1, O_LETTER},
    {"limit", 0, 1, O_LIMIT},	{NULL, 0, 0, 0},
};

/* "&key=value" (value percent-encoded) appended to b; CANH_ETOOBIG when too long. */
static int query_add(struct canh_buf *b, const char *key, const char *value)
{
	char enc[1024];

	if (canh_cli_path_escape(value, enc, sizeof(enc)) != 0)
		return CANH_ETOOBIG;
	return canh_buf_appendf(b, "%c%s=%s", b->len ? '&' : '?', key, enc);
}

static int vuln_findings(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_buf q = CANH_BUF_INIT(4096);
	struct canh_cli_optparse p;
	struct canh_cli_table t;
	json_t *resp = NULL, *list, *f;
	char path[4200];
	long long n;
	size_t i;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, findings_opts, canh_cli_global_opts);
	while (!canh_cli_next_arg(c, &p, M_USAGE_VULN_FINDINGS, &id, &st)) {
		const char *v = p.value;
		int rc = 0;

		if (id == CANH_OPT_END)
			goto parsed;
		switch (id) {
		case CANH_OPT_POSITIONAL:
			canh_buf_release(&q);
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, v);
		case O_UNIT:
			rc = query_add(&q, "unit", v);
			break;
		case O_HOST:
			if (canh_cli_parse_id(v, &n) != 0) {
				canh_buf_release(&q);
				return canh_cli_usage_error(c, M_ERR_BAD_HOST_ID, v);
			}
			rc = query_add(&q, "host", v);
			break;
		case O_KEV:
			rc = query_add(&q, "kev", "1");
			break;
		case O_OPEN:
			rc = query_add(&q, "status", "open");
			break;
		case O_STATUS:
			if (strcmp(v, "open") && strcmp(v, "fixed") && strcmp(v, "accepted")) {
				canh_buf_release(&q);
				return canh_cli_usage_error(c, M_VULN_ERR_STATUS, v);
			}
			rc = query_add(&q, "status", v);
			break;
		case O_LETTER:
			rc = query_add(&q, "letter", v);
			break;
		case O_LIMIT:
			if (canh_cli_parse_id(v, &n) != 0 || n > 100000) {
				canh_buf_release(&q);
				return canh_cli_usage_error(c, M_VULN_ERR_LIMIT, v);
			}
			rc = query_add(&q, "limit", v);
			break;
		default:
			break;
		}
		if (rc != 0) {
			canh_buf_release(&q);
			return canh_cli_usage_error(c, M_ERR_TOO_LONG, v);
		}
	}
	canh_buf_release(&q);
	return st;
parsed:
	snprintf(path, sizeof(path), "/vuln/findings%s", canh_buf_cstr(&q));
	canh_buf_release(&q);
	if (canh_cli_list(c, path, "findings", M_VULN_NO_FINDINGS, &resp, &list, &st) != 0)
		return st;
	canh_cli_table_init(&t, 11);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_row(
	    &t, canh_cli_tr(c, M_H_ID), canh_cli_tr(c, M_VULN_H_HOST), canh_cli_tr(c, M_H_UNIT),
	    canh_cli_tr(c, M_VULN_CHECK_H_PACKAGE), canh_cli_tr(c, M_VULN_CHECK_H_INSTALLED),
	    canh_cli_tr(c, M_VULN_CHECK_H_FIXED), canh_cli_tr(c, M_VULN_H_ADVISORY),
	    canh_cli_tr(c, M_VULN_CHECK_H_SEVERITY), canh_cli_tr(c, M_VULN_CHECK_H_KEV),
	    canh_cli_tr(c, M_VULN_CHECK_H_LETTER), canh_cli_tr(c, M_VULN_H_STATUS));
	json_array_foreach(list, i, f)
	{
		char sid[32], kev[64], letters[512], adv[300], host[300];
		const char *cve = canh_cli_jstr(f, "cve"), *a = canh_cli_jstr(f, "advisory");
		const char *due = canh_cli_jstr(f, "kev_due"),
			   *fixed = canh_cli_jstr(f, "fixed_version");

		if (cve && a && strcmp(cve, a) != 0)
			snprintf(adv, sizeof(adv), "%s (%s)", cve, a);
		else
			snprintf(adv, sizeof(adv), "%s", a ? a : (cve ? cve : "-"));
		snprintf(host, sizeof(host), "%lld %s", canh_cli_jll(f, "host", 0),
			 canh_cli_jstr(f, "hostname") ? canh_cli_jstr(f, "hostname") : "");
		kev[0] = '\0';
		if (json_is_true(json_object_get(f, "kev"))) {
			if (due)
				canh_cli_format(c, kev, sizeof(kev), M_VULN_CHECK_KEV_DUE, due);
			else
				snprintf(kev, sizeof(kev), "%s",
					 canh_cli_tr(c, M_VULN_CHECK_KEV_YES));
		}
		const char *match = canh_cli_jstr(f, "match");

		/* Undetermined: the source has not decided whether the package is affected. */
		if (!fixed)
			fixed = canh_cli_tr(c, match && strcmp(match, "undetermined") == 0
						   ? M_VULN_CHECK_UNDETERMINED
						   : M_VULN_CHECK_NO_FIX);
		canh_cli_table_row(
		    &t, canh_cli_jint(f, "id", sid, sizeof(sid)), host, canh_cli_jstr(f, "unit"),
		    canh_cli_jstr(f, "package"), canh_cli_jstr(f, "installed_version"), fixed, adv,
		    severity_text(c, canh_cli_jstr(f, "severity")), kev[0] ? kev : NULL,
		    join(json_object_get(f, "letters"), letters, sizeof(letters)),
		    status_text(c, canh_cli_jstr(f, "status")));
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	if (json_is_true(json_object_get(resp, "truncated")))
		canh_cli_say(c->lang, c->out, M_VULN_TRUNCATED, (long long)json_array_size(list));
	json_decref(resp);
	return 0;
}

/* ---- accept ---- */

enum { O_REASON = 1 };

static const struct canh_cli_opt accept_opts[] = {
    {"reason", 'r', 1, O_REASON},
    {NULL, 0, 0, 0},
};

static int vuln_accept(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *arg = NULL, *reason = NULL;
	json_t *body, *resp = NULL;
	char path[64], *text;
	long long fid;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, accept_opts, canh_cli_global_opts);
	while (!canh_cli_next_arg(c, &p, M_USAGE_VULN_ACCEPT, &id, &st)) {
		if (id == CANH_OPT_END)
			goto parsed;
		if (id == O_REASON)
			reason = p.value;
		else if (!arg)
			arg = p.value;
		else
			return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
	}
	return st;
parsed:
	if (!arg)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, canh_cli_tr(c, M_ARG_ID));
	if (canh_cli_parse_id(arg, &fid) != 0)
		return canh_cli_usage_error(c, M_VULN_ERR_ID, arg);
	if (!reason)
		return canh_cli_usage_error(c, M_ERR_MISSING_OPTION, "--reason");
	if (!*reason)
		return canh_cli_usage_error(c, M_VULN_ERR_REASON_EMPTY);
	body = json_object();
	json_object_set_new(body, "reason", json_string(reason));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return canh_cli_usage_error(c, M_ERR_NOT_UTF8, "--reason");
	snprintf(path, sizeof(path), "/vuln/findings/%lld/accept", fid);
	st = canh_cli_call(c, "POST", path, "application/json", text, strlen(text), 1, &resp);
	free(text);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else {
		char *safe = canh_cli_sanitize(reason, 200);
		canh_cli_say(c->lang, c->out, M_VULN_ACCEPTED, fid, safe);
		free(safe);
	}
	json_decref(resp);
	return 0;
}

/* ---- letters ---- */

static int letter_list(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	json_t *resp = NULL, *list, *l;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_VULN_LETTER, NULL, NULL, NULL, NULL,
				&st))
		return st;
	if (canh_cli_list(c, "/vuln/letters", "letters", M_VULN_NO_LETTERS, &resp, &list, &st) != 0)
		return st;
	canh_cli_table_init(&t, 7);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_align_right(&t, 5);
	canh_cli_table_align_right(&t, 6);
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_H_NUMBER), canh_cli_tr(c, M_VULN_H_DATE),
			   canh_cli_tr(c, M_VULN_H_DEADLINE), canh_cli_tr(c, M_VULN_H_TITLE),
			   canh_cli_tr(c, M_VULN_H_CVES), canh_cli_tr(c, M_VULN_H_AFFECTED),
			   canh_cli_tr(c, M_VULN_H_OPEN));
	json_array_foreach(list, i, l)
	{
		char ncve[32], aff[32], open[32];
		snprintf(ncve, sizeof(ncve), "%zu", json_array_size(json_object_get(l, "cves")));
		canh_cli_table_row(&t, canh_cli_jstr(l, "number"), canh_cli_jstr(l, "date"),
				   canh_cli_jstr(l, "deadline"), canh_cli_jstr(l, "title"), ncve,
				   canh_cli_jint(l, "hosts_affected", aff, sizeof(aff)),
				   canh_cli_jint(l, "hosts_open", open, sizeof(open)));
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

static const char *counter(const json_t *o, const char *key, char *buf, size_t len)
{
	return canh_cli_jint(o, key, buf, len);
}

static int letter_show(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_table t;
	const char *number;
	char enc[1024], path[1100], dl[128], cves[4096];
	json_t *l = NULL, *v;
	size_t i;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_VULN_LETTER, NULL, NULL,
				canh_cli_tr(c, M_ARG_LETTER), &number, &st))
		return st;
	/* "1943/CATTT-NCSC": the '/' is sent as %2F, the server takes the rest of the path. */
	if (canh_cli_path_escape(number, enc, sizeof(enc)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, number);
	snprintf(path, sizeof(path), "/vuln/letters/%s", enc);
	st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &l);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, l);
		json_decref(l);
		return 0;
	}
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_LETTER), canh_cli_jstr(l, "number"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_DATE), canh_cli_jstr(l, "date"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_ISSUER), canh_cli_jstr(l, "issuer"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_TITLE), canh_cli_jstr(l, "title"));
	if (canh_cli_jstr(l, "deadline") && json_is_true(json_object_get(l, "deadline_passed")))
		canh_cli_format(c, dl, sizeof(dl), M_VULN_L_DEADLINE_PASSED,
				canh_cli_jstr(l, "deadline"));
	else
		snprintf(dl, sizeof(dl), "%s",
			 canh_cli_jstr(l, "deadline") ? canh_cli_jstr(l, "deadline") : "-");
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_DEADLINE), dl);
	canh_cli_table_row(&t, canh_cli_tr(c, M_VULN_L_CVES),
			   join(json_object_get(l, "cves"), cves, sizeof(cves)));
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);

	fprintf(c->out, "\n%s:", canh_cli_tr(c, M_VULN_L_UNITS));
	if (json_array_size(json_object_get(l, "units")) == 0) {
		fprintf(c->out, " %s\n", canh_cli_tr(c, M_NONE));
	} else {
		fputc('\n', c->out);
		canh_cli_table_init(&t, 9);
		for (size_t k = 2; k < 9; k++)
			canh_cli_table_align_right(&t, k);
		canh_cli_table_row(&t, canh_cli_tr(c, M_H_UNIT), canh_cli_tr(c, M_H_NAME),
				   canh_cli_tr(c, M_VULN_H_AFFECTED),
				   canh_cli_tr(c, M_VULN_H_FIXED), canh_cli_tr(c, M_VULN_H_IN_TIME),
				   canh_cli_tr(c, M_VULN_H_LATE), canh_cli_tr(c, M_VULN_H_OPEN),
				   canh_cli_tr(c, M_VULN_H_OVERDUE),
				   canh_cli_tr(c, M_VULN_H_ACCEPTED));
		json_array_foreach(json_object_get(l, "units"), i, v)
		{
			const json_t *tot = json_object_get(v, "total");
			char n[7][32];
			canh_cli_table_row(&t, canh_cli_jstr(v, "unit"), canh_cli_jstr(v, "name"),
					   counter(tot, "hosts_affected", n[0], 32),
					   counter(tot, "hosts_fixed", n[1], 32),
					   counter(tot, "fixed_before_deadline", n[2], 32),
					   counter(tot, "fixed_after_deadline", n[3], 32),
					   counter(tot, "open", n[4], 32),
					   counter(tot, "open_overdue", n[5], 32),
					   counter(tot, "accepted", n[6], 32));
		}
		canh_cli_table_print(&t, c->out, "  ");
		canh_cli_table_release(&t);
	}

	fprintf(c->out, "\n%s:", canh_cli_tr(c, M_VULN_L_HOSTS));
	if (json_array_size(json_object_get(l, "hosts")) == 0) {
		fprintf(c->out, " %s\n", canh_cli_tr(c, M_NONE));
	} else {
		fputc('\n', c->out);
		canh_cli_table_init(&t, 6);
		canh_cli_table_align_right(&t, 0);
		canh_cli_table_row(&t, canh_cli_tr(c, M_H_ID), canh_cli_tr(c, M_H_HOSTNAME),
				   canh_cli_tr(c, M_H_UNIT), canh_cli_tr(c, M_VULN_H_STATE),
				   canh_cli_tr(c, M_VULN_H_OPENED),
				   canh_cli_tr(c, M_VULN_H_FIXED_AT));
		json_array_foreach(json_object_get(l, "hosts"), i, v)
		{
			char sid[32], t1[64], t2[64];
			canh_cli_table_row(
			    &t, canh_cli_jint(v, "host", sid, sizeof(sid)),
			    canh_cli_jstr(v, "hostname"), canh_cli_jstr(v, "unit"),
			    status_text(c, canh_cli_jstr(v, "state")),
			    canh_cli_time(canh_cli_jstr(v, "opened_at"), t1, sizeof(t1)),
			    canh_cli_time(canh_cli_jstr(v, "fixed_at"), t2, sizeof(t2)));
		}
		canh_cli_table_print(&t, c->out, "  ");
		canh_cli_table_release(&t);
	}
	json_decref(l);
	return 0;
}

static int vuln_letter(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_VULN_LETTER, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "vuln letter");
	if (strcmp(sub, "list") == 0)
		return letter_list(c, argc, argv, p.index);
	if (strcmp(sub, "show") == 0)
		return letter_show(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "vuln letter", sub);
}

int canh_cli_cmd_vuln(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_VULN, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "vuln");
	if (strcmp(sub, "check") == 0)
		return canh_cli_vuln_check(c, argc, argv, p.index);
	if (strcmp(sub, "import") == 0)
		return vuln_import(c, argc, argv, p.index);
	if (strcmp(sub, "findings") == 0)
		return vuln_findings(c, argc, argv, p.index);
	if (strcmp(sub, "accept") == 0)
		return vuln_accept(c, argc, argv, p.index);
	if (strcmp(sub, "letter") == 0)
		return vuln_letter(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "vuln", sub);
}
