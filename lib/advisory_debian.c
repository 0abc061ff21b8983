/*
 * The Debian Security Tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 *
 *   { "<source package>": { "<CVE-... or TEMP-...>": {
 *         "description": "...", "scope": "local"|"remote", "debianbug": 123,
 *         "releases": { "<codename>": {
 *             "status": "resolved"|"open"|"undetermined",
 *             "repositories": { "<codename>": "<version>", ... },
 *             "fixed_version": "<version>"   ("0": never affected),
 *             "urgency": "low"|"medium"|"high"|"unimportant"|"not yet assigned"|"end-of-life"
 *         } } } } }
 *
 * Walked with the pull scanner (canh/jsonstream.h), never loaded as a tree:
 * one advisory per (id, source package) is built in a reused arena and
 * handed to the sink, so memory stays at one record whatever the file's size.
 */
#include <stdio.h>
#include <string.h>

#include "canh/advisory.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"

#define MAX_NAME 256 /* package names and ids longer than this are skipped */

struct dctx {
	struct canh_json_reader r;
	struct canh_advisory *a;
	const char *release;
	const struct canh_advisory_sink *sink;
	struct canh_advisory_stats *st;
	struct canh_errmsg *err;
	char pkg[MAX_NAME];
	char id[MAX_NAME];
	const char *bad; /* why the current record is skipped; NULL when fine */
};

static void note_skip(struct dctx *c, const char *what, const char *subject)
{
	c->st->skipped++;
	if (!c->st->first_skip[0]) {
		size_t line, col;
		canh_json_position(c->r.base, c->r.len, c->r.tok_off, &line, &col);
		snprintf(c->st->first_skip, sizeof(c->st->first_skip),
			 "package '%.64s', %.64s: %.64s at line %zu, column %zu", c->pkg, subject,
			 what, line, col);
	}
}

/* The next token, which must exist (the reader reports syntax errors). */
static int next(struct dctx *c, enum canh_json_tok *t)
{
	return canh_json_next(&c->r, t, c->err);
}

/* Decode the current string token into the arena. */
static const char *str_copy(struct dctx *c)
{
	size_t n;
	const char *s = canh_json_str(&c->r, &n, c->err);
	return s ? canh_advisory_strndup(c->a, s, n) : NULL;
}

/* One release object of a record. */
static int parse_release(struct dctx *c, const char *relname)
{
	enum canh_json_tok t;
	const char *status = NULL, *fixed = NULL, *urgency = NULL;
	size_t start = c->r.tok_off;
	int rc;

	for (;;) {
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (t == CANH_JSON_OBJ_END)
			break;
		int which = canh_json_str_eq(&c->r, "status")	       ? 1
			    : canh_json_str_eq(&c->r, "fixed_version") ? 2
			    : canh_json_str_eq(&c->r, "urgency")       ? 3
								       : 0;
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (which && t == CANH_JSON_STRING) {
			const char *s = str_copy(c);
			if (!s)
				return CANH_EPARSE;
			if (which == 1)
				status = s;
			else if (which == 2)
				fixed = s;
			else
				urgency = s;
		} else if ((rc = canh_json_skip(&c->r, t, c->err)) < 0) {
			return rc;
		}
	}

	struct canh_affected *af = canh_advisory_add_affected(c->a);
	if (!af)
		return canh_json_error_at(&c->r, start, CANH_ETOOBIG, c->err,
					  "too many releases in one record");
	af->ecosystem = CANH_ECO_DEBIAN;
	af->ecosystem_raw = "Debian";
	af->release = canh_advisory_strdup(c->a, relname);
	af->package = canh_advisory_strdup(c->a, c->pkg);
	af->source_package = 1;
	af->order = CANH_VERORDER_DPKG;
	af->urgency = urgency;
	af->severity = canh_severity_from_urgency(urgency);
	if (fixed && !fixed[0])
		fixed = NULL;
	if (!status) {
		c->a->n_affected--;
		c->r.tok_off = start;
		note_skip(c, "release without a status", relname);
		return 0;
	}
	if (strcmp(status, "resolved") == 0) {
		if (!fixed) {
			c->a->n_affected--;
			c->r.tok_off = start;
			note_skip(c, "resolved without a fixed_version", relname);
			return 0;
		}
		af->status = strcmp(fixed, "0") == 0 ? CANH_AFF_NOT_AFFECTED : CANH_AFF_FIXED;
	} else if (strcmp(status, "open") == 0) {
		af->status = CANH_AFF_AFFECTED;
	} else if (strcmp(status, "undetermined") == 0) {
		af->status = CANH_AFF_UNDETERMINED;
	} else {
		c->a->n_affected--;
		c->r.tok_off = start;
		note_skip(c, "unknown status", relname);
		return 0;
	}
	if (af->status == CANH_AFF_NOT_AFFECTED)
		return 0;
	if (fixed && strcmp(fixed, "0") != 0)
		af->fixed_version = fixed;
	if (af->status == CANH_AFF_FIXED || af->status == CANH_AFF_AFFECTED) {
		struct canh_range *rg = canh_affected_add_range(c->a, af, CANH_RANGE_ECOSYSTEM);
		if (!rg || canh_range_add_event(c->a, rg, CANH_EV_INTRODUCED, "0") < 0 ||
		    (af->fixed_version &&
		     canh_range_add_event(c->a, rg, CANH_EV_FIXED, af->fixed_version) < 0))
			return canh_json_error_at(&c->r, start, CANH_ETOOBIG, c->err,
						  "record too large");
	}
	return 0;
}

