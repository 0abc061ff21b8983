/*
 * JSON feeds (jansson): STIX 2.1 bundles, MISP feed events and Spamhaus
 * DROP JSON lines.
 *
 * STIX: indicators whose pattern is a simple one (comparisons with '=' on
 * ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value,
 * network-traffic:dst_ref.value / src_ref.value and file:hashes MD5, SHA-1,
 * SHA-256, joined by OR inside and across brackets) give one entry per
 * comparison; any other pattern is rejected with the reason. Address,
 * domain and URL observables (SCOs) in the bundle are entries too. The
 * family comes from an "indicates" relationship to a malware object.
 * Other objects (identity, malware, relationship, report...) are skipped.
 *
 * MISP: an event ({"Event": {...}}, or the API's {"response": [...]})
 * with attributes at the top and inside objects. Only attributes with
 * to_ids set are imported, as MISP's own IDS exports do; the others (and
 * deleted ones, and types that are no indicator canh matches) are skipped.
 * The family comes from a galaxy tag (malpedia, botnet, threat-actor...)
 * on the attribute or the event. A feed's manifest.json is refused with a
 * clear error: it lists events, it is not one.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/mem.h"
#include "canh/time.h"
#include "feed_internal.h"

#define STIX_MAX_CMP 256

static int json_err(struct feed_ctx *c, const json_error_t *je)
{
	return canh_errmsg_set(c->err, CANH_EPARSE, "'%s': not valid JSON at line %d column %d: %s",
			       c->filename, je->line, je->column, je->text);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t iso_ms(const char *s)
{
	int64_t ms = 0;
	if (!s || canh_time_parse(s, &ms) != 0)
		return 0;
	return ms;
}

/* ---- STIX patterns ---- */

enum tok { T_END, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_STRING, T_WORD, T_OP, T_BAD };

struct lexer {
	const char *s;
	size_t i, n;
	/* the current token */
	enum tok t;
	char text[FEED_VALUE_MAX];
	size_t len;
};

static bool word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == ':' || ch == '.' || ch == '\'' || ch == '*';
}

static void lex(struct lexer *l)
{
	const char *s = l->s;

	while (l->i < l->n &&
	       (s[l->i] == ' ' || s[l->i] == '\t' || s[l->i] == '\n' || s[l->i] == '\r'))
		l->i++;
	l->len = 0;
	l->text[0] = '\0';
	if (l->i >= l->n) {
		l->t = T_END;
		return;
	}
	switch (s[l->i]) {
	case '[':
		l->t = T_LBRACK;
		l->i++;
		return;
	case ']':
		l->t = T_RBRACK;
		l->i++;
		return;
	case '(':
		l->t = T_LPAREN;
		l->i++;
		return;
	case ')':
		l->t = T_RPAREN;
		l->i++;
		return;
	case '\'':
		/* a string literal, \' and \\ escaped */
		l->i++;
		while (l->i < l->n && s[l->i] != '\'') {
			char ch = s[l->i++];
			if (ch == '\\' && l->i < l->n)
				ch = s[l->i++];
			if (l->len + 1 >= sizeof(l->text)) {
				l->t = T_BAD;
				return;
			}
			l->text[l->len++] = ch;
		}
		if (l->i >= l->n) {
			l->t = T_BAD;
			return;
		}
		l->i++;
		l->text[l->len] = '\0';
		l->t = T_STRING;
		return;
	case '=':
	case '!':
	case '<':
	case '>':
		while (l->i < l->n && strchr("=!<>", s[l->i]) && l->len < 3)
			l->text[l->len++] = s[l->i++];
		l->text[l->len] = '\0';
		l->t = T_OP;
		return;
	default:
		break;
	}
	if (!word_char(s[l->i])) {
		l->t = T_BAD;
		return;
	}
	/* a word: an object path (with quoted hash names) or a keyword */
	while (l->i < l->n && word_char(s[l->i])) {
		char ch = s[l->i++];
		if (ch == '\'') {
			/* a quoted path component, as in file:hashes.'SHA-256' */
			while (l->i < l->n && s[l->i] != '\'' && l->len + 1 < sizeof(l->text))
				l->text[l->len++] = s[l->i++];
			if (l->i >= l->n) {
				l->t = T_BAD;
				return;
			}
			l->i++;
			continue;
		}
		if (l->len + 1 >= sizeof(l->text)) {
			l->t = T_BAD;
			return;
		}
		l->text[l->len++] = ch;
	}
	l->text[l->len] = '\0';
	l->t = T_WORD;
}

