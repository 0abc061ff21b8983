/*
 * The SQLite implementation of server/store.h.
 *
 * One connection, guarded by one recursive mutex: SQLite serialises writers
 * anyway, the daemon's reads are short, and one connection keeps the
 * transaction rules simple (no SQLITE_BUSY between our own threads). The
 * mutex is recursive so that canh_store_begin can hold it across several
 * calls of one thread, each of which locks again around its own savepoint.
 *
 * Durability: WAL with synchronous=FULL, so a transaction is on disk (the WAL
 * fsync'd) when COMMIT returns; the ingest acknowledges only after that.
 *
 * Every statement is a constant string with bound parameters, prepared once
 * and cached by its address.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/mem.h"
#include "canh/time.h"
#include "store.h"
#include "store_flows.h"
#include "store_logs.h"
#include "store_hunt.h"
#include "store_sqlite.h"
#include "store_vuln.h"

/* ---- plumbing ---- */

int sq_dberr(struct canh_store *s, struct canh_errmsg *err, const char *what)
{
	return canh_errmsg_set(err, CANH_ESTORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* A cached prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *sq_prep(struct canh_store *s, const char *sql, struct canh_errmsg *err)
{
	sqlite3_stmt *st = NULL;

	for (size_t i = 0; i < s->ncache; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sq_dberr(s, err, "cannot prepare a statement");
		sqlite3_finalize(st);
		return NULL;
	}
	CANH_BUG_ON(s->ncache >= STMT_CACHE_MAX);
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache].st = st;
	s->ncache++;
	return st;
}

/* Release a statement's read/write locks; call when done stepping it. */
void sq_done(sqlite3_stmt *st)
{
	if (st)
		sqlite3_reset(st);
}

int sq_exec(struct canh_store *s, const char *sql, struct canh_errmsg *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_dberr(s, err, sql);
	return 0;
}

void sq_lock(struct canh_store *s)
{
	CANH_BUG_ON(pthread_mutex_lock(&s->mu) != 0);
}

void sq_unlock(struct canh_store *s)
{
	CANH_BUG_ON(pthread_mutex_unlock(&s->mu) != 0);
}

/* A write call's own transaction: a savepoint, nested inside a group if one is open. */
int sq_begin(struct canh_store *s, struct canh_errmsg *err)
{
	int rc;

	sq_lock(s);
	rc = sq_exec(s, "SAVEPOINT canh_w", err);
	if (rc != 0)
		sq_unlock(s);
	return rc;
}

int sq_end(struct canh_store *s, int rc, struct canh_errmsg *err)
{
	if (rc == 0 && sqlite3_exec(s->db, "RELEASE canh_w", NULL, NULL, NULL) != SQLITE_OK)
		rc = sq_dberr(s, err, "cannot commit");
	if (rc != 0) {
		sqlite3_exec(s->db, "ROLLBACK TO canh_w", NULL, NULL, NULL);
		sqlite3_exec(s->db, "RELEASE canh_w", NULL, NULL, NULL);
	}
	sq_unlock(s);
	return rc;
}

int sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Step a statement that returns no row (or whose row is not wanted). */
int sq_step_done(struct canh_store *s, sqlite3_stmt *st, struct canh_errmsg *err, const char *what)
{
	int r = sqlite3_step(st);
	int rc = (r == SQLITE_DONE || r == SQLITE_ROW) ? 0 : sq_dberr(s, err, what);
	sq_done(st);
	return rc;
}

json_t *sq_jstr(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	json_t *v;

	if (!t)
		return json_null();
	v = json_stringn((const char *)t, (size_t)sqlite3_column_bytes(st, i));
	return v ? v : json_null();
}

json_t *sq_jint(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

json_t *sq_jtime(sqlite3_stmt *st, int i)
{
	char buf[CANH_TIME_BUFSZ];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_string(canh_time_format(sqlite3_column_int64(st, i), buf, sizeof(buf)));
}

/* A JSON column; fallback is returned (new reference) when it is NULL or not JSON. */
json_t *sq_jjson(sqlite3_stmt *st, int i, json_t *fallback)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	json_t *v;

	if (!t)
		return fallback;
	v = json_loadb(t, (size_t)sqlite3_column_bytes(st, i), 0, NULL);
	if (!v)
		return fallback;
	json_decref(fallback);
	return v;
}

void sq_row_into(json_t *o, sqlite3_stmt *st, int first, const struct sq_col *cols)
{
	for (int i = 0; cols[i].key; i++) {
		int c = first + i;
		json_t *v;

		switch (cols[i].kind) {
		case COL_INT:
			v = sq_jint(st, c);
			break;
		case COL_TIME:
			v = sq_jtime(st, c);
			break;
		case COL_BOOL:
			v = sqlite3_column_type(st, c) == SQLITE_NULL
				? json_null()
				: json_boolean(sqlite3_column_int(st, c));
			break;
		case COL_ARRAY:
			v = sq_jjson(st, c, json_array());
			break;
		case COL_OBJECT:
			v = sq_jjson(st, c, json_object());
			break;
		case COL_STR:
		default:
			v = sq_jstr(st, c);
			break;
		}
		json_object_set_new(o, cols[i].key, v);
	}
}

json_t *sq_row_json(sqlite3_stmt *st, const struct sq_col *cols)
{
	json_t *o = json_object();

	sq_row_into(o, st, 0, cols);
	return o;
}

int sq_rows_json(struct canh_store *s, sqlite3_stmt *st, const struct sq_col *cols, json_t *arr,
		 struct canh_errmsg *err, const char *what)
{
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, sq_row_json(st, cols));
	sq_done(st);
	return r == SQLITE_DONE ? 0 : sq_dberr(s, err, what);
}

/* ---- open, migrations ---- */

