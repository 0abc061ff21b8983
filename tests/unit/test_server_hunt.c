/*
 * Unit tests for canhd's anti-malware store (server/store_sqlite_hunt.c) and upload checks
 * (server/hunt.c) on a real SQLite store: rule-set versions, hunt targeting (all, a unit with
 * its children, named hosts, revoked hosts left out), per-host state transitions through the
 * real ingest path (older runs and late messages ignored), scheduled re-queue, detections with
 * their filters, quarantine records and the restore task, and the protocol's validation of
 * the three message types.
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
#include "hunt.h"
#include "server.h"
#include "store.h"
#include "store_hunt.h"

#define HOUR (3600 * 1000LL)

static const char MD5_A[] = "0123456789abcdef0123456789abcdef";
static const char SHA1_A[] = "0123456789abcdef0123456789abcdef01234567";
static const char SHA256_A[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char QID[] = "00112233445566778899aabbccddeeff";

struct fixture {
	char dir[64];
	char db[96];
	struct canh_store *st;
	int64_t now;
	uint64_t seq[8];
	int tokens;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-hunt-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	if (canh_store_open(f->db, &f->st, &err) != 0) {
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

	canh_store_free(f->st);
	for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s%s", f->db, *sfx);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void add_unit(struct fixture *f, const char *code, const char *parent)
{
	struct canh_unit u = {code, code, "school", parent, "[]", "[]", 0};
	struct canh_errmsg err;
	int created = 0;

	if (canh_store_unit_upsert(f->st, &u, f->now, "test", &created, &err) != 0)
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
	    canh_store_token_create(f->st, unit, th, f->now, f->now + HOUR, "t", &tid, &err), 0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = hostname;
	e.machine_id = "m";
	e.agent_version = "0.1.0";
	e.now = f->now;
	assert_int_equal(canh_store_enroll(f->st, &e, &id, code, &err), 0);
	assert_true(id > 0 && id < 8);
	f->seq[id] = 1;
	return id;
}

static int64_t add_rules(struct fixture *f, const char *name, const char *kind, const char *src,
			 int *unchanged)
{
	struct canh_hunt_ruleset rs = {0};
	char sha[CANH_SHA256_HEX];
	struct canh_errmsg err;
	int64_t version = 0;
	int rc;

	canh_sha256_hex(src, strlen(src), sha);
	rs.name = name;
	rs.kind = kind;
	rs.source = src;
	rs.len = strlen(src);
	rs.sha256 = sha;
	rs.rules = 1;
	rs.now = f->now;
	rs.actor = "test";
	rc = canh_store_hunt_ruleset_add(f->st, &rs, &version, unchanged, &err);
	if (rc != 0)
		return rc;
	return version;
}

/* Ingest one message of agent id (data stolen) through the real path; 1 when it was accepted. */
static int ingest(struct fixture *f, int64_t id, const char *type, json_t *data)
{
	char t[CANH_TIME_BUFSZ];
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg err;
	json_t *batch;
	char *text;
	int ok;

	batch = json_pack("{s:i, s:[{s:I, s:s, s:s, s:o}]}", "version", 1, "messages", "seq",
			  (json_int_t)f->seq[id]++, "type", type, "time",
			  canh_time_format(f->now, t, sizeof(t)), "data", data);
	text = json_dumps(batch, JSON_COMPACT);
	json_decref(batch);
	assert_int_equal(canh_proto_batch_parse(text, strlen(text), &b, &err), 0);
	free(text);
	ok = b.msgs[0].error[0] == '\0';
	assert_int_equal(canh_store_ingest_batch(f->st, id, &b, f->now, &res, &err), 0);
	canh_proto_batch_release(&b);
	return ok;
}

static int64_t create(struct fixture *f, const char *rules, enum canh_hunt_target target,
		      const char *unit, const int64_t *hosts, size_t n, int64_t every,
		      enum canh_hunt_missing *missing)
{
	struct canh_hunt_spec h = {0};
	struct canh_errmsg err;
	json_t *paths = json_pack("[s]", "/tmp");
	int64_t id = 0, bad = 0;
	enum canh_hunt_missing m;
	int rc;

