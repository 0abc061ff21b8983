/*
 * Messages of the canh CLI in English or Vietnamese (messages.h holds them).
 *
 * The language follows the locale the way gettext reads it: the first
 * non-empty of LC_ALL, LC_MESSAGES, LANG; a value starting with "vi" means
 * Vietnamese, anything else English. `--lang vi|en` overrides it.
 */
#ifndef CANH_CLI_I18N_H
#define CANH_CLI_I18N_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "messages.h"

enum canh_cli_lang {
	CANH_LANG_EN = 0,
	CANH_LANG_VI = 1,
};

/* The language the three locale variables (each may be NULL) ask for. */
enum canh_cli_lang canh_cli_lang_from_env(const char *lc_all, const char *lc_messages,
					  const char *lang);
/* "vi"/"vi_VN..."/"en"/"en_..." (case-insensitive) into *out; CANH_EINVAL otherwise. */
int canh_cli_lang_parse(const char *s, enum canh_cli_lang *out);

/* The text of a message in a language; never NULL (static storage). */
const char *canh_cli_msg(enum canh_cli_lang lang, enum canh_cli_msg_id id);
/* "M_ERR_CONNECT" for M_ERR_CONNECT, for the tests' messages. */
const char *canh_cli_msg_name(enum canh_cli_msg_id id);

/* printf a message in a language to f. The format is the message table's, checked by the tests. */
void canh_cli_vsay(enum canh_cli_lang lang, FILE *f, enum canh_cli_msg_id id, va_list ap);
void canh_cli__say(enum canh_cli_lang lang, FILE *f, enum canh_cli_msg_id id, ...);
/* vsnprintf of a message into buf (truncated to len). */
void canh_cli_vformat(enum canh_cli_lang lang, char *buf, size_t len, enum canh_cli_msg_id id,
		      va_list ap);

/*
 * canh_cli_say(lang, f, M_ID, args...): the never-evaluated printf makes the
 * compiler check args against the English text of M_ID (messages.h makes it a
 * constant array the format checker can see).
 */
#define canh_cli_say(lang, f, id, ...)                                                             \
	((void)(0 && printf(id##_EN, ##__VA_ARGS__)), canh_cli__say((lang), (f), id, ##__VA_ARGS__))

/*
 * Checks used by the tests: 1 when s is valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF); the printf conversions of a format as
 * a compact signature ("s,lld,zu", "%%" ignored) into sig, 0 or CANH_EPARSE
 * for a conversion printf does not know.
 */
int canh_cli_utf8_valid(const char *s, size_t len);
int canh_cli_format_signature(const char *fmt, char *sig, size_t siglen);

#endif
