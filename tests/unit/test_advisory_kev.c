/*
 * CISA KEV catalogue: a real-shaped file (tests/data/vuln/kev-sample.json,
 * entries as CISA published them) gives one KEV record per CVE with its
 * dates and ransomware flag; bad entries are skipped and counted with the
 * reason; a malformed file is refused with its position.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "canh/advisory.h"
#include "canh/fs.h"
#include "canh/time.h"

struct seen {
	struct canh_advisory *a[16];
	size_t n;
	size_t stop_after;
};

static int keep(void *ctx, const struct canh_advisory *a)
{
	struct seen *s = ctx;
	if (s->n < 16)
		s->a[s->n++] = canh_advisory_dup(a);
	return s->stop_after && s->n >= s->stop_after ? CANH_ECONFLICT : 0;
}

static int parse_file(const char *name, struct seen *s, struct canh_advisory_stats *st,
		      struct canh_errmsg *err)
{
	char path[512], *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/vuln/%s", CANH_TEST_DATA, name);
	assert_int_equal(canh_file_read(path, 1 << 22, &text, &len, err), 0);
	struct canh_advisory_sink sink = {keep, s};
	memset(st, 0, sizeof(*st));
	memset(err, 0, sizeof(*err));
	int rc = canh_advisory_parse_kev(text, len, &sink, st, err);
	free(text);
	return rc;
}

static void release(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		canh_advisory_free(s->a[i]);
}

static void test_sample(void **state)
{
	struct seen s = {{0}, 0, 0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	assert_int_equal(parse_file("kev-sample.json", &s, &st, &err), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(st.advisories, 6);
	assert_int_equal(st.skipped, 2);
	assert_string_equal(st.first_skip, "vulnerabilities[6]: no \"cveID\" string");

	const struct canh_advisory *f5 = s.a[0];
	assert_int_equal(f5->source, CANH_ADV_FORMAT_KEV);
	assert_string_equal(f5->id, "CVE-2023-46747");
	assert_string_equal(canh_advisory_cve(f5), "CVE-2023-46747");
	assert_int_equal(f5->kev.listed, 1);
	assert_string_equal(f5->kev.date_added, "2023-10-31");
	assert_string_equal(f5->kev.due_date, "2023-11-21");
	int64_t ms;
	assert_int_equal(canh_time_parse("2023-11-21", &ms), 0);
	assert_true(f5->kev.due_date_ms == ms);
	assert_true(f5->kev.due_date_ms - f5->kev.date_added_ms == 21LL * 86400 * 1000);
	assert_string_equal(f5->kev.vendor, "F5");
	assert_string_equal(f5->kev.product, "BIG-IP Configuration Utility");
	assert_non_null(strstr(f5->summary, "Authentication Bypass"));
	assert_non_null(strstr(f5->details, "management port and/or self IP"));
	assert_non_null(strstr(f5->kev.required_action, "Apply mitigations"));
	assert_int_equal(f5->kev.ransomware, 0);
	assert_int_equal(f5->n_references, 1);
	assert_string_equal(f5->references[0], "https://my.f5.com/manage/s/article/K000137353");

	/* Two URLs in the notes, separated by " ; ". */
	assert_string_equal(s.a[2]->id, "CVE-2023-37580");
	assert_int_equal(s.a[2]->n_references, 2);
	assert_string_equal(s.a[2]->references[1],
			    "https://nvd.nist.gov/vuln/detail/CVE-2023-37580");
	/* Empty notes: no reference; "Known" ransomware use. */
	assert_int_equal(s.a[3]->n_references, 0);
	assert_string_equal(s.a[4]->id, "CVE-2023-28252");
	assert_int_equal(s.a[4]->kev.ransomware, 1);
	/* The CVE id is upper-cased; null notes are no notes. */
	assert_string_equal(s.a[5]->id, "CVE-2023-21823");
	assert_null(s.a[5]->kev.notes);
	release(&s);
}

static void test_sink_stops(void **state)
{
	struct seen s = {{0}, 0, 2};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	assert_int_equal(parse_file("kev-sample.json", &s, &st, &err), CANH_ECONFLICT);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(err.text, "stopped at KEV entry 1"));
	release(&s);
}

static void test_malformed(void **state)
{
	struct seen s = {{0}, 0, 0};
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	assert_int_equal(parse_file("kev-bad-syntax.json", &s, &st, &err), CANH_EPARSE);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(err.text, "line 4, column"));
	assert_non_null(strstr(err.text, "KEV catalogue"));

	assert_int_equal(parse_file("kev-not-catalogue.json", &s, &st, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "no \"vulnerabilities\" array"));

	static const struct {
		const char *text, *skip;
	} bad[] = {
	    {"{\"vulnerabilities\": [1]}", "vulnerabilities[0]: not a JSON object"},
	    {"{\"vulnerabilities\": [{\"cveID\": \"CVE-2023-1\"}]}", "is not a CVE id"},
	    {"{\"vulnerabilities\": [{\"cveID\": \"CVE-2023-12345\", \"dueDate\": 5}]}",
	     "\"dueDate\" is not a string"},
	    {"{\"vulnerabilities\": [{\"cveID\": \"CVE-2023-12345\", \"dueDate\": \"soon\"}]}",
	     "\"dueDate\" is not a date: 'soon'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(
		    canh_advisory_parse_kev(bad[i].text, strlen(bad[i].text), NULL, &st, &err), 0);
		assert_int_equal(st.skipped, 1);
		if (!strstr(st.first_skip, bad[i].skip))
			fail_msg("case %zu: '%s', want '%s'", i, st.first_skip, bad[i].skip);
	}
	const char *dup = "{\"vulnerabilities\": [], \"vulnerabilities\": []}";
	assert_int_equal(canh_advisory_parse_kev(dup, strlen(dup), NULL, NULL, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "duplicate"));
	/* Through the dispatcher: detected as KEV. */
	const char *one = "{\"catalogVersion\": \"1\", \"vulnerabilities\": [{\"cveID\": "
			  "\"CVE-2023-12345\"}]}";
	assert_int_equal(canh_advisory_detect(one, strlen(one), NULL), CANH_ADV_FORMAT_KEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample),
	    cmocka_unit_test(test_sink_stops),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
