/*
 * canhd's HTTP layer in process: the real server (MHD, TLS, store) on
 * 127.0.0.1:0 in a temporary state directory, driven with libcurl. Mostly
 * the refusals: every 4xx the API documents, the body cap before and during
 * an upload, that a bad request never stops the server, and that the texts
 * come in the language Accept-Language asks for.
 */
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "server.h"

struct ctx {
	char dir[64];
	struct canh_server srv;
	char admin[65];
	char cred[128];
	int64_t agent_id;
};

static struct ctx *C;

struct resp {
	long status;
	struct canh_buf body;
	json_t *json;
	char content_language[16]; /* of the final answer, "" when absent */
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	return canh_buf_append(&r->body, p, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		r->content_language[0] = '\0'; /* a new answer (after 100 Continue) */
	if (len > 17 && strncasecmp(p, "Content-Language:", 17) == 0) {
		size_t k = 17, m;
		while (k < len && p[k] == ' ')
			k++;
		m = strcspn(p + k, "\r\n");
		if (k + m <= len && m < sizeof(r->content_language)) {
			memcpy(r->content_language, p + k, m);
			r->content_language[m] = '\0';
		}
	}
	return len;
}

struct upload {
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = size * n < u->left ? size * n : u->left;
	memset(buf, 'x', k);
	u->left -= k;
	return k;
}

/*
 * One request. body NULL: none. chunked_len > 0: a chunked upload of that
 * many bytes instead of body. Extra headers are NULL-terminated.
 */
static void request(const char *method, const char *path, const char *bearer, const char *ctype,
		    const char *body, size_t chunked_len, const char *const *extra, struct resp *r)
{
	struct curl_slist *h = NULL;
	struct upload up = {chunked_len};
	char url[256], auth[256], ct[128];
	CURL *c = curl_easy_init();
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	canh_buf_init(&r->body, 1 << 20);
	snprintf(url, sizeof(url), "%s%s", C->srv.url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (bearer) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, auth);
	}
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	}
	for (; extra && *extra; extra++)
		h = curl_slist_append(h, *extra);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (chunked_len) {
		h = curl_slist_append(h, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		print_error("%s %s: %s\n", method, path, curl_easy_strerror(cc));
		fail();
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
}

static void release(struct resp *r)
{
	canh_buf_release(&r->body);
	json_decref(r->json);
}

/* Expect a status and, for errors, the code and a message substring. */
static void expect(struct resp *r, long status, const char *code, const char *msg)
{
	if (r->status != status) {
		print_error("want %ld, got %ld: %s\n", status, r->status, canh_buf_cstr(&r->body));
		fail();
	}
	assert_non_null(r->json);
	if (code)
		assert_string_equal(json_string_value(json_object_get(r->json, "code")), code);
	if (msg && !strstr(json_string_value(json_object_get(r->json, "error")), msg)) {
		print_error("want '%s' in %s\n", msg, canh_buf_cstr(&r->body));
		fail();
	}
}

static void call(const char *method, const char *path, const char *bearer, const char *ctype,
		 const char *body, long status, const char *code, const char *msg)
{
	struct resp r;
	request(method, path, bearer, ctype, body, 0, NULL, &r);
	expect(&r, status, code, msg);
	release(&r);
}

#define JSON "application/json"

static int setup(void **state)
{
	struct canh_server_config cfg;
	struct canh_errmsg err;
	char *tok = NULL;
	size_t len;

	C = calloc(1, sizeof(*C));
	canh_log_init("test", CANH_LOG_ERROR, CANH_LOG_STDERR);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(C->dir, sizeof(C->dir), "/tmp/canh-http-XXXXXX");
	if (!mkdtemp(C->dir))
		return -1;
	canh_server_config_init(&cfg, &err);
	canh_config_set(canh_server_config_defs, &cfg, "listen", "127.0.0.1:0", &err);
	canh_config_set(canh_server_config_defs, &cfg, "max_body", "64K", &err);
	canh_config_set(canh_server_config_defs, &cfg, "threads", "2", &err);
	canh_config_set(canh_server_config_defs, &cfg, "trusted_proxies", "127.0.0.2/32", &err);
	if (canh_server_config_check(&cfg, "test", &err) != 0 ||
	    canh_server_init(&C->srv, &cfg, C->dir, &err) != 0 ||
	    canh_server_start(&C->srv, &err) != 0) {
		print_error("server: %s\n", err.text);
		return -1;
	}
	if (canh_file_read(C->srv.admin_token_path, 4096, &tok, &len, &err) != 0 || len != 64)
		return -1;
	memcpy(C->admin, tok, 64);
	free(tok);
	*state = C;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	canh_server_stop(&C->srv);
	canh_server_release(&C->srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", C->dir);
	if (system(cmd) != 0)
		return -1;
	curl_global_cleanup();
	free(C);
	return 0;
}

static void test_state_files(void **state)
{
	char *path = canh_path_join(C->dir, "canhd.json"), *text;
	struct canh_errmsg err;
	struct stat st;
	size_t len;
	json_t *j;

	(void)state;
	assert_int_equal(canh_file_read(path, 65536, &text, &len, &err), 0);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "url")), C->srv.url);
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), getpid());
	assert_int_equal(strlen(json_string_value(json_object_get(j, "fingerprint"))), 64);
	assert_true(json_string_value(json_object_get(j, "cert"))[0] == '/');
	assert_true(json_string_value(json_object_get(j, "admin_token_file"))[0] == '/');
	json_decref(j);
	free(text);
	free(path);
	assert_int_equal(stat(C->srv.admin_token_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(C->srv.key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(C->dir, &st), 0);
}

static void test_health_and_routing(void **state)
{
	struct resp r;

	(void)state;
	request("GET", "/api/v1/health", NULL, NULL, NULL, 0, NULL, &r);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	assert_true(json_integer_value(json_object_get(r.json, "schema")) >= 1);
	release(&r);
	call("GET", "/api/v1/nope", C->admin, NULL, NULL, 404, "not_found", "no such endpoint");
	call("GET", "/", NULL, NULL, NULL, 404, "not_found", NULL);
	call("GET", "/api/v1/units/", C->admin, NULL, NULL, 404, "not_found", NULL);
	call("DELETE", "/api/v1/units", C->admin, NULL, NULL, 405, "method_not_allowed",
	     "allowed: GET, POST");
	call("GET", "/api/v1/enroll", NULL, NULL, NULL, 405, "method_not_allowed", NULL);
	call("GET", "/api/v1/units/no%20such", C->admin, NULL, NULL, 404, "not_found", NULL);
	call("GET", "/api/v1/hosts/abc", C->admin, NULL, NULL, 404, "not_found", NULL);
	call("GET", "/api/v1/hosts/0", C->admin, NULL, NULL, 404, "not_found", NULL);
	call("GET", "/api/v1/hosts/99", C->admin, NULL, NULL, 404, "not_found", NULL);
}

static void test_auth(void **state)
{
	(void)state;
	call("GET", "/api/v1/units", NULL, NULL, NULL, 401, "unauthorized", "missing");
	call("GET", "/api/v1/units", "nope", NULL, NULL, 401, "unauthorized", NULL);
	call("GET", "/api/v1/units",
	     "0000000000000000000000000000000000000000000000000000000000000000", NULL, NULL, 401,
	     "unauthorized", NULL);
	call("GET", "/api/v1/agent/state", NULL, NULL, NULL, 401, "unauthorized", NULL);
	call("GET", "/api/v1/agent/state", C->admin, NULL, NULL, 403, "forbidden", NULL);
	call("GET", "/api/v1/agent/state",
	     "A1.0000000000000000000000000000000000000000000000000000000000000000", NULL, NULL, 401,
	     "unauthorized", NULL);
	call("GET", "/api/v1/summary", C->admin, NULL, NULL, 200, NULL, NULL);
}

static void test_units_and_bad_bodies(void **state)
{
	(void)state;
	call("POST", "/api/v1/units", C->admin, JSON,
	     "{\"code\":\"ROOT\",\"name\":\"Sở\",\"type\":\"department\"}", 201, NULL, NULL);
	call("POST", "/api/v1/units", C->admin, JSON, "{\"code\":\"ROOT\",\"name\":\"x\"}", 409,
	     "conflict", "'ROOT' already exists");
	call("POST", "/api/v1/units", C->admin, JSON,
	     "{\"code\":\"C\",\"name\":\"x\",\"parent\":\"NO\"}", 400, "bad_request",
	     "'NO' not found");
	call("POST", "/api/v1/units", C->admin, JSON, "{\"code\":", 400, "bad_request",
	     "malformed JSON");
	call("POST", "/api/v1/units", C->admin, JSON, "[1]", 400, "bad_request", "JSON object");
	call("POST", "/api/v1/units", C->admin, JSON, "", 400, "bad_request", NULL);
	call("POST", "/api/v1/units", C->admin, NULL, "{}", 415, "unsupported_media_type", NULL);
	call("POST", "/api/v1/units", C->admin, "text/plain", "{}", 415, "unsupported_media_type",
	     NULL);
	call("POST", "/api/v1/units/import", C->admin, JSON, "code", 415, "unsupported_media_type",
	     NULL);
	call("POST", "/api/v1/units/import", C->admin, "text/csv; charset=utf-8",
	     "code,name,type,parent_code\nCHILD,c,school,ROOT\nBAD,b,planet,\n", 200, NULL, NULL);
	call("POST", "/api/v1/units/import", C->admin, "text/csv", "nothing,useful\n", 400,
	     "bad_request", "'code'");
	call("GET", "/api/v1/units/CHILD", C->admin, NULL, NULL, 200, NULL, NULL);
}

static void test_body_cap(void **state)
{
	char *big = malloc(70 * 1024);
	const char *const expect100[] = {"Expect: 100-continue", NULL};
	const char *const no_expect[] = {"Expect:", NULL};
	struct resp r;

	(void)state;
	memset(big, 'x', 70 * 1024 - 1);
	big[70 * 1024 - 1] = '\0';
	/* Declared length over the cap: refused before the body. */
	request("POST", "/api/v1/units", C->admin, JSON, big, 0, expect100, &r);
	expect(&r, 413, "too_large", "over the limit");
	release(&r);
	/* Even unauthenticated: the size is checked first. */
	request("POST", "/api/v1/enroll", NULL, JSON, big, 0, expect100, &r);
	expect(&r, 413, "too_large", NULL);
	release(&r);
	/* Chunked: refused when it passes the cap. */
	request("POST", "/api/v1/units", C->admin, JSON, NULL, 200 * 1024, NULL, &r);
	expect(&r, 413, "too_large", NULL);
	release(&r);
	/* Under the cap, chunked is fine (and here it is not JSON). */
	request("POST", "/api/v1/units", C->admin, JSON, NULL, 1000, NULL, &r);
	expect(&r, 400, "bad_request", "malformed JSON");
	release(&r);
	/* A refusal with a body the client sends anyway still arrives whole. */
	request("POST", "/api/v1/units", "bad", JSON, big + 40 * 1024, 0, no_expect, &r);
	expect(&r, 401, "unauthorized", NULL);
	release(&r);
	free(big);
	call("GET", "/api/v1/health", NULL, NULL, NULL, 200, NULL, NULL);
}

static void enroll_agent(void)
{
	char body[256];
	struct resp r;
	const char *tok;

	request("POST", "/api/v1/tokens", C->admin, JSON,
		"{\"unit\":\"ROOT\",\"expires_in\":\"1h\"}", 0, NULL, &r);
	expect(&r, 201, NULL, NULL);
	tok = json_string_value(json_object_get(r.json, "token"));
	assert_int_equal(strlen(tok), 64);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"hostname\":\"h1\"}", tok);
	release(&r);

	request("POST", "/api/v1/enroll", NULL, JSON, body, 0, NULL, &r);
	expect(&r, 201, NULL, NULL);
	C->agent_id = json_integer_value(json_object_get(r.json, "agent_id"));
	snprintf(C->cred, sizeof(C->cred), "%s",
		 json_string_value(json_object_get(r.json, "credential")));
	assert_string_equal(json_string_value(json_object_get(r.json, "server_fingerprint")),
			    C->srv.fingerprint);
	release(&r);
	call("POST", "/api/v1/enroll", NULL, JSON, body, 401, "unauthorized",
	     "enrolment token already used");
}

