/*
 * Time helpers: wall clock in milliseconds, RFC 3339 formatting and parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "canh/error.h"
#include "canh/time.h"

int64_t canh_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t canh_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Floor division, so times before 1970 format as the right second. */
static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

char *canh_time_format(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	int64_t sec = floordiv(ms, 1000);
	int msec = (int)(ms - sec * 1000);
	time_t t = (time_t)sec;

	if (!buf || len == 0)
		return buf;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		snprintf(buf, len, "invalid-time");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec);
	return buf;
}

/* Exactly n decimal digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return CANH_EPARSE;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

int canh_time_parse(const char *s, int64_t *out_ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;
	const char *p = s;

	if (!s || !out_ms)
		return CANH_EINVAL;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return CANH_EPARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return CANH_EPARSE;
	if (*p != '\0') {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return CANH_EPARSE;
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
		    digits(&p, 2, &sec))
			return CANH_EPARSE;
		/* 60 is a leap second; it is folded into the next second by timegm. */
		if (h > 23 || mi > 59 || sec > 60)
			return CANH_EPARSE;
		if (*p == '.' || *p == ',') {
			p++;
			int nd = 0, scale = 100;
			while (*p >= '0' && *p <= '9') {
				ms += (*p - '0') * scale;
				scale /= 10;
				p++;
				nd++;
			}
			if (nd == 0)
				return CANH_EPARSE;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh))
				return CANH_EPARSE;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om))
				return CANH_EPARSE;
			if (oh > 23 || om > 59)
				return CANH_EPARSE;
			off = sign * (oh * 3600 + om * 60);
		} else {
			return CANH_EPARSE;
		}
		if (*p != '\0')
			return CANH_EPARSE;
	}

	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	errno = 0;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && errno != 0)
		return CANH_EPARSE;
	*out_ms = ((int64_t)t - off) * 1000 + ms;
	return 0;
}

int canh_sleep_ms(int64_t ms, volatile int *stop)
{
	int64_t end = canh_mono_ms() + (ms > 0 ? ms : 0);
	for (;;) {
		if (stop && __atomic_load_n(stop, __ATOMIC_RELAXED))
			return CANH_EAGAIN;
		int64_t left = end - canh_mono_ms();
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000L};
		nanosleep(&ts, NULL);
	}
}
