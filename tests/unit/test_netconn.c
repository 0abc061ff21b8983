/*
 * Unit tests for lib/netconn.c: /proc/net files of tests/data/netconn (IPv4,
 * IPv6, IPv4-mapped IPv6, TIME_WAIT without an inode, bad lines), owners and
 * package owners in a fake root built by the test, and the live /proc with
 * a socket the test opens itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/netconn.h"

#define DATA CANH_TEST_DATA "/netconn"

static const struct canh_netconn *find(const struct canh_netconn_set *s, int proto,
				       const char *remote, int rport)
{
	struct canh_ipaddr a;

	assert_int_equal(canh_ip_parse(remote, &a), 0);
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].proto == proto && canh_ip_equal(&s->v[i].remote, &a) &&
		    s->v[i].rport == rport)
			return &s->v[i];
	return NULL;
}

static void ipstr(const struct canh_ipaddr *a, char *buf)
{
	canh_ip_format(a, buf, CANH_IPADDR_STRLEN);
}

static void test_parse_files(void **state)
{
	struct canh_netconn_set s;
	struct canh_errmsg err;
	const struct canh_netconn *c;
	char ip[CANH_IPADDR_STRLEN];

	(void)state;
	canh_netconn_set_init(&s);
	/* the data directory stands for root/proc/net: make a root around it */
	char root[] = "/tmp/canh-netconn-XXXXXX";
	assert_non_null(mkdtemp(root));
	char *proc = canh_xasprintf("%s/proc", root), *net = canh_xasprintf("%s/proc/net", root);
	assert_int_equal(mkdir(proc, 0700), 0);
	assert_int_equal(symlink(DATA, net), 0);
	assert_int_equal(canh_netconn_read(&s, root, &err), 0);

	/* tcp: 6 good lines and 2 bad; tcp6: 4; udp: 2; udp6: 1 */
	assert_int_equal(s.n, 13);
	assert_int_equal(s.bad_lines, 2);
	assert_int_equal(s.dropped, 0);

	c = find(&s, CANH_NETCONN_TCP, "203.0.113.9", 443);
	assert_non_null(c);
	ipstr(&c->local, ip);
	assert_string_equal(ip, "10.0.0.5");
	assert_int_equal(c->lport, 54321);
	assert_int_equal(c->state, CANH_NETCONN_ESTABLISHED);
	assert_int_equal(c->uid, 1000);
	assert_int_equal(c->inode, 22001);
	assert_int_equal(c->v6, 0); /* from tcp */

	c = find(&s, CANH_NETCONN_TCP, "203.0.113.9", 80);
	assert_non_null(c);
	assert_int_equal(c->state, CANH_NETCONN_TIME_WAIT);
	assert_int_equal(c->inode, 0);

	c = find(&s, CANH_NETCONN_TCP, "198.51.100.77", 4444);
	assert_non_null(c);
	assert_int_equal(c->state, CANH_NETCONN_SYN_SENT);

	/* IPv4-mapped IPv6 becomes IPv4, on both ends */
	c = find(&s, CANH_NETCONN_TCP, "198.51.100.20", 61000);
	assert_non_null(c);
	assert_int_equal(c->remote.family, 4);
	assert_int_equal(c->local.family, 4);
	assert_int_equal(c->v6, 1); /* from tcp6: still says so */
	ipstr(&c->local, ip);
	assert_string_equal(ip, "10.0.0.5");
	assert_int_equal(c->lport, 443);

	c = find(&s, CANH_NETCONN_TCP, "2001:db8:ffff::9", 8443);
	assert_non_null(c);
	assert_int_equal(c->remote.family, 6);
	ipstr(&c->local, ip);
	assert_string_equal(ip, "2001:db8::5");

	c = find(&s, CANH_NETCONN_UDP, "8.8.8.8", 53);
	assert_non_null(c);
	assert_int_equal(c->state, CANH_NETCONN_ESTABLISHED);
	c = find(&s, CANH_NETCONN_UDP, "2001:db8::53", 123);
	assert_non_null(c);
	assert_int_equal(c->inode, 43001);

	/* the cap: sockets over it are counted, not kept */
	s.max = 3;
	assert_int_equal(canh_netconn_read(&s, root, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.dropped, 10);

	unlink(net);
	rmdir(proc);
	rmdir(root);
	free(proc);
	free(net);
	canh_netconn_set_release(&s);
}

