/*
 * Unit tests for canhd's flows (server/flows.c, server/store_sqlite_flows.c) on a real SQLite
 * store and a real C2 set made by importing lists (server/intel.c): flows messages through the
 * ingest path (validation, upsert of aggregates), live C2 alerts and their de-duplication,
 * retro-hunt within N days and not older, alert filters (unit with its children, host, since),
 * pinpoint ranking with its reasons, and retention.
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
#include "canh/time.h"
#include "flows.h"
#include "intel.h"
#include "server.h"
#include "store.h"
#include "store_flows.h"
#include "store_intel.h"

#define HOUR (3600 * 1000LL)
#define DAY (24 * HOUR)

struct fixture {
	char dir[64];
	char db[96];
	struct canh_server srv;
	int64_t now;
	uint64_t seq[8]; /* next seq per agent id */
	int tokens;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-flows-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	if (canh_server_config_init(&f->srv.cfg, &err) != 0 ||
	    canh_store_open(f->db, &f->srv.store, &err) != 0 ||
	    canh_intel_new(f->srv.store, &f->srv.intel, &err) != 0) {
		print_error("open: %s\n", err.text);
		return -1;
	}
	f->now = canh_now_ms();
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

	if (canh_store_unit_upsert(f->srv.store, &u, f->now, "test", &created, &err) != 0)
		fail_msg("unit %s: %s", code, err.text);
}

static int64_t add_agent(struct fixture *f, const char *unit, const char *hostname)
{
	char th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1], seed[32];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;

	snprintf(seed, sizeof(seed), "token-%d", f->tokens++);
	assert_int_equal(canh_sha256_hex(seed, strlen(seed), th), 0);
	assert_int_equal(canh_sha256_hex("secret", 6, ch), 0);
	assert_int_equal(
	    canh_store_token_create(f->srv.store, unit, th, f->now, f->now + HOUR, "t", &tid, &err),
	    0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = hostname;
	e.machine_id = "m";
	e.agent_version = "0.1.0";
	e.now = f->now;
	assert_int_equal(canh_store_enroll(f->srv.store, &e, &id, code, &err), 0);
	assert_true(id > 0 && id < 8);
	f->seq[id] = 1;
	return id;
}

static void import_c2(struct fixture *f, const char *name, const char *text)
{
	struct canh_intel_import_req req = {0};
	struct canh_errmsg err;
	json_t *res = NULL;

	req.name = name;
	req.kind = CANH_INTEL_C2;
	req.format = CANH_FEED_PLAIN;
	req.filename = "c2.txt";
	req.data = text;
	req.len = strlen(text);
	req.actor = "test";
	if (canh_intel_import(&f->srv, &req, &res, &err) != 0)
		fail_msg("import %s: %s", name, err.text);
	json_decref(res);
}

/* One flow object; times are ms. */
static json_t *flow(const char *remote, int rport, const char *exe, int owned, int64_t first,
		    int64_t last, int count)
{
	char a[CANH_TIME_BUFSZ], b[CANH_TIME_BUFSZ];
	json_t *o =
	    json_pack("{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:i}", "proto", "tcp", "local",
		      "10.0.0.5", "local_port", 0, "remote", remote, "remote_port", rport,
		      "direction", "out", "first_seen", canh_time_format(first, a, sizeof(a)),
		      "last_seen", canh_time_format(last, b, sizeof(b)), "count", count);
	if (exe) {
		const char *slash = strrchr(exe, '/');
		json_object_set_new(o, "exe", json_string(exe));
		json_object_set_new(o, "process", json_string(slash ? slash + 1 : exe));
		json_object_set_new(o, "pid", json_integer(4242));
		if (owned >= 0)
			json_object_set_new(o, "owned", json_boolean(owned));
	}
	return o;
}

/* Ingest one flows message of agent id carrying flows (stolen) through the real path. */
static struct canh_ingest_result ingest(struct fixture *f, int64_t id, json_t *flows)
{
	char t[CANH_TIME_BUFSZ];
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg err;
	json_t *msg, *batch;
	char *text;

