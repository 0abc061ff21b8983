/*
 * canh scan: a local one-shot scan with YARA rules and hash IOCs, without a
 * server (docs/scan.md). Output like yara / clamscan: one line per
 * detection, "PATH: RULE (SHA-256)", then a summary; with --json one object
 * per detection and a final summary object.
 *
 * Exit status, as clamscan's: 0 nothing found, 1 detections, 2 error.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/config.h"
#include "canh/mem.h"
#include "canh/quarantine.h"
#include "canh/scan.h"
#include "canh/yarac.h"
#include "cli.h"
#include "table.h"

enum {
	O_RULES = 1,
	O_HASHES,
	O_NO_RULES,
	O_THREADS,
	O_CACHE,
	O_MAX_SIZE,
	O_TIMEOUT,
	O_EXCLUDE,
	O_SCAN_NETWORK,
	O_ONE_FS,
	O_FOLLOW,
	O_NICE,
	O_PAUSE,
	O_QUARANTINE,
};

static const struct canh_cli_opt scan_opts[] = {
    {"rules", 'r', 1, O_RULES},
    {"hashes", 0, 1, O_HASHES},
    {"no-rules", 0, 0, O_NO_RULES},
    {"threads", 'p', 1, O_THREADS},
    {"cache", 0, 1, O_CACHE},
    {"max-size", 0, 1, O_MAX_SIZE},
    {"timeout", 0, 1, O_TIMEOUT},
    {"exclude", 0, 1, O_EXCLUDE},
    {"scan-network", 0, 0, O_SCAN_NETWORK},
    {"one-file-system", 'x', 0, O_ONE_FS},
    {"follow-symlinks", 0, 0, O_FOLLOW},
    {"nice", 0, 1, O_NICE},
    {"pause-ratio", 0, 1, O_PAUSE},
    {"quarantine", 0, 1, O_QUARANTINE},
    {NULL, 0, 0, 0},
};

#define MAX_VALUES 256
#define MAX_QUARANTINE 100000

static volatile int scan_cancel;

static void on_sigint(int sig)
{
	(void)sig;
	scan_cancel = 1;
}

struct scan_run {
	struct canh_cli *c;
	char **infected; /* distinct paths, for --quarantine */
	char **rule;	 /* the first detection of each */
	size_t ninfected, cap;
	const char *last; /* the last infected path seen */
	int quarantine;
};

static const char *kind_label(enum canh_scan_kind k)
{
	switch (k) {
	case CANH_SCAN_DET_MD5:
		return "MD5";
	case CANH_SCAN_DET_SHA1:
		return "SHA-1";
	case CANH_SCAN_DET_SHA256:
		return "SHA-256";
	default:
		return "YARA";
	}
}

/* A JSON string of outside bytes: as they are when UTF-8, escaped otherwise. */
static json_t *jtext(const char *s)
{
	json_t *v = json_string(s);

	if (v == NULL) {
		char *safe = canh_cli_sanitize(s, 16384);

		v = json_string(safe);
		free(safe);
	}
	return v != NULL ? v : json_string("");
}

