/*
 * Fuzz harness for the CISA KEV catalogue parser (lib/advisory_kev.c). Every
 * advisory handed over is a listed KEV record with an upper-case CVE id; a
 * failure comes with a message; the counts add up.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, const struct canh_advisory *a)
{
	size_t *n = ctx;
	if (a->source != CANH_ADV_FORMAT_KEV || !a->id || strncmp(a->id, "CVE-", 4) != 0 ||
	    !a->kev.listed)
		abort();
	for (size_t i = 0; i < a->n_references; i++)
		if (strncmp(a->references[i], "http", 4) != 0)
			abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	struct canh_advisory_sink sink = {check, &n};
	struct canh_advisory_stats st;
	struct canh_errmsg err;

	memset(&st, 0, sizeof(st));
	err.text[0] = '\0';
	int rc = canh_advisory_parse_kev(data, size, &sink, &st, &err);
	if (rc < 0 && !err.text[0])
		abort();
	if (st.advisories != n || (rc < 0 && n != 0))
		abort();
	return 0;
}
