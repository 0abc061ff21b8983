/*
 * `canh-agent run`: a collector (the calling thread) and an uplink thread
 * sharing the spool under a mutex.
 *
 * The collector never touches the network, so heartbeats keep being spooled
 * at their interval however long the server hangs; the uplink never holds
 * the lock during network I/O. Both sleep in short steps and watch *stop,
 * and the uplink's requests are cancelled through it, so SIGTERM ends the
 * process promptly even in the middle of a request to a hung server.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "flows.h"
#include "hunt.h"
#include "logs.h"

#define SPOOL_OPEN_WAIT_MS 5000 /* `canh-agent status` may hold the spool for a moment */
#define LOG_REPEAT_MS 60000	/* a persisting failure is logged again this often */
#define BACKOFF_BASE_MS 250

/* ---- collection ---- */

struct collector {
	struct canh_agent *a;
	struct canh_agent_invstate inv;
	int64_t full_logged_ms; /* last "spool full" warning */
	/* NULL when flow_interval is 0; and the last "cannot sample" warning */
	struct canh_agent_flows *flows;
	int64_t flow_logged_ms;
	/* NULL when log_interval is 0; a logs message the spool refused, offered again */
	struct canh_agent_logs *logs;
	char *logs_pending;
	size_t logs_pending_len;
};

static void report_append(struct collector *c, int rc, const char *what, size_t len)
{
	struct canh_spool_stats st;

	if (rc == CANH_EFULL) {
		int64_t now = canh_mono_ms();
		if (c->full_logged_ms == 0 || now - c->full_logged_ms >= LOG_REPEAT_MS) {
			pthread_mutex_lock(&c->a->lock);
			canh_spool_get_stats(c->a->spool, &st);
			pthread_mutex_unlock(&c->a->lock);
			canh_warn("spool full (%" PRIu64 " bytes pending, cap %" PRIu64
				  "): %s refused, %" PRIu64 " refused so far",
				  st.pending_bytes, st.max_bytes, what, st.refused);
			c->full_logged_ms = now;
		}
		return;
	}
	canh_error_r(rc, "cannot spool the %s (%zu bytes)", what, len);
}

static void collect_inventory(struct collector *c)
{
	struct canh_agent_invstate next;
	struct canh_errmsg err;
	json_t *inv = NULL;
	char *text = NULL;
	size_t len = 0;
	uint64_t seq;
	int rc;

	if ((rc = canh_inventory_collect(NULL, &inv, &err)) != 0) {
		canh_error_r(rc, "inventory collection failed: %s", err.text);
		return;
	}
	size_t nerr = json_array_size(json_object_get(inv, "errors"));
	if (nerr)
		canh_debug("inventory collected with %zu error line(s)", nerr);
	if ((rc = canh_agent_inventory_message(inv, &c->inv, canh_now_ms(),
					       c->a->cfg.full_inventory_interval, &text, &len,
					       &next)) != 0) {
		canh_error_r(rc, "cannot encode the inventory");
		return;
	}
	rc = canh_agent_spool_append(c->a, text, len, &seq);
	if (rc != 0) {
		report_append(c, rc, "inventory", len);
	} else {
		canh_info("inventory spooled as seq %" PRIu64 " (%zu bytes%s)", seq, len,
			  next.last_full_ms != c->inv.last_full_ms ? ", full" : "");
		c->inv = next;
		if ((rc = canh_agent_invstate_save(c->a->dir, &c->inv, &err)) != 0)
			canh_warn("cannot save the inventory state: %s", err.text);
	}
	free(text);
}

static void collect_heartbeat(struct collector *c)
{
	struct canh_spool_stats st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	pthread_mutex_lock(&c->a->lock);
	canh_spool_get_stats(c->a->spool, &st);
	pthread_mutex_unlock(&c->a->lock);
	rc = canh_agent_heartbeat_message(
	    canh_now_ms(), (canh_mono_ms() - c->a->started_mono) / 1000, &st, &text, &len);
	if (rc == 0)
		rc = canh_agent_spool_append(c->a, text, len, NULL);
	if (rc != 0)
		report_append(c, rc, "heartbeat", len);
	free(text);
}

