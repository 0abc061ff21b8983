/*
 * Inventory: a fake root (tests/data/fakeroot) for os-release quoting,
 * /proc/net parsing and socket owners; generated roots for fallbacks and
 * errors; and a real collection on this machine, checked with the server's
 * own validator.
 */
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "canh/inventory.h"
#include "canh/proto.h"

#define FAKEROOT CANH_TEST_DATA "/fakeroot"

static json_t *collect(const char *root)
{
	struct canh_inventory_opts o = {.root = root, .skip_rpm = 1};
	struct canh_errmsg err;
	json_t *inv = NULL;

	if (canh_inventory_collect(&o, &inv, &err) != 0)
		fail_msg("canh_inventory_collect: %s", err.text);
	assert_non_null(inv);
	return inv;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		fail_msg("no string '%s'", key);
	return s;
}

static void assert_valid(json_t *inv)
{
	struct canh_errmsg err;
	char *text = json_dumps(inv, JSON_COMPACT);
	json_t *back;

	assert_non_null(text);
	back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, inv));
	json_decref(back);
	free(text);
	if (canh_proto_validate_inventory(inv, &err) != 0)
		fail_msg("the server would reject this inventory: %s", err.text);
}

static void test_fakeroot_identity_and_os(void **state)
{
	json_t *inv = collect(FAKEROOT);
	const json_t *os = json_object_get(inv, "os");

	assert_string_equal(str(inv, "hostname"), "fake-host");
	assert_string_equal(str(inv, "machine_id"), "0123456789abcdef0123456789abcdef");
	assert_string_equal(str(os, "id"), "debian");
	assert_string_equal(str(os, "id_like"), "rhel fedora");
	assert_string_equal(str(os, "name"), "Debian GNU/Linux");
	assert_string_equal(str(os, "version_id"), "12");
	assert_string_equal(str(os, "version_codename"), "book worm");
	assert_string_equal(str(os, "pretty_name"), "Debian \"Bookworm\" $HOME \\ `x` \\n");
	assert_int_equal(json_object_size(os), 6);
	assert_string_equal(str(json_object_get(inv, "kernel"), "release"), "6.1.0-99-amd64");
	assert_non_null(strstr(str(json_object_get(inv, "kernel"), "version"), "(fake)"));
	assert_true(json_is_array(json_object_get(inv, "errors")));
	assert_int_equal(json_array_size(json_object_get(inv, "errors")), 0);
	/* sections the agent diffs */
	for (const char *const *s = canh_inventory_sections; *s; s++)
		assert_true(json_is_array(json_object_get(inv, *s)));
	assert_valid(inv);
	json_decref(inv);
}

static void test_fakeroot_packages(void **state)
{
	json_t *inv = collect(FAKEROOT);
	const json_t *pk = json_object_get(inv, "packages");

	assert_int_equal(json_array_size(pk), 2);
	const json_t *p = json_array_get(pk, 0);
	assert_string_equal(str(p, "manager"), "dpkg");
	assert_string_equal(str(p, "name"), "openssh-server");
	assert_string_equal(str(p, "version"), "1:9.2p1-2+deb12u3");
	assert_string_equal(str(p, "arch"), "amd64");
	assert_string_equal(str(p, "source"), "openssh");
	assert_string_equal(str(p, "source_version"), "1:9.2p1-2+deb12u3");
	p = json_array_get(pk, 1);
	assert_string_equal(str(p, "name"), "zlib1g");
	assert_string_equal(str(p, "source"), "zlib");
	assert_string_equal(str(p, "source_version"), "1:1.2.13.dfsg-1");
	json_decref(inv);
}

/* "proto addr port user pid process exe" of one listening entry. */
static void describe(const json_t *e, char *buf, size_t len)
{
	const json_t *pid = json_object_get(e, "pid");
	const char *proc = json_string_value(json_object_get(e, "process"));
	const char *exe = json_string_value(json_object_get(e, "exe"));
	snprintf(buf, len, "%s %s %lld %lld %lld %s %s", str(e, "proto"), str(e, "addr"),
		 (long long)json_integer_value(json_object_get(e, "port")),
		 (long long)json_integer_value(json_object_get(e, "user")),
		 pid ? (long long)json_integer_value(pid) : -1LL, proc ? proc : "-",
		 exe ? exe : "-");
}

static void test_fakeroot_listening(void **state)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	skip(); /* the fake /proc/net files are as a little-endian kernel writes them */
#endif
	json_t *inv = collect(FAKEROOT);
	const json_t *l = json_object_get(inv, "listening");
	const char *want[] = {
	    "tcp 127.0.0.1 22 0 612 sshd /usr/sbin/sshd",
	    "tcp :: 22 0 612 sshd /usr/sbin/sshd",
	    "tcp 10.0.2.15 80 33 -1 - -",
	    "tcp 2001:db8::1 443 101 -1 - -",
	    "tcp ::ffff:127.0.0.1 631 0 -1 - -",
	    "tcp 0.0.0.0 8080 1000 700 python3 /usr/bin/python3.11", /* 701 shares it: lowest */
	    "udp 127.0.0.53 53 102 -1 - -",
	    "udp 0.0.0.0 68 0 -1 - -",
	    "udp :: 546 0 -1 - -",
	};
	char got[512];
	size_t n = sizeof(want) / sizeof(want[0]);

	for (size_t i = 0; i < json_array_size(l) && i < n; i++) {
		describe(json_array_get(l, i), got, sizeof(got));
		assert_string_equal(got, want[i]);
	}
	assert_int_equal(json_array_size(l), n);
	json_decref(inv);
}

