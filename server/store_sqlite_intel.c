/*
 * The SQLite side of server/store_intel.h: feeds, versions, entries, rejects and victim matches.
 *
 * An import is one transaction held by its handle (canh_store_begin at _begin, COMMIT at
 * _commit): a million entries go in through one cached INSERT in seconds, and a file that turns
 * out to be unusable half way leaves nothing behind.
 *
 * Victim matching is computed here in C over rows read once: the active victim address entries,
 * the units' public ranges (a JSON array of CIDRs per unit) and the active agents' egress
 * addresses. Ranges are sorted by start with a running maximum of their ends, so the ranges
 * overlapping an entry are found by a binary search and a short walk back; egress addresses are
 * looked up in a canh_ipset of the entries. The result replaces intel_victim_matches whole.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/ipset.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "store_intel.h"
#include "store_sqlite.h"

static const char *const kind_names[] = {"victim", "c2"};
static const char *const type_names[] = {"ip", "domain", "url", "md5", "sha1", "sha256"};
#define NTYPES 6

const char *canh_intel_kind_name(enum canh_intel_kind k)
{
	return (unsigned)k < 2 ? kind_names[k] : "?";
}

int canh_intel_kind_parse(const char *s, enum canh_intel_kind *out)
{
	for (int i = 0; i < 2; i++) {
		if (s && strcmp(s, kind_names[i]) == 0) {
			*out = (enum canh_intel_kind)i;
			return 0;
		}
	}
	return CANH_EINVAL;
}

int canh_intel_name_valid(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= CANH_INTEL_NAME_MAX;
}

/* ---- import ---- */

struct canh_store_intel_import {
	struct canh_store *s;
	int64_t feed_id;
	int64_t version_id;
	int64_t version;
	int64_t first_entry, last_entry; /* row ids of the version's entries, 0 before the first */
	sqlite3_stmt *insert;		 /* the entry INSERT, prepared once */
	enum canh_intel_kind kind;
	int64_t by_type[NTYPES];
	int64_t rejected;
	int64_t now;
	char name[CANH_INTEL_NAME_MAX + 1];
	char actor[64];
};

static const char sql_feed_get[] = "SELECT id, kind FROM intel_feeds WHERE name = ?1";
static const char sql_feed_add[] =
    "INSERT INTO intel_feeds (name, kind, created_at) VALUES (?1, ?2, ?3)";
static const char sql_active_get[] =
    "SELECT version, sha256 FROM intel_feed_versions WHERE feed_id = ?1 AND active = 1";
static const char sql_version_add[] =
    "INSERT INTO intel_feed_versions (feed_id, version, filename, format, sha256, size, "
    "imported_at, imported_by) SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 "
    "FROM intel_feed_versions WHERE feed_id = ?1 RETURNING id, version";

int canh_store_intel_import_begin(struct canh_store *s, const struct canh_intel_import_in *in,
				  struct canh_store_intel_import **imp, int64_t *unchanged,
				  struct canh_errmsg *err)
{
	struct canh_store_intel_import *h = NULL;
	sqlite3_stmt *st;
	int64_t feed_id = 0;
	int r, rc;

