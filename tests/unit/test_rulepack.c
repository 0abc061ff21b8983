/*
 * The shipped rule pack (rules/sigma/) through the real decoders and the
 * real Sigma engine: every rule loads, and the lines of tests/data/rules/
 * (format in tests/data/rules/README.md) alert or stay quiet as they say.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/decode.h"
#include "canh/error.h"
#include "canh/event.h"
#include "canh/sigma.h"
#include "canh/time.h"

#define PACK CANH_TEST_DATA "/../../rules/sigma"
#define MAX_COVER 256

struct loadrep {
	int loaded, other;
};

static void on_report(void *arg, const struct canh_sigma_report *r)
{
	struct loadrep *lr = arg;
	if (r->status == CANH_SIGMA_LOADED) {
		lr->loaded++;
	} else {
		lr->other++;
		fprintf(stderr, "%s:%u:%u: %s: %s\n", r->source, r->line, r->column, r->id,
			r->reason);
	}
}

static struct canh_sigma *load_pack(void)
{
	struct canh_sigma *s = canh_sigma_new(NULL);
	struct loadrep lr = {0};
	struct canh_errmsg em = {0};
	int rc = canh_sigma_load_path(s, PACK, on_report, &lr, &em);
	assert_int_equal(rc, 0);
	assert_int_equal(canh_sigma_compile(s, on_report, &lr, &em), 0);
	assert_int_equal(lr.other, 0);
	assert_true(lr.loaded >= 30);
	return s;
}

struct run {
	struct canh_sigma *s;
	struct canh_decoder_ctx dec;
	struct canh_event ev;
	enum canh_log_format fmt;
	char path[256];
	struct canh_log_source src;
	char rule[64];
	bool fired;
	const char *file;
	int lineno;
	int failures, alerts_checked, quiet_checked;
	char covered[MAX_COVER][64];
	int ncovered;
};

static void on_alert(void *arg, const struct canh_sigma_alert *a)
{
	struct run *r = arg;
	if (strcmp(a->rule->id, r->rule) == 0)
		r->fired = true;
}

static void fresh(struct run *r)
{
	if (r->s)
		canh_sigma_free(r->s);
	canh_decoder_release(&r->dec);
	r->s = load_pack();
	canh_decoder_init(&r->dec);
}

static void drain_end(struct run *r)
{
	while (canh_decode_finish(&r->dec, &r->ev) == CANH_DECODE_EVENT)
		canh_sigma_eval(r->s, &r->ev, on_alert, r);
}

/* Decode one line and evaluate every event it completes; whether the rule alerted. */
static bool feed(struct run *r, const char *line)
{
	r->fired = false;
	r->src.path = r->path[0] ? r->path : NULL;
	if (canh_decode_line(&r->dec, line, strlen(line), r->fmt, &r->src, &r->ev) ==
	    CANH_DECODE_EVENT)
		canh_sigma_eval(r->s, &r->ev, on_alert, r);
	while (canh_decode_next(&r->dec, &r->ev) == CANH_DECODE_EVENT)
		canh_sigma_eval(r->s, &r->ev, on_alert, r);
	return r->fired;
}

/* TEXT with {i} and {i2} replaced by i. */
static void expand(const char *t, int i, char *out, size_t n)
{
	size_t o = 0;
	while (*t && o + 8 < n) {
		if (strncmp(t, "{i2}", 4) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%02d", i);
			t += 4;
		} else if (strncmp(t, "{i}", 3) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%d", i);
			t += 3;
		} else {
			out[o++] = *t++;
		}
	}
	out[o] = '\0';
}

static void expect(struct run *r, const char *line, bool want)
{
	bool got = feed(r, line);
	if (want)
		r->alerts_checked++;
	else
		r->quiet_checked++;
	if (got != want) {
		fprintf(stderr, "%s:%d: rule %s %s on: %s\n", r->file, r->lineno, r->rule,
			want ? "did not alert" : "alerted", line);
		r->failures++;
	}
	if (want && r->ncovered < MAX_COVER)
		snprintf(r->covered[r->ncovered++], sizeof(r->covered[0]), "%s", r->rule);
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void run_file(struct run *r, const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[16384], tmp[16384];
	r->file = path;
	r->lineno = 0;
	r->fmt = CANH_LOG_AUTO;
	r->path[0] = '\0';
	r->rule[0] = '\0';
	fresh(r);
	while (fgets(buf, sizeof(buf), f)) {
		r->lineno++;
		size_t n = strlen(buf);
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0 || buf[0] == '#')
			continue;
		if (strncmp(buf, "rule:", 5) == 0) {
			snprintf(r->rule, sizeof(r->rule), "%s", trim(buf + 5));
		} else if (strncmp(buf, "format:", 7) == 0) {
			assert_int_equal(canh_log_format_parse(trim(buf + 7), &r->fmt), 0);
		} else if (strncmp(buf, "path:", 5) == 0) {
			snprintf(r->path, sizeof(r->path), "%s", trim(buf + 5));
		} else if (strcmp(buf, "reset") == 0) {
			drain_end(r);
			fresh(r);
		} else if (strncmp(buf, "line: ", 6) == 0) {
			expect(r, buf + 6, false);
		} else if (strncmp(buf, "alert: ", 7) == 0) {
			expect(r, buf + 7, true);
		} else if (strncmp(buf, "repeat ", 7) == 0) {
			char *end;
			long k = strtol(buf + 7, &end, 10);
			if (k <= 0 || k > 1000 || strncmp(end, " line: ", 7) != 0) {
				fprintf(stderr, "%s:%d: bad repeat\n", path, r->lineno);
				r->failures++;
				continue;
			}
			for (int i = 0; i < (int)k; i++) {
				expand(end + 7, i, tmp, sizeof(tmp));
				expect(r, tmp, false);
			}
		} else {
			fprintf(stderr, "%s:%d: unknown directive\n", path, r->lineno);
			r->failures++;
		}
	}
	drain_end(r);
	fclose(f);
}

static void test_pack(void **state)
{
	(void)state;
	static struct run r;
	memset(&r, 0, sizeof(r));
	canh_event_init(&r.ev);
	canh_decoder_init(&r.dec);
	canh_time_parse("2026-11-21T12:00:00Z", &r.src.recv_ms);
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/rules", CANH_TEST_DATA);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		char p[2048];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		run_file(&r, p);
		files++;
	}
	closedir(d);
	/* Every rule that alerts on its own (no `name`: not a correlation's building block). */
	int uncovered = 0;
	for (size_t i = 0; i < canh_sigma_rule_count(r.s); i++) {
		const struct canh_sigma_rule_info *ri = canh_sigma_rule(r.s, i);
		if (ri->name && ri->name[0])
			continue;
		bool cov = false;
		for (int k = 0; k < r.ncovered && !cov; k++)
			cov = strcmp(r.covered[k], ri->id) == 0;
		if (!cov) {
			fprintf(stderr, "rule %s (%s) has no alert: line in tests/data/rules\n",
				ri->id, ri->title);
			uncovered++;
		}
	}
	fprintf(stderr,
		"rule pack: %d files, %d must-alert lines, %d must-not lines, %d failures\n", files,
		r.alerts_checked, r.quiet_checked, r.failures);
	canh_sigma_free(r.s);
	canh_decoder_release(&r.dec);
	canh_event_release(&r.ev);
	assert_true(files >= 10);
	assert_int_equal(uncovered, 0);
	assert_int_equal(r.failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
