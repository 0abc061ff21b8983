/*
 * Log monitoring: decode, evaluate, de-duplicate, record (server/logs.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/decode.h"
#include "canh/event.h"
#include "canh/ipaddr.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/sigma.h"
#include "canh/time.h"
#include "intel.h"
#include "logs.h"
#include "messages.h"
#include "server.h"
#include "store_logs.h"

#define PENDING_BATCH 200
#define C2_HITS_MAX 4
#define KEY_MAX 1024

/* Event fields holding an address that is looked up in the C2 set. */
static const char *const ip_field_names[] = {
    "SourceIp", "DestinationIp", "c-ip", "src_ip", "dst_ip", "IpAddress", "ClientIP", "RemoteIp",
};
#define NIP (sizeof(ip_field_names) / sizeof(ip_field_names[0]))

/* Parts of the de-duplication key besides the rule ([logs] dedup_key). */
enum {
	KEY_HOST = 1,
	KEY_UNIT = 2,
	KEY_GROUP = 4,
	KEY_DEFAULT = KEY_HOST | KEY_GROUP,
};

struct dslot {
	int64_t agent_id;
	int64_t used;
	struct canh_decoder_ctx ctx;
};

struct canh_logs {
	struct canh_server *srv;
	pthread_mutex_t mu;
	struct canh_sigma *engine;
	struct dslot *slots;
	size_t nslots, cap;
	int64_t tick;
	struct canh_event ev;
	int tz_min;
	unsigned key_parts;
	int ip_ids[NIP];
	struct canh_logs_stats st;
	/* The message being evaluated. */
	int64_t agent_id, unit_id, recv_ms;
	char host[256];
	uint64_t msg_alerts;
};

/* ---- rules ---- */

struct load_count {
	size_t loaded, skipped, errors;
	json_t *report; /* NULL: log problems instead */
};

static void on_report(void *arg, const struct canh_sigma_report *r)
{
	struct load_count *c = arg;
	static const char *const names[] = {"loaded", "skipped", "error"};

	if (r->status == CANH_SIGMA_LOADED)
		c->loaded++;
	else if (r->status == CANH_SIGMA_SKIPPED)
		c->skipped++;
	else
		c->errors++;
	if (c->report) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(r->id ? r->id : ""));
		json_object_set_new(o, "title", json_string(r->title ? r->title : ""));
		json_object_set_new(o, "doc", json_integer(r->doc));
		json_object_set_new(o, "status", json_string(names[r->status]));
		if (r->line)
			json_object_set_new(o, "line", json_integer(r->line));
		if (r->column)
			json_object_set_new(o, "column", json_integer(r->column));
		if (r->reason && *r->reason)
			json_object_set_new(o, "reason", json_string(r->reason));
		json_array_append_new(c->report, o);
	} else if (r->status != CANH_SIGMA_LOADED) {
		canh_log_write(r->status == CANH_SIGMA_SKIPPED ? CANH_LOG_DEBUG : CANH_LOG_WARN,
			       "sigma", 0, "%s: rule '%s' (document %u) %s: %s", r->source,
			       r->id ? r->id : "", r->doc, names[r->status],
			       r->reason ? r->reason : "");
	}
}

struct set_load {
	struct canh_sigma *s;
	struct load_count *c;
};

static void load_set(void *arg, const char *name, int64_t version, const char *content, size_t len)
{
	struct set_load *sl = arg;
	char source[128];

	snprintf(source, sizeof(source), "%s@v%lld", name, (long long)version);
	canh_sigma_load(sl->s, source, content, len, on_report, sl->c);
}

static struct canh_sigma *build_engine(struct canh_server *srv, struct canh_errmsg *err)
{
	struct canh_sigma_opts o = {.corr_groups_max = (size_t)srv->cfg.corr_groups_max};
	struct canh_sigma *s = canh_sigma_new(&o);
	struct load_count c = {0};
	struct set_load sl = {s, &c};
	struct canh_errmsg em;
	struct stat stt;
	int rc;

