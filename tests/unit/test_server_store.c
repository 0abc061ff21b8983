/*
 * Unit tests for canhd's store (server/store_sqlite.c) and the unit rules and
 * CSV import (server/units.c), on a real SQLite database in a temporary
 * directory.
 */
#include <pthread.h>
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
#include <sqlite3.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/proto.h"
#include "canh/utf8.h"
#include "store.h"
#include "store_sqlite.h"
#include "units.h"

#define NOW 1795261807000LL /* 2026-11-21T11:50:07Z */
#define HOUR (3600 * 1000LL)

struct fixture {
	char dir[64];
	char db[96];
	struct canh_store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct canh_errmsg err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/canh-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/canh.db", f->dir);
	if (canh_store_open(f->db, &f->s, &err) != 0) {
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

static void add_unit(struct canh_store *s, const char *code, const char *parent, int want)
{
	struct canh_unit u = {code, code, "school", parent, "[]", "[]", 0};
	struct canh_errmsg err;
	int rc = canh_store_unit_add(s, &u, NOW, "test", &err);

	if (rc != want) {
		print_error("add %s: want %d, got %d (%s)\n", code, want, rc, err.text);
		fail();
	}
}

static void hash_of(const char *secret, char out[CANH_SHA256_HEX])
{
	assert_int_equal(canh_sha256_hex(secret, strlen(secret), out), 0);
}

/* Create a token for unit and enroll an agent with it; returns the agent id. */
static int64_t enroll(struct canh_store *s, const char *unit, const char *token)
{
	char th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;

	hash_of(token, th);
	hash_of("secret", ch);
	assert_int_equal(canh_store_token_create(s, unit, th, NOW, NOW + HOUR, "test", &tid, &err),
			 0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = "host-1";
	e.machine_id = "m1";
	e.agent_version = "0.1.0";
	e.now = NOW;
	assert_int_equal(canh_store_enroll(s, &e, &id, code, &err), 0);
	assert_string_equal(code, unit);
	return id;
}

static void ingest(struct canh_store *s, int64_t agent, const char *body,
		   const struct canh_ingest_result *want)
{
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg err;

	if (canh_proto_batch_parse(body, strlen(body), &b, &err) != 0) {
		print_error("parse: %s\n", err.text);
		fail();
	}
	if (canh_store_ingest_batch(s, agent, &b, NOW, &res, &err) != 0) {
		print_error("ingest: %s\n", err.text);
		fail();
	}
	canh_proto_batch_release(&b);
	if (res.ack != want->ack || res.stored != want->stored ||
	    res.duplicates != want->duplicates || res.rejected != want->rejected) {
		print_error("want ack %llu stored %zu dup %zu rej %zu, got %llu %zu %zu %zu\n",
			    (unsigned long long)want->ack, want->stored, want->duplicates,
			    want->rejected, (unsigned long long)res.ack, res.stored, res.duplicates,
			    res.rejected);
		fail();
	}
}

#define TM "\"time\":\"2026-11-21T11:50:07Z\""
#define HB(seq) "{\"seq\":" #seq ",\"type\":\"heartbeat\"," TM ",\"data\":{\"uptime_s\":1}}"
#define BATCH(...) "{\"version\":1,\"messages\":[" __VA_ARGS__ "]}"
#define INV(seq, host, extra)                                                                      \
	"{\"seq\":" #seq ",\"type\":\"inventory\"," TM ",\"data\":{\"hostname\":\"" host "\","     \
	"\"machine_id\":\"m1\",\"os\":{\"id\":\"debian\",\"pretty_name\":\"Debian 12\"},"          \
	"\"kernel\":{\"release\":\"6.1\"},\"arch\":\"x86_64\"" extra "}}"
#define PKGS(...) ",\"packages\":[" __VA_ARGS__ "]"
#define PKG(n) "{\"manager\":\"dpkg\",\"name\":\"" n "\",\"version\":\"1.0\"}"

static json_t *host(struct canh_store *s, int64_t id)
{
	struct canh_errmsg err;
	json_t *h;

	assert_int_equal(canh_store_host_get(s, id, &h, &err), 0);
	return h;
}

/* Names of the host's packages joined by ','. */
static void package_names(struct canh_store *s, int64_t id, char *out, size_t len)
{
	json_t *h = host(s, id), *p;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(h, "packages"), i, p)
	{
		size_t l = strlen(out);
		snprintf(out + l, len - l, "%s%s", i ? "," : "",
			 json_string_value(json_object_get(p, "name")));
	}
	json_decref(h);
}

/* ---- tests ---- */

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	struct stat st;
	int v = canh_store_schema_version(f->s);
	json_t *arr;

	assert_true(v >= 1);
	add_unit(f->s, "ROOT", NULL, 0);
	canh_store_free(f->s);
	/* Reopening applies nothing twice and keeps the data. */
	assert_int_equal(canh_store_open(f->db, &f->s, &err), 0);
	assert_int_equal(canh_store_schema_version(f->s), v);
	assert_int_equal(canh_store_unit_list(f->s, &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 1);
	json_decref(arr);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* Each area's version is its step count after open; a newer one is refused. */
static void test_area_versions(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	size_t n;
	const struct sq_component *const *c = canh__store_components(&n);
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[160];

	assert_true(n >= 1);
	canh_store_free(f->s);
	f->s = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT version FROM schema_components "
						    "WHERE name = ?1",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(st, 1, c[k]->name, -1, SQLITE_STATIC);
		if (c[k]->n == 0) {
			/* An area with no steps yet may have no row. */
			int r = sqlite3_step(st);
			assert_true(r == SQLITE_DONE ||
				    (r == SQLITE_ROW && sqlite3_column_int(st, 0) == 0));
		} else {
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), (int)c[k]->n);
		}
		sqlite3_finalize(st);
	}
	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_components (name, version) VALUES ('%s', %zu) "
		 "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
		 c[0]->name, c[0]->n + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(canh_store_open(f->db, &f->s, &err), CANH_ESTORE);
	assert_non_null(strstr(err.text, "newer than this canhd knows"));
	assert_null(f->s);
}