static void test_tokens_enroll_agent(void **state)
{
	const char *xff[] = {"X-Forwarded-For: 198.51.100.7", NULL};
	struct resp r;

	(void)state;
	call("POST", "/api/v1/tokens", C->admin, JSON, "{\"unit\":\"NOPE\"}", 400, "bad_request",
	     "'NOPE' not found");
	call("POST", "/api/v1/tokens", C->admin, JSON, "{\"unit\":\"ROOT\",\"expires_in\":\"91d\"}",
	     400, "bad_request", "at most 90d");
	call("POST", "/api/v1/tokens", C->admin, JSON,
	     "{\"unit\":\"ROOT\",\"expires_in\":\"soon\"}", 400, "bad_request", "expires_in");
	call("POST", "/api/v1/enroll", NULL, JSON, "{\"hostname\":\"h\"}", 400, "bad_request",
	     "token");
	call("POST", "/api/v1/enroll", NULL, JSON, "{\"token\":\"abc\",\"hostname\":\"h\"}", 401,
	     "unauthorized", "unknown enrolment token");
	enroll_agent();

	call("GET", "/api/v1/units", C->cred, NULL, NULL, 403, "forbidden", NULL);
	/* The peer (127.0.0.1) is not a trusted proxy: X-Forwarded-For is ignored. */
	request("GET", "/api/v1/agent/state", C->cred, NULL, NULL, 0, xff, &r);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "ack")), 0);
	release(&r);

	/* Batches: good, malformed (400, and the server goes on), with a rejection. */
	call("POST", "/api/v1/agent/messages", C->cred, JSON,
	     "{\"version\":1,\"messages\":[{\"seq\":1,\"type\":\"heartbeat\","
	     "\"time\":\"2026-11-21T11:50:07Z\",\"data\":{}}]}",
	     200, NULL, NULL);
	call("POST", "/api/v1/agent/messages", C->cred, JSON, "{\"version\":1,\"messages\":[{}]}",
	     400, "bad_request", "seq");
	call("POST", "/api/v1/agent/messages", C->cred, JSON, "\x01\x02garbage", 400, "bad_request",
	     NULL);
	request("POST", "/api/v1/agent/messages", C->cred, JSON,
		"{\"version\":1,\"messages\":[{\"seq\":2,\"type\":\"what\",\"time\":\"x\"}]}", 0,
		NULL, &r);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "ack")), 2);
	assert_int_equal(json_integer_value(json_object_get(r.json, "rejected")), 1);
	release(&r);
	call("GET", "/api/v1/health", NULL, NULL, NULL, 200, NULL, NULL);

	request("GET", "/api/v1/hosts/1", C->admin, NULL, NULL, 0, NULL, &r);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "last_addr")), "127.0.0.1");
	release(&r);

	/* Revoked: the credential stops working. */
	call("POST", "/api/v1/hosts/1/revoke", C->admin, NULL, NULL, 200, NULL, NULL);
	call("GET", "/api/v1/agent/state", C->cred, NULL, NULL, 401, "unauthorized", "revoked");
	call("POST", "/api/v1/hosts/1/revoke", C->admin, NULL, NULL, 200, NULL, NULL);
	call("POST", "/api/v1/hosts/42/revoke", C->admin, NULL, NULL, 404, "not_found", NULL);
}

