/*
 * Error codes and messages.
 *
 * Every function of libcanh that can fail returns an int: 0 on success or a
 * negative CANH_E... code. Where a human needs more than the code, functions
 * take a `struct canh_errmsg *` (may be NULL) and write one line into it, in
 * git's style: what went wrong first, the subject quoted, no full stop.
 * The library never prints and never exits.
 */
#ifndef CANH_ERROR_H
#define CANH_ERROR_H

#include <stddef.h>

enum {
	CANH_OK = 0,
	CANH_ENOMEM = -1,     /* out of memory */
	CANH_EINVAL = -2,     /* invalid argument or value */
	CANH_EIO = -3,	      /* input/output error (errno kept by caller) */
	CANH_ENOENT = -4,     /* no such object */
	CANH_EEXIST = -5,     /* object already exists */
	CANH_ETOOBIG = -6,    /* input or buffer over its configured cap */
	CANH_EPARSE = -7,     /* malformed input */
	CANH_ERANGE = -8,     /* number out of bounds */
	CANH_EFULL = -9,      /* storage full (spool, queue) */
	CANH_ETLS = -10,      /* TLS failure, certificate refused */
	CANH_ENET = -11,      /* network failure */
	CANH_EAUTH = -12,     /* authentication failed */
	CANH_EPERM = -13,     /* not permitted */
	CANH_ESTORE = -14,    /* database error */
	CANH_ECRYPTO = -15,   /* cryptographic library failure */
	CANH_ECORRUPT = -16,  /* on-disk data failed its check */
	CANH_ETIMEOUT = -17,  /* timed out */
	CANH_EAGAIN = -18,    /* try again later */
	CANH_ECONFLICT = -19, /* state conflict (used token, revoked agent) */
	CANH_EHTTP = -20,     /* HTTP peer answered with an error status */
	CANH_EINTERNAL = -21, /* a bug */
	CANH_EEXPIRED = -22,  /* expired (token, certificate) */
};

/* Static English text for a CANH_E... code; never NULL. */
const char *canh_strerror(int err);

/* One line of explanation, filled by the library, shown by the caller. */
struct canh_errmsg {
	char text[512];
};

/* Format into *e (NULL-safe). Returns `err` so callers can `return canh_errmsg_set(...)`. */
int canh_errmsg_set(struct canh_errmsg *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Invariant checks that stay on in release builds (Redis serverAssert, git BUG()):
 * they log to stderr and abort. Only for states that mean canh itself is wrong,
 * never for bad input.
 */
_Noreturn void canh__bug(const char *file, int line, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define CANH_BUG(...) canh__bug(__FILE__, __LINE__, __func__, __VA_ARGS__)
#define CANH_BUG_ON(cond)                                                                          \
	do {                                                                                       \
		if (__builtin_expect(!!(cond), 0))                                                 \
			canh__bug(__FILE__, __LINE__, __func__, "%s", #cond);                      \
	} while (0)

#endif
