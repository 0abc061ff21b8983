/*
 * The language of messages people read: English or Vietnamese.
 *
 * The texts themselves live with the programs that show them (the CLI's
 * cli/messages.h, canh-agent's agent/messages.h, canhd's server/messages.h);
 * this module chooses the language, from the locale (a command) or from an
 * Accept-Language header (canhd, per request), and holds what every such
 * catalogue shares: lookup, formatting and the check their tests run.
 * Everything here is pure: no allocation, no state, safe from any thread.
 */
#ifndef CANH_I18N_H
#define CANH_I18N_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct canh_errmsg;

enum canh_lang {
	CANH_LANG_EN = 0,
	CANH_LANG_VI = 1,
};
#define CANH_LANG_COUNT 2

/*
 * The language an Accept-Language header asks for (RFC 9110 section 12.5.4):
 * Vietnamese when a range whose primary subtag is "vi" ("vi", "vi-VN") has a
 * higher quality than English has, or the same quality and comes first;
 * English otherwise, also for NULL, an empty or unparsable header, "*" alone
 * and q=0. A "*" gives its quality to a language the header does not name.
 * Malformed elements are skipped; only the first 4 KiB are read.
 */
enum canh_lang canh_lang_from_accept_language(const char *hdr);

/*
 * The language of the locale, read the way gettext does: the first non-empty
 * of LC_ALL, LC_MESSAGES, LANG; a value starting with "vi" ("vi",
 * "vi_VN.UTF-8", "vi@...") means Vietnamese, anything else English.
 */
enum canh_lang canh_lang_from_env(void);
/* The same over given values (each may be NULL), for callers and tests that have them. */
enum canh_lang canh_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang);

/*
 * A language named by a user (`--lang`): "vi", "vi_VN...", "en", "en_...",
 * "C", "POSIX" (ASCII case ignored) into *out; CANH_EINVAL otherwise.
 */
int canh_lang_parse(const char *s, enum canh_lang *out);

/* "en" or "vi": the tag for Content-Language and Accept-Language; never NULL. */
const char *canh_lang_tag(enum canh_lang lang);

/*
 * The printf conversions of a format as a compact signature ("s,lld,zu,.*s";
 * flags and widths dropped, "%%" ignored) into sig, for the tests that check
 * both texts of a message take the same arguments in the same order.
 * Returns 0, CANH_EPARSE for a conversion printf does not know (positional
 * arguments included), CANH_ETOOBIG when sig is too small.
 */
int canh_i18n_format_signature(const char *fmt, char *sig, size_t siglen);

/*
 * A message catalogue: every text a program shows a person, in each
 * language, indexed by the program's own enum of message ids.
 *
 * A program writes its messages once, as an X-macro list of
 * X(id, english, vietnamese), and turns the list into an enum
 * (CANH_CATALOGUE_ENUM), a table of rows (CANH_CATALOGUE_ROW) and, per
 * message, a constant array of its English text (CANH_CATALOGUE_EN), which
 * CANH_CATALOGUE_ARGS hands to a never-evaluated printf so the compiler
 * checks the arguments of every call site against it. The two texts of a
 * message must take the same conversions in the same order:
 * canh_catalogue_check tells, and every catalogue's test runs it.
 *
 * The table and its texts are static storage owned by the program; nothing
 * here allocates or keeps a pointer beyond the call.
 */
struct canh_msg_row {
	const char *name;		   /* the id as written, "S_UNIT_NOT_FOUND" */
	const char *text[CANH_LANG_COUNT]; /* indexed by enum canh_lang */
};

struct canh_catalogue {
	const struct canh_msg_row *rows; /* indexed by the program's message id */
	size_t n;
};

/* clang-format off */
#define CANH_CATALOGUE_ENUM(id, en, vi) id,
#define CANH_CATALOGUE_ROW(id, en, vi) [id] = {#id, {en, vi}},
#define CANH_CATALOGUE_EN(id, en, vi) static const char id##_EN[] __attribute__((unused)) = en;
/* clang-format on */
/* An expression that makes the compiler check args against the English text of id. */
#define CANH_CATALOGUE_ARGS(id, ...) ((void)(0 && printf(id##_EN, ##__VA_ARGS__)))

/* The text of message id in lang; never NULL (static storage; "" when out of range or absent). */
const char *canh_catalogue_text(const struct canh_catalogue *cat, enum canh_lang lang, size_t id);
/* The name of message id ("S_UNIT_NOT_FOUND"), for tests and logs; "?" when out of range. */
const char *canh_catalogue_name(const struct canh_catalogue *cat, size_t id);

/*
 * vsnprintf of message id in lang into buf: truncated to len, always
 * terminated when len > 0 ("" when the formatting itself fails).
 */
void canh_catalogue_vformat(const struct canh_catalogue *cat, enum canh_lang lang, char *buf,
			    size_t len, size_t id, va_list ap);
void canh_catalogue_format(const struct canh_catalogue *cat, enum canh_lang lang, char *buf,
			   size_t len, size_t id, ...);
/* vfprintf of message id in lang to f: a function whose purpose is writing to the caller's f. */
void canh_catalogue_vprint(const struct canh_catalogue *cat, enum canh_lang lang, FILE *f,
			   size_t id, va_list ap);
void canh_catalogue_print(const struct canh_catalogue *cat, enum canh_lang lang, FILE *f, size_t id,
			  ...);
/* Like canh_errmsg_set with message id worded in lang, into *e (NULL-safe); returns rc. */
int canh_catalogue_set(const struct canh_catalogue *cat, struct canh_errmsg *e, enum canh_lang lang,
		       int rc, size_t id, ...);

/*
 * Check every message of cat: a row for each id, a text in every language,
 * none empty, all valid UTF-8, and the printf conversions of each language
 * the English ones (canh_i18n_format_signature). Returns 0, or CANH_EINVAL
 * with the first problem in *err (may be NULL): which message, which
 * language, what, e.g. "message 'S_X': Vietnamese text is not valid UTF-8".
 */
int canh_catalogue_check(const struct canh_catalogue *cat, struct canh_errmsg *err);

#endif
