/*
 * The SQL of the hunt area (store_hunt.h): rule sets, hunts, per-host progress, the agents'
 * tasks, detections and the quarantine. The tables are in store_sqlite_hunt_schema.c.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "store_hunt.h"
#include "store_sqlite.h"

#define DETECTIONS_DEFAULT 1000
#define DETECTIONS_MAX 100000

#define SUBUNITS                                                                                   \
	"WITH RECURSIVE sub (id, depth) AS ("                                                      \
	" SELECT id, 0 FROM units WHERE id = ?1"                                                   \
	" UNION ALL"                                                                               \
	" SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"                \
	" WHERE sub.depth < 256) "

/* ---- rule sets ---- */

int canh_store_hunt_ruleset_add(struct canh_store *s, const struct canh_hunt_ruleset *rs,
				int64_t *version, int *unchanged, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int64_t latest = 0;
	int rc;

	*unchanged = 0;
	*version = 0;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	st = sq_prep(s,
		     "SELECT version, sha256, kind FROM hunt_rule_sets WHERE name = ?1 "
		     "ORDER BY version DESC LIMIT 1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, rs->name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		latest = sqlite3_column_int64(st, 0);
		const char *sha = (const char *)sqlite3_column_text(st, 1);
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		if (kind && strcmp(kind, rs->kind) != 0) {
			/* the text belongs to the statement: format before releasing it */
			rc = canh_errmsg_set(err, CANH_ECONFLICT, "'%s' is a %s set", rs->name,
					     kind);
			sq_done(st);
			goto out;
		}
		if (sha && strcmp(sha, rs->sha256) == 0) {
			sq_done(st);
			*unchanged = 1;
			*version = latest;
			rc = 0;
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		sq_done(st);
		rc = sq_dberr(s, err, "cannot read a rule set");
		goto out;
	}
	sq_done(st);
	st = sq_prep(s,
		     "INSERT INTO hunt_rule_sets (name, kind, version, sha256, source, size, "
		     "compiled_size, rules, rules_version, uploaded_at, uploaded_by) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, rs->name);
	sq_bind_text(st, 2, rs->kind);
	sqlite3_bind_int64(st, 3, latest + 1);
	sq_bind_text(st, 4, rs->sha256);
	sqlite3_bind_blob64(st, 5, rs->source, rs->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)rs->len);
	sqlite3_bind_int64(st, 7, rs->compiled_size);
	sqlite3_bind_int64(st, 8, rs->rules);
	sq_bind_text(st, 9, rs->rules_version ? rs->rules_version : "");
	sqlite3_bind_int64(st, 10, rs->now);
	sq_bind_text(st, 11, rs->actor);
	if ((rc = sq_step_done(s, st, err, "cannot store a rule set")) != 0)
		goto out;
	*version = latest + 1;
	char obj[160];
	snprintf(obj, sizeof(obj), "%s/%lld", rs->name, (long long)*version);
	rc = sq_audit(s, rs->now, rs->actor, "rules.upload", obj, rs->sha256, err);
out:
	return sq_end(s, rc, err);
}

static const struct sq_col ruleset_cols[] = {
    {"name", COL_STR},
    {"kind", COL_STR},
    {"version", COL_INT},
    {"sha256", COL_STR},
    {"size", COL_INT},
    {"compiled_size", COL_INT},
    {"rules", COL_INT},
    {"rules_version", COL_STR},
    {"uploaded_at", COL_TIME},
    {"uploaded_by", COL_STR},
    {NULL, 0},
};

#define RULESET_SELECT                                                                             \
	"SELECT name, kind, version, sha256, size, compiled_size, rules, rules_version, "          \
	"uploaded_at, uploaded_by "

int canh_store_hunt_ruleset_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	sq_lock(s);
	st = sq_prep(s,
		     RULESET_SELECT
		     ", (SELECT COUNT(*) FROM hunt_rule_sets b WHERE b.name = r.name) "
		     "FROM hunt_rule_sets r WHERE version = (SELECT MAX(version) "
		     "FROM hunt_rule_sets c WHERE c.name = r.name) ORDER BY name",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = sq_row_json(st, ruleset_cols);
		json_object_set_new(o, "versions", sq_jint(st, 10));
		json_array_append_new(arr, o);
	}
	sq_done(st);
	rc = rc == SQLITE_DONE ? 0 : sq_dberr(s, err, "cannot list rule sets");
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

int canh_store_hunt_ruleset_get(struct canh_store *s, const char *name, int64_t version,
				json_t **meta, char **source, size_t *len, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL;
	char *src = NULL;
	size_t n = 0;
	int rc;

	sq_lock(s);
	st = sq_prep(s,
		     RULESET_SELECT ", source FROM hunt_rule_sets WHERE name = ?1 AND "
				    "(version = ?2 OR (?2 = 0 AND version = (SELECT MAX(version) "
				    "FROM hunt_rule_sets WHERE name = ?1)))",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		o = sq_row_json(st, ruleset_cols);
		if (source) {
			n = (size_t)sqlite3_column_bytes(st, 10);
			src = canh_xmalloc(n + 1);
			if (n)
				memcpy(src, sqlite3_column_blob(st, 10), n);
			src[n] = '\0';
		}
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "no rule set '%s' version %lld", name,
				     (long long)version);
	} else {
		rc = sq_dberr(s, err, "cannot read a rule set");
	}
	sq_done(st);
	if (rc == 0 && version == 0 && meta) {
		json_t *vs = json_array();
		st = sq_prep(
		    s, RULESET_SELECT "FROM hunt_rule_sets WHERE name = ?1 ORDER BY version", err);
		if (!st) {
			json_decref(vs);
			rc = CANH_ESTORE;
			goto out;
		}
		sq_bind_text(st, 1, name);
		rc =
		    sq_rows_json(s, st, ruleset_cols, vs, err, "cannot list a rule set's versions");
		json_object_set_new(o, "history", vs);
	}
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(o);
		free(src);
		return rc;
	}
	if (meta)
		*meta = o;
	else
		json_decref(o);
	if (source) {
		*source = src;
		*len = n;
	}
	return 0;
}

