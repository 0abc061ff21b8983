/*
 * Unit tests for lib/vulnmatch.c: advisories built in memory (or read from
 * tests/data/vuln), hosts as package lists, findings as one line each.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/advisory.h"
#include "canh/buf.h"
#include "canh/fs.h"
#include "canh/vulnmatch.h"

/* ---- building advisories ---- */

static struct canh_advisory *adv(enum canh_advisory_format src, const char *id)
{
	struct canh_advisory *a = canh_advisory_new();
	a->source = src;
	a->id = canh_advisory_strdup(a, id);
	a->cvss_score = -1;
	return a;
}

/* A Debian tracker entry: status FIXED with fix, AFFECTED (open), or UNDETERMINED. */
static struct canh_affected *debian(struct canh_advisory *a, const char *release, const char *src,
				    enum canh_affected_status status, const char *fixed)
{
	struct canh_affected *af = canh_advisory_add_affected(a);
	struct canh_range *r;
	af->ecosystem = CANH_ECO_DEBIAN;
	af->release = canh_advisory_strdup(a, release);
	af->package = canh_advisory_strdup(a, src);
	af->source_package = 1;
	af->order = CANH_VERORDER_DPKG;
	af->status = status;
	af->urgency = canh_advisory_strdup(a, "medium");
	af->severity = CANH_SEV_MEDIUM;
	if (status == CANH_AFF_FIXED || status == CANH_AFF_AFFECTED) {
		r = canh_affected_add_range(a, af, CANH_RANGE_ECOSYSTEM);
		canh_range_add_event(a, r, CANH_EV_INTRODUCED, "0");
		if (fixed) {
			canh_range_add_event(a, r, CANH_EV_FIXED, fixed);
			af->fixed_version = canh_advisory_strdup(a, fixed);
		}
	} else if (fixed) {
		af->fixed_version = canh_advisory_strdup(a, fixed);
	}
	return af;
}

static struct canh_affected *ranged(struct canh_advisory *a, enum canh_ecosystem eco,
				    const char *release, const char *pkg, enum canh_verorder order,
				    const char *introduced, const char *fixed)
{
	struct canh_affected *af = canh_advisory_add_affected(a);
	struct canh_range *r;
	af->ecosystem = eco;
	af->release = canh_advisory_strdup(a, release);
	af->package = canh_advisory_strdup(a, pkg);
	af->order = order;
	af->status = fixed ? CANH_AFF_FIXED : CANH_AFF_AFFECTED;
	r = canh_affected_add_range(a, af, CANH_RANGE_ECOSYSTEM);
	canh_range_add_event(a, r, CANH_EV_INTRODUCED, introduced);
	if (fixed) {
		canh_range_add_event(a, r, CANH_EV_FIXED, fixed);
		af->fixed_version = canh_advisory_strdup(a, fixed);
	}
	return af;
}

static void add_free(struct canh_vulnmatch *m, struct canh_advisory *a)
{
	assert_int_equal(canh_vulnmatch_add(m, a), 0);
	canh_advisory_free(a); /* the index keeps its own copy */
}

/* ---- collecting findings as text ---- */

struct out {
	struct canh_buf b;
	int n;
};

static int collect(void *ctx, const struct canh_vuln_finding *f)
{
	struct out *o = ctx;
	char line[1024];
	int k = snprintf(line, sizeof(line), "%s %s%s%s %s fix=%s %s %s%s%s", f->advisory_id,
			 f->package, f->source_package ? "<" : "",
			 f->source_package ? f->source_package : "", f->installed,
			 f->fixed ? f->fixed : "-", canh_vuln_status_name(f->status),
			 canh_severity_name(f->severity), f->kev ? " kev=" : "",
			 f->kev ? (f->kev_due ? f->kev_due : "?") : "");
	for (size_t i = 0; i < f->n_letters && k > 0 && (size_t)k < sizeof(line); i++)
		k += snprintf(line + k, sizeof(line) - (size_t)k, " letter=%s",
			      f->letters[i]->number);
	canh_buf_puts(&o->b, line);
	canh_buf_putc(&o->b, '\n');
	o->n++;
	return 0;
}

