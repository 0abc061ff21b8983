/*
 * The SQL of the "vuln" area (server/store_vuln.h) over store_sqlite.h's helpers.
 *
 * An import is one transaction that holds the store for its duration (a few
 * seconds for the whole Debian tracker): readers and the ingest wait, which
 * costs agents a slower answer, never a lost message. Matching reads its
 * candidates with one join per host and writes the host's findings in one
 * savepoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/mem.h"
#include "canh/proto.h"
#include "store.h"
#include "store_sqlite.h"
#include "store_vuln.h"

#define FINDINGS_DEFAULT_LIMIT 1000
/*
 * A letter's deadline is a date (its ms is that day's 00:00 UTC) and counts
 * whole, in Vietnam's time (UTC+7): the day ends at 17:00 UTC.
 */
#define DEADLINE_END(ms) ((ms) + 17 * 3600 * 1000LL)
#define FINDINGS_MAX_LIMIT 100000

struct canh_vuln_writer {
	struct canh_store *s;
	int64_t import_id;
	int64_t advisory_id; /* rowid of the last advisory added, 0 before the first */
	int64_t now;
	char *source;
	char *format;
	char *filename;
	char *actor;
	struct canh_vuln_counts counts;
};

/* The import's page cache (KiB), and the connection's default afterwards. */
#define IMPORT_CACHE_KIB "262144"
#define DEFAULT_CACHE "PRAGMA cache_size = -2000"

/* End the import's transaction (commit or roll back), then give the cache back, under the lock. */
static int writer_end(struct canh_store *s, int commit, struct canh_errmsg *err)
{
	int rc = 0;

	sq_lock(s); /* canh_store_commit/rollback release the one canh_store_begin took */
	if (commit)
		rc = canh_store_commit(s, err);
	else
		canh_store_rollback(s);
	sqlite3_exec(s->db, DEFAULT_CACHE, NULL, NULL, NULL);
	sq_unlock(s);
	return rc;
}

static void writer_free(struct canh_vuln_writer *w)
{
	if (!w)
		return;
	free(w->source);
	free(w->format);
	free(w->filename);
	free(w->actor);
	free(w);
}

int canh_store_vuln_import_begin(struct canh_store *s, const struct canh_vuln_import_info *info,
				 struct canh_vuln_writer **out, struct canh_errmsg *err)
{
	struct canh_vuln_writer *w;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = canh_store_begin(s, err)) != 0)
		return rc;
	/* Room for the whole import's pages: with SQLite's default 2 MB cache, a tracker's
	   hundreds of thousands of index inserts spill to the WAL over and over (10x slower). */
	if ((rc = sq_exec(s, "PRAGMA cache_size = -" IMPORT_CACHE_KIB, err)) != 0) {
		canh_store_rollback(s);
		return rc;
	}
	w = canh_xcalloc(1, sizeof(*w));
	w->s = s;
	w->now = info->now;
	w->source = canh_xstrdup(info->source);
	w->format = canh_xstrdup(info->format);
	w->filename = canh_xstrdup(info->filename ? info->filename : "");
	w->actor = canh_xstrdup(info->actor ? info->actor : "system");

	st = sq_prep(
	    s,
	    "INSERT INTO vuln_imports (source, format, filename, sha256, size, imported_at, "
	    "actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sq_bind_text(st, 1, w->source);
	sq_bind_text(st, 2, w->format);
	sq_bind_text(st, 3, w->filename);
	sq_bind_text(st, 4, info->sha256 ? info->sha256 : "");
	sqlite3_bind_int64(st, 5, info->size);
	sqlite3_bind_int64(st, 6, info->now);
	sq_bind_text(st, 7, w->actor);
	if ((rc = sq_step_done(s, st, err, "cannot record an import")) != 0)
		goto fail;
	w->import_id = sqlite3_last_insert_rowid(s->db);

	/* A re-import of a source replaces it whole (affected rows go by cascade). */
	st = sq_prep(s, "DELETE FROM vuln_advisories WHERE source = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sq_bind_text(st, 1, w->source);
	if ((rc = sq_step_done(s, st, err, "cannot replace a source's advisories")) != 0)
		goto fail;
	w->counts.replaced = sqlite3_changes(s->db);
	if (strcmp(w->format, "kev") == 0) {
		if ((rc = sq_exec(s, "DELETE FROM vuln_kev", err)) != 0)
			goto fail;
		w->counts.replaced += sqlite3_changes(s->db);
	}
	*out = w;
	return 0;
fail:
	writer_end(s, 0, NULL);
	writer_free(w);
	return rc;
}

/* ---- the model's names in the store ---- */

static const char *const status_names[] = {"affected", "fixed", "not-affected", "undetermined"};
static const char *const event_names[] = {"introduced", "fixed", "last_affected", "limit"};
static const char *const range_names[] = {"ECOSYSTEM", "SEMVER", "GIT"};

static int name_index(const char *const *names, size_t n, const char *s, int def)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return def;
}
#define NAME_INDEX(names, s, def)                                                                  \
	name_index((names), sizeof(names) / sizeof((names)[0]), (s), (def))

static enum canh_ecosystem ecosystem_from_name(const char *s)
{
	for (int e = CANH_ECO_UNKNOWN; e <= CANH_ECO_SOFTWARE; e++)
		if (s && strcmp(canh_ecosystem_name((enum canh_ecosystem)e), s) == 0)
			return (enum canh_ecosystem)e;
	return CANH_ECO_UNKNOWN;
}

static enum canh_verorder order_from_name(const char *s)
{
	for (int o = CANH_VERORDER_GENERIC; o <= CANH_VERORDER_SEMVER; o++)
		if (s && strcmp(canh_verorder_name((enum canh_verorder)o), s) == 0)
			return (enum canh_verorder)o;
	return CANH_VERORDER_GENERIC;
}

static json_t *strv_json(const char *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		if (v[i])
			json_array_append_new(arr, json_string(v[i]));
	return arr;
}

/* OSV's shape: [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]. */
static json_t *ranges_json(const struct canh_affected *af)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < af->n_ranges; i++) {
		const struct canh_range *r = &af->ranges[i];
		json_t *o = json_object(), *ev = json_array();

		json_object_set_new(
		    o, "type",
		    json_string(
			range_names[r->type <= CANH_RANGE_GIT ? r->type : CANH_RANGE_ECOSYSTEM]));
		for (size_t k = 0; k < r->n_events; k++) {
			json_t *e = json_object();
			unsigned kind = r->events[k].kind <= CANH_EV_LIMIT ? r->events[k].kind : 0;
			json_object_set_new(
			    e, event_names[kind],
			    json_string(r->events[k].version ? r->events[k].version : ""));
			json_array_append_new(ev, e);
		}
		json_object_set_new(o, "events", ev);
		json_array_append_new(arr, o);
	}
	return arr;
}