static void test_unit_tree(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *arr, *u;
	int created;

	add_unit(f->s, "SO", NULL, 0);
	add_unit(f->s, "PHONG-B", "SO", 0);
	add_unit(f->s, "PHONG-A", "SO", 0);
	add_unit(f->s, "TRUONG-1", "PHONG-B", 0);
	add_unit(f->s, "AA-OTHER-ROOT", NULL, 0);
	add_unit(f->s, "SO", NULL, CANH_EEXIST);
	add_unit(f->s, "X", "NOPE", CANH_ENOENT);

	/* Parents before children, siblings by code. */
	assert_int_equal(canh_store_unit_list(f->s, &arr, &err), 0);
	{
		const char *want[] = {"AA-OTHER-ROOT", "SO", "PHONG-A", "PHONG-B", "TRUONG-1"};
		assert_int_equal(json_array_size(arr), 5);
		for (size_t i = 0; i < 5; i++)
			assert_string_equal(
			    json_string_value(json_object_get(json_array_get(arr, i), "code")),
			    want[i]);
		assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "parent")));
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(arr, 4), "parent")),
		    "PHONG-B");
	}
	json_decref(arr);

	assert_int_equal(canh_store_unit_get(f->s, "SO", &u, &err), 0);
	assert_int_equal(json_array_size(json_object_get(u, "children")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(u, "children"), 0)),
			    "PHONG-A");
	json_decref(u);
	assert_int_equal(canh_store_unit_get(f->s, "NOPE", &u, &err), CANH_ENOENT);
	assert_non_null(strstr(err.text, "'NOPE'"));

	/* Upsert updates; moving SO under its own grandchild is a cycle. */
	{
		struct canh_unit up = {"PHONG-A", "Phòng A", "district", "SO", "[\"192.0.2.0/24\"]",
				       NULL,	  0};
		assert_int_equal(canh_store_unit_upsert(f->s, &up, NOW, "test", &created, &err), 0);
		assert_false(created);
		assert_int_equal(canh_store_unit_get(f->s, "PHONG-A", &u, &err), 0);
		assert_string_equal(json_string_value(json_object_get(u, "name")), "Phòng A");
		assert_string_equal(json_string_value(json_object_get(u, "type")), "district");
		assert_string_equal(
		    json_string_value(json_array_get(json_object_get(u, "public_ranges"), 0)),
		    "192.0.2.0/24");
		json_decref(u);

		struct canh_unit cyc = {"SO", "Sở", "department", "TRUONG-1", "[]", NULL, 0};
		assert_int_equal(canh_store_unit_upsert(f->s, &cyc, NOW, "test", &created, &err),
				 CANH_ECONFLICT);
		struct canh_unit self = {"SO", "Sở", "department", "SO", "[]", NULL, 0};
		assert_int_equal(canh_store_unit_upsert(f->s, &self, NOW, "test", &created, &err),
				 CANH_ECONFLICT);
		struct canh_unit fresh = {"NEW", "n", "other", "SO", "[]", NULL, 0};
		assert_int_equal(canh_store_unit_upsert(f->s, &fresh, NOW, "test", &created, &err),
				 0);
		assert_true(created);
	}
	assert_int_equal(canh_store_audit_list(f->s, 100, &arr, &err), 0);
	assert_true(json_array_size(arr) >= 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "action")),
			    "unit.add");
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "object")),
			    "NEW");
	json_decref(arr);
}

