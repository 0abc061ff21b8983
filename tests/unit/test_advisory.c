/*
 * Unit tests for lib/advisory.c and lib/advisory_detect.c: the model's
 * building helpers and caps, names, severities, CVSS 3.x base scores, the
 * apk / semver / generic orders and OSV range semantics, format detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/advisory.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/vercmp.h"

static const struct {
	const char *vector;
	double score; /* -1: must be refused */
} cvss_cases[] = {
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2},
    {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 6.5},
    {"CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0.0},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
    {"CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8}, /* any order */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", -1},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H", -1},
    {"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", -1},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", -1},
    {"CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", -1},
    {"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", -1},
    {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", -1},
    {"CVSS:3.1/", -1},
    {"", -1},
};

static void test_cvss3(void **state)
{
	for (size_t i = 0; i < sizeof(cvss_cases) / sizeof(cvss_cases[0]); i++) {
		double d = 42;
		int rc = canh_cvss3_base_score(cvss_cases[i].vector, &d);
		if (cvss_cases[i].score < 0) {
			if (rc != CANH_EPARSE)
				fail_msg("'%s' accepted (%.1f)", cvss_cases[i].vector, d);
		} else if (rc != 0 ||
			   (long)(d * 10 + 0.5) != (long)(cvss_cases[i].score * 10 + 0.5)) {
			fail_msg("'%s': rc %d score %.1f, want %.1f", cvss_cases[i].vector, rc, d,
				 cvss_cases[i].score);
		}
	}
	double d;
	assert_int_equal(canh_cvss3_base_score(NULL, &d), CANH_EPARSE);
	assert_int_equal(canh_severity_from_cvss(9.8), CANH_SEV_CRITICAL);
	assert_int_equal(canh_severity_from_cvss(9.0), CANH_SEV_CRITICAL);
	assert_int_equal(canh_severity_from_cvss(8.9), CANH_SEV_HIGH);
	assert_int_equal(canh_severity_from_cvss(7.0), CANH_SEV_HIGH);
	assert_int_equal(canh_severity_from_cvss(6.9), CANH_SEV_MEDIUM);
	assert_int_equal(canh_severity_from_cvss(4.0), CANH_SEV_MEDIUM);
	assert_int_equal(canh_severity_from_cvss(0.1), CANH_SEV_LOW);
	assert_int_equal(canh_severity_from_cvss(0), CANH_SEV_UNKNOWN);
	assert_int_equal(canh_severity_from_cvss(-1), CANH_SEV_UNKNOWN);
}

/* Pairs and the sign their order must give. */
struct cmp_case {
	const char *a, *b;
	int want;
};

static const struct cmp_case apk_cases[] = {
    {"1.2.3-r0", "1.2.3-r0", 0},      {"1.2.3-r1", "1.2.3-r0", 1},
    {"1.2.3-r0", "1.2.4-r0", -1},     {"1.2.10-r0", "1.2.9-r0", 1},
    {"1.2.3_rc1-r0", "1.2.3-r0", -1}, {"1.2.3_alpha-r0", "1.2.3_beta-r0", -1},
    {"1.2.3_pre2", "1.2.3_rc1", -1},  {"1.2.3_p1-r0", "1.2.3-r0", 1},
    {"1.2.3_p1", "1.2.3_p2", -1},     {"1.2.3a-r0", "1.2.3-r0", 1},
    {"1.2.3a", "1.2.3b", -1},	      {"1.2-r0", "1.2.0-r0", -1},
    {"8.4.0-r0", "8.3.0-r2", 1},      {"1.2.3_git20230101", "1.2.3", 1},
    {"1.2.3", "1.2.3-r0", -1},	      {"001.2", "1.2", 0},
};

static const struct cmp_case semver_cases[] = {
    {"1.0.0", "1.0.0", 0},
    {"1.0.0", "2.0.0", -1},
    {"2.1.1", "2.1.0", 1},
    {"1.10.0", "1.9.0", 1},
    {"1.0.0-alpha", "1.0.0", -1},
    {"1.0.0-alpha", "1.0.0-alpha.1", -1},
    {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
    {"1.0.0-alpha.beta", "1.0.0-beta", -1},
    {"1.0.0-beta.2", "1.0.0-beta.11", -1},
    {"1.0.0-beta.11", "1.0.0-rc.1", -1},
    {"1.0.0-rc.1", "1.0.0", -1},
    {"v1.2.3", "1.2.3", 0},
    {"1.2.3+build.5", "1.2.3+build.9", 0},
    {"1.2", "1.2.0", 0},
};

static const struct cmp_case generic_cases[] = {
    {"9.0.0", "9.0.0", 0},
    {"9.0.0", "10.0.0", -1},
    {"8.8.15", "8.8.9", 1},
    {"9.0.0.P38", "9.0.0.P37", 1},
    {"9.0.0.P38", "9.0.0", 1},
    {"17.1.0", "17.1.0.3", -1},
    {"15.1.10.2", "15.1.10", 1},
    /* Pre-release words before the release, in their order. */
    {"2.0-beta9", "2.0", -1},
    {"1.0rc1", "1.0", -1},
    {"1.0.dev1", "1.0", -1},
    {"1.0-alpha", "1.0-beta", -1},
    {"1.0-RC1", "1.0-beta2", 1},
    {"1.0-rc1", "1.0-zeta", -1},
    {"2.0-beta9", "2.0.1", -1},
    {"2.0-beta9", "1.9", 1},
    {"1.0-snapshot", "1.0-rc", -1},
    {"1.0a", "1.0", 1},
    {"007", "7", 0},
    {"1.0", "1.0.a", -1},
    {"", "", 0},
};

static void run_cmp(const char *name, const struct cmp_case *cs, size_t n,
		    int (*cmp)(const char *, const char *))
{
	for (size_t i = 0; i < n; i++) {
		int got = cmp(cs[i].a, cs[i].b), back = cmp(cs[i].b, cs[i].a);
		got = got < 0 ? -1 : got > 0;
		back = back < 0 ? -1 : back > 0;
		if (got != cs[i].want || back != -cs[i].want)
			fail_msg("%s: '%s' vs '%s' gives %d (reverse %d), want %d", name, cs[i].a,
				 cs[i].b, got, back, cs[i].want);
	}
}

static void test_orders(void **state)
{
	run_cmp("apk", apk_cases, sizeof(apk_cases) / sizeof(apk_cases[0]), canh_version_cmp_apk);
	run_cmp("semver", semver_cases, sizeof(semver_cases) / sizeof(semver_cases[0]),
		canh_version_cmp_semver);
	run_cmp("generic", generic_cases, sizeof(generic_cases) / sizeof(generic_cases[0]),
		canh_version_cmp_generic);
}

/* An affected entry from a compact spec: "i=0,f=2.0;i=3" = two ranges. */
static struct canh_affected *make_affected(struct canh_advisory *a, const char *spec,
					   const char *versions)
{
	struct canh_affected *af = canh_advisory_add_affected(a);
	char buf[2048];
	canh_strlcpy(buf, spec, sizeof(buf));
	assert_non_null(af);
	for (char *rs = buf, *rend; rs && *rs; rs = rend) {
		rend = strchr(rs, ';');
		if (rend)
			*rend++ = '\0';
		enum canh_range_type t = CANH_RANGE_ECOSYSTEM;
		if (strncmp(rs, "git:", 4) == 0) {
			t = CANH_RANGE_GIT;
			rs += 4;
		}
		struct canh_range *r = canh_affected_add_range(a, af, t);
		assert_non_null(r);
		for (char *es = rs, *eend; es && *es; es = eend) {
			eend = strchr(es, ',');
			if (eend)
				*eend++ = '\0';
			char *eq = strchr(es, '=');
			assert_non_null(eq);
			*eq = '\0';
			enum canh_event_kind k = strcmp(es, "i") == 0	 ? CANH_EV_INTRODUCED
						 : strcmp(es, "f") == 0	 ? CANH_EV_FIXED
						 : strcmp(es, "la") == 0 ? CANH_EV_LAST_AFFECTED
									 : CANH_EV_LIMIT;
			assert_int_equal(canh_range_add_event(a, r, k, eq + 1), 0);
		}
	}
	if (versions) {
		canh_strlcpy(buf, versions, sizeof(buf));
		for (char *v = buf, *vend; v && *v; v = vend) {
			vend = strchr(v, ',');
			if (vend)
				*vend++ = '\0';
			assert_int_equal(canh_affected_add_version(a, af, v), 0);
		}
	}
	return af;
}

static const struct {
	const char *ranges, *versions;
	const char *in, *out; /* comma-separated versions inside / outside */
} range_cases[] = {
    {"i=0,f=2.0", NULL, "0.1,1.0,1.9.9", "2.0,2.0.1,3"},
    {"i=1.0,f=2.0", NULL, "1.0,1.5", "0.9,2.0,2.1"},
    {"i=1.0,la=2.0", NULL, "1.0,2.0", "0.9,2.0.1,3"},
    {"i=1.0", NULL, "1.0,5,100.1", "0.9"},
    {"i=0", NULL, "0,0.0.1,99", ""},
    /* Events out of order make two intervals once sorted. */
    {"f=2.5,i=2.0,f=1.5,i=1.0", NULL, "1.0,1.2,2.0,2.2", "0.5,1.5,1.7,2.5,3"},
    {"i=0,limit=2.0", NULL, "1.0,1.9", "2.0,3.0"},
    {"i=0,f=1.0,i=3.0,limit=2.0", NULL, "0.5", "1.0,1.5,2.0,3.0,3.5"},
    /* Several limits: below any one of them is inside; "*" is no limit. */
    {"i=0,limit=2.0,limit=5.0", NULL, "1.0,3.0,4.9", "5.0,6"},
    {"i=1.0,limit=*", NULL, "1.0,99", "0.5"},
    {"limit=3.0,i=1.0,f=2.0,i=2.5", NULL, "1.0,2.5,2.9", "0.5,2.0,3.0,4"},
    /* Ranges are OR'ed; versions are exact. */
    {"i=1.0,f=1.1;i=2.0,f=2.1", "1.7", "1.0,2.0,1.7", "1.1,1.5,2.1,1.71"},
    {"git:i=0,f=abc", NULL, "", "0,1.0"},
    {"", "1.0,2.0", "1.0,2.0", "1.5,3.0"},
};

static void check_list(const struct canh_affected *af, const char *list, int want)
{
	char buf[256];
	canh_strlcpy(buf, list, sizeof(buf));
	for (char *v = buf, *vend; v && *v; v = vend) {
		vend = strchr(v, ',');
		if (vend)
			*vend++ = '\0';
		if (canh_affected_contains(af, v, canh_version_cmp_generic) != want)
			fail_msg("version '%s' should%s be affected", v, want ? "" : " not");
	}
}

static void test_ranges(void **state)
{
	struct canh_advisory *a = canh_advisory_new();

	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		canh_advisory_reset(a);
		struct canh_affected *af =
		    make_affected(a, range_cases[i].ranges, range_cases[i].versions);
		check_list(af, range_cases[i].in, 1);
		check_list(af, range_cases[i].out, 0);
		af->status = CANH_AFF_NOT_AFFECTED;
		check_list(af, range_cases[i].in, 0);
		af->status = CANH_AFF_UNDETERMINED;
		check_list(af, range_cases[i].in, 0);
	}
	/* dpkg order through canh_affected_match: epochs and tildes. */
	canh_advisory_reset(a);
	struct canh_affected *af = make_affected(a, "i=0,f=1:2.0-1", NULL);
	af->order = CANH_VERORDER_DPKG;
	assert_true(canh_affected_match(af, "3.0-1"));
	assert_true(canh_affected_match(af, "1:2.0~rc1-1"));
	assert_false(canh_affected_match(af, "1:2.0-1"));
	af->order = CANH_VERORDER_GENERIC;
	assert_false(canh_affected_match(af, "3.0-1")); /* generic has no epochs */
	/* rpm order: the release counts only when both sides have one. */
	canh_advisory_reset(a);
	af = make_affected(a, "i=0,f=2.0-3.el9", NULL);
	af->order = CANH_VERORDER_RPM;
	assert_true(canh_affected_match(af, "2.0-2.el9"));
	assert_false(canh_affected_match(af, "2.0-3.el9"));
	assert_true(canh_affected_match(af, "2.0~beta-9.el9"));
	/* Many events take the allocating path. */
	canh_advisory_reset(a);
	char spec[2048] = "";
	for (int i = 0; i < 50; i++) {
		char ev[40];
		snprintf(ev, sizeof(ev), "%si=%d.0,f=%d.5", i ? "," : "", i, i);
		strncat(spec, ev, sizeof(spec) - strlen(spec) - 1);
	}
	af = make_affected(a, spec, NULL);
	check_list(af, "0.1,25.2,49.4", 1);
	check_list(af, "0.5,25.7,49.5", 0);
	canh_advisory_free(a);
}

static void test_model(void **state)
{
	struct canh_advisory *a = canh_advisory_new(), *d;
	struct canh_affected *af;

	assert_true(a->cvss_score < 0);
	a->id = canh_advisory_strdup(a, "GHSA-xxxx");
	assert_int_equal(canh_advisory_add_alias(a, "CVE-2023-1234"), 0);
	assert_int_equal(canh_advisory_add_alias(a, "PYSEC-1"), 0);
	assert_int_equal(canh_advisory_add_alias(a, NULL), CANH_EINVAL);
	assert_int_equal(canh_advisory_add_reference(a, "https://example.org"), 0);
	assert_int_equal(canh_advisory_add_cve(a, "CVE-2023-1234"), 0);
	a->letter.number = canh_advisory_strdup(a, "1943/CATTT-NCSC");
	a->kev.listed = 1;
	a->kev.due_date = canh_advisory_strdup(a, "2023-11-21");
	af = make_affected(a, "i=0,f=1.2", "1.0");
	af->package = canh_advisory_strdup(a, "pkg");
	af->vendor = canh_advisory_strdup(a, "F5");
	assert_string_equal(canh_advisory_cve(a), "CVE-2023-1234");
	assert_true(canh_advisory_has_id(a, "cve-2023-1234"));
	assert_true(canh_advisory_has_id(a, "GHSA-xxxx"));
	assert_false(canh_advisory_has_id(a, "ghsa-xxxx")); /* only CVE ids ignore case */
	assert_false(canh_advisory_has_id(a, "PYSEC-2"));
	assert_null(canh_advisory_strdup(a, NULL));
	assert_string_equal(canh_advisory_strndup(a, "abcdef", 3), "abc");

	d = canh_advisory_dup(a);
	canh_advisory_free(a);
	assert_string_equal(d->id, "GHSA-xxxx");
	assert_int_equal(d->n_aliases, 2);
	assert_string_equal(d->aliases[1], "PYSEC-1");
	assert_string_equal(d->references[0], "https://example.org");
	assert_string_equal(d->cves[0], "CVE-2023-1234");
	assert_string_equal(d->letter.number, "1943/CATTT-NCSC");
	assert_string_equal(d->kev.due_date, "2023-11-21");
	assert_int_equal(d->kev.listed, 1);
	assert_int_equal(d->n_affected, 1);
	assert_string_equal(d->affected[0].vendor, "F5");
	assert_string_equal(d->affected[0].ranges[0].events[1].version, "1.2");
	assert_string_equal(d->affected[0].versions[0], "1.0");
	assert_true(canh_affected_contains(&d->affected[0], "1.1", canh_version_cmp_generic));

	/* Reset empties and keeps working; memory is reused. */
	canh_advisory_reset(d);
	assert_null(d->id);
	assert_int_equal(d->n_aliases, 0);
	assert_int_equal(d->n_affected, 0);
	assert_true(d->cvss_score < 0);
	for (int i = 0; i < 1000; i++) {
		char s[32];
		snprintf(s, sizeof(s), "ALIAS-%d", i);
		assert_int_equal(canh_advisory_add_alias(d, s), 0);
	}
	assert_string_equal(d->aliases[999], "ALIAS-999");
	canh_advisory_free(d);
	canh_advisory_free(NULL);
}

static void test_caps(void **state)
{
	struct canh_advisory *a = canh_advisory_new();
	int rc = 0;
	size_t i;

	for (i = 0; i < CANH_ADVISORY_MAX_ITEMS + 5 && rc == 0; i++)
		rc = canh_advisory_add_alias(a, "x");
	assert_int_equal(rc, CANH_ETOOBIG);
	assert_int_equal(a->n_aliases, CANH_ADVISORY_MAX_ITEMS);
	canh_advisory_reset(a);
	/* The byte cap: a string over it is refused, and so is the sum. */
	char *big = malloc(CANH_ADVISORY_MAX_BYTES / 4);
	memset(big, 'a', CANH_ADVISORY_MAX_BYTES / 4 - 1);
	big[CANH_ADVISORY_MAX_BYTES / 4 - 1] = '\0';
	assert_non_null(canh_advisory_strdup(a, big));
	assert_non_null(canh_advisory_strdup(a, big));
	assert_int_equal(canh_advisory_add_reference(a, big), 0);
	assert_null(canh_advisory_strdup(a, big));
	assert_int_equal(canh_advisory_add_reference(a, big), CANH_ETOOBIG);
	canh_advisory_reset(a);
	assert_non_null(canh_advisory_strdup(a, big));
	free(big);
	canh_advisory_free(a);
}

static void test_names(void **state)
{
	enum canh_advisory_format f;
	const char *rel;

	for (int i = CANH_ADV_FORMAT_DEBIAN; i <= CANH_ADV_FORMAT_LETTER; i++) {
		assert_int_equal(canh_advisory_format_parse(
				     canh_advisory_format_name((enum canh_advisory_format)i), &f),
				 0);
		assert_int_equal(f, i);
	}
	assert_string_equal(canh_advisory_format_name(CANH_ADV_FORMAT_DEBIAN), "debian-tracker");
	assert_int_equal(canh_advisory_format_parse("OSV", &f), 0);
	assert_int_equal(f, CANH_ADV_FORMAT_OSV);
	assert_int_equal(canh_advisory_format_parse("csaf", &f), CANH_EINVAL);
	assert_int_equal(canh_advisory_format_parse(NULL, &f), CANH_EINVAL);
	assert_string_equal(canh_advisory_format_name((enum canh_advisory_format)77), "unknown");

	assert_int_equal(canh_severity_parse("MODERATE"), CANH_SEV_MEDIUM);
	assert_int_equal(canh_severity_parse("Important"), CANH_SEV_HIGH);
	assert_int_equal(canh_severity_parse("CRITICAL"), CANH_SEV_CRITICAL);
	assert_int_equal(canh_severity_parse("whatever"), CANH_SEV_UNKNOWN);
	assert_int_equal(canh_severity_parse(NULL), CANH_SEV_UNKNOWN);
	assert_string_equal(canh_severity_name(CANH_SEV_HIGH), "high");
	assert_int_equal(canh_severity_from_urgency("low**"), CANH_SEV_LOW);
	assert_int_equal(canh_severity_from_urgency("unimportant"), CANH_SEV_LOW);
	assert_int_equal(canh_severity_from_urgency("high"), CANH_SEV_HIGH);
	assert_int_equal(canh_severity_from_urgency("not yet assigned"), CANH_SEV_UNKNOWN);
	assert_int_equal(canh_severity_from_urgency("end-of-life"), CANH_SEV_UNKNOWN);
	assert_int_equal(canh_severity_from_urgency("**"), CANH_SEV_UNKNOWN);

	assert_int_equal(canh_ecosystem_parse("Debian:12", &rel), CANH_ECO_DEBIAN);
	assert_string_equal(rel, "12");
	assert_int_equal(canh_ecosystem_parse("Rocky Linux:9", &rel), CANH_ECO_ROCKY);
	assert_int_equal(canh_ecosystem_parse("AlmaLinux:8", &rel), CANH_ECO_ALMALINUX);
	assert_int_equal(canh_ecosystem_parse("Red Hat:enterprise_linux:9::appstream", &rel),
			 CANH_ECO_REDHAT);
	assert_int_equal(canh_ecosystem_parse("Alpine:v3.18", &rel), CANH_ECO_ALPINE);
	assert_string_equal(rel, "v3.18");
	assert_int_equal(canh_ecosystem_parse("Ubuntu", &rel), CANH_ECO_UBUNTU);
	assert_null(rel);
	assert_int_equal(canh_ecosystem_parse("npm", &rel), CANH_ECO_UNKNOWN);
	assert_int_equal(canh_ecosystem_parse("Debianish:1", NULL), CANH_ECO_UNKNOWN);
	assert_int_equal(canh_ecosystem_order(CANH_ECO_UBUNTU), CANH_VERORDER_DPKG);
	assert_int_equal(canh_ecosystem_order(CANH_ECO_ALMALINUX), CANH_VERORDER_RPM);
	assert_int_equal(canh_ecosystem_order(CANH_ECO_ALPINE), CANH_VERORDER_APK);
	assert_int_equal(canh_ecosystem_order(CANH_ECO_SOFTWARE), CANH_VERORDER_GENERIC);
	assert_string_equal(canh_ecosystem_name(CANH_ECO_REDHAT), "Red Hat");
	assert_string_equal(canh_verorder_name(CANH_VERORDER_APK), "apk");
	assert_string_equal(canh_debian_codename("12"), "bookworm");
	assert_string_equal(canh_debian_number("trixie"), "13");
	assert_null(canh_debian_codename("99"));
	assert_null(canh_debian_number(NULL));
}

static void test_detect(void **state)
{
	static const struct {
		const char *file;
		enum canh_advisory_format f;
	} files[] = {
	    {"debian-tracker-sample.json", CANH_ADV_FORMAT_DEBIAN},
	    {"osv-debian-dsa.json", CANH_ADV_FORMAT_OSV},
	    {"osv-rocky-alma.json", CANH_ADV_FORMAT_OSV},
	    {"osv-ghsa.json", CANH_ADV_FORMAT_OSV},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		char *data;
		size_t len;
		snprintf(path, sizeof(path), "%s/vuln/%s", CANH_TEST_DATA, files[i].file);
		assert_int_equal(canh_file_read(path, 1 << 20, &data, &len, NULL), 0);
		assert_int_equal(canh_advisory_detect(data, len, NULL), files[i].f);
		free(data);
	}
	static const struct {
		const char *in, *name;
		enum canh_advisory_format f;
	} texts[] = {
	    {"{\"title\": \"CISA Catalog\", \"catalogVersion\": \"2024.01.01\", "
	     "\"vulnerabilities\": []}",
	     NULL, CANH_ADV_FORMAT_KEV},
	    {"\xef\xbb\xbf {\"number\": \"1943/CATTT-NCSC\", \"deadline\": \"2023-11-15\"}", NULL,
	     CANH_ADV_FORMAT_LETTER},
	    {"number: 2216/CATTT-NCSC\ndeadline: 2023-12-20\n", NULL, CANH_ADV_FORMAT_LETTER},
	    {"anything", "letter.yaml", CANH_ADV_FORMAT_LETTER},
	    {"# a letter\nnumber: &a 1\ndate: *a\n", NULL, CANH_ADV_FORMAT_LETTER},
	    {"---\ntitle: x\nissuer: Cục ATTT\n", NULL, CANH_ADV_FORMAT_LETTER},
	    {"title: x\n  number: 1\n", NULL, CANH_ADV_FORMAT_UNKNOWN},
	    {"{\"linux\": {\"TEMP-0000000-1\": {}}}", NULL, CANH_ADV_FORMAT_DEBIAN},
	    {"{\"linux\": {\"other\": {}}}", NULL, CANH_ADV_FORMAT_UNKNOWN},
	    {"{\"id\": \"X\", \"modified\": \"2024-01-01T00:00:00Z\"}", NULL, CANH_ADV_FORMAT_OSV},
	    {"[]", NULL, CANH_ADV_FORMAT_OSV},
	    {"PK\5\6", NULL, CANH_ADV_FORMAT_OSV},
	    {"", NULL, CANH_ADV_FORMAT_UNKNOWN},
	    {"{\"a\":", NULL, CANH_ADV_FORMAT_UNKNOWN},
	    {"hello", "x.json", CANH_ADV_FORMAT_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (canh_advisory_detect(texts[i].in, strlen(texts[i].in), texts[i].name) !=
		    texts[i].f)
			fail_msg("case %zu: '%s' detected as %s", i, texts[i].in,
				 canh_advisory_format_name(canh_advisory_detect(
				     texts[i].in, strlen(texts[i].in), texts[i].name)));
	assert_int_equal(canh_advisory_detect(NULL, 0, NULL), CANH_ADV_FORMAT_UNKNOWN);
}

static int count_cb(void *ctx, const struct canh_advisory *a)
{
	(*(int *)ctx)++;
	return 0;
}

/* canh_advisory_parse_file: mapped, detected, dispatched; errors name the file. */
static void test_parse_file(void **state)
{
	static const struct {
		const char *file;
		enum canh_advisory_format fmt;
		int n;
	} files[] = {
	    {"debian-tracker-sample.json", CANH_ADV_FORMAT_UNKNOWN, 6},
	    {"debian-tracker-sample.json", CANH_ADV_FORMAT_DEBIAN, 6},
	    {"osv-rocky-alma.json", CANH_ADV_FORMAT_UNKNOWN, 3},
	    {"osv-ghsa.json", CANH_ADV_FORMAT_OSV, 1},
	};
	char path[512];
	struct canh_errmsg err;
	int n;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct canh_advisory_sink sink = {count_cb, &n};
		struct canh_advisory_stats st = {0};
		n = 0;
		snprintf(path, sizeof(path), "%s/vuln/%s", CANH_TEST_DATA, files[i].file);
		assert_int_equal(
		    canh_advisory_parse_file(path, files[i].fmt, NULL, &sink, &st, &err), 0);
		assert_int_equal(n, files[i].n);
		assert_int_equal(st.advisories, (size_t)files[i].n);
	}
	/* The release filter goes through. */
	struct canh_advisory_sink sink = {count_cb, &n};
	n = 0;
	snprintf(path, sizeof(path), "%s/vuln/debian-tracker-sample.json", CANH_TEST_DATA);
	assert_int_equal(
	    canh_advisory_parse_file(path, CANH_ADV_FORMAT_UNKNOWN, "bullseye", &sink, NULL, &err),
	    0);
	assert_int_equal(n, 3);
	/* A format that does not fit the content gives nothing, each record skipped with a reason.
	 */
	struct canh_advisory_stats st = {0};
	n = 0;
	assert_int_equal(
	    canh_advisory_parse_file(path, CANH_ADV_FORMAT_OSV, NULL, &sink, &st, &err), 0);
	assert_int_equal(n, 0);
	assert_string_equal(st.first_skip, "record: no \"id\"");
	snprintf(path, sizeof(path), "%s/vuln/osv-ghsa.json", CANH_TEST_DATA);
	memset(&st, 0, sizeof(st));
	assert_int_equal(
	    canh_advisory_parse_file(path, CANH_ADV_FORMAT_DEBIAN, NULL, &sink, &st, &err), 0);
	assert_int_equal(n, 0);
	assert_true(st.skipped > 5);
	assert_non_null(
	    strstr(st.first_skip,
		   "package 'schema_version', -: package is not an object at line 2, column 21"));

	assert_int_equal(canh_advisory_parse_file("/nonexistent/x.json", CANH_ADV_FORMAT_UNKNOWN,
						  NULL, &sink, NULL, &err),
			 CANH_ENOENT);
	assert_non_null(strstr(err.text, "cannot open '/nonexistent/x.json'"));
	assert_int_equal(canh_advisory_parse_file(CANH_TEST_DATA, CANH_ADV_FORMAT_UNKNOWN, NULL,
						  &sink, NULL, &err),
			 CANH_EIO);
	assert_non_null(strstr(err.text, "not a regular file"));
	assert_int_equal(
	    canh_advisory_parse_file("/dev/null", CANH_ADV_FORMAT_UNKNOWN, NULL, &sink, NULL, &err),
	    CANH_EIO);
	assert_int_equal(canh_advisory_parse(CANH_ADV_FORMAT_UNKNOWN, "hello", 5, "notes.txt", NULL,
					     &sink, NULL, &err),
			 CANH_EINVAL);
	assert_non_null(strstr(err.text, "cannot tell the advisory format of 'notes.txt'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cvss3),  cmocka_unit_test(test_orders),
	    cmocka_unit_test(test_ranges), cmocka_unit_test(test_model),
	    cmocka_unit_test(test_caps),   cmocka_unit_test(test_names),
	    cmocka_unit_test(test_detect), cmocka_unit_test(test_parse_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