	if (srv->cfg.sigma_rules_dir[0] && stat(srv->cfg.sigma_rules_dir, &stt) == 0) {
		rc = canh_sigma_load_path(s, srv->cfg.sigma_rules_dir, on_report, &c, &em);
		if (rc != 0 && rc != CANH_EPARSE)
			canh_warn("Sigma rules in '%s' not loaded: %s", srv->cfg.sigma_rules_dir,
				  em.text);
	} else if (srv->cfg.sigma_rules_dir[0]) {
		canh_warn("[logs] rules_dir '%s' does not exist: no shipped Sigma rules",
			  srv->cfg.sigma_rules_dir);
	}
	if ((rc = canh_store_sigma_rulesets(srv->store, load_set, &sl, &em)) != 0)
		canh_error("uploaded Sigma rule sets not loaded: %s", em.text);
	if ((rc = canh_sigma_compile(s, on_report, &c, err)) != 0) {
		canh_sigma_free(s);
		return NULL;
	}
	canh_info("Sigma: %zu rule(s) in use (%zu skipped as unsupported, %zu with errors)",
		  canh_sigma_rule_count(s), c.skipped, c.errors);
	return s;
}

int canh_logs_reload(struct canh_logs *l, struct canh_errmsg *err)
{
	struct canh_sigma *s = build_engine(l->srv, err), *old;

	if (!s)
		return CANH_EINVAL;
	pthread_mutex_lock(&l->mu);
	old = l->engine;
	l->engine = s;
	l->st.rules = canh_sigma_rule_count(s);
	pthread_mutex_unlock(&l->mu);
	canh_sigma_free(old);
	return 0;
}

int canh_logs_check_rules(const char *source, const char *yaml, size_t len, json_t **report,
			  size_t *loaded, size_t *skipped, size_t *errors)
{
	struct canh_sigma *s = canh_sigma_new(NULL);
	struct load_count c = {.report = json_array()};
	struct canh_errmsg em;

	canh_sigma_load(s, source, yaml, len, on_report, &c);
	/* Correlations referring to rules not in this file are reported by the compile. */
	if (canh_sigma_compile(s, on_report, &c, &em) != 0)
		c.errors++;
	*loaded = canh_sigma_rule_count(s);
	*skipped = c.skipped;
	*errors = c.errors;
	*report = c.report;
	canh_sigma_free(s);
	return 0;
}

json_t *canh_logs_rules_json(struct canh_logs *l)
{
	static const char *const corr[] = {"", "event_count", "value_count", "temporal",
					   "temporal_ordered"};
	json_t *arr = json_array();

	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; l->engine && i < canh_sigma_rule_count(l->engine); i++) {
		const struct canh_sigma_rule_info *r = canh_sigma_rule(l->engine, i);
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "title", json_string(r->title));
		if (r->title_vi && r->title_vi[0])
			json_object_set_new(o, "title_vi", json_string(r->title_vi));
		json_object_set_new(o, "level", json_string(r->level));
		json_object_set_new(o, "status", json_string(r->status));
		json_object_set_new(o, "source", json_string(r->source));
		if (r->correlation > 0 && r->correlation <= 4)
			json_object_set_new(o, "correlation", json_string(corr[r->correlation]));
		json_t *ls = json_object();
		if (r->product[0])
			json_object_set_new(ls, "product", json_string(r->product));
		if (r->service[0])
			json_object_set_new(ls, "service", json_string(r->service));
		if (r->category[0])
			json_object_set_new(ls, "category", json_string(r->category));
		json_object_set_new(o, "logsource", ls);
		json_array_append_new(arr, o);
	}
	pthread_mutex_unlock(&l->mu);
	return arr;
}

int canh_logs_has_rule(struct canh_logs *l, const char *id)
{
	int found = 0;

	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; l->engine && i < canh_sigma_rule_count(l->engine) && !found; i++)
		found = strcmp(canh_sigma_rule(l->engine, i)->id, id) == 0;
	pthread_mutex_unlock(&l->mu);
	return found;
}

/* ---- evaluation ---- */

static struct canh_decoder_ctx *decoder_for(struct canh_logs *l, int64_t agent_id)
{
	struct dslot *victim = NULL;

	l->tick++;
	for (size_t i = 0; i < l->nslots; i++)
		if (l->slots[i].agent_id == agent_id) {
			l->slots[i].used = l->tick;
			return &l->slots[i].ctx;
		}
	if (l->nslots < l->cap) {
		victim = &l->slots[l->nslots++];
	} else {
		victim = &l->slots[0];
		for (size_t i = 1; i < l->nslots; i++)
			if (l->slots[i].used < victim->used)
				victim = &l->slots[i];
		canh_decoder_release(&victim->ctx);
		l->st.decoders_evicted++;
	}
	canh_decoder_init(&victim->ctx);
	victim->ctx.tz_offset_min = l->tz_min;
	victim->agent_id = agent_id;
	victim->used = l->tick;
	return &victim->ctx;
}

