/*
 * vercmp: rpm's own test list (tests/data/vercmp/rpmvercmp.txt, every case of
 * rpm's tests/rpmvercmp.at), dpkg cases as dpkg answered them
 * (tests/data/vercmp/dpkg.txt), both ways round; dpkg's parse verdicts;
 * rpm EVR; the length-delimited variants on unterminated buffers.
 * The 10,000-pair proof against dpkg itself is
 * tests/integration/test_vercmp_dpkg.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "canh/vercmp.h"

typedef int (*cmp_fn)(const char *a, const char *b);

/* Run every "A B RESULT" line of a data file through fn, both ways round. */
static size_t run_file(const char *name, cmp_fn fn)
{
	char path[512], line[512];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/vercmp/%s", CANH_TEST_DATA, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char a[200], b[200];
		int want;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%199s %199s %d", a, b, &want), 3);
		int got = fn(a, b), back = fn(b, a);
		if (got != want || back != -want)
			fail_msg("%s: (%s, %s) gave %d and %d reversed, want %d", name, a, b, got,
				 back, want);
		n++;
	}
	fclose(f);
	return n;
}

static void test_rpm_documented(void **state)
{
	/* All 103 cases of rpmvercmp.at, the commented-out oddities included. */
	assert_int_equal(run_file("rpmvercmp.txt", canh_vercmp_rpm), 103);
}

static void test_dpkg_cases(void **state)
{
	assert_true(run_file("dpkg.txt", canh_vercmp_dpkg) >= 50);
}

static void test_dpkg_basics(void **state)
{
	assert_int_equal(canh_vercmp_dpkg("1.0", "1.0"), 0);
	assert_int_equal(canh_vercmp_dpkg("1.0~rc1", "1.0"), -1);
	assert_int_equal(canh_vercmp_dpkg("1.0~~", "1.0~"), -1);
	assert_int_equal(canh_vercmp_dpkg("1:0.1", "2.0"), 1);
	assert_int_equal(canh_vercmp_dpkg("0:1.0", "1.0"), 0);
	assert_int_equal(canh_vercmp_dpkg("1.0-1", "1.0-1+b1"), -1);
	assert_int_equal(canh_vercmp_dpkg("1.0a", "1.0+"), -1); /* letters before others */
	assert_int_equal(canh_vercmp_dpkg("1.0", "1.0-0"), 0);	/* empty revision = "0" */
	/* Digit runs far beyond 64 bits, compared without conversion. */
	assert_int_equal(
	    canh_vercmp_dpkg("123456789012345678901234567890", "123456789012345678901234567891"),
	    -1);
	assert_int_equal(canh_vercmp_dpkg("0000000000000000000000000000001", "1"), 0);
	assert_int_equal(canh_vercmp_dpkg("99999999999999999999999", "100000000000000000000000"),
			 -1);
	/* The revision is after the last hyphen. */
	assert_int_equal(canh_vercmp_dpkg("1-2-3", "1-2-10"), -1);
	assert_int_equal(canh_vercmp_dpkg("1.2-3-4", "1.2-4-3"), -1);
	/* High bytes sort after letters and before ASCII punctuation (signed char). */
	assert_int_equal(canh_vercmp_dpkg("1.0\xc3", "1.0z"), 1);
	assert_int_equal(canh_vercmp_dpkg("1.0\xc3", "1.0+"), -1);
	/* Bad input still orders: a bad epoch is part of the upstream version. */
	assert_int_equal(canh_vercmp_dpkg("a:1", "a:1"), 0);
	assert_int_equal(canh_vercmp_dpkg("a:1", "1:1"), -1);
	assert_int_equal(canh_vercmp_dpkg("", ""), 0);
	assert_int_equal(canh_vercmp_dpkg("", "0"), 0);
}

static void test_dpkg_n(void **state)
{
	/* Pieces of a larger buffer, not NUL-terminated. */
	const char *buf = "1.0-1|1.0-2|2:0|1.0~rc1";
	assert_int_equal(canh_vercmp_dpkg_n(buf, 5, buf + 6, 5), -1);
	assert_int_equal(canh_vercmp_dpkg_n(buf + 12, 3, buf, 5), 1);
	assert_int_equal(canh_vercmp_dpkg_n(buf + 16, 7, buf, 3), -1);
	assert_int_equal(canh_vercmp_dpkg_n(buf, 3, buf + 6, 3), 0);
	assert_int_equal(canh_vercmp_dpkg_n(buf, 0, buf, 0), 0);
	/* A NUL inside the length ends the string. */
	assert_int_equal(canh_vercmp_dpkg_n("1.0\0zzz", 7, "1.0", 3), 0);
	assert_int_equal(canh_vercmp_rpm_n("1.0\0zzz", 7, "1.0", 3), 0);
	assert_int_equal(canh_vercmp_rpm_evr_n("1:2.0-3x", 7, "1:2.0-3", 7), 0);
}

