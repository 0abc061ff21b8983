/*
 * Hunts and restores asked by canhd (hunt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/fs.h"
#include "canh/httpc.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/quarantine.h"
#include "canh/scan.h"
#include "canh/time.h"
#include "canh/yarac.h"
#include "hunt.h"

#define TASKS_MAX_RESPONSE (4u * 1024 * 1024)
#define RULES_MAX_RESPONSE ((size_t)160 << 20) /* 64 MiB of source, JSON-escaped */
#define PROGRESS_EVERY_MS 5000
#define DONE_KEEP 256
#define LOG_REPEAT_MS 60000

/* ---- what is already done (tasks-done.json) ---- */

static json_t *done_load(const char *dir)
{
	char *path = canh_path_join(dir, "tasks-done.json");
	json_t *j = json_load_file(path, 0, NULL);

	free(path);
	if (!json_is_array(j)) {
		json_decref(j);
		j = json_array();
	}
	return j;
}

static int done_has(const json_t *done, const char *key)
{
	size_t i;
	const json_t *v;

	json_array_foreach(done, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
			return 1;
	}
	return 0;
}

static void done_add(const char *dir, const char *key)
{
	json_t *done = done_load(dir);
	char *path, *text;
	struct canh_errmsg err;

	json_array_append_new(done, json_string(key));
	while (json_array_size(done) > DONE_KEEP)
		json_array_remove(done, 0);
	text = json_dumps(done, JSON_COMPACT);
	path = canh_path_join(dir, "tasks-done.json");
	if (text && canh_file_write_atomic(path, text, strlen(text), 0600, &err) != 0)
		canh_warn("cannot record a finished task: %s", err.text);
	free(path);
	free(text);
	json_decref(done);
}

/* ---- messages ---- */

static void spool(struct canh_agent *a, const char *type, json_t *data)
{
	char tbuf[CANH_TIME_BUFSZ];
	json_t *m = json_object();
	char *text;
	int rc;

	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "time",
			    json_string(canh_time_format(canh_now_ms(), tbuf, sizeof(tbuf))));
	json_object_set_new(m, "data", data);
	text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!text) {
		canh_error("cannot encode a %s message", type);
		return;
	}
	if ((rc = canh_agent_spool_append(a, text, strlen(text), NULL)) != 0)
		canh_error_r(rc, "cannot spool a %s message", type);
	free(text);
}

/* ---- HTTP ---- */

static void http_opts(const struct canh_agent *a, struct canh_httpc_opts *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->base_url = a->id.server;
	o->pin_sha256 = a->id.fingerprint;
	o->bearer = a->id.credential;
	o->connect_timeout_ms = (long)a->cfg.connect_timeout;
	o->timeout_ms = (long)a->cfg.request_timeout;
	o->max_response = max;
	o->cancel = a->stop;
}

static int get_json(struct canh_agent *a, const char *path, size_t max, json_t **out,
		    struct canh_errmsg *err)
{
	struct canh_httpc_opts o;
	struct canh_http_resp r;
	json_error_t je;
	int rc;

	*out = NULL;
	http_opts(a, &o, max);
	canh_http_resp_init(&r);
	rc = canh_httpc_request(&o, "GET", path, NULL, NULL, 0, &r, err);
	if (rc == 0 && r.status != 200)
		rc = canh_errmsg_set(err, CANH_EHTTP, "GET %s: the server answered %ld", path,
				     r.status);
	if (rc == 0) {
		*out = json_loadb(canh_buf_cstr(&r.body), r.body.len, 0, &je);
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			rc = canh_errmsg_set(err, CANH_EPARSE, "GET %s: not a JSON object", path);
		}
	}
	canh_http_resp_release(&r);
	return rc;
}

/*
 * The source of a rule set or hash list named by ref {"name","version","sha256"}, checked
 * against the SHA-256 the task gave. *src is malloc'd.
 */
static int fetch_set(struct canh_agent *a, const json_t *ref, char **src, size_t *len,
		     struct canh_errmsg *err)
{
	const char *name = json_string_value(json_object_get(ref, "name"));
	const char *want = json_string_value(json_object_get(ref, "sha256"));
	json_int_t ver = json_integer_value(json_object_get(ref, "version"));
	char path[256], got[CANH_SHA256_HEX];
	json_t *j = NULL;
	const json_t *s;
	int rc;

