/*
 * Application detection (see canh/software.h).
 *
 * Zimbra's own files are read as text with caps; each source is tried in
 * turn and the first that yields a version wins, so a stale or damaged file
 * costs at most an entry in "errors".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/software.h"

#define ZIMBRA_DIR "/opt/zimbra"
#define ZIMBRA_HISTORY "/opt/zimbra/.install_history"
#define MAX_COMPONENT 99999u

static void add_error(json_t *errors, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_error(json_t *errors, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!errors || json_array_size(errors) >= 256)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(errors, json_string(msg));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_sep(char c)
{
	return c == '.' || c == '_' || c == '-';
}

/* Digits at *p (at most 9 of them) into *out; advances *p. -1 when none. */
static int read_uint(const char **p, const char *end, unsigned *out)
{
	unsigned long n = 0;
	int k = 0;

	while (*p < end && is_digit(**p)) {
		if (++k > 9)
			return -1;
		n = n * 10 + (unsigned long)(**p - '0');
		(*p)++;
	}
	if (k == 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* "M.m.u" at the start of [p, end); advances *p past it. */
static int read_release(const char **p, const char *end, struct canh_zimbra_version *v)
{
	unsigned c[3];

	for (int i = 0; i < 3; i++) {
		if (i > 0) {
			if (*p >= end || **p != '.')
				return -1;
			(*p)++;
		}
		if (read_uint(p, end, &c[i]) != 0 || c[i] > MAX_COMPONENT)
			return -1;
	}
	v->major = c[0];
	v->minor = c[1];
	v->micro = c[2];
	return 0;
}

static void copy_token(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* A token "pNN"/"PNN" → NN; 0 when it is not one. */
static unsigned patch_token(const char *t, size_t n)
{
	unsigned val;
	const char *p = t + 1;

	if (n < 2 || n > 6 || (t[0] != 'p' && t[0] != 'P'))
		return 0;
	if (read_uint(&p, t + n, &val) != 0 || p != t + n)
		return 0;
	return val;
}

static int all_digits(const char *t, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(t[i]))
			return 0;
	return 1;
}

/*
 * The tokens after the release, split on '.', '_' and '-': "GA" followed by
 * a number gives the build, "pNN" the patch.
 */
static void scan_tokens(const char *p, const char *end, struct canh_zimbra_version *v)
{
	const char *prev = NULL;
	size_t prevn = 0;

	while (p < end) {
		const char *t;
		size_t n;

		while (p < end && is_sep(*p))
			p++;
		t = p;
		while (p < end && !is_sep(*p))
			p++;
		n = (size_t)(p - t);
		if (n == 0)
			break;
		if (prev && prevn == 2 && memcmp(prev, "GA", 2) == 0 && all_digits(t, n) &&
		    !v->build[0])
			copy_token(v->build, sizeof(v->build), t, n);
		else if (patch_token(t, n))
			v->patch = patch_token(t, n);
		prev = t;
		prevn = n;
	}
}

int canh_software_zimbra_package(const char *s, size_t len, struct canh_zimbra_version *v,
				 int *is_patch)
{
	static const struct {
		const char *name;
		int patch;
	} names[] = {{"zimbra-core", 0}, {"zimbra-patch", 1}};
	const char *end = s + len, *p = NULL;

	memset(v, 0, sizeof(*v));
	*is_patch = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].name);
		if (len > n && memcmp(s, names[i].name, n) == 0 && (s[n] == '-' || s[n] == '_')) {
			p = s + n + 1;
			*is_patch = names[i].patch;
			break;
		}
	}
	/* "zimbra-core-components-3.0.6-..." is another package. */
	if (!p || (p < end && !is_digit(*p)))
		return CANH_ENOENT;
	if (read_release(&p, end, v) != 0 || (p < end && !is_sep(*p)))
		return CANH_EPARSE;
	scan_tokens(p, end, v);
	return 0;
}

