/*
 * Fuzz harness for the Accept-Language parser (lib/i18n.c), which reads a
 * header every client of canhd controls. The input is the header. The answer
 * is one of the two languages, the same with blanks around the header, and
 * English whenever the header cannot name Vietnamese at all.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h, *padded;
	enum canh_lang l;

	if (size > 8192)
		return 0;
	h = malloc(size + 1);
	padded = malloc(size + 3);
	if (!h || !padded)
		abort();
	memcpy(h, data, size);
	h[size] = '\0';
	l = canh_lang_from_accept_language(h);
	if (l != CANH_LANG_EN && l != CANH_LANG_VI)
		abort();
	/* Vietnamese needs a "vi" range or a "*". */
	if (l == CANH_LANG_VI && !strcasestr(h, "vi") && !strchr(h, '*'))
		abort();
	/* Blanks around the header change nothing (while it stays under the 4 KiB read). */
	if (size + 2 <= 4096 && strlen(h) == size) {
		padded[0] = ' ';
		memcpy(padded + 1, h, size);
		padded[size + 1] = '\t';
		padded[size + 2] = '\0';
		if (canh_lang_from_accept_language(padded) != l)
			abort();
	}
	free(padded);
	free(h);
	return 0;
}
