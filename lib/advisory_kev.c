/*
 * CISA Known Exploited Vulnerabilities catalogue
 * (known_exploited_vulnerabilities.json): an object with catalogVersion,
 * dateReleased, count and vulnerabilities[], each with cveID, vendorProject,
 * product, vulnerabilityName, dateAdded, shortDescription, requiredAction,
 * dueDate, knownRansomwareCampaignUse, notes and cwes.
 *
 * Each entry becomes one advisory (source KEV, id the CVE, the kev fields
 * set, summary the vulnerability name, details the short description, the
 * URLs in notes as references). The whole file is about 1.5 MB, so it is
 * loaded with jansson in one piece, under a cap well above that.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "canh/advisory.h"
#include "canh/jsonstream.h"
#include "canh/mem.h"
#include "canh/time.h"

/* The catalogue is ~1.5 MB with ~1,100 entries (2024); room for decades of growth. */
#define KEV_MAX_BYTES (64u * 1024 * 1024)
#define KEV_MAX_ENTRIES 200000

static void note_skip(struct canh_advisory_stats *st, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_skip(struct canh_advisory_stats *st, size_t i, const char *fmt, ...)
{
	st->skipped++;
	if (!st->first_skip[0]) {
		char why[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		snprintf(st->first_skip, sizeof(st->first_skip), "vulnerabilities[%zu]: %s", i,
			 why);
	}
}

/* A string member, or NULL when absent, null or empty; *bad when present but not a string. */
static const char *member(const json_t *o, const char *key, int *bad)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	const char *s = json_string_value(v);
	return s[0] ? s : NULL;
}

/* "CVE-YYYY-NNNN..." (4 or more digits after the year). */
static int is_cve(const char *s)
{
	if (strncasecmp(s, "CVE-", 4) != 0)
		return 0;
	s += 4;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[4] != '-')
		return 0;
	size_t n = 0;
	for (s += 5; isdigit((unsigned char)*s); s++)
		n++;
	return n >= 4 && n <= 19 && *s == '\0';
}

/* A date "YYYY-MM-DD" (or a full RFC 3339 time) into *ms; -1 when it is not one. */
static int kev_date(const char *s, int64_t *ms)
{
	if (!s || canh_time_parse(s, ms) != 0)
		return -1;
	return 0;
}

/* Every http(s) URL in the notes, which CISA separates with " ; ". */
static int add_note_urls(struct canh_advisory *a, const char *notes)
{
	const char *p = notes;
	while ((p = strstr(p, "http")) != NULL) {
		if (strncmp(p, "http://", 7) != 0 && strncmp(p, "https://", 8) != 0) {
			p += 4;
			continue;
		}
		size_t n = strcspn(p, " \t\r\n;,\"<>");
		if (n > 8 && n < 2048) {
			char url[2048];
			memcpy(url, p, n);
			url[n] = '\0';
			if (canh_advisory_add_reference(a, url) != 0)
				return CANH_ETOOBIG;
		}
		p += n;
	}
	return 0;
}

