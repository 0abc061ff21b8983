/*
 * The store's calls for log monitoring (docs/logs.md): per-host counters,
 * the evaluation claim of each "logs" message, Sigma and C2 alerts with
 * de-duplication, uploaded Sigma rule sets and per-unit disables. SQL lives
 * in store_sqlite_logs.c; the rules of store.h hold (errors, times in ms,
 * JSON owned by the caller).
 */
#ifndef CANH_SERVER_STORE_LOGS_H
#define CANH_SERVER_STORE_LOGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/proto.h"
#include "store.h"

/*
 * Apply one newly stored logs message (inside canh_store_ingest_batch's
 * transaction): add its lines, shed and cut lines to the host's counters,
 * and mark it pending evaluation. Called from store_sqlite.c.
 */
int canh__store_apply_logs(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err);

/*
 * Claim a pending message for evaluation: *claimed is 1 when this call took
 * it (it was pending), 0 when it was evaluated before. Run it in the
 * transaction that records the message's alerts.
 */
int canh_store_logs_claim(struct canh_store *s, int64_t agent_id, uint64_t seq, int *claimed,
			  struct canh_errmsg *err);

/*
 * Up to `limit` messages still pending evaluation (a crash came between a
 * batch's commit and its evaluation): [{"agent_id", "seq", "data"}]. Claims
 * whose message was deleted by retention are dropped.
 */
int canh_store_logs_pending(struct canh_store *s, size_t limit, json_t **out,
			    struct canh_errmsg *err);

/* The host name and unit of an agent (hostname at least 256 bytes). CANH_ENOENT: no such agent. */
int canh_store_logs_agent(struct canh_store *s, int64_t agent_id, char *hostname, size_t hostsz,
			  int64_t *unit_id, struct canh_errmsg *err);

/* Add to a host's counters of decoded events and alerts. */
int canh_store_logs_count(struct canh_store *s, int64_t agent_id, uint64_t events, uint64_t alerts,
			  int64_t now, struct canh_errmsg *err);

/* An alert to record. */
struct canh_log_alert {
	const char *kind; /* "sigma" or "c2" */
	const char *rule_id, *title, *title_vi, *level;
	int64_t agent_id;
	const char *dedup_key;
	const char *group;    /* group-by values, "" when none */
	int64_t time_ms;      /* the event's time */
	const json_t *detail; /* {"event": ..., "correlation": ..., "c2": ...} */
};

/* 0 informational, 1 low, 2 medium, 3 high, 4 critical; -1 for anything else. */
int canh_log_level_rank(const char *level);

/*
 * Record an alert: when an alert with the same dedup key was last seen
 * within window_ms before a->time_ms, its count grows and its last_seen
 * moves (*created 0); else a new alert (*created 1).
 */
int canh_store_logs_alert(struct canh_store *s, const struct canh_log_alert *a, int64_t window_ms,
			  int64_t now, int *created, struct canh_errmsg *err);

/* Whether rule_id is disabled for unit_id or one of its ancestors. */
int canh_store_sigma_disabled(struct canh_store *s, const char *rule_id, int64_t unit_id,
			      int *disabled, struct canh_errmsg *err);

/* Disable (disable 1) or enable again a rule for a unit and its children. CANH_ENOENT: no unit. */
int canh_store_sigma_set_disabled(struct canh_store *s, const char *rule_id, const char *unit,
				  int disable, const char *actor, int64_t now,
				  struct canh_errmsg *err);

/* rule id -> [unit codes] of every disable. */
int canh_store_sigma_disabled_map(struct canh_store *s, json_t **out, struct canh_errmsg *err);

/* Store a new version of rule set `name`; *version gets its number (1, 2, ...). */
int canh_store_sigma_ruleset_add(struct canh_store *s, const char *name, const char *content,
				 size_t len, size_t loaded, size_t skipped, size_t errors,
				 const char *actor, int64_t now, int64_t *version,
				 struct canh_errmsg *err);

/* Call fn with the latest version of every rule set (name order). */
int canh_store_sigma_rulesets(struct canh_store *s,
			      void (*fn)(void *arg, const char *name, int64_t version,
					 const char *content, size_t len),
			      void *arg, struct canh_errmsg *err);

/* [{name, version, loaded, skipped, errors, sha256, created_at}] of the latest versions. */
int canh_store_sigma_rulesets_json(struct canh_store *s, json_t **out, struct canh_errmsg *err);

struct canh_log_alert_filter {
	const char *unit; /* unit code (with its children), or NULL */
	int64_t since_ms; /* last_seen at or after */
	int min_rank;	  /* canh_log_level_rank, -1: any */
	int64_t limit;	  /* 0: 1000 */
};

/* {"alerts": [...]}, newest last_seen first. CANH_ENOENT: unknown unit. */
int canh_store_logs_alerts(struct canh_store *s, const struct canh_log_alert_filter *f,
			   json_t **out, struct canh_errmsg *err);

/* A host's counters as {"lines", "events", "shed", "cut", "alerts", "last_at"}, or NULL. */
int canh_store_logs_counters(struct canh_store *s, int64_t agent_id, json_t **out,
			     struct canh_errmsg *err);

#endif
