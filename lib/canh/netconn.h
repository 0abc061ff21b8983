/*
 * Network connections of this host from /proc/net/{tcp,tcp6,udp,udp6}, with
 * the process owning each socket (the agent's "flows", docs/protocol.md).
 *
 * Built to run every few seconds on a busy server: one netlink dump (or one
 * read of each file into a buffer kept between samples), one scan of /proc/[pid]/fd per sample with
 * an open-addressing hash of inode -> connection, no allocation per socket
 * once the arrays have grown. The parser takes the text as hostile (fuzzed by
 * fuzz/fuzz_netconn.c): a line that does not read is counted and skipped.
 *
 * Memory: a struct canh_netconn_set owns its arrays and buffer; release it
 * with canh_netconn_set_release. Strings handed out are copies the caller
 * owns where said.
 */
#ifndef CANH_NETCONN_H
#define CANH_NETCONN_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/ipaddr.h"

#define CANH_NETCONN_TCP 0
#define CANH_NETCONN_UDP 1

/* Kernel socket states as /proc/net prints them (include/net/tcp_states.h). */
#define CANH_NETCONN_ESTABLISHED 0x01
#define CANH_NETCONN_SYN_SENT 0x02
#define CANH_NETCONN_TIME_WAIT 0x06
#define CANH_NETCONN_CLOSE 0x07
#define CANH_NETCONN_LISTEN 0x0a

#define CANH_NETCONN_MAX_DEFAULT 262144 /* sockets kept per sample */

struct canh_netconn {
	uint8_t proto; /* CANH_NETCONN_TCP or _UDP */
	uint8_t state;
	uint16_t lport, rport;
	struct canh_ipaddr local, remote; /* IPv4-mapped IPv6 normalised to IPv4 */
	uint32_t uid;
	uint64_t inode; /* 0: no socket any more (TIME_WAIT) */
	int pid;	/* 0: unknown; the lowest pid when several share the socket */
	uint8_t v6;	/* from the IPv6 table (tcp6/udp6): local may be a mapped IPv4 */
};

struct canh_netconn_set {
	struct canh_netconn *v;
	size_t n, cap;
	size_t max;	  /* cap on n (0: CANH_NETCONN_MAX_DEFAULT) */
	size_t dropped;	  /* sockets over max */
	size_t bad_lines; /* lines that did not read */
	/* Kept between samples. */
	char *buf;
	size_t bufcap;
	size_t *hash; /* inode hash: index + 1, 0 empty */
	size_t hashcap;
	size_t pids_scanned, fds_scanned;
	int scan_capped; /* the /proc scan stopped at its cap */
};

void canh_netconn_set_init(struct canh_netconn_set *s);
/* Forget the sockets, keep the buffers. */
void canh_netconn_set_clear(struct canh_netconn_set *s);
void canh_netconn_set_release(struct canh_netconn_set *s);

/*
 * Parse the text of one /proc/net file (proto CANH_NETCONN_TCP/UDP, v6 for
 * the tcp6/udp6 layout) and append its sockets to s. The first line is the
 * header. Never fails: bad lines are counted in s->bad_lines.
 */
void canh_netconn_parse(struct canh_netconn_set *s, const char *text, size_t len, int proto,
			int v6);

/*
 * The sockets of the host into s (cleared first). On the real system (root
 * "" or NULL) each of TCP/UDP over IPv4/IPv6 comes from a NETLINK_SOCK_DIAG
 * dump (what `ss` uses: reading /proc/net/tcp walks the kernel's whole TCP
 * hash for every read() and costs milliseconds on an idle host), and from
 * root/proc/net/{tcp,tcp6,udp,udp6} when netlink is not available or root
 * is a test tree. A missing tcp6/udp6 (no IPv6) is not an error; CANH_EIO
 * when a file cannot be read, err saying which and why.
 */
int canh_netconn_read(struct canh_netconn_set *s, const char *root, struct canh_errmsg *err);

/*
 * Set the pid of every socket with an inode by one scan of root/proc/[pid]/fd
 * ("socket:[INODE]" links). Processes we may not look into are skipped. On
 * the real system the scan stops once every socket has an owner (/proc lists
 * pids in increasing order); a test tree is read whole.
 */
void canh_netconn_owners(struct canh_netconn_set *s, const char *root);

/*
 * The process name (root/proc/PID/comm) and executable path
 * (root/proc/PID/exe, " (deleted)" kept) of pid; either is "" when unknown.
 */
void canh_netconn_proc_info(const char *root, int pid, char *comm, size_t commlen, char *exe,
			    size_t exelen);

/*
 * The dpkg package owning each of paths[0..n-1], by one pass over
 * root/var/lib/dpkg/info/ *.list (a path under /usr also matches its
 * pre-merge form without /usr, and the other way round). owners[i] gets a
 * malloc'd package name the caller frees, or NULL when no list names it.
 * CANH_ENOENT when there is no dpkg database (ownership unknown).
 */
int canh_netconn_dpkg_owners(const char *root, const char *const *paths, size_t n, char **owners);

/* "tcp" or "udp". */
const char *canh_netconn_proto_name(int proto);

#endif
