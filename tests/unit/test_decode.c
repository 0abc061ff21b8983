/*
 * Decoders (lib/decode*.c): tests as data in tests/data/decode/ (*.txt files), then
 * the year of lines without one, zones, and the auditd joining table.
 *
 * Data format: blocks separated by blank lines; '#' starts a comment line.
 *   format: NAME          decoder format for the following blocks (default auto)
 *   path: PATH            source file path (sets the service of some lines)
 *   ref: RFC3339          receive time (year reference), "-" for none
 *   tz: ZONE              zone of lines without one (default +07:00)
 *   line: TEXT            a line to decode (several lines: fed in order)
 *   count: N              events produced by the block's lines (and at the end)
 *   event: K              following checks are about event K (0-based, default 0)
 *   logsource: P/S/C      product/service/category ("" parts allowed)
 *   time: RFC3339         event time
 *   host: NAME            event host
 *   field NAME = VALUE    the field must be set to exactly VALUE
 *   nofield NAME          the field must be absent
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canh/decode.h"
#include "canh/error.h"
#include "canh/event.h"
#include "canh/time.h"

#define MAXEV 16

struct runner {
	struct canh_decoder_ctx ctx;
	struct canh_event ev[MAXEV];
	int nev;
	char lines[16][9000];
	int nlines;
	enum canh_log_format fmt;
	char path[256];
	struct canh_log_source src;
	int tz;
	int failures;
	int checks;
	int blocks;
	const char *file;
	int lineno;
	int cur;
	int block_failed;
};

static void fail_at(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_at(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: ", r->file, r->lineno);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	r->failures++;
	r->block_failed = 1;
}

static void take(struct runner *r, int rc, struct canh_event *tmp)
{
	if (rc != CANH_DECODE_EVENT)
		return;
	if (r->nev >= MAXEV)
		return;
	/* Copy tmp into the next slot: re-set every field (raw stays borrowed). */
	struct canh_event *d = &r->ev[r->nev++];
	canh_event_reset(d);
	canh_event_set_logsource(d, tmp->product, tmp->service, tmp->category);
	d->time_ms = tmp->time_ms;
	size_t hl;
	const char *h = canh_event_host(tmp, &hl);
	if (h)
		canh_event_set_host(d, h, hl);
	for (unsigned i = 0; i < tmp->nfields; i++) {
		size_t l;
		const char *v = canh_event_value(tmp, i, &l);
		canh_event_set(d, tmp->fields[i].id, v, l);
	}
}