int canh_software_zimbra_zmcontrol(const char *line, size_t len, struct canh_zimbra_version *v)
{
	const char *end = line + len, *p = line, *q;
	static const char rel[] = "Release ";
	static const char ed[] = " edition";
	static const char pat[] = "Patch ";

	memset(v, 0, sizeof(*v));
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < sizeof(rel) - 1 || memcmp(p, rel, sizeof(rel) - 1) != 0)
		return CANH_EPARSE;
	p += sizeof(rel) - 1;
	if (read_release(&p, end, v) != 0 || (p < end && !is_sep(*p) && *p != ' '))
		return CANH_EPARSE;
	q = p;
	while (q < end && *q != ' ')
		q++;
	scan_tokens(p, q, v);
	v->patch = 0; /* the release word carries no patch; only "Patch X_PNN" does */
	/* "... FOSS edition" */
	for (const char *e = q; e + sizeof(ed) - 1 <= end; e++) {
		if (memcmp(e, ed, sizeof(ed) - 1) == 0) {
			const char *w = e;
			while (w > q && w[-1] != ' ')
				w--;
			copy_token(v->edition, sizeof(v->edition), w, (size_t)(e - w));
			break;
		}
	}
	/* ", Patch 9.0.0_P38." — counted only when it patches this release. */
	for (const char *e = q; e + sizeof(pat) - 1 <= end; e++) {
		if (memcmp(e, pat, sizeof(pat) - 1) == 0) {
			struct canh_zimbra_version pv;
			const char *r = e + sizeof(pat) - 1, *t = r;
			memset(&pv, 0, sizeof(pv));
			while (t < end && *t != ' ' && *t != ',' && *t != '\n')
				t++;
			if (t > r && t[-1] == '.')
				t--;
			if (read_release(&r, t, &pv) == 0 && pv.major == v->major &&
			    pv.minor == v->minor && pv.micro == v->micro) {
				scan_tokens(r, t, &pv);
				v->patch = pv.patch;
			}
			break;
		}
	}
	return 0;
}

const char *canh_software_zimbra_string(const struct canh_zimbra_version *v, char *buf, size_t len)
{
	if (v->patch)
		snprintf(buf, len, "%u.%u.%u.P%u", v->major, v->minor, v->micro, v->patch);
	else
		snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}

static int same_release(const struct canh_zimbra_version *a, const struct canh_zimbra_version *b)
{
	return a->major == b->major && a->minor == b->minor && a->micro == b->micro;
}

/* Apply one package seen installed, in installation order. */
static void apply_package(struct canh_zimbra_version *cur, int *have,
			  const struct canh_zimbra_version *pv, int is_patch)
{
	if (!is_patch) {
		*cur = *pv;
		*have = 1;
	} else if (*have && same_release(cur, pv) && pv->patch) {
		cur->patch = pv->patch;
	}
}

static char *root_path(const char *root, const char *path)
{
	return canh_xasprintf("%s%s", root ? root : "", path);
}

/* Source 1: a saved `zmcontrol -v`. 1 when it gave a version. */
static int from_zmcontrol(const char *file, struct canh_zimbra_version *v, json_t *errors)
{
	struct canh_errmsg em;
	char *text = NULL;
	size_t len = 0;
	int rc, found = 0;

	rc = canh_file_read(file, CANH_SOFTWARE_MAX_FILE, &text, &len, &em);
	if (rc == CANH_ENOENT)
		return 0;
	if (rc != 0) {
		add_error(errors, "software: %s", em.text);
		return 0;
	}
	for (const char *p = text, *end = text + len; p < end && !found;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (canh_software_zimbra_zmcontrol(p, n, v) == 0)
			found = 1;
		p += n + 1;
	}
	if (!found)
		add_error(errors, "software: '%s' holds no 'Release' line of zmcontrol -v", file);
	free(text);
	return found;
}

