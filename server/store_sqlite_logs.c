/*
 * The SQL of the logs area (store_logs.h). The tables are in store_sqlite_logs_schema.c.
 */
#include <string.h>

#include "canh/crypto.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "store_logs.h"
#include "store_sqlite.h"

#define ALERT_LIST_DEFAULT 1000
#define ALERT_LIST_MAX 100000

static json_int_t jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

int canh__store_apply_logs(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err)
{
	const json_t *e;
	json_int_t shed = 0;
	size_t i;
	sqlite3_stmt *st;
	int rc;

	json_array_foreach(json_object_get(m->data, "shed"), i, e) shed += jint(e, "lines");
	st = sq_prep(s,
		     "INSERT INTO log_counters (agent_id, lines, shed, cut, last_at) "
		     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (agent_id) DO UPDATE SET "
		     "lines = lines + excluded.lines, shed = shed + excluded.shed, "
		     "cut = cut + excluded.cut, last_at = excluded.last_at",
		     err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2,
			   (sqlite3_int64)json_array_size(json_object_get(m->data, "lines")));
	sqlite3_bind_int64(st, 3, shed);
	sqlite3_bind_int64(st, 4, jint(m->data, "cut"));
	sqlite3_bind_int64(st, 5, now);
	if ((rc = sq_step_done(s, st, err, "cannot count log lines")) != 0)
		return rc;
	st = sq_prep(s, "INSERT OR IGNORE INTO log_pending (agent_id, seq) VALUES (?1, ?2)", err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
	return sq_step_done(s, st, err, "cannot mark a logs message pending");
}

int canh_store_logs_claim(struct canh_store *s, int64_t agent_id, uint64_t seq, int *claimed,
			  struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	*claimed = 0;
	if (rc != 0)
		return rc;
	st = sq_prep(s, "DELETE FROM log_pending WHERE agent_id = ?1 AND seq = ?2", err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sq_step_done(s, st, err, "cannot claim a logs message");
	if (rc == 0)
		*claimed = sqlite3_changes(s->db) == 1;
	return sq_end(s, rc, err);
}

int canh_store_logs_agent(struct canh_store *s, int64_t agent_id, char *hostname, size_t hostsz,
			  int64_t *unit_id, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	sq_lock(s);
	st = sq_prep(s, "SELECT hostname, unit_id FROM agents WHERE id = ?1", err);
	if (!st) {
		sq_unlock(s);
		return CANH_ESTORE;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		canh_strlcpy(hostname, h ? h : "", hostsz);
		*unit_id = sqlite3_column_int64(st, 1);
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "agent %lld not found", (long long)agent_id);
	} else {
		rc = sq_dberr(s, err, "cannot read an agent");
	}
	sq_done(st);
	sq_unlock(s);
	return rc;
}

int canh_store_logs_count(struct canh_store *s, int64_t agent_id, uint64_t events, uint64_t alerts,
			  int64_t now, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	st = sq_prep(s,
		     "INSERT INTO log_counters (agent_id, events, alerts, last_at) "
		     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (agent_id) DO UPDATE SET "
		     "events = events + excluded.events, alerts = alerts + excluded.alerts",
		     err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)events);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)alerts);
	sqlite3_bind_int64(st, 4, now);
	rc = sq_step_done(s, st, err, "cannot count log events");
	return sq_end(s, rc, err);
}

int canh_log_level_rank(const char *level)
{
	static const char *const names[] = {"informational", "low", "medium", "high", "critical"};

	for (int i = 0; level && i < 5; i++)
		if (strcmp(level, names[i]) == 0)
			return i;
	return -1;
}

