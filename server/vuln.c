/*
 * Vulnerabilities in canhd (see vuln.h): imports, the index, the matching thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/crypto.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "canh/vulnmatch.h"
#include "vuln.h"

#define DIRTY_BATCH 64
#define IDLE_WAIT_MS 1000
#define GROUP_MS 200

struct canh_vuln {
	struct canh_store *store;
	struct canh_vulnmatch *index; /* only the matching thread (or a test) touches it */
	int64_t index_gen;	      /* the advisories' generation it was built from */

	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t cond;
	int stale; /* the index must be rebuilt before the next match */
	int kicked;
	int stop;
	pthread_t thread;
	int started;
};

/* CPU time of the calling thread, ms: the machine may be shared, wall time alone misleads. */
static int64_t thread_cpu_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- import ---- */

struct import_ctx {
	struct canh_vuln_writer *w;
	struct canh_errmsg *err;
	int store_rc; /* the store's failure, told apart from the parser's */
};

static int import_sink(void *ctx, const struct canh_advisory *a)
{
	struct import_ctx *ic = ctx;
	int rc = canh_store_vuln_add(ic->w, a, ic->err);

	if (rc != 0)
		ic->store_rc = rc;
	return rc;
}

/* Letters are parsed first (they are small): their number names the source. */
struct letters {
	struct canh_advisory **v;
	size_t n;
};

static int letters_sink(void *ctx, const struct canh_advisory *a)
{
	struct letters *l = ctx;

	if (l->n >= 1000)
		return CANH_ETOOBIG;
	l->v = canh_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = canh_advisory_dup(a);
	return 0;
}

static void letters_free(struct letters *l)
{
	for (size_t i = 0; i < l->n; i++)
		canh_advisory_free(l->v[i]);
	free(l->v);
}

int canh_vuln_import(struct canh_store *s, const void *data, size_t len,
		     enum canh_advisory_format fmt, const char *filename, const char *actor,
		     int64_t now, struct canh_vuln_import_result *res, struct canh_errmsg *err)
{
	struct canh_vuln_import_info info;
	struct import_ctx ic = {NULL, err, 0};
	struct canh_advisory_sink sink = {import_sink, &ic};
	struct letters letters = {NULL, 0};
	char sha[CANH_SHA256_HEX];
	int64_t t0 = canh_mono_ms(), c0 = thread_cpu_ms();
	int rc;

	memset(res, 0, sizeof(*res));
	if (fmt == CANH_ADV_FORMAT_UNKNOWN)
		fmt = canh_advisory_detect(data, len, filename);
	if (fmt == CANH_ADV_FORMAT_UNKNOWN)
		return canh_errmsg_set(err, CANH_EINVAL,
				       "cannot tell the format of '%s' (debian-tracker, osv, kev "
				       "or letter)",
				       filename ? filename : "");
	res->format = fmt;
	if (canh_sha256_hex(data, len, sha) != 0)
		return canh_errmsg_set(err, CANH_ECRYPTO, "cannot hash the file");

	switch (fmt) {
	case CANH_ADV_FORMAT_DEBIAN:
		snprintf(res->source, sizeof(res->source), "debian-tracker");
		break;
	case CANH_ADV_FORMAT_KEV:
		snprintf(res->source, sizeof(res->source), "kev");
		break;
	case CANH_ADV_FORMAT_OSV:
		snprintf(res->source, sizeof(res->source), "osv:%s",
			 filename && *filename ? filename : "-");
		break;
	case CANH_ADV_FORMAT_LETTER: {
		struct canh_advisory_sink ls = {letters_sink, &letters};
		if ((rc = canh_advisory_parse_letter(data, len, filename, &ls, &res->stats, err)) !=
		    0)
			goto out;
		if (letters.n == 1 && letters.v[0]->letter.number)
			snprintf(res->source, sizeof(res->source), "letter:%s",
				 letters.v[0]->letter.number);
		else
			snprintf(res->source, sizeof(res->source), "letters:%s",
				 filename && *filename ? filename : "-");
		break;
	}
	default:
		return canh_errmsg_set(err, CANH_EINVAL, "unknown advisory format");
	}

	info.source = res->source;
	info.format = canh_advisory_format_name(fmt);
	info.filename = filename ? filename : "";
	info.sha256 = sha;
	info.size = (int64_t)len;
	info.now = now;
	info.actor = actor;
	if ((rc = canh_store_vuln_import_begin(s, &info, &ic.w, err)) != 0)
		goto out;
	if (fmt == CANH_ADV_FORMAT_LETTER) {
		for (size_t i = 0; i < letters.n && rc == 0; i++)
			rc = import_sink(&ic, letters.v[i]);
	} else {
		rc = canh_advisory_parse(fmt, data, len, filename, NULL, &sink, &res->stats, err);
	}
	if (rc != 0) {
		canh_store_vuln_import_abort(ic.w);
		/* A store failure stays a store failure whatever the parser made of it. */
		if (ic.store_rc != 0)
			rc = ic.store_rc;
		goto out;
	}
	canh_store_vuln_skip(ic.w, (int64_t)res->stats.skipped);
	rc = canh_store_vuln_import_commit(ic.w, &res->counts, &res->import_id, err);
	if (rc == 0 && ic.store_rc == 0)
		canh_info(
		    "imported %s '%s' as source '%s': %lld advisories, %lld affected, "
		    "%lld KEV, %lld letters, %lld skipped, %lld replaced, in %lld ms (%lld ms of "
		    "CPU)",
		    info.format, info.filename, res->source, (long long)res->counts.advisories,
		    (long long)res->counts.affected, (long long)res->counts.kev,
		    (long long)res->counts.letters, (long long)res->counts.skipped,
		    (long long)res->counts.replaced, (long long)(canh_mono_ms() - t0),
		    (long long)(thread_cpu_ms() - c0));
out:
	res->parse_store_ms = canh_mono_ms() - t0;
	letters_free(&letters);
	return rc;
}

