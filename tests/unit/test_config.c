/*
 * Unit tests for lib/config.c, as data: each case is a file text and either
 * the error it must produce or the value one setting must end up with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/config.h"
#include "canh/error.h"
#include "canh/fs.h"

struct conf {
	char log_level[8];
	char listen[16];
	int64_t port;
	int64_t max_body;
	int64_t timeout;
	int tls;
	int64_t interval;
	int64_t spool_max;
	char unit[32];
};

#define K 1024LL
#define M (1024LL * 1024)
#define G (1024LL * 1024 * 1024)

static const struct canh_cfg_def defs[] = {
    {NULL, "log_level", CANH_CFG_STRING, 0, 0, "info", offsetof(struct conf, log_level),
     sizeof(((struct conf *)0)->log_level), "log level"},
    {"server", "listen", CANH_CFG_STRING, 0, 0, "127.0.0.1", offsetof(struct conf, listen),
     sizeof(((struct conf *)0)->listen), "address to listen on"},
    {"server", "port", CANH_CFG_INT, 1, 65535, "8443", offsetof(struct conf, port), 0, "port"},
    {"server", "max_body", CANH_CFG_SIZE, K, G, "1M", offsetof(struct conf, max_body), 0,
     "largest request body"},
    {"server", "timeout", CANH_CFG_DURATION, 1000, 86400000, "30s", offsetof(struct conf, timeout),
     0, "request timeout"},
    {"server", "tls", CANH_CFG_BOOL, 0, 0, "yes", offsetof(struct conf, tls), 0, "use TLS"},
    {"agent", "interval", CANH_CFG_DURATION, 250, 3600000, "250ms", offsetof(struct conf, interval),
     0, "poll interval"},
    {"agent", "spool_max", CANH_CFG_SIZE, 0, 8 * G, "512M", offsetof(struct conf, spool_max), 0,
     "spool cap"},
    {"agent", "unit", CANH_CFG_STRING, 0, 0, NULL, offsetof(struct conf, unit),
     sizeof(((struct conf *)0)->unit), "unit name"},
    {NULL, NULL, 0, 0, 0, NULL, 0, 0, NULL},
};

/* field: "section.name" whose value is checked; err: expected message substring. */
struct cfg_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *err;
	const char *field;
	int64_t ival;
	const char *sval;
};

#define OK_I(t, f, v)                                                                              \
	{                                                                                          \
		t, 0, NULL, f, v, NULL                                                             \
	}
#define OK_S(t, f, v)                                                                              \
	{                                                                                          \
		t, 0, NULL, f, 0, v                                                                \
	}
#define BAD(t, e)                                                                                  \
	{                                                                                          \
		t, 0, e, NULL, 0, NULL                                                             \
	}
/* For texts with an embedded NUL. */
#define BADN(t, e)                                                                                 \
	{                                                                                          \
		t, sizeof(t) - 1, e, NULL, 0, NULL                                                 \
	}

