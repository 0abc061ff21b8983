/*
 * The store's calls for network flows and C2 alerts (docs/intel.md,
 * "Connections" and "C2 alerts"). SQL lives in store_sqlite_flows.c; the
 * rules of store.h hold (errors, times in ms, JSON owned by the caller).
 *
 * Flows are upserted per aggregate key (agent, proto, direction, local
 * address and port, remote address and port, exe): a later message for the
 * same key widens first_seen/last_seen and adds its count. Addresses are
 * stored as 16-byte BLOBs (IPv4 in the first 4 bytes) with their family.
 * Alerts are unique per (agent, remote address, remote port, exe, C2 entry):
 * recording the same match again only widens its first/last seen.
 */
#ifndef CANH_SERVER_STORE_FLOWS_H
#define CANH_SERVER_STORE_FLOWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/ipaddr.h"
#include "canh/proto.h"
#include "store.h"

/*
 * Apply one newly stored flows message (inside canh_store_ingest_batch's
 * transaction): upsert each flow. Called from store_sqlite.c.
 */
int canh__store_apply_flows(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			    int64_t now, struct canh_errmsg *err);

/* One C2 entry that covers an address (copied from server/intel.h's hit). */
struct canh_flow_c2 {
	int64_t entry_id;
	const char *feed;
	int64_t version;
	const char *value;  /* the entry as listed */
	const char *family; /* "" or NULL when unknown */
	int port;	    /* port the list gives, 0 when none */
};

/*
 * Record an alert for every stored flow to `remote` (of agent_id, or of
 * every agent when agent_id is 0) last seen at or after since_ms, matched by
 * entry c2; source is "live" or "retrohunt". *created gets the number of
 * new alerts (existing ones are widened, not counted).
 */
int canh_store_alerts_from_flows(struct canh_store *s, int64_t agent_id,
				 const struct canh_ipaddr *remote, int64_t since_ms,
				 const struct canh_flow_c2 *c2, const char *source, int64_t now,
				 size_t *created, struct canh_errmsg *err);

/*
 * Call fn for each distinct remote address of the flows last seen at or
 * after since_ms (under the store's lock: fn must not call the store).
 * fn returns 0 to go on.
 */
int canh_store_flows_remotes(struct canh_store *s, int64_t since_ms,
			     int (*fn)(void *ctx, const struct canh_ipaddr *a), void *ctx,
			     struct canh_errmsg *err);

/* Filters of canh_store_alert_list. */
struct canh_alert_filter {
	const char *unit; /* a unit code: it and its descendants; NULL: all */
	int64_t agent_id; /* 0: all */
	int64_t since_ms; /* alerts created at or after; 0: all */
	int64_t limit;	  /* newest first; <= 0: 1000 */
};

/* {"alerts": [...]} newest first (docs/intel.md). CANH_ENOENT: the unit does not exist. */
int canh_store_alert_list(struct canh_store *s, const struct canh_alert_filter *f, json_t **out,
			  struct canh_errmsg *err);

/* The flows of one agent, last seen newest first, at most limit: a JSON array. */
int canh_store_flow_list(struct canh_store *s, int64_t agent_id, int64_t limit, json_t **out,
			 struct canh_errmsg *err);

/* Delete flows last seen before before_ms, at most max_rows; *deleted gets how many. */
int canh_store_flows_prune(struct canh_store *s, int64_t before_ms, int64_t max_rows,
			   int64_t *deleted, struct canh_errmsg *err);

/* ---- pinpointing (server/flows.c) ---- */

/*
 * Agents whose requests came from egress address `addr` (text form as
 * stored by canh_store_agent_seen): [{"agent", "hostname", "unit",
 * "first_seen", "last_seen"}] with times in ms.
 */
int canh_store_egress_agents(struct canh_store *s, const char *addr, json_t **out,
			     struct canh_errmsg *err);
/* Every unit with its public ranges: [{"id", "code", "ranges": [...]}]. */
int canh_store_unit_ranges(struct canh_store *s, json_t **out, struct canh_errmsg *err);
/* The agents of unit_id and its descendants: [{"agent", "hostname", "unit"}]. */
int canh_store_unit_agents(struct canh_store *s, int64_t unit_id, json_t **out,
			   struct canh_errmsg *err);
/*
 * The flows of agent_id overlapping [from_ms, to_ms], at most limit:
 * [{"proto", "direction", "remote", "remote_port", "local_port", "exe",
 * "process", "owned", "first_seen", "last_seen", "count"}] with times in ms.
 */
int canh_store_agent_flows_window(struct canh_store *s, int64_t agent_id, int64_t from_ms,
				  int64_t to_ms, int64_t limit, json_t **out,
				  struct canh_errmsg *err);
/* The alerts of agent_id whose flows overlap [from_ms, to_ms], in the shape of the API. */
int canh_store_agent_alerts_window(struct canh_store *s, int64_t agent_id, int64_t from_ms,
				   int64_t to_ms, json_t **out, struct canh_errmsg *err);
/* How many agents had an outbound flow to remote port `port` overlapping [from_ms, to_ms]. */
int canh_store_port_agents(struct canh_store *s, int port, int64_t from_ms, int64_t to_ms,
			   int64_t *n, struct canh_errmsg *err);

#endif