static void test_parse_hostile(void **state)
{
	static const char *const texts[] = {
	    "",
	    "header only",
	    "h\n",
	    "h\n\n\n",
	    "h\n 0: 0100007F:0016 00000000:0000 0A 0 0 0 0 0 0 1",	     /* uid "0", inode ok */
	    "h\n 0: 0100007F:0016 00000000:0000 0A 0 0 0 99999999999 0 1\n", /* uid too big */
	    "h\n 0: 0100007F:00160 00000000:0000 0A 0 0 0 0 0 1\n",	     /* port too long */
	    "h\n 0: 0100007F:0016 00000000:0000 A 0 0 0 0 0 1\n",	     /* state short */
	    "h\n 0: 0100007F:0016 00000000:0000 0A 0 0 0 0 0 -1\n",	     /* inode sign */
	};
	struct canh_netconn_set s;
	size_t good = 0;

	(void)state;
	canh_netconn_set_init(&s);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		canh_netconn_parse(&s, texts[i], strlen(texts[i]), CANH_NETCONN_TCP, 0);
	for (size_t i = 0; i < s.n; i++)
		good += s.v[i].lport == 22;
	assert_int_equal(s.n, 1); /* the one line without a newline at the end */
	assert_int_equal(good, 1);
	assert_int_equal(s.bad_lines, 4);
	/* a v4 line read as v6 does not parse */
	canh_netconn_set_clear(&s);
	canh_netconn_parse(&s, texts[4], strlen(texts[4]), CANH_NETCONN_TCP, 1);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.bad_lines, 1);
	canh_netconn_set_release(&s);
}

