/*
 * Host inventory collection (used by the agent; usable by local CLI commands).
 *
 * Produces the JSON object described in docs/protocol.md ("inventory"):
 * hostname, machine_id, os (from os-release), kernel, arch, interfaces
 * (getifaddrs), packages (dpkg status and, where the rpm binary exists,
 * `rpm -qa`), software (applications a package list misses, such as
 * Zimbra: lib/software.c; always sent, it is small), listening sockets
 * from /proc/net/{tcp,tcp6,udp,udp6} with the owning process found through
 * /proc/PID/fd. Every collector is bounded (file sizes, entry counts) and a
 * failing collector leaves its section empty with an entry in "errors",
 * never failing the whole inventory.
 */
#ifndef CANH_INVENTORY_H
#define CANH_INVENTORY_H

#include <jansson.h>

#include "canh/error.h"

struct canh_inventory_opts {
	const char *root; /* prefix for /etc, /proc, /var ("" or NULL = the real system; tests use a
			     fake tree) */
	const char *dpkg_status; /* default <root>/var/lib/dpkg/status */
	int skip_rpm;		 /* do not run rpm even if present */
};

/* Collect everything. Caller owns *out (json_decref). */
int canh_inventory_collect(const struct canh_inventory_opts *o, json_t **out,
			   struct canh_errmsg *err);

/* Sections that the agent re-sends only when they change. */
extern const char
    *const canh_inventory_sections[]; /* NULL-terminated: "interfaces", "packages", "listening" */

#endif
