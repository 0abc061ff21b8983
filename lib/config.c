/*
 * Table-driven INI configuration: one parser, one place for bounds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/buf.h"
#include "canh/config.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "canh/mem.h"

#define CFG_LINE_MAX 4096
#define CFG_FILE_MAX (1024 * 1024)
/* Subjects quoted in messages are escaped and cut to this many bytes. */
#define CFG_QUOTE_MAX 80

static bool same_section(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Escaped, shortened copy of untrusted text for an error message. */
static const char *quote(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t need = canh_log_escape(dst, dstlen, s, n);
	if (need >= dstlen && dstlen > 4) {
		size_t l = strlen(dst);
		if (l > dstlen - 4)
			l = dstlen - 4;
		memcpy(dst + l, "...", 4);
	}
	return dst;
}

int canh_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	const char *d = s;

	if (!s)
		return CANH_EINVAL;
	if (*d == '+' || *d == '-')
		d++;
	/* strtoll skips spaces and accepts "0x"; neither is a decimal integer. */
	if (*d < '0' || *d > '9')
		return CANH_EPARSE;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return CANH_EPARSE;
	if (errno == ERANGE || v < min || v > max)
		return CANH_ERANGE;
	*out = (int64_t)v;
	return 0;
}

/* Non-negative decimal digits followed by a suffix; *suffix points after the digits. */
static int parse_count(const char *s, int64_t *n, const char **suffix)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return CANH_EPARSE;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return CANH_ERANGE;
	*n = (int64_t)v;
	*suffix = end;
	return 0;
}

int canh_parse_duration_ms(const char *s, int64_t *out)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {{"ms", 1},	   {"", 1000},	   {"s", 1000},
		     {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
	const char *suffix;
	int64_t n, r;
	int rc = parse_count(s, &n, &suffix);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(suffix, units[i].suffix) != 0)
			continue;
		if (__builtin_mul_overflow(n, units[i].ms, &r))
			return CANH_ERANGE;
		*out = r;
		return 0;
	}
	return CANH_EPARSE;
}

int canh_parse_size(const char *s, int64_t *out)
{
	const char *suffix;
	int64_t n, r, mult;
	int rc = parse_count(s, &n, &suffix);
	if (rc != 0)
		return rc;
	if (suffix[0] == '\0')
		mult = 1;
	else if (suffix[1] != '\0')
		return CANH_EPARSE;
	else if (suffix[0] == 'K' || suffix[0] == 'k')
		mult = 1024;
	else if (suffix[0] == 'M' || suffix[0] == 'm')
		mult = 1024 * 1024;
	else if (suffix[0] == 'G' || suffix[0] == 'g')
		mult = 1024 * 1024 * 1024;
	else
		return CANH_EPARSE;
	if (__builtin_mul_overflow(n, mult, &r))
		return CANH_ERANGE;
	*out = r;
	return 0;
}

int canh_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	if (!s)
		return CANH_EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return CANH_EPARSE;
}

/* "30s", "5m", "250ms": the largest unit that divides exactly. */
static void format_duration(int64_t ms, char *buf, size_t len)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
	if (ms != 0) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (ms % units[i].ms == 0) {
				snprintf(buf, len, "%" PRId64 "%s", ms / units[i].ms,
					 units[i].suffix);
				return;
			}
		}
		snprintf(buf, len, "%" PRId64 "ms", ms);
		return;
	}
	snprintf(buf, len, "0s");
}

static void format_size(int64_t n, char *buf, size_t len)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {{"G", 1024 * 1024 * 1024}, {"M", 1024 * 1024}, {"K", 1024}};
	if (n != 0) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (n % units[i].mult == 0) {
				snprintf(buf, len, "%" PRId64 "%s", n / units[i].mult,
					 units[i].suffix);
				return;
			}
		}
	}
	snprintf(buf, len, "%" PRId64, n);
}

static void format_bound(const struct canh_cfg_def *d, int64_t v, char *buf, size_t len)
{
	if (d->type == CANH_CFG_DURATION)
		format_duration(v, buf, len);
	else if (d->type == CANH_CFG_SIZE)
		format_size(v, buf, len);
	else
		snprintf(buf, len, "%" PRId64, v);
}

static void store_i64(void *obj, size_t off, int64_t v)
{
	memcpy((char *)obj + off, &v, sizeof(v));
}

static int64_t load_i64(const void *obj, size_t off)
{
	int64_t v;
	memcpy(&v, (const char *)obj + off, sizeof(v));
	return v;
}

