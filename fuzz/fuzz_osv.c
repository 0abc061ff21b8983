/*
 * Fuzz harness for the OSV parser (lib/advisory_osv.c): one record, an
 * array (through the pull scanner) or a zip (libzip, with caps). Every
 * advisory handed over must be whole (id, entries with ecosystem, package,
 * an ordering, events in place), must survive a copy, and the range check
 * must answer for each entry; a failure must come with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_cb(void *ctx, const struct canh_advisory *a)
{
	struct canh_advisory *d;

	if (!a->id || !a->id[0] || a->source != CANH_ADV_FORMAT_OSV)
		abort();
	if (a->severity > CANH_SEV_CRITICAL || a->cvss_score > 10.0)
		abort();
	if (a->cvss_score >= 0 && !a->cvss_vector)
		abort();
	for (size_t i = 0; i < a->n_aliases; i++)
		if (!a->aliases[i] || !a->aliases[i][0])
			abort();
	for (size_t i = 0; i < a->n_cves; i++) {
		if (strncasecmp(a->cves[i], "CVE-", 4) != 0)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(a->cves[i], a->cves[j]) == 0)
				abort(); /* listed once */
	}
	if (a->n_cves && !canh_advisory_cve(a))
		abort();
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		if (!af->package || !af->ecosystem_raw || af->status != CANH_AFF_AFFECTED)
			abort();
		for (size_t j = 0; j < af->n_ranges; j++) {
			if (af->ranges[j].n_events == 0)
				abort();
			for (size_t k = 0; k < af->ranges[j].n_events; k++)
				if (!af->ranges[j].events[k].version)
					abort();
		}
		(void)canh_affected_match(af, "1.0");
		(void)canh_affected_match(af, "1:2.3-4.el9");
		for (size_t j = 0; j < af->n_versions; j++)
			if (!canh_affected_match(af, af->versions[j]))
				abort(); /* a listed version is always affected */
	}
	d = canh_advisory_dup(a);
	if (strcmp(d->id, a->id) != 0 || d->n_affected != a->n_affected)
		abort();
	canh_advisory_free(d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_advisory_stats st = {0};
	struct canh_errmsg err = {{0}};
	struct canh_advisory_sink sink = {check_cb, NULL};
	int rc = canh_advisory_parse_osv(data, size, &sink, &st, &err);

	if (rc < 0 && !err.text[0])
		abort();
	if (rc > 0)
		abort();
	if (st.skipped && !st.first_skip[0])
		abort();
	(void)canh_advisory_detect(data, size, NULL);
	return 0;
}