static const char *run(struct canh_vulnmatch *m, struct out *o, enum canh_ecosystem eco,
		       const char *release, const struct canh_vuln_pkg *p, size_t n,
		       const struct canh_vuln_software *sw, size_t nsw)
{
	struct canh_vuln_host h = {eco, release};
	canh_buf_release(&o->b);
	canh_buf_init(&o->b, 1 << 20);
	o->n = 0;
	assert_int_equal(canh_vulnmatch_host(m, &h, p, n, sw, nsw, collect, o), 0);
	return o->b.len ? canh_buf_cstr(&o->b) : "";
}

static int setup(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	canh_buf_init(&o->b, 1 << 20);
	*state = o;
	return 0;
}

static int teardown(void **state)
{
	struct out *o = *state;
	canh_buf_release(&o->b);
	free(o);
	return 0;
}

/* ---- tests ---- */

/* The tracker names source packages: binaries match through Source, by source version. */
static void test_source_vs_binary(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0001");
	debian(a, "bookworm", "openssl", CANH_AFF_FIXED, "3.0.15-1~deb12u1");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0002");
	debian(a, "bookworm", "glibc", CANH_AFF_FIXED, "2.36-9+deb12u4");
	add_free(m, a);

	const struct canh_vuln_pkg pk[] = {
	    {"dpkg", "libssl3", "3.0.14-1~deb12u2", "openssl", "3.0.14-1~deb12u2"},
	    {"dpkg", "openssl", "3.0.14-1~deb12u2", NULL, NULL},
	    /* A binary named like a source it is not built from. */
	    {"dpkg", "glibc", "9.9-1", "other", "9.9-1"},
	    /* binNMU: the binary version is newer than the fix, the source is not. */
	    {"dpkg", "libc6", "2.36-9+deb12u4+b1", "glibc", "2.36-9+deb12u3"},
	};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 4, NULL, 0),
			    "CVE-2024-0001 libssl3<openssl 3.0.14-1~deb12u2 fix=3.0.15-1~deb12u1 "
			    "affected medium\n"
			    "CVE-2024-0001 openssl 3.0.14-1~deb12u2 fix=3.0.15-1~deb12u1 affected "
			    "medium\n"
			    "CVE-2024-0002 libc6<glibc 2.36-9+deb12u3 fix=2.36-9+deb12u4 affected "
			    "medium\n");
	canh_vulnmatch_free(m);
}

/* A version equal to the fix is fixed; fixed_version "0" is never affected. */
static void test_equal_fixed_and_not_affected(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch_stats st;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0003");
	debian(a, "bookworm", "curl", CANH_AFF_FIXED, "7.88.1-10+deb12u5");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0004");
	debian(a, "bookworm", "curl", CANH_AFF_NOT_AFFECTED, "0");
	add_free(m, a);
	canh_vulnmatch_stats(m, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.dropped, 1);

	const struct canh_vuln_pkg eq[] = {{"dpkg", "curl", "7.88.1-10+deb12u5", NULL, NULL}};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", eq, 1, NULL, 0), "");
	/* One revision below: affected, and only by the first. */
	const struct canh_vuln_pkg lt[] = {{"dpkg", "curl", "7.88.1-10+deb12u4", NULL, NULL}};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", lt, 1, NULL, 0),
			    "CVE-2024-0003 curl 7.88.1-10+deb12u4 fix=7.88.1-10+deb12u5 affected "
			    "medium\n");
	/* dpkg's ~ : a backport below the fix is still affected. */
	const struct canh_vuln_pkg tilde[] = {
	    {"dpkg", "curl", "7.88.1-10+deb12u5~bpo1", NULL, NULL}};
	assert_int_equal((run(m, o, CANH_ECO_DEBIAN, "bookworm", tilde, 1, NULL, 0), o->n), 1);
	canh_vulnmatch_free(m);
}

