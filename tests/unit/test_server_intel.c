/*
 * Unit tests for canhd's threat intelligence (server/intel.c, server/store_sqlite_intel.c): feed
 * import and versions, rejected rows, victim matching against unit ranges and egress addresses,
 * unit scoping, and the in-memory C2 set, on a real SQLite store in a temporary directory.
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

#include "canh/buf.h"
#include "canh/crypto.h"
#include "intel.h"
#include "server.h"
#include "store.h"
#include "store_intel.h"

#define NOW 1795261807000LL /* 2026-11-21T11:50:07Z */
#define HOUR (3600 * 1000LL)

struct fixture {
	char dir[64];
	char db[96];
	struct canh_server srv;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-intel-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	if (canh_store_open(f->db, &f->srv.store, &err) != 0 ||
	    canh_intel_new(f->srv.store, &f->srv.intel, &err) != 0) {
		print_error("open: %s\n", err.text);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	canh_intel_free(f->srv.intel);
	canh_store_free(f->srv.store);
	for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s%s", f->db, *sfx);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void add_unit(struct fixture *f, const char *code, const char *parent, const char *ranges)
{
	struct canh_unit u = {code, code, "school", parent, ranges, "[]", 0};
	struct canh_errmsg err;
	int created = 0;

	if (canh_store_unit_upsert(f->srv.store, &u, NOW, "test", &created, &err) != 0) {
		print_error("unit %s: %s\n", code, err.text);
		fail();
	}
}

/*
 * ROOT  203.0.113.0/28 2001:db8:100::/48
 *  CHILD  198.51.100.0/28
 *   GRAND  192.0.2.0/24 and 192.0.2.16/29 (overlapping)
 * OTHER  10.0.0.0/8
 */
static void units(struct fixture *f)
{
	add_unit(f, "ROOT", NULL, "[\"203.0.113.0/28\",\"2001:db8:100::/48\"]");
	add_unit(f, "CHILD", "ROOT", "[\"198.51.100.0/28\"]");
	add_unit(f, "GRAND", "CHILD", "[\"192.0.2.0/24\",\"192.0.2.16/29\"]");
	add_unit(f, "OTHER", NULL, "[\"10.0.0.0/8\"]");
}

static int import(struct fixture *f, const char *name, enum canh_intel_kind kind,
		  enum canh_feed_format fmt, const char *text, size_t len, json_t **res)
{
	struct canh_intel_import_req req = {0};
	struct canh_errmsg err;
	int rc;

	req.name = name;
	req.kind = kind;
	req.format = fmt;
	req.filename = "list.txt";
	req.data = text;
	req.len = len ? len : strlen(text);
	req.actor = "test";
	*res = NULL;
	rc = canh_intel_import(&f->srv, &req, res, &err);
	if (rc != 0 && rc != CANH_ENOENT && rc > -30)
		print_message("import %s: %d %s\n", name, rc, err.text);
	return rc;
}

static long long jint(const json_t *o, const char *path)
{
	char key[64];
	const char *dot = strchr(path, '.');

	if (!dot)
		return (long long)json_integer_value(json_object_get(o, path));
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	return jint(json_object_get(o, key), dot + 1);
}

static json_t *victims(struct fixture *f, const char *code, int want_rc)
{
	struct canh_errmsg err;
	json_t *v = NULL;
	int rc = canh_store_intel_victims(f->srv.store, code, &v, &err);

	assert_int_equal(rc, want_rc);
	return v;
}

/* The unit `code` of a victims answer, or NULL. */
static json_t *unit_of(json_t *v, const char *code)
{
	size_t i;
	json_t *u;

	json_array_foreach(v, i, u)
	{
		if (strcmp(json_string_value(json_object_get(u, "code")), code) == 0)
			return u;
	}
	return NULL;
}

static const char victim_list[] = "# botnet list\n"
				  "203.0.113.5\n"
				  "2001:db8:100::1\n"
				  "192.0.2.20\n"
				  "10.1.2.3\n"
				  "not-an-address\n"
				  "198.18.0.1\n";

static void test_import_and_match(void **state)
{
	struct fixture *f = *state;
	json_t *res, *v, *u, *a;

	units(f);
	assert_int_equal(
	    import(f, "botnet-2026-10", CANH_INTEL_VICTIM, CANH_FEED_PLAIN, victim_list, 0, &res),
	    0);
	assert_int_equal(jint(res, "version"), 1);
	assert_int_equal(jint(res, "entries.ip"), 5);
	assert_int_equal(jint(res, "rejected"), 1);
	assert_false(json_is_true(json_object_get(res, "unchanged")));
	a = json_array_get(json_object_get(res, "rejects"), 0);
	assert_int_equal(jint(a, "line"), 6);
	assert_non_null(json_string_value(json_object_get(a, "reason")));
	/* 203.0.113.5, 2001:db8:100::1 (ROOT), 192.0.2.20 twice (GRAND's two ranges), 10.1.2.3. */
	assert_int_equal(jint(res, "victim_matches"), 5);
	json_decref(res);

	v = victims(f, NULL, 0);
	assert_int_equal(json_array_size(v), 3); /* ROOT, GRAND, OTHER; CHILD has none */
	u = unit_of(v, "ROOT");
	assert_non_null(u);
	assert_int_equal(json_array_size(json_object_get(u, "addresses")), 2);
	a = json_array_get(json_object_get(u, "addresses"), 1);
	assert_string_equal(json_string_value(json_object_get(a, "address")), "2001:db8:100::1");
	assert_int_equal(jint(a, "af"), 6);
	assert_string_equal(json_string_value(json_object_get(a, "feed")), "botnet-2026-10");
	assert_int_equal(jint(a, "line"), 3);
	u = unit_of(v, "GRAND");
	assert_non_null(u);
	assert_int_equal(json_array_size(json_object_get(u, "addresses")), 1);
	a = json_array_get(json_object_get(u, "addresses"), 0);
	assert_int_equal(json_array_size(json_object_get(a, "matched")), 2);
	assert_null(unit_of(v, "CHILD"));
	json_decref(v);

	/* Scoping: CHILD's subtree is GRAND only; OTHER is nobody's child. */
	v = victims(f, "CHILD", 0);
	assert_int_equal(json_array_size(v), 1);
	assert_non_null(unit_of(v, "GRAND"));
	json_decref(v);
	v = victims(f, "OTHER", 0);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	assert_null(victims(f, "NOPE", CANH_ENOENT));

	/* The same address is in the victim set. */
	{
		struct canh_intel_hit h[4];
		struct canh_ipaddr ip;
		assert_int_equal(canh_ip_parse("192.0.2.20", &ip), 0);
		assert_int_equal(canh_intel_lookup_victim(f->srv.intel, &ip, h, 4), 1);
		assert_int_equal(h[0].version, 1);
		assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 0);
	}
}

static void test_reimport(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *res, *feed, *v;

	units(f);
	assert_int_equal(
	    import(f, "botnet", CANH_INTEL_VICTIM, CANH_FEED_AUTO, "203.0.113.5\n", 0, &res), 0);
	json_decref(res);
	/* Byte for byte the same: nothing new. */
	assert_int_equal(
	    import(f, "botnet", CANH_INTEL_VICTIM, CANH_FEED_AUTO, "203.0.113.5\n", 0, &res), 0);
	assert_true(json_is_true(json_object_get(res, "unchanged")));
	assert_int_equal(jint(res, "version"), 1);
	assert_int_equal(jint(res, "entries.ip"), 1);
	json_decref(res);
	/* Next month's list replaces it. */
	assert_int_equal(import(f, "botnet", CANH_INTEL_VICTIM, CANH_FEED_AUTO,
				"198.51.100.9\n192.0.2.1\n", 0, &res),
			 0);
	assert_int_equal(jint(res, "version"), 2);
	assert_int_equal(jint(res, "previous"), 1);
	json_decref(res);

	assert_int_equal(canh_store_intel_feed_get(f->srv.store, "botnet", &feed, &err), 0);
	assert_int_equal(json_array_size(json_object_get(feed, "versions")), 2);
	assert_int_equal(jint(feed, "active.version"), 2);
	assert_int_equal(jint(feed, "active.entries.ip"), 2);
	assert_false(json_is_true(
	    json_object_get(json_array_get(json_object_get(feed, "versions"), 1), "active")));
	json_decref(feed);
	assert_int_equal(canh_store_intel_feed_get(f->srv.store, "nope", &feed, &err), CANH_ENOENT);

	/* Only the active version matches: 203.0.113.5 is gone. */
	v = victims(f, NULL, 0);
	assert_null(unit_of(v, "ROOT"));
	assert_non_null(unit_of(v, "CHILD"));
	assert_non_null(unit_of(v, "GRAND"));
	json_decref(v);

	/* The other kind under the same name is refused. */
	assert_int_equal(import(f, "botnet", CANH_INTEL_C2, CANH_FEED_AUTO, "1.2.3.4\n", 0, &res),
			 CANH_ECONFLICT);
	assert_int_equal(canh_store_intel_feed_list(f->srv.store, &v, &err), 0);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(jint(json_array_get(v, 0), "versions"), 2);
	json_decref(v);
}

static void test_bad_files(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *res, *list;
	int rc;

	units(f);
	assert_int_equal(
	    import(f, "x", CANH_INTEL_VICTIM, CANH_FEED_AUTO, "203.0.113.5\n", 0, &res), 0);
	json_decref(res);
	/* Not an xlsx at all: an error, nothing stored, the active version stays. */
	rc = import(f, "x", CANH_INTEL_VICTIM, CANH_FEED_XLSX, "PK\x03\x04garbage", 11, &res);
	assert_true(rc < 0 && rc != CANH_ESTORE);
	assert_null(res);
	/* Nothing readable: refused rather than replacing the list with an empty one. */
	assert_int_equal(
	    import(f, "x", CANH_INTEL_VICTIM, CANH_FEED_PLAIN, "garbage\nmore garbage\n", 0, &res),
	    CANH_ENOENT);
	assert_int_equal(jint(res, "rejected"), 2);
	json_decref(res);
	assert_int_equal(
	    import(f, "x", CANH_INTEL_VICTIM, CANH_FEED_PLAIN, "# only a comment\n", 0, &res),
	    CANH_ENOENT);
	assert_int_equal(jint(res, "rejected"), 0);
	json_decref(res);

	assert_int_equal(canh_store_intel_feed_list(f->srv.store, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(jint(json_array_get(list, 0), "version"), 1);
	assert_int_equal(jint(json_array_get(list, 0), "versions"), 1);
	json_decref(list);
	list = victims(f, NULL, 0);
	assert_non_null(unit_of(list, "ROOT"));
	json_decref(list);
}

static void test_rejects_capped(void **state)
{
	struct fixture *f = *state;
	struct canh_buf b = CANH_BUF_INIT(1 << 20);
	struct canh_errmsg err;
	json_t *res, *feed;

	canh_buf_puts(&b, "192.0.2.1\n");
	for (int i = 0; i < 1200; i++)
		canh_buf_appendf(&b, "bad-%d\n", i);
	assert_int_equal(import(f, "c", CANH_INTEL_C2, CANH_FEED_PLAIN, b.data, b.len, &res), 0);
	assert_int_equal(jint(res, "rejected"), 1200);
	assert_int_equal(json_array_size(json_object_get(res, "rejects")),
			 CANH_INTEL_ANSWER_REJECTS);
	json_decref(res);
	assert_int_equal(canh_store_intel_feed_get(f->srv.store, "c", &feed, &err), 0);
	assert_int_equal(jint(feed, "active.rejected"), 1200);
	assert_int_equal(json_array_size(json_object_get(feed, "rejects")),
			 CANH_INTEL_REJECTS_KEPT);
	assert_int_equal(jint(json_array_get(json_object_get(feed, "rejects"), 0), "line"), 2);
	json_decref(feed);
	canh_buf_release(&b);
}

static void test_c2_lookup(void **state)
{
	struct fixture *f = *state;
	struct canh_intel_hit h[4];
	struct canh_ipaddr ip;
	json_t *res;
	size_t c2, victim;

	assert_int_equal(import(f, "feodo", CANH_INTEL_C2, CANH_FEED_PLAIN,
				"198.18.0.0/15\n192.0.2.99\n2001:db8:bad::/48\n", 0, &res),
			 0);
	json_decref(res);
	canh_intel_counts(f->srv.intel, &c2, &victim);
	assert_int_equal(c2, 3);
	assert_int_equal(victim, 0);

	assert_int_equal(canh_ip_parse("192.0.2.99", &ip), 0);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 1);
	assert_string_equal(h[0].feed, "feodo");
	assert_int_equal(h[0].version, 1);
	assert_string_equal(h[0].value, "192.0.2.99");
	assert_int_equal(h[0].af, 4);
	assert_true(h[0].entry_id > 0);
	assert_int_equal(canh_ip_parse("198.19.255.1", &ip), 0);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 1);
	assert_string_equal(h[0].value, "198.18.0.0/15");
	assert_int_equal(canh_ip_parse("2001:db8:bad::77", &ip), 0);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 1);
	assert_int_equal(h[0].af, 6);
	assert_int_equal(canh_ip_parse("192.0.2.98", &ip), 0);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 0);

	/* A new version replaces the set; a reload from the store (a restart) finds the same. */
	assert_int_equal(
	    import(f, "feodo", CANH_INTEL_C2, CANH_FEED_PLAIN, "192.0.2.98\n", 0, &res), 0);
	json_decref(res);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 1);
	assert_int_equal(h[0].version, 2);
	canh_intel_free(f->srv.intel);
	f->srv.intel = NULL;
	{
		struct canh_errmsg err;
		assert_int_equal(canh_intel_new(f->srv.store, &f->srv.intel, &err), 0);
	}
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 1);
	assert_int_equal(canh_ip_parse("192.0.2.99", &ip), 0);
	assert_int_equal(canh_intel_lookup_c2(f->srv.intel, &ip, h, 4), 0);
}

