/*
 * Unit tests for lib/proto.c, as data: a batch body and either the reason the
 * whole batch is refused, or for each message whether it is accepted or the
 * reason it is rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/proto.h"

#define T "\"time\":\"2026-11-21T11:50:07.123Z\""
#define HB "\"type\":\"heartbeat\"," T ",\"data\":{}"
#define INV_BASE                                                                                   \
	"\"hostname\":\"h1\",\"machine_id\":\"m\",\"os\":{\"id\":\"debian\"},"                     \
	"\"kernel\":{\"release\":\"6.1\"},\"arch\":\"x86_64\""
#define INV(extra) "\"type\":\"inventory\"," T ",\"data\":{" INV_BASE extra "}"

struct batch_case {
	const char *body;
	const char *refused; /* substring of the error when the whole batch is refused */
	size_t n;	     /* messages when accepted */
	/* per message: NULL accepted, or a substring of its rejection reason */
	const char *msg_errors[4];
};

static const struct batch_case cases[] = {
    /* accepted batches */
    {"{\"version\":1,\"messages\":[]}", NULL, 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," HB "}]}", NULL, 1, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," HB "},{\"seq\":5," HB
     "},{\"seq\":9007199254740992," HB "}]}",
     NULL,
     3,
     {NULL, NULL, NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":3," INV("") "}]}", NULL, 1, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":3," INV(
	 ",\"full\":true,\"interfaces\":[{\"name\":\"eth0\","
	 "\"mac\":\"52:54:00:12:34:56\",\"up\":true,"
	 "\"addresses\":[\"192.0.2.10/24\"]}],"
	 "\"packages\":[{\"manager\":\"dpkg\",\"name\":\"a\","
	 "\"version\":\"1\",\"arch\":null}],"
	 "\"listening\":[{\"proto\":\"tcp\",\"addr\":\"0.0.0.0\","
	 "\"port\":22,\"pid\":null,\"user\":0}],"
	 "\"errors\":[\"x\"]") "}]}",
     NULL,
     1,
     {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\"," T
     ",\"data\":{\"agent_version\":\"0.1.0\",\"uptime_s\":5,\"spool\":{\"pending\":0,"
     "\"pending_bytes\":0,\"refused\":0,\"acked\":41}}}]}",
     NULL,
     1,
     {NULL}},
    /* time with an offset is fine */
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\",\"time\":\"2026-11-21T18:50:"
     "07+07:00\",\"data\":{}}]}",
     NULL,
     1,
     {NULL}},

    /* per-message rejections: the batch is kept */
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"bogus\"," T ",\"data\":{}},{\"seq\":2," HB
     "}]}",
     NULL,
     2,
     {"unknown type 'bogus'", NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," T ",\"data\":{}}]}", NULL, 1, {"'type'"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\",\"data\":{}}]}",
     NULL,
     1,
     {"'time'"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\",\"time\":\"yesterday\","
     "\"data\":{}}]}",
     NULL,
     1,
     {"'time'"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\"," T "}]}",
     NULL,
     1,
     {"'data'"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\"," T ",\"data\":[]}]}",
     NULL,
     1,
     {"expected an object"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\"," T
     ",\"data\":{\"uptime_s\":-1}}]}",
     NULL,
     1,
     {"uptime_s"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\"," T
     ",\"data\":{\"spool\":{\"pending\":\"x\"}}}]}",
     NULL,
     1,
     {"spool.pending"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"inventory\"," T
     ",\"data\":{\"machine_id\":\"m\",\"os\":{},\"kernel\":{},\"arch\":\"x\"}}]}",
     NULL,
     1,
     {"hostname: missing"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," INV(
	 ",\"packages\":[{\"manager\":\"dpkg\",\"name\":\"a\"}]") "}]}",
     NULL,
     1,
     {"packages[0].version: missing"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," INV(",\"packages\":{}") "}]}",
     NULL,
     1,
     {"packages: expected an array"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," INV(
	 ",\"listening\":[{\"proto\":\"tcp\",\"addr\":\"\",\"port\":70000}]") "}]}",
     NULL,
     1,
     {"listening[0].port"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," INV(",\"interfaces\":[{\"mac\":\"x\"}]") "}]}",
     NULL,
     1,
     {"interfaces[0].name"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1," INV(
	 ",\"interfaces\":[{\"name\":\"e\",\"up\":1}]") "}]}",
     NULL,
     1,
     {"interfaces[0].up"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"inventory\"," T
     ",\"data\":{\"hostname\":\"h\",\"machine_id\":\"m\",\"os\":\"debian\",\"kernel\":{},"
     "\"arch\":\"x\"}}]}",
     NULL,
     1,
     {"os: expected an object"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"inventory\"," T
     ",\"data\":{\"hostname\":\"h\\u0000x\",\"machine_id\":\"m\",\"os\":{},\"kernel\":{},"
     "\"arch\":\"x\"}}]}",
     NULL,
     1,
     {"NUL"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"abcdefghijabcdefghijabcdefghijabc\"," T
     ",\"data\":{}}]}",
     NULL,
     1,
     {"longer than 32"}},
    {"{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"\\u0001x\"," T ",\"data\":{}}]}",
     NULL,
     1,
     {"unknown type '\\x01x'"}},
    /* "lost": the agent's declared loss is kept as a rejection with its reason */
    {"{\"version\":1,\"messages\":[{\"seq\":4,\"type\":\"lost\"," T
     ",\"data\":{\"reason\":\"missing from the agent's spool\"}}]}",
     NULL,
     1,
     {"lost by the agent: missing from the agent's spool"}},
    {"{\"version\":1,\"messages\":[{\"seq\":4,\"type\":\"lost\"," T ",\"data\":{}}]}",
     NULL,
     1,
     {"lost by the agent (no valid 'reason' given)"}},
    {"{\"version\":1,\"messages\":[{\"seq\":4,\"type\":\"lost\"," T
     ",\"data\":{\"reason\":\"a\\nb\"}}]}",
     NULL,
     1,
     {"lost by the agent: a\\x0ab"}},

    /* whole-batch refusals */
    {"", "not valid JSON", 0, {NULL}},
    {"{", "not valid JSON", 0, {NULL}},
    {"[]", "not a JSON object", 0, {NULL}},
    {"{\"messages\":[]}", "'version'", 0, {NULL}},
    {"{\"version\":2,\"messages\":[]}", "unsupported", 0, {NULL}},
    {"{\"version\":\"1\",\"messages\":[]}", "unsupported", 0, {NULL}},
    {"{\"version\":1}", "no 'messages' array", 0, {NULL}},
    {"{\"version\":1,\"messages\":{}}", "no 'messages' array", 0, {NULL}},
    {"{\"version\":1,\"messages\":[1]}", "messages[0]: not an object", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{" HB "}]}", "messages[0]: missing integer 'seq'", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":\"1\"," HB "}]}", "missing integer 'seq'", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":1.0," HB "}]}", "missing integer 'seq'", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":0," HB "}]}", "out of range", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":-5," HB "}]}", "out of range", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":9007199254740993," HB "}]}", "out of range", 0, {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":2," HB "},{\"seq\":2," HB "}]}",
     "strictly increasing",
     0,
     {NULL}},
    {"{\"version\":1,\"messages\":[{\"seq\":3," HB "},{\"seq\":1," HB "}]}",
     "messages[1]: 'seq' 1 does not follow 3",
     0,
     {NULL}},
    {"{\"version\":1,\"version\":1,\"messages\":[]}", "not valid JSON", 0, {NULL}},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct batch_case *c = &cases[i];
		struct canh_proto_batch b;
		struct canh_errmsg err = {{0}};
		int rc = canh_proto_batch_parse(c->body, strlen(c->body), &b, &err);

		if (c->refused) {
			if (rc == 0 || !strstr(err.text, c->refused)) {
				print_error("case %zu: want refusal '%s', got rc %d '%s'\n", i,
					    c->refused, rc, err.text);
				fail();
			}
			assert_null(b.root);
			assert_null(b.msgs);
			assert_int_equal(b.n, 0);
			continue;
		}
		if (rc != 0) {
			print_error("case %zu: refused: %s\n", i, err.text);
			fail();
		}
		assert_int_equal(b.n, c->n);
		assert_int_equal(b.version, 1);
		for (size_t k = 0; k < b.n; k++) {
			const char *want = c->msg_errors[k];
			if (!want) {
				if (b.msgs[k].error[0]) {
					print_error("case %zu msg %zu: rejected: %s\n", i, k,
						    b.msgs[k].error);
					fail();
				}
				assert_non_null(b.msgs[k].data);
				assert_int_not_equal(b.msgs[k].type, CANH_MSG_UNKNOWN);
			} else {
				if (!strstr(b.msgs[k].error, want)) {
					print_error("case %zu msg %zu: want '%s', got '%s'\n", i, k,
						    want, b.msgs[k].error);
					fail();
				}
				assert_null(b.msgs[k].data);
			}
		}
		canh_proto_batch_release(&b);
	}
}

static void test_fields(void **state)
{
	const char *body =
	    "{\"version\":1,\"messages\":[{\"seq\":41," INV("") "},{\"seq\":42," HB "}]}";
	struct canh_proto_batch b;
	struct canh_errmsg err;

	(void)state;
	assert_int_equal(canh_proto_batch_parse(body, strlen(body), &b, &err), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.msgs[0].seq, 41);
	assert_int_equal(b.msgs[0].type, CANH_MSG_INVENTORY);
	assert_string_equal(b.msgs[0].type_name, "inventory");
	assert_int_equal(b.msgs[0].time_ms, 1795261807123LL);
	assert_string_equal(json_string_value(json_object_get(b.msgs[0].data, "hostname")), "h1");
	assert_int_equal(b.msgs[1].seq, 42);
	assert_int_equal(b.msgs[1].type, CANH_MSG_HEARTBEAT);
	canh_proto_batch_release(&b);
	/* release is idempotent on an emptied batch */
	canh_proto_batch_release(&b);
	assert_null(b.root);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_int_equal(canh_msg_type_parse("inventory"), CANH_MSG_INVENTORY);
	assert_int_equal(canh_msg_type_parse("heartbeat"), CANH_MSG_HEARTBEAT);
	assert_int_equal(canh_msg_type_parse("Heartbeat"), CANH_MSG_UNKNOWN);
	assert_int_equal(canh_msg_type_parse(NULL), CANH_MSG_UNKNOWN);
	assert_string_equal(canh_msg_type_name(CANH_MSG_INVENTORY), "inventory");
	assert_string_equal(canh_msg_type_name(CANH_MSG_HEARTBEAT), "heartbeat");
}

/* Build a batch of n heartbeats with seq 1..n. */
static char *heartbeats(size_t n, size_t *len)
{
	struct canh_buf b = CANH_BUF_INIT(64 * 1024 * 1024);

	canh_buf_puts(&b, "{\"version\":1,\"messages\":[");
	for (size_t i = 1; i <= n; i++)
		canh_buf_appendf(&b, "%s{\"seq\":%zu," HB "}", i > 1 ? "," : "", i);
	canh_buf_puts(&b, "]}");
	return canh_buf_detach(&b, len);
}

static void test_caps(void **state)
{
	struct canh_proto_batch b;
	struct canh_errmsg err;
	size_t len;
	char *body;

	(void)state;
	body = heartbeats(CANH_PROTO_MAX_MESSAGES, &len);
	assert_int_equal(canh_proto_batch_parse(body, len, &b, &err), 0);
	assert_int_equal(b.n, CANH_PROTO_MAX_MESSAGES);
	canh_proto_batch_release(&b);
	free(body);

	body = heartbeats(CANH_PROTO_MAX_MESSAGES + 1, &len);
	assert_int_not_equal(canh_proto_batch_parse(body, len, &b, &err), 0);
	assert_non_null(strstr(err.text, "more than 1000"));
	free(body);
}

/* An inventory with n packages / a hostname of n bytes. */
static char *inventory_with(size_t npkgs, size_t hostlen, size_t *len)
{
	struct canh_buf b = CANH_BUF_INIT(64 * 1024 * 1024);

	canh_buf_puts(&b, "{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"inventory\"," T
			  ",\"data\":{\"hostname\":\"");
	for (size_t i = 0; i < hostlen; i++)
		canh_buf_putc(&b, 'h');
	canh_buf_puts(&b, "\",\"machine_id\":\"m\",\"os\":{},\"kernel\":{},\"arch\":\"x\","
			  "\"packages\":[");
	for (size_t i = 0; i < npkgs; i++)
		canh_buf_appendf(&b, "%s{\"manager\":\"dpkg\",\"name\":\"p%zu\",\"version\":\"1\"}",
				 i ? "," : "", i);
	canh_buf_puts(&b, "]}}]}");
	return canh_buf_detach(&b, len);
}

static void expect_one(const char *body, size_t len, const char *want_error)
{
	struct canh_proto_batch b;
	struct canh_errmsg err;

	assert_int_equal(canh_proto_batch_parse(body, len, &b, &err), 0);
	assert_int_equal(b.n, 1);
	if (want_error) {
		if (!strstr(b.msgs[0].error, want_error)) {
			print_error("want '%s', got '%s'\n", want_error, b.msgs[0].error);
			fail();
		}
	} else {
		assert_string_equal(b.msgs[0].error, "");
	}
	canh_proto_batch_release(&b);
}

static void test_inventory_caps(void **state)
{
	size_t len;
	char *body;

	(void)state;
	body = inventory_with(100000, 10, &len);
	expect_one(body, len, NULL);
	free(body);
	body = inventory_with(100001, 10, &len);
	expect_one(body, len, "packages: more than 100000");
	free(body);
	body = inventory_with(1, 255, &len);
	expect_one(body, len, NULL);
	free(body);
	body = inventory_with(1, 256, &len);
	expect_one(body, len, "hostname: longer than 255");
	free(body);
}

static void test_validators(void **state)
{
	struct canh_errmsg err;
	json_t *j;

	(void)state;
	j = json_loads("{\"agent_version\":\"0.1.0\"}", 0, NULL);
	assert_int_equal(canh_proto_validate_heartbeat(j, &err), 0);
	json_decref(j);
	j = json_loads("{\"agent_version\":5}", 0, NULL);
	assert_int_not_equal(canh_proto_validate_heartbeat(j, &err), 0);
	assert_non_null(strstr(err.text, "agent_version"));
	json_decref(j);
	j = json_loads("[1]", 0, NULL);
	assert_int_not_equal(canh_proto_validate_inventory(j, &err), 0);
	assert_int_not_equal(canh_proto_validate_heartbeat(j, &err), 0);
	json_decref(j);
	/* NULL body pointer with length 0 is an empty (invalid) body, not a crash */
	{
		struct canh_proto_batch b;
		assert_int_not_equal(canh_proto_batch_parse(NULL, 0, &b, &err), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),	   cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_type_names),	   cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_inventory_caps), cmocka_unit_test(test_validators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
