/*
 * C2 matching of agents' connections (live and retro-hunt), flows retention,
 * and pinpointing the hosts behind an egress address (server/flows.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "flows.h"
#include "intel.h"
#include "server.h"
#include "store_flows.h"

#define DAY_MS (86400LL * 1000)
#define HITS_MAX 16
#define HUNT_GROUP 256
#define PRUNE_CHUNK 5000
#define PINPOINT_FLOWS_MAX 5000
#define PINPOINT_WINDOW_DEFAULT DAY_MS

/* Scores of the reasons (docs/intel.md, "Pinpointing"). */
#define SCORE_EGRESS 50
#define SCORE_EGRESS_OTHER_TIME 15
#define SCORE_UNIT_RANGE 10
#define SCORE_C2_CONTACT 30
#define SCORE_C2_FAMILY 20
#define SCORE_LISTED_PORT 25
#define SCORE_UNUSUAL_PORT 10
#define SCORE_UNOWNED 20
#define MAX_C2_REASONS 3
#define MAX_UNUSUAL_REASONS 3
#define MAX_UNOWNED_REASONS 2
#define RARE_PORT_AGENTS 2 /* a port used by at most this many hosts of the fleet is rare */

/* Record the alerts of one remote address's hits; returns the number of new alerts. */
static size_t record_hits(struct canh_server *srv, int64_t agent_id, const struct canh_ipaddr *a,
			  const struct canh_intel_hit *hits, size_t n, int64_t since,
			  const char *source, int64_t now)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		struct canh_flow_c2 c2 = {
		    .entry_id = hits[i].entry_id,
		    .feed = hits[i].feed,
		    .version = hits[i].version,
		    .value = hits[i].value,
		    .family = hits[i].family,
		    .port = hits[i].port,
		};
		struct canh_errmsg e;
		size_t created = 0;
		int rc = canh_store_alerts_from_flows(srv->store, agent_id, a, since, &c2, source,
						      now, &created, &e);
		if (rc != 0) {
			canh_error_r(rc, "%s", e.text);
			continue;
		}
		if (created) {
			char ip[CANH_IPADDR_STRLEN];
			canh_warn("C2 alert (%s): %zu connection(s) to %s, on '%s' version %lld "
				  "entry '%s'",
				  source, created, canh_ip_format(a, ip, sizeof(ip)), hits[i].feed,
				  (long long)hits[i].version, hits[i].value);
		}
		total += created;
	}
	return total;
}

void canh_flows_after_ingest(struct canh_server *srv, int64_t agent_id,
			     const struct canh_proto_batch *b)
{
	struct canh_intel_hit hits[HITS_MAX];
	int64_t now = canh_now_ms();
	struct canh_errmsg gerr;
	int group;

	if (!srv->intel)
		return;
	/* The alerts of a batch in one transaction: one fsync, not one per alert. */
	group = canh_store_begin(srv->store, &gerr) == 0;
	if (!group)
		canh_warn("C2 matching without a transaction: %s", gerr.text);
	for (size_t i = 0; i < b->n; i++) {
		const struct canh_proto_msg *m = &b->msgs[i];
		const json_t *e;
		size_t k;

		if (m->type != CANH_MSG_FLOWS || !m->data || m->error[0])
			continue;
		json_array_foreach(json_object_get(m->data, "flows"), k, e)
		{
			const char *remote = json_string_value(json_object_get(e, "remote"));
			struct canh_ipaddr a;
			size_t n;

			if (!remote || canh_ip_parse(remote, &a) != 0)
				continue;
			n = canh_intel_lookup_c2(srv->intel, &a, hits, HITS_MAX);
			if (n)
				record_hits(srv, agent_id, &a, hits, n, 0, "live", now);
		}
	}
	if (group && canh_store_commit(srv->store, &gerr) != 0)
		canh_error("cannot record C2 alerts (the next retro-hunt finds them): %s",
			   gerr.text);
}

/* The retro-hunt's matches, gathered under the store's lock and recorded after. */
struct hunt {
	struct canh_server *srv;
	struct canh_ipaddr *addrs;
	size_t n, cap, remotes;
};

