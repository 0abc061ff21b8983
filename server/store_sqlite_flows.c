/*
 * The SQL of the flows area: flows, C2 alerts and what pinpointing reads
 * (store_flows.h). The tables are in store_sqlite_flows_schema.c.
 */
#include <string.h>

#include "canh/time.h"
#include "store_flows.h"
#include "store_sqlite.h"

#define ALERT_LIST_DEFAULT 1000
#define ALERT_LIST_MAX 100000

/* ---- addresses as BLOBs ---- */

static void bind_ip(sqlite3_stmt *st, int i, const struct canh_ipaddr *a)
{
	uint8_t b[16] = {0};

	memcpy(b, a->bytes, a->family == 4 ? 4 : 16);
	sqlite3_bind_blob(st, i, b, 16, SQLITE_TRANSIENT);
}

/* Column blob (16 bytes) and family as text into o[key]; null when unreadable. */
static void ip_into(json_t *o, const char *key, sqlite3_stmt *st, int blob, int family)
{
	struct canh_ipaddr a;
	char buf[CANH_IPADDR_STRLEN];
	const void *p = sqlite3_column_blob(st, blob);
	int fam = sqlite3_column_int(st, family);

	if (!p || sqlite3_column_bytes(st, blob) != 16 || (fam != 4 && fam != 6)) {
		json_object_set_new(o, key, json_null());
		return;
	}
	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)fam;
	memcpy(a.bytes, p, 16);
	json_object_set_new(o, key, json_string(canh_ip_format(&a, buf, sizeof(buf))));
}

/* ---- apply a flows message ---- */

static int64_t jtime_ms(const json_t *o, const char *key, int64_t fallback)
{
	int64_t t;
	const char *s = sq_jget_str(o, key);

	if (!s || canh_time_parse(s, &t) != 0)
		return fallback;
	return t;
}