static int migrate_core(struct canh_store *s, struct canh_errmsg *err)
{
	size_t n;
	const char *const *m = canh__store_migrations(&n);
	sqlite3_stmt *st = NULL;
	int version = 0, rc = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_dberr(s, err, "cannot read the schema version");
		goto out;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version < 0 || (size_t)version > n) {
		rc = canh_errmsg_set(
		    err, CANH_ESTORE,
		    "database schema version %d is newer than this canhd knows (%zu)", version, n);
		goto out;
	}
	for (size_t i = (size_t)version; i < n; i++) {
		char pragma[64];

		if ((rc = sq_exec(s, "BEGIN IMMEDIATE", err)) != 0)
			goto out;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		if (sqlite3_exec(s->db, m[i], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			rc = canh_errmsg_set(err, CANH_ESTORE, "migration %zu failed: %s", i + 1,
					     sqlite3_errmsg(s->db));
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		if ((rc = sq_exec(s, "COMMIT", err)) != 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	s->schema = (int)n;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The version of an area's schema (0 when it has none yet). */
static int component_version(struct canh_store *s, const char *name, int *version,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc = 0;

	*version = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT version FROM schema_components WHERE name = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return sq_dberr(s, err, "cannot read an area's schema version");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read an area's schema version");
	sqlite3_finalize(st);
	return rc;
}

/* Apply each area's missing steps, each in its own transaction with its version. */
static int migrate_components(struct canh_store *s, struct canh_errmsg *err)
{
	size_t nc;
	const struct sq_component *const *c = canh__store_components(&nc);
	int rc;

	if ((rc = sq_exec(s,
			  "CREATE TABLE IF NOT EXISTS schema_components ("
			  "  name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
			  err)) != 0)
		return rc;
	for (size_t k = 0; k < nc; k++) {
		int version;

		if ((rc = component_version(s, c[k]->name, &version, err)) != 0)
			return rc;
		if (version < 0 || (size_t)version > c[k]->n)
			return canh_errmsg_set(err, CANH_ESTORE,
					       "schema of '%s' is at version %d, newer than this "
					       "canhd knows (%zu)",
					       c[k]->name, version, c[k]->n);
		for (size_t i = (size_t)version; i < c[k]->n; i++) {
			sqlite3_stmt *st = NULL;
			int ok;

			if ((rc = sq_exec(s, "BEGIN IMMEDIATE", err)) != 0)
				return rc;
			ok = sqlite3_exec(s->db, c[k]->steps[i], NULL, NULL, NULL) == SQLITE_OK &&
			     sqlite3_prepare_v2(s->db,
						"INSERT INTO schema_components (name, version) "
						"VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET "
						"version = excluded.version",
						-1, &st, NULL) == SQLITE_OK;
			if (ok) {
				sqlite3_bind_text(st, 1, c[k]->name, -1, SQLITE_STATIC);
				sqlite3_bind_int(st, 2, (int)(i + 1));
				ok = sqlite3_step(st) == SQLITE_DONE;
			}
			sqlite3_finalize(st);
			if (!ok) {
				rc = canh_errmsg_set(err, CANH_ESTORE,
						     "migration %zu of '%s' failed: %s", i + 1,
						     c[k]->name, sqlite3_errmsg(s->db));
				sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
				return rc;
			}
			if ((rc = sq_exec(s, "COMMIT", err)) != 0) {
				sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
				return rc;
			}
		}
	}
	return 0;
}

static int migrate(struct canh_store *s, struct canh_errmsg *err)
{
	int rc = migrate_core(s, err);

	return rc ? rc : migrate_components(s, err);
}

int canh_store_open(const char *path, struct canh_store **out, struct canh_errmsg *err)
{
	struct canh_store *s = NULL;
	pthread_mutexattr_t ma;
	sqlite3_stmt *st = NULL;
	int fd, rc;

	*out = NULL;
	/* Create the file ourselves so that it is 0600 whatever the umask (the WAL
	   and shared-memory files take the database file's mode). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return canh_errmsg_set(err, CANH_EIO, "cannot open '%s': %s", path,
				       strerror(errno));
	close(fd);

	s = canh_xcalloc(1, sizeof(*s));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->mu, &ma);
	pthread_mutexattr_destroy(&ma);

	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = canh_errmsg_set(err, CANH_ESTORE, "cannot open database '%s': %s", path,
				     s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = canh_errmsg_set(err, CANH_ESTORE, "cannot use '%s': %s", path,
				     sqlite3_errmsg(s->db));
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		rc = canh_errmsg_set(err, CANH_ESTORE, "cannot put '%s' in WAL mode", path);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = sq_exec(s, "PRAGMA synchronous=FULL", err)) != 0 ||
	    (rc = sq_exec(s, "PRAGMA foreign_keys=ON", err)) != 0)
		goto out;
	if ((rc = migrate(s, err)) != 0)
		goto out;
	*out = s;
	s = NULL;
out:
	sqlite3_finalize(st);
	canh_store_free(s);
	return rc;
}

void canh_store_free(struct canh_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int canh_store_schema_version(struct canh_store *s)
{
	return s->schema;
}

int canh_store_begin(struct canh_store *s, struct canh_errmsg *err)
{
	int rc;

	sq_lock(s);
	rc = sq_exec(s, "BEGIN IMMEDIATE", err);
	if (rc != 0)
		sq_unlock(s);
	return rc;
}

int canh_store_commit(struct canh_store *s, struct canh_errmsg *err)
{
	int rc = sq_exec(s, "COMMIT", err);

	if (rc != 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sq_unlock(s);
	return rc;
}

void canh_store_rollback(struct canh_store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sq_unlock(s);
}

/* ---- audit ---- */

int sq_audit(struct canh_store *s, int64_t now, const char *actor, const char *action,
	     const char *object, const char *detail, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s,
				   "INSERT INTO audit_log (time, actor, action, object, detail) "
				   "VALUES (?1, ?2, ?3, ?4, ?5)",
				   err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, now);
	sq_bind_text(st, 2, actor ? actor : "system");
	sq_bind_text(st, 3, action);
	sq_bind_text(st, 4, object);
	sq_bind_text(st, 5, detail);
	return sq_step_done(s, st, err, "cannot write the audit log");
}

int canh_store_audit(struct canh_store *s, int64_t now, const char *actor, const char *action,
		     const char *object, const char *detail, struct canh_errmsg *err)
{
	int rc = sq_begin(s, err);
	if (rc != 0)
		return rc;
	rc = sq_audit(s, now, actor, action, object, detail, err);
	return sq_end(s, rc, err);
}

static const struct sq_col audit_cols[] = {
    {"time", COL_TIME},	 {"actor", COL_STR},  {"action", COL_STR},
    {"object", COL_STR}, {"detail", COL_STR}, {NULL, 0},
};

int canh_store_audit_list(struct canh_store *s, size_t limit, json_t **out, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT time, actor, action, object, detail FROM audit_log "
		     "ORDER BY id DESC LIMIT ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(arr, sq_row_json(st, audit_cols));
	}
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the audit log");
	sq_done(st);
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

/* ---- API tokens ---- */

int canh_store_api_token_set(struct canh_store *s, const char *name, const char *role,
			     const char hash_hex[CANH_SHA256_HEX], int64_t now, const char *actor,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	st = sq_prep(
	    s,
	    "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
	    "token_hash = excluded.token_hash, created_at = excluded.created_at",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, name);
	sq_bind_text(st, 2, role);
	sq_bind_text(st, 3, hash_hex);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = sq_step_done(s, st, err, "cannot store an API token")) != 0)
		goto out;
	rc = sq_audit(s, now, actor, "api_token.set", name, role, err);
out:
	return sq_end(s, rc, err);
}

int canh_store_api_token_get(struct canh_store *s, const char *name, char hash_hex[CANH_SHA256_HEX],
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	hash_hex[0] = '\0';
	sq_lock(s);
	st = sq_prep(s, "SELECT token_hash FROM api_tokens WHERE name = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, name);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		canh_strlcpy(hash_hex, h ? h : "", CANH_SHA256_HEX);
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "no API token '%s'", name);
	} else {
		rc = sq_dberr(s, err, "cannot read an API token");
	}
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

/* ---- units ---- */

/* id of a unit by code: 0 when there is none, negative on error. */
int64_t sq_unit_id(struct canh_store *s, const char *code, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, "SELECT id FROM units WHERE code = ?1", err);
	int64_t id = 0;
	int r;

	if (!st)
		return CANH_ESTORE;
	sq_bind_text(st, 1, code);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (r != SQLITE_DONE)
		id = sq_dberr(s, err, "cannot look up a unit");
	sq_done(st);
	return id;
}

static int64_t unit_parent_of(struct canh_store *s, int64_t id, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, "SELECT parent_id FROM units WHERE id = ?1", err);
	int64_t p = 0;
	int r;

	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		p = sqlite3_column_int64(st, 0); /* NULL reads as 0 */
	else if (r != SQLITE_DONE)
		p = sq_dberr(s, err, "cannot look up a unit");
	sq_done(st);
	return p;
}

