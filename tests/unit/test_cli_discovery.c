/*
 * Unit tests for server discovery (cli/client.c, canh_cli_resolve): a canhd
 * state directory with a generated certificate, the fingerprint re-check,
 * and the order --server/--state-dir, then CANH_SERVER/CANH_STATE_DIR.
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

#include "canh/error.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/tls.h"
#include "cli.h"

struct fixture {
	char dir[64];
	char fp[CANH_SHA256_HEX];
	char *token_file;  /* dir/admin.token */
	char *other_token; /* dir/other.token */
	char *errtext;
	size_t errlen;
	FILE *err;
	struct canh_cli c;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = canh_path_join(dir, name);
	assert_int_equal(canh_file_write_atomic(p, text, strlen(text), 0600, NULL), 0);
	free(p);
}

static void write_state(struct fixture *f, const char *fingerprint)
{
	char *cert = canh_path_join(f->dir, "cert.pem");
	char *json = canh_xasprintf("{\"url\":\"https://127.0.0.1:18443\",\"pid\":%ld,"
				    "\"cert\":\"%s\",\"fingerprint\":\"%s\","
				    "\"admin_token_file\":\"%s\"}\n",
				    (long)getpid(), cert, fingerprint, f->token_file);
	write_file(f->dir, "canhd.json", json);
	free(json);
	free(cert);
}

static int setup(void **state)
{
	struct fixture *f = canh_xcalloc(1, sizeof(*f));
	struct canh_errmsg em;
	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-test-cli-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char *cert = canh_path_join(f->dir, "cert.pem");
	char *key = canh_path_join(f->dir, "key.pem");
	if (canh_tls_generate_selfsigned(cert, key, "canh-test", NULL, 30, &em) != 0)
		fail_msg("generate: %s", em.text);
	assert_int_equal(canh_tls_fingerprint_file(cert, f->fp, &em), 0);
	free(cert);
	free(key);
	f->token_file = canh_path_join(f->dir, "admin.token");
	f->other_token = canh_path_join(f->dir, "other.token");
	write_file(f->dir, "admin.token", "0123abcd-admin\n");
	write_file(f->dir, "other.token", "other-token\n");
	write_state(f, f->fp);

	memset(&f->c, 0, sizeof(f->c));
	f->err = open_memstream(&f->errtext, &f->errlen);
	f->c.out = f->err;
	f->c.err = f->err;
	f->c.lang = CANH_LANG_EN;
	f->c.timeout_ms = CANH_CLI_DEFAULT_TIMEOUT_MS;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const char *names[] = {"cert.pem", "key.pem", "admin.token", "other.token", "canhd.json"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = canh_path_join(f->dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(f->dir);
	fclose(f->err);
	free(f->errtext);
	free(f->token_file);
	free(f->other_token);
	free(f);
	return 0;
}

/* What was printed so far. */
static const char *printed(struct fixture *f)
{
	fflush(f->err);
	return f->errtext ? f->errtext : "";
}

static void test_state_dir(void **state)
{
	struct fixture *f = *state;
	f->c.state_dir = f->dir;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.url, "https://127.0.0.1:18443");
	assert_string_equal(f->c.conn.pin, f->fp);
	assert_string_equal(f->c.conn.token, "0123abcd-admin");
	assert_string_equal(f->c.conn.ca_file, "");
	assert_int_equal(f->c.conn.pid, (long)getpid());
	assert_string_equal(printed(f), "");
}

static void test_state_dir_with_trust_option(void **state)
{
	struct fixture *f = *state;
	f->c.state_dir = f->dir;
	f->c.fingerprint = f->fp;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "do not apply with --state-dir"));
}

static void test_state_dir_from_env(void **state)
{
	struct fixture *f = *state;
	f->c.env_state_dir = f->dir;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.pin, f->fp);
}

static void test_state_dir_token_override(void **state)
{
	struct fixture *f = *state;
	f->c.state_dir = f->dir;
	f->c.token_file = f->other_token;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.token, "other-token");
}

static void test_state_dir_fingerprint_mismatch(void **state)
{
	struct fixture *f = *state;
	write_state(f, "00000000000000000000000000000000000000000000000000000000000000ff");
	f->c.state_dir = f->dir;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "canhd.json names 0000"));
	assert_non_null(strstr(printed(f), f->fp));
	assert_int_equal(f->c.resolved, 0);
}

static void test_state_dir_missing(void **state)
{
	struct fixture *f = *state;
	char *p = canh_path_join(f->dir, "canhd.json");
	unlink(p);
	free(p);
	f->c.state_dir = f->dir;
	f->c.lang = CANH_LANG_VI;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "lỗi: không có canhd.json"));
}