static const struct cfg_case cases[] = {
    /* INT bounds: exactly min and max, one past each. */
    OK_I("[server]\nport = 1\n", "server.port", 1),
    OK_I("[server]\nport = 65535\n", "server.port", 65535),
    BAD("[server]\nport = 0\n", "canhd.conf:2: 'port' must be between 1 and 65535, got '0'"),
    BAD("[server]\nport = 65536\n",
	"canhd.conf:2: 'port' must be between 1 and 65535, got '65536'"),
    BAD("[server]\nport = -1\n", "'port' must be between 1 and 65535, got '-1'"),
    BAD("[server]\nport = 99999999999999999999\n", "'port' must be between 1 and 65535"),
    BAD("[server]\nport = 0x10\n", "'port' must be an integer, got '0x10'"),
    BAD("[server]\nport = 12abc\n", "'port' must be an integer, got '12abc'"),
    BAD("[server]\nport =\n", "'port' must be an integer, got ''"),
    BAD("[server]\nport = \" 80\"\n", "'port' must be an integer, got ' 80'"),
    BAD("[server]\nport = 8 0\n", "'port' must be an integer, got '8 0'"),
    OK_I("[server]\nport=\"80\"\n", "server.port", 80),
    OK_I("[server]\n  port\t=\t443  \n", "server.port", 443),
    /* SIZE bounds 1K..1G. */
    OK_I("[server]\nmax_body = 1K\n", "server.max_body", K),
    OK_I("[server]\nmax_body = 1024\n", "server.max_body", K),
    OK_I("[server]\nmax_body = 1G\n", "server.max_body", G),
    OK_I("[server]\nmax_body = 64k\n", "server.max_body", 64 * K),
    OK_I("[server]\nmax_body = 8M\n", "server.max_body", 8 * M),
    BAD("[server]\nmax_body = 1023\n", "'max_body' must be between 1K and 1G, got '1023'"),
    BAD("[server]\nmax_body = 1073741825\n",
	"'max_body' must be between 1K and 1G, got '1073741825'"),
    BAD("[server]\n\n\nmax_body = 5G\n",
	"canhd.conf:4: 'max_body' must be between 1K and 1G, got '5G'"),
    BAD("[server]\nmax_body = 1KB\n",
	"'max_body' must be a size like 512, 64K, 8M or 1G, got '1KB'"),
    BAD("[server]\nmax_body = 10X\n", "must be a size"),
    BAD("[server]\nmax_body = K\n", "must be a size"),
    BAD("[server]\nmax_body = 9999999999999G\n", "'max_body' must be between 1K and 1G"),
    /* DURATION bounds 1s..1d. */
    OK_I("[server]\ntimeout = 1s\n", "server.timeout", 1000),
    OK_I("[server]\ntimeout = 1000ms\n", "server.timeout", 1000),
    OK_I("[server]\ntimeout = 5\n", "server.timeout", 5000),
    OK_I("[server]\ntimeout = 5m\n", "server.timeout", 300000),
    OK_I("[server]\ntimeout = 2h\n", "server.timeout", 7200000),
    OK_I("[server]\ntimeout = 1d\n", "server.timeout", 86400000),
    BAD("[server]\ntimeout = 999ms\n", "'timeout' must be between 1s and 1d, got '999ms'"),
    BAD("[server]\ntimeout = 86400001ms\n",
	"'timeout' must be between 1s and 1d, got '86400001ms'"),
    BAD("[server]\ntimeout = 1.5s\n",
	"'timeout' must be a duration like 250ms, 30s, 5m, 2h or 7d, got '1.5s'"),
    BAD("[server]\ntimeout = 5 m\n", "must be a duration"),
    BAD("[server]\ntimeout = -1s\n", "must be a duration"),
    BAD("[server]\ntimeout = 1w\n", "must be a duration"),
    BAD("[server]\ntimeout = 9223372036854775807d\n", "'timeout' must be between 1s and 1d"),
    OK_I("[agent]\ninterval = 250ms\n", "agent.interval", 250),
    BAD("[agent]\ninterval = 249ms\n", "'interval' must be between 250ms and 1h, got '249ms'"),
    OK_I("[agent]\nspool_max = 8G\n", "agent.spool_max", 8 * G),
    OK_I("[agent]\nspool_max = 0\n", "agent.spool_max", 0),
    BAD("[agent]\nspool_max = 8193M\n", "'spool_max' must be between 0 and 8G, got '8193M'"),
    /* BOOL. */
    OK_I("[server]\ntls = off\n", "server.tls", 0),
    OK_I("[server]\ntls = no\n", "server.tls", 0),
    OK_I("[server]\ntls = 0\n", "server.tls", 0),
    OK_I("[server]\ntls = false\n", "server.tls", 0),
    OK_I("[server]\ntls = YES\n", "server.tls", 1),
    OK_I("[server]\ntls = on\n", "server.tls", 1),
    BAD("[server]\ntls = maybe\n", "'tls' must be yes or no, got 'maybe'"),
    BAD("[server]\ntls = 2\n", "'tls' must be yes or no, got '2'"),
    /* STRING: size 16 holds 15 bytes. */
    OK_S("[server]\nlisten = 0.0.0.0\n", "server.listen", "0.0.0.0"),
    OK_S("[server]\nlisten = 123456789012345\n", "server.listen", "123456789012345"),
    BAD("[server]\nlisten = 1234567890123456\n",
	"'listen' is too long (at most 15 bytes), got '1234567890123456'"),
    OK_S("[server]\nlisten = \"a \\\"b\\\" \\\\ c\"\n", "server.listen", "a \"b\" \\ c"),
    OK_S("[server]\nlisten = \"x # y\"\n", "server.listen", "x # y"),
    OK_S("[server]\nlisten = \"\"\n", "server.listen", ""),
    OK_S("[server]\nlisten = \"  \"\n", "server.listen", "  "),
    OK_S("[agent]\nunit = Trường THPT\n", "agent.unit", "Trường THPT"),
    OK_S("[server]\nlisten = a=b\n", "server.listen", "a=b"),
    BAD("[server]\nlisten = \"abc\n", "canhd.conf:2: 'listen' has a badly quoted value '\"abc'"),
    BAD("[server]\nlisten = \"a\"b\"\n", "badly quoted"),
    BAD("[server]\nlisten = \"a\\q\"\n", "badly quoted"),
    BAD("[server]\nlisten = \"\n", "badly quoted"),
    /* Structure. */
    BAD("[server]\nlisen = 1\n", "canhd.conf:2: unknown key 'lisen' in section [server]"),
    BAD("[sever]\nport = 1\n", "canhd.conf:1: unknown section [sever]"),
    BAD("port = 80\n", "canhd.conf:1: unknown key 'port' outside any section"),
    BAD("[server]\nport 80\n", "canhd.conf:2: expected 'key = value', got 'port 80'"),
    BAD("[server]\n= 80\n", "canhd.conf:2: missing key before '='"),
    BAD("[server\nport = 1\n", "canhd.conf:1: expected '[section]', got '[server'"),
    BAD("[]\n", "expected '[section]'"),
    BAD("[a]b]\n", "expected '[section]'"),
    BAD("[server]\nport = 1\nport = 2\n", "canhd.conf:3: 'port' is set twice"),
    BAD("[server]\nPort = 1\n", "unknown key 'Port'"),
    BAD("[server]\nx\x1b[31m = 1\n", "unknown key 'x\\x1b[31m' in section [server]"),
    BAD("[server]\nport = 1\x01\n", "got '1\\x01'"),
    BADN("[server]\nport = 1\0\n", "canhd.conf:2: NUL byte in line"),
    OK_I("# comment\n; another\n   # indented\n\n[server]\n# x = y\nport=81\n", "server.port", 81),
    OK_I("[server]\r\nport = 82\r\n", "server.port", 82),
    OK_I("\xef\xbb\xbf[server]\nport = 83", "server.port", 83),
    OK_I("[ server ]\nport = 84\n[agent]\n[server]\ntls = no\n", "server.port", 84),
    OK_S("log_level = debug\n[server]\n", "log_level", "debug"),
    BAD("[server]\nlog_level = debug\n", "unknown key 'log_level' in section [server]"),
    /* Defaults stay when not set. */
    OK_I("", "server.port", 8443),
    OK_I("[agent]\n", "server.max_body", M),
    OK_I("\n", "server.timeout", 30000),
    OK_I("", "server.tls", 1),
    OK_S("", "agent.unit", ""),
    OK_S("", "server.listen", "127.0.0.1"),
};

