/*
 * The agent's network flows (docs/agent.md, docs/protocol.md "flows").
 *
 * Every flow_interval the collector takes a sample of the host's connections
 * (lib/netconn.c) and folds it into an aggregate table keyed by
 * (proto, direction, local address, service port, remote address, remote
 * port, executable): for an outbound connection the port kept is the remote
 * one, for an inbound one (its local port is a listening port) the local
 * one, so the ephemeral port of the other side never makes a new row. Each
 * aggregate keeps first_seen, last_seen and count (the samples it was seen
 * in). Every flow_upload the table becomes ONE "flows" message and starts
 * again empty; at most max_flows aggregates are kept per message, and the
 * sightings of keys past the cap (one per sample and connection) are
 * counted in "dropped", so a busy host does not flood the server.
 *
 * Listening sockets, unconnected UDP sockets and (unless include_loopback)
 * loopback connections are skipped. A socket in TIME_WAIT has no owner any
 * more: it is folded into the aggregate of the same connection with a known
 * executable when there is one, else kept without a process.
 *
 * The dpkg package owning each new executable is looked up once, in one pass
 * over /var/lib/dpkg/info/ *.list for all the executables new in a sample,
 * and cached.
 *
 * Not thread-safe: one collector thread owns a struct canh_agent_flows.
 */
#ifndef CANH_AGENT_FLOWS_H
#define CANH_AGENT_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

struct canh_agent_flows_opts {
	const char *root;     /* prefix of /proc and /var ("" or NULL: the real system) */
	size_t max_flows;     /* aggregates per message (0: 5000) */
	int include_loopback; /* keep 127.0.0.0/8 and ::1 connections (tests) */
	int package_owner;    /* look up the dpkg owner of executables */
};

struct canh_agent_flows;

struct canh_agent_flows *canh_agent_flows_new(const struct canh_agent_flows_opts *o);
void canh_agent_flows_free(struct canh_agent_flows *f); /* NULL-safe */

/* Take one sample at wall-clock now_ms and fold it in; err says why /proc/net could not be read. */
int canh_agent_flows_sample(struct canh_agent_flows *f, int64_t now_ms, struct canh_errmsg *err);

/* Aggregates held now, and sightings dropped over the cap since the last message. */
size_t canh_agent_flows_pending(const struct canh_agent_flows *f, size_t *dropped);

/*
 * The spooled text of a "flows" message with everything since the last one
 * ({"type":"flows","time":now,"data":...}), and start again empty. *text is
 * NULL (and 0 returned) when there is nothing to send. Caller frees *text.
 */
int canh_agent_flows_message(struct canh_agent_flows *f, int64_t now_ms, char **text, size_t *len);

#endif
