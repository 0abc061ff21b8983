/*
 * Unit tests for the CLI's option parser (cli/opts.c) and for everything
 * canh_cli_run decides without a server: help, version, usage errors and
 * their exit status 2, global options before or after the command, --lang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "opts.h"

enum { O_A = 1, O_B, O_C };

static const struct canh_cli_opt cmd_opts[] = {
    {"alpha", 'a', 1, O_A},
    {"beta", 0, 0, O_B},
    {NULL, 0, 0, 0},
};
static const struct canh_cli_opt glob_opts[] = {
    {"gamma", 'g', 1, O_C},
    {NULL, 0, 0, 0},
};

static void test_parser(void **state)
{
	char *argv[] = {"prog", "--alpha", "1", "pos1", "--beta", "--alpha=x=y", "-a",
			"2",	"--gamma", "",	"-",	"--",	  "--beta",	 NULL};
	int argc = 13;
	struct canh_cli_optparse p;
	canh_cli_opt_init(&p, argc, argv, 1, cmd_opts, glob_opts);
	assert_int_equal(canh_cli_opt_next(&p), O_A);
	assert_string_equal(p.value, "1");
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_POSITIONAL);
	assert_string_equal(p.value, "pos1");
	assert_int_equal(canh_cli_opt_next(&p), O_B);
	assert_null(p.value);
	assert_int_equal(canh_cli_opt_next(&p), O_A);
	assert_string_equal(p.value, "x=y");
	assert_int_equal(canh_cli_opt_next(&p), O_A);
	assert_string_equal(p.value, "2");
	assert_int_equal(canh_cli_opt_next(&p), O_C);
	assert_string_equal(p.value, "");
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_POSITIONAL);
	assert_string_equal(p.value, "-");
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_POSITIONAL);
	assert_string_equal(p.value, "--beta");
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_END);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_END);
}

static void test_parser_errors(void **state)
{
	struct canh_cli_optparse p;
	char *a1[] = {"prog", "--nope=3", NULL};
	canh_cli_opt_init(&p, 2, a1, 1, cmd_opts, glob_opts);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_ERR_UNKNOWN);
	assert_string_equal(p.name, "--nope");

	char *a2[] = {"prog", "--alpha", NULL};
	canh_cli_opt_init(&p, 2, a2, 1, cmd_opts, glob_opts);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_ERR_NEEDS_VALUE);
	assert_string_equal(p.name, "--alpha");

	char *a3[] = {"prog", "--beta=1", NULL};
	canh_cli_opt_init(&p, 2, a3, 1, cmd_opts, glob_opts);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_ERR_NO_VALUE);
	assert_string_equal(p.name, "--beta");

	char *a4[] = {"prog", "-ax", NULL};
	canh_cli_opt_init(&p, 2, a4, 1, cmd_opts, glob_opts);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_ERR_UNKNOWN);
	assert_string_equal(p.name, "-ax");

	/* Only the tables given are searched. */
	char *a5[] = {"prog", "--gamma", "1", NULL};
	canh_cli_opt_init(&p, 3, a5, 1, cmd_opts, NULL);
	assert_int_equal(canh_cli_opt_next(&p), CANH_OPT_ERR_UNKNOWN);
}

struct result {
	int status;
	char *out;
	char *err;
};

/* canh_cli_run over a NULL-terminated argument list, with an empty environment. */
static struct result run(enum canh_lang lang, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, lang);
	argv[argc++] = "canh";
	for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	struct result r;
	size_t ol = 0, el = 0;
	struct canh_cli c;
	memset(&c, 0, sizeof(c));
	c.lang = lang;
	c.timeout_ms = CANH_CLI_DEFAULT_TIMEOUT_MS;
	c.out = open_memstream(&r.out, &ol);
	c.err = open_memstream(&r.err, &el);
	r.status = canh_cli_run(&c, argc, argv);
	fclose(c.out);
	fclose(c.err);
	return r;
}