static void test_unit_json(void **state)
{
	static const struct {
		const char *json;
		const char *err; /* NULL: valid */
	} cases[] = {
	    {"{\"code\":\"A\",\"name\":\"a\"}", NULL},
	    {"{\"code\":\"A.b_c-1\",\"name\":\"Trường THPT\",\"type\":\"school\",\"parent\":null,"
	     "\"public_ranges\":[\"203.0.113.5/28\",\"2001:db8::1\"],"
	     "\"contacts\":[{\"name\":\"A\",\"phone\":\"0912\"}]}",
	     NULL},
	    {"{\"name\":\"a\"}", "code:"},
	    {"{\"code\":\"a b\",\"name\":\"a\"}", "code: 'a b'"},
	    {"{\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	     "\"name\":\"a\"}",
	     "code:"},
	    {"{\"code\":\"A\"}", "name:"},
	    {"{\"code\":\"A\",\"name\":\"\"}", "name: must not be empty"},
	    {"{\"code\":\"A\",\"name\":\"a\\nb\"}", "control character"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"type\":\"planet\"}", "type: 'planet'"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"parent\":\"A\"}", NULL}, /* the store decides */
	    {"{\"code\":\"A\",\"name\":\"a\",\"parent\":5}", "parent:"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"public_ranges\":\"1.2.3.4\"}", "expected an array"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"public_ranges\":[\"1.2.3.4\",\"203.0.113.300/28\"]}",
	     "public_ranges[1]: '203.0.113.300/28' is not an IPv4 or IPv6 address or CIDR"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"contacts\":[{\"fax\":\"1\"}]}",
	     "contacts[0]: unknown field 'fax'"},
	    {"{\"code\":\"A\",\"name\":\"a\",\"contacts\":[\"x\"]}", "contacts[0]"},
	};
	struct canh_unit_in u;
	struct canh_errmsg err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(cases[i].json, 0, NULL);
		int rc;

		assert_non_null(j);
		rc = canh_unit_from_json(j, CANH_LANG_EN, &u, &err);
		json_decref(j);
		if (!cases[i].err) {
			if (rc != 0) {
				print_error("case %zu: %s\n", i, err.text);
				fail();
			}
			canh_unit_in_release(&u);
			continue;
		}
		if (rc == 0 || !strstr(err.text, cases[i].err)) {
			print_error("case %zu: want '%s', got %d '%s'\n", i, cases[i].err, rc,
				    rc ? err.text : "");
			fail();
		}
	}
	/* Ranges are normalised. */
	{
		json_t *j = json_loads("{\"code\":\"A\",\"name\":\"a\",\"public_ranges\":"
				       "[\"203.0.113.5/28\",\"2001:DB8::1\",\"::ffff:192.0.2.1\"]}",
				       0, NULL);
		assert_int_equal(canh_unit_from_json(j, CANH_LANG_EN, &u, &err), 0);
		assert_string_equal(u.ranges_json,
				    "[\"203.0.113.0/28\",\"2001:db8::1/128\",\"192.0.2.1/32\"]");
		assert_string_equal(u.type, "other");
		assert_null(u.unit.parent);
		canh_unit_in_release(&u);
		json_decref(j);
	}
	/* In Vietnamese; a quoted value is cut between characters, never inside one. */
	{
		json_t *j = json_loads("{\"code\":\"A\",\"name\":\"a\","
				       "\"type\":\"trường học cấp ba quá dài\"}",
				       0, NULL);
		assert_int_equal(canh_unit_from_json(j, CANH_LANG_VI, &u, &err), CANH_EINVAL);
		assert_string_equal(
		    err.text, "loại đơn vị (type) 'trường học cấp ba quá d' không hợp lệ: phải "
			      "là department, district, school, centre hoặc other");
		assert_int_equal(canh_unit_from_json(j, CANH_LANG_EN, &u, &err), CANH_EINVAL);
		assert_true(canh_utf8_valid(err.text, strlen(err.text)));
		json_decref(j);
	}
}

static json_t *import(struct canh_store *s, const char *csv)
{
	struct canh_errmsg err;
	json_t *res;
	int rc = canh_units_import_csv(s, csv, strlen(csv), NOW, "test", CANH_LANG_EN, &res, &err);

	if (rc != 0) {
		print_error("import: %s\n", err.text);
		fail();
	}
	return res;
}

