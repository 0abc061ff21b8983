/*
 * Unit tests for canhd's message table (server/messages.h): lib's check of
 * every message (canh_catalogue_check: both texts, non-empty, valid UTF-8,
 * the same printf conversions), then what is canhd's own: the Vietnamese is
 * Vietnamese (a letter with a diacritic wherever there are words) and the
 * English is the API's, in git's style.
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
#include "canh/i18n.h"
#include "catalogue_text.h"
#include "messages.h"

static void test_every_message_has_both_texts(void **state)
{
	struct canh_errmsg err = {{0}};

	(void)state;
	if (canh_catalogue_check(&canh_msg_catalogue, &err) != 0)
		fail_msg("%s", err.text);
	for (int id = 0; id < CANH_MSG_COUNT; id++) {
		const char *name = canh_msg_name(id);
		const char *en = canh_msg_text(CANH_LANG_EN, id);
		const char *vi = canh_msg_text(CANH_LANG_VI, id);
		size_t le = strlen(en), lv = strlen(vi);

		if (has_non_ascii_letter(en))
			fail_msg("%s: English text has a non-ASCII letter", name);
		if (strcmp(en, vi) == 0)
			fail_msg("%s: not translated", name);
		if (has_words(vi) && !has_non_ascii_letter(vi))
			fail_msg("%s: Vietnamese text without a Vietnamese letter: '%s'", name, vi);
		/* git style: no trailing full stop, one line, no stray blanks. */
		if (en[le - 1] == '.' || vi[lv - 1] == '.')
			fail_msg("%s: ends with a full stop", name);
		if (strchr(en, '\n') || strchr(vi, '\n'))
			fail_msg("%s: more than one line", name);
		if (en[0] == ' ' || vi[0] == ' ' || en[le - 1] == ' ' || vi[lv - 1] == ' ')
			fail_msg("%s: leading or trailing blank", name);
	}
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(canh_msg_text(CANH_LANG_EN, CANH_MSG_COUNT), "");
	assert_string_equal(canh_msg_text((enum canh_lang)7, S_INTERNAL), "");
	assert_string_equal(canh_msg_name(CANH_MSG_COUNT), "?");
	assert_string_equal(canh_msg_name(S_UNIT_NOT_FOUND), "S_UNIT_NOT_FOUND");
}

static void test_vietnamese_spot_checks(void **state)
{
	char buf[256];
	struct canh_errmsg e;

	(void)state;
	/* The texts an IT officer meets most, in precomposed UTF-8. */
	canh_msg_format(CANH_LANG_VI, buf, sizeof(buf), S_UNIT_NOT_FOUND, "NOPE");
	assert_string_equal(buf, "không tìm thấy đơn vị 'NOPE'");
	canh_msg_format(CANH_LANG_VI, buf, sizeof(buf), S_PARENT_NOT_FOUND, "X");
	assert_string_equal(buf, "đơn vị cha 'X' không tồn tại");
	assert_string_equal(canh_msg_text(CANH_LANG_VI, S_TOKEN_USED),
			    "mã đăng ký đã được sử dụng");
	assert_string_equal(canh_msg_text(CANH_LANG_VI, S_TOKEN_EXPIRED), "mã đăng ký đã hết hạn");
	canh_msg_format(CANH_LANG_VI, buf, sizeof(buf), S_CSV_AT_LINE, (size_t)7, "x");
	assert_string_equal(buf, "dòng 7: x");
	/* English stays the API's. */
	canh_msg_format(CANH_LANG_EN, buf, sizeof(buf), S_UNIT_NOT_FOUND, "NOPE");
	assert_string_equal(buf, "unit 'NOPE' not found");
	assert_string_equal(canh_msg_text(CANH_LANG_EN, S_INTERNAL),
			    "internal error (see the server log)");
	/* canh_msg_set returns the code it is given. */
	assert_int_equal(
	    canh_msg_set(&e, CANH_LANG_VI, CANH_EINVAL, S_RANGE_INVALID, (size_t)1, 5, "1.2.3.999"),
	    CANH_EINVAL);
	assert_string_equal(
	    e.text, "public_ranges[1]: '1.2.3' không phải là địa chỉ hay dải CIDR IPv4 hoặc IPv6");
	assert_int_equal(canh_msg_set(NULL, CANH_LANG_VI, CANH_ENOENT, S_INTERNAL), CANH_ENOENT);
	/* Truncation keeps the buffer terminated. */
	canh_msg_format(CANH_LANG_VI, buf, 8, S_INTERNAL);
	assert_int_equal(strlen(buf), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_has_both_texts),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_vietnamese_spot_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
