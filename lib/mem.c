/*
 * Allocation and size arithmetic: one place where allocation failure aborts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/error.h"
#include "canh/mem.h"

/* The one place allocation failure ends the process (git's xmalloc). */
static _Noreturn void oom(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg), "fatal: out of memory allocating %zu bytes\n", n);
	if (len > 0) {
		ssize_t w = write(STDERR_FILENO, msg,
				  (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
		(void)w;
	}
	abort();
}

void *canh_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *canh_xcalloc(size_t nmemb, size_t size)
{
	size_t total;
	if (canh_size_mul(nmemb, size, &total) != 0)
		oom(SIZE_MAX);
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(total);
	return p;
}

void *canh_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *canh_xstrdup(const char *s)
{
	return canh_xstrndup(s, strlen(s));
}

char *canh_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	size_t total;
	if (canh_size_add(len, 1, &total) != 0)
		oom(SIZE_MAX);
	char *p = canh_xmalloc(total);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *canh_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;

	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

int canh_size_add(size_t a, size_t b, size_t *out)
{
	size_t r;
	if (__builtin_add_overflow(a, b, &r))
		return CANH_ERANGE;
	*out = r;
	return 0;
}

int canh_size_mul(size_t a, size_t b, size_t *out)
{
	size_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return CANH_ERANGE;
	*out = r;
	return 0;
}

size_t canh_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}
