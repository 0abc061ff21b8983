/*
 * Log monitoring on the server (docs/logs.md): the lines of agents' "logs"
 * messages are decoded (lib/decode.c, one decoder state per agent, at most
 * [logs] decoders_max, least recently used evicted) and evaluated by the
 * Sigma engine (lib/sigma.c) as they arrive; matches become alerts, de-
 * duplicated by (rule, host, group-by values) within [logs] dedup_window.
 * Events' address fields are also looked up in the intel C2 set.
 *
 * Rules: the shipped ones ([logs] rules_dir) and the latest version of each
 * uploaded rule set, compiled into ONE engine. An upload or a reload builds
 * a new engine and swaps it in under the lock (correlation state starts
 * afresh then). A rule disabled for a unit makes no alert for the hosts of
 * that unit and its children.
 *
 * Evaluation runs after the batch's commit (canh_logs_after_ingest). Each
 * message is claimed (store_logs.h) in the transaction that records its
 * alerts, so a message is evaluated at most once, even when an agent sends
 * it again. A crash between the batch's commit and the evaluation leaves the
 * message pending; canh_logs_new evaluates what is pending at start.
 *
 * Threads: HTTP workers call in concurrently; one mutex serialises the
 * engine, the decoder states and their scratch event (the lock order is
 * this mutex, then the store's).
 */
#ifndef CANH_SERVER_LOGS_H
#define CANH_SERVER_LOGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/proto.h"

struct canh_server;
struct canh_logs;

/* Build the engine from rules_dir and the stored rule sets. NULL only when out of memory. */
struct canh_logs *canh_logs_new(struct canh_server *srv, struct canh_errmsg *err);
void canh_logs_free(struct canh_logs *l);

/* Rebuild the rule set (after an upload) and swap it in. */
int canh_logs_reload(struct canh_logs *l, struct canh_errmsg *err);

/*
 * Decode and evaluate the logs messages of a batch just stored for agent_id.
 * Failures are logged, never returned: the batch is already acknowledged.
 */
void canh_logs_after_ingest(struct canh_server *srv, int64_t agent_id,
			    const struct canh_proto_batch *b);

/* Evaluate one logs message's data for agent_id (the claim is the caller's). Exposed for tests. */
void canh_logs_eval_message(struct canh_logs *l, int64_t agent_id, const json_t *data);

/*
 * Validate a rule file with a fresh engine: *report gets [{"id", "title",
 * "status": "loaded"|"skipped"|"error", "line", "column", "reason"}] (new
 * reference) and the counts.
 */
int canh_logs_check_rules(const char *source, const char *yaml, size_t len, json_t **report,
			  size_t *loaded, size_t *skipped, size_t *errors);

/* The loaded rules: [{"id", "title", "level", "source", "correlation", ...}] (new reference). */
json_t *canh_logs_rules_json(struct canh_logs *l);
/* Whether a rule with this id is loaded. */
int canh_logs_has_rule(struct canh_logs *l, const char *id);

struct canh_logs_stats {
	uint64_t messages, lines, events, alerts, deduplicated, c2, suppressed;
	uint64_t decoders_evicted;
	size_t rules;
};
void canh_logs_get_stats(struct canh_logs *l, struct canh_logs_stats *st);

#endif