static void done(struct result *r)
{
	free(r->out);
	free(r->err);
}

#define EXPECT(r, st, outsub, errsub)                                                              \
	do {                                                                                       \
		if ((r).status != (st) || !strstr((r).out, (outsub)) ||                            \
		    !strstr((r).err, (errsub)))                                                    \
			fail_msg("status %d (want %d)\nstdout: %s\nstderr: %s", (r).status, (st),  \
				 (r).out, (r).err);                                                \
		done(&(r));                                                                        \
	} while (0)

static void test_help_and_version(void **state)
{
	struct result r = run(CANH_LANG_EN, "--help", NULL);
	EXPECT(r, 0, "usage: canh [options] <command>", "");
	r = run(CANH_LANG_VI, "-h", NULL);
	EXPECT(r, 0, "cách dùng: canh", "");
	r = run(CANH_LANG_EN, "help", "token", NULL);
	EXPECT(r, 0, "canh token create --unit CODE", "");
	r = run(CANH_LANG_EN, "unit", "--help", NULL);
	EXPECT(r, 0, "canh unit import FILE.csv", "");
	r = run(CANH_LANG_EN, "host", "show", "--help", NULL);
	EXPECT(r, 0, "canh host show ID [--packages]", "");
	r = run(CANH_LANG_EN, "unit", "add", "--code", "X", "-h", NULL);
	EXPECT(r, 0, "--contact", "");
	/* Help as the very first option of a command with its own options. */
	r = run(CANH_LANG_EN, "unit", "add", "--help", NULL);
	EXPECT(r, 0, "--contact", "");
	r = run(CANH_LANG_VI, "token", "create", "-h", NULL);
	EXPECT(r, 0, "mã đăng ký", "");
	r = run(CANH_LANG_EN, "--version", NULL);
	EXPECT(r, 0, "canh " CANH_VERSION "\n", "");
	r = run(CANH_LANG_EN, "help", "nope", NULL);
	EXPECT(r, 2, "", "unknown command 'nope'");
}

static void test_usage_errors(void **state)
{
	struct result r = run(CANH_LANG_EN, NULL);
	EXPECT(r, 2, "", "usage: canh");
	r = run(CANH_LANG_EN, "frobnicate", NULL);
	EXPECT(r, 2, "", "error: unknown command 'frobnicate'\nrun 'canh --help' for usage\n");
	r = run(CANH_LANG_EN, "unit", NULL);
	EXPECT(r, 2, "", "'canh unit' needs a command");
	r = run(CANH_LANG_EN, "unit", "remove", NULL);
	EXPECT(r, 2, "", "unknown command 'canh unit remove'");
	r = run(CANH_LANG_EN, "--bogus", "unit", "list", NULL);
	EXPECT(r, 2, "", "unknown option '--bogus'");
	r = run(CANH_LANG_EN, "unit", "list", "--server", NULL);
	EXPECT(r, 2, "", "option '--server' needs a value");
	r = run(CANH_LANG_EN, "unit", "list", "--json=yes", NULL);
	EXPECT(r, 2, "", "option '--json' takes no value");
	r = run(CANH_LANG_EN, "unit", "list", "extra", NULL);
	EXPECT(r, 2, "", "unexpected argument 'extra'");
	r = run(CANH_LANG_EN, "unit", "show", NULL);
	EXPECT(r, 2, "", "missing argument CODE");
	r = run(CANH_LANG_EN, "unit", "show", "A", "B", NULL);
	EXPECT(r, 2, "", "unexpected argument 'B'");
	r = run(CANH_LANG_EN, "unit", "import", NULL);
	EXPECT(r, 2, "", "missing argument FILE.csv");
	r = run(CANH_LANG_EN, "unit", "add", "--name", "X", "--type", "school", NULL);
	EXPECT(r, 2, "", "missing option '--code'");
	r = run(CANH_LANG_EN, "unit", "add", "--code", "X", "--name", "X", "--type", "college",
		NULL);
	EXPECT(r, 2, "", "invalid unit type 'college'");
	r = run(CANH_LANG_EN, "unit", "add", "--code", "X", "--name", "X", "--type", "school",
		"--contact", ";IT", NULL);
	EXPECT(r, 2, "", "invalid contact ';IT'");
	r = run(CANH_LANG_EN, "unit", "add", "--code", "X", "--name", "bad\xff", "--type", "school",
		NULL);
	EXPECT(r, 2, "", "the value of '--name' is not valid UTF-8");
	r = run(CANH_LANG_EN, "token", "create", NULL);
	EXPECT(r, 2, "", "missing option '--unit'");
	r = run(CANH_LANG_EN, "token", "create", "--unit", "X", "--expires", "soon", NULL);
	EXPECT(r, 2, "", "invalid duration 'soon'");
	r = run(CANH_LANG_EN, "host", "show", "seven", NULL);
	EXPECT(r, 2, "", "invalid host id 'seven'");
	r = run(CANH_LANG_EN, "host", "revoke", "0", NULL);
	EXPECT(r, 2, "", "invalid host id '0'");
	r = run(CANH_LANG_EN, "host", "list", "--packages", NULL);
	EXPECT(r, 2, "", "unknown option '--packages'");
	r = run(CANH_LANG_EN, "--timeout", "0s", "health", NULL);
	EXPECT(r, 2, "", "invalid duration '0s'");
	r = run(CANH_LANG_EN, "--lang", "fr", "health", NULL);
	EXPECT(r, 2, "", "invalid language 'fr'");
}

