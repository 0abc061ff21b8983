/*
 * Agent endpoints: /agent/state and /agent/messages (docs/protocol.md).
 */
#include "canh/log.h"
#include "canh/proto.h"
#include "canh/time.h"
#include "flows.h"
#include "http.h"
#include "logs.h"

void canh_api_agent_state(struct canh_req *r)
{
	struct canh_errmsg e;
	uint64_t ack;
	json_t *o;
	int rc = canh_store_agent_ack(r->srv->store, r->agent_id, &ack, &e);

	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "agent_id", json_integer(r->agent_id));
	json_object_set_new(o, "ack", json_integer((json_int_t)ack));
	canh_req_reply(r, 200, o);
}

void canh_api_agent_messages(struct canh_req *r)
{
	struct canh_proto_batch b;
	struct canh_ingest_result res;
	struct canh_errmsg e;
	json_t *o;
	int rc;

	rc = canh_proto_batch_parse(r->body.data, r->body.len, &b, &e);
	if (rc != 0) {
		canh_warn("agent %lld: batch refused: %s", (long long)r->agent_id, e.text);
		canh_req_error(r, 400, S_BATCH_REFUSED, e.text);
		return;
	}
	rc = canh_store_ingest_batch(r->srv->store, r->agent_id, &b, canh_now_ms(), &res, &e);
	if (rc == CANH_ECONFLICT) {
		/* Revoked between authentication and the transaction. */
		canh_req_error(r, 401, S_AGENT_REVOKED);
		goto out;
	}
	if (rc != 0) {
		canh_req_store_error(r, rc, &e);
		goto out;
	}
	if (res.rejected) {
		for (size_t i = 0; i < b.n; i++)
			if (b.msgs[i].error[0])
				canh_warn("agent %lld: message %llu rejected: %s",
					  (long long)r->agent_id, (unsigned long long)b.msgs[i].seq,
					  b.msgs[i].error);
	}
	/* After the commit: C2 matching of the flows (server/flows.h says why that is safe). */
	if (res.stored)
		canh_flows_after_ingest(r->srv, r->agent_id, &b);
	/* And decoding and Sigma evaluation of the logs (server/logs.h: claimed, at most once). */
	if (res.stored)
		canh_logs_after_ingest(r->srv, r->agent_id, &b);
	canh_debug("agent %lld: batch of %zu: stored %zu, duplicates %zu, rejected %zu, ack %llu",
		   (long long)r->agent_id, b.n, res.stored, res.duplicates, res.rejected,
		   (unsigned long long)res.ack);
	o = json_object();
	json_object_set_new(o, "ack", json_integer((json_int_t)res.ack));
	json_object_set_new(o, "stored", json_integer((json_int_t)res.stored));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)res.duplicates));
	json_object_set_new(o, "rejected", json_integer((json_int_t)res.rejected));
	canh_req_reply(r, 200, o);
out:
	canh_proto_batch_release(&b);
}
