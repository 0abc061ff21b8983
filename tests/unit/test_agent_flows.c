/*
 * Unit tests for agent/flows.c over a fake root: /proc/net from
 * tests/data/netconn, a process 4242 owning two of its sockets, a dpkg
 * database that owns /usr/bin/curl but not the beacon. Aggregation (direction
 * from listening ports, loopback skipped, IPv4-mapped folded into IPv4),
 * repeated samples extending last_seen, TIME_WAIT joining its connection,
 * the per-message cap, and a message the server's validator accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/proto.h"
#include "flows.h"

#define DATA CANH_TEST_DATA "/netconn"

static char root[64];

static void mk(const char *rel, const char *content)
{
	struct canh_errmsg err;
	char *p = canh_xasprintf("%s/%s", root, rel);
	char *d = canh_xstrdup(p);
	*strrchr(d, '/') = '\0';
	assert_int_equal(canh_mkdir_p(d, 0700, &err), 0);
	assert_int_equal(canh_file_write_atomic(p, content, strlen(content), 0600, &err), 0);
	free(d);
	free(p);
}

static void ln(const char *target, const char *rel)
{
	struct canh_errmsg err;
	char *p = canh_xasprintf("%s/%s", root, rel);
	char *d = canh_xstrdup(p);
	*strrchr(d, '/') = '\0';
	assert_int_equal(canh_mkdir_p(d, 0700, &err), 0);
	assert_int_equal(symlink(target, p), 0);
	free(d);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/canh-aflows-XXXXXX");
	assert_non_null(mkdtemp(root));
	ln(DATA, "proc/net");
	ln("socket:[22001]", "proc/4242/fd/3");
	ln("socket:[22002]", "proc/4242/fd/4");
	ln("/tmp/.x/beacon", "proc/4242/exe");
	mk("proc/4242/comm", "beacon\n");
	mk("var/lib/dpkg/info/curl.list", "/usr/bin/curl\n");
	return 0;
}

static int teardown(void **state)
{
	char *cmd = canh_xasprintf("rm -rf '%s'", root);
	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static json_t *message(struct canh_agent_flows *f, int64_t now)
{
	struct canh_errmsg err;
	char *text;
	size_t len;
	json_t *m;

	assert_int_equal(canh_agent_flows_message(f, now, &text, &len), 0);
	assert_non_null(text);
	m = json_loads(text, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "type")), "flows");
	if (canh_proto_validate_flows(json_object_get(m, "data"), &err) != 0)
		fail_msg("the server refuses the message: %s", err.text);
	free(text);
	return m;
}

static json_t *find(json_t *flows, const char *remote, int rport, int lport)
{
	size_t i;
	json_t *e;

	json_array_foreach(flows, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "remote")), remote) == 0 &&
		    json_integer_value(json_object_get(e, "remote_port")) == rport &&
		    json_integer_value(json_object_get(e, "local_port")) == lport)
			return e;
	}
	return NULL;
}

static void test_aggregate(void **state)
{
	struct canh_agent_flows_opts o = {.root = root, .package_owner = 1};
	struct canh_agent_flows *f = canh_agent_flows_new(&o);
	struct canh_errmsg err;
	size_t dropped;
	json_t *m, *flows, *e;

	(void)state;
	assert_int_equal(canh_agent_flows_sample(f, 1000000, &err), 0);
	assert_int_equal(canh_agent_flows_pending(f, &dropped), 8);
	assert_int_equal(dropped, 0);
	assert_int_equal(canh_agent_flows_sample(f, 1010000, &err), 0);
	assert_int_equal(canh_agent_flows_pending(f, NULL), 8);
	m = message(f, 1020000);
	flows = json_object_get(json_object_get(m, "data"), "flows");
	assert_int_equal(json_array_size(flows), 8);

	/* outbound, owned by the beacon, not from a package */
	e = find(flows, "203.0.113.9", 443, 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "direction")), "out");
	assert_string_equal(json_string_value(json_object_get(e, "exe")), "/tmp/.x/beacon");
	assert_string_equal(json_string_value(json_object_get(e, "process")), "beacon");
	assert_int_equal(json_integer_value(json_object_get(e, "pid")), 4242);
	assert_true(json_is_false(json_object_get(e, "owned")));
	assert_int_equal(json_integer_value(json_object_get(e, "count")), 2);
	assert_string_equal(json_string_value(json_object_get(e, "first_seen")),
			    "1970-01-01T00:16:40.000Z");
	assert_string_equal(json_string_value(json_object_get(e, "last_seen")),
			    "1970-01-01T00:16:50.000Z");

	/* inbound to the listening ssh port: the local port is kept, not the client's */
	e = find(flows, "192.168.51.100", 0, 22);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "direction")), "in");
	/* IPv4-mapped IPv6 to the [::]:443 listener */
	e = find(flows, "198.51.100.20", 0, 443);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "local")), "10.0.0.5");
	/* TIME_WAIT alone: no process */
	e = find(flows, "203.0.113.9", 80, 0);
	assert_non_null(e);
	assert_null(json_object_get(e, "exe"));
	/* SYN_SENT, IPv6, UDP */
	assert_non_null(find(flows, "198.51.100.77", 4444, 0));
	assert_non_null(find(flows, "2001:db8:ffff::9", 8443, 0));
	e = find(flows, "2001:db8::53", 123, 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "proto")), "udp");
	assert_non_null(find(flows, "8.8.8.8", 53, 0));
	/* loopback left out */
	assert_null(find(flows, "127.0.0.1", 0, 8080));
	json_decref(m);

	/* the table starts again empty */
	char *text = (char *)"x";
	size_t len;
	assert_int_equal(canh_agent_flows_pending(f, NULL), 0);
	assert_int_equal(canh_agent_flows_message(f, 1030000, &text, &len), 0);
	assert_null(text);
	canh_agent_flows_free(f);
}

