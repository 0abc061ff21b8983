/*
 * canhd's log monitoring (server/logs.c, server/store_sqlite_logs.c) on a real SQLite store, the
 * real decoders and Sigma engine, and a real C2 set: logs messages through the ingest path,
 * decoding and evaluation, the correlation alert raised once and de-duplicated within the
 * window (a new one after it), a rule disabled for a unit and its children, an uploaded rule
 * set, C2 addresses in events, a message sent twice evaluated once, and the validator.
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
#include "canh/time.h"
#include "intel.h"
#include "logs.h"
#include "server.h"
#include "store.h"
#include "store_logs.h"

#define HOUR (3600 * 1000LL)

static const char rules_yaml[] = "title: SSH failed login\n"
				 "id: t-ssh-fail\n"
				 "name: t_ssh_fail\n"
				 "logsource: {product: linux, service: sshd}\n"
				 "detection:\n"
				 "  sel: {Action: ssh_login_failed}\n"
				 "  condition: sel\n"
				 "level: low\n"
				 "---\n"
				 "title: SSH brute force\n"
				 "title_vi: Dò mật khẩu SSH\n"
				 "id: t-ssh-brute\n"
				 "correlation:\n"
				 "  type: event_count\n"
				 "  generate: true\n"
				 "  rules: [t_ssh_fail]\n"
				 "  group-by: [SourceIp]\n"
				 "  timespan: 5m\n"
				 "  condition: {gte: 5}\n"
				 "level: high\n";

struct fixture {
	char dir[64];
	char db[96];
	struct canh_server srv;
	int64_t now;
	uint64_t seq[8];
	int tokens;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;
	char rules[128];
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-logs-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	snprintf(rules, sizeof(rules), "%s/rules.yml", f->dir);
	fp = fopen(rules, "w");
	fputs(rules_yaml, fp);
	fclose(fp);
	if (canh_server_config_init(&f->srv.cfg, &err) != 0 ||
	    canh_store_open(f->db, &f->srv.store, &err) != 0 ||
	    canh_intel_new(f->srv.store, &f->srv.intel, &err) != 0) {
		print_error("open: %s\n", err.text);
		return -1;
	}
	snprintf(f->srv.cfg.sigma_rules_dir, sizeof(f->srv.cfg.sigma_rules_dir), "%s", rules);
	f->srv.logs = canh_logs_new(&f->srv, &err);
	f->now = canh_now_ms();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	canh_logs_free(f->srv.logs);
	canh_intel_free(f->srv.intel);
	canh_store_free(f->srv.store);
	for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s%s", f->db, *sfx);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/rules.yml", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void add_unit(struct fixture *f, const char *code, const char *parent)
{
	struct canh_unit u = {code, code, "school", parent, "[]", "[]", 0};
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

/* auth.log lines: n failures from ip, at second offsets start.. (stamps in UTC+7). */
static json_t *ssh_failures(int n, const char *ip, int start)
{
	json_t *lines = json_array();
	char t[CANH_TIME_BUFSZ];

	canh_time_format(canh_now_ms(), t, sizeof(t));
	for (int i = 0; i < n; i++) {
		char line[256];
		snprintf(line, sizeof(line),
			 "Nov 21 10:%02d:%02d web01 sshd[812]: Failed password for root from %s "
			 "port %d ssh2",
			 (start + i) / 60, (start + i) % 60, ip, 40000 + i);
		json_array_append_new(lines,
				      json_pack("{s:s, s:s, s:s, s:s}", "source", "file", "path",
						"/var/log/auth.log", "recv", t, "line", line));
	}
	return lines;
}

/* Ingest one logs message (lines stolen) through the real path; seq given or the next. */
static void ingest_seq(struct fixture *f, int64_t id, json_t *lines, uint64_t seq)
{
	char t[CANH_TIME_BUFSZ];
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg err;
	json_t *msg, *batch;
	char *text;

	msg = json_pack("{s:I, s:s, s:s, s:{s:o, s:[], s:i}}", "seq", (json_int_t)seq, "type",
			"logs", "time", canh_time_format(f->now, t, sizeof(t)), "data", "lines",
			lines, "shed", "cut", 0);
	batch = json_pack("{s:i, s:[o]}", "version", 1, "messages", msg);
	text = json_dumps(batch, JSON_COMPACT);
	json_decref(batch);
	assert_int_equal(canh_proto_batch_parse(text, strlen(text), &b, &err), 0);
	free(text);
	assert_string_equal(b.msgs[0].error, "");
	assert_int_equal(canh_store_ingest_batch(f->srv.store, id, &b, f->now, &res, &err), 0);
	canh_logs_after_ingest(&f->srv, id, &b);
	canh_proto_batch_release(&b);
}

