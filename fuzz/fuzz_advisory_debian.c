/*
 * Fuzz harness for the Debian Security Tracker parser
 * (lib/advisory_debian.c over lib/jsonstream.c). The first byte picks the
 * release filter; the rest is the file. Every advisory handed over must be
 * whole (id, package, release, a known status, a fix where the status says
 * so, events in place), must survive a copy, and the range check must answer
 * for it; a failure must come with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_cb(void *ctx, const struct canh_advisory *a)
{
	const char *release = ctx;
	struct canh_advisory *d;

	if (!a->id || !a->id[0] || a->source != CANH_ADV_FORMAT_DEBIAN || a->n_affected == 0)
		abort();
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		if (!af->package || !af->release || !af->source_package ||
		    af->ecosystem != CANH_ECO_DEBIAN || af->order != CANH_VERORDER_DPKG)
			abort();
		if (release && strcmp(af->release, release) != 0)
			abort();
		if (af->status > CANH_AFF_UNDETERMINED)
			abort();
		if (af->status == CANH_AFF_FIXED &&
		    (!af->fixed_version || af->n_ranges != 1 || af->ranges[0].n_events != 2))
			abort();
		if (af->status == CANH_AFF_NOT_AFFECTED && (af->n_ranges || af->fixed_version))
			abort();
		for (size_t j = 0; j < af->n_ranges; j++)
			for (size_t k = 0; k < af->ranges[j].n_events; k++)
				if (!af->ranges[j].events[k].version)
					abort();
		int in = canh_affected_match(af, "1.0-1");
		if (af->status == CANH_AFF_AFFECTED && !af->fixed_version && !in)
			abort(); /* open without a fix: every version */
		(void)canh_affected_match(af, af->fixed_version ? af->fixed_version : "0");
		if (af->fixed_version && canh_affected_match(af, af->fixed_version))
			abort(); /* the fixed version itself is never affected */
	}
	d = canh_advisory_dup(a);
	if (strcmp(d->id, a->id) != 0 || d->n_affected != a->n_affected)
		abort();
	canh_advisory_free(d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const releases[] = {NULL, "bookworm", "12", "sid"};
	struct canh_advisory_stats st = {0};
	struct canh_errmsg err = {{0}};
	const char *rel;
	int rc;

	if (size == 0)
		return 0;
	rel = releases[data[0] & 3];
	struct canh_advisory_sink sink = {
	    check_cb, (void *)(rel && strcmp(rel, "12") == 0 ? "bookworm" : rel)};
	rc = canh_advisory_parse_debian(data + 1, size - 1, rel, &sink, &st, &err);
	if (rc < 0 && !err.text[0])
		abort();
	if (rc > 0)
		abort();
	if (st.skipped && !st.first_skip[0])
		abort();
	return 0;
}
