/*
 * Message lookup and the check the i18n test runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "canh/utf8.h"
#include "i18n.h"

struct msg {
	const char *name;
	const char *text[CANH_LANG_COUNT]; /* indexed by enum canh_lang */
};

static const struct msg messages[CANH_CLI_MSG_COUNT] = {
#define CANH_CLI_MSG_ROW(id, en, vi) [id] = {#id, {en, vi}},
    CANH_CLI_MESSAGES(CANH_CLI_MSG_ROW)
#undef CANH_CLI_MSG_ROW
};

const char *canh_cli_msg(enum canh_lang lang, enum canh_cli_msg_id id)
{
	if ((unsigned)id >= CANH_CLI_MSG_COUNT || (unsigned)lang > CANH_LANG_VI)
		return "";
	return messages[id].text[lang] ? messages[id].text[lang] : "";
}

const char *canh_cli_msg_name(enum canh_cli_msg_id id)
{
	if ((unsigned)id >= CANH_CLI_MSG_COUNT)
		return "?";
	return messages[id].name;
}

/*
 * The only place a format comes from the table rather than a literal. The
 * table's two texts are checked against each other by the tests, and every
 * call site against the English text by the compiler (canh_cli_say).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void canh_cli_vsay(enum canh_lang lang, FILE *f, enum canh_cli_msg_id id, va_list ap)
{
	vfprintf(f, canh_cli_msg(lang, id), ap);
}

void canh_cli_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_cli_msg_id id,
		      va_list ap)
{
	vsnprintf(buf, len, canh_cli_msg(lang, id), ap);
}
#pragma GCC diagnostic pop

void canh_cli__say(enum canh_lang lang, FILE *f, enum canh_cli_msg_id id, ...)
{
	va_list ap;
	va_start(ap, id);
	canh_cli_vsay(lang, f, id, ap);
	va_end(ap);
}

int canh_cli_utf8_valid(const char *s, size_t len)
{
	return canh_utf8_valid(s, len);
}
