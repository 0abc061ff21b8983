/*
 * Unit tests for lib/csv.c, as data: an input and the records it must give,
 * written as one string per record with fields joined by '|' and errors as
 * "!line N: ..." substrings.
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
#include "canh/csv.h"

struct csv_case {
	const char *in;
	char delim;
	size_t max_field, max_fields, max_record;
	const char *want[8]; /* records as "a|b|c", or "!" + error substring; NULL ends */
};

static const struct csv_case cases[] = {
    {"a,b,c\n1,2,3\n", 0, 0, 0, 0, {"a|b|c", "1|2|3", NULL}},
    {"a,b,c", 0, 0, 0, 0, {"a|b|c", NULL}},
    {"a,b\r\n1,2\r\n", 0, 0, 0, 0, {"a|b", "1|2", NULL}},
    {"a,b\r1,2\r", 0, 0, 0, 0, {"a|b", "1|2", NULL}},
    {"\xEF\xBB\xBF"
     "code,name\nx,y\n",
     0,
     0,
     0,
     0,
     {"code|name", "x|y", NULL}},
    {"", 0, 0, 0, 0, {NULL}},
    {"\n\r\n\n", 0, 0, 0, 0, {NULL}},
    {"a\n\n\nb\n", 0, 0, 0, 0, {"a", "b", NULL}},
    {",\n", 0, 0, 0, 0, {"|", NULL}},
    {"a,,c,\n", 0, 0, 0, 0, {"a||c|", NULL}},
    {"\"a,b\",c\n", 0, 0, 0, 0, {"a,b|c", NULL}},
    {"\"say \"\"hi\"\"\",x\n", 0, 0, 0, 0, {"say \"hi\"|x", NULL}},
    {"\"\"\n", 0, 0, 0, 0, {"", NULL}},
    {"\"\",\"\"\n", 0, 0, 0, 0, {"|", NULL}},
    {"\"line1\nline2\",x\ny,z\n", 0, 0, 0, 0, {"line1\nline2|x", "y|z", NULL}},
    {"\"crlf\r\ninside\"\n", 0, 0, 0, 0, {"crlf\r\ninside", NULL}},
    {"a;b;\"c;d\"\n", ';', 0, 0, 0, {"a|b|c;d", NULL}},
    {"a\tb\n", '\t', 0, 0, 0, {"a|b", NULL}},
    {"a\"b,c\n", 0, 0, 0, 0, {"a\"b|c", NULL}}, /* a quote inside an unquoted field is kept */
    {"Trường THPT,Ngô Quyền\n", 0, 0, 0, 0, {"Trường THPT|Ngô Quyền", NULL}},
    /* errors, and recovery on the next record */
    {"\"open,x\ny,z\n",
     0,
     0,
     0,
     0,
     {"!line 3: unterminated quoted field (opened on line 1)", NULL}},
    {"\"a\"b,c\nd,e\n",
     0,
     0,
     0,
     0,
     {"!line 1: unexpected character after the closing quote", "d|e", NULL}},
    {"ok\n\"a\nb\"x\ny\n", 0, 0, 0, 0, {"ok", "!line 3: unexpected character", "y", NULL}},
    {"abcdef,x\ngh,i\n", 0, 4, 0, 0, {"!line 1: field 1 is longer than 4 bytes", "gh|i", NULL}},
    {"\"ab\"\"cdef\",x\ngh,i\n",
     0,
     4,
     0,
     0,
     {"!line 1: field 1 is longer than 4 bytes", "gh|i", NULL}},
    {"\"a,\nb,c,d,e\",x\nq\n", 0, 4, 0, 0, {"!field 1 is longer than 4", "q", NULL}},
    {"a,b,c,d\ne\n", 0, 0, 3, 0, {"!line 1: more than 3 fields", "e", NULL}},
    {"aaa,bbb,ccc\nd\n", 0, 0, 0, 8, {"!line 1: record is longer than 8 bytes", "d", NULL}},
    {"x\n\n\"a\nb\nc\nd\n", 0, 0, 0, 0, {"x", "!opened on line 3", NULL}},
};