static int hunt_one(void *ctx, const struct canh_ipaddr *a)
{
	struct hunt *h = ctx;
	struct canh_intel_hit hit;

	h->remotes++;
	if (canh_intel_lookup_c2(h->srv->intel, a, &hit, 1) == 0)
		return 0;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->addrs = canh_xrealloc(h->addrs, h->cap * sizeof(*h->addrs));
	}
	h->addrs[h->n++] = *a;
	return 0;
}

int canh_flows_retrohunt(struct canh_server *srv, int64_t days, struct canh_errmsg *err)
{
	struct canh_intel_hit hits[HITS_MAX];
	struct hunt h = {.srv = srv};
	int64_t now = canh_now_ms(), since;
	size_t created = 0;
	int rc;

	if (days <= 0)
		days = srv->cfg.retrohunt_days;
	if (!srv->intel || days <= 0)
		return 0;
	since = now - days * DAY_MS;
	if ((rc = canh_store_flows_remotes(srv->store, since, hunt_one, &h, err)) != 0)
		goto out;
	/* Alerts in transactions of up to HUNT_GROUP addresses: few fsyncs, and ingest waits
	   for one group at most. */
	for (size_t i = 0; i < h.n; i += HUNT_GROUP) {
		if ((rc = canh_store_begin(srv->store, err)) != 0)
			goto out;
		for (size_t k = i; k < h.n && k < i + HUNT_GROUP; k++) {
			size_t n = canh_intel_lookup_c2(srv->intel, &h.addrs[k], hits, HITS_MAX);
			created +=
			    record_hits(srv, 0, &h.addrs[k], hits, n, since, "retrohunt", now);
		}
		if ((rc = canh_store_commit(srv->store, err)) != 0)
			goto out;
	}
	canh_info("retro-hunt over %lld day(s): %zu remote address(es), %zu on C2 lists, %zu new "
		  "alert(s)",
		  (long long)days, h.remotes, h.n, created);
out:
	free(h.addrs);
	return rc;
}

int canh_flows_prune(struct canh_server *srv, int64_t now, int64_t *deleted)
{
	struct canh_errmsg e;
	int64_t n;
	int rc;

	*deleted = 0;
	if (srv->cfg.flow_retention <= 0)
		return 0;
	do {
		rc = canh_store_flows_prune(srv->store, now - srv->cfg.flow_retention, PRUNE_CHUNK,
					    &n, &e);
		if (rc != 0) {
			canh_error_r(rc, "%s", e.text);
			return rc;
		}
		*deleted += n;
	} while (n == PRUNE_CHUNK && !__atomic_load_n(&srv->pruner_stop, __ATOMIC_RELAXED));
	return 0;
}

/* ---- pinpointing ---- */

static json_t *jtime(int64_t ms)
{
	char t[CANH_TIME_BUFSZ];
	return json_string(canh_time_format(ms, t, sizeof(t)));
}

/* The candidate of agent id in cands (created from row's agent, hostname, unit). */
static json_t *candidate(json_t *cands, const json_t *row)
{
	json_int_t id = json_integer_value(json_object_get(row, "agent"));
	char key[24];
	json_t *c;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	c = json_object_get(cands, key);
	if (c)
		return c;
	c = json_pack("{s:I, s:O, s:O, s:i, s:[]}", "host", id, "hostname",
		      json_object_get(row, "hostname"), "unit", json_object_get(row, "unit"),
		      "score", 0, "reasons");
	json_object_set_new(cands, key, c);
	return c;
}

static void add_reason(json_t *c, int score, json_t *reason)
{
	json_object_set_new(c, "score",
			    json_integer(json_integer_value(json_object_get(c, "score")) + score));
	json_array_append_new(json_object_get(c, "reasons"), reason);
}