	*imp = NULL;
	*unchanged = 0;
	if ((rc = canh_store_begin(s, err)) != 0)
		return rc;
	if (!(st = sq_prep(s, sql_feed_get, err))) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sq_bind_text(st, 1, in->name);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		feed_id = sqlite3_column_int64(st, 0);
		if (strcmp((const char *)sqlite3_column_text(st, 1),
			   canh_intel_kind_name(in->kind))) {
			rc = canh_errmsg_set(err, CANH_ECONFLICT, "feed '%s' is of kind %s",
					     in->name, (const char *)sqlite3_column_text(st, 1));
			sq_done(st);
			goto fail;
		}
	} else if (r != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a feed");
		sq_done(st);
		goto fail;
	}
	sq_done(st);

	if (feed_id) {
		if (!(st = sq_prep(s, sql_active_get, err))) {
			rc = CANH_ESTORE;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, feed_id);
		r = sqlite3_step(st);
		if (r == SQLITE_ROW &&
		    strcmp((const char *)sqlite3_column_text(st, 1), in->sha256) == 0) {
			*unchanged = sqlite3_column_int64(st, 0);
			sq_done(st);
			canh_store_rollback(s);
			return 0;
		}
		sq_done(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE) {
			rc = sq_dberr(s, err, "cannot read a feed's version");
			goto fail;
		}
	} else {
		if (!(st = sq_prep(s, sql_feed_add, err))) {
			rc = CANH_ESTORE;
			goto fail;
		}
		sq_bind_text(st, 1, in->name);
		sq_bind_text(st, 2, canh_intel_kind_name(in->kind));
		sqlite3_bind_int64(st, 3, in->now);
		if ((rc = sq_step_done(s, st, err, "cannot add a feed")) != 0)
			goto fail;
		feed_id = sqlite3_last_insert_rowid(s->db);
	}

	h = canh_xcalloc(1, sizeof(*h));
	h->s = s;
	h->feed_id = feed_id;
	h->kind = in->kind;
	h->now = in->now;
	canh_strlcpy(h->name, in->name, sizeof(h->name));
	canh_strlcpy(h->actor, in->actor ? in->actor : "system", sizeof(h->actor));
	if (!(st = sq_prep(s, sql_version_add, err))) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, feed_id);
	sq_bind_text(st, 2, in->filename ? in->filename : in->name);
	sq_bind_text(st, 3, in->format);
	sq_bind_text(st, 4, in->sha256);
	sqlite3_bind_int64(st, 5, in->size);
	sqlite3_bind_int64(st, 6, in->now);
	sq_bind_text(st, 7, h->actor);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_dberr(s, err, "cannot add a feed version");
		sq_done(st);
		goto fail;
	}
	h->version_id = sqlite3_column_int64(st, 0);
	h->version = sqlite3_column_int64(st, 1);
	sq_done(st);
	*imp = h;
	return 0;
fail:
	free(h);
	canh_store_rollback(s);
	return rc;
}

static const char sql_entry_add[] =
    "INSERT INTO intel_entries (version_id, type, af, lo, hi, value, seen, last, family, port, "
    "org, ref, line, cell) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

int canh_store_intel_import_entry(struct canh_store_intel_import *imp,
				  const struct canh_feed_entry *e, struct canh_errmsg *err)
{
	sqlite3_stmt *st = imp->insert;
	unsigned t = (unsigned)e->type;

	/* Prepared (and looked up in the cache) once per import, not per row. */
	if (!st && !(st = imp->insert = sq_prep(imp->s, sql_entry_add, err)))
		return CANH_ESTORE;
	sqlite3_clear_bindings(st);
	if (t >= NTYPES)
		return canh_errmsg_set(err, CANH_EINVAL, "entry of unknown type %u", t);
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_text(st, 2, type_names[t], -1, SQLITE_STATIC);
	if (e->type == CANH_IOC_IP) {
		sqlite3_bind_int(st, 3, e->lo.family);
		sqlite3_bind_blob(st, 4, e->lo.bytes, 16, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, e->hi.bytes, 16, SQLITE_STATIC);
	}
	sq_bind_text(st, 6, e->value ? e->value : "");
	if (e->seen_ms)
		sqlite3_bind_int64(st, 7, e->seen_ms);
	if (e->last_ms)
		sqlite3_bind_int64(st, 8, e->last_ms);
	sq_bind_text(st, 9, e->family);
	if (e->port > 0)
		sqlite3_bind_int(st, 10, e->port);
	sq_bind_text(st, 11, e->org);
	sq_bind_text(st, 12, e->ref);
	sqlite3_bind_int64(st, 13, e->line);
	if (e->cell[0])
		sqlite3_bind_text(st, 14, e->cell, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = sq_dberr(imp->s, err, "cannot store an entry");
		sq_done(st);
		return rc;
	}
	sq_done(st);
	imp->last_entry = sqlite3_last_insert_rowid(imp->s->db);
	if (!imp->first_entry)
		imp->first_entry = imp->last_entry;
	imp->by_type[t]++;
	return 0;
}

