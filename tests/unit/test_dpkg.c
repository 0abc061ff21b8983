/*
 * dpkg status parser: a real-shaped file (Source forms, removed packages,
 * multi-arch, continuation lines), edge cases, and this machine's database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "canh/dpkg.h"

struct seen {
	char lines[64][512];
	size_t n, total, installed;
	size_t stop_at;
};

static int cb(const struct canh_pkg *p, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 64)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s|%s|%s|%s|%s|%s", p->name,
			 p->version, p->arch, p->source, p->source_version, p->state);
	s->total++;
	if (strcmp(p->state, "installed") == 0)
		s->installed++;
	return s->stop_at && s->total >= s->stop_at;
}

static void test_status_file(void **state)
{
	struct seen s;
	struct canh_errmsg err;
	size_t skipped = 99;

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    canh_dpkg_parse_file(CANH_TEST_DATA "/dpkg/status", cb, &s, &skipped, &err), 0);
	const char *want[] = {
	    "adduser|3.134|all|adduser|3.134|installed",
	    "libc6|2.36-9+deb12u8|amd64|glibc|2.36-9+deb12u8|installed",
	    "libc6|2.36-9+deb12u8|i386|glibc|2.36-9+deb12u8|installed",
	    "libssl3|3.0.15-1~deb12u1|amd64|openssl|3.0.15-1~deb12u1|installed",
	    "libpython3.11-minimal|3.11.2-6+deb12u3|amd64|python3.11|3.11.2-6+deb12u3|installed",
	    "bsdutils|1:2.38.1-5+deb12u1|amd64|util-linux|2.38.1-5+deb12u1|installed",
	    "broken-upgrade|2.0-1|amd64|broken-upgrade|2.0-1|half-configured",
	    "unpacked-only|0.9|all|unpacked-only|0.9|unpacked",
	    "lowercase-fields|7.1-2|arm64|Lower|7.1-1|installed",
	    "held-package|4.2|amd64|held-package|4.2|installed",
	    "trailing-stanza|1.2.3-4|amd64|weird-src|9.9-9|installed",
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	for (size_t i = 0; i < s.n && i < nwant; i++)
		assert_string_equal(s.lines[i], want[i]);
	assert_int_equal(s.n, nwant);
	assert_int_equal(s.installed, 9);
	assert_int_equal(skipped, 1); /* no-version */
}

static size_t parse_str(const char *text, struct seen *s, size_t *skipped)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(canh_dpkg_parse(text, strlen(text), cb, s, skipped), 0);
	return s->total;
}