int canh_store_logs_alert(struct canh_store *s, const struct canh_log_alert *a, int64_t window_ms,
			  int64_t now, int *created, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc = sq_begin(s, err), r;

	*created = 0;
	if (rc != 0)
		return rc;
	if (window_ms > 0) {
		st = sq_prep(s,
			     "SELECT id FROM log_alerts WHERE dedup_key = ?1 AND last_seen >= ?2 "
			     "ORDER BY last_seen DESC LIMIT 1",
			     err);
		if (!st)
			return sq_end(s, CANH_ESTORE, err);
		sq_bind_text(st, 1, a->dedup_key);
		sqlite3_bind_int64(st, 2, a->time_ms - window_ms);
		r = sqlite3_step(st);
		if (r == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		else if (r != SQLITE_DONE)
			rc = sq_dberr(s, err, "cannot look up an alert");
		sq_done(st);
		if (rc != 0)
			return sq_end(s, rc, err);
	}
	if (id) {
		st = sq_prep(
		    s,
		    "UPDATE log_alerts SET count = count + 1, last_seen = MAX(last_seen, ?2), "
		    "updated_at = ?3 WHERE id = ?1",
		    err);
		if (!st)
			return sq_end(s, CANH_ESTORE, err);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, a->time_ms);
		sqlite3_bind_int64(st, 3, now);
		rc = sq_step_done(s, st, err, "cannot update an alert");
		return sq_end(s, rc, err);
	}
	st = sq_prep(s,
		     "INSERT INTO log_alerts (kind, rule_id, title, title_vi, level, level_rank, "
		     "agent_id, dedup_key, group_by, first_seen, last_seen, count, detail, "
		     "created_at, updated_at) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1, ?11, ?12, ?12)",
		     err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sq_bind_text(st, 1, a->kind);
	sq_bind_text(st, 2, a->rule_id);
	sq_bind_text(st, 3, a->title);
	sq_bind_text(st, 4, a->title_vi && *a->title_vi ? a->title_vi : a->title);
	sq_bind_text(st, 5, a->level);
	sqlite3_bind_int64(st, 6, canh_log_level_rank(a->level));
	sqlite3_bind_int64(st, 7, a->agent_id);
	sq_bind_text(st, 8, a->dedup_key);
	sq_bind_text(st, 9, a->group ? a->group : "");
	sqlite3_bind_int64(st, 10, a->time_ms);
	sq_bind_json(st, 11, a->detail, "{}");
	sqlite3_bind_int64(st, 12, now);
	rc = sq_step_done(s, st, err, "cannot record an alert");
	if (rc == 0)
		*created = 1;
	return sq_end(s, rc, err);
}

int canh_store_sigma_disabled(struct canh_store *s, const char *rule_id, int64_t unit_id,
			      int *disabled, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	*disabled = 0;
	sq_lock(s);
	st = sq_prep(s,
		     "WITH RECURSIVE up (id, depth) AS ("
		     " SELECT id, 0 FROM units WHERE id = ?2"
		     " UNION ALL"
		     " SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id"
		     " WHERE u.parent_id IS NOT NULL AND up.depth < 256) "
		     "SELECT 1 FROM sigma_disabled WHERE rule_id = ?1 "
		     "AND unit_id IN (SELECT id FROM up) LIMIT 1",
		     err);
	if (!st) {
		sq_unlock(s);
		return CANH_ESTORE;
	}
	sq_bind_text(st, 1, rule_id);
	sqlite3_bind_int64(st, 2, unit_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*disabled = 1;
	else if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the disabled rules");
	sq_done(st);
	sq_unlock(s);
	return rc;
}

int canh_store_sigma_set_disabled(struct canh_store *s, const char *rule_id, const char *unit,
				  int disable, const char *actor, int64_t now,
				  struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int64_t uid;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	uid = sq_unit_id(s, unit, err);
	if (uid < 0)
		return sq_end(s, (int)uid, err);
	if (uid == 0)
		return sq_end(s, canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found", unit),
			      err);
	st =
	    disable
		? sq_prep(s,
			  "INSERT OR IGNORE INTO sigma_disabled (rule_id, unit_id, created_at) "
			  "VALUES (?1, ?2, ?3)",
			  err)
		: sq_prep(s, "DELETE FROM sigma_disabled WHERE rule_id = ?1 AND unit_id = ?2", err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sq_bind_text(st, 1, rule_id);
	sqlite3_bind_int64(st, 2, uid);
	if (disable)
		sqlite3_bind_int64(st, 3, now);
	rc = sq_step_done(s, st, err, "cannot change a rule's state");
	if (rc == 0)
		rc = sq_audit(s, now, actor, disable ? "sigma.disable" : "sigma.enable", rule_id,
			      unit, err);
	return sq_end(s, rc, err);
}

int canh_store_sigma_disabled_map(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	*out = json_object();
	sq_lock(s);
	st = sq_prep(
	    s,
	    "SELECT d.rule_id, u.code FROM sigma_disabled d JOIN units u ON u.id = d.unit_id "
	    "ORDER BY d.rule_id, u.code",
	    err);
	if (!st) {
		sq_unlock(s);
		json_decref(*out);
		*out = NULL;
		return CANH_ESTORE;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rule = (const char *)sqlite3_column_text(st, 0);
		json_t *arr = json_object_get(*out, rule);
		if (!arr) {
			arr = json_array();
			json_object_set_new(*out, rule, arr);
		}
		json_array_append_new(arr, sq_jstr(st, 1));
	}
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the disabled rules");
	sq_done(st);
	sq_unlock(s);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int canh_store_sigma_ruleset_add(struct canh_store *s, const char *name, const char *content,
				 size_t len, size_t loaded, size_t skipped, size_t errors,
				 const char *actor, int64_t now, int64_t *version,
				 struct canh_errmsg *err)
{
	char hex[CANH_SHA256_HEX];
	sqlite3_stmt *st;
	int rc = sq_begin(s, err), r;

	*version = 0;
	if (rc != 0)
		return rc;
	canh_sha256_hex(content, len, hex);
	st = sq_prep(s, "SELECT COALESCE(MAX(version), 0) + 1 FROM sigma_rulesets WHERE name = ?1",
		     err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sq_bind_text(st, 1, name);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	else
		rc = sq_dberr(s, err, "cannot number a rule set");
	sq_done(st);
	if (rc != 0)
		return sq_end(s, rc, err);
	st = sq_prep(s,
		     "INSERT INTO sigma_rulesets (name, version, content, sha256, loaded, skipped, "
		     "errors, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		     err);
	if (!st)
		return sq_end(s, CANH_ESTORE, err);
	sq_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, *version);
	sqlite3_bind_text(st, 3, content, (int)len, SQLITE_STATIC);
	sq_bind_text(st, 4, hex);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)loaded);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)skipped);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)errors);
	sqlite3_bind_int64(st, 8, now);
	rc = sq_step_done(s, st, err, "cannot store a rule set");
	if (rc == 0)
		rc = sq_audit(s, now, actor, "sigma.upload", name, hex, err);
	return sq_end(s, rc, err);
}