	h.rules = rules;
	h.target = target;
	h.unit = unit;
	h.hosts = hosts;
	h.nhosts = n;
	h.paths = paths;
	h.every_ms = every;
	h.now = f->now;
	h.actor = "test";
	rc = canh_store_hunt_create(f->st, &h, &id, &m, &bad, &err);
	json_decref(paths);
	if (missing)
		*missing = m;
	return rc == 0 ? id : rc;
}

/* hosts[] of a hunt as "id:state" joined by spaces. */
static void states(struct fixture *f, int64_t hunt, char *buf, size_t len)
{
	struct canh_errmsg err;
	json_t *o = NULL, *h;
	size_t i, off = 0;

	assert_int_equal(canh_store_hunt_get(f->st, hunt, &o, &err), 0);
	buf[0] = '\0';
	json_array_foreach(json_object_get(o, "hosts"), i, h)
	{
		off += (size_t)snprintf(buf + off, len - off, "%s%lld:%s", i ? " " : "",
					(long long)json_integer_value(json_object_get(h, "host")),
					json_string_value(json_object_get(h, "state")));
	}
	json_decref(o);
}

static json_t *progress(int64_t hunt, int64_t run, const char *state, int files)
{
	return json_pack("{s:I,s:I,s:s,s:i,s:i,s:i}", "hunt", (json_int_t)hunt, "run",
			 (json_int_t)run, "state", state, "files", files, "bytes", files * 10,
			 "detections", 0);
}

static void test_ruleset_versions(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *meta = NULL, *list = NULL;
	char *src = NULL;
	size_t len = 0;
	int unchanged = -1;

	assert_int_equal(add_rules(f, "base", "yara", "rule a { condition: true }", &unchanged), 1);
	assert_int_equal(unchanged, 0);
	assert_int_equal(add_rules(f, "base", "yara", "rule a { condition: true }", &unchanged), 1);
	assert_int_equal(unchanged, 1);
	assert_int_equal(add_rules(f, "base", "yara", "rule b { condition: true }", &unchanged), 2);
	assert_int_equal(add_rules(f, "base", "hashes", MD5_A, &unchanged), CANH_ECONFLICT);
	assert_int_equal(canh_store_hunt_ruleset_get(f->st, "base", 1, &meta, &src, &len, &err), 0);
	assert_string_equal(src, "rule a { condition: true }");
	assert_int_equal(len, strlen(src));
	assert_int_equal(json_integer_value(json_object_get(meta, "version")), 1);
	free(src);
	json_decref(meta);
	assert_int_equal(canh_store_hunt_ruleset_get(f->st, "base", 0, &meta, NULL, NULL, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(meta, "version")), 2);
	assert_int_equal(json_array_size(json_object_get(meta, "history")), 2);
	json_decref(meta);
	assert_int_equal(canh_store_hunt_ruleset_get(f->st, "base", 3, NULL, NULL, NULL, &err),
			 CANH_ENOENT);
	assert_int_equal(canh_store_hunt_ruleset_list(f->st, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "versions")),
			 2);
	json_decref(list);
}