/* A fake root: a process 4242 holding socket 22001, and dpkg lists. */
static void test_owners_fake_root(void **state)
{
	char root[] = "/tmp/canh-netconn-XXXXXX";
	struct canh_netconn_set s;
	char comm[64], exe[PATH_MAX], *p;
	struct canh_errmsg err;

	(void)state;
	assert_non_null(mkdtemp(root));
	p = canh_xasprintf("%s/proc/4242/fd", root);
	assert_int_equal(canh_mkdir_p(p, 0700, &err), 0);
	free(p);
	p = canh_xasprintf("%s/proc/4242/fd/3", root);
	assert_int_equal(symlink("socket:[22001]", p), 0);
	free(p);
	p = canh_xasprintf("%s/proc/4242/fd/4", root);
	assert_int_equal(symlink("/dev/null", p), 0);
	free(p);
	p = canh_xasprintf("%s/proc/4242/exe", root);
	assert_int_equal(symlink("/usr/bin/curl", p), 0);
	free(p);
	p = canh_xasprintf("%s/proc/4242/comm", root);
	assert_int_equal(canh_file_write_atomic(p, "curl\n", 5, 0600, &err), 0);
	free(p);
	p = canh_xasprintf("%s/proc/net", root);
	assert_int_equal(symlink(DATA, p), 0);
	free(p);

	canh_netconn_set_init(&s);
	assert_int_equal(canh_netconn_read(&s, root, &err), 0);
	canh_netconn_owners(&s, root);
	assert_int_equal(s.pids_scanned, 1);
	assert_int_equal(s.fds_scanned, 2);
	const struct canh_netconn *c = find(&s, CANH_NETCONN_TCP, "203.0.113.9", 443);
	assert_non_null(c);
	assert_int_equal(c->pid, 4242);
	c = find(&s, CANH_NETCONN_TCP, "198.51.100.77", 4444);
	assert_int_equal(c->pid, 0);
	canh_netconn_proc_info(root, 4242, comm, sizeof(comm), exe, sizeof(exe));
	assert_string_equal(comm, "curl");
	assert_string_equal(exe, "/usr/bin/curl");
	canh_netconn_proc_info(root, 4243, comm, sizeof(comm), exe, sizeof(exe));
	assert_string_equal(comm, "");
	assert_string_equal(exe, "");

	/* a tree lists pids in no particular order: each is read, the lowest owner wins
	   even once the one socket has an owner */
	for (int i = 0; i < 61; i++) {
		int pid = 100 + (i * 37) % 61;
		p = canh_xasprintf("%s/proc/%d/fd", root, pid);
		assert_int_equal(canh_mkdir_p(p, 0700, &err), 0);
		free(p);
		p = canh_xasprintf("%s/proc/%d/fd/3", root, pid);
		assert_int_equal(symlink("socket:[22001]", p), 0);
		free(p);
	}
	c = find(&s, CANH_NETCONN_TCP, "203.0.113.9", 443);
	s.v[0] = *c;
	s.v[0].pid = 0;
	s.n = 1;
	canh_netconn_owners(&s, root);
	assert_int_equal(s.v[0].pid, 100);
	assert_int_equal(s.pids_scanned, 62);
	canh_netconn_set_release(&s);

	/* package owners: no dpkg database yet */
	const char *paths[] = {"/usr/bin/curl", "/usr/bin/cat", "/tmp/.x/beacon", "/sbin/ip"};
	char *owners[4];
	assert_int_equal(canh_netconn_dpkg_owners(root, paths, 4, owners), CANH_ENOENT);
	p = canh_xasprintf("%s/var/lib/dpkg/info", root);
	assert_int_equal(canh_mkdir_p(p, 0700, &err), 0);
	free(p);
	p = canh_xasprintf("%s/var/lib/dpkg/info/curl.list", root);
	assert_int_equal(
	    canh_file_write_atomic(p, "/.\n/usr\n/usr/bin\n/usr/bin/curl\n", 31, 0600, &err), 0);
	free(p);
	/* pre-merge paths, an architecture qualifier, and no newline at the end */
	p = canh_xasprintf("%s/var/lib/dpkg/info/coreutils:amd64.list", root);
	assert_int_equal(canh_file_write_atomic(p, "/bin\n/bin/cat", 13, 0600, &err), 0);
	free(p);
	p = canh_xasprintf("%s/var/lib/dpkg/info/iproute2.list", root);
	assert_int_equal(canh_file_write_atomic(p, "/usr/sbin/ip\n", 13, 0600, &err), 0);
	free(p);
	p = canh_xasprintf("%s/var/lib/dpkg/info/curl.md5sums", root);
	assert_int_equal(canh_file_write_atomic(p, "/tmp/.x/beacon\n", 15, 0600, &err), 0);
	free(p);
	assert_int_equal(canh_netconn_dpkg_owners(root, paths, 4, owners), 0);
	assert_string_equal(owners[0], "curl");
	assert_string_equal(owners[1], "coreutils");
	assert_null(owners[2]);
	assert_string_equal(owners[3], "iproute2");
	for (int i = 0; i < 4; i++)
		free(owners[i]);

	p = canh_xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
	free(p);
}

