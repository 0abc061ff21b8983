/*
 * canh-agent core: batches (splice, gaps, limits) checked with the server's
 * own batch parser, inventory change detection, heartbeats, configuration.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "agent.h"
#include "canh/proto.h"

static char dir[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-agent-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct canh_spool *spool_with(int n)
{
	struct canh_spool *s = NULL;
	char rec[128];

	assert_int_equal(canh_spool_open(dir, 1 << 20, &s, NULL), 0);
	for (int i = 1; i <= n; i++) {
		int len = snprintf(rec, sizeof(rec),
				   "{\"type\":\"heartbeat\",\"time\":\"2026-11-21T11:55:07.00%dZ\","
				   "\"data\":{\"uptime_s\":%d}}",
				   i % 10, i);
		assert_int_equal(canh_spool_append(s, rec, (size_t)len, NULL), 0);
	}
	return s;
}

/* Build a batch and parse it as the server does. */
static size_t build_and_parse(struct canh_spool *s, uint64_t server_ack, size_t max_msgs,
			      size_t max_bytes, struct canh_proto_batch *b, uint64_t *last)
{
	struct canh_buf out = CANH_BUF_INIT(1 << 22);
	struct canh_errmsg err;
	size_t count;

	assert_int_equal(canh_agent_batch_build(s, server_ack, max_msgs, max_bytes, 1700000000000,
						&out, last, &count),
			 0);
	memset(b, 0, sizeof(*b));
	if (count == 0) {
		assert_int_equal(out.len, 0);
		canh_buf_release(&out);
		return 0;
	}
	if (canh_proto_batch_parse(out.data, out.len, b, &err) != 0)
		fail_msg("the server refuses the batch: %s\n%s", err.text, out.data);
	assert_int_equal(b->n, count);
	canh_buf_release(&out);
	return count;
}

static void test_batch_splice(void **state)
{
	struct canh_spool *s = spool_with(5);
	struct canh_proto_batch b;
	uint64_t last;

	assert_int_equal(build_and_parse(s, 0, 500, 1 << 20, &b, &last), 5);
	assert_int_equal(last, 5);
	assert_int_equal(b.version, 1);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(b.msgs[i].seq, i + 1);
		assert_int_equal(b.msgs[i].type, CANH_MSG_HEARTBEAT);
		assert_string_equal(b.msgs[i].error, "");
		assert_int_equal(json_integer_value(json_object_get(b.msgs[i].data, "uptime_s")),
				 (json_int_t)i + 1);
	}
	canh_proto_batch_release(&b);

	/* limits: count, and bytes (at least one message always goes) */
	assert_int_equal(build_and_parse(s, 0, 2, 1 << 20, &b, &last), 2);
	assert_int_equal(last, 2);
	canh_proto_batch_release(&b);
	assert_int_equal(build_and_parse(s, 0, 500, 10, &b, &last), 1);
	assert_int_equal(last, 1);
	canh_proto_batch_release(&b);

	/* the server holds 1..3 already: the batch starts at 4 */
	assert_int_equal(build_and_parse(s, 3, 500, 1 << 20, &b, &last), 2);
	assert_int_equal(b.msgs[0].seq, 4);
	canh_proto_batch_release(&b);
	/* nothing left */
	assert_int_equal(build_and_parse(s, 5, 500, 1 << 20, &b, &last), 0);
	canh_spool_free(s);
}