static void sample_flows(struct collector *c)
{
	struct canh_errmsg err;
	int rc = canh_agent_flows_sample(c->flows, canh_now_ms(), &err);

	if (rc != 0) {
		int64_t now = canh_mono_ms();
		if (c->flow_logged_ms == 0 || now - c->flow_logged_ms >= LOG_REPEAT_MS) {
			canh_warn("cannot sample network connections: %s", err.text);
			c->flow_logged_ms = now;
		}
	}
}

static void spool_flows(struct collector *c)
{
	char *text = NULL;
	size_t len = 0, n, dropped;
	uint64_t seq;
	int rc;

	n = canh_agent_flows_pending(c->flows, &dropped);
	if ((rc = canh_agent_flows_message(c->flows, canh_now_ms(), &text, &len)) != 0) {
		canh_error_r(rc, "cannot encode the flows");
		return;
	}
	if (!text)
		return;
	rc = canh_agent_spool_append(c->a, text, len, &seq);
	if (rc != 0)
		report_append(c, rc, "flows", len);
	else
		canh_debug("flows spooled as seq %" PRIu64
			   " (%zu connections, %zu dropped, %zu bytes)",
			   seq, n, dropped, len);
	if (dropped)
		canh_warn("%zu connections over the cap of %lld per flows message left out",
			  dropped, (long long)c->a->cfg.flow_max);
	free(text);
}

#define LOGS_ROUNDS_MAX 8 /* logs messages per collection round, when lines keep coming */

/* Spool the new log lines, then persist offsets and cursor (agent/logs.h). */
static void collect_logs(struct collector *c)
{
	struct canh_errmsg err;
	int more = 1;

	for (int round = 0; more && round < LOGS_ROUNDS_MAX; round++) {
		char *text = c->logs_pending;
		size_t len = c->logs_pending_len;
		int rc;

		c->logs_pending = NULL;
		if (!text &&
		    canh_agent_logs_message(c->logs, canh_now_ms(), &text, &len, &more) != 0)
			return;
		if (!text)
			return;
		if ((rc = canh_agent_spool_append(c->a, text, len, NULL)) != 0) {
			report_append(c, rc, "logs", len);
			/* offsets stay where they are until it is spooled */
			c->logs_pending = text;
			c->logs_pending_len = len;
			return;
		}
		free(text);
		if (canh_agent_logs_commit(c->logs, &err) != 0)
			canh_warn("cannot save the log offsets: %s", err.text);
	}
}

/* ---- uplink ---- */

struct uplog {
	enum canh_uplink_result kind;
	int64_t logged_ms;
	unsigned fails;
};

static const char *retry_hint(enum canh_uplink_result r)
{
	switch (r) {
	case CANH_UPLINK_AUTH:
		return "messages stay spooled; re-enrol the agent if it was revoked";
	case CANH_UPLINK_TLS:
		return "nothing was sent; messages stay spooled";
	case CANH_UPLINK_REJECTED:
		return "this is a bug of the agent or the server; messages stay spooled";
	case CANH_UPLINK_TOO_LARGE:
		return "retrying with a smaller batch";
	default:
		return "messages stay spooled, will retry";
	}
}

/* Log a failure when it is new (another kind than the last) or has lasted another minute. */
static void log_failure(struct uplog *l, enum canh_uplink_result r, const char *msg, int64_t delay)
{
	int64_t now = canh_mono_ms();
	int again = l->kind == r && now - l->logged_ms < LOG_REPEAT_MS;

	l->fails++;
	if (again) {
		canh_log_write(CANH_LOG_DEBUG, "uplink", 0, "%s (retry in %" PRId64 " ms)", msg,
			       delay);
		return;
	}
	l->kind = r;
	l->logged_ms = now;
	canh_log_write(r == CANH_UPLINK_NET || r == CANH_UPLINK_STALLED ? CANH_LOG_WARN
									: CANH_LOG_ERROR,
		       "uplink", 0, "%s (%s)", msg, retry_hint(r));
}

static int64_t backoff_ms(const struct canh_agent *a, enum canh_uplink_result r, unsigned fails)
{
	int64_t d = BACKOFF_BASE_MS;
	uint8_t rnd = 0;

	if (r == CANH_UPLINK_AUTH)
		return a->cfg.retry_max;
	if (r == CANH_UPLINK_TOO_LARGE)
		return a->cfg.upload_interval < BACKOFF_BASE_MS ? a->cfg.upload_interval
								: BACKOFF_BASE_MS;
	for (unsigned i = 1; i < fails && d < a->cfg.retry_max; i++)
		d *= 2;
	if (d > a->cfg.retry_max)
		d = a->cfg.retry_max;
	/* jitter of up to a quarter, downwards, so many agents do not retry in step */
	canh_random_bytes(&rnd, 1);
	return d - d * rnd / 1024;
}