static void run_block(struct runner *r)
{
	struct canh_event tmp;
	canh_event_init(&tmp);
	r->nev = 0;
	r->cur = 0;
	r->block_failed = 0;
	canh_decoder_release(&r->ctx);
	canh_decoder_init(&r->ctx);
	r->ctx.tz_offset_min = r->tz;
	r->src.path = r->path[0] ? r->path : NULL;
	for (int i = 0; i < r->nlines; i++) {
		take(r,
		     canh_decode_line(&r->ctx, r->lines[i], strlen(r->lines[i]), r->fmt, &r->src,
				      &tmp),
		     &tmp);
		while (canh_decode_next(&r->ctx, &tmp) == CANH_DECODE_EVENT)
			take(r, CANH_DECODE_EVENT, &tmp);
	}
	while (canh_decode_finish(&r->ctx, &tmp) == CANH_DECODE_EVENT)
		take(r, CANH_DECODE_EVENT, &tmp);
	canh_event_release(&tmp);
	r->blocks++;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static struct canh_event *cur(struct runner *r)
{
	if (r->cur >= r->nev) {
		fail_at(r, "no event %d (the block made %d)", r->cur, r->nev);
		return NULL;
	}
	return &r->ev[r->cur];
}

static void check(struct runner *r, char *l)
{
	struct canh_event *ev;
	r->checks++;
	if (strncmp(l, "count:", 6) == 0) {
		int want = (int)strtol(trim(l + 6), NULL, 10);
		if (want != r->nev)
			fail_at(r, "count: want %d events, got %d", want, r->nev);
	} else if (strncmp(l, "event:", 6) == 0) {
		r->cur = (int)strtol(trim(l + 6), NULL, 10);
	} else if (strncmp(l, "logsource:", 10) == 0) {
		if (!(ev = cur(r)))
			return;
		char got[200];
		snprintf(got, sizeof(got), "%s/%s/%s", ev->product, ev->service, ev->category);
		if (strcmp(got, trim(l + 10)) != 0)
			fail_at(r, "logsource: want '%s', got '%s'", trim(l + 10), got);
	} else if (strncmp(l, "time:", 5) == 0) {
		if (!(ev = cur(r)))
			return;
		int64_t t;
		if (canh_time_parse(trim(l + 5), &t) != 0) {
			fail_at(r, "bad time in test");
			return;
		}
		if (t != ev->time_ms) {
			char b[CANH_TIME_BUFSZ];
			fail_at(r, "time: want %s, got %s", trim(l + 5),
				canh_time_format(ev->time_ms, b, sizeof(b)));
		}
	} else if (strncmp(l, "host:", 5) == 0) {
		if (!(ev = cur(r)))
			return;
		size_t hl;
		const char *h = canh_event_host(ev, &hl);
		const char *want = trim(l + 5);
		if (!h || hl != strlen(want) || memcmp(h, want, hl) != 0)
			fail_at(r, "host: want '%s', got '%.*s'", want, h ? (int)hl : 6,
				h ? h : "(none)");
	} else if (strncmp(l, "field ", 6) == 0) {
		if (!(ev = cur(r)))
			return;
		char *eq = strstr(l + 6, " = ");
		if (!eq) {
			fail_at(r, "field line without ' = '");
			return;
		}
		*eq = '\0';
		const char *name = trim(l + 6), *want = eq + 3;
		size_t wl = strlen(want);
		while (wl && (want[wl - 1] == '\n' || want[wl - 1] == '\r'))
			wl--;
		int id = canh_field_lookup(name, strlen(name));
		size_t vl;
		const char *v = id >= 0 ? canh_event_get(ev, id, &vl) : NULL;
		if (!v)
			fail_at(r, "field %s: want '%.*s', absent", name, (int)wl, want);
		else if (vl != wl || memcmp(v, want, wl) != 0)
			fail_at(r, "field %s: want '%.*s', got '%.*s'", name, (int)wl, want,
				(int)vl, v);
	} else if (strncmp(l, "nofield ", 8) == 0) {
		if (!(ev = cur(r)))
			return;
		const char *name = trim(l + 8);
		int id = canh_field_lookup(name, strlen(name));
		size_t vl;
		const char *v = id >= 0 ? canh_event_get(ev, id, &vl) : NULL;
		if (v)
			fail_at(r, "field %s: want absent, got '%.*s'", name, (int)vl, v);
	} else {
		fail_at(r, "unknown test line '%s'", l);
	}
}

static void dump_block(struct runner *r)
{
	for (int i = 0; i < r->nev; i++) {
		json_t *j = canh_event_json(&r->ev[i]);
		char *s = json_dumps(j, JSON_COMPACT);
		fprintf(stderr, "  event %d: %s\n", i, s);
		free(s);
		json_decref(j);
	}
}

static void run_file(struct runner *r, const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[9000];
	r->file = path;
	r->lineno = 0;
	r->nlines = 0;
	r->fmt = CANH_LOG_AUTO;
	r->path[0] = '\0';
	r->tz = 420;
	memset(&r->src, 0, sizeof(r->src));
	canh_time_parse("2026-11-21T12:00:00Z", &r->src.recv_ms);
	int ran = 0, failed_before = r->failures;
	for (;;) {
		char *got = fgets(buf, sizeof(buf), f);
		r->lineno++;
		char *l = got ? buf : NULL;
		if (l) {
			size_t n = strlen(l);
			while (n && (l[n - 1] == '\n' || l[n - 1] == '\r'))
				l[--n] = '\0';
		}
		if (!l || l[0] == '\0') {
			if (r->nlines && !ran) {
				run_block(r);
				ran = 1;
			}
			if (r->nlines && r->failures != failed_before)
				dump_block(r);
			failed_before = r->failures;
			r->nlines = 0;
			ran = 0;
			if (!l)
				break;
			continue;
		}
		if (l[0] == '#')
			continue;
		if (strncmp(l, "line: ", 6) == 0) {
			if (r->nlines < 16)
				snprintf(r->lines[r->nlines++], sizeof(r->lines[0]), "%s", l + 6);
			continue;
		}
		if (strncmp(l, "format:", 7) == 0) {
			assert_int_equal(canh_log_format_parse(trim(l + 7), &r->fmt), 0);
			continue;
		}
		if (strncmp(l, "path:", 5) == 0) {
			snprintf(r->path, sizeof(r->path), "%s", trim(l + 5));
			continue;
		}
		if (strncmp(l, "ref:", 4) == 0) {
			const char *v = trim(l + 4);
			if (strcmp(v, "-") == 0)
				r->src.recv_ms = 0;
			else
				assert_int_equal(canh_time_parse(v, &r->src.recv_ms), 0);
			continue;
		}
		if (strncmp(l, "tz:", 3) == 0) {
			assert_int_equal(canh_tz_parse(trim(l + 3), &r->tz), 0);
			continue;
		}
		if (!ran) {
			run_block(r);
			ran = 1;
		}
		check(r, l);
	}
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_data_files(void **state)
{
	(void)state;
	static struct runner r;
	memset(&r, 0, sizeof(r));
	canh_decoder_init(&r.ctx);
	for (int i = 0; i < MAXEV; i++)
		canh_event_init(&r.ev[i]);
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/decode", CANH_TEST_DATA);
	DIR *d = opendir(dir);
	assert_non_null(d);
	char *names[256];
	int nn = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nn < 256) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0)
			names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)nn, sizeof(names[0]), cmp_str);
	for (int i = 0; i < nn; i++) {
		char p[2048];
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		run_file(&r, p);
		free(names[i]);
	}
	fprintf(stderr, "decode data: %d files, %d blocks, %d checks, %d failures\n", nn, r.blocks,
		r.checks, r.failures);
	assert_true(nn >= 8);
	assert_true(r.checks > 200);
	for (int i = 0; i < MAXEV; i++)
		canh_event_release(&r.ev[i]);
	canh_decoder_release(&r.ctx);
	assert_int_equal(r.failures, 0);
}