static int add_advisory_row(struct canh_vuln_writer *w, const struct canh_advisory *a,
			    const char *id, struct canh_errmsg *err)
{
	struct canh_store *s = w->s;
	sqlite3_stmt *st;
	json_t *aliases, *refs;
	int rc;

	/* The same id twice in one source (a CVE of several source packages in the tracker,
	   an OSV zip holding a record twice) is one advisory with all their entries. */
	st = sq_prep(
	    s,
	    "INSERT INTO vuln_advisories (source, advisory, format, cve, aliases, severity, "
	    "cvss, cvss_vector, published, summary, refs, import_id) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (source, advisory) DO UPDATE "
	    "SET severity = CASE WHEN excluded.severity IN ('critical') OR "
	    "(excluded.severity = 'high' AND severity NOT IN ('critical')) OR "
	    "(excluded.severity = 'medium' AND severity IN ('low', 'unknown')) OR "
	    "(excluded.severity = 'low' AND severity = 'unknown') THEN excluded.severity "
	    "ELSE severity END RETURNING id",
	    err);
	if (!st)
		return CANH_ESTORE;
	aliases = a->source == CANH_ADV_FORMAT_LETTER ? strv_json(a->cves, a->n_cves)
						      : strv_json(a->aliases, a->n_aliases);
	refs = strv_json(a->references, a->n_references);
	sq_bind_text(st, 1, w->source);
	sq_bind_text(st, 2, id);
	sq_bind_text(st, 3, canh_advisory_format_name(a->source));
	sq_bind_text(st, 4, canh_advisory_cve(a));
	sq_bind_json(st, 5, aliases, "[]");
	sq_bind_text(st, 6, canh_severity_name(a->severity));
	if (a->cvss_score >= 0)
		sqlite3_bind_double(st, 7, a->cvss_score);
	sq_bind_text(st, 8, a->cvss_vector);
	if (a->published_ms > 0)
		sqlite3_bind_int64(st, 9, a->published_ms);
	sq_bind_text(st, 10, a->summary);
	sq_bind_json(st, 11, refs, "[]");
	sqlite3_bind_int64(st, 12, w->import_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		w->advisory_id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = sq_dberr(s, err, "cannot store an advisory");
	}
	sq_done(st);
	json_decref(aliases);
	json_decref(refs);
	return rc;
}

static int add_affected_row(struct canh_vuln_writer *w, const struct canh_affected *af,
			    struct canh_errmsg *err)
{
	struct canh_store *s = w->s;
	sqlite3_stmt *st;
	json_t *ranges, *versions;
	unsigned status = af->status <= CANH_AFF_UNDETERMINED ? af->status : 0;
	int rc;

	st = sq_prep(
	    s,
	    "INSERT INTO vuln_affected (advisory_id, ecosystem, ecosystem_raw, release, "
	    "package, kind, vendor, ord, status, fixed, severity, urgency, ranges, "
	    "versions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	    err);
	if (!st)
		return CANH_ESTORE;
	ranges = ranges_json(af);
	versions = strv_json(af->versions, af->n_versions);
	sqlite3_bind_int64(st, 1, w->advisory_id);
	sq_bind_text(st, 2, canh_ecosystem_name(af->ecosystem));
	sq_bind_text(st, 3, af->ecosystem_raw);
	sq_bind_text(st, 4, af->release);
	sq_bind_text(st, 5, af->package);
	sq_bind_text(st, 6,
		     af->ecosystem == CANH_ECO_SOFTWARE ? "software"
		     : af->source_package		? "source"
							: "binary");
	sq_bind_text(st, 7, af->vendor);
	sq_bind_text(st, 8, canh_verorder_name(af->order));
	sq_bind_text(st, 9, status_names[status]);
	sq_bind_text(st, 10, af->fixed_version);
	sq_bind_text(st, 11, canh_severity_name(af->severity));
	sq_bind_text(st, 12, af->urgency);
	sq_bind_json(st, 13, ranges, "[]");
	sq_bind_json(st, 14, versions, "[]");
	rc = sq_step_done(s, st, err, "cannot store an affected package");
	json_decref(ranges);
	json_decref(versions);
	if (rc == 0)
		w->counts.affected++;
	return rc;
}

static int add_kev_row(struct canh_vuln_writer *w, const struct canh_advisory *a,
		       struct canh_errmsg *err)
{
	struct canh_store *s = w->s;
	const char *cve = canh_advisory_cve(a) ? canh_advisory_cve(a) : a->id;
	sqlite3_stmt *st;
	int rc;

	if (!cve || !*cve) {
		w->counts.skipped++;
		return 0;
	}
	st = sq_prep(s,
		     "INSERT INTO vuln_kev (cve, vendor, product, name, required_action, notes, "
		     "date_added, due_date, date_added_ms, due_date_ms, ransomware, import_id) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
		     "ON CONFLICT (cve) DO UPDATE SET vendor = excluded.vendor, "
		     "product = excluded.product, name = excluded.name, "
		     "required_action = excluded.required_action, notes = excluded.notes, "
		     "date_added = excluded.date_added, due_date = excluded.due_date, "
		     "date_added_ms = excluded.date_added_ms, due_date_ms = excluded.due_date_ms, "
		     "ransomware = excluded.ransomware, import_id = excluded.import_id",
		     err);
	if (!st)
		return CANH_ESTORE;
	sq_bind_text(st, 1, cve);
	sq_bind_text(st, 2, a->kev.vendor);
	sq_bind_text(st, 3, a->kev.product);
	sq_bind_text(st, 4, a->kev.name);
	sq_bind_text(st, 5, a->kev.required_action);
	sq_bind_text(st, 6, a->kev.notes);
	sq_bind_text(st, 7, a->kev.date_added);
	sq_bind_text(st, 8, a->kev.due_date);
	if (a->kev.date_added_ms)
		sqlite3_bind_int64(st, 9, a->kev.date_added_ms);
	if (a->kev.due_date_ms)
		sqlite3_bind_int64(st, 10, a->kev.due_date_ms);
	sqlite3_bind_int(st, 11, a->kev.ransomware ? 1 : 0);
	sqlite3_bind_int64(st, 12, w->import_id);
	if ((rc = sq_step_done(s, st, err, "cannot store a KEV entry")) != 0)
		return rc;
	w->counts.kev++;
	return 0;
}

static int add_letter_row(struct canh_vuln_writer *w, const struct canh_advisory *a,
			  const char *number, struct canh_errmsg *err)
{
	struct canh_store *s = w->s;
	json_t *cves = strv_json(a->cves, a->n_cves), *products = json_array();
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		json_t *p = json_object();
		json_object_set_new(p, "product", json_string(af->package ? af->package : ""));
		if (af->vendor)
			json_object_set_new(p, "vendor", json_string(af->vendor));
		if (af->fixed_version)
			json_object_set_new(p, "fixed", json_string(af->fixed_version));
		json_object_set_new(p, "ranges", ranges_json(af));
		json_array_append_new(products, p);
	}
	st =
	    sq_prep(s,
		    "INSERT INTO vuln_letters (number, date, date_ms, issuer, title, deadline, "
		    "deadline_ms, severity, cves, products, import_id) VALUES (?1, ?2, ?3, ?4, ?5, "
		    "?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (number) DO UPDATE SET "
		    "date = excluded.date, date_ms = excluded.date_ms, issuer = excluded.issuer, "
		    "title = excluded.title, deadline = excluded.deadline, "
		    "deadline_ms = excluded.deadline_ms, severity = excluded.severity, "
		    "cves = excluded.cves, products = excluded.products, "
		    "import_id = excluded.import_id",
		    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, number);
	sq_bind_text(st, 2, a->letter.date);
	if (a->letter.date_ms)
		sqlite3_bind_int64(st, 3, a->letter.date_ms);
	sq_bind_text(st, 4, a->letter.issuer);
	sq_bind_text(st, 5, a->summary);
	sq_bind_text(st, 6, a->letter.deadline);
	if (a->letter.deadline_ms)
		sqlite3_bind_int64(st, 7, a->letter.deadline_ms);
	sq_bind_text(st, 8, canh_severity_name(a->severity));
	sq_bind_json(st, 9, cves, "[]");
	sq_bind_json(st, 10, products, "[]");
	sqlite3_bind_int64(st, 11, w->import_id);
	if ((rc = sq_step_done(s, st, err, "cannot store a letter")) == 0)
		w->counts.letters++;
out:
	json_decref(cves);
	json_decref(products);
	return rc;
}

int canh_store_vuln_add(struct canh_vuln_writer *w, const struct canh_advisory *a,
			struct canh_errmsg *err)
{
	const char *id = a->id;
	int rc, stored = 0;

