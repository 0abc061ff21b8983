/*
 * canhd's message table (messages.h); lookup and formatting are lib's
 * (canh_catalogue_* in canh/i18n.h).
 */
#include "messages.h"

static const struct canh_msg_row rows[CANH_MSG_COUNT] = {CANH_SERVER_MESSAGES(CANH_CATALOGUE_ROW)};

const struct canh_catalogue canh_msg_catalogue = {rows, CANH_MSG_COUNT};

const char *canh_msg_text(enum canh_lang lang, enum canh_msg_id id)
{
	return canh_catalogue_text(&canh_msg_catalogue, lang, id);
}

const char *canh_msg_name(enum canh_msg_id id)
{
	return canh_catalogue_name(&canh_msg_catalogue, id);
}

void canh_msg_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_msg_id id, va_list ap)
{
	canh_catalogue_vformat(&canh_msg_catalogue, lang, buf, len, id, ap);
}
