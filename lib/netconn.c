/*
 * /proc/net parsing and socket owners (canh/netconn.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/crypto.h"
#include "canh/mem.h"
#include "canh/netconn.h"

#define MAX_PROC_NET (64u * 1024 * 1024) /* /proc/net/tcp of a very busy host */
#define MAX_PIDS 65536
#define MAX_FDS_TOTAL 4000000
#define MAX_LIST_FILE (64u * 1024 * 1024)
#define MAX_TOKENS 12
#define DIAG_BUF 65536

void canh_netconn_set_init(struct canh_netconn_set *s)
{
	memset(s, 0, sizeof(*s));
}

void canh_netconn_set_clear(struct canh_netconn_set *s)
{
	s->n = 0;
	s->dropped = 0;
	s->bad_lines = 0;
	s->pids_scanned = 0;
	s->fds_scanned = 0;
	s->scan_capped = 0;
}

void canh_netconn_set_release(struct canh_netconn_set *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->buf);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

const char *canh_netconn_proto_name(int proto)
{
	return proto == CANH_NETCONN_UDP ? "udp" : "tcp";
}

/* Exactly n (<= 8) hex digits. */
static int parse_hex(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = canh_hexval(s[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * "0100007F:0016", or 32 hex digits ":" port. The kernel prints each 32-bit
 * word of the address as a native integer (%08X of the in-memory word), so
 * copying the parsed word back into memory gives the bytes in network order.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4.
 */
static int parse_endpoint(const char *s, size_t n, int v6, struct canh_ipaddr *a, uint16_t *port)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	size_t alen = v6 ? 32 : 8;
	uint32_t w, p;

	if (n != alen + 5 || s[alen] != ':')
		return -1;
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < alen / 8; i++) {
		if (parse_hex(s + 8 * i, 8, &w) != 0)
			return -1;
		memcpy(a->bytes + 4 * i, &w, 4);
	}
	if (parse_hex(s + alen + 1, 4, &p) != 0)
		return -1;
	a->family = v6 ? 6 : 4;
	if (v6 && memcmp(a->bytes, mapped, 12) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = 4;
	}
	*port = (uint16_t)p;
	return 0;
}

static struct canh_netconn *push(struct canh_netconn_set *s)
{
	size_t max = s->max ? s->max : CANH_NETCONN_MAX_DEFAULT;

	if (s->n >= max) {
		s->dropped++;
		return NULL;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		if (ncap > max)
			ncap = max;
		s->v = canh_xrealloc(s->v, ncap * sizeof(*s->v));
		s->cap = ncap;
	}
	return &s->v[s->n++];
}

void canh_netconn_parse(struct canh_netconn_set *s, const char *text, size_t len, int proto, int v6)
{
	const char *nl0 = memchr(text, '\n', len);
	size_t pos = nl0 ? (size_t)(nl0 - text) + 1 : len;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *tok[MAX_TOKENS];
		size_t tl[MAX_TOKENS];
		int nt = 0;
		struct canh_netconn c;
		uint32_t st;
		uint64_t uid;

		pos += n + (nl ? 1 : 0);
		for (size_t i = 0; i < n && nt < MAX_TOKENS;) {
			while (i < n && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i >= n)
				break;
			tok[nt] = line + i;
			while (i < n && line[i] != ' ' && line[i] != '\t')
				i++;
			tl[nt] = (size_t)(line + i - tok[nt]);
			nt++;
		}
		if (nt == 0)
			continue; /* blank line */
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		memset(&c, 0, sizeof(c));
		if (nt < 10 || parse_endpoint(tok[1], tl[1], v6, &c.local, &c.lport) != 0 ||
		    parse_endpoint(tok[2], tl[2], v6, &c.remote, &c.rport) != 0 || tl[3] != 2 ||
		    parse_hex(tok[3], 2, &st) != 0 || parse_u64(tok[7], tl[7], &uid) != 0 ||
		    uid > UINT32_MAX || parse_u64(tok[9], tl[9], &c.inode) != 0) {
			s->bad_lines++;
			continue;
		}
		c.proto = proto == CANH_NETCONN_UDP ? CANH_NETCONN_UDP : CANH_NETCONN_TCP;
		c.state = (uint8_t)st;
		c.uid = (uint32_t)uid;
		c.v6 = v6 != 0;
		struct canh_netconn *slot = push(s);
		if (slot)
			*slot = c;
	}
}