int canh_store_hunt_hashes_from_feed(struct canh_store *s, const char *feed, int64_t now,
				     const char *actor, char *name, size_t namesz, int64_t *count,
				     struct canh_errmsg *err)
{
	struct canh_hunt_ruleset rs = {0};
	char sha[CANH_SHA256_HEX];
	struct canh_buf text;
	sqlite3_stmt *st;
	int64_t version = 0, n = 0;
	int unchanged = 0, rc, found = 0;

	*count = 0;
	snprintf(name, namesz, "%s%s", CANH_HUNT_FEED_PREFIX, feed);
	canh_buf_init(&text, (size_t)1 << 30);
	if ((rc = sq_begin(s, err)) != 0) {
		canh_buf_release(&text);
		return rc;
	}
	st =
	    sq_prep(s,
		    "SELECT e.value, e.family, v.id FROM intel_feeds f JOIN intel_feed_versions v "
		    "ON v.feed_id = f.id AND v.active = 1 LEFT JOIN intel_entries e ON "
		    "e.version_id = v.id AND e.type IN ('md5', 'sha1', 'sha256') WHERE f.name = ?1 "
		    "ORDER BY e.id",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, feed);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		const char *fam = (const char *)sqlite3_column_text(st, 1);
		found = 1;
		if (!v)
			continue;
		/* The family goes after the hash, on one line: no blanks or line ends in it. */
		canh_buf_appendf(&text, "%s", v);
		if (fam && fam[0]) {
			canh_buf_putc(&text, ' ');
			for (const char *p = fam; *p; p++)
				canh_buf_putc(&text,
					      (*p == '\n' || *p == '\r' || *p == '#') ? ' ' : *p);
		}
		canh_buf_putc(&text, '\n');
		n++;
	}
	sq_done(st);
	if (rc != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a feed's hash entries");
		goto out;
	}
	if (!found) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "no intel feed '%s' with an active version",
				     feed);
		goto out;
	}
	if (n == 0) {
		rc = canh_errmsg_set(err, CANH_EPARSE, "intel feed '%s' holds no hash entry", feed);
		goto out;
	}
	canh_sha256_hex(text.data, text.len, sha);
	rs.name = name;
	rs.kind = "hashes";
	rs.source = text.data;
	rs.len = text.len;
	rs.sha256 = sha;
	rs.rules = n;
	rs.now = now;
	rs.actor = actor;
	rc = canh_store_hunt_ruleset_add(s, &rs, &version, &unchanged, err);
	*count = n;