/* Resolve u->parent to an id (0 for a root); CANH_ENOENT when it does not exist. */
static int resolve_parent(struct canh_store *s, const struct canh_unit *u, int64_t *parent_id,
			  struct canh_errmsg *err)
{
	int64_t p;

	*parent_id = 0;
	if (!u->parent)
		return 0;
	p = sq_unit_id(s, u->parent, err);
	if (p < 0)
		return (int)p;
	if (p == 0)
		return canh_errmsg_set(err, CANH_ENOENT, "parent unit '%s' not found", u->parent);
	*parent_id = p;
	return 0;
}

static int unit_insert(struct canh_store *s, const struct canh_unit *u, int64_t parent_id,
		       int64_t now, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s,
				   "INSERT INTO units (code, name, type, parent_id, public_ranges, "
				   "contacts, created_at, updated_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, '[]'), ?7, ?7)",
				   err);
	if (!st)
		return CANH_ESTORE;
	sq_bind_text(st, 1, u->code);
	sq_bind_text(st, 2, u->name);
	sq_bind_text(st, 3, u->type);
	if (parent_id)
		sqlite3_bind_int64(st, 4, parent_id);
	sq_bind_text(st, 5, u->ranges_json ? u->ranges_json : "[]");
	sq_bind_text(st, 6, u->contacts_json);
	sqlite3_bind_int64(st, 7, now);
	return sq_step_done(s, st, err, "cannot insert a unit");
}

int canh_store_unit_add(struct canh_store *s, const struct canh_unit *u, int64_t now,
			const char *actor, struct canh_errmsg *err)
{
	int64_t id, parent_id;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	id = sq_unit_id(s, u->code, err);
	if (id < 0) {
		rc = (int)id;
		goto out;
	}
	if (id > 0) {
		rc = canh_errmsg_set(err, CANH_EEXIST, "unit '%s' already exists", u->code);
		goto out;
	}
	if ((rc = resolve_parent(s, u, &parent_id, err)) != 0 ||
	    (rc = unit_insert(s, u, parent_id, now, err)) != 0)
		goto out;
	rc = sq_audit(s, now, actor, "unit.add", u->code, u->name, err);
out:
	return sq_end(s, rc, err);
}