/* Read a file whose size is not known in advance (/proc) into *buf (of *bufcap bytes, grown up to
   max + 1); errno or 0, EFBIG when cut at max. */
static int read_all(const char *path, size_t max, char **buf, size_t *bufcap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t n = 0;
	int e = 0;

	*len = 0;
	if (fd < 0)
		return errno;
	for (;;) {
		if (*bufcap - n < 4096) {
			size_t ncap = *bufcap ? *bufcap * 2 : 65536;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= *bufcap || n >= max) {
				e = EFBIG;
				break;
			}
			*buf = canh_xrealloc(*buf, ncap);
			*bufcap = ncap;
		}
		ssize_t r = read(fd, *buf + n, *bufcap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (*buf)
		(*buf)[n] = '\0';
	*len = n;
	return e;
}

/*
 * One NETLINK_SOCK_DIAG dump (inet_diag) of family/protocol into s: what
 * `ss` uses. The kernel answers from the same tables as /proc/net/tcp, but
 * without printing and re-seeking them for every read(), which on a host
 * with a large TCP hash costs milliseconds even with few sockets. Returns 0,
 * or -1 when the dump is not available (no inet_diag or udp_diag, a seccomp
 * filter...) and the caller falls back to the /proc file; a reply that does
 * not read ends the dump with what was read before it.
 */
static int diag_dump(struct canh_netconn_set *s, int family, int protocol)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char *buf;
	int fd, rc = -1, done = 0;
	size_t got = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)protocol;
	req.r.idiag_states = ~0u;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	buf = canh_xmalloc(DIAG_BUF);
	while (!done) {
		ssize_t n = recv(fd, buf, DIAG_BUF, 0);
		struct nlmsghdr *h;
		size_t left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		left = (size_t)n;
		for (h = (struct nlmsghdr *)(void *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const struct inet_diag_msg *m;
			struct canh_netconn c, *slot;
			size_t alen = family == AF_INET ? 4 : 16;

			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				rc = 0;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				/* the first answer an error: not supported here (fall back);
				   later: keep what was read */
				done = 1;
				rc = got ? 0 : -1;
				break;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			if (m->idiag_family != family)
				continue;
			got++;
			memset(&c, 0, sizeof(c));
			c.proto = protocol == IPPROTO_UDP ? CANH_NETCONN_UDP : CANH_NETCONN_TCP;
			c.state = m->idiag_state;
			c.lport = ntohs(m->id.idiag_sport);
			c.rport = ntohs(m->id.idiag_dport);
			c.local.family = c.remote.family = family == AF_INET ? 4 : 6;
			memcpy(c.local.bytes, m->id.idiag_src, alen);
			memcpy(c.remote.bytes, m->id.idiag_dst, alen);
			if (family == AF_INET6 && memcmp(c.local.bytes, mapped, 12) == 0) {
				memmove(c.local.bytes, c.local.bytes + 12, 4);
				memset(c.local.bytes + 4, 0, 12);
				c.local.family = 4;
			}
			if (family == AF_INET6 && memcmp(c.remote.bytes, mapped, 12) == 0) {
				memmove(c.remote.bytes, c.remote.bytes + 12, 4);
				memset(c.remote.bytes + 4, 0, 12);
				c.remote.family = 4;
			}
			c.uid = m->idiag_uid;
			c.inode = m->idiag_inode;
			c.v6 = family == AF_INET6;
			if ((slot = push(s)))
				*slot = c;
		}
	}
	free(buf);
	close(fd);
	return rc;
}