static int64_t event_time(const struct canh_logs *l, const struct canh_event *ev)
{
	return ev && ev->time_ms > 0 ? ev->time_ms : l->recv_ms;
}

static void record(struct canh_logs *l, const struct canh_log_alert *a)
{
	struct canh_errmsg em;
	int created = 0, disabled = 0;

	if (strcmp(a->kind, "sigma") == 0 &&
	    canh_store_sigma_disabled(l->srv->store, a->rule_id, l->unit_id, &disabled, &em) == 0 &&
	    disabled) {
		l->st.suppressed++;
		return;
	}
	if (canh_store_logs_alert(l->srv->store, a, l->srv->cfg.dedup_window, canh_now_ms(),
				  &created, &em) != 0) {
		canh_error("cannot record an alert of rule '%s': %s", a->rule_id, em.text);
		return;
	}
	l->msg_alerts++;
	if (created) {
		l->st.alerts++;
		canh_info("alert: %s '%s' (%s) on '%s'", a->kind, a->title, a->level, l->host);
	} else {
		l->st.deduplicated++;
	}
}

static void on_alert(void *arg, const struct canh_sigma_alert *sa)
{
	struct canh_logs *l = arg;
	const struct canh_sigma_rule_info *r = sa->rule;
	const char *group = sa->group ? sa->group : "";
	char key[KEY_MAX];
	json_t *detail = canh_sigma_alert_json(sa);

	snprintf(key, sizeof(key), "sigma|%s|h=%lld|u=%lld|g=%s", r->id,
		 (l->key_parts & KEY_HOST) ? (long long)l->agent_id : 0LL,
		 (l->key_parts & KEY_UNIT) ? (long long)l->unit_id : 0LL,
		 (l->key_parts & KEY_GROUP) ? group : "");
	struct canh_log_alert a = {
	    .kind = "sigma",
	    .rule_id = r->id,
	    .title = r->title[0] ? r->title : r->id,
	    .title_vi = r->title_vi,
	    .level = r->level[0] ? r->level : "medium",
	    .agent_id = l->agent_id,
	    .dedup_key = key,
	    .group = group,
	    .time_ms = event_time(l, sa->event),
	    .detail = detail,
	};
	record(l, &a);
	json_decref(detail);
}

static void check_c2(struct canh_logs *l, const struct canh_event *ev)
{
	struct canh_intel_hit hits[C2_HITS_MAX];

	if (!l->srv->intel)
		return;
	for (size_t i = 0; i < NIP; i++) {
		char ip[CANH_IPADDR_STRLEN], key[KEY_MAX], title[512], title_vi[512], rule[160];
		struct canh_ipaddr a;
		size_t len, n;
		const char *v = canh_event_get(ev, l->ip_ids[i], &len);

		if (!v || len == 0 || len >= sizeof(ip))
			continue;
		memcpy(ip, v, len);
		ip[len] = '\0';
		if (canh_ip_parse(ip, &a) != 0)
			continue;
		if (!(n = canh_intel_lookup_c2(l->srv->intel, &a, hits, C2_HITS_MAX)))
			continue;
		l->st.c2++;
		json_t *detail = json_object(), *c2 = json_object();
		json_object_set_new(detail, "event", canh_event_json(ev));
		json_object_set_new(c2, "field", json_string(ip_field_names[i]));
		json_object_set_new(c2, "address", json_string(ip));
		json_object_set_new(c2, "feed", json_string(hits[0].feed));
		json_object_set_new(c2, "version", json_integer(hits[0].version));
		json_object_set_new(c2, "entry", json_string(hits[0].value));
		json_object_set_new(c2, "entry_id", json_integer(hits[0].entry_id));
		if (hits[0].family[0])
			json_object_set_new(c2, "family", json_string(hits[0].family));
		json_object_set_new(detail, "c2", c2);
		snprintf(rule, sizeof(rule), "c2:%s", hits[0].feed);
		snprintf(key, sizeof(key), "c2|%lld|h=%lld|u=%lld|g=%s",
			 (long long)hits[0].entry_id,
			 (l->key_parts & KEY_HOST) ? (long long)l->agent_id : 0LL,
			 (l->key_parts & KEY_UNIT) ? (long long)l->unit_id : 0LL,
			 (l->key_parts & KEY_GROUP) ? ip : "");
		canh_msg_format(CANH_LANG_EN, title, sizeof(title), S_LOGS_C2_TITLE, ip,
				hits[0].feed);
		canh_msg_format(CANH_LANG_VI, title_vi, sizeof(title_vi), S_LOGS_C2_TITLE, ip,
				hits[0].feed);
		struct canh_log_alert al = {
		    .kind = "c2",
		    .rule_id = rule,
		    .title = title,
		    .title_vi = title_vi,
		    .level = "high",
		    .agent_id = l->agent_id,
		    .dedup_key = key,
		    .group = ip,
		    .time_ms = event_time(l, ev),
		    .detail = detail,
		};
		record(l, &al);
		json_decref(detail);
	}
}

