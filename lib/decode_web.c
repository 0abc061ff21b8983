/*
 * Web server access and error logs (nginx, Apache), Zimbra mailbox.log /
 * audit.log and Roundcube's errors log. Fields of access logs follow
 * Sigma's webserver taxonomy (c-ip, cs-method, cs-uri-stem, cs-uri-query,
 * sc-status, cs-user-agent, cs-referer, cs-username, cs-host).
 */
#include <string.h>

#include "canh/decode.h"
#include "decode_internal.h"

#define F (&canh__df)

static inline bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

static inline int d2(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdig(p[i]))
			return false;
	return n > 0;
}

/* "21/Nov/2026:10:00:00 +0700" at p (27 bytes at least). */
static bool clf_time(const char *p, size_t n, int tz_default, int64_t *ms)
{
	if (n < 20 || !isdig(p[0]) || !isdig(p[1]) || p[2] != '/' || p[6] != '/' || p[11] != ':' ||
	    p[14] != ':' || p[17] != ':')
		return false;
	int mon = canh__month(p + 3);
	if (!mon || !all_digits(p + 7, 4) || !all_digits(p + 12, 2) || !all_digits(p + 15, 2) ||
	    !all_digits(p + 18, 2))
		return false;
	int tz = tz_default;
	if (n >= 26 && p[20] == ' ' && (p[21] == '+' || p[21] == '-') && all_digits(p + 22, 4))
		tz = (p[21] == '-' ? -1 : 1) * (d2(p + 22) * 60 + d2(p + 24));
	*ms = canh_civil_to_ms(d2(p + 7) * 100 + d2(p + 9), mon, d2(p), d2(p + 12), d2(p + 15),
			       d2(p + 18), 0, tz);
	return true;
}

/* A quoted field at p ('"' expected); backslash escapes skipped. Returns the end after the quote.
 */
static const char *qfield(const char *p, const char *e, const char **s, size_t *l)
{
	if (p >= e || *p != '"')
		return NULL;
	const char *q = p + 1;
	while (q < e && *q != '"') {
		if (*q == '\\' && q + 1 < e)
			q++;
		q++;
	}
	*s = p + 1;
	*l = (size_t)(q - p - 1);
	return q < e ? q + 1 : e;
}

/* "METHOD URI VERSION" */
static void request(struct canh_event *ev, const char *r, size_t rl)
{
	const char *e = r + rl;
	const char *sp1 = memchr(r, ' ', rl);
	if (!sp1) {
		dput(ev, F->cs_uri, r, rl);
		return;
	}
	dput(ev, F->cs_method, r, (size_t)(sp1 - r));
	const char *u = sp1 + 1;
	const char *sp2 = canh__rfind(u, (size_t)(e - u), " ", 1);
	const char *ue = e;
	if (sp2 && HAS(sp2 + 1, (size_t)(e - sp2 - 1), "HTTP/")) {
		ue = sp2;
		dput(ev, F->cs_version, sp2 + 1, (size_t)(e - sp2 - 1));
	}
	dput(ev, F->cs_uri, u, (size_t)(ue - u));
	const char *q = memchr(u, '?', (size_t)(ue - u));
	dput(ev, F->cs_uri_stem, u, q ? (size_t)(q - u) : (size_t)(ue - u));
	if (q)
		dput(ev, F->cs_uri_query, q + 1, (size_t)(ue - q - 1));
}

