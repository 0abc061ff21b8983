/*
 * Host inventory (see canh/inventory.h and docs/protocol.md, "inventory").
 *
 * Every collector reads through `root` (a fake tree in tests), caps what it
 * reads, and on failure adds a line to "errors" instead of failing the whole
 * inventory. Everything that came from the system goes through jstr(), which
 * replaces invalid UTF-8 (a process name, a hostname...) so the JSON is always
 * valid. Arrays are sorted, so an unchanged host gives byte-identical
 * canonical JSON and the agent's change detection does not see noise.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "canh/crypto.h"
#include "canh/dpkg.h"
#include "canh/inventory.h"
#include "canh/utf8.h"
#include "canh/mem.h"
#include "canh/netconn.h"
#include "canh/software.h"
#include "canh/time.h"

#define MAX_STR 1024 /* the server's cap on any string */
#define MAX_HOSTNAME 255
#define MAX_PACKAGES 100000
#define MAX_INTERFACES 4096
#define MAX_ADDRESSES 1024
#define MAX_LISTENING 16384
#define MAX_ERRORS 200
#define MAX_SMALL_FILE (64u * 1024)	 /* os-release, machine-id, comm... */
#define MAX_PROC_NET (64u * 1024 * 1024) /* /proc/net/tcp of a busy host */
#define MAX_RPM_OUTPUT (64u * 1024 * 1024)
#define RPM_TIMEOUT_MS 120000
#define MAX_PIDS 200000
#define MAX_FDS_TOTAL 4000000 /* readlink calls in one socket-owner scan */

const char *const canh_inventory_sections[] = {"interfaces", "packages", "listening", NULL};

struct inv {
	const char *root; /* "" for the real system */
	json_t *errors;
};