	*src = NULL;
	if (!name || !want || ver <= 0 || strlen(name) > 64)
		return canh_errmsg_set(err, CANH_EPARSE, "the task names no usable rule set");
	snprintf(path, sizeof(path), "/api/v1/agent/rules/%s/%" JSON_INTEGER_FORMAT, name, ver);
	if ((rc = get_json(a, path, RULES_MAX_RESPONSE, &j, err)) != 0)
		return rc;
	s = json_object_get(j, "source");
	if (!json_is_string(s)) {
		json_decref(j);
		return canh_errmsg_set(
		    err, CANH_EPARSE,
		    "%s version %" JSON_INTEGER_FORMAT ": no source in the answer", name, ver);
	}
	canh_sha256_hex(json_string_value(s), json_string_length(s), got);
	if (strcmp(got, want) != 0) {
		json_decref(j);
		return canh_errmsg_set(err, CANH_ECORRUPT,
				       "%s version %" JSON_INTEGER_FORMAT
				       ": SHA-256 %s, the task says %s",
				       name, ver, got, want);
	}
	*len = json_string_length(s);
	*src = canh_xmalloc(*len + 1);
	memcpy(*src, json_string_value(s), *len);
	(*src)[*len] = '\0';
	json_decref(j);
	return 0;
}

/* ---- a hunt ---- */

struct hunt {
	struct canh_agent *a;
	json_int_t id, run;
	int quarantine;
	const char *rules_name, *hashes_name;
	json_int_t rules_ver, hashes_ver;
	char *qdir;
	uint64_t files, bytes, detections;
	int64_t last_progress;
	char last_path[4096]; /* the file last quarantined and its id: several rules, one move */
	char last_qid[CANH_QUARANTINE_ID_LEN + 1];
	int last_failed;
};

static void progress(struct hunt *h, const char *state, const char *error)
{
	json_t *d = json_pack("{s:I,s:I,s:s,s:I,s:I,s:I}", "hunt", h->id, "run", h->run, "state",
			      state, "files", (json_int_t)h->files, "bytes", (json_int_t)h->bytes,
			      "detections", (json_int_t)h->detections);
	if (error)
		json_object_set_new(d, "error", json_string(error));
	spool(h->a, "hunt_progress", d);
	h->last_progress = canh_mono_ms();
}

static void on_progress(void *ctx, uint64_t files, uint64_t bytes)
{
	struct hunt *h = ctx;

	h->files = files;
	h->bytes = bytes;
	if (canh_mono_ms() - h->last_progress >= PROGRESS_EVERY_MS)
		progress(h, "running", NULL);
}

static const char *hash_name(enum canh_scan_kind k)
{
	return k == CANH_SCAN_DET_MD5 ? "md5" : k == CANH_SCAN_DET_SHA1 ? "sha1" : "sha256";
}