/* Per-release data: only the host's release counts; "12" is bookworm. */
static void test_per_release(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0005");
	debian(a, "bookworm", "zlib", CANH_AFF_FIXED, "1:1.2.13.dfsg-1+deb12u1");
	debian(a, "bullseye", "zlib", CANH_AFF_AFFECTED, NULL);
	debian(a, "sid", "zlib", CANH_AFF_FIXED, "1:1.3.dfsg-3");
	add_free(m, a);

	const struct canh_vuln_pkg pk[] = {
	    {"dpkg", "zlib1g", "1:1.2.13.dfsg-1", "zlib", NULL},
	};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 1, NULL, 0),
			    "CVE-2024-0005 zlib1g<zlib 1:1.2.13.dfsg-1 fix=1:1.2.13.dfsg-1+deb12u1 "
			    "affected medium\n");
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "12", pk, 1, NULL, 0),
			    "CVE-2024-0005 zlib1g<zlib 1:1.2.13.dfsg-1 fix=1:1.2.13.dfsg-1+deb12u1 "
			    "affected medium\n");
	/* bullseye: open, no fix yet. */
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bullseye", pk, 1, NULL, 0),
			    "CVE-2024-0005 zlib1g<zlib 1:1.2.13.dfsg-1 fix=- affected medium\n");
	/* A release the advisory does not name: nothing. */
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "trixie", pk, 1, NULL, 0), "");
	/* An Ubuntu host never matches Debian entries. */
	assert_string_equal(run(m, o, CANH_ECO_UBUNTU, "22.04", pk, 1, NULL, 0), "");
	canh_vulnmatch_free(m);

	/* An index restricted to one release keeps only that release. */
	struct canh_vulnmatch_opts opts = {CANH_ECO_DEBIAN, "12", 0};
	struct canh_vulnmatch_stats st;
	m = canh_vulnmatch_new(&opts);
	a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0005");
	debian(a, "bookworm", "zlib", CANH_AFF_FIXED, "1:1.2.13.dfsg-1+deb12u1");
	debian(a, "bullseye", "zlib", CANH_AFF_AFFECTED, NULL);
	add_free(m, a);
	canh_vulnmatch_stats(m, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.dropped, 1);
	canh_vulnmatch_free(m);
}

/* Undetermined entries come out apart; open ones without a fix. */
static void test_undetermined_and_open(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "TEMP-0000000-ABCDEF");
	debian(a, "bookworm", "bash", CANH_AFF_UNDETERMINED, NULL);
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0006");
	debian(a, "bookworm", "bash", CANH_AFF_AFFECTED, NULL);
	add_free(m, a);

	const struct canh_vuln_pkg pk[] = {{"dpkg", "bash", "5.2.15-2+b7", "bash", "5.2.15-2"}};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 1, NULL, 0),
			    "TEMP-0000000-ABCDEF bash 5.2.15-2 fix=- undetermined medium\n"
			    "CVE-2024-0006 bash 5.2.15-2 fix=- affected medium\n");
	canh_vulnmatch_free(m);
}

/* rpm distributions: binary names, rpm's order, release by major number. */
static void test_rpm_ordering(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_OSV, "RLSA-2024:0001");
	canh_advisory_add_alias(a, "CVE-2024-0007");
	ranged(a, CANH_ECO_ROCKY, "9", "openssl-libs", CANH_VERORDER_RPM, "0", "1:3.0.7-25.el9_3");
	/* rpm and dpkg disagree here: rpm puts a number after a letter. */
	ranged(a, CANH_ECO_ROCKY, "9", "tool", CANH_VERORDER_RPM, "0", "1.1-1.el9");
	add_free(m, a);

	const struct canh_vuln_pkg pk[] = {
	    {"rpm", "openssl-libs", "1:3.0.7-24.el9", "openssl", "1:3.0.7-24.el9"},
	    {"rpm", "tool", "1.a-1.el9", NULL, NULL},
	};
	assert_string_equal(run(m, o, CANH_ECO_ROCKY, "9.3", pk, 2, NULL, 0),
			    "RLSA-2024:0001 openssl-libs 1:3.0.7-24.el9 fix=1:3.0.7-25.el9_3 "
			    "affected unknown\n"
			    "RLSA-2024:0001 tool 1.a-1.el9 fix=1.1-1.el9 affected unknown\n");
	const struct canh_vuln_pkg fixed[] = {
	    {"rpm", "openssl-libs", "1:3.0.7-25.el9_3", NULL, NULL},
	    {"rpm", "tool", "1.1-1.el9", NULL, NULL},
	};
	assert_string_equal(run(m, o, CANH_ECO_ROCKY, "9", fixed, 2, NULL, 0), "");
	/* Another major release: nothing; an unknown distribution tries the rpm family. */
	assert_string_equal(run(m, o, CANH_ECO_ROCKY, "8.9", pk, 2, NULL, 0), "");
	assert_int_equal((run(m, o, CANH_ECO_UNKNOWN, NULL, pk, 2, NULL, 0), o->n), 2);
	canh_vulnmatch_free(m);

	/* Red Hat's OSV releases ("enterprise_linux:9::appstream") compare by major number. */
	m = canh_vulnmatch_new(NULL);
	a = adv(CANH_ADV_FORMAT_OSV, "RHSA-2024:0002");
	ranged(a, CANH_ECO_REDHAT, "enterprise_linux:9::appstream", "httpd", CANH_VERORDER_RPM, "0",
	       "2.4.57-5.el9");
	add_free(m, a);
	const struct canh_vuln_pkg rh[] = {{"rpm", "httpd", "2.4.57-4.el9", NULL, NULL}};
	assert_string_equal(
	    run(m, o, CANH_ECO_REDHAT, "9.2", rh, 1, NULL, 0),
	    "RHSA-2024:0002 httpd 2.4.57-4.el9 fix=2.4.57-5.el9 affected unknown\n");
	assert_string_equal(run(m, o, CANH_ECO_REDHAT, "8.9", rh, 1, NULL, 0), "");
	canh_vulnmatch_free(m);
}

