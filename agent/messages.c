/*
 * canh-agent's message table (messages.h); lookup and formatting are lib's
 * (canh_catalogue_* in canh/i18n.h).
 */
#include "messages.h"

static const struct canh_msg_row rows[CANH_AGENT_MSG_COUNT] = {
    CANH_AGENT_MESSAGES(CANH_CATALOGUE_ROW)};

const struct canh_catalogue canh_agent_catalogue = {rows, CANH_AGENT_MSG_COUNT};

const char *canh_agent_msg(enum canh_lang lang, enum canh_agent_msg_id id)
{
	return canh_catalogue_text(&canh_agent_catalogue, lang, id);
}

const char *canh_agent_msg_name(enum canh_agent_msg_id id)
{
	return canh_catalogue_name(&canh_agent_catalogue, id);
}

void canh_agent_msg_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_agent_msg_id id,
			    va_list ap)
{
	canh_catalogue_vformat(&canh_agent_catalogue, lang, buf, len, id, ap);
}

void canh_agent_vsay(enum canh_lang lang, FILE *f, enum canh_agent_msg_id id, va_list ap)
{
	canh_catalogue_vprint(&canh_agent_catalogue, lang, f, id, ap);
}
