/*
 * Unit tests for lib/i18n.c: the language of an Accept-Language header (as
 * data: a header and the language it must give), of the locale variables and
 * of --lang, the printf signature the message tables are checked with, and
 * the catalogue every program's message table is: lookup, formatting, and a
 * check that catches each kind of defect in a deliberately broken one.
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

#define EN CANH_LANG_EN
#define VI CANH_LANG_VI

static const struct {
	const char *hdr;
	enum canh_lang want;
} accept_cases[] = {
    {"vi", VI},
    {"VI", VI},
    {"vi-VN", VI},
    {"vi-VN,vi;q=0.9,en;q=0.8", VI},
    {"vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", VI},
    {"en-US,vi;q=0.5", EN},
    {"en-US,en;q=0.9,vi;q=0.8", EN},
    {"en;q=0.5, vi;q=0.6", VI},
    {"en;q=0.5 , vi ; q=0.6", VI},
    {"fr-FR,fr;q=0.9,vi;q=0.1", VI}, /* the only language served that is wanted */
    {"fr-FR,fr;q=0.9", EN},
    {"vi;q=0", EN},
    {"vi;q=0.000", EN},
    {"vi;q=0, *", EN},
    {"*", EN},
    {"*;q=0.5", EN},
    {"en;q=0, *", VI}, /* English refused, "*" covers Vietnamese */
    {"en;q=0", EN},    /* nothing acceptable: the default */
    {"vi, en", VI},    /* equal quality: the first named wins */
    {"en, vi", EN},
    {"vi;q=0.8, en;q=0.8", VI},
    {"vi, *", VI},
    {"*, vi", EN}, /* "*" first gives English the same quality, earlier */
    {"vi;q=1.000", VI},
    {"vi;Q=1", VI},
    {"vi;q=1.", VI},
    {"vi;q=1.5", EN}, /* malformed: skipped */
    {"vi;q=2", EN},
    {"vi;q=0.5;level=1", EN},
    {"vi;q=-1", EN},
    {"vi;q=", EN},
    {"vi;", EN},
    {"vi;q=0.1234", EN},
    {"vi-", EN},
    {"vi--VN", EN},
    {"vietnamese", EN}, /* more than 8 letters: malformed */
    {"vie", EN},	/* ISO 639-2, not what canh serves */
    {"vi_VN", EN},	/* a locale, not a language tag */
    {"vi-abcdefghi", EN},
    {"vi-Latn-VN", VI},
    {"x-vi", EN},
    {"", EN},
    {" ", EN},
    {",,,", EN},
    {",vi,", VI},
    {"\t vi \t", VI},
    {";q=0.5", EN},
    {"\x01\x02garbage\xff", EN},
    {"v\xc3\xac", EN},
    {"en-US;q=0.9, garbage ; q=x, vi", VI},
};

static void test_accept_language(void **state)
{
	for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
		enum canh_lang got = canh_lang_from_accept_language(accept_cases[i].hdr);
		if (got != accept_cases[i].want)
			fail_msg("Accept-Language '%s': want %s, got %s", accept_cases[i].hdr,
				 canh_lang_tag(accept_cases[i].want), canh_lang_tag(got));
	}
	assert_int_equal(canh_lang_from_accept_language(NULL), EN);
}

static void test_accept_language_long(void **state)
{
	size_t n = 1 << 20, len = 0;
	char *h = malloc(n + 1);

	assert_non_null(h);
	/* A megabyte of English at q=0.1, then Vietnamese: only the first 4 KiB count. */
	while (len + 12 < n) {
		memcpy(h + len, "en;q=0.1, ", 10);
		len += 10;
	}
	memcpy(h + len, "vi", 3);
	assert_int_equal(canh_lang_from_accept_language(h), EN);
	/* Vietnamese first, then the megabyte: Vietnamese. */
	memcpy(h, "vi,", 3);
	assert_int_equal(canh_lang_from_accept_language(h), VI);
	/* One endless range: malformed, English. */
	memset(h, 'v', n);
	h[n] = '\0';
	assert_int_equal(canh_lang_from_accept_language(h), EN);
	/* An element cut by the limit is not read as a shorter one ("en;q=0.1" -> "en"). */
	memset(h, ' ', n);
	memcpy(h, "vi;q=0.9,", 9);
	memcpy(h + 4096 - 2, "en;q=0.1", 8);
	assert_int_equal(canh_lang_from_accept_language(h), VI);
	/* Many commas. */
	memset(h, ',', n);
	memcpy(h + 100, "vi", 2);
	assert_int_equal(canh_lang_from_accept_language(h), VI);
	free(h);
}