static void test_edges(void **state)
{
	struct seen s;
	size_t skipped;

	assert_int_equal(parse_str("", &s, &skipped), 0);
	assert_int_equal(skipped, 0);
	assert_int_equal(parse_str("\n\n\n", &s, &skipped), 0);
	assert_int_equal(parse_str("garbage without a colon\n\nmore garbage", &s, &skipped), 0);

	/* CRLF line ends and whitespace-only separator lines */
	assert_int_equal(
	    parse_str("Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n"
		      "Architecture: amd64\r\n \t \r\nPackage: b\r\nStatus: install ok "
		      "installed\r\nVersion: 2\r\n",
		      &s, &skipped),
	    2);
	assert_string_equal(s.lines[0], "a|1|amd64|a|1|installed");
	assert_string_equal(s.lines[1], "b|2||b|2|installed");

	/* no Status: not a status stanza (e.g. the available file) */
	assert_int_equal(parse_str("Package: a\nVersion: 1\n", &s, &skipped), 0);
	assert_int_equal(skipped, 0);

	/* an overlong name or version is skipped, not truncated */
	char big[2048];
	char name[400];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(big, sizeof(big),
		 "Package: %s\nStatus: install ok installed\nVersion: 1\n\n"
		 "Package: ok\nStatus: install ok installed\nVersion: %s\n\n"
		 "Package: fine\nStatus: install ok installed\nVersion: 3\n",
		 name, name);
	assert_int_equal(parse_str(big, &s, &skipped), 1);
	assert_int_equal(skipped, 2);
	assert_string_equal(s.lines[0], "fine|3||fine|3|installed");

	/* Source forms: name only, name (version), odd spacing, unclosed paren */
	assert_int_equal(parse_str("Package: p\nStatus: install ok installed\nVersion: 2\n"
				   "Source: src\n\n"
				   "Package: q\nStatus: install ok installed\nVersion: 2\n"
				   "Source: src(1)\n\n"
				   "Package: r\nStatus: install ok installed\nVersion: 2\n"
				   "Source: src (1\n",
				   &s, &skipped),
			 3);
	assert_string_equal(s.lines[0], "p|2||src|2|installed");
	assert_string_equal(s.lines[1], "q|2||src|1|installed");
	assert_string_equal(s.lines[2], "r|2||src|2|installed");

	/* Status words other than the reported ones */
	assert_int_equal(
	    parse_str("Package: a\nStatus: install reinstreq half-installed\n"
		      "Version: 1\n\nPackage: b\nStatus: install ok config-files\n"
		      "Version: 1\n\nPackage: c\nStatus: install ok triggers-awaited\n"
		      "Version: 1\n\nPackage: d\nStatus: install ok notinstalled\nVersion: 1\n",
		      &s, &skipped),
	    0);

	/* a NUL byte inside a value makes the stanza skipped, not truncated */
	const char nul[] = "Package: a\0b\nStatus: install ok installed\nVersion: 1\n";
	memset(&s, 0, sizeof(s));
	assert_int_equal(canh_dpkg_parse(nul, sizeof(nul) - 1, cb, &s, &skipped), 0);
	assert_int_equal(s.total, 0);
	assert_int_equal(skipped, 1);

	/* invalid arguments */
	assert_int_equal(canh_dpkg_parse(NULL, 5, cb, &s, NULL), CANH_EINVAL);
	assert_int_equal(canh_dpkg_parse("x", 1, NULL, &s, NULL), CANH_EINVAL);
}

static void test_callback_stops(void **state)
{
	struct seen s;
	size_t skipped;

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(
	    canh_dpkg_parse_file(CANH_TEST_DATA "/dpkg/status", cb, &s, &skipped, NULL), 0);
	assert_int_equal(s.total, 2);
}

static int neg_cb(const struct canh_pkg *p, void *ctx)
{
	return CANH_ENOMEM;
}

static void test_callback_error(void **state)
{
	const char *t = "Package: a\nStatus: install ok installed\nVersion: 1\n";
	assert_int_equal(canh_dpkg_parse(t, strlen(t), neg_cb, NULL, NULL), CANH_ENOMEM);
}

static void test_missing_file(void **state)
{
	struct seen s;
	struct canh_errmsg err;

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    canh_dpkg_parse_file(CANH_TEST_DATA "/dpkg/no-such-file", cb, &s, NULL, &err),
	    CANH_ENOENT);
	assert_non_null(strstr(err.text, "no-such-file"));
}

/* This machine's database against dpkg-query's own view of it. */
static void test_this_machine(void **state)
{
	struct seen s;
	struct canh_errmsg err;
	size_t skipped, ii = 0, xi = 0;
	char line[64];

	if (access("/var/lib/dpkg/status", R_OK) != 0 || access("/usr/bin/dpkg-query", X_OK) != 0)
		skip();
	FILE *p = popen("/usr/bin/dpkg-query -W -f='${db:Status-Abbrev}\\n'", "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (line[0] == 'i' && line[1] == 'i')
			ii++;
		if (line[0] && line[1] == 'i') /* ii, hi, ri, pi: installed whatever the wish */
			xi++;
	}
	assert_int_equal(pclose(p), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(canh_dpkg_parse_file("/var/lib/dpkg/status", cb, &s, &skipped, &err), 0);
	assert_true(ii > 10);
	assert_int_equal(s.installed, xi);
	assert_true(s.installed >= ii);
	assert_int_equal(skipped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_file),	   cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_callback_stops), cmocka_unit_test(test_callback_error),
	    cmocka_unit_test(test_missing_file),   cmocka_unit_test(test_this_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