static void ingest(struct fixture *f, int64_t id, json_t *lines)
{
	ingest_seq(f, id, lines, f->seq[id]++);
}

static json_t *alerts(struct fixture *f, const char *unit)
{
	struct canh_log_alert_filter flt = {.unit = unit, .min_rank = -1};
	struct canh_errmsg err;
	json_t *o = NULL;

	assert_int_equal(canh_store_logs_alerts(f->srv.store, &flt, &o, &err), 0);
	return o;
}

/* The alert of rule id in a list, or NULL. */
static json_t *find(json_t *list, const char *rule)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(list, "alerts"), i,
			   a) if (strcmp(json_string_value(json_object_get(a, "rule_id")), rule) ==
				  0) return a;
	return NULL;
}

static void test_brute_force_dedup(void **state)
{
	struct fixture *f = *state;
	json_t *list, *a;
	struct canh_logs_stats st;
	int64_t id;

	add_unit(f, "SO-A", NULL);
	id = add_agent(f, "SO-A", "web01");
	/* four failures: below the threshold of five */
	ingest(f, id, ssh_failures(4, "198.51.100.7", 0));
	list = alerts(f, NULL);
	assert_null(find(list, "t-ssh-brute"));
	a = find(list, "t-ssh-fail");
	assert_non_null(a);
	/* the base rule, repeated within the window, is one alert with a count */
	assert_int_equal(json_integer_value(json_object_get(a, "count")), 4);
	json_decref(list);

	/* the fifth failure raises the correlation, the tenth again: within the window, the
	   second counts on the first alert */
	ingest(f, id, ssh_failures(6, "198.51.100.7", 10));
	list = alerts(f, NULL);
	a = find(list, "t-ssh-brute");
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "hostname")), "web01");
	assert_string_equal(json_string_value(json_object_get(a, "unit")), "SO-A");
	assert_string_equal(json_string_value(json_object_get(a, "level")), "high");
	assert_string_equal(json_string_value(json_object_get(a, "title_vi")), "Dò mật khẩu SSH");
	assert_non_null(strstr(json_string_value(json_object_get(a, "group")), "198.51.100.7"));
	assert_int_equal(json_integer_value(json_object_get(a, "count")), 2);
	json_t *corr = json_object_get(json_object_get(a, "detail"), "correlation");
	assert_true(json_array_size(json_object_get(corr, "events")) >= 1);
	json_decref(list);

	/* another source is another group: another alert */
	ingest(f, id, ssh_failures(5, "203.0.113.50", 20));
	list = alerts(f, NULL);
	size_t n = 0, i;
	json_array_foreach(json_object_get(list, "alerts"), i,
			   a) if (strcmp(json_string_value(json_object_get(a, "rule_id")),
					 "t-ssh-brute") == 0) n++;
	assert_int_equal(n, 2);
	json_decref(list);

	canh_logs_get_stats(f->srv.logs, &st);
	assert_int_equal(st.lines, 15);
	assert_int_equal(st.events, 15);
}

static void test_dedup_window_expires(void **state)
{
	struct fixture *f = *state;
	json_t *list, *a;
	size_t n = 0, i;
	int64_t id;

	f->srv.cfg.dedup_window = 60 * 1000; /* one minute */
	add_unit(f, "SO-A", NULL);
	id = add_agent(f, "SO-A", "web01");
	ingest(f, id, ssh_failures(1, "198.51.100.7", 0));
	ingest(f, id, ssh_failures(1, "198.51.100.7", 30));  /* 30 s later: same alert */
	ingest(f, id, ssh_failures(1, "198.51.100.7", 150)); /* 2 min after: a new one */
	list = alerts(f, NULL);
	json_array_foreach(
	    json_object_get(list, "alerts"), i,
	    a) if (strcmp(json_string_value(json_object_get(a, "rule_id")), "t-ssh-fail") == 0) n++;
	assert_int_equal(n, 2);
	json_decref(list);
}