static void eval_event(struct canh_logs *l, const struct canh_event *ev)
{
	l->st.events++;
	if (l->engine)
		canh_sigma_eval(l->engine, ev, on_alert, l);
	check_c2(l, ev);
}

/* Under l->mu. */
static uint64_t eval_locked(struct canh_logs *l, int64_t agent_id, const json_t *data)
{
	struct canh_decoder_ctx *ctx;
	struct canh_errmsg em;
	const json_t *e;
	uint64_t events0 = l->st.events;
	size_t i;

	l->agent_id = agent_id;
	l->unit_id = 0;
	l->host[0] = '\0';
	l->msg_alerts = 0;
	if (canh_store_logs_agent(l->srv->store, agent_id, l->host, sizeof(l->host), &l->unit_id,
				  &em) != 0) {
		canh_error("logs of agent %lld not evaluated: %s", (long long)agent_id, em.text);
		return 0;
	}
	ctx = decoder_for(l, agent_id);
	l->st.messages++;
	json_array_foreach(json_object_get(data, "lines"), i, e)
	{
		const char *line = json_string_value(json_object_get(e, "line"));
		const char *src = json_string_value(json_object_get(e, "source"));
		const char *recv = json_string_value(json_object_get(e, "recv"));
		int journal = src && strcmp(src, "journald") == 0;
		struct canh_log_source ls = {
		    .path = json_string_value(json_object_get(e, "path")),
		    .unit = json_string_value(json_object_get(e, "unit")),
		    .host = l->host,
		};
		if (!line)
			continue;
		l->recv_ms = 0;
		if (recv)
			canh_time_parse(recv, &l->recv_ms);
		ls.recv_ms = l->recv_ms;
		l->st.lines++;
		if (canh_decode_line(ctx, line, json_string_length(json_object_get(e, "line")),
				     journal ? CANH_LOG_JOURNAL_JSON : CANH_LOG_AUTO, &ls,
				     &l->ev) == CANH_DECODE_EVENT)
			eval_event(l, &l->ev);
		while (canh_decode_next(ctx, &l->ev) == CANH_DECODE_EVENT)
			eval_event(l, &l->ev);
	}
	/* auditd groups left open by this message complete by time. */
	if (canh_decode_expire(ctx, canh_now_ms()) > 0)
		while (canh_decode_next(ctx, &l->ev) == CANH_DECODE_EVENT)
			eval_event(l, &l->ev);
	return l->st.events - events0;
}

void canh_logs_eval_message(struct canh_logs *l, int64_t agent_id, const json_t *data)
{
	struct canh_errmsg em;
	uint64_t events;

	pthread_mutex_lock(&l->mu);
	events = eval_locked(l, agent_id, data);
	if (canh_store_logs_count(l->srv->store, agent_id, events, l->msg_alerts, canh_now_ms(),
				  &em) != 0)
		canh_warn("cannot count log events: %s", em.text);
	pthread_mutex_unlock(&l->mu);
}

/* Claim and evaluate one message, its alerts in the claim's transaction. */
static void claim_and_eval(struct canh_logs *l, int64_t agent_id, uint64_t seq, const json_t *data)
{
	struct canh_store *store = l->srv->store;
	struct canh_errmsg em;
	int claimed = 0;

	pthread_mutex_lock(&l->mu);
	if (canh_store_begin(store, &em) != 0) {
		canh_error("logs message %llu of agent %lld not evaluated: %s",
			   (unsigned long long)seq, (long long)agent_id, em.text);
		pthread_mutex_unlock(&l->mu);
		return;
	}
	if (canh_store_logs_claim(store, agent_id, seq, &claimed, &em) != 0 || !claimed) {
		canh_store_commit(store, &em);
		pthread_mutex_unlock(&l->mu);
		return;
	}
	uint64_t events = eval_locked(l, agent_id, data);
	if (canh_store_logs_count(store, agent_id, events, l->msg_alerts, canh_now_ms(), &em) != 0)
		canh_warn("cannot count log events: %s", em.text);
	if (canh_store_commit(store, &em) != 0)
		canh_error("alerts of logs message %llu of agent %lld not recorded: %s",
			   (unsigned long long)seq, (long long)agent_id, em.text);
	pthread_mutex_unlock(&l->mu);
}