static void test_targets_and_transitions(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	enum canh_hunt_missing m;
	char buf[256];
	int unchanged;

	add_unit(f, "SGD", NULL);
	add_unit(f, "THPT", "SGD");
	add_unit(f, "OTHER", NULL);
	int64_t a = add_agent(f, "SGD", "a"), b = add_agent(f, "THPT", "b"),
		c = add_agent(f, "OTHER", "c"), d = add_agent(f, "THPT", "d");
	assert_int_equal(canh_store_agent_revoke(f->st, d, f->now, "test", &err), 0);
	add_rules(f, "r", "yara", "rule a { condition: true }", &unchanged);

	/* a unit takes its children, never a revoked host */
	int64_t h1 = create(f, "r", CANH_HUNT_UNIT, "SGD", NULL, 0, 0, NULL);
	assert_true(h1 > 0);
	assert_true(a == 1 && b == 2 && c == 3 && d == 4);
	states(f, h1, buf, sizeof(buf));
	assert_string_equal(buf, "1:queued 2:queued");
	int64_t h2 = create(f, "r", CANH_HUNT_ALL, NULL, NULL, 0, 0, NULL);
	states(f, h2, buf, sizeof(buf));
	assert_string_equal(buf, "1:queued 2:queued 3:queued");
	int64_t hs[] = {c, c};
	int64_t h3 = create(f, "r", CANH_HUNT_HOSTS, NULL, hs, 2, 0, NULL);
	states(f, h3, buf, sizeof(buf));
	assert_string_equal(buf, "3:queued");
	/* what does not exist */
	int64_t bad[] = {d};
	assert_int_equal(create(f, "r", CANH_HUNT_HOSTS, NULL, bad, 1, 0, &m), CANH_ENOENT);
	assert_int_equal(m, CANH_HUNT_MISSING_HOST);
	assert_int_equal(create(f, "nope", CANH_HUNT_ALL, NULL, NULL, 0, 0, &m), CANH_ENOENT);
	assert_int_equal(m, CANH_HUNT_MISSING_RULES);
	assert_int_equal(create(f, "r", CANH_HUNT_UNIT, "NOPE", NULL, 0, 0, &m), CANH_ENOENT);
	assert_int_equal(m, CANH_HUNT_MISSING_UNIT);

	/* tasks: the queued hunts of the agent, with the pinned rule set */
	json_t *t = NULL;
	assert_int_equal(canh_store_hunt_agent_tasks(f->st, c, &t, &err), 0);
	assert_int_equal(json_array_size(json_object_get(t, "tasks")), 2);
	json_t *t0 = json_array_get(json_object_get(t, "tasks"), 0);
	assert_string_equal(json_string_value(json_object_get(t0, "kind")), "hunt");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(t0, "rules"), "version")), 1);
	json_decref(t);

	/* queued -> running -> done; a late, older message changes nothing */
	assert_true(ingest(f, c, "hunt_progress", progress(h3, 1, "running", 5)));
	states(f, h3, buf, sizeof(buf));
	assert_string_equal(buf, "3:running");
	uint64_t s0 = f->seq[c];
	f->seq[c] = s0 + 1; /* "done" arrives before the gap at s0 is filled */
	assert_true(ingest(f, c, "hunt_progress", progress(h3, 1, "done", 9)));
	states(f, h3, buf, sizeof(buf));
	assert_string_equal(buf, "3:done");
	f->seq[c] = s0; /* the older "running", late */
	assert_true(ingest(f, c, "hunt_progress", progress(h3, 1, "running", 7)));
	f->seq[c] = s0 + 2;
	states(f, h3, buf, sizeof(buf));
	assert_string_equal(buf, "3:done");
	/* a message of another run of the same hunt is ignored */
	assert_true(ingest(f, c, "hunt_progress", progress(h3, 2, "failed", 1)));
	states(f, h3, buf, sizeof(buf));
	assert_string_equal(buf, "3:done");
	json_t *o = NULL;
	assert_int_equal(canh_store_hunt_get(f->st, h3, &o, &err), 0);
	json_t *host = json_array_get(json_object_get(o, "hosts"), 0);
	assert_int_equal(json_integer_value(json_object_get(host, "files")), 9);
	assert_true(json_is_string(json_object_get(host, "finished_at")));
	json_decref(o);
	/* done hunts are no longer tasks */
	assert_int_equal(canh_store_hunt_agent_tasks(f->st, c, &t, &err), 0);
	assert_int_equal(json_array_size(json_object_get(t, "tasks")), 1);
	json_decref(t);
	/* a failure carries its error */
	assert_true(ingest(f, a, "hunt_progress",
			   json_pack("{s:I,s:i,s:s,s:i,s:i,s:i,s:s}", "hunt", (json_int_t)h1, "run",
				     1, "state", "failed", "files", 0, "bytes", 0, "detections", 0,
				     "error", "no such path")));
	assert_int_equal(canh_store_hunt_get(f->st, h1, &o, &err), 0);
	host = json_array_get(json_object_get(o, "hosts"), 0);
	assert_string_equal(json_string_value(json_object_get(host, "state")), "failed");
	assert_string_equal(json_string_value(json_object_get(host, "error")), "no such path");
	json_decref(o);
}