int canh_netconn_read(struct canh_netconn_set *s, const char *root, struct canh_errmsg *err)
{
	static const struct {
		const char *file;
		int proto, v6;
	} files[] = {
	    {"tcp", CANH_NETCONN_TCP, 0},
	    {"tcp6", CANH_NETCONN_TCP, 1},
	    {"udp", CANH_NETCONN_UDP, 0},
	    {"udp6", CANH_NETCONN_UDP, 1},
	};
	char path[PATH_MAX];
	int rc = 0;

	canh_netconn_set_clear(s);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len, before = s->n, dropped = s->dropped;
		int e;

		/* The live system: netlink first, the file when it is not available. */
		if (!root || !root[0]) {
			if (diag_dump(s, files[i].v6 ? AF_INET6 : AF_INET,
				      files[i].proto == CANH_NETCONN_UDP ? IPPROTO_UDP
									 : IPPROTO_TCP) == 0)
				continue;
			s->n = before;
			s->dropped = dropped;
		}

		snprintf(path, sizeof(path), "%s/proc/net/%s", root ? root : "", files[i].file);
		e = read_all(path, MAX_PROC_NET, &s->buf, &s->bufcap, &len);
		if (e == EFBIG) {
			/* Keep what was read: whole lines only. */
			while (len > 0 && s->buf[len - 1] != '\n')
				len--;
		} else if (e) {
			if (e == ENOENT && files[i].v6)
				continue;
			if (rc == 0)
				rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s", path,
						     strerror(e));
			continue;
		}
		canh_netconn_parse(s, s->buf, len, files[i].proto, files[i].v6);
	}
	return rc;
}

static size_t hash_inode(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* Build the inode hash over s->v (several sockets can share an inode only in
   broken input: the first is kept and the others are found by a linear probe). */
static void build_hash(struct canh_netconn_set *s)
{
	size_t need = 16;

	while (need < s->n * 2)
		need *= 2;
	if (s->hashcap < need) {
		free(s->hash);
		s->hash = canh_xcalloc(need, sizeof(*s->hash));
		s->hashcap = need;
	} else {
		memset(s->hash, 0, s->hashcap * sizeof(*s->hash));
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].inode == 0)
			continue;
		size_t h = hash_inode(s->v[i].inode) & (s->hashcap - 1);
		while (s->hash[h])
			h = (h + 1) & (s->hashcap - 1);
		s->hash[h] = i + 1;
	}
}

/* Returns how many sockets got their first owner. */
static size_t mark_owner(struct canh_netconn_set *s, uint64_t ino, int pid)
{
	size_t h = hash_inode(ino) & (s->hashcap - 1), first = 0;

	while (s->hash[h]) {
		struct canh_netconn *c = &s->v[s->hash[h] - 1];
		if (c->inode == ino && (c->pid == 0 || pid < c->pid)) {
			first += c->pid == 0;
			c->pid = pid;
		}
		h = (h + 1) & (s->hashcap - 1);
	}
	return first;
}

static int all_digits(const char *s, size_t max)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9' || i >= max)
			return 0;
	return i > 0;
}

void canh_netconn_owners(struct canh_netconn_set *s, const char *root)
{
	char procdir[PATH_MAX];
	struct dirent *e;
	size_t unowned = 0;
	DIR *d;
	int pfd, live = !root || !root[0];

	s->pids_scanned = s->fds_scanned = 0;
	s->scan_capped = 0;
	if (s->n == 0)
		return;
	build_hash(s);
	for (size_t i = 0; i < s->n; i++)
		unowned += s->v[i].inode != 0;
	snprintf(procdir, sizeof(procdir), "%s/proc", root ? root : "");
	d = opendir(procdir);
	if (!d)
		return;
	pfd = dirfd(d);
	/* /proc lists pids in increasing order: once every socket has an owner, the
	   processes left cannot make one's owner lower, and are not read. A test
	   tree is a plain directory in no order: read whole. */
	while ((unowned > 0 || !live) && (e = readdir(d))) {
		char fdpath[32];
		long pid;
		int dfd;
		DIR *fd;
		struct dirent *f;

		if (!all_digits(e->d_name, 10))
			continue;
		pid = strtol(e->d_name, NULL, 10);
		if (pid <= 0 || pid > INT32_MAX)
			continue;
		if (s->pids_scanned >= MAX_PIDS || s->fds_scanned >= MAX_FDS_TOTAL) {
			s->scan_capped = 1;
			break;
		}
		s->pids_scanned++;
		snprintf(fdpath, sizeof(fdpath), "%ld/fd", pid);
		dfd = openat(pfd, fdpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue; /* gone, or not ours to look at */
		fd = fdopendir(dfd);
		if (!fd) {
			close(dfd);
			continue;
		}
		while ((f = readdir(fd)) && s->fds_scanned < MAX_FDS_TOTAL) {
			char target[64];
			uint64_t ino;
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			s->fds_scanned++;
			n = readlinkat(dirfd(fd), f->d_name, target, sizeof(target) - 1);
			if (n < 10 || memcmp(target, "socket:[", 8) != 0 || target[n - 1] != ']')
				continue;
			if (parse_u64(target + 8, (size_t)n - 9, &ino) != 0 || ino == 0)
				continue;
			unowned -= mark_owner(s, ino, (int)pid);
		}
		closedir(fd);
	}
	closedir(d);
}

void canh_netconn_proc_info(const char *root, int pid, char *comm, size_t commlen, char *exe,
			    size_t exelen)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (commlen)
		comm[0] = '\0';
	if (exelen)
		exe[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "%s/proc/%d/comm", root ? root : "", pid);
	if (commlen > 1 && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, comm, commlen - 1);
		close(fd);
		if (n < 0)
			n = 0;
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
	}
	snprintf(path, sizeof(path), "%s/proc/%d/exe", root ? root : "", pid);
	if (exelen > 1) {
		n = readlink(path, exe, exelen - 1);
		if (n < 0)
			n = 0;
		exe[n] = '\0';
	}
}