static int common_port(int port)
{
	static const int ports[] = {80, 443, 53, 123, 22, 25, 465, 587, 993, 995, 143, 110, 853};
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

static json_t *flow_brief(const json_t *f)
{
	return json_pack("{s:O, s:O, s:O, s:O*, s:O*}", "remote", json_object_get(f, "remote"),
			 "port", json_object_get(f, "remote_port"), "direction",
			 json_object_get(f, "direction"), "process", json_object_get(f, "process"),
			 "exe", json_object_get(f, "exe"));
}

/* The evidence of one candidate's own connections around the time. */
static int evidence(struct canh_server *srv, json_t *c, int64_t from, int64_t to,
		    const char *family, int port, struct canh_errmsg *err)
{
	int64_t id = json_integer_value(json_object_get(c, "host"));
	json_t *alerts = NULL, *flows = NULL, *seen = json_object(), *e;
	int nc2 = 0, fam = 0, listed = 0, unusual = 0, unowned = 0, rc;
	size_t i;

	if ((rc = canh_store_agent_alerts_window(srv->store, id, from, to, &alerts, err)) != 0)
		goto out;
	json_array_foreach(alerts, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "family"));
		char key[32];

		snprintf(key, sizeof(key), "e%lld",
			 (long long)json_integer_value(json_object_get(e, "entry_id")));
		if (family && family[0] && f && strcasecmp(f, family) == 0 && !fam) {
			fam = 1;
			add_reason(c, SCORE_C2_FAMILY,
				   json_pack("{s:s, s:s}", "code", "c2_family", "family", f));
		}
		if (json_object_get(seen, key) || nc2 >= MAX_C2_REASONS)
			continue;
		json_object_set_new(seen, key, json_true());
		nc2++;
		add_reason(
		    c, SCORE_C2_CONTACT,
		    json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O*, s:O*, s:O*, s:O}", "code",
			      "c2_contact", "remote", json_object_get(e, "remote"), "port",
			      json_object_get(e, "remote_port"), "feed", json_object_get(e, "feed"),
			      "version", json_object_get(e, "feed_version"), "entry",
			      json_object_get(e, "entry"), "family", json_object_get(e, "family"),
			      "process", json_object_get(e, "process"), "exe",
			      json_object_get(e, "exe"), "alert", json_object_get(e, "id"), "time",
			      json_object_get(e, "last_seen")));
	}

	if ((rc = canh_store_agent_flows_window(srv->store, id, from, to, PINPOINT_FLOWS_MAX,
						&flows, err)) != 0)
		goto out;
	json_array_foreach(flows, i, e)
	{
		const char *dir = json_string_value(json_object_get(e, "direction"));
		const char *exe = json_string_value(json_object_get(e, "exe"));
		int out = dir && strcmp(dir, "out") == 0;
		int rport = (int)json_integer_value(json_object_get(e, "remote_port"));
		int lport = (int)json_integer_value(json_object_get(e, "local_port"));
		char key[1100]; /* "x" + an exe path of at most 1024 bytes */

		if (port > 0 && !listed && ((out && rport == port) || (!out && lport == port))) {
			json_t *r = flow_brief(e);
			listed = 1;
			json_object_set_new(r, "code", json_string("listed_port"));
			json_object_set_new(r, "port", json_integer(port));
			json_object_set_new(
			    r, "time", jtime(json_integer_value(json_object_get(e, "last_seen"))));
			add_reason(c, SCORE_LISTED_PORT, r);
		}
		if (out && rport > 0 && !common_port(rport) && rport != port &&
		    unusual < MAX_UNUSUAL_REASONS) {
			int64_t hosts = 0;
			snprintf(key, sizeof(key), "p%d", rport);
			if (!json_object_get(seen, key)) {
				json_object_set_new(seen, key, json_true());
				if ((rc = canh_store_port_agents(srv->store, rport, from, to,
								 &hosts, err)) != 0)
					goto out;
				if (hosts <= RARE_PORT_AGENTS) {
					json_t *r = flow_brief(e);
					unusual++;
					json_object_set_new(r, "code", json_string("unusual_port"));
					json_object_set_new(r, "hosts", json_integer(hosts));
					add_reason(c, SCORE_UNUSUAL_PORT, r);
				}
			}
		}
		if (json_is_false(json_object_get(e, "owned")) && exe && exe[0] &&
		    unowned < MAX_UNOWNED_REASONS) {
			snprintf(key, sizeof(key), "x%s", exe);
			if (!json_object_get(seen, key)) {
				json_object_set_new(seen, key, json_true());
				unowned++;
				add_reason(c, SCORE_UNOWNED,
					   json_pack("{s:s, s:s, s:O*}", "code", "unowned_process",
						     "exe", exe, "process",
						     json_object_get(e, "process")));
			}
		}
	}
