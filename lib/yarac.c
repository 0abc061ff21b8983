/*
 * Compiling YARA source (canh/yarac.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/yarac.h"
#include "scan_internal.h"

struct diag_ctx {
	canh_yarac_diag_fn fn;
	void *ctx;
	const char *current; /* name of the source being compiled */
	struct canh_errmsg *err;
	unsigned errors;
};

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule,
			const char *message, void *user)
{
	struct diag_ctx *d = user;
	const char *name = file != NULL ? file : (d->current != NULL ? d->current : "");
	int warning = level == YARA_ERROR_LEVEL_WARNING;

	if (!warning) {
		if (d->errors == 0)
			canh_errmsg_set(d->err, CANH_EPARSE, "%s:%d: %s", name, line, message);
		d->errors++;
	}
	if (d->fn != NULL)
		d->fn(d->ctx, name, line, message, warning);
}

static int new_compiler(YR_COMPILER **c, struct diag_ctx *d)
{
	*c = NULL;
	if (yr_compiler_create(c) != ERROR_SUCCESS)
		return CANH_ENOMEM;
	yr_compiler_set_callback(*c, compiler_cb, d);
	/* No includes: a rule set uploaded to canhd must not read the server's files. */
	yr_compiler_set_include_callback(*c, NULL, NULL, NULL);
	for (size_t i = 0; i < 5; i++)
		if (yr_compiler_define_string_variable(*c, canh__scan_externals[i], "") !=
		    ERROR_SUCCESS) {
			yr_compiler_destroy(*c);
			*c = NULL;
			return CANH_ENOMEM;
		}
	return 0;
}

static int hash_source(struct canh_sha256 *h, const struct canh_yarac_source *s)
{
	uint8_t len8[8];
	uint64_t n = s->len;
	int rc;

	for (int i = 0; i < 8; i++)
		len8[i] = (uint8_t)(n >> (8 * i));
	rc = canh_sha256_update(h, s->name != NULL ? s->name : "",
				strlen(s->name ? s->name : "") + 1);
	if (rc == 0)
		rc = canh_sha256_update(h, len8, sizeof(len8));
	if (rc == 0)
		rc = canh_sha256_update(h, s->data, s->len);
	return rc;
}

int canh_yarac_compile_sources(const struct canh_yarac_source *src, size_t nsrc,
			       struct canh_scan_rules **out, canh_yarac_diag_fn diag, void *ctx,
			       struct canh_errmsg *err)
{
	struct diag_ctx d = {diag, ctx, NULL, err, 0};
	struct canh_sha256 h;
	YR_COMPILER *c = NULL;
	YR_RULES *yr = NULL;
	uint8_t digest[CANH_SHA256_LEN];
	char ver[CANH_SHA256_HEX];
	size_t total = 0;
	int rc;

	*out = NULL;
	if (nsrc == 0)
		return canh_errmsg_set(err, CANH_ENOENT, "no YARA source to compile");
	if (nsrc > CANH_YARAC_MAX_FILES)
		return canh_errmsg_set(err, CANH_ETOOBIG, "too many YARA sources (%zu, at most %u)",
				       nsrc, CANH_YARAC_MAX_FILES);
	for (size_t i = 0; i < nsrc; i++) {
		if (src[i].len > CANH_YARAC_MAX_FILE)
			return canh_errmsg_set(
			    err, CANH_ETOOBIG,
			    "YARA source '%s' is too big (%zu bytes, at most %zu)",
			    src[i].name ? src[i].name : "", src[i].len, CANH_YARAC_MAX_FILE);
		if (memchr(src[i].data, '\0', src[i].len) != NULL)
			return canh_errmsg_set(
			    err, CANH_EPARSE,
			    "YARA source '%s' is not text (NUL byte at offset %zu)",
			    src[i].name ? src[i].name : "",
			    (size_t)((const char *)memchr(src[i].data, '\0', src[i].len) -
				     src[i].data));
		total += src[i].len;
		if (total > CANH_YARAC_MAX_TOTAL)
			return canh_errmsg_set(err, CANH_ETOOBIG,
					       "YARA sources too big together (at most %zu bytes)",
					       CANH_YARAC_MAX_TOTAL);
	}
	if (canh_scan_global_init() != 0)
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot initialise libyara");
	rc = canh_sha256_init(&h);
	if (rc != 0) {
		canh_scan_global_release();
		return canh_errmsg_set(err, rc, "cannot hash the YARA sources");
	}
	rc = new_compiler(&c, &d);
	for (size_t i = 0; rc == 0 && i < nsrc; i++) {
		char *text = canh_xstrndup(src[i].data, src[i].len);
		YR_COMPILER *cc = c;

		rc = hash_source(&h, &src[i]);
		d.current = src[i].name;
		/* After a failure libyara's compiler cannot take more input: check
		 * the remaining sources each in a compiler of its own so every
		 * file's errors are reported. */
		if (rc == 0 && d.errors > 0)
			rc = new_compiler(&cc, &d);
		if (rc == 0)
			yr_compiler_add_string(cc, text, NULL);
		if (cc != c && cc != NULL)
			yr_compiler_destroy(cc);
		free(text);
	}
	if (rc == 0)
		rc = canh_sha256_final(&h, digest);
	else
		canh_sha256_release(&h);
	if (rc != 0) {
		canh_errmsg_set(err, rc, "cannot compile the YARA sources: %s", canh_strerror(rc));
		goto out;
	}
	if (d.errors > 0) {
		rc = CANH_EPARSE;
		goto out;
	}
	if (yr_compiler_get_rules(c, &yr) != ERROR_SUCCESS) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot build the compiled YARA rules");
		goto out;
	}
	canh_hex_encode(digest, sizeof(digest), ver);
	*out = canh__scan_rules_wrap(yr, ver, 1);
