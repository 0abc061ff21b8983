/*
 * Rules objects and libyara's global lifetime.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/scan.h"
#include "scan_internal.h"

#define RULES_MAX_FILE ((size_t)256 << 20)

const char *const canh__scan_externals[5] = {"filename", "filepath", "extension", "filetype",
					     "owner"};

static pthread_mutex_t yr_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned yr_refs;

int canh_scan_global_init(void)
{
	int rc = 0;

	pthread_mutex_lock(&yr_lock);
	if (yr_refs == 0 && yr_initialize() != ERROR_SUCCESS)
		rc = CANH_ENOMEM;
	else
		yr_refs++;
	pthread_mutex_unlock(&yr_lock);
	return rc;
}

void canh_scan_global_release(void)
{
	pthread_mutex_lock(&yr_lock);
	if (yr_refs > 0 && --yr_refs == 0)
		yr_finalize();
	pthread_mutex_unlock(&yr_lock);
}

struct canh_scan_rules *canh__scan_rules_wrap(YR_RULES *yr, const char *version, int externals)
{
	struct canh_scan_rules *r = canh_xcalloc(1, sizeof(*r));
	YR_RULES_STATS st;

	r->yr = yr;
	canh_strlcpy(r->version, version, sizeof(r->version));
	if (yr_rules_get_stats(yr, &st) == ERROR_SUCCESS)
		r->count = st.num_rules;
	r->file_externals = externals;
	return r;
}

static int has_file_externals(YR_RULES *yr)
{
	const YR_EXTERNAL_VARIABLE *ev;

	for (ev = yr->ext_vars_table; ev != NULL && !EXTERNAL_VARIABLE_IS_NULL(ev); ev++)
		for (size_t i = 0; i < 5; i++)
			if (ev->identifier != NULL &&
			    strcmp(ev->identifier, canh__scan_externals[i]) == 0)
				return 1;
	return 0;
}

int canh_scan_rules_load(const char *path, struct canh_scan_rules **out, struct canh_errmsg *err)
{
	char *data = NULL;
	size_t len = 0;
	char ver[CANH_SHA256_HEX];
	YR_RULES *yr = NULL;
	int rc, yrc;

	*out = NULL;
	rc = canh_file_read(path, RULES_MAX_FILE, &data, &len, err);
	if (rc != 0)
		return rc;
	rc = canh_sha256_hex(data, len, ver);
	free(data);
	if (rc != 0)
		return canh_errmsg_set(err, rc, "cannot hash '%s'", path);
	if (canh_scan_global_init() != 0)
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot initialise libyara");
	yrc = yr_rules_load(path, &yr);
	if (yrc != ERROR_SUCCESS) {
		canh_scan_global_release();
		if (yrc == ERROR_INSUFFICIENT_MEMORY)
			return canh_errmsg_set(err, CANH_ENOMEM, "out of memory loading '%s'",
					       path);
		if (yrc == ERROR_UNSUPPORTED_FILE_VERSION)
			return canh_errmsg_set(
			    err, CANH_EPARSE,
			    "cannot load '%s': compiled by another libyara version", path);
		return canh_errmsg_set(
		    err, CANH_EPARSE,
		    "cannot load '%s': not compiled YARA rules (libyara error %d)", path, yrc);
	}
	*out = canh__scan_rules_wrap(yr, ver, has_file_externals(yr));
	return 0;
}

const char *canh_scan_rules_version(const struct canh_scan_rules *r)
{
	return r != NULL ? r->version : "";
}

unsigned canh_scan_rules_count(const struct canh_scan_rules *r)
{
	return r != NULL ? r->count : 0;
}

void canh_scan_rules_free(struct canh_scan_rules *r)
{
	if (r == NULL)
		return;
	if (r->yr != NULL)
		yr_rules_destroy(r->yr);
	free(r);
	canh_scan_global_release();
}
