/*
 * Letter advisories: the three example letters of data/letters, the same
 * letter in JSON and YAML giving the same advisory, range semantics of the
 * products (what a host's version hits), and malformed letters rejected
 * with the line and column (YAML) or the position and field (JSON).
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

struct got {
	struct canh_advisory *a;
	int calls;
};

static int keep(void *ctx, const struct canh_advisory *a)
{
	struct got *g = ctx;
	g->calls++;
	canh_advisory_free(g->a);
	g->a = canh_advisory_dup(a);
	return 0;
}

static int parse_text(const char *text, const char *name, struct got *g, struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {keep, g};
	struct canh_advisory_stats st;
	memset(&st, 0, sizeof(st));
	memset(err, 0, sizeof(*err));
	return canh_advisory_parse_letter(text, strlen(text), name, &sink, &st, err);
}

static struct canh_advisory *parse_path(const char *path)
{
	char *text;
	size_t len;
	struct canh_errmsg err;
	struct got g = {NULL, 0};
	struct canh_advisory_sink sink = {keep, &g};
	struct canh_advisory_stats st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(canh_file_read(path, 1 << 22, &text, &len, &err), 0);
	int rc = canh_advisory_parse_letter(text, len, path, &sink, &st, &err);
	if (rc != 0)
		fail_msg("%s: %s", path, err.text);
	free(text);
	assert_int_equal(g.calls, 1);
	assert_int_equal(st.advisories, 1);
	assert_int_equal(st.affected, g.a->n_affected);
	return g.a;
}

static const char *letters_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/../../data/letters", CANH_TEST_DATA);
	return buf;
}

static const struct canh_affected *product(const struct canh_advisory *a, const char *name)
{
	for (size_t i = 0; i < a->n_affected; i++)
		if (strcmp(a->affected[i].package, name) == 0)
			return &a->affected[i];
	fail_msg("no product '%s'", name);
	return NULL;
}

static void test_f5_letter(void **state)
{
	char dir[512], path[600];
	snprintf(path, sizeof(path), "%s/f5-bigip-1943-cattt-ncsc.yaml",
		 letters_dir(dir, sizeof(dir)));
	struct canh_advisory *a = parse_path(path);

	assert_int_equal(a->source, CANH_ADV_FORMAT_LETTER);
	assert_string_equal(a->id, "1943/CATTT-NCSC");
	assert_string_equal(a->letter.number, "1943/CATTT-NCSC");
	assert_string_equal(a->letter.date, "2023-11-01");
	assert_string_equal(a->letter.deadline, "2023-11-15");
	assert_true(a->letter.deadline_ms - a->letter.date_ms == 14LL * 86400 * 1000);
	assert_non_null(strstr(a->letter.issuer, "Cục An toàn thông tin"));
	assert_int_equal(a->severity, CANH_SEV_CRITICAL);
	assert_true(a->cvss_score > 9.7 && a->cvss_score < 9.9);
	assert_int_equal(a->n_cves, 2);
	assert_string_equal(a->cves[0], "CVE-2023-46747");
	assert_true(canh_advisory_has_id(a, "cve-2023-46748"));
	assert_int_equal(a->n_references, 4);

	const struct canh_affected *big = product(a, "BIG-IP");
	assert_int_equal(big->ecosystem, CANH_ECO_SOFTWARE);
	assert_string_equal(big->vendor, "F5");
	assert_int_equal(big->n_ranges, 5);
	assert_string_equal(big->fixed_version, "17.1.1.1");
	static const struct {
		const char *v;
		int hit;
	} cases[] = {
	    {"17.1.0", 1},    {"17.1.0.3", 1},	{"17.1.1", 1},	 {"17.1.1.1", 0}, {"17.1.2", 0},
	    {"16.1.0", 1},    {"16.1.4", 1},	{"16.1.4.1", 1}, {"16.1.4.2", 0}, {"16.1.5", 0},
	    {"15.1.10.2", 1}, {"15.1.10.3", 0}, {"14.1.5.6", 1}, {"14.1.5.7", 0}, {"13.1.0", 1},
	    {"13.1.5.1", 1},  {"12.1.6", 0},	{"11.6.5", 0},	 {"15.0.1", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (canh_affected_match(big, cases[i].v) != cases[i].hit)
			fail_msg("BIG-IP %s: want %s", cases[i].v,
				 cases[i].hit ? "affected" : "not affected");
	}
	canh_advisory_free(a);
}

static void test_zimbra_letter(void **state)
{
	char dir[512], path[600];
	snprintf(path, sizeof(path), "%s/zimbra-2216-cattt-ncsc.yaml",
		 letters_dir(dir, sizeof(dir)));
	struct canh_advisory *a = parse_path(path);
	assert_string_equal(a->id, "2216/CATTT-NCSC");
	assert_string_equal(a->letter.date, "2023-12-12");
	assert_int_equal(a->n_cves, 1);
	assert_string_equal(a->cves[0], "CVE-2023-37580");
	assert_int_equal(a->severity, CANH_SEV_HIGH);
	const struct canh_affected *z = product(a, "zimbra");
	assert_string_equal(z->vendor, "Synacor");
	assert_string_equal(z->fixed_version, "8.8.15.P41");
	assert_int_equal(z->status, CANH_AFF_FIXED);
	/* Versions as canh-agent reports Zimbra (canh/software.h). */
	assert_int_equal(canh_affected_match(z, "8.8.15"), 1);
	assert_int_equal(canh_affected_match(z, "8.8.15.P9"), 1);
	assert_int_equal(canh_affected_match(z, "8.8.15.P40"), 1);
	assert_int_equal(canh_affected_match(z, "8.8.15.P41"), 0);
	assert_int_equal(canh_affected_match(z, "8.8.15.P45"), 0);
	assert_int_equal(canh_affected_match(z, "9.0.0.P38"), 0);
	assert_int_equal(canh_affected_match(z, "10.0.5"), 0);
	canh_advisory_free(a);
}