/* ---- the index ---- */

struct canh_vuln *canh_vuln_new(struct canh_store *s)
{
	struct canh_vuln *v = canh_xcalloc(1, sizeof(*v));
	pthread_condattr_t ca;

	v->store = s;
	v->stale = 1;
	pthread_mutex_init(&v->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->cond, &ca);
	pthread_condattr_destroy(&ca);
	return v;
}

void canh_vuln_stop(struct canh_vuln *v)
{
	if (!v || !v->started)
		return;
	pthread_mutex_lock(&v->mu);
	v->stop = 1;
	pthread_cond_signal(&v->cond);
	pthread_mutex_unlock(&v->mu);
	pthread_join(v->thread, NULL);
	v->started = 0;
}

void canh_vuln_free(struct canh_vuln *v)
{
	if (!v)
		return;
	canh_vuln_stop(v);
	canh_vulnmatch_free(v->index);
	pthread_cond_destroy(&v->cond);
	pthread_mutex_destroy(&v->mu);
	free(v);
}

void canh_vuln_kick(struct canh_vuln *v, int index_stale)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	if (index_stale)
		v->stale = 1;
	v->kicked = 1;
	pthread_cond_signal(&v->cond);
	pthread_mutex_unlock(&v->mu);
}

int canh_vuln_rebuild(struct canh_vuln *v, struct canh_errmsg *err)
{
	struct canh_vulnmatch *m = canh_vulnmatch_new(NULL);
	struct canh_advisory_sink sink = {canh_vulnmatch_sink, m};
	struct canh_vulnmatch_stats st;
	int64_t t0 = canh_mono_ms(), c0 = thread_cpu_ms(), gen = 0;
	int rc;

	pthread_mutex_lock(&v->mu);
	v->stale = 0; /* an import committed from now on makes it stale again */
	pthread_mutex_unlock(&v->mu);
	/* The generation first: an import committed during the load shows as newer. */
	rc = canh_store_vuln_generation(v->store, &gen, err);
	if (rc == 0)
		rc = canh_store_vuln_load(v->store, &sink, err);
	if (rc != 0) {
		canh_vulnmatch_free(m);
		pthread_mutex_lock(&v->mu);
		v->stale = 1;
		pthread_mutex_unlock(&v->mu);
		return rc;
	}
	canh_vulnmatch_free(v->index);
	v->index = m;
	v->index_gen = gen;
	canh_vulnmatch_stats(m, &st);
	canh_info("vulnerability index: %zu advisories, %zu entries, %zu KEV, %zu letters, "
		  "%zu MiB, built in %lld ms (%lld ms of CPU)",
		  st.advisories, st.entries, st.kev, st.letters, st.bytes >> 20,
		  (long long)(canh_mono_ms() - t0), (long long)(thread_cpu_ms() - c0));
	return 0;
}

/* ---- matching one host ---- */