static void test_lang_from_locale(void **state)
{
	assert_int_equal(canh_lang_from_locale(NULL, NULL, NULL), EN);
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "vi_VN.UTF-8"), VI);
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "vi"), VI);
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "vi@latin"), VI);
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "en_US.UTF-8"), EN);
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "C.UTF-8"), EN);
	/* LC_ALL wins over LC_MESSAGES, which wins over LANG. */
	assert_int_equal(canh_lang_from_locale("en_US.UTF-8", "vi_VN", "vi_VN"), EN);
	assert_int_equal(canh_lang_from_locale("vi_VN.UTF-8", "en_US", "en_US"), VI);
	assert_int_equal(canh_lang_from_locale(NULL, "vi_VN.UTF-8", "en_US.UTF-8"), VI);
	assert_int_equal(canh_lang_from_locale(NULL, "C", "vi_VN.UTF-8"), EN);
	/* Empty values are skipped, as POSIX says. */
	assert_int_equal(canh_lang_from_locale("", "", "vi_VN.UTF-8"), VI);
	assert_int_equal(canh_lang_from_locale("", "vi", "en"), VI);
	/* "vim" is not Vietnamese. */
	assert_int_equal(canh_lang_from_locale(NULL, NULL, "vim"), EN);
}

static void test_lang_from_env(void **state)
{
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "", 1);
	setenv("LANG", "vi_VN.UTF-8", 1);
	assert_int_equal(canh_lang_from_env(), VI);
	setenv("LC_MESSAGES", "C", 1);
	assert_int_equal(canh_lang_from_env(), EN);
	setenv("LC_ALL", "vi_VN.UTF-8", 1);
	assert_int_equal(canh_lang_from_env(), VI);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
	assert_int_equal(canh_lang_from_env(), EN);
}

static void test_lang_parse_and_tag(void **state)
{
	enum canh_lang l = EN;

	assert_int_equal(canh_lang_parse("vi", &l), 0);
	assert_int_equal(l, VI);
	assert_int_equal(canh_lang_parse("en", &l), 0);
	assert_int_equal(l, EN);
	assert_int_equal(canh_lang_parse("VI", &l), 0);
	assert_int_equal(l, VI);
	assert_int_equal(canh_lang_parse("vi_VN.UTF-8", &l), 0);
	assert_int_equal(l, VI);
	assert_int_equal(canh_lang_parse("POSIX", &l), 0);
	assert_int_equal(l, EN);
	assert_int_equal(canh_lang_parse("fr", &l), CANH_EINVAL);
	assert_int_equal(canh_lang_parse("", &l), CANH_EINVAL);
	assert_int_equal(canh_lang_parse("english", &l), CANH_EINVAL);
	assert_string_equal(canh_lang_tag(EN), "en");
	assert_string_equal(canh_lang_tag(VI), "vi");
}

static void test_format_signature(void **state)
{
	char sig[64];

	assert_int_equal(canh_i18n_format_signature("no conversions", sig, sizeof(sig)), 0);
	assert_string_equal(sig, "");
	assert_int_equal(canh_i18n_format_signature("100%% done", sig, sizeof(sig)), 0);
	assert_string_equal(sig, "");
	assert_int_equal(
	    canh_i18n_format_signature("'%s' at %lld: %zu %-10s %.40s %*d", sig, sizeof(sig)), 0);
	assert_string_equal(sig, "s,lld,zu,s,s,*d");
	assert_int_equal(canh_i18n_format_signature("'%.*s' %ld", sig, sizeof(sig)), 0);
	assert_string_equal(sig, ".*s,ld");
	assert_int_equal(canh_i18n_format_signature("bad %y", sig, sizeof(sig)), CANH_EPARSE);
	assert_int_equal(canh_i18n_format_signature("cut %", sig, sizeof(sig)), CANH_EPARSE);
	assert_int_equal(canh_i18n_format_signature("%1$s", sig, sizeof(sig)), CANH_EPARSE);
	assert_int_equal(canh_i18n_format_signature("%s %s %s", sig, 4), CANH_ETOOBIG);
}

/* A catalogue as a program makes one, from an X-macro list. */
/* clang-format off */
#define T_MESSAGES(X) \
X(T_HELLO, "hello '%s'", "xin chào '%s'") \
X(T_COUNT, "%lld hosts", "%lld máy trạm")
/* clang-format on */
enum t_msg_id { T_MESSAGES(CANH_CATALOGUE_ENUM) T_COUNT_ALL };
T_MESSAGES(CANH_CATALOGUE_EN)
static const struct canh_msg_row t_rows[T_COUNT_ALL] = {T_MESSAGES(CANH_CATALOGUE_ROW)};
static const struct canh_catalogue t_cat = {t_rows, T_COUNT_ALL};