static void expect_import(json_t *res, long imported, long updated, const size_t *err_lines,
			  size_t nerr)
{
	json_t *errs = json_object_get(res, "errors");

	if (json_integer_value(json_object_get(res, "imported")) != imported ||
	    json_integer_value(json_object_get(res, "updated")) != updated ||
	    json_array_size(errs) != nerr) {
		char *t = json_dumps(res, 0);
		print_error("want %ld/%ld/%zu errors, got %s\n", imported, updated, nerr, t);
		free(t);
		fail();
	}
	for (size_t i = 0; i < nerr; i++)
		assert_int_equal(
		    json_integer_value(json_object_get(json_array_get(errs, i), "line")),
		    err_lines[i]);
}

static void test_import(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	json_t *res, *u;

	/* BOM, CRLF, columns in another order, an extra column, quoted fields, a child
	   before its parent (twice removed), bad rows of every kind. */
	res = import(f->s, "\xEF\xBB\xBF"
			   "name,code,extra,type,public_ranges,parent_code\r\n"
			   "Trường 1,T1,x,school,\"198.51.100.0/24 2001:db8::/32\",PHONG\r\n"
			   "\"Phòng, GDĐT\",PHONG,x,district,,SO\r\n"
			   "Sở,SO,x,department,203.0.113.0/28,\r\n"
			   "bad,\"a b\",x,school,,\r\n"
			   "bad type,BT,x,planet,,\r\n"
			   "orphan,ORPH,x,school,,NOWHERE\r\n"
			   "bad range,BR,x,school,1.2.3.999,\r\n"
			   "dup,T1,x,school,,\r\n"
			   "\r\n"
			   ",,,,,\r\n"
			   "c1,C1,x,school,,C2\r\n"
			   "c2,C2,x,school,,C1\r\n"
			   "\"multi\"\"quoted\",MQ,x,centre,,SO\r\n");
	{
		const size_t lines[] = {5, 6, 7, 8, 9, 12, 13};
		expect_import(res, 4, 0, lines, 7);
		assert_non_null(
		    strstr(json_string_value(json_object_get(
			       json_array_get(json_object_get(res, "errors"), 2), "error")),
			   "'NOWHERE' not found"));
		assert_non_null(
		    strstr(json_string_value(json_object_get(
			       json_array_get(json_object_get(res, "errors"), 4), "error")),
			   "duplicate code 'T1' (first on line 2)"));
	}
	json_decref(res);
	assert_int_equal(canh_store_unit_get(f->s, "T1", &u, &err), 0);
	assert_string_equal(json_string_value(json_object_get(u, "parent")), "PHONG");
	assert_int_equal(json_array_size(json_object_get(u, "public_ranges")), 2);
	json_decref(u);
	assert_int_equal(canh_store_unit_get(f->s, "MQ", &u, &err), 0);
	assert_string_equal(json_string_value(json_object_get(u, "name")), "multi\"quoted");
	json_decref(u);

	/* Again with changes: existing codes are updated; ';' files work; a file without a
	   public_ranges or parent_code column keeps what is stored. */
	res = import(f->s, "code;name;type\nSO;Sở GDĐT;department\nNEW;New;other\n");
	expect_import(res, 1, 1, NULL, 0);
	json_decref(res);
	assert_int_equal(canh_store_unit_get(f->s, "SO", &u, &err), 0);
	assert_string_equal(json_string_value(json_object_get(u, "name")), "Sở GDĐT");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(u, "public_ranges"), 0)),
	    "203.0.113.0/28");
	json_decref(u);
	res = import(f->s, "code,name,type\nT1,T1 renamed,school\n");
	expect_import(res, 0, 1, NULL, 0);
	json_decref(res);
	assert_int_equal(canh_store_unit_get(f->s, "T1", &u, &err), 0);
	assert_string_equal(json_string_value(json_object_get(u, "parent")), "PHONG");
	json_decref(u);

	/* An update that would make a cycle with stored units is a row error. */
	res = import(f->s, "code,name,type,parent_code\nSO,s,department,T1\n");
	{
		const size_t lines[] = {2};
		expect_import(res, 0, 0, lines, 1);
	}
	json_decref(res);

	/* Unusable files. */
	assert_int_equal(canh_units_import_csv(f->s, "", 0, NOW, "t", CANH_LANG_EN, &res, &err),
			 CANH_EPARSE);
	assert_int_equal(
	    canh_units_import_csv(f->s, "a,b\n", 4, NOW, "t", CANH_LANG_EN, &res, &err),
	    CANH_EPARSE);
	assert_non_null(strstr(err.text, "'code'"));
	/* An unterminated quote is a row error at its line. */
	res = import(f->s, "code,name,type\nQ1,q,school\n\"Q2,q,school\n");
	{
		const size_t lines[] = {3};
		expect_import(res, 1, 0, lines, 1);
	}
	json_decref(res);

	/* In Vietnamese: the CSV reader's failures and the store's codes are worded too. */
	assert_int_equal(canh_units_import_csv(f->s, "code,name,type\nQ3,q,school\n\"Q4,q\n", 33,
					       NOW, "t", CANH_LANG_VI, &res, &err),
			 0);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(res, "errors"), 0), "error")),
			    "trường mở dấu ngoặc kép ở dòng 3 không được đóng lại");
	json_decref(res);
	assert_int_equal(canh_units_import_csv(f->s,
					       "code,name,type,parent_code\nSO,s,department,T1\n",
					       46, NOW, "t", CANH_LANG_VI, &res, &err),
			 0);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(res, "errors"), 0), "error")),
			    "đơn vị cha 'T1' sẽ khiến đơn vị 'SO' trở thành cấp trên của chính nó");
	json_decref(res);
	{
		/* A header field over the reader's cap (16 KiB): the file is refused. */
		size_t n = 17 * 1024;
		char *big = malloc(n + 1);
		memset(big, 'c', n);
		big[n] = '\0';
		assert_int_equal(
		    canh_units_import_csv(f->s, big, n, NOW, "t", CANH_LANG_VI, &res, &err),
		    CANH_EPARSE);
		assert_string_equal(err.text, "dòng 1: trường thứ 1 dài quá 16384 byte");
		assert_int_equal(
		    canh_units_import_csv(f->s, big, n, NOW, "t", CANH_LANG_EN, &res, &err),
		    CANH_EPARSE);
		assert_string_equal(err.text, "line 1: field 1 is longer than 16384 bytes");
		free(big);
	}
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	char th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;
	json_t *arr;

	add_unit(f->s, "U", NULL, 0);
	hash_of("token-1", th);
	hash_of("cred", ch);
	assert_int_equal(
	    canh_store_token_create(f->s, "NOPE", th, NOW, NOW + HOUR, "t", &tid, &err),
	    CANH_ENOENT);
	assert_int_equal(canh_store_token_create(f->s, "U", th, NOW, NOW + HOUR, "t", &tid, &err),
			 0);
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = "h";
	e.now = NOW + 1;
	assert_int_equal(canh_store_enroll(f->s, &e, &id, code, &err), 0);
	assert_true(id > 0);
	/* Single use. */
	assert_int_equal(canh_store_enroll(f->s, &e, &id, code, &err), CANH_ECONFLICT);
	assert_string_equal(err.text, "enrolment token already used");
	/* Unknown. */
	hash_of("token-unknown", th);
	assert_int_equal(canh_store_enroll(f->s, &e, &id, code, &err), CANH_ENOENT);
	assert_string_equal(err.text, "unknown enrolment token");
	/* Expired: at expires_at exactly it is no longer valid. */
	hash_of("token-2", th);
	assert_int_equal(canh_store_token_create(f->s, "U", th, NOW, NOW + HOUR, "t", &tid, &err),
			 0);
	e.now = NOW + HOUR;
	assert_int_equal(canh_store_enroll(f->s, &e, &id, code, &err), CANH_EEXPIRED);
	assert_string_equal(err.text, "enrolment token expired");

	assert_int_equal(canh_store_token_list(f->s, &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 2);
	assert_false(json_is_null(json_object_get(json_array_get(arr, 0), "used_at")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "agent_id")),
			 1);
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "used_at")));
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "agent_id")));
	json_decref(arr);
}