	if (a->source == CANH_ADV_FORMAT_KEV)
		return add_kev_row(w, a, err);
	if (a->source == CANH_ADV_FORMAT_LETTER) {
		id = a->letter.number ? a->letter.number : a->id;
		if (!id || !*id) {
			w->counts.skipped++;
			return 0;
		}
		if ((rc = add_letter_row(w, a, id, err)) != 0)
			return rc;
		/* The letter itself is an advisory (its products), even without products: the
		   matcher needs it to name the letter on findings of its CVEs. */
		if ((rc = add_advisory_row(w, a, id, err)) != 0)
			return rc;
		stored = 1;
	}
	if (!id || !*id) {
		w->counts.skipped++;
		return 0;
	}
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];

		if (af->status == CANH_AFF_NOT_AFFECTED || !af->package || !*af->package) {
			w->counts.skipped++;
			continue;
		}
		if (!stored) {
			if ((rc = add_advisory_row(w, a, id, err)) != 0)
				return rc;
			stored = 1;
		}
		if ((rc = add_affected_row(w, af, err)) != 0)
			return rc;
	}
	if (stored)
		w->counts.advisories++;
	return 0;
}

void canh_store_vuln_skip(struct canh_vuln_writer *w, int64_t n)
{
	w->counts.skipped += n;
}

int canh_store_vuln_import_commit(struct canh_vuln_writer *w, struct canh_vuln_counts *counts,
				  int64_t *import_id, struct canh_errmsg *err)
{
	struct canh_store *s = w->s;
	char detail[512];
	sqlite3_stmt *st;
	int rc;

	*import_id = 0;
	memset(counts, 0, sizeof(*counts));
	st = sq_prep(
	    s,
	    "UPDATE vuln_imports SET advisories = ?2, affected = ?3, kev = ?4, letters = ?5, "
	    "skipped = ?6 WHERE id = ?1",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, w->import_id);
	sqlite3_bind_int64(st, 2, w->counts.advisories);
	sqlite3_bind_int64(st, 3, w->counts.affected);
	sqlite3_bind_int64(st, 4, w->counts.kev);
	sqlite3_bind_int64(st, 5, w->counts.letters);
	sqlite3_bind_int64(st, 6, w->counts.skipped);
	if ((rc = sq_step_done(s, st, err, "cannot record an import")) != 0)
		goto fail;
	/* Retro-match: every active host, by the matcher thread (vuln.c). */
	st = sq_prep(s,
		     "INSERT INTO vuln_dirty (agent_id, gen, since) "
		     "SELECT id, 1, ?1 FROM agents WHERE status = 'active' "
		     "ON CONFLICT (agent_id) DO UPDATE SET gen = gen + 1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, w->now);
	if ((rc = sq_step_done(s, st, err, "cannot mark hosts for matching")) != 0)
		goto fail;
	snprintf(detail, sizeof(detail),
		 "%s '%s': %lld advisories, %lld affected, %lld KEV, %lld letters, %lld skipped",
		 w->format, w->filename, (long long)w->counts.advisories,
		 (long long)w->counts.affected, (long long)w->counts.kev,
		 (long long)w->counts.letters, (long long)w->counts.skipped);
	if ((rc = sq_audit(s, w->now, w->actor, "vuln.import", w->source, detail, err)) != 0)
		goto fail;
	if ((rc = writer_end(s, 1, err)) != 0) {
		writer_free(w);
		return rc;
	}
	*counts = w->counts;
	*import_id = w->import_id;
	writer_free(w);
	return 0;
fail:
	writer_end(s, 0, NULL);
	writer_free(w);
	return rc;
}

void canh_store_vuln_import_abort(struct canh_vuln_writer *w)
{
	if (!w)
		return;
	writer_end(w->s, 0, NULL);
	writer_free(w);
}

static const struct sq_col import_cols[] = {
    {"id", COL_INT},	       {"source", COL_STR}, {"format", COL_STR},
    {"filename", COL_STR},     {"sha256", COL_STR}, {"size", COL_INT},
    {"imported_at", COL_TIME}, {"actor", COL_STR},  {"advisories", COL_INT},
    {"affected", COL_INT},     {"kev", COL_INT},    {"letters", COL_INT},
    {"skipped", COL_INT},      {NULL, 0},
};

/* Every row of a query without parameters into a new array. */
static int rows_json(struct canh_store *s, const char *sql, const struct sq_col *cols, json_t **out,
		     struct canh_errmsg *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	int rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s, sql, err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	rc = sq_rows_json(s, st, cols, arr, err, "cannot read");
out:
	sq_unlock(s);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

int canh_store_vuln_import_list(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	return rows_json(s,
			 "SELECT id, source, format, filename, sha256, size, imported_at, actor, "
			 "advisories, affected, kev, letters, skipped FROM vuln_imports "
			 "ORDER BY id DESC LIMIT 1000",
			 import_cols, out, err);
}

/* ---- matching ---- */

int canh_store_vuln_generation(struct canh_store *s, int64_t *gen, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	*gen = 0;
	sq_lock(s);
	st = sq_prep(s, "SELECT COALESCE(MAX(id), 0) FROM vuln_imports", err);
	if (!st)
		rc = CANH_ESTORE;
	else if (sqlite3_step(st) == SQLITE_ROW)
		*gen = sqlite3_column_int64(st, 0);
	else
		rc = sq_dberr(s, err, "cannot read the advisories' generation");
	sq_done(st);
	sq_unlock(s);
	return rc;
}

static int mark_dirty_locked(struct canh_store *s, int64_t agent_id, int64_t now,
			     struct canh_errmsg *err)
{
	sqlite3_stmt *st =
	    sq_prep(s,
		    "INSERT INTO vuln_dirty (agent_id, gen, since) VALUES (?1, 1, ?2) "
		    "ON CONFLICT (agent_id) DO UPDATE SET gen = gen + 1",
		    err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, now);
	return sq_step_done(s, st, err, "cannot mark a host for matching");
}

int canh_store_vuln_mark_dirty(struct canh_store *s, int64_t agent_id, int64_t now,
			       struct canh_errmsg *err)
{
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	rc = mark_dirty_locked(s, agent_id, now, err);
	return sq_end(s, rc, err);
}

int canh_store_vuln_dirty_list(struct canh_store *s, size_t max, int64_t *ids, int64_t *gens,
			       size_t *n, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	*n = 0;
	sq_lock(s);
	st = sq_prep(s, "SELECT agent_id, gen FROM vuln_dirty ORDER BY since, agent_id LIMIT ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		ids[*n] = sqlite3_column_int64(st, 0);
		gens[*n] = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	if (*n < max && r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the hosts to match");
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

int canh_store_vuln_unmark(struct canh_store *s, int64_t agent_id, int64_t gen,
			   struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	st = sq_prep(s, "DELETE FROM vuln_dirty WHERE agent_id = ?1 AND gen = ?2", err);
	if (!st)
		rc = CANH_ESTORE;
	else {
		sqlite3_bind_int64(st, 1, agent_id);
		sqlite3_bind_int64(st, 2, gen);
		rc = sq_step_done(s, st, err, "cannot clear a host's mark");
	}
	return sq_end(s, rc, err);
}

int canh_store_vuln_mark_all(struct canh_store *s, int64_t now, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	if (rc != 0)
		return rc;
	st = sq_prep(s,
		     "INSERT INTO vuln_dirty (agent_id, gen, since) "
		     "SELECT id, 1, ?1 FROM agents WHERE status = 'active' "
		     "ON CONFLICT (agent_id) DO UPDATE SET gen = gen + 1",
		     err);
	if (!st)
		rc = CANH_ESTORE;
	else {
		sqlite3_bind_int64(st, 1, now);
		rc = sq_step_done(s, st, err, "cannot mark hosts for matching");
	}
	return sq_end(s, rc, err);
}

/* Append each row of a one-agent query as an object of the given keys (all text). */
static int host_rows(struct canh_store *s, json_t *arr, const char *sql, int64_t agent_id,
		     const char *const *keys, int nkeys, struct canh_errmsg *err)
{
	sqlite3_stmt *st = sq_prep(s, sql, err);
	int r;

	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, agent_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < nkeys; i++)
			json_object_set_new(o, keys[i], sq_jstr(st, i));
		json_array_append_new(arr, o);
	}
	sq_done(st);
	return r == SQLITE_DONE ? 0 : sq_dberr(s, err, "cannot read a host's inventory");
}

int canh_store_vuln_host_inventory(struct canh_store *s, int64_t agent_id, json_t **out,
				   struct canh_errmsg *err)
{
	static const char *const pkg_keys[] = {"manager", "name", "version", "source",
					       "source_version"};
	static const char *const sw_keys[] = {"name", "vendor", "version"};
	json_t *o = NULL, *pk, *sw;
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT a.status = 'active', o.os_id, o.os_version_id, "
		     "json_extract(o.os_info, '$.version_codename'), COALESCE(o.inventory_at, 0) "
		     "FROM agents a LEFT JOIN host_os o ON o.agent_id = a.id WHERE a.id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "active", json_boolean(sqlite3_column_int(st, 0)));
		json_object_set_new(o, "os_id", sq_jstr(st, 1));
		json_object_set_new(o, "version_id", sq_jstr(st, 2));
		json_object_set_new(o, "codename", sq_jstr(st, 3));
		json_object_set_new(o, "inventory_at", sq_jint(st, 4));
	} else if (r == SQLITE_DONE) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "host %lld not found", (long long)agent_id);
	} else {
		rc = sq_dberr(s, err, "cannot read a host");
	}
	sq_done(st);
	if (rc != 0)
		goto out;
	pk = json_array();
	sw = json_array();
	json_object_set_new(o, "packages", pk);
	json_object_set_new(o, "software", sw);
	if ((rc = host_rows(s, pk,
			    "SELECT manager, name, version, source, source_version "
			    "FROM host_packages WHERE agent_id = ?1 ORDER BY name, arch",
			    agent_id, pkg_keys, 5, err)) != 0 ||
	    (rc = host_rows(s, sw,
			    "SELECT name, vendor, version FROM host_software WHERE agent_id = ?1 "
			    "ORDER BY rowid",
			    agent_id, sw_keys, 3, err)) != 0)
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

/* ---- rebuilding the model from the store ---- */

static void strv_from_json(struct canh_advisory *a, const char *text,
			   int (*add)(struct canh_advisory *, const char *))
{
	json_t *arr = text ? json_loads(text, 0, NULL) : NULL, *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v)) add(a, json_string_value(v));
	json_decref(arr);
}