	msg = json_pack("{s:I, s:s, s:s, s:{s:s, s:s, s:i, s:o}}", "seq", (json_int_t)f->seq[id]++,
			"type", "flows", "time", canh_time_format(f->now, t, sizeof(t)), "data",
			"since", t, "until", t, "dropped", 0, "flows", flows);
	batch = json_pack("{s:i, s:[o]}", "version", 1, "messages", msg);
	text = json_dumps(batch, JSON_COMPACT);
	json_decref(batch);
	assert_int_equal(canh_proto_batch_parse(text, strlen(text), &b, &err), 0);
	free(text);
	assert_int_equal(canh_store_ingest_batch(f->srv.store, id, &b, f->now, &res, &err), 0);
	canh_flows_after_ingest(&f->srv, id, &b);
	canh_proto_batch_release(&b);
	return res;
}

static json_t *alerts(struct fixture *f, const char *unit, int64_t host, int64_t since)
{
	struct canh_alert_filter flt = {unit, host, since, 0};
	struct canh_errmsg err;
	json_t *o = NULL;

	assert_int_equal(canh_store_alert_list(f->srv.store, &flt, &o, &err), 0);
	return o;
}

static size_t nalerts(struct fixture *f, const char *unit, int64_t host, int64_t since)
{
	json_t *o = alerts(f, unit, host, since);
	size_t n = json_array_size(json_object_get(o, "alerts"));
	json_decref(o);
	return n;
}

static void test_upsert_and_validation(void **state)
{
	struct fixture *f = *state;
	struct canh_ingest_result res;
	struct canh_errmsg err;
	json_t *list, *e;
	int64_t a;

	add_unit(f, "U", NULL, "[]");
	a = add_agent(f, "U", "ws-01");
	res = ingest(f, a,
		     json_pack("[o, o]",
			       flow("203.0.113.50", 443, "/usr/bin/curl", 1, f->now - 2 * HOUR,
				    f->now - HOUR, 3),
			       flow("2001:db8::9", 8443, NULL, -1, f->now - HOUR, f->now, 1)));
	assert_int_equal(res.stored, 1);
	/* the same key later: one row, widened, counts added */
	res = ingest(f, a,
		     json_pack("[o]", flow("203.0.113.50", 443, "/usr/bin/curl", 1,
					   f->now - 3 * HOUR, f->now, 2)));
	assert_int_equal(res.stored, 1);
	assert_int_equal(canh_store_flow_list(f->srv.store, a, 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 2);
	e = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(e, "remote")), "203.0.113.50");
	assert_int_equal(json_integer_value(json_object_get(e, "count")), 5);
	assert_true(json_is_true(json_object_get(e, "owned")));
	assert_string_equal(json_string_value(json_object_get(e, "process")), "curl");
	char t[CANH_TIME_BUFSZ];
	assert_string_equal(json_string_value(json_object_get(e, "first_seen")),
			    canh_time_format(f->now - 3 * HOUR, t, sizeof(t)));
	assert_string_equal(json_string_value(json_object_get(e, "last_seen")),
			    canh_time_format(f->now, t, sizeof(t)));
	e = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(e, "remote")), "2001:db8::9");
	assert_true(json_is_null(json_object_get(e, "owned")));
	json_decref(list);

	/* a flow that does not validate rejects its message, and stores nothing of it */
	json_t *bad = flow("203.0.113.999", 443, NULL, -1, f->now, f->now, 1);
	res = ingest(f, a, json_pack("[o]", bad));
	assert_int_equal(res.rejected, 1);
	assert_int_equal(res.stored, 0);
	bad = flow("203.0.113.7", 443, NULL, -1, f->now, f->now, 1);
	json_object_set_new(bad, "direction", json_string("sideways"));
	res = ingest(f, a, json_pack("[o]", bad));
	assert_int_equal(res.rejected, 1);
	assert_int_equal(canh_store_flow_list(f->srv.store, a, 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);

	/* the validator's caps and messages */
	json_t *data = json_pack("{s:s, s:s, s:[]}", "since", "2026-11-21T00:00:00Z", "until",
				 "2026-11-21T00:00:00Z", "flows");
	assert_int_equal(canh_proto_validate_flows(data, &err), 0);
	for (int i = 0; i <= CANH_PROTO_MAX_FLOWS; i++)
		json_array_append_new(json_object_get(data, "flows"), json_object());
	assert_int_equal(canh_proto_validate_flows(data, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "more than 5000"));
	json_array_clear(json_object_get(data, "flows"));
	json_array_append_new(json_object_get(data, "flows"),
			      flow("1.2.3.4", 70000, NULL, -1, 0, 0, 1));
	assert_int_equal(canh_proto_validate_flows(data, &err), CANH_EPARSE);
	assert_string_equal(err.text, "flows[0].remote_port: 70000 is out of range 0..65535");
	json_decref(data);
}