void canh__decode_access(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n)
{
	const char *e = p + n;
	canh_event_set_logsource(ev, "", "", "webserver");
	size_t k = n < 400 ? n : 400;
	const char *b = NULL;
	for (const char *q = p; (q = memchr(q, '[', (size_t)(p + k - q))) != NULL; q++) {
		if (q > p && q[-1] == ' ' &&
		    clf_time(q + 1, (size_t)(e - q - 1), ctx->tz_offset_min, &ev->time_ms)) {
			b = q;
			break;
		}
	}
	if (!b)
		return;
	/* Words before the date: [vhost] client ident user */
	const char *w[6], *we[6];
	int nw = 0;
	for (const char *q = p; q < b && nw < 6;) {
		while (q < b && *q == ' ')
			q++;
		if (q >= b)
			break;
		w[nw] = q;
		while (q < b && *q != ' ')
			q++;
		we[nw++] = q;
	}
	if (nw >= 3) {
		int c = nw - 3;
		dput(ev, F->c_ip, w[c], (size_t)(we[c] - w[c]));
		size_t ul = (size_t)(we[c + 2] - w[c + 2]);
		if (!(ul == 1 && w[c + 2][0] == '-'))
			dput(ev, F->cs_username, w[c + 2], ul);
		if (c >= 1) {
			const char *h = w[c - 1], *he = we[c - 1];
			const char *colon = memchr(h, ':', (size_t)(he - h));
			dput(ev, F->cs_host, h, colon ? (size_t)(colon - h) : (size_t)(he - h));
		}
	}
	const char *q = memchr(b, ']', (size_t)(e - b));
	if (!q)
		return;
	q++;
	while (q < e && *q == ' ')
		q++;
	const char *s;
	size_t l;
	q = qfield(q, e, &s, &l);
	if (!q)
		return;
	request(ev, s, l);
	/* status bytes */
	while (q < e && *q == ' ')
		q++;
	const char *st = q;
	while (q < e && *q != ' ')
		q++;
	if (q > st)
		dput(ev, F->sc_status, st, (size_t)(q - st));
	while (q < e && *q == ' ')
		q++;
	const char *by = q;
	while (q < e && *q != ' ')
		q++;
	if (q > by && all_digits(by, (size_t)(q - by)))
		dput(ev, F->sc_bytes, by, (size_t)(q - by));
	while (q < e && *q == ' ')
		q++;
	const char *r = qfield(q, e, &s, &l);
	if (!r)
		return;
	if (!(l == 1 && s[0] == '-'))
		dput(ev, F->cs_referer, s, l);
	q = r;
	while (q < e && *q == ' ')
		q++;
	if (qfield(q, e, &s, &l) && !(l == 1 && s[0] == '-'))
		dput(ev, F->cs_user_agent, s, l);
}

static const char *after_space(const char *p, const char *e)
{
	while (p < e && *p == ' ')
		p++;
	return p;
}

/* ", client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", host: \"x\"" */
static void nginx_tail(struct canh_event *ev, const char *p, const char *e)
{
	const char *c = FIND(p, (size_t)(e - p), ", client: ");
	if (!c)
		return;
	dput(ev, F->Message, p, (size_t)(c - p));
	const char *ip = c + 10, *ie = ip;
	while (ie < e && *ie != ',')
		ie++;
	dput(ev, F->c_ip, ip, (size_t)(ie - ip));
	const char *rq = FIND(ie, (size_t)(e - ie), ", request: ");
	const char *s;
	size_t l;
	if (rq && qfield(rq + 11, e, &s, &l))
		request(ev, s, l);
	const char *h = FIND(ie, (size_t)(e - ie), ", host: ");
	if (h && qfield(h + 8, e, &s, &l))
		dput(ev, F->cs_host, s, l);
}