int canh_store_unit_upsert(struct canh_store *s, const struct canh_unit *u, int64_t now,
			   const char *actor, int *created, struct canh_errmsg *err)
{
	int64_t id, parent_id;
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	*created = 0;
	if (rc != 0)
		return rc;
	id = sq_unit_id(s, u->code, err);
	if (id < 0) {
		rc = (int)id;
		goto out;
	}
	if (id != 0 && u->keep_parent) {
		parent_id = unit_parent_of(s, id, err);
		if (parent_id < 0) {
			rc = (int)parent_id;
			goto out;
		}
	} else if ((rc = resolve_parent(s, u, &parent_id, err)) != 0) {
		goto out;
	}
	if (id == 0) {
		if ((rc = unit_insert(s, u, parent_id, now, err)) != 0)
			goto out;
		*created = 1;
		rc = sq_audit(s, now, actor, "unit.add", u->code, u->name, err);
		goto out;
	}
	/* The new parent must not be the unit itself or one of its descendants. */
	for (int64_t p = parent_id, depth = 0; p > 0; depth++) {
		if (p == id || depth > UNIT_MAX_DEPTH) {
			rc = canh_errmsg_set(err, CANH_ECONFLICT,
					     "parent '%s' would make unit '%s' its own ancestor",
					     u->parent, u->code);
			goto out;
		}
		p = unit_parent_of(s, p, err);
		if (p < 0) {
			rc = (int)p;
			goto out;
		}
	}
	st = sq_prep(s,
		     "UPDATE units SET name = ?2, type = ?3, parent_id = ?4, "
		     "public_ranges = COALESCE(?5, public_ranges), "
		     "contacts = COALESCE(?6, contacts), updated_at = ?7 WHERE id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sq_bind_text(st, 2, u->name);
	sq_bind_text(st, 3, u->type);
	if (parent_id)
		sqlite3_bind_int64(st, 4, parent_id);
	sq_bind_text(st, 5, u->ranges_json);
	sq_bind_text(st, 6, u->contacts_json);
	sqlite3_bind_int64(st, 7, now);
	if ((rc = sq_step_done(s, st, err, "cannot update a unit")) != 0)
		goto out;
	rc = sq_audit(s, now, actor, "unit.update", u->code, u->name, err);
out:
	return sq_end(s, rc, err);
}

int canh_store_unit_exists(struct canh_store *s, const char *code, int *exists,
			   struct canh_errmsg *err)
{
	int64_t id;

	sq_lock(s);
	id = sq_unit_id(s, code, err);
	sq_unlock(s);
	*exists = id > 0;
	return id < 0 ? (int)id : 0;
}

/* Columns 0..6: id, code, name, type, parent code, public_ranges, contacts. */
static const struct sq_col unit_cols[] = {
    {"id", COL_INT},	     {"code", COL_STR},	  {"name", COL_STR},
    {"type", COL_STR},	     {"parent", COL_STR}, {"public_ranges", COL_ARRAY},
    {"contacts", COL_ARRAY}, {NULL, 0},
};

int canh_store_unit_get(struct canh_store *s, const char *code, json_t **out,
			struct canh_errmsg *err)
{
	json_t *o = NULL, *arr;
	sqlite3_stmt *st;
	int64_t id;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT u.id, u.code, u.name, u.type, p.code, u.public_ranges, u.contacts, "
		     "u.created_at, u.updated_at "
		     "FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.code = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, code);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = r == SQLITE_DONE
			 ? canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found", code)
			 : sq_dberr(s, err, "cannot read a unit");
		sq_done(st);
		goto out;
	}
	o = sq_row_json(st, unit_cols);
	json_object_set_new(o, "created_at", sq_jtime(st, 7));
	json_object_set_new(o, "updated_at", sq_jtime(st, 8));
	id = sqlite3_column_int64(st, 0);
	sq_done(st);

	arr = json_array();
	json_object_set_new(o, "children", arr);
	st = sq_prep(s, "SELECT code FROM units WHERE parent_id = ?1 ORDER BY code", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, sq_jstr(st, 0));
	sq_done(st);
	if (r != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a unit's children");
		goto out;
	}

	arr = json_array();
	json_object_set_new(o, "hosts", arr);
	st = sq_prep(
	    s, "SELECT id, hostname, last_seen, status FROM agents WHERE unit_id = ?1 ORDER BY id",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *h = json_object();
		json_object_set_new(h, "id", sq_jint(st, 0));
		json_object_set_new(h, "hostname", sq_jstr(st, 1));
		json_object_set_new(h, "last_seen", sq_jtime(st, 2));
		json_object_set_new(h, "status", sq_jstr(st, 3));
		json_array_append_new(arr, h);
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read a unit's hosts");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
	json_decref(o);
	return rc;
}

int canh_store_unit_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	/* Depth-first, siblings by code: the path joins codes with \x01, which sorts
	   below every character a code may hold, so a parent precedes its subtree. */
	st = sq_prep(
	    s,
	    "WITH RECURSIVE tree (id, path, depth) AS ("
	    " SELECT id, code, 0 FROM units WHERE parent_id IS NULL"
	    " UNION ALL"
	    " SELECT u.id, t.path || char(1) || u.code, t.depth + 1"
	    " FROM units u JOIN tree t ON u.parent_id = t.id WHERE t.depth < 256)"
	    " SELECT u.id, u.code, u.name, u.type, p.code, u.public_ranges, u.contacts,"
	    " (SELECT COUNT(*) FROM agents a WHERE a.unit_id = u.id)"
	    " FROM tree t JOIN units u ON u.id = t.id LEFT JOIN units p ON p.id = u.parent_id"
	    " ORDER BY t.path",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = sq_row_json(st, unit_cols);
		json_object_set_new(o, "hosts", sq_jint(st, 7));
		json_array_append_new(arr, o);
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot list units");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

/* ---- enrolment tokens ---- */

int canh_store_token_create(struct canh_store *s, const char *unit_code,
			    const char hash_hex[CANH_SHA256_HEX], int64_t now, int64_t expires_at,
			    const char *actor, int64_t *id_out, struct canh_errmsg *err)
{
	char object[32], detail[96];
	sqlite3_stmt *st;
	int64_t uid;
	int rc = sq_begin(s, err);

	*id_out = 0;
	if (rc != 0)
		return rc;
	uid = sq_unit_id(s, unit_code, err);
	if (uid <= 0) {
		rc = uid < 0 ? (int)uid
			     : canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found", unit_code);
		goto out;
	}
	st = sq_prep(
	    s,
	    "INSERT INTO enrol_tokens (token_hash, unit_id, created_at, expires_at, created_by) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, hash_hex);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	sq_bind_text(st, 5, actor ? actor : "system");
	if ((rc = sq_step_done(s, st, err, "cannot store a token")) != 0)
		goto out;
	*id_out = sqlite3_last_insert_rowid(s->db);
	snprintf(object, sizeof(object), "token:%lld", (long long)*id_out);
	snprintf(detail, sizeof(detail), "unit %s", unit_code);
	rc = sq_audit(s, now, actor, "token.create", object, detail, err);
out:
	return sq_end(s, rc, err);
}

static const struct sq_col token_cols[] = {
    {"id", COL_INT},
    {"unit", COL_STR},
    {"created_at", COL_TIME},
    {"expires_at", COL_TIME},
    {"used_at", COL_TIME},
    {"agent_id", COL_INT},
    {NULL, 0},
};

int canh_store_token_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT t.id, u.code, t.created_at, t.expires_at, t.used_at, t.agent_id "
		     "FROM enrol_tokens t JOIN units u ON u.id = t.unit_id ORDER BY t.id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(arr, sq_row_json(st, token_cols));
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot list tokens");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

/* ---- agents ---- */

int canh_store_enroll(struct canh_store *s, const struct canh_enrolment *e, int64_t *agent_id,
		      char unit_code[CANH_UNIT_CODE_MAX + 1], struct canh_errmsg *err)
{
	int64_t tid = 0, uid = 0, id = 0;
	char actor[32], object[32];
	sqlite3_stmt *st;
	int r, rc = sq_begin(s, err);

	*agent_id = 0;
	unit_code[0] = '\0';
	if (rc != 0)
		return rc;
	st = sq_prep(s,
		     "SELECT t.id, t.unit_id, t.expires_at, t.used_at, u.code "
		     "FROM enrol_tokens t JOIN units u ON u.id = t.unit_id WHERE t.token_hash = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, e->token_hash);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 4);
		tid = sqlite3_column_int64(st, 0);
		uid = sqlite3_column_int64(st, 1);
		canh_strlcpy(unit_code, code ? code : "", CANH_UNIT_CODE_MAX + 1);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			rc = canh_errmsg_set(err, CANH_ECONFLICT, "enrolment token already used");
		else if (e->now >= sqlite3_column_int64(st, 2))
			rc = canh_errmsg_set(err, CANH_EEXPIRED, "enrolment token expired");
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "unknown enrolment token");
	} else {
		rc = sq_dberr(s, err, "cannot look up a token");
	}
	sq_done(st);
	if (rc != 0)
		goto out;

	st = sq_prep(s,
		     "INSERT INTO agents (unit_id, token_id, cred_hash, hostname, machine_id, "
		     "agent_version, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, tid);
	sq_bind_text(st, 3, e->cred_hash);
	sq_bind_text(st, 4, e->hostname);
	sq_bind_text(st, 5, e->machine_id ? e->machine_id : "");
	sq_bind_text(st, 6, e->agent_version ? e->agent_version : "");
	sqlite3_bind_int64(st, 7, e->now);
	if ((rc = sq_step_done(s, st, err, "cannot create an agent")) != 0)
		goto out;
	id = sqlite3_last_insert_rowid(s->db);

	st = sq_prep(s,
		     "UPDATE enrol_tokens SET used_at = ?2, agent_id = ?3 "
		     "WHERE id = ?1 AND used_at IS NULL",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, tid);
	sqlite3_bind_int64(st, 2, e->now);
	sqlite3_bind_int64(st, 3, id);
	if ((rc = sq_step_done(s, st, err, "cannot mark a token used")) != 0)
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		rc = canh_errmsg_set(err, CANH_ECONFLICT, "enrolment token already used");
		goto out;
	}
	snprintf(actor, sizeof(actor), "token:%lld", (long long)tid);
	snprintf(object, sizeof(object), "agent:%lld", (long long)id);
	if ((rc = sq_audit(s, e->now, actor, "agent.enroll", object, e->hostname, err)) != 0)
		goto out;
	*agent_id = id;
out:
	return sq_end(s, rc, err);
}

int canh_store_agent_cred(struct canh_store *s, int64_t agent_id, char hash_hex[CANH_SHA256_HEX],
			  int *revoked, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	hash_hex[0] = '\0';
	*revoked = 0;
	sq_lock(s);
	st = sq_prep(s, "SELECT cred_hash, status FROM agents WHERE id = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		canh_strlcpy(hash_hex, h ? h : "", CANH_SHA256_HEX);
		*revoked = !status || strcmp(status, "active") != 0;
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "agent %lld not found", (long long)agent_id);
	} else {
		rc = sq_dberr(s, err, "cannot look up an agent");
	}
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

int canh_store_agent_seen(struct canh_store *s, int64_t agent_id, const char *addr, int64_t now,
			  struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	st = sq_prep(s, "UPDATE agents SET last_seen = ?2, last_addr = ?3 WHERE id = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, now);
	sq_bind_text(st, 3, addr);
	if ((rc = sq_step_done(s, st, err, "cannot update an agent")) != 0)
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "agent %lld not found", (long long)agent_id);
		goto out;
	}
	st =
	    sq_prep(s,
		    "INSERT INTO agent_addresses (agent_id, addr, first_seen, last_seen, requests) "
		    "VALUES (?1, ?2, ?3, ?3, 1) ON CONFLICT (agent_id, addr) DO UPDATE SET "
		    "last_seen = excluded.last_seen, requests = requests + 1",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sq_bind_text(st, 2, addr);
	sqlite3_bind_int64(st, 3, now);
	rc = sq_step_done(s, st, err, "cannot record an agent's address");
out:
	return sq_end(s, rc, err);
}

static int agent_ack_locked(struct canh_store *s, int64_t agent_id, uint64_t *ack, int *revoked,
			    struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, "SELECT ack_seq, status FROM agents WHERE id = ?1", err);
	int r, rc = 0;

	*ack = 0;
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);
		*ack = (uint64_t)sqlite3_column_int64(st, 0);
		if (revoked)
			*revoked = !status || strcmp(status, "active") != 0;
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "agent %lld not found", (long long)agent_id);
	} else {
		rc = sq_dberr(s, err, "cannot look up an agent");
	}
	sq_done(st);
	return rc;
}