void canh_logs_after_ingest(struct canh_server *srv, int64_t agent_id,
			    const struct canh_proto_batch *b)
{
	if (!srv->logs)
		return;
	for (size_t i = 0; i < b->n; i++) {
		const struct canh_proto_msg *m = &b->msgs[i];
		if (m->type == CANH_MSG_LOGS && m->data && !m->error[0])
			claim_and_eval(srv->logs, agent_id, m->seq, m->data);
	}
}

/* ---- life ---- */

/* "rule,host,group" into KEY_* bits; -1 for an unknown part. */
static int parse_key(const char *s)
{
	int bits = 0;

	while (*s) {
		size_t n = strcspn(s, ",");
		const char *w = s;
		while (n && (*w == ' ' || *w == '\t'))
			w++, n--;
		size_t m = n;
		while (m && (w[m - 1] == ' ' || w[m - 1] == '\t'))
			m--;
		if (m == 4 && memcmp(w, "rule", 4) == 0)
			;
		else if (m == 4 && memcmp(w, "host", 4) == 0)
			bits |= KEY_HOST;
		else if (m == 4 && memcmp(w, "unit", 4) == 0)
			bits |= KEY_UNIT;
		else if (m == 5 && memcmp(w, "group", 5) == 0)
			bits |= KEY_GROUP;
		else if (m)
			return -1;
		s = w + n;
		if (*s == ',')
			s++;
	}
	return bits;
}

struct canh_logs *canh_logs_new(struct canh_server *srv, struct canh_errmsg *err)
{
	struct canh_logs *l = canh_xcalloc(1, sizeof(*l));
	json_t *pending = NULL, *e;
	size_t i;

	l->srv = srv;
	pthread_mutex_init(&l->mu, NULL);
	l->cap = (size_t)(srv->cfg.decoders_max > 0 ? srv->cfg.decoders_max : 256);
	l->slots = canh_xcalloc(l->cap, sizeof(*l->slots));
	canh_event_init(&l->ev);
	if (canh_tz_parse(srv->cfg.log_timezone, &l->tz_min) != 0) {
		canh_warn("[logs] timezone '%s' is not a zone canh knows: using +07:00",
			  srv->cfg.log_timezone);
		l->tz_min = 420;
	}
	for (i = 0; i < NIP; i++)
		l->ip_ids[i] = canh_field_id(ip_field_names[i]);
	int bits = parse_key(srv->cfg.dedup_key);
	if (bits < 0) {
		canh_warn("[logs] dedup_key '%s': parts are rule, host, unit and group; using "
			  "rule,host,group",
			  srv->cfg.dedup_key);
		bits = KEY_DEFAULT;
	}
	l->key_parts = (unsigned)bits;
	if (!(l->engine = build_engine(srv, err))) {
		canh_error("Sigma rules not compiled (no log alerts until a reload): %s",
			   err->text);
	} else {
		l->st.rules = canh_sigma_rule_count(l->engine);
	}
	/* Messages stored before a crash and never evaluated. */
	if (canh_store_logs_pending(srv->store, PENDING_BATCH, &pending, err) == 0) {
		if (json_array_size(pending))
			canh_info("evaluating %zu logs message(s) left pending",
				  json_array_size(pending));
		json_array_foreach(pending, i, e)
		    claim_and_eval(l, json_integer_value(json_object_get(e, "agent_id")),
				   (uint64_t)json_integer_value(json_object_get(e, "seq")),
				   json_object_get(e, "data"));
		json_decref(pending);
	}
	return l;
}

void canh_logs_free(struct canh_logs *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nslots; i++)
		canh_decoder_release(&l->slots[i].ctx);
	free(l->slots);
	canh_event_release(&l->ev);
	canh_sigma_free(l->engine);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void canh_logs_get_stats(struct canh_logs *l, struct canh_logs_stats *st)
{
	pthread_mutex_lock(&l->mu);
	*st = l->st;
	pthread_mutex_unlock(&l->mu);
}