static void test_dpkg_parse(void **state)
{
	struct canh_dpkg_version v;
	enum canh_dpkg_problem p;
	struct canh_errmsg err;

	assert_int_equal(canh_vercmp_dpkg_parse("  2:1.0-1-3\t", 12, &v, &p, &err), 0);
	assert_int_equal(p, CANH_DPKG_OK);
	assert_int_equal(v.epoch, 2);
	assert_int_equal(v.upstream_len, 5);
	assert_memory_equal(v.upstream, "1.0-1", 5);
	assert_int_equal(v.revision_len, 1);
	assert_memory_equal(v.revision, "3", 1);

	static const struct {
		const char *s;
		int rc;
		enum canh_dpkg_problem p;
	} cases[] = {
	    {"1.0", 0, CANH_DPKG_OK},
	    {"+1:2", 0, CANH_DPKG_OK}, /* strtol takes the sign */
	    {"-0:1", 0, CANH_DPKG_OK},
	    {"2147483647:1", 0, CANH_DPKG_OK},
	    {"", CANH_EINVAL, CANH_DPKG_ERR_EMPTY},
	    {" \t ", CANH_EINVAL, CANH_DPKG_ERR_EMPTY},
	    {"1 0", CANH_EINVAL, CANH_DPKG_ERR_SPACES},
	    {":1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_EMPTY},
	    {"a:1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_EMPTY},
	    {"1a:1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_NOT_NUMBER},
	    {"-1:1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_NEGATIVE},
	    {"2147483648:1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_TOO_BIG},
	    {"99999999999999999999999:1", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_TOO_BIG},
	    {"1:", CANH_EINVAL, CANH_DPKG_ERR_NOTHING_AFTER_COLON},
	    {"1: ", CANH_EINVAL, CANH_DPKG_ERR_VERSION_EMPTY},
	    {"1.0-", CANH_EINVAL, CANH_DPKG_ERR_REVISION_EMPTY},
	    {"1:-1", CANH_EINVAL, CANH_DPKG_ERR_VERSION_EMPTY},
	    {"a1", 1, CANH_DPKG_WARN_NOT_DIGIT},
	    {"~1", 1, CANH_DPKG_WARN_NOT_DIGIT},
	    {"1.0_1", 1, CANH_DPKG_WARN_BAD_CHAR_VERSION},
	    {"1.0-1_1", 1, CANH_DPKG_WARN_BAD_CHAR_REVISION},
	    {"1.0-1:2", CANH_EINVAL, CANH_DPKG_ERR_EPOCH_NOT_NUMBER},
	    {"1:2-3:4", 1, CANH_DPKG_WARN_BAD_CHAR_REVISION},
	    {"1:2:3-4", 0, CANH_DPKG_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.text[0] = '\0';
		int rc = canh_vercmp_dpkg_parse(cases[i].s, strlen(cases[i].s), &v, &p, &err);
		if (rc != cases[i].rc || p != cases[i].p)
			fail_msg("'%s': rc %d problem %d, want %d %d", cases[i].s, rc, (int)p,
				 cases[i].rc, (int)cases[i].p);
		if (rc != 0) {
			assert_non_null(strstr(err.text, canh_dpkg_problem_text(p)));
			assert_int_equal(canh_vercmp_validate_dpkg(cases[i].s, NULL), rc);
		}
	}
	assert_string_equal(canh_dpkg_problem_text(CANH_DPKG_ERR_REVISION_EMPTY),
			    "revision number is empty");
}

static void test_rpm_evr(void **state)
{
	assert_int_equal(canh_vercmp_rpm_evr("1.0-1", "1.0-2"), -1);
	assert_int_equal(canh_vercmp_rpm_evr("1:1.0-1", "2.0-1"), 1);
	assert_int_equal(canh_vercmp_rpm_evr("0:1.0-1", "1.0-1"), 0);
	assert_int_equal(canh_vercmp_rpm_evr(":1.0-1", "1.0-1"), 0);
	/* The release only counts when both have one. */
	assert_int_equal(canh_vercmp_rpm_evr("1.0", "1.0-3.el9"), 0);
	assert_int_equal(canh_vercmp_rpm_evr("2.4.57-5.el9", "2.4.57-11.el9"), -1);
	assert_int_equal(canh_vercmp_rpm_evr("2.4.57-11.el9_3.1", "2.4.57-11.el9"), 1);
	assert_int_equal(canh_vercmp_rpm_evr("1:3.0.7-25.el9_3", "1:3.0.7-24.el9"), 1);
	assert_int_equal(canh_vercmp_rpm_evr("10:1.0", "9:9.9"), 1);
	assert_int_equal(canh_vercmp_rpm_evr("1.0~rc1-1", "1.0-1"), -1);
	assert_int_equal(canh_vercmp_rpm_evr("1.0-1-2", "1.0-1-10"), -1); /* last hyphen */
	assert_int_equal(canh_vercmp(CANH_VERCMP_RPM, "1.0^git1", "1.01"), -1);
	assert_int_equal(canh_vercmp(CANH_VERCMP_DPKG, "1.0~rc1", "1.0"), -1);
	assert_int_equal(canh_vercmp_rpm("", ""), 0);
	assert_int_equal(canh_vercmp_rpm("", "1"), -1);
	assert_int_equal(canh_vercmp_rpm("~", ""), -1);
	assert_int_equal(canh_vercmp_rpm("^", ""), 1);
	assert_int_equal(canh_vercmp_rpm("1"
					 "00000000000000000000000000000000000000000",
					 "9"
					 "9999999999999999999999999999999999999999"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rpm_documented), cmocka_unit_test(test_dpkg_cases),
	    cmocka_unit_test(test_dpkg_basics),	   cmocka_unit_test(test_dpkg_n),
	    cmocka_unit_test(test_dpkg_parse),	   cmocka_unit_test(test_rpm_evr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