static void test_microsoft_letter(void **state)
{
	char dir[512], path[600];
	snprintf(path, sizeof(path), "%s/microsoft-2023-01-04.yaml", letters_dir(dir, sizeof(dir)));
	struct canh_advisory *a = parse_path(path);
	assert_true(a->n_cves >= 25);
	assert_true(canh_advisory_has_id(a, "CVE-2023-23397"));
	assert_true(canh_advisory_has_id(a, "CVE-2023-21716"));
	assert_true(canh_advisory_has_id(a, "CVE-2023-28252"));
	assert_true(canh_advisory_has_id(a, "CVE-2023-21554"));
	assert_int_equal(a->n_affected, 6);
	const struct canh_affected *w = product(a, "Windows Server 2022");
	assert_int_equal(canh_affected_match(w, "10.0.20348.1607"), 1); /* March 2023 */
	assert_int_equal(canh_affected_match(w, "10.0.20348.1668"), 0); /* April 2023 */
	assert_int_equal(canh_affected_match(w, "10.0.20348.2031"), 0);
	assert_int_equal(canh_affected_match(w, "10.0.17763.4010"), 0); /* another Windows */
	canh_advisory_free(a);
}

/* The F5 letter in JSON (tests/data/vuln/letter-f5.json) says what the YAML says. */
static void test_json_same_as_yaml(void **state)
{
	char dir[512], path[600];
	snprintf(path, sizeof(path), "%s/f5-bigip-1943-cattt-ncsc.yaml",
		 letters_dir(dir, sizeof(dir)));
	struct canh_advisory *y = parse_path(path);
	snprintf(path, sizeof(path), "%s/vuln/letter-f5.json", CANH_TEST_DATA);
	struct canh_advisory *j = parse_path(path);

	assert_string_equal(j->id, y->id);
	assert_string_equal(j->letter.issuer, y->letter.issuer);
	assert_string_equal(j->summary, y->summary);
	assert_true(j->letter.date_ms == y->letter.date_ms);
	assert_true(j->letter.deadline_ms == y->letter.deadline_ms);
	assert_int_equal(j->n_cves, y->n_cves);
	const struct canh_affected *bj = product(j, "BIG-IP"), *by = product(y, "BIG-IP");
	assert_int_equal(bj->n_ranges, by->n_ranges);
	for (size_t i = 0; i < bj->n_ranges; i++) {
		assert_int_equal(bj->ranges[i].n_events, by->ranges[i].n_events);
		for (size_t k = 0; k < bj->ranges[i].n_events; k++) {
			assert_int_equal(bj->ranges[i].events[k].kind,
					 by->ranges[i].events[k].kind);
			assert_string_equal(bj->ranges[i].events[k].version,
					    by->ranges[i].events[k].version);
		}
	}
	/* A package product: dpkg order. */
	const struct canh_affected *o = product(j, "openssl");
	assert_int_equal(o->ecosystem, CANH_ECO_DEBIAN);
	assert_int_equal(o->order, CANH_VERORDER_DPKG);
	assert_string_equal(o->release, "bookworm");
	assert_int_equal(canh_affected_match(o, "3.0.11-1~deb12u1"), 1);
	assert_int_equal(canh_affected_match(o, "3.0.11-1~deb12u2"), 0);
	assert_int_equal(canh_affected_match(o, "3.0.11-1"), 0); /* ~ sorts before the end */
	canh_advisory_free(y);
	canh_advisory_free(j);
}

