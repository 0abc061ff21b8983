/*
 * Unit tests for lib/log.c: escaping, record format, levels, truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/log.h"

static const struct {
	const char *in;
	size_t len;
	const char *out;
} esc_cases[] = {
#define E(in, out)                                                                                 \
	{                                                                                          \
		in, sizeof(in) - 1, out                                                            \
	}
    E("plain text 123", "plain text 123"),
    E("a\\b", "a\\\\b"),
    E("line\nforged 2026-11-21 canhd[1]: error", "line\\x0aforged 2026-11-21 canhd[1]: error"),
    E("\x1b[31mred\r\t", "\\x1b[31mred\\x0d\\x09"),
    E("a\0b", "a\\x00b"),
    E("\x7f", "\\x7f"),
    E("Trường THPT", "Trường THPT"),
    E("Sở GDĐT Hà Nội", "Sở GDĐT Hà Nội"),
    E("\xff\xfe", "\\xff\\xfe"),
    E("\xc3(", "\\xc3("),
    E("\xe1\xbb", "\\xe1\\xbb"),		   /* truncated sequence */
    E("\xc0\xaf", "\\xc0\\xaf"),		   /* overlong '/' */
    E("\xed\xa0\x80", "\\xed\\xa0\\x80"),	   /* surrogate */
    E("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"), /* above U+10FFFF */
    E("\xc2\x85", "\\xc2\\x85"),		   /* C1 control NEL */
    E("\xc2\xa0", "\xc2\xa0"),			   /* NBSP is printable */
    E("a\xe2\x80\xa8"
      "b",
      "a\\xe2\\x80\\xa8b"), /* U+2028 line separator */
    E("\xe2\x80\xae"
      "evil",
      "\\xe2\\x80\\xaeevil"),		  /* U+202E right-to-left override */
    E("\xe2\x81\xa9", "\\xe2\\x81\\xa9"), /* U+2069 pop directional isolate */
    E("\xe2\x80\xa6", "\xe2\x80\xa6"),	  /* U+2026 ellipsis is kept */
    E("\xf0\x9f\x90\x9b", "\xf0\x9f\x90\x9b"),
};

static void test_escape_table(void **state)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		char out[256];
		size_t n = canh_log_escape(out, sizeof(out), esc_cases[i].in, esc_cases[i].len);
		if (strcmp(out, esc_cases[i].out) != 0)
			print_error("case %zu: got '%s' want '%s'\n", i, out, esc_cases[i].out);
		assert_string_equal(out, esc_cases[i].out);
		assert_int_equal(n, strlen(esc_cases[i].out));
	}
}

static void test_escape_truncation(void **state)
{
	char out[8];
	/* Returns the full length, like snprintf; never splits a unit. */
	assert_int_equal(canh_log_escape(out, sizeof(out), "abcdefghij", 10), 10);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(canh_log_escape(out, 6, "ab\x01z", 4), 7);
	assert_string_equal(out, "ab"); /* "\x01" would not fit whole */
	assert_int_equal(canh_log_escape(out, 5, "abc\xe1\xbb\x9d", 6), 6);
	assert_string_equal(out, "abc"); /* "ờ" is 3 bytes, only 1 left */
	assert_int_equal(canh_log_escape(out, 4, "\\\\\\", 3), 6);
	assert_string_equal(out, "\\\\");
	out[0] = 'x';
	assert_int_equal(canh_log_escape(out, 0, "abc", 3), 3);
	assert_int_equal(out[0], 'x');
	assert_int_equal(canh_log_escape(out, 1, "abc", 3), 3);
	assert_string_equal(out, "");
	assert_int_equal(canh_log_escape(NULL, 0, "\n", 1), 4);
}

