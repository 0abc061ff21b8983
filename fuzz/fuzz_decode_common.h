/*
 * Shared by the decoder harnesses: feed the input as lines to one format,
 * drain every event, and check what each event holds stays inside its
 * buffer and its raw line inside the input or the decoder's own text.
 */
#ifndef FUZZ_DECODE_COMMON_H
#define FUZZ_DECODE_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/decode.h"
#include "canh/event.h"

static void fuzz_check_event(const struct canh_event *ev)
{
	if (ev->nfields > CANH_EVENT_FIELDS_MAX || ev->used > CANH_EVENT_BUF_MAX)
		abort();
	for (unsigned i = 0; i < ev->nfields; i++) {
		size_t l;
		const char *v = canh_event_value(ev, i, &l);
		if (ev->fields[i].off + (size_t)ev->fields[i].len >= ev->used + 1 || v[l] != '\0')
			abort();
		if (!canh_field_name(ev->fields[i].id))
			abort();
	}
	if (memchr(ev->product, '\0', sizeof(ev->product)) == NULL ||
	    memchr(ev->service, '\0', sizeof(ev->service)) == NULL ||
	    memchr(ev->category, '\0', sizeof(ev->category)) == NULL)
		abort();
	/* Reading the whole raw line must be valid memory (ASan checks it). */
	volatile unsigned sum = 0;
	for (size_t i = 0; ev->raw && i < ev->raw_len; i++)
		sum += (unsigned char)ev->raw[i];
	(void)sum;
}

/* Every line of data through canh_decode_line in format fmt; returns the events seen. */
static size_t fuzz_decode_lines(enum canh_log_format fmt, const uint8_t *data, size_t size,
				int64_t recv_ms)
{
	static int inited;
	static struct canh_event ev;
	struct canh_decoder_ctx ctx;
	if (!inited) {
		canh_event_init(&ev);
		inited = 1;
	}
	canh_decoder_init(&ctx);
	struct canh_log_source src = {
	    .path = "/var/log/auth.log", .host = "fuzz", .recv_ms = recv_ms};
	size_t events = 0;
	/* A private copy so reads past the end are caught. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	const char *p = copy, *end = copy + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (canh_decode_line(&ctx, p, (size_t)(le - p), fmt, &src, &ev) ==
		    CANH_DECODE_EVENT) {
			fuzz_check_event(&ev);
			events++;
		}
		while (canh_decode_next(&ctx, &ev) == CANH_DECODE_EVENT) {
			fuzz_check_event(&ev);
			events++;
		}
		p = le + 1;
	}
	while (canh_decode_finish(&ctx, &ev) == CANH_DECODE_EVENT) {
		fuzz_check_event(&ev);
		events++;
	}
	if (ctx.stats.lines < events && fmt != CANH_LOG_AUDITD && fmt != CANH_LOG_AUTO)
		abort();
	canh_decoder_release(&ctx);
	free(copy);
	return events;
}

#endif
