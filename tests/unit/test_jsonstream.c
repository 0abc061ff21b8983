/*
 * Unit tests for lib/jsonstream.c, as data: a JSON text and the tokens it
 * must give (one letter per token, strings and numbers with their text), or
 * the error it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"

/* Tokens as text: { } [ ] k:NAME s:TEXT n:NUM t f z; "!" + error. */
static void tokens(const char *in, size_t len, struct canh_buf *out)
{
	struct canh_json_reader r;
	struct canh_errmsg err = {{0}};
	enum canh_json_tok t;

	canh_json_reader_init(&r, in, len);
	for (;;) {
		if (canh_json_next(&r, &t, &err) < 0) {
			canh_buf_appendf(out, "%s!%s", out->len ? " " : "", err.text);
			break;
		}
		if (t == CANH_JSON_EOF)
			break;
		if (out->len)
			canh_buf_putc(out, ' ');
		switch (t) {
		case CANH_JSON_OBJ:
			canh_buf_putc(out, '{');
			break;
		case CANH_JSON_OBJ_END:
			canh_buf_putc(out, '}');
			break;
		case CANH_JSON_ARR:
			canh_buf_putc(out, '[');
			break;
		case CANH_JSON_ARR_END:
			canh_buf_putc(out, ']');
			break;
		case CANH_JSON_KEY:
		case CANH_JSON_STRING: {
			const char *s = canh_json_str(&r, NULL, &err);
			if (!s) {
				canh_buf_appendf(out, "!%s", err.text);
				goto out;
			}
			canh_buf_appendf(out, "%c:%s", t == CANH_JSON_KEY ? 'k' : 's', s);
			break;
		}
		case CANH_JSON_NUMBER:
			canh_buf_appendf(out, "n:%.*s", (int)r.raw_len, r.raw);
			break;
		case CANH_JSON_TRUE:
			canh_buf_putc(out, 't');
			break;
		case CANH_JSON_FALSE:
			canh_buf_putc(out, 'f');
			break;
		default:
			canh_buf_putc(out, 'z');
			break;
		}
	}
out:
	canh_json_reader_release(&r);
}

static const struct {
	const char *in, *want;
} cases[] = {
    {"{}", "{ }"},
    {" [ ] ", "[ ]"},
    {"{\"a\": 1, \"b\": [true, false, null, -0.5e+3, 0, 12], \"c\": {\"d\": \"x\"}}",
     "{ k:a n:1 k:b [ t f z n:-0.5e+3 n:0 n:12 ] k:c { k:d s:x } }"},
    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "s:\"\\/\b\f\n\r\t"},
    {"\"\\u00e9\\u4e2d\\ud83d\\ude00\"", "s:é中😀"},
    {"\"Vi\xe1\xbb\x87t\"", "s:Việt"},
    {"42", "n:42"},
    {"\n\n  [1,\n  2,]", "[ n:1 n:2 !expected a value at line 4, column 5 (byte 12)"},
    {"[1 2]", "[ n:1 !expected ',' or ']' at line 1, column 4 (byte 3)"},
    {"{\"a\" 1}", "{ k:a !expected ':' after a key at line 1, column 6 (byte 5)"},
    {"{1: 2}", "{ !expected a member name string at line 1, column 2 (byte 1)"},
    {"{\"a\": 1,}", "{ k:a n:1 !expected a member name string at line 1, column 9 (byte 8)"},
    {"[}", "[ !expected a value at line 1, column 2 (byte 1)"},
    {"[1}", "[ n:1 !'}' closes no object at line 1, column 3 (byte 2)"},
    {"{\"a\": [1]]", "{ k:a [ n:1 ] !']' closes no array at line 1, column 10 (byte 9)"},
    {"{]", "{ !expected a member name string at line 1, column 2 (byte 1)"},
    {"[1]]", "[ n:1 ] !data after the JSON value at line 1, column 4 (byte 3)"},
    {"", "!empty JSON text at line 1, column 1 (byte 0)"},
    {"   ", "!JSON text ends too early at line 1, column 4 (byte 3)"},
    {"[", "[ !JSON text ends too early at line 1, column 2 (byte 1)"},
    {"\"abc", "!unterminated string at line 1, column 1 (byte 0)"},
    {"\"a\\", "!unterminated string at line 1, column 1 (byte 0)"},
    {"01", "n:0 !data after the JSON value at line 1, column 2 (byte 1)"},
    {"1.", "!malformed number at line 1, column 1 (byte 0)"},
    {"1e", "!malformed number at line 1, column 1 (byte 0)"},
    {"+1", "!unexpected character at line 1, column 1 (byte 0)"},
    {"nul", "!unexpected character at line 1, column 1 (byte 0)"},
    {"\"\\u0000\"", "!\\u0000 in a string at line 1, column 2 (byte 1)"},
    {"\"\\udc00\"", "!unpaired surrogate in a string at line 1, column 2 (byte 1)"},
    {"\"\\ud800\\u0041\"", "!unpaired surrogate in a string at line 1, column 2 (byte 1)"},
    {"\"\xc3\x28\"", "!invalid UTF-8 in a string at line 1, column 2 (byte 1)"},
    {"\"a\\n\xed\xa0\x80\"", "!invalid UTF-8 in a string at line 1, column 2 (byte 1)"},
    {"\"\\q\"", "!bad escape in a string at line 1, column 2 (byte 1)"},
    {"\"\\u12g4\"", "!bad \\u escape in a string at line 1, column 2 (byte 1)"},
    {"\"tab\there\"", "!control character in a string at line 1, column 5 (byte 4)"},
    {"\xef\xbb\xbf{}", "!unexpected character at line 1, column 1 (byte 0)"},
};

