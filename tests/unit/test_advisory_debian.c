/*
 * Unit tests for lib/advisory_debian.c: the Debian Security Tracker JSON,
 * as data (an input and the advisories it must give, one line each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory_text.h"
#include "canh/advisory.h"
#include "canh/buf.h"
#include "canh/fs.h"

struct collect {
	struct canh_buf out;
	int stop_after; /* return CANH_EEXIST after this many; 0 = never */
	int seen;
};

static int collect_cb(void *ctx, const struct canh_advisory *a)
{
	struct collect *c = ctx;
	advisory_text(&c->out, a);
	canh_buf_putc(&c->out, '\n');
	c->seen++;
	if (c->stop_after && c->seen >= c->stop_after)
		return CANH_EEXIST;
	return 0;
}

static char *read_data(const char *name, size_t *len)
{
	char path[512];
	char *data = NULL;
	snprintf(path, sizeof(path), "%s/vuln/%s", CANH_TEST_DATA, name);
	assert_int_equal(canh_file_read(path, 1 << 20, &data, len, NULL), 0);
	return data;
}

static int parse(const char *in, size_t len, const char *release, struct collect *c,
		 struct canh_advisory_stats *st, struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {collect_cb, c};
	canh_buf_init(&c->out, 1 << 20);
	memset(st, 0, sizeof(*st));
	memset(err, 0, sizeof(*err));
	return canh_advisory_parse_debian(in, len, release, &sink, st, err);
}

static const char sample_all[] =
    "CVE-2023-38545 sev=high | Debian:bookworm/curl(src) FIXED fix=7.88.1-10+deb12u3 "
    "urg=not yet assigned [i=0,f=7.88.1-10+deb12u3] | Debian:bullseye/curl(src) NOT_AFFECTED "
    "urg=not yet assigned | Debian:sid/curl(src) FIXED fix=8.3.0-3 urg=high [i=0,f=8.3.0-3]\n"
    "CVE-2024-2379 sev=unknown | Debian:bookworm/curl(src) NOT_AFFECTED urg=not yet assigned\n"
    "TEMP-0000000-F7C1A2 sev=unknown | Debian:bookworm/curl(src) UNDETERMINED urg=not yet "
    "assigned\n"
    "CVE-2023-0286 sev=high | Debian:bookworm/openssl(src) FIXED fix=3.0.8-1 urg=high "
    "[i=0,f=3.0.8-1] | Debian:bullseye/openssl(src) FIXED fix=1.1.1t-0+deb11u1 urg=high "
    "[i=0,f=1.1.1t-0+deb11u1]\n"
    "CVE-2024-2511 sev=low | Debian:bookworm/openssl(src) AFFECTED urg=unimportant [i=0] | "
    "Debian:bullseye/openssl(src) AFFECTED urg=low** [i=0]\n"
    "CVE-2013-7445 sev=low | Debian:bookworm/linux(src) AFFECTED urg=unimportant [i=0] | "
    "Debian:buster/linux(src) AFFECTED urg=end-of-life [i=0]\n";