void canh__decode_web_error(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			    size_t n)
{
	const char *e = p + n;
	if (n > 20 && p[4] == '/') {
		/* nginx: 2026/11/21 10:00:00 [error] 1234#1234: *5 message, client: ... */
		canh_event_set_logsource(ev, "nginx", "error", NULL);
		if (all_digits(p, 4) && all_digits(p + 5, 2) && all_digits(p + 8, 2) &&
		    all_digits(p + 11, 2) && all_digits(p + 14, 2) && all_digits(p + 17, 2))
			ev->time_ms = canh_civil_to_ms(d2(p) * 100 + d2(p + 2), d2(p + 5),
						       d2(p + 8), d2(p + 11), d2(p + 14),
						       d2(p + 17), 0, ctx->tz_offset_min);
		const char *q = after_space(p + 19, e);
		if (q < e && *q == '[') {
			const char *c = memchr(q, ']', (size_t)(e - q));
			if (!c)
				return;
			dput(ev, F->Level, q + 1, (size_t)(c - q - 1));
			q = after_space(c + 1, e);
		}
		const char *pid = q;
		while (q < e && isdig(*q))
			q++;
		if (q > pid)
			dput(ev, F->ProcessId, pid, (size_t)(q - pid));
		const char *c = FIND(q, (size_t)(e - q), ": ");
		if (c)
			q = c + 2;
		if (q < e && *q == '*') {
			while (q < e && *q != ' ')
				q++;
			q = after_space(q, e);
		}
		dput(ev, F->Message, q, (size_t)(e - q));
		nginx_tail(ev, q, e);
		return;
	}
	/* Apache: [Sat Nov 21 10:00:00.123456 2026] [core:error] [pid 1:tid 2] [client ip:port] msg
	 */
	canh_event_set_logsource(ev, "apache", "error", NULL);
	if (n < 26 || p[0] != '[')
		return;
	const char *c = memchr(p, ']', n);
	if (!c)
		return;
	if (c - p >= 25) {
		const char *t = p + 5; /* "Nov 21 10:00:00[.frac] 2026" */
		int mon = canh__month(t);
		const char *y = c - 4;
		if (mon && t[3] == ' ' && isdig(t[5]) && t[6] == ' ' && t[9] == ':' &&
		    all_digits(y, 4) && y[-1] == ' ') {
			int ms = 0;
			if (t[15] == '.' && isdig(t[16]) && isdig(t[17]) && isdig(t[18]))
				ms = d2(t + 16) * 10 + (t[18] - '0');
			int day = t[4] == ' ' ? t[5] - '0' : d2(t + 4);
			ev->time_ms =
			    canh_civil_to_ms(d2(y) * 100 + d2(y + 2), mon, day, d2(t + 7),
					     d2(t + 10), d2(t + 13), ms, ctx->tz_offset_min);
		}
	}
	const char *q = after_space(c + 1, e);
	while (q < e && *q == '[') {
		const char *ce = memchr(q, ']', (size_t)(e - q));
		if (!ce)
			break;
		const char *in = q + 1;
		size_t il = (size_t)(ce - in);
		if (HAS(in, il, "pid ")) {
			const char *d = in + 4, *de = d;
			while (de < ce && isdig(*de))
				de++;
			dput(ev, F->ProcessId, d, (size_t)(de - d));
		} else if (HAS(in, il, "client ") || HAS(in, il, "remote ")) {
			const char *ip = in + 7;
			size_t l = (size_t)(ce - ip);
			const char *colon = canh__rfind(ip, l, ":", 1);
			if (colon && memchr(ip, '.', l))
				l = (size_t)(colon - ip);
			dput(ev, F->c_ip, ip, l);
		} else {
			const char *colon = memchr(in, ':', il);
			dput(ev, F->Level, colon ? colon + 1 : in,
			     colon ? (size_t)(ce - colon - 1) : il);
		}
		q = after_space(ce + 1, e);
	}
	dput(ev, F->Message, q, (size_t)(e - q));
}

/* The base name of src->path starts with prefix? */
static bool base_is(const struct canh_log_source *src, const char *prefix)
{
	if (!src || !src->path)
		return false;
	const char *b = strrchr(src->path, '/');
	b = b ? b + 1 : src->path;
	return strncmp(b, prefix, strlen(prefix)) == 0;
}

/* "name=x;aname=y;ip=1.2.3.4;oip=5.6.7.8;ua=zclient;" */
static void zimbra_ctx(struct canh_event *ev, const char *p, const char *e)
{
	const char *ip = NULL, *oip = NULL;
	size_t ipl = 0, oipl = 0;
	while (p < e) {
		const char *k = p;
		while (p < e && *p != '=' && *p != ';')
			p++;
		if (p >= e || *p != '=') {
			p++;
			continue;
		}
		size_t kl = (size_t)(p - k);
		const char *v = ++p;
		while (p < e && *p != ';')
			p++;
		size_t vl = (size_t)(p - v);
		p++;
		if (kl == 4 && memcmp(k, "name", 4) == 0 && vl)
			dput(ev, F->User, v, vl);
		else if (kl == 2 && memcmp(k, "ip", 2) == 0) {
			ip = v;
			ipl = vl;
		} else if (kl == 3 && memcmp(k, "oip", 3) == 0) {
			oip = v;
			oipl = vl;
		} else if (kl == 2 && memcmp(k, "ua", 2) == 0 && vl)
			dput(ev, F->cs_user_agent, v, vl);
	}
	if (oip && oipl)
		dput(ev, F->SourceIp, oip, oipl);
	else if (ip && ipl)
		dput(ev, F->SourceIp, ip, ipl);
}

