/*
 * Unit tests for lib/advisory_osv.c: OSV records (single, array, zip) as
 * data — a file and the advisories it must give, one line each — plus the
 * range semantics on the parsed entries and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "advisory_text.h"
#include "canh/advisory.h"
#include "canh/buf.h"
#include "canh/fs.h"

struct collect {
	struct canh_buf out;
	struct canh_advisory *keep[16]; /* copies, to check fields after the parse */
	int n;
};

static int collect_cb(void *ctx, const struct canh_advisory *a)
{
	struct collect *c = ctx;
	advisory_text(&c->out, a);
	canh_buf_putc(&c->out, '\n');
	if (c->n < 16)
		c->keep[c->n] = canh_advisory_dup(a);
	c->n++;
	return 0;
}

static void collect_release(struct collect *c)
{
	for (int i = 0; i < c->n && i < 16; i++)
		canh_advisory_free(c->keep[i]);
	canh_buf_release(&c->out);
}

static char *read_data(const char *name, size_t *len)
{
	char path[512];
	char *data = NULL;
	snprintf(path, sizeof(path), "%s/vuln/%s", CANH_TEST_DATA, name);
	assert_int_equal(canh_file_read(path, 1 << 20, &data, len, NULL), 0);
	return data;
}

static int parse(const void *in, size_t len, struct collect *c, struct canh_advisory_stats *st,
		 struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {collect_cb, c};
	memset(c, 0, sizeof(*c));
	canh_buf_init(&c->out, 1 << 20);
	memset(st, 0, sizeof(*st));
	memset(err, 0, sizeof(*err));
	return canh_advisory_parse_osv(in, len, &sink, st, err);
}

struct file_case {
	const char *file;
	const char *want;
};

static const struct file_case file_cases[] = {
    {"osv-debian-dsa.json",
     "DSA-5532-1 sev=unknown | Debian:12/openssl(src) AFFECTED fix=3.0.11-1~deb12u2 "
     "[i=0,f=3.0.11-1~deb12u2] v=3.0.9-1,3.0.11-1~deb12u1\n"},
    {"osv-alpine.json", "ALPINE-CVE-2023-38545 sev=unknown | Alpine:v3.18/curl(src) AFFECTED "
			"fix=8.4.0-r0 [i=0,f=8.4.0-r0] | Alpine:v3.17/curl(src) AFFECTED "
			"fix=8.4.0-r0 [i=0,f=8.4.0-r0]\n"},
    {"osv-rocky-alma.json",
     "RLSA-2023:7877 sev=low aliases=CVE-2023-3446,CVE-2023-3817 | Rocky Linux:8/openssl(src) "
     "AFFECTED fix=1:1.1.1k-12.el8_9 [i=0,f=1:1.1.1k-12.el8_9]\n"
     "ALSA-2024:0627 sev=medium cvss=5.9 aliases=CVE-2024-0553 | AlmaLinux:9/gnutls(src) AFFECTED "
     "fix=3.7.6-23.el9_3.3 [i=0,f=3.7.6-23.el9_3.3]\n"
     "RHSA-2024:2447 sev=medium aliases=CVE-2024-2511 | Red Hat:9/openssl AFFECTED "
     "fix=1:3.0.7-27.el9 [i=0,f=1:3.0.7-27.el9]\n"},
    {"osv-ghsa.json",
     "GHSA-jfh8-c2jp-5v3q sev=critical cvss=10.0 aliases=CVE-2021-44228 | "
     "unknown/org.apache.logging.log4j:log4j-core AFFECTED fix=2.15.0 [i=2.13.0,f=2.15.0] "
     "[i=2.0-beta9,f=2.3.1] [i=2.4,f=2.12.2] | unknown/example-log-shim AFFECTED "
     "[semver:i=1.0.0,la=1.4.2] [git:i=0,f=9c1f2e0a] v=0.9.1\n"},
    {"osv-ubuntu.json", "UBUNTU-CVE-2024-2511 sev=low | Ubuntu:22.04/openssl(src) AFFECTED "
			"fix=3.0.2-0ubuntu1.15 [i=0,f=3.0.2-0ubuntu1.15] | "
			"Ubuntu:18.04/openssl(src) AFFECTED [i=0]\n"},
};