static void record_string(struct canh_csv *r, struct canh_buf *out)
{
	canh_buf_reset(out);
	for (size_t i = 0; i < canh_csv_nfields(r); i++) {
		size_t len;
		const char *f = canh_csv_field(r, i, &len);
		if (i)
			canh_buf_putc(out, '|');
		canh_buf_append(out, f, len);
	}
}

static void test_table(void **state)
{
	struct canh_buf got = CANH_BUF_INIT(1 << 20);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct csv_case *c = &cases[i];
		struct canh_csv_opts o = {c->delim, c->max_field, c->max_fields, c->max_record};
		struct canh_csv *r;
		size_t k = 0;

		assert_int_equal(canh_csv_open(c->in, strlen(c->in), &o, &r), 0);
		for (;; k++) {
			struct canh_errmsg err = {{0}};
			int rc = canh_csv_next(r, &err);
			const char *want = c->want[k];

			if (rc == 0) {
				if (want) {
					print_error("case %zu: ended before record %zu '%s'\n", i,
						    k, want);
					fail();
				}
				break;
			}
			if (!want) {
				print_error("case %zu: extra record %zu (rc %d)\n", i, k, rc);
				fail();
			}
			if (rc < 0) {
				const struct canh_csv_error *e = canh_csv_last_error(r);
				char line[32];

				/* The failure as data says the same as the text. */
				snprintf(line, sizeof(line), "line %zu: ", e->line);
				assert_int_not_equal(e->kind, CANH_CSV_ERR_NONE);
				assert_ptr_equal(strstr(err.text, line), err.text);
				if (want[0] != '!' || !strstr(err.text, want + 1)) {
					print_error("case %zu rec %zu: want '%s', got error '%s'\n",
						    i, k, want, err.text);
					fail();
				}
				continue;
			}
			assert_int_equal(canh_csv_last_error(r)->kind, CANH_CSV_ERR_NONE);
			record_string(r, &got);
			if (want[0] == '!' || strcmp(canh_buf_cstr(&got), want) != 0) {
				print_error("case %zu rec %zu: want '%s', got '%s'\n", i, k, want,
					    canh_buf_cstr(&got));
				fail();
			}
		}
		/* After the end it stays at the end. */
		assert_int_equal(canh_csv_next(r, NULL), 0);
		canh_csv_free(r);
	}
	canh_buf_release(&got);
}

static void test_lines_and_find(void **state)
{
	const char *in = "\xEF\xBB\xBF Code ,NAME,parent_code\n"
			 "a,\"multi\nline\",\n"
			 "\n"
			 "b,x,a\n";
	struct canh_csv *r;
	size_t len;

	(void)state;
	assert_int_equal(canh_csv_open(in, strlen(in), NULL, &r), 0);
	assert_int_equal(canh_csv_next(r, NULL), 1);
	assert_int_equal(canh_csv_line(r), 1);
	assert_int_equal(canh_csv_find(r, "code"), 0);
	assert_int_equal(canh_csv_find(r, "name"), 1);
	assert_int_equal(canh_csv_find(r, "Parent_Code"), 2);
	assert_int_equal(canh_csv_find(r, "public_ranges"), -1);
	assert_int_equal(canh_csv_next(r, NULL), 1);
	assert_int_equal(canh_csv_line(r), 2);
	assert_string_equal(canh_csv_field(r, 1, &len), "multi\nline");
	assert_int_equal(len, 10);
	assert_string_equal(canh_csv_field(r, 2, NULL), "");
	assert_null(canh_csv_field(r, 3, &len));
	assert_int_equal(len, 0);
	assert_int_equal(canh_csv_next(r, NULL), 1);
	assert_int_equal(canh_csv_line(r), 5);
	assert_string_equal(canh_csv_field(r, 2, NULL), "a");
	assert_int_equal(canh_csv_next(r, NULL), 0);
	canh_csv_free(r);
}