static int64_t enroll(struct fixture *f, const char *unit)
{
	char th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;

	assert_int_equal(canh_sha256_hex(unit, strlen(unit), th), 0);
	assert_int_equal(canh_sha256_hex("secret", 6, ch), 0);
	assert_int_equal(
	    canh_store_token_create(f->srv.store, unit, th, NOW, NOW + HOUR, "t", &tid, &err), 0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = "ws-07";
	e.machine_id = "m";
	e.agent_version = "0.1.0";
	e.now = NOW;
	assert_int_equal(canh_store_enroll(f->srv.store, &e, &id, code, &err), 0);
	return id;
}

static void test_egress_and_range_changes(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *res, *v, *u, *m;
	int64_t agent, n;
	int stale;

	units(f);
	assert_int_equal(import(f, "b", CANH_INTEL_VICTIM, CANH_FEED_PLAIN,
				"203.0.113.5\n100.64.7.7\n", 0, &res),
			 0);
	json_decref(res);
	assert_int_equal(canh_store_intel_victims_stale(f->srv.store, &stale, &err), 0);
	assert_false(stale);

	/* An agent of OTHER seen from a listed address behind a NAT nobody registered. */
	agent = enroll(f, "OTHER");
	assert_int_equal(canh_store_agent_seen(f->srv.store, agent, "100.64.7.7", NOW, &err), 0);
	assert_int_equal(canh_store_intel_victims_stale(f->srv.store, &stale, &err), 0);
	assert_true(stale);
	assert_int_equal(canh_store_intel_victims_rematch(f->srv.store, NOW, &n, &err), 0);
	assert_int_equal(n, 2);
	v = victims(f, "OTHER", 0);
	u = unit_of(v, "OTHER");
	assert_non_null(u);
	m = json_array_get(
	    json_object_get(json_array_get(json_object_get(u, "addresses"), 0), "matched"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "how")), "agent_egress");
	assert_int_equal(jint(m, "host.id"), agent);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(m, "host"), "hostname")), "ws-07");
	json_decref(v);

	/* ROOT registers the NAT range later: the report must follow (stale again). */
	add_unit(f, "ROOT", NULL, "[\"203.0.113.0/28\",\"100.64.0.0/10\"]");
	assert_int_equal(canh_store_intel_victims_stale(f->srv.store, &stale, &err), 0);
	assert_true(stale);
	assert_int_equal(canh_intel_botnet_report(&f->srv, "ROOT", &res, &err), 0);
	assert_int_equal(jint(res, "totals.units"), 1);
	assert_int_equal(jint(res, "totals.addresses"), 2);
	u = json_array_get(json_object_get(res, "units"), 0);
	assert_string_equal(json_string_value(json_object_get(u, "code")), "ROOT");
	assert_true(json_is_array(
	    json_object_get(json_array_get(json_object_get(u, "addresses"), 0), "candidates")));
	json_decref(res);
	assert_int_equal(canh_intel_botnet_report(&f->srv, "NOPE", &res, &err), CANH_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_import_and_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reimport, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejects_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_c2_lookup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_egress_and_range_changes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
