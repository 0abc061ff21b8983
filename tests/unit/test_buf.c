/*
 * Unit tests for lib/buf.c and lib/mem.c: bounds, growth, JSON escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/mem.h"

static void test_empty(void **state)
{
	struct canh_buf b = CANH_BUF_INIT(16);
	assert_string_equal(canh_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	size_t len = 99;
	assert_null(canh_buf_detach(&b, &len));
	assert_int_equal(len, 0);
	canh_buf_release(&b);
}

static void test_append_and_cap(void **state)
{
	struct canh_buf b;
	canh_buf_init(&b, 8);
	assert_int_equal(canh_buf_puts(&b, "abcd"), 0);
	assert_int_equal(canh_buf_append(&b, "efgh", 4), 0); /* exactly max */
	assert_string_equal(canh_buf_cstr(&b), "abcdefgh");
	/* One past max fails and leaves the contents as they were. */
	assert_int_equal(canh_buf_putc(&b, 'i'), CANH_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(canh_buf_cstr(&b), "abcdefgh");
	assert_int_equal(canh_buf_appendf(&b, "%d", 1), CANH_ETOOBIG);
	assert_string_equal(canh_buf_cstr(&b), "abcdefgh");
	assert_true(b.cap <= b.max + 1);
	canh_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(canh_buf_cstr(&b), "");
	assert_int_equal(canh_buf_puts(&b, "xy"), 0);
	assert_string_equal(canh_buf_cstr(&b), "xy");
	canh_buf_release(&b);
	assert_null(b.data);
}

static void test_huge_append_rejected(void **state)
{
	struct canh_buf b = CANH_BUF_INIT(SIZE_MAX);
	assert_int_equal(canh_buf_puts(&b, "a"), 0);
	/* len + n overflows size_t: must be refused, not wrapped. */
	assert_int_equal(canh_buf_append(&b, "x", SIZE_MAX), CANH_ETOOBIG);
	assert_string_equal(canh_buf_cstr(&b), "a");
	canh_buf_release(&b);
}

static void test_appendf_long(void **state)
{
	struct canh_buf b = CANH_BUF_INIT(100000);
	char big[3000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(canh_buf_appendf(&b, "<%s>%d", big, 42), 0);
	assert_int_equal(b.len, 2999 + 4);
	assert_int_equal(b.data[0], '<');
	assert_string_equal(b.data + 3000, ">42");
	/* Growth by many small appends keeps every byte. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(canh_buf_appendf(&b, "%03d", i), 0);
	assert_int_equal(b.len, 3003 + 3000);
	assert_memory_equal(b.data + 3003 + 3 * 999, "999", 3);
	size_t len = 0;
	char *p = canh_buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 6003);
	assert_int_equal(p[len], '\0');
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);
}

static void test_binary(void **state)
{
	struct canh_buf b = CANH_BUF_INIT(64);
	assert_int_equal(canh_buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	canh_buf_release(&b);
}

static const struct {
	const char *in;
	size_t len;
	const char *out;
} json_cases[] = {
    {"", 0, "\"\""},
    {"plain", 5, "\"plain\""},
    {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\""},
    {"\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\""},
    {"\x01\x1f", 2, "\"\\u0001\\u001f\""},
    {"a\0b", 3, "\"a\\u0000b\""},
    {"Tr\xc6\xb0\xe1\xbb\x9dng THPT", 14, "\"Tr\xc6\xb0\xe1\xbb\x9dng THPT\""},
    {"\xff", 1, "\"\\ufffd\""},
    {"\xc3(", 2, "\"\\ufffd(\""},
    {"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""}, /* surrogate */
    {"\xc0\xaf", 2, "\"\\ufffd\\ufffd\""},	      /* overlong */
    {"\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""},
};

static void test_json_string(void **state)
{
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		struct canh_buf b = CANH_BUF_INIT(256);
		assert_int_equal(canh_buf_put_json_string(&b, json_cases[i].in, json_cases[i].len),
				 0);
		assert_string_equal(canh_buf_cstr(&b), json_cases[i].out);
		canh_buf_release(&b);
	}
}

static void test_json_string_cap_atomic(void **state)
{
	struct canh_buf b = CANH_BUF_INIT(10);
	assert_int_equal(canh_buf_puts(&b, "ab"), 0);
	/* "ab" + "\"\\n\\n\\n\\n\"" is 12 bytes: refused and rolled back. */
	assert_int_equal(canh_buf_put_json_string(&b, "\n\n\n\n", 4), CANH_ETOOBIG);
	assert_string_equal(canh_buf_cstr(&b), "ab");
	assert_int_equal(b.len, 2);
	canh_buf_release(&b);
}

static void test_mem_helpers(void **state)
{
	size_t r = 0;
	assert_int_equal(canh_size_add(1, 2, &r), 0);
	assert_int_equal(r, 3);
	assert_int_equal(canh_size_add(SIZE_MAX, 1, &r), CANH_ERANGE);
	assert_int_equal(canh_size_mul(SIZE_MAX / 2 + 1, 2, &r), CANH_ERANGE);
	assert_int_equal(canh_size_mul(1000, 1000, &r), 0);
	assert_int_equal(r, 1000000);

	char d[4];
	assert_int_equal(canh_strlcpy(d, "abcdef", sizeof(d)), 6);
	assert_string_equal(d, "abc");
	assert_int_equal(canh_strlcpy(d, "ab", sizeof(d)), 2);
	assert_string_equal(d, "ab");
	d[0] = 'x';
	assert_int_equal(canh_strlcpy(d, "ab", 0), 2);
	assert_int_equal(d[0], 'x');

	char *s = canh_xstrndup("hello", 3);
	assert_string_equal(s, "hel");
	free(s);
	s = canh_xasprintf("%s-%d", "a", 7);
	assert_string_equal(s, "a-7");
	free(s);
	int *z = canh_xcalloc(4, sizeof(int));
	assert_int_equal(z[0] | z[1] | z[2] | z[3], 0);
	free(z);
}

static void test_strerror(void **state)
{
	for (int e = 0; e >= CANH_EEXPIRED; e--) {
		const char *t = canh_strerror(e);
		assert_non_null(t);
		assert_string_not_equal(t, "unknown error");
	}
	assert_string_equal(canh_strerror(-1000), "unknown error");
	assert_string_equal(canh_strerror(CANH_ENOENT), "no such file or object");

	struct canh_errmsg m;
	assert_int_equal(canh_errmsg_set(&m, CANH_EPARSE, "bad '%s'", "x"), CANH_EPARSE);
	assert_string_equal(m.text, "bad 'x'");
	assert_int_equal(canh_errmsg_set(NULL, CANH_EIO, "ignored"), CANH_EIO);
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	canh_errmsg_set(&m, CANH_EINVAL, "%s", big);
	assert_int_equal(strlen(m.text), sizeof(m.text) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_append_and_cap),
	    cmocka_unit_test(test_huge_append_rejected),
	    cmocka_unit_test(test_appendf_long),
	    cmocka_unit_test(test_binary),
	    cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_json_string_cap_atomic),
	    cmocka_unit_test(test_mem_helpers),
	    cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
