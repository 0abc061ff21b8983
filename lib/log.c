/*
 * Logging for the programs: stderr with a timestamp, or journald.
 *
 * Each record is formatted into one bounded buffer and written with one
 * write(2), so records from several threads never interleave.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION 1

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "canh/error.h"
#include "canh/log.h"
#include "canh/utf8.h"
#include "canh/mem.h"
#include "canh/time.h"

/* The longest record written, newline included; longer messages end in "…". */
#define LOG_RECORD_MAX 8192

static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */

static char log_prog[64] = "canh";
static int log_level = CANH_LOG_INFO;
static int log_sink = CANH_LOG_STDERR;

static const char *const level_words[] = {"error", "warn", "info", "debug"};

void canh_log_init(const char *progname, enum canh_log_level level, enum canh_log_sink sink)
{
	if (progname && *progname) {
		const char *slash = strrchr(progname, '/');
		canh_strlcpy(log_prog, slash && slash[1] ? slash + 1 : progname, sizeof(log_prog));
	}
	__atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
	__atomic_store_n(&log_sink, (int)sink, __ATOMIC_RELAXED);
}

void canh_log_set_level(enum canh_log_level level)
{
	__atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
}

enum canh_log_level canh_log_get_level(void)
{
	return (enum canh_log_level)__atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int canh_log_level_parse(const char *s, enum canh_log_level *out)
{
	if (!s)
		return CANH_EINVAL;
	for (size_t i = 0; i < sizeof(level_words) / sizeof(level_words[0]); i++) {
		if (strcasecmp(s, level_words[i]) == 0) {
			*out = (enum canh_log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = CANH_LOG_WARN;
		return 0;
	}
	return CANH_EINVAL;
}

/*
 * Only whole units (one byte, one escape, one UTF-8 character) are written,
 * so a truncated result never ends in half an escape or half a character.
 */
size_t canh_log_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t need = 0, out = 0;
	int full = 0;

	for (size_t i = 0; i < srclen;) {
		unsigned char unit[16];
		size_t ulen, consumed;
		uint32_t cp = 0;
		size_t l = canh_utf8_decode(s + i, srclen - i, &cp);

		if (l == 1 && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			unit[0] = s[i];
			ulen = consumed = 1;
		} else if (l == 1 && s[i] == '\\') {
			unit[0] = unit[1] = '\\';
			ulen = 2;
			consumed = 1;
		} else if (l >= 2 && !canh_utf8_is_unsafe(cp)) {
			memcpy(unit, s + i, l);
			ulen = consumed = l;
		} else {
			/* Control byte, invalid byte, or invisible control: escape each byte. */
			size_t nb = l >= 2 ? l : 1;
			ulen = 0;
			for (size_t k = 0; k < nb; k++) {
				unit[ulen++] = '\\';
				unit[ulen++] = 'x';
				unit[ulen++] = (unsigned char)hex[s[i + k] >> 4];
				unit[ulen++] = (unsigned char)hex[s[i + k] & 15];
			}
			consumed = nb;
		}
		need += ulen;
		if (!full && dstlen > 0 && out + ulen < dstlen) {
			memcpy(dst + out, unit, ulen);
			out += ulen;
		} else {
			full = 1;
		}
		i += consumed;
	}
	if (dstlen > 0)
		dst[out] = '\0';
	return need;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static int journal_priority(enum canh_log_level level)
{
	switch (level) {
	case CANH_LOG_ERROR:
		return 3;
	case CANH_LOG_WARN:
		return 4;
	case CANH_LOG_INFO:
		return 6;
	default:
		return 7;
	}
}

void canh_log_write(enum canh_log_level level, const char *func, int err, const char *fmt, ...)
{
	char raw[LOG_RECORD_MAX];
	char rec[LOG_RECORD_MAX];
	int saved_errno = errno;
	va_list ap;

	if ((int)level > (int)canh_log_get_level())
		return;
	if ((int)level < 0 || (size_t)level >= sizeof(level_words) / sizeof(level_words[0]))
		level = CANH_LOG_DEBUG;
	if (!func)
		func = "?";

	va_start(ap, fmt);
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	size_t rawlen = (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1;
	int truncated = (size_t)n >= sizeof(raw);

	int sink = __atomic_load_n(&log_sink, __ATOMIC_RELAXED);
	size_t pos = 0;
	if (sink == CANH_LOG_STDERR) {
		char ts[CANH_TIME_BUFSZ];
		canh_time_format(canh_now_ms(), ts, sizeof(ts));
		int p = snprintf(rec, sizeof(rec), "%s %s[%ld]: %s: %s: ", ts, log_prog,
				 (long)getpid(), level_words[level], func);
		if (p < 0)
			p = 0;
		pos = (size_t)p < sizeof(rec) / 2 ? (size_t)p : sizeof(rec) / 2;
	}

	const char *etext = err ? canh_strerror(err) : "";
	size_t suffix = (err ? 2 + strlen(etext) : 0) + 1;	     /* ": text" and "\n" */
	size_t room = sizeof(rec) - pos - suffix - sizeof(ellipsis); /* NUL counted in ellipsis */
	size_t full = canh_log_escape(rec + pos, room, raw, rawlen);
	size_t wrote = strlen(rec + pos);
	pos += wrote;
	if (truncated || full > wrote) {
		memcpy(rec + pos, ellipsis, sizeof(ellipsis) - 1);
		pos += sizeof(ellipsis) - 1;
	}
	if (err) {
		rec[pos++] = ':';
		rec[pos++] = ' ';
		memcpy(rec + pos, etext, strlen(etext));
		pos += strlen(etext);
	}
	rec[pos] = '\0';

	if (sink == CANH_LOG_JOURNAL) {
		if (err)
			sd_journal_send("MESSAGE=%s", rec, "PRIORITY=%d", journal_priority(level),
					"CODE_FUNC=%s", func, "SYSLOG_IDENTIFIER=%s", log_prog,
					"CANH_ERR=%d", err, NULL);
		else
			sd_journal_send("MESSAGE=%s", rec, "PRIORITY=%d", journal_priority(level),
					"CODE_FUNC=%s", func, "SYSLOG_IDENTIFIER=%s", log_prog,
					NULL);
	} else {
		rec[pos++] = '\n';
		write_all(STDERR_FILENO, rec, pos);
	}
	errno = saved_errno;
}