static void *uplink_main(void *arg)
{
	struct canh_agent *a = arg;
	struct uplog l = {.kind = CANH_UPLINK_OK};
	struct canh_errmsg err;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		enum canh_uplink_result r;
		err.text[0] = '\0';
		r = a->synced ? canh_agent_uplink_step(a, &err) : canh_agent_uplink_sync(a, &err);
		if (r == CANH_UPLINK_CANCELLED)
			break;
		if (r == CANH_UPLINK_OK || r == CANH_UPLINK_IDLE) {
			if (l.fails)
				canh_info("delivering to '%s' again after %u failed attempt(s)",
					  a->id.server, l.fails);
			l.fails = 0;
			l.kind = CANH_UPLINK_OK;
			if (r == CANH_UPLINK_IDLE)
				canh_sleep_ms(a->cfg.upload_interval, a->stop);
			continue;
		}
		int64_t delay = backoff_ms(a, r, l.fails + 1);
		log_failure(&l, r, err.text[0] ? err.text : "delivery failed", delay);
		canh_sleep_ms(delay, a->stop);
	}
	return NULL;
}

/* --once: everything pending, one attempt per step; 0 when all is delivered. */
static int deliver_once(struct canh_agent *a)
{
	struct canh_errmsg err;
	enum canh_uplink_result r;

	err.text[0] = '\0';
	if ((r = canh_agent_uplink_sync(a, &err)) != CANH_UPLINK_OK) {
		canh_error("%s", err.text[0] ? err.text : "cannot reach the server");
		return 1;
	}
	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		err.text[0] = '\0';
		r = canh_agent_uplink_step(a, &err);
		if (r == CANH_UPLINK_IDLE)
			return 0;
		if (r == CANH_UPLINK_TOO_LARGE)
			continue; /* the step made the next batch smaller: this ends */
		if (r != CANH_UPLINK_OK) {
			canh_error("%s", err.text[0] ? err.text : "delivery failed");
			return 1;
		}
	}
	return 1;
}

static int open_spool(struct canh_agent *a)
{
	char *path = canh_path_join(a->dir, "spool");
	struct canh_errmsg err;
	int64_t deadline = canh_mono_ms() + SPOOL_OPEN_WAIT_MS;
	int rc;

	for (;;) {
		rc = canh_spool_open(path, (uint64_t)a->cfg.spool_max, &a->spool, &err);
		if (rc != CANH_EAGAIN || canh_mono_ms() >= deadline ||
		    __atomic_load_n(a->stop, __ATOMIC_RELAXED))
			break;
		canh_sleep_ms(50, a->stop);
	}
	free(path);
	if (rc != 0) {
		canh_error_r(rc, "%s", err.text);
		return rc;
	}
	struct canh_spool_stats st;
	canh_spool_get_stats(a->spool, &st);
	if (st.truncated)
		canh_warn("spool recovery removed %" PRIu64 " damaged byte(s) (a crash mid-write, "
			  "or disk corruption)",
			  st.truncated);
	canh_info("spool: next seq %" PRIu64 ", acknowledged %" PRIu64 ", %" PRIu64
		  " pending (%" PRIu64 " bytes)",
		  st.next_seq, st.acked_seq, st.pending, st.pending_bytes);
	canh_agent_status_write(a->dir, &st);
	return 0;
}

