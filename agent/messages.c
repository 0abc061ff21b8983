/*
 * canh-agent's message table (messages.h): lookup and formatting.
 */
#include <stdarg.h>
#include <stdio.h>

#include "messages.h"

struct msg {
	const char *name;
	const char *text[CANH_LANG_COUNT]; /* indexed by enum canh_lang */
};

static const struct msg messages[CANH_AGENT_MSG_COUNT] = {
#define CANH_AGENT_MSG_ROW(id, en, vi) [id] = {#id, {en, vi}},
    CANH_AGENT_MESSAGES(CANH_AGENT_MSG_ROW)
#undef CANH_AGENT_MSG_ROW
};

const char *canh_agent_msg(enum canh_lang lang, enum canh_agent_msg_id id)
{
	if ((unsigned)id >= CANH_AGENT_MSG_COUNT || (unsigned)lang >= CANH_LANG_COUNT)
		return "";
	return messages[id].text[lang] ? messages[id].text[lang] : "";
}

const char *canh_agent_msg_name(enum canh_agent_msg_id id)
{
	if ((unsigned)id >= CANH_AGENT_MSG_COUNT)
		return "?";
	return messages[id].name;
}

/*
 * The only place a format comes from the table rather than a literal. The
 * table's two texts are checked against each other by the tests, and every
 * call site against the English text by the compiler.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void canh_agent_msg_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_agent_msg_id id,
			    va_list ap)
{
	if (len == 0)
		return;
	if (vsnprintf(buf, len, canh_agent_msg(lang, id), ap) < 0)
		buf[0] = '\0';
}

void canh_agent_vsay(enum canh_lang lang, FILE *f, enum canh_agent_msg_id id, va_list ap)
{
	vfprintf(f, canh_agent_msg(lang, id), ap);
}
#pragma GCC diagnostic pop

void canh_agent_msg__format(enum canh_lang lang, char *buf, size_t len, enum canh_agent_msg_id id,
			    ...)
{
	va_list ap;

	va_start(ap, id);
	canh_agent_msg_vformat(lang, buf, len, id, ap);
	va_end(ap);
}

void canh_agent__say(enum canh_lang lang, FILE *f, enum canh_agent_msg_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	canh_agent_vsay(lang, f, id, ap);
	va_end(ap);
}

int canh_agent_msg__set(struct canh_errmsg *e, enum canh_lang lang, int rc,
			enum canh_agent_msg_id id, ...)
{
	va_list ap;

	if (!e)
		return rc;
	va_start(ap, id);
	canh_agent_msg_vformat(lang, e->text, sizeof(e->text), id, ap);
	va_end(ap);
	return rc;
}
