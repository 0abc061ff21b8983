/*
 * dpkg status parser: any bytes must parse without a crash, and every package
 * reported must have a non-empty name and version within the parser's caps.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "canh/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(const struct canh_pkg *p, void *ctx)
{
	size_t *n = ctx;
	if (!p->name[0] || !p->version[0] || strlen(p->name) > 1024 || strlen(p->version) > 1024 ||
	    !p->arch || !p->source[0] || !p->source_version[0] || !p->state[0])
		__builtin_trap();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0, skipped = 0;
	if (canh_dpkg_parse((const char *)data, size, check, &n, &skipped) != 0)
		__builtin_trap(); /* only invalid arguments fail, and these are valid */
	return 0;
}
