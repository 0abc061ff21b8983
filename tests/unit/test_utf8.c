/* The one strict UTF-8 decoder: valid forms, every invalid class, unsafe code points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "canh/utf8.h"

struct dcase {
	const char *bytes;
	size_t n;
	size_t want_len;
	uint32_t want_cp;
};

static void test_decode(void **state)
{
	static const struct dcase cases[] = {
	    {"A", 1, 1, 'A'},
	    {"\xc3\xa0", 2, 2, 0xe0},		  /* à */
	    {"\xe1\xbb\x9d", 3, 3, 0x1edd},	  /* ờ (Trường) */
	    {"\xc4\x90", 2, 2, 0x110},		  /* Đ */
	    {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},  /* emoji */
	    {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff}, /* last code point */
	    {"\xc0\xaf", 2, 0, 0},		  /* overlong '/' */
	    {"\xe0\x80\xaf", 3, 0, 0},		  /* overlong, 3 bytes */
	    {"\xf0\x80\x80\xaf", 4, 0, 0},	  /* overlong, 4 bytes */
	    {"\xed\xa0\x80", 3, 0, 0},		  /* surrogate U+D800 */
	    {"\xf4\x90\x80\x80", 4, 0, 0},	  /* above U+10FFFF */
	    {"\x80", 1, 0, 0},			  /* lone continuation */
	    {"\xe1\xbb", 2, 0, 0},		  /* cut short */
	    {"\xe1\x41\x9d", 3, 0, 0},		  /* bad continuation */
	    {"\xff", 1, 0, 0},			  /* never valid */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t l = canh_utf8_decode(cases[i].bytes, cases[i].n, &cp);
		assert_int_equal(l, cases[i].want_len);
		if (l)
			assert_int_equal(cp, cases[i].want_cp);
	}
}

static void test_valid(void **state)
{
	const char *vi = "Sở Giáo dục và Đào tạo Hải Phòng";
	assert_true(canh_utf8_valid(vi, strlen(vi)));
	assert_true(canh_utf8_valid("", 0));
	/* cut in the middle of a character ("ờ" is 3 bytes) it is not */
	const char *truong = "Trường";
	assert_true(canh_utf8_valid(truong, 4));  /* "Tr" + "ư" */
	assert_false(canh_utf8_valid(truong, 5)); /* "Trư" + first byte of "ờ" */
	assert_false(canh_utf8_valid(truong, 6));
	assert_false(canh_utf8_valid("ab\xc0\xafz", 5));
}

static void test_unsafe(void **state)
{
	assert_true(canh_utf8_is_unsafe('\n'));
	assert_true(canh_utf8_is_unsafe(0x7f));
	assert_true(canh_utf8_is_unsafe(0x85)); /* NEL, C1 */
	assert_true(canh_utf8_is_unsafe(0x2028));
	assert_true(canh_utf8_is_unsafe(0x202e)); /* RLO */
	assert_true(canh_utf8_is_unsafe(0x2067));
	assert_false(canh_utf8_is_unsafe(' '));
	assert_false(canh_utf8_is_unsafe(0xa0));
	assert_false(canh_utf8_is_unsafe(0x1edd));
	assert_false(canh_utf8_is_unsafe(0x2030));
}

static void test_base_letter(void **state)
{
	/* Every letter of "Địa chỉ Ưu tiên ĂÂÊÔƠƯ ăâêôơư Ỹ ỹ É ß", decoded one by one. */
	const char *text = "ĐịaChỉƯutiênĂÂÊÔƠƯăâêôơưỸỹÉß9";
	const char *want = "DiaChiUutienAAEOOUaaeoouYyEs9";
	size_t i = 0, o = 0, n = strlen(text);

	(void)state;
	while (i < n) {
		uint32_t cp;
		size_t k = canh_utf8_decode(text + i, n - i, &cp);
		assert_true(k > 0);
		assert_int_equal(canh_utf8_base_letter(cp), want[o]);
		i += k;
		o++;
	}
	assert_int_equal(o, strlen(want));
	assert_int_equal(canh_utf8_base_letter('-'), 0);
	assert_int_equal(canh_utf8_base_letter(0x301), 0); /* a combining acute accent */
	assert_int_equal(canh_utf8_base_letter(0xd7), 0);  /* multiplication sign */
	assert_int_equal(canh_utf8_base_letter(0x4e2d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_unsafe),
	    cmocka_unit_test(test_base_letter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
