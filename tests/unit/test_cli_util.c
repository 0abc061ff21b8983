/*
 * Unit tests for cli/util.c: --contact and --ranges parsing, fingerprints,
 * server URLs, path escaping, host ids, unit types, times in local time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "canh/error.h"
#include "cli.h"

static void check_contact(const char *in, const char *name, const char *role, const char *phone,
			  const char *email)
{
	json_t *c = NULL;
	assert_int_equal(canh_cli_contact_parse(in, &c), 0);
	const char *want[4] = {name, role, phone, email};
	const char *keys[4] = {"name", "role", "phone", "email"};
	for (int i = 0; i < 4; i++) {
		/* An empty field is left out of the JSON. */
		if (want[i][0])
			assert_string_equal(canh_cli_jstr(c, keys[i]), want[i]);
		else
			assert_null(json_object_get(c, keys[i]));
	}
	json_decref(c);
}

static void test_contact(void **state)
{
	check_contact("Nguyễn Văn A;Phụ trách CNTT;0912345678;a@example.vn", "Nguyễn Văn A",
		      "Phụ trách CNTT", "0912345678", "a@example.vn");
	check_contact(" Trần Thị B ; Hiệu phó ;; b@example.vn ", "Trần Thị B", "Hiệu phó", "",
		      "b@example.vn");
	check_contact("Lê C", "Lê C", "", "", "");
	check_contact("Lê C;IT", "Lê C", "IT", "", "");

	json_t *c = (json_t *)1;
	assert_int_equal(canh_cli_contact_parse("", &c), CANH_EINVAL);
	assert_null(c);
	assert_int_equal(canh_cli_contact_parse(";IT;0912;x@y", &c), CANH_EINVAL);
	assert_int_equal(canh_cli_contact_parse("a;b;c;d;e", &c), CANH_EINVAL);
	assert_int_equal(canh_cli_contact_parse("   ;", &c), CANH_EINVAL);
}

static void test_ranges(void **state)
{
	json_t *a = canh_cli_ranges_parse("203.0.113.0/28  2001:db8:10::/48,198.51.100.7\t");
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "203.0.113.0/28");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "2001:db8:10::/48");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "198.51.100.7");
	json_decref(a);
	a = canh_cli_ranges_parse("  ,, ");
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
}