int canh_agent_run(const char *dir, const struct canh_agent_cfg *cfg, int once, volatile int *stop)
{
	struct canh_agent a;
	struct collector c;
	struct canh_errmsg err;
	pthread_t up, tasks;
	int rc, status = 1, have_thread = 0, have_tasks = 0;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	a.dir = dir;
	a.cfg = *cfg;
	a.stop = stop;
	a.started_mono = canh_mono_ms();
	pthread_mutex_init(&a.lock, NULL);
	c.a = &a;

	if ((rc = canh_agent_ident_load(dir, &a.id, &err)) != 0) {
		canh_error("%s", err.text);
		goto out;
	}
	if (open_spool(&a) != 0)
		goto out;
	canh_agent_invstate_load(dir, &c.inv);
	if (cfg->flow_interval > 0) {
		struct canh_agent_flows_opts fo = {.max_flows = (size_t)cfg->flow_max,
						   .include_loopback = cfg->flow_loopback,
						   .package_owner = cfg->flow_package_owner};
		c.flows = canh_agent_flows_new(&fo);
	}
	if (cfg->log_interval > 0) {
		struct canh_agent_logs_opts lo = {
		    .state_dir = dir,
		    .files = cfg->log_files,
		    .journald = strcmp(cfg->journald, "yes") == 0  ? 1
				: strcmp(cfg->journald, "no") == 0 ? 0
								   : -1,
		    .journal_dir = cfg->journal_dir[0] ? cfg->journal_dir : NULL,
		    .from_start = cfg->log_from_start,
		    .rate_lines = cfg->log_rate_lines,
		    .rate_bytes = cfg->log_rate_bytes,
		    .max_lines = (size_t)cfg->log_max_lines,
		};
		if (!(c.logs = canh_agent_logs_new(&lo, &err)))
			canh_error("log collection off: %s", err.text);
	}
	canh_info("canh-agent %s: agent %" PRId64 " of '%s', certificate pinned to %s",
		  CANH_AGENT_VERSION, a.id.agent_id, a.id.server, a.id.fingerprint);

	if (once) {
		collect_inventory(&c);
		status = deliver_once(&a);
		goto out;
	}

	if ((rc = pthread_create(&up, NULL, uplink_main, &a)) != 0) {
		canh_error("cannot start the uplink thread: %s", strerror(rc));
		goto out;
	}
	have_thread = 1;
	if (cfg->task_poll_interval > 0) {
		if ((rc = pthread_create(&tasks, NULL, canh_agent_tasks_main, &a)) != 0)
			canh_error("cannot start the task thread (no hunts): %s", strerror(rc));
		else
			have_tasks = 1;
	}

	int64_t now = canh_mono_ms();
	int64_t next_inv = now, next_hb = now + cfg->heartbeat_interval;
	int64_t next_flow = now, next_flow_up = now + cfg->flow_upload;
	int64_t next_logs = now;
	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		now = canh_mono_ms();
		if (now >= next_inv) {
			collect_inventory(&c);
			next_inv = now + cfg->inventory_interval;
		}
		now = canh_mono_ms();
		if (now >= next_hb) {
			collect_heartbeat(&c);
			next_hb += cfg->heartbeat_interval;
			if (next_hb <= now) /* fell behind (a slow inventory): do not burst */
				next_hb = now + cfg->heartbeat_interval;
		}
		int64_t wake = next_inv < next_hb ? next_inv : next_hb;
		if (c.flows) {
			now = canh_mono_ms();
			if (now >= next_flow) {
				sample_flows(&c);
				next_flow = now + cfg->flow_interval;
			}
			now = canh_mono_ms();
			if (now >= next_flow_up) {
				spool_flows(&c);
				next_flow_up = now + cfg->flow_upload;
			}
			if (next_flow < wake)
				wake = next_flow;
			if (next_flow_up < wake)
				wake = next_flow_up;
		}
		if (c.logs) {
			now = canh_mono_ms();
			if (now >= next_logs) {
				collect_logs(&c);
				next_logs = now + cfg->log_interval;
			}
			if (next_logs < wake)
				wake = next_logs;
		}
		canh_sleep_ms(wake - canh_mono_ms(), stop);
	}
	if (c.flows)
		spool_flows(&c); /* what was seen since the last message */
	canh_info("stopping");
	status = 0;
out:
	if (have_tasks)
		pthread_join(tasks, NULL);
	if (have_thread)
		pthread_join(up, NULL);
	if (a.spool) {
		struct canh_spool_stats st;
		canh_spool_get_stats(a.spool, &st);
		canh_agent_status_write(dir, &st);
	}
	canh_spool_free(a.spool);
	canh_agent_flows_free(c.flows);
	canh_agent_logs_free(c.logs);
	free(c.logs_pending);
	pthread_mutex_destroy(&a.lock);
	memset(&a.id, 0, sizeof(a.id));
	return status;
}