/* KEV records join on the CVE (id or alias), whatever the order of adding. */
static void test_kev_join(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2023-4863");
	debian(a, "bookworm", "libwebp", CANH_AFF_FIXED, "1.2.4-0.2+deb12u1");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_OSV, "DSA-5497-1");
	canh_advisory_add_alias(a, "cve-2023-4863");
	ranged(a, CANH_ECO_DEBIAN, "12", "libwebp", CANH_VERORDER_DPKG, "0", "1.2.4-0.2+deb12u1");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_KEV, "CVE-2023-4863");
	a->kev.listed = 1;
	a->kev.due_date = canh_advisory_strdup(a, "2023-10-04");
	a->kev.date_added = canh_advisory_strdup(a, "2023-09-13");
	add_free(m, a);

	const struct canh_vuln_pkg pk[] = {{"dpkg", "libwebp7", "1.2.4-0.2", "libwebp", NULL}};
	assert_string_equal(
	    run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 1, NULL, 0),
	    "CVE-2023-4863 libwebp7<libwebp 1.2.4-0.2 fix=1.2.4-0.2+deb12u1 affected "
	    "medium kev=2023-10-04\n"
	    "DSA-5497-1 libwebp7<libwebp 1.2.4-0.2 fix=1.2.4-0.2+deb12u1 affected "
	    "unknown kev=2023-10-04\n");
	canh_vulnmatch_free(m);
}

