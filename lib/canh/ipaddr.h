/*
 * IPv4 and IPv6 addresses and CIDR prefixes.
 *
 * Addresses are kept as 16 bytes; IPv4 uses the first 4 bytes with family 4.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is normalised to IPv4 when parsed, so one
 * host has one representation.
 */
#ifndef CANH_IPADDR_H
#define CANH_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct canh_ipaddr {
	uint8_t family; /* 4 or 6 */
	uint8_t bytes[16];
};

struct canh_cidr {
	struct canh_ipaddr addr; /* host bits cleared */
	uint8_t prefix;		 /* 0..32 or 0..128 */
};

#define CANH_IPADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define CANH_CIDR_STRLEN 50

/* Parse an address (NUL-terminated, no surrounding spaces). */
int canh_ip_parse(const char *s, struct canh_ipaddr *out);
/* Parse "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n"; a bare address is /32 or /128.
 * With strict, host bits set beyond the prefix are an error; otherwise they are cleared. */
int canh_cidr_parse(const char *s, bool strict, struct canh_cidr *out);
char *canh_ip_format(const struct canh_ipaddr *a, char *buf, size_t len);
char *canh_cidr_format(const struct canh_cidr *c, char *buf, size_t len);
bool canh_cidr_contains(const struct canh_cidr *c, const struct canh_ipaddr *a);
bool canh_ip_equal(const struct canh_ipaddr *a, const struct canh_ipaddr *b);
/* From a struct sockaddr_in / sockaddr_in6 (v4-mapped normalised). */
int canh_ip_from_sockaddr(const struct sockaddr *sa, struct canh_ipaddr *out);

#endif