static void on_detection(void *ctx, const struct canh_scan_detection *d)
{
	struct hunt *h = ctx;
	struct canh_quarantine_item it;
	struct canh_errmsg err;
	char ioc[128];
	const char *what = d->name;
	const char *action = "none";
	json_t *m;

	h->detections++;
	if (d->kind != CANH_SCAN_DET_RULE) {
		const char *hex = d->kind == CANH_SCAN_DET_MD5	  ? d->md5
				  : d->kind == CANH_SCAN_DET_SHA1 ? d->sha1
								  : d->sha256;
		snprintf(ioc, sizeof(ioc), "%s:%s%s%.40s", hash_name(d->kind), hex,
			 d->name && d->name[0] ? " " : "", d->name ? d->name : "");
		what = ioc;
	}
	m = json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:s}", "hunt", h->id, "run", h->run, "path",
		      d->path, "size", (json_int_t)d->size, "md5", d->md5, "sha1", d->sha1,
		      "sha256", d->sha256);
	if (d->kind == CANH_SCAN_DET_RULE) {
		json_object_set_new(m, "rule", json_string(d->name));
		if (h->rules_name) {
			json_object_set_new(m, "rules", json_string(h->rules_name));
			json_object_set_new(m, "rules_version", json_integer(h->rules_ver));
		}
	} else {
		json_object_set_new(m, "ioc", json_string(ioc));
		if (h->hashes_name) {
			json_object_set_new(m, "rules", json_string(h->hashes_name));
			json_object_set_new(m, "rules_version", json_integer(h->hashes_ver));
		}
	}
	if (d->cached)
		json_object_set_new(m, "cached", json_true());
	if (h->quarantine) {
		if (strcmp(h->last_path, d->path) == 0) {
			action = h->last_failed ? "failed" : "quarantined";
		} else if (canh_quarantine_file(h->qdir, d->path, what, &it, &err) == 0) {
			canh_strlcpy(h->last_path, d->path, sizeof(h->last_path));
			canh_strlcpy(h->last_qid, it.id, sizeof(h->last_qid));
			h->last_failed = 0;
			action = "quarantined";
			char tbuf[CANH_TIME_BUFSZ];
			json_t *q = json_pack(
			    "{s:s,s:s,s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "event", "quarantined",
			    "id", it.id, "hunt", h->id, "path", it.path, "size",
			    (json_int_t)it.size, "mode", (json_int_t)(it.mode & 07777), "md5",
			    it.md5, "sha1", it.sha1, "sha256", it.sha256, "rule",
			    it.rule ? it.rule : "", "quarantined_at",
			    canh_time_format(it.quarantined_ms, tbuf, sizeof(tbuf)));
			spool(h->a, "quarantine_event", q);
			canh_info("hunt %" JSON_INTEGER_FORMAT ": '%s' quarantined as %s (%s)",
				  h->id, d->path, it.id, what);
			canh_quarantine_item_release(&it);
		} else {
			canh_strlcpy(h->last_path, d->path, sizeof(h->last_path));
			h->last_qid[0] = '\0';
			h->last_failed = 1;
			action = "failed";
			json_object_set_new(m, "error", json_string(err.text));
			canh_warn("hunt %" JSON_INTEGER_FORMAT ": cannot quarantine '%s': %s",
				  h->id, d->path, err.text);
		}
		if (!h->last_failed && h->last_qid[0])
			json_object_set_new(m, "quarantine_id", json_string(h->last_qid));
	}
	json_object_set_new(m, "action", json_string(action));
	spool(h->a, "detection", m);
	canh_warn("hunt %" JSON_INTEGER_FORMAT ": %s in '%s' (action: %s)", h->id, what, d->path,
		  action);
}

static void on_skip(void *ctx, const char *path, enum canh_scan_skip why, const char *message)
{
	(void)ctx;
	(void)why;
	canh_debug("not scanned: '%s': %s", path, message);
}