struct cmp {
	enum canh_ioc_type type;
	char path[64];
	char value[FEED_VALUE_MAX];
};

struct pattern {
	struct lexer l;
	struct cmp *cmps;
	size_t n;
	const char *why;
};

/* The indicator type an object path compares (normalised into norm), or -1. */
static int path_type(const char *raw, char *norm, size_t normsz)
{
	size_t o = 0;
	for (size_t i = 0; raw[i] && o + 1 < normsz; i++) {
		char ch = raw[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		/* file:hashes.'SHA-256' = file:hashes.SHA256 */
		if (ch == '-' && o >= 12 && strncmp(norm, "file:hashes.", 12) == 0)
			continue;
		norm[o++] = ch;
		norm[o] = '\0';
	}
	norm[o] = '\0';
	if (strcmp(norm, "ipv4-addr:value") == 0 || strcmp(norm, "ipv6-addr:value") == 0 ||
	    strcmp(norm, "network-traffic:dst_ref.value") == 0 ||
	    strcmp(norm, "network-traffic:src_ref.value") == 0)
		return CANH_IOC_IP;
	if (strcmp(norm, "domain-name:value") == 0)
		return CANH_IOC_DOMAIN;
	if (strcmp(norm, "url:value") == 0)
		return CANH_IOC_URL;
	if (strcmp(norm, "file:hashes.md5") == 0)
		return CANH_IOC_MD5;
	if (strcmp(norm, "file:hashes.sha1") == 0)
		return CANH_IOC_SHA1;
	if (strcmp(norm, "file:hashes.sha256") == 0)
		return CANH_IOC_SHA256;
	return -1;
}

static bool kw(const struct lexer *l, const char *w)
{
	return l->t == T_WORD && strcasecmp(l->text, w) == 0;
}

static bool is_qualifier(const struct lexer *l)
{
	return kw(l, "WITHIN") || kw(l, "START") || kw(l, "STOP") || kw(l, "REPEATS");
}

/* Why a token cannot continue a simple pattern. */
static const char *unexpected(const struct lexer *l)
{
	if (kw(l, "AND"))
		return "pattern uses AND";
	if (kw(l, "FOLLOWEDBY"))
		return "pattern uses FOLLOWEDBY";
	if (kw(l, "NOT"))
		return "pattern uses NOT";
	if (is_qualifier(l))
		return "pattern uses a qualifier (WITHIN, START/STOP, REPEATS)";
	if (kw(l, "LIKE") || kw(l, "MATCHES") || kw(l, "IN") || kw(l, "ISSUBSET") ||
	    kw(l, "ISSUPERSET") || kw(l, "EXISTS") || l->t == T_OP)
		return "pattern uses an operator other than '='";
	return "pattern is not understood";
}

static int comparison(struct pattern *p, int depth);

/* cmp (OR cmp)* inside brackets, with parentheses. */
static int comparisons(struct pattern *p, int depth)
{
	for (;;) {
		if (comparison(p, depth) != 0)
			return -1;
		if (!kw(&p->l, "OR"))
			return 0;
		lex(&p->l);
	}
}

static int comparison(struct pattern *p, int depth)
{
	struct lexer *l = &p->l;
	char norm[64];
	int type;

	if (l->t == T_LPAREN) {
		if (depth > 32) {
			p->why = "pattern nests too deeply";
			return -1;
		}
		lex(l);
		if (comparisons(p, depth + 1) != 0)
			return -1;
		if (l->t != T_RPAREN) {
			p->why = unexpected(l);
			return -1;
		}
		lex(l);
		return 0;
	}
	if (l->t != T_WORD || kw(l, "NOT") || kw(l, "EXISTS")) {
		p->why = unexpected(l);
		return -1;
	}
	type = path_type(l->text, norm, sizeof(norm));
	lex(l);
	if (l->t != T_OP || strcmp(l->text, "=") != 0) {
		p->why = unexpected(l);
		return -1;
	}
	lex(l);
	if (l->t != T_STRING) {
		p->why = l->t == T_WORD ? "pattern compares with a value that is not a plain string"
					: "pattern is not understood";
		return -1;
	}
	if (type < 0) {
		p->why = "pattern compares an object that is not an address, domain, URL or hash";
		return -1;
	}
	if (p->n >= STIX_MAX_CMP) {
		p->why = "pattern has more than 256 comparisons";
		return -1;
	}
	p->cmps[p->n].type = (enum canh_ioc_type)type;
	canh_strlcpy(p->cmps[p->n].path, norm, sizeof(p->cmps[p->n].path));
	memcpy(p->cmps[p->n].value, l->text, l->len + 1);
	p->n++;
	lex(l);
	return 0;
}

/* obs (OR obs)*, obs = '[' comparisons ']' or '(' pattern ')' */
static int observations(struct pattern *p, int depth)
{
	struct lexer *l = &p->l;

	if (depth > 32) {
		p->why = "pattern nests too deeply";
		return -1;
	}
	for (;;) {
		if (l->t == T_LBRACK) {
			lex(l);
			if (comparisons(p, 0) != 0)
				return -1;
			if (l->t != T_RBRACK) {
				p->why = unexpected(l);
				return -1;
			}
			lex(l);
		} else if (l->t == T_LPAREN) {
			lex(l);
			if (observations(p, depth + 1) != 0)
				return -1;
			if (l->t != T_RPAREN) {
				p->why = unexpected(l);
				return -1;
			}
			lex(l);
		} else {
			p->why = unexpected(l);
			return -1;
		}
		if (!kw(l, "OR"))
			return 0;
		lex(l);
	}
}

static int parse_pattern(struct pattern *p, const char *s)
{
	p->l.s = s;
	p->l.n = strlen(s);
	p->l.i = 0;
	p->n = 0;
	p->why = NULL;
	lex(&p->l);
	if (observations(p, 0) != 0)
		return -1;
	if (p->l.t != T_END) {
		p->why = unexpected(&p->l);
		return -1;
	}
	return 0;
}

/* One value of a known type into an entry; 0 or -1 with *why a full reason. */
static int typed_entry(enum canh_ioc_type type, const char *v, struct canh_feed_entry *e,
		       char *vbuf, const char **why)
{
	static const char *const names[] = {"not an IP address", "not a domain",
					    "not a URL",	 "not an MD5 hash",
					    "not a SHA-1 hash",	 "not a SHA-256 hash"};
	size_t n = strlen(v);
	unsigned flags = type == CANH_IOC_IP ? 0 : FEED_IOC_NAMES;

	canh__feed_trim(&v, &n);
	if (canh__feed_ioc(v, n, flags, e, vbuf, why) != 0) {
		if (type != CANH_IOC_IP)
			*why = names[type];
		return -1;
	}
	if (e->type != type) {
		*why = names[type];
		return -1;
	}
	return 0;
}

struct stix {
	struct feed_ctx *c;
	json_t *family; /* indicator id -> malware name */
	struct pattern pat;
	char vbuf[FEED_VALUE_MAX];
};

static void stix_families(struct stix *x, json_t *objects)
{
	json_t *malware = json_object(), *o;
	size_t i;

	json_array_foreach(objects, i, o)
	{
		const char *type = str(o, "type"), *id = str(o, "id"), *name = str(o, "name");
		if (type && id && name && strcmp(type, "malware") == 0)
			json_object_set_new(malware, id, json_string(name));
	}
	json_array_foreach(objects, i, o)
	{
		const char *type = str(o, "type"), *rt = str(o, "relationship_type");
		const char *src = str(o, "source_ref"), *dst = str(o, "target_ref");
		json_t *name;
		if (!type || strcmp(type, "relationship") != 0 || !rt ||
		    strcmp(rt, "indicates") != 0 || !src || !dst)
			continue;
		if ((name = json_object_get(malware, dst)) != NULL)
			json_object_set(x->family, src, name);
	}
	json_decref(malware);
}

static int stix_object(struct stix *x, json_t *o, uint32_t line)
{
	struct feed_ctx *c = x->c;
	const char *type = str(o, "type"), *id = str(o, "id"), *why;
	struct canh_feed_entry e;
	int rc;

	c->st->rows++;
	if (!type) {
		canh__feed_reject(c, line, "", "object without a \"type\"");
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.ref = id;
	if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0 ||
	    strcmp(type, "domain-name") == 0 || strcmp(type, "url") == 0) {
		enum canh_ioc_type t = type[0] == 'i'	? CANH_IOC_IP
				       : type[0] == 'd' ? CANH_IOC_DOMAIN
							: CANH_IOC_URL;
		const char *v = str(o, "value");
		if (!v) {
			canh__feed_reject(c, line, "", "%s %s has no \"value\"", type,
					  id ? id : "");
			return 0;
		}
		if (typed_entry(t, v, &e, x->vbuf, &why) != 0) {
			char q[64];
			canh__feed_reject(c, line, "", "%s value: %s: '%s'", type, why,
					  canh__feed_shown(v, strlen(v), q));
			return 0;
		}
		return canh__feed_emit(c, &e);
	}
	if (strcmp(type, "indicator") != 0) {
		c->st->skipped++;
		return 0;
	}
	const char *ptype = str(o, "pattern_type"), *pattern = str(o, "pattern");
	if (ptype && strcmp(ptype, "stix") != 0) {
		char q[64];
		canh__feed_reject(c, line, "", "%s: pattern_type '%s' is not 'stix'", id ? id : "",
				  canh__feed_shown(ptype, strlen(ptype), q));
		return 0;
	}
	if (!pattern) {
		canh__feed_reject(c, line, "", "%s: indicator has no pattern", id ? id : "");
		return 0;
	}
	if (parse_pattern(&x->pat, pattern) != 0) {
		canh__feed_reject(c, line, "", "%s: %s", id ? id : "indicator", x->pat.why);
		return 0;
	}
	/* every comparison must be readable, or the indicator is rejected whole */
	for (size_t i = 0; i < x->pat.n; i++) {
		struct canh_feed_entry t;
		char vb[FEED_VALUE_MAX];
		if (typed_entry(x->pat.cmps[i].type, x->pat.cmps[i].value, &t, vb, &why) != 0) {
			char q[64];
			const char *v = x->pat.cmps[i].value;
			canh__feed_reject(c, line, "", "%s: %s: %s: '%s'", id ? id : "indicator",
					  x->pat.cmps[i].path, why,
					  canh__feed_shown(v, strlen(v), q));
			return 0;
		}
	}
	e.seen_ms = iso_ms(str(o, "valid_from"));
	e.last_ms = iso_ms(str(o, "valid_until"));
	e.family = id ? json_string_value(json_object_get(x->family, id)) : NULL;
	for (size_t i = 0; i < x->pat.n; i++) {
		e.port = 0;
		if (typed_entry(x->pat.cmps[i].type, x->pat.cmps[i].value, &e, x->vbuf, &why) != 0)
			continue;
		if ((rc = canh__feed_emit(c, &e)) != 0)
			return rc;
	}
	return 0;
}

static int parse_stix(struct feed_ctx *c, json_t *root)
{
	struct stix x = {0};
	json_t *objects, *o;
	size_t i;
	int rc = 0;

	if (json_is_array(root)) {
		objects = root;
	} else if (json_is_object(root) && json_is_array(json_object_get(root, "objects"))) {
		objects = json_object_get(root, "objects");
	} else if (json_is_object(root) && str(root, "type") &&
		   strcmp(str(root, "type"), "indicator") == 0) {
		objects = NULL;
	} else {
		return canh_errmsg_set(c->err, CANH_EPARSE,
				       "'%s': JSON that is no STIX bundle (no \"objects\" array), "
				       "MISP event or DROP JSON",
				       c->filename);
	}
	x.c = c;
	x.family = json_object();
	x.pat.cmps = canh_xcalloc(STIX_MAX_CMP, sizeof(struct cmp));
	if (!objects) {
		rc = stix_object(&x, root, 1);
	} else {
		stix_families(&x, objects);
		json_array_foreach(objects, i, o)
		{
			if ((rc = stix_object(&x, o, (uint32_t)(i + 1))) != 0)
				break;
		}
	}
	free(x.pat.cmps);
	json_decref(x.family);
	return rc;
}

/* ---- MISP ---- */

/* The family in a galaxy tag: misp-galaxy:malpedia="Emotet" -> Emotet (into buf). */
static const char *tag_family(const json_t *tags, char *buf, size_t bufsz)
{
	static const char *const galaxies[] = {
	    "misp-galaxy:malpedia=",	  "misp-galaxy:botnet=",     "misp-galaxy:threat-actor=",
	    "misp-galaxy:mitre-malware=", "misp-galaxy:ransomware=", "misp-galaxy:banker=",
	    "misp-galaxy:rat=",		  "misp-galaxy:stealer=",    "misp-galaxy:backdoor=",
	    "misp-galaxy:android=",
	};
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		const char *name = str(t, "name");
		if (!name)
			continue;
		for (size_t g = 0; g < sizeof(galaxies) / sizeof(galaxies[0]); g++) {
			size_t k = strlen(galaxies[g]), n;
			const char *v;
			if (strncmp(name, galaxies[g], k) != 0)
				continue;
			v = name + k;
			n = strlen(v);
			if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
				v++;
				n -= 2;
			}
			if (n == 0 || n >= bufsz)
				continue;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

static bool truthy(const json_t *v)
{
	const char *s;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	s = json_string_value(v);
	return s && (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0);
}

static int64_t epoch_ms(const json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	long long t;

	if (json_is_integer(v))
		t = json_integer_value(v);
	else if (s) {
		t = strtoll(s, &end, 10);
		if (*end)
			return 0;
	} else
		return 0;
	if (t <= 0 || t > 253402300799LL)
		return 0;
	return (int64_t)t * 1000;
}

struct misp {
	struct feed_ctx *c;
	const char *event_family;
	uint32_t line;
	char vbuf[FEED_VALUE_MAX], fam[256];
};

static int misp_attr(struct misp *m, json_t *a)
{
	struct feed_ctx *c = m->c;
	const char *type = str(a, "type"), *value = str(a, "value"), *why, *v2 = NULL;
	struct canh_feed_entry e;
	enum canh_ioc_type t1, t2 = CANH_IOC_IP;
	char first[FEED_VALUE_MAX], q[64];
	bool port2 = false, two = false;
	int rc;
	uint32_t line = ++m->line;

	c->st->rows++;
	if (!json_is_object(a) || !type || !value) {
		canh__feed_reject(c, line, "", "attribute without a type or value");
		return 0;
	}
	if (truthy(json_object_get(a, "deleted")) || !truthy(json_object_get(a, "to_ids"))) {
		c->st->skipped++;
		return 0;
	}
	if (!strcmp(type, "ip-src") || !strcmp(type, "ip-dst")) {
		t1 = CANH_IOC_IP;
	} else if (!strcmp(type, "ip-src|port") || !strcmp(type, "ip-dst|port")) {
		t1 = CANH_IOC_IP;
		port2 = true;
	} else if (!strcmp(type, "domain") || !strcmp(type, "hostname")) {
		t1 = CANH_IOC_DOMAIN;
	} else if (!strcmp(type, "hostname|port")) {
		t1 = CANH_IOC_DOMAIN;
		port2 = true;
	} else if (!strcmp(type, "domain|ip")) {
		t1 = CANH_IOC_DOMAIN;
		two = true;
	} else if (!strcmp(type, "url")) {
		t1 = CANH_IOC_URL;
	} else if (!strcmp(type, "md5") || !strcmp(type, "filename|md5")) {
		t1 = CANH_IOC_MD5;
	} else if (!strcmp(type, "sha1") || !strcmp(type, "filename|sha1")) {
		t1 = CANH_IOC_SHA1;
	} else if (!strcmp(type, "sha256") || !strcmp(type, "filename|sha256")) {
		t1 = CANH_IOC_SHA256;
	} else {
		c->st->skipped++;
		return 0;
	}
	if (strchr(type, '|')) {
		const char *bar = strrchr(value, '|');
		size_t n;
		if (!bar) {
			canh__feed_reject(c, line, "", "%s value has no '|': '%s'", type,
					  canh__feed_shown(value, strlen(value), q));
			return 0;
		}
		if (!strncmp(type, "filename|", 9)) {
			value = bar + 1;
		} else {
			n = (size_t)(bar - value);
			if (n >= sizeof(first)) {
				canh__feed_reject(c, line, "", "%s value too long", type);
				return 0;
			}
			memcpy(first, value, n);
			first[n] = '\0';
			v2 = bar + 1;
			value = first;
		}
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.ref = str(a, "uuid");
	e.seen_ms = iso_ms(str(a, "first_seen"));
	if (!e.seen_ms)
		e.seen_ms = epoch_ms(json_object_get(a, "timestamp"));
	e.last_ms = iso_ms(str(a, "last_seen"));
	e.family = tag_family(json_object_get(a, "Tag"), m->fam, sizeof(m->fam));
	if (!e.family)
		e.family = m->event_family;
	if (port2) {
		int port = 0;
		unsigned long p;
		char *end;
		p = strtoul(v2, &end, 10);
		if (*v2 == '\0' || *end || p == 0 || p > 65535) {
			canh__feed_reject(c, line, "", "%s: bad port '%s'", type,
					  canh__feed_shown(v2, strlen(v2), q));
			return 0;
		}
		port = (int)p;
		if ((rc = typed_entry(t1, value, &e, m->vbuf, &why)) != 0)
			goto bad;
		e.port = port;
		return canh__feed_emit(c, &e);
	}
	if (two) {
		struct canh_feed_entry e2 = e;
		char vb2[FEED_VALUE_MAX];
		if ((rc = typed_entry(t1, value, &e, m->vbuf, &why)) != 0)
			goto bad;
		if ((rc = typed_entry(t2, v2, &e2, vb2, &why)) != 0) {
			value = v2;
			goto bad;
		}
		if ((rc = canh__feed_emit(c, &e)) != 0)
			return rc;
		return canh__feed_emit(c, &e2);
	}
	if ((rc = typed_entry(t1, value, &e, m->vbuf, &why)) != 0)
		goto bad;
	return canh__feed_emit(c, &e);
bad:
	canh__feed_reject(c, line, "", "%s value: %s: '%s'", type, why,
			  canh__feed_shown(value, strlen(value), q));
	return 0;
}

static int misp_event(struct feed_ctx *c, json_t *ev)
{
	struct misp m = {0};
	char efam[256];
	json_t *a, *obj;
	size_t i, j;
	int rc;

	m.c = c;
	m.event_family = tag_family(json_object_get(ev, "Tag"), efam, sizeof(efam));
	json_array_foreach(json_object_get(ev, "Attribute"), i, a)
	{
		if ((rc = misp_attr(&m, a)) != 0)
			return rc;
	}
	json_array_foreach(json_object_get(ev, "Object"), i, obj)
	{
		json_array_foreach(json_object_get(obj, "Attribute"), j, a)
		{
			if ((rc = misp_attr(&m, a)) != 0)
				return rc;
		}
	}
	return 0;
}

static int parse_misp(struct feed_ctx *c, json_t *root)
{
	json_t *ev, *v;
	const char *key;
	size_t i;
	int rc;

	if ((ev = json_object_get(root, "Event")) != NULL && json_is_object(ev))
		return misp_event(c, ev);
	if (json_is_array(json_object_get(root, "response")) || json_is_array(root)) {
		json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
		bool any = false;
		json_array_foreach(list, i, v)
		{
			if (!json_is_object(ev = json_object_get(v, "Event")))
				continue;
			any = true;
			if ((rc = misp_event(c, ev)) != 0)
				return rc;
		}
		if (any)
			return 0;
	}
	if (json_is_object(root)) {
		json_object_foreach(root, key, v)
		{
			if (json_is_object(v) && json_object_get(v, "info"))
				return canh_errmsg_set(
				    c->err, CANH_EPARSE,
				    "'%s' is a MISP feed manifest (manifest.json), not an event: "
				    "import the event files it lists (<uuid>.json)",
				    c->filename);
			break;
		}
	}
	return canh_errmsg_set(c->err, CANH_EPARSE,
			       "'%s': JSON that is no MISP event (no \"Event\")", c->filename);
}

int canh__feed_json(struct feed_ctx *c, const char *data, size_t len, enum canh_feed_format fmt)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &je);
	int rc;

	if (!root)
		return json_err(c, &je);
	if (fmt == CANH_FEED_MISP)
		rc = parse_misp(c, root);
	else
		rc = parse_stix(c, root);
	json_decref(root);
	return rc;
}

/* ---- Spamhaus DROP JSON lines ---- */

int canh__feed_drop_json(struct feed_ctx *c, const char *data, size_t len)
{
	char vbuf[FEED_VALUE_MAX], q[64];
	size_t pos = 0;
	uint32_t line = 0;

	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *why;
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		struct canh_feed_entry e;
		const char *cidr, *type;
		json_error_t je;
		json_t *o;
		int rc;

		pos += n + 1;
		line++;
		c->st->rows++;
		canh__feed_trim(&s, &n);
		if (n == 0) {
			c->st->skipped++;
			continue;
		}
		if (n > CANH_FEED_MAX_LINE) {
			canh__feed_reject(c, line, "", "line longer than %zu bytes",
					  CANH_FEED_MAX_LINE);
			continue;
		}
		o = json_loadb(s, n, 0, &je);
		if (!o) {
			canh__feed_reject(c, line, "", "not a JSON object: %s", je.text);
			continue;
		}
		type = str(o, "type");
		if (type && strcmp(type, "metadata") == 0) {
			c->st->skipped++;
			json_decref(o);
			continue;
		}
		if (!(cidr = str(o, "cidr"))) {
			canh__feed_reject(c, line, "", "no \"cidr\"");
			json_decref(o);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.line = line;
		e.ref = str(o, "sblid");
		if ((rc = typed_entry(CANH_IOC_IP, cidr, &e, vbuf, &why)) != 0) {
			canh__feed_reject(c, line, "", "%s: '%s'", why,
					  canh__feed_shown(cidr, strlen(cidr), q));
			json_decref(o);
			continue;
		}
		rc = canh__feed_emit(c, &e);
		json_decref(o);
		if (rc != 0)
			return rc;
	}
	return 0;
}