void canh__decode_zimbra(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n)
{
	const char *e = p + n;
	canh_event_set_logsource(ev, "zimbra", base_is(ctx->src, "audit") ? "audit" : "mailbox",
				 NULL);
	int64_t t;
	size_t used = canh__parse_iso(p, n, ctx->tz_offset_min, &t);
	if (!used)
		return;
	ev->time_ms = t;
	const char *q = after_space(p + used, e);
	const char *lv = q;
	while (q < e && *q != ' ')
		q++;
	dput(ev, F->Level, lv, (size_t)(q - lv));
	q = after_space(q, e);
	/* [thread] [context] category - message */
	for (int i = 0; i < 2 && q < e && *q == '['; i++) {
		const char *c = memchr(q, ']', (size_t)(e - q));
		if (!c)
			return;
		if (i == 1 || memchr(q, '=', (size_t)(c - q)))
			zimbra_ctx(ev, q + 1, c);
		q = after_space(c + 1, e);
	}
	const char *dash = FIND(q, (size_t)(e - q), " - ");
	const char *msg = dash ? dash + 3 : q;
	if (dash)
		dput(ev, F->Protocol, q, (size_t)(dash - q));
	dput(ev, F->Message, msg, (size_t)(e - msg));
	size_t ml = (size_t)(e - msg);
	/* cmd=Auth; account=x; protocol=soap; error=authentication failed for [x], invalid
	 * password; */
	const char *acc = FIND(msg, ml, "account=");
	if (acc) {
		const char *ae = acc + 8;
		while (ae < e && *ae != ';')
			ae++;
		dput(ev, F->User, acc + 8, (size_t)(ae - acc - 8));
	}
	const char *proto = FIND(msg, ml, "protocol=");
	if (proto) {
		const char *pe = proto + 9;
		while (pe < e && *pe != ';')
			pe++;
		dput(ev, F->Protocol, proto + 9, (size_t)(pe - proto - 9));
	}
	const char *af = FIND(msg, ml, "authentication failed for [");
	if (af) {
		dput(ev, F->Action, "zimbra_auth_failed", 18);
		const char *u = af + 27, *ue = memchr(u, ']', (size_t)(e - u));
		if (ue && !acc)
			dput(ev, F->User, u, (size_t)(ue - u));
	} else if (HAS(msg, ml, "cmd=Auth;") && !FIND(msg, ml, "error=")) {
		dput(ev, F->Action, "zimbra_auth_success", 19);
	}
}

void canh__decode_roundcube(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			    size_t n)
{
	const char *e = p + n;
	/* [21-Nov-2026 10:00:00 +0700]: message  (the zone is optional) */
	if (n > 22 && p[0] == '[' && p[3] == '-' && p[7] == '-' && p[12] == ' ' && p[15] == ':' &&
	    p[18] == ':') {
		int mon = canh__month(p + 4);
		if (mon && all_digits(p + 1, 2) && all_digits(p + 8, 4) && all_digits(p + 13, 2) &&
		    all_digits(p + 16, 2) && all_digits(p + 19, 2)) {
			int tz = ctx->tz_offset_min;
			if (n > 27 && p[21] == ' ' && (p[22] == '+' || p[22] == '-') &&
			    all_digits(p + 23, 4))
				tz = (p[22] == '-' ? -1 : 1) * (d2(p + 23) * 60 + d2(p + 25));
			ev->time_ms = canh_civil_to_ms(d2(p + 8) * 100 + d2(p + 10), mon, d2(p + 1),
						       d2(p + 13), d2(p + 16), d2(p + 19), 0, tz);
		}
	}
	const char *c = memchr(p, ']', n < 40 ? n : 40);
	const char *m = c ? c + 1 : p;
	if (m < e && *m == ':')
		m++;
	m = after_space(m, e);
	dput(ev, F->Message, m, (size_t)(e - m));
	canh__decode_roundcube_msg(ev, m, (size_t)(e - m));
}
