/*
 * Unit tests for cli/table.c: widths in code points so Vietnamese names
 * align, terminal-safe cells, right-aligned numbers, no trailing spaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

static void test_width(void **state)
{
	assert_int_equal(canh_cli_utf8_width(""), 0);
	assert_int_equal(canh_cli_utf8_width("abc"), 3);
	/* 21 code points in 27 bytes. */
	assert_int_equal(canh_cli_utf8_width("Trường THPT Ngô Quyền"), 21);
	assert_int_equal(canh_cli_utf8_width("Đơn vị"), 6);
	assert_int_equal(canh_cli_utf8_width("ĐỊA CHỈ"), 7);
	/* Decomposed (NFD) "ế" = e + U+0302 + U+0301: one column. */
	assert_int_equal(canh_cli_utf8_width("e\xcc\x82\xcc\x81"), 1);
	/* A stray byte counts one. */
	assert_int_equal(canh_cli_utf8_width("a\xff"), 2);
}

static void test_sanitize(void **state)
{
	char *s = canh_cli_sanitize("host\x1b[31mred\r\n", 100);
	assert_string_equal(s, "host?[31mred??");
	free(s);
	s = canh_cli_sanitize("bad\xff utf8 \xc3", 100);
	assert_string_equal(s, "bad? utf8 ?");
	free(s);
	s = canh_cli_sanitize("tab\there", 100);
	assert_string_equal(s, "tab here");
	free(s);
	/* C1 control U+009B (CSI) and a bidi override U+202E. */
	s = canh_cli_sanitize("x\xc2\x9by\xe2\x80\xaez", 100);
	assert_string_equal(s, "x?y?z");
	free(s);
	/* Cut at max without splitting a character. */
	s = canh_cli_sanitize("Sở", 2);
	assert_string_equal(s, "S");
	free(s);
	s = canh_cli_sanitize("Việt Nam", 100);
	assert_string_equal(s, "Việt Nam");
	free(s);
}

static char *render(struct canh_cli_table *t, const char *indent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	canh_cli_table_print(t, f, indent);
	fclose(f);
	return text;
}

static void test_vietnamese_alignment(void **state)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 3);
	canh_cli_table_align_right(&t, 2);
	canh_cli_table_row(&t, "MÃ", "TÊN", "MÁY TRẠM");
	canh_cli_table_row(&t, "HP-SGDDT", "Sở Giáo dục và Đào tạo Hải Phòng", "0");
	canh_cli_table_row(&t, "HP-THPT-NQ", "Trường THPT Ngô Quyền", "12");
	canh_cli_table_row(&t, "X", NULL, "3");
	char *out = render(&t, NULL);
	const char *want = "MÃ          TÊN                               MÁY TRẠM\n"
			   "HP-SGDDT    Sở Giáo dục và Đào tạo Hải Phòng         0\n"
			   "HP-THPT-NQ  Trường THPT Ngô Quyền                   12\n"
			   "X           -                                        3\n";
	assert_string_equal(out, want);
	free(out);

	/* Every line has the same display width when the last column is right-aligned. */
	out = render(&t, "  ");
	size_t w = 0;
	for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		size_t lw = canh_cli_utf8_width(line);
		if (w == 0)
			w = lw;
		assert_int_equal(lw, w);
		assert_true(strncmp(line, "  ", 2) == 0);
	}
	free(out);
	canh_cli_table_release(&t);
}

static void test_no_trailing_spaces(void **state)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, "Tên", "Trường THCS Chu Văn An");
	canh_cli_table_row(&t, "Đơn vị trực thuộc", "x");
	char *out = render(&t, NULL);
	assert_string_equal(out, "Tên                Trường THCS Chu Văn An\n"
				 "Đơn vị trực thuộc  x\n");
	free(out);
	canh_cli_table_release(&t);
}

static void test_many_rows(void **state)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 2);
	for (int i = 0; i < 1000; i++) {
		char a[16];
		snprintf(a, sizeof(a), "%d", i);
		canh_cli_table_row(&t, a, "gói");
	}
	assert_int_equal(t.nrows, 1000);
	char *out = render(&t, NULL);
	assert_non_null(strstr(out, "999  gói\n"));
	free(out);
	canh_cli_table_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_sanitize),
	    cmocka_unit_test(test_vietnamese_alignment),
	    cmocka_unit_test(test_no_trailing_spaces),
	    cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