static void test_ingest_idempotent(void **state)
{
	struct fixture *f = *state;
	const char *b = BATCH(HB(1) "," HB(2) "," HB(3));
	struct canh_ingest_result first = {3, 3, 0, 0}, again = {3, 0, 3, 0};
	struct canh_errmsg err;
	uint64_t ack;
	int64_t id;
	json_t *h;

	add_unit(f->s, "U", NULL, 0);
	id = enroll(f->s, "U", "tok");
	ingest(f->s, id, b, &first);
	ingest(f->s, id, b, &again);
	assert_int_equal(canh_store_agent_ack(f->s, id, &ack, &err), 0);
	assert_int_equal(ack, 3);
	h = host(f->s, id);
	assert_int_equal(json_integer_value(json_object_get(h, "messages")), 3);
	assert_int_equal(json_integer_value(json_object_get(h, "ack_seq")), 3);
	json_decref(h);
	/* An overlapping batch: the old ones are duplicates. */
	{
		struct canh_ingest_result want = {4, 1, 2, 0};
		ingest(f->s, id, BATCH(HB(2) "," HB(3) "," HB(4)), &want);
	}
	/* Unknown agent. */
	{
		struct canh_proto_batch pb;
		struct canh_ingest_result res;
		assert_int_equal(canh_proto_batch_parse(b, strlen(b), &pb, &err), 0);
		assert_int_equal(canh_store_ingest_batch(f->s, 999, &pb, NOW, &res, &err),
				 CANH_ENOENT);
		canh_proto_batch_release(&pb);
	}
}

