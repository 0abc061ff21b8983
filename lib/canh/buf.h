/*
 * Bounded growable byte buffer (curl dynbuf, OpenSSH sshbuf).
 *
 * Every buffer has a maximum size fixed when it is initialised; appending past
 * it fails with CANH_ETOOBIG and leaves the contents as they were. The buffer
 * owns `data`; canh_buf_detach hands ownership to the caller. The contents are
 * always NUL-terminated (the terminator is not counted in len or max).
 */
#ifndef CANH_BUF_H
#define CANH_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct canh_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define CANH_BUF_INIT(maxbytes)                                                                    \
	{                                                                                          \
		NULL, 0, 0, (maxbytes)                                                             \
	}

void canh_buf_init(struct canh_buf *b, size_t max);
void canh_buf_release(struct canh_buf *b); /* frees data; b can be reused after init */
void canh_buf_reset(struct canh_buf *b);   /* len = 0, keeps memory */
int canh_buf_append(struct canh_buf *b, const void *p, size_t n);
int canh_buf_puts(struct canh_buf *b, const char *s);
int canh_buf_putc(struct canh_buf *b, char c);
int canh_buf_appendf(struct canh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int canh_buf_vappendf(struct canh_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Never NULL: "" for an empty buffer. */
const char *canh_buf_cstr(const struct canh_buf *b);
/* Caller owns the returned memory (may be NULL when empty); b is left empty. */
char *canh_buf_detach(struct canh_buf *b, size_t *len);
/* Appends s as a JSON string literal with quotes (RFC 8259 escaping). */
int canh_buf_put_json_string(struct canh_buf *b, const char *s, size_t n);

#endif
