/*
 * OSV records (https://ossf.github.io/osv-schema/, schema 1.x): one JSON
 * object, a JSON array of them, or a zip of "*.json" members (the bulk
 * all.zip of an ecosystem).
 *
 * A record is small, so each is loaded with jansson; an array is walked with
 * the pull scanner (canh/jsonstream.h) and each element loaded on its own, and
 * a zip is read member by member under caps (count, size, total, ratio), so
 * memory stays at one record whatever the input's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zip.h>

#include "canh/advisory.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"
#include "canh/time.h"

struct octx {
	struct canh_advisory *a;
	const struct canh_advisory_sink *sink;
	struct canh_advisory_stats *st;
};

static void note_skip(struct octx *c, const char *where, const char *why)
{
	c->st->skipped++;
	if (!c->st->first_skip[0]) {
		char line[600];
		snprintf(line, sizeof(line), "%s%s%s", where, why ? ": " : "", why ? why : "");
		canh_strlcpy(c->st->first_skip, line, sizeof(c->st->first_skip));
	}
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	return s && s[0] ? s : NULL;
}

static int add_strings(struct canh_advisory *a, const json_t *arr,
		       int (*add)(struct canh_advisory *, const char *))
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && json_string_value(v)[0] &&
		    add(a, json_string_value(v)) < 0)
			return CANH_ETOOBIG;
	}
	return 0;
}

static void raise_severity(struct canh_advisory *a, enum canh_severity s)
{
	if (s > a->severity)
		a->severity = s;
}

/*
 * A severity array (the record's or one affected entry's): raises the
 * advisory's severity and CVSS; returns the highest severity it gives.
 */
static enum canh_severity parse_severity(struct canh_advisory *a, const json_t *arr)
{
	enum canh_severity max = CANH_SEV_UNKNOWN, sv;
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return max;
	json_array_foreach(arr, i, v)
	{
		const char *type = jstr(v, "type"), *score = jstr(v, "score");
		double d;
		if (!type || !score)
			continue;
		if (strcmp(type, "CVSS_V3") == 0 && canh_cvss3_base_score(score, &d) == 0) {
			if (d > a->cvss_score) {
				a->cvss_score = d;
				a->cvss_vector = canh_advisory_strdup(a, score);
			}
			sv = canh_severity_from_cvss(d);
		} else if (strcmp(type, "CVSS_V4") == 0) {
			if (a->cvss_score < 0 && !a->cvss_vector)
				a->cvss_vector = canh_advisory_strdup(a, score);
			continue;
		} else if (strcmp(type, "Ubuntu") == 0) {
			sv = canh_severity_parse(score);
		} else {
			continue;
		}
		raise_severity(a, sv);
		if (sv > max)
			max = sv;
	}
	return max;
}

/*
 * The release part of an OSV ecosystem: the first ':'-separated field that
 * starts with a digit (or "v" and a digit, Alpine): "Debian:12" -> "12",
 * "Ubuntu:Pro:18.04:LTS" -> "18.04", "Red Hat:enterprise_linux:9::appstream"
 * -> "9", "Alpine:v3.18" -> "v3.18". NULL when there is none.
 */
static const char *eco_release(struct canh_advisory *a, const char *rest)
{
	while (rest && *rest) {
		size_t n = strcspn(rest, ":");
		if ((rest[0] >= '0' && rest[0] <= '9') ||
		    (rest[0] == 'v' && rest[1] >= '0' && rest[1] <= '9'))
			return canh_advisory_strndup(a, rest, n);
		rest += n;
		if (*rest == ':')
			rest++;
	}
	return NULL;
}

static const struct {
	const char *key;
	enum canh_event_kind kind;
} event_keys[] = {
    {"introduced", CANH_EV_INTRODUCED},
    {"fixed", CANH_EV_FIXED},
    {"last_affected", CANH_EV_LAST_AFFECTED},
    {"limit", CANH_EV_LIMIT},
};