static size_t count_rule(struct fixture *f, const char *rule)
{
	json_t *list = alerts(f, NULL), *a;
	size_t n = 0, i;

	json_array_foreach(json_object_get(list, "alerts"), i,
			   a) if (strcmp(json_string_value(json_object_get(a, "rule_id")), rule) ==
				  0) n++;
	json_decref(list);
	return n;
}

/* [logs] dedup_key: by rule and unit, two hosts of a unit share one alert; a bad key falls
   back to rule,host,group. */
static void test_dedup_key(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	int64_t a, b;

	add_unit(f, "SO-A", NULL);
	a = add_agent(f, "SO-A", "host-a");
	b = add_agent(f, "SO-A", "host-b");
	canh_logs_free(f->srv.logs);
	snprintf(f->srv.cfg.dedup_key, sizeof(f->srv.cfg.dedup_key), " rule , unit ");
	f->srv.logs = canh_logs_new(&f->srv, &err);
	ingest(f, a, ssh_failures(1, "198.51.100.7", 0));
	ingest(f, b, ssh_failures(1, "198.51.100.8", 1));
	assert_int_equal(count_rule(f, "t-ssh-fail"), 1);

	canh_logs_free(f->srv.logs);
	snprintf(f->srv.cfg.dedup_key, sizeof(f->srv.cfg.dedup_key), "rule,nonsense");
	f->srv.logs = canh_logs_new(&f->srv, &err);
	ingest(f, a, ssh_failures(1, "198.51.100.7", 2));
	ingest(f, b, ssh_failures(1, "198.51.100.8", 3));
	assert_int_equal(count_rule(f, "t-ssh-fail"), 3);
}

static void test_disabled_per_unit(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *list;
	int64_t in, out;

	add_unit(f, "SO-A", NULL);
	add_unit(f, "SO-A-1", "SO-A");
	add_unit(f, "SO-B", NULL);
	in = add_agent(f, "SO-A-1", "child-host");
	out = add_agent(f, "SO-B", "other-host");
	assert_int_equal(canh_store_sigma_set_disabled(f->srv.store, "t-ssh-fail", "SO-A", 1,
						       "test", f->now, &err),
			 0);
	assert_int_equal(canh_store_sigma_set_disabled(f->srv.store, "t-ssh-fail", "NO-SUCH", 1,
						       "test", f->now, &err),
			 CANH_ENOENT);
	ingest(f, in, ssh_failures(1, "198.51.100.7", 0));
	ingest(f, out, ssh_failures(1, "198.51.100.7", 0));
	/* the child unit's host made no alert; the other unit's did */
	list = alerts(f, "SO-A");
	assert_null(find(list, "t-ssh-fail"));
	json_decref(list);
	list = alerts(f, "SO-B");
	assert_non_null(find(list, "t-ssh-fail"));
	json_decref(list);
	/* enabled again */
	assert_int_equal(canh_store_sigma_set_disabled(f->srv.store, "t-ssh-fail", "SO-A", 0,
						       "test", f->now, &err),
			 0);
	ingest(f, in, ssh_failures(1, "198.51.100.7", 5));
	list = alerts(f, "SO-A");
	assert_non_null(find(list, "t-ssh-fail"));
	json_decref(list);
}

static void test_c2_address_field(void **state)
{
	struct fixture *f = *state;
	struct canh_intel_import_req req = {0};
	struct canh_errmsg err;
	json_t *res = NULL, *list, *a;
	int64_t id;
	const char *c2 = "203.0.113.66\n";

	add_unit(f, "SO-A", NULL);
	id = add_agent(f, "SO-A", "web01");
	req.name = "c2-test";
	req.kind = CANH_INTEL_C2;
	req.format = CANH_FEED_PLAIN;
	req.filename = "c2.txt";
	req.data = c2;
	req.len = strlen(c2);
	req.actor = "test";
	assert_int_equal(canh_intel_import(&f->srv, &req, &res, &err), 0);
	json_decref(res);
	ingest(f, id, ssh_failures(2, "203.0.113.66", 0));
	list = alerts(f, NULL);
	a = find(list, "c2:c2-test");
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "level")), "high");
	assert_int_equal(json_integer_value(json_object_get(a, "count")), 2);
	assert_non_null(strstr(json_string_value(json_object_get(a, "title_vi")), "máy chủ"));
	json_t *hit = json_object_get(json_object_get(a, "detail"), "c2");
	assert_string_equal(json_string_value(json_object_get(hit, "address")), "203.0.113.66");
	assert_string_equal(json_string_value(json_object_get(hit, "field")), "SourceIp");
	json_decref(list);
}