/* A letter's product matches detected software; its CVEs reference package findings. */
static void test_letter_software(void **state)
{
	struct out *o = *state;
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_affected *af;
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_LETTER, "2216/CATTT-NCSC");
	a->letter.number = canh_advisory_strdup(a, "2216/CATTT-NCSC");
	a->letter.deadline = canh_advisory_strdup(a, "2023-12-20");
	canh_advisory_add_cve(a, "CVE-2023-37580");
	af = ranged(a, CANH_ECO_SOFTWARE, NULL, "Zimbra", CANH_VERORDER_GENERIC, "8.8.15",
		    "8.8.15.P41");
	af->vendor = canh_advisory_strdup(a, "Synacor");
	a->severity = CANH_SEV_HIGH;
	add_free(m, a);
	/* A letter naming only CVEs, one of which a package advisory is about. */
	a = adv(CANH_ADV_FORMAT_LETTER, "1943/CATTT-NCSC");
	a->letter.number = canh_advisory_strdup(a, "1943/CATTT-NCSC");
	canh_advisory_add_cve(a, "CVE-2024-0008");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0008");
	debian(a, "bookworm", "openssh", CANH_AFF_FIXED, "1:9.2p1-2+deb12u3");
	add_free(m, a);
	a = adv(CANH_ADV_FORMAT_KEV, "CVE-2023-37580");
	a->kev.listed = 1;
	a->kev.due_date = canh_advisory_strdup(a, "2023-08-08");
	add_free(m, a);

	const struct canh_vuln_software sw[] = {
	    {"zimbra", "Synacor", "8.8.15.P30"},
	};
	const struct canh_vuln_pkg pk[] = {
	    {"dpkg", "openssh-server", "1:9.2p1-2+deb12u2", "openssh", NULL}};
	assert_string_equal(
	    run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 1, sw, 1),
	    "CVE-2024-0008 openssh-server<openssh 1:9.2p1-2+deb12u2 fix=1:9.2p1-2+deb12u3 affected "
	    "medium letter=1943/CATTT-NCSC\n"
	    "2216/CATTT-NCSC zimbra 8.8.15.P30 fix=8.8.15.P41 affected high kev=2023-08-08 "
	    "letter=2216/CATTT-NCSC\n");
	/* The patch that fixes it, a later release, an unrelated product: nothing. */
	const struct canh_vuln_software ok[] = {
	    {"zimbra", "Synacor", "8.8.15.P41"},
	    {"Zimbra", NULL, "9.0.0.P38"},
	    {"tomcat", NULL, "8.8.15.P1"},
	};
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", NULL, 0, ok, 3), "");
	canh_vulnmatch_free(m);
}

/* With filter_names, only wanted packages are kept (software always). */
static void test_filter_names(void **state)
{
	(void)state;
	struct canh_vulnmatch_opts opts = {CANH_ECO_UNKNOWN, NULL, 1};
	struct canh_vulnmatch_stats st;
	struct canh_vulnmatch *m = canh_vulnmatch_new(&opts);
	canh_vulnmatch_want(m, "openssl");
	struct canh_advisory *a = adv(CANH_ADV_FORMAT_DEBIAN, "CVE-2024-0009");
	debian(a, "bookworm", "openssl", CANH_AFF_FIXED, "3.0.15-1");
	debian(a, "bookworm", "curl", CANH_AFF_FIXED, "8.0-1");
	ranged(a, CANH_ECO_SOFTWARE, NULL, "zimbra", CANH_VERORDER_GENERIC, "0", "9.0.0");
	add_free(m, a);
	canh_vulnmatch_stats(m, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.advisories, 1);
	canh_vulnmatch_free(m);
}

/* The file loader's fast path gives what the whole-file parse gives. */
static void test_load_fast_path(void **state)
{
	struct out *o = *state;
	char path[512], tmp[] = "/tmp/canh-vulnmatch-XXXXXX";
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	size_t skipped = 0;
	char *slow;
	const struct canh_vuln_pkg pk[] = {
	    {"dpkg", "curl", "7.88.1-10+deb12u1", NULL, NULL},
	    {"dpkg", "libssl3", "3.0.0-1", "openssl", "3.0.0-1"},
	};

	snprintf(path, sizeof(path), "%s/vuln/debian-tracker-sample.json", CANH_TEST_DATA);
	/* Whole file, no name filter. */
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	memset(&st, 0, sizeof(st));
	assert_int_equal(
	    canh_vulnmatch_load_file(m, path, CANH_ADV_FORMAT_UNKNOWN, "bookworm", &st, NULL, &err),
	    0);
	slow = strdup(run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 2, NULL, 0));
	assert_true(o->n > 0);
	canh_vulnmatch_free(m);

	/* Filtered: the same findings, other packages skipped unparsed. */
	struct canh_vulnmatch_opts opts = {CANH_ECO_DEBIAN, "bookworm", 1};
	m = canh_vulnmatch_new(&opts);
	canh_vulnmatch_want(m, "curl");
	canh_vulnmatch_want(m, "openssl");
	canh_vulnmatch_want(m, "libssl3");
	memset(&st, 0, sizeof(st));
	assert_int_equal(canh_vulnmatch_load_file(m, path, CANH_ADV_FORMAT_UNKNOWN, "bookworm", &st,
						  &skipped, &err),
			 0);
	assert_string_equal(run(m, o, CANH_ECO_DEBIAN, "bookworm", pk, 2, NULL, 0), slow);
	free(slow);
	canh_vulnmatch_free(m);

	/* A broken file: the error names the position, as the full parser does. */
	static const char broken[] =
	    "{\"other\": {\"CVE-1\": {\"releases\": {}}},\n \"curl\": {\"CVE-2\": {\"releases\": "
	    "{\"bookworm\": {\"status\": \"open\",}}}}}";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, broken, sizeof(broken) - 1), (ssize_t)(sizeof(broken) - 1));
	close(fd);
	m = canh_vulnmatch_new(&opts);
	canh_vulnmatch_want(m, "curl");
	memset(&st, 0, sizeof(st));
	err.text[0] = '\0';
	assert_int_not_equal(
	    canh_vulnmatch_load_file(m, tmp, CANH_ADV_FORMAT_DEBIAN, "bookworm", &st, NULL, &err),
	    0);
	assert_non_null(strstr(err.text, "line 2"));
	canh_vulnmatch_free(m);
	/* Unbalanced in a skipped package: still an error. */
	static const char cut[] = "{\"other\": {\"CVE-1\": {\"releases\": {}}";
	fd = open(tmp, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cut, sizeof(cut) - 1), (ssize_t)(sizeof(cut) - 1));
	close(fd);
	m = canh_vulnmatch_new(&opts);
	canh_vulnmatch_want(m, "curl");
	assert_int_not_equal(
	    canh_vulnmatch_load_file(m, tmp, CANH_ADV_FORMAT_DEBIAN, "bookworm", &st, NULL, &err),
	    0);
	canh_vulnmatch_free(m);
	unlink(tmp);
}

