/*
 * Fuzz harness for the CSV reader (lib/csv.c). The first byte chooses the
 * delimiter and small caps so the cap paths are reached; the rest is the
 * file. Every record must respect the caps, every field must be
 * NUL-terminated at its length, lines never go backwards, a failure is also
 * reported as data, and reading ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = {',', ';', '\t', '|'};
	struct canh_csv_opts o = {0};
	struct canh_csv *r;
	size_t line = 0, calls = 0;
	int rc;

	if (size == 0)
		return 0;
	o.delimiter = delims[data[0] & 3];
	if (data[0] & 4) {
		o.max_field = 1 + ((data[0] >> 3) & 7);
		o.max_fields = 1 + ((data[0] >> 5) & 7);
		o.max_record = 4 + ((data[0] >> 4) & 15);
	}
	if (canh_csv_open((const char *)data + 1, size - 1, &o, &r) != 0)
		abort();
	size_t max_field = o.max_field ? o.max_field : 64 * 1024;
	size_t max_fields = o.max_fields ? o.max_fields : 1024;
	size_t max_record = o.max_record ? o.max_record : 1024 * 1024;
	if (max_field > max_record)
		max_field = max_record;
	for (;;) {
		struct canh_errmsg err;
		size_t total = 0;

		/* Every call consumes input or ends it. */
		if (++calls > size + 1)
			abort();
		rc = canh_csv_next(r, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			const struct canh_csv_error *e = canh_csv_last_error(r);
			if (rc != CANH_EPARSE && rc != CANH_ETOOBIG)
				abort();
			if (strnlen(err.text, sizeof(err.text)) == sizeof(err.text))
				abort();
			/* The failure as data agrees with the text. */
			if (e->kind == CANH_CSV_ERR_NONE || e->line < 1 ||
			    (rc == CANH_EPARSE) != (e->kind == CANH_CSV_ERR_UNTERMINATED ||
						    e->kind == CANH_CSV_ERR_AFTER_QUOTE))
				abort();
			continue;
		}
		if (canh_csv_last_error(r)->kind != CANH_CSV_ERR_NONE)
			abort();
		if (rc != 1 || canh_csv_nfields(r) == 0 || canh_csv_nfields(r) > max_fields)
			abort();
		if (canh_csv_line(r) < line || canh_csv_line(r) < 1)
			abort();
		line = canh_csv_line(r);
		for (size_t i = 0; i < canh_csv_nfields(r); i++) {
			size_t len;
			const char *f = canh_csv_field(r, i, &len);
			if (!f || len > max_field || f[len] != '\0')
				abort();
			total += len;
		}
		if (total > max_record)
			abort();
		canh_csv_find(r, "code");
	}
	if (canh_csv_next(r, NULL) != 0)
		abort();
	canh_csv_free(r);
	return 0;
}
