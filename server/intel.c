/*
 * canhd's threat intelligence: the address sets in memory, the import of a feed and the botnet
 * report (intel.h, docs/intel.md).
 *
 * A set is a canh_ipset in a canh_ipset_slot, its refs the entries' row ids. A lookup acquires
 * the set, collects the refs covering the address, releases it, and reads each hit's details
 * from the store by row id, keeping only entries of active versions; a reload builds the new
 * set off to the side and swaps it in.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/ipset.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "canh/utf8.h"
#include "flows.h"
#include "intel.h"
#include "server.h"

struct canh_intel {
	struct canh_store *store;
	pthread_mutex_t reload_mu;	 /* one reload at a time */
	struct canh_ipset_slot *sets[2]; /* by enum canh_intel_kind */
};

struct load_ctx {
	struct canh_ipset_builder *b;
	size_t skipped;
};

static int load_one(void *ctx, const struct canh_intel_ip_entry *e)
{
	struct load_ctx *lc = ctx;
	int rc;

	/* Refs are row ids; one past CANH_IPSET_REF_MAX would need two billion imports. */
	if (e->id < 0 || e->id > (int64_t)CANH_IPSET_REF_MAX) {
		lc->skipped++;
		return 0;
	}
	rc = canh_ipset_add_range(lc->b, &e->lo, &e->hi, (uint32_t)e->id);
	if (rc == CANH_EINVAL) {
		lc->skipped++;
		return 0;
	}
	return rc;
}

int canh_intel_reload(struct canh_intel *in, enum canh_intel_kind kind, struct canh_errmsg *err)
{
	struct load_ctx lc;
	struct canh_ipset *ipset = NULL;
	struct canh_ipset_stats st;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.b = canh_ipset_builder_new();
	CANH_BUG_ON(pthread_mutex_lock(&in->reload_mu) != 0);
	rc = canh_store_intel_ip_entries(in->store, kind, load_one, &lc, err);
	if (rc == CANH_ETOOBIG || rc == CANH_ERANGE)
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "more %s entries than a set holds",
				     canh_intel_kind_name(kind));
	if (rc != 0) {
		canh_ipset_builder_free(lc.b);
		goto out;
	}
	if ((rc = canh_ipset_build(lc.b, &ipset, err)) != 0)
		goto out;
	canh_ipset_stats(ipset, &st);
	canh_ipset_slot_swap(in->sets[kind], ipset);
	canh_debug("intel: %s set rebuilt, %zu entries (%zu skipped), %zu bytes",
		   canh_intel_kind_name(kind), st.entries, lc.skipped, st.bytes);
out:
	CANH_BUG_ON(pthread_mutex_unlock(&in->reload_mu) != 0);
	return rc;
}

int canh_intel_new(struct canh_store *store, struct canh_intel **out, struct canh_errmsg *err)
{
	struct canh_intel *in = canh_xcalloc(1, sizeof(*in));
	int rc;

	*out = NULL;
	in->store = store;
	pthread_mutex_init(&in->reload_mu, NULL);
	for (int k = 0; k < 2; k++)
		in->sets[k] = canh_ipset_slot_new(NULL);
	for (int k = 0; k < 2; k++) {
		if ((rc = canh_intel_reload(in, (enum canh_intel_kind)k, err)) != 0) {
			canh_intel_free(in);
			return rc;
		}
	}
	*out = in;
	return 0;
}

void canh_intel_free(struct canh_intel *in)
{
	if (!in)
		return;
	for (int k = 0; k < 2; k++)
		canh_ipset_slot_free(in->sets[k]);
	pthread_mutex_destroy(&in->reload_mu);
	free(in);
}

#define LOOKUP_REFS 64

static size_t lookup(struct canh_intel *in, enum canh_intel_kind kind, const struct canh_ipaddr *a,
		     struct canh_intel_hit *hits, size_t max)
{
	struct canh_ipset_slot *slot = in->sets[kind];
	const struct canh_ipset *ipset;
	uint32_t refs[LOOKUP_REFS];
	size_t n, out = 0;