/* The real /proc: a connection of our own to a listener of our own. */
static void test_live_self(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	struct canh_netconn_set s;
	struct canh_errmsg err;
	char comm[64], exe[PATH_MAX], self[PATH_MAX];
	int lfd, cfd, afd, found = 0;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);

	canh_netconn_set_init(&s);
	assert_int_equal(canh_netconn_read(&s, NULL, &err), 0);
	canh_netconn_owners(&s, NULL);
	for (size_t i = 0; i < s.n; i++) {
		const struct canh_netconn *c = &s.v[i];
		if (c->proto == CANH_NETCONN_TCP && c->rport == ntohs(sa.sin_port) &&
		    c->state == CANH_NETCONN_ESTABLISHED) {
			assert_int_equal(c->pid, getpid());
			assert_int_equal(c->remote.family, 4);
			assert_int_equal(c->remote.bytes[0], 127);
			found++;
		}
	}
	assert_int_equal(found, 1);
	/* the /proc/net files say the same as netlink (root "/" reads the files) */
	struct canh_netconn_set f;
	canh_netconn_set_init(&f);
	assert_int_equal(canh_netconn_read(&f, "/", &err), 0);
	canh_netconn_owners(&f, "/");
	found = 0;
	for (size_t i = 0; i < f.n; i++) {
		const struct canh_netconn *c = &f.v[i];
		if (c->proto == CANH_NETCONN_TCP && c->rport == ntohs(sa.sin_port) &&
		    c->state == CANH_NETCONN_ESTABLISHED) {
			assert_int_equal(c->pid, getpid());
			for (size_t k = 0; k < s.n; k++)
				if (s.v[k].inode == c->inode) {
					assert_int_equal(s.v[k].lport, c->lport);
					assert_true(canh_ip_equal(&s.v[k].local, &c->local));
					assert_int_equal(s.v[k].uid, c->uid);
					found++;
				}
		}
	}
	assert_int_equal(found, 1);
	canh_netconn_set_release(&f);
	canh_netconn_proc_info(NULL, getpid(), comm, sizeof(comm), exe, sizeof(exe));
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_string_equal(exe, self);
	assert_true(strlen(comm) > 0);
	assert_int_equal(strncmp(comm, "test_netconn", strlen(comm)), 0);
	canh_netconn_set_release(&s);
	close(afd);
	close(cfd);
	close(lfd);
}

/* IPv6 and IPv4-mapped IPv6 connections through netlink and through the files. */
static void test_live_v6(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	socklen_t sl = sizeof(sa);
	int lfd, c6, cm, a6, am, v6only = 0;

	(void)state;
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0)
		skip(); /* no IPv6 in this kernel */
	assert_int_equal(setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)), 0);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(lfd);
		skip();
	}
	assert_int_equal(listen(lfd, 2), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	sa.sin6_addr = in6addr_loopback;
	assert_int_equal(connect(c6, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cm = socket(AF_INET6, SOCK_STREAM, 0);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &sa.sin6_addr), 1);
	assert_int_equal(connect(cm, (struct sockaddr *)&sa, sizeof(sa)), 0);
	a6 = accept(lfd, NULL, NULL);
	am = accept(lfd, NULL, NULL);

	for (int pass = 0; pass < 2; pass++) {
		struct canh_netconn_set s;
		struct canh_errmsg err;
		int v6 = 0, mapped = 0;

		canh_netconn_set_init(&s);
		assert_int_equal(canh_netconn_read(&s, pass ? "/" : NULL, &err), 0);
		canh_netconn_owners(&s, pass ? "/" : NULL);
		for (size_t i = 0; i < s.n; i++) {
			const struct canh_netconn *c = &s.v[i];
			if (c->rport != ntohs(sa.sin6_port) || c->pid != getpid())
				continue;
			if (c->remote.family == 6 && c->remote.bytes[15] == 1)
				v6++;
			if (c->remote.family == 4 && c->remote.bytes[0] == 127 &&
			    c->local.family == 4 && c->v6)
				mapped++;
		}
		assert_int_equal(v6, 1);
		assert_int_equal(mapped, 1);
		canh_netconn_set_release(&s);
	}
	close(a6);
	close(am);
	close(c6);
	close(cm);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_files),	     cmocka_unit_test(test_parse_hostile),
	    cmocka_unit_test(test_owners_fake_root), cmocka_unit_test(test_live_self),
	    cmocka_unit_test(test_live_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
