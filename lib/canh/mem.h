/*
 * Allocation and size arithmetic.
 *
 * canh_x* abort on allocation failure through one place (git xmalloc): a daemon
 * that cannot allocate a few bytes cannot go on sanely. Sizes an attacker
 * controls must be capped *before* they reach these. The overflow-checked
 * helpers (git st_add/st_mult) return 0 and set *out, or CANH_ERANGE.
 */
#ifndef CANH_MEM_H
#define CANH_MEM_H

#include <stddef.h>

void *canh_xmalloc(size_t n);
void *canh_xcalloc(size_t nmemb, size_t size);
void *canh_xrealloc(void *p, size_t n);
char *canh_xstrdup(const char *s);
char *canh_xstrndup(const char *s, size_t n);
/* malloc'd, printf-formatted string. */
char *canh_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int canh_size_add(size_t a, size_t b, size_t *out);
int canh_size_mul(size_t a, size_t b, size_t *out);

/* Copy with truncation, always NUL-terminates when n > 0; returns strlen(src). */
size_t canh_strlcpy(char *dst, const char *src, size_t n);

#endif