static void test_no_server(void **state)
{
	/* Options parse, then there is nowhere to send the request. */
	struct result r = run(CANH_LANG_EN, "summary", NULL);
	EXPECT(r, 2, "", "no server given");
	r = run(CANH_LANG_EN, "--json", "unit", "add", "--code", "HP-THPT-NQ", "--name",
		"Trường THPT Ngô Quyền", "--type", "school", "--ranges", "203.0.113.0/28",
		"--contact", "Nguyễn Văn A;IT;0912345678;a@example.vn", NULL);
	EXPECT(r, 2, "", "no server given");
}

static void test_lang_option(void **state)
{
	/* --lang is honoured wherever it is, even for an error about an earlier argument. */
	struct result r = run(CANH_LANG_EN, "--bogus", "--lang", "vi", NULL);
	EXPECT(r, 2, "", "lỗi: không có tùy chọn '--bogus'\nchạy 'canh --help'");
	r = run(CANH_LANG_VI, "unit", "list", "--lang=en", "x", NULL);
	EXPECT(r, 2, "", "error: unexpected argument 'x'");
	r = run(CANH_LANG_EN, "host", "show", "x", "--lang", "vi", NULL);
	EXPECT(r, 2, "", "lỗi: mã máy trạm không hợp lệ 'x'");
	r = run(CANH_LANG_EN, "--lang", "vi", "summary", NULL);
	EXPECT(r, 2, "", "lỗi: chưa chỉ định máy chủ");
	/* Argument names read as in the Vietnamese usage. */
	r = run(CANH_LANG_VI, "unit", "show", NULL);
	EXPECT(r, 2, "", "lỗi: thiếu tham số MÃ\n");
	r = run(CANH_LANG_VI, "unit", "import", NULL);
	EXPECT(r, 2, "", "lỗi: thiếu tham số TỆP.csv\n");
	r = run(CANH_LANG_VI, "host", "revoke", NULL);
	EXPECT(r, 2, "", "lỗi: thiếu tham số ID\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parser),	     cmocka_unit_test(test_parser_errors),
	    cmocka_unit_test(test_help_and_version), cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_no_server),	     cmocka_unit_test(test_lang_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