static void test_fingerprint(void **state)
{
	char out[CANH_SHA256_HEX];
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(canh_cli_fingerprint_normalize(hex, out), 0);
	assert_string_equal(out, hex);
	assert_int_equal(
	    canh_cli_fingerprint_normalize("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:"
					   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
					   out),
	    0);
	assert_string_equal(out, hex);
	assert_int_equal(canh_cli_fingerprint_normalize("abc", out), CANH_EINVAL);
	assert_int_equal(
	    canh_cli_fingerprint_normalize(
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", out),
	    CANH_EINVAL);
	assert_int_equal(
	    canh_cli_fingerprint_normalize(
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00", out),
	    CANH_EINVAL);
}

static void test_url(void **state)
{
	char out[128];
	assert_int_equal(canh_cli_url_normalize("https://127.0.0.1:8443", out, sizeof(out)), 0);
	assert_string_equal(out, "https://127.0.0.1:8443");
	assert_int_equal(canh_cli_url_normalize("127.0.0.1:8443", out, sizeof(out)), 0);
	assert_string_equal(out, "https://127.0.0.1:8443");
	assert_int_equal(
	    canh_cli_url_normalize("https://canh.sgd.example.vn/api/v1/", out, sizeof(out)), 0);
	assert_string_equal(out, "https://canh.sgd.example.vn");
	assert_int_equal(canh_cli_url_normalize("https://[::1]:8443//", out, sizeof(out)), 0);
	assert_string_equal(out, "https://[::1]:8443");
	assert_int_equal(canh_cli_url_normalize("http://127.0.0.1:8443", out, sizeof(out)),
			 CANH_EINVAL);
	assert_int_equal(canh_cli_url_normalize("https://", out, sizeof(out)), CANH_EINVAL);
	assert_int_equal(canh_cli_url_normalize("https://a b", out, sizeof(out)), CANH_EINVAL);
	assert_int_equal(canh_cli_url_normalize("https://127.0.0.1:8443", out, 8), CANH_ETOOBIG);
}

static void test_path_escape(void **state)
{
	char out[64];
	assert_int_equal(canh_cli_path_escape("HP-THPT_NQ.01", out, sizeof(out)), 0);
	assert_string_equal(out, "HP-THPT_NQ.01");
	assert_int_equal(canh_cli_path_escape("a/b c?", out, sizeof(out)), 0);
	assert_string_equal(out, "a%2Fb%20c%3F");
	assert_int_equal(canh_cli_path_escape("..", out, sizeof(out)), 0);
	assert_string_equal(out, "%2E%2E");
	assert_int_equal(canh_cli_path_escape("Sở", out, sizeof(out)), 0);
	assert_string_equal(out, "S%E1%BB%9F");
	assert_int_equal(canh_cli_path_escape("abcdef", out, 6), CANH_ETOOBIG);
}

static void test_parse_id(void **state)
{
	long long id = 0;
	assert_int_equal(canh_cli_parse_id("7", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(canh_cli_parse_id("0", &id), CANH_EINVAL);
	assert_int_equal(canh_cli_parse_id("-3", &id), CANH_EINVAL);
	assert_int_equal(canh_cli_parse_id("7x", &id), CANH_EINVAL);
	assert_int_equal(canh_cli_parse_id("", &id), CANH_EINVAL);
	assert_int_equal(canh_cli_parse_id("99999999999999999999999", &id), CANH_EINVAL);
}

static void test_unit_types(void **state)
{
	struct canh_cli c;
	memset(&c, 0, sizeof(c));
	assert_true(canh_cli_unit_type_valid("department"));
	assert_true(canh_cli_unit_type_valid("district"));
	assert_true(canh_cli_unit_type_valid("school"));
	assert_true(canh_cli_unit_type_valid("centre"));
	assert_true(canh_cli_unit_type_valid("other"));
	assert_false(canh_cli_unit_type_valid("center"));
	assert_false(canh_cli_unit_type_valid("School"));
	c.lang = CANH_LANG_VI;
	assert_string_equal(canh_cli_unit_type_label(&c, "school"), "Trường");
	assert_string_equal(canh_cli_unit_type_label(&c, "department"), "Sở");
	assert_string_equal(canh_cli_unit_type_label(&c, "weird"), "weird");
	c.lang = CANH_LANG_EN;
	assert_string_equal(canh_cli_unit_type_label(&c, "centre"), "centre");
	assert_null(canh_cli_unit_type_label(&c, NULL));
}

static void test_time(void **state)
{
	char buf[64];
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const char *t = canh_cli_time("2026-11-21T11:50:07.123Z", buf, sizeof(buf));
	/* Without tzdata the zone falls back to UTC; both are fine, the format is what matters. */
	assert_true(strcmp(t, "2026-11-21 18:50:07") == 0 || strcmp(t, "2026-11-21 11:50:07") == 0);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(canh_cli_time("2026-11-21T11:50:07Z", buf, sizeof(buf)),
			    "2026-11-21 11:50:07");
	assert_string_equal(canh_cli_time("not a time", buf, sizeof(buf)), "not a time");
	assert_null(canh_cli_time(NULL, buf, sizeof(buf)));
}

static void test_json_helpers(void **state)
{
	char buf[32];
	json_t *j = json_pack("{s:s, s:I, s:n, s:s}", "a", "x", "n", (json_int_t)42, "z", "s", "7");
	assert_string_equal(canh_cli_jstr(j, "a"), "x");
	assert_null(canh_cli_jstr(j, "n"));
	assert_null(canh_cli_jstr(j, "z"));
	assert_null(canh_cli_jstr(j, "missing"));
	assert_string_equal(canh_cli_jint(j, "n", buf, sizeof(buf)), "42");
	assert_string_equal(canh_cli_jint(j, "s", buf, sizeof(buf)), "7");
	assert_null(canh_cli_jint(j, "z", buf, sizeof(buf)));
	assert_int_equal(canh_cli_jll(j, "n", -1), 42);
	assert_int_equal(canh_cli_jll(j, "a", -1), -1);
	assert_null(canh_cli_jstr(NULL, "a"));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contact),	 cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_fingerprint),	 cmocka_unit_test(test_url),
	    cmocka_unit_test(test_path_escape),	 cmocka_unit_test(test_parse_id),
	    cmocka_unit_test(test_unit_types),	 cmocka_unit_test(test_time),
	    cmocka_unit_test(test_json_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
