/*
 * Checking uploaded rule sets and hash lists (hunt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/scan.h"
#include "canh/utf8.h"
#include "canh/yarac.h"
#include "hunt.h"

int canh_hunt_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > CANH_HUNT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return s[0] != '.';
}

/* Offset of the first byte that keeps data from being UTF-8 text without NUL, or len. */
static size_t text_prefix(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	while (i < len) {
		size_t n = p[i] < 0x80			  ? 1
			   : p[i] >= 0xc2 && p[i] <= 0xdf ? 2
			   : p[i] >= 0xe0 && p[i] <= 0xef ? 3
			   : p[i] >= 0xf0 && p[i] <= 0xf4 ? 4
							  : 0;
		if (n == 0 || p[i] == 0 || i + n > len || !canh_utf8_valid(p + i, n))
			return i;
		i += n;
	}
	return len;
}

static void diag(void *ctx, const char *file, int line, const char *message, int warning)
{
	struct canh_hunt_check *c = ctx;

	if (warning)
		return;
	if (c->nerrors == 0)
		snprintf(c->first, sizeof(c->first), "%s:%d: %s", file, line, message);
	c->nerrors++;
	if (json_array_size(c->errors) < CANH_HUNT_MAX_DIAGS)
		json_array_append_new(c->errors, json_pack("{s:s,s:i,s:s}", "file", file, "line",
							   line, "message", message));
}

static char *tmp_path(const char *dir, const char *suffix)
{
	uint8_t rnd[8];
	char name[64];

	canh_random_bytes(rnd, sizeof(rnd));
	snprintf(name, sizeof(name), ".upload-%02x%02x%02x%02x%02x%02x%02x%02x%s", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], suffix);
	return canh_path_join(dir, name);
}

static int check_yara(const char *filename, const char *data, size_t len, const char *tmpdir,
		      struct canh_hunt_check *c, struct canh_errmsg *err)
{
	struct canh_yarac_source src = {.name = filename, .data = data, .len = len};
	struct canh_scan_rules *rules = NULL;
	struct stat sb;
	char *path;
	int rc;

	c->errors = json_array();
	rc = canh_yarac_compile_sources(&src, 1, &rules, diag, c, err);
	if (rc == CANH_EPARSE || (rc != 0 && c->nerrors)) {
		if (!c->first[0])
			canh_strlcpy(c->first, err->text, sizeof(c->first));
		return CANH_EPARSE;
	}
	if (rc != 0)
		return rc;
	c->count = canh_scan_rules_count(rules);
	canh_strlcpy(c->version, canh_scan_rules_version(rules), sizeof(c->version));
	if (c->count == 0) {
		canh_scan_rules_free(rules);
		return canh_errmsg_set(err, CANH_ENOENT, "no rule in the source");
	}
	path = tmp_path(tmpdir, ".yarc");
	rc = canh_yarac_save(rules, path, err);
	if (rc == 0 && stat(path, &sb) == 0)
		c->compiled_size = sb.st_size;
	unlink(path);
	free(path);
	canh_scan_rules_free(rules);
	return rc;
}

static int check_hashes(const char *data, size_t len, const char *tmpdir, struct canh_hunt_check *c,
			struct canh_errmsg *err)
{
	struct canh_scan_hashset *h = canh_scan_hashset_new();
	char *path = tmp_path(tmpdir, ".txt");
	size_t ignored = 0;
	int rc;

	rc = canh_file_write_atomic(path, data, len, 0600, err);
	if (rc == 0)
		rc = canh_scan_hashset_add_file(h, path, &ignored, err);
	unlink(path);
	free(path);
	if (rc == 0) {
		canh_scan_hashset_seal(h);
		c->count = (int64_t)canh_scan_hashset_count(h, -1);
		canh_strlcpy(c->version, canh_scan_hashset_version(h), sizeof(c->version));
		if (c->count == 0) {
			snprintf(c->first, sizeof(c->first), "%zu other entries", ignored);
			rc = CANH_EPARSE;
		}
	} else if (rc == CANH_EPARSE || rc == CANH_ENOENT) {
		canh_strlcpy(c->first, err->text, sizeof(c->first));
		rc = CANH_EPARSE;
	}
	canh_scan_hashset_free(h);
	return rc;
}

int canh_hunt_check(const char *kind, const char *filename, const char *data, size_t len,
		    const char *tmpdir, struct canh_hunt_check *out, struct canh_errmsg *err)
{
	memset(out, 0, sizeof(*out));
	out->bad_utf8 = text_prefix(data, len);
	if (out->bad_utf8 < len)
		return canh_errmsg_set(err, CANH_EINVAL, "not UTF-8 text at byte %zu",
				       out->bad_utf8);
	canh_sha256_hex(data, len, out->sha256);
	if (strcmp(kind, "yara") == 0)
		return check_yara(filename, data, len, tmpdir, out, err);
	return check_hashes(data, len, tmpdir, out, err);
}

void canh_hunt_check_release(struct canh_hunt_check *c)
{
	json_decref(c->errors);
	c->errors = NULL;
}