static void test_ack_gap(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	add_unit(f->s, "U", NULL, 0);
	id = enroll(f->s, "U", "tok");
	{
		struct canh_ingest_result want = {2, 3, 0, 0};
		ingest(f->s, id, BATCH(HB(1) "," HB(2) "," HB(4)), &want);
	}
	{
		struct canh_ingest_result want = {2, 1, 0, 0};
		ingest(f->s, id, BATCH(HB(6)), &want);
	}
	{
		/* 3 fills the first gap; 5 is still missing. */
		struct canh_ingest_result want = {4, 1, 0, 0};
		ingest(f->s, id, BATCH(HB(3)), &want);
	}
	{
		/* A rejected message is held too: it fills the gap. */
		struct canh_ingest_result want = {6, 0, 1, 1};
		ingest(f->s, id,
		       BATCH("{\"seq\":5,\"type\":\"nonsense\"," TM ",\"data\":{}}," HB(6)), &want);
	}
	{
		/* Re-sending the rejected message changes nothing. */
		struct canh_ingest_result want = {6, 0, 1, 0};
		ingest(f->s, id, BATCH("{\"seq\":5,\"type\":\"nonsense\"," TM ",\"data\":{}}"),
		       &want);
	}
	{
		json_t *h = host(f->s, id);
		assert_int_equal(json_integer_value(json_object_get(h, "rejected")), 1);
		assert_int_equal(json_integer_value(json_object_get(h, "messages")), 5);
		json_decref(h);
	}
}

static void test_inventory_sections(void **state)
{
	struct fixture *f = *state;
	char names[256];
	int64_t id;
	json_t *h;

	add_unit(f->s, "U", NULL, 0);
	id = enroll(f->s, "U", "tok");
	{
		struct canh_ingest_result want = {1, 1, 0, 0};
		ingest(f->s, id,
		       BATCH(INV(1, "may-1",
				 PKGS(PKG("b") "," PKG("a")) ",\"interfaces\":[{\"name\":\"eth0\","
							     "\"up\":true,\"addresses\":[\"192.0.2."
							     "1/24\"]}]")),
		       &want);
	}
	package_names(f->s, id, names, sizeof(names));
	assert_string_equal(names, "a,b");
	h = host(f->s, id);
	assert_string_equal(json_string_value(json_object_get(h, "hostname")), "may-1");
	assert_string_equal(json_string_value(json_object_get(h, "os")), "Debian 12");
	assert_int_equal(json_array_size(json_object_get(h, "packages")), 2);
	assert_int_equal(json_array_size(json_object_get(h, "interfaces")), 1);
	json_decref(h);

	/* No packages section: the stored packages stay; listening replaces; hostname changes. */
	{
		struct canh_ingest_result want = {2, 1, 0, 0};
		ingest(
		    f->s, id,
		    BATCH(INV(
			2, "may-2",
			",\"listening\":[{\"proto\":\"tcp\",\"addr\":\"0.0.0.0\",\"port\":22}]")),
		    &want);
	}
	package_names(f->s, id, names, sizeof(names));
	assert_string_equal(names, "a,b");
	h = host(f->s, id);
	assert_string_equal(json_string_value(json_object_get(h, "hostname")), "may-2");
	assert_int_equal(json_array_size(json_object_get(h, "listening")), 1);
	assert_int_equal(json_array_size(json_object_get(h, "interfaces")), 1);
	json_decref(h);

	/* An empty packages section replaces with nothing. */
	{
		struct canh_ingest_result want = {3, 1, 0, 0};
		ingest(f->s, id, BATCH(INV(3, "may-2", PKGS(PKG("c")))), &want);
	}
	package_names(f->s, id, names, sizeof(names));
	assert_string_equal(names, "c");

	/* A duplicate never re-applies its inventory. */
	{
		struct canh_ingest_result want = {3, 0, 1, 0};
		ingest(f->s, id, BATCH(INV(1, "may-1", PKGS(PKG("b") "," PKG("a")))), &want);
	}
	package_names(f->s, id, names, sizeof(names));
	assert_string_equal(names, "c");

	/* An older inventory arriving after a newer one (a gap filled) does not win. */
	{
		struct canh_ingest_result want = {3, 1, 0, 0};
		ingest(f->s, id, BATCH(INV(6, "may-6", PKGS(PKG("z")))), &want);
	}
	{
		struct canh_ingest_result want = {3, 1, 0, 0};
		ingest(
		    f->s, id,
		    BATCH(INV(5, "may-5", PKGS(PKG("y")) ",\"interfaces\":[{\"name\":\"eth9\"}]")),
		    &want);
	}
	package_names(f->s, id, names, sizeof(names));
	assert_string_equal(names, "z");
	h = host(f->s, id);
	assert_string_equal(json_string_value(json_object_get(h, "hostname")), "may-6");
	/* ...but a section the newer one lacked is newer in the older message. */
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(h, "interfaces"), 0), "name")),
			    "eth9");
	json_decref(h);
	{
		struct canh_ingest_result want = {6, 1, 0, 0};
		ingest(f->s, id, BATCH(HB(4)), &want);
	}
}