	ipset = canh_ipset_slot_acquire(slot);
	n = ipset ? canh_ipset_lookup_all(ipset, a, refs, LOOKUP_REFS) : 0;
	canh_ipset_slot_release(slot, ipset);
	if (n > LOOKUP_REFS)
		n = LOOKUP_REFS;
	for (size_t i = 0; i < n && out < max; i++) {
		struct canh_errmsg e;
		int rc = canh_store_intel_hit(in->store, refs[i], &hits[out], &e);

		if (rc == 0)
			out++;
		else if (rc != CANH_ENOENT)
			canh_error("intel: lookup of entry %u: %s", refs[i], e.text);
	}
	return out;
}

size_t canh_intel_lookup_c2(struct canh_intel *in, const struct canh_ipaddr *a,
			    struct canh_intel_hit *hits, size_t max)
{
	return in ? lookup(in, CANH_INTEL_C2, a, hits, max) : 0;
}

size_t canh_intel_lookup_victim(struct canh_intel *in, const struct canh_ipaddr *a,
				struct canh_intel_hit *hits, size_t max)
{
	return in ? lookup(in, CANH_INTEL_VICTIM, a, hits, max) : 0;
}

void canh_intel_counts(struct canh_intel *in, size_t *c2, size_t *victim)
{
	size_t n[2] = {0, 0};

	for (int k = 0; in && k < 2; k++) {
		const struct canh_ipset *set = canh_ipset_slot_acquire(in->sets[k]);
		struct canh_ipset_stats st = {0};

		if (set)
			canh_ipset_stats(set, &st);
		canh_ipset_slot_release(in->sets[k], set);
		n[k] = st.entries;
	}
	if (c2)
		*c2 = n[CANH_INTEL_C2];
	if (victim)
		*victim = n[CANH_INTEL_VICTIM];
}

/* ---- import ---- */

static const char *const type_keys[] = {"ip", "domain", "url", "md5", "sha1", "sha256"};

struct import_ctx {
	struct canh_store_intel_import *imp;
	json_t *rejects; /* the first CANH_INTEL_ANSWER_REJECTS */
	struct canh_errmsg err;
	int failed;
	int64_t entries;
	char first_reject[600];
};

static int on_entry(void *ctx, const struct canh_feed_entry *e)
{
	struct import_ctx *ic = ctx;

	if (canh_store_intel_import_entry(ic->imp, e, &ic->err) != 0) {
		ic->failed = 1;
		return 1;
	}
	ic->entries++;
	return 0;
}

static void on_reject(void *ctx, uint32_t line, const char *cell, const char *reason)
{
	struct import_ctx *ic = ctx;
	char why[512];

	if (ic->failed)
		return;
	/* The reason may quote bytes of the file: keep it printable and valid UTF-8. */
	canh_log_escape(why, sizeof(why), reason ? reason : "", reason ? strlen(reason) : 0);
	if (!cell || !canh_utf8_valid(cell, strlen(cell)))
		cell = "";
	if (!ic->first_reject[0]) {
		if (cell[0])
			snprintf(ic->first_reject, sizeof(ic->first_reject), "line %u, cell %s: %s",
				 line, cell, why);
		else
			snprintf(ic->first_reject, sizeof(ic->first_reject), "line %u: %s", line,
				 why);
	}
	if (json_array_size(ic->rejects) < CANH_INTEL_ANSWER_REJECTS) {
		json_t *o = json_object();
		json_object_set_new(o, "line", json_integer(line));
		json_object_set_new(o, "cell", cell[0] ? json_string(cell) : json_null());
		json_object_set_new(o, "reason", json_string(why));
		json_array_append_new(ic->rejects, o);
	}
	if (canh_store_intel_import_reject(ic->imp, line, cell, why, &ic->err) != 0)
		ic->failed = 1;
}