static int64_t t_of(const char *s)
{
	int64_t t;
	assert_int_equal(canh_time_parse(s, &t), 0);
	return t;
}

static void test_year(void **state)
{
	(void)state;
	/* Dec 31 lines read on 2 January: last year. */
	assert_int_equal(canh_syslog_year(t_of("2027-01-02T00:00:00Z"), 420, 12, 31, 23, 59, 59),
			 2026);
	/* A January line received just before midnight of 31 Dec (sender clock ahead): next year.
	 */
	assert_int_equal(canh_syslog_year(t_of("2026-12-31T16:59:50Z"), 420, 1, 1, 0, 0, 5), 2027);
	/* Same month: this year. */
	assert_int_equal(canh_syslog_year(t_of("2026-11-21T12:00:00Z"), 420, 11, 21, 18, 0, 0),
			 2026);
	/* A file last written in March holding December lines. */
	assert_int_equal(canh_syslog_year(t_of("2026-03-01T00:00:00Z"), 420, 12, 1, 0, 0, 0), 2025);
	/* The reference's year in the zone: 31 Dec 20:00 UTC is already 2027 at UTC+7. */
	assert_int_equal(canh_syslog_year(t_of("2026-12-31T20:00:00Z"), 420, 1, 1, 2, 0, 0), 2027);
	assert_int_equal(canh_syslog_year(t_of("2026-12-31T20:00:00Z"), 0, 12, 31, 19, 0, 0), 2026);
	/* 29 February exists in 2028 only. */
	assert_int_equal(canh_syslog_year(t_of("2028-03-01T00:00:00Z"), 0, 2, 29, 0, 0, 0), 2028);
}

