/*
 * Error codes and messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/error.h"

const char *canh_strerror(int err)
{
	switch (err) {
	case CANH_OK:
		return "success";
	case CANH_ENOMEM:
		return "out of memory";
	case CANH_EINVAL:
		return "invalid argument";
	case CANH_EIO:
		return "input/output error";
	case CANH_ENOENT:
		return "no such file or object";
	case CANH_EEXIST:
		return "already exists";
	case CANH_ETOOBIG:
		return "too large";
	case CANH_EPARSE:
		return "malformed input";
	case CANH_ERANGE:
		return "value out of range";
	case CANH_EFULL:
		return "storage full";
	case CANH_ETLS:
		return "TLS failure";
	case CANH_ENET:
		return "network failure";
	case CANH_EAUTH:
		return "authentication failed";
	case CANH_EPERM:
		return "not permitted";
	case CANH_ESTORE:
		return "database error";
	case CANH_ECRYPTO:
		return "cryptographic library failure";
	case CANH_ECORRUPT:
		return "data failed its integrity check";
	case CANH_ETIMEOUT:
		return "timed out";
	case CANH_EAGAIN:
		return "try again later";
	case CANH_ECONFLICT:
		return "state conflict";
	case CANH_EHTTP:
		return "HTTP error status";
	case CANH_EINTERNAL:
		return "internal error";
	case CANH_EEXPIRED:
		return "expired";
	}
	return "unknown error";
}

int canh_errmsg_set(struct canh_errmsg *e, int err, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
		if (n < 0)
			e->text[0] = '\0';
	}
	return err;
}

_Noreturn void canh__bug(const char *file, int line, const char *func, const char *fmt, ...)
{
	char msg[1024];
	char rec[1280];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	int n = snprintf(rec, sizeof(rec), "BUG: %s:%d: %s: %s\n", file, line, func, msg);
	if (n > 0) {
		size_t len = (size_t)n < sizeof(rec) ? (size_t)n : sizeof(rec) - 1;
		ssize_t w = write(STDERR_FILENO, rec, len);
		(void)w;
	}
	abort();
}