static void test_revoke_and_seen(void **state)
{
	struct fixture *f = *state;
	char hash[CANH_SHA256_HEX];
	struct canh_errmsg err;
	int revoked;
	int64_t id;
	json_t *h, *sum;

	add_unit(f->s, "U", NULL, 0);
	id = enroll(f->s, "U", "tok");
	assert_int_equal(canh_store_agent_cred(f->s, id, hash, &revoked, &err), 0);
	assert_false(revoked);
	hash_of("secret", hash + 0); /* recompute to compare */
	{
		char stored[CANH_SHA256_HEX];
		assert_int_equal(canh_store_agent_cred(f->s, id, stored, &revoked, &err), 0);
		assert_string_equal(stored, hash);
	}
	assert_int_equal(canh_store_agent_seen(f->s, id, "192.0.2.7", NOW + 1, &err), 0);
	assert_int_equal(canh_store_agent_seen(f->s, id, "192.0.2.7", NOW + 2, &err), 0);
	assert_int_equal(canh_store_agent_seen(f->s, id, "2001:db8::9", NOW + 3, &err), 0);
	assert_int_equal(canh_store_agent_seen(f->s, 999, "192.0.2.7", NOW, &err), CANH_ENOENT);
	h = host(f->s, id);
	assert_string_equal(json_string_value(json_object_get(h, "last_addr")), "2001:db8::9");
	{
		json_t *a = json_object_get(h, "addresses");
		assert_int_equal(json_array_size(a), 2);
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(a, 1), "addr")), "192.0.2.7");
		assert_int_equal(
		    json_integer_value(json_object_get(json_array_get(a, 1), "requests")), 2);
	}
	json_decref(h);

	assert_int_equal(canh_store_summary(f->s, NOW + 10, &sum, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(sum, "hosts_active")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "hosts_seen_24h")), 1);
	json_decref(sum);

	assert_int_equal(canh_store_agent_revoke(f->s, id, NOW, "t", &err), 0);
	assert_int_equal(canh_store_agent_revoke(f->s, id, NOW, "t", &err), 0);
	assert_int_equal(canh_store_agent_revoke(f->s, 999, NOW, "t", &err), CANH_ENOENT);
	assert_int_equal(canh_store_agent_cred(f->s, id, hash, &revoked, &err), 0);
	assert_true(revoked);
	assert_int_equal(canh_store_agent_cred(f->s, 999, hash, &revoked, &err), CANH_ENOENT);
	{
		const char *b = BATCH(HB(1));
		struct canh_proto_batch pb;
		struct canh_ingest_result res;
		assert_int_equal(canh_proto_batch_parse(b, strlen(b), &pb, &err), 0);
		assert_int_equal(canh_store_ingest_batch(f->s, id, &pb, NOW, &res, &err),
				 CANH_ECONFLICT);
		canh_proto_batch_release(&pb);
	}
	h = host(f->s, id);
	assert_string_equal(json_string_value(json_object_get(h, "status")), "revoked");
	json_decref(h);
	assert_int_equal(canh_store_summary(f->s, NOW + 10, &sum, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(sum, "hosts")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "hosts_active")), 0);
	json_decref(sum);
}

