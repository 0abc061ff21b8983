/*
 * The schema of the "vuln" area (vulnerabilities: advisories, findings, letters), as numbered
 * migrations (see struct sq_component in store_sqlite.h). Never edit a step that has shipped: add
 * one at the end.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    NULL, /* no steps yet */
};

const struct sq_component canh__schema_vuln = {"vuln", steps, 0};