static int parse_affected(struct canh_advisory *a, const json_t *o)
{
	const json_t *pkg = json_object_get(o, "package");
	const char *eco = jstr(pkg, "ecosystem"), *name = jstr(pkg, "name"), *rest;
	const json_t *ranges = json_object_get(o, "ranges"), *es;
	struct canh_affected *af;
	int semver = 0;
	size_t i;
	json_t *rv;

	if (!eco || !name)
		return 0; /* nothing to match a host's package against */
	af = canh_advisory_add_affected(a);
	if (!af)
		return CANH_ETOOBIG;
	af->ecosystem = canh_ecosystem_parse(eco, &rest);
	af->ecosystem_raw = canh_advisory_strdup(a, eco);
	af->release = eco_release(a, rest);
	af->package = canh_advisory_strdup(a, name);
	af->purl = canh_advisory_strdup(a, jstr(pkg, "purl"));
	/* osv-schema: these name source packages; Red Hat names a binary or source RPM. */
	af->source_package = af->ecosystem == CANH_ECO_DEBIAN || af->ecosystem == CANH_ECO_UBUNTU ||
			     af->ecosystem == CANH_ECO_ALPINE ||
			     af->ecosystem == CANH_ECO_ALMALINUX || af->ecosystem == CANH_ECO_ROCKY;
	af->status = CANH_AFF_AFFECTED;
	es = json_object_get(o, "ecosystem_specific");
	if (jstr(es, "urgency")) {
		af->urgency = canh_advisory_strdup(a, jstr(es, "urgency"));
		af->severity = canh_severity_from_urgency(af->urgency);
	}
	if (jstr(es, "severity"))
		af->severity = canh_severity_parse(jstr(es, "severity"));
	/* osv-schema 1.5: a per-package severity array. */
	enum canh_severity own = parse_severity(a, json_object_get(o, "severity"));
	if (own > af->severity)
		af->severity = own;
	raise_severity(a, af->severity);

	if (json_is_array(ranges)) {
		json_array_foreach(ranges, i, rv)
		{
			const char *type = jstr(rv, "type");
			const json_t *events = json_object_get(rv, "events");
			enum canh_range_type rt;
			struct canh_range *r;
			size_t j;
			json_t *ev;

			if (!type || !json_is_array(events) || json_array_size(events) == 0)
				continue;
			if (strcmp(type, "ECOSYSTEM") == 0)
				rt = CANH_RANGE_ECOSYSTEM;
			else if (strcmp(type, "SEMVER") == 0)
				rt = CANH_RANGE_SEMVER;
			else if (strcmp(type, "GIT") == 0)
				rt = CANH_RANGE_GIT;
			else
				continue;
			semver |= rt == CANH_RANGE_SEMVER;
			r = canh_affected_add_range(a, af, rt);
			if (!r)
				return CANH_ETOOBIG;
			json_array_foreach(events, j, ev)
			{
				for (size_t k = 0; k < sizeof(event_keys) / sizeof(event_keys[0]);
				     k++) {
					const char *v = jstr(ev, event_keys[k].key);
					if (!v)
						continue;
					if (canh_range_add_event(a, r, event_keys[k].kind, v) < 0)
						return CANH_ETOOBIG;
					if (event_keys[k].kind == CANH_EV_FIXED &&
					    rt != CANH_RANGE_GIT && !af->fixed_version)
						af->fixed_version =
						    r->events[r->n_events - 1].version;
					break;
				}
			}
			if (r->n_events == 0)
				af->n_ranges--;
		}
	}
	{
		const json_t *vs = json_object_get(o, "versions");
		json_array_foreach(vs, i, rv)
		{
			if (json_is_string(rv) && json_string_value(rv)[0] &&
			    canh_affected_add_version(a, af, json_string_value(rv)) < 0)
				return CANH_ETOOBIG;
		}
	}
	af->order = canh_ecosystem_order(af->ecosystem);
	if (af->ecosystem == CANH_ECO_UNKNOWN && semver)
		af->order = CANH_VERORDER_SEMVER;
	return 0;
}