static void on_detection(void *ctx, const struct canh_scan_detection *d)
{
	struct scan_run *r = ctx;
	struct canh_cli *c = r->c;

	if (c->json) {
		json_t *o = json_object();
		char *line;

		json_object_set_new(o, "type", json_string("detection"));
		json_object_set_new(o, "path", jtext(d->path));
		if (d->kind == CANH_SCAN_DET_RULE) {
			json_object_set_new(o, "rule", jtext(d->name));
		} else {
			const char *h = d->kind == CANH_SCAN_DET_MD5	? d->md5
					: d->kind == CANH_SCAN_DET_SHA1 ? d->sha1
									: d->sha256;

			json_object_set_new(o, "ioc", json_string(h));
			json_object_set_new(o, "ioc_type",
					    json_string(d->kind == CANH_SCAN_DET_MD5 ? "md5"
							: d->kind == CANH_SCAN_DET_SHA1
							    ? "sha1"
							    : "sha256"));
			if (d->name[0] != '\0')
				json_object_set_new(o, "ioc_name", jtext(d->name));
		}
		json_object_set_new(o, "md5", json_string(d->md5));
		json_object_set_new(o, "sha1", json_string(d->sha1));
		json_object_set_new(o, "sha256", json_string(d->sha256));
		json_object_set_new(o, "size", json_integer((json_int_t)d->size));
		json_object_set_new(o, "cached", json_boolean(d->cached));
		if (d->rules_version[0] != '\0')
			json_object_set_new(o, "rules_version", json_string(d->rules_version));
		line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (line != NULL)
			fprintf(c->out, "%s\n", line);
		free(line);
		json_decref(o);
	} else {
		char *path = canh_cli_sanitize(d->path, 8192);
		char *name = canh_cli_sanitize(d->name, 512);

		if (d->kind == CANH_SCAN_DET_RULE)
			canh_cli_say(c->lang, c->out, M_SCAN_DET_RULE, path, name, d->sha256);
		else
			canh_cli_say(c->lang, c->out, M_SCAN_DET_IOC, path, kind_label(d->kind),
				     name[0] != '\0'		     ? name
				     : d->kind == CANH_SCAN_DET_MD5  ? d->md5
				     : d->kind == CANH_SCAN_DET_SHA1 ? d->sha1
								     : d->sha256,
				     d->sha256);
		free(path);
		free(name);
	}
	fflush(c->out);
	/* Detections of one file come together: one entry per file. */
	if (r->quarantine && (r->last == NULL || strcmp(r->last, d->path) != 0) &&
	    r->ninfected < MAX_QUARANTINE) {
		if (r->ninfected == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->infected = canh_xrealloc(r->infected, r->cap * sizeof(char *));
			r->rule = canh_xrealloc(r->rule, r->cap * sizeof(char *));
		}
		r->infected[r->ninfected] = canh_xstrdup(d->path);
		r->rule[r->ninfected] =
		    d->kind == CANH_SCAN_DET_RULE
			? canh_xstrdup(d->name)
			: canh_xasprintf("%s:%s",
					 d->kind == CANH_SCAN_DET_MD5	 ? "md5"
					 : d->kind == CANH_SCAN_DET_SHA1 ? "sha1"
									 : "sha256",
					 d->kind == CANH_SCAN_DET_MD5	 ? d->md5
					 : d->kind == CANH_SCAN_DET_SHA1 ? d->sha1
									 : d->sha256);
		r->last = r->infected[r->ninfected++];
	}
}

static void on_skip(void *ctx, const char *path, enum canh_scan_skip why, const char *msg)
{
	struct scan_run *r = ctx;
	char *safe = canh_cli_sanitize(path, 8192);

	if (why == CANH_SCAN_SKIP_TIMEOUT)
		canh_cli_say(r->c->lang, r->c->err, M_SCAN_WARN_TIMEOUT, safe);
	else
		canh_cli_say(r->c->lang, r->c->err, M_SCAN_WARN_SKIP, safe, msg);
	free(safe);
}

struct diag {
	struct canh_cli *c;
};

static void on_diag(void *ctx, const char *file, int line, const char *message, int warning)
{
	struct diag *d = ctx;
	char *f = canh_cli_sanitize(file, 4096), *m = canh_cli_sanitize(message, 1024);

	if (warning)
		canh_cli_say(d->c->lang, d->c->err, M_SCAN_COMPILE_WARNING, f, line, m);
	else
		canh_cli_say(d->c->lang, d->c->err, M_SCAN_COMPILE_ERROR, f, line, m);
	free(f);
	free(m);
}

static const char *default_rules(void)
{
	const char *env = getenv("CANH_YARA_RULES");
	struct stat st;

	if (env != NULL && *env != '\0')
		return env;
#ifdef CANH_SOURCE_DIR
	if (stat(CANH_SOURCE_DIR "/rules/yara", &st) == 0 && S_ISDIR(st.st_mode))
		return CANH_SOURCE_DIR "/rules/yara";
#endif
	if (stat("/usr/share/canh/rules/yara", &st) == 0 && S_ISDIR(st.st_mode))
		return "/usr/share/canh/rules/yara";
	return NULL;
}

/* A compiled rules file starts with libyara's "YARA" magic. */
static int is_compiled(const char *path)
{
	FILE *f = fopen(path, "rbe");
	char magic[4];
	int yes = 0;

	if (f == NULL)
		return 0;
	yes = fread(magic, 1, 4, f) == 4 && memcmp(magic, "YARA", 4) == 0;
	fclose(f);
	return yes;
}

static int load_rules(struct canh_cli *c, const char **rules, size_t nrules,
		      struct canh_scan_rules **out)
{
	struct canh_errmsg em = {{0}};
	struct diag d = {c};
	int rc;

	if (nrules == 1 && is_compiled(rules[0])) {
		rc = canh_scan_rules_load(rules[0], out, &em);
	} else {
		rc = canh_yarac_compile_paths(rules, nrules, out, on_diag, &d, &em);
		if (rc == CANH_EPARSE)
			return CANH_CLI_EXIT_USAGE; /* each error already printed with its position
						     */
	}
	if (rc != 0) {
		canh_cli_error(c, M_SCAN_ERR_RULES, rules[0], em.text);
		return CANH_CLI_EXIT_USAGE;
	}
	return 0;
}

