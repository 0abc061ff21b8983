/*
 * What canh logtest and canh rules check share: --expand NAME=VALUE,... into
 * the expansion map of struct canh_sigma_opts, and the default rules
 * directory.
 */
#ifndef CANH_CLI_LOGS_COMMON_H
#define CANH_CLI_LOGS_COMMON_H

#include <stddef.h>

#include "canh/sigma.h"

#define CANH_LOGS_EXPAND_MAX 64

/* Owns copies of the names and values. */
struct canh_logs_expand {
	const char *names[CANH_LOGS_EXPAND_MAX];
	const char *const *values[CANH_LOGS_EXPAND_MAX];
	size_t n;
	char *bufs[CANH_LOGS_EXPAND_MAX];
};

void canh_logs_expand_init(struct canh_logs_expand *ex);
/* Add "NAME=V1,V2"; returns 0 or -1 when malformed or too many. */
int canh_logs_expand_add(struct canh_logs_expand *ex, const char *spec);
/* Point the engine options at the map (valid while ex lives). */
void canh_logs_expand_opts(const struct canh_logs_expand *ex, struct canh_sigma_opts *o);
void canh_logs_expand_release(struct canh_logs_expand *ex);

/*
 * The rules directory when none is given: $CANH_SIGMA_RULES, else rules/sigma
 * of the source tree canh was built from (when it exists). NULL when neither.
 */
const char *canh_logs_default_rules(void);

#endif
