/*
 * Values inside feeds: indicators (addresses, CIDRs, ranges, ip:port,
 * domains, URLs, hashes), dates, and the folding of Vietnamese labels to
 * ASCII for header matching. Nothing here allocates.
 */
#include <string.h>

#include "canh/ipaddr.h"
#include "canh/utf8.h"
#include "feed_internal.h"

void canh__feed_trim(const char **sp, size_t *np)
{
	const unsigned char *s = (const unsigned char *)*sp;
	size_t n = *np;

	/* the common case: printable ASCII at both ends */
	if (n == 0 || (s[0] > ' ' && s[0] < 0x7f && s[n - 1] > ' ' && s[n - 1] < 0x7f))
		return;
	for (;;) {
		if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n' ||
			      s[0] == '\v' || s[0] == '\f')) {
			s++;
			n--;
		} else if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0) {
			s += 2;
			n -= 2;
		} else if (n >= 3 && ((s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) ||
				      (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x8b))) {
			s += 3;
			n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			      s[n - 1] == '\n' || s[n - 1] == '\v' || s[n - 1] == '\f')) {
			n--;
		} else if (n >= 2 && s[n - 2] == 0xc2 && s[n - 1] == 0xa0) {
			n -= 2;
		} else if (n >= 3 && ((s[n - 3] == 0xef && s[n - 2] == 0xbb && s[n - 1] == 0xbf) ||
				      (s[n - 3] == 0xe2 && s[n - 2] == 0x80 && s[n - 1] == 0x8b))) {
			n -= 3;
		} else {
			break;
		}
	}
	*sp = (const char *)s;
	*np = n;
}

/* ---- addresses ---- */

/* Dotted quad, four decimal octets without leading zeros; returns bytes used or 0. */
static size_t parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, nd = 0;
		size_t start = i;
		if (part > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			start = ++i;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[start] == '0'))
			return 0;
		out[part] = (uint8_t)v;
	}
	return i;
}

/* One address of either family filling exactly s[0..n). */
static int parse_addr(const char *s, size_t n, struct canh_ipaddr *a)
{
	char buf[64];

	if (n == 0)
		return -1;
	if (parse_v4(s, n, a->bytes) == n) {
		a->family = 4;
		memset(a->bytes + 4, 0, sizeof(a->bytes) - 4);
		return 0;
	}
	if (memchr(s, ':', n) == NULL || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return canh_ip_parse(buf, a) == 0 ? 0 : -1;
}

static char *put_octet(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_u(char *p, unsigned v)
{
	char tmp[12];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*p++ = tmp[--k];
	return p;
}

/* Format a into p (room for CANH_IPADDR_STRLEN), returning the end. */
static char *put_addr(char *p, const struct canh_ipaddr *a)
{
	if (a->family == 4) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_octet(p, a->bytes[i]);
		}
		*p = '\0';
		return p;
	}
	canh_ip_format(a, p, CANH_IPADDR_STRLEN);
	return p + strlen(p);
}

static int addr_cmp(const struct canh_ipaddr *a, const struct canh_ipaddr *b)
{
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16);
}

