/*
 * The versioned agent <-> server message schema (docs/protocol.md).
 *
 * The server-side parser of an agent batch is the first thing hostile bytes
 * reach after TLS and authentication, so it is strict, size-capped and fuzzed
 * (fuzz/fuzz_proto.c). A batch is rejected as a whole only when it cannot be
 * acknowledged safely (not JSON, no messages array, a message without a valid
 * seq, sequences not strictly increasing). A message with a valid seq but a
 * bad body is kept with `error` set, so the server can record the rejection
 * and still acknowledge the seq: one poison message must not wedge an agent.
 */
#ifndef CANH_PROTO_H
#define CANH_PROTO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

#define CANH_PROTO_VERSION 1
#define CANH_PROTO_MAX_MESSAGES 1000
#define CANH_PROTO_MAX_TYPE 32
#define CANH_PROTO_MAX_LOST_REASON 120
#define CANH_PROTO_MAX_FLOWS 5000 /* flows per "flows" message; the agent counts the rest */

/* "logs" messages: lines per message, sources in its shed counters. */
#define CANH_PROTO_MAX_LOG_LINES 2000
/* Bytes per line: the agent cuts lines at 64 KiB, and each byte that is not UTF-8 becomes
 * U+FFFD (3 bytes). */
#define CANH_PROTO_MAX_LOG_LINE (192 * 1024)
#define CANH_PROTO_MAX_LOG_SHED 256

enum canh_msg_type {
	CANH_MSG_UNKNOWN = 0,
	CANH_MSG_INVENTORY,
	CANH_MSG_HEARTBEAT,
	/* The agent declares a sequence it can no longer deliver (cut out of a
	 * damaged spool, or refused alone as too large); data {"reason": "..."}.
	 * It is parsed with `error` set to "lost by the agent: <reason>", so the
	 * server records it with the rejected messages: a loss is visible, never
	 * silent, and the ack can move past it. */
	CANH_MSG_LOST,
	/* Network connections aggregated since the agent's previous flows message
	 * (agent/flows.c): data {"since", "until", "dropped", "flows": [...]}. */
	CANH_MSG_FLOWS,
	/* Anti-malware (docs/malware.md): a hunt's progress on the host, one file found,
	 * a file quarantined or restored. */
	CANH_MSG_HUNT_PROGRESS,
	CANH_MSG_DETECTION,
	CANH_MSG_QUARANTINE_EVENT,
	/* Log lines collected by the agent (agent/logs.c, docs/logs.md): data
	 * {"lines": [{"source", "path" or "unit", "recv", "line", "cut"}], "shed": [...]}. */
	CANH_MSG_LOGS,
};

struct canh_proto_msg {
	uint64_t seq;
	enum canh_msg_type type;
	char type_name[CANH_PROTO_MAX_TYPE + 1];
	int64_t time_ms; /* agent's clock when produced */
	json_t *data;	 /* borrowed from the batch's root; NULL when error is set */
	char error[160]; /* non-empty: this message is rejected for this reason */
};

struct canh_proto_batch {
	json_t *root; /* owned */
	int version;
	size_t n;
	struct canh_proto_msg *msgs; /* owned, n entries, strictly increasing seq */
};

/* Parse a request body. On error *out is empty and err says what and where ("message 3: ..."). */
int canh_proto_batch_parse(const char *body, size_t len, struct canh_proto_batch *out,
			   struct canh_errmsg *err);
void canh_proto_batch_release(struct canh_proto_batch *b);

/* Validate the data object of one message by type; fills err with the first problem. */
int canh_proto_validate_inventory(const json_t *data, struct canh_errmsg *err);
int canh_proto_validate_heartbeat(const json_t *data, struct canh_errmsg *err);
int canh_proto_validate_flows(const json_t *data, struct canh_errmsg *err);
int canh_proto_validate_hunt_progress(const json_t *data, struct canh_errmsg *err);
int canh_proto_validate_detection(const json_t *data, struct canh_errmsg *err);
int canh_proto_validate_quarantine_event(const json_t *data, struct canh_errmsg *err);
/* lib/proto_logs.c */
int canh_proto_validate_logs(const json_t *data, struct canh_errmsg *err);

const char *canh_msg_type_name(enum canh_msg_type t);
enum canh_msg_type canh_msg_type_parse(const char *s);

#endif