#define LATEST_SETS                                                                                \
	"FROM sigma_rulesets r WHERE r.version = "                                                 \
	"(SELECT MAX(version) FROM sigma_rulesets WHERE name = r.name) ORDER BY r.name"

int canh_store_sigma_rulesets(struct canh_store *s,
			      void (*fn)(void *arg, const char *name, int64_t version,
					 const char *content, size_t len),
			      void *arg, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	sq_lock(s);
	st = sq_prep(s, "SELECT r.name, r.version, r.content " LATEST_SETS, err);
	if (!st) {
		sq_unlock(s);
		return CANH_ESTORE;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
		   (const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2));
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the rule sets");
	sq_done(st);
	sq_unlock(s);
	return rc;
}

static const struct sq_col set_cols[] = {
    {"name", COL_STR},	 {"version", COL_INT}, {"loaded", COL_INT},	 {"skipped", COL_INT},
    {"errors", COL_INT}, {"sha256", COL_STR},  {"created_at", COL_TIME}, {NULL, COL_STR},
};

int canh_store_sigma_rulesets_json(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	*out = json_array();
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT r.name, r.version, r.loaded, r.skipped, r.errors, r.sha256, "
		     "r.created_at " LATEST_SETS,
		     err);
	if (!st) {
		sq_unlock(s);
		json_decref(*out);
		*out = NULL;
		return CANH_ESTORE;
	}
	rc = sq_rows_json(s, st, set_cols, *out, err, "cannot read the rule sets");
	sq_unlock(s);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static const struct sq_col alert_cols[] = {
    {"id", COL_INT},	{"kind", COL_STR},	  {"rule_id", COL_STR},
    {"title", COL_STR}, {"title_vi", COL_STR},	  {"level", COL_STR},
    {"host", COL_INT},	{"hostname", COL_STR},	  {"unit", COL_STR},
    {"group", COL_STR}, {"first_seen", COL_TIME}, {"last_seen", COL_TIME},
    {"count", COL_INT}, {"detail", COL_OBJECT},	  {"created_at", COL_TIME},
    {NULL, COL_STR},
};