static void test_files(void **state)
{
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		struct collect c;
		struct canh_advisory_stats st;
		struct canh_errmsg err;
		size_t len;
		char *data = read_data(file_cases[i].file, &len);
		int rc = parse(data, len, &c, &st, &err);
		if (rc != 0 || strcmp(canh_buf_cstr(&c.out), file_cases[i].want) != 0)
			fail_msg("%s: rc %d (%s)\ngot:  %s\nwant: %s", file_cases[i].file, rc,
				 err.text, canh_buf_cstr(&c.out), file_cases[i].want);
		assert_int_equal(st.skipped, 0);
		collect_release(&c);
		free(data);
	}
}

/* Fields the one-line view leaves out. */
static void test_fields(void **state)
{
	struct collect c;
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *data = read_data("osv-ghsa.json", &len);

	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	assert_int_equal(c.n, 1);
	const struct canh_advisory *a = c.keep[0];
	assert_int_equal(a->source, CANH_ADV_FORMAT_OSV);
	assert_string_equal(a->summary, "Remote code injection in Log4j");
	assert_string_equal(a->cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
	assert_int_equal(a->n_references, 2);
	assert_string_equal(a->references[1], "https://logging.apache.org/log4j/2.x/security.html");
	assert_int_equal(a->published_ms, 1639096856000LL);
	assert_int_equal(a->modified_ms, 1708071632000LL);
	assert_string_equal(canh_advisory_cve(a), "CVE-2021-44228");
	assert_int_equal(a->n_cves, 1);
	assert_true(canh_advisory_has_id(a, "cve-2021-44228"));
	assert_string_equal(a->affected[0].purl, "pkg:maven/org.apache.logging.log4j/log4j-core");
	assert_string_equal(a->affected[0].ecosystem_raw, "Maven");
	assert_int_equal(a->affected[0].order, CANH_VERORDER_GENERIC);
	assert_int_equal(a->affected[1].order, CANH_VERORDER_SEMVER);
	collect_release(&c);
	free(data);

	data = read_data("osv-debian-dsa.json", &len);
	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	assert_int_equal(c.keep[0]->n_related, 2);
	assert_string_equal(c.keep[0]->related[1], "CVE-2023-5678");
	assert_int_equal(c.keep[0]->n_cves, 2);
	assert_string_equal(c.keep[0]->cves[0], "CVE-2023-5363");
	assert_string_equal(canh_advisory_cve(c.keep[0]), "CVE-2023-5363");
	assert_int_equal(c.keep[0]->affected[0].order, CANH_VERORDER_DPKG);
	collect_release(&c);
	free(data);
}

/* Each file's entries against versions, with its ecosystem's ordering. */
static void test_matching(void **state)
{
	struct collect c;
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *data;

	data = read_data("osv-debian-dsa.json", &len);
	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	const struct canh_affected *af = &c.keep[0]->affected[0];
	assert_true(canh_affected_match(af, "3.0.11-1~deb12u1"));
	assert_false(canh_affected_match(af, "3.0.11-1~deb12u2"));
	assert_false(canh_affected_match(af, "3.0.11-1"));
	assert_true(canh_affected_match(af, "1.1.1n-0+deb11u5"));
	collect_release(&c);
	free(data);

	data = read_data("osv-alpine.json", &len);
	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	/* "upstream" names the CVE. */
	assert_int_equal(c.keep[0]->n_related, 1);
	assert_string_equal(canh_advisory_cve(c.keep[0]), "CVE-2023-38545");
	af = &c.keep[0]->affected[0];
	assert_int_equal(af->order, CANH_VERORDER_APK);
	assert_true(canh_affected_match(af, "8.3.0-r2"));
	assert_true(canh_affected_match(af, "8.4.0_rc1-r0"));
	assert_false(canh_affected_match(af, "8.4.0-r0"));
	assert_false(canh_affected_match(af, "8.4.0_p1-r0"));
	assert_false(canh_affected_match(af, "8.10.1-r0"));
	collect_release(&c);
	free(data);

	data = read_data("osv-rocky-alma.json", &len);
	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	af = &c.keep[0]->affected[0];
	assert_int_equal(af->order, CANH_VERORDER_RPM);
	assert_true(canh_affected_match(af, "1:1.1.1k-9.el8_7"));
	assert_false(canh_affected_match(af, "1:1.1.1k-12.el8_9"));
	assert_false(canh_affected_match(af, "1:1.1.1k-12.el8_10"));
	assert_true(canh_affected_match(af, "1.1.1w-1.el8")); /* epoch 0 < 1 */
	af = &c.keep[1]->affected[0];
	assert_true(canh_affected_match(af, "3.7.6-23.el9_3.2"));
	assert_false(canh_affected_match(af, "3.7.6-23.el9_3.3"));
	collect_release(&c);
	free(data);

	data = read_data("osv-ghsa.json", &len);
	assert_int_equal(parse(data, len, &c, &st, &err), 0);
	af = &c.keep[0]->affected[0];
	assert_true(canh_affected_match(af, "2.14.1"));
	assert_false(canh_affected_match(af, "2.15.0"));
	assert_false(canh_affected_match(af, "2.12.2"));
	assert_true(canh_affected_match(af, "2.12.1"));
	assert_true(canh_affected_match(af, "2.3"));
	assert_true(canh_affected_match(af, "2.0"));
	assert_true(canh_affected_match(af, "2.0-beta9"));
	assert_false(canh_affected_match(af, "2.0-beta8"));
	assert_false(canh_affected_match(af, "2.3.1"));
	assert_false(canh_affected_match(af, "1.2.17"));
	af = &c.keep[0]->affected[1];
	assert_true(canh_affected_match(af, "1.4.2"));
	assert_false(canh_affected_match(af, "1.4.3"));
	assert_true(canh_affected_match(af, "v1.0.0"));
	assert_false(canh_affected_match(af, "1.0.0-rc.1"));
	assert_true(canh_affected_match(af, "0.9.1")); /* the versions list */
	assert_false(canh_affected_match(af, "0.9.2"));
	collect_release(&c);
	free(data);
}

struct bad_case {
	const char *in;
	const char *err;
};

static const struct bad_case bad_cases[] = {
    {"", "not OSV: expected a JSON object, an array or a zip at byte 0"},
    {"  42", "not OSV: expected a JSON object, an array or a zip at byte 2"},
    {"{\"id\": \"X\",\n \"affected\": [}",
     "record: unexpected token near '}' at line 2, column 15"},
    {"[{\"id\": \"A\"},\n {\"id\": \"B\" \"x\"}]",
     "expected ',' or '}' at line 2, column 13 (byte 26)"},
    {"[{\"id\": \"A\"}, {\"id\": \"A\", \"id\": \"B\"}]",
     "record 2: duplicate object key near '\"id\"' at line 1, column 30 (byte 29)"},
    {"PK\3\4garbage", "not a valid zip"},
};

static void test_malformed(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct collect c;
		struct canh_advisory_stats st;
		struct canh_errmsg err;
		int rc = parse(bad_cases[i].in, strlen(bad_cases[i].in), &c, &st, &err);
		if (rc >= 0 || !strstr(err.text, bad_cases[i].err))
			fail_msg("case %zu: rc %d, error '%s', want '%s'", i, rc, err.text,
				 bad_cases[i].err);
		collect_release(&c);
	}
}