/*
 * Parse value for d and store it into obj. `where` prefixes the message
 * ("canhd.conf:12: " or ""). Nothing is stored on failure.
 */
static int set_value(const struct canh_cfg_def *d, void *obj, const char *value, size_t vlen,
		     const char *where, struct canh_errmsg *err)
{
	char q[CFG_QUOTE_MAX], lo[32], hi[32];
	int64_t v = 0;
	int rc;

	if (memchr(value, '\0', vlen))
		return canh_errmsg_set(err, CANH_EPARSE, "%s'%s' contains a NUL byte", where,
				       d->name);
	quote(q, sizeof(q), value, vlen);
	switch (d->type) {
	case CANH_CFG_BOOL: {
		int b;
		if (canh_parse_bool(value, &b) != 0)
			return canh_errmsg_set(err, CANH_EPARSE,
					       "%s'%s' must be yes or no, got '%s'", where, d->name,
					       q);
		memcpy((char *)obj + d->offset, &b, sizeof(b));
		return 0;
	}
	case CANH_CFG_STRING:
		if (d->size == 0 || vlen >= d->size)
			return canh_errmsg_set(err, CANH_ETOOBIG,
					       "%s'%s' is too long (at most %zu bytes), got '%s'",
					       where, d->name, d->size ? d->size - 1 : 0, q);
		memcpy((char *)obj + d->offset, value, vlen);
		((char *)obj)[d->offset + vlen] = '\0';
		return 0;
	case CANH_CFG_INT:
		rc = canh_parse_int64(value, INT64_MIN, INT64_MAX, &v);
		if (rc == CANH_EPARSE)
			return canh_errmsg_set(err, rc, "%s'%s' must be an integer, got '%s'",
					       where, d->name, q);
		break;
	case CANH_CFG_DURATION:
		rc = canh_parse_duration_ms(value, &v);
		if (rc == CANH_EPARSE)
			return canh_errmsg_set(
			    err, rc,
			    "%s'%s' must be a duration like 250ms, 30s, 5m, 2h or 7d, got '%s'",
			    where, d->name, q);
		break;
	case CANH_CFG_SIZE:
		rc = canh_parse_size(value, &v);
		if (rc == CANH_EPARSE)
			return canh_errmsg_set(
			    err, rc, "%s'%s' must be a size like 512, 64K, 8M or 1G, got '%s'",
			    where, d->name, q);
		break;
	default:
		return canh_errmsg_set(err, CANH_EINTERNAL, "%s'%s' has an unknown type", where,
				       d->name);
	}
	if (rc == 0 && (v < d->min || v > d->max))
		rc = CANH_ERANGE;
	if (rc != 0) {
		format_bound(d, d->min, lo, sizeof(lo));
		format_bound(d, d->max, hi, sizeof(hi));
		return canh_errmsg_set(err, CANH_ERANGE,
				       "%s'%s' must be between %s and %s, got '%s'", where, d->name,
				       lo, hi, q);
	}
	store_i64(obj, d->offset, v);
	return 0;
}