/* The per-context year cache follows the reference and the zone. */
static void test_year_cache(void **state)
{
	(void)state;
	struct canh_decoder_ctx ctx;
	struct canh_event ev;
	canh_decoder_init(&ctx);
	canh_event_init(&ev);
	struct canh_log_source src = {0};
	static const char l1[] = "Jan  1 00:00:10 h p: x";
	static const struct {
		const char *ref;
		int tz;
		const char *want;
	} cases[] = {
	    {"2026-12-31T16:59:30Z", 420, "2026-12-31T17:00:10Z"},
	    {"2026-06-01T00:00:00Z", 420, "2025-12-31T17:00:10Z"},
	    {"2026-12-31T16:59:30Z", 420, "2026-12-31T17:00:10Z"},
	    {"2026-12-31T16:59:30Z", 0, "2027-01-01T00:00:10Z"},
	    {"2026-12-30T00:00:00Z", 0, "2026-01-01T00:00:10Z"},
	    {"2026-06-01T00:00:00Z", 420, "2025-12-31T17:00:10Z"},
	    {"2026-06-01T00:00:00Z", 420, "2025-12-31T17:00:10Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		src.recv_ms = t_of(cases[i].ref);
		ctx.tz_offset_min = cases[i].tz;
		assert_int_equal(canh_decode_line(&ctx, l1, strlen(l1), CANH_LOG_SYSLOG, &src, &ev),
				 CANH_DECODE_EVENT);
		assert_int_equal(ev.time_ms, t_of(cases[i].want));
	}
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
}

static void test_tz(void **state)
{
	(void)state;
	int m = 0;
	assert_int_equal(canh_tz_parse("Asia/Ho_Chi_Minh", &m), 0);
	assert_int_equal(m, 420);
	assert_int_equal(canh_tz_parse("+05:30", &m), 0);
	assert_int_equal(m, 330);
	assert_int_equal(canh_tz_parse("-0300", &m), 0);
	assert_int_equal(m, -180);
	assert_int_equal(canh_tz_parse("UTC+7", &m), 0);
	assert_int_equal(m, 420);
	assert_int_equal(canh_tz_parse("UTC", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(canh_tz_parse("Europe/Paris", &m), CANH_EINVAL);
	assert_int_equal(canh_tz_parse("+25:00", &m), CANH_EINVAL);
	assert_int_equal(canh_tz_parse("+07:0", &m), CANH_EINVAL);
	assert_int_equal(canh_civil_to_ms(1970, 1, 1, 7, 0, 0, 0, 420), 0);
	enum canh_log_format f;
	assert_int_equal(canh_log_format_parse("windows-json", &f), 0);
	assert_int_equal(f, CANH_LOG_WINDOWS_JSON);
	assert_string_equal(canh_log_format_name(f), "windows-json");
	assert_int_equal(canh_log_format_parse("evtx", &f), CANH_EINVAL);
}

/* Count the events a sequence of lines yields, draining everything. */
static int feed(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *line, int *proc)
{
	int n = 0;
	if (canh_decode_line(ctx, line, strlen(line), CANH_LOG_AUDITD, NULL, ev) ==
	    CANH_DECODE_EVENT) {
		n++;
		if (strcmp(ev->category, "process_creation") == 0)
			(*proc)++;
	}
	while (canh_decode_next(ctx, ev) == CANH_DECODE_EVENT) {
		n++;
		if (strcmp(ev->category, "process_creation") == 0)
			(*proc)++;
	}
	return n;
}

static void test_audit_cap(void **state)
{
	(void)state;
	struct canh_decoder_ctx ctx;
	struct canh_event ev;
	canh_decoder_init(&ctx);
	canh_event_init(&ev);
	char line[512];
	int n = 0, proc = 0;
	/* 200 execve events, all at the same second, none with EOE: the table holds 64. */
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line),
			 "type=SYSCALL msg=audit(1700000000.000:%d): arch=c000003e syscall=59 "
			 "success=yes exit=0 ppid=1 pid=%d uid=0 exe=\"/bin/true\"",
			 1000 + i, 2000 + i);
		n += feed(&ctx, &ev, line, &proc);
		snprintf(line, sizeof(line),
			 "type=EXECVE msg=audit(1700000000.000:%d): argc=1 a0=\"true\"", 1000 + i);
		n += feed(&ctx, &ev, line, &proc);
	}
	assert_int_equal(ctx.stats.audit_evicted_cap, 200 - CANH_AUDIT_GROUPS_MAX);
	while (canh_decode_finish(&ctx, &ev) == CANH_DECODE_EVENT) {
		n++;
		if (strcmp(ev.category, "process_creation") == 0)
			proc++;
	}
	/* Nothing lost: 2 records + 1 joined event per group. */
	assert_int_equal(proc, 200);
	assert_int_equal(n, 600);
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
}