struct collect {
	json_t *list; /* the findings, copied */
	json_t *seen; /* "advisory\x01package" -> true: one finding per key */
};

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static int collect_finding(void *ctx, const struct canh_vuln_finding *f)
{
	struct collect *c = ctx;
	char key[1024];
	json_t *o, *letters;

	if (!f->advisory_id || !f->package)
		return 0;
	snprintf(key, sizeof(key), "%s\x01%s", f->advisory_id, f->package);
	if (json_object_get(c->seen, key))
		return 0;
	json_object_set_new(c->seen, key, json_true());
	o = json_object();
	set_str(o, "advisory", f->advisory_id);
	set_str(o, "cve", f->cve);
	set_str(o, "source", canh_advisory_format_name(f->source));
	set_str(o, "package", f->package);
	set_str(o, "source_package", f->source_package);
	set_str(o, "kind", f->software ? "software" : "package");
	set_str(o, "installed", f->installed);
	set_str(o, "fixed", f->fixed);
	set_str(o, "release", f->release);
	set_str(o, "severity", canh_severity_name(f->severity));
	set_str(o, "match", canh_vuln_status_name(f->status));
	set_str(o, "kev_due", f->kev_due);
	json_object_set_new(o, "kev", json_boolean(f->kev));
	letters = json_array();
	for (size_t i = 0; i < f->n_letters; i++)
		if (f->letters[i] && f->letters[i]->number)
			json_array_append_new(letters, json_string(f->letters[i]->number));
	json_object_set_new(o, "letters", letters);
	json_array_append_new(c->list, o);
	return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

int canh_vuln_match_host(struct canh_vuln *v, int64_t agent_id, int64_t gen, int64_t now,
			 struct canh_vuln_run_stats *st, struct canh_errmsg *err)
{
	struct collect c = {json_array(), json_object()};
	struct canh_vuln_apply_stats as;
	struct canh_vuln_pkg *pkgs = NULL;
	struct canh_vuln_software *sw = NULL;
	struct canh_vuln_match *m = NULL;
	struct canh_vuln_host host;
	json_t *inv = NULL, *arr, *e;
	size_t i, np = 0, ns = 0, nm;
	int rc;

	CANH_BUG_ON(!v->index);
	rc = canh_store_vuln_host_inventory(v->store, agent_id, &inv, err);
	/* Gone, or revoked (its findings stay as they were: no new evidence comes from it):
	   only its mark goes. */
	if (rc == CANH_ENOENT || (rc == 0 && !json_is_true(json_object_get(inv, "active")))) {
		rc = gen >= 0 ? canh_store_vuln_unmark(v->store, agent_id, gen, err) : 0;
		goto out;
	}
	if (rc != 0)
		goto out;

	host.ecosystem = canh_vulnmatch_ecosystem(jstr(inv, "os_id"));
	host.release = jstr(inv, "version_id") ? jstr(inv, "version_id") : jstr(inv, "codename");
	{
		arr = json_object_get(inv, "packages");
		pkgs = canh_xcalloc(json_array_size(arr) + 1, sizeof(*pkgs));
		json_array_foreach(arr, i, e)
		{
			if (!jstr(e, "name") || !jstr(e, "version"))
				continue;
			pkgs[np].manager = jstr(e, "manager");
			pkgs[np].name = jstr(e, "name");
			pkgs[np].version = jstr(e, "version");
			pkgs[np].source = jstr(e, "source");
			pkgs[np].source_version = jstr(e, "source_version");
			np++;
		}
		arr = json_object_get(inv, "software");
		sw = canh_xcalloc(json_array_size(arr) + 1, sizeof(*sw));
		json_array_foreach(arr, i, e)
		{
			if (!jstr(e, "name") || !jstr(e, "version"))
				continue;
			sw[ns].name = jstr(e, "name");
			sw[ns].vendor = jstr(e, "vendor");
			sw[ns].version = jstr(e, "version");
			ns++;
		}
		canh_vulnmatch_host(v->index, &host, pkgs, np, sw, ns, collect_finding, &c);
	}

	nm = json_array_size(c.list);
	m = canh_xcalloc(nm + 1, sizeof(*m));
	json_array_foreach(c.list, i, e)
	{
		m[i].advisory = jstr(e, "advisory");
		m[i].cve = jstr(e, "cve");
		m[i].source = jstr(e, "source");
		m[i].package = jstr(e, "package");
		m[i].source_package = jstr(e, "source_package");
		m[i].kind = jstr(e, "kind");
		m[i].installed = jstr(e, "installed");
		m[i].fixed = jstr(e, "fixed");
		m[i].release = jstr(e, "release");
		m[i].severity = jstr(e, "severity");
		m[i].match = jstr(e, "match");
		m[i].kev_due = jstr(e, "kev_due");
		m[i].kev = json_is_true(json_object_get(e, "kev"));
		m[i].letters = json_object_get(e, "letters");
	}
	rc = canh_store_vuln_apply(v->store, agent_id, gen, m, nm,
				   json_integer_value(json_object_get(inv, "inventory_at")), now,
				   &as, err);
	if (rc == 0 && st) {
		st->hosts++;
		st->findings.opened += as.opened;
		st->findings.still_open += as.still_open;
		st->findings.reopened += as.reopened;
		st->findings.fixed += as.fixed;
		st->findings.accepted += as.accepted;
	}
out:
	json_decref(inv);
	json_decref(c.list);
	json_decref(c.seen);
	free(pkgs);
	free(sw);
	free(m);
	return rc;
}

int canh_vuln_run_pending(struct canh_vuln *v, int64_t now, struct canh_vuln_run_stats *st,
			  struct canh_errmsg *err)
{
	int64_t ids[DIRTY_BATCH], gens[DIRTY_BATCH], t0 = canh_mono_ms(), c0 = thread_cpu_ms(), gen;
	int stale, rc = 0;
	size_t n;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&v->mu);
	stale = v->stale || !v->index;
	pthread_mutex_unlock(&v->mu);
	if (stale && (rc = canh_vuln_rebuild(v, err)) != 0)
		return rc;
	for (;;) {
		if ((rc = canh_store_vuln_dirty_list(v->store, DIRTY_BATCH, ids, gens, &n, err)) !=
		    0)
			break;
		if (n == 0)
			break;
		/*
		 * Read after the marks: an import's transaction both bumps every mark and
		 * adds its generation, so a mark of that import read above means a newer
		 * generation here, and the index is rebuilt before any host is matched
		 * against the old one (whose match would otherwise clear the new mark).
		 */
		if ((rc = canh_store_vuln_generation(v->store, &gen, err)) != 0)
			break;
		if (gen != v->index_gen && (rc = canh_vuln_rebuild(v, err)) != 0)
			break;
		/*
		 * Several hosts per transaction, for at most GROUP_MS: one durable commit
		 * (an fsync) per group instead of per host, while the ingest waits one group
		 * at most. A failed commit loses the group's findings and its marks together,
		 * so the hosts are matched again.
		 */
		for (size_t i = 0; i < n;) {
			int64_t g0 = canh_mono_ms();
			if ((rc = canh_store_begin(v->store, err)) != 0)
				goto out;
			for (; i < n && canh_mono_ms() - g0 < GROUP_MS; i++) {
				int64_t t = now ? now : canh_now_ms();
				if ((rc = canh_vuln_match_host(v, ids[i], gens[i], t, st, err)) !=
				    0) {
					canh_store_rollback(v->store);
					goto out;
				}
			}
			if ((rc = canh_store_commit(v->store, err)) != 0)
				goto out;
		}
		pthread_mutex_lock(&v->mu);
		stale = v->stale || v->stop;
		pthread_mutex_unlock(&v->mu);
		if (stale)
			break; /* a newer import: rebuild before matching more */
	}
out:
	st->ms = canh_mono_ms() - t0;
	st->cpu_ms = thread_cpu_ms() - c0;
	return rc;
}