static void test_live_alerts_dedup(void **state)
{
	struct fixture *f = *state;
	json_t *o, *e;
	int64_t a, b;

	add_unit(f, "ROOT", NULL, "[]");
	add_unit(f, "CHILD", "ROOT", "[]");
	add_unit(f, "OTHER", NULL, "[]");
	a = add_agent(f, "CHILD", "ws-child");
	b = add_agent(f, "OTHER", "ws-other");
	import_c2(f, "feodo", "# C2\n203.0.113.9\n198.51.100.0/24\n");

	ingest(f, a,
	       json_pack("[o, o]",
			 flow("203.0.113.9", 443, "/tmp/.x/beacon", 0, f->now - HOUR, f->now, 4),
			 flow("192.0.2.1", 443, "/usr/bin/curl", 1, f->now - HOUR, f->now, 1)));
	ingest(f, b,
	       json_pack("[o]", flow("198.51.100.77", 8080, "/usr/bin/wget", 1, f->now - HOUR,
				     f->now - HOUR, 1)));
	o = alerts(f, NULL, 0, 0);
	assert_int_equal(json_array_size(json_object_get(o, "alerts")), 2);
	json_decref(o);

	o = alerts(f, NULL, a, 0);
	assert_int_equal(json_array_size(json_object_get(o, "alerts")), 1);
	e = json_array_get(json_object_get(o, "alerts"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "hostname")), "ws-child");
	assert_string_equal(json_string_value(json_object_get(e, "unit")), "CHILD");
	assert_string_equal(json_string_value(json_object_get(e, "process")), "beacon");
	assert_string_equal(json_string_value(json_object_get(e, "exe")), "/tmp/.x/beacon");
	assert_string_equal(json_string_value(json_object_get(e, "remote")), "203.0.113.9");
	assert_int_equal(json_integer_value(json_object_get(e, "remote_port")), 443);
	assert_string_equal(json_string_value(json_object_get(e, "feed")), "feodo");
	assert_int_equal(json_integer_value(json_object_get(e, "feed_version")), 1);
	assert_string_equal(json_string_value(json_object_get(e, "entry")), "203.0.113.9");
	assert_int_equal(json_integer_value(json_object_get(e, "entry_line")), 2);
	assert_string_equal(json_string_value(json_object_get(e, "source")), "live");
	assert_true(json_is_false(json_object_get(e, "owned")));
	json_decref(o);

	/* the same connection again, later: still one alert, its last_seen widened */
	ingest(f, a,
	       json_pack("[o]",
			 flow("203.0.113.9", 443, "/tmp/.x/beacon", 0, f->now, f->now + HOUR, 2)));
	o = alerts(f, NULL, a, 0);
	assert_int_equal(json_array_size(json_object_get(o, "alerts")), 1);
	char t[CANH_TIME_BUFSZ];
	e = json_array_get(json_object_get(o, "alerts"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "last_seen")),
			    canh_time_format(f->now + HOUR, t, sizeof(t)));
	json_decref(o);
	/* a retro-hunt over the same flows adds nothing */
	struct canh_errmsg err;
	assert_int_equal(canh_flows_retrohunt(&f->srv, 30, &err), 0);
	assert_int_equal(nalerts(f, NULL, 0, 0), 2);

	/* unit scoping: ROOT holds CHILD's host, OTHER only its own */
	assert_int_equal(nalerts(f, "ROOT", 0, 0), 1);
	assert_int_equal(nalerts(f, "CHILD", 0, 0), 1);
	assert_int_equal(nalerts(f, "OTHER", 0, 0), 1);
	assert_int_equal(nalerts(f, NULL, 0, f->now + DAY), 0);
	struct canh_alert_filter flt = {"NOPE", 0, 0, 0};
	assert_int_equal(canh_store_alert_list(f->srv.store, &flt, &o, &err), CANH_ENOENT);
}