static void test_loopback_and_cap(void **state)
{
	struct canh_agent_flows_opts o = {.root = root, .include_loopback = 1};
	struct canh_agent_flows *f = canh_agent_flows_new(&o);
	struct canh_errmsg err;
	size_t dropped;
	json_t *m;

	(void)state;
	assert_int_equal(canh_agent_flows_sample(f, 1000000, &err), 0);
	assert_int_equal(canh_agent_flows_pending(f, NULL), 10);
	m = message(f, 1000001);
	/* without package_owner the ownership is unknown: no "owned" */
	json_t *e =
	    find(json_object_get(json_object_get(m, "data"), "flows"), "203.0.113.9", 443, 0);
	assert_non_null(e);
	assert_null(json_object_get(e, "owned"));
	json_decref(m);
	canh_agent_flows_free(f);

	o.max_flows = 3;
	o.include_loopback = 0;
	f = canh_agent_flows_new(&o);
	assert_int_equal(canh_agent_flows_sample(f, 1000000, &err), 0);
	assert_int_equal(canh_agent_flows_pending(f, &dropped), 3);
	assert_int_equal(dropped, 5);
	m = message(f, 1000001);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "data"), "dropped")),
			 5);
	assert_int_equal(json_array_size(json_object_get(json_object_get(m, "data"), "flows")), 3);
	json_decref(m);
	canh_agent_flows_free(f);
}

/* A connection seen established, then in TIME_WAIT (no inode): one aggregate. */
static void test_time_wait_joins(void **state)
{
	char saved[64];
	struct canh_agent_flows_opts o = {0};
	struct canh_agent_flows *f;
	struct canh_errmsg err;
	json_t *m, *flows, *e;

	(void)state;
	memcpy(saved, root, sizeof(saved));
	snprintf(root, sizeof(root), "/tmp/canh-aflows-XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("proc/net/tcp",
	   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	   "timeout inode\n"
	   "   0: 0500000A:C350 097100CB:01BB 01 00000000:00000000 00:00000000 00000000  1000 "
	   "       0 777 1 0 20 4 30 10 -1\n"
	   "   1: 0500000A:C351 097100CB:01BB 06 00000000:00000000 00:00000000 00000000     0 "
	   "       0 0 1 0 20 4 30 10 -1\n");
	ln("socket:[777]", "proc/99/fd/5");
	ln("/usr/bin/curl", "proc/99/exe");
	mk("proc/99/comm", "curl\n");
	o.root = root;
	f = canh_agent_flows_new(&o);
	assert_int_equal(canh_agent_flows_sample(f, 5000, &err), 0);
	assert_int_equal(canh_agent_flows_pending(f, NULL), 1);
	m = message(f, 6000);
	flows = json_object_get(json_object_get(m, "data"), "flows");
	e = find(flows, "203.0.113.9", 443, 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "exe")), "/usr/bin/curl");
	assert_int_equal(json_integer_value(json_object_get(e, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(e, "uid")), 1000);
	json_decref(m);
	canh_agent_flows_free(f);
	teardown(NULL);
	memcpy(root, saved, sizeof(root));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aggregate),
	    cmocka_unit_test(test_loopback_and_cap),
	    cmocka_unit_test(test_time_wait_joins),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