int canh__store_apply_flows(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			    int64_t now, struct canh_errmsg *err)
{
	const json_t *flows = json_object_get(m->data, "flows"), *e;
	size_t i;
	int rc;

	json_array_foreach(flows, i, e)
	{
		struct canh_ipaddr local, remote;
		const json_t *owned = json_object_get(e, "owned");
		const char *exe = sq_jget_str(e, "exe");
		sqlite3_stmt *st;

		/* The validator (lib/proto.c) has checked every field; a flow that still does not
		   read is skipped, never fatal to the batch. */
		if (canh_ip_parse(sq_jget_str(e, "local") ? sq_jget_str(e, "local") : "", &local) !=
			0 ||
		    canh_ip_parse(sq_jget_str(e, "remote") ? sq_jget_str(e, "remote") : "",
				  &remote) != 0)
			continue;
		st = sq_prep(
		    s,
		    "INSERT INTO flows (agent_id, proto, direction, local_ip, local_port, family, "
		    "remote_ip, remote_port, exe, process, pid, uid, package, owned, first_seen, "
		    "last_seen, count, updated_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		    "?16, "
		    "?17, ?18) "
		    "ON CONFLICT (agent_id, proto, direction, local_ip, local_port, remote_ip, "
		    "remote_port, exe) DO UPDATE SET "
		    "first_seen = min(first_seen, excluded.first_seen), "
		    "last_seen = max(last_seen, excluded.last_seen), "
		    "count = count + excluded.count, "
		    "process = COALESCE(excluded.process, process), "
		    "pid = COALESCE(excluded.pid, pid), uid = COALESCE(excluded.uid, uid), "
		    "package = COALESCE(excluded.package, package), "
		    "owned = COALESCE(excluded.owned, owned), updated_at = excluded.updated_at",
		    err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sq_bind_text(st, 2, sq_jget_str(e, "proto"));
		sq_bind_text(st, 3, sq_jget_str(e, "direction"));
		bind_ip(st, 4, &local);
		sq_bind_jint(st, 5, e, "local_port");
		sqlite3_bind_int(st, 6, remote.family);
		bind_ip(st, 7, &remote);
		sq_bind_jint(st, 8, e, "remote_port");
		sq_bind_text(st, 9, exe ? exe : "");
		sq_bind_text(st, 10, sq_jget_str(e, "process"));
		sq_bind_jint(st, 11, e, "pid");
		sq_bind_jint(st, 12, e, "uid");
		sq_bind_text(st, 13, sq_jget_str(e, "package"));
		if (json_is_boolean(owned))
			sqlite3_bind_int(st, 14, json_is_true(owned));
		sqlite3_bind_int64(st, 15, jtime_ms(e, "first_seen", m->time_ms));
		sqlite3_bind_int64(st, 16, jtime_ms(e, "last_seen", m->time_ms));
		sq_bind_jint(st, 17, e, "count");
		sqlite3_bind_int64(st, 18, now);
		if ((rc = sq_step_done(s, st, err, "cannot store a flow")) != 0)
			return rc;
	}
	return 0;
}

/* ---- alerts ---- */

int canh_store_alerts_from_flows(struct canh_store *s, int64_t agent_id,
				 const struct canh_ipaddr *remote, int64_t since_ms,
				 const struct canh_flow_c2 *c2, const char *source, int64_t now,
				 size_t *created, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc;

	*created = 0;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	/* New alerts first (counted), then widen the ones that existed. */
	st = sq_prep(
	    s,
	    "INSERT OR IGNORE INTO intel_alerts (agent_id, proto, direction, local_ip, "
	    "local_port, family, remote_ip, remote_port, exe, process, pid, package, owned, "
	    "first_seen, last_seen, entry_id, feed, feed_version, entry, malware_family, "
	    "listed_port, source, created_at) "
	    "SELECT f.agent_id, f.proto, f.direction, f.local_ip, f.local_port, f.family, "
	    "f.remote_ip, f.remote_port, f.exe, f.process, f.pid, f.package, f.owned, "
	    "f.first_seen, f.last_seen, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 "
	    "FROM flows f WHERE f.remote_ip = ?1 AND f.last_seen >= ?2 "
	    "AND (?3 = 0 OR f.agent_id = ?3) ORDER BY f.last_seen DESC",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	bind_ip(st, 1, remote);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, agent_id);
	sqlite3_bind_int64(st, 4, c2->entry_id);
	sq_bind_text(st, 5, c2->feed);
	sqlite3_bind_int64(st, 6, c2->version);
	sq_bind_text(st, 7, c2->value);
	sq_bind_text(st, 8, c2->family && c2->family[0] ? c2->family : NULL);
	if (c2->port > 0)
		sqlite3_bind_int(st, 9, c2->port);
	sq_bind_text(st, 10, source);
	sqlite3_bind_int64(st, 11, now);
	if ((rc = sq_step_done(s, st, err, "cannot record an alert")) != 0)
		goto out;
	*created = (size_t)sqlite3_changes(s->db);
	st = sq_prep(s,
		     "UPDATE intel_alerts AS a SET first_seen = min(a.first_seen, f.first_seen), "
		     "last_seen = max(a.last_seen, f.last_seen) "
		     "FROM flows f WHERE f.remote_ip = ?1 AND f.last_seen >= ?2 "
		     "AND (?3 = 0 OR f.agent_id = ?3) AND a.entry_id = ?4 "
		     "AND a.agent_id = f.agent_id AND a.remote_ip = f.remote_ip "
		     "AND a.remote_port = f.remote_port AND a.exe = f.exe "
		     "AND (a.first_seen > f.first_seen OR a.last_seen < f.last_seen)",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	bind_ip(st, 1, remote);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, agent_id);
	sqlite3_bind_int64(st, 4, c2->entry_id);
	rc = sq_step_done(s, st, err, "cannot update an alert");
out:
	return sq_end(s, rc, err);
}

int canh_store_flows_remotes(struct canh_store *s, int64_t since_ms,
			     int (*fn)(void *ctx, const struct canh_ipaddr *a), void *ctx,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	sq_lock(s);
	st = sq_prep(s,
		     "SELECT DISTINCT remote_ip, family FROM flows WHERE last_seen >= ?1 "
		     "ORDER BY remote_ip",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, since_ms);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct canh_ipaddr a;
		const void *p = sqlite3_column_blob(st, 0);
		int fam = sqlite3_column_int(st, 1);
		if (!p || sqlite3_column_bytes(st, 0) != 16 || (fam != 4 && fam != 6))
			continue;
		memset(&a, 0, sizeof(a));
		a.family = (uint8_t)fam;
		memcpy(a.bytes, p, 16);
		if (fn(ctx, &a) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read flows");
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

/* Columns 0..: the alert as the API shows it; addresses are added by ip_into. */
#define ALERT_SELECT                                                                               \
	"SELECT a.id, a.created_at, a.agent_id, g.hostname, u.code, a.process, a.exe, a.pid, "     \
	"a.package, a.owned, a.proto, a.direction, a.remote_port, a.local_port, a.first_seen, "    \
	"a.last_seen, a.feed, a.feed_version, a.entry, a.malware_family, a.listed_port, "          \
	"a.source, a.entry_id, a.remote_ip, a.local_ip, a.family, e.line, e.cell, e.ref "          \
	"FROM intel_alerts a JOIN agents g ON g.id = a.agent_id JOIN units u ON u.id = g.unit_id " \
	"LEFT JOIN intel_entries e ON e.id = a.entry_id "
#define ALERT_COL_REMOTE 23
#define ALERT_COL_LOCAL 24
#define ALERT_COL_FAMILY 25
#define ALERT_COL_ENTRY 26

static const struct sq_col alert_cols[] = {
    {"id", COL_INT},	      {"time", COL_TIME},      {"host", COL_INT},
    {"hostname", COL_STR},    {"unit", COL_STR},       {"process", COL_STR},
    {"exe", COL_STR},	      {"pid", COL_INT},	       {"package", COL_STR},
    {"owned", COL_BOOL},      {"proto", COL_STR},      {"direction", COL_STR},
    {"remote_port", COL_INT}, {"local_port", COL_INT}, {"first_seen", COL_TIME},
    {"last_seen", COL_TIME},  {"feed", COL_STR},       {"feed_version", COL_INT},
    {"entry", COL_STR},	      {"family", COL_STR},     {"listed_port", COL_INT},
    {"source", COL_STR},      {"entry_id", COL_INT},   {NULL, 0},
};

/* Where the entry is in its list (from the intel area's entries). */
static const struct sq_col alert_entry_cols[] = {
    {"entry_line", COL_INT},
    {"entry_cell", COL_STR},
    {"entry_ref", COL_STR},
    {NULL, 0},
};

static json_t *alert_row(sqlite3_stmt *st)
{
	json_t *o = sq_row_json(st, alert_cols);

	sq_row_into(o, st, ALERT_COL_ENTRY, alert_entry_cols);

	ip_into(o, "remote", st, ALERT_COL_REMOTE, ALERT_COL_FAMILY);
	/* the local address has the remote's family (a socket has one family) */
	ip_into(o, "local", st, ALERT_COL_LOCAL, ALERT_COL_FAMILY);
	return o;
}

static int alert_rows(struct canh_store *s, sqlite3_stmt *st, json_t *arr, struct canh_errmsg *err)
{
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, alert_row(st));
	if (r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot list alerts");
	return 0;
}

int canh_store_alert_list(struct canh_store *s, const struct canh_alert_filter *f, json_t **out,
			  struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = NULL;
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
		if (unit_id < 0) {
			rc = (int)unit_id;
			goto out;
		}
		if (unit_id == 0) {
			rc = canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found", f->unit);
			goto out;
		}
	}
	st = sq_prep(s,
		     "WITH RECURSIVE sub (id, depth) AS ("
		     " SELECT id, 0 FROM units WHERE id = ?1"
		     " UNION ALL"
		     " SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
		     " WHERE sub.depth < 256) " ALERT_SELECT
		     "WHERE (?1 = 0 OR g.unit_id IN (SELECT id FROM sub)) "
		     "AND (?2 = 0 OR a.agent_id = ?2) AND a.created_at >= ?3 "
		     "ORDER BY a.created_at DESC, a.id DESC LIMIT ?4",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, unit_id);
	sqlite3_bind_int64(st, 2, f->agent_id);
	sqlite3_bind_int64(st, 3, f->since_ms);
	sqlite3_bind_int64(st, 4, limit);
	arr = json_array();
	rc = alert_rows(s, st, arr, err);
	sq_done(st);
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = json_object();
	json_object_set_new(*out, "alerts", arr);
	return 0;
}

int canh_store_agent_alerts_window(struct canh_store *s, int64_t agent_id, int64_t from_ms,
				   int64_t to_ms, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     ALERT_SELECT
		     "WHERE a.agent_id = ?1 AND a.last_seen >= ?2 AND a.first_seen <= ?3 "
		     "ORDER BY a.last_seen DESC LIMIT 1000",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	rc = alert_rows(s, st, arr, err);
	sq_done(st);
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* ---- flows as JSON ---- */

#define FLOW_SELECT                                                                                \
	"SELECT proto, direction, remote_port, local_port, exe, process, pid, package, owned, "    \
	"first_seen, last_seen, count, remote_ip, local_ip, family FROM flows "

static const struct sq_col flow_cols[] = {
    {"proto", COL_STR},
    {"direction", COL_STR},
    {"remote_port", COL_INT},
    {"local_port", COL_INT},
    {"exe", COL_STR},
    {"process", COL_STR},
    {"pid", COL_INT},
    {"package", COL_STR},
    {"owned", COL_BOOL},
    {"first_seen", COL_TIME},
    {"last_seen", COL_TIME},
    {"count", COL_INT},
    {NULL, 0},
};

/* The same columns with times in ms, for pinpointing. */
static const struct sq_col flow_cols_ms[] = {
    {"proto", COL_STR},	 {"direction", COL_STR},  {"remote_port", COL_INT}, {"local_port", COL_INT},
    {"exe", COL_STR},	 {"process", COL_STR},	  {"pid", COL_INT},	    {"package", COL_STR},
    {"owned", COL_BOOL}, {"first_seen", COL_INT}, {"last_seen", COL_INT},   {"count", COL_INT},
    {NULL, 0},
};

static int flow_rows(struct canh_store *s, sqlite3_stmt *st, const struct sq_col *cols, json_t *arr,
		     struct canh_errmsg *err)
{
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = sq_row_json(st, cols);
		ip_into(o, "remote", st, 12, 14);
		ip_into(o, "local", st, 13, 14);
		json_array_append_new(arr, o);
	}
	if (r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot list flows");
	return 0;
}

int canh_store_flow_list(struct canh_store *s, int64_t agent_id, int64_t limit, json_t **out,
			 struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = 0;

	*out = NULL;
	sq_lock(s);
	st =
	    sq_prep(s, FLOW_SELECT "WHERE agent_id = ?1 ORDER BY last_seen DESC, id LIMIT ?2", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : ALERT_LIST_DEFAULT);
	rc = flow_rows(s, st, flow_cols, arr, err);
	sq_done(st);
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int canh_store_agent_flows_window(struct canh_store *s, int64_t agent_id, int64_t from_ms,
				  int64_t to_ms, int64_t limit, json_t **out,
				  struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     FLOW_SELECT "WHERE agent_id = ?1 AND last_seen >= ?2 AND first_seen <= ?3 "
				 "ORDER BY last_seen DESC LIMIT ?4",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	sqlite3_bind_int64(st, 4, limit);
	rc = flow_rows(s, st, flow_cols_ms, arr, err);
	sq_done(st);
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int canh_store_port_agents(struct canh_store *s, int port, int64_t from_ms, int64_t to_ms,
			   int64_t *n, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	*n = 0;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT COUNT(DISTINCT agent_id) FROM flows WHERE remote_port = ?1 "
		     "AND direction = 'out' AND last_seen >= ?2 AND first_seen <= ?3",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int(st, 1, port);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = sq_dberr(s, err, "cannot count flows");
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

int canh_store_flows_prune(struct canh_store *s, int64_t before_ms, int64_t max_rows,
			   int64_t *deleted, struct canh_errmsg *err)
{
	return sq_delete_batch(
	    s,
	    "DELETE FROM flows WHERE id IN (SELECT id FROM flows WHERE last_seen < ?1 "
	    "ORDER BY last_seen LIMIT ?2)",
	    before_ms, max_rows, deleted, err, "cannot delete old flows");
}

/* ---- pinpointing ---- */

static int json_rows(struct canh_store *s, sqlite3_stmt *st, const struct sq_col *cols,
		     json_t **out, struct canh_errmsg *err, const char *what)
{
	json_t *arr = json_array();
	int rc = sq_rows_json(s, st, cols, arr, err, what);

	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static const struct sq_col egress_cols[] = {
    {"agent", COL_INT},	     {"hostname", COL_STR},  {"unit", COL_STR},
    {"first_seen", COL_INT}, {"last_seen", COL_INT}, {NULL, 0},
};

int canh_store_egress_agents(struct canh_store *s, const char *addr, json_t **out,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT g.id, g.hostname, u.code, x.first_seen, x.last_seen "
		     "FROM agent_addresses x JOIN agents g ON g.id = x.agent_id "
		     "JOIN units u ON u.id = g.unit_id WHERE x.addr = ?1 ORDER BY g.id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
	} else {
		sq_bind_text(st, 1, addr);
		rc = json_rows(s, st, egress_cols, out, err, "cannot read egress addresses");
	}
	sq_unlock(s);
	return rc;
}

static const struct sq_col range_cols[] = {
    {"id", COL_INT},
    {"code", COL_STR},
    {"ranges", COL_ARRAY},
    {NULL, 0},
};

int canh_store_unit_ranges(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT id, code, public_ranges FROM units WHERE public_ranges != '[]' "
		     "ORDER BY id",
		     err);
	rc = st ? json_rows(s, st, range_cols, out, err, "cannot read units") : CANH_ESTORE;
	sq_unlock(s);
	return rc;
}

static const struct sq_col unit_agent_cols[] = {
    {"agent", COL_INT},
    {"hostname", COL_STR},
    {"unit", COL_STR},
    {NULL, 0},
};

int canh_store_unit_agents(struct canh_store *s, int64_t unit_id, json_t **out,
			   struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(
	    s,
	    "WITH RECURSIVE sub (id, depth) AS ("
	    " SELECT id, 0 FROM units WHERE id = ?1"
	    " UNION ALL"
	    " SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
	    " WHERE sub.depth < 256) "
	    "SELECT g.id, g.hostname, u.code FROM agents g JOIN units u ON u.id = g.unit_id "
	    "WHERE g.unit_id IN (SELECT id FROM sub) AND g.status = 'active' ORDER BY g.id",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
	} else {
		sqlite3_bind_int64(st, 1, unit_id);
		rc = json_rows(s, st, unit_agent_cols, out, err, "cannot read agents");
	}
	sq_unlock(s);
	return rc;
}