static void test_catalogue_lookup(void **state)
{
	struct canh_errmsg e;
	char buf[64], *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(canh_catalogue_check(&t_cat, NULL), 0);
	assert_string_equal(canh_catalogue_text(&t_cat, VI, T_COUNT), "%lld máy trạm");
	assert_string_equal(canh_catalogue_text(&t_cat, EN, T_COUNT_ALL), "");
	assert_string_equal(canh_catalogue_text(&t_cat, (enum canh_lang)7, T_HELLO), "");
	assert_string_equal(canh_catalogue_name(&t_cat, T_COUNT), "T_COUNT");
	assert_string_equal(canh_catalogue_name(&t_cat, T_COUNT_ALL), "?");

	/* The argument check a program's wrapper macros put in front. */
	(void)CANH_CATALOGUE_ARGS(T_HELLO, "x");
	canh_catalogue_format(&t_cat, VI, buf, sizeof(buf), T_HELLO, "Sở");
	assert_string_equal(buf, "xin chào 'Sở'");
	/* Truncated and terminated; a zero length writes nothing. */
	canh_catalogue_format(&t_cat, EN, buf, 6, T_COUNT, 12LL);
	assert_string_equal(buf, "12 ho");
	buf[0] = 'x';
	canh_catalogue_format(&t_cat, EN, buf, 0, T_COUNT, 12LL);
	assert_int_equal(buf[0], 'x');
	/* canh_catalogue_set returns the code it is given, NULL-safe. */
	assert_int_equal(canh_catalogue_set(&t_cat, &e, VI, CANH_ENOENT, T_HELLO, "a"),
			 CANH_ENOENT);
	assert_string_equal(e.text, "xin chào 'a'");
	assert_int_equal(canh_catalogue_set(&t_cat, NULL, VI, CANH_EINVAL, T_HELLO, "a"),
			 CANH_EINVAL);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	canh_catalogue_print(&t_cat, EN, f, T_COUNT, 3LL);
	canh_catalogue_print(&t_cat, VI, f, T_COUNT, 3LL);
	fclose(f);
	assert_string_equal(text, "3 hosts3 máy trạm");
	free(text);
}

/* Catalogues of one message, each with one defect, and what the check must say. */
static const struct {
	struct canh_msg_row row;
	const char *want;
} broken[] = {
    {{"T_NO_VI", {"hello"}}, "message 'T_NO_VI': Vietnamese text is missing"},
    {{"T_NO_EN", {NULL, "xin chào"}}, "message 'T_NO_EN': English text is missing"},
    {{"T_EMPTY", {"hello", ""}}, "message 'T_EMPTY': Vietnamese text is empty"},
    {{"T_UTF8", {"hello", "xin ch\xc3"}}, "message 'T_UTF8': Vietnamese text is not valid UTF-8"},
    {{"T_UTF8_EN", {"caf\xe9", "cà phê"}}, "message 'T_UTF8_EN': English text is not valid UTF-8"},
    {{"T_TYPE", {"%s hosts", "%d máy trạm"}},
     "message 'T_TYPE': Vietnamese text takes 'd', English text 's'"},
    {{"T_NUMBER", {"'%s' in '%s'", "'%s'"}},
     "message 'T_NUMBER': Vietnamese text takes 's', English text 's,s'"},
    {{"T_ORDER", {"%s: %lld", "%lld: %s"}},
     "message 'T_ORDER': Vietnamese text takes 'lld,s', English text 's,lld'"},
    {{"T_UNKNOWN", {"%s", "%1$s"}},
     "message 'T_UNKNOWN': Vietnamese text has a conversion printf does not know"},
};

static void test_catalogue_check(void **state)
{
	struct canh_msg_row rows[3] = {
	    {"T_GOOD", {"fine", "ổn"}},
	};
	struct canh_catalogue cat = {rows, 2};
	struct canh_errmsg err;

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		/* After a good message, so the check names the first bad one. */
		rows[1] = broken[i].row;
		err.text[0] = '\0';
		assert_int_equal(canh_catalogue_check(&cat, &err), CANH_EINVAL);
		assert_string_equal(err.text, broken[i].want);
		assert_int_equal(canh_catalogue_check(&cat, NULL), CANH_EINVAL);
	}
	/* An id the table has no row for (a gap in the designated initializers). */
	rows[1] = rows[0];
	rows[2] = (struct canh_msg_row){NULL, {NULL, NULL}};
	cat.n = 3;
	assert_int_equal(canh_catalogue_check(&cat, &err), CANH_EINVAL);
	assert_string_equal(err.text, "message 2: no row");
	cat.n = 2;
	assert_int_equal(canh_catalogue_check(&cat, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_language),    cmocka_unit_test(test_accept_language_long),
	    cmocka_unit_test(test_lang_from_locale),   cmocka_unit_test(test_lang_from_env),
	    cmocka_unit_test(test_lang_parse_and_tag), cmocka_unit_test(test_format_signature),
	    cmocka_unit_test(test_catalogue_lookup),   cmocka_unit_test(test_catalogue_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