static void test_state_dir_bad_json(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "canhd.json", "{\"url\": 5");
	f->c.state_dir = f->dir;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "canhd.json:"));
	write_file(f->dir, "canhd.json", "{\"url\":\"https://127.0.0.1:1\"}");
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "fingerprint"));
	/* The CLI's own words in Vietnamese; JSON keys stay as they are. */
	f->c.lang = CANH_LANG_VI;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "canhd.json: không có \"fingerprint\" hợp lệ"));
	write_file(f->dir, "canhd.json", "[1]");
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "canhd.json: không phải một đối tượng JSON"));
}

static void test_server_beats_state_dir(void **state)
{
	struct fixture *f = *state;
	f->c.server = "https://10.0.0.5:8443/";
	f->c.token_file = f->other_token;
	f->c.state_dir = f->dir;
	f->c.env_server = "https://192.0.2.1";
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.url, "https://10.0.0.5:8443");
	assert_string_equal(f->c.conn.token, "other-token");
	assert_string_equal(f->c.conn.pin, "");
}

static void test_command_line_beats_environment(void **state)
{
	struct fixture *f = *state;
	/* --state-dir on the command line wins over CANH_SERVER in the environment. */
	f->c.state_dir = f->dir;
	f->c.env_server = "https://192.0.2.1";
	f->c.env_token_file = f->other_token;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.url, "https://127.0.0.1:18443");
}

static void test_env_server_beats_env_state_dir(void **state)
{
	struct fixture *f = *state;
	f->c.env_state_dir = f->dir;
	f->c.env_server = "192.0.2.1:8443";
	f->c.env_token_file = f->other_token;
	f->c.env_fingerprint = f->fp;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.url, "https://192.0.2.1:8443");
	assert_string_equal(f->c.conn.token, "other-token");
	assert_string_equal(f->c.conn.pin, f->fp);
}

static void test_trust_options(void **state)
{
	struct fixture *f = *state;
	/* A CA on the command line replaces the environment's fingerprint. */
	f->c.server = "https://canh.example.vn";
	f->c.token_file = f->other_token;
	f->c.ca_file = "/etc/ssl/certs/ca-certificates.crt";
	f->c.env_fingerprint = f->fp;
	assert_int_equal(canh_cli_resolve(&f->c, 1), 0);
	assert_string_equal(f->c.conn.pin, "");
	assert_string_equal(f->c.conn.ca_file, "/etc/ssl/certs/ca-certificates.crt");

	/* Both on the command line is a usage error. */
	f->c.resolved = 0;
	f->c.fingerprint = f->fp;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "cannot be used together"));

	f->c.ca_file = NULL;
	f->c.fingerprint = "AB:CD";
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "invalid fingerprint 'AB:CD'"));
}

static void test_missing_token(void **state)
{
	struct fixture *f = *state;
	f->c.server = "https://canh.example.vn";
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "no administrator token"));
	/* canh health needs none. */
	assert_int_equal(canh_cli_resolve(&f->c, 0), 0);
	assert_string_equal(f->c.conn.token, "");
}

static void test_unreadable_token(void **state)
{
	struct fixture *f = *state;
	f->c.server = "https://canh.example.vn";
	f->c.token_file = "/nonexistent/canh/admin.token";
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f),
			       "error: cannot use the token file "
			       "'/nonexistent/canh/admin.token': no such file or directory"));
	write_file(f->dir, "other.token", "\n");
	f->c.token_file = f->other_token;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "does not hold a token"));
	/* The same in Vietnamese: nothing of it stays English. */
	f->c.lang = CANH_LANG_VI;
	f->c.token_file = "/nonexistent/canh/admin.token";
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "lỗi: không dùng được tệp mã quản trị "
					   "'/nonexistent/canh/admin.token': không có tệp hoặc thư "
					   "mục này"));
	f->c.token_file = f->other_token;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_FAIL);
	assert_non_null(strstr(printed(f), "': tệp không chứa mã quản trị\n"));
}

static void test_nothing_given(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "no server given"));
}

static void test_bad_url(void **state)
{
	struct fixture *f = *state;
	f->c.server = "http://127.0.0.1:8443";
	f->c.token_file = f->other_token;
	assert_int_equal(canh_cli_resolve(&f->c, 1), CANH_CLI_EXIT_USAGE);
	assert_non_null(strstr(printed(f), "invalid server address"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_state_dir),
	    T(test_state_dir_with_trust_option),
	    T(test_state_dir_from_env),
	    T(test_state_dir_token_override),
	    T(test_state_dir_fingerprint_mismatch),
	    T(test_state_dir_missing),
	    T(test_state_dir_bad_json),
	    T(test_server_beats_state_dir),
	    T(test_command_line_beats_environment),
	    T(test_env_server_beats_env_state_dir),
	    T(test_trust_options),
	    T(test_missing_token),
	    T(test_unreadable_token),
	    T(test_nothing_given),
	    T(test_bad_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
