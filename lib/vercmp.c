/*
 * dpkg and rpm version ordering (see canh/vercmp.h).
 *
 * Both are ports of the tools' own loops onto (pointer, end) pairs: dpkg's
 * verrevcmp and parseversion (dpkg 1.21, lib/dpkg/version.c and
 * lib/dpkg/parsehelp.c) and rpm's rpmvercmp and rpmverCmp (rpm 4.15+,
 * rpmio/rpmvercmp.c). Nothing is copied or converted to a number except
 * the dpkg epoch, which dpkg itself bounds to INT_MAX.
 */
#include <limits.h>
#include <string.h>

#include "canh/vercmp.h"

static int is_digit(int c)
{
	return (unsigned)(c - '0') < 10;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* The end of s[0..len): len, or the first NUL byte. */
static const char *str_end(const char *s, size_t len)
{
	const char *nul = len ? memchr(s, '\0', len) : NULL;
	return nul ? nul : s + len;
}

/* ---- dpkg ---- */

/*
 * dpkg's order(): digits 0 (they are never compared here), letters their
 * code, `~` -1 (before the end of the string, which is 0), anything else
 * after all letters. dpkg passes a plain char, signed on amd64, so a byte
 * above 0x7f lands at 128..255.
 */
static const short order_tab[256] = {
    256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274,
    275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293,
    294, 295, 296, 297, 298, 299, 300, 301, 302, 303, 0,   0,	0,   0,	  0,   0,   0,	 0,   0,
    0,	 314, 315, 316, 317, 318, 319, 320, 65,	 66,  67,  68,	69,  70,  71,  72,  73,	 74,  75,
    76,	 77,  78,  79,	80,  81,  82,  83,  84,	 85,  86,  87,	88,  89,  90,  347, 348, 349, 350,
    351, 352, 97,  98,	99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 379, 380, 381, -1,  383, 128, 129, 130, 131, 132,
    133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151,
    152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,
    171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
    190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208,
    209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227,
    228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246,
    247, 248, 249, 250, 251, 252, 253, 254, 255,
};

static int order(char ch)
{
	return order_tab[(unsigned char)ch];
}

static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = a < ae ? order(*a) : 0;
			int bc = b < be ? order(*b) : 0;
			if (ac != bc)
				return ac < bc ? -1 : 1;
			/* Equal orders: neither is at its end (the end is 0, only a digit is too).
			 */
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a))
			return 1;
		if (b < be && is_digit(*b))
			return -1;
		if (first_diff)
			return sign(first_diff);
	}
	return 0;
}

const char *canh_dpkg_problem_text(enum canh_dpkg_problem p)
{
	switch (p) {
	case CANH_DPKG_OK:
		return "valid";
	case CANH_DPKG_ERR_EMPTY:
		return "version string is empty";
	case CANH_DPKG_ERR_SPACES:
		return "version string has embedded spaces";
	case CANH_DPKG_ERR_EPOCH_EMPTY:
		return "epoch in version is empty";
	case CANH_DPKG_ERR_EPOCH_NOT_NUMBER:
		return "epoch in version is not number";
	case CANH_DPKG_ERR_EPOCH_NEGATIVE:
		return "epoch in version is negative";
	case CANH_DPKG_ERR_EPOCH_TOO_BIG:
		return "epoch in version is too big";
	case CANH_DPKG_ERR_NOTHING_AFTER_COLON:
		return "nothing after colon in version number";
	case CANH_DPKG_ERR_REVISION_EMPTY:
		return "revision number is empty";
	case CANH_DPKG_ERR_VERSION_EMPTY:
		return "version number is empty";
	case CANH_DPKG_WARN_NOT_DIGIT:
		return "version number does not start with digit";
	case CANH_DPKG_WARN_BAD_CHAR_VERSION:
		return "invalid character in version number";
	case CANH_DPKG_WARN_BAD_CHAR_REVISION:
		return "invalid character in revision number";
	}
	return "unknown problem";
}

/*
 * The epoch as strtol(s, &end, 10) reads it in dpkg: leading white space,
 * an optional sign, decimal digits. Returns the problem, or CANH_DPKG_OK
 * with *epoch set.
 */