int canh_store_agent_ack(struct canh_store *s, int64_t agent_id, uint64_t *ack,
			 struct canh_errmsg *err)
{
	int rc;

	sq_lock(s);
	rc = agent_ack_locked(s, agent_id, ack, NULL, err);
	sq_unlock(s);
	return rc;
}

int canh_store_agent_revoke(struct canh_store *s, int64_t agent_id, int64_t now, const char *actor,
			    struct canh_errmsg *err)
{
	char object[32];
	sqlite3_stmt *st;
	uint64_t ack;
	int revoked = 0;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	if ((rc = agent_ack_locked(s, agent_id, &ack, &revoked, err)) != 0 || revoked)
		goto out;
	st = sq_prep(s, "UPDATE agents SET status = 'revoked', revoked_at = ?2 WHERE id = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = sq_step_done(s, st, err, "cannot revoke an agent")) != 0)
		goto out;
	snprintf(object, sizeof(object), "agent:%lld", (long long)agent_id);
	rc = sq_audit(s, now, actor, "agent.revoke", object, NULL, err);
out:
	return sq_end(s, rc, err);
}

/* ---- hosts ---- */

#define HOST_COLUMNS                                                                               \
	"a.id, a.hostname, u.code, h.os_pretty, h.kernel_release, h.arch, a.status, "              \
	"a.enrolled_at, a.last_seen, a.last_addr, COALESCE(h.packages_count, 0), a.ack_seq, "      \
	"a.messages "

/* HOST_COLUMNS, in order. */
static const struct sq_col host_cols[] = {
    {"id", COL_INT},	     {"hostname", COL_STR},
    {"unit", COL_STR},	     {"os", COL_STR},
    {"kernel", COL_STR},     {"arch", COL_STR},
    {"status", COL_STR},     {"enrolled_at", COL_TIME},
    {"last_seen", COL_TIME}, {"last_addr", COL_STR},
    {"packages", COL_INT},   {"ack_seq", COL_INT},
    {"messages", COL_INT},   {NULL, 0},
};
#define HOST_NCOLS ((int)(sizeof(host_cols) / sizeof(host_cols[0])) - 1)

/* What GET /hosts/{id} adds, after HOST_COLUMNS. */
static const struct sq_col host_detail_cols[] = {
    {"machine_id", COL_STR},  {"agent_version", COL_STR},
    {"os_info", COL_OBJECT},  {"inventory_at", COL_TIME},
    {"rejected", COL_INT},    {"inventory_errors", COL_ARRAY},
    {"revoked_at", COL_TIME}, {NULL, 0},
};

int canh_store_host_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT " HOST_COLUMNS "FROM agents a JOIN units u ON u.id = a.unit_id "
		     "LEFT JOIN host_os h ON h.agent_id = a.id ORDER BY a.id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	rc = sq_rows_json(s, st, host_cols, arr, err, "cannot list hosts");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

/* Append every row of a one-agent query to a new array under key. */
static int host_section(struct canh_store *s, json_t *host, const char *key, const char *sql,
			int64_t agent_id, const struct sq_col *cols, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;

	json_object_set_new(host, key, arr);
	st = sq_prep(s, sql, err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	return sq_rows_json(s, st, cols, arr, err, "cannot read a host");
}

static const struct sq_col iface_cols[] = {
    {"name", COL_STR}, {"mac", COL_STR}, {"up", COL_BOOL}, {"addresses", COL_ARRAY}, {NULL, 0},
};
static const struct sq_col pkg_cols[] = {
    {"manager", COL_STR},
    {"name", COL_STR},
    {"version", COL_STR},
    {"arch", COL_STR},
    {"source", COL_STR},
    {"source_version", COL_STR},
    {NULL, 0},
};
static const struct sq_col listen_cols[] = {
    {"proto", COL_STR},	  {"addr", COL_STR}, {"port", COL_INT}, {"pid", COL_INT},
    {"process", COL_STR}, {"exe", COL_STR},  {"user", COL_INT}, {NULL, 0},
};
static const struct sq_col addr_cols[] = {
    {"addr", COL_STR}, {"first_seen", COL_TIME}, {"last_seen", COL_TIME}, {"requests", COL_INT},
    {NULL, 0},
};

int canh_store_host_get(struct canh_store *s, int64_t agent_id, json_t **out,
			struct canh_errmsg *err)
{
	json_t *o = NULL;
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT " HOST_COLUMNS ", a.machine_id, a.agent_version, h.os_info, "
		     "h.inventory_at, a.rejected, h.errors, a.revoked_at "
		     "FROM agents a JOIN units u ON u.id = a.unit_id "
		     "LEFT JOIN host_os h ON h.agent_id = a.id WHERE a.id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = r == SQLITE_DONE ? canh_errmsg_set(err, CANH_ENOENT, "host %lld not found",
							(long long)agent_id)
				      : sq_dberr(s, err, "cannot read a host");
		sq_done(st);
		goto out;
	}
	o = sq_row_json(st, host_cols);
	sq_row_into(o, st, HOST_NCOLS, host_detail_cols);
	sq_done(st);