out:
	rc = sq_end(s, rc, err);
	canh_buf_release(&text);
	return rc;
}

/* ---- hunts ---- */

/* The id of name's latest version of kind: 0 when none, negative on error. */
static int64_t ruleset_latest(struct canh_store *s, const char *name, const char *kind,
			      struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s,
				   "SELECT id FROM hunt_rule_sets WHERE name = ?1 AND kind = ?2 "
				   "ORDER BY version DESC LIMIT 1",
				   err);
	int64_t id = 0;
	int rc;

	if (!st)
		return CANH_ESTORE;
	sq_bind_text(st, 1, name);
	sq_bind_text(st, 2, kind);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		id = sq_dberr(s, err, "cannot read a rule set");
	sq_done(st);
	return id;
}

static int add_host(struct canh_store *s, int64_t hunt, int64_t agent, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s,
				   "INSERT OR IGNORE INTO hunt_hosts (hunt_id, agent_id) "
				   "SELECT ?1, id FROM agents WHERE id = ?2 AND status = 'active'",
				   err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, hunt);
	sqlite3_bind_int64(st, 2, agent);
	return sq_step_done(s, st, err, "cannot add a host to a hunt");
}

int canh_store_hunt_create(struct canh_store *s, const struct canh_hunt_spec *h, int64_t *id,
			   enum canh_hunt_missing *missing, int64_t *bad_host,
			   struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int64_t rules = 0, hashes = 0, unit = 0;
	json_t *target = NULL;
	int rc;

	*missing = CANH_HUNT_MISSING_NONE;
	*bad_host = 0;
	*id = 0;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	if (h->rules) {
		if ((rules = ruleset_latest(s, h->rules, "yara", err)) < 0) {
			rc = (int)rules;
			goto out;
		}
		if (rules == 0) {
			*missing = CANH_HUNT_MISSING_RULES;
			rc = canh_errmsg_set(err, CANH_ENOENT, "no YARA rule set '%s'", h->rules);
			goto out;
		}
	}
	if (h->hashes) {
		if ((hashes = ruleset_latest(s, h->hashes, "hashes", err)) < 0) {
			rc = (int)hashes;
			goto out;
		}
		if (hashes == 0) {
			*missing = CANH_HUNT_MISSING_HASHES;
			rc = canh_errmsg_set(err, CANH_ENOENT, "no hash list '%s'", h->hashes);
			goto out;
		}
	}
	if (h->target == CANH_HUNT_UNIT) {
		if ((unit = sq_unit_id(s, h->unit, err)) < 0) {
			rc = (int)unit;
			goto out;
		}
		if (unit == 0) {
			*missing = CANH_HUNT_MISSING_UNIT;
			rc = canh_errmsg_set(err, CANH_ENOENT, "no unit '%s'", h->unit);
			goto out;
		}
		target = json_pack("{s:s,s:s}", "kind", "unit", "unit", h->unit);
	} else if (h->target == CANH_HUNT_HOSTS) {
		json_t *ids = json_array();
		for (size_t i = 0; i < h->nhosts; i++)
			json_array_append_new(ids, json_integer(h->hosts[i]));
		target = json_pack("{s:s,s:o}", "kind", "hosts", "hosts", ids);
	} else {
		target = json_pack("{s:s}", "kind", "all");
	}
	st =
	    sq_prep(s,
		    "INSERT INTO hunts (rules_id, hashes_id, target, paths, quarantine, every_ms, "
		    "next_run, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	if (rules)
		sqlite3_bind_int64(st, 1, rules);
	if (hashes)
		sqlite3_bind_int64(st, 2, hashes);
	sq_bind_json(st, 3, target, "{}");
	sq_bind_json(st, 4, h->paths, "[]");
	sqlite3_bind_int(st, 5, h->quarantine ? 1 : 0);
	sqlite3_bind_int64(st, 6, h->every_ms);
	if (h->every_ms > 0)
		sqlite3_bind_int64(st, 7, h->now + h->every_ms);
	sqlite3_bind_int64(st, 8, h->now);
	sq_bind_text(st, 9, h->actor);
	if ((rc = sq_step_done(s, st, err, "cannot store a hunt")) != 0)
		goto out;
	*id = sqlite3_last_insert_rowid(s->db);

	if (h->target == CANH_HUNT_HOSTS) {
		for (size_t i = 0; i < h->nhosts; i++) {
			if ((rc = add_host(s, *id, h->hosts[i], err)) != 0)
				goto out;
			if (sqlite3_changes(s->db) == 0) {
				/* Unknown, revoked, or named twice: only the first two are errors.
				 */
				int twice = 0;
				for (size_t j = 0; j < i; j++)
					twice |= h->hosts[j] == h->hosts[i];
				if (!twice) {
					*missing = CANH_HUNT_MISSING_HOST;
					*bad_host = h->hosts[i];
					rc =
					    canh_errmsg_set(err, CANH_ENOENT, "no active host %lld",
							    (long long)h->hosts[i]);
					goto out;
				}
			}
		}
	} else {
		st = sq_prep(s,
			     SUBUNITS "INSERT INTO hunt_hosts (hunt_id, agent_id) "
				      "SELECT ?2, id FROM agents WHERE status = 'active' AND "
				      "(?1 = 0 OR unit_id IN (SELECT id FROM sub))",
			     err);
		if (!st) {
			rc = CANH_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, unit);
		sqlite3_bind_int64(st, 2, *id);
		if ((rc = sq_step_done(s, st, err, "cannot add the hosts of a hunt")) != 0)
			goto out;
	}
	char obj[32];
	snprintf(obj, sizeof(obj), "hunt/%lld", (long long)*id);
	rc =
	    sq_audit(s, h->now, h->actor, "hunt.create", obj, h->rules ? h->rules : h->hashes, err);
out:
	json_decref(target);
	return sq_end(s, rc, err);
}

#define HUNT_SELECT                                                                                \
	"SELECT h.id, r.name, r.version, x.name, x.version, h.target, h.paths, h.quarantine, "     \
	"h.every_ms, h.run, h.next_run, h.created_at, h.created_by, "                              \
	"(SELECT COUNT(*) FROM hunt_hosts t WHERE t.hunt_id = h.id), "                             \
	"(SELECT COUNT(*) FROM hunt_hosts t WHERE t.hunt_id = h.id AND t.state = 'queued'), "      \
	"(SELECT COUNT(*) FROM hunt_hosts t WHERE t.hunt_id = h.id AND t.state = 'running'), "     \
	"(SELECT COUNT(*) FROM hunt_hosts t WHERE t.hunt_id = h.id AND t.state = 'done'), "        \
	"(SELECT COUNT(*) FROM hunt_hosts t WHERE t.hunt_id = h.id AND t.state = 'failed'), "      \
	"(SELECT COUNT(*) FROM hunt_detections d WHERE d.hunt_id = h.id), "                        \
	"(SELECT COALESCE(SUM(files), 0) FROM hunt_hosts t WHERE t.hunt_id = h.id), "              \
	"(SELECT COALESCE(SUM(bytes), 0) FROM hunt_hosts t WHERE t.hunt_id = h.id) "               \
	"FROM hunts h LEFT JOIN hunt_rule_sets r ON r.id = h.rules_id "                            \
	"LEFT JOIN hunt_rule_sets x ON x.id = h.hashes_id "

static const struct sq_col hunt_cols[] = {
    {"id", COL_INT},
    {"rules", COL_STR},
    {"rules_version", COL_INT},
    {"hashes", COL_STR},
    {"hashes_version", COL_INT},
    {"target", COL_OBJECT},
    {"paths", COL_ARRAY},
    {"quarantine", COL_BOOL},
    {"every_ms", COL_INT},
    {"run", COL_INT},
    {"next_run", COL_TIME},
    {"created_at", COL_TIME},
    {"created_by", COL_STR},
    {"hosts_total", COL_INT},
    {"queued", COL_INT},
    {"running", COL_INT},
    {"done", COL_INT},
    {"failed", COL_INT},
    {"detections", COL_INT},
    {"files", COL_INT},
    {"bytes", COL_INT},
    {NULL, 0},
};

int canh_store_hunt_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	sq_lock(s);
	st = sq_prep(s, HUNT_SELECT "ORDER BY h.id DESC", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	rc = sq_rows_json(s, st, hunt_cols, arr, err, "cannot list hunts");
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

static const struct sq_col hunt_host_cols[] = {
    {"host", COL_INT},	       {"hostname", COL_STR},	{"unit", COL_STR},
    {"run", COL_INT},	       {"state", COL_STR},	{"files", COL_INT},
    {"bytes", COL_INT},	       {"detections", COL_INT}, {"started_at", COL_TIME},
    {"finished_at", COL_TIME}, {"error", COL_STR},	{NULL, 0},
};

int canh_store_hunt_get(struct canh_store *s, int64_t id, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL, *hosts;
	int rc;

	sq_lock(s);
	st = sq_prep(s, HUNT_SELECT "WHERE h.id = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		o = sq_row_json(st, hunt_cols);
	sq_done(st);
	if (rc == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "no hunt %lld", (long long)id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = sq_dberr(s, err, "cannot read a hunt");
		goto out;
	}
	st = sq_prep(s,
		     "SELECT t.agent_id, g.hostname, u.code, t.run, t.state, t.files, t.bytes, "
		     "t.detections, t.started_at, t.finished_at, t.error FROM hunt_hosts t "
		     "JOIN agents g ON g.id = t.agent_id JOIN units u ON u.id = g.unit_id "
		     "WHERE t.hunt_id = ?1 ORDER BY t.agent_id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	hosts = json_array();
	rc = sq_rows_json(s, st, hunt_host_cols, hosts, err, "cannot read a hunt's hosts");
	json_object_set_new(o, "hosts", hosts);
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

int canh_store_hunt_requeue_due(struct canh_store *s, int64_t now, size_t *n,
				struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc;

	if (n)
		*n = 0;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	/* Hosts first (they read the hunt's run before it moves). */
	st = sq_prep(s,
		     "UPDATE hunt_hosts SET run = (SELECT h.run + 1 FROM hunts h WHERE h.id = "
		     "hunt_id), state = 'queued', files = 0, bytes = 0, detections = 0, "
		     "started_at = NULL, finished_at = NULL, error = NULL WHERE hunt_id IN "
		     "(SELECT id FROM hunts WHERE every_ms > 0 AND next_run <= ?1)",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sq_step_done(s, st, err, "cannot queue a hunt's hosts again")) != 0)
		goto out;
	st = sq_prep(s,
		     "UPDATE hunts SET run = run + 1, next_run = ?1 + every_ms "
		     "WHERE every_ms > 0 AND next_run <= ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sq_step_done(s, st, err, "cannot queue a hunt again")) != 0)
		goto out;
	if (n)
		*n = (size_t)sqlite3_changes(s->db);
out:
	return sq_end(s, rc, err);
}

/* {"name", "version", "sha256"} of a rule set row's columns at i, or null. */
static json_t *ruleset_ref(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_pack("{s:o,s:o,s:o}", "name", sq_jstr(st, i), "version", sq_jint(st, i + 1),
			 "sha256", sq_jstr(st, i + 2));
}

int canh_store_hunt_agent_tasks(struct canh_store *s, int64_t agent_id, json_t **out,
				struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *tasks = json_array();
	int rc;

	sq_lock(s);
	st =
	    sq_prep(s,
		    "SELECT h.id, t.run, r.name, r.version, r.sha256, x.name, x.version, x.sha256, "
		    "h.paths, h.quarantine FROM hunt_hosts t JOIN hunts h ON h.id = t.hunt_id "
		    "LEFT JOIN hunt_rule_sets r ON r.id = h.rules_id "
		    "LEFT JOIN hunt_rule_sets x ON x.id = h.hashes_id "
		    "WHERE t.agent_id = ?1 AND t.state IN ('queued', 'running') ORDER BY h.id",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o =
		    json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "kind", "hunt", "hunt",
			      sq_jint(st, 0), "run", sq_jint(st, 1), "rules", ruleset_ref(st, 2),
			      "hashes", ruleset_ref(st, 5), "paths", sq_jjson(st, 8, json_array()),
			      "quarantine", sqlite3_column_int(st, 9));
		json_array_append_new(tasks, o);
	}
	sq_done(st);
	if (rc != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read an agent's hunts");
		goto out;
	}
	st = sq_prep(s,
		     "SELECT id, qid, path FROM hunt_quarantine WHERE agent_id = ?1 AND "
		     "state = 'restore_requested' ORDER BY id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(tasks, json_pack("{s:s,s:o,s:o,s:o}", "kind", "restore", "id",
						       sq_jint(st, 0), "qid", sq_jstr(st, 1),
						       "path", sq_jstr(st, 2)));
	sq_done(st);
	rc = rc == SQLITE_DONE ? 0 : sq_dberr(s, err, "cannot read an agent's restores");
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(tasks);
		*out = NULL;
		return rc;
	}
	*out = json_pack("{s:o}", "tasks", tasks);
	return 0;
}

/* ---- detections and quarantine ---- */

static const struct sq_col detection_cols[] = {
    {"id", COL_INT},
    {"host", COL_INT},
    {"hostname", COL_STR},
    {"unit", COL_STR},
    {"hunt", COL_INT},
    {"path", COL_STR},
    {"size", COL_INT},
    {"md5", COL_STR},
    {"sha1", COL_STR},
    {"sha256", COL_STR},
    {"rule", COL_STR},
    {"ioc", COL_STR},
    {"rules", COL_STR},
    {"rules_version", COL_INT},
    {"action", COL_STR},
    {"quarantine_id", COL_STR},
    {"time", COL_TIME},
    {"received_at", COL_TIME},
    {NULL, 0},
};

int canh_store_hunt_detections(struct canh_store *s, const char *unit, int64_t hunt, int64_t since,
			       int64_t limit, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int64_t uid = 0;
	int rc = 0;

	if (limit <= 0 || limit > DETECTIONS_MAX)
		limit = DETECTIONS_DEFAULT;
	sq_lock(s);
	if (unit) {
		if ((uid = sq_unit_id(s, unit, err)) < 0) {
			rc = (int)uid;
			goto out;
		}
		if (uid == 0) {
			rc = canh_errmsg_set(err, CANH_ENOENT, "no unit '%s'", unit);
			goto out;
		}
	}
	st = sq_prep(s,
		     SUBUNITS "SELECT d.id, d.agent_id, g.hostname, u.code, d.hunt_id, d.path, "
			      "d.size, d.md5, d.sha1, d.sha256, d.rule, d.ioc, d.rules_name, "
			      "d.rules_version, d.action, d.quarantine_id, d.time, d.received_at "
			      "FROM hunt_detections d JOIN agents g ON g.id = d.agent_id "
			      "JOIN units u ON u.id = d.unit_id "
			      "WHERE (?1 = 0 OR d.unit_id IN (SELECT id FROM sub)) "
			      "AND (?2 = 0 OR d.hunt_id = ?2) AND d.time >= ?3 "
			      "ORDER BY d.id DESC LIMIT ?4",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, hunt);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, limit);
	rc = sq_rows_json(s, st, detection_cols, arr, err, "cannot list detections");
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

#define QUARANTINE_SELECT                                                                          \
	"SELECT q.id, q.agent_id, g.hostname, q.qid, q.hunt_id, q.path, q.size, q.mode, q.md5, "   \
	"q.sha1, q.sha256, q.rule, q.quarantined_at, q.state, q.requested_at, q.restored_at, "     \
	"q.error FROM hunt_quarantine q JOIN agents g ON g.id = q.agent_id "

static const struct sq_col quarantine_cols[] = {
    {"id", COL_INT},
    {"host", COL_INT},
    {"hostname", COL_STR},
    {"qid", COL_STR},
    {"hunt", COL_INT},
    {"path", COL_STR},
    {"size", COL_INT},
    {"mode", COL_INT},
    {"md5", COL_STR},
    {"sha1", COL_STR},
    {"sha256", COL_STR},
    {"rule", COL_STR},
    {"quarantined_at", COL_TIME},
    {"state", COL_STR},
    {"requested_at", COL_TIME},
    {"restored_at", COL_TIME},
    {"error", COL_STR},
    {NULL, 0},
};

int canh_store_hunt_quarantine_list(struct canh_store *s, int64_t agent_id, json_t **out,
				    struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	sq_lock(s);
	st = sq_prep(s, QUARANTINE_SELECT "WHERE (?1 = 0 OR q.agent_id = ?1) ORDER BY q.id", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	rc = sq_rows_json(s, st, quarantine_cols, arr, err, "cannot list the quarantine");
out:
	sq_unlock(s);
	if (rc != 0) {
		json_decref(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

static int quarantine_row(struct canh_store *s, int64_t id, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, QUARANTINE_SELECT "WHERE q.id = ?1", err);
	int rc;

	*out = NULL;
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sq_row_json(st, quarantine_cols);
	sq_done(st);
	if (rc == SQLITE_DONE)
		return canh_errmsg_set(err, CANH_ENOENT, "no quarantined item %lld", (long long)id);
	return rc == SQLITE_ROW ? 0 : sq_dberr(s, err, "cannot read a quarantined item");
}

int canh_store_hunt_quarantine_restore(struct canh_store *s, int64_t id, int64_t now,
				       const char *actor, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL;
	int rc;

	*out = NULL;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	if ((rc = quarantine_row(s, id, &o, err)) != 0)
		goto out;
	if (strcmp(json_string_value(json_object_get(o, "state")), "restored") == 0) {
		rc = canh_errmsg_set(err, CANH_ECONFLICT, "item %lld is already restored",
				     (long long)id);
		goto out;
	}
	st = sq_prep(s,
		     "UPDATE hunt_quarantine SET state = 'restore_requested', requested_at = ?2, "
		     "error = NULL WHERE id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = sq_step_done(s, st, err, "cannot request a restore")) != 0)
		goto out;
	char obj[48];
	snprintf(obj, sizeof(obj), "quarantine/%lld", (long long)id);
	if ((rc = sq_audit(s, now, actor, "quarantine.restore", obj,
			   json_string_value(json_object_get(o, "path")), err)) != 0)
		goto out;
	json_decref(o);
	rc = quarantine_row(s, id, &o, err);
out:
	rc = sq_end(s, rc, err);
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- ingest ---- */

static int64_t jtime(const json_t *o, const char *key, int64_t fallback)
{
	const char *v = sq_jget_str(o, key);
	int64_t t;

	if (!v || canh_time_parse(v, &t) != 0)
		return fallback;
	return t;
}

static int apply_progress(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			  struct canh_errmsg *err)
{
	const json_t *d = m->data;
	const char *state = sq_jget_str(d, "state");
	int fin = strcmp(state, "done") == 0 || strcmp(state, "failed") == 0;
	sqlite3_stmt *st;

	/* Only the hunt's current run, and never an older message over a newer one. */
	st = sq_prep(s,
		     "UPDATE hunt_hosts SET state = ?4, files = ?5, bytes = ?6, detections = ?7, "
		     "started_at = CASE WHEN ?4 = 'running' AND (started_at IS NULL OR "
		     "state <> 'running') THEN ?8 ELSE started_at END, "
		     "finished_at = CASE WHEN ?9 THEN ?8 ELSE NULL END, error = ?10, "
		     "updated_seq = ?11 WHERE hunt_id = ?1 AND agent_id = ?2 AND run = ?3 "
		     "AND updated_seq < ?11",
		     err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(d, "hunt")));
	sqlite3_bind_int64(st, 2, agent_id);
	sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(d, "run")));
	sq_bind_text(st, 4, state);
	sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(d, "files")));
	sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(d, "bytes")));
	sqlite3_bind_int64(st, 7, json_integer_value(json_object_get(d, "detections")));
	sqlite3_bind_int64(st, 8, m->time_ms);
	sqlite3_bind_int(st, 9, fin);
	sq_bind_text(st, 10, sq_jget_str(d, "error"));
	sqlite3_bind_int64(st, 11, (sqlite3_int64)m->seq);
	return sq_step_done(s, st, err, "cannot record a hunt's progress");
}