static int parse_releases(struct dctx *c)
{
	enum canh_json_tok t;
	int rc;

	for (;;) {
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (t == CANH_JSON_OBJ_END)
			return 0;
		size_t n;
		const char *name = canh_json_str(&c->r, &n, c->err);
		char rel[64];
		if (!name)
			return CANH_EPARSE;
		int keep =
		    n > 0 && n < sizeof(rel) && (!c->release || strcmp(name, c->release) == 0);
		if (keep)
			memcpy(rel, name, n + 1);
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (keep && t == CANH_JSON_OBJ) {
			if ((rc = parse_release(c, rel)) < 0)
				return rc;
			continue;
		}
		if (keep) {
			note_skip(c, "release is not an object", c->id);
		}
		if ((rc = canh_json_skip(&c->r, t, c->err)) < 0)
			return rc;
	}
}

static int emit(struct dctx *c)
{
	struct canh_advisory *a = c->a;
	enum canh_severity sev = CANH_SEV_UNKNOWN;

	if (a->n_affected == 0)
		return 0;
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		if (af->severity > sev)
			sev = af->severity;
		switch (af->status) {
		case CANH_AFF_AFFECTED:
			c->st->open++;
			break;
		case CANH_AFF_FIXED:
			c->st->fixed++;
			break;
		case CANH_AFF_NOT_AFFECTED:
			c->st->not_affected++;
			break;
		case CANH_AFF_UNDETERMINED:
			c->st->undetermined++;
			break;
		}
	}
	a->severity = sev;
	c->st->advisories++;
	c->st->affected += a->n_affected;
	return c->sink && c->sink->advisory ? c->sink->advisory(c->sink->ctx, a) : 0;
}

/* One (id, package) record: the reader is just past its '{'. */
static int parse_record(struct dctx *c)
{
	enum canh_json_tok t;
	int rc;

	canh_advisory_reset(c->a);
	c->a->source = CANH_ADV_FORMAT_DEBIAN;
	c->a->id = canh_advisory_strdup(c->a, c->id);
	if (strncmp(c->id, "CVE-", 4) == 0)
		(void)canh_advisory_add_cve(c->a, c->a->id); /* an empty advisory has room */
	for (;;) {
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (t == CANH_JSON_OBJ_END)
			break;
		int which = canh_json_str_eq(&c->r, "releases")	     ? 1
			    : canh_json_str_eq(&c->r, "description") ? 2
			    : canh_json_str_eq(&c->r, "scope")	     ? 3
			    : canh_json_str_eq(&c->r, "debianbug")   ? 4
								     : 0;
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (which == 1 && t == CANH_JSON_OBJ) {
			if ((rc = parse_releases(c)) < 0)
				return rc;
		} else if ((which == 2 || which == 3) && t == CANH_JSON_STRING) {
			const char *s = str_copy(c);
			if (!s)
				return CANH_EPARSE;
			if (which == 2)
				c->a->summary = s;
			else
				c->a->scope = s;
		} else if (which == 4 && t == CANH_JSON_NUMBER) {
			int64_t bug;
			if (canh_json_int(&c->r, 0, INT64_MAX, &bug, NULL) == 0)
				c->a->debian_bug = bug;
		} else {
			if (which == 1)
				note_skip(c, "releases is not an object", c->id);
			if ((rc = canh_json_skip(&c->r, t, c->err)) < 0)
				return rc;
		}
	}
	return emit(c);
}