static void ranges_from_json(struct canh_advisory *a, struct canh_affected *af, const char *text)
{
	json_t *arr = text ? json_loads(text, 0, NULL) : NULL, *r, *e;
	size_t i, k;

	json_array_foreach(arr, i, r)
	{
		int type = NAME_INDEX(range_names, sq_jget_str(r, "type"), 0);
		struct canh_range *cr = canh_affected_add_range(a, af, (enum canh_range_type)type);
		if (!cr)
			break;
		json_array_foreach(json_object_get(r, "events"), k, e)
		{
			const char *key;
			json_t *v;
			json_object_foreach(e, key, v)
			{
				int kind = NAME_INDEX(event_names, key, -1);
				if (kind >= 0 && json_is_string(v))
					canh_range_add_event(a, cr, (enum canh_event_kind)kind,
							     json_string_value(v));
			}
		}
	}
	json_decref(arr);
}

#define LOAD_CHUNK 20000

int canh_store_vuln_load(struct canh_store *s, const struct canh_advisory_sink *sink,
			 struct canh_errmsg *err)
{
	struct canh_advisory *a = canh_advisory_new();
	int64_t last = 0, cur = 0, maxid = 0;
	sqlite3_stmt *st;
	int r, rc = 0;

	sq_lock(s);
	st = sq_prep(s, "SELECT COALESCE(MAX(id), 0) FROM vuln_advisories", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		maxid = sqlite3_column_int64(st, 0);
	sq_done(st);
	sq_unlock(s);

	/* In chunks of advisory ids, so the ingest waits for one chunk at most. */
	while (rc == 0 && last < maxid) {
		sq_lock(s);
		st = sq_prep(
		    s,
		    "SELECT v.id, v.format, v.advisory, v.aliases, v.severity, v.cvss, "
		    "v.cvss_vector, v.published, v.summary, v.refs, a.ecosystem, a.ecosystem_raw, "
		    "a.release, a.package, a.kind, a.vendor, a.ord, a.status, a.fixed, a.severity, "
		    "a.urgency, a.ranges, a.versions, l.date, l.date_ms, l.issuer, l.deadline, "
		    "l.deadline_ms, l.cves FROM vuln_advisories v "
		    "LEFT JOIN vuln_affected a ON a.advisory_id = v.id "
		    "LEFT JOIN vuln_letters l ON v.format = 'letter' AND l.number = v.advisory "
		    "WHERE v.id > ?1 AND v.id <= ?2 ORDER BY v.id, a.rowid",
		    err);
		if (!st) {
			rc = CANH_ESTORE;
			sq_unlock(s);
			break;
		}
		sqlite3_bind_int64(st, 1, last);
		sqlite3_bind_int64(st, 2, last + LOAD_CHUNK);
		cur = 0;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
#define T(i) ((const char *)sqlite3_column_text(st, (i)))
			if (id != cur) {
				if (cur && (rc = sink->advisory(sink->ctx, a)) != 0)
					break;
				canh_advisory_reset(a);
				cur = id;
				canh_advisory_format_parse(T(1), &a->source);
				a->id = canh_advisory_strdup(a, T(2));
				a->severity = canh_severity_parse(T(4));
				a->cvss_score = sqlite3_column_type(st, 5) == SQLITE_NULL
						    ? -1
						    : sqlite3_column_double(st, 5);
				a->cvss_vector = canh_advisory_strdup(a, T(6));
				a->published_ms = sqlite3_column_int64(st, 7);
				a->summary = canh_advisory_strdup(a, T(8));
				if (a->source == CANH_ADV_FORMAT_LETTER) {
					a->letter.number = a->id;
					a->letter.date = canh_advisory_strdup(a, T(23));
					a->letter.date_ms = sqlite3_column_int64(st, 24);
					a->letter.issuer = canh_advisory_strdup(a, T(25));
					a->letter.deadline = canh_advisory_strdup(a, T(26));
					a->letter.deadline_ms = sqlite3_column_int64(st, 27);
					strv_from_json(a, T(28), canh_advisory_add_cve);
				} else {
					strv_from_json(a, T(3), canh_advisory_add_alias);
				}
				strv_from_json(a, T(9), canh_advisory_add_reference);
			}
			if (T(13)) {
				struct canh_affected *af = canh_advisory_add_affected(a);
				json_t *vers;
				size_t i;
				json_t *v;
				if (!af)
					continue;
				af->ecosystem = ecosystem_from_name(T(10));
				af->ecosystem_raw = canh_advisory_strdup(a, T(11));
				af->release = canh_advisory_strdup(a, T(12));
				af->package = canh_advisory_strdup(a, T(13));
				af->source_package = T(14) && strcmp(T(14), "source") == 0;
				af->vendor = canh_advisory_strdup(a, T(15));
				af->order = order_from_name(T(16));
				af->status =
				    (enum canh_affected_status)NAME_INDEX(status_names, T(17), 0);
				af->fixed_version = canh_advisory_strdup(a, T(18));
				af->severity = canh_severity_parse(T(19));
				af->urgency = canh_advisory_strdup(a, T(20));
				ranges_from_json(a, af, T(21));
				vers = T(22) ? json_loads(T(22), 0, NULL) : NULL;
				json_array_foreach(vers, i, v) if (json_is_string(v))
				    canh_affected_add_version(a, af, json_string_value(v));
				json_decref(vers);
			}
#undef T
		}
		if (rc == 0 && r != SQLITE_DONE)
			rc = sq_dberr(s, err, "cannot read advisories");
		sq_done(st);
		sq_unlock(s);
		if (rc == 0 && cur)
			rc = sink->advisory(sink->ctx, a);
		last += LOAD_CHUNK;
	}
	if (rc != 0)
		goto done;