/* Findings with what the direct reader keeps: description, urgency, severity. */
static int collect_full(void *ctx, const struct canh_vuln_finding *f)
{
	canh_buf_appendf(ctx, "%s %s %s fix=%s %s %s urg=%s sum=%s\n", f->advisory_id,
			 f->cve ? f->cve : "-", f->package, f->fixed ? f->fixed : "-",
			 canh_vuln_status_name(f->status), canh_severity_name(f->severity),
			 f->urgency ? f->urgency : "-", f->summary ? f->summary : "-");
	return 0;
}

static void load_both(const char *doc, int filter, struct canh_buf *out,
		      struct canh_advisory_stats *st)
{
	struct canh_vulnmatch_opts opts = {CANH_ECO_DEBIAN, "12", filter};
	struct canh_vuln_host h = {CANH_ECO_DEBIAN, "bookworm"};
	const struct canh_vuln_pkg pk[] = {
	    {"dpkg", "curl", "7.88.1-10", NULL, NULL},
	    {"dpkg", "libssl3", "3.0.0-1", "openssl", "3.0.0-1"},
	    {"dpkg", "zlib1g", "1.2", "zlib", NULL},
	};
	struct canh_vulnmatch *m = canh_vulnmatch_new(&opts);
	struct canh_errmsg err;
	size_t skipped = 0;

	for (size_t i = 0; i < 3; i++) {
		canh_vulnmatch_want(m, pk[i].name);
		if (pk[i].source)
			canh_vulnmatch_want(m, pk[i].source);
	}
	memset(st, 0, sizeof(*st));
	assert_int_equal(canh_vulnmatch_load(m, doc, strlen(doc), CANH_ADV_FORMAT_DEBIAN, "t.json",
					     "12", st, &skipped, &err),
			 0);
	assert_int_equal(skipped, filter ? 1 : 0); /* "unwanted" */
	canh_buf_init(out, 1 << 20);
	assert_int_equal(canh_vulnmatch_host(m, &h, pk, 3, NULL, 0, collect_full, out), 0);
	canh_vulnmatch_free(m);
}

/*
 * The fast path reads wanted packages straight into the index, handing what
 * it does not expect to the parser: findings and counts as the full parser's.
 */
