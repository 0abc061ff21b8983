/*
 * Unit tests for vulnerabilities in canhd (server/vuln.c, server/store_sqlite_vuln.c) on a
 * real SQLite store in a temporary directory: import, matching, the open → fixed lifecycle
 * across two inventories, accepted findings, letters' deadlines, unit scoping, re-imports.
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

#include "canh/crypto.h"
#include "canh/proto.h"
#include "canh/time.h"
#include "store.h"
#include "store_vuln.h"
#include "vuln.h"

#define T0 1795261807000LL /* 2026-11-21T11:50:07Z: first inventory and first match */
#define HOUR (3600 * 1000LL)
#define DAY (24 * HOUR)

struct fixture {
	char dir[64];
	char db[96];
	struct canh_store *s;
	struct canh_vuln *v;
	int64_t a1, a2; /* a1 in SO/PGD/THPT, a2 in the other root XA */
};

static void add_unit(struct canh_store *s, const char *code, const char *parent)
{
	struct canh_unit u = {code, code, "school", parent, "[]", "[]", 0};
	struct canh_errmsg err;

	if (canh_store_unit_add(s, &u, T0, "test", &err) != 0) {
		print_error("add %s: %s\n", code, err.text);
		fail();
	}
}

static int64_t enroll(struct canh_store *s, const char *unit, const char *token)
{
	char th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;

	assert_int_equal(canh_sha256_hex(token, strlen(token), th), 0);
	assert_int_equal(canh_sha256_hex("secret", 6, ch), 0);
	assert_int_equal(canh_store_token_create(s, unit, th, T0, T0 + HOUR, "test", &tid, &err),
			 0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = token;
	e.machine_id = "m";
	e.agent_version = "0.1.0";
	e.now = T0;
	assert_int_equal(canh_store_enroll(s, &e, &id, code, &err), 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-vuln-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	if (canh_store_open(f->db, &f->s, &err) != 0) {
		print_error("open: %s\n", err.text);
		return -1;
	}
	add_unit(f->s, "SO", NULL);
	add_unit(f->s, "PGD", "SO");
	add_unit(f->s, "THPT", "PGD");
	add_unit(f->s, "XA", NULL);
	f->a1 = enroll(f->s, "THPT", "host-a1");
	f->a2 = enroll(f->s, "XA", "host-a2");
	f->v = canh_vuln_new(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	canh_vuln_free(f->v);
	canh_store_free(f->s);
	for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s%s", f->db, *sfx);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* One inventory message (seq, time) with packages and an optional software section. */
static void inventory(struct canh_store *s, int64_t agent, int seq, const char *time,
		      const char *packages, const char *software)
{
	char body[8192];
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg err;

	snprintf(body, sizeof(body),
		 "{\"version\":1,\"messages\":[{\"seq\":%d,\"type\":\"inventory\",\"time\":\"%s\","
		 "\"data\":{\"hostname\":\"h\",\"machine_id\":\"m\",\"os\":{\"id\":\"debian\","
		 "\"version_id\":\"12\",\"version_codename\":\"bookworm\"},\"kernel\":"
		 "{\"release\":\"6.1\"},\"arch\":\"x86_64\",\"packages\":[%s]%s%s%s}}]}",
		 seq, time, packages, software ? ",\"software\":[" : "", software ? software : "",
		 software ? "]" : "");
	if (canh_proto_batch_parse(body, strlen(body), &b, &err) != 0) {
		print_error("parse: %s\n", err.text);
		fail();
	}
	if (canh_store_ingest_batch(s, agent, &b, T0, &res, &err) != 0) {
		print_error("ingest: %s\n", err.text);
		fail();
	}
	assert_int_equal(res.stored, 1);
	canh_proto_batch_release(&b);
}

#define DEB(name, ver, src, srcver)                                                                \
	"{\"manager\":\"dpkg\",\"name\":\"" name "\",\"version\":\"" ver "\",\"source\":\"" src    \
	"\",\"source_version\":\"" srcver "\"}"

#define GLIBC_OLD DEB("libc6", "2.36-9+deb12u1", "glibc", "2.36-9+deb12u1")
#define GLIBC_BIN_OLD DEB("libc-bin", "2.36-9+deb12u1", "glibc", "2.36-9+deb12u1")
#define GLIBC_NEW DEB("libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4")
#define GLIBC_BIN_NEW DEB("libc-bin", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4")
#define SSL_OLD DEB("libssl3", "3.0.11-1~deb12u1", "openssl", "3.0.11-1~deb12u1")
#define BASH DEB("bash", "5.2.15-2+b2", "bash", "5.2.15-2")

/* The tracker: glibc fixed in u3, openssl fixed in 3.0.13, bash never affected. */
static const char tracker[] =
    "{\"glibc\":{\"CVE-2023-4911\":{\"description\":\"Looney Tunables\",\"scope\":\"local\","
    "\"releases\":{\"bookworm\":{\"status\":\"resolved\",\"fixed_version\":\"2.36-9+deb12u3\","
    "\"urgency\":\"high\",\"repositories\":{\"bookworm\":\"2.36-9+deb12u3\"}}}}},"
    "\"openssl\":{\"CVE-2023-5678\":{\"description\":\"DH check\",\"releases\":{\"bookworm\":"
    "{\"status\":\"resolved\",\"fixed_version\":\"3.0.13-1~deb12u1\",\"urgency\":\"low\","
    "\"repositories\":{}}}}},"
    "\"bash\":{\"CVE-2022-3715\":{\"description\":\"x\",\"releases\":{\"bookworm\":{\"status\":"
    "\"resolved\",\"fixed_version\":\"0\",\"urgency\":\"unimportant\",\"repositories\":{}}}}}}";

/* The same without openssl: a re-import that drops an advisory. */
static const char tracker2[] =
    "{\"glibc\":{\"CVE-2023-4911\":{\"description\":\"Looney Tunables\",\"scope\":\"local\","
    "\"releases\":{\"bookworm\":{\"status\":\"resolved\",\"fixed_version\":\"2.36-9+deb12u3\","
    "\"urgency\":\"high\",\"repositories\":{}}}}}}";

static const char kev[] =
    "{\"title\":\"CISA Catalog of Known Exploited Vulnerabilities\",\"catalogVersion\":"
    "\"2023.11.21\",\"dateReleased\":\"2023-11-21T17:00:00.0000Z\",\"count\":1,"
    "\"vulnerabilities\":[{\"cveID\":\"CVE-2023-4911\",\"vendorProject\":\"GNU\",\"product\":"
    "\"GNU C Library\",\"vulnerabilityName\":\"GNU C Library Buffer Overflow Vulnerability\","
    "\"dateAdded\":\"2023-11-21\",\"shortDescription\":\"x\",\"requiredAction\":\"Apply\","
    "\"dueDate\":\"2023-12-12\",\"knownRansomwareCampaignUse\":\"Unknown\",\"notes\":\"\"}]}";

static void import(struct fixture *f, const char *text, enum canh_advisory_format fmt,
		   const char *name, int64_t now, struct canh_vuln_import_result *res)
{
	struct canh_errmsg err;
	int rc = canh_vuln_import(f->s, text, strlen(text), fmt, name, "test", now, res, &err);

	if (rc != 0) {
		print_error("import %s: %d %s\n", name, rc, err.text);
		fail();
	}
}

static void run(struct fixture *f, int64_t now, struct canh_vuln_run_stats *st)
{
	struct canh_errmsg err;

	/* An import makes the index stale; the thread would be kicked. */
	canh_vuln_kick(f->v, 1);
	if (canh_vuln_run_pending(f->v, now, st, &err) != 0) {
		print_error("run: %s\n", err.text);
		fail();
	}
}

static json_t *findings(struct fixture *f, const char *unit, int64_t host, const char *status,
			const char *letter)
{
	struct canh_vuln_filter q = {unit, host, 0, status, letter, 0};
	struct canh_errmsg err;
	json_t *o;

	assert_int_equal(canh_store_vuln_findings(f->s, &q, &o, &err), 0);
	return o;
}

/* The finding of host/advisory/package, borrowed from `all`; NULL when none. */
static json_t *find(json_t *all, int64_t host, const char *advisory, const char *package)
{
	size_t i;
	json_t *x;

	json_array_foreach(json_object_get(all, "findings"), i, x)
	{
		if (json_integer_value(json_object_get(x, "host")) == host &&
		    strcmp(json_string_value(json_object_get(x, "advisory")), advisory) == 0 &&
		    strcmp(json_string_value(json_object_get(x, "package")), package) == 0)
			return x;
	}
	return NULL;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(null)";
}

static void time_is(const json_t *o, const char *key, int64_t want)
{
	int64_t got = 0;

	assert_non_null(json_string_value(json_object_get(o, key)));
	assert_int_equal(canh_time_parse(str(o, key), &got), 0);
	assert_int_equal(got, want);
}

static void test_import_and_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	json_t *all, *x;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z",
		  GLIBC_OLD "," GLIBC_BIN_OLD "," SSL_OLD "," BASH, NULL);
	inventory(f->s, f->a2, 1, "2026-11-21T11:50:07Z", SSL_OLD "," BASH, NULL);

	import(f, tracker, CANH_ADV_FORMAT_UNKNOWN, "tracker.json", T0, &res);
	assert_int_equal(res.format, CANH_ADV_FORMAT_DEBIAN);
	assert_string_equal(res.source, "debian-tracker");
	assert_int_equal(res.counts.advisories, 2);
	assert_int_equal(res.counts.affected, 2);
	assert_true(res.counts.skipped >= 1); /* bash: fixed_version "0" */

	run(f, T0, &st);
	assert_int_equal(st.hosts, 2);
	assert_int_equal(st.findings.opened, 4); /* a1: libc6, libc-bin, libssl3; a2: libssl3 */

	all = findings(f, NULL, 0, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 4);
	x = find(all, f->a1, "CVE-2023-4911", "libc6");
	assert_non_null(x);
	assert_string_equal(str(x, "status"), "open");
	assert_string_equal(str(x, "installed_version"), "2.36-9+deb12u1");
	assert_string_equal(str(x, "fixed_version"), "2.36-9+deb12u3");
	assert_string_equal(str(x, "source_package"), "glibc");
	assert_string_equal(str(x, "unit"), "THPT");
	time_is(x, "opened_at", T0);
	assert_null(find(all, f->a1, "CVE-2022-3715", "bash"));
	json_decref(all);

	/* The second inventory: glibc upgraded past the fix, an hour later by the agent's clock. */
	inventory(f->s, f->a1, 2, "2026-11-21T12:50:07Z", GLIBC_NEW "," GLIBC_BIN_NEW "," SSL_OLD,
		  NULL);
	run(f, T0 + 2 * HOUR, &st);
	assert_int_equal(st.hosts, 1); /* only a1 changed */
	assert_int_equal(st.findings.fixed, 2);
	assert_int_equal(st.findings.opened, 0);
	all = findings(f, NULL, 0, NULL, NULL);
	x = find(all, f->a1, "CVE-2023-4911", "libc6");
	assert_string_equal(str(x, "status"), "fixed");
	time_is(x, "fixed_at", T0 + HOUR); /* the inventory's time, not the match's */
	time_is(x, "opened_at", T0);
	x = find(all, f->a1, "CVE-2023-5678", "libssl3");
	assert_string_equal(str(x, "status"), "open");
	time_is(x, "last_matched_at", T0 + 2 * HOUR);
	json_decref(all);

	/* Open only. */
	all = findings(f, NULL, 0, "open", NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 2);
	json_decref(all);

	/* A downgrade reopens. */
	inventory(f->s, f->a1, 3, "2026-11-21T13:50:07Z", GLIBC_OLD "," SSL_OLD, NULL);
	run(f, T0 + 3 * HOUR, &st);
	assert_int_equal(st.findings.reopened, 1);
	all = findings(f, NULL, f->a1, "open", NULL);
	x = find(all, f->a1, "CVE-2023-4911", "libc6");
	assert_non_null(x);
	assert_true(json_is_null(json_object_get(x, "fixed_at")));
	json_decref(all);
}

static void test_accept(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	struct canh_errmsg err;
	json_t *all, *x, *one = NULL;
	int64_t id, fixed_id;

	inventory(f->s, f->a2, 1, "2026-11-21T11:50:07Z", SSL_OLD "," GLIBC_OLD, NULL);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	run(f, T0, &st);
	all = findings(f, NULL, f->a2, NULL, NULL);
	id =
	    json_integer_value(json_object_get(find(all, f->a2, "CVE-2023-5678", "libssl3"), "id"));
	json_decref(all);
	assert_true(id > 0);

	assert_int_equal(
	    canh_store_vuln_accept(f->s, id, "isolated lab host", T0 + HOUR, "admin", &one, &err),
	    0);
	assert_string_equal(str(one, "status"), "accepted");
	assert_string_equal(str(one, "accept_reason"), "isolated lab host");
	json_decref(one);
	assert_int_equal(canh_store_vuln_accept(f->s, 999999, "x", T0, "admin", &one, &err),
			 CANH_ENOENT);

	/* Matched again (a new inventory, the same packages): still accepted. */
	inventory(f->s, f->a2, 2, "2026-11-21T12:50:07Z", SSL_OLD "," GLIBC_NEW, NULL);
	run(f, T0 + 2 * HOUR, &st);
	assert_int_equal(st.findings.accepted, 1);
	all = findings(f, NULL, f->a2, NULL, NULL);
	x = find(all, f->a2, "CVE-2023-5678", "libssl3");
	assert_string_equal(str(x, "status"), "accepted");
	assert_string_equal(str(x, "accept_reason"), "isolated lab host");
	assert_string_equal(str(x, "accepted_by"), "admin");
	fixed_id =
	    json_integer_value(json_object_get(find(all, f->a2, "CVE-2023-4911", "libc6"), "id"));
	assert_string_equal(str(find(all, f->a2, "CVE-2023-4911", "libc6"), "status"), "fixed");
	json_decref(all);
	/* A fixed finding has nothing to accept. */
	assert_int_equal(canh_store_vuln_accept(f->s, fixed_id, "x", T0, "admin", &one, &err),
			 CANH_ECONFLICT);
	all = findings(f, NULL, 0, "accepted", NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 1);
	json_decref(all);
}

static void test_unit_scope_and_kev(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	struct canh_vuln_filter q = {0};
	struct canh_errmsg err;
	json_t *all, *summary;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", GLIBC_OLD, NULL);
	inventory(f->s, f->a2, 1, "2026-11-21T11:50:07Z", GLIBC_OLD "," SSL_OLD, NULL);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	import(f, kev, CANH_ADV_FORMAT_UNKNOWN, "kev.json", T0, &res);
	assert_int_equal(res.format, CANH_ADV_FORMAT_KEV);
	assert_int_equal(res.counts.kev, 1);
	run(f, T0, &st);

	/* SO holds PGD holds THPT holds a1; XA holds a2. */
	all = findings(f, "SO", 0, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 1);
	assert_non_null(find(all, f->a1, "CVE-2023-4911", "libc6"));
	json_decref(all);
	all = findings(f, "PGD", 0, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 1);
	json_decref(all);
	all = findings(f, "XA", 0, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 2);
	assert_null(find(all, f->a1, "CVE-2023-4911", "libc6"));
	json_decref(all);
	q.unit = "NOPE";
	assert_int_equal(canh_store_vuln_findings(f->s, &q, &all, &err), CANH_ENOENT);

	/* KEV: glibc's CVE is listed, openssl's is not. */
	q.unit = NULL;
	q.kev_only = 1;
	assert_int_equal(canh_store_vuln_findings(f->s, &q, &all, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 2);
	assert_true(
	    json_is_true(json_object_get(find(all, f->a2, "CVE-2023-4911", "libc6"), "kev")));
	assert_string_equal(str(find(all, f->a2, "CVE-2023-4911", "libc6"), "kev_due"),
			    "2023-12-12");
	json_decref(all);

	summary = json_object();
	assert_int_equal(canh_store_vuln_summary(f->s, T0, summary, &err), 0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(summary, "vuln"), "findings_open")),
	    3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(summary, "vuln"),
							    "findings_open_kev")),
			 2);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(summary, "vuln"), "hosts_affected")),
	    2);
	json_decref(summary);
}