static void test_batch_gaps(void **state)
{
	struct canh_spool *s = spool_with(5);
	struct canh_proto_batch b;
	uint64_t last;

	/* the spool freed 1..3 but the server says it holds only 1: 2 and 3 are lost */
	assert_int_equal(canh_spool_ack(s, 3), 0);
	assert_int_equal(build_and_parse(s, 1, 500, 1 << 20, &b, &last), 4);
	assert_int_equal(b.msgs[0].seq, 2);
	assert_string_equal(
	    b.msgs[0].error,
	    "lost by the agent: acknowledged earlier, no longer in the agent's spool");
	assert_int_equal(b.msgs[1].seq, 3);
	assert_non_null(strstr(b.msgs[1].error, "lost"));
	assert_int_equal(b.msgs[2].seq, 4);
	assert_string_equal(b.msgs[2].error, "");
	assert_int_equal(last, 5);
	canh_proto_batch_release(&b);
	/* a record the server refused alone as too large (413) goes as "lost" */
	struct canh_buf out = CANH_BUF_INIT(1 << 20);
	size_t count;
	assert_int_equal(
	    canh_agent_batch_build_ex(s, 3, 500, 1 << 20, 4, 1700000000000, &out, &last, &count),
	    0);
	assert_int_equal(count, 2);
	assert_non_null(strstr(out.data, "{\"seq\":4,\"type\":\"lost\""));
	assert_non_null(strstr(out.data, "too large"));
	assert_non_null(strstr(out.data, "{\"seq\":5,\"type\":\"heartbeat\""));
	canh_buf_release(&out);
	/* "lost" entries count against the message limit */
	assert_int_equal(build_and_parse(s, 1, 1, 1 << 20, &b, &last), 1);
	assert_int_equal(last, 2);
	canh_proto_batch_release(&b);
	canh_spool_free(s);
}

static void test_batch_corrupt_record(void **state)
{
	struct canh_spool *s = spool_with(5), *s2 = NULL;
	struct canh_proto_batch b;
	struct canh_spool_stats st;
	char path[128];
	uint64_t last;

	canh_spool_free(s);
	/* damage record 3 on disk: recovery drops it, the batch reports the gap */
	snprintf(path, sizeof(path), "%s/seg-%016x.log", dir, 1);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	off_t rec = 20 + 72; /* every test record is 72 bytes of payload */
	assert_int_equal(pwrite(fd, "#", 1, 2 * rec + 30), 1);
	close(fd);
	assert_int_equal(canh_spool_open(dir, 1 << 20, &s2, NULL), 0);
	canh_spool_get_stats(s2, &st);
	assert_int_equal(st.pending, 4);
	assert_int_equal(build_and_parse(s2, 0, 500, 1 << 20, &b, &last), 5);
	assert_string_equal(b.msgs[1].error, "");
	assert_int_equal(b.msgs[2].seq, 3);
	assert_non_null(strstr(b.msgs[2].error, "lost"));
	assert_string_equal(b.msgs[3].error, "");
	canh_proto_batch_release(&b);
	canh_spool_free(s2);
}

static void test_batch_unspliceable(void **state)
{
	struct canh_spool *s = NULL;
	struct canh_proto_batch b;
	uint64_t last;

	assert_int_equal(canh_spool_open(dir, 1 << 20, &s, NULL), 0);
	assert_int_equal(canh_spool_append(s, "{}", 2, NULL), 0);
	assert_int_equal(canh_spool_append(s, "[1,2]", 5, NULL), 0);
	assert_int_equal(canh_spool_append(s, "", 0, NULL), 0);
	assert_int_equal(canh_spool_append(s, "{\"type\":\"x\"}", 12, NULL), 0);
	/* the whole batch stays acceptable: bad records go as "lost" entries, rejected one by one
	 */
	assert_int_equal(build_and_parse(s, 0, 500, 1 << 20, &b, &last), 4);
	for (size_t i = 0; i < 3; i++)
		assert_non_null(strstr(b.msgs[i].error, "lost"));
	assert_non_null(strstr(b.msgs[3].error, "unknown type 'x'"));
	canh_proto_batch_release(&b);
	canh_spool_free(s);
}

/* ---- inventory change detection ---- */

static json_t *fake_inventory(const char *pkgver)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:s, s:[{s:s}], s:[{s:s, s:s, s:s}], "
			 "s:[], s:[]}",
			 "hostname", "h", "machine_id", "m", "os", "id", "debian", "kernel",
			 "release", "6", "arch", "x86_64", "interfaces", "name", "lo", "packages",
			 "manager", "dpkg", "name", "libc6", "version", pkgver, "listening",
			 "errors");
}

static char *message(json_t *inv, const struct canh_agent_invstate *prev, int64_t now,
		     struct canh_agent_invstate *next)
{
	char *text;
	size_t len;
	assert_int_equal(canh_agent_inventory_message(inv, prev, now, 3600000, &text, &len, next),
			 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static json_t *data_of(const char *text)
{
	struct canh_errmsg err;
	json_t *m = json_loads(text, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "type")), "inventory");
	assert_non_null(json_string_value(json_object_get(m, "time")));
	json_t *d = json_incref(json_object_get(m, "data"));
	json_decref(m);
	if (canh_proto_validate_inventory(d, &err) != 0)
		fail_msg("invalid inventory: %s", err.text);
	return d;
}

