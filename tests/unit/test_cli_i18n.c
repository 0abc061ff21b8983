/*
 * Unit tests for cli/i18n.c and the message table cli/messages.h: lib's check
 * of every message (canh_catalogue_check: both texts, non-empty, valid UTF-8,
 * the same printf conversions), then what is the CLI's own: translated,
 * errors in git's style. Choosing the language is lib's (tests/unit/test_i18n.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/error.h"
#include "i18n.h"

/* Messages that may read the same in both languages (names, codes, numbers). */
static const char *const same_ok[] = {"M_VERSION",
				      "M_H_ID",
				      "M_H_MAC",
				      "M_H_PID",
				      "M_H_EMAIL",
				      "M_ARG_ID",
				      "M_VULN_CHECK_H_CVE",
				      "M_VULN_CHECK_H_KEV",
				      NULL};

static int allowed_same(const char *name)
{
	for (size_t i = 0; same_ok[i]; i++) {
		if (strcmp(same_ok[i], name) == 0)
			return 1;
	}
	return 0;
}

static void test_every_message_has_both_texts(void **state)
{
	struct canh_errmsg err = {{0}};

	if (canh_catalogue_check(&canh_cli_catalogue, &err) != 0)
		fail_msg("%s", err.text);
	for (int id = 0; id < CANH_CLI_MSG_COUNT; id++) {
		const char *name = canh_cli_msg_name(id);
		const char *en = canh_cli_msg(CANH_LANG_EN, id);
		const char *vi = canh_cli_msg(CANH_LANG_VI, id);

		if (strcmp(en, vi) == 0 && !allowed_same(name))
			fail_msg("%s: not translated", name);
		/* git style: no trailing full stop on error messages. */
		if (strncmp(name, "M_ERR_", 6) == 0) {
			size_t le = strlen(en), lv = strlen(vi);
			if (en[le - 1] == '.' || vi[lv - 1] == '.' || en[le - 1] == '\n' ||
			    vi[lv - 1] == '\n')
				fail_msg("%s: error message ends with '.' or a newline", name);
		}
		/* Same line structure: a text ending in a newline does in both. */
		if ((en[strlen(en) - 1] == '\n') != (vi[strlen(vi) - 1] == '\n'))
			fail_msg("%s: only one text ends with a newline", name);
	}
}

static void test_vietnamese_diacritics(void **state)
{
	/* Spot checks that the Vietnamese is real Vietnamese, in precomposed UTF-8. */
	assert_non_null(
	    strstr(canh_cli_msg(CANH_LANG_VI, M_ERR_CONNECT), "không kết nối được tới máy chủ"));
	assert_string_equal(canh_cli_msg(CANH_LANG_VI, M_L_UNIT), "Đơn vị");
	assert_string_equal(canh_cli_msg(CANH_LANG_VI, M_L_HOSTS), "Máy trạm");
	assert_string_equal(canh_cli_msg(CANH_LANG_VI, M_TOKEN_EXPIRED), "hết hạn");
	assert_non_null(strstr(canh_cli_msg(CANH_LANG_VI, M_USAGE_TOKEN), "mã đăng ký"));
	assert_string_equal(canh_cli_msg(CANH_LANG_VI, M_ERROR_PREFIX), "lỗi: ");
	assert_string_equal(canh_cli_msg(CANH_LANG_EN, M_ERROR_PREFIX), "error: ");
}

static void test_utf8_valid(void **state)
{
	assert_true(canh_cli_utf8_valid("", 0));
	assert_true(
	    canh_cli_utf8_valid("Sở Giáo dục và Đào tạo", strlen("Sở Giáo dục và Đào tạo")));
	assert_false(canh_cli_utf8_valid("\xc3", 1));		  /* truncated */
	assert_false(canh_cli_utf8_valid("\xc0\xaf", 2));	  /* overlong '/' */
	assert_false(canh_cli_utf8_valid("\xed\xa0\x80", 3));	  /* surrogate */
	assert_false(canh_cli_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(canh_cli_utf8_valid("\xff", 1));
	assert_true(canh_cli_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void test_say_in_both_languages(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	canh_cli_say(CANH_LANG_EN, f, M_IMPORT_REJECT, 7LL, "bad type");
	canh_cli_say(CANH_LANG_VI, f, M_IMPORT_REJECT, 7LL, "bad type");
	canh_cli_say(CANH_LANG_VI, f, M_HOST_REVOKED, 3LL);
	fclose(f);
	assert_string_equal(text, "line 7: bad type\ndòng 7: bad type\nđã thu hồi máy trạm 3\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_has_both_texts),
	    cmocka_unit_test(test_vietnamese_diacritics),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_say_in_both_languages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
