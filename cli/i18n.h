/*
 * Messages of the canh CLI in English or Vietnamese (messages.h holds them).
 *
 * The language follows the locale (canh_lang_from_env in lib/canh/i18n.h:
 * the first non-empty of LC_ALL, LC_MESSAGES, LANG; a value starting with
 * "vi" means Vietnamese); `--lang vi|en` overrides it (canh_lang_parse). The
 * same language is asked of canhd (Accept-Language) for the texts it sends.
 */
#ifndef CANH_CLI_I18N_H
#define CANH_CLI_I18N_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "canh/i18n.h"
#include "messages.h"

/* The table, for canh_catalogue_check in the tests. */
extern const struct canh_catalogue canh_cli_catalogue;

/* The text of a message in a language; never NULL (static storage). */
const char *canh_cli_msg(enum canh_lang lang, enum canh_cli_msg_id id);
/* "M_ERR_CONNECT" for M_ERR_CONNECT, for the tests' messages. */
const char *canh_cli_msg_name(enum canh_cli_msg_id id);

/* printf a message in a language to f. The format is the message table's, checked by the tests. */
void canh_cli_vsay(enum canh_lang lang, FILE *f, enum canh_cli_msg_id id, va_list ap);
/* vsnprintf of a message into buf (truncated to len). */
void canh_cli_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_cli_msg_id id,
		      va_list ap);

/*
 * canh_cli_say(lang, f, M_ID, args...): CANH_CATALOGUE_ARGS makes the
 * compiler check args against the English text of M_ID (messages.h makes it
 * a constant array the format checker can see).
 */
#define canh_cli_say(lang, f, id, ...)                                                             \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_print(&canh_cli_catalogue, (lang), (f), id, ##__VA_ARGS__))

/* 1 when s is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
int canh_cli_utf8_valid(const char *s, size_t len);

#endif
