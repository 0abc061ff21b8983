/*
 * The HTTPS side of canhd over libmicrohttpd.
 *
 * MHD runs its own polling thread and a pool of worker threads (threads in
 * the config); each request is handled start to finish on one worker. The
 * access handler is called several times per request: the first call
 * routes, checks Content-Length against max_body, authenticates and checks
 * Content-Type, and may answer at once (4xx) without reading any body; the
 * following calls collect the body into a buffer capped at max_body (a
 * chunked upload that passes the cap is refused with 413 right there); the
 * last call runs the handler. Everything a handler needs is in struct
 * canh_req; it never touches MHD. The language of the answer's texts is
 * chosen on the first call, from Accept-Language, so that even a refusal
 * before the body is worded in it.
 */
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/config.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "http.h"

enum route_auth {
	AUTH_NONE,
	AUTH_ADMIN,
	AUTH_AGENT,
};

enum route_body {
	BODY_NONE,
	BODY_JSON,  /* a JSON object, parsed into r->json */
	BODY_BATCH, /* JSON left raw for lib/proto.c */
	BODY_CSV,
	BODY_RAW, /* any bytes, any Content-Type: a file as received (intel feeds) */
};

struct canh_route {
	const char *method;
	const char *path; /* after /api/v1/; "*" matches one segment (the argument) */
	enum route_auth auth;
	enum route_body body;
	void (*fn)(struct canh_req *r);
	/* A smaller body cap than max_body, or 0. Routes open to anyone get one,
	   so an unauthenticated client cannot make the server buffer max_body
	   bytes per connection. */
	int64_t body_cap;
};

#define ENROLL_MAX_BODY (64 * 1024)
/* body_cap of a route whose cap is [intel] max_feed_size, which may be over max_body. */
#define BODY_CAP_FEED (-1)
/* body_cap of a route whose cap is [vuln] max_advisory_size (the Debian tracker is tens of MB). */
#define BODY_CAP_ADVISORY (-2)
/* body_cap of a route whose cap is [hunt] max_rules_size. */
#define BODY_CAP_RULES (-3)