/* One record; where names it for messages ("record 3", "member 'x.json'"). */
static int handle_record(struct octx *c, const json_t *o, const char *where)
{
	struct canh_advisory *a = c->a;
	const char *id = jstr(o, "id"), *s;
	const json_t *arr;
	size_t i;
	json_t *v;
	int64_t ms;

	if (!json_is_object(o)) {
		note_skip(c, where, "not a JSON object");
		return 0;
	}
	if (!id) {
		note_skip(c, where, "no \"id\"");
		return 0;
	}
	if (jstr(o, "withdrawn")) {
		note_skip(c, where, "withdrawn");
		return 0;
	}
	canh_advisory_reset(a);
	a->source = CANH_ADV_FORMAT_OSV;
	a->id = canh_advisory_strdup(a, id);
	a->summary = canh_advisory_strdup(a, jstr(o, "summary"));
	a->details = canh_advisory_strdup(a, jstr(o, "details"));
	if ((s = jstr(o, "published")) && canh_time_parse(s, &ms) == 0)
		a->published_ms = ms;
	if ((s = jstr(o, "modified")) && canh_time_parse(s, &ms) == 0)
		a->modified_ms = ms;
	if (add_strings(a, json_object_get(o, "aliases"), canh_advisory_add_alias) < 0 ||
	    add_strings(a, json_object_get(o, "related"), canh_advisory_add_related) < 0 ||
	    add_strings(a, json_object_get(o, "upstream"), canh_advisory_add_related) < 0 ||
	    canh_advisory_collect_cves(a) < 0)
		goto toobig;
	parse_severity(a, json_object_get(o, "severity"));
	raise_severity(
	    a, canh_severity_parse(jstr(json_object_get(o, "database_specific"), "severity")));
	arr = json_object_get(o, "references");
	json_array_foreach(arr, i, v)
	{
		const char *url = jstr(v, "url");
		if (url && canh_advisory_add_reference(a, url) < 0)
			goto toobig;
	}
	arr = json_object_get(o, "affected");
	json_array_foreach(arr, i, v)
	{
		if (json_is_object(v) && parse_affected(a, v) < 0)
			goto toobig;
	}
	c->st->advisories++;
	c->st->affected += a->n_affected;
	c->st->open += a->n_affected;
	return c->sink && c->sink->advisory ? c->sink->advisory(c->sink->ctx, a) : 0;
toobig:
	note_skip(c, where, "record over canh's caps on one advisory");
	return 0;
}

static int load_one(struct octx *c, const char *data, size_t len, size_t base_off,
		    const char *whole, size_t whole_len, const char *where, struct canh_errmsg *err,
		    int fatal)
{
	json_error_t jerr;
	json_t *o;
	int rc;

	if (len > CANH_OSV_ZIP_MAX_MEMBER) {
		if (fatal)
			return canh_errmsg_set(err, CANH_ETOOBIG,
					       "%s: larger than the cap of %u bytes on one record",
					       where, CANH_OSV_ZIP_MAX_MEMBER);
		note_skip(c, where, "larger than the cap on one record");
		return 0;
	}
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!o) {
		struct canh_errmsg e;
		/* jansson counts the bytes it read: the bad token ends there. */
		size_t line, col,
		    off = base_off + (size_t)(jerr.position > 0 ? jerr.position - 1 : 0);
		if (whole) {
			canh_json_position(whole, whole_len, off, &line, &col);
		} else {
			line = (size_t)(jerr.line > 0 ? jerr.line : 0);
			col = (size_t)(jerr.column > 1 ? jerr.column - 1 : 1);
		}
		canh_errmsg_set(&e, CANH_EPARSE, "%s: %s at line %zu, column %zu (byte %zu)", where,
				jerr.text, line, col, off);
		if (fatal)
			return canh_errmsg_set(err, CANH_EPARSE, "%s", e.text);
		note_skip(c, e.text, NULL);
		return 0;
	}
	rc = handle_record(c, o, where);
	json_decref(o);
	return rc;
}

