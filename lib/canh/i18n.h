/*
 * The language of messages people read: English or Vietnamese.
 *
 * The texts themselves live with the programs that show them (the CLI's
 * cli/messages.h, canhd's server/messages.h); this module only chooses the
 * language, from the locale (a command) or from an Accept-Language header
 * (canhd, per request), and offers the check the message tables' tests run.
 * Everything here is pure: no allocation, no state, safe from any thread.
 */
#ifndef CANH_I18N_H
#define CANH_I18N_H

#include <stddef.h>

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

#endif