	/* The KEV catalogue: one advisory per CVE. */
	sq_lock(s);
	st = sq_prep(s,
		     "SELECT cve, vendor, product, name, date_added, due_date, date_added_ms, "
		     "due_date_ms, ransomware FROM vuln_kev ORDER BY cve",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
#define T(i) ((const char *)sqlite3_column_text(st, (i)))
		canh_advisory_reset(a);
		a->source = CANH_ADV_FORMAT_KEV;
		a->id = canh_advisory_strdup(a, T(0));
		a->kev.listed = 1;
		a->kev.vendor = canh_advisory_strdup(a, T(1));
		a->kev.product = canh_advisory_strdup(a, T(2));
		a->kev.name = canh_advisory_strdup(a, T(3));
		a->kev.date_added = canh_advisory_strdup(a, T(4));
		a->kev.due_date = canh_advisory_strdup(a, T(5));
		a->kev.date_added_ms = sqlite3_column_int64(st, 6);
		a->kev.due_date_ms = sqlite3_column_int64(st, 7);
		a->kev.ransomware = sqlite3_column_int(st, 8);
#undef T
		if ((rc = sink->advisory(sink->ctx, a)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sq_dberr(s, err, "cannot read the KEV catalogue");
	sq_done(st);
out:
	sq_unlock(s);
done:
	canh_advisory_free(a);
	return rc;
}

/*
 * What of a finding a new match may change, as one string: a stored finding
 * whose signature equals the match's is not written at all, so re-matching a
 * host where nothing changed reads its findings once and writes nothing.
 */
static void match_sig(struct canh_buf *b, const char *cve, const char *source,
		      const char *source_package, const char *kind, const char *installed,
		      const char *fixed, const char *release, const char *severity,
		      const char *match, int kev, const char *kev_due, const char *letters)
{
	const char *f[] = {cve,	    source,   source_package, kind,    installed, fixed,
			   release, severity, match,	      kev_due, letters};

	canh_buf_reset(b);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		canh_buf_puts(b, f[i] ? f[i] : "\x02");
		canh_buf_putc(b, '\x01');
	}
	canh_buf_putc(b, kev ? '1' : '0');
}

/* Bind a match's fields from ?2 (advisory) to ?15 (letters); ?1 is bound by the caller. */
static void bind_match(sqlite3_stmt *st, const struct canh_vuln_match *m, const char *letters)
{
	sq_bind_text(st, 2, m->advisory);
	sq_bind_text(st, 3, m->cve);
	sq_bind_text(st, 4, m->source ? m->source : "");
	sq_bind_text(st, 5, m->package);
	sq_bind_text(st, 6, m->source_package);
	sq_bind_text(st, 7, m->kind ? m->kind : "package");
	sq_bind_text(st, 8, m->installed ? m->installed : "");
	sq_bind_text(st, 9, m->fixed);
	sq_bind_text(st, 10, m->release);
	sq_bind_text(st, 11, m->severity);
	sq_bind_text(st, 12, m->match ? m->match : "affected");
	sqlite3_bind_int(st, 13, m->kev ? 1 : 0);
	sq_bind_text(st, 14, m->kev_due);
	sq_bind_text(st, 15, letters);
}

int canh_store_vuln_apply(struct canh_store *s, int64_t agent_id, int64_t gen,
			  const struct canh_vuln_match *m, size_t n, int64_t inventory_at,
			  int64_t now, struct canh_vuln_apply_stats *stats, struct canh_errmsg *err)
{
	struct canh_buf sig = CANH_BUF_INIT(1 << 20), key = CANH_BUF_INIT(1 << 16);
	json_t *have = json_object(); /* "advisory\x01package" -> [id, status, signature, seen] */
	int64_t fixed_at = inventory_at > 0 ? inventory_at : now;
	const char *key_s;
	sqlite3_stmt *st;
	json_t *v;
	int r, rc = sq_begin(s, err);

	memset(stats, 0, sizeof(*stats));
	if (rc != 0) {
		json_decref(have);
		return rc;
	}
	/* The host's findings as they are. */
	st = sq_prep(s,
		     "SELECT id, advisory, package, status, cve, source, source_package, kind, "
		     "installed_version, fixed_version, release, severity, match, kev, kev_due, "
		     "letters FROM vuln_findings WHERE agent_id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
#define T(i) ((const char *)sqlite3_column_text(st, (i)))
		canh_buf_reset(&key);
		canh_buf_puts(&key, T(1) ? T(1) : "");
		canh_buf_putc(&key, '\x01');
		canh_buf_puts(&key, T(2) ? T(2) : "");
		match_sig(&sig, T(4), T(5), T(6), T(7), T(8), T(9), T(10), T(11), T(12),
			  sqlite3_column_int(st, 13), T(14), T(15));
		json_object_set_new(have, canh_buf_cstr(&key),
				    json_pack("[I,s,s,b]", (json_int_t)sqlite3_column_int64(st, 0),
					      T(3) ? T(3) : "open", canh_buf_cstr(&sig), 0));
#undef T
	}
	sq_done(st);
	if (r != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a host's findings");
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		char *letters = m[i].letters && json_array_size(m[i].letters)
				    ? json_dumps(m[i].letters, JSON_COMPACT)
				    : NULL;
		const char *status;
		json_t *old;
		int want = 1;

		canh_buf_reset(&key);
		canh_buf_puts(&key, m[i].advisory ? m[i].advisory : "");
		canh_buf_putc(&key, '\x01');
		canh_buf_puts(&key, m[i].package ? m[i].package : "");
		match_sig(&sig, m[i].cve, m[i].source ? m[i].source : "", m[i].source_package,
			  m[i].kind ? m[i].kind : "package", m[i].installed ? m[i].installed : "",
			  m[i].fixed, m[i].release, m[i].severity,
			  m[i].match ? m[i].match : "affected", m[i].kev, m[i].kev_due,
			  letters ? letters : "[]");
		old = json_object_get(have, canh_buf_cstr(&key));
		if (old && json_is_true(json_array_get(old, 3))) {
			free(letters); /* the same key twice in one match: the first stands */
			continue;
		}
		status = old ? json_string_value(json_array_get(old, 1)) : NULL;
		if (!old) {
			stats->opened++;
			st = sq_prep(
			    s,
			    "INSERT INTO vuln_findings (agent_id, advisory, cve, source, package, "
			    "source_package, kind, installed_version, fixed_version, release, "
			    "severity, match, kev, kev_due, letters, status, opened_at, "
			    "last_matched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			    "?11, "
			    "?12, ?13, ?14, COALESCE(?15, '[]'), 'open', ?16, ?16)",
			    err);
		} else if (strcmp(status, "fixed") == 0) {
			stats->reopened++;
			st = sq_prep(
			    s,
			    "UPDATE vuln_findings SET cve = ?3, source = ?4, "
			    "source_package = ?6, kind = ?7, installed_version = ?8, "
			    "fixed_version = ?9, release = ?10, severity = ?11, match = ?12, "
			    "kev = ?13, kev_due = ?14, letters = COALESCE(?15, '[]'), "
			    "status = 'open', opened_at = ?16, fixed_at = NULL, "
			    "last_matched_at = ?16 WHERE id = ?1 AND advisory = ?2 AND "
			    "package = ?5",
			    err);
		} else {
			if (strcmp(status, "accepted") == 0)
				stats->accepted++;
			else
				stats->still_open++;
			/* Unchanged: nothing to write. */
			want = strcmp(json_string_value(json_array_get(old, 2)),
				      canh_buf_cstr(&sig)) != 0;
			st =
			    !want
				? NULL
				: sq_prep(s,
					  "UPDATE vuln_findings SET cve = ?3, source = ?4, "
					  "source_package = ?6, kind = ?7, installed_version = ?8, "
					  "fixed_version = ?9, release = ?10, severity = ?11, "
					  "match = ?12, kev = ?13, kev_due = ?14, "
					  "letters = COALESCE(?15, '[]'), last_matched_at = ?16 "
					  "WHERE id = ?1 AND advisory = ?2 AND package = ?5",
					  err);
		}
		if (old)
			json_array_set(old, 3, json_true());
		if (!st) {
			free(letters);
			if (want) {
				rc = CANH_ESTORE;
				goto out;
			}
			continue;
		}
		if (old)
			sqlite3_bind_int64(st, 1, json_integer_value(json_array_get(old, 0)));
		else
			sqlite3_bind_int64(st, 1, agent_id);
		bind_match(st, &m[i], letters);
		sqlite3_bind_int64(st, 16, now);
		rc = sq_step_done(s, st, err, "cannot store a finding");
		free(letters);
		if (rc != 0)
			goto out;
	}

	/* What no longer matches was fixed by the inventory that shows it. */
	json_object_foreach(have, key_s, v)
	{
		const char *status = json_string_value(json_array_get(v, 1));

		if (json_is_true(json_array_get(v, 3)) || strcmp(status, "fixed") == 0)
			continue;
		st = sq_prep(s,
			     "UPDATE vuln_findings SET status = 'fixed', "
			     "fixed_at = MAX(?2, opened_at) WHERE id = ?1",
			     err);
		if (!st) {
			rc = CANH_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, json_integer_value(json_array_get(v, 0)));
		sqlite3_bind_int64(st, 2, fixed_at);
		if ((rc = sq_step_done(s, st, err, "cannot close a finding")) != 0)
			goto out;
		stats->fixed++;
	}
	st = sq_prep(s,
		     "INSERT INTO vuln_host_state (agent_id, matched_at) VALUES (?1, ?2) "
		     "ON CONFLICT (agent_id) DO UPDATE SET matched_at = excluded.matched_at",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = sq_step_done(s, st, err, "cannot record a match")) != 0)
		goto out;
	if (gen >= 0) {
		st = sq_prep(s, "DELETE FROM vuln_dirty WHERE agent_id = ?1 AND gen = ?2", err);
		if (!st) {
			rc = CANH_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, agent_id);
		sqlite3_bind_int64(st, 2, gen);
		rc = sq_step_done(s, st, err, "cannot clear a host's mark");
	}
out:
	canh_buf_release(&sig);
	canh_buf_release(&key);
	json_decref(have);
	return sq_end(s, rc, err);
}

/* ---- findings ---- */

#define FINDING_COLUMNS                                                                            \
	"f.id, f.agent_id, a.hostname, u.code, f.advisory, f.cve, f.source, f.package, "           \
	"f.source_package, f.kind, f.installed_version, f.fixed_version, f.release, f.severity, "  \
	"f.match, f.status, f.kev, f.kev_due, f.letters, f.opened_at, f.fixed_at, f.accepted_at, " \
	"f.accepted_by, f.accept_reason, CASE WHEN f.status = 'fixed' THEN f.last_matched_at "     \
	"ELSE COALESCE((SELECT hs.matched_at FROM vuln_host_state hs "                             \
	"WHERE hs.agent_id = f.agent_id), f.last_matched_at) END "

static const struct sq_col finding_cols[] = {
    {"id", COL_INT},
    {"host", COL_INT},
    {"hostname", COL_STR},
    {"unit", COL_STR},
    {"advisory", COL_STR},
    {"cve", COL_STR},
    {"source", COL_STR},
    {"package", COL_STR},
    {"source_package", COL_STR},
    {"kind", COL_STR},
    {"installed_version", COL_STR},
    {"fixed_version", COL_STR},
    {"release", COL_STR},
    {"severity", COL_STR},
    {"match", COL_STR},
    {"status", COL_STR},
    {"kev", COL_BOOL},
    {"kev_due", COL_STR},
    {"letters", COL_ARRAY},
    {"opened_at", COL_TIME},
    {"fixed_at", COL_TIME},
    {"accepted_at", COL_TIME},
    {"accepted_by", COL_STR},
    {"accept_reason", COL_STR},
    {"last_matched_at", COL_TIME},
    {NULL, 0},
};

/* The findings a letter names (the matcher wrote the letters of each finding). */
#define LETTER_FINDING(f, param)                                                                   \
	"EXISTS (SELECT 1 FROM json_each(" f ".letters) j WHERE j.value = " param ")"

int canh_store_vuln_findings(struct canh_store *s, const struct canh_vuln_filter *f, json_t **out,
			     struct canh_errmsg *err)
{
	json_t *arr = json_array(), *o = NULL;
	int64_t limit = f->limit > 0 ? f->limit : FINDINGS_DEFAULT_LIMIT, n = 0;
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	if (limit > FINDINGS_MAX_LIMIT)
		limit = FINDINGS_MAX_LIMIT;
	sq_lock(s);
	if (f->unit) {
		int64_t uid = sq_unit_id(s, f->unit, err);
		if (uid <= 0) {
			rc = uid < 0 ? (int)uid
				     : canh_errmsg_set(err, CANH_ENOENT, "unit '%s' not found",
						       f->unit);
			goto out;
		}
	}
	st = sq_prep(
	    s,
	    "WITH RECURSIVE sub (id, depth) AS ("
	    " SELECT id, 0 FROM units WHERE code = ?1"
	    " UNION ALL SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
	    " WHERE sub.depth < 256) "
	    "SELECT " FINDING_COLUMNS "FROM vuln_findings f JOIN agents a ON a.id = f.agent_id "
	    "JOIN units u ON u.id = a.unit_id "
	    "WHERE (?1 IS NULL OR a.unit_id IN (SELECT id FROM sub)) "
	    "AND (?2 = 0 OR f.agent_id = ?2) "
	    "AND (?3 = 0 OR f.kev = 1) "
	    "AND (?4 IS NULL OR f.status = ?4) "
	    "AND (?5 IS NULL OR " LETTER_FINDING(
		"f", "?5") ") "
			   "ORDER BY f.agent_id, f.package, f.advisory LIMIT ?6",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, f->unit);
	sqlite3_bind_int64(st, 2, f->host);
	sqlite3_bind_int(st, 3, f->kev_only ? 1 : 0);
	sq_bind_text(st, 4, f->status);
	sq_bind_text(st, 5, f->letter);
	sqlite3_bind_int64(st, 6, limit + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		json_array_append_new(arr, sq_row_json(st, finding_cols));
	}
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		rc = sq_dberr(s, err, "cannot list findings");
	sq_done(st);
	if (rc == 0) {
		o = json_object();
		json_object_set_new(o, "findings", arr);
		json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(arr)));
		json_object_set_new(o, "truncated", json_boolean(n > limit));
		arr = NULL;
	}