static void test_audit_timeout(void **state)
{
	(void)state;
	struct canh_decoder_ctx ctx;
	struct canh_event ev;
	canh_decoder_init(&ctx);
	canh_event_init(&ev);
	int proc = 0, n = 0;
	n += feed(&ctx, &ev,
		  "type=SYSCALL msg=audit(1700000000.000:1): syscall=59 pid=5 ppid=1 uid=0 "
		  "exe=\"/bin/id\"",
		  &proc);
	n += feed(&ctx, &ev, "type=EXECVE msg=audit(1700000000.000:1): argc=1 a0=\"id\"", &proc);
	assert_int_equal(n, 0);
	/* 1.5 s later: still open (timeout 2 s). */
	n += feed(&ctx, &ev, "type=USER_LOGIN msg=audit(1700000001.500:2): pid=9 uid=0 res=success",
		  &proc);
	assert_int_equal(n, 1);
	assert_int_equal(proc, 0);
	/* 2.5 s after the group: it goes out without its EOE. */
	n += feed(&ctx, &ev, "type=USER_LOGIN msg=audit(1700000002.500:3): pid=9 uid=0 res=success",
		  &proc);
	assert_int_equal(proc, 1);
	assert_int_equal(n, 2 + 3);
	assert_int_equal(ctx.stats.audit_expired, 1);
	/* An idle stream: canh_decode_expire by wall clock. */
	feed(&ctx, &ev, "type=SYSCALL msg=audit(1700000010.000:4): syscall=59 exe=\"/bin/ls\"",
	     &proc);
	/* By the wall clock: a group that just got a record stays open. */
	int64_t now = canh_now_ms();
	assert_int_equal(canh_decode_expire(&ctx, now + 1000), 0);
	assert_int_equal(canh_decode_expire(&ctx, now + 3000), 1);
	assert_int_equal(canh_decode_next(&ctx, &ev), CANH_DECODE_EVENT);
	assert_string_equal(ev.service, "auditd");
	size_t l;
	const char *v = canh_event_get(&ev, canh_field_id("type"), &l);
	assert_non_null(v);
	assert_memory_equal(v, "SYSCALL", 7);
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
}

/* A whole file holding one pretty-printed event (evtx_dump without -o jsonl). */
static void test_windows_whole_file(void **state)
{
	(void)state;
	static const char doc[] =
	    "{\n"
	    "  \"Event\": {\n"
	    "    \"System\": {\n"
	    "      \"Provider\": {\"#attributes\": {\"Name\": \"Microsoft-Windows-Sysmon\"}},\n"
	    "      \"EventID\": 11,\n"
	    "      \"Channel\": \"Microsoft-Windows-Sysmon/Operational\",\n"
	    "      \"Computer\": \"PC9\",\n"
	    "      \"TimeCreated\": {\"#attributes\": {\"SystemTime\": \"2026-11-21T03:00:00Z\"}}\n"
	    "    },\n"
	    "    \"EventData\": {\"Image\": \"C:\\\\x.exe\", \"TargetFilename\": "
	    "\"C:\\\\Users\\\\Public\\\\a.ps1\"}\n"
	    "  }\n"
	    "}\n";
	struct canh_decoder_ctx ctx;
	struct canh_event ev;
	canh_decoder_init(&ctx);
	canh_event_init(&ev);
	assert_int_equal(canh_decode_line(&ctx, doc, strlen(doc), CANH_LOG_AUTO, NULL, &ev),
			 CANH_DECODE_EVENT);
	assert_string_equal(ev.product, "windows");
	assert_string_equal(ev.service, "sysmon");
	assert_string_equal(ev.category, "file_event");
	size_t l;
	const char *v = canh_event_get(&ev, canh_field_id("TargetFilename"), &l);
	assert_non_null(v);
	assert_int_equal(l, strlen("C:\\Users\\Public\\a.ps1"));
	assert_int_equal(ev.time_ms, 1763694000000 + 365LL * 86400000);
	assert_int_equal(ctx.stats.json_errors, 0);
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_files),	       cmocka_unit_test(test_year),
	    cmocka_unit_test(test_year_cache),	       cmocka_unit_test(test_tz),
	    cmocka_unit_test(test_audit_cap),	       cmocka_unit_test(test_audit_timeout),
	    cmocka_unit_test(test_windows_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