/* Literal paths before patterns: the first match wins. */
static const struct canh_route routes[] = {
    {"GET", "health", AUTH_NONE, BODY_NONE, canh_api_health},
    {"GET", "units", AUTH_ADMIN, BODY_NONE, canh_api_units_list},
    {"POST", "units", AUTH_ADMIN, BODY_JSON, canh_api_units_add},
    {"POST", "units/import", AUTH_ADMIN, BODY_CSV, canh_api_units_import},
    {"GET", "units/*", AUTH_ADMIN, BODY_NONE, canh_api_units_show},
    {"GET", "tokens", AUTH_ADMIN, BODY_NONE, canh_api_tokens_list},
    {"POST", "tokens", AUTH_ADMIN, BODY_JSON, canh_api_tokens_create},
    {"POST", "enroll", AUTH_NONE, BODY_JSON, canh_api_enroll, ENROLL_MAX_BODY},
    {"GET", "hosts", AUTH_ADMIN, BODY_NONE, canh_api_hosts_list},
    {"GET", "hosts/*", AUTH_ADMIN, BODY_NONE, canh_api_hosts_show},
    {"POST", "hosts/*/revoke", AUTH_ADMIN, BODY_NONE, canh_api_hosts_revoke},
    {"GET", "hosts/*/flows", AUTH_ADMIN, BODY_NONE, canh_api_hosts_flows},
    {"GET", "summary", AUTH_ADMIN, BODY_NONE, canh_api_summary},
    {"GET", "agent/state", AUTH_AGENT, BODY_NONE, canh_api_agent_state},
    {"POST", "agent/messages", AUTH_AGENT, BODY_BATCH, canh_api_agent_messages},
    {"GET", "intel/alerts", AUTH_ADMIN, BODY_NONE, canh_api_intel_alerts},
    {"GET", "intel/pinpoint", AUTH_ADMIN, BODY_NONE, canh_api_intel_pinpoint},
    {"GET", "intel/feeds", AUTH_ADMIN, BODY_NONE, canh_api_intel_feeds_list},
    {"POST", "intel/feeds", AUTH_ADMIN, BODY_RAW, canh_api_intel_feeds_import, BODY_CAP_FEED},
    {"GET", "intel/feeds/*", AUTH_ADMIN, BODY_NONE, canh_api_intel_feeds_show},
    {"GET", "botnet/report", AUTH_ADMIN, BODY_NONE, canh_api_botnet_report},
    {"POST", "vuln/advisories", AUTH_ADMIN, BODY_RAW, canh_api_vuln_import, BODY_CAP_ADVISORY},
    {"GET", "vuln/imports", AUTH_ADMIN, BODY_NONE, canh_api_vuln_imports},
    {"GET", "vuln/findings", AUTH_ADMIN, BODY_NONE, canh_api_vuln_findings},
    {"POST", "vuln/findings/*/accept", AUTH_ADMIN, BODY_JSON, canh_api_vuln_accept},
    {"GET", "vuln/letters", AUTH_ADMIN, BODY_NONE, canh_api_vuln_letters},
    {"GET", "vuln/letters/**", AUTH_ADMIN, BODY_NONE, canh_api_vuln_letter},
    {"POST", "rules", AUTH_ADMIN, BODY_RAW, canh_api_rules_upload, BODY_CAP_RULES},
    {"GET", "rules", AUTH_ADMIN, BODY_NONE, canh_api_rules_list},
    {"GET", "rules/*", AUTH_ADMIN, BODY_NONE, canh_api_rules_show},
    {"POST", "hunts", AUTH_ADMIN, BODY_JSON, canh_api_hunts_create},
    {"GET", "hunts", AUTH_ADMIN, BODY_NONE, canh_api_hunts_list},
    {"GET", "hunts/*", AUTH_ADMIN, BODY_NONE, canh_api_hunts_show},
    {"GET", "detections", AUTH_ADMIN, BODY_NONE, canh_api_detections_list},
    {"GET", "quarantine", AUTH_ADMIN, BODY_NONE, canh_api_quarantine_list},
    {"POST", "quarantine/*/restore", AUTH_ADMIN, BODY_NONE, canh_api_quarantine_restore},
    {"GET", "agent/tasks", AUTH_AGENT, BODY_NONE, canh_api_agent_tasks},
    {"GET", "agent/rules/**", AUTH_AGENT, BODY_NONE, canh_api_agent_rules},
    {"GET", "alerts", AUTH_ADMIN, BODY_NONE, canh_api_alerts_list},
    {"GET", "hosts/*/logs", AUTH_ADMIN, BODY_NONE, canh_api_hosts_logs},
    {"GET", "sigma/rules", AUTH_ADMIN, BODY_NONE, canh_api_sigma_rules_list},
    {"POST", "sigma/rules", AUTH_ADMIN, BODY_RAW, canh_api_sigma_rules_upload, BODY_CAP_RULES},
    {"POST", "sigma/rules/*/disable", AUTH_ADMIN, BODY_NONE, canh_api_sigma_rule_disable},
    {"POST", "sigma/rules/*/enable", AUTH_ADMIN, BODY_NONE, canh_api_sigma_rule_enable},
};

/* The body cap of a request: the route's own when it is smaller than max_body. */
static int64_t body_cap(const struct canh_server *srv, const struct canh_route *route)
{
	if (route->body_cap == BODY_CAP_FEED)
		return srv->cfg.max_feed_size;
	if (route->body_cap == BODY_CAP_ADVISORY)
		return srv->cfg.max_advisory_size;
	if (route->body_cap == BODY_CAP_RULES)
		return srv->cfg.max_rules_size;
	if (route->body_cap > 0 && route->body_cap < srv->cfg.max_body)
		return route->body_cap;
	return srv->cfg.max_body;
}