static void test_retrohunt_window(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *o, *e;
	int64_t a;

	add_unit(f, "U", NULL, "[]");
	a = add_agent(f, "U", "ws-01");
	import_c2(f, "old", "192.0.2.200\n");
	/* stored before the list that names them exists: no alert yet */
	ingest(f, a,
	       json_pack(
		   "[o, o, o]",
		   flow("203.0.113.77", 4444, "/tmp/a", 0, f->now - 3 * DAY, f->now - 2 * DAY, 1),
		   flow("203.0.113.78", 4444, "/tmp/b", 0, f->now - 41 * DAY, f->now - 40 * DAY, 1),
		   flow("2001:db8:bad::1", 53, "/tmp/c", 0, f->now - DAY, f->now - DAY, 1)));
	assert_int_equal(nalerts(f, NULL, 0, 0), 0);

	import_c2(f, "new", "203.0.113.77\n203.0.113.78\n2001:db8:bad::/48\n");
	assert_int_equal(canh_flows_retrohunt(&f->srv, 30, &err), 0);
	o = alerts(f, NULL, 0, 0);
	assert_int_equal(json_array_size(json_object_get(o, "alerts")), 2);
	size_t i;
	int v4 = 0, v6 = 0;
	json_array_foreach(json_object_get(o, "alerts"), i, e)
	{
		const char *r = json_string_value(json_object_get(e, "remote"));
		assert_string_equal(json_string_value(json_object_get(e, "source")), "retrohunt");
		assert_string_equal(json_string_value(json_object_get(e, "feed")), "new");
		v4 += strcmp(r, "203.0.113.77") == 0;
		v6 += strcmp(r, "2001:db8:bad::1") == 0 &&
		      strcmp(json_string_value(json_object_get(e, "entry")), "2001:db8:bad::/48") ==
			  0;
	}
	assert_int_equal(v4, 1);
	assert_int_equal(v6, 1);
	json_decref(o);
	/* a longer retro-hunt reaches the older flow; a second run adds nothing */
	assert_int_equal(canh_flows_retrohunt(&f->srv, 60, &err), 0);
	assert_int_equal(nalerts(f, NULL, 0, 0), 3);
	assert_int_equal(canh_flows_retrohunt(&f->srv, 60, &err), 0);
	assert_int_equal(nalerts(f, NULL, 0, 0), 3);

	/* retention deletes old flows; alerts stay */
	int64_t deleted;
	f->srv.cfg.flow_retention = 30 * DAY;
	assert_int_equal(canh_flows_prune(&f->srv, f->now, &deleted), 0);
	assert_int_equal(deleted, 1);
	assert_int_equal(canh_store_flow_list(f->srv.store, a, 0, &o, &err), 0);
	assert_int_equal(json_array_size(o), 2);
	json_decref(o);
	assert_int_equal(nalerts(f, NULL, 0, 0), 3);
}

static int has_reason(const json_t *cand, const char *code)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(cand, "reasons"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "code")), code) == 0)
			return 1;
	}
	return 0;
}