/* Valid JSON that is no usable record is skipped and counted; the rest goes on. */
static void test_skipped(void **state)
{
	static const char in[] =
	    "[{\"summary\": \"no id\"}, 7, {\"id\": \"W\", \"withdrawn\": "
	    "\"2024-01-01T00:00:00Z\"},\n"
	    " {\"id\": \"OK-1\", \"affected\": [{\"package\": {\"name\": \"x\"}}, 5, "
	    "{\"package\": {\"ecosystem\": \"Debian:11\", \"name\": \"zlib\"}, \"ranges\": "
	    "[{\"type\": \"ECOSYSTEM\", \"events\": [{\"bogus\": \"1\"}]}, {\"type\": \"OTHER\", "
	    "\"events\": [{\"introduced\": \"0\"}]}, {\"type\": \"ECOSYSTEM\", \"events\": "
	    "[{\"introduced\": 5}, {\"introduced\": \"0\"}, {\"limit\": \"2\"}]}]}], "
	    "\"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N\"}, 3], "
	    "\"references\": [{\"url\": 3}, {\"type\": \"WEB\"}, {\"url\": \"https://x\"}]}]";
	struct collect c;
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	int rc = parse(in, strlen(in), &c, &st, &err);
	if (rc)
		fail_msg("rc %d: %s", rc, err.text);
	assert_string_equal(canh_buf_cstr(&c.out),
			    "OK-1 sev=unknown | Debian:11/zlib(src) AFFECTED [i=0,lim=2]\n");
	assert_int_equal(st.skipped, 3);
	assert_string_equal(st.first_skip, "record 1: no \"id\"");
	assert_int_equal(c.keep[0]->n_references, 1);
	assert_true(c.keep[0]->cvss_score < 0);
	collect_release(&c);

	/* A per-package severity array rates that entry and raises the record. */
	static const char per_pkg[] =
	    "{\"id\": \"P-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": "
	    "\"a\"}, "
	    "\"severity\": [{\"type\": \"CVSS_V3\", \"score\": "
	    "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"}]}, {\"package\": {\"ecosystem\": "
	    "\"PyPI\", \"name\": \"b\"}, \"severity\": [{\"type\": \"CVSS_V4\", \"score\": "
	    "\"CVSS:4.0/AV:N\"}]}]}";
	assert_int_equal(parse(per_pkg, strlen(per_pkg), &c, &st, &err), 0);
	assert_int_equal(c.keep[0]->affected[0].severity, CANH_SEV_HIGH);
	assert_int_equal(c.keep[0]->affected[1].severity, CANH_SEV_UNKNOWN);
	assert_int_equal(c.keep[0]->severity, CANH_SEV_HIGH);
	assert_string_equal(c.keep[0]->cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
	collect_release(&c);
}

/* A zip made here with libzip: records, a directory, a non-JSON member, a bad one, caps. */
static void add_member(zip_t *z, const char *name, const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	zip_source_t *s = zip_source_buffer(z, copy, len, 1);
	assert_non_null(s);
	assert_true(zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) >= 0);
}

