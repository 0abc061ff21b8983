/*
 * Internals shared by the SQLite store's files (not part of the store interface).
 *
 * store_sqlite.c holds the connection, the statement cache, the core tables
 * and these helpers; each area (intel, vuln, ...) keeps its SQL in its own
 * store_sqlite_<area>.c, over the same connection and the same rules:
 *
 * - a call that writes wraps itself in sq_begin()/sq_end() (a savepoint
 *   under the store's recursive mutex), so a failure leaves no partial
 *   change and canh_store_begin() can group calls;
 * - a call that reads takes sq_lock()/sq_unlock() around its statements;
 * - every statement is a constant string (a static const char * or a
 *   literal) given to sq_prep(), which caches it by its address: never build
 *   SQL at run time, bind parameters instead;
 * - rows become API JSON through a table of struct sq_col and sq_row_json().
 */
#ifndef CANH_SERVER_STORE_SQLITE_H
#define CANH_SERVER_STORE_SQLITE_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

#define STMT_CACHE_MAX 512
#define UNIT_MAX_DEPTH 256

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct canh_store {
	sqlite3 *db;
	pthread_mutex_t mu;
	int schema;
	struct stmt_slot cache[STMT_CACHE_MAX];
	size_t ncache;
};

/* ---- schema ---- */

/* The core's numbered migrations (PRAGMA user_version); *n receives their count. */
const char *const *canh__store_migrations(size_t *n);

/*
 * An area's own numbered migrations, applied after the core's, each in its
 * own transaction with the area's version in the table schema_components
 * (name, version). Areas are independent: adding one never renumbers
 * another. Never edit a step that has shipped: add one at the end.
 */
struct sq_component {
	const char *name;
	const char *const *steps;
	size_t n;
};
/* Every area's migrations, in the order they are applied; *n receives the count. */
const struct sq_component *const *canh__store_components(size_t *n);
/* The areas (store_sqlite_<area>_schema.c). */
extern const struct sq_component canh__schema_intel; /* threat intel: feeds, entries, victims */
extern const struct sq_component canh__schema_flows; /* connections and C2 alerts */
extern const struct sq_component canh__schema_vuln;  /* advisories, findings, letters */
extern const struct sq_component canh__schema_hunt;  /* rule sets, hunts, detections, quarantine */
extern const struct sq_component canh__schema_logs;  /* log counters, Sigma alerts and rule sets */

/* ---- helpers (store_sqlite.c) ---- */

/* Fill err with CANH_ESTORE, what and SQLite's message; returns CANH_ESTORE. */
int sq_dberr(struct canh_store *s, struct canh_errmsg *err, const char *what);
/* A cached prepared statement, reset and with its bindings cleared; NULL (err set) on failure. */
sqlite3_stmt *sq_prep(struct canh_store *s, const char *sql, struct canh_errmsg *err);
/* Release a statement's read/write locks; call when done stepping it. */
void sq_done(sqlite3_stmt *st);
/* Run SQL without results (no parameters). */
int sq_exec(struct canh_store *s, const char *sql, struct canh_errmsg *err);
void sq_lock(struct canh_store *s);
void sq_unlock(struct canh_store *s);
/* Lock and open a savepoint; sq_end releases it (rc == 0) or rolls it back, unlocks, returns rc. */
int sq_begin(struct canh_store *s, struct canh_errmsg *err);
int sq_end(struct canh_store *s, int rc, struct canh_errmsg *err);
/* Bind text (SQLITE_STATIC: v must outlive the step) or NULL. */
int sq_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Bind a JSON value as compact text; fallback (e.g. "[]") when v is NULL. */
void sq_bind_json(sqlite3_stmt *st, int i, const json_t *v, const char *fallback);
/* Bind o[key] as an integer, NULL when absent or not an integer. */
void sq_bind_jint(sqlite3_stmt *st, int i, const json_t *o, const char *key);
/* o[key] when it is a string, else NULL. */
const char *sq_jget_str(const json_t *o, const char *key);
/* Step a statement that returns no rows we read, then sq_done it; 0 or CANH_ESTORE. */
int sq_step_done(struct canh_store *s, sqlite3_stmt *st, struct canh_errmsg *err, const char *what);

/* Column i as JSON: text (null when NULL), integer, RFC 3339 time from ms, parsed JSON. */
json_t *sq_jstr(sqlite3_stmt *st, int i);
json_t *sq_jint(sqlite3_stmt *st, int i);
json_t *sq_jtime(sqlite3_stmt *st, int i);
json_t *sq_jjson(sqlite3_stmt *st, int i, json_t *fallback);

/*
 * Rows to JSON by a table of columns: the i-th entry names the i-th column
 * (from `first`) and says how it reads. Every API shape the store returns is
 * one such table, next to the SELECT that fills it.
 */
enum col_kind { COL_STR, COL_INT, COL_TIME, COL_BOOL, COL_ARRAY, COL_OBJECT };

struct sq_col {
	const char *key; /* NULL ends a table */
	enum col_kind kind;
};
void sq_row_into(json_t *o, sqlite3_stmt *st, int first, const struct sq_col *cols);
json_t *sq_row_json(sqlite3_stmt *st, const struct sq_col *cols);
/* Step st to its end appending each row to arr, then sq_done it; 0, or sq_dberr(what). */
int sq_rows_json(struct canh_store *s, sqlite3_stmt *st, const struct sq_col *cols, json_t *arr,
		 struct canh_errmsg *err, const char *what);

/*
 * One retention step: run sql, a DELETE binding ?1 = before_ms and ?2 = max_rows,
 * in its own savepoint; *deleted receives the rows it removed.
 */
int sq_delete_batch(struct canh_store *s, const char *sql, int64_t before_ms, int64_t max_rows,
		    int64_t *deleted, struct canh_errmsg *err, const char *what);

/* Write an audit record (inside the caller's savepoint). */
int sq_audit(struct canh_store *s, int64_t now, const char *actor, const char *action,
	     const char *object, const char *detail, struct canh_errmsg *err);
/* A unit's id by code: 0 when there is none, negative (CANH_ESTORE, err set) on error. */
int64_t sq_unit_id(struct canh_store *s, const char *code, struct canh_errmsg *err);

#endif
