/*
 * Fuzz harness for letter advisories (lib/advisory_letter.c), JSON and YAML:
 * the parse picks the syntax from the content. An accepted letter has a
 * number, a date, at least one CVE and one product, each product a name and
 * ranges or versions; a refused one says why, with a position.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, const struct canh_advisory *a)
{
	int *n = ctx;
	if (a->source != CANH_ADV_FORMAT_LETTER || !a->id || !a->letter.number || !a->letter.date ||
	    a->letter.date_ms == 0 || a->n_cves == 0 || a->n_affected == 0)
		abort();
	if (a->letter.deadline && a->letter.deadline_ms < a->letter.date_ms)
		abort();
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		if (!af->package || (af->n_ranges == 0 && af->n_versions == 0))
			abort();
		/* Matching any version must terminate with 0 or 1. */
		int m = canh_affected_match(af, "1.0");
		if (m != 0 && m != 1)
			abort();
	}
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n = 0;
	struct canh_advisory_sink sink = {check, &n};
	struct canh_errmsg err;

	err.text[0] = '\0';
	int rc = canh_advisory_parse_letter(data, size, "fuzz", &sink, NULL, &err);
	if (rc < 0 && (!err.text[0] || !strstr(err.text, "'fuzz'")))
		abort();
	if ((rc == 0) != (n == 1))
		abort();
	return 0;
}