static char *make_zip(size_t *len, int big)
{
	char dir[] = "/tmp/canh-osvzip-XXXXXX";
	char path[256];
	zip_t *z;
	int zerr;
	char *out = NULL;
	static const char *const files[] = {"osv-debian-dsa.json", "osv-alpine.json",
					    "osv-ghsa.json"};

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/all.zip", dir);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(z);
	for (size_t i = 0; i < 3; i++) {
		size_t n;
		char *d = read_data(files[i], &n);
		add_member(z, files[i], d, n);
		free(d);
	}
	assert_true(zip_dir_add(z, "sub/", ZIP_FL_ENC_UTF_8) >= 0);
	add_member(z, "README.txt", "not a record", 12);
	add_member(z, "bad.json", "{\"id\": ", 7);
	if (big) {
		/* 1 MiB of blanks compresses about 1000:1: over the ratio cap. */
		size_t n = 1 << 20;
		char *d = malloc(n);
		memset(d, ' ', n);
		memcpy(d, "{\"id\":\"BOMB\"}", 13);
		add_member(z, "bomb.json", d, n);
		free(d);
		/* Over the cap on one member. */
		n = CANH_OSV_ZIP_MAX_MEMBER + 1;
		d = malloc(n);
		for (size_t i = 0; i < n; i++)
			d[i] = (char)(' ' + (i * 7919 % 61));
		add_member(z, "huge.json", d, n);
		free(d);
	}
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(canh_file_read(path, 64 << 20, &out, len, NULL), 0);
	unlink(path);
	rmdir(dir);
	return out;
}

static void test_zip(void **state)
{
	struct collect c;
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t len;
	char *z = make_zip(&len, 0);

	assert_int_equal(parse(z, len, &c, &st, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.keep[0]->id, "DSA-5532-1");
	assert_string_equal(c.keep[1]->id, "ALPINE-CVE-2023-38545");
	assert_string_equal(c.keep[2]->id, "GHSA-jfh8-c2jp-5v3q");
	assert_int_equal(st.packages, 4);
	assert_int_equal(st.skipped, 1);
	assert_non_null(strstr(st.first_skip, "member 'bad.json': "));
	if (!strstr(st.first_skip, "at line 1, column 6"))
		fail_msg("%s", st.first_skip);
	assert_int_equal(canh_advisory_detect(z, len, "all.zip"), CANH_ADV_FORMAT_OSV);
	collect_release(&c);
	free(z);

	z = make_zip(&len, 1);
	assert_int_equal(parse(z, len, &c, &st, &err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(st.skipped, 3);
	collect_release(&c);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_files),    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_matching), cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_skipped),  cmocka_unit_test(test_zip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