/* Source 2: the installer's history. */
static int from_history(const char *file, struct canh_zimbra_version *v, json_t *errors)
{
	static const char tag[] = ": INSTALLED ";
	struct canh_errmsg em;
	char *text = NULL;
	size_t len = 0, lineno = 0, bad = 0;
	int rc, have = 0;

	rc = canh_file_read(file, CANH_SOFTWARE_MAX_FILE, &text, &len, &em);
	if (rc == CANH_ENOENT)
		return 0;
	if (rc != 0) {
		add_error(errors, "software: %s", em.text);
		return 0;
	}
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *q = p, *le = p + n;
		struct canh_zimbra_version pv;
		int is_patch;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		while (q < le && is_digit(*q))
			q++;
		if (q > p && (size_t)(le - q) > sizeof(tag) - 1 &&
		    memcmp(q, tag, sizeof(tag) - 1) == 0) {
			q += sizeof(tag) - 1;
			rc = canh_software_zimbra_package(q, (size_t)(le - q), &pv, &is_patch);
			if (rc == 0)
				apply_package(v, &have, &pv, is_patch);
			else if (rc == CANH_EPARSE && bad++ == 0)
				add_error(errors,
					  "software: '%s' line %zu: cannot read the version", file,
					  lineno);
		}
		p += n + 1;
	}
	free(text);
	return have;
}

/* Source 3: zimbra-core / zimbra-patch among the packages. */
static int from_packages(const json_t *pkgs, struct canh_zimbra_version *v)
{
	struct canh_zimbra_version core, pv;
	int have = 0, is_patch;
	size_t i;
	json_t *e;

	memset(&core, 0, sizeof(core));
	/* The core first: patches count only for its release, whatever the order. */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(pkgs, i, e)
		{
			const char *name = json_string_value(json_object_get(e, "name"));
			const char *ver = json_string_value(json_object_get(e, "version"));
			char buf[512];
			int n;
			if (!name || !ver)
				continue;
			if (strcmp(name, pass == 0 ? "zimbra-core" : "zimbra-patch") != 0)
				continue;
			n = snprintf(buf, sizeof(buf), "%s-%s", name, ver);
			if (n < 0 || (size_t)n >= sizeof(buf))
				continue;
			if (canh_software_zimbra_package(buf, (size_t)n, &pv, &is_patch) == 0)
				apply_package(&core, &have, &pv, is_patch);
		}
	}
	if (have)
		*v = core;
	return have;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

static void detect_zimbra(const struct canh_software_opts *o, json_t *arr, json_t *errors)
{
	struct canh_zimbra_version v;
	const char *source = NULL;
	char *dir = root_path(o->root, ZIMBRA_DIR), *file;
	char ver[64], patch[16];
	struct stat st;
	json_t *e;

	memset(&v, 0, sizeof(v));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(dir);
		/* An install whose /opt/zimbra is elsewhere still shows in the packages. */
		if (o->packages && from_packages(o->packages, &v))
			source = "packages";
		if (!source)
			return;
		dir = canh_xstrdup(ZIMBRA_DIR);
	} else {
		file = o->zmcontrol_file ? canh_xstrdup(o->zmcontrol_file)
					 : root_path(o->root, CANH_SOFTWARE_DEFAULT_ZMCONTROL);
		if (from_zmcontrol(file, &v, errors))
			source = "zmcontrol-v";
		free(file);
		if (!source) {
			file = root_path(o->root, ZIMBRA_HISTORY);
			if (from_history(file, &v, errors))
				source = "zimbra-install-history";
			free(file);
		}
		if (!source && o->packages && from_packages(o->packages, &v))
			source = "packages";
		if (!source) {
			add_error(errors,
				  "software: '%s' exists but no Zimbra version was found in it",
				  dir);
			free(dir);
			return;
		}
		free(dir);
		dir = canh_xstrdup(ZIMBRA_DIR);
	}
	e = json_object();
	set_str(e, "name", "zimbra");
	set_str(e, "vendor", "Synacor");
	set_str(e, "product", "Zimbra Collaboration");
	set_str(e, "version", canh_software_zimbra_string(&v, ver, sizeof(ver)));
	set_str(e, "path", dir);
	set_str(e, "source", source);
	if (v.patch) {
		snprintf(patch, sizeof(patch), "P%u", v.patch);
		set_str(e, "patch", patch);
	}
	set_str(e, "build", v.build);
	set_str(e, "edition", v.edition);
	json_array_append_new(arr, e);
	free(dir);
}

int canh_software_detect(const struct canh_software_opts *o, json_t **out, json_t *errors)
{
	json_t *arr;

	*out = NULL;
	arr = json_array();
	if (!arr)
		return CANH_ENOMEM;
	detect_zimbra(o, arr, errors);
	*out = arr;
	return 0;
}