static const struct canh_cfg_def *def_by_key(const char *key)
{
	const char *dot = strchr(key, '.');
	for (const struct canh_cfg_def *d = defs; d->name; d++) {
		if (dot) {
			if (d->section && strlen(d->section) == (size_t)(dot - key) &&
			    strncmp(d->section, key, (size_t)(dot - key)) == 0 &&
			    strcmp(d->name, dot + 1) == 0)
				return d;
		} else if (!d->section && strcmp(d->name, key) == 0) {
			return d;
		}
	}
	return NULL;
}

static void check_field(const struct conf *c, const struct cfg_case *tc)
{
	const struct canh_cfg_def *d = def_by_key(tc->field);
	assert_non_null(d);
	const char *p = (const char *)c + d->offset;
	if (d->type == CANH_CFG_STRING) {
		assert_non_null(tc->sval);
		assert_string_equal(p, tc->sval);
	} else if (d->type == CANH_CFG_BOOL) {
		int b;
		memcpy(&b, p, sizeof(b));
		assert_int_equal(b, tc->ival);
	} else {
		int64_t v;
		memcpy(&v, p, sizeof(v));
		assert_int_equal(v, tc->ival);
	}
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cfg_case *tc = &cases[i];
		struct conf c;
		struct canh_errmsg err;
		memset(&c, 0xa5, sizeof(c));
		memset(&err, 0, sizeof(err));
		assert_int_equal(canh_config_defaults(defs, &c, &err), 0);
		int rc = canh_config_parse(defs, &c, tc->text, tc->len ? tc->len : strlen(tc->text),
					   "canhd.conf", &err);
		if (tc->err) {
			if (rc == 0 || !strstr(err.text, tc->err))
				print_error(
				    "case %zu: text '%s'\n  want error '%s'\n  got rc %d '%s'\n", i,
				    tc->text, tc->err, rc, err.text);
			assert_true(rc < 0);
			assert_non_null(strstr(err.text, tc->err));
		} else {
			if (rc != 0)
				print_error("case %zu: text '%s': unexpected error '%s'\n", i,
					    tc->text, err.text);
			assert_int_equal(rc, 0);
			check_field(&c, tc);
		}
	}
}

