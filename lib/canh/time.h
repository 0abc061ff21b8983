/*
 * Time helpers. Wall-clock times are int64_t milliseconds since the Unix
 * epoch (UTC); intervals use the monotonic clock.
 */
#ifndef CANH_TIME_H
#define CANH_TIME_H

#include <stddef.h>
#include <stdint.h>

int64_t canh_now_ms(void);  /* CLOCK_REALTIME */
int64_t canh_mono_ms(void); /* CLOCK_MONOTONIC */

/* "2026-11-21T11:50:07.123Z" (millisecond precision, always UTC). buf >= 32 bytes. */
#define CANH_TIME_BUFSZ 32
char *canh_time_format(int64_t ms, char *buf, size_t len);

/*
 * Parse RFC 3339 / ISO 8601: "2026-11-21T11:50:07Z", with optional fraction
 * (any digits, kept to ms) and a "Z" or "+07:00" offset; a bare date
 * "2026-11-21" is midnight UTC. Returns CANH_EPARSE on anything else.
 */
int canh_time_parse(const char *s, int64_t *out_ms);

/* Sleep up to ms, returning early (CANH_EAGAIN) if *stop becomes non-zero (checked every 50 ms). */
int canh_sleep_ms(int64_t ms, volatile int *stop);

#endif
