/*
 * What every feed harness checks about what the parser hands out: entries
 * are well-formed (a value, an IP range in order and of one family, a line,
 * a port in range), every rejected row has a reason, the counters agree with
 * what the sink saw, and an error comes with a message. Included by the
 * fuzz_feed_*.c harnesses only.
 */
#ifndef FUZZ_FEED_COMMON_H
#define FUZZ_FEED_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/feed.h"

struct fuzz_feed_seen {
	uint64_t entries, rejected;
};

static int fuzz_feed_entry(void *ctx, const struct canh_feed_entry *e)
{
	struct fuzz_feed_seen *s = ctx;

	s->entries++;
	if (!e->value || strlen(e->value) == 0 || e->line == 0 || e->port < 0 || e->port > 65535)
		abort();
	if ((unsigned)e->type > CANH_IOC_SHA256)
		abort();
	if (e->type == CANH_IOC_IP) {
		size_t n = e->lo.family == 4 ? 4 : 16;
		if ((e->lo.family != 4 && e->lo.family != 6) || e->lo.family != e->hi.family ||
		    memcmp(e->lo.bytes, e->hi.bytes, n) > 0)
			abort();
	}
	if (strnlen(e->cell, sizeof(e->cell)) == sizeof(e->cell))
		abort();
	if (e->family)
		(void)strlen(e->family);
	if (e->org)
		(void)strlen(e->org);
	if (e->ref)
		(void)strlen(e->ref);
	return 0;
}

static void fuzz_feed_reject(void *ctx, uint32_t line, const char *cell, const char *reason)
{
	struct fuzz_feed_seen *s = ctx;

	s->rejected++;
	if (!cell || !reason || reason[0] == '\0' || strlen(reason) > 255)
		abort();
	(void)line;
}

/* Parse and check; returns the parse's result. */
static int fuzz_feed_run(const uint8_t *data, size_t size, enum canh_feed_format fmt)
{
	struct fuzz_feed_seen seen = {0};
	struct canh_feed_sink sink = {&seen, fuzz_feed_entry, fuzz_feed_reject};
	struct canh_feed_stats st;
	struct canh_errmsg err = {{0}};
	int rc = canh_feed_parse(data, size, fmt, "fuzz", &sink, &st, &err);

	if (rc != 0 && err.text[0] == '\0')
		abort();
	if (rc > 0 || st.entries != seen.entries || st.rejected != seen.rejected)
		abort();
	if (st.format == CANH_FEED_AUTO)
		abort();
	return rc;
}

#endif