/* The answer for a file identical to the active version. */
static int unchanged_answer(struct canh_server *srv, const struct canh_intel_import_req *req,
			    int64_t version, json_t **result, struct canh_errmsg *err)
{
	json_t *f = NULL, *a, *o, *rejects;
	int rc = canh_store_intel_feed_get(srv->store, req->name, &f, err);

	if (rc != 0)
		return rc;
	a = json_object_get(f, "active");
	o = json_object();
	json_object_set_new(o, "feed", json_string(req->name));
	json_object_set_new(o, "kind", json_string(canh_intel_kind_name(req->kind)));
	json_object_set_new(o, "version", json_integer(version));
	json_object_set_new(o, "unchanged", json_true());
	json_object_set(o, "format", json_object_get(a, "format"));
	json_object_set(o, "entries", json_object_get(a, "entries"));
	json_object_set(o, "rejected", json_object_get(a, "rejected"));
	rejects = json_object_get(f, "rejects");
	while (json_array_size(rejects) > CANH_INTEL_ANSWER_REJECTS)
		json_array_remove(rejects, json_array_size(rejects) - 1);
	json_object_set(o, "rejects", rejects);
	json_decref(f);
	*result = o;
	return 0;
}

int canh_intel_import(struct canh_server *srv, const struct canh_intel_import_req *req,
		      json_t **result, struct canh_errmsg *err)
{
	struct canh_intel_import_in in;
	struct canh_intel_import_out out;
	struct canh_feed_sink sink;
	struct canh_feed_stats fst;
	struct import_ctx ic;
	enum canh_feed_format fmt = req->format;
	int64_t unchanged = 0, t0 = canh_mono_ms();
	json_t *o, *n;
	int rc;

	*result = NULL;
	memset(&ic, 0, sizeof(ic));
	memset(&in, 0, sizeof(in));
	if (fmt == CANH_FEED_AUTO)
		fmt = canh_feed_detect(req->data, req->len, req->filename);
	in.name = req->name;
	in.kind = req->kind;
	in.filename = req->filename;
	in.format = canh_feed_format_name(fmt);
	in.size = (int64_t)req->len;
	in.now = canh_now_ms();
	in.actor = req->actor;
	if (canh_sha256_hex(req->data, req->len, in.sha256) != 0)
		return canh_errmsg_set(err, CANH_ECRYPTO, "cannot hash the feed");

	rc = canh_store_intel_import_begin(srv->store, &in, &ic.imp, &unchanged, err);
	if (rc != 0)
		return rc;
	if (!ic.imp)
		return unchanged_answer(srv, req, unchanged, result, err);

	ic.rejects = json_array();
	sink.ctx = &ic;
	sink.entry = on_entry;
	sink.reject = on_reject;
	rc = canh_feed_parse(req->data, req->len, fmt, req->filename, &sink, &fst, err);
	if (ic.failed) {
		canh_store_intel_import_abort(ic.imp);
		json_decref(ic.rejects);
		*err = ic.err;
		return CANH_ESTORE;
	}
	if (rc != 0) {
		canh_store_intel_import_abort(ic.imp);
		json_decref(ic.rejects);
		return rc < 0 ? rc : CANH_EPARSE;
	}
	if (ic.entries == 0) {
		canh_store_intel_import_abort(ic.imp);
		json_decref(ic.rejects);
		*result = json_pack("{s:I,s:s}", "rejected", (json_int_t)fst.rejected, "first",
				    ic.first_reject);
		return canh_errmsg_set(err, CANH_ENOENT,
				       "no entry in the file (%llu rows rejected)",
				       (unsigned long long)fst.rejected);
	}
	rc = canh_store_intel_import_commit(ic.imp, &fst, &out, err);
	if (rc != 0) {
		json_decref(ic.rejects);
		return rc;
	}
	canh_info("intel: feed '%s' (%s) version %lld imported from '%s' (%s, %zu bytes): %lld "
		  "entries, %lld rejected, in %lld ms",
		  req->name, canh_intel_kind_name(req->kind), (long long)out.version,
		  req->filename ? req->filename : "", in.format, req->len, (long long)ic.entries,
		  (long long)out.rejected, (long long)(canh_mono_ms() - t0));

	o = json_object();
	json_object_set_new(o, "feed", json_string(req->name));
	json_object_set_new(o, "kind", json_string(canh_intel_kind_name(req->kind)));
	json_object_set_new(o, "version", json_integer(out.version));
	json_object_set_new(o, "previous", out.previous ? json_integer(out.previous) : json_null());
	json_object_set_new(o, "unchanged", json_false());
	json_object_set_new(o, "format", json_string(in.format));
	n = json_object();
	for (int i = 0; i < 6; i++)
		json_object_set_new(n, type_keys[i], json_integer(out.by_type[i]));
	json_object_set_new(n, "total", json_integer(ic.entries));
	json_object_set_new(o, "entries", n);
	json_object_set_new(o, "rejected", json_integer(out.rejected));
	json_object_set_new(o, "rejects", ic.rejects);
	if (req->kind == CANH_INTEL_VICTIM)
		json_object_set_new(o, "victim_matches", json_integer(out.victim_matches));
	*result = o;

	/* The import is committed: what follows only brings memory and alerts up to date, and is
	   logged, not answered, when it fails (the next import or restart redoes it). */
	if (canh_intel_reload(srv->intel, req->kind, &ic.err) != 0)
		canh_error("intel: cannot rebuild the %s set: %s", canh_intel_kind_name(req->kind),
			   ic.err.text);
	else if (req->kind == CANH_INTEL_C2 && canh_flows_retrohunt(srv, 0, &ic.err) != 0)
		canh_error("intel: retro-hunt after '%s' failed: %s", req->name, ic.err.text);
	return 0;
}