static void print_summary(struct canh_cli *c, const struct canh_scan_stats *st)
{
	double secs = (double)st->elapsed_ns / 1e9;
	double mb = (double)st->bytes / 1e6;

	if (c->json) {
		json_t *o = json_object();
		char *line;

		json_object_set_new(o, "type", json_string("summary"));
		json_object_set_new(o, "files", json_integer((json_int_t)st->files));
		json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
		json_object_set_new(o, "seconds", json_real(secs));
		json_object_set_new(o, "detections", json_integer((json_int_t)st->detections));
		json_object_set_new(o, "infected", json_integer((json_int_t)st->infected));
		json_object_set_new(o, "cached", json_integer((json_int_t)st->cached));
		json_object_set_new(o, "files_read", json_integer((json_int_t)st->files_read));
		json_object_set_new(o, "bytes_read", json_integer((json_int_t)st->bytes_read));
		json_object_set_new(o, "too_big", json_integer((json_int_t)st->too_big));
		json_object_set_new(o, "timeouts", json_integer((json_int_t)st->timeouts));
		json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
		json_object_set_new(
		    o, "excluded", json_integer((json_int_t)(st->excluded_path + st->excluded_fs)));
		line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
		if (line != NULL)
			fprintf(c->out, "%s\n", line);
		free(line);
		json_decref(o);
		return;
	}
	canh_cli_say(c->lang, c->out, M_SCAN_SUMMARY, (unsigned long long)st->files, mb, secs,
		     secs > 0 ? mb / secs : 0.0, (unsigned long long)st->cached,
		     (unsigned long long)st->detections, (unsigned long long)st->infected);
	if (st->too_big + st->timeouts + st->errors + st->excluded_path + st->excluded_fs > 0)
		canh_cli_say(c->lang, c->out, M_SCAN_SUMMARY_SKIPPED,
			     (unsigned long long)st->too_big, (unsigned long long)st->timeouts,
			     (unsigned long long)st->errors,
			     (unsigned long long)(st->excluded_path + st->excluded_fs));
}