static int parse_port(const char *s, size_t n, int *port)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int ip_entry(const char *s, size_t n, unsigned flags, struct canh_feed_entry *e, char *vbuf,
		    const char **why)
{
	const char *slash = memchr(s, '/', n);
	const char *dash = (flags & FEED_IOC_RANGE) ? memchr(s, '-', n) : NULL;
	char *p;

	if (slash) {
		size_t an = (size_t)(slash - s), pn = n - an - 1;
		unsigned pfx = 0, max;
		if (parse_addr(s, an, &e->lo) != 0) {
			*why = "not an IP address or CIDR";
			return -1;
		}
		max = e->lo.family == 4 ? 32 : 128;
		if (pn == 0 || pn > 3) {
			*why = "bad CIDR prefix length";
			return -1;
		}
		for (size_t i = 0; i < pn; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9') {
				*why = "bad CIDR prefix length";
				return -1;
			}
			pfx = pfx * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (pfx > max) {
			*why = "CIDR prefix length out of range";
			return -1;
		}
		e->hi = e->lo;
		for (unsigned bit = pfx; bit < max; bit++) {
			e->lo.bytes[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
			e->hi.bytes[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
		}
		p = put_addr(vbuf, &e->lo);
		if (pfx != max) {
			*p++ = '/';
			p = put_u(p, pfx);
			*p = '\0';
		}
		e->type = CANH_IOC_IP;
		e->value = vbuf;
		return 0;
	}
	if (dash) {
		const char *a = s, *b = dash + 1;
		size_t an = (size_t)(dash - s), bn = n - an - 1;
		if (flags & FEED_IOC_SPACES) {
			canh__feed_trim(&a, &an);
			canh__feed_trim(&b, &bn);
		}
		if (parse_addr(a, an, &e->lo) != 0 || parse_addr(b, bn, &e->hi) != 0) {
			*why = "not an IP address or range";
			return -1;
		}
		if (e->lo.family != e->hi.family) {
			*why = "range mixes IPv4 and IPv6";
			return -1;
		}
		if (addr_cmp(&e->lo, &e->hi) > 0) {
			*why = "range ends before it starts";
			return -1;
		}
		p = put_addr(vbuf, &e->lo);
		if (addr_cmp(&e->lo, &e->hi) != 0) {
			*p++ = '-';
			put_addr(p, &e->hi);
		}
		e->type = CANH_IOC_IP;
		e->value = vbuf;
		return 0;
	}
	if (parse_addr(s, n, &e->lo) != 0) {
		/* ip:port or [v6]:port */
		const char *colon = NULL;
		size_t an = 0;
		if ((flags & FEED_IOC_PORT) && n > 2 && s[0] == '[') {
			const char *rb = memchr(s, ']', n);
			if (rb && (size_t)(rb - s) + 1 < n && rb[1] == ':') {
				colon = rb + 1;
				if (parse_addr(s + 1, (size_t)(rb - s) - 1, &e->lo) != 0)
					colon = NULL;
			}
		} else if ((flags & FEED_IOC_PORT) && (colon = memchr(s, ':', n)) != NULL) {
			an = (size_t)(colon - s);
			if (memchr(colon + 1, ':', n - an - 1) || parse_addr(s, an, &e->lo) != 0)
				colon = NULL;
		}
		if (!colon) {
			*why = "not an IP address";
			return -1;
		}
		if (parse_port(colon + 1, n - (size_t)(colon + 1 - s), &e->port) != 0) {
			*why = "bad port after the address";
			return -1;
		}
	}
	e->hi = e->lo;
	put_addr(vbuf, &e->lo);
	e->type = CANH_IOC_IP;
	e->value = vbuf;
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int hash_entry(const char *s, size_t n, struct canh_feed_entry *e, char *vbuf)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return -1;
		vbuf[i] = lower(s[i]);
	}
	vbuf[n] = '\0';
	e->type = n == 32 ? CANH_IOC_MD5 : n == 40 ? CANH_IOC_SHA1 : CANH_IOC_SHA256;
	e->value = vbuf;
	return 0;
}

/* A host name: labels of letters, digits, '-' and '_', at least two, the last not numeric. */
static int domain_entry(const char *s, size_t n, struct canh_feed_entry *e, char *vbuf)
{
	size_t label = 0, labels = 1, numeric = 0;
	bool alpha_last = false;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || s[0] == '.')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			labels++;
			label = 0;
			numeric += !alpha_last;
			alpha_last = false;
			vbuf[i] = c;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -1;
		if (++label > 63 || (label == 1 && c == '-'))
			return -1;
		if (!(c >= '0' && c <= '9'))
			alpha_last = true;
		vbuf[i] = lower(c);
	}
	/* "192.0.2.5x" is a mistyped address, not a host name */
	if (labels < 2 || label == 0 || !alpha_last || numeric >= 3)
		return -1;
	vbuf[n] = '\0';
	e->type = CANH_IOC_DOMAIN;
	e->value = vbuf;
	return 0;
}

/* Digits with dots, or hex with colons: an address gone wrong, whose own reason is better. */
static bool ip_like(const char *s, size_t n)
{
	bool digit = false, sep = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9')
			digit = true;
		else if (ch == '.' || ch == ':')
			sep = true;
		else if (!(is_hex(ch) || ch == '/' || ch == '-' || ch == ' ' || ch == '[' ||
			   ch == ']'))
			return false;
	}
	return digit && sep;
}

