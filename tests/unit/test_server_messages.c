/*
 * Unit tests for canhd's message table (server/messages.h): every message
 * exists in English and Vietnamese, non-empty, valid UTF-8, with the same
 * printf conversions in the same order; the Vietnamese is Vietnamese (a
 * letter with a diacritic wherever there are words) and the English is the
 * API's, in git's style.
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
#include "canh/utf8.h"
#include "messages.h"

/* Whether text has a word: two ASCII letters in a row outside a conversion. */
static int has_words(const char *text)
{
	int run = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '%') {
			/* Skip the conversion: flags, width, precision, length, letter. */
			p++;
			while (*p && !strchr("diouxXeEfFgGaAcspn%", *p))
				p++;
			if (!*p)
				break;
			run = 0;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			if (++run == 2)
				return 1;
		} else {
			run = 0;
		}
	}
	return 0;
}

/* Whether text has a letter outside ASCII (U+00C0 and above: à, ư, đ, ạ...). */
static int has_non_ascii_letter(const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = canh_utf8_decode(text + i, len - i, &cp);
		if (k == 0)
			return 0;
		if (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp < 0x2000)
			return 1;
		i += k;
	}
	return 0;
}

static void test_every_message_has_both_texts(void **state)
{
	(void)state;
	for (int id = 0; id < CANH_MSG_COUNT; id++) {
		const char *name = canh_msg_name(id);
		const char *en = canh_msg_text(CANH_LANG_EN, id);
		const char *vi = canh_msg_text(CANH_LANG_VI, id);
		char sig_en[256], sig_vi[256];
		size_t le = strlen(en), lv = strlen(vi);

		if (le == 0 || lv == 0)
			fail_msg("%s: empty text", name);
		if (!canh_utf8_valid(en, le))
			fail_msg("%s: English text is not valid UTF-8", name);
		if (!canh_utf8_valid(vi, lv))
			fail_msg("%s: Vietnamese text is not valid UTF-8", name);
		if (has_non_ascii_letter(en))
			fail_msg("%s: English text has a non-ASCII letter", name);
		if (canh_i18n_format_signature(en, sig_en, sizeof(sig_en)) != 0)
			fail_msg("%s: bad conversion in English text", name);
		if (canh_i18n_format_signature(vi, sig_vi, sizeof(sig_vi)) != 0)
			fail_msg("%s: bad conversion in Vietnamese text", name);
		if (strcmp(sig_en, sig_vi) != 0)
			fail_msg("%s: conversions differ: en '%s', vi '%s'", name, sig_en, sig_vi);
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
