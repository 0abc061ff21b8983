/*
 * Logging for the programs (canhd, canh-agent, canh). Library modules do not
 * log; they return errors and messages.
 *
 * Every record carries the level and the calling function (OpenSSH log.h _f);
 * the _r variants append canh_strerror(err). The formatted message is escaped
 * before it is written: control bytes and invalid UTF-8 become \xNN, so bytes
 * that came from the network cannot forge log lines (h2o error-log escaping).
 * The sink is stderr (with an ISO 8601 timestamp) or journald (sd_journal_send
 * with PRIORITY, CODE_FUNC and CANH_ERR fields).
 */
#ifndef CANH_LOG_H
#define CANH_LOG_H

#include <stddef.h>

enum canh_log_level {
	CANH_LOG_ERROR = 0,
	CANH_LOG_WARN = 1,
	CANH_LOG_INFO = 2,
	CANH_LOG_DEBUG = 3,
};

enum canh_log_sink {
	CANH_LOG_STDERR = 0,
	CANH_LOG_JOURNAL = 1,
};

void canh_log_init(const char *progname, enum canh_log_level level, enum canh_log_sink sink);
void canh_log_set_level(enum canh_log_level level);
enum canh_log_level canh_log_get_level(void);
/* "error", "warn", "info", "debug" */
int canh_log_level_parse(const char *s, enum canh_log_level *out);

void canh_log_write(enum canh_log_level level, const char *func, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define canh_error(...) canh_log_write(CANH_LOG_ERROR, __func__, 0, __VA_ARGS__)
#define canh_warn(...) canh_log_write(CANH_LOG_WARN, __func__, 0, __VA_ARGS__)
#define canh_info(...) canh_log_write(CANH_LOG_INFO, __func__, 0, __VA_ARGS__)
#define canh_debug(...) canh_log_write(CANH_LOG_DEBUG, __func__, 0, __VA_ARGS__)
#define canh_error_r(err, ...) canh_log_write(CANH_LOG_ERROR, __func__, (err), __VA_ARGS__)
#define canh_warn_r(err, ...) canh_log_write(CANH_LOG_WARN, __func__, (err), __VA_ARGS__)

/*
 * Escape src into dst (always NUL-terminated when dstlen > 0): printable ASCII
 * and valid UTF-8 are kept, '\\' becomes "\\\\", anything else "\xNN".
 * Returns the length the full escape needs (like snprintf).
 */
size_t canh_log_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