static void test_schedule_requeue(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	char buf[128];
	size_t n = 0;
	int unchanged;

	add_unit(f, "U", NULL);
	int64_t a = add_agent(f, "U", "a");
	add_rules(f, "r", "yara", "rule a { condition: true }", &unchanged);
	int64_t h = create(f, "r", CANH_HUNT_ALL, NULL, NULL, 0, 6 * HOUR, NULL);
	assert_true(ingest(f, a, "hunt_progress", progress(h, 1, "done", 3)));
	assert_int_equal(canh_store_hunt_requeue_due(f->st, f->now + HOUR, &n, &err), 0);
	assert_int_equal(n, 0);
	states(f, h, buf, sizeof(buf));
	assert_string_equal(buf, "1:done");
	assert_int_equal(canh_store_hunt_requeue_due(f->st, f->now + 6 * HOUR, &n, &err), 0);
	assert_int_equal(n, 1);
	states(f, h, buf, sizeof(buf));
	assert_string_equal(buf, "1:queued");
	json_t *o = NULL;
	assert_int_equal(canh_store_hunt_get(f->st, h, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "run")), 2);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(o, "hosts"), 0), "files")),
			 0);
	json_decref(o);
	/* the old run's report no longer counts; the new run's does */
	assert_true(ingest(f, a, "hunt_progress", progress(h, 1, "done", 3)));
	states(f, h, buf, sizeof(buf));
	assert_string_equal(buf, "1:queued");
	assert_true(ingest(f, a, "hunt_progress", progress(h, 2, "running", 1)));
	states(f, h, buf, sizeof(buf));
	assert_string_equal(buf, "1:running");
}

static void test_detections_and_quarantine(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *arr = NULL, *o = NULL, *t = NULL;
	int unchanged;

	add_unit(f, "SGD", NULL);
	add_unit(f, "THPT", "SGD");
	int64_t a = add_agent(f, "THPT", "a");
	add_rules(f, "r", "yara", "rule a { condition: true }", &unchanged);
	int64_t h = create(f, "r", CANH_HUNT_ALL, NULL, NULL, 0, 0, NULL);

	assert_true(ingest(f, a, "detection",
			   json_pack("{s:I,s:i,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s}", "hunt",
				     (json_int_t)h, "run", 1, "path", "/tmp/x.php", "size", 12,
				     "md5", MD5_A, "sha1", SHA1_A, "sha256", SHA256_A, "rule",
				     "PHP_Webshell", "rules", "r", "rules_version", 1, "action",
				     "quarantined", "quarantine_id", QID)));
	/* refused: no rule nor IOC; a bad digest; an unknown action */
	assert_false(
	    ingest(f, a, "detection", json_pack("{s:s,s:s}", "path", "/tmp/y", "action", "none")));
	assert_false(ingest(f, a, "detection",
			    json_pack("{s:s,s:s,s:s,s:s}", "path", "/tmp/y", "ioc", "x", "action",
				      "none", "md5", "XYZ")));
	assert_false(
	    ingest(f, a, "detection",
		   json_pack("{s:s,s:s,s:s}", "path", "/tmp/y", "rule", "x", "action", "deleted")));
	assert_int_equal(canh_store_hunt_detections(f->st, "SGD", 0, 0, 0, &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 1);
	o = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(o, "unit")), "THPT");
	assert_string_equal(json_string_value(json_object_get(o, "sha256")), SHA256_A);
	assert_string_equal(json_string_value(json_object_get(o, "action")), "quarantined");
	assert_int_equal(json_integer_value(json_object_get(o, "hunt")), h);
	json_decref(arr);
	assert_int_equal(canh_store_hunt_detections(f->st, NULL, h + 1, 0, 0, &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);
	assert_int_equal(canh_store_hunt_detections(f->st, NULL, 0, f->now + HOUR, 0, &arr, &err),
			 0);
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);
	assert_int_equal(canh_store_hunt_detections(f->st, "NOPE", 0, 0, 0, &arr, &err),
			 CANH_ENOENT);

	/* quarantine: recorded once (a repeated event is a no-op), restore requested, done */
	json_t *q = json_pack("{s:s,s:s,s:I,s:s,s:i,s:i,s:s,s:s}", "event", "quarantined", "id",
			      QID, "hunt", (json_int_t)h, "path", "/tmp/x.php", "size", 12, "mode",
			      0640, "sha256", SHA256_A, "rule", "PHP_Webshell");
	assert_true(ingest(f, a, "quarantine_event", json_deep_copy(q)));
	assert_true(ingest(f, a, "quarantine_event", q));
	assert_int_equal(canh_store_hunt_quarantine_list(f->st, a, &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 1);
	int64_t qrow = json_integer_value(json_object_get(json_array_get(arr, 0), "id"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "mode")), 0640);
	json_decref(arr);
	assert_int_equal(canh_store_hunt_quarantine_restore(f->st, qrow + 7, f->now, "t", &o, &err),
			 CANH_ENOENT);
	assert_int_equal(canh_store_hunt_quarantine_restore(f->st, qrow, f->now, "t", &o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "restore_requested");
	json_decref(o);
	assert_int_equal(canh_store_hunt_agent_tasks(f->st, a, &t, &err), 0);
	json_t *last = json_array_get(json_object_get(t, "tasks"),
				      json_array_size(json_object_get(t, "tasks")) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "kind")), "restore");
	assert_string_equal(json_string_value(json_object_get(last, "qid")), QID);
	json_decref(t);
	/* a failure, then asked again, then restored; restored twice is a conflict */
	assert_true(ingest(f, a, "quarantine_event",
			   json_pack("{s:s,s:s,s:s}", "event", "restore_failed", "id", QID, "error",
				     "a file is in the way")));
	assert_int_equal(canh_store_hunt_quarantine_list(f->st, 0, &arr, &err), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "state")),
			    "restore_failed");
	json_decref(arr);
	assert_int_equal(canh_store_hunt_quarantine_restore(f->st, qrow, f->now, "t", &o, &err), 0);
	json_decref(o);
	assert_true(ingest(f, a, "quarantine_event",
			   json_pack("{s:s,s:s}", "event", "restored", "id", QID)));
	assert_int_equal(canh_store_hunt_quarantine_restore(f->st, qrow, f->now, "t", &o, &err),
			 CANH_ECONFLICT);
	assert_int_equal(canh_store_hunt_agent_tasks(f->st, a, &t, &err), 0);
	json_t *tasks = json_object_get(t, "tasks");
	for (size_t i = 0; i < json_array_size(tasks); i++)
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(tasks, i), "kind")), "hunt");
	json_decref(t);
}