out:
	if (c != NULL)
		yr_compiler_destroy(c);
	if (*out == NULL)
		canh_scan_global_release();
	return rc;
}

static int is_source_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	return (n > 4 && strcmp(name + n - 4, ".yar") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

struct strlist {
	char **v;
	size_t n, cap;
};

static void strlist_push(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = canh_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

static int walk(const char *dir, struct strlist *l, int depth, struct canh_errmsg *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 32)
		return canh_errmsg_set(err, CANH_ETOOBIG, "directories nested too deep at '%s'",
				       dir);
	d = opendir(dir);
	if (d == NULL)
		return canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				       "cannot read directory '%s': %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = canh_path_join(dir, de->d_name);
		if (stat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = walk(p, l, depth + 1, err);
			free(p);
		} else if (S_ISREG(st.st_mode) && is_source_name(de->d_name)) {
			strlist_push(l, p);
			if (l->n > CANH_YARAC_MAX_FILES)
				rc = canh_errmsg_set(err, CANH_ETOOBIG,
						     "too many YARA files under '%s' (at most %u)",
						     dir, CANH_YARAC_MAX_FILES);
		} else {
			free(p);
		}
	}
	closedir(d);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int canh_yarac_list_files(const char *const *paths, size_t npaths, char ***files, size_t *nfiles,
			  struct canh_errmsg *err)
{
	struct strlist l = {NULL, 0, 0};
	int rc = 0;

	*files = NULL;
	*nfiles = 0;
	for (size_t i = 0; rc == 0 && i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) != 0) {
			rc = canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
					     "cannot read '%s': %s", paths[i], strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			size_t first = l.n;

			rc = walk(paths[i], &l, 0, err);
			if (rc == 0 && l.n > first)
				qsort(l.v + first, l.n - first, sizeof(*l.v), cmp_str);
		} else {
			strlist_push(&l, canh_xstrdup(paths[i]));
		}
	}
	if (rc == 0 && l.n == 0)
		rc = canh_errmsg_set(err, CANH_ENOENT, "no YARA rules (*.yar, *.yara) in '%s'",
				     npaths > 0 ? paths[0] : "");
	if (rc != 0) {
		canh_yarac_files_free(l.v, l.n);
		return rc;
	}
	*files = l.v;
	*nfiles = l.n;
	return 0;
}

void canh_yarac_files_free(char **files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}

int canh_yarac_compile_paths(const char *const *paths, size_t npaths, struct canh_scan_rules **out,
			     canh_yarac_diag_fn diag, void *ctx, struct canh_errmsg *err)
{
	char **files = NULL;
	size_t n = 0, total = 0;
	struct canh_yarac_source *src = NULL;
	int rc;

	*out = NULL;
	rc = canh_yarac_list_files(paths, npaths, &files, &n, err);
	if (rc != 0)
		return rc;
	src = canh_xcalloc(n, sizeof(*src));
	for (size_t i = 0; i < n; i++) {
		char *data = NULL;
		size_t len = 0;

		rc = canh_file_read(files[i], CANH_YARAC_MAX_FILE, &data, &len, err);
		if (rc != 0)
			goto out;
		src[i].name = files[i];
		src[i].data = data;
		src[i].len = len;
		total += len;
		if (total > CANH_YARAC_MAX_TOTAL) {
			rc = canh_errmsg_set(err, CANH_ETOOBIG,
					     "YARA sources too big together (at most %zu bytes)",
					     CANH_YARAC_MAX_TOTAL);
			goto out;
		}
	}
	rc = canh_yarac_compile_sources(src, n, out, diag, ctx, err);
out:
	for (size_t i = 0; i < n; i++)
		free((char *)src[i].data);
	free(src);
	canh_yarac_files_free(files, n);
	return rc;
}

int canh_yarac_save(const struct canh_scan_rules *rules, const char *path, struct canh_errmsg *err)
{
	char *tmp = canh_xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = 0;

	if (yr_rules_save(rules->yr, tmp) != ERROR_SUCCESS) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot write '%s'", tmp);
	} else if (chmod(tmp, 0644) != 0 || rename(tmp, path) != 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot write '%s': %s", path, strerror(errno));
	} else {
		canh_fsync_dir(path);
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