out:
	sq_unlock(s);
	json_decref(arr);
	*out = o;
	return rc;
}

static int finding_get_locked(struct canh_store *s, int64_t id, json_t **out,
			      struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	st = sq_prep(s,
		     "SELECT " FINDING_COLUMNS
		     "FROM vuln_findings f JOIN agents a ON a.id = f.agent_id "
		     "JOIN units u ON u.id = a.unit_id WHERE f.id = ?1",
		     err);
	if (!st)
		return CANH_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sq_row_json(st, finding_cols);
	else if (r == SQLITE_DONE)
		rc = canh_errmsg_set(err, CANH_ENOENT, "finding %lld not found", (long long)id);
	else
		rc = sq_dberr(s, err, "cannot read a finding");
	sq_done(st);
	return rc;
}

int canh_store_vuln_accept(struct canh_store *s, int64_t id, const char *reason, int64_t now,
			   const char *actor, json_t **out, struct canh_errmsg *err)
{
	char object[48];
	json_t *f = NULL;
	sqlite3_stmt *st;
	int rc = sq_begin(s, err);

	*out = NULL;
	if (rc != 0)
		return rc;
	if ((rc = finding_get_locked(s, id, &f, err)) != 0)
		goto out;
	if (strcmp(json_string_value(json_object_get(f, "status")), "fixed") == 0) {
		rc = canh_errmsg_set(err, CANH_ECONFLICT, "finding %lld is fixed", (long long)id);
		goto out;
	}
	st = sq_prep(s,
		     "UPDATE vuln_findings SET status = 'accepted', accepted_at = ?2, "
		     "accepted_by = ?3, accept_reason = ?4 WHERE id = ?1",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sq_bind_text(st, 3, actor ? actor : "system");
	sq_bind_text(st, 4, reason);
	if ((rc = sq_step_done(s, st, err, "cannot accept a finding")) != 0)
		goto out;
	snprintf(object, sizeof(object), "finding:%lld", (long long)id);
	if ((rc = sq_audit(s, now, actor, "vuln.accept", object, reason, err)) != 0)
		goto out;
	json_decref(f);
	f = NULL;
	rc = finding_get_locked(s, id, &f, err);
out:
	rc = sq_end(s, rc, err);
	if (rc == 0) {
		*out = f;
		f = NULL;
	}
	json_decref(f);
	return rc;
}

/* ---- letters ---- */

static const struct sq_col letter_cols[] = {
    {"number", COL_STR},
    {"date", COL_STR},
    {"issuer", COL_STR},
    {"title", COL_STR},
    {"deadline", COL_STR},
    {"severity", COL_STR},
    {"cves", COL_ARRAY},
    {"products", COL_ARRAY},
    {"hosts_affected", COL_INT},
    {"hosts_open", COL_INT},
    {NULL, 0},
};

#define LETTER_HOSTS(cond)                                                                         \
	"(SELECT COUNT(DISTINCT f.agent_id) FROM vuln_findings f WHERE " LETTER_FINDING(           \
	    "f", "l.number") cond ")"

#define LETTER_SELECT                                                                              \
	"SELECT l.number, l.date, l.issuer, l.title, l.deadline, l.severity, l.cves, "             \
	"l.products, " LETTER_HOSTS("") ", " LETTER_HOSTS(                                         \
	    " AND f.status = 'open'") ", l.deadline_ms "                                           \
				      "FROM vuln_letters l "

int canh_store_vuln_letters(struct canh_store *s, json_t **out, struct canh_errmsg *err)
{
	return rows_json(s, LETTER_SELECT "ORDER BY l.date DESC, l.number", letter_cols, out, err);
}

/* Per-unit counters of a letter's compliance. */
struct unit_row {
	int64_t id, parent;
	char *code, *name;
	int64_t own[7], total[7];
};

enum { C_AFFECTED, C_FIXED, C_FIXED_IN_TIME, C_FIXED_LATE, C_OPEN, C_OVERDUE, C_ACCEPTED };
static const char *const counter_keys[] = {
    "hosts_affected", "hosts_fixed", "fixed_before_deadline", "fixed_after_deadline", "open",
    "open_overdue",   "accepted",
};

static json_t *counters_json(const int64_t *c)
{
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(counter_keys) / sizeof(counter_keys[0]); i++)
		json_object_set_new(o, counter_keys[i], json_integer(c[i]));
	return o;
}

