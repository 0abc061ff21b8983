/*
 * Feed parsers: format names, detection, dispatch and the sink helpers.
 * The formats live in feed_plain.c, feed_table.c (CSV, Feodo and the
 * header mapping xlsx shares), feed_xlsx.c and feed_json.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/feed.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "feed_internal.h"

static const char *const format_names[] = {
    [CANH_FEED_AUTO] = "auto",		 [CANH_FEED_PLAIN] = "plain", [CANH_FEED_CSV] = "csv",
    [CANH_FEED_XLSX] = "xlsx",		 [CANH_FEED_FEODO] = "feodo", [CANH_FEED_DROP] = "drop",
    [CANH_FEED_DROP_JSON] = "drop-json", [CANH_FEED_STIX] = "stix",   [CANH_FEED_MISP] = "misp",
};

const char *canh_feed_format_name(enum canh_feed_format f)
{
	if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[f];
}

int canh_feed_format_parse(const char *name, enum canh_feed_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (name && strcasecmp(name, format_names[i]) == 0) {
			*out = (enum canh_feed_format)i;
			return 0;
		}
	}
	return CANH_EINVAL;
}

int canh__feed_emit(struct feed_ctx *c, const struct canh_feed_entry *e)
{
	c->st->entries++;
	return c->sink && c->sink->entry ? c->sink->entry(c->sink->ctx, e) : 0;
}

void canh__feed_reject(struct feed_ctx *c, uint32_t line, const char *cell, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	c->st->rejected++;
	if (!c->sink || !c->sink->reject)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->sink->reject(c->sink->ctx, line, cell ? cell : "", reason);
}

/* The bytes of a substring within the first n of s (no NUL needed). */
static bool has(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* A UTF-16 byte order mark: 1 little-endian, 2 big-endian, 0 none. */
static int utf16_bom(const char *p, size_t n)
{
	if (n >= 2 && (unsigned char)p[0] == 0xff && (unsigned char)p[1] == 0xfe)
		return 1;
	if (n >= 2 && (unsigned char)p[0] == 0xfe && (unsigned char)p[1] == 0xff)
		return 2;
	return 0;
}

/*
 * UTF-16 text (Excel's "Unicode text", tab-separated) to UTF-8, BOM dropped,
 * a lone surrogate as U+FFFD. out holds at least n / 2 * 3 bytes; returns
 * the length written.
 */
static size_t utf16_to_utf8(const unsigned char *s, size_t n, bool big, char *out)
{
	size_t o = 0;

	for (size_t i = 2; i + 1 < n; i += 2) {
		uint32_t u =
		    big ? (uint32_t)(s[i] << 8 | s[i + 1]) : (uint32_t)(s[i + 1] << 8 | s[i]);
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = big ? (uint32_t)(s[i + 2] << 8 | s[i + 3])
					  : (uint32_t)(s[i + 3] << 8 | s[i + 2]);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff)
			u = 0xfffd;
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xc0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			out[o++] = (char)(0xe0 | u >> 12);
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			/* four bytes from two units: still within n / 2 * 3 */
			out[o++] = (char)(0xf0 | u >> 18);
			out[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	return o;
}

enum canh_feed_format canh_feed_detect(const void *data, size_t len, const char *filename)
{
	const char *p = data;
	size_t n = len, head;
	int bom;

	if (!p || n == 0)
		return CANH_FEED_PLAIN;
	if ((bom = utf16_bom(p, n)) != 0) {
		/* detect on the start, converted */
		size_t k = n < 16384 ? n : 16384;
		char *u8 = canh_xmalloc(k / 2 * 3 + 1);
		size_t m = utf16_to_utf8((const unsigned char *)p, k, bom == 2, u8);
		enum canh_feed_format f = m ? canh_feed_detect(u8, m, filename) : CANH_FEED_PLAIN;
		free(u8);
		return f;
	}
	if (n >= 4 && (memcmp(p, "PK\x03\x04", 4) == 0 || memcmp(p, "\xd0\xcf\x11\xe0", 4) == 0))
		return CANH_FEED_XLSX;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	head = n < 8192 ? n : 8192;
	if (n > 0 && (*p == '{' || *p == '[')) {
		const char *nl = memchr(p, '\n', head);
		size_t first = nl ? (size_t)(nl - p) : head;
		if (*p == '{' && (has(p, first, "\"cidr\"") || has(p, first, "\"sblid\"")))
			return CANH_FEED_DROP_JSON;
		if (has(p, head, "\"Event\"") || has(p, head, "\"Attribute\""))
			return CANH_FEED_MISP;
		if (has(p, head, "\"bundle\"") || has(p, head, "\"indicator\"") ||
		    has(p, head, "\"spec_version\""))
			return CANH_FEED_STIX;
		if (filename && ends_with(filename, "manifest.json"))
			return CANH_FEED_MISP;
		/* A MISP manifest is keyed by event uuids whose values hold "info". */
		if (has(p, head, "\"info\"") && has(p, head, "\"Orgc\""))
			return CANH_FEED_MISP;
		return CANH_FEED_STIX;
	}
	if (has(p, head, "first_seen_utc") && has(p, head, "dst_ip"))
		return CANH_FEED_FEODO;
	if (has(p, head, "; SBL") || has(p, head, ";SBL"))
		return CANH_FEED_DROP;
	if (canh__feed_csv_sniff(p, n))
		return CANH_FEED_CSV;
	if (filename && ends_with(filename, ".xlsx"))
		return CANH_FEED_XLSX;
	return CANH_FEED_PLAIN;
}

int canh_feed_parse(const void *data, size_t len, enum canh_feed_format fmt, const char *filename,
		    const struct canh_feed_sink *sink, struct canh_feed_stats *st,
		    struct canh_errmsg *err)
{
	struct canh_feed_stats local;
	struct feed_ctx c;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (len > CANH_FEED_MAX_FILE)
		return canh_errmsg_set(err, CANH_ETOOBIG,
				       "feed '%s' is %zu bytes, over the cap of %zu bytes",
				       filename ? filename : "-", len, CANH_FEED_MAX_FILE);
	if (len > 0 && !data)
		return canh_errmsg_set(err, CANH_EINVAL, "no data");
	if (fmt != CANH_FEED_XLSX && utf16_bom(data, len)) {
		/* UTF-16 text: parsed as UTF-8, line numbers unchanged */
		int bom = utf16_bom(data, len), rc;
		char *u8 = canh_xmalloc(len / 2 * 3 + 1);
		size_t m = utf16_to_utf8(data, len, bom == 2, u8);
		rc = canh_feed_parse(u8, m, fmt, filename, sink, st, err);
		free(u8);
		return rc;
	}
	if (fmt == CANH_FEED_AUTO)
		fmt = canh_feed_detect(data, len, filename);
	st->format = fmt;
	c.sink = sink;
	c.st = st;
	c.err = err;
	c.filename = filename ? filename : "-";
	switch (fmt) {
	case CANH_FEED_PLAIN:
		return canh__feed_plain(&c, data, len, false);
	case CANH_FEED_DROP:
		return canh__feed_plain(&c, data, len, true);
	case CANH_FEED_CSV:
	case CANH_FEED_FEODO:
		return canh__feed_csv(&c, data, len);
	case CANH_FEED_XLSX:
		return canh__feed_xlsx(&c, data, len);
	case CANH_FEED_DROP_JSON:
		return canh__feed_drop_json(&c, data, len);
	case CANH_FEED_STIX:
	case CANH_FEED_MISP:
		return canh__feed_json(&c, data, len, fmt);
	default:
		return canh_errmsg_set(err, CANH_EINVAL, "unknown feed format %d", (int)fmt);
	}
}

int canh_feed_parse_file(const char *path, enum canh_feed_format fmt,
			 const struct canh_feed_sink *sink, struct canh_feed_stats *st,
			 struct canh_errmsg *err)
{
	char *data = NULL;
	size_t len = 0;
	const char *base;
	int rc;

	if (st)
		memset(st, 0, sizeof(*st));
	rc = canh_file_read(path, CANH_FEED_MAX_FILE, &data, &len, err);
	if (rc != 0)
		return rc;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	rc = canh_feed_parse(data, len, fmt, base, sink, st, err);
	free(data);
	return rc;
}
