/*
 * Choosing the language of messages, and the message catalogues of the
 * programs (see canh/i18n.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/error.h"
#include "canh/i18n.h"
#include "canh/utf8.h"

/* Headers longer than this are read up to their last whole element within it. */
#define ACCEPT_LANGUAGE_MAX 4096
#define QVALUE_ONE 1000

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * language-range (RFC 4647 section 2.1): "*" or 1*8ALPHA *("-" 1*8alphanum).
 * Returns 1 when [s, s+len) is one, with the length of its primary subtag.
 */
static int language_range(const char *s, size_t len, size_t *primary)
{
	size_t i = 0, n;

	*primary = 0;
	if (len == 1 && s[0] == '*') {
		*primary = 1;
		return 1;
	}
	for (n = 0; i < len && is_alpha(s[i]); i++, n++)
		;
	if (n == 0 || n > 8)
		return 0;
	*primary = n;
	while (i < len) {
		if (s[i++] != '-')
			return 0;
		for (n = 0; i < len && (is_alpha(s[i]) || is_digit(s[i])); i++, n++)
			;
		if (n == 0 || n > 8)
			return 0;
	}
	return 1;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) in thousandths, or -1. */
static int qvalue(const char *s, size_t len)
{
	int q, scale = 100;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = s[0] == '1' ? QVALUE_ONE : 0;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (size_t i = 2; i < len; i++, scale /= 10) {
		if (!is_digit(s[i]) || (q == QVALUE_ONE && s[i] != '0'))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q;
}

/*
 * One element: OWS language-range [ OWS ";" OWS "q=" qvalue ] OWS. Returns
 * its quality (0..1000) with the range in *range and *rlen and its primary
 * subtag's length in *primary, or -1 when malformed.
 */
static int element(const char *s, size_t len, const char **range, size_t *rlen, size_t *primary)
{
	size_t i = 0, start, n;
	int q = QVALUE_ONE;

	while (i < len && is_ows(s[i]))
		i++;
	start = i;
	while (i < len && !is_ows(s[i]) && s[i] != ';')
		i++;
	*range = s + start;
	*rlen = i - start;
	if (!language_range(*range, *rlen, primary))
		return -1;
	while (i < len && is_ows(s[i]))
		i++;
	if (i < len && s[i] == ';') {
		i++;
		while (i < len && is_ows(s[i]))
			i++;
		if (len - i < 2 || (s[i] != 'q' && s[i] != 'Q') || s[i + 1] != '=')
			return -1;
		i += 2;
		for (n = 0; i + n < len && !is_ows(s[i + n]); n++)
			;
		q = qvalue(s + i, n);
		if (q < 0)
			return -1;
		i += n;
		while (i < len && is_ows(s[i]))
			i++;
	}
	return i == len ? q : -1;
}

/* The best quality given to one language, and where the range that gave it stands. */
struct choice {
	int q; /* -1: not named */
	int pos;
};

static void consider(struct choice *c, int q, int pos)
{
	/* A later range of the same quality does not move the language forward. */
	if (q > c->q) {
		c->q = q;
		c->pos = pos;
	}
}

enum canh_lang canh_lang_from_accept_language(const char *hdr)
{
	struct choice vi = {-1, 0}, en = {-1, 0}, star = {-1, 0};
	const char *p, *end;
	size_t len;
	int pos = 0;

	if (!hdr)
		return CANH_LANG_EN;
	len = strnlen(hdr, ACCEPT_LANGUAGE_MAX + 1);
	end = hdr + len;
	if (len > ACCEPT_LANGUAGE_MAX) {
		/* Only whole elements count: cut at the last comma within the limit. */
		end = hdr + ACCEPT_LANGUAGE_MAX;
		while (end > hdr && *end != ',')
			end--;
	}
	for (p = hdr; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *range;
		size_t rlen, primary;
		int q = element(p, (size_t)(e - p), &range, &rlen, &primary);

		p = comma ? comma + 1 : end;
		if (q < 0)
			continue; /* malformed, or an empty element of "a,,b" */
		pos++;
		if (range[0] == '*')
			consider(&star, q, pos);
		else if (primary == 2 && strncasecmp(range, "vi", 2) == 0)
			consider(&vi, q, pos);
		else if (primary == 2 && strncasecmp(range, "en", 2) == 0)
			consider(&en, q, pos);
	}
	/* "*" stands for every language the header does not name. */
	if (vi.q < 0)
		vi = star;
	if (en.q < 0)
		en = star;
	if (vi.q > 0 && (vi.q > en.q || (vi.q == en.q && vi.pos < en.pos)))
		return CANH_LANG_VI;
	return CANH_LANG_EN;
}

static int lang_prefix(const char *s, const char *two)
{
	return (s[0] == two[0] || s[0] == two[0] - 'a' + 'A') &&
	       (s[1] == two[1] || s[1] == two[1] - 'a' + 'A') &&
	       (s[2] == '\0' || s[2] == '_' || s[2] == '-' || s[2] == '.' || s[2] == '@');
}

enum canh_lang canh_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang)
{
	const char *v[3] = {lc_all, lc_messages, lang};

	for (size_t i = 0; i < 3; i++) {
		if (v[i] && v[i][0])
			return lang_prefix(v[i], "vi") ? CANH_LANG_VI : CANH_LANG_EN;
	}
	return CANH_LANG_EN;
}