/* One entry into a; 0, or -1 after note_skip. */
static int entry(struct canh_advisory *a, const json_t *v, size_t i, struct canh_advisory_stats *st)
{
	int bad = 0;

	if (!json_is_object(v)) {
		note_skip(st, i, "%s", "not a JSON object");
		return -1;
	}
	const char *cve = member(v, "cveID", &bad);
	if (bad || !cve) {
		note_skip(st, i, "%s", "no \"cveID\" string");
		return -1;
	}
	if (!is_cve(cve)) {
		note_skip(st, i, "\"cveID\" is not a CVE id: '%.60s'", cve);
		return -1;
	}
	static const char *const fields[] = {
	    "vendorProject",
	    "product",
	    "vulnerabilityName",
	    "dateAdded",
	    "shortDescription",
	    "requiredAction",
	    "dueDate",
	    "knownRansomwareCampaignUse",
	    "notes",
	};
	const char *f[sizeof(fields) / sizeof(fields[0])];
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		f[k] = member(v, fields[k], &bad);
		if (bad) {
			note_skip(st, i, "\"%s\" is not a string", fields[k]);
			return -1;
		}
	}
	int64_t added_ms = 0, due_ms = 0;
	if (f[3] && kev_date(f[3], &added_ms) != 0) {
		note_skip(st, i, "\"dateAdded\" is not a date: '%.40s'", f[3]);
		return -1;
	}
	if (f[6] && kev_date(f[6], &due_ms) != 0) {
		note_skip(st, i, "\"dueDate\" is not a date: '%.40s'", f[6]);
		return -1;
	}

	canh_advisory_reset(a);
	a->source = CANH_ADV_FORMAT_KEV;
	char id[32];
	canh_strlcpy(id, cve, sizeof(id));
	for (char *p = id; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	a->id = canh_advisory_strdup(a, id);
	a->summary = canh_advisory_strdup(a, f[2]);
	a->details = canh_advisory_strdup(a, f[4]);
	a->published_ms = added_ms;
	a->kev.listed = 1;
	a->kev.vendor = canh_advisory_strdup(a, f[0]);
	a->kev.product = canh_advisory_strdup(a, f[1]);
	a->kev.name = canh_advisory_strdup(a, f[2]);
	a->kev.date_added = canh_advisory_strdup(a, f[3]);
	a->kev.date_added_ms = added_ms;
	a->kev.required_action = canh_advisory_strdup(a, f[5]);
	a->kev.due_date = canh_advisory_strdup(a, f[6]);
	a->kev.due_date_ms = due_ms;
	a->kev.ransomware = f[7] && strcasecmp(f[7], "Known") == 0;
	a->kev.notes = canh_advisory_strdup(a, f[8]);
	if (!a->id || (f[8] && add_note_urls(a, f[8]) != 0)) {
		note_skip(st, i, "%s", "entry over canh's caps on one advisory");
		return -1;
	}
	return 0;
}

int canh_advisory_parse_kev(const void *data, size_t len, const struct canh_advisory_sink *sink,
			    struct canh_advisory_stats *st, struct canh_errmsg *err)
{
	struct canh_advisory_stats local;
	json_error_t jerr;
	json_t *root;
	int rc = 0;

	if (!st) {
		memset(&local, 0, sizeof(local));
		st = &local;
	}
	if (len > KEV_MAX_BYTES)
		return canh_errmsg_set(err, CANH_ETOOBIG,
				       "KEV catalogue of %zu bytes is over the cap of %u bytes",
				       len, KEV_MAX_BYTES);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		size_t line, col, off = (size_t)(jerr.position > 0 ? jerr.position - 1 : 0);
		canh_json_position(data, len, off, &line, &col);
		return canh_errmsg_set(err, CANH_EPARSE,
				       "KEV catalogue: %s at line %zu, column %zu (byte %zu)",
				       jerr.text, line, col, off);
	}
	const json_t *vulns = json_object_get(root, "vulnerabilities");
	if (!json_is_object(root) || !json_is_array(vulns)) {
		json_decref(root);
		return canh_errmsg_set(
		    err, CANH_EPARSE,
		    "not a KEV catalogue: no \"vulnerabilities\" array at the top");
	}
	const json_t *ver = json_object_get(root, "catalogVersion");
	if (ver && !json_is_string(ver)) {
		json_decref(root);
		return canh_errmsg_set(err, CANH_EPARSE,
				       "KEV catalogue: \"catalogVersion\" is not a string");
	}
	if (json_array_size(vulns) > KEV_MAX_ENTRIES) {
		json_decref(root);
		return canh_errmsg_set(err, CANH_ETOOBIG,
				       "KEV catalogue has %zu entries, over the cap of %d",
				       json_array_size(vulns), KEV_MAX_ENTRIES);
	}

	struct canh_advisory *a = canh_advisory_new();
	size_t i;
	json_t *v;
	json_array_foreach(vulns, i, v)
	{
		if (entry(a, v, i, st) != 0)
			continue;
		st->advisories++;
		if (sink && sink->advisory && (rc = sink->advisory(sink->ctx, a)) != 0)
			break;
	}
	canh_advisory_free(a);
	json_decref(root);
	if (rc < 0)
		canh_errmsg_set(err, rc, "import stopped at KEV entry %zu", i);
	return rc;
}