	if ((rc = host_section(s, o, "interfaces",
			       "SELECT name, mac, up, addresses FROM host_interfaces "
			       "WHERE agent_id = ?1 ORDER BY rowid",
			       agent_id, iface_cols, err)) != 0 ||
	    (rc =
		 host_section(s, o, "packages",
			      "SELECT manager, name, version, arch, source, source_version "
			      "FROM host_packages WHERE agent_id = ?1 ORDER BY name, manager, arch",
			      agent_id, pkg_cols, err)) != 0 ||
	    (rc = host_section(
		 s, o, "listening",
		 "SELECT proto, addr, port, pid, process, exe, user FROM host_listening "
		 "WHERE agent_id = ?1 ORDER BY proto, port, addr",
		 agent_id, listen_cols, err)) != 0 ||
	    (rc = host_section(s, o, "addresses",
			       "SELECT addr, first_seen, last_seen, requests FROM agent_addresses "
			       "WHERE agent_id = ?1 ORDER BY last_seen DESC, addr",
			       agent_id, addr_cols, err)) != 0)
		goto out;
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
	json_decref(o);
	return rc;
}

/* ---- ingest ---- */

const char *sq_jget_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)); /* NULL when absent or not a string */
}

void sq_bind_jint(sqlite3_stmt *st, int i, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		sqlite3_bind_int64(st, i, json_integer_value(v));
	else
		sqlite3_bind_null(st, i);
}

/* Bind a JSON value as compact text; the text is freed by SQLite. */
void sq_bind_json(sqlite3_stmt *st, int i, const json_t *v, const char *fallback)
{
	char *t = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (t)
		sqlite3_bind_text(st, i, t, -1, free);
	else
		sqlite3_bind_text(st, i, fallback, -1, SQLITE_STATIC);
}

static int clear_section(struct canh_store *s, const char *sql, int64_t agent_id,
			 struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, sql, err);

	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	return sq_step_done(s, st, err, "cannot clear an inventory section");
}

static int set_section_seq(struct canh_store *s, const char *sql, int64_t agent_id, uint64_t seq,
			   int64_t extra, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, sql, err);

	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, extra);
	return sq_step_done(s, st, err, "cannot update an inventory");
}

/*
 * Apply one newly stored inventory. Each part is replaced only when this
 * message is newer than the one that last replaced it, so an old inventory
 * arriving after a newer one (a gap being filled) changes nothing it should not.
 */