static void test_error_codes(void **state)
{
	struct conf c;
	struct canh_errmsg err;
	canh_config_defaults(defs, &c, &err);
	const char *range = "[server]\nport = 0\n";
	assert_int_equal(canh_config_parse(defs, &c, range, strlen(range), "x", &err), CANH_ERANGE);
	const char *parse = "[server]\nport = x\n";
	assert_int_equal(canh_config_parse(defs, &c, parse, strlen(parse), "x", &err), CANH_EPARSE);
	const char *big = "[server]\nlisten = 1234567890123456\n";
	assert_int_equal(canh_config_parse(defs, &c, big, strlen(big), "x", &err), CANH_ETOOBIG);
	/* A failed value leaves the field as it was. */
	assert_int_equal(c.port, 8443);
	assert_string_equal(c.listen, "127.0.0.1");
}

static void test_line_cap(void **state)
{
	struct conf c;
	struct canh_errmsg err;
	char text[5000];
	canh_config_defaults(defs, &c, &err);

	/* Exactly 4096 bytes is a line; 4097 is too long. */
	int n = snprintf(text, sizeof(text), "[server]\n#");
	memset(text + n, 'x', 4095);
	text[n + 4095] = '\n';
	text[n + 4096] = '\0';
	assert_int_equal(canh_config_parse(defs, &c, text, strlen(text), "l.conf", &err), 0);
	text[n + 4095] = 'x';
	text[n + 4096] = '\n';
	text[n + 4097] = '\0';
	assert_int_equal(canh_config_parse(defs, &c, text, strlen(text), "l.conf", &err),
			 CANH_ETOOBIG);
	assert_string_equal(err.text, "l.conf:2: line longer than 4096 bytes");

	/* Over the file cap. */
	size_t biglen = 1024 * 1024 + 1;
	char *big = malloc(biglen);
	assert_non_null(big);
	memset(big, '\n', biglen);
	assert_int_equal(canh_config_parse(defs, &c, big, biglen, "b.conf", &err), CANH_ETOOBIG);
	assert_int_equal(canh_config_parse(defs, &c, big, biglen - 1, "b.conf", &err), 0);
	free(big);
}