static void test_load_direct_reader(void **state)
{
	static const char doc[] =
	    "{\"curl\": {\"CVE-2024-1\": {\"description\": \"heap overflow\", \"scope\": "
	    "\"remote\", \"debianbug\": 1234, \"releases\": {\"sid\": {\"status\": \"open\"}, "
	    "\"bookworm\": {\"status\": \"resolved\", \"repositories\": {\"bookworm\": "
	    "\"7.88.1-10\"}, \"fixed_version\": \"7.88.1-11\", \"urgency\": \"medium\", "
	    "\"nodsa\": \"minor\", \"extra\": [1, -2.5e3, true, false, null, {}]}}},\n"
	    " \"TEMP-0000001-ABCDEF\": {\"releases\": {\"bookworm\": {\"status\": \"open\", "
	    "\"urgency\": \"not yet assigned\"}}},\n"
	    " \"CVE-2024-2\": {\"releases\": {\"bookworm\": {\"status\": \"undetermined\", "
	    "\"fixed_version\": \"\"}}, \"description\": \"later wins\"},\n"
	    " \"CVE-2024-3\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", "
	    "\"fixed_version\": \"0\"}}},\n"
	    " \"CVE-2024-4\": {\"description\": 5, \"releases\": {\"trixie\": {\"status\": "
	    "\"open\"}}}},\n"
	    " \"openssl\": {\"CVE-2024-5\": {\"description\": \"say \\\"hi\\\" \\u00e9\", "
	    "\"releases\": {\"bookworm\": {\"status\": \"open\", \"urgency\": \"high\"}}}},\n"
	    " \"zlib\": {\"CVE-2024-6\": {\"releases\": {\"bookworm\": {\"urgency\": \"low\"}}},\n"
	    "  \"CVE-2024-7\": {\"releases\": {\"bookworm\": {\"status\": \"open\"}, "
	    "\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"1.3\"}}}},\n"
	    " \"unwanted\": {\"CVE-2024-8\": {\"releases\": {\"bookworm\": {\"status\": "
	    "\"open\"}}}}}\n";
	struct canh_advisory_stats fst, sst;
	struct canh_buf fast, full;

	(void)state;
	load_both(doc, 1, &fast, &fst);
	load_both(doc, 0, &full, &sst);
	assert_string_equal(canh_buf_cstr(&fast), canh_buf_cstr(&full));
	assert_non_null(strstr(canh_buf_cstr(&fast),
			       "CVE-2024-1 CVE-2024-1 curl fix=7.88.1-11 "
			       "affected medium urg=medium sum=heap overflow"));
	assert_non_null(strstr(canh_buf_cstr(&fast), "sum=later wins"));
	assert_non_null(strstr(canh_buf_cstr(&fast), "sum=say \"hi\" \xc3\xa9"));
	/* The full parser also counts "unwanted": one record, open. */
	assert_int_equal(fst.advisories + 1, sst.advisories);
	assert_int_equal(fst.affected + 1, sst.affected);
	assert_int_equal(fst.open + 1, sst.open);
	assert_int_equal(fst.fixed, sst.fixed);
	assert_int_equal(fst.not_affected, sst.not_affected);
	assert_int_equal(fst.undetermined, sst.undetermined);
	assert_int_equal(fst.skipped, sst.skipped);
	assert_int_equal(fst.skipped, 1); /* CVE-2024-6: a release without a status */
	assert_int_equal(fst.packages + 1, sst.packages); /* "unwanted" not counted */
	canh_buf_release(&fast);
	canh_buf_release(&full);
}

static void test_ecosystem_names(void **state)
{
	(void)state;
	assert_int_equal(canh_vulnmatch_ecosystem("debian"), CANH_ECO_DEBIAN);
	assert_int_equal(canh_vulnmatch_ecosystem("rocky"), CANH_ECO_ROCKY);
	assert_int_equal(canh_vulnmatch_ecosystem("almalinux"), CANH_ECO_ALMALINUX);
	assert_int_equal(canh_vulnmatch_ecosystem("gentoo"), CANH_ECO_UNKNOWN);
	assert_int_equal(canh_vulnmatch_ecosystem(NULL), CANH_ECO_UNKNOWN);
	assert_string_equal(canh_vuln_status_name(CANH_VULN_UNDETERMINED), "undetermined");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_source_vs_binary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_equal_fixed_and_not_affected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_per_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_undetermined_and_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpm_ordering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kev_join, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_letter_software, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_fast_path, setup, teardown),
	    cmocka_unit_test(test_load_direct_reader),
	    cmocka_unit_test(test_ecosystem_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