#define API_PREFIX "/api/v1/"
#define MAX_BEARER 512

/*
 * A refusal decided before the body is read (401, 404, 415...) is answered at
 * once when the client waits for it (Expect: 100-continue, or no body at
 * all). A client that sends its body regardless would see the connection
 * reset under its upload instead of the answer, so for it the body is read
 * and thrown away (never stored) and the answer follows, as nginx's
 * lingering close does; past DISCARD_MAX thrown-away bytes the connection is
 * simply closed. The one exception is a declared Content-Length over
 * max_body: that is answered 413 at once, as the API promises, and the
 * connection closed.
 */
#define DISCARD_MAX (64ULL * 1024 * 1024)

struct req_state {
	struct canh_req r;
	char path[256]; /* for the access log, truncated */
	int queue_failed;
	int body_expected;   /* Content-Length > 0 or chunked */
	int expect_continue; /* the client waits for 100 Continue before its body */
	int discarding;
	uint64_t discarded;
	int raw_answered; /* a refusal written directly to the TLS session */
	int64_t held;	  /* body bytes counted in srv->body_bytes for this request */
	unsigned pending; /* deferred refusal: status, message, Allow */
	char pending_msg[1024];
	char pending_allow[64];
};

/* ---- answering ---- */

static const char *status_code_name(unsigned status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "conflict";
	case 411:
		return "length_required";
	case 413:
		return "too_large";
	case 415:
		return "unsupported_media_type";
	case 503:
		return "unavailable";
	default:
		return status >= 500 ? "internal" : "bad_request";
	}
}

#define RETRY_AFTER_S "5"

static void queue_text(struct canh_req *r, unsigned status, char *text, size_t len,
		       const char *allow)
{
	struct req_state *st = (struct req_state *)r;
	struct MHD_Response *resp;

	CANH_BUG_ON(r->answered);
	r->answered = 1;
	r->status = status;
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		st->queue_failed = 1;
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_LANGUAGE, canh_lang_tag(r->lang));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (status == 503)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, RETRY_AFTER_S);
	if (MHD_queue_response(r->conn, status, resp) != MHD_YES)
		st->queue_failed = 1;
	MHD_destroy_response(resp);
}

void canh_req_reply(struct canh_req *r, unsigned status, json_t *body)
{
	char *text;

	if (!body)
		body = json_object();
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text) {
		canh_error("cannot encode a response");
		text = canh_xstrdup(
		    "{\"error\":\"cannot encode the response\",\"code\":\"internal\"}");
		status = 500;
	}
	queue_text(r, status, text, strlen(text), NULL);
}

/* The error body for a message already worded in the request's language. */
static void error_allow(struct canh_req *r, unsigned status, const char *allow, const char *msg)
{
	char safe[2048];
	json_t *o;
	char *text;

	/* Messages may quote client bytes: keep them printable and valid UTF-8. */
	canh_log_escape(safe, sizeof(safe), msg, strlen(msg));
	o = json_object();
	json_object_set_new(o, "error", json_string(safe));
	json_object_set_new(o, "code", json_string(status_code_name(status)));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		text = canh_xstrdup("{\"error\":\"internal error\",\"code\":\"internal\"}");
	queue_text(r, status, text, strlen(text), allow);
}

void canh_req__error(struct canh_req *r, unsigned status, enum canh_msg_id id, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, id);
	canh_msg_vformat(r->lang, msg, sizeof(msg), id, ap);
	va_end(ap);
	error_allow(r, status, NULL, msg);
}

void canh_req_error_text(struct canh_req *r, unsigned status, const char *text)
{
	error_allow(r, status, NULL, text);
}

/*
 * Refuse a request from its first call (see DISCARD_MAX), with a message of
 * the table in the request's language; refuse() checks the arguments.
 */