int canh_store_logs_alerts(struct canh_store *s, const struct canh_log_alert_filter *f,
			   json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr;
	int64_t unit_id = 0, limit = f->limit;
	int rc = 0;

	*out = NULL;
	if (limit <= 0)
		limit = ALERT_LIST_DEFAULT;
	if (limit > ALERT_LIST_MAX)
		limit = ALERT_LIST_MAX;
	sq_lock(s);
	if (f->unit) {
		unit_id = sq_unit_id(s, f->unit, err);
		if (unit_id <= 0) {
			sq_unlock(s);
			return unit_id < 0 ? (int)unit_id
					   : canh_errmsg_set(err, CANH_ENOENT,
							     "unit '%s' not found", f->unit);
		}
	}
	st =
	    sq_prep(s,
		    "WITH RECURSIVE sub (id, depth) AS ("
		    " SELECT id, 0 FROM units WHERE id = ?1"
		    " UNION ALL"
		    " SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
		    " WHERE sub.depth < 256) "
		    "SELECT a.id, a.kind, a.rule_id, a.title, a.title_vi, a.level, a.agent_id, "
		    "g.hostname, u.code, a.group_by, a.first_seen, a.last_seen, a.count, a.detail, "
		    "a.created_at FROM log_alerts a JOIN agents g ON g.id = a.agent_id "
		    "JOIN units u ON u.id = g.unit_id "
		    "WHERE (?1 = 0 OR g.unit_id IN (SELECT id FROM sub)) AND a.last_seen >= ?2 "
		    "AND a.level_rank >= ?3 ORDER BY a.last_seen DESC, a.id DESC LIMIT ?4",
		    err);
	if (!st) {
		sq_unlock(s);
		return CANH_ESTORE;
	}
	sqlite3_bind_int64(st, 1, unit_id);
	sqlite3_bind_int64(st, 2, f->since_ms);
	sqlite3_bind_int64(st, 3, f->min_rank);
	sqlite3_bind_int64(st, 4, limit);
	arr = json_array();
	rc = sq_rows_json(s, st, alert_cols, arr, err, "cannot list alerts");
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = json_object();
	json_object_set_new(*out, "alerts", arr);
	return 0;
}

static const struct sq_col counter_cols[] = {
    {"lines", COL_INT},	 {"events", COL_INT},	{"shed", COL_INT}, {"cut", COL_INT},
    {"alerts", COL_INT}, {"last_at", COL_TIME}, {NULL, COL_STR},
};

int canh_store_logs_counters(struct canh_store *s, int64_t agent_id, json_t **out,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT lines, events, shed, cut, alerts, last_at FROM log_counters "
		     "WHERE agent_id = ?1",
		     err);
	if (!st) {
		sq_unlock(s);
		return CANH_ESTORE;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sq_row_json(st, counter_cols);
	else if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the log counters");
	sq_done(st);
	sq_unlock(s);
	return rc;
}

int canh_store_logs_pending(struct canh_store *s, size_t limit, json_t **out,
			    struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0, r;

	*out = json_array();
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT p.agent_id, p.seq, m.data FROM log_pending p JOIN agent_messages m "
		     "ON m.agent_id = p.agent_id AND m.seq = p.seq "
		     "ORDER BY p.agent_id, p.seq LIMIT ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "agent_id", sq_jint(st, 0));
		json_object_set_new(o, "seq", sq_jint(st, 1));
		json_object_set_new(o, "data", sq_jjson(st, 2, json_object()));
		json_array_append_new(*out, o);
	}
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the pending logs messages");
	sq_done(st);
	/* Claims whose message is gone (retention) can never be evaluated. */
	if (rc == 0 &&
	    (rc =
		 sq_exec(s,
			 "DELETE FROM log_pending WHERE NOT EXISTS (SELECT 1 FROM agent_messages m "
			 "WHERE m.agent_id = log_pending.agent_id AND m.seq = log_pending.seq)",
			 err)) != 0)
		goto out;
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