static void test_pinpoint_ranking(void **state)
{
	struct fixture *f = *state;
	struct canh_ipaddr egress;
	struct canh_errmsg err;
	json_t *out, *c;
	int64_t infected, bystander, ranged, elsewhere, away;

	add_unit(f, "SCHOOL", NULL, "[\"198.51.100.0/28\"]");
	add_unit(f, "CLASS", "SCHOOL", "[]");
	add_unit(f, "OTHER", NULL, "[\"192.0.2.0/24\"]");
	infected = add_agent(f, "CLASS", "pc-infected");
	bystander = add_agent(f, "CLASS", "pc-clean");
	ranged = add_agent(f, "SCHOOL", "pc-range-only");
	elsewhere = add_agent(f, "OTHER", "pc-elsewhere");
	away = add_agent(f, "OTHER", "laptop-away");
	import_c2(f, "c2", "203.0.113.9\n");

	/* the NAT address 198.51.100.7: two hosts behind it now, one a month ago */
	assert_int_equal(
	    canh_store_agent_seen(f->srv.store, infected, "198.51.100.7", f->now - 2 * HOUR, &err),
	    0);
	assert_int_equal(
	    canh_store_agent_seen(f->srv.store, bystander, "198.51.100.7", f->now - HOUR, &err), 0);
	assert_int_equal(
	    canh_store_agent_seen(f->srv.store, away, "198.51.100.7", f->now - 30 * DAY, &err), 0);
	assert_int_equal(
	    canh_store_agent_seen(f->srv.store, elsewhere, "192.0.2.9", f->now - HOUR, &err), 0);

	ingest(f, infected,
	       json_pack("[o, o, o]",
			 flow("203.0.113.9", 443, "/tmp/.x/beacon", 0, f->now - HOUR,
			      f->now - HOUR / 2, 9),
			 flow("192.0.2.44", 6667, "/tmp/.x/beacon", 0, f->now - HOUR, f->now, 2),
			 flow("192.0.2.45", 443, "/usr/bin/curl", 1, f->now - HOUR, f->now, 1)));
	ingest(f, bystander,
	       json_pack("[o]",
			 flow("192.0.2.45", 443, "/usr/bin/curl", 1, f->now - HOUR, f->now, 1)));

	assert_int_equal(canh_ip_parse("198.51.100.7", &egress), 0);
	assert_int_equal(
	    canh_flows_pinpoint(&f->srv, &egress, f->now, 0, "emotet", 6667, &out, &err), 0);
	assert_int_equal(json_array_size(out), 4);
	/* the infected host first, with every kind of evidence it has */
	c = json_array_get(out, 0);
	assert_int_equal(json_integer_value(json_object_get(c, "host")), infected);
	assert_string_equal(json_string_value(json_object_get(c, "hostname")), "pc-infected");
	assert_string_equal(json_string_value(json_object_get(c, "unit")), "CLASS");
	assert_true(has_reason(c, "egress"));
	assert_true(has_reason(c, "unit_range"));
	assert_true(has_reason(c, "c2_contact"));
	assert_true(has_reason(c, "listed_port"));
	assert_true(has_reason(c, "unowned_process"));
	assert_false(has_reason(c, "c2_family"));    /* the list gave no family */
	assert_false(has_reason(c, "unusual_port")); /* 6667 is the listed port itself */
	assert_int_equal(json_integer_value(json_object_get(c, "score")), 50 + 10 + 30 + 25 + 20);
	/* then the host that was behind the address but did nothing */
	c = json_array_get(out, 1);
	assert_int_equal(json_integer_value(json_object_get(c, "host")), bystander);
	assert_int_equal(json_integer_value(json_object_get(c, "score")), 60);
	assert_false(has_reason(c, "unowned_process"));
	/* then the one behind it a month ago, then the one only in the unit's range */
	c = json_array_get(out, 2);
	assert_int_equal(json_integer_value(json_object_get(c, "host")), away);
	assert_true(has_reason(c, "egress_other_time"));
	c = json_array_get(out, 3);
	assert_int_equal(json_integer_value(json_object_get(c, "host")), ranged);
	assert_int_equal(json_integer_value(json_object_get(c, "score")), 10);
	json_decref(out);

	/* without the port, the irc port is unusual (one host uses it) */
	assert_int_equal(canh_flows_pinpoint(&f->srv, &egress, f->now, 0, NULL, 0, &out, &err), 0);
	c = json_array_get(out, 0);
	assert_int_equal(json_integer_value(json_object_get(c, "host")), infected);
	assert_true(has_reason(c, "unusual_port"));
	assert_false(has_reason(c, "listed_port"));
	json_decref(out);

	/* an address no one was behind and no unit holds */
	assert_int_equal(canh_ip_parse("2001:db8::1", &egress), 0);
	assert_int_equal(canh_flows_pinpoint(&f->srv, &egress, f->now, 0, NULL, 0, &out, &err), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_upsert_and_validation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_live_alerts_dedup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retrohunt_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pinpoint_ranking, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