static int run_hunt(struct canh_agent *a, const json_t *t, struct canh_errmsg *err)
{
	const json_t *rref = json_object_get(t, "rules"), *href = json_object_get(t, "hashes");
	const json_t *jpaths = json_object_get(t, "paths"), *p;
	struct canh_scan_rules *rules = NULL;
	struct canh_scan_hashset *hashes = NULL;
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct hunt h;
	const char **paths = NULL;
	size_t np = 0, i;
	char *src = NULL, *cache = NULL, *tmp = NULL;
	size_t len = 0;
	int rc;

	memset(&h, 0, sizeof(h));
	h.a = a;
	h.id = json_integer_value(json_object_get(t, "hunt"));
	h.run = json_integer_value(json_object_get(t, "run"));
	h.quarantine = json_is_true(json_object_get(t, "quarantine"));
	h.qdir = canh_path_join(a->dir, "quarantine");
	canh_info("hunt %" JSON_INTEGER_FORMAT " (run %" JSON_INTEGER_FORMAT ") starts", h.id,
		  h.run);
	progress(&h, "running", NULL);

	if (json_is_object(rref)) {
		if ((rc = fetch_set(a, rref, &src, &len, err)) != 0)
			goto fetch_failed;
		h.rules_name = json_string_value(json_object_get(rref, "name"));
		h.rules_ver = json_integer_value(json_object_get(rref, "version"));
		char fname[96];
		snprintf(fname, sizeof(fname), "%s.yar", h.rules_name);
		struct canh_yarac_source s = {.name = fname, .data = src, .len = len};
		if ((rc = canh_yarac_compile_sources(&s, 1, &rules, NULL, NULL, err)) != 0)
			goto out;
		free(src);
		src = NULL;
	}
	if (json_is_object(href)) {
		if ((rc = fetch_set(a, href, &src, &len, err)) != 0)
			goto fetch_failed;
		h.hashes_name = json_string_value(json_object_get(href, "name"));
		h.hashes_ver = json_integer_value(json_object_get(href, "version"));
		tmp = canh_path_join(a->dir, "hunt-hashes.txt");
		hashes = canh_scan_hashset_new();
		if ((rc = canh_file_write_atomic(tmp, src, len, 0600, err)) != 0 ||
		    (rc = canh_scan_hashset_add_file(hashes, tmp, NULL, err)) != 0)
			goto out;
		canh_scan_hashset_seal(hashes);
	}
	if (!rules && !hashes) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "the task has neither rules nor hashes");
		goto out;
	}
	paths = canh_xcalloc(json_array_size(jpaths) + 1, sizeof(*paths));
	json_array_foreach(jpaths, i, p)
	{
		/* A default path this host does not have is not an error of the hunt. */
		if (json_is_string(p) && access(json_string_value(p), F_OK) == 0)
			paths[np++] = json_string_value(p);
	}
	if (np == 0) {
		rc = canh_errmsg_set(err, CANH_ENOENT, "none of the hunt's paths exists here");
		goto out;
	}
	cache = canh_path_join(a->dir, "scan-cache");
	canh_scan_opts_init(&o);
	o.threads = (unsigned)a->cfg.hunt_threads;
	o.max_file_size = (uint64_t)a->cfg.hunt_max_file_size;
	o.timeout_ms = (unsigned)a->cfg.hunt_timeout;
	o.cache_path = cache;
	o.nice = (int)a->cfg.hunt_nice;
	o.ionice_idle = a->cfg.hunt_ionice_idle;
	o.pause_ratio = (double)a->cfg.hunt_cpu_percent / 100.0;
	o.one_file_system = 0;
	o.ctx = &h;
	o.on_detection = on_detection;
	o.on_progress = on_progress;
	o.on_skip = on_skip;
	o.cancel = a->stop;
	/* Never scan the agent's own quarantine and state. */
	const char *excl[] = {a->dir};
	o.exclude = excl;
	o.nexclude = 1;
	rc = canh_scan_run(rules, hashes, paths, np, &o, &st, err);
	h.files = st.files;
	h.bytes = st.bytes;
	if (rc == CANH_EIO && st.files) {
		canh_warn("hunt %" JSON_INTEGER_FORMAT ": %s", h.id, err->text);
		rc = 0; /* the cache could not be written: the scan itself ran */
	}
	goto out;
fetch_failed:
	/* The server or the network failed us, not the hunt: try again at the next poll. */
	if (rc != CANH_ECORRUPT && rc != CANH_EPARSE) {
		canh_warn("hunt %" JSON_INTEGER_FORMAT ": %s (will retry)", h.id, err->text);
		rc = CANH_EAGAIN;
		goto release;
	}
out:
	if (rc == CANH_EAGAIN && __atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		canh_info("hunt %" JSON_INTEGER_FORMAT " interrupted: it runs again at the next "
			  "start",
			  h.id);
	} else if (rc == 0) {
		progress(&h, "done", NULL);
		canh_info("hunt %" JSON_INTEGER_FORMAT " done: %" PRIu64 " files, %" PRIu64
			  " bytes, %" PRIu64 " detection(s)",
			  h.id, h.files, h.bytes, h.detections);
	} else {
		progress(&h, "failed", err->text);
		canh_warn("hunt %" JSON_INTEGER_FORMAT " failed: %s", h.id, err->text);
	}
release:
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(cache);
	free(paths);
	free(src);
	free(h.qdir);
	canh_scan_rules_free(rules);
	canh_scan_hashset_free(hashes);
	return rc;
}