/* Run fn with stderr captured into buf. */
static size_t capture(void (*fn)(void), char *buf, size_t len)
{
	char path[] = "/tmp/canh-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	ssize_t n = pread(fd, buf, len - 1, 0);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

static void log_basic(void)
{
	canh_log_init("/usr/sbin/canhd", CANH_LOG_INFO, CANH_LOG_STDERR);
	canh_error_r(CANH_ENOENT, "cannot open '%s'", "x\ny");
}

static void test_format(void **state)
{
	char buf[1024];
	capture(log_basic, buf, sizeof(buf));
	regex_t re;
	assert_int_equal(
	    regcomp(&re,
		    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		    "canhd\\[[0-9]+\\]: error: log_basic: cannot open 'x\\\\x0ay': "
		    "no such file or object\n$",
		    REG_EXTENDED),
	    0);
	int m = regexec(&re, buf, 0, NULL, 0);
	if (m != 0)
		print_error("got '%s'\n", buf);
	assert_int_equal(m, 0);
	regfree(&re);
	char pid[32];
	snprintf(pid, sizeof(pid), "canhd[%ld]: ", (long)getpid());
	assert_non_null(strstr(buf, pid));
}

static void log_levels(void)
{
	canh_log_init("canh-agent", CANH_LOG_WARN, CANH_LOG_STDERR);
	canh_debug("d1");
	canh_info("i1");
	canh_warn("w1");
	canh_error("e1");
	canh_log_set_level(CANH_LOG_DEBUG);
	canh_debug("d2");
	canh_warn_r(CANH_ETIMEOUT, "w2");
	canh_log_set_level(CANH_LOG_ERROR);
	canh_warn("w3");
}

static void test_levels(void **state)
{
	char buf[4096];
	capture(log_levels, buf, sizeof(buf));
	assert_null(strstr(buf, "d1"));
	assert_null(strstr(buf, "i1"));
	assert_null(strstr(buf, "w3"));
	assert_non_null(strstr(buf, "canh-agent["));
	assert_non_null(strstr(buf, ": warn: log_levels: w1\n"));
	assert_non_null(strstr(buf, ": error: log_levels: e1\n"));
	assert_non_null(strstr(buf, ": debug: log_levels: d2\n"));
	assert_non_null(strstr(buf, ": warn: log_levels: w2: timed out\n"));
	int lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_int_equal(canh_log_get_level(), CANH_LOG_ERROR);
}

static char *long_msg;

static void log_long(void)
{
	canh_log_init("canhd", CANH_LOG_INFO, CANH_LOG_STDERR);
	canh_error_r(CANH_EIO, "%s", long_msg);
}

static void log_long_escaped(void)
{
	canh_log_init("canhd", CANH_LOG_INFO, CANH_LOG_STDERR);
	canh_info("%s", long_msg);
}

static void test_truncation(void **state)
{
	static char buf[65536];
	long_msg = malloc(20001);
	assert_non_null(long_msg);
	memset(long_msg, 'a', 20000);
	long_msg[20000] = '\0';

	size_t n = capture(log_long, buf, sizeof(buf));
	assert_true(n <= 8192);
	assert_true(n > 8000);
	assert_int_equal(buf[n - 1], '\n');
	const char *tail = "aaa\xe2\x80\xa6: input/output error\n";
	assert_int_equal(memcmp(buf + n - strlen(tail), tail, strlen(tail)), 0);
	assert_null(memchr(buf, '\n', n - 1));

	/* A message that fits raw but not escaped (3000 bytes become 12000): the
	 * cut falls between whole escapes and is marked. */
	memset(long_msg, '\x01', 3000);
	long_msg[3000] = '\0';
	n = capture(log_long_escaped, buf, sizeof(buf));
	assert_true(n <= 8192);
	assert_int_equal(buf[n - 1], '\n');
	const char *tail2 = "\\x01\xe2\x80\xa6\n";
	assert_int_equal(memcmp(buf + n - strlen(tail2), tail2, strlen(tail2)), 0);
	free(long_msg);
}

static void log_short(void)
{
	canh_log_init("canhd", CANH_LOG_INFO, CANH_LOG_STDERR);
	canh_info("short");
}

static void test_no_ellipsis_when_fits(void **state)
{
	char buf[1024];
	capture(log_short, buf, sizeof(buf));
	assert_null(strstr(buf, "\xe2\x80\xa6"));
	assert_non_null(strstr(buf, ": info: log_short: short\n"));
}

static void test_journal_sink_does_not_crash(void **state)
{
	canh_log_init("canh-test", CANH_LOG_DEBUG, CANH_LOG_JOURNAL);
	canh_debug("unit test record with a newline\nand \xff");
	canh_error_r(CANH_EIO, "unit test error record");
	canh_log_init("canh-test", CANH_LOG_INFO, CANH_LOG_STDERR);
	assert_int_equal(canh_log_get_level(), CANH_LOG_INFO);
}

static void test_level_parse(void **state)
{
	enum canh_log_level l = CANH_LOG_ERROR;
	assert_int_equal(canh_log_level_parse("debug", &l), 0);
	assert_int_equal(l, CANH_LOG_DEBUG);
	assert_int_equal(canh_log_level_parse("WARN", &l), 0);
	assert_int_equal(l, CANH_LOG_WARN);
	assert_int_equal(canh_log_level_parse("info", &l), 0);
	assert_int_equal(l, CANH_LOG_INFO);
	assert_int_equal(canh_log_level_parse("error", &l), 0);
	assert_int_equal(l, CANH_LOG_ERROR);
	assert_int_equal(canh_log_level_parse("verbose", &l), CANH_EINVAL);
	assert_int_equal(canh_log_level_parse("", &l), CANH_EINVAL);
	assert_int_equal(l, CANH_LOG_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_table),
	    cmocka_unit_test(test_escape_truncation),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_no_ellipsis_when_fits),
	    cmocka_unit_test(test_journal_sink_does_not_crash),
	    cmocka_unit_test(test_level_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