static void test_sample_all_releases(void **state)
{
	struct collect c = {0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *data = read_data("debian-tracker-sample.json", &len);

	assert_int_equal(parse(data, len, NULL, &c, &st, &err), 0);
	assert_string_equal(canh_buf_cstr(&c.out), sample_all);
	assert_int_equal(st.packages, 3);
	assert_int_equal(st.advisories, 6);
	assert_int_equal(st.affected, 11);
	assert_int_equal(st.fixed, 4);
	assert_int_equal(st.not_affected, 2);
	assert_int_equal(st.undetermined, 1);
	assert_int_equal(st.open, 4);
	assert_int_equal(st.skipped, 0);
	canh_buf_release(&c.out);
	free(data);
}

static void test_sample_one_release(void **state)
{
	static const char *const rels[] = {"bookworm", "12"};
	for (int i = 0; i < 2; i++) {
		struct collect c = {0};
		struct canh_advisory_stats st;
		struct canh_errmsg err;
		size_t len;
		char *data = read_data("debian-tracker-sample.json", &len);

		assert_int_equal(parse(data, len, rels[i], &c, &st, &err), 0);
		assert_int_equal(st.advisories, 6);
		assert_int_equal(st.affected, 6);
		assert_null(strstr(canh_buf_cstr(&c.out), "bullseye"));
		assert_null(strstr(canh_buf_cstr(&c.out), "sid"));
		assert_non_null(
		    strstr(canh_buf_cstr(&c.out),
			   "CVE-2023-0286 sev=high | Debian:bookworm/openssl(src) FIXED "
			   "fix=3.0.8-1 urg=high [i=0,f=3.0.8-1]\n"));
		canh_buf_release(&c.out);
		free(data);
	}
	/* A release no record names gives nothing. */
	struct collect c = {0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *data = read_data("debian-tracker-sample.json", &len);
	assert_int_equal(parse(data, len, "trixie", &c, &st, &err), 0);
	assert_int_equal(st.advisories, 0);
	assert_int_equal(st.packages, 3);
	canh_buf_release(&c.out);
	free(data);
}

/* Range semantics on the parsed entries, with dpkg's order. */
static int match_cb(void *ctx, const struct canh_advisory *a)
{
	int *hits = ctx;
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		if (strcmp(a->id, "CVE-2023-38545") == 0 && strcmp(af->release, "bookworm") == 0) {
			assert_true(canh_affected_match(af, "7.88.1-10+deb12u2"));
			assert_false(canh_affected_match(af, "7.88.1-10+deb12u3"));
			assert_false(canh_affected_match(af, "7.88.1-10+deb12u5"));
			assert_true(canh_affected_match(af, "7.88.1-10"));
			(*hits)++;
		}
		if (strcmp(a->id, "CVE-2024-2379") == 0) {
			assert_false(canh_affected_match(af, "7.88.1-10+deb12u5"));
			(*hits)++;
		}
		if (strcmp(a->id, "CVE-2024-2511") == 0 &&
		    (a->n_cves != 1 || strcmp(a->cves[0], "CVE-2024-2511") != 0))
			fail_msg("cves of %s", a->id);
		if (strcmp(a->id, "TEMP-0000000-F7C1A2") == 0) {
			assert_int_equal(a->n_cves, 0);
			assert_false(canh_affected_match(af, "7.88.1-10+deb12u5"));
			(*hits)++;
		}
		if (strcmp(a->id, "CVE-2024-2511") == 0) {
			assert_true(canh_affected_match(af, "3.0.14-1~deb12u2"));
			assert_true(canh_affected_match(af, "99:1"));
			(*hits)++;
		}
	}
	return 0;
}

static void test_sample_matching(void **state)
{
	int hits = 0;
	struct canh_advisory_sink sink = {match_cb, &hits};
	size_t len;
	char *data = read_data("debian-tracker-sample.json", &len);
	assert_int_equal(canh_advisory_parse_debian(data, len, NULL, &sink, NULL, NULL), 0);
	assert_int_equal(hits, 5);
	free(data);
}

struct bad_case {
	const char *in;
	const char *err; /* substring of the error */
	int delivered;	 /* advisories handed over before the error */
};

static const struct bad_case bad_cases[] = {
    {"", "empty JSON text at line 1, column 1 (byte 0)", 0},
    {"[]", "not a Debian tracker file", 0},
    {"\"x\"", "not a Debian tracker file", 0},
    {"{\"p\": {\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"open\"}}}},\n"
     "  \"q\": {\"CVE-2\": {\"releases\": }}}",
     "expected a value at line 2, column 31 (byte 95)", 1},
    {"{\"p\": {\"CVE-1\": {}}", "JSON text ends too early", 0},
    {"{\"p\": {\"CVE-1\": {}}}}", "data after the JSON value at line 1, column 21", 0},
    {"{\"p\": {\"CVE-1\" {}}}", "expected ':' after a key at line 1, column 16", 0},
    {"{\"p\": {\"CVE-1\": {},}}}", "expected a member name string at line 1, column 20", 0},
    {"{\"p\": {\"CVE-1\": [1 2]}}", "expected ',' or ']' at line 1, column 20", 0},
    {"{\"p\": {\"CVE-1\": \"a\x01\"}}", "control character in a string at line 1, column 19", 0},
    {"{\"p\": {\"CVE-1\": \"\\x\"}}", "bad escape in a string at line 1, column 18", 0},
    {"{\"p\": {\"CVE-1\": \"\\u12\"}}", "bad \\u escape", 0},
    {"{\"p\": {\"CVE-1\": 01}}", "expected ',' or '}' at line 1, column 18", 0},
    {"{\"p\": {\"CVE-1\": -}}", "malformed number at line 1, column 17", 0},
    {"{\"p\": {\"CVE-1\": tru}}", "unexpected character at line 1, column 17", 0},
    {"{\"p\": {\"CVE-1\": {\"description\": \"\\u0000\"}}}", "\\u0000 in a string", 0},
    {"{\"p\": {\"CVE-1\": {\"description\": \"\\ud800\"}}}", "unpaired surrogate", 0},
    {"{\"p\xff\": {}}", "invalid UTF-8 in a string at line 1, column 3", 0},
    {"{\"p\": {\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"open\"}}}}]",
     "']' closes no array", 1},
};

static void test_malformed(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct collect c = {0};
		struct canh_advisory_stats st;
		struct canh_errmsg err;
		const struct bad_case *bc = &bad_cases[i];
		int rc = parse(bc->in, strlen(bc->in), NULL, &c, &st, &err);
		if (rc >= 0 || !strstr(err.text, bc->err))
			fail_msg("case %zu: rc %d, error '%s', want '%s'", i, rc, err.text,
				 bc->err);
		assert_int_equal(c.seen, bc->delivered);
		canh_buf_release(&c.out);
	}
}