static bool prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n <= k)
		return false;
	for (size_t i = 0; i < k; i++) {
		if (lower(s[i]) != p[i])
			return false;
	}
	return true;
}

int canh__feed_ioc(const char *s, size_t n, unsigned flags, struct canh_feed_entry *e, char *vbuf,
		   const char **why)
{
	*why = "empty value";
	if (n == 0)
		return -1;
	if (n > FEED_VALUE_MAX - 1) {
		*why = "value too long";
		return -1;
	}
	/* addresses first when it starts like one: the common case of a list */
	if ((flags & FEED_IOC_NAMES) && ((s[0] >= '0' && s[0] <= '9') || s[0] == ':') &&
	    ip_entry(s, n, flags, e, vbuf, why) == 0)
		return 0;
	if (flags & FEED_IOC_NAMES) {
		if ((n == 32 || n == 40 || n == 64) && hash_entry(s, n, e, vbuf) == 0)
			return 0;
		if (prefix_ci(s, n, "http://") || prefix_ci(s, n, "https://")) {
			memcpy(vbuf, s, n);
			vbuf[n] = '\0';
			for (size_t i = 0; i < n; i++) {
				if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
					*why = "URL contains blanks or control bytes";
					return -1;
				}
			}
			e->type = CANH_IOC_URL;
			e->value = vbuf;
			return 0;
		}
	}
	if (ip_entry(s, n, flags, e, vbuf, why) == 0)
		return 0;
	if ((flags & FEED_IOC_NAMES) && domain_entry(s, n, e, vbuf) == 0)
		return 0;
	if ((flags & FEED_IOC_NAMES) && !ip_like(s, n))
		*why = "not an IP address, CIDR, range, domain, URL or hash";
	return -1;
}

/* ---- folding Vietnamese labels ---- */

/* A code point as a lowercase ASCII letter or digit, or 0 to drop it. */
static char fold_cp(uint32_t cp)
{
	char c = canh_utf8_base_letter(cp);
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

size_t canh__feed_fold(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < n && o + 1 < outsz;) {
		uint32_t cp;
		size_t k = canh_utf8_decode(s + i, n - i, &cp);
		char c;
		if (k == 0) {
			i++;
			continue;
		}
		i += k;
		if ((c = fold_cp(cp)) != 0)
			out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

/* ---- dates ---- */

int64_t canh__feed_days(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read 1..maxd digits at s[*i]. */
static int num(const char *s, size_t n, size_t *i, unsigned mind, unsigned maxd, unsigned *v)
{
	unsigned k = 0;
	*v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && k < maxd) {
		*v = *v * 10 + (unsigned)(s[*i] - '0');
		(*i)++;
		k++;
	}
	return k >= mind ? 0 : -1;
}

static bool valid_date(unsigned y, unsigned m, unsigned d)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* "HH:MM[:SS[.fff]]" then an optional zone ("Z", "+07:00", "+0700", " UTC"). */
static int time_tail(const char *s, size_t n, size_t i, bool utc, int64_t days, int64_t *ms)
{
	unsigned hh = 0, mi = 0, ss = 0, frac = 0;
	int64_t off_min = utc ? 0 : 7 * 60;

	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		i++;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n) {
			if (num(s, n, &i, 1, 2, &hh) != 0 || i >= n || s[i] != ':')
				return -1;
			i++;
			if (num(s, n, &i, 2, 2, &mi) != 0)
				return -1;
			if (i < n && s[i] == ':') {
				i++;
				if (num(s, n, &i, 2, 2, &ss) != 0)
					return -1;
				if (i < n && (s[i] == '.' || s[i] == ',')) {
					unsigned k = 0;
					i++;
					while (i < n && s[i] >= '0' && s[i] <= '9') {
						if (k < 3) {
							frac = frac * 10 + (unsigned)(s[i] - '0');
							k++;
						}
						i++;
					}
					while (k++ < 3)
						frac *= 10;
				}
			}
			if (hh > 23 || mi > 59 || ss > 60)
				return -1;
		}
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i < n) {
		if (s[i] == 'Z' && i + 1 == n) {
			off_min = 0;
		} else if (n - i == 3 &&
			   (memcmp(s + i, "UTC", 3) == 0 || memcmp(s + i, "GMT", 3) == 0)) {
			off_min = 0;
		} else if (s[i] == '+' || s[i] == '-') {
			int sign = s[i] == '-' ? -1 : 1;
			unsigned oh, om = 0;
			i++;
			if (num(s, n, &i, 2, 2, &oh) != 0)
				return -1;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && num(s, n, &i, 2, 2, &om) != 0)
				return -1;
			if (i != n || oh > 14 || om > 59)
				return -1;
			off_min = sign * (int64_t)(oh * 60 + om);
		} else {
			return -1;
		}
	}
	*ms = ((days * 86400 + hh * 3600 + mi * 60 + ss) - off_min * 60) * 1000 + frac;
	return 0;
}

