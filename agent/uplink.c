/*
 * Uplink: spooled messages to the server, oldest first, in batches.
 *
 * The batch is built by textual splice: a spooled message is the JSON object
 * {"type":…,"time":…,"data":…}, and `{"seq":N,` + the text without its
 * leading `{` is the same object with its seq. The spool lock is held only
 * while the batch is read and while the ack is applied, never during network
 * I/O, so collection goes on while the server hangs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "canh/httpc.h"
#include "canh/log.h"
#include "canh/time.h"

#define MAX_RESPONSE (1024u * 1024)

struct build {
	struct canh_buf *out;
	uint64_t too_big;
	uint64_t expected; /* the seq the next message should carry */
	size_t count, max_msgs;
	uint64_t last;
	char now[CANH_TIME_BUFSZ];
	int rc;
};

static int put_lost(struct build *b, uint64_t seq, const char *reason)
{
	int rc = canh_buf_appendf(b->out,
				  "%s{\"seq\":%" PRIu64 ",\"type\":\"lost\",\"time\":\"%s\","
				  "\"data\":{\"reason\":\"%s\"}}",
				  b->count ? "," : "", seq, b->now, reason);
	if (rc == 0) {
		b->count++;
		b->last = seq;
	}
	return rc;
}

/* A spooled record we can splice: `{` … `}` and not the empty object. */
static int spliceable(const char *p, size_t n)
{
	while (n > 0 &&
	       (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
		n--;
	if (n < 3 || p[0] != '{' || p[n - 1] != '}')
		return 0;
	for (size_t i = 1; i < n - 1; i++)
		if (p[i] != ' ' && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
			return 1;
	return 0;
}

static int visit(uint64_t seq, const void *data, size_t len, void *ctx)
{
	struct build *b = ctx;
	const char *p = data;

	while (b->expected < seq && b->count < b->max_msgs)
		if ((b->rc = put_lost(b, b->expected++, "missing from the agent's spool")) != 0)
			return 1;
	if (b->count >= b->max_msgs)
		return 1;
	if (seq == b->too_big) {
		b->rc = put_lost(b, seq, "message refused by the server as too large (413)");
	} else if (!spliceable(p, len)) {
		b->rc = put_lost(b, seq, "spooled record is not a JSON object");
	} else {
		b->rc =
		    canh_buf_appendf(b->out, "%s{\"seq\":%" PRIu64 ",", b->count ? "," : "", seq);
		if (b->rc == 0)
			b->rc = canh_buf_append(b->out, p + 1, len - 1);
		if (b->rc == 0) {
			b->count++;
			b->last = seq;
		}
	}
	b->expected = seq + 1;
	return b->rc != 0 || b->count >= b->max_msgs;
}

int canh_agent_batch_build(struct canh_spool *s, uint64_t server_ack, size_t max_msgs,
			   size_t max_bytes, int64_t now_ms, struct canh_buf *out, uint64_t *last,
			   size_t *count)
{
	return canh_agent_batch_build_ex(s, server_ack, max_msgs, max_bytes, 0, now_ms, out, last,
					 count);
}

int canh_agent_batch_build_ex(struct canh_spool *s, uint64_t server_ack, size_t max_msgs,
			      size_t max_bytes, uint64_t too_big, int64_t now_ms,
			      struct canh_buf *out, uint64_t *last, size_t *count)
{
	struct canh_spool_stats st;
	struct build b = {.out = out, .max_msgs = max_msgs, .too_big = too_big};
	int rc;

	*last = 0;
	*count = 0;
	canh_buf_reset(out);
	if (max_msgs == 0)
		return CANH_EINVAL;
	canh_time_format(now_ms, b.now, sizeof(b.now));
	canh_spool_get_stats(s, &st);
	b.expected = server_ack + 1;
	if ((rc = canh_buf_puts(out, "{\"version\":1,\"messages\":[")) != 0)
		return rc;
	/* Acknowledged once, freed from the spool, and yet not held by the server now. */
	while (b.expected <= st.acked_seq && b.count < max_msgs)
		if ((rc = put_lost(&b, b.expected++,
				   "acknowledged earlier, no longer in the agent's spool")) != 0)
			return rc;
	if (b.count < max_msgs) {
		uint64_t after = server_ack > st.acked_seq ? server_ack : st.acked_seq;
		rc = canh_spool_read(s, after, max_msgs - b.count, max_bytes, visit, &b);
		if (rc < 0)
			return rc;
		if (b.rc != 0)
			return b.rc;
	}
	if (b.count == 0) {
		canh_buf_reset(out);
		return 0;
	}
	if ((rc = canh_buf_puts(out, "]}")) != 0)
		return rc;
	*last = b.last;
	*count = b.count;
	return 0;
}

int canh_agent_spool_append(struct canh_agent *a, const char *text, size_t len, uint64_t *seq)
{
	struct canh_spool_stats st;
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = canh_spool_append(a->spool, text, len, seq);
	canh_spool_get_stats(a->spool, &st);
	canh_agent_status_write(a->dir, &st);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* The server says it holds everything up to ack: align the spool. Lock held. */
static int apply_ack(struct canh_agent *a, uint64_t ack, struct canh_errmsg *err)
{
	struct canh_spool_stats st;
	int rc = 0;

	a->server_ack = ack;
	canh_spool_get_stats(a->spool, &st);
	if (ack >= st.next_seq) {
		/* The server holds seqs this spool never gave (a spool restored from a backup):
		 * move past them so no new message looks like a duplicate. */
		if ((rc = canh_spool_bump_seq(a->spool, ack + 1)) != 0) {
			canh_errmsg_set(err, rc, "cannot move the spool's sequence past %" PRIu64,
					ack);
			goto out;
		}
	}
	if (ack > st.acked_seq && (rc = canh_spool_ack(a->spool, ack)) != 0)
		canh_errmsg_set(err, rc, "cannot acknowledge up to %" PRIu64 " in the spool", ack);
out:
	canh_spool_get_stats(a->spool, &st);
	canh_agent_status_write(a->dir, &st);
	return rc;
}

static void http_opts(const struct canh_agent *a, struct canh_httpc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base_url = a->id.server;
	o->pin_sha256 = a->id.fingerprint;
	o->bearer = a->id.credential;
	o->connect_timeout_ms = (long)a->cfg.connect_timeout;
	o->timeout_ms = (long)a->cfg.request_timeout;
	o->max_response = MAX_RESPONSE;
	o->cancel = a->stop;
}

/* The "error" member of a JSON error body (escaped by the logger later), or a fixed text. */
static void server_message(const struct canh_http_resp *r, char *buf, size_t len)
{
	json_t *j = json_loadb(canh_buf_cstr(&r->body), r->body.len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	snprintf(buf, len, "%s", e ? e : "no error message");
	json_decref(j);
}

static enum canh_uplink_result classify_failure(int rc)
{
	switch (rc) {
	case CANH_ETLS:
		return CANH_UPLINK_TLS;
	case CANH_EAGAIN:
		return CANH_UPLINK_CANCELLED;
	default:
		return CANH_UPLINK_NET;
	}
}

static enum canh_uplink_result classify_status(const struct canh_http_resp *r, const char *what,
					       struct canh_errmsg *err)
{
	char msg[300];

	server_message(r, msg, sizeof(msg));
	if (r->status == 413) {
		canh_errmsg_set(err, CANH_ETOOBIG, "%s: too large for the server (413: %s)", what,
				msg);
		return CANH_UPLINK_TOO_LARGE;
	}
	if (r->status == 401 || r->status == 403) {
		canh_errmsg_set(err, CANH_EAUTH,
				"%s: the server refused the agent's credential (%ld: %s); "
				"the agent may be revoked or unknown",
				what, r->status, msg);
		return CANH_UPLINK_AUTH;
	}
	if (r->status >= 400 && r->status < 500) {
		canh_errmsg_set(err, CANH_EHTTP, "%s: the server refused the request (%ld: %s)",
				what, r->status, msg);
		return CANH_UPLINK_REJECTED;
	}
	canh_errmsg_set(err, CANH_EHTTP, "%s: the server answered %ld (%s)", what, r->status, msg);
	return CANH_UPLINK_NET;
}

/* {"ack": N} with N a non-negative integer. */
static int parse_ack(const struct canh_http_resp *r, uint64_t *ack, json_t **out)
{
	json_t *j = json_loadb(canh_buf_cstr(&r->body), r->body.len, 0, NULL);
	const json_t *v = json_object_get(j, "ack");

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		json_decref(j);
		return CANH_EPARSE;
	}
	*ack = (uint64_t)json_integer_value(v);
	*out = j;
	return 0;
}

enum canh_uplink_result canh_agent_uplink_sync(struct canh_agent *a, struct canh_errmsg *err)
{
	struct canh_httpc_opts o;
	struct canh_http_resp r;
	enum canh_uplink_result res;
	json_t *j = NULL;
	uint64_t ack;
	int rc;

	http_opts(a, &o);
	canh_http_resp_init(&r);
	rc = canh_httpc_request(&o, "GET", "/api/v1/agent/state", NULL, NULL, 0, &r, err);
	if (rc != 0) {
		res = classify_failure(rc);
		goto out;
	}
	if (r.status != 200) {
		res = classify_status(&r, "GET /api/v1/agent/state", err);
		goto out;
	}
	if (parse_ack(&r, &ack, &j) != 0) {
		canh_errmsg_set(err, CANH_EPARSE, "GET /api/v1/agent/state: no ack in the answer");
		res = CANH_UPLINK_NET;
		goto out;
	}
	const json_t *aid = json_object_get(j, "agent_id");
	if (json_is_integer(aid) && json_integer_value(aid) != a->id.agent_id) {
		canh_errmsg_set(err, CANH_ECONFLICT,
				"the server knows this credential as agent %" JSON_INTEGER_FORMAT
				", not %" PRId64,
				json_integer_value(aid), a->id.agent_id);
		res = CANH_UPLINK_AUTH;
		goto out;
	}
	pthread_mutex_lock(&a->lock);
	rc = apply_ack(a, ack, err);
	pthread_mutex_unlock(&a->lock);
	if (rc != 0) {
		res = CANH_UPLINK_LOCAL;
		goto out;
	}
	a->synced = 1;
	res = CANH_UPLINK_OK;
out:
	json_decref(j);
	canh_http_resp_release(&r);
	return res;
}

enum canh_uplink_result canh_agent_uplink_step(struct canh_agent *a, struct canh_errmsg *err)
{
	struct canh_httpc_opts o;
	struct canh_http_resp r;
	struct canh_buf body;
	enum canh_uplink_result res;
	json_t *j = NULL;
	uint64_t last = 0, ack;
	size_t count = 0, cap;
	int rc;

	/* room for the batch and one record over batch_max_bytes (it goes alone) */
	cap = (size_t)a->cfg.batch_max_bytes + CANH_SPOOL_MAX_RECORD + 1024 * 1024;
	canh_buf_init(&body, cap);
	canh_http_resp_init(&r);

	if (a->batch_cap == 0 || a->batch_cap > (size_t)a->cfg.batch_max_messages)
		a->batch_cap = (size_t)a->cfg.batch_max_messages;
	if (a->too_big && a->too_big <= a->server_ack)
		a->too_big = 0; /* delivered (as "lost") */
	pthread_mutex_lock(&a->lock);
	rc = canh_agent_batch_build_ex(a->spool, a->server_ack, a->batch_cap,
				       (size_t)a->cfg.batch_max_bytes, a->too_big, canh_now_ms(),
				       &body, &last, &count);
	pthread_mutex_unlock(&a->lock);
	if (rc != 0) {
		canh_errmsg_set(err, rc, "cannot read the spool: %s", canh_strerror(rc));
		res = CANH_UPLINK_LOCAL;
		goto out;
	}
	if (count == 0) {
		res = CANH_UPLINK_IDLE;
		goto out;
	}

	http_opts(a, &o);
	rc = canh_httpc_request(&o, "POST", "/api/v1/agent/messages", "application/json", body.data,
				body.len, &r, err);
	if (rc != 0) {
		res = classify_failure(rc);
		goto out;
	}
	if (r.status != 200) {
		char what[96];
		snprintf(what, sizeof(what), "batch of %zu messages up to seq %" PRIu64, count,
			 last);
		res = classify_status(&r, what, err);
		if (res == CANH_UPLINK_TOO_LARGE) {
			/* Smaller batches; a message refused alone cannot ever be delivered:
			 * it goes as "lost" (visible on the server) instead of blocking the rest.
			 */
			if (count > 1) {
				a->batch_cap = count / 2;
			} else {
				a->too_big = last;
				canh_error("message %" PRIu64
					   " (%zu bytes in its batch) is larger than "
					   "the server accepts: it will be reported as lost",
					   last, body.len);
			}
		}
		goto out;
	}
	if (parse_ack(&r, &ack, &j) != 0) {
		canh_errmsg_set(err, CANH_EPARSE,
				"POST /api/v1/agent/messages: no ack in the answer");
		res = CANH_UPLINK_NET;
		goto out;
	}
	const json_t *rej = json_object_get(j, "rejected");
	if (json_is_integer(rej) && json_integer_value(rej) > 0)
		canh_warn("the server rejected %" JSON_INTEGER_FORMAT
			  " message(s) of the batch up to seq %" PRIu64 " (see its rejects)",
			  json_integer_value(rej), last);
	pthread_mutex_lock(&a->lock);
	rc = apply_ack(a, ack, err);
	pthread_mutex_unlock(&a->lock);
	if (rc != 0) {
		res = CANH_UPLINK_LOCAL;
		goto out;
	}
	canh_debug("delivered %zu message(s) up to seq %" PRIu64 ", server ack %" PRIu64, count,
		   last, ack);
	if (ack < last) {
		canh_errmsg_set(err, CANH_EAGAIN,
				"the server acknowledged only up to %" PRIu64
				" of a batch up to %" PRIu64,
				ack, last);
		res = CANH_UPLINK_STALLED;
		goto out;
	}
	if (a->batch_cap < (size_t)a->cfg.batch_max_messages)
		a->batch_cap *= 2;
	res = CANH_UPLINK_OK;
out:
	json_decref(j);
	canh_http_resp_release(&r);
	canh_buf_release(&body);
	return res;
}
