/*
 * Units: validation of a unit as the API receives it (JSON or a CSV row),
 * and the CSV import. Storage is the store's business; this is the rules.
 */
#ifndef CANH_SERVER_UNITS_H
#define CANH_SERVER_UNITS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/i18n.h"
#include "store.h"

#define CANH_UNIT_NAME_MAX 256
#define CANH_UNIT_MAX_RANGES 256
#define CANH_UNIT_MAX_CONTACTS 32
#define CANH_UNIT_CONTACT_FIELD_MAX 256
#define CANH_UNITS_IMPORT_MAX_ROWS 100000

/* A validated unit; owns its strings. `unit` points into them for the store. */
struct canh_unit_in {
	struct canh_unit unit;
	char code[CANH_UNIT_CODE_MAX + 1];
	char parent[CANH_UNIT_CODE_MAX + 1];
	char type[16];
	char *name;
	char *ranges_json;
	char *contacts_json;
};

void canh_unit_in_release(struct canh_unit_in *u);

/* [A-Za-z0-9._-]{1,64} */
int canh_unit_code_valid(const char *s, size_t len);

/* From a POST /units body; err names the field ("public_ranges[1]: ..."), worded in lang. */
int canh_unit_from_json(const json_t *o, enum canh_lang lang, struct canh_unit_in *u,
			struct canh_errmsg *err);

/*
 * Import units from CSV text (docs/api.md, POST /units/import) in one
 * transaction: bad rows are reported in the result's "errors" and never stop
 * the good ones; a row whose parent comes later in the file is accepted.
 * *result is {"imported":N,"updated":M,"errors":[{"line","error"}]}, the
 * errors worded in lang. Fails only when the header is unusable (CANH_EPARSE
 * or CANH_EINVAL, a 400; err worded in lang) or on a store failure (err in
 * English, for the log).
 */
int canh_units_import_csv(struct canh_store *s, const char *data, size_t len, int64_t now,
			  const char *actor, enum canh_lang lang, json_t **result,
			  struct canh_errmsg *err);

#endif