int canh_store_intel_import_reject(struct canh_store_intel_import *imp, uint32_t line,
				   const char *cell, const char *reason, struct canh_errmsg *err)
{
	sqlite3_stmt *st;

	if (imp->rejected++ >= CANH_INTEL_REJECTS_KEPT)
		return 0;
	st = sq_prep(imp->s,
		     "INSERT INTO intel_feed_rejects (version_id, line, cell, reason) "
		     "VALUES (?1, ?2, ?3, ?4)",
		     err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int64(st, 2, line);
	sq_bind_text(st, 3, cell && cell[0] ? cell : NULL);
	sq_bind_text(st, 4, reason ? reason : "");
	return sq_step_done(imp->s, st, err, "cannot store a rejected row");
}

static int rematch(struct canh_store *s, int64_t now, int64_t *matches, struct canh_errmsg *err);

int canh_store_intel_import_commit(struct canh_store_intel_import *imp,
				   const struct canh_feed_stats *fst,
				   struct canh_intel_import_out *out, struct canh_errmsg *err)
{
	struct canh_store *s = imp->s;
	sqlite3_stmt *st;
	char detail[256];
	int64_t total = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	st = sq_prep(s, "SELECT version FROM intel_feed_versions WHERE feed_id = ?1 AND active = 1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, imp->feed_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		out->previous = sqlite3_column_int64(st, 0);
	sq_done(st);
	st = sq_prep(
	    s, "UPDATE intel_feed_versions SET active = 0 WHERE feed_id = ?1 AND active = 1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, imp->feed_id);
	if ((rc = sq_step_done(s, st, err, "cannot retire a feed version")) != 0)
		goto fail;
	st =
	    sq_prep(s,
		    "UPDATE intel_feed_versions SET rows = ?2, skipped = ?3, n_ip = ?4, "
		    "n_domain = ?5, n_url = ?6, n_md5 = ?7, n_sha1 = ?8, n_sha256 = ?9, "
		    "rejected = ?10, first_entry = ?11, last_entry = ?12, active = 1 WHERE id = ?1",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int64(st, 2, fst ? (sqlite3_int64)fst->rows : 0);
	sqlite3_bind_int64(st, 3, fst ? (sqlite3_int64)fst->skipped : 0);
	for (int i = 0; i < NTYPES; i++) {
		sqlite3_bind_int64(st, 4 + i, imp->by_type[i]);
		out->by_type[i] = imp->by_type[i];
		total += imp->by_type[i];
	}
	sqlite3_bind_int64(st, 10, imp->rejected);
	if (imp->first_entry) {
		sqlite3_bind_int64(st, 11, imp->first_entry);
		sqlite3_bind_int64(st, 12, imp->last_entry);
	}
	if ((rc = sq_step_done(s, st, err, "cannot activate a feed version")) != 0)
		goto fail;
	if (imp->kind == CANH_INTEL_VICTIM && (rc = rematch(s, imp->now, NULL, err)) != 0)
		goto fail;
	snprintf(detail, sizeof(detail), "%s version %lld: %lld entries, %lld rejected",
		 canh_intel_kind_name(imp->kind), (long long)imp->version, (long long)total,
		 (long long)imp->rejected);
	if ((rc = sq_audit(s, imp->now, imp->actor, "intel.import", imp->name, detail, err)) != 0)
		goto fail;
	st = sq_prep(s, "SELECT COUNT(*) FROM intel_victim_matches", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		out->victim_matches = sqlite3_column_int64(st, 0);
	sq_done(st);
	out->version_id = imp->version_id;
	out->version = imp->version;
	out->rejected = imp->rejected;
	rc = canh_store_commit(s, err);
	free(imp);
	return rc;
fail:
	canh_store_intel_import_abort(imp);
	return rc;
}

void canh_store_intel_import_abort(struct canh_store_intel_import *imp)
{
	if (!imp)
		return;
	canh_store_rollback(imp->s);
	free(imp);
}

/* ---- reading feeds ---- */

/* Columns 0..17 of every version SELECT below. */
#define VERSION_COLUMNS                                                                            \
	"v.version, v.filename, v.format, v.sha256, v.size, v.imported_at, v.imported_by, "        \
	"v.rows, v.skipped, v.rejected, v.active, v.n_ip, v.n_domain, v.n_url, v.n_md5, "          \
	"v.n_sha1, v.n_sha256"

static const struct sq_col version_cols[] = {
    {"version", COL_INT}, {"filename", COL_STR},     {"format", COL_STR},      {"sha256", COL_STR},
    {"size", COL_INT},	  {"imported_at", COL_TIME}, {"imported_by", COL_STR}, {"rows", COL_INT},
    {"skipped", COL_INT}, {"rejected", COL_INT},     {"active", COL_BOOL},     {NULL, 0},
};
#define VERSION_NCOLS 11

static json_t *version_json(sqlite3_stmt *st, int first)
{
	json_t *o = json_object(), *n = json_object();
	int64_t total = 0;

	sq_row_into(o, st, first, version_cols);
	for (int i = 0; i < NTYPES; i++) {
		int64_t v = sqlite3_column_int64(st, first + VERSION_NCOLS + i);
		json_object_set_new(n, type_names[i], json_integer(v));
		total += v;
	}
	json_object_set_new(n, "total", json_integer(total));
	json_object_set_new(o, "entries", n);
	return o;
}

int canh_store_intel_feed_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT f.name, f.kind, (SELECT COUNT(*) FROM intel_feed_versions x "
		     "WHERE x.feed_id = f.id), " VERSION_COLUMNS
		     " FROM intel_feeds f JOIN intel_feed_versions v ON v.feed_id = f.id AND "
		     "v.active = 1 ORDER BY v.imported_at DESC, f.name",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = version_json(st, 3);
		json_object_set_new(o, "name", sq_jstr(st, 0));
		json_object_set_new(o, "kind", sq_jstr(st, 1));
		json_object_set_new(o, "versions", sq_jint(st, 2));
		json_object_del(o, "active");
		json_array_append_new(arr, o);
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot list feeds");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

int canh_store_intel_feed_get(struct canh_store *s, const char *name, json_t **out,
			      struct canh_errmsg *err)
{
	json_t *o = NULL, *versions, *rejects;
	sqlite3_stmt *st;
	int64_t feed_id, active_id = 0;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s, "SELECT id, name, kind, created_at FROM intel_feeds WHERE name = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, name);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = r == SQLITE_DONE
			 ? canh_errmsg_set(err, CANH_ENOENT, "feed '%s' not found", name)
			 : sq_dberr(s, err, "cannot read a feed");
		sq_done(st);
		goto out;
	}
	feed_id = sqlite3_column_int64(st, 0);
	o = json_object();
	json_object_set_new(o, "name", sq_jstr(st, 1));
	json_object_set_new(o, "kind", sq_jstr(st, 2));
	json_object_set_new(o, "created_at", sq_jtime(st, 3));
	sq_done(st);

	versions = json_array();
	json_object_set_new(o, "versions", versions);
	st = sq_prep(s,
		     "SELECT v.id, " VERSION_COLUMNS
		     " FROM intel_feed_versions v WHERE v.feed_id = ?1 ORDER BY v.version DESC",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, feed_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *v = version_json(st, 1);
		if (json_is_true(json_object_get(v, "active"))) {
			active_id = sqlite3_column_int64(st, 0);
			json_object_set(o, "active", v);
		}
		json_array_append_new(versions, v);
	}
	sq_done(st);
	if (r != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a feed's versions");
		goto out;
	}
	if (!json_object_get(o, "active"))
		json_object_set_new(o, "active", json_null());

	rejects = json_array();
	json_object_set_new(o, "rejects", rejects);
	st = sq_prep(s,
		     "SELECT line, cell, reason FROM intel_feed_rejects WHERE version_id = ?1 "
		     "ORDER BY rowid",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, active_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		static const struct sq_col reject_cols[] = {
		    {"line", COL_INT}, {"cell", COL_STR}, {"reason", COL_STR}, {NULL, 0}};
		json_array_append_new(rejects, sq_row_json(st, reject_cols));
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read a feed's rejected rows");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
	json_decref(o);
	return rc;
}

/* ---- active address entries ---- */

static int blob_addr(sqlite3_stmt *st, int col, int af, struct canh_ipaddr *a)
{
	const void *b = sqlite3_column_blob(st, col);

	memset(a, 0, sizeof(*a));
	if (!b || sqlite3_column_bytes(st, col) != 16 || (af != 4 && af != 6))
		return -1;
	a->family = (uint8_t)af;
	memcpy(a->bytes, b, 16);
	return 0;
}

int canh_store_intel_ip_entries(struct canh_store *s, enum canh_intel_kind kind,
				int (*fn)(void *ctx, const struct canh_intel_ip_entry *e),
				void *ctx, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	sq_lock(s);
	st = sq_prep(s,
		     "SELECT e.id, f.name, v.version, e.af, e.lo, e.hi, e.value, e.family, e.seen, "
		     "e.last, e.port FROM intel_feeds f "
		     "JOIN intel_feed_versions v ON v.feed_id = f.id AND v.active = 1 "
		     "JOIN intel_entries e ON e.id BETWEEN v.first_entry AND v.last_entry "
		     "WHERE f.kind = ?1 AND e.type = 'ip'",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, canh_intel_kind_name(kind));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct canh_intel_ip_entry e;
		int af = sqlite3_column_int(st, 3);

		memset(&e, 0, sizeof(e));
		if (blob_addr(st, 4, af, &e.lo) != 0 || blob_addr(st, 5, af, &e.hi) != 0)
			continue;
		e.id = sqlite3_column_int64(st, 0);
		e.feed = (const char *)sqlite3_column_text(st, 1);
		e.version = sqlite3_column_int64(st, 2);
		e.value = (const char *)sqlite3_column_text(st, 6);
		e.family = (const char *)sqlite3_column_text(st, 7);
		e.seen_ms = sqlite3_column_int64(st, 8);
		e.last_ms = sqlite3_column_int64(st, 9);
		e.port = sqlite3_column_int(st, 10);
		if ((rc = fn(ctx, &e)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = sq_dberr(s, err, "cannot read feed entries");
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

int canh_store_intel_hit(struct canh_store *s, int64_t id, struct canh_intel_hit *out,
			 struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	memset(out, 0, sizeof(*out));
	sq_lock(s);
	st = sq_prep(
	    s,
	    "SELECT f.name, v.version, e.value, e.family, e.af, e.port FROM intel_entries e "
	    "JOIN intel_feed_versions v ON v.id = e.version_id AND v.active = 1 "
	    "JOIN intel_feeds f ON f.id = v.feed_id WHERE e.id = ?1",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *fam = (const char *)sqlite3_column_text(st, 3);
		const char *val = (const char *)sqlite3_column_text(st, 2);
		const char *feed = (const char *)sqlite3_column_text(st, 0);

		out->entry_id = id;
		out->version = sqlite3_column_int64(st, 1);
		canh_strlcpy(out->feed, feed ? feed : "", sizeof(out->feed));
		canh_strlcpy(out->value, val ? val : "", sizeof(out->value));
		canh_strlcpy(out->family, fam ? fam : "", sizeof(out->family));
		out->af = sqlite3_column_int(st, 4);
		out->port = sqlite3_column_int(st, 5);
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "entry %lld is not active", (long long)id);
	} else {
		rc = sq_dberr(s, err, "cannot read an entry");
	}
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

/* ---- victim matching ---- */

struct span {
	struct canh_ipaddr lo, hi;
	int64_t id;   /* entry id, or unit id */
	int64_t aux;  /* running maximum's index (ranges) */
	uint32_t str; /* offset of the range's text (ranges) */
};

/* Order of (family, address). */
static int addr_cmp(const struct canh_ipaddr *a, const struct canh_ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, 16);
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	int c = addr_cmp(&a->lo, &b->lo);

	return c ? c : addr_cmp(&a->hi, &b->hi);
}

static void cidr_span(const struct canh_cidr *c, struct span *sp)
{
	int bits = c->addr.family == 4 ? 32 : 128;

	sp->lo = c->addr;
	sp->hi = c->addr;
	for (int b = c->prefix; b < bits; b++)
		sp->hi.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
}

struct spans {
	struct span *v;
	size_t n, cap;
};

static struct span *spans_push(struct spans *a)
{
	if (a->n == a->cap) {
		size_t cap;
		if (canh_size_mul(a->cap ? a->cap : 64, 2, &cap) != 0)
			CANH_BUG("span array overflow");
		a->v = canh_xrealloc(a->v, cap * sizeof(*a->v));
		a->cap = cap;
	}
	memset(&a->v[a->n], 0, sizeof(a->v[0]));
	return &a->v[a->n++];
}

static const char sql_match_add[] =
    "INSERT INTO intel_victim_matches "
    "(entry_id, unit_id, agent_id, how, via) VALUES (?1, ?2, ?3, ?4, ?5)";

static int match_add(struct canh_store *s, int64_t entry, int64_t unit, int64_t agent,
		     const char *how, const char *via, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, sql_match_add, err);

	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, entry);
	sqlite3_bind_int64(st, 2, unit);
	if (agent)
		sqlite3_bind_int64(st, 3, agent);
	sq_bind_text(st, 4, how);
	sq_bind_text(st, 5, via);
	return sq_step_done(s, st, err, "cannot store a victim match");
}

/*
 * What matching depends on besides the entries (the units' ranges, the active agents and their
 * egress addresses), hashed into one number kept in intel_state: when it differs, the matches
 * are stale. These tables are small (units and hosts, not events), so reading them costs little.
 */
static const char *const sql_inputs[] = {
    "SELECT id, public_ranges FROM units ORDER BY id",
    "SELECT id, unit_id FROM agents WHERE status = 'active' ORDER BY id",
    "SELECT a.agent_id, a.addr FROM agent_addresses a JOIN agents ag ON ag.id = a.agent_id "
    "WHERE ag.status = 'active' ORDER BY a.agent_id, a.addr",
};
#define NSIG 1
static const char *const sig_keys[NSIG] = {"inputs"};

static int signature(struct canh_store *s, int64_t sig[NSIG], struct canh_errmsg *err)
{
	struct canh_sha256 h;
	uint8_t md[CANH_SHA256_LEN];
	int rc = 0;

	if (canh_sha256_init(&h) != 0)
		return canh_errmsg_set(err, CANH_ECRYPTO, "cannot hash the units' state");
	for (size_t q = 0; q < sizeof(sql_inputs) / sizeof(sql_inputs[0]) && rc == 0; q++) {
		sqlite3_stmt *st = sq_prep(s, sql_inputs[q], err);
		int r;

		if (!st) {
			rc = CANH_ESTORE;
			break;
		}
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			for (int c = 0; c < 2; c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				int n = sqlite3_column_bytes(st, c);
				canh_sha256_update(&h, t ? t : (const unsigned char *)"",
						   (size_t)n);
				canh_sha256_update(&h, "\x1f", 1);
			}
		}
		canh_sha256_update(&h, "\x1e", 1);
		if (r != SQLITE_DONE)
			rc = sq_dberr(s, err, "cannot read the units' state");
		sq_done(st);
	}
	if (rc != 0) {
		canh_sha256_release(&h);
		return rc;
	}
	if (canh_sha256_final(&h, md) != 0)
		return canh_errmsg_set(err, CANH_ECRYPTO, "cannot hash the units' state");
	memcpy(&sig[0], md, sizeof(sig[0]));
	return 0;
}

static int match_ranges(struct canh_store *s, struct spans *entries, struct spans *ranges,
			const struct canh_buf *texts, int64_t *count, struct canh_errmsg *err)
{
	int rc;

	if (ranges->n == 0)
		return 0;
	qsort(ranges->v, ranges->n, sizeof(ranges->v[0]), span_cmp);
	/* aux: index of the range with the greatest end among 0..i of the same family. */
	for (size_t i = 0; i < ranges->n; i++) {
		size_t best = i;
		if (i > 0 && ranges->v[i - 1].lo.family == ranges->v[i].lo.family &&
		    addr_cmp(&ranges->v[ranges->v[i - 1].aux].hi, &ranges->v[i].hi) > 0)
			best = (size_t)ranges->v[i - 1].aux;
		ranges->v[i].aux = (int64_t)best;
	}
	for (size_t k = 0; k < entries->n; k++) {
		const struct span *e = &entries->v[k];
		size_t lo = 0, hi = ranges->n;

		/* The first range starting after e's end. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (addr_cmp(&ranges->v[mid].lo, &e->hi) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j-- > 0;) {
			const struct span *r = &ranges->v[j];
			if (r->lo.family != e->lo.family ||
			    addr_cmp(&ranges->v[r->aux].hi, &e->lo) < 0)
				break;
			if (addr_cmp(&r->hi, &e->lo) < 0)
				continue;
			/* One row per (entry, unit, range). */
			if ((rc = match_add(s, e->id, r->id, 0, "unit_range", texts->data + r->str,
					    err)) != 0)
				return rc;
			(*count)++;
		}
	}
	return 0;
}

static int match_egress(struct canh_store *s, struct spans *entries, int64_t *count,
			struct canh_errmsg *err)
{
	struct canh_ipset_builder *b;
	struct canh_ipset *set = NULL;
	sqlite3_stmt *st;
	int r, rc = 0;

	if (entries->n == 0)
		return 0;
	if (entries->n > CANH_IPSET_REF_MAX)
		return canh_errmsg_set(err, CANH_ETOOBIG, "too many victim entries");
	b = canh_ipset_builder_new();
	for (size_t i = 0; i < entries->n; i++) {
		if ((rc = canh_ipset_add_range(b, &entries->v[i].lo, &entries->v[i].hi,
					       (uint32_t)i)) != 0) {
			canh_ipset_builder_free(b);
			return canh_errmsg_set(err, rc, "cannot index the victim entries");
		}
	}
	if ((rc = canh_ipset_build(b, &set, err)) != 0)
		return rc;
	st = sq_prep(s,
		     "SELECT a.agent_id, ag.unit_id, a.addr FROM agent_addresses a "
		     "JOIN agents ag ON ag.id = a.agent_id WHERE ag.status = 'active' "
		     "ORDER BY a.agent_id, a.addr",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(st, 2);
		struct canh_ipaddr a;
		uint32_t refs[64];
		size_t n;

		if (!addr || canh_ip_parse(addr, &a) != 0)
			continue;
		n = canh_ipset_lookup_all(set, &a, refs, 64);
		if (n > 64)
			n = 64;
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = match_add(s, entries->v[refs[i]].id, sqlite3_column_int64(st, 1),
				       sqlite3_column_int64(st, 0), "agent_egress", addr, err);
			(*count)++;
		}
		if (rc != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = sq_dberr(s, err, "cannot read egress addresses");
	sq_done(st);
out:
	canh_ipset_free(set);
	return rc;
}

/* Load the active victim address entries and the units' ranges into arrays. */
static int load_spans(struct canh_store *s, struct spans *entries, struct spans *ranges,
		      struct canh_buf *texts, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r;

	st = sq_prep(s,
		     "SELECT e.id, e.af, e.lo, e.hi FROM intel_feeds f "
		     "JOIN intel_feed_versions v ON v.feed_id = f.id AND v.active = 1 "
		     "JOIN intel_entries e ON e.id BETWEEN v.first_entry AND v.last_entry "
		     "WHERE f.kind = 'victim' AND e.type = 'ip'",
		     err);
	if (!st)
		return CANH_ESTORE;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct span sp;
		int af = sqlite3_column_int(st, 1);

		memset(&sp, 0, sizeof(sp));
		if (blob_addr(st, 2, af, &sp.lo) != 0 || blob_addr(st, 3, af, &sp.hi) != 0 ||
		    addr_cmp(&sp.lo, &sp.hi) > 0)
			continue;
		sp.id = sqlite3_column_int64(st, 0);
		*spans_push(entries) = sp;
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot read victim entries");

	st = sq_prep(s, "SELECT id, public_ranges FROM units", err);
	if (!st)
		return CANH_ESTORE;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
		size_t i;
		json_t *v;

		json_array_foreach(arr, i, v)
		{
			struct canh_cidr c;
			struct span *sp;

			if (!json_is_string(v) || canh_cidr_parse(json_string_value(v), false, &c))
				continue;
			sp = spans_push(ranges);
			cidr_span(&c, sp);
			sp->id = sqlite3_column_int64(st, 0);
			sp->str = (uint32_t)texts->len;
			if (canh_buf_puts(texts, json_string_value(v)) != 0 ||
			    canh_buf_putc(texts, '\0') != 0) {
				json_decref(arr);
				sq_done(st);
				return canh_errmsg_set(err, CANH_ETOOBIG, "too many unit ranges");
			}
		}
		json_decref(arr);
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot read units");
	return 0;
}

/* Inside the caller's transaction or savepoint. */
static int rematch(struct canh_store *s, int64_t now, int64_t *matches, struct canh_errmsg *err)
{
	struct spans entries = {0}, ranges = {0};
	struct canh_buf texts = CANH_BUF_INIT((size_t)1 << 30);
	int64_t sig[NSIG], count = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_exec(s, "DELETE FROM intel_victim_matches", err)) != 0)
		goto out;
	if ((rc = load_spans(s, &entries, &ranges, &texts, err)) != 0)
		goto out;
	if ((rc = match_ranges(s, &entries, &ranges, &texts, &count, err)) != 0)
		goto out;
	if ((rc = match_egress(s, &entries, &count, err)) != 0)
		goto out;
	if ((rc = signature(s, sig, err)) != 0)
		goto out;
	for (int i = 0; i < NSIG && rc == 0; i++) {
		st = sq_prep(s,
			     "INSERT INTO intel_state (key, value) VALUES (?1, ?2) "
			     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			     err);
		if (!st) {
			rc = CANH_ESTORE;
			break;
		}
		sq_bind_text(st, 1, sig_keys[i]);
		sqlite3_bind_int64(st, 2, sig[i]);
		rc = sq_step_done(s, st, err, "cannot record the matching state");
	}
	(void)now;
	if (matches)
		*matches = count;
out:
	free(entries.v);
	free(ranges.v);
	canh_buf_release(&texts);
	return rc;
}

int canh_store_intel_victims_rematch(struct canh_store *s, int64_t now, int64_t *matches,
				     struct canh_errmsg *err)
{
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	rc = rematch(s, now, matches, err);
	return sq_end(s, rc, err);
}

int canh_store_intel_victims_stale(struct canh_store *s, int *stale, struct canh_errmsg *err)
{
	int64_t sig[NSIG];
	sqlite3_stmt *st;
	int seen = 0, r, rc;

	*stale = 0;
	sq_lock(s);
	if ((rc = signature(s, sig, err)) != 0)
		goto out;
	st = sq_prep(s, "SELECT key, value FROM intel_state", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; i < NSIG; i++) {
			if (k && strcmp(k, sig_keys[i]) == 0) {
				seen++;
				if (sqlite3_column_int64(st, 1) != sig[i])
					*stale = 1;
			}
		}
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the matching state");
	if (seen != NSIG)
		*stale = 1;
out:
	sq_unlock(s);
	return rc;
}

/* ---- the victims of a unit's subtree ---- */

static const char sql_victims[] =
    "WITH RECURSIVE tree (id, path, depth) AS ("
    " SELECT id, code, 0 FROM units WHERE (?1 IS NULL AND parent_id IS NULL) OR code = ?1"
    " UNION ALL"
    " SELECT u.id, t.path || char(1) || u.code, t.depth + 1"
    " FROM units u JOIN tree t ON u.parent_id = t.id WHERE t.depth < 256)"
    " SELECT u.id, u.code, u.name, p.code,"
    " e.id, e.value, e.af, e.family, e.seen, e.last, e.port, e.org, f.name, v.version, e.line,"
    " e.cell, m.how, m.via, m.agent_id, ag.hostname"
    " FROM tree t JOIN units u ON u.id = t.id LEFT JOIN units p ON p.id = u.parent_id"
    " JOIN intel_victim_matches m ON m.unit_id = u.id"
    " JOIN intel_entries e ON e.id = m.entry_id"
    " JOIN intel_feed_versions v ON v.id = e.version_id"
    " JOIN intel_feeds f ON f.id = v.feed_id"
    " LEFT JOIN agents ag ON ag.id = m.agent_id"
    " ORDER BY t.path, e.af, e.lo, e.id, m.how DESC, m.agent_id";

static const struct sq_col victim_unit_cols[] = {
    {"code", COL_STR}, {"name", COL_STR}, {"parent", COL_STR}, {NULL, 0}};
static const struct sq_col victim_entry_cols[] = {
    {"entry", COL_INT}, {"address", COL_STR}, {"af", COL_INT},	 {"family", COL_STR},
    {"seen", COL_TIME}, {"last", COL_TIME},   {"port", COL_INT}, {"org", COL_STR},
    {"feed", COL_STR},	{"version", COL_INT}, {"line", COL_INT}, {"cell", COL_STR},
    {NULL, 0}};

int canh_store_intel_victims(struct canh_store *s, const char *code, json_t **out,
			     struct canh_errmsg *err)
{
	json_t *arr = json_array(), *unit = NULL, *addrs = NULL, *entry = NULL;
	int64_t cur_unit = 0, cur_entry = 0;
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	if (code) {
		int64_t id = sq_unit_id(s, code, err);
		if (id < 0) {
			rc = (int)id;
			goto out;
		}
		if (id == 0) {
			rc = canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found", code);
			goto out;
		}
	}
	st = sq_prep(s, sql_victims, err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, code);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t uid = sqlite3_column_int64(st, 0), eid = sqlite3_column_int64(st, 4);
		json_t *m;

		if (!unit || uid != cur_unit) {
			unit = json_object();
			sq_row_into(unit, st, 1, victim_unit_cols);
			addrs = json_array();
			json_object_set_new(unit, "addresses", addrs);
			json_array_append_new(arr, unit);
			cur_unit = uid;
			entry = NULL;
		}
		if (!entry || eid != cur_entry) {
			entry = json_object();
			sq_row_into(entry, st, 4, victim_entry_cols);
			json_object_set_new(entry, "matched", json_array());
			json_array_append_new(addrs, entry);
			cur_entry = eid;
		}
		m = json_object();
		json_object_set_new(m, "how", sq_jstr(st, 16));
		json_object_set_new(m, "via", sq_jstr(st, 17));
		if (sqlite3_column_type(st, 18) == SQLITE_NULL) {
			json_object_set_new(m, "host", json_null());
		} else {
			json_t *h = json_object();
			json_object_set_new(h, "id", sq_jint(st, 18));
			json_object_set_new(h, "hostname", sq_jstr(st, 19));
			json_object_set_new(m, "host", h);
		}
		json_array_append_new(json_object_get(entry, "matched"), m);
	}
	sq_done(st);
	if (r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read victim matches");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}