static int run_restore(struct canh_agent *a, const json_t *t, struct canh_errmsg *err)
{
	const char *qid = json_string_value(json_object_get(t, "qid"));
	char *qdir = canh_path_join(a->dir, "quarantine");
	json_t *d;
	int rc;

	if (!qid || strlen(qid) != CANH_QUARANTINE_ID_LEN || strchr(qid, '/')) {
		free(qdir);
		return canh_errmsg_set(err, CANH_EINVAL, "restore task without a valid id");
	}
	rc = canh_quarantine_restore(qdir, qid, NULL, 0, err);
	free(qdir);
	d = json_pack("{s:s,s:s}", "event", rc == 0 ? "restored" : "restore_failed", "id", qid);
	if (rc != 0)
		json_object_set_new(d, "error", json_string(err->text));
	spool(a, "quarantine_event", d);
	if (rc == 0)
		canh_info("quarantined file %s restored", qid);
	else
		canh_warn("cannot restore quarantined file %s: %s", qid, err->text);
	return rc;
}

int canh_agent_task_run(struct canh_agent *a, const json_t *task, struct canh_errmsg *err)
{
	const char *kind = json_string_value(json_object_get(task, "kind"));

	if (kind && strcmp(kind, "hunt") == 0)
		return run_hunt(a, task, err);
	if (kind && strcmp(kind, "restore") == 0)
		return run_restore(a, task, err);
	return canh_errmsg_set(err, CANH_EINVAL, "unknown task kind '%.32s'", kind ? kind : "");
}

/* The key a task is remembered by once done: "hunt:ID:RUN" or "restore:ID:QID". */
static int task_key(const json_t *t, char *buf, size_t len)
{
	const char *kind = json_string_value(json_object_get(t, "kind"));

	if (kind && strcmp(kind, "hunt") == 0)
		snprintf(buf, len, "hunt:%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(t, "hunt")),
			 json_integer_value(json_object_get(t, "run")));
	else if (kind && strcmp(kind, "restore") == 0)
		snprintf(buf, len, "restore:%" JSON_INTEGER_FORMAT ":%.40s",
			 json_integer_value(json_object_get(t, "id")),
			 json_string_value(json_object_get(t, "qid"))
			     ? json_string_value(json_object_get(t, "qid"))
			     : "");
	else
		return -1;
	return 0;
}

void *canh_agent_tasks_main(void *arg)
{
	struct canh_agent *a = arg;
	int64_t logged = 0;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		struct canh_errmsg err;
		json_t *j = NULL, *done;
		const json_t *tasks, *t;
		size_t i;

		err.text[0] = '\0';
		if (get_json(a, "/api/v1/agent/tasks", TASKS_MAX_RESPONSE, &j, &err) != 0) {
			int64_t now = canh_mono_ms();
			if (!__atomic_load_n(a->stop, __ATOMIC_RELAXED) &&
			    (logged == 0 || now - logged >= LOG_REPEAT_MS)) {
				canh_warn("cannot ask the server for tasks: %s", err.text);
				logged = now;
			}
			canh_sleep_ms(a->cfg.task_poll_interval, a->stop);
			continue;
		}
		logged = 0;
		tasks = json_object_get(j, "tasks");
		done = done_load(a->dir);
		json_array_foreach(tasks, i, t)
		{
			char key[128];
			if (__atomic_load_n(a->stop, __ATOMIC_RELAXED))
				break;
			if (task_key(t, key, sizeof(key)) != 0 || done_has(done, key))
				continue;
			err.text[0] = '\0';
			int rc = canh_agent_task_run(a, t, &err);
			/* Interrupted by a stop: run again at the next start. */
			if (rc == CANH_EAGAIN && __atomic_load_n(a->stop, __ATOMIC_RELAXED))
				break;
			/* Not started for want of the server: asked again at the next poll. */
			if (rc == CANH_EAGAIN)
				continue;
			done_add(a->dir, key);
			json_array_append_new(done, json_string(key));
		}
		json_decref(done);
		json_decref(j);
		canh_sleep_ms(a->cfg.task_poll_interval, a->stop);
	}
	return NULL;
}