static void test_reimport_replaces(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	json_t *all, *x;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", GLIBC_OLD "," SSL_OLD, NULL);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	run(f, T0, &st);
	assert_int_equal(st.findings.opened, 2);

	import(f, tracker2, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0 + HOUR, &res);
	assert_int_equal(res.counts.replaced, 2); /* both advisories of the first import */
	assert_int_equal(res.counts.advisories, 1);
	run(f, T0 + HOUR, &st);
	all = findings(f, NULL, 0, NULL, NULL);
	x = find(all, f->a1, "CVE-2023-5678", "libssl3");
	assert_string_equal(str(x, "status"), "fixed"); /* the advisory is gone */
	assert_string_equal(str(find(all, f->a1, "CVE-2023-4911", "libc6"), "status"), "open");
	json_decref(all);
}

static void test_malformed_keeps_store(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_errmsg err;
	static const char bad[] = "{\"glibc\":{\"CVE-2023-4911\":{\"releases\":{\"bookworm\":"
				  "{\"status\":\"resolved\",\"fixed_version\":\"1\"}}}},\n"
				  "\"openssl\": [1, 2,, 3]}";
	json_t *list;
	int rc;

	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	rc = canh_vuln_import(f->s, bad, strlen(bad), CANH_ADV_FORMAT_DEBIAN, "bad.json", "test",
			      T0 + HOUR, &res, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "line 2"));
	/* The first import stands whole. */
	assert_int_equal(canh_store_vuln_import_list(f->s, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	rc = canh_vuln_import(f->s, "hello", 5, CANH_ADV_FORMAT_UNKNOWN, "x.txt", "test", T0, &res,
			      &err);
	assert_int_equal(rc, CANH_EINVAL);
}

static void test_software_section(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *inv;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", BASH,
		  "{\"name\":\"zimbra\",\"vendor\":\"Synacor\",\"version\":\"9.0.0.P38\","
		  "\"path\":\"/opt/zimbra\"}");
	assert_int_equal(canh_store_vuln_host_inventory(f->s, f->a1, &inv, &err), 0);
	assert_int_equal(json_array_size(json_object_get(inv, "software")), 1);
	assert_string_equal(str(json_array_get(json_object_get(inv, "software"), 0), "version"),
			    "9.0.0.P38");
	assert_string_equal(str(inv, "version_id"), "12");
	assert_int_equal(json_array_size(json_object_get(inv, "packages")), 1);
	json_decref(inv);
	/* An inventory without the section leaves it as it was. */
	inventory(f->s, f->a1, 2, "2026-11-21T12:50:07Z", BASH, NULL);
	assert_int_equal(canh_store_vuln_host_inventory(f->s, f->a1, &inv, &err), 0);
	assert_int_equal(json_array_size(json_object_get(inv, "software")), 1);
	json_decref(inv);
	inventory(f->s, f->a1, 3, "2026-11-21T13:50:07Z", BASH, "");
	assert_int_equal(canh_store_vuln_host_inventory(f->s, f->a1, &inv, &err), 0);
	assert_int_equal(json_array_size(json_object_get(inv, "software")), 0);
	json_decref(inv);
}