static void test_tokens(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct canh_buf out = CANH_BUF_INIT(1 << 16);
		tokens(cases[i].in, strlen(cases[i].in), &out);
		if (strcmp(canh_buf_cstr(&out), cases[i].want) != 0)
			fail_msg("case %zu '%s':\ngot:  %s\nwant: %s", i, cases[i].in,
				 canh_buf_cstr(&out), cases[i].want);
		canh_buf_release(&out);
	}
	/* A NUL byte: raw inside a string it is a control character; outside, junk. */
	struct canh_buf out = CANH_BUF_INIT(1 << 16);
	tokens("\"a\0b\"", 5, &out);
	assert_string_equal(canh_buf_cstr(&out),
			    "!control character in a string at line 1, column 3 (byte 2)");
	canh_buf_release(&out);
}

static void test_skip_and_helpers(void **state)
{
	static const char in[] = "{\"skip\": {\"a\": [1, {\"b\": \"\\u00e9\"}], \"c\": null}, "
				 "\"n\": -42, \"big\": 99999999999999999999, \"f\": 1.5, "
				 "\"esc\\u0061pe\": \"v\"}";
	struct canh_json_reader r;
	struct canh_errmsg err = {{0}};
	enum canh_json_tok t;
	int64_t v;

	canh_json_reader_init(&r, in, strlen(in));
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_OBJ);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_true(canh_json_str_eq(&r, "skip"));
	assert_false(canh_json_str_eq(&r, "ski"));
	assert_int_equal(canh_json_skip(&r, t, &err), CANH_EINVAL); /* a key is no value */
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_OBJ);
	assert_int_equal(canh_json_skip(&r, t, &err), 0);
	assert_int_equal(r.depth, 1);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_true(canh_json_str_eq(&r, "n"));
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_NUMBER);
	assert_int_equal(canh_json_skip(&r, t, &err), 0); /* a scalar: nothing to skip */
	assert_int_equal(canh_json_int(&r, INT64_MIN, INT64_MAX, &v, &err), 0);
	assert_int_equal(v, -42);
	assert_int_equal(canh_json_int(&r, 0, 100, &v, &err), CANH_ERANGE);
	assert_non_null(strstr(err.text, "integer out of range at line 1, column 55"));
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_int(&r, INT64_MIN, INT64_MAX, &v, &err), CANH_ERANGE);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_int(&r, INT64_MIN, INT64_MAX, &v, &err), CANH_ERANGE);
	assert_non_null(strstr(err.text, "not an integer"));
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_KEY);
	assert_true(canh_json_str_eq(&r, "escape")); /* decoded before comparing */
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_OBJ_END);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_EOF);
	assert_int_equal(canh_json_next(&r, &t, &err), 0); /* EOF again */
	assert_int_equal(t, CANH_JSON_EOF);
	canh_json_reader_release(&r);

	/* Errors are sticky, with the same text. */
	canh_json_reader_init(&r, "[1,,", 4);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_skip(&r, t, &err), CANH_EPARSE);
	char first[512];
	canh_strlcpy(first, err.text, sizeof(first));
	assert_int_equal(canh_json_next(&r, &t, &err), CANH_EPARSE);
	assert_string_equal(err.text, first);
	canh_json_reader_release(&r);

	size_t line, col;
	canh_json_position("ab\ncd\n\nef", 9, 8, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 2);
	canh_json_position("ab", 2, 99, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 3);
}

static void test_caps(void **state)
{
	size_t n = CANH_JSON_MAX_STRING + 3;
	char *s = malloc(n);
	struct canh_json_reader r;
	struct canh_errmsg err = {{0}};
	enum canh_json_tok t;

	s[0] = '"';
	memset(s + 1, 'a', n - 2);
	s[n - 1] = '"';
	canh_json_reader_init(&r, s, n);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_null(canh_json_str(&r, NULL, &err));
	assert_non_null(strstr(err.text, "string too long"));
	canh_json_reader_release(&r);
	free(s);

	/* Depth: exactly the cap is fine, one more is not. */
	char deep[2 * CANH_JSON_MAX_DEPTH + 2];
	memset(deep, '[', CANH_JSON_MAX_DEPTH);
	memset(deep + CANH_JSON_MAX_DEPTH, ']', CANH_JSON_MAX_DEPTH);
	canh_json_reader_init(&r, deep, 2 * CANH_JSON_MAX_DEPTH);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_skip(&r, t, &err), 0);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(t, CANH_JSON_EOF);
	canh_json_reader_release(&r);
	memset(deep, '[', CANH_JSON_MAX_DEPTH + 1);
	canh_json_reader_init(&r, deep, CANH_JSON_MAX_DEPTH + 1);
	assert_int_equal(canh_json_next(&r, &t, &err), 0);
	assert_int_equal(canh_json_skip(&r, t, &err), CANH_ETOOBIG);
	assert_non_null(strstr(err.text, "nested too deeply"));
	canh_json_reader_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_skip_and_helpers),
	    cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
