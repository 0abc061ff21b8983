/*
 * Network connections reported by agents ("flows" messages, docs/protocol.md),
 * matched against the active C2 set (server/intel.h), and the hosts behind an
 * egress address (docs/intel.md, "Connections", "C2 alerts", "Retro-hunt",
 * "Pinpointing").
 *
 * Live matching runs after the batch that carried a flows message has been
 * committed (canh_flows_after_ingest): a crash between the commit and the
 * match loses no alert for good, because the next retro-hunt (after every C2
 * import, and canh_flows_retrohunt on demand) sees the stored flow; alerts
 * are idempotent by a unique key (agent, remote address, remote port, exe,
 * C2 entry), so matching a flow twice never makes two alerts.
 *
 * The JSON returned is owned by the caller (json_decref).
 */
#ifndef CANH_SERVER_FLOWS_H
#define CANH_SERVER_FLOWS_H

#include <jansson.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/ipaddr.h"
#include "canh/proto.h"

struct canh_server;

/*
 * Match the flows messages of a batch just stored for agent_id against the
 * active C2 set and record alerts. Failures are logged, never returned: the
 * batch is already acknowledged, and the retro-hunt covers what is missed.
 */
void canh_flows_after_ingest(struct canh_server *srv, int64_t agent_id,
			     const struct canh_proto_batch *b);

/*
 * Match the flows stored with last_seen within the last `days` days against
 * the current C2 set (canh_intel_lookup_c2) and record new alerts. Called
 * after each C2 import; days <= 0 uses [intel] retrohunt_days. The number
 * of flows matched and of new alerts is logged; returns 0 or a CANH_E code
 * with err set.
 */
int canh_flows_retrohunt(struct canh_server *srv, int64_t days, struct canh_errmsg *err);

/*
 * Retention: delete flows last seen longer ago than [intel] flow_retention
 * (in chunks; alerts stay). *deleted gets how many. Called by the pruner.
 */
int canh_flows_prune(struct canh_server *srv, int64_t now, int64_t *deleted);

/*
 * Candidate hosts behind egress address E around time t_ms (+- window_ms;
 * window_ms <= 0 means 24 hours), for a victim entry of the given family
 * (may be NULL) and port (0 when the list gives none). Candidates are agents
 * whose authenticated requests came from E (agent_addresses) in or near the
 * window, and agents of units whose public ranges contain E. *out is a JSON
 * array, best first:
 *
 *   [{"host": 12, "hostname": "ws-01", "unit": "SO-TC", "score": 70,
 *     "reasons": [{"code": "egress", "addr": "198.51.100.7", "first_seen": "...",
 *                  "last_seen": "..."},
 *                 {"code": "c2_contact", "remote": "203.0.113.9", "port": 443,
 *                  "feed": "feodo", "version": 3, "family": "Emotet", "process": "x",
 *                  "exe": "/tmp/x", "time": "..."}, ...]}]
 *
 * Reason codes and their parameters are listed in docs/intel.md
 * ("Pinpointing"); the CLI words them in the user's language.
 */
int canh_flows_pinpoint(struct canh_server *srv, const struct canh_ipaddr *egress, int64_t t_ms,
			int64_t window_ms, const char *family, int port, json_t **out,
			struct canh_errmsg *err);

#endif