static void test_dirty_generation(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	struct canh_vuln_apply_stats as;
	struct canh_errmsg err;
	int64_t ids[8], gens[8];
	size_t n;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", GLIBC_OLD, NULL);
	assert_int_equal(canh_store_vuln_dirty_list(f->s, 8, ids, gens, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], f->a1);
	/* A mark newer than the one a match started from survives that match. */
	assert_int_equal(canh_store_vuln_mark_dirty(f->s, f->a1, T0, &err), 0);
	assert_int_equal(canh_store_vuln_apply(f->s, f->a1, gens[0], NULL, 0, T0, T0, &as, &err),
			 0);
	assert_int_equal(canh_store_vuln_dirty_list(f->s, 8, ids, gens, &n, &err), 0);
	assert_int_equal(n, 1);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	run(f, T0, &st);
	assert_int_equal(canh_store_vuln_dirty_list(f->s, 8, ids, gens, &n, &err), 0);
	assert_int_equal(n, 0);
	/* A revoked host is not matched, and keeps its findings. */
	assert_int_equal(canh_store_agent_revoke(f->s, f->a1, T0, "test", &err), 0);
	assert_int_equal(canh_store_vuln_mark_all(f->s, T0, &err), 0);
	assert_int_equal(canh_store_vuln_mark_dirty(f->s, f->a1, T0, &err), 0);
	run(f, T0 + HOUR, &st);
	assert_int_equal(st.findings.fixed, 0);
	assert_int_equal(canh_store_vuln_dirty_list(f->s, 8, ids, gens, &n, &err), 0);
	assert_int_equal(n, 0);
}