/* ---- generated roots ---- */

static char troot[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(troot, sizeof(troot), "/tmp/canh-inv-XXXXXX");
	assert_non_null(mkdtemp(troot));
	return 0;
}

static int teardown(void **state)
{
	nftw(troot, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void put(const char *rel, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", troot, rel);
	for (char *s = path + strlen(troot) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static int has_error(const json_t *inv, const char *needle)
{
	const json_t *e;
	size_t i;
	json_array_foreach(json_object_get(inv, "errors"), i,
			   e) if (strstr(json_string_value(e), needle)) return 1;
	return 0;
}

static void test_fallbacks_and_errors(void **state)
{
	json_t *inv;

	/* /usr/lib/os-release when /etc has none; the dbus machine id; no dpkg: no error */
	put("usr/lib/os-release", "ID=alpine\nNAME='Alpine Linux'\nPRETTY_NAME=\"unterminated\n"
				  "VERSION_ID=3.20.1 # trailing words are not part of it\n");
	put("var/lib/dbus/machine-id", "fedcba9876543210fedcba9876543210\n");
	put("proc/sys/kernel/hostname", "h\n");
	inv = collect(troot);
	const json_t *os = json_object_get(inv, "os");
	assert_string_equal(str(os, "id"), "alpine");
	assert_string_equal(str(os, "name"), "Alpine Linux");
	assert_string_equal(str(os, "pretty_name"), "");
	assert_string_equal(str(os, "version_id"), "3.20.1");
	assert_string_equal(str(os, "id_like"), "");
	assert_string_equal(str(inv, "machine_id"), "fedcba9876543210fedcba9876543210");
	assert_true(has_error(inv, "PRETTY_NAME"));
	assert_false(has_error(inv, "packages"));
	assert_true(has_error(inv, "/proc/net/tcp'")); /* missing: worth a line */
	assert_false(has_error(inv, "tcp6"));	       /* no IPv6 is normal */
	assert_int_equal(json_array_size(json_object_get(inv, "packages")), 0);
	assert_int_equal(json_array_size(json_object_get(inv, "listening")), 0);
	assert_valid(inv);
	json_decref(inv);
}

static void test_nothing_at_all(void **state)
{
	/* an empty root: every collector fails alone, the inventory is still valid */
	json_t *inv = collect(troot);
	assert_true(has_error(inv, "machine_id"));
	assert_true(has_error(inv, "os-release"));
	assert_string_equal(str(inv, "machine_id"), "");
	assert_true(strlen(str(inv, "hostname")) > 0); /* gethostname() as a fallback */
	assert_valid(inv);
	json_decref(inv);
}

static void test_hostile_strings(void **state)
{
	/* invalid UTF-8 and control bytes must still give valid JSON */
	put("etc/os-release", "ID=\"bad\xff\xfe utf8\"\nNAME=\"ok \xc3\xa9\"\n");
	put("proc/sys/kernel/hostname", "h\xc3\x28st\n");
	put("var/lib/dpkg/status", "Package: p\xff\nStatus: install ok installed\nVersion: 1\n");
	json_t *inv = collect(troot);
	const json_t *os = json_object_get(inv, "os");
	assert_string_equal(str(os, "id"), "bad?? utf8");
	assert_string_equal(str(os, "name"), "ok \xc3\xa9");
	assert_string_equal(str(inv, "hostname"), "h?(st");
	assert_string_equal(str(json_array_get(json_object_get(inv, "packages"), 0), "name"), "p?");
	assert_valid(inv);
	json_decref(inv);
}

static void test_this_machine(void **state)
{
	struct canh_inventory_opts o = {0};
	struct canh_errmsg err;
	json_t *inv = NULL;
	char host[256];
	const json_t *e;
	size_t i;
	int libc = 0, lo = 0;

	assert_int_equal(canh_inventory_collect(&o, &inv, &err), 0);
	assert_valid(inv);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_string_equal(str(inv, "hostname"), host);
	assert_true(strlen(str(json_object_get(inv, "os"), "id")) > 0);
	assert_true(strlen(str(json_object_get(inv, "kernel"), "release")) > 0);
	if (access("/var/lib/dpkg/status", R_OK) == 0) {
		assert_true(json_array_size(json_object_get(inv, "packages")) > 10);
		json_array_foreach(json_object_get(inv, "packages"), i, e) libc |=
		    strcmp(str(e, "name"), "libc6") == 0;
		assert_true(libc);
	}
	json_array_foreach(json_object_get(inv, "interfaces"), i, e)
	{
		if (strcmp(str(e, "name"), "lo") != 0)
			continue;
		const json_t *a;
		size_t k;
		json_array_foreach(json_object_get(e, "addresses"), k, a) lo |=
		    strcmp(json_string_value(a), "127.0.0.1/8") == 0;
	}
	assert_true(lo);
	/* the same host twice gives the same sections (change detection relies on it) */
	json_t *again = NULL;
	assert_int_equal(canh_inventory_collect(&o, &again, &err), 0);
	assert_true(
	    json_equal(json_object_get(inv, "packages"), json_object_get(again, "packages")));
	assert_true(
	    json_equal(json_object_get(inv, "interfaces"), json_object_get(again, "interfaces")));
	json_decref(again);
	json_decref(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fakeroot_identity_and_os),
	    cmocka_unit_test(test_fakeroot_packages),
	    cmocka_unit_test(test_fakeroot_listening),
	    cmocka_unit_test_setup_teardown(test_fallbacks_and_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nothing_at_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
	    cmocka_unit_test(test_this_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