static int letter_units(struct canh_store *s, struct unit_row **out, size_t *n,
			struct canh_errmsg *err)
{
	struct unit_row *u = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	*n = 0;
	/* Parents before children, siblings by code (as canh_store_unit_list orders them). */
	st = sq_prep(s,
		     "WITH RECURSIVE tree (id, path, depth) AS ("
		     " SELECT id, code, 0 FROM units WHERE parent_id IS NULL"
		     " UNION ALL"
		     " SELECT u.id, t.path || char(1) || u.code, t.depth + 1"
		     " FROM units u JOIN tree t ON u.parent_id = t.id WHERE t.depth < 256)"
		     " SELECT u.id, COALESCE(u.parent_id, 0), u.code, u.name"
		     " FROM tree t JOIN units u ON u.id = t.id ORDER BY t.path",
		     err);
	if (!st)
		return CANH_ESTORE;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			size_t bytes;
			cap = cap ? cap * 2 : 64;
			CANH_BUG_ON(canh_size_mul(cap, sizeof(*u), &bytes) != 0);
			u = canh_xrealloc(u, bytes);
		}
		memset(&u[k], 0, sizeof(u[k]));
		u[k].id = sqlite3_column_int64(st, 0);
		u[k].parent = sqlite3_column_int64(st, 1);
		u[k].code = canh_xstrdup((const char *)sqlite3_column_text(st, 2));
		u[k].name = canh_xstrdup((const char *)sqlite3_column_text(st, 3));
		k++;
	}
	sq_done(st);
	*out = u;
	*n = k;
	if (r != SQLITE_DONE)
		return sq_dberr(s, err, "cannot read units");
	return 0;
}

static struct unit_row *unit_by_id(struct unit_row *u, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (u[i].id == id)
			return &u[i];
	return NULL;
}

int canh_store_vuln_letter(struct canh_store *s, const char *number, int64_t now, json_t **out,
			   struct canh_errmsg *err)
{
	struct unit_row *units = NULL;
	size_t nunits = 0;
	json_t *o = NULL, *hosts, *rows;
	int64_t deadline = 0;
	sqlite3_stmt *st;
	int r, rc = 0;

