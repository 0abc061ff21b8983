/*
 * Fuzz harness for the JSON pull scanner (lib/jsonstream.c), checked against
 * jansson: a text the scanner walks to the end with every string decoded must
 * be one jansson loads, and the other way round (except where their caps
 * differ: nesting depth, numbers too big for jansson). Tokens never go
 * backwards and decoded strings are NUL-terminated at their length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canh/jsonstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_json_reader r;
	struct canh_errmsg err = {{0}};
	enum canh_json_tok t;
	size_t last = 0;
	int rc = 0, ok;

	canh_json_reader_init(&r, data, size);
	for (;;) {
		rc = canh_json_next(&r, &t, &err);
		if (rc < 0)
			break;
		if (r.pos < last || r.pos > size)
			abort();
		last = r.pos;
		if (t == CANH_JSON_EOF)
			break;
		if (t == CANH_JSON_KEY || t == CANH_JSON_STRING) {
			size_t n;
			const char *s = canh_json_str(&r, &n, &err);
			if (!s) {
				rc = CANH_EPARSE;
				break;
			}
			if (s[n] != '\0' || strlen(s) != n)
				abort();
		}
		if (t == CANH_JSON_ARR && (data[0] & 1)) {
			/* Skip some arrays without decoding them. */
			if ((rc = canh_json_skip(&r, t, &err)) < 0)
				break;
		}
	}
	if (rc < 0 && !err.text[0])
		abort();
	ok = rc == 0;
	canh_json_reader_release(&r);

	/* jansson reads a NUL byte as the end of its input; canh refuses it. */
	if (memchr(data, '\0', size))
		return 0;
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	if (!j && (strstr(jerr.text, "too big") || strstr(jerr.text, "overflow") ||
		   strstr(jerr.text, "depth")))
		return 0;
	if (rc == CANH_ETOOBIG)
		ok = j != NULL;
	/*
	 * Strings inside skipped arrays are not decoded, so when some were
	 * skipped only one way holds: what the scanner refuses, jansson refuses.
	 */
	if (!ok && j)
		abort();
	if (ok && !j && size > 0 && !(data[0] & 1))
		abort();
	json_decref(j);
	return 0;
}