/* The other spelling of a path across the /usr merge, or "" when it has none. */
static void merged_alias(const char *p, char *out, size_t len)
{
	static const char *const dirs[] = {"/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/"};

	out[0] = '\0';
	if (strncmp(p, "/usr/", 5) == 0) {
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			if (strncmp(p + 4, dirs[i], strlen(dirs[i])) == 0) {
				canh_strlcpy(out, p + 4, len);
				return;
			}
		return;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(p, dirs[i], strlen(dirs[i])) == 0) {
			snprintf(out, len, "/usr%s", p);
			return;
		}
}

/* Whether the line [l, l+n) equals path or its alias; the index of the match or -1. */
static long match_line(const char *l, size_t n, const char *const *paths, char (*alias)[PATH_MAX],
		       const size_t *lens, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		if (lens[2 * i] == n && memcmp(paths[i], l, n) == 0)
			return (long)i;
		if (lens[2 * i + 1] == n && n && memcmp(alias[i], l, n) == 0)
			return (long)i;
	}
	return -1;
}

int canh_netconn_dpkg_owners(const char *root, const char *const *paths, size_t n, char **owners)
{
	char dir[PATH_MAX];
	char(*alias)[PATH_MAX];
	size_t *lens, left = n, textcap = 0;
	struct dirent *e;
	char *text = NULL;
	DIR *d;

	for (size_t i = 0; i < n; i++)
		owners[i] = NULL;
	snprintf(dir, sizeof(dir), "%s/var/lib/dpkg/info", root ? root : "");
	d = opendir(dir);
	if (!d)
		return CANH_ENOENT;
	if (n == 0) {
		closedir(d);
		return 0;
	}
	alias = canh_xcalloc(n, sizeof(*alias));
	lens = canh_xcalloc(2 * n, sizeof(*lens));
	for (size_t i = 0; i < n; i++) {
		merged_alias(paths[i], alias[i], sizeof(alias[i]));
		lens[2 * i] = strlen(paths[i]);
		lens[2 * i + 1] = strlen(alias[i]);
	}
	while (left > 0 && (e = readdir(d))) {
		size_t nl = strlen(e->d_name), len, pos = 0;
		char path[PATH_MAX + 256];

		if (nl <= 5 || strcmp(e->d_name + nl - 5, ".list") != 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    read_all(path, MAX_LIST_FILE, &text, &textcap, &len) != 0)
			continue;
		while (pos < len && left > 0) {
			const char *l = text + pos;
			const char *nlp = memchr(l, '\n', len - pos);
			size_t ln = nlp ? (size_t)(nlp - l) : len - pos;
			long m = match_line(l, ln, paths, alias, lens, n);

			pos += ln + 1;
			if (m >= 0 && !owners[m]) {
				/* "pkg.list" or "pkg:arch.list" */
				size_t pl = nl - 5;
				const char *colon = memchr(e->d_name, ':', pl);
				if (colon)
					pl = (size_t)(colon - e->d_name);
				owners[m] = canh_xstrndup(e->d_name, pl);
				left--;
			}
		}
	}
	closedir(d);
	free(text);
	free(alias);
	free(lens);
	return 0;
}