static enum canh_dpkg_problem parse_epoch(const char *p, const char *colon, unsigned *epoch)
{
	int neg = 0;
	while (p < colon && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
		p++;
	if (p < colon && (*p == '+' || *p == '-')) {
		neg = *p == '-';
		p++;
	}
	const char *digits = p;
	unsigned long long val = 0;
	int big = 0;
	while (p < colon && is_digit(*p)) {
		if (val > (unsigned long long)INT_MAX)
			big = 1;
		else
			val = val * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (p == digits)
		return CANH_DPKG_ERR_EPOCH_EMPTY;
	if (p != colon)
		return CANH_DPKG_ERR_EPOCH_NOT_NUMBER;
	if (neg && (val || big))
		return CANH_DPKG_ERR_EPOCH_NEGATIVE;
	if (big || val > (unsigned long long)INT_MAX)
		return CANH_DPKG_ERR_EPOCH_TOO_BIG;
	*epoch = (unsigned)val;
	return CANH_DPKG_OK;
}

/*
 * dpkg's parseversion. strict: stop at the first error as dpkg does;
 * otherwise split as far as possible (canh_vercmp_dpkg on bad input).
 */
static enum canh_dpkg_problem dpkg_split(const char *s, const char *end, int strict,
					 struct canh_dpkg_version *v)
{
	const char *p = s, *e, *q;
	enum canh_dpkg_problem pe;

	v->epoch = 0;
	v->upstream = v->revision = "";
	v->upstream_len = v->revision_len = 0;

	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return CANH_DPKG_ERR_EMPTY;
	for (e = p; e < end && !is_blank(*e); e++)
		;
	for (q = e; q < end && is_blank(*q); q++)
		;
	if (q < end) {
		if (strict)
			return CANH_DPKG_ERR_SPACES;
		/* Leniently, the whole string less the blanks around it. */
		for (e = end; is_blank(e[-1]); e--)
			;
	}

	const char *colon = memchr(p, ':', (size_t)(e - p));
	if (colon) {
		unsigned epoch = 0;
		pe = parse_epoch(p, colon, &epoch);
		/* dpkg looks past the trailing blanks here: "1: " has an empty version instead. */
		if (pe == CANH_DPKG_OK && colon + 1 == end)
			pe = CANH_DPKG_ERR_NOTHING_AFTER_COLON;
		if (pe != CANH_DPKG_OK && strict)
			return pe;
		if (pe == CANH_DPKG_OK) {
			v->epoch = epoch;
			p = colon + 1;
		}
	}

	const char *hyphen = memrchr(p, '-', (size_t)(e - p));
	if (hyphen) {
		v->upstream = p;
		v->upstream_len = (size_t)(hyphen - p);
		v->revision = hyphen + 1;
		v->revision_len = (size_t)(e - hyphen - 1);
		if (v->revision_len == 0)
			return CANH_DPKG_ERR_REVISION_EMPTY;
	} else {
		v->upstream = p;
		v->upstream_len = (size_t)(e - p);
	}
	if (v->upstream_len == 0)
		return CANH_DPKG_ERR_VERSION_EMPTY;

	/* Warnings: dpkg reports the first one found, in this order. */
	const char *u = v->upstream, *ue = u + v->upstream_len;
	if (!is_digit(*u))
		return CANH_DPKG_WARN_NOT_DIGIT;
	for (u++; u < ue; u++) {
		if (!is_digit(*u) && !is_alpha(*u) && !strchr(".-+~:", *u))
			return CANH_DPKG_WARN_BAD_CHAR_VERSION;
	}
	for (u = v->revision, ue = u + v->revision_len; u < ue; u++) {
		if (!is_digit(*u) && !is_alpha(*u) && !strchr(".+~", *u))
			return CANH_DPKG_WARN_BAD_CHAR_REVISION;
	}
	return CANH_DPKG_OK;
}

static int is_warning(enum canh_dpkg_problem p)
{
	return p >= CANH_DPKG_WARN_NOT_DIGIT;
}

int canh_vercmp_dpkg_parse(const char *s, size_t len, struct canh_dpkg_version *v,
			   enum canh_dpkg_problem *problem, struct canh_errmsg *err)
{
	struct canh_dpkg_version tmp;
	const char *end = str_end(s, len);
	enum canh_dpkg_problem p = dpkg_split(s, end, 1, v ? v : &tmp);
	if (problem)
		*problem = p;
	if (p == CANH_DPKG_OK)
		return 0;
	int n = end - s > 200 ? 200 : (int)(end - s);
	canh_errmsg_set(err, is_warning(p) ? 0 : CANH_EINVAL, "version '%.*s' has bad syntax: %s",
			n, s, canh_dpkg_problem_text(p));
	return is_warning(p) ? 1 : CANH_EINVAL;
}

int canh_vercmp_validate_dpkg(const char *s, struct canh_errmsg *err)
{
	return canh_vercmp_dpkg_parse(s, strlen(s), NULL, NULL, err);
}

int canh_vercmp_dpkg_parsed(const struct canh_dpkg_version *a, const struct canh_dpkg_version *b)
{
	if (a->epoch != b->epoch)
		return a->epoch > b->epoch ? 1 : -1;
	int rc = verrevcmp(a->upstream, a->upstream + a->upstream_len, b->upstream,
			   b->upstream + b->upstream_len);
	if (rc)
		return rc;
	return verrevcmp(a->revision, a->revision + a->revision_len, b->revision,
			 b->revision + b->revision_len);
}

/*
 * The common case with the C library's fast scans: no blank at either end,
 * an epoch of plain digits when there is a colon. Returns -1 for anything
 * else, which dpkg_split handles. s[0..len) holds no NUL.
 */
static int quick_split(const char *s, size_t len, struct canh_dpkg_version *v)
{
	const char *u = s, *end = s + len;
	if (len && (is_blank(s[0]) || is_blank(s[len - 1])))
		return -1;
	v->epoch = 0;
	const char *colon = memchr(s, ':', len);
	if (colon) {
		unsigned val = 0;
		if (colon == s || colon - s > 9 || colon + 1 == end)
			return -1; /* empty, possibly over INT_MAX, or nothing after it */
		for (const char *p = s; p < colon; p++) {
			if (!is_digit(*p))
				return -1;
			val = val * 10 + (unsigned)(*p - '0');
		}
		v->epoch = val;
		u = colon + 1;
	}
	const char *hyphen = memrchr(u, '-', (size_t)(end - u));
	v->upstream = u;
	if (hyphen) {
		v->upstream_len = (size_t)(hyphen - u);
		v->revision = hyphen + 1;
		v->revision_len = (size_t)(end - hyphen - 1);
	} else {
		v->upstream_len = (size_t)(end - u);
		v->revision = "";
		v->revision_len = 0;
	}
	return 0;
}

/* a[0..alen) and b[0..blen) hold no NUL. */
static int dpkg_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	struct canh_dpkg_version va, vb;

	/* Identical strings are equal whatever they hold. */
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	if (quick_split(a, alen, &va) != 0)
		(void)dpkg_split(a, a + alen, 0, &va);
	if (quick_split(b, blen, &vb) != 0)
		(void)dpkg_split(b, b + blen, 0, &vb);
	return canh_vercmp_dpkg_parsed(&va, &vb);
}

int canh_vercmp_dpkg_n(const char *a, size_t alen, const char *b, size_t blen)
{
	return dpkg_cmp(a, (size_t)(str_end(a, alen) - a), b, (size_t)(str_end(b, blen) - b));
}

int canh_vercmp_dpkg(const char *a, const char *b)
{
	return dpkg_cmp(a, strlen(a), b, strlen(b));
}

/* ---- rpm ---- */

static int is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

/* memcmp of two runs, then the longer wins: strcmp on runs that hold no NUL. */
static int run_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int rc = memcmp(a, b, an < bn ? an : bn);
	if (rc)
		return sign(rc);
	return an == bn ? 0 : (an > bn ? 1 : -1);
}