static void refuse_(struct req_state *st, unsigned status, const char *allow, enum canh_msg_id id,
		    ...)
{
	char msg[sizeof(st->pending_msg)];
	va_list ap;

	va_start(ap, id);
	canh_msg_vformat(st->r.lang, msg, sizeof(msg), id, ap);
	va_end(ap);
	if (st->body_expected && !st->expect_continue) {
		canh_strlcpy(st->pending_msg, msg, sizeof(st->pending_msg));
		canh_strlcpy(st->pending_allow, allow ? allow : "", sizeof(st->pending_allow));
		st->pending = status;
		st->discarding = 1;
		st->r.status = status;
	} else {
		error_allow(&st->r, status, allow, msg);
	}
}

#define refuse(st, status, allow, id, ...)                                                         \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 refuse_((st), (status), (allow), id, ##__VA_ARGS__))

static void answer_pending(struct req_state *st)
{
	error_allow(&st->r, st->pending, st->pending_allow[0] ? st->pending_allow : NULL,
		    st->pending_msg);
}

/*
 * Count n more body bytes against max_body_total; 0 when that would pass it.
 * A compare-and-swap, not add-then-check: with add-then-check two uploads
 * could both see the other's bytes for an instant and both be refused.
 */
static int reserve_body(struct canh_server *srv, int64_t n)
{
	int64_t cur = __atomic_load_n(&srv->body_bytes, __ATOMIC_RELAXED);

	do {
		if (cur + n > srv->cfg.max_body_total)
			return 0;
	} while (!__atomic_compare_exchange_n(&srv->body_bytes, &cur, cur + n, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 1;
}

/* Free the body buffer and give its bytes back to the server's budget. */
static void release_body(struct req_state *st)
{
	if (st->held)
		__atomic_sub_fetch(&st->r.srv->body_bytes, st->held, __ATOMIC_RELAXED);
	st->held = 0;
	canh_buf_release(&st->r.body);
}

/*
 * Refuse a request whose body is still arriving (a chunked upload past
 * max_body). libmicrohttpd 0.9.75 will not queue a response in that state
 * (MHD_queue_response returns MHD_NO, suspended or not), so the answer is
 * written straight to the connection's GnuTLS session, with Connection:
 * close; the rest of the upload is then read and thrown away (so the client
 * reads the answer rather than a reset) and the connection closed when it
 * ends. This runs in the thread that owns the connection, inside its access
 * handler, so nothing else writes to the session at the same time.
 * Returns 0 when the answer went out whole.
 */
static int send_raw_refusal(struct req_state *st, unsigned status)
{
	const union MHD_ConnectionInfo *ci;
	char body[2048], msg[3072], head[320];
	json_t *o;
	char *text;
	size_t off = 0, len;
	int tries = 0;

	ci = MHD_get_connection_info(st->r.conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return -1;
	canh_log_escape(body, sizeof(body), st->pending_msg, strlen(st->pending_msg));
	o = json_object();
	json_object_set_new(o, "error", json_string(body));
	json_object_set_new(o, "code", json_string(status_code_name(status)));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return -1;
	snprintf(head, sizeof(head),
		 "HTTP/1.1 %u %s\r\nContent-Type: application/json; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nContent-Language: %s\r\nVary: Accept-Language\r\n"
		 "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
		 status,
		 status == 413	 ? "Payload Too Large"
		 : status == 503 ? "Service Unavailable"
				 : "Bad Request",
		 strlen(text), canh_lang_tag(st->r.lang),
		 status == 503 ? "Retry-After: " RETRY_AFTER_S "\r\n" : "");
	len = (size_t)snprintf(msg, sizeof(msg), "%s%s", head, text);
	free(text);
	if (len >= sizeof(msg))
		return -1;
	while (off < len && tries++ < 100) {
		ssize_t n =
		    gnutls_record_send((gnutls_session_t)ci->tls_session, msg + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
			return -1;
	}
	return off == len ? 0 : -1;
}

void canh_req_store_error(struct canh_req *r, int rc, const struct canh_errmsg *e)
{
	canh_error_r(rc, "%s %s: %s", r->method, ((struct req_state *)r)->path, e->text);
	canh_req_error(r, 500, S_INTERNAL);
}

const char *canh_req_query(struct canh_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* ---- routing ---- */

/* Match "units/ *" against "units/HP-01"; the argument goes to arg. */
static int path_match(const char *pattern, const char *path, char *arg, size_t argsz)
{
	arg[0] = '\0';
	for (;;) {
		size_t plen = strcspn(pattern, "/");
		size_t slen = strcspn(path, "/");

		if (slen == 0)
			return 0; /* empty segment: "units//x", "units/" */
		/* A last "**" takes the rest of the path, slashes included (a letter's
		   number "1943/CATTT-NCSC", sent as 1943%2FCATTT-NCSC and decoded by MHD). */
		if (plen == 2 && pattern[0] == '*' && pattern[1] == '*' && !pattern[2]) {
			size_t rest = strlen(path);
			if (rest >= argsz || path[rest - 1] == '/' || strstr(path, "//"))
				return 0;
			memcpy(arg, path, rest + 1);
			return 1;
		}
		if (plen == 1 && pattern[0] == '*') {
			if (slen >= argsz)
				return 0;
			memcpy(arg, path, slen);
			arg[slen] = '\0';
		} else if (plen != slen || memcmp(pattern, path, slen) != 0) {
			return 0;
		}
		pattern += plen;
		path += slen;
		if (!*pattern && !*path)
			return 1;
		if (!*pattern || !*path)
			return 0;
		pattern++;
		path++;
	}
}

/* The route for method and path; NULL when none, with allow listing the methods the path has. */
static const struct canh_route *route_find(const char *method, const char *path, char *arg,
					   size_t argsz, char *allow, size_t allowsz)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	char tmp[160];

	allow[0] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!path_match(routes[i].path, path, tmp, sizeof(tmp)))
			continue;
		if (strcmp(routes[i].method, m) == 0) {
			canh_strlcpy(arg, tmp, argsz);
			return &routes[i];
		}
		if (!strstr(allow, routes[i].method)) {
			size_t l = strlen(allow);
			snprintf(allow + l, allowsz - l, "%s%s", l ? ", " : "", routes[i].method);
		}
	}
	return NULL;
}

/* ---- authentication ---- */

static const char *bearer_token(struct MHD_Connection *c)
{
	const char *v =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!v || strncasecmp(v, "Bearer ", 7) != 0)
		return NULL;
	v += 7;
	while (*v == ' ')
		v++;
	return *v ? v : NULL;
}

static int is_admin(const struct canh_server *srv, const char *tok)
{
	char hash[CANH_SHA256_HEX];
	size_t len = strlen(tok);

	if (len == 0 || len > MAX_BEARER || srv->admin_hash[0] == '\0')
		return 0;
	if (canh_sha256_hex(tok, len, hash) != 0)
		return 0;
	return canh_ct_equal(hash, srv->admin_hash, CANH_SHA256_HEX - 1);
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[64] == '\0';
}

/*
 * Check an agent credential "A<id>.<64 hex>". Returns 1 and sets *id when it
 * is valid, 0 when it is not an agent credential or unknown, -1 when revoked,
 * -2 on a store failure.
 */
static int agent_check(struct canh_server *srv, const char *tok, int64_t *id)
{
	char stored[CANH_SHA256_HEX], hash[CANH_SHA256_HEX], num[24];
	struct canh_errmsg e;
	const char *dot;
	int revoked = 0, rc;

	*id = 0;
	if (tok[0] != 'A')
		return 0;
	dot = strchr(tok, '.');
	if (!dot || dot == tok + 1 || (size_t)(dot - tok - 1) >= sizeof(num) || !is_hex64(dot + 1))
		return 0;
	memcpy(num, tok + 1, (size_t)(dot - tok - 1));
	num[dot - tok - 1] = '\0';
	if (num[0] == '0' || num[0] == '+' || num[0] == '-' ||
	    canh_parse_int64(num, 1, 9007199254740992LL, id) != 0)
		return 0;
	rc = canh_store_agent_cred(srv->store, *id, stored, &revoked, &e);
	if (rc == CANH_ENOENT)
		return 0;
	if (rc != 0) {
		canh_error_r(rc, "%s", e.text);
		return -2;
	}
	if (canh_sha256_hex(dot + 1, 64, hash) != 0)
		return -2;
	if (strlen(stored) != CANH_SHA256_HEX - 1 ||
	    !canh_ct_equal(hash, stored, CANH_SHA256_HEX - 1))
		return 0;
	return revoked ? -1 : 1;
}

/* Where an agent request really comes from: the peer, or behind a trusted proxy its X-F-F. */
struct xff {
	const char *last;
};

static enum MHD_Result xff_cb(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	struct xff *x = cls;

	if (key && strcasecmp(key, "X-Forwarded-For") == 0 && value)
		x->last = value;
	return MHD_YES;
}

static void find_peer(struct canh_req *r)
{
	const union MHD_ConnectionInfo *ci;
	struct canh_ipaddr a;
	struct xff x = {NULL};
	int trusted = 0;

	canh_strlcpy(r->peer, "unknown", sizeof(r->peer));
	ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr || canh_ip_from_sockaddr(ci->client_addr, &a) != 0)
		return;
	canh_ip_format(&a, r->peer, sizeof(r->peer));
	for (size_t i = 0; i < r->srv->cfg.nproxies; i++)
		if (canh_cidr_contains(&r->srv->cfg.proxies[i], &a))
			trusted = 1;
	if (!trusted)
		return;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, xff_cb, &x);
	if (x.last) {
		const char *p = strrchr(x.last, ',');
		char tok[CANH_IPADDR_STRLEN + 1];
		size_t n;

		p = p ? p + 1 : x.last;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (canh_ip_parse(tok, &a) == 0) {
				canh_ip_format(&a, r->peer, sizeof(r->peer));
				return;
			}
		}
		canh_warn("proxy %s sent an X-Forwarded-For without a valid last address: '%s'",
			  r->peer, x.last);
	}
}