int canh_cli_cmd_scan(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *rules[MAX_VALUES], *hashes[MAX_VALUES], *exclude[MAX_VALUES],
	    *paths[MAX_VALUES];
	size_t nrules = 0, nhashes = 0, nexclude = 0, npaths = 0;
	const char *qdir = NULL;
	int no_rules = 0, id, st = 0;
	struct canh_scan_opts o;
	struct canh_scan_rules *yr = NULL;
	struct canh_scan_hashset *hs = NULL;
	struct canh_scan_stats stats;
	struct canh_errmsg em = {{0}};
	struct scan_run run = {0};
	struct sigaction sa, old_int, old_term;
	int64_t v;
	int rc;

	canh_scan_opts_init(&o);
	canh_cli_opt_init(&p, argc, argv, first, scan_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_SCAN, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case O_RULES:
		case O_HASHES:
		case O_EXCLUDE:
		case CANH_OPT_POSITIONAL: {
			const char **arr = id == O_RULES     ? rules
					   : id == O_HASHES  ? hashes
					   : id == O_EXCLUDE ? exclude
							     : paths;
			size_t *n = id == O_RULES     ? &nrules
				    : id == O_HASHES  ? &nhashes
				    : id == O_EXCLUDE ? &nexclude
						      : &npaths;

			if (*n >= MAX_VALUES)
				return canh_cli_usage_error(c, M_SCAN_ERR_TOO_MANY, MAX_VALUES);
			arr[(*n)++] = p.value;
			break;
		}
		case O_NO_RULES:
			no_rules = 1;
			break;
		case O_THREADS:
			if (canh_parse_int64(p.value, 1, CANH_SCAN_MAX_THREADS, &v) != 0)
				return canh_cli_usage_error(c, M_SCAN_ERR_THREADS, p.value);
			o.threads = (unsigned)v;
			break;
		case O_CACHE:
			o.cache_path = p.value;
			break;
		case O_MAX_SIZE:
			if (canh_parse_size(p.value, &v) != 0 || v <= 0)
				return canh_cli_usage_error(c, M_SCAN_ERR_SIZE, p.value);
			o.max_file_size = (uint64_t)v;
			break;
		case O_TIMEOUT:
			if (canh_parse_duration_ms(p.value, &v) != 0 || v <= 0 || v > 86400000)
				return canh_cli_usage_error(c, M_ERR_BAD_DURATION, p.value);
			o.timeout_ms = (unsigned)v;
			break;
		case O_SCAN_NETWORK:
			o.scan_network = 1;
			break;
		case O_ONE_FS:
			o.one_file_system = 1;
			break;
		case O_FOLLOW:
			o.follow_symlinks = 1;
			break;
		case O_NICE:
			if (canh_parse_int64(p.value, 0, 19, &v) != 0)
				return canh_cli_usage_error(c, M_SCAN_ERR_NICE, p.value);
			o.nice = (int)v;
			break;
		case O_PAUSE: {
			char *end = NULL;
			double r = strtod(p.value, &end);

			if (end == p.value || *end != '\0' || !(r >= 0.1 && r <= 1.0))
				return canh_cli_usage_error(c, M_SCAN_ERR_RATIO, p.value);
			o.pause_ratio = r;
			break;
		}
		case O_QUARANTINE:
			qdir = p.value;
			break;
		default:
			break;
		}
	}
	if (npaths == 0)
		return canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, "PATH");
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) != 0) {
			char *safe = canh_cli_sanitize(paths[i], 4096);

			canh_cli_error(c, M_SCAN_ERR_PATH, safe, strerror(errno));
			free(safe);
			return CANH_CLI_EXIT_USAGE;
		}
	}
	if (nrules == 0 && !no_rules && nhashes == 0) {
		const char *def = default_rules();

		if (def == NULL) {
			canh_cli_error(c, M_SCAN_ERR_NO_RULES);
			return CANH_CLI_EXIT_USAGE;
		}
		rules[nrules++] = def;
	}
	if (no_rules)
		nrules = 0;
	if (nrules == 0 && nhashes == 0) {
		canh_cli_error(c, M_SCAN_ERR_NO_RULES);
		return CANH_CLI_EXIT_USAGE;
	}
	if (nrules > 0 && (st = load_rules(c, rules, nrules, &yr)) != 0)
		return st;
	if (nhashes > 0) {
		hs = canh_scan_hashset_new();
		for (size_t i = 0; i < nhashes; i++) {
			size_t ignored = 0;

			rc = canh_scan_hashset_add_file(hs, hashes[i], &ignored, &em);
			if (rc != 0) {
				canh_cli_error(c, M_SCAN_ERR_HASHES, hashes[i], em.text);
				st = CANH_CLI_EXIT_USAGE;
				goto out;
			}
			if (ignored > 0)
				canh_cli_say(c->lang, c->err, M_SCAN_WARN_HASHES_IGNORED,
					     (unsigned long)ignored, hashes[i]);
		}
		canh_scan_hashset_seal(hs);
	}
	o.exclude = exclude;
	o.nexclude = nexclude;
	o.ctx = &run;
	o.on_detection = on_detection;
	o.on_skip = on_skip;
	o.cancel = &scan_cancel;
	run.c = c;
	run.quarantine = qdir != NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = canh_scan_run(yr, hs, paths, npaths, &o, &stats, &em);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stats.cache_discarded)
		canh_cli_say(c->lang, c->err, M_SCAN_WARN_CACHE, o.cache_path, stats.cache_note);
	if (rc != 0 && rc != CANH_EAGAIN && !(rc == CANH_EIO && stats.files > 0)) {
		canh_cli_error(c, M_SCAN_ERR_SCAN, em.text);
		st = CANH_CLI_EXIT_USAGE;
		goto out;
	}
	if (rc == CANH_EIO)
		canh_cli_error(c, M_SCAN_ERR_CACHE_SAVE, em.text);
	for (size_t i = 0; i < run.ninfected; i++) {
		struct canh_quarantine_item it;
		char *safe = canh_cli_sanitize(run.infected[i], 8192);

		if (canh_quarantine_file(qdir, run.infected[i], run.rule[i], &it, &em) == 0) {
			if (c->json) {
				json_t *q = json_pack("{s:s, s:o, s:s}", "type", "quarantine",
						      "path", jtext(run.infected[i]), "id", it.id);
				char *line = json_dumps(q, JSON_COMPACT | JSON_ENSURE_ASCII);

				if (line != NULL)
					fprintf(c->out, "%s\n", line);
				free(line);
				json_decref(q);
			} else {
				canh_cli_say(c->lang, c->out, M_SCAN_QUARANTINED, safe, it.id);
			}
			canh_quarantine_item_release(&it);
		} else {
			canh_cli_error(c, M_SCAN_ERR_QUARANTINE, safe, em.text);
			rc = CANH_EIO;
		}
		free(safe);
	}
	if (rc == CANH_EAGAIN && !c->json)
		canh_cli_say(c->lang, c->err, M_SCAN_CANCELLED);
	print_summary(c, &stats);
	st = stats.detections > 0 ? CANH_CLI_EXIT_FAIL
	     : rc == 0		  ? CANH_CLI_EXIT_OK
				  : CANH_CLI_EXIT_USAGE;
out:
	for (size_t i = 0; i < run.ninfected; i++) {
		free(run.infected[i]);
		free(run.rule[i]);
	}
	free(run.infected);
	free(run.rule);
	canh_scan_rules_free(yr);
	canh_scan_hashset_free(hs);
	return st;
}