static void test_standalone_parsers(void **state)
{
	int64_t v = 0;
	int b = -1;
	assert_int_equal(canh_parse_int64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(canh_parse_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(canh_parse_int64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
			 CANH_ERANGE);
	assert_int_equal(canh_parse_int64("101", 0, 100, &v), CANH_ERANGE);
	assert_int_equal(canh_parse_int64("-1", 0, 100, &v), CANH_ERANGE);
	assert_int_equal(canh_parse_int64(" 1", 0, 100, &v), CANH_EPARSE);
	assert_int_equal(canh_parse_int64("1 ", 0, 100, &v), CANH_EPARSE);
	assert_int_equal(canh_parse_int64("", 0, 100, &v), CANH_EPARSE);
	assert_int_equal(canh_parse_int64("+", 0, 100, &v), CANH_EPARSE);
	assert_int_equal(canh_parse_int64("+7", 0, 100, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(canh_parse_duration_ms("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(canh_parse_duration_ms("7d", &v), 0);
	assert_int_equal(v, 7LL * 86400000);
	assert_int_equal(canh_parse_duration_ms("", &v), CANH_EPARSE);
	assert_int_equal(canh_parse_duration_ms("s", &v), CANH_EPARSE);
	assert_int_equal(canh_parse_duration_ms("5sec", &v), CANH_EPARSE);
	assert_int_equal(canh_parse_size("3G", &v), 0);
	assert_int_equal(v, 3 * G);
	assert_int_equal(canh_parse_size("8796093022208G", &v), CANH_ERANGE);
	assert_int_equal(canh_parse_bool("TRUE", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(canh_parse_bool("Off", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(canh_parse_bool("", &b), CANH_EPARSE);
	assert_int_equal(canh_parse_bool("yess", &b), CANH_EPARSE);
}

static void test_set(void **state)
{
	struct conf c;
	struct canh_errmsg err;
	canh_config_defaults(defs, &c, &err);
	assert_int_equal(canh_config_set(defs, &c, "server.port", "9000", &err), 0);
	assert_int_equal(c.port, 9000);
	assert_int_equal(canh_config_set(defs, &c, "interval", "1m", &err), 0);
	assert_int_equal(c.interval, 60000);
	assert_int_equal(canh_config_set(defs, &c, "log_level", "warn", &err), 0);
	assert_string_equal(c.log_level, "warn");
	assert_int_equal(canh_config_set(defs, &c, "server.nope", "1", &err), CANH_ENOENT);
	assert_string_equal(err.text, "unknown setting 'server.nope'");
	assert_int_equal(canh_config_set(defs, &c, "agent.port", "1", &err), CANH_ENOENT);
	assert_int_equal(canh_config_set(defs, &c, "server.port", "70000", &err), CANH_ERANGE);
	assert_string_equal(err.text,
			    "server.port: 'port' must be between 1 and 65535, got '70000'");
	assert_int_equal(c.port, 9000);
}

static void test_defaults_bug(void **state)
{
	static const struct canh_cfg_def bad[] = {
	    {"s", "n", CANH_CFG_INT, 1, 10, "11", 0, 0, NULL},
	    {NULL, NULL, 0, 0, 0, NULL, 0, 0, NULL},
	};
	int64_t v;
	struct canh_errmsg err;
	assert_int_equal(canh_config_defaults(bad, &v, &err), CANH_ERANGE);
	assert_non_null(strstr(err.text, "'n' must be between 1 and 10, got '11'"));
}

static void test_dump_roundtrip(void **state)
{
	struct conf c, c2;
	struct canh_errmsg err;
	struct canh_buf out = CANH_BUF_INIT(65536);
	const char *text = "log_level = debug\n[server]\nlisten = \"a \\\"q\\\" b\"\nport = 9\n"
			   "max_body = 1536\ntimeout = 90s\ntls = off\n"
			   "[agent]\ninterval = 1500ms\nspool_max = 2G\nunit = Sở GDĐT\n";
	memset(&c, 0, sizeof(c));
	canh_config_defaults(defs, &c, &err);
	assert_int_equal(canh_config_parse(defs, &c, text, strlen(text), "d.conf", &err), 0);
	assert_int_equal(canh_config_dump(defs, &c, &out), 0);
	assert_string_equal(canh_buf_cstr(&out), "log_level = \"debug\"\n"
						 "\n[server]\n"
						 "listen = \"a \\\"q\\\" b\"\n"
						 "port = 9\n"
						 "max_body = 1536\n"
						 "timeout = 90s\n"
						 "tls = no\n"
						 "\n[agent]\n"
						 "interval = 1500ms\n"
						 "spool_max = 2G\n"
						 "unit = \"Sở GDĐT\"\n");
	memset(&c2, 0, sizeof(c2));
	canh_config_defaults(defs, &c2, &err);
	assert_int_equal(canh_config_parse(defs, &c2, out.data, out.len, "dump", &err), 0);
	assert_memory_equal(&c, &c2, sizeof(c));
	canh_buf_release(&out);

	/* Durations that are whole minutes, hours, days read back as such. */
	struct canh_buf o2 = CANH_BUF_INIT(4096);
	c.timeout = 86400000;
	c.interval = 3600000;
	c.max_body = 1024;
	assert_int_equal(canh_config_dump(defs, &c, &o2), 0);
	assert_non_null(strstr(o2.data, "timeout = 1d\n"));
	assert_non_null(strstr(o2.data, "interval = 1h\n"));
	assert_non_null(strstr(o2.data, "max_body = 1K\n"));
	canh_buf_release(&o2);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/canh-test-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/canhd.conf", dir);
	const char *text = "[server]\nport = 1234\n";
	assert_int_equal(canh_file_write_atomic(path, text, strlen(text), 0644, NULL), 0);

	struct conf c;
	struct canh_errmsg err;
	canh_config_defaults(defs, &c, &err);
	assert_int_equal(canh_config_load(defs, &c, path, &err), 0);
	assert_int_equal(c.port, 1234);

	const char *bad = "[server]\n\nport = 0\n";
	assert_int_equal(canh_file_write_atomic(path, bad, strlen(bad), 0644, NULL), 0);
	assert_int_equal(canh_config_load(defs, &c, path, &err), CANH_ERANGE);
	char want[400];
	snprintf(want, sizeof(want), "%s:3: 'port' must be between 1 and 65535, got '0'", path);
	assert_string_equal(err.text, want);
	unlink(path);
	assert_int_equal(canh_config_load(defs, &c, path, &err), CANH_ENOENT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_error_codes),
	    cmocka_unit_test(test_line_cap),
	    cmocka_unit_test(test_standalone_parsers),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_defaults_bug),
	    cmocka_unit_test(test_dump_roundtrip),
	    cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