/* ---- the request's first call: everything decided before reading a body ---- */

static int media_type_is(const char *ct, const char *const *accepted)
{
	size_t n = strcspn(ct, "; \t");

	for (; *accepted; accepted++)
		if (strlen(*accepted) == n && strncasecmp(ct, *accepted, n) == 0)
			return 1;
	return 0;
}

static void begin(struct req_state *st, const char *url)
{
	static const char *const json_types[] = {"application/json", NULL};
	static const char *const csv_types[] = {"text/csv", "application/csv", NULL};
	struct canh_req *r = &st->r;
	struct canh_server *srv = r->srv;
	const char *tok, *cl, *ct, *te, *expect;
	char allow[64];
	int64_t len = 0;

	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_TRANSFER_ENCODING);
	expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	if (cl && canh_parse_int64(cl, 0, INT64_MAX, &len) != 0) {
		/* MHD refuses such requests itself; this is belt and braces. */
		canh_req_error(r, 400, S_BAD_CONTENT_LENGTH);
		return;
	}
	st->body_expected = len > 0 || (te && strcasecmp(te, "identity") != 0);
	st->expect_continue = expect && strcasecmp(expect, "100-continue") == 0;
	/* A declared body too large to throw away is refused at once. */
	if ((uint64_t)len > DISCARD_MAX + (uint64_t)srv->cfg.max_body)
		st->expect_continue = 1;

	if (strncmp(url, API_PREFIX, strlen(API_PREFIX)) != 0) {
		refuse(st, 404, NULL, S_NO_SUCH_ENDPOINT, st->path);
		return;
	}
	r->route = route_find(r->method, url + strlen(API_PREFIX), r->arg, sizeof(r->arg), allow,
			      sizeof(allow));
	if (!r->route) {
		if (allow[0])
			refuse(st, 405, allow, S_METHOD_NOT_ALLOWED, r->method, st->path, allow);
		else
			refuse(st, 404, NULL, S_NO_SUCH_ENDPOINT, st->path);
		return;
	}
	if (r->route->body != BODY_NONE && len > body_cap(srv, r->route)) {
		/* Refused before the body is read, whether or not the client waits for it. */
		canh_req_error(r, 413, S_BODY_TOO_LARGE, (long long)len,
			       (long long)body_cap(srv, r->route));
		return;
	}

	tok = bearer_token(r->conn);
	if (r->route->auth == AUTH_ADMIN) {
		int64_t id;
		if (!tok) {
			refuse(st, 401, NULL, S_MISSING_ADMIN_TOKEN);
			return;
		}
		if (!is_admin(srv, tok)) {
			int agent = agent_check(srv, tok, &id) == 1;
			if (agent)
				refuse(st, 403, NULL, S_AGENT_CREDENTIAL_REFUSED, st->path);
			else
				refuse(st, 401, NULL, S_INVALID_TOKEN);
			canh_info("refused %s %s from %s: %s", r->method, st->path, r->peer,
				  agent ? "agent credential" : "invalid token");
			return;
		}
	} else if (r->route->auth == AUTH_AGENT) {
		int a;
		if (!tok) {
			refuse(st, 401, NULL, S_MISSING_AGENT_CREDENTIAL);
			return;
		}
		a = agent_check(srv, tok, &r->agent_id);
		if (a == -2) {
			refuse(st, 500, NULL, S_INTERNAL);
			return;
		}
		if (a != 1) {
			if (a == -1)
				refuse(st, 401, NULL, S_AGENT_REVOKED);
			else if (is_admin(srv, tok))
				refuse(st, 403, NULL, S_ADMIN_TOKEN_REFUSED, st->path);
			else
				refuse(st, 401, NULL, S_INVALID_AGENT_CREDENTIAL);
			canh_info("refused %s %s from %s: %s", r->method, st->path, r->peer,
				  a == -1 ? "revoked agent" : "invalid credential");
			return;
		}
	}

	ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if ((r->route->body == BODY_JSON || r->route->body == BODY_BATCH) &&
	    (!ct || !media_type_is(ct, json_types))) {
		if (ct)
			refuse(st, 415, NULL, S_WANT_JSON, ct);
		else
			refuse(st, 415, NULL, S_WANT_JSON_NONE);
		return;
	}
	if (r->route->body == BODY_CSV && (!ct || !media_type_is(ct, csv_types))) {
		if (ct)
			refuse(st, 415, NULL, S_WANT_CSV, ct);
		else
			refuse(st, 415, NULL, S_WANT_CSV_NONE);
		return;
	}

	if (r->route->auth == AUTH_AGENT) {
		struct canh_errmsg e;
		int rc = canh_store_agent_seen(srv->store, r->agent_id, r->peer, canh_now_ms(), &e);
		if (rc != 0)
			canh_error_r(rc, "agent %lld: %s", (long long)r->agent_id, e.text);
	}
	if (r->route->body != BODY_NONE)
		canh_buf_init(&r->body, (size_t)body_cap(srv, r->route));
	else
		st->discarding = 1; /* a body nobody asked for */
}

