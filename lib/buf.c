/*
 * Bounded growable byte buffer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/utf8.h"
#include "canh/error.h"
#include "canh/mem.h"

void canh_buf_init(struct canh_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void canh_buf_release(struct canh_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void canh_buf_reset(struct canh_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the terminator; nothing changes on failure. */
static int reserve(struct canh_buf *b, size_t n)
{
	size_t need;
	if (canh_size_add(b->len, n, &need) != 0 || need > b->max || need == SIZE_MAX)
		return CANH_ETOOBIG;
	if (need < b->cap) /* cap counts the terminator */
		return 0;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap <= need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need + 1;
			break;
		}
		ncap *= 2;
	}
	/* Never allocate more than max + 1. */
	if (b->max < SIZE_MAX && ncap > b->max + 1)
		ncap = b->max + 1;
	b->data = canh_xrealloc(b->data, ncap);
	b->cap = ncap;
	return 0;
}

int canh_buf_append(struct canh_buf *b, const void *p, size_t n)
{
	int rc = reserve(b, n);
	if (rc != 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int canh_buf_puts(struct canh_buf *b, const char *s)
{
	return canh_buf_append(b, s, strlen(s));
}

int canh_buf_putc(struct canh_buf *b, char c)
{
	return canh_buf_append(b, &c, 1);
}

int canh_buf_appendf(struct canh_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = canh_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int canh_buf_vappendf(struct canh_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256];

	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return CANH_EINVAL;
	if ((size_t)n < sizeof(small))
		return canh_buf_append(b, small, (size_t)n);

	int rc = reserve(b, (size_t)n);
	if (rc != 0)
		return rc;
	va_copy(cp, ap);
	int m = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, cp);
	va_end(cp);
	if (m != n) {
		b->data[b->len] = '\0';
		return CANH_EINVAL;
	}
	b->len += (size_t)n;
	return 0;
}

const char *canh_buf_cstr(const struct canh_buf *b)
{
	return b->data ? b->data : "";
}

char *canh_buf_detach(struct canh_buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

/* Invalid UTF-8 becomes U+FFFD, so the output is always valid JSON text. */
int canh_buf_put_json_string(struct canh_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t start = b->len;
	int rc;

	if ((rc = canh_buf_putc(b, '"')) != 0)
		goto out;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t run = i;
		/* Copy runs of bytes that need no escaping in one append. */
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
		       p[run] != '\\')
			run++;
		if (run > i) {
			if ((rc = canh_buf_append(b, p + i, run - i)) != 0)
				goto out;
			i = run;
			continue;
		}
		char esc[7];
		const char *e = esc;
		size_t elen = 2;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			if (c < 0x20) {
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				elen = 6;
			} else {
				size_t l = canh_utf8_decode(p + i, n - i, NULL);
				if (l == 0) {
					e = "\\ufffd";
					elen = 6;
					l = 1;
				} else {
					e = (const char *)p + i;
					elen = l;
				}
				if ((rc = canh_buf_append(b, e, elen)) != 0)
					goto out;
				i += l;
				continue;
			}
		}
		if ((rc = canh_buf_append(b, e, elen)) != 0)
			goto out;
		i++;
	}
	rc = canh_buf_putc(b, '"');
out:
	if (rc != 0 && b->data) {
		b->len = start;
		b->data[start] = '\0';
	}
	return rc;
}
