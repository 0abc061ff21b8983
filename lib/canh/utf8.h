/*
 * UTF-8, strictly (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. One decoder for every module that must tell valid text
 * from hostile bytes (JSON output, log escaping, names, terminal output).
 */
#ifndef CANH_UTF8_H
#define CANH_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the sequence at s (n > 0 bytes available). Returns its length (1..4)
 * and sets *cp (may be NULL), or 0 when the bytes there are not valid UTF-8
 * (including a sequence cut short by n).
 */
size_t canh_utf8_decode(const void *s, size_t n, uint32_t *cp);

/* Whether all n bytes are valid UTF-8 (NUL bytes are valid here; check separately). */
bool canh_utf8_valid(const void *s, size_t n);

/*
 * Code points that must not reach a log or a terminal as they are: C0
 * controls and DEL, C1 controls (U+0080..U+009F, some terminals act on them),
 * the line and paragraph separators (U+2028, U+2029) and the bidirectional
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069) that can make a
 * line read differently from what it holds.
 */
bool canh_utf8_is_unsafe(uint32_t cp);

/*
 * The ASCII letter a Latin letter used in Vietnamese is written on, keeping
 * its case: "Đ" -> 'D', "ệ" -> 'e', "Ư" -> 'U' (also Latin-1 letters: "É" ->
 * 'E', "ß" -> 's'); ASCII letters and digits are themselves; 0 for anything
 * else (combining marks, punctuation, other scripts).
 */
char canh_utf8_base_letter(uint32_t cp);

#endif