/* ---- the thread ---- */

static void *vuln_main(void *arg)
{
	struct canh_vuln *v = arg;

	for (;;) {
		struct canh_vuln_run_stats st;
		struct canh_errmsg e;
		struct timespec ts;
		int rc;

		pthread_mutex_lock(&v->mu);
		if (v->stop) {
			pthread_mutex_unlock(&v->mu);
			break;
		}
		v->kicked = 0;
		pthread_mutex_unlock(&v->mu);

		rc = canh_vuln_run_pending(v, 0, &st, &e);
		if (rc != 0)
			canh_error_r(rc, "vulnerability matching: %s", e.text);
		else if (st.hosts)
			canh_info(
			    "matched %zu hosts in %lld ms (%lld ms of CPU): %lld findings opened, "
			    "%lld fixed, %lld reopened",
			    st.hosts, (long long)st.ms, (long long)st.cpu_ms,
			    (long long)st.findings.opened, (long long)st.findings.fixed,
			    (long long)st.findings.reopened);

		/* Marks written by the ingest are found by polling; imports kick. */
		pthread_mutex_lock(&v->mu);
		if (!v->stop && !v->kicked) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += rc != 0 ? 10 : IDLE_WAIT_MS / 1000;
			pthread_cond_timedwait(&v->cond, &v->mu, &ts);
		}
		pthread_mutex_unlock(&v->mu);
	}
	return NULL;
}

int canh_vuln_start(struct canh_vuln *v, struct canh_errmsg *err)
{
	int rc;

	if (v->started)
		return 0;
	v->stop = 0;
	if ((rc = pthread_create(&v->thread, NULL, vuln_main, v)) != 0)
		return canh_errmsg_set(err, CANH_EIO, "cannot start the matching thread: %s",
				       strerror(rc));
	v->started = 1;
	return 0;
}