static void dispatch(struct req_state *st)
{
	struct canh_req *r = &st->r;

	if (r->route->body == BODY_JSON) {
		json_error_t je;
		r->json = json_loadb(r->body.data ? r->body.data : "", r->body.len,
				     JSON_REJECT_DUPLICATES, &je);
		if (!r->json) {
			canh_req_error(r, 400, S_MALFORMED_JSON, je.text, je.line, je.column);
			return;
		}
		if (!json_is_object(r->json)) {
			canh_req_error(r, 400, S_NOT_JSON_OBJECT);
			return;
		}
	}
	r->route->fn(r);
	if (!r->answered) {
		canh_error("%s %s: the handler did not answer", r->method, st->path);
		canh_req_error(r, 500, S_INTERNAL);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct req_state *st = *req_cls;
	struct canh_req *r;

	if (!st) {
		st = canh_xcalloc(1, sizeof(*st));
		*req_cls = st;
		r = &st->r;
		r->srv = cls;
		r->conn = conn;
		r->start_ms = canh_mono_ms();
		canh_strlcpy(r->method, method, sizeof(r->method));
		canh_strlcpy(st->path, url, sizeof(st->path));
		r->lang = canh_lang_from_accept_language(MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
		find_peer(r);
		begin(st, url);
		return st->queue_failed ? MHD_NO : MHD_YES;
	}
	r = &st->r;
	if (*upload_size) {
		if (st->discarding || r->answered) {
			st->discarded += *upload_size;
			*upload_size = 0;
			return st->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		unsigned refusal = 0;

		/* Every byte held counts against max_body_total first, so many
		   large uploads at once cannot exhaust memory between them. */
		if (!reserve_body(r->srv, (int64_t)*upload_size)) {
			refusal = 503;
			canh_msg_format(r->lang, st->pending_msg, sizeof(st->pending_msg),
					S_SERVER_BUSY);
		} else {
			st->held += (int64_t)*upload_size;
			if (canh_buf_append(&r->body, upload, *upload_size) != 0) {
				refusal = 413;
				canh_msg_format(r->lang, st->pending_msg, sizeof(st->pending_msg),
						S_BODY_OVER_LIMIT,
						(long long)body_cap(r->srv, r->route));
			}
		}
		if (refusal) {
			release_body(st);
			st->discarded = *upload_size;
			st->discarding = 1;
			r->status = refusal;
			if (send_raw_refusal(st, refusal) == 0)
				r->answered = st->raw_answered = 1;
			else
				st->pending = refusal; /* answered when the body ends */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	/* The refusal already went out on the wire: no second response, close. */
	if (st->raw_answered)
		return MHD_NO;
	if (!r->answered) {
		if (st->pending)
			answer_pending(st);
		else
			dispatch(st);
	}
	return st->queue_failed ? MHD_NO : MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_state *st = *req_cls;
	struct canh_req *r;
	int64_t ms;

	if (!st)
		return;
	r = &st->r;
	ms = canh_mono_ms() - r->start_ms;
	if (r->status >= 500 || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		canh_warn("%s %s %u %lldms %s%s", r->method, st->path, r->status, (long long)ms,
			  r->peer, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK ? " (aborted)" : "");
	else if (r->status >= 400)
		canh_info("%s %s %u %lldms %s", r->method, st->path, r->status, (long long)ms,
			  r->peer);
	else
		canh_debug("%s %s %u %lldms %s", r->method, st->path, r->status, (long long)ms,
			   r->peer);
	release_body(st);
	json_decref(r->json);
	free(st);
	*req_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* TLS handshake failures of scanners and clients that refuse our certificate. */
	canh_debug("libmicrohttpd: %s", msg);
}

int canh_http_start(struct canh_server *srv, struct canh_errmsg *err)
{
	unsigned int flags = MHD_USE_TLS | MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	unsigned int timeout_s = (unsigned int)((srv->cfg.connection_timeout + 999) / 1000);
	unsigned int threads = (unsigned int)srv->cfg.threads;

	srv->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
	    MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem,
	    MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem, MHD_OPTION_HTTPS_PRIORITIES,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
	if (!srv->mhd)
		return canh_errmsg_set(err, CANH_ENET,
				       "cannot start the HTTPS server (bad certificate or key?)");
	return 0;
}

void canh_http_stop(struct canh_server *srv)
{
	if (srv->mhd) {
		MHD_stop_daemon(srv->mhd);
		srv->mhd = NULL;
	}
}
