/*
 * Telling advisory formats apart by content (canh/advisory.h). Kept apart
 * from the dispatcher so a program that only detects links no parser.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "canh/advisory.h"
#include "canh/jsonstream.h"

#define DETECT_HEAD (1024 * 1024) /* bytes looked at to tell formats apart */

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static int starts_with_ci(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);
	return n >= m && strncasecmp(s, pre, m) == 0;
}

/* Look at the top-level keys of a JSON object (within the head). */
static enum canh_advisory_format detect_object(const char *p, size_t len)
{
	struct canh_json_reader r;
	enum canh_json_tok t;
	enum canh_advisory_format f = CANH_ADV_FORMAT_UNKNOWN;
	int first = 1, keys = 0;

	canh_json_reader_init(&r, p, len < DETECT_HEAD ? len : DETECT_HEAD);
	if (canh_json_next(&r, &t, NULL) < 0 || t != CANH_JSON_OBJ)
		goto out;
	while (f == CANH_ADV_FORMAT_UNKNOWN && keys++ < 64) {
		if (canh_json_next(&r, &t, NULL) < 0 || t != CANH_JSON_KEY)
			break;
		if (canh_json_str_eq(&r, "catalogVersion") ||
		    canh_json_str_eq(&r, "vulnerabilities"))
			f = CANH_ADV_FORMAT_KEV;
		else if (canh_json_str_eq(&r, "schema_version") ||
			 canh_json_str_eq(&r, "affected") || canh_json_str_eq(&r, "modified"))
			f = CANH_ADV_FORMAT_OSV;
		else if (canh_json_str_eq(&r, "letter") || canh_json_str_eq(&r, "deadline") ||
			 canh_json_str_eq(&r, "issuer") || canh_json_str_eq(&r, "number"))
			f = CANH_ADV_FORMAT_LETTER;
		if (f != CANH_ADV_FORMAT_UNKNOWN)
			break;
		if (canh_json_next(&r, &t, NULL) < 0)
			break;
		if (first && t == CANH_JSON_OBJ) {
			/* The tracker: {"package": {"CVE-...": {...}}}. */
			if (canh_json_next(&r, &t, NULL) == 0 && t == CANH_JSON_KEY &&
			    (starts_with_ci(r.raw, r.raw_len, "CVE-") ||
			     starts_with_ci(r.raw, r.raw_len, "TEMP-")))
				f = CANH_ADV_FORMAT_DEBIAN;
			break;
		}
		first = 0;
		if (canh_json_skip(&r, t, NULL) < 0)
			break;
	}
out:
	canh_json_reader_release(&r);
	return f;
}

/* A YAML letter: a top-level "number:", "deadline:", "issuer:" or "letter:" line. */
static int yaml_letter(const char *p, size_t len)
{
	static const char *const keys[] = {"number:", "deadline:", "issuer:", "letter:"};
	const char *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (n >= strlen(keys[k]) && memcmp(p, keys[k], strlen(keys[k])) == 0)
				return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

enum canh_advisory_format canh_advisory_detect(const void *data, size_t len, const char *filename)
{
	const char *p = data;
	size_t i = 0;

	if (!data)
		return CANH_ADV_FORMAT_UNKNOWN;
	if (len >= 4 && (memcmp(p, "PK\3\4", 4) == 0 || memcmp(p, "PK\5\6", 4) == 0))
		return CANH_ADV_FORMAT_OSV;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)p[i]))
		i++;
	if (i < len && p[i] == '[')
		return CANH_ADV_FORMAT_OSV;
	if (i < len && p[i] == '{') {
		enum canh_advisory_format f = detect_object(p + i, len - i);
		if (f != CANH_ADV_FORMAT_UNKNOWN)
			return f;
	}
	if (filename && (ends_with(filename, ".yaml") || ends_with(filename, ".yml")))
		return CANH_ADV_FORMAT_LETTER;
	if (i < len && p[i] != '{' && yaml_letter(p, len < DETECT_HEAD ? len : DETECT_HEAD))
		return CANH_ADV_FORMAT_LETTER;
	return CANH_ADV_FORMAT_UNKNOWN;
}