static void add_error(struct inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- strings ---- */

/* A JSON string of at most max bytes; invalid UTF-8 and NUL bytes become '?'. */
static json_t *jstrn(const char *s, size_t n, size_t max)
{
	char buf[MAX_STR + 1];
	size_t o = 0, i = 0;

	if (max > MAX_STR)
		max = MAX_STR;
	while (i < n && o < max) {
		size_t l = s[i] ? canh_utf8_decode(s + i, n - i, NULL) : 0;
		if (l == 0) {
			buf[o++] = '?';
			i++;
			continue;
		}
		if (o + l > max)
			break;
		memcpy(buf + o, s + i, l);
		o += l;
		i += l;
	}
	json_t *j = json_stringn(buf, o);
	if (!j)
		abort(); /* only on allocation failure, like canh_xmalloc */
	return j;
}

static json_t *jstr(const char *s)
{
	return jstrn(s, strlen(s), MAX_STR);
}

static json_t *jint(json_int_t i)
{
	json_t *j = json_integer(i);
	if (!j)
		abort();
	return j;
}

static void set(json_t *obj, const char *key, json_t *val)
{
	if (json_object_set_new(obj, key, val) != 0)
		abort();
}

static void push(json_t *arr, json_t *val)
{
	if (json_array_append_new(arr, val) != 0)
		abort();
}

static json_t *jobj(void)
{
	json_t *j = json_object();
	if (!j)
		abort();
	return j;
}

static json_t *jarr(void)
{
	json_t *j = json_array();
	if (!j)
		abort();
	return j;
}

static void add_error(struct inv *v, const char *fmt, ...)
{
	char msg[MAX_STR];
	va_list ap;

	if (json_array_size(v->errors) >= MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	push(v->errors, jstr(msg));
}

/* ---- files ---- */

static char *rpath(const struct inv *v, const char *path)
{
	return canh_xasprintf("%s%s", v->root, path);
}

/*
 * Read a whole file, regular or not (/proc files report size 0), up to max
 * bytes; NUL-terminated. Returns 0, or an errno value (EFBIG when over max).
 */
static int read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, e = 0;

	*out = NULL;
	*outlen = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	for (;;) {
		if (cap - len < 2) {
			size_t ncap = cap ? cap * 2 : 4096;
			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= cap) {
				e = EFBIG;
				break;
			}
			buf = canh_xrealloc(buf, ncap);
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			e = EFBIG;
			break;
		}
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	if (!buf)
		buf = canh_xmalloc(1);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* First line of a small file, trimmed, into buf; 0 or an errno value. */
static int read_line(const char *path, char *buf, size_t len)
{
	char *text;
	size_t n;
	int e = read_file(path, MAX_SMALL_FILE, &text, &n);

	buf[0] = '\0';
	if (e)
		return e;
	char *s = text;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t k = strcspn(s, "\r\n");
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k >= len)
		k = len - 1;
	memcpy(buf, s, k);
	buf[k] = '\0';
	free(text);
	return 0;
}

/* ---- identity: hostname, machine id, kernel, arch ---- */

static void collect_identity(struct inv *v, json_t *inv)
{
	char host[MAX_HOSTNAME + 1] = "", mid[MAX_STR + 1] = "";
	char *p;
	int e;

	if (*v->root) {
		p = rpath(v, "/proc/sys/kernel/hostname");
		read_line(p, host, sizeof(host));
		free(p);
	}
	if (!host[0] && gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (!host[0]) {
		add_error(v, "hostname: cannot determine the host name");
		canh_strlcpy(host, "unknown", sizeof(host));
	}
	set(inv, "hostname", jstrn(host, strlen(host), MAX_HOSTNAME));

	p = rpath(v, "/etc/machine-id");
	e = read_line(p, mid, sizeof(mid));
	if (e == ENOENT) {
		free(p);
		p = rpath(v, "/var/lib/dbus/machine-id");
		e = read_line(p, mid, sizeof(mid));
	}
	if (e)
		add_error(v, "machine_id: cannot read '%s': %s", p, strerror(e));
	free(p);
	set(inv, "machine_id", jstr(mid));
}

/* Kernel from uname, or from <root>/proc/sys/kernel when a fake root provides it. */
static void collect_kernel(struct inv *v, json_t *inv)
{
	char rel[MAX_STR] = "", ver[MAX_STR] = "";
	struct utsname u;
	int have_uname = uname(&u) == 0;
	char *p;

	if (*v->root) {
		p = rpath(v, "/proc/sys/kernel/osrelease");
		read_line(p, rel, sizeof(rel));
		free(p);
		p = rpath(v, "/proc/sys/kernel/version");
		read_line(p, ver, sizeof(ver));
		free(p);
	}
	if (!rel[0] && have_uname)
		canh_strlcpy(rel, u.release, sizeof(rel));
	if (!ver[0] && have_uname)
		canh_strlcpy(ver, u.version, sizeof(ver));
	if (!have_uname)
		add_error(v, "kernel: uname failed: %s", strerror(errno));
	json_t *k = jobj();
	set(k, "release", jstr(rel));
	set(k, "version", jstr(ver));
	set(inv, "kernel", k);
	set(inv, "arch", jstr(have_uname ? u.machine : ""));
}

/* ---- os-release ---- */

/*
 * One os-release value (shell-like, see os-release(5)): "double quoted" with
 * \" \\ \$ \` escapes, 'single quoted' literally, or unquoted with backslash
 * escapes; unquoted whitespace ends the value. Returns the length written to
 * out (at most cap - 1), or -1 for an unterminated quote or an overlong value.
 */
static long osr_value(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	char q = 0;

	while (i < n) {
		char c = s[i++];
		if (q == '\'') {
			if (c == '\'') {
				q = 0;
				continue;
			}
		} else if (q == '"') {
			if (c == '"') {
				q = 0;
				continue;
			}
			if (c == '\\' && i < n && strchr("\"\\$`", s[i]))
				c = s[i++];
		} else {
			if (c == '"' || c == '\'') {
				q = c;
				continue;
			}
			if (c == ' ' || c == '\t')
				break;
			if (c == '\\' && i < n)
				c = s[i++];
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	if (q)
		return -1;
	out[o] = '\0';
	return (long)o;
}

static void collect_os(struct inv *v, json_t *inv)
{
	static const struct {
		const char *var, *key;
	} keys[] = {
	    {"ID", "id"},
	    {"ID_LIKE", "id_like"},
	    {"NAME", "name"},
	    {"VERSION_ID", "version_id"},
	    {"VERSION_CODENAME", "version_codename"},
	    {"PRETTY_NAME", "pretty_name"},
	};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	char vals[NKEYS][MAX_STR + 1];
	char *text = NULL, *p;
	size_t len;
	int e;

	memset(vals, 0, sizeof(vals));
	p = rpath(v, "/etc/os-release");
	e = read_file(p, MAX_SMALL_FILE, &text, &len);
	if (e == ENOENT) {
		free(p);
		p = rpath(v, "/usr/lib/os-release");
		e = read_file(p, MAX_SMALL_FILE, &text, &len);
	}
	if (e) {
		add_error(v, "os: cannot read '%s': %s", p, strerror(e));
	} else {
		size_t pos = 0;
		unsigned lineno = 0;
		while (pos < len) {
			const char *line = text + pos;
			const char *nl = memchr(line, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - line) : len - pos;
			pos += n + (nl ? 1 : 0);
			lineno++;
			while (n > 0 && (*line == ' ' || *line == '\t')) {
				line++;
				n--;
			}
			while (n > 0 &&
			       (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
				n--;
			if (n == 0 || *line == '#')
				continue;
			const char *eq = memchr(line, '=', n);
			if (!eq)
				continue;
			size_t klen = (size_t)(eq - line);
			for (size_t k = 0; k < NKEYS; k++) {
				if (klen != strlen(keys[k].var) ||
				    memcmp(line, keys[k].var, klen) != 0)
					continue;
				if (osr_value(eq + 1, n - klen - 1, vals[k], sizeof(vals[k])) < 0) {
					vals[k][0] = '\0';
					add_error(v,
						  "os: '%s' line %u: bad or overlong value of %s",
						  p, lineno, keys[k].var);
				}
				break;
			}
		}
	}
	free(text);
	free(p);
	json_t *os = jobj();
	for (size_t k = 0; k < NKEYS; k++)
		set(os, keys[k].key, jstr(vals[k]));
	set(inv, "os", os);
}

/* ---- interfaces ---- */

static unsigned prefix_len(const struct sockaddr *mask, int family)
{
	const uint8_t *b;
	size_t n;
	unsigned bits = 0;

	if (!mask)
		return family == AF_INET ? 32 : 128;
	if (family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else {
		b = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

static json_t *iface_get(json_t *byname, const char *name)
{
	json_t *e = json_object_get(byname, name);
	if (e)
		return e;
	if (json_object_size(byname) >= MAX_INTERFACES)
		return NULL;
	e = jobj();
	set(e, "name", jstr(name));
	set(e, "up", json_false());
	set(e, "addresses", jarr());
	set(byname, name, e);
	return e;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_interfaces(struct inv *v, json_t *inv)
{
	struct ifaddrs *ifa = NULL;
	json_t *byname = jobj(), *arr = jarr();

	if (getifaddrs(&ifa) != 0) {
		add_error(v, "interfaces: getifaddrs failed: %s", strerror(errno));
		goto out;
	}
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		json_t *e;
		if (!i->ifa_name || !(e = iface_get(byname, i->ifa_name)))
			continue;
		if (i->ifa_flags & IFF_UP)
			set(e, "up", json_true());
		if (!i->ifa_addr)
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;
			char mac[3 * 32];
			size_t o = 0;
			for (size_t k = 0; k < ll->sll_halen && k < 8 && k < sizeof(ll->sll_addr);
			     k++)
				o += (size_t)snprintf(mac + o, sizeof(mac) - o, "%s%02x",
						      k ? ":" : "", ll->sll_addr[k]);
			if (o > 0)
				set(e, "mac", jstr(mac));
		} else if (fam == AF_INET || fam == AF_INET6) {
			char a[INET6_ADDRSTRLEN], cidr[INET6_ADDRSTRLEN + 8];
			const void *src =
			    fam == AF_INET
				? (const void *)&((const struct sockaddr_in *)i->ifa_addr)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)i->ifa_addr)
				      ->sin6_addr;
			json_t *addrs = json_object_get(e, "addresses");
			if (!inet_ntop(fam, src, a, sizeof(a)) ||
			    json_array_size(addrs) >= MAX_ADDRESSES)
				continue;
			snprintf(cidr, sizeof(cidr), "%s/%u", a, prefix_len(i->ifa_netmask, fam));
			push(addrs, jstr(cidr));
		}
	}
	/* Sorted by name: getifaddrs order is the kernel's, not a promise. */
	size_t n = json_object_size(byname), k = 0;
	const char **names = canh_xcalloc(n ? n : 1, sizeof(*names));
	const char *key;
	json_t *val;
	json_object_foreach(byname, key, val) names[k++] = key;
	qsort(names, k, sizeof(*names), cmp_str);
	for (size_t j = 0; j < k; j++)
		if (json_array_append(arr, json_object_get(byname, names[j])) != 0)
			abort();
	free(names);
out:
	if (ifa)
		freeifaddrs(ifa);
	json_decref(byname);
	set(inv, "interfaces", arr);
}

/* ---- packages ---- */

struct pkgs {
	json_t *arr;
	size_t dropped;
};

static void add_pkg(struct pkgs *pk, const char *manager, const char *name, const char *version,
		    const char *arch, const char *source, const char *source_version)
{
	if (json_array_size(pk->arr) >= MAX_PACKAGES) {
		pk->dropped++;
		return;
	}
	json_t *p = jobj();
	set(p, "manager", jstr(manager));
	set(p, "name", jstr(name));
	set(p, "version", jstr(version));
	set(p, "arch", jstr(arch));
	set(p, "source", jstr(source));
	set(p, "source_version", jstr(source_version));
	push(pk->arr, p);
}

static int dpkg_cb(const struct canh_pkg *p, void *ctx)
{
	add_pkg(ctx, "dpkg", p->name, p->version, p->arch, p->source, p->source_version);
	return 0;
}

/* Run argv (no shell) and collect its stdout, capped. 0 or an errno-ish code with why set. */
static int run_capture(const char *const argv[], size_t max, char **out, size_t *outlen,
		       const char **why)
{
	static char *const envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};
	int pfd[2], status, rc = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;

	*out = NULL;
	*outlen = 0;
	*why = NULL;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return errno;
	pid = fork();
	if (pid < 0) {
		rc = errno;
		close(pfd[0]);
		close(pfd[1]);
		return rc;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls between fork and exec. */
		int dn = open("/dev/null", O_RDWR);
		if (dn < 0 || dup2(dn, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(dn, 2) < 0)
			_exit(127);
		closefrom(3);
		execve(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	int64_t deadline = canh_mono_ms() + RPM_TIMEOUT_MS;
	for (;;) {
		int64_t left = deadline - canh_mono_ms();
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		if (left <= 0) {
			*why = "timed out";
			rc = ETIMEDOUT;
			break;
		}
		int pr = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			rc = errno;
			break;
		}
		if (pr == 0)
			continue;
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 262144;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= len + 1) {
				*why = "output over its cap";
				rc = EFBIG;
				break;
			}
			buf = canh_xrealloc(buf, ncap);
			cap = ncap;
		}
		ssize_t r = read(pfd[0], buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(pfd[0]);
	if (rc != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		*why = "exited with an error";
		rc = EIO;
	}
	if (rc != 0) {
		free(buf);
		return rc;
	}
	if (!buf)
		buf = canh_xmalloc(1);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* "name-version-release.src.rpm" -> name and "version-release" (in place). */
static int split_srpm(char *s, const char **name, const char **ver)
{
	size_t n = strlen(s);
	static const char *const sfx[] = {".src.rpm", ".nosrc.rpm"};
	int ok = 0;

	for (size_t k = 0; k < 2; k++) {
		size_t l = strlen(sfx[k]);
		if (n > l && strcmp(s + n - l, sfx[k]) == 0) {
			s[n - l] = '\0';
			ok = 1;
			break;
		}
	}
	char *rel = ok ? strrchr(s, '-') : NULL;
	if (!rel || rel == s)
		return -1;
	*rel = '\0';
	char *v = strrchr(s, '-');
	*rel = '-';
	if (!v || v == s)
		return -1;
	*v = '\0';
	*name = s;
	*ver = v + 1;
	return 0;
}

static void collect_rpm(struct inv *v, struct pkgs *pk)
{
	static const char *const candidates[] = {"/usr/bin/rpm", "/bin/rpm"};
	const char *bin = NULL, *why;
	char *text = NULL;
	size_t len;

	for (size_t i = 0; i < 2 && !bin; i++)
		if (access(candidates[i], X_OK) == 0)
			bin = candidates[i];
	if (!bin)
		return;
	/* Tab-separated, one package a line; fields that cannot hold a tab or newline. */
	const char *const argv[] = {
	    bin, "-qa", "--qf",
	    "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n", NULL};
	int e = run_capture(argv, MAX_RPM_OUTPUT, &text, &len, &why);
	if (e) {
		add_error(v, "packages: '%s -qa' failed: %s", bin, why ? why : strerror(e));
		return;
	}
	size_t pos = 0;
	while (pos < len) {
		char *line = text + pos;
		char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		char *f[6];
		int nf = 0;
		pos += n + (nl ? 1 : 0);
		line[n] = '\0';
		for (char *s = line; nf < 6;) {
			f[nf++] = s;
			char *t = strchr(s, '\t');
			if (!t)
				break;
			*t = '\0';
			s = t + 1;
		}
		if (nf != 6 || !f[0][0] || strcmp(f[0], "gpg-pubkey") == 0)
			continue;
		char version[2 * MAX_STR], srcver[2 * MAX_STR];
		int has_epoch = strcmp(f[1], "(none)") != 0 && f[1][0];
		snprintf(version, sizeof(version), "%s%s%s-%s", has_epoch ? f[1] : "",
			 has_epoch ? ":" : "", f[2], f[3]);
		const char *sname = f[0], *sver = NULL;
		if (split_srpm(f[5], &sname, &sver) == 0)
			snprintf(srcver, sizeof(srcver), "%s%s%s", has_epoch ? f[1] : "",
				 has_epoch ? ":" : "", sver);
		else
			canh_strlcpy(srcver, version, sizeof(srcver));
		add_pkg(pk, "rpm", f[0], version, strcmp(f[4], "(none)") ? f[4] : "", sname,
			srcver);
	}
	free(text);
}

static const char *pkg_field(const json_t *p, const char *k)
{
	const char *s = json_string_value(json_object_get(p, k));
	return s ? s : "";
}

static int cmp_pkg(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	static const char *const keys[] = {"manager", "name", "arch", "version"};
	for (size_t i = 0; i < 4; i++) {
		int c = strcmp(pkg_field(x, keys[i]), pkg_field(y, keys[i]));
		if (c)
			return c;
	}
	return 0;
}

/* Sort a JSON array in place with a comparator over its elements. */
static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr);
	json_t **items;

	if (n < 2)
		return;
	items = canh_xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof(*items), cmp);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		push(arr, items[i]);
	free(items);
}

static void collect_packages(struct inv *v, const struct canh_inventory_opts *o, json_t *inv)
{
	struct pkgs pk = {.arr = jarr()};
	struct canh_errmsg err;
	size_t skipped = 0;
	char *status =
	    o && o->dpkg_status ? canh_xstrdup(o->dpkg_status) : rpath(v, "/var/lib/dpkg/status");
	int rc = canh_dpkg_parse_file(status, dpkg_cb, &pk, &skipped, &err);

	/* No dpkg database is normal on a non-Debian host; anything else is worth a line. */
	if (rc != 0 && rc != CANH_ENOENT)
		add_error(v, "packages: %s", err.text);
	if (skipped)
		add_error(v, "packages: %zu entries of '%s' skipped (missing or overlong fields)",
			  skipped, status);
	free(status);
	if (!*v->root && !(o && o->skip_rpm))
		collect_rpm(v, &pk);
	if (pk.dropped)
		add_error(v, "packages: %zu packages over the cap of %d left out", pk.dropped,
			  MAX_PACKAGES);
	sort_array(pk.arr, cmp_pkg);
	set(inv, "packages", pk.arr);
}

/* ---- listening sockets ---- */

struct sock {
	const char *proto; /* "tcp" or "udp" */
	int family;	   /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint32_t uid;
	uint64_t inode;
	int pid; /* 0 = unknown */
};

/* Listening TCP and bound, unconnected UDP: the rest of the set is dropped in place. */
static int is_listening(const struct canh_netconn *c)
{
	if (c->proto == CANH_NETCONN_TCP)
		return c->state == CANH_NETCONN_LISTEN;
	return c->state == CANH_NETCONN_CLOSE && c->rport == 0;
}

/* The socket as the table printed it: an IPv4-mapped address of tcp6/udp6 stays IPv6. */
static struct sock to_sock(const struct canh_netconn *c)
{
	struct sock s = {.proto = canh_netconn_proto_name(c->proto),
			 .family = c->v6 ? AF_INET6 : AF_INET,
			 .port = c->lport,
			 .uid = c->uid,
			 .inode = c->inode,
			 .pid = c->pid};

	if (c->v6 && c->local.family == 4) {
		s.addr[10] = s.addr[11] = 0xff;
		memcpy(s.addr + 12, c->local.bytes, 4);
	} else {
		memcpy(s.addr, c->local.bytes, c->v6 ? 16 : 4);
	}
	return s;
}

/* The sockets of root (lib/netconn.c: netlink on the real system, /proc/net in a tree) with
   their owners; *n of them, caller frees. */
static struct sock *read_listening(struct inv *v, size_t *n)
{
	struct canh_netconn_set set;
	struct canh_errmsg err;
	struct sock *out;
	size_t k = 0, dropped = 0;

	canh_netconn_set_init(&set);
	if (canh_netconn_read(&set, v->root, &err) != 0)
		add_error(v, "listening: %s", err.text);
	if (set.dropped)
		add_error(v, "listening: %zu sockets over the cap of %d not read", set.dropped,
			  CANH_NETCONN_MAX_DEFAULT);
	for (size_t i = 0; i < set.n; i++) {
		if (!is_listening(&set.v[i]))
			continue;
		if (k >= MAX_LISTENING) {
			dropped++;
			continue;
		}
		set.v[k++] = set.v[i];
	}
	set.n = k;
	if (dropped)
		add_error(v, "listening: %zu sockets over the cap of %d left out", dropped,
			  MAX_LISTENING);
	if (k) {
		char *procdir = canh_xasprintf("%s/proc", v->root);
		DIR *d = opendir(procdir);
		if (d)
			closedir(d);
		else
			add_error(v, "listening: cannot list '%s': %s", procdir, strerror(errno));
		free(procdir);
		canh_netconn_owners(&set, v->root);
		if (set.scan_capped)
			add_error(v,
				  "listening: process scan stopped at its cap (%zu processes, %zu "
				  "fds)",
				  set.pids_scanned, set.fds_scanned);
	}
	out = canh_xcalloc(k ? k : 1, sizeof(*out));
	for (size_t i = 0; i < k; i++)
		out[i] = to_sock(&set.v[i]);
	canh_netconn_set_release(&set);
	*n = k;
	return out;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct sock *x = a, *y = b;
	int c = strcmp(x->proto, y->proto);
	if (c)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->addr, y->addr, 16)) != 0)
		return c;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* A process name as read_line gives one: no surrounding blanks, up to the first line end. */
static const char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t k = strcspn(s, "\r\n");
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	s[k] = '\0';
	return s;
}

static void collect_listening(struct inv *v, json_t *inv)
{
	size_t n;
	struct sock *ss = read_listening(v, &n);
	json_t *arr = jarr();

	if (n)
		qsort(ss, n, sizeof(*ss), cmp_sock);
	for (size_t i = 0; i < n; i++) {
		const struct sock *s = &ss[i];
		char a[INET6_ADDRSTRLEN];
		json_t *o = jobj();
		if (!inet_ntop(s->family, s->addr, a, sizeof(a)))
			a[0] = '\0';
		set(o, "proto", jstr(s->proto));
		set(o, "addr", jstr(a));
		set(o, "port", jint(s->port));
		if (s->pid > 0) {
			char comm[256], exe[PATH_MAX];
			set(o, "pid", jint(s->pid));
			canh_netconn_proc_info(v->root, s->pid, comm, sizeof(comm), exe,
					       sizeof(exe));
			if (comm[0])
				set(o, "process", jstr(trim(comm)));
			if (exe[0])
				set(o, "exe", jstrn(exe, strlen(exe), MAX_STR));
		}
		set(o, "user", jint(s->uid));
		push(arr, o);
	}
	free(ss);
	set(inv, "listening", arr);
}

/* ---- software (applications a package list misses: lib/software.c) ---- */

static void collect_software(struct inv *v, json_t *inv)
{
	struct canh_software_opts so = {v->root, json_object_get(inv, "packages"), NULL};
	json_t *arr = NULL;

	if (canh_software_detect(&so, &arr, v->errors) != 0 || !arr)
		arr = jarr();
	set(inv, "software", arr);
}

int canh_inventory_collect(const struct canh_inventory_opts *o, json_t **out,
			   struct canh_errmsg *err)
{
	struct inv v = {.root = o && o->root ? o->root : ""};
	json_t *inv;

	*out = NULL;
	if (strlen(v.root) > PATH_MAX / 2)
		return canh_errmsg_set(err, CANH_EINVAL, "inventory root path is too long");
	inv = jobj();
	v.errors = jarr();
	collect_identity(&v, inv);
	collect_os(&v, inv);
	collect_kernel(&v, inv);
	collect_interfaces(&v, inv);
	collect_packages(&v, o, inv);
	collect_software(&v, inv);
	collect_listening(&v, inv);
	set(inv, "errors", v.errors);
	*out = inv;
	return 0;
}