static void test_check_uploads(void **state)
{
	struct fixture *f = *state;
	struct canh_hunt_check c;
	struct canh_errmsg err;
	const char good[] = "rule one { strings: $a = \"evil\" condition: $a }\n"
			    "rule two { condition: filesize < 10 }\n";
	const char bad[] = "rule one { condition: true }\n\nrule two { condition: nope }\n";
	const char garbage[] = "rule a { condition: true }\n\xc3\x28";

	assert_int_equal(canh_hunt_check("yara", "good.yar", good, strlen(good), f->dir, &c, &err),
			 0);
	assert_int_equal(c.count, 2);
	assert_true(c.compiled_size > 0);
	assert_int_equal(strlen(c.version), 64);
	canh_hunt_check_release(&c);
	assert_int_equal(canh_hunt_check("yara", "bad.yar", bad, strlen(bad), f->dir, &c, &err),
			 CANH_EPARSE);
	assert_int_equal(c.nerrors, 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(c.errors, 0), "line")),
			 3);
	assert_non_null(strstr(c.first, "bad.yar:3:"));
	canh_hunt_check_release(&c);
	assert_int_equal(
	    canh_hunt_check("yara", "g.yar", garbage, strlen(garbage), f->dir, &c, &err),
	    CANH_EINVAL);
	assert_int_equal(c.bad_utf8, 27);
	canh_hunt_check_release(&c);
	char list[256];
	snprintf(list, sizeof(list), "# iocs\n%s one\n%s\n%s two\n", MD5_A, SHA1_A, SHA256_A);
	assert_int_equal(canh_hunt_check("hashes", "l.txt", list, strlen(list), f->dir, &c, &err),
			 0);
	assert_int_equal(c.count, 3);
	canh_hunt_check_release(&c);
	assert_int_equal(canh_hunt_check("hashes", "l.txt", "words\n", 6, f->dir, &c, &err),
			 CANH_EPARSE);
	canh_hunt_check_release(&c);
	/* nothing left behind in the temporary directory */
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s | grep -v '^canh.db')\"", f->dir);
	assert_int_equal(system(cmd), 0);
	assert_true(canh_hunt_name_valid("base-1.x_y"));
	assert_false(canh_hunt_name_valid(".hidden"));
	assert_false(canh_hunt_name_valid("a/b"));
	assert_false(canh_hunt_name_valid(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ruleset_versions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_targets_and_transitions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schedule_requeue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_detections_and_quarantine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_uploads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