static int rpmvercmp(const char *one, const char *oe, const char *two, const char *te)
{
	/* rpm starts with strcmp for identical strings; the loop gives them 0 as well. */
	while (one < oe || two < te) {
		while (one < oe && !is_alnum(*one) && *one != '~' && *one != '^')
			one++;
		while (two < te && !is_alnum(*two) && *two != '~' && *two != '^')
			two++;

		int c1 = one < oe ? *one : 0, c2 = two < te ? *two : 0;

		/* `~` sorts before everything else, even the end. */
		if (c1 == '~' || c2 == '~') {
			if (c1 != '~')
				return 1;
			if (c2 != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* `^` sorts after the end of the other string but before anything else. */
		if (c1 == '^' || c2 == '^') {
			if (!c1)
				return -1;
			if (!c2)
				return 1;
			if (c1 != '^')
				return 1;
			if (c2 != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(c1 && c2))
			break;

		const char *s1 = one, *s2 = two;
		int isnum;
		if (is_digit(*s1)) {
			while (s1 < oe && is_digit(*s1))
				s1++;
			while (s2 < te && is_digit(*s2))
				s2++;
			isnum = 1;
		} else {
			while (s1 < oe && is_alpha(*s1))
				s1++;
			while (s2 < te && is_alpha(*s2))
				s2++;
			isnum = 0;
		}
		/* A numeric segment is newer than an alphabetic one. */
		if (two == s2)
			return isnum ? 1 : -1;
		if (isnum) {
			while (one < s1 && *one == '0')
				one++;
			while (two < s2 && *two == '0')
				two++;
			size_t n1 = (size_t)(s1 - one), n2 = (size_t)(s2 - two);
			if (n1 != n2)
				return n1 > n2 ? 1 : -1;
		}
		int rc = run_cmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		if (rc)
			return rc;
		one = s1;
		two = s2;
	}
	if (one >= oe && two >= te)
		return 0;
	return one >= oe ? -1 : 1;
}

int canh_vercmp_rpm_n(const char *a, size_t alen, const char *b, size_t blen)
{
	return rpmvercmp(a, str_end(a, alen), b, str_end(b, blen));
}

int canh_vercmp_rpm(const char *a, const char *b)
{
	return rpmvercmp(a, a + strlen(a), b, b + strlen(b));
}

struct evr {
	const char *e, *ee; /* NULL when there is no epoch */
	const char *v, *ve;
	const char *r, *re; /* NULL when there is no release */
};

/* rpm's parseEVR: digits then ':' make the epoch, the last '-' starts the release. */
static void evr_split(const char *s, const char *end, struct evr *x)
{
	size_t n = (size_t)(end - s), i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	const char *p = s + i;
	const char *se = memrchr(p, '-', n - i);
	if (p < end && *p == ':') {
		x->e = s;
		x->ee = p;
		if (x->e == x->ee) {
			x->e = "0";
			x->ee = x->e + 1;
		}
		x->v = p + 1;
	} else {
		x->e = x->ee = NULL;
		x->v = s;
	}
	if (se) {
		x->ve = se;
		x->r = se + 1;
		x->re = end;
	} else {
		x->ve = end;
		x->r = x->re = NULL;
	}
}

static int rpm_evr_cmp(const char *a, const char *ae, const char *b, const char *be)
{
	static const char zero[] = "0";
	struct evr x, y;
	if (ae - a == be - b && memcmp(a, b, (size_t)(ae - a)) == 0)
		return 0;
	evr_split(a, ae, &x);
	evr_split(b, be, &y);
	if (!x.e) {
		x.e = zero;
		x.ee = zero + 1;
	}
	if (!y.e) {
		y.e = zero;
		y.ee = zero + 1;
	}
	int rc = rpmvercmp(x.e, x.ee, y.e, y.ee);
	if (!rc)
		rc = rpmvercmp(x.v, x.ve, y.v, y.ve);
	if (!rc && x.r && y.r)
		rc = rpmvercmp(x.r, x.re, y.r, y.re);
	return rc;
}

int canh_vercmp_rpm_evr_n(const char *a, size_t alen, const char *b, size_t blen)
{
	return rpm_evr_cmp(a, str_end(a, alen), b, str_end(b, blen));
}

int canh_vercmp_rpm_evr(const char *a, const char *b)
{
	return rpm_evr_cmp(a, a + strlen(a), b, b + strlen(b));
}

int canh_vercmp_n(enum canh_vercmp_scheme scheme, const char *a, size_t alen, const char *b,
		  size_t blen)
{
	if (scheme == CANH_VERCMP_RPM)
		return canh_vercmp_rpm_evr_n(a, alen, b, blen);
	return canh_vercmp_dpkg_n(a, alen, b, blen);
}

int canh_vercmp(enum canh_vercmp_scheme scheme, const char *a, const char *b)
{
	return canh_vercmp_n(scheme, a, strlen(a), b, strlen(b));
}