/* Expect an answer in a language: the Content-Language and words of the error text. */
static void expect_lang(struct resp *r, long status, const char *code, const char *lang,
			const char *msg)
{
	expect(r, status, code, msg);
	if (strcmp(r->content_language, lang) != 0) {
		print_error("want Content-Language %s, got '%s': %s\n", lang, r->content_language,
			    canh_buf_cstr(&r->body));
		fail();
	}
}

/* The error of line `line` in an import answer. */
static const char *import_error(const struct resp *r, long long line)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
	{
		if (json_integer_value(json_object_get(e, "line")) == line)
			return json_string_value(json_object_get(e, "error"));
	}
	print_error("no error for line %lld in %s\n", line, canh_buf_cstr(&r->body));
	fail();
	return NULL;
}

static void test_languages(void **state)
{
	const char *const vi[] = {"Accept-Language: vi-VN,vi;q=0.9,en;q=0.8", NULL};
	const char *const vi_wait[] = {"Accept-Language: vi", "Expect: 100-continue", NULL};
	const char *const vi_no_wait[] = {"Accept-Language: vi", "Expect:", NULL};
	const char *const en_first[] = {"Accept-Language: en-US,vi;q=0.5", NULL};
	const char *const vi_zero[] = {"Accept-Language: vi;q=0", NULL};
	const char *const csv = "code,name,type,parent_code\n"
				"V1,Trường Tiểu học V1,school,ROOT\n"
				"V2,x,school,NO-SUCH-UNIT\n"
				"V3,,school,ROOT\n"
				"V4,y,planet,ROOT\n"
				"V1,again,school,ROOT\n";
	char body[256], *big;
	struct resp r;
	const char *tok;

	(void)state;
	/* 404 on an unknown unit: Vietnamese when asked, English otherwise. */
	request("GET", "/api/v1/units/NOPE", C->admin, NULL, NULL, 0, vi, &r);
	expect_lang(&r, 404, "not_found", "vi", "không tìm thấy đơn vị 'NOPE'");
	release(&r);
	request("GET", "/api/v1/units/NOPE", C->admin, NULL, NULL, 0, NULL, &r);
	expect_lang(&r, 404, "not_found", "en", "unit 'NOPE' not found");
	release(&r);
	request("GET", "/api/v1/units/NOPE", C->admin, NULL, NULL, 0, en_first, &r);
	expect_lang(&r, 404, "not_found", "en", "unit 'NOPE' not found");
	release(&r);
	request("GET", "/api/v1/units/NOPE", C->admin, NULL, NULL, 0, vi_zero, &r);
	expect_lang(&r, 404, "not_found", "en", "unit 'NOPE' not found");
	release(&r);
	/* A success says its language too. */
	request("GET", "/api/v1/health", NULL, NULL, NULL, 0, vi, &r);
	expect_lang(&r, 200, NULL, "vi", NULL);
	release(&r);

	/* 401 on a used enrolment token. */
	request("POST", "/api/v1/tokens", C->admin, JSON, "{\"unit\":\"ROOT\"}", 0, NULL, &r);
	expect(&r, 201, NULL, NULL);
	tok = json_string_value(json_object_get(r.json, "token"));
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"hostname\":\"h-vi\"}", tok);
	release(&r);
	call("POST", "/api/v1/enroll", NULL, JSON, body, 201, NULL, NULL);
	request("POST", "/api/v1/enroll", NULL, JSON, body, 0, vi, &r);
	expect_lang(&r, 401, "unauthorized", "vi", "mã đăng ký đã được sử dụng");
	release(&r);
	request("POST", "/api/v1/enroll", NULL, JSON, body, 0, NULL, &r);
	expect_lang(&r, 401, "unauthorized", "en", "enrolment token already used");
	release(&r);
	request("POST", "/api/v1/enroll", NULL, JSON, "{\"token\":\"x\",\"hostname\":\"h\"}", 0, vi,
		&r);
	expect_lang(&r, 401, "unauthorized", "vi", "mã đăng ký không tồn tại");
	release(&r);

	/* The rows an import refuses, each in the language asked for. */
	request("POST", "/api/v1/units/import", C->admin, "text/csv", csv, 0, vi, &r);
	expect_lang(&r, 200, NULL, "vi", NULL);
	assert_string_equal(import_error(&r, 3), "đơn vị cha 'NO-SUCH-UNIT' không tồn tại");
	assert_string_equal(import_error(&r, 4), "tên đơn vị (name) không được để trống");
	assert_non_null(strstr(import_error(&r, 5), "loại đơn vị (type) 'planet' không hợp lệ"));
	assert_string_equal(import_error(&r, 6), "mã 'V1' bị trùng (đã có ở dòng 2)");
	release(&r);
	request("POST", "/api/v1/units/import", C->admin, "text/csv", csv, 0, NULL, &r);
	expect_lang(&r, 200, NULL, "en", NULL);
	assert_string_equal(import_error(&r, 3), "parent unit 'NO-SUCH-UNIT' not found");
	assert_string_equal(import_error(&r, 4), "name: must not be empty");
	assert_string_equal(import_error(&r, 6), "duplicate code 'V1' (first on line 2)");
	release(&r);
	request("POST", "/api/v1/units/import", C->admin, "text/csv", "nothing,useful\n", 0, vi,
		&r);
	expect_lang(&r, 400, "bad_request", "vi", "dòng tiêu đề không có cột 'code'");
	release(&r);

	/* Refusals before the body: at once, after a body sent anyway, and the raw 413. */
	request("DELETE", "/api/v1/units", C->admin, NULL, NULL, 0, vi, &r);
	expect_lang(&r, 405, "method_not_allowed", "vi", "không được dùng phương thức DELETE");
	release(&r);
	request("POST", "/api/v1/units", "bad", JSON, "{}", 0, vi_wait, &r);
	expect_lang(&r, 401, "unauthorized", "vi", "mã quản trị không hợp lệ");
	release(&r);
	request("POST", "/api/v1/units", "bad", JSON, "{}", 0, vi_no_wait, &r);
	expect_lang(&r, 401, "unauthorized", "vi", "mã quản trị không hợp lệ");
	release(&r);
	request("POST", "/api/v1/units", C->admin, "text/plain", "{}", 0, vi, &r);
	expect_lang(&r, 415, "unsupported_media_type", "vi", "nhưng nhận được 'text/plain'");
	release(&r);
	request("POST", "/api/v1/units", C->admin, JSON, NULL, 200 * 1024, vi, &r);
	expect_lang(&r, 413, "too_large", "vi", "vượt quá giới hạn");
	release(&r);
	big = malloc(70 * 1024);
	memset(big, 'x', 70 * 1024 - 1);
	big[70 * 1024 - 1] = '\0';
	request("POST", "/api/v1/units", C->admin, JSON, big, 0, vi_wait, &r);
	expect_lang(&r, 413, "too_large", "vi", "vượt quá giới hạn");
	release(&r);
	free(big);
	request("POST", "/api/v1/units", C->admin, JSON, "{\"code\":", 0, vi, &r);
	expect_lang(&r, 400, "bad_request", "vi", "JSON không hợp lệ");
	release(&r);
	request("POST", "/api/v1/units", C->admin, JSON,
		"{\"code\":\"A\",\"name\":\"a\",\"public_ranges\":[\"1.2.3.999\"]}", 0, vi, &r);
	expect_lang(&r, 400, "bad_request", "vi",
		    "public_ranges[0]: '1.2.3.999' không phải là địa chỉ");
	release(&r);
	request("POST", "/api/v1/units", C->admin, JSON, "{\"code\":\"ROOT\",\"name\":\"x\"}", 0,
		vi, &r);
	expect_lang(&r, 409, "conflict", "vi", "đơn vị 'ROOT' đã tồn tại");
	release(&r);
	request("GET", "/api/v1/hosts/999", C->admin, NULL, NULL, 0, vi, &r);
	expect_lang(&r, 404, "not_found", "vi", "không tìm thấy máy trạm 999");
	release(&r);
}

