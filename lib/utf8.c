/* Strict UTF-8 decoding (see canh/utf8.h). */
#include "canh/utf8.h"

size_t canh_utf8_decode(const void *src, size_t n, uint32_t *cp)
{
	const unsigned char *s = src;
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;

	if (n == 0)
		return 0;
	if (c < 0x80) {
		if (cp)
			*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	if (cp)
		*cp = v;
	return len;
}

bool canh_utf8_valid(const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t i = 0;

	while (i < n) {
		size_t l = s[i] < 0x80 ? 1 : canh_utf8_decode(s + i, n - i, NULL);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

bool canh_utf8_is_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Latin-1 U+00C0..U+00FF; '\0' for the two signs among them (U+00D7, U+00F7). */
static const char latin1_base[64] = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTs"
				    "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";

char canh_utf8_base_letter(uint32_t cp)
{
	static const struct {
		uint32_t lo, hi;
		char c;
	} ranges[] = {
	    {0x102, 0x103, 'a'},   {0x110, 0x111, 'd'},	  {0x128, 0x129, 'i'},
	    {0x168, 0x169, 'u'},   {0x1a0, 0x1a1, 'o'},	  {0x1af, 0x1b0, 'u'},
	    {0x1ea0, 0x1eb7, 'a'}, {0x1eb8, 0x1ec7, 'e'}, {0x1ec8, 0x1ecb, 'i'},
	    {0x1ecc, 0x1ee3, 'o'}, {0x1ee4, 0x1ef1, 'u'}, {0x1ef2, 0x1ef9, 'y'},
	};

	if (cp < 0x80) {
		char c = (char)cp;
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			   ? c
			   : 0;
	}
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1_base[cp - 0xc0];
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (cp >= ranges[i].lo && cp <= ranges[i].hi) {
			/* Capitals are the even code points, except U+01AF/U+01B0 (Ư ư). */
			int upper = cp == 0x1af || (cp != 0x1b0 && cp % 2 == 0);
			return upper ? (char)(ranges[i].c - 32) : ranges[i].c;
		}
	}
	return 0;
}