/* A letter naming cves (a JSON list's inside), with a deadline (or none) and one product. */
static void letter(struct fixture *f, const char *number, const char *cves, const char *deadline,
		   const char *product, const char *fixed)
{
	struct canh_vuln_import_result res;
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"number\":\"%s\",\"date\":\"2026-11-01\",\"issuer\":\"Cục An toàn thông tin\","
		 "\"title\":\"test\",%s%s%s\"cves\":[%s],\"products\":[{\"product\":\"%s\","
		 "\"fixed\":[\"%s\"]}]}",
		 number, deadline ? "\"deadline\":\"" : "", deadline ? deadline : "",
		 deadline ? "\"," : "", cves, product, fixed);
	import(f, text, CANH_ADV_FORMAT_UNKNOWN, "letter.json", T0, &res);
	assert_int_equal(res.format, CANH_ADV_FORMAT_LETTER);
	assert_int_equal(res.counts.letters, 1);
}

static json_t *unit_row(json_t *l, const char *code)
{
	size_t i;
	json_t *u;

	json_array_foreach(json_object_get(l, "units"), i,
			   u) if (strcmp(str(u, "unit"), code) == 0) return u;
	return NULL;
}

static long long count(json_t *l, const char *unit, const char *scope, const char *key)
{
	json_t *u = unit_row(l, unit);

	if (!u)
		return -1;
	return (long long)json_integer_value(json_object_get(json_object_get(u, scope), key));
}

