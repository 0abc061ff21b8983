/*
 * Fuzz harness for the /proc/net parser (lib/netconn.c). The first byte
 * chooses the layout (tcp/udp, IPv4/IPv6) and a small cap so the cap path is
 * reached; the rest is the file. Every socket kept must have a valid family,
 * IPv4-mapped addresses must be normalised, and the counts must add up.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/netconn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct canh_netconn_set s;
	size_t lines = 0;

	if (size == 0)
		return 0;
	canh_netconn_set_init(&s);
	if (data[0] & 4)
		s.max = 1 + ((data[0] >> 3) & 7);
	canh_netconn_parse(&s, (const char *)data + 1, size - 1, data[0] & 1, (data[0] >> 1) & 1);
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n';
	if (s.n + s.dropped + s.bad_lines > lines + 1)
		abort();
	if (s.max && s.n > s.max)
		abort();
	for (size_t i = 0; i < s.n; i++) {
		const struct canh_netconn *c = &s.v[i];
		if (c->local.family != 4 && c->local.family != 6)
			abort();
		if (c->remote.family == 6 && memcmp(c->remote.bytes, mapped, 12) == 0)
			abort();
		if (c->proto != CANH_NETCONN_TCP && c->proto != CANH_NETCONN_UDP)
			abort();
	}
	canh_netconn_set_release(&s);
	return 0;
}
