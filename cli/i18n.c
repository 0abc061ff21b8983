/*
 * Message lookup, language choice and the checks the i18n test runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "canh/error.h"
#include "canh/utf8.h"
#include "i18n.h"

struct msg {
	const char *name;
	const char *text[2]; /* indexed by enum canh_cli_lang */
};

static const struct msg messages[CANH_CLI_MSG_COUNT] = {
#define CANH_CLI_MSG_ROW(id, en, vi) [id] = {#id, {en, vi}},
    CANH_CLI_MESSAGES(CANH_CLI_MSG_ROW)
#undef CANH_CLI_MSG_ROW
};

static int is_vi(const char *s)
{
	return (s[0] == 'v' || s[0] == 'V') && (s[1] == 'i' || s[1] == 'I') &&
	       (s[2] == '\0' || s[2] == '_' || s[2] == '-' || s[2] == '.' || s[2] == '@');
}

enum canh_cli_lang canh_cli_lang_from_env(const char *lc_all, const char *lc_messages,
					  const char *lang)
{
	const char *v[3] = {lc_all, lc_messages, lang};
	for (size_t i = 0; i < 3; i++) {
		if (v[i] && v[i][0])
			return is_vi(v[i]) ? CANH_LANG_VI : CANH_LANG_EN;
	}
	return CANH_LANG_EN;
}

int canh_cli_lang_parse(const char *s, enum canh_cli_lang *out)
{
	if (is_vi(s)) {
		*out = CANH_LANG_VI;
		return 0;
	}
	if ((s[0] == 'e' || s[0] == 'E') && (s[1] == 'n' || s[1] == 'N') &&
	    (s[2] == '\0' || s[2] == '_' || s[2] == '-' || s[2] == '.' || s[2] == '@')) {
		*out = CANH_LANG_EN;
		return 0;
	}
	if (strcasecmp(s, "C") == 0 || strcasecmp(s, "POSIX") == 0) {
		*out = CANH_LANG_EN;
		return 0;
	}
	return CANH_EINVAL;
}

const char *canh_cli_msg(enum canh_cli_lang lang, enum canh_cli_msg_id id)
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
void canh_cli_vsay(enum canh_cli_lang lang, FILE *f, enum canh_cli_msg_id id, va_list ap)
{
	vfprintf(f, canh_cli_msg(lang, id), ap);
}

void canh_cli_vformat(enum canh_cli_lang lang, char *buf, size_t len, enum canh_cli_msg_id id,
		      va_list ap)
{
	vsnprintf(buf, len, canh_cli_msg(lang, id), ap);
}
#pragma GCC diagnostic pop

void canh_cli__say(enum canh_cli_lang lang, FILE *f, enum canh_cli_msg_id id, ...)
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

/* Append s to sig at *pos, with a comma before every entry but the first. */
static int sig_put(char *sig, size_t siglen, size_t *pos, const char *s, size_t n)
{
	size_t need = n + (*pos ? 1 : 0);
	if (*pos + need + 1 > siglen)
		return CANH_ETOOBIG;
	if (*pos)
		sig[(*pos)++] = ',';
	memcpy(sig + *pos, s, n);
	*pos += n;
	sig[*pos] = '\0';
	return 0;
}

int canh_cli_format_signature(const char *fmt, char *sig, size_t siglen)
{
	size_t pos = 0;
	if (siglen == 0)
		return CANH_ETOOBIG;
	sig[0] = '\0';
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		char one[16];
		size_t n = 0;
		/* Positional arguments would let the texts reorder; canh does not use them. */
		while (*p && strchr("-+ #0'", *p))
			p++;
		if (*p == '*') {
			one[n++] = '*';
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				one[n++] = '.';
				one[n++] = '*';
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		while (*p && strchr("hlLqjzt", *p) && n < sizeof(one) - 2)
			one[n++] = *p++;
		if (*p == '\0' || !strchr("diouxXeEfFgGaAcspn", *p))
			return CANH_EPARSE;
		one[n++] = *p;
		if (sig_put(sig, siglen, &pos, one, n) != 0)
			return CANH_ETOOBIG;
	}
	return 0;
}