static void test_debian_letter(void **state)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/vuln/letter-debian.yaml", CANH_TEST_DATA);
	struct canh_advisory *a = parse_path(path);
	assert_null(a->letter.deadline);
	const struct canh_affected *w = product(a, "libwebp");
	/* One fixed version without ranges: every version below it. */
	assert_int_equal(w->n_ranges, 1);
	assert_int_equal(canh_affected_match(w, "1.2.4-0.2"), 1);
	assert_int_equal(canh_affected_match(w, "1.2.4-0.2+deb12u1"), 0);
	const struct canh_affected *n = product(a, "nghttp2");
	assert_int_equal(n->n_versions, 1);
	assert_int_equal(canh_affected_match(n, "1.52.0-1"), 1);
	assert_int_equal(canh_affected_match(n, "1.52.0-1+deb12u1"), 0);
	canh_advisory_free(a);
}

#define HEAD "number: 1/X\ndate: 2023-01-01\nissuer: I\ntitle: T\ncves: [CVE-2023-0001]\n"

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want1, *want2;
	} cases[] = {
	    /* YAML syntax: libyaml's reason with the line and column. */
	    {"number: 1/X\ndate: 2023-01-01\n issuer: x\n", "'t' line 3, column", "mapping"},
	    {"a: [1, 2\n", "'t' line 2", NULL},
	    {"number: &n 1/X\ndate: *n\n", "line 2, column 7", "aliases"},
	    {"number: 1/X\nnumber: 2/X\n", "line 2, column 1", "duplicate key 'number'"},
	    {"---\nnumber: 1\n---\nnumber: 2\n", "line 3", "more than one YAML document"},
	    {"", "no letter", NULL},
	    {"- a\n- b\n", "line 1, column 1", "a letter is a mapping"},
	    /* Schema, YAML: the field's path and where it is. */
	    {"date: 2023-01-01\n", "number: missing", NULL},
	    {"number: 1/X\ndate: 2023-02-30\n", "line 2, column 7: date:", "YYYY-MM-DD"},
	    {"number: 1/X\ndate: 01/11/2023\n", "date: '01/11/2023' is not a date", NULL},
	    {HEAD "deadline: 2022-12-31\nproducts: [{product: p, fixed: [1]}]\n",
	     "line 6, column 11: deadline: 2022-12-31 is before", NULL},
	    {HEAD "products: [{product: p, fixed: [1]}]\ndedline: 2023-02-01\n",
	     "line 7, column 10: dedline: unknown field", NULL},
	    {"number: 1/X\ndate: 2023-01-01\nissuer: I\ntitle: T\ncves: [CVE-23-1]\n"
	     "products: [{product: p, fixed: [1]}]\n",
	     "line 5, column 8: cves[0]: not a CVE id", NULL},
	    {HEAD "products: []\n", "line 6, column 11: products: is an empty list", NULL},
	    {HEAD "products:\n  - product: p\n", "products[0].affected: missing", NULL},
	    {HEAD "products:\n  - product: p\n    affected: ['> 1']\n",
	     "line 8, column 16: products[0].affected[0]: cannot read the range '> 1'", NULL},
	    {HEAD "products:\n  - product: p\n    affected:\n      - introduced: 2.0\n"
		  "        fixd: 3.0\n",
	     "line 10, column 15: products[0].affected[0].fixd: unknown field", NULL},
	    {HEAD
	     "products:\n  - product: p\n    affected:\n      - {introduced: 3.0, fixed: 2.0}\n",
	     "products[0].affected[0]: introduced '3.0' is not below fixed '2.0'", NULL},
	    {HEAD
	     "products:\n  - product: p\n    affected:\n      - {fixed: 2.0, last_affected: 1}\n",
	     "give either 'fixed' or 'last_affected'", NULL},
	    {HEAD "products:\n  - product: p\n    ecosystem: debian\n    fixed: [1]\n",
	     "products[0].package: missing (required when the ecosystem is 'debian')", NULL},
	    {HEAD "products:\n  - {product: p, ecosystem: debian, package: p, fixed: ['1.0-']}\n",
	     "products[0].fixed[0]: version '1.0-' has bad syntax: revision number is empty", NULL},
	    {HEAD "products:\n  - {product: p, ecosystem: cobol, fixed: [1]}\n",
	     "unknown ecosystem 'cobol'", NULL},
	    {HEAD "severity: urgent\nproducts:\n  - {product: p, fixed: [1]}\n",
	     "line 6, column 11: severity: unknown severity 'urgent'", NULL},
	    {HEAD "references: [ftp://x]\nproducts:\n  - {product: p, fixed: [1]}\n",
	     "references[0]: not an http(s) URL", NULL},
	    {HEAD "products:\n  - {product: p, fixed: [1, 2]}\n", "products[0].affected: missing",
	     NULL},
	    {HEAD "products:\n  - {product: p, affected: ['< 1 0']}\n", "cannot read the range",
	     NULL},
	    /* JSON: jansson-free scanner, positions as line, column and byte. */
	    {"{\"number\": \"1/X\",\n \"date\": 2023}\n",
	     "'t' line 2, column 10 (byte 27): date:", "must be text"},
	    {"{\"number\": \"1/X\", \"number\": \"2\"}", "duplicate key", "byte 18"},
	    {"{\"number\": \"1/X\",\n  \"date\": \"2023-01-01\",,}", "'t': ", "line 2"},
	    {"{\"number\": \"1/X\"} x", "data after the JSON value", NULL},
	    /* A number too large for a double is still a number, and numbers are not text. */
	    {"{\"number\": 19E319}", "'t' line 1, column 12 (byte 11): number: must be text", NULL},
	    {"{\"number\": \"1/X\", \"date\": \"2023-01-01\", \"issuer\": \"I\", \"title\": "
	     "\"T\",\n"
	     " \"cves\": [\"CVE-2023-0001\"], \"products\": [{\"product\": \"p\", \"fixed\": "
	     "[\"1\"], \"extra\": true}]}",
	     "line 2, column 42 (byte 110): products[0].extra: unknown field", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct got g = {NULL, 0};
		struct canh_errmsg err;
		int rc = parse_text(cases[i].text, "t", &g, &err);
		if (rc == 0 || g.calls != 0)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		if (!strstr(err.text, cases[i].want1) ||
		    (cases[i].want2 && !strstr(err.text, cases[i].want2)))
			fail_msg("case %zu: error '%s', want '%s' and '%s'", i, err.text,
				 cases[i].want1, cases[i].want2 ? cases[i].want2 : "");
		canh_advisory_free(g.a);
	}
}

static void test_detect(void **state)
{
	const char *y = HEAD "products: [{product: p, fixed: [1]}]\n";
	assert_int_equal(canh_advisory_detect(y, strlen(y), "x.yaml"), CANH_ADV_FORMAT_LETTER);
	char path[600];
	snprintf(path, sizeof(path), "%s/vuln/letter-f5.json", CANH_TEST_DATA);
	char *text;
	size_t len;
	struct canh_errmsg err;
	assert_int_equal(canh_file_read(path, 1 << 20, &text, &len, &err), 0);
	assert_int_equal(canh_advisory_detect(text, len, NULL), CANH_ADV_FORMAT_LETTER);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_f5_letter),	     cmocka_unit_test(test_zimbra_letter),
	    cmocka_unit_test(test_microsoft_letter), cmocka_unit_test(test_json_same_as_yaml),
	    cmocka_unit_test(test_debian_letter),    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_detect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
