/*
 * IPv4 and IPv6 addresses and CIDR prefixes, parsed strictly.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "canh/error.h"
#include "canh/ipaddr.h"

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_v4mapped(const uint8_t b[16])
{
	return memcmp(b, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

static void set_v4(struct canh_ipaddr *out, const uint8_t b[4])
{
	memset(out, 0, sizeof(*out));
	out->family = 4;
	memcpy(out->bytes, b, 4);
}

static void set_v6(struct canh_ipaddr *out, const uint8_t b[16])
{
	memset(out, 0, sizeof(*out));
	if (is_v4mapped(b)) {
		set_v4(out, b + 12);
		return;
	}
	out->family = 6;
	memcpy(out->bytes, b, 16);
}

/*
 * Dotted quad with exactly four decimal octets, no leading zeros (so that
 * "010.0.0.1" cannot mean 8.0.0.1 to one reader and 10.0.0.1 to another).
 */
static bool v4_strict(const char *s)
{
	int parts = 0;
	const char *p = s;
	for (;;) {
		int nd = 0, v = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p - '0');
			p++;
			if (++nd > 3)
				return false;
		}
		if (nd == 0 || v > 255 || (nd > 1 && *start == '0'))
			return false;
		parts++;
		if (*p == '\0')
			return parts == 4;
		if (*p != '.' || parts == 4)
			return false;
		p++;
	}
}

/* The dotted quad at the end of an IPv6 literal ("::ffff:1.2.3.4"), if any. */
static bool v6_tail_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon || !strchr(colon, '.'))
		return true;
	return v4_strict(colon + 1);
}

/* Parse an address (the raw family before normalisation in *mapped). */
static int parse_addr(const char *s, struct canh_ipaddr *out, bool *mapped)
{
	uint8_t b[16];

	*mapped = false;
	if (!s || !*s)
		return CANH_EPARSE;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		      c == '.' || c == ':'))
			return CANH_EPARSE;
	}
	if (strchr(s, ':')) {
		if (!v6_tail_ok(s) || inet_pton(AF_INET6, s, b) != 1)
			return CANH_EPARSE;
		*mapped = is_v4mapped(b);
		set_v6(out, b);
		return 0;
	}
	if (!v4_strict(s) || inet_pton(AF_INET, s, b) != 1)
		return CANH_EPARSE;
	set_v4(out, b);
	return 0;
}

int canh_ip_parse(const char *s, struct canh_ipaddr *out)
{
	bool mapped;
	if (!out)
		return CANH_EINVAL;
	return parse_addr(s, out, &mapped);
}

static unsigned addr_bits(const struct canh_ipaddr *a)
{
	return a->family == 4 ? 32 : 128;
}

/* Is any bit at or after `prefix` set? */
static bool host_bits_set(const struct canh_ipaddr *a, unsigned prefix)
{
	unsigned nbytes = addr_bits(a) / 8;
	for (unsigned i = prefix / 8; i < nbytes; i++) {
		uint8_t mask = i == prefix / 8 ? (uint8_t)(0xffu >> (prefix % 8)) : 0xff;
		if (a->bytes[i] & mask)
			return true;
	}
	return false;
}

static void clear_host_bits(struct canh_ipaddr *a, unsigned prefix)
{
	unsigned nbytes = addr_bits(a) / 8;
	for (unsigned i = prefix / 8; i < nbytes; i++) {
		uint8_t mask = i == prefix / 8 ? (uint8_t)(0xffu >> (prefix % 8)) : 0xff;
		a->bytes[i] &= (uint8_t)~mask;
	}
}

int canh_cidr_parse(const char *s, bool strict, struct canh_cidr *out)
{
	char addr[CANH_IPADDR_STRLEN];
	struct canh_cidr c;
	bool mapped;
	unsigned prefix;
	int rc;

	if (!s || !out)
		return CANH_EINVAL;
	memset(&c, 0, sizeof(c));
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(addr))
		return CANH_EPARSE;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if ((rc = parse_addr(addr, &c.addr, &mapped)) != 0)
		return rc;

	if (!slash) {
		c.prefix = (uint8_t)addr_bits(&c.addr);
		*out = c;
		return 0;
	}
	/* Prefix: 1 to 3 decimal digits, no sign, no leading zero. */
	const char *p = slash + 1;
	size_t nd = strlen(p);
	if (nd == 0 || nd > 3 || (nd > 1 && p[0] == '0'))
		return CANH_EPARSE;
	prefix = 0;
	for (size_t i = 0; i < nd; i++) {
		if (p[i] < '0' || p[i] > '9')
			return CANH_EPARSE;
		prefix = prefix * 10 + (unsigned)(p[i] - '0');
	}
	if (mapped) {
		/* The prefix was written for the IPv6 form. */
		if (prefix > 128)
			return CANH_ERANGE;
		if (prefix >= 96) {
			prefix -= 96;
		} else {
			/* Wider than ::ffff:0:0/96 has no IPv4 form: keep it IPv6. */
			uint8_t b[16];
			memcpy(b, v4mapped_prefix, 12);
			memcpy(b + 12, c.addr.bytes, 4);
			memset(&c.addr, 0, sizeof(c.addr));
			c.addr.family = 6;
			memcpy(c.addr.bytes, b, 16);
		}
	}
	if (prefix > addr_bits(&c.addr))
		return CANH_ERANGE;
	if (host_bits_set(&c.addr, prefix)) {
		if (strict)
			return CANH_EINVAL;
		clear_host_bits(&c.addr, prefix);
	}
	c.prefix = (uint8_t)prefix;
	*out = c;
	return 0;
}

char *canh_ip_format(const struct canh_ipaddr *a, char *buf, size_t len)
{
	char tmp[CANH_IPADDR_STRLEN];
	const char *r = NULL;

	if (!buf || len == 0)
		return buf;
	if (a->family == 4)
		r = inet_ntop(AF_INET, a->bytes, tmp, sizeof(tmp));
	else if (a->family == 6)
		r = inet_ntop(AF_INET6, a->bytes, tmp, sizeof(tmp));
	snprintf(buf, len, "%s", r ? tmp : "?");
	return buf;
}

char *canh_cidr_format(const struct canh_cidr *c, char *buf, size_t len)
{
	char tmp[CANH_IPADDR_STRLEN];
	if (!buf || len == 0)
		return buf;
	canh_ip_format(&c->addr, tmp, sizeof(tmp));
	snprintf(buf, len, "%s/%u", tmp, (unsigned)c->prefix);
	return buf;
}

bool canh_cidr_contains(const struct canh_cidr *c, const struct canh_ipaddr *a)
{
	if (c->addr.family != a->family || c->prefix > addr_bits(a))
		return false;
	unsigned full = c->prefix / 8, rem = c->prefix % 8;
	if (memcmp(c->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rem);
	return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

bool canh_ip_equal(const struct canh_ipaddr *a, const struct canh_ipaddr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, addr_bits(a) / 8) == 0;
}

int canh_ip_from_sockaddr(const struct sockaddr *sa, struct canh_ipaddr *out)
{
	if (!sa || !out)
		return CANH_EINVAL;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;
		memcpy(&sin, sa, sizeof(sin));
		set_v4(out, (const uint8_t *)&sin.sin_addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa, sizeof(sin6));
		set_v6(out, sin6.sin6_addr.s6_addr);
		return 0;
	}
	return CANH_EINVAL;
}