out:
	json_decref(alerts);
	json_decref(flows);
	json_decref(seen);
	return rc;
}

static int cmp_candidates(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	json_int_t sx = json_integer_value(json_object_get(x, "score"));
	json_int_t sy = json_integer_value(json_object_get(y, "score"));
	json_int_t hx = json_integer_value(json_object_get(x, "host"));
	json_int_t hy = json_integer_value(json_object_get(y, "host"));

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return hx < hy ? -1 : hx > hy;
}

int canh_flows_pinpoint(struct canh_server *srv, const struct canh_ipaddr *egress, int64_t t_ms,
			int64_t window_ms, const char *family, int port, json_t **out,
			struct canh_errmsg *err)
{
	char addr[CANH_IPADDR_STRLEN];
	json_t *cands = json_object(), *rows = NULL, *units = NULL, *e, *c, *result = NULL;
	json_t **sorted = NULL;
	int64_t from, to;
	const char *key;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	if (window_ms <= 0)
		window_ms = PINPOINT_WINDOW_DEFAULT;
	from = t_ms - window_ms;
	to = t_ms + window_ms;
	canh_ip_format(egress, addr, sizeof(addr));

	/* 1. Agents whose requests came from the address. */
	if ((rc = canh_store_egress_agents(srv->store, addr, &rows, err)) != 0)
		goto out;
	json_array_foreach(rows, i, e)
	{
		int64_t first = json_integer_value(json_object_get(e, "first_seen"));
		int64_t last = json_integer_value(json_object_get(e, "last_seen"));
		int in = first <= to && last >= from;

		c = candidate(cands, e);
		add_reason(c, in ? SCORE_EGRESS : SCORE_EGRESS_OTHER_TIME,
			   json_pack("{s:s, s:s, s:o, s:o}", "code",
				     in ? "egress" : "egress_other_time", "addr", addr,
				     "first_seen", jtime(first), "last_seen", jtime(last)));
	}
	json_decref(rows);
	rows = NULL;

	/* 2. Agents of the units whose public ranges hold it. */
	if ((rc = canh_store_unit_ranges(srv->store, &units, err)) != 0)
		goto out;
	json_array_foreach(units, i, e)
	{
		const json_t *r;
		size_t k;

		json_array_foreach(json_object_get(e, "ranges"), k, r)
		{
			struct canh_cidr cidr;
			const char *s = json_string_value(r);
			size_t j;
			const json_t *a;

			if (!s || canh_cidr_parse(s, false, &cidr) != 0 ||
			    !canh_cidr_contains(&cidr, egress))
				continue;
			if ((rc = canh_store_unit_agents(
				 srv->store, json_integer_value(json_object_get(e, "id")), &rows,
				 err)) != 0)
				goto out;
			json_array_foreach(rows, j, a)
			{
				c = candidate(cands, a);
				add_reason(c, SCORE_UNIT_RANGE,
					   json_pack("{s:s, s:O, s:s}", "code", "unit_range",
						     "unit", json_object_get(e, "code"), "range",
						     s));
			}
			json_decref(rows);
			rows = NULL;
			break; /* one range of a unit is enough */
		}
	}

	/* 3. Each candidate's own evidence, then the ranking. */
	sorted = canh_xcalloc(json_object_size(cands) + 1, sizeof(*sorted));
	json_object_foreach(cands, key, c)
	{
		if ((rc = evidence(srv, c, from, to, family, port, err)) != 0)
			goto out;
		sorted[n++] = c;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_candidates);
	result = json_array();
	for (i = 0; i < n; i++)
		json_array_append(result, sorted[i]);
out:
	free(sorted);
	json_decref(rows);
	json_decref(units);
	json_decref(cands);
	if (rc != 0) {
		json_decref(result);
		return rc;
	}
	*out = result;
	return 0;
}
