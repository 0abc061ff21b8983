/*
 * dpkg status file parser (see canh/dpkg.h).
 *
 * One pass over the text, line by line. For each stanza only the five fields
 * we report are remembered, as pointers into the text; when the stanza ends
 * they are copied into small fixed buffers (the callback wants C strings) and
 * the callback runs. Continuation lines (leading space or tab) belong to
 * multi-line fields such as Description or Conffiles, none of which we need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/dpkg.h"
#include "canh/fs.h"

#define DPKG_MAX_FILE (256u * 1024 * 1024)

/* Caps on what is reported; a stanza over any of them is skipped. */
#define CAP_NAME 256
#define CAP_VERSION 256
#define CAP_ARCH 64
#define CAP_SOURCE 512 /* "name (version)" */
#define CAP_STATUS 128

enum { F_PACKAGE, F_VERSION, F_ARCH, F_SOURCE, F_STATUS, F_COUNT };

static const struct {
	const char *name;
	size_t len;
} field_names[F_COUNT] = {
    {"Package", 7}, {"Version", 7}, {"Architecture", 12}, {"Source", 6}, {"Status", 6},
};

struct stanza {
	const char *v[F_COUNT];
	size_t n[F_COUNT];
	int any; /* some field line seen */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **p, size_t *n)
{
	while (*n > 0 && is_blank(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*p)[*n - 1]))
		(*n)--;
}

/* Copy a field into buf (cap bytes with the NUL); -1 when too long or holding a NUL. */
static int copy_field(char *buf, size_t cap, const char *v, size_t n)
{
	if (n >= cap || (n && memchr(v, '\0', n)))
		return -1;
	if (n)
		memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}

/* The last word of "install ok installed" if it is one we report, else NULL. */
static const char *reported_state(const char *v, size_t n)
{
	static const char *const states[] = {"installed", "half-configured", "unpacked"};
	size_t i = n;

	while (i > 0 && !is_blank(v[i - 1]))
		i--;
	for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
		if (n - i == strlen(states[k]) && memcmp(v + i, states[k], n - i) == 0)
			return states[k];
	return NULL;
}

/* Returns the callback's non-zero value to stop, else 0. */
static int finish_stanza(struct stanza *st, canh_pkg_fn fn, void *ctx, size_t *skipped)
{
	char name[CAP_NAME], version[CAP_VERSION], arch[CAP_ARCH], source[CAP_SOURCE];
	char source_version[CAP_VERSION];
	struct canh_pkg p;
	const char *state;
	int rc = 0;

	if (!st->any)
		return 0;
	if (!st->v[F_STATUS] || !(state = reported_state(st->v[F_STATUS], st->n[F_STATUS])))
		goto out; /* not installed (or not a status stanza): not ours to report */
	if (!st->v[F_PACKAGE] || !st->v[F_VERSION] || st->n[F_PACKAGE] == 0 ||
	    st->n[F_VERSION] == 0 ||
	    copy_field(name, sizeof(name), st->v[F_PACKAGE], st->n[F_PACKAGE]) != 0 ||
	    copy_field(version, sizeof(version), st->v[F_VERSION], st->n[F_VERSION]) != 0 ||
	    copy_field(arch, sizeof(arch), st->v[F_ARCH] ? st->v[F_ARCH] : "", st->n[F_ARCH]) !=
		0 ||
	    st->n[F_SOURCE] >= CAP_SOURCE) {
		if (skipped)
			(*skipped)++;
		goto out;
	}

	/* "Source: name" or "Source: name (version)"; absent means the binary's own. */
	memcpy(source, name, sizeof(name));
	memcpy(source_version, version, sizeof(version));
	if (st->v[F_SOURCE] && st->n[F_SOURCE] > 0) {
		const char *s = st->v[F_SOURCE];
		size_t n = st->n[F_SOURCE], w = 0;
		while (w < n && !is_blank(s[w]) && s[w] != '(')
			w++;
		if (w == 0 || copy_field(source, sizeof(source), s, w) != 0) {
			if (skipped)
				(*skipped)++;
			goto out;
		}
		const char *open = memchr(s + w, '(', n - w);
		const char *close = open ? memchr(open, ')', (size_t)(s + n - open)) : NULL;
		if (open && close) {
			const char *vv = open + 1;
			size_t vn = (size_t)(close - vv);
			trim(&vv, &vn);
			if (vn > 0 &&
			    copy_field(source_version, sizeof(source_version), vv, vn) != 0) {
				if (skipped)
					(*skipped)++;
				goto out;
			}
		}
	}

	p.name = name;
	p.version = version;
	p.arch = arch;
	p.source = source;
	p.source_version = source_version;
	p.state = state;
	rc = fn(&p, ctx);
out:
	memset(st, 0, sizeof(*st));
	return rc;
}

int canh_dpkg_parse(const char *text, size_t len, canh_pkg_fn fn, void *ctx, size_t *skipped)
{
	struct stanza st;
	size_t pos = 0;
	int rc;

	if (skipped)
		*skipped = 0;
	if ((!text && len) || !fn)
		return CANH_EINVAL;
	memset(&st, 0, sizeof(st));
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);

		size_t k = 0;
		while (k < n && is_blank(line[k]))
			k++;
		if (k == n) { /* blank line: end of stanza */
			if ((rc = finish_stanza(&st, fn, ctx, skipped)) != 0)
				return rc < 0 ? rc : 0;
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t' || line[0] == '#')
			continue; /* continuation of a multi-line field, or a comment */

		const char *colon = memchr(line, ':', n);
		st.any = 1;
		if (!colon)
			continue; /* malformed line: ignore it, keep the stanza */
		size_t flen = (size_t)(colon - line);
		for (int f = 0; f < F_COUNT; f++) {
			if (flen == field_names[f].len &&
			    strncasecmp(line, field_names[f].name, flen) == 0) {
				const char *v = colon + 1;
				size_t vn = n - flen - 1;
				trim(&v, &vn);
				st.v[f] = v;
				st.n[f] = vn;
				break;
			}
		}
	}
	rc = finish_stanza(&st, fn, ctx, skipped);
	return rc < 0 ? rc : 0;
}

int canh_dpkg_parse_file(const char *path, canh_pkg_fn fn, void *ctx, size_t *skipped,
			 struct canh_errmsg *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (skipped)
		*skipped = 0;
	if ((rc = canh_file_read(path, DPKG_MAX_FILE, &text, &len, err)) != 0)
		return rc;
	rc = canh_dpkg_parse(text, len, fn, ctx, skipped);
	if (rc != 0)
		canh_errmsg_set(err, rc, "cannot parse '%s'", path);
	free(text);
	return rc;
}