	*out = NULL;
	sq_lock(s);
	st = sq_prep(s, LETTER_SELECT "WHERE l.number = ?1", err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, number);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		o = sq_row_json(st, letter_cols);
		deadline = sqlite3_column_int64(st, 10);
	} else {
		rc = r == SQLITE_DONE
			 ? canh_errmsg_set(err, CANH_ENOENT, "letter '%s' not found", number)
			 : sq_dberr(s, err, "cannot read a letter");
	}
	sq_done(st);
	if (rc != 0)
		goto out;
	if ((rc = letter_units(s, &units, &nunits, err)) != 0)
		goto out;

	/* Each host's state for this letter, from its findings. */
	hosts = json_array();
	json_object_set_new(o, "hosts", hosts);
	st = sq_prep(s,
		     "SELECT f.agent_id, a.hostname, a.unit_id, u.code, COUNT(*), "
		     "SUM(f.status = 'open'), SUM(f.status = 'accepted'), MAX(f.fixed_at), "
		     "MIN(f.opened_at) FROM vuln_findings f JOIN agents a ON a.id = f.agent_id "
		     "JOIN units u ON u.id = a.unit_id WHERE " LETTER_FINDING(
			 "f", "?1") " GROUP BY f.agent_id ORDER BY u.code, f.agent_id",
		     err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sq_bind_text(st, 1, number);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t nopen = sqlite3_column_int64(st, 5), nacc = sqlite3_column_int64(st, 6);
		int64_t fixed_at = sqlite3_column_int64(st, 7);
		struct unit_row *u = unit_by_id(units, nunits, sqlite3_column_int64(st, 2));
		int64_t c[7] = {1, 0, 0, 0, 0, 0, 0};
		const char *state;
		json_t *h;

		if (nopen > 0) {
			int overdue = deadline > 0 && now > DEADLINE_END(deadline);
			c[C_OPEN] = 1;
			c[C_OVERDUE] = overdue;
			state = overdue ? "open_overdue" : "open";
		} else if (nacc > 0) {
			c[C_ACCEPTED] = 1;
			state = "accepted";
		} else {
			int late = deadline > 0 && fixed_at > DEADLINE_END(deadline);
			c[C_FIXED] = 1;
			c[late ? C_FIXED_LATE : C_FIXED_IN_TIME] = 1;
			state = late ? "fixed_late" : "fixed";
		}
		h = json_object();
		json_object_set_new(h, "host", sq_jint(st, 0));
		json_object_set_new(h, "hostname", sq_jstr(st, 1));
		json_object_set_new(h, "unit", sq_jstr(st, 3));
		json_object_set_new(h, "state", json_string(state));
		json_object_set_new(h, "findings", sq_jint(st, 4));
		json_object_set_new(h, "open", sq_jint(st, 5));
		json_object_set_new(h, "opened_at", sq_jtime(st, 8));
		json_object_set_new(h, "fixed_at",
				    nopen > 0 || nacc > 0 ? json_null() : sq_jtime(st, 7));
		json_array_append_new(hosts, h);
		/* The host's unit, and every ancestor's total. */
		for (int depth = 0; u && depth < UNIT_MAX_DEPTH; depth++) {
			for (int i = 0; i < 7; i++) {
				if (depth == 0)
					u->own[i] += c[i];
				u->total[i] += c[i];
			}
			u = u->parent ? unit_by_id(units, nunits, u->parent) : NULL;
		}
	}
	sq_done(st);
	if (r != SQLITE_DONE) {
		rc = sq_dberr(s, err, "cannot read a letter's findings");
		goto out;
	}
	rows = json_array();
	json_object_set_new(o, "units", rows);
	for (size_t i = 0; i < nunits; i++) {
		json_t *row;
		struct unit_row *p;

		if (units[i].total[C_AFFECTED] == 0)
			continue;
		row = json_object();
		json_object_set_new(row, "unit", json_string(units[i].code));
		json_object_set_new(row, "name", json_string(units[i].name));
		p = units[i].parent ? unit_by_id(units, nunits, units[i].parent) : NULL;
		json_object_set_new(row, "parent", p ? json_string(p->code) : json_null());
		json_object_set_new(row, "own", counters_json(units[i].own));
		json_object_set_new(row, "total", counters_json(units[i].total));
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "deadline_passed",
			    json_boolean(deadline > 0 && now > DEADLINE_END(deadline)));
out:
	sq_unlock(s);
	for (size_t i = 0; i < nunits; i++) {
		free(units[i].code);
		free(units[i].name);
	}
	free(units);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
	json_decref(o);
	return rc;
}

int canh_store_vuln_summary(struct canh_store *s, int64_t now, json_t *o, struct canh_errmsg *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	sq_lock(s);
	st = sq_prep(
	    s,
	    "SELECT (SELECT COUNT(*) FROM vuln_findings WHERE status = 'open'), "
	    "(SELECT COUNT(*) FROM vuln_findings WHERE status = 'open' AND kev = 1), "
	    "(SELECT COUNT(DISTINCT agent_id) FROM vuln_findings WHERE status = 'open'), "
	    "(SELECT COUNT(*) FROM vuln_findings WHERE status = 'fixed'), "
	    "(SELECT COUNT(*) FROM vuln_findings WHERE status = 'accepted'), "
	    "(SELECT COUNT(*) FROM vuln_advisories), "
	    "(SELECT COUNT(*) FROM vuln_letters), "
	    "(SELECT COUNT(*) FROM vuln_letters l WHERE l.deadline_ms IS NOT NULL AND "
	    "l.deadline_ms + 17 * 3600000 < ?1 AND EXISTS (SELECT 1 FROM vuln_findings f WHERE "
	    "f.status = 'open' AND " LETTER_FINDING("f",
						    "l.number") ")), "
								"(SELECT COUNT(*) FROM vuln_dirty)",
	    err);
	if (!st) {
		rc = CANH_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		json_t *v = json_object();
		json_object_set_new(v, "findings_open", sq_jint(st, 0));
		json_object_set_new(v, "findings_open_kev", sq_jint(st, 1));
		json_object_set_new(v, "hosts_affected", sq_jint(st, 2));
		json_object_set_new(v, "findings_fixed", sq_jint(st, 3));
		json_object_set_new(v, "findings_accepted", sq_jint(st, 4));
		json_object_set_new(v, "advisories", sq_jint(st, 5));
		json_object_set_new(v, "letters", sq_jint(st, 6));
		json_object_set_new(v, "letters_overdue", sq_jint(st, 7));
		json_object_set_new(v, "hosts_pending_match", sq_jint(st, 8));
		json_object_set_new(o, "vuln", v);
	} else {
		rc = sq_dberr(s, err, "cannot summarise findings");
	}
	sq_done(st);
out:
	sq_unlock(s);
	return rc;
}

/* ---- the inventory hook ---- */

int canh__store_vuln_inventory(struct canh_store *s, int64_t agent_id,
			       const struct canh_proto_msg *m, int64_t now, struct canh_errmsg *err)
{
	const json_t *d = m->data, *arr = json_object_get(m->data, "software"), *e;
	sqlite3_stmt *st;
	uint64_t sw_seq = 0;
	size_t i;
	int r, rc;

	if (json_is_array(arr)) {
		st =
		    sq_prep(s, "SELECT software_seq FROM vuln_host_state WHERE agent_id = ?1", err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		r = sqlite3_step(st);
		if (r == SQLITE_ROW)
			sw_seq = (uint64_t)sqlite3_column_int64(st, 0);
		sq_done(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return sq_dberr(s, err, "cannot read a host's software state");
	}
	if (json_is_array(arr) && m->seq > sw_seq) {
		st = sq_prep(s, "DELETE FROM host_software WHERE agent_id = ?1", err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		if ((rc = sq_step_done(s, st, err, "cannot clear a host's software")) != 0)
			return rc;
		json_array_foreach(arr, i, e)
		{
			if (!sq_jget_str(e, "name") || !sq_jget_str(e, "version"))
				continue;
			st = sq_prep(s,
				     "INSERT INTO host_software (agent_id, name, version, vendor, "
				     "path, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				     err);
			if (!st)
				return CANH_ESTORE;
			sqlite3_bind_int64(st, 1, agent_id);
			sq_bind_text(st, 2, sq_jget_str(e, "name"));
			sq_bind_text(st, 3, sq_jget_str(e, "version"));
			sq_bind_text(st, 4, sq_jget_str(e, "vendor"));
			sq_bind_text(st, 5, sq_jget_str(e, "path"));
			sq_bind_json(st, 6, e, "{}");
			if ((rc = sq_step_done(s, st, err, "cannot store software")) != 0)
				return rc;
		}
		st = sq_prep(
		    s,
		    "INSERT INTO vuln_host_state (agent_id, software_seq) VALUES (?1, ?2) "
		    "ON CONFLICT (agent_id) DO UPDATE SET software_seq = excluded.software_seq",
		    err);
		if (!st)
			return CANH_ESTORE;
		sqlite3_bind_int64(st, 1, agent_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
		if ((rc = sq_step_done(s, st, err, "cannot record a host's software")) != 0)
			return rc;
	}
	/* Only what matching reads makes the host wait for a new match. */
	if (json_is_array(arr) || json_is_array(json_object_get(d, "packages")))
		return mark_dirty_locked(s, agent_id, now, err);
	return 0;
}
