/*
 * What the catalogue tests ask of a text beyond canh_catalogue_check: whether
 * it has words at all, and whether it has a letter beyond ASCII, the mark of
 * Vietnamese (and of English that is not English). Shared by the tests of
 * canh-agent's and canhd's messages; static, for tests only.
 */
#ifndef CANH_TEST_CATALOGUE_TEXT_H
#define CANH_TEST_CATALOGUE_TEXT_H

#include <stdint.h>
#include <string.h>

#include "canh/utf8.h"

/* Whether text has a word: two ASCII letters in a row outside a conversion. */
static inline int has_words(const char *text)
{
	int run = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '%') {
			/* Skip the conversion: flags, width, precision, length, letter. */
			p++;
			while (*p && !strchr("diouxXeEfFgGaAcspn%", *p))
				p++;
			if (!*p)
				break;
			run = 0;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			if (++run == 2)
				return 1;
		} else {
			run = 0;
		}
	}
	return 0;
}

/* Whether text has a letter outside ASCII (U+00C0 and above: à, ư, đ, ạ...). */
static inline int has_non_ascii_letter(const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = canh_utf8_decode(text + i, len - i, &cp);
		if (k == 0)
			return 0;
		if (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp < 0x2000)
			return 1;
		i += k;
	}
	return 0;
}

#endif
