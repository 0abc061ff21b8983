/*
 * The CLI's message table (messages.h); lookup and formatting are lib's
 * (canh_catalogue_* in canh/i18n.h).
 */
#include "canh/utf8.h"
#include "i18n.h"

static const struct canh_msg_row rows[CANH_CLI_MSG_COUNT] = {CANH_CLI_MESSAGES(CANH_CATALOGUE_ROW)};

const struct canh_catalogue canh_cli_catalogue = {rows, CANH_CLI_MSG_COUNT};

const char *canh_cli_msg(enum canh_lang lang, enum canh_cli_msg_id id)
{
	return canh_catalogue_text(&canh_cli_catalogue, lang, id);
}

const char *canh_cli_msg_name(enum canh_cli_msg_id id)
{
	return canh_catalogue_name(&canh_cli_catalogue, id);
}

void canh_cli_vsay(enum canh_lang lang, FILE *f, enum canh_cli_msg_id id, va_list ap)
{
	canh_catalogue_vprint(&canh_cli_catalogue, lang, f, id, ap);
}

void canh_cli_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_cli_msg_id id,
		      va_list ap)
{
	canh_catalogue_vformat(&canh_cli_catalogue, lang, buf, len, id, ap);
}

int canh_cli_utf8_valid(const char *s, size_t len)
{
	return canh_utf8_valid(s, len);
}