int canh_config_defaults(const struct canh_cfg_def *defs, void *obj, struct canh_errmsg *err)
{
	for (const struct canh_cfg_def *d = defs; d->name; d++) {
		int rc;
		if (d->defval) {
			rc = set_value(d, obj, d->defval, strlen(d->defval), "default: ", err);
			if (rc != 0)
				return rc;
			continue;
		}
		switch (d->type) {
		case CANH_CFG_BOOL: {
			int zero = 0;
			memcpy((char *)obj + d->offset, &zero, sizeof(zero));
			break;
		}
		case CANH_CFG_STRING:
			if (d->size == 0)
				return canh_errmsg_set(err, CANH_EINTERNAL,
						       "'%s' is a string of size 0", d->name);
			((char *)obj)[d->offset] = '\0';
			break;
		default:
			store_i64(obj, d->offset, 0);
			break;
		}
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static bool section_known(const struct canh_cfg_def *defs, const char *section)
{
	for (const struct canh_cfg_def *d = defs; d->name; d++)
		if (same_section(d->section, section))
			return true;
	return false;
}

static const struct canh_cfg_def *find_def(const struct canh_cfg_def *defs, const char *section,
					   const char *name)
{
	for (const struct canh_cfg_def *d = defs; d->name; d++)
		if (same_section(d->section, section) && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/*
 * Unquote a "double-quoted" value in place: \" \\ \n \t \r are the escapes.
 * Returns the new length or -1.
 */
static long unquote(char *v, size_t n)
{
	size_t o = 0;
	if (n < 2 || v[n - 1] != '"')
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		char c = v[i];
		if (c == '"')
			return -1;
		if (c == '\\') {
			if (++i >= n - 1)
				return -1;
			switch (v[i]) {
			case '"':
			case '\\':
				c = v[i];
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			default:
				return -1;
			}
		}
		v[o++] = c;
	}
	v[o] = '\0';
	return (long)o;
}

int canh_config_parse(const struct canh_cfg_def *defs, void *obj, const char *text, size_t len,
		      const char *name, struct canh_errmsg *err)
{
	char section[CFG_LINE_MAX + 1] = "";
	char line[CFG_LINE_MAX + 1];
	char where[CFG_QUOTE_MAX + 32];
	char q[CFG_QUOTE_MAX];
	unsigned char *seen = NULL;
	size_t ndefs = 0, pos = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!defs || !obj || (!text && len > 0))
		return canh_errmsg_set(err, CANH_EINVAL, "invalid arguments to the config parser");
	if (!name)
		name = "config";
	if (len > CFG_FILE_MAX)
		return canh_errmsg_set(err, CANH_ETOOBIG, "%s: larger than %d bytes", name,
				       CFG_FILE_MAX);
	for (const struct canh_cfg_def *d = defs; d->name; d++)
		ndefs++;
	seen = canh_xcalloc(ndefs ? ndefs : 1, 1);

	/* A UTF-8 byte order mark, as some Windows editors write. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *s = text + pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		snprintf(where, sizeof(where), "%s:%u: ", name, lineno);

		if (n > CFG_LINE_MAX) {
			rc = canh_errmsg_set(err, CANH_ETOOBIG, "%sline longer than %d bytes",
					     where, CFG_LINE_MAX);
			goto out;
		}
		if (memchr(s, '\0', n)) {
			rc = canh_errmsg_set(err, CANH_EPARSE, "%sNUL byte in line", where);
			goto out;
		}
		trim(&s, &n);
		if (n == 0 || s[0] == '#' || s[0] == ';')
			continue;

		if (s[0] == '[') {
			if (s[n - 1] != ']' || n < 3) {
				rc = canh_errmsg_set(err, CANH_EPARSE,
						     "%sexpected '[section]', got '%s'", where,
						     quote(q, sizeof(q), s, n));
				goto out;
			}
			const char *sec = s + 1;
			size_t sl = n - 2;
			trim(&sec, &sl);
			memcpy(line, sec, sl);
			line[sl] = '\0';
			if (sl == 0 || memchr(line, '[', sl) || memchr(line, ']', sl)) {
				rc = canh_errmsg_set(err, CANH_EPARSE,
						     "%sexpected '[section]', got '%s'", where,
						     quote(q, sizeof(q), s, n));
				goto out;
			}
			if (!section_known(defs, line)) {
				rc = canh_errmsg_set(err, CANH_EPARSE, "%sunknown section [%s]",
						     where, quote(q, sizeof(q), sec, sl));
				goto out;
			}
			memcpy(section, line, sl + 1);
			continue;
		}

		const char *eq = memchr(s, '=', n);
		if (!eq) {
			rc = canh_errmsg_set(err, CANH_EPARSE, "%sexpected 'key = value', got '%s'",
					     where, quote(q, sizeof(q), s, n));
			goto out;
		}
		const char *k = s, *v = eq + 1;
		size_t kl = (size_t)(eq - s), vl = n - kl - 1;
		trim(&k, &kl);
		trim(&v, &vl);
		if (kl == 0) {
			rc = canh_errmsg_set(err, CANH_EPARSE, "%smissing key before '='", where);
			goto out;
		}
		memcpy(line, k, kl);
		line[kl] = '\0';
		const struct canh_cfg_def *d = find_def(defs, section, line);
		if (!d) {
			quote(q, sizeof(q), k, kl);
			if (section[0])
				rc = canh_errmsg_set(err, CANH_EPARSE,
						     "%sunknown key '%s' in section [%s]", where, q,
						     section);
			else
				rc = canh_errmsg_set(err, CANH_EPARSE,
						     "%sunknown key '%s' outside any section",
						     where, q);
			goto out;
		}
		size_t idx = (size_t)(d - defs);
		if (seen[idx]) {
			rc = canh_errmsg_set(err, CANH_EPARSE, "%s'%s' is set twice", where,
					     d->name);
			goto out;
		}
		seen[idx] = 1;

		memcpy(line, v, vl);
		line[vl] = '\0';
		if (vl > 0 && line[0] == '"') {
			long ul = unquote(line, vl);
			if (ul < 0) {
				rc = canh_errmsg_set(err, CANH_EPARSE,
						     "%s'%s' has a badly quoted value '%s'", where,
						     d->name, quote(q, sizeof(q), v, vl));
				goto out;
			}
			vl = (size_t)ul;
		}
		if ((rc = set_value(d, obj, line, vl, where, err)) != 0)
			goto out;
	}
out:
	free(seen);
	return rc;
}

int canh_config_load(const struct canh_cfg_def *defs, void *obj, const char *path,
		     struct canh_errmsg *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = canh_file_read(path, CFG_FILE_MAX, &text, &len, err);
	if (rc != 0)
		return rc;
	rc = canh_config_parse(defs, obj, text, len, path, err);
	free(text);
	return rc;
}

int canh_config_set(const struct canh_cfg_def *defs, void *obj, const char *key, const char *value,
		    struct canh_errmsg *err)
{
	const struct canh_cfg_def *d = NULL;
	char where[CFG_QUOTE_MAX + 16];
	char q[CFG_QUOTE_MAX];

	if (!defs || !obj || !key || !value)
		return canh_errmsg_set(err, CANH_EINVAL, "invalid arguments to config set");
	const char *dot = strrchr(key, '.');
	if (dot && (size_t)(dot - key) < CFG_LINE_MAX) {
		char sec[CFG_LINE_MAX + 1];
		memcpy(sec, key, (size_t)(dot - key));
		sec[dot - key] = '\0';
		d = find_def(defs, sec, dot + 1);
	}
	for (const struct canh_cfg_def *x = defs; !d && x->name; x++)
		if (strcmp(x->name, key) == 0)
			d = x;
	if (!d)
		return canh_errmsg_set(err, CANH_ENOENT, "unknown setting '%s'",
				       quote(q, sizeof(q), key, strlen(key)));
	snprintf(where, sizeof(where), "%s: ", quote(q, sizeof(q), key, strlen(key)));
	return set_value(d, obj, value, strlen(value), where, err);
}

static int dump_string(struct canh_buf *out, const char *s, size_t n)
{
	int rc = canh_buf_putc(out, '"');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		switch (s[i]) {
		case '"':
			rc = canh_buf_puts(out, "\\\"");
			break;
		case '\\':
			rc = canh_buf_puts(out, "\\\\");
			break;
		case '\n':
			rc = canh_buf_puts(out, "\\n");
			break;
		case '\t':
			rc = canh_buf_puts(out, "\\t");
			break;
		case '\r':
			rc = canh_buf_puts(out, "\\r");
			break;
		default:
			rc = canh_buf_putc(out, s[i]);
		}
	}
	return rc ? rc : canh_buf_putc(out, '"');
}

static int dump_one(const struct canh_cfg_def *d, const void *obj, struct canh_buf *out)
{
	char v[32];
	int rc = canh_buf_appendf(out, "%s = ", d->name);
	if (rc != 0)
		return rc;
	switch (d->type) {
	case CANH_CFG_BOOL: {
		int b;
		memcpy(&b, (const char *)obj + d->offset, sizeof(b));
		rc = canh_buf_puts(out, b ? "yes" : "no");
		break;
	}
	case CANH_CFG_STRING: {
		const char *s = (const char *)obj + d->offset;
		rc = dump_string(out, s, d->size ? strnlen(s, d->size) : 0);
		break;
	}
	default:
		format_bound(d, load_i64(obj, d->offset), v, sizeof(v));
		rc = canh_buf_puts(out, v);
		break;
	}
	return rc ? rc : canh_buf_putc(out, '\n');
}

int canh_config_dump(const struct canh_cfg_def *defs, const void *obj, struct canh_buf *out)
{
	const char *cur = NULL;
	int rc = 0;

	/* Settings outside any section must come before the first header. */
	for (const struct canh_cfg_def *d = defs; d->name; d++)
		if (same_section(d->section, NULL) && (rc = dump_one(d, obj, out)) != 0)
			return rc;
	for (const struct canh_cfg_def *d = defs; d->name; d++) {
		if (same_section(d->section, NULL))
			continue;
		if (!cur || !same_section(cur, d->section)) {
			rc = canh_buf_appendf(out, "%s[%s]\n", out->len ? "\n" : "", d->section);
			if (rc != 0)
				return rc;
			cur = d->section;
		}
		if ((rc = dump_one(d, obj, out)) != 0)
			return rc;
	}
	return 0;
}
