/*
 * The schema of the "intel" area (threat intelligence: feeds, their versions and entries, victim
 * matches), as numbered migrations (see struct sq_component in store_sqlite.h). Never edit a step
 * that has shipped: add one at the end.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    NULL, /* no steps yet */
};

const struct sq_component canh__schema_intel = {"intel", steps, 0};