static int parse_package(struct dctx *c)
{
	enum canh_json_tok t;
	int rc;

	c->st->packages++;
	for (;;) {
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (t == CANH_JSON_OBJ_END)
			return 0;
		size_t n;
		const char *id = canh_json_str(&c->r, &n, c->err);
		if (!id)
			return CANH_EPARSE;
		int ok = n > 0 && n < sizeof(c->id);
		if (ok)
			memcpy(c->id, id, n + 1);
		else
			canh_strlcpy(c->id, "(id too long)", sizeof(c->id));
		if ((rc = next(c, &t)) < 0)
			return rc;
		if (ok && t == CANH_JSON_OBJ) {
			if ((rc = parse_record(c)) < 0)
				return rc;
			continue;
		}
		note_skip(c, ok ? "record is not an object" : "empty or overlong id", c->id);
		if ((rc = canh_json_skip(&c->r, t, c->err)) < 0)
			return rc;
	}
}

int canh_advisory_parse_debian(const void *data, size_t len, const char *release,
			       const struct canh_advisory_sink *sink,
			       struct canh_advisory_stats *st, struct canh_errmsg *err)
{
	struct canh_advisory_stats local = {0};
	struct dctx c = {0};
	enum canh_json_tok t;
	int rc;

	if (!data && len)
		return canh_errmsg_set(err, CANH_EINVAL, "no data");
	canh_json_reader_init(&c.r, data ? data : "", len);
	c.a = canh_advisory_new();
	c.sink = sink;
	c.st = st ? st : &local;
	c.err = err;
	/* "12" and "bookworm" name the same release; the tracker uses codenames. */
	c.release =
	    release && canh_debian_codename(release) ? canh_debian_codename(release) : release;

	if ((rc = next(&c, &t)) < 0)
		goto out;
	if (t != CANH_JSON_OBJ) {
		rc = canh_json_error_at(&c.r, c.r.tok_off, CANH_EPARSE, err,
					"not a Debian tracker file (the top level must be an "
					"object of source packages)");
		goto out;
	}
	for (;;) {
		if ((rc = next(&c, &t)) < 0)
			goto out;
		if (t == CANH_JSON_OBJ_END)
			break;
		size_t n;
		const char *name = canh_json_str(&c.r, &n, err);
		if (!name) {
			rc = CANH_EPARSE;
			goto out;
		}
		int ok = n > 0 && n < sizeof(c.pkg);
		if (ok)
			memcpy(c.pkg, name, n + 1);
		else
			canh_strlcpy(c.pkg, "(name too long)", sizeof(c.pkg));
		if ((rc = next(&c, &t)) < 0)
			goto out;
		if (ok && t == CANH_JSON_OBJ &&
		    (!sink || !sink->want_package || sink->want_package(sink->ctx, c.pkg, n))) {
			if ((rc = parse_package(&c)) < 0)
				goto out;
			continue;
		}
		if (ok && t == CANH_JSON_OBJ) {
			c.st->packages++;
			if ((rc = canh_json_skip(&c.r, t, err)) < 0)
				goto out;
			continue;
		}
		note_skip(&c, ok ? "package is not an object" : "empty or overlong name", "-");
		if ((rc = canh_json_skip(&c.r, t, err)) < 0)
			goto out;
	}
	/* Only blanks may follow. */
	rc = next(&c, &t);
out:
	canh_advisory_free(c.a);
	canh_json_reader_release(&c.r);
	return rc < 0 ? rc : 0;
}