static void test_nul_and_args(void **state)
{
	const char in[] = "a\0b,c\n";
	struct canh_csv_opts bad = {'"', 0, 0, 0};
	struct canh_csv *r;
	size_t len;

	(void)state;
	assert_int_equal(canh_csv_open(in, sizeof(in) - 1, NULL, &r), 0);
	assert_int_equal(canh_csv_next(r, NULL), 1);
	assert_non_null(canh_csv_field(r, 0, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(canh_csv_field(r, 0, NULL), "a\0b", 3);
	canh_csv_free(r);

	assert_int_equal(canh_csv_open("x", 1, &bad, &r), CANH_EINVAL);
	assert_null(r);
	assert_int_equal(canh_csv_open(NULL, 1, NULL, &r), CANH_EINVAL);
	assert_int_equal(canh_csv_open(NULL, 0, NULL, &r), 0);
	assert_int_equal(canh_csv_next(r, NULL), 0);
	canh_csv_free(r);
	canh_csv_free(NULL);
}

/* The failure as data (canh_csv_last_error), for callers that word it themselves. */
static void test_error_as_data(void **state)
{
	static const struct {
		const char *in;
		size_t max_field, max_fields, max_record;
		struct canh_csv_error want;
	} errs[] = {
	    {"ok\n\"open,x\ny\n", 0, 0, 0, {CANH_CSV_ERR_UNTERMINATED, 4, 0, 0, 2}},
	    {"\"a\"b,c\n", 0, 0, 0, {CANH_CSV_ERR_AFTER_QUOTE, 1, 1, 0, 0}},
	    {"x,\"a\"b\n", 0, 0, 0, {CANH_CSV_ERR_AFTER_QUOTE, 1, 2, 0, 0}},
	    {"x,abcdef\n", 4, 0, 0, {CANH_CSV_ERR_FIELD_TOO_LONG, 1, 2, 4, 0}},
	    {"\n\na,b,c,d\n", 0, 3, 0, {CANH_CSV_ERR_TOO_MANY_FIELDS, 3, 0, 3, 0}},
	    {"aaa,bbb,ccc\n", 0, 0, 8, {CANH_CSV_ERR_RECORD_TOO_LONG, 1, 0, 8, 0}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct canh_csv_opts o = {0, errs[i].max_field, errs[i].max_fields,
					  errs[i].max_record};
		const struct canh_csv_error *e;
		struct canh_csv *r;
		int rc;

		assert_int_equal(canh_csv_open(errs[i].in, strlen(errs[i].in), &o, &r), 0);
		while ((rc = canh_csv_next(r, NULL)) == 1)
			;
		assert_true(rc < 0);
		e = canh_csv_last_error(r);
		if (e->kind != errs[i].want.kind || e->line != errs[i].want.line ||
		    e->field != errs[i].want.field || e->limit != errs[i].want.limit ||
		    e->open_line != errs[i].want.open_line)
			fail_msg("case %zu: got kind %d line %zu field %zu limit %zu open %zu", i,
				 (int)e->kind, e->line, e->field, e->limit, e->open_line);
		canh_csv_free(r);
	}
}

static void test_big(void **state)
{
	/* 10,000 records of 20 fields: one buffer reused, no per-record growth. */
	struct canh_buf in = CANH_BUF_INIT(16 * 1024 * 1024);
	struct canh_csv *r;
	size_t n = 0;
	int rc;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		for (int f = 0; f < 20; f++)
			canh_buf_appendf(&in, "%s\"v%d,%d\"", f ? "," : "", i, f);
		canh_buf_puts(&in, "\r\n");
	}
	assert_int_equal(canh_csv_open(in.data, in.len, NULL, &r), 0);
	while ((rc = canh_csv_next(r, NULL)) == 1) {
		assert_int_equal(canh_csv_nfields(r), 20);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 10000);
	canh_csv_free(r);
	canh_buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),	 cmocka_unit_test(test_lines_and_find),
	    cmocka_unit_test(test_nul_and_args), cmocka_unit_test(test_error_as_data),
	    cmocka_unit_test(test_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