/* Deeply nested input fails on the depth cap, not the stack. */
static void test_deep_nesting(void **state)
{
	size_t n = 100000;
	char *in = malloc(n);
	struct collect c = {0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	memcpy(in, "{\"p\":{\"CVE-1\":{\"x\":", 19);
	memset(in + 19, '[', n - 19);
	assert_int_equal(parse(in, n, NULL, &c, &st, &err), CANH_ETOOBIG);
	assert_non_null(strstr(err.text, "nested too deeply"));
	canh_buf_release(&c.out);
	free(in);
}

/* Well-formed JSON that is not a valid record is skipped and counted. */
static void test_skipped(void **state)
{
	static const char in[] =
	    "{\"a\": 5, \"b\": {\"CVE-1\": [1], \"CVE-2\": {\"releases\": 3}},\n"
	    " \"c\": {\"CVE-3\": {\"releases\": {\"bookworm\": {\"status\": \"weird\"}, "
	    "\"bullseye\": {\"urgency\": \"low\"}, \"sid\": {\"status\": \"resolved\"}, "
	    "\"buster\": 7, \"trixie\": {\"status\": \"open\", \"fixed_version\": \"\", "
	    "\"repositories\": {\"trixie\": \"1\"}, \"extra\": [{}, null, true, false, 1.5e3]}}}}}";
	struct collect c = {0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	assert_int_equal(parse(in, strlen(in), NULL, &c, &st, &err), 0);
	assert_string_equal(canh_buf_cstr(&c.out),
			    "CVE-3 sev=unknown | Debian:trixie/c(src) AFFECTED [i=0]\n");
	assert_int_equal(st.skipped, 7);
	assert_non_null(
	    strstr(st.first_skip, "package 'a', -: package is not an object at line 1"));
	canh_buf_release(&c.out);
}

static void test_sink_stops(void **state)
{
	struct collect c = {.stop_after = 2};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *data = read_data("debian-tracker-sample.json", &len);

	assert_int_equal(parse(data, len, NULL, &c, &st, &err), CANH_EEXIST);
	assert_int_equal(c.seen, 2);
	canh_buf_release(&c.out);
	free(data);
}

/* Escapes in keys and values decode; fields in any order. */
static void test_escapes_and_order(void **state)
{
	static const char in[] =
	    "{\"p\\u00e9\": {\"CVE-\\u0032\": {\"releases\": {\"bookworm\": {\"urgency\": "
	    "\"high\", "
	    "\"fixed_version\": \"1.0-1\", \"status\": \"resolved\"}}, \"description\": "
	    "\"a \\\"b\\\" \\ud83d\\ude00\", \"debianbug\": 42}}}";
	struct collect c = {0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	assert_int_equal(parse(in, strlen(in), NULL, &c, &st, &err), 0);
	assert_string_equal(canh_buf_cstr(&c.out), "CVE-2 sev=high | Debian:bookworm/pé(src) FIXED "
						   "fix=1.0-1 urg=high [i=0,f=1.0-1]\n");
	canh_buf_release(&c.out);
}

static int want_openssl(void *ctx, const char *name, size_t len)
{
	int *asked = ctx;
	(*asked)++;
	return len == 7 && memcmp(name, "openssl", 7) == 0;
}

static int count_cb(void *ctx, const struct canh_advisory *a)
{
	assert_string_equal(a->affected[0].package, "openssl");
	return 0;
}

/* want_package: the other packages are skipped unbuilt, yet still checked. */
static void test_want_package(void **state)
{
	int asked = 0;
	struct canh_advisory_sink sink = {count_cb, &asked, want_openssl};
	struct canh_advisory_stats st = {0};
	struct canh_errmsg err = {{0}};
	size_t len;
	char *data = read_data("debian-tracker-sample.json", &len);

	assert_int_equal(canh_advisory_parse_debian(data, len, NULL, &sink, &st, &err), 0);
	assert_int_equal(asked, 3);
	assert_int_equal(st.packages, 3);
	assert_int_equal(st.advisories, 2);
	assert_int_equal(st.affected, 4);
	free(data);

	static const char bad[] = "{\"curl\": {\"CVE-1\": {\"x\": [1,,2]}}, \"openssl\": {}}";
	asked = 0;
	assert_int_equal(canh_advisory_parse_debian(bad, strlen(bad), NULL, &sink, &st, &err),
			 CANH_EPARSE);
	assert_non_null(strstr(err.text, "expected a value at line 1, column 29"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_all_releases), cmocka_unit_test(test_sample_one_release),
	    cmocka_unit_test(test_sample_matching),	cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_deep_nesting),	cmocka_unit_test(test_skipped),
	    cmocka_unit_test(test_sink_stops),		cmocka_unit_test(test_escapes_and_order),
	    cmocka_unit_test(test_want_package),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