static int apply_detection(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err)
{
	const json_t *d = m->data;
	sqlite3_stmt *st;

	st = sq_prep(
	    s,
	    "INSERT INTO hunt_detections (agent_id, unit_id, hunt_id, run, path, size, md5, "
	    "sha1, sha256, rule, ioc, rules_name, rules_version, action, quarantine_id, "
	    "time, received_at, seq) SELECT ?1, unit_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17 FROM agents WHERE id = ?1",
	    err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sq_bind_jint(st, 2, d, "hunt");
	sq_bind_jint(st, 3, d, "run");
	sq_bind_text(st, 4, sq_jget_str(d, "path"));
	sq_bind_jint(st, 5, d, "size");
	sq_bind_text(st, 6, sq_jget_str(d, "md5"));
	sq_bind_text(st, 7, sq_jget_str(d, "sha1"));
	sq_bind_text(st, 8, sq_jget_str(d, "sha256"));
	sq_bind_text(st, 9, sq_jget_str(d, "rule"));
	sq_bind_text(st, 10, sq_jget_str(d, "ioc"));
	sq_bind_text(st, 11, sq_jget_str(d, "rules"));
	sq_bind_jint(st, 12, d, "rules_version");
	sq_bind_text(st, 13, sq_jget_str(d, "action") ? sq_jget_str(d, "action") : "none");
	sq_bind_text(st, 14, sq_jget_str(d, "quarantine_id"));
	sqlite3_bind_int64(st, 15, m->time_ms);
	sqlite3_bind_int64(st, 16, now);
	sqlite3_bind_int64(st, 17, (sqlite3_int64)m->seq);
	return sq_step_done(s, st, err, "cannot record a detection");
}

static int apply_quarantine(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			    struct canh_errmsg *err)
{
	const json_t *d = m->data;
	const char *ev = sq_jget_str(d, "event");
	sqlite3_stmt *st;

	if (strcmp(ev, "quarantined") == 0) {
		st = sq_prep(s,
			     "INSERT OR IGNORE INTO hunt_quarantine (agent_id, qid, hunt_id, path, "
			     "size, mode, md5, sha1, sha256, rule, quarantined_at) VALUES (?1, ?2, "
			     "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			     err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sq_bind_text(st, 2, sq_jget_str(d, "id"));
		sq_bind_jint(st, 3, d, "hunt");
		sq_bind_text(st, 4, sq_jget_str(d, "path"));
		sq_bind_jint(st, 5, d, "size");
		sq_bind_jint(st, 6, d, "mode");
		sq_bind_text(st, 7, sq_jget_str(d, "md5"));
		sq_bind_text(st, 8, sq_jget_str(d, "sha1"));
		sq_bind_text(st, 9, sq_jget_str(d, "sha256"));
		sq_bind_text(st, 10, sq_jget_str(d, "rule"));
		sqlite3_bind_int64(st, 11, jtime(d, "quarantined_at", m->time_ms));
		return sq_step_done(s, st, err, "cannot record a quarantined file");
	}
	if (strcmp(ev, "restored") == 0) {
		st = sq_prep(s,
			     "UPDATE hunt_quarantine SET state = 'restored', restored_at = ?3, "
			     "error = NULL WHERE agent_id = ?1 AND qid = ?2",
			     err);
	} else {
		st = sq_prep(s,
			     "UPDATE hunt_quarantine SET state = 'restore_failed', error = ?4 "
			     "WHERE agent_id = ?1 AND qid = ?2 AND state = 'restore_requested'",
			     err);
	}
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sq_bind_text(st, 2, sq_jget_str(d, "id"));
	sqlite3_bind_int64(st, 3, m->time_ms);
	sq_bind_text(st, 4, sq_jget_str(d, "error"));
	return sq_step_done(s, st, err, "cannot record a restore");
}

int canh__store_apply_hunt(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err)
{
	if (!m->data || m->error[0])
		return 0;
	switch (m->type) {
	case CANH_MSG_HUNT_PROGRESS:
		return apply_progress(s, agent_id, m, err);
	case CANH_MSG_DETECTION:
		return apply_detection(s, agent_id, m, now, err);
	case CANH_MSG_QUARANTINE_EVENT:
		return apply_quarantine(s, agent_id, m, err);
	default:
		return 0;
	}
}
