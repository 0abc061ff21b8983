/*
 * Unit tests for lib/time.c: formatting and RFC 3339 parsing as data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/time.h"

static const struct {
	int64_t ms;
	const char *text;
} fmt_cases[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {1795261807123LL, "2026-11-21T11:50:07.123Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {951782400000LL, "2000-02-29T00:00:00.000Z"},
    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
};

static void test_format(void **state)
{
	for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		char buf[CANH_TIME_BUFSZ];
		assert_ptr_equal(canh_time_format(fmt_cases[i].ms, buf, sizeof(buf)), buf);
		assert_string_equal(buf, fmt_cases[i].text);
		int64_t back = 0;
		assert_int_equal(canh_time_parse(buf, &back), 0);
		assert_int_equal(back, fmt_cases[i].ms);
	}
	char small[8];
	canh_time_format(0, small, sizeof(small));
	assert_string_equal(small, "1970-01");
}

static const struct {
	const char *text;
	int rc;
	int64_t ms;
} parse_cases[] = {
    {"2026-11-21T11:50:07Z", 0, 1795261807000LL},
    {"2026-11-21T11:50:07.123Z", 0, 1795261807123LL},
    {"2026-11-21T11:50:07.1Z", 0, 1795261807100LL},
    {"2026-11-21T11:50:07.123456789Z", 0, 1795261807123LL},
    {"2026-11-21t11:50:07z", 0, 1795261807000LL},
    {"2026-11-21 11:50:07Z", 0, 1795261807000LL},
    {"2026-11-21T18:50:07+07:00", 0, 1795261807000LL},
    {"2026-11-21T18:50:07+0700", 0, 1795261807000LL},
    {"2026-11-21T06:20:07.5-05:30", 0, 1795261807500LL},
    {"2026-11-21T11:50:07+00:00", 0, 1795261807000LL},
    {"2026-11-21", 0, 1795219200000LL},
    {"2024-02-29", 0, 1709164800000LL},
    {"2016-12-31T23:59:60Z", 0, 1483228800000LL}, /* leap second folds forward */
    {"2026-11-21T00:00:00+23:59", 0, 1795219200000LL - 86340000LL},
    /* Rejected. */
    {"", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07", CANH_EPARSE, 0}, /* no offset */
    {"2026-11-21T11:50Z", CANH_EPARSE, 0},
    {"2026-11-21T24:00:00Z", CANH_EPARSE, 0},
    {"2026-11-21T23:60:00Z", CANH_EPARSE, 0},
    {"2026-11-21T23:59:61Z", CANH_EPARSE, 0},
    {"2026-13-01", CANH_EPARSE, 0},
    {"2026-00-01", CANH_EPARSE, 0},
    {"2026-11-00", CANH_EPARSE, 0},
    {"2026-11-31", CANH_EPARSE, 0},
    {"2025-02-29", CANH_EPARSE, 0},
    {"1900-02-29", CANH_EPARSE, 0},
    {"2026-1-21", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07.Z", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07+7:00", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07+24:00", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07+07:60", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07Zjunk", CANH_EPARSE, 0},
    {"2026-11-21T11:50:07+07:00 ", CANH_EPARSE, 0},
    {" 2026-11-21", CANH_EPARSE, 0},
    {"2026-11-21X", CANH_EPARSE, 0},
    {"2026-11-21T", CANH_EPARSE, 0},
    {"+2026-11-21", CANH_EPARSE, 0},
    {"20261121", CANH_EPARSE, 0},
};

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		int64_t ms = -42;
		int rc = canh_time_parse(parse_cases[i].text, &ms);
		if (rc != parse_cases[i].rc || (rc == 0 && ms != parse_cases[i].ms))
			print_error("case %zu '%s': rc %d ms %lld\n", i, parse_cases[i].text, rc,
				    (long long)ms);
		assert_int_equal(rc, parse_cases[i].rc);
		if (rc == 0)
			assert_int_equal(ms, parse_cases[i].ms);
		else
			assert_int_equal(ms, -42); /* untouched on failure */
	}
	int64_t ms;
	assert_int_equal(canh_time_parse(NULL, &ms), CANH_EINVAL);
}

static void test_clocks(void **state)
{
	int64_t now = canh_now_ms();
	assert_true(now > 1700000000000LL); /* after 2023 */
	int64_t m0 = canh_mono_ms();
	assert_int_equal(canh_sleep_ms(60, NULL), 0);
	int64_t m1 = canh_mono_ms();
	assert_true(m1 - m0 >= 60);
	assert_true(m1 - m0 < 2000);

	volatile int stop = 1;
	m0 = canh_mono_ms();
	assert_int_equal(canh_sleep_ms(10000, &stop), CANH_EAGAIN);
	assert_true(canh_mono_ms() - m0 < 1000);
	stop = 0;
	assert_int_equal(canh_sleep_ms(0, &stop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