int canh__feed_time(const char *s, size_t n, bool utc, int serial, int64_t *ms)
{
	size_t i = 0;
	unsigned a, b, c;
	bool digits;

	canh__feed_trim(&s, &n);
	digits = n > 0;
	if (n == 0 || n > 64)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (!((s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && serial != FEED_SERIAL_NONE)))
			digits = false;
	}
	if (digits) {
		/* Excel serial day (1900 system), Unix seconds or milliseconds. */
		uint64_t whole = 0, frac = 0, scale = 1;
		size_t k = 0, nd = 0;
		for (; k < n && s[k] != '.'; k++, nd++) {
			if (nd >= 15)
				return -1;
			whole = whole * 10 + (uint64_t)(s[k] - '0');
		}
		if (k < n) {
			for (k++; k < n; k++) {
				if (s[k] == '.')
					return -1;
				if (scale < 1000000000u) {
					frac = frac * 10 + (uint64_t)(s[k] - '0');
					scale *= 10;
				}
			}
		}
		if (serial != FEED_SERIAL_NONE && whole < 2958466 &&
		    (whole >= 1 || serial == FEED_SERIAL_1904)) {
			/* Excel's 1900 system counts 1900-02-29, which did not
			 * exist: serials from 61 on are days since 1899-12-30,
			 * earlier ones since 1899-12-31. The 1904 system counts
			 * from 1904-01-01 = 0. */
			int64_t base = serial == FEED_SERIAL_1904
					   ? canh__feed_days(1904, 1, 1)
					   : canh__feed_days(1899, 12, whole >= 61 ? 30 : 31);
			/* to the nearest second: spreadsheets keep times as binary
			 * fractions of a day (08:30 is 0.354166666...) */
			int64_t day_ms = (int64_t)((frac * 86400u + scale / 2) / scale) * 1000;
			if (serial == FEED_SERIAL_1900 && whole == 60)
				return -1;
			*ms = (base + (int64_t)whole) * 86400000 + day_ms -
			      (utc ? 0 : 7 * 3600 * 1000);
			return 0;
		}
		if (frac != 0 || scale != 1)
			return -1;
		if (nd == 10) {
			*ms = (int64_t)whole * 1000;
			return 0;
		}
		if (nd == 13) {
			*ms = (int64_t)whole;
			return 0;
		}
		return -1;
	}
	if (num(s, n, &i, 1, 4, &a) != 0 || i >= n)
		return -1;
	if (i == 4 && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
		/* yyyy-mm-dd */
		char sep = s[i++];
		if (num(s, n, &i, 1, 2, &b) != 0 || i >= n || s[i] != sep)
			return -1;
		i++;
		if (num(s, n, &i, 1, 2, &c) != 0 || !valid_date(a, b, c))
			return -1;
		return time_tail(s, n, i, utc, canh__feed_days(a, b, c), ms);
	}
	if (i <= 2 && (s[i] == '/' || s[i] == '-' || s[i] == '.')) {
		/* dd/mm/yyyy, the order Vietnamese offices write */
		char sep = s[i++];
		if (num(s, n, &i, 1, 2, &b) != 0 || i >= n || s[i] != sep)
			return -1;
		i++;
		if (num(s, n, &i, 4, 4, &c) != 0 || !valid_date(c, b, a))
			return -1;
		return time_tail(s, n, i, utc, canh__feed_days(c, b, a), ms);
	}
	return -1;
}

const char *canh__feed_shown(const char *s, size_t n, char out[64])
{
	if (n > 48) {
		n = 48;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	}
	return out;
}
