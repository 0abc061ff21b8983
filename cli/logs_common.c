/*
 * Shared parts of canh logtest and canh rules check (logs_common.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/mem.h"
#include "logs_common.h"

#ifndef CANH_SOURCE_DIR
#define CANH_SOURCE_DIR "."
#endif

void canh_logs_expand_init(struct canh_logs_expand *ex)
{
	memset(ex, 0, sizeof(*ex));
}

int canh_logs_expand_add(struct canh_logs_expand *ex, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec || ex->n >= CANH_LOGS_EXPAND_MAX || strlen(spec) > 4096)
		return -1;
	/* One block: the name, NUL, the values each NUL-terminated, then the pointer array. */
	size_t len = strlen(spec);
	size_t nvals = 1;
	for (const char *p = eq + 1; *p; p++)
		nvals += *p == ',';
	char *buf = canh_xmalloc(len + 1);
	memcpy(buf, spec, len + 1);
	buf[eq - spec] = '\0';
	const char **vals = canh_xcalloc(nvals + 1, sizeof(*vals));
	size_t k = 0;
	char *v = buf + (eq - spec) + 1;
	for (;;) {
		char *comma = strchr(v, ',');
		if (comma)
			*comma = '\0';
		vals[k++] = v;
		if (!comma)
			break;
		v = comma + 1;
	}
	ex->names[ex->n] = buf;
	ex->values[ex->n] = vals;
	ex->bufs[ex->n] = buf;
	ex->n++;
	return 0;
}

void canh_logs_expand_opts(const struct canh_logs_expand *ex, struct canh_sigma_opts *o)
{
	o->expand_names = ex->names;
	o->expand_values = ex->values;
	o->n_expand = ex->n;
}

void canh_logs_expand_release(struct canh_logs_expand *ex)
{
	for (size_t i = 0; i < ex->n; i++) {
		free(ex->bufs[i]);
		free((void *)ex->values[i]);
	}
	memset(ex, 0, sizeof(*ex));
}

const char *canh_logs_default_rules(void)
{
	const char *env = getenv("CANH_SIGMA_RULES");
	if (env && *env)
		return env;
	struct stat st;
	static const char dir[] = CANH_SOURCE_DIR "/rules/sigma";
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	return NULL;
}