static void test_duplicate_message_evaluated_once(void **state)
{
	struct fixture *f = *state;
	json_t *list, *a;
	int64_t id;

	add_unit(f, "SO-A", NULL);
	id = add_agent(f, "SO-A", "web01");
	ingest_seq(f, id, ssh_failures(2, "198.51.100.9", 0), 1);
	ingest_seq(f, id, ssh_failures(2, "198.51.100.9", 0), 1); /* sent again */
	list = alerts(f, NULL);
	a = find(list, "t-ssh-fail");
	assert_non_null(a);
	assert_int_equal(json_integer_value(json_object_get(a, "count")), 2);
	json_decref(list);
	json_t *c = NULL;
	struct canh_errmsg err;
	assert_int_equal(canh_store_logs_counters(f->srv.store, id, &c, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "events")), 2);
	json_decref(c);
}

static void test_upload_and_reload(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *report = NULL, *rules;
	size_t loaded, skipped, errors;
	int64_t version = 0;
	const char *set = "title: new user\n"
			  "id: t-new-user\n"
			  "logsource: {product: linux}\n"
			  "detection:\n"
			  "  sel: {Action: user_added}\n"
			  "  condition: sel\n"
			  "level: medium\n"
			  "---\n"
			  "title: broken\n"
			  "id: t-broken\n"
			  "logsource: {product: linux}\n"
			  "detection:\n"
			  "  sel: {Action: x}\n"
			  "  condition: nosuch\n";

	canh_logs_check_rules("up", set, strlen(set), &report, &loaded, &skipped, &errors);
	assert_int_equal(loaded, 1);
	assert_int_equal(skipped + errors, 1);
	assert_int_equal(json_array_size(report), 2);
	json_decref(report);
	assert_int_equal(canh_store_sigma_ruleset_add(f->srv.store, "up", set, strlen(set), 1, 0, 1,
						      "test", f->now, &version, &err),
			 0);
	assert_int_equal(version, 1);
	assert_int_equal(canh_store_sigma_ruleset_add(f->srv.store, "up", set, strlen(set), 1, 0, 1,
						      "test", f->now, &version, &err),
			 0);
	assert_int_equal(version, 2);
	assert_false(canh_logs_has_rule(f->srv.logs, "t-new-user"));
	assert_int_equal(canh_logs_reload(f->srv.logs, &err), 0);
	assert_true(canh_logs_has_rule(f->srv.logs, "t-new-user"));
	assert_true(canh_logs_has_rule(f->srv.logs, "t-ssh-brute"));
	rules = canh_logs_rules_json(f->srv.logs);
	assert_int_equal(json_array_size(rules), 3);
	json_decref(rules);
}

static void test_validator(void **state)
{
	struct canh_errmsg err;
	json_t *d;

	d = json_pack("{s:[{s:s, s:s, s:s}]}", "lines", "source", "file", "recv",
		      "2026-11-21T10:00:00Z", "line", "x");
	assert_int_equal(canh_proto_validate_logs(d, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "lines[0].path"));
	json_decref(d);
	d = json_pack("{s:[{s:s, s:s, s:s}]}", "lines", "source", "journald", "recv", "yesterday",
		      "line", "{}");
	assert_int_equal(canh_proto_validate_logs(d, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "recv"));
	json_decref(d);
	d = json_pack("{s:[], s:[{s:s, s:i}]}", "lines", "shed", "source", "journald", "lines", -1);
	assert_int_equal(canh_proto_validate_logs(d, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "shed[0].lines"));
	json_decref(d);
	d = json_pack("{s:[{s:s, s:s, s:s}], s:[{s:s, s:s, s:i, s:i}]}", "lines", "source",
		      "journald", "recv", "2026-11-21T10:00:00Z", "line", "{}", "shed", "source",
		      "file", "path", "/var/log/syslog", "lines", 10, "bytes", 900);
	assert_int_equal(canh_proto_validate_logs(d, &err), 0);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_brute_force_dedup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dedup_window_expires, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dedup_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disabled_per_unit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_c2_address_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_message_evaluated_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upload_and_reload, setup, teardown),
	    cmocka_unit_test(test_validator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