static void test_letters(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	struct canh_errmsg err;
	json_t *l, *all, *summary;
	int64_t now = T0 + 2 * HOUR;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", GLIBC_OLD,
		  "{\"name\":\"zimbra\",\"vendor\":\"Synacor\",\"version\":\"9.0.0.P38\"}");
	inventory(f->s, f->a2, 1, "2026-11-21T11:50:07Z", SSL_OLD, NULL);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	/* The deadline day counts whole, in Vietnam's time: 2026-11-21 ends at 17:00 UTC. */
	letter(f, "1/TEST-INTIME", "\"CVE-2023-4911\"", "2026-11-21", "glibc-product", "1");
	letter(f, "2/TEST-LATE", "\"CVE-2023-4911\"", "2026-11-20", "glibc-product", "1");
	letter(f, "3/TEST-SSL", "\"CVE-2023-5678\"", "2026-11-20", "openssl-product", "1");
	letter(f, "2216/CATTT-NCSC", "\"CVE-2022-37042\"", NULL, "zimbra", "9.0.0.P41");
	run(f, T0, &st);

	/* The letter's own product: Zimbra found by the agent, below the letter's fix. */
	all = findings(f, NULL, f->a1, NULL, "2216/CATTT-NCSC");
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 1);
	assert_string_equal(str(json_array_get(json_object_get(all, "findings"), 0), "kind"),
			    "software");
	assert_string_equal(str(json_array_get(json_object_get(all, "findings"), 0), "package"),
			    "zimbra");
	json_decref(all);

	/* a1 fixes glibc at 12:50 (its inventory's time). */
	inventory(f->s, f->a1, 2, "2026-11-21T12:50:07Z", GLIBC_NEW, NULL);
	run(f, now, &st);

	assert_int_equal(canh_store_vuln_letter(f->s, "1/TEST-INTIME", now, &l, &err), 0);
	assert_int_equal(count(l, "THPT", "own", "hosts_affected"), 1);
	assert_int_equal(count(l, "THPT", "own", "hosts_fixed"), 1);
	assert_int_equal(count(l, "THPT", "own", "fixed_before_deadline"), 1);
	assert_int_equal(count(l, "PGD", "own", "hosts_affected"), 0);
	assert_int_equal(count(l, "PGD", "total", "hosts_affected"), 1);
	assert_int_equal(count(l, "SO", "total", "fixed_before_deadline"), 1);
	assert_int_equal(count(l, "SO", "total", "fixed_after_deadline"), 0);
	assert_null(unit_row(l, "XA"));
	assert_string_equal(str(json_array_get(json_object_get(l, "hosts"), 0), "state"), "fixed");
	assert_false(json_is_true(json_object_get(l, "deadline_passed")));
	json_decref(l);

	assert_int_equal(canh_store_vuln_letter(f->s, "2/TEST-LATE", now, &l, &err), 0);
	assert_int_equal(count(l, "SO", "total", "fixed_after_deadline"), 1);
	assert_int_equal(count(l, "SO", "total", "fixed_before_deadline"), 0);
	assert_string_equal(str(json_array_get(json_object_get(l, "hosts"), 0), "state"),
			    "fixed_late");
	assert_true(json_is_true(json_object_get(l, "deadline_passed")));
	json_decref(l);

	assert_int_equal(canh_store_vuln_letter(f->s, "3/TEST-SSL", now, &l, &err), 0);
	assert_int_equal(count(l, "XA", "own", "open"), 1);
	assert_int_equal(count(l, "XA", "own", "open_overdue"), 1);
	assert_int_equal(count(l, "SO", "total", "hosts_affected"), -1); /* not in SO's tree */
	assert_string_equal(str(json_array_get(json_object_get(l, "hosts"), 0), "state"),
			    "open_overdue");
	json_decref(l);
	/* Before the deadline's end the same host is open, not overdue. */
	assert_int_equal(canh_store_vuln_letter(f->s, "3/TEST-SSL", T0 - DAY, &l, &err), 0);
	assert_int_equal(count(l, "XA", "own", "open_overdue"), 0);
	json_decref(l);

	assert_int_equal(canh_store_vuln_letter(f->s, "9/NOPE", now, &l, &err), CANH_ENOENT);
	assert_int_equal(canh_store_vuln_letters(f->s, &l, &err), 0);
	assert_int_equal(json_array_size(l), 4);
	json_decref(l);

	all = findings(f, NULL, 0, NULL, "3/TEST-SSL");
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 1);
	assert_non_null(find(all, f->a2, "CVE-2023-5678", "libssl3"));
	json_decref(all);

	summary = json_object();
	assert_int_equal(canh_store_vuln_summary(f->s, now, summary, &err), 0);
	assert_int_equal(json_integer_value(
			     json_object_get(json_object_get(summary, "vuln"), "letters_overdue")),
			 1);
	json_decref(summary);

	/* A letter imported again replaces itself. */
	letter(f, "3/TEST-SSL", "\"CVE-2023-5678\"", "2026-12-31", "openssl-product", "1");
	assert_int_equal(canh_store_vuln_letter(f->s, "3/TEST-SSL", now, &l, &err), 0);
	assert_string_equal(str(l, "deadline"), "2026-12-31");
	json_decref(l);
	assert_int_equal(canh_store_vuln_letters(f->s, &l, &err), 0);
	assert_int_equal(json_array_size(l), 4);
	json_decref(l);
}

/* An import seen by the matcher before its kick: the generation, not the kick, decides. */
static void test_stale_index_without_kick(void **state)
{
	struct fixture *f = *state;
	struct canh_vuln_import_result res;
	struct canh_vuln_run_stats st;
	struct canh_errmsg err;
	json_t *all;

	inventory(f->s, f->a1, 1, "2026-11-21T11:50:07Z", GLIBC_OLD, NULL);
	run(f, T0, &st); /* the index is built: no advisories yet */
	assert_int_equal(st.findings.opened, 0);
	import(f, tracker, CANH_ADV_FORMAT_DEBIAN, "tracker.json", T0, &res);
	/* No canh_vuln_kick: the API thread has not said it yet. */
	assert_int_equal(canh_vuln_run_pending(f->v, T0, &st, &err), 0);
	assert_int_equal(st.findings.opened, 1);
	all = findings(f, NULL, f->a1, "open", NULL);
	assert_non_null(find(all, f->a1, "CVE-2023-4911", "libc6"));
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_import_and_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_scope_and_kev, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reimport_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_keeps_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_software_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dirty_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_letters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_index_without_kick, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