static int parse_array(struct octx *c, const char *data, size_t len, struct canh_errmsg *err)
{
	struct canh_json_reader r;
	enum canh_json_tok t;
	size_t n = 0;
	int rc;

	canh_json_reader_init(&r, data, len);
	if ((rc = canh_json_next(&r, &t, err)) < 0)
		goto out;
	for (;;) {
		char where[48];
		size_t start;
		if ((rc = canh_json_next(&r, &t, err)) < 0)
			goto out;
		if (t == CANH_JSON_ARR_END)
			break;
		start = r.tok_off;
		if ((rc = canh_json_skip(&r, t, err)) < 0)
			goto out;
		snprintf(where, sizeof(where), "record %zu", ++n);
		rc = load_one(c, data + start, r.pos - start, start, data, len, where, err, 1);
		if (rc < 0)
			goto out;
	}
	rc = canh_json_next(&r, &t, err);
out:
	canh_json_reader_release(&r);
	return rc < 0 ? rc : 0;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int parse_zip(struct octx *c, const void *data, size_t len, struct canh_errmsg *err)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za = NULL;
	zip_int64_t n;
	uint64_t total = 0;
	char *buf = NULL;
	int rc = 0;

	zip_error_init(&zerr);
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (!src) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot read the zip: %s",
				     zip_error_strerror(&zerr));
		goto out;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	if (!za) {
		zip_source_free(src);
		rc = canh_errmsg_set(err, CANH_EPARSE, "not a valid zip: %s",
				     zip_error_strerror(&zerr));
		goto out;
	}
	n = zip_get_num_entries(za, 0);
	if (n < 0 || n > CANH_OSV_ZIP_MAX_MEMBERS) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "zip has %lld members, over the cap of %d",
				     (long long)n, CANH_OSV_ZIP_MAX_MEMBERS);
		goto out;
	}
	buf = canh_xmalloc(CANH_OSV_ZIP_MAX_MEMBER + 1);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t sb;
		zip_file_t *zf;
		char where[200];
		zip_int64_t got = 0, r = 0;

		if (zip_stat_index(za, (zip_uint64_t)i, 0, &sb) < 0 ||
		    !(sb.valid & ZIP_STAT_NAME) || !(sb.valid & ZIP_STAT_SIZE)) {
			snprintf(where, sizeof(where), "member %lld", (long long)i);
			note_skip(c, where, "unreadable zip entry");
			continue;
		}
		snprintf(where, sizeof(where), "member '%.160s'", sb.name);
		if (!has_suffix(sb.name, ".json"))
			continue;
		if (sb.size > CANH_OSV_ZIP_MAX_MEMBER) {
			note_skip(c, where, "larger than the cap on one member");
			continue;
		}
		if ((sb.valid & ZIP_STAT_COMP_SIZE) && sb.size > 65536 &&
		    sb.size / (sb.comp_size ? sb.comp_size : 1) > CANH_OSV_ZIP_MAX_RATIO) {
			note_skip(c, where, "compression ratio over the cap (zip bomb?)");
			continue;
		}
		total += sb.size;
		if (total > CANH_OSV_ZIP_MAX_TOTAL) {
			rc = canh_errmsg_set(err, CANH_ETOOBIG,
					     "zip expands to more than %llu bytes, over the cap",
					     (unsigned long long)CANH_OSV_ZIP_MAX_TOTAL);
			goto out;
		}
		zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		if (!zf) {
			note_skip(c, where, zip_strerror(za));
			continue;
		}
		/* Read at most one byte past the stated size, to catch a lying header. */
		while (got <= (zip_int64_t)sb.size &&
		       (r = zip_fread(zf, buf + got, sb.size + 1 - (zip_uint64_t)got)) > 0)
			got += r;
		if (r < 0 || got != (zip_int64_t)sb.size) {
			note_skip(c, where,
				  r < 0 ? zip_file_strerror(zf) : "size differs from header");
			zip_fclose(zf);
			continue;
		}
		zip_fclose(zf);
		c->st->packages++;
		if ((rc = load_one(c, buf, (size_t)got, 0, NULL, 0, where, err, 0)) < 0)
			goto out;
	}
out:
	free(buf);
	if (za)
		zip_discard(za);
	return rc;
}

int canh_advisory_parse_osv(const void *data, size_t len, const struct canh_advisory_sink *sink,
			    struct canh_advisory_stats *st, struct canh_errmsg *err)
{
	struct canh_advisory_stats local = {0};
	struct octx c = {0};
	const char *p = data;
	size_t i = 0;
	int rc;

	if (!data && len)
		return canh_errmsg_set(err, CANH_EINVAL, "no data");
	c.a = canh_advisory_new();
	c.sink = sink;
	c.st = st ? st : &local;
	if (len >= 4 && memcmp(p, "PK", 2) == 0) {
		rc = parse_zip(&c, data, len, err);
		goto out;
	}
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < len && p[i] == '[')
		rc = parse_array(&c, p, len, err);
	else if (i < len && p[i] == '{')
		rc = load_one(&c, p, len, 0, p, len, "record", err, 1);
	else
		rc = canh_errmsg_set(
		    err, CANH_EPARSE,
		    "not OSV: expected a JSON object, an array or a zip at byte %zu", i);
out:
	canh_advisory_free(c.a);
	return rc;
}