static void test_inventory_diff(void **state)
{
	struct canh_agent_invstate s0, s1, s2, s3, s4;
	const int64_t t0 = 1700000000000;
	json_t *d;
	char *t;

	memset(&s0, 0, sizeof(s0));
	/* first: full, every section */
	t = message(fake_inventory("2.36-9"), &s0, t0, &s1);
	d = data_of(t);
	assert_true(json_is_true(json_object_get(d, "full")));
	assert_non_null(json_object_get(d, "packages"));
	assert_non_null(json_object_get(d, "interfaces"));
	assert_non_null(json_object_get(d, "listening"));
	assert_int_equal(s1.last_full_ms, t0);
	assert_int_equal(strlen(s1.hash[1]), 64);
	json_decref(d);
	free(t);

	/* nothing changed: only the identity */
	t = message(fake_inventory("2.36-9"), &s1, t0 + 1000, &s2);
	d = data_of(t);
	assert_true(json_is_false(json_object_get(d, "full")));
	assert_null(json_object_get(d, "packages"));
	assert_null(json_object_get(d, "interfaces"));
	assert_null(json_object_get(d, "listening"));
	assert_string_equal(json_string_value(json_object_get(d, "hostname")), "h");
	assert_non_null(json_object_get(d, "os"));
	assert_int_equal(s2.last_full_ms, t0);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	json_decref(d);
	free(t);

	/* a package changed: that section only */
	t = message(fake_inventory("2.36-10"), &s2, t0 + 2000, &s3);
	d = data_of(t);
	assert_non_null(json_object_get(d, "packages"));
	assert_null(json_object_get(d, "interfaces"));
	assert_string_not_equal(s3.hash[1], s2.hash[1]);
	assert_string_equal(s3.hash[0], s2.hash[0]);
	json_decref(d);
	free(t);

	/* full_inventory_interval elapsed: everything again */
	t = message(fake_inventory("2.36-10"), &s3, t0 + 3600000, &s4);
	d = data_of(t);
	assert_true(json_is_true(json_object_get(d, "full")));
	assert_non_null(json_object_get(d, "interfaces"));
	json_decref(d);
	free(t);

	/* a clock that went backwards: full too */
	t = message(fake_inventory("2.36-10"), &s4, t0 - 5000, &s2);
	d = data_of(t);
	assert_true(json_is_true(json_object_get(d, "full")));
	json_decref(d);
	free(t);
}