/* ---- botnet report ---- */

/* Candidates for one listed address (canh_flows_pinpoint): only a single address is an egress. */
static json_t *candidates(struct canh_server *srv, const json_t *addr)
{
	const char *value = json_string_value(json_object_get(addr, "address"));
	const char *family = json_string_value(json_object_get(addr, "family"));
	const char *seen = json_string_value(json_object_get(addr, "seen"));
	const char *last = json_string_value(json_object_get(addr, "last"));
	int port = (int)json_integer_value(json_object_get(addr, "port"));
	struct canh_ipaddr a;
	struct canh_errmsg e;
	json_t *c = NULL;
	int64_t t = 0;

	if (!value || canh_ip_parse(value, &a) != 0)
		return json_array();
	if (!(seen && canh_time_parse(seen, &t) == 0) && !(last && canh_time_parse(last, &t) == 0))
		t = canh_now_ms();
	if (canh_flows_pinpoint(srv, &a, t, 0, family, port, &c, &e) != 0) {
		canh_error("botnet report: pinpointing %s failed: %s", value, e.text);
		return json_array();
	}
	return c ? c : json_array();
}

int canh_intel_botnet_report(struct canh_server *srv, const char *code, json_t **out,
			     struct canh_errmsg *err)
{
	json_t *units = NULL, *o, *u, *a;
	size_t i, j, naddr = 0, nhosts = 0;
	int stale = 0, rc;

	*out = NULL;
	if ((rc = canh_store_intel_victims_stale(srv->store, &stale, err)) != 0)
		return rc;
	if (stale && (rc = canh_store_intel_victims_rematch(srv->store, canh_now_ms(), NULL, err)))
		return rc;
	if ((rc = canh_store_intel_victims(srv->store, code, &units, err)) != 0)
		return rc;
	json_array_foreach(units, i, u)
	{
		json_array_foreach(json_object_get(u, "addresses"), j, a)
		{
			json_t *c = candidates(srv, a);
			nhosts += json_array_size(c);
			json_object_set_new(a, "candidates", c);
			naddr++;
		}
	}
	o = json_object();
	json_object_set_new(o, "unit", code ? json_string(code) : json_null());
	json_object_set_new(o, "units", units);
	json_object_set_new(o, "totals",
			    json_pack("{s:I,s:I,s:I}", "units", (json_int_t)json_array_size(units),
				      "addresses", (json_int_t)naddr, "candidates",
				      (json_int_t)nhosts));
	*out = o;
	return 0;
}