static void test_api_token(void **state)
{
	struct fixture *f = *state;
	char h1[CANH_SHA256_HEX], h2[CANH_SHA256_HEX], got[CANH_SHA256_HEX];
	struct canh_errmsg err;

	hash_of("a", h1);
	hash_of("b", h2);
	assert_int_equal(canh_store_api_token_get(f->s, "admin", got, &err), CANH_ENOENT);
	assert_int_equal(canh_store_api_token_set(f->s, "admin", "admin", h1, NOW, "system", &err),
			 0);
	assert_int_equal(canh_store_api_token_set(f->s, "admin", "admin", h2, NOW, "system", &err),
			 0);
	assert_int_equal(canh_store_api_token_get(f->s, "admin", got, &err), 0);
	assert_string_equal(got, h2);
}

/* Several threads writing and reading at once: the store serialises them. */
struct worker {
	struct canh_store *s;
	int64_t agent;
	int failures;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct canh_buf b = CANH_BUF_INIT(1 << 20);

	for (int round = 0; round < 20; round++) {
		struct canh_proto_batch pb;
		struct canh_ingest_result res;
		struct canh_errmsg err;
		json_t *j;

		canh_buf_reset(&b);
		canh_buf_puts(&b, "{\"version\":1,\"messages\":[");
		for (int k = 1; k <= 10; k++)
			canh_buf_appendf(&b,
					 "%s{\"seq\":%d,\"type\":\"heartbeat\"," TM ",\"data\":{}}",
					 k > 1 ? "," : "", round * 10 + k);
		canh_buf_puts(&b, "]}");
		if (canh_proto_batch_parse(b.data, b.len, &pb, &err) != 0 ||
		    canh_store_ingest_batch(w->s, w->agent, &pb, NOW, &res, &err) != 0 ||
		    res.ack != (uint64_t)(round + 1) * 10)
			w->failures++;
		canh_proto_batch_release(&pb);
		if (canh_store_agent_seen(w->s, w->agent, "192.0.2.1", NOW, &err) != 0)
			w->failures++;
		if (canh_store_host_list(w->s, &j, &err) != 0)
			w->failures++;
		json_decref(j);
	}
	canh_buf_release(&b);
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	struct worker w[4];
	pthread_t t[4];
	char tok[16];

	add_unit(f->s, "U", NULL, 0);
	for (int i = 0; i < 4; i++) {
		snprintf(tok, sizeof(tok), "tok%d", i);
		w[i].s = f->s;
		w[i].agent = enroll(f->s, "U", tok);
		w[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
}

static int64_t count_rows(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Retention deletes old messages at or below the ack only; dedup and the ack still work. */
static void test_prune_messages(void **state)
{
	struct fixture *f = *state;
	struct canh_errmsg err;
	int64_t id, deleted;
	json_t *host;

	add_unit(f->s, "U", NULL, 0);
	id = enroll(f->s, "U", "tok-prune");
	ingest(f->s, id, "{\"version\":1,\"messages\":[" HB(1) "," HB(2) "]}",
	       &(struct canh_ingest_result){2, 2, 0, 0});
	/* a gap at 3: message 4 is stored above the ack */
	ingest(f->s, id, "{\"version\":1,\"messages\":[" HB(4) "]}",
	       &(struct canh_ingest_result){2, 1, 0, 0});
	/* nothing is older than the instant they arrived */
	assert_int_equal(canh_store_prune_messages(f->s, NOW, 100, &deleted, &err), 0);
	assert_int_equal(deleted, 0);
	/* chunks: at most max_rows at a time, oldest first */
	assert_int_equal(canh_store_prune_messages(f->s, NOW + 1, 1, &deleted, &err), 0);
	assert_int_equal(deleted, 1);
	assert_int_equal(canh_store_prune_messages(f->s, NOW + 1, 100, &deleted, &err), 0);
	assert_int_equal(deleted, 1);
	/* 1 and 2 are gone, 4 (above the ack) stays */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM agent_messages"), 1);
	assert_int_equal(count_rows(f->db, "SELECT max(seq) FROM agent_messages"), 4);
	/* a re-sent 1 is still a duplicate, by the ack alone */
	ingest(f->s, id, "{\"version\":1,\"messages\":[" HB(1) "]}",
	       &(struct canh_ingest_result){2, 0, 1, 0});
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM agent_messages"), 1);
	/* filling the gap moves the ack past the kept 4 */
	ingest(f->s, id, "{\"version\":1,\"messages\":[" HB(3) "]}",
	       &(struct canh_ingest_result){4, 1, 0, 0});
	/* the host's counter is not a count of rows */
	assert_int_equal(canh_store_host_get(f->s, id, &host, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(host, "messages")), 4);
	json_decref(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_area_versions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_tree, setup, teardown),
	    cmocka_unit_test(test_unit_json),
	    cmocka_unit_test_setup_teardown(test_import, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ingest_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ack_gap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inventory_sections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revoke_and_seen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_token, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_messages, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
