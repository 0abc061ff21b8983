/*
 * Small parsers and formatters shared by the CLI's commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/config.h"
#include "canh/error.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "cli.h"

const char *canh_cli_time(const char *iso, char *buf, size_t len)
{
	int64_t ms;
	if (!iso)
		return NULL;
	if (canh_time_parse(iso, &ms) != 0)
		return iso;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return iso;
	return buf;
}

const char *canh_cli_jstr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *canh_cli_jint(const json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_string(v))
		return json_string_value(v);
	return NULL;
}

long long canh_cli_jll(const json_t *obj, const char *key, long long def)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

/* A copy of s[0..n) without leading and trailing blanks. */
static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return canh_xstrndup(s, n);
}

int canh_cli_contact_parse(const char *s, json_t **out)
{
	static const char *const keys[] = {"name", "role", "phone", "email"};
	char *field[4] = {NULL, NULL, NULL, NULL};
	size_t nf = 0;
	int rc = CANH_EINVAL;
	const char *p = s;

	*out = NULL;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		if (nf == 4)
			goto out; /* a fifth field */
		field[nf++] = trimmed(p, n);
		if (!semi)
			break;
		p = semi + 1;
	}
	if (field[0][0] == '\0')
		goto out;
	json_t *c = json_object();
	/* Fields left empty are left out. */
	for (size_t i = 0; i < nf; i++) {
		if (field[i][0])
			json_object_set_new(c, keys[i], json_string(field[i]));
	}
	*out = c;
	rc = 0;
out:
	for (size_t i = 0; i < 4; i++)
		free(field[i]);
	return rc;
}

json_t *canh_cli_ranges_parse(const char *s)
{
	json_t *a = json_array();
	const char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\n')
			p++;
		if (p > start) {
			char *one = canh_xstrndup(start, (size_t)(p - start));
			json_array_append_new(a, json_string(one));
			free(one);
		}
	}
	return a;
}

static const char *const unit_types[] = {"department", "district", "school", "centre", "other"};

int canh_cli_unit_type_valid(const char *s)
{
	for (size_t i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++) {
		if (strcmp(s, unit_types[i]) == 0)
			return 1;
	}
	return 0;
}

const char *canh_cli_unit_type_label(const struct canh_cli *c, const char *type)
{
	static const enum canh_cli_msg_id ids[] = {M_TYPE_DEPARTMENT, M_TYPE_DISTRICT,
						   M_TYPE_SCHOOL, M_TYPE_CENTRE, M_TYPE_OTHER};
	if (!type)
		return NULL;
	for (size_t i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++) {
		if (strcmp(type, unit_types[i]) == 0)
			return canh_cli_msg(c->lang, ids[i]);
	}
	return type;
}

int canh_cli_parse_id(const char *s, long long *out)
{
	int64_t v;
	if (canh_parse_int64(s, 1, INT64_MAX, &v) != 0)
		return CANH_EINVAL;
	*out = (long long)v;
	return 0;
}

int canh_cli_path_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	/* "." and ".." would be squashed by the HTTP client as dot-segments. */
	int dots = strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || (*p == '.' && !dots) ||
			    *p == '_' || *p == '~';
		size_t need = plain ? 1 : 3;
		if (o + need >= len)
			return CANH_ETOOBIG;
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (len == 0)
		return CANH_ETOOBIG;
	out[o] = '\0';
	return 0;
}

int canh_cli_fingerprint_normalize(const char *in, char out[CANH_SHA256_HEX])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char ch = *p;
		if (ch == ':' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) || n == 64) {
			out[0] = '\0';
			return CANH_EINVAL;
		}
		out[n++] = ch;
	}
	out[n] = '\0';
	if (n != 64) {
		out[0] = '\0';
		return CANH_EINVAL;
	}
	return 0;
}

int canh_cli_url_normalize(const char *in, char *out, size_t outlen)
{
	const char *scheme = strstr(in, "://") ? "" : "https://";
	int n = snprintf(out, outlen, "%s%s", scheme, in);
	if (n < 0 || (size_t)n >= outlen)
		return CANH_ETOOBIG;
	size_t len = (size_t)n;
	for (;;) {
		if (len > 0 && out[len - 1] == '/') {
			out[--len] = '\0';
		} else if (len >= 7 && strcmp(out + len - 7, "/api/v1") == 0) {
			len -= 7;
			out[len] = '\0';
		} else {
			break;
		}
	}
	if (strncmp(out, "https://", 8) != 0 || len == 8)
		return CANH_EINVAL;
	/* Control bytes and spaces cannot be in a URL canh sends its token to. */
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f)
			return CANH_EINVAL;
	}
	return 0;
}