enum canh_lang canh_lang_from_env(void)
{
	return canh_lang_from_locale(getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG"));
}

int canh_lang_parse(const char *s, enum canh_lang *out)
{
	if (lang_prefix(s, "vi")) {
		*out = CANH_LANG_VI;
		return 0;
	}
	if (lang_prefix(s, "en") || strcasecmp(s, "C") == 0 || strcasecmp(s, "POSIX") == 0) {
		*out = CANH_LANG_EN;
		return 0;
	}
	return CANH_EINVAL;
}

const char *canh_lang_tag(enum canh_lang lang)
{
	return lang == CANH_LANG_VI ? "vi" : "en";
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

int canh_i18n_format_signature(const char *fmt, char *sig, size_t siglen)
{
	size_t pos = 0;

	if (siglen == 0)
		return CANH_ETOOBIG;
	sig[0] = '\0';
	for (const char *p = fmt; *p; p++) {
		char one[16];
		size_t n = 0;

		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		/* Positional arguments ("%1$s") would let the texts reorder; they fail below. */
		while (*p && strchr("-+ #0'", *p))
			p++;
		if (*p == '*') {
			one[n++] = '*';
			p++;
		} else {
			while (is_digit(*p))
				p++;
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				one[n++] = '.';
				one[n++] = '*';
				p++;
			} else {
				while (is_digit(*p))
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

const char *canh_catalogue_text(const struct canh_catalogue *cat, enum canh_lang lang, size_t id)
{
	if (id >= cat->n || (unsigned)lang >= CANH_LANG_COUNT)
		return "";
	return cat->rows[id].text[lang] ? cat->rows[id].text[lang] : "";
}

const char *canh_catalogue_name(const struct canh_catalogue *cat, size_t id)
{
	if (id >= cat->n || !cat->rows[id].name)
		return "?";
	return cat->rows[id].name;
}

/*
 * The only place a format comes from a table rather than a literal. Each
 * catalogue's test checks the texts of a message against each other
 * (canh_catalogue_check), and the compiler every call site against the
 * English text (CANH_CATALOGUE_ARGS).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void canh_catalogue_vformat(const struct canh_catalogue *cat, enum canh_lang lang, char *buf,
			    size_t len, size_t id, va_list ap)
{
	if (len == 0)
		return;
	if (vsnprintf(buf, len, canh_catalogue_text(cat, lang, id), ap) < 0)
		buf[0] = '\0';
}

void canh_catalogue_vprint(const struct canh_catalogue *cat, enum canh_lang lang, FILE *f,
			   size_t id, va_list ap)
{
	vfprintf(f, canh_catalogue_text(cat, lang, id), ap);
}
#pragma GCC diagnostic pop

void canh_catalogue_format(const struct canh_catalogue *cat, enum canh_lang lang, char *buf,
			   size_t len, size_t id, ...)
{
	va_list ap;

	va_start(ap, id);
	canh_catalogue_vformat(cat, lang, buf, len, id, ap);
	va_end(ap);
}

void canh_catalogue_print(const struct canh_catalogue *cat, enum canh_lang lang, FILE *f, size_t id,
			  ...)
{
	va_list ap;

	va_start(ap, id);
	canh_catalogue_vprint(cat, lang, f, id, ap);
	va_end(ap);
}

int canh_catalogue_set(const struct canh_catalogue *cat, struct canh_errmsg *e, enum canh_lang lang,
		       int rc, size_t id, ...)
{
	va_list ap;

	if (!e)
		return rc;
	va_start(ap, id);
	canh_catalogue_vformat(cat, lang, e->text, sizeof(e->text), id, ap);
	va_end(ap);
	return rc;
}

static const char *const lang_names[CANH_LANG_COUNT] = {
    [CANH_LANG_EN] = "English",
    [CANH_LANG_VI] = "Vietnamese",
};

/* The first problem of one text, or NULL; its signature into sig. */
static const char *text_problem(const char *text, char *sig, size_t siglen)
{
	int rc;

	if (!text)
		return "is missing";
	if (text[0] == '\0')
		return "is empty";
	if (!canh_utf8_valid(text, strlen(text)))
		return "is not valid UTF-8";
	rc = canh_i18n_format_signature(text, sig, siglen);
	if (rc == CANH_ETOOBIG)
		return "has too many conversions";
	if (rc != 0)
		return "has a conversion printf does not know";
	return NULL;
}

int canh_catalogue_check(const struct canh_catalogue *cat, struct canh_errmsg *err)
{
	for (size_t id = 0; id < cat->n; id++) {
		const struct canh_msg_row *row = &cat->rows[id];
		char sig[CANH_LANG_COUNT][256];

		if (!row->name)
			return canh_errmsg_set(err, CANH_EINVAL, "message %zu: no row", id);
		for (size_t l = 0; l < CANH_LANG_COUNT; l++) {
			const char *why = text_problem(row->text[l], sig[l], sizeof(sig[l]));

			if (why)
				return canh_errmsg_set(err, CANH_EINVAL, "message '%s': %s text %s",
						       row->name, lang_names[l], why);
			if (l > 0 && strcmp(sig[l], sig[0]) != 0)
				return canh_errmsg_set(err, CANH_EINVAL,
						       "message '%s': %s text takes '%s', %s text "
						       "'%s'",
						       row->name, lang_names[l], sig[l],
						       lang_names[0], sig[0]);
		}
	}
	return 0;
}