static void test_invstate_persist(void **state)
{
	struct canh_agent_invstate a, b;
	struct canh_errmsg err;

	memset(&a, 0, sizeof(a));
	assert_int_equal(canh_agent_invstate_load(dir, &b), CANH_ENOENT);
	memset(a.hash[0], 'a', 64);
	memset(a.hash[2], 'c', 64);
	a.last_full_ms = 1234567;
	assert_int_equal(canh_agent_invstate_save(dir, &a, &err), 0);
	assert_int_equal(canh_agent_invstate_load(dir, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_heartbeat(void **state)
{
	struct canh_spool_stats st = {
	    .next_seq = 9, .acked_seq = 7, .pending = 1, .pending_bytes = 99, .refused = 2};
	struct canh_errmsg err;
	char *text;
	size_t len;

	assert_int_equal(canh_agent_heartbeat_message(1700000000000, 42, &st, &text, &len), 0);
	json_t *m = json_loads(text, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "type")), "heartbeat");
	assert_string_equal(json_string_value(json_object_get(m, "time")),
			    "2023-11-14T22:13:20.000Z");
	json_t *d = json_object_get(m, "data");
	assert_int_equal(canh_proto_validate_heartbeat(d, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(d, "uptime_s")), 42);
	json_t *sp = json_object_get(d, "spool");
	assert_int_equal(json_integer_value(json_object_get(sp, "acked")), 7);
	assert_int_equal(json_integer_value(json_object_get(sp, "refused")), 2);
	assert_int_equal(json_integer_value(json_object_get(sp, "pending_bytes")), 99);
	json_decref(m);
	free(text);
}

/* ---- configuration ---- */

static void test_config(void **state)
{
	struct canh_agent_cfg c;
	struct canh_errmsg err;
	const char *ok[] = {"heartbeat_interval=100ms", "agent.retry_max=10ms", "log.level=debug"};

	assert_int_equal(canh_agent_cfg_load(&c, dir, NULL, NULL, 0, &err), 0);
	assert_int_equal(c.inventory_interval, 3600000);
	assert_int_equal(c.heartbeat_interval, 300000);
	assert_int_equal(c.full_inventory_interval, 86400000);
	assert_int_equal(c.spool_max, 256 << 20);
	assert_int_equal(c.batch_max_messages, 500);
	assert_int_equal(c.batch_max_bytes, 4 << 20);
	assert_int_equal(c.upload_interval, 5000);
	assert_int_equal(c.retry_max, 60000);
	assert_int_equal(c.connect_timeout, 10000);
	assert_int_equal(c.request_timeout, 60000);
	assert_string_equal(c.log_level, "info");
	assert_int_equal(c.journal, 0);

	assert_int_equal(canh_agent_cfg_load(&c, dir, NULL, ok, 3, &err), 0);
	assert_int_equal(c.heartbeat_interval, 100);
	assert_int_equal(c.retry_max, 10);
	assert_string_equal(c.log_level, "debug");

	const char *bad[] = {"heartbeat_interval=5ms",
			     "inventory_interval=50ms",
			     "spool_max=32K",
			     "batch_max_messages=0",
			     "batch_max_messages=1001",
			     "no_such_key=1",
			     "level=loud",
			     "novalue"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.text[0] = '\0';
		assert_int_not_equal(canh_agent_cfg_load(&c, dir, NULL, &bad[i], 1, &err), 0);
		assert_true(strlen(err.text) > 0);
	}

	/* DIR/agent.conf is read when present; --set still wins */
	char path[128];
	snprintf(path, sizeof(path), "%s/agent.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("[agent]\nheartbeat_interval = 2s\nupload_interval = 1s\n[log]\njournal = yes\n", f);
	fclose(f);
	assert_int_equal(canh_agent_cfg_load(&c, dir, NULL, ok, 1, &err), 0);
	assert_int_equal(c.heartbeat_interval, 100);
	assert_int_equal(c.upload_interval, 1000);
	assert_int_equal(c.journal, 1);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[agent]\nheartbeat_intervall = 2s\n", f);
	fclose(f);
	assert_int_not_equal(canh_agent_cfg_load(&c, dir, NULL, NULL, 0, &err), 0);
	assert_non_null(strstr(err.text, "agent.conf"));
}

static void test_ident(void **state)
{
	struct canh_agent_ident a = {.agent_id = 7}, b;
	struct canh_errmsg err;
	char path[128];
	struct stat st;

	assert_int_equal(canh_agent_ident_load(dir, &b, &err), CANH_ENOENT);
	assert_non_null(strstr(err.text, "not enrolled"));
	snprintf(a.server, sizeof(a.server), "https://127.0.0.1:8443");
	snprintf(a.unit, sizeof(a.unit), "HP-THPT-NQ");
	memset(a.fingerprint, 'e', 64);
	snprintf(a.credential, sizeof(a.credential), "A7.%064d", 0);
	assert_int_equal(canh_agent_ident_save(dir, &a, "-----BEGIN CERTIFICATE-----\n", &err), 0);
	assert_int_equal(canh_agent_ident_load(dir, &b, &err), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	snprintf(path, sizeof(path), "%s/credential", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	char fp[CANH_SHA256_HEX];
	assert_int_equal(
	    canh_agent_fingerprint_parse("AB:cd:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:"
					 "89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:"
					 "45:67:89",
					 fp),
	    0);
	assert_string_equal(fp, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	assert_int_equal(canh_agent_fingerprint_parse("abcd", fp), CANH_EINVAL);
	assert_int_equal(canh_agent_fingerprint_parse("zz", fp), CANH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_batch_splice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_gaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_corrupt_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_unspliceable, setup, teardown),
	    cmocka_unit_test(test_inventory_diff),
	    cmocka_unit_test_setup_teardown(test_invstate_persist, setup, teardown),
	    cmocka_unit_test(test_heartbeat),
	    cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ident, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