static void test_admin_token_regenerated(void **state)
{
	struct canh_server_config cfg = C->srv.cfg;
	char old[CANH_SHA256_HEX], path[128];
	struct canh_server s2;
	struct canh_errmsg err;

	(void)state;
	/* Deleting admin.token makes a new one on the next start; the old one stops working. */
	snprintf(path, sizeof(path), "%s", C->srv.admin_token_path);
	memcpy(old, C->srv.admin_hash, sizeof(old));
	canh_server_stop(&C->srv);
	canh_server_release(&C->srv);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(canh_server_init(&s2, &cfg, C->dir, &err), 0);
	assert_string_not_equal(s2.admin_hash, old);
	canh_server_release(&s2);
	/* Restart normally for the teardown. */
	assert_int_equal(canh_server_init(&C->srv, &cfg, C->dir, &err), 0);
	assert_int_equal(canh_server_start(&C->srv, &err), 0);
	call("GET", "/api/v1/units", C->admin, NULL, NULL, 401, "unauthorized", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_files), cmocka_unit_test(test_health_and_routing),
	    cmocka_unit_test(test_auth),	cmocka_unit_test(test_units_and_bad_bodies),
	    cmocka_unit_test(test_body_cap),	cmocka_unit_test(test_tokens_enroll_agent),
	    cmocka_unit_test(test_languages),	cmocka_unit_test(test_admin_token_regenerated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