static int apply_inventory(struct canh_store *s, int64_t agent_id, const struct canh_proto_msg *m,
			   int64_t now, struct canh_errmsg *err)
{
	const json_t *d = m->data, *arr, *e, *os, *kernel;
	uint64_t base_seq = 0, if_seq = 0, pkg_seq = 0, lis_seq = 0;
	sqlite3_stmt *st;
	size_t i;
	int r, rc;

	st = sq_prep(s,
		     "SELECT inventory_seq, interfaces_seq, packages_seq, listening_seq "
		     "FROM host_os WHERE agent_id = ?1",
		     err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		base_seq = (uint64_t)sqlite3_column_int64(st, 0);
		if_seq = (uint64_t)sqlite3_column_int64(st, 1);
		pkg_seq = (uint64_t)sqlite3_column_int64(st, 2);
		lis_seq = (uint64_t)sqlite3_column_int64(st, 3);
	}
	sq_done(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot read an inventory");
	if (r == SQLITE_DONE) {
		st = sq_prep(s, "INSERT INTO host_os (agent_id, updated_at) VALUES (?1, ?2)", err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sqlite3_bind_int64(st, 2, now);
		if ((rc = sq_step_done(s, st, err, "cannot create an inventory")) != 0)
			return rc;
	}

	if (m->seq > base_seq) {
		os = json_object_get(d, "os");
		kernel = json_object_get(d, "kernel");
		st = sq_prep(
		    s,
		    "UPDATE host_os SET os_id = ?2, os_version_id = ?3, os_pretty = ?4, "
		    "os_info = ?5, kernel_release = ?6, kernel_version = ?7, arch = ?8, "
		    "errors = ?9, inventory_at = ?10, inventory_seq = ?11, updated_at = ?12 "
		    "WHERE agent_id = ?1",
		    err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sq_bind_text(st, 2, sq_jget_str(os, "id"));
		sq_bind_text(st, 3, sq_jget_str(os, "version_id"));
		/* What a person calls the OS: os-release's PRETTY_NAME, else NAME, else ID. */
		sq_bind_text(st, 4,
			     sq_jget_str(os, "pretty_name")
				 ? sq_jget_str(os, "pretty_name")
				 : (sq_jget_str(os, "name") ? sq_jget_str(os, "name")
							    : sq_jget_str(os, "id")));
		sq_bind_json(st, 5, os, "{}");
		sq_bind_text(st, 6, sq_jget_str(kernel, "release"));
		sq_bind_text(st, 7, sq_jget_str(kernel, "version"));
		sq_bind_text(st, 8, sq_jget_str(d, "arch"));
		sq_bind_json(st, 9,
			     json_object_get(d, "errors") ? json_object_get(d, "errors") : NULL,
			     "[]");
		sqlite3_bind_int64(st, 10, m->time_ms);
		sqlite3_bind_int64(st, 11, (sqlite3_int64)m->seq);
		sqlite3_bind_int64(st, 12, now);
		if ((rc = sq_step_done(s, st, err, "cannot update an inventory")) != 0)
			return rc;
		st = sq_prep(s, "UPDATE agents SET hostname = ?2, machine_id = ?3 WHERE id = ?1",
			     err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sq_bind_text(st, 2, sq_jget_str(d, "hostname"));
		sq_bind_text(st, 3,
			     sq_jget_str(d, "machine_id") ? sq_jget_str(d, "machine_id") : "");
		if ((rc = sq_step_done(s, st, err, "cannot update an agent")) != 0)
			return rc;
	}

	arr = json_object_get(d, "interfaces");
	if (json_is_array(arr) && m->seq > if_seq) {
		if ((rc = clear_section(s, "DELETE FROM host_interfaces WHERE agent_id = ?1",
					agent_id, err)) != 0)
			return rc;
		json_array_foreach(arr, i, e)
		{
			const json_t *up = json_object_get(e, "up");
			st = sq_prep(
			    s,
			    "INSERT INTO host_interfaces (agent_id, name, mac, up, addresses) "
			    "VALUES (?1, ?2, ?3, ?4, ?5)",
			    err);
			if (!st)
				return CANH_ESTORE;
			sqlite3_bind_int64(st, 1, agent_id);
			sq_bind_text(st, 2, sq_jget_str(e, "name"));
			sq_bind_text(st, 3, sq_jget_str(e, "mac"));
			if (json_is_boolean(up))
				sqlite3_bind_int(st, 4, json_is_true(up));
			sq_bind_json(st, 5, json_object_get(e, "addresses"), "[]");
			if ((rc = sq_step_done(s, st, err, "cannot store an interface")) != 0)
				return rc;
		}
		if ((rc = set_section_seq(
			 s, "UPDATE host_os SET interfaces_seq = ?2 WHERE agent_id = ?1", agent_id,
			 m->seq, 0, err)) != 0)
			return rc;
	}

	arr = json_object_get(d, "packages");
	if (json_is_array(arr) && m->seq > pkg_seq) {
		if ((rc = clear_section(s, "DELETE FROM host_packages WHERE agent_id = ?1",
					agent_id, err)) != 0)
			return rc;
		json_array_foreach(arr, i, e)
		{
			st = sq_prep(
			    s,
			    "INSERT INTO host_packages (agent_id, manager, name, version, arch, "
			    "source, source_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			    err);
			if (!st)
				return CANH_ESTORE;
			sqlite3_bind_int64(st, 1, agent_id);
			sq_bind_text(st, 2, sq_jget_str(e, "manager"));
			sq_bind_text(st, 3, sq_jget_str(e, "name"));
			sq_bind_text(st, 4, sq_jget_str(e, "version"));
			sq_bind_text(st, 5, sq_jget_str(e, "arch"));
			sq_bind_text(st, 6, sq_jget_str(e, "source"));
			sq_bind_text(st, 7, sq_jget_str(e, "source_version"));
			if ((rc = sq_step_done(s, st, err, "cannot store a package")) != 0)
				return rc;
		}
		if ((rc = set_section_seq(
			 s,
			 "UPDATE host_os SET packages_seq = ?2, packages_count = ?3 "
			 "WHERE agent_id = ?1",
			 agent_id, m->seq, (int64_t)json_array_size(arr), err)) != 0)
			return rc;
	}

	arr = json_object_get(d, "listening");
	if (json_is_array(arr) && m->seq > lis_seq) {
		if ((rc = clear_section(s, "DELETE FROM host_listening WHERE agent_id = ?1",
					agent_id, err)) != 0)
			return rc;
		json_array_foreach(arr, i, e)
		{
			st =
			    sq_prep(s,
				    "INSERT INTO host_listening (agent_id, proto, addr, port, pid, "
				    "process, exe, user) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				    err);
			if (!st)
				return CANH_ESTORE;
			sqlite3_bind_int64(st, 1, agent_id);
			sq_bind_text(st, 2, sq_jget_str(e, "proto"));
			sq_bind_text(st, 3, sq_jget_str(e, "addr") ? sq_jget_str(e, "addr") : "");
			sq_bind_jint(st, 4, e, "port");
			sq_bind_jint(st, 5, e, "pid");
			sq_bind_text(st, 6, sq_jget_str(e, "process"));
			sq_bind_text(st, 7, sq_jget_str(e, "exe"));
			sq_bind_jint(st, 8, e, "user");
			if ((rc = sq_step_done(s, st, err, "cannot store a listening socket")) != 0)
				return rc;
		}
		if ((rc = set_section_seq(
			 s, "UPDATE host_os SET listening_seq = ?2 WHERE agent_id = ?1", agent_id,
			 m->seq, 0, err)) != 0)
			return rc;
	}
	return 0;
}

/* 1 when seq is held (stored or rejected), 0 when not, negative on error. */
static int seq_held(struct canh_store *s, int64_t agent_id, uint64_t seq, int rejects_too,
		    struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, held = 0;

	st = rejects_too
		 ? sq_prep(s,
			   "SELECT EXISTS (SELECT 1 FROM agent_messages WHERE agent_id = ?1 "
			   "AND seq = ?2) OR EXISTS (SELECT 1 FROM agent_rejects "
			   "WHERE agent_id = ?1 AND seq = ?2)",
			   err)
		 : sq_prep(s,
			   "SELECT EXISTS (SELECT 1 FROM agent_messages WHERE agent_id = ?1 "
			   "AND seq = ?2)",
			   err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		held = sqlite3_column_int(st, 0) != 0;
	else
		held = sq_dberr(s, err, "cannot look up a message");
	sq_done(st);
	return held;
}

int canh_store_ingest_batch(struct canh_store *s, int64_t agent_id,
			    const struct canh_proto_batch *b, int64_t now,
			    struct canh_ingest_result *res, struct canh_errmsg *err)
{
	const json_t *jmsgs = json_object_get(b->root, "messages");
	sqlite3_stmt *st;
	uint64_t ack = 0;
	int revoked = 0, held;
	int rc = sq_begin(s, err);

	memset(res, 0, sizeof(*res));
	if (rc != 0)
		return rc;
	if ((rc = agent_ack_locked(s, agent_id, &ack, &revoked, err)) != 0)
		goto out;
	if (revoked) {
		rc = canh_errmsg_set(err, CANH_ECONFLICT, "agent %lld is revoked",
				     (long long)agent_id);
		goto out;
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct canh_proto_msg *m = &b->msgs[i];

		/* At or below the ack, everything is held: a re-send. */
		if (m->seq <= ack) {
			res->duplicates++;
			continue;
		}
		if (m->error[0]) {
			size_t size = json_dumpb(json_array_get(jmsgs, i), NULL, 0, JSON_COMPACT);
			held = seq_held(s, agent_id, m->seq, 0, err);
			if (held < 0) {
				rc = held;
				goto out;
			}
			if (held) {
				res->duplicates++;
				continue;
			}
			st = sq_prep(
			    s,
			    "INSERT OR IGNORE INTO agent_rejects (agent_id, seq, type, reason, "
			    "size, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			    err);
			if (!st) {
				rc = CANH_ESTORE;
				goto out;
			}
			sqlite3_bind_int64(st, 1, agent_id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
			sq_bind_text(st, 3, m->type_name);
			sq_bind_text(st, 4, m->error);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)size);
			sqlite3_bind_int64(st, 6, now);
			if ((rc = sq_step_done(s, st, err, "cannot record a rejected message")) !=
			    0)
				goto out;
			if (sqlite3_changes(s->db) == 1)
				res->rejected++;
			else
				res->duplicates++;
			continue;
		}
		st = sq_prep(s,
			     "INSERT OR IGNORE INTO agent_messages (agent_id, seq, type, time, "
			     "received_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     err);
		if (!st) {
			rc = CANH_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, agent_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
		sq_bind_text(st, 3, canh_msg_type_name(m->type));
		sqlite3_bind_int64(st, 4, m->time_ms);
		sqlite3_bind_int64(st, 5, now);
		sq_bind_json(st, 6, m->data, "{}");
		if ((rc = sq_step_done(s, st, err, "cannot store a message")) != 0)
			goto out;
		if (sqlite3_changes(s->db) != 1) {
			res->duplicates++;
			continue;
		}
		res->stored++;
		if (m->type == CANH_MSG_INVENTORY &&
		    (rc = apply_inventory(s, agent_id, m, now, err)) != 0)
			goto out;
		/* The "software" section, and the host's mark for re-matching (vuln.h). */
		if (m->type == CANH_MSG_INVENTORY &&
		    (rc = canh__store_vuln_inventory(s, agent_id, m, now, err)) != 0)
			goto out;
		if (m->type == CANH_MSG_FLOWS &&
		    (rc = canh__store_apply_flows(s, agent_id, m, now, err)) != 0)
			goto out;
		if (m->type == CANH_MSG_LOGS &&
		    (rc = canh__store_apply_logs(s, agent_id, m, now, err)) != 0)
			goto out;
		if ((m->type == CANH_MSG_HUNT_PROGRESS || m->type == CANH_MSG_DETECTION ||
		     m->type == CANH_MSG_QUARANTINE_EVENT) &&
		    (rc = canh__store_apply_hunt(s, agent_id, m, now, err)) != 0)
			goto out;
	}

	/* Advance the ack over the contiguous run now held. */
	for (;;) {
		held = seq_held(s, agent_id, ack + 1, 1, err);
		if (held < 0) {
			rc = held;
			goto out;
		}
		if (!held)
			break;
		ack++;
	}
	st = sq_prep(s,
		     "UPDATE agents SET ack_seq = ?2, messages = messages + ?3, "
		     "rejected = rejected + ?4 WHERE id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ack);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)res->stored);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)res->rejected);
	if ((rc = sq_step_done(s, st, err, "cannot update an agent")) != 0)
		goto out;
	res->ack = ack;
out:
	rc = sq_end(s, rc, err);
	if (rc != 0)
		memset(res, 0, sizeof(*res));
	return rc;
}

int canh_store_summary(struct canh_store *s, int64_t now, json_t **out, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM agents), "
		     "(SELECT COUNT(*) FROM agents WHERE status = 'active'), "
		     "(SELECT COUNT(*) FROM agents WHERE last_seen >= ?1), "
		     "(SELECT COUNT(*) FROM host_packages), "
		     "(SELECT COALESCE(SUM(messages), 0) FROM agents)",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, now - 24 * 3600 * 1000LL);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "units", sq_jint(st, 0));
		json_object_set_new(o, "hosts", sq_jint(st, 1));
		json_object_set_new(o, "hosts_active", sq_jint(st, 2));
		json_object_set_new(o, "hosts_seen_24h", sq_jint(st, 3));
		json_object_set_new(o, "packages", sq_jint(st, 4));
		json_object_set_new(o, "messages", sq_jint(st, 5));
	} else {
		rc = sq_dberr(s, err, "cannot summarise");
	}
	sq_done(st);
out:
	sq_unlock(s);
	*out = o;
	return rc;
}

int sq_delete_batch(struct canh_store *s, const char *sql, int64_t before_ms, int64_t max_rows,
		    int64_t *deleted, struct canh_errmsg *err, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	*deleted = 0;
	if ((rc = sq_begin(s, err)) != 0)
		return rc;
	if (!(st = sq_prep(s, sql, err))) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int64(st, 2, max_rows);
	if ((rc = sq_step_done(s, st, err, what)) != 0)
		goto out;
	*deleted = sqlite3_changes(s->db);
out:
	return sq_end(s, rc, err);
}

int canh_store_prune_messages(struct canh_store *s, int64_t before_ms, int64_t max_rows,
			      int64_t *deleted, struct canh_errmsg *err)
{
	return sq_delete_batch(
	    s,
	    "DELETE FROM agent_messages WHERE rowid IN ("
	    "SELECT m.rowid FROM agent_messages m JOIN agents a ON a.id = m.agent_id "
	    "WHERE m.received_at < ?1 AND m.seq <= a.ack_seq "
	    "ORDER BY m.received_at LIMIT ?2)",
	    before_ms, max_rows, deleted, err, "cannot delete old agent messages");
}
