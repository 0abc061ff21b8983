/*
 * Unit tests for lib/quarantine.c: move out, list, restore exactly, refuse
 * to overwrite, detect damage, delete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/quarantine.h"

static char dir[64];
static char qdir[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-test-quar-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(qdir, sizeof(qdir), "%s/q/uarantine", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char payload[] = "<?php @eval($_POST['canhtest']);?>\n\x01\x02 binary \xff tail";

static char *make_victim(const char *name, mode_t mode, int64_t mtime_ns)
{
	static char path[256];
	struct timespec ts[2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(canh_file_write_atomic(path, payload, sizeof(payload) - 1, 0600, NULL), 0);
	assert_int_equal(chmod(path, mode), 0);
	ts[0].tv_sec = 1700000000;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = (time_t)(mtime_ns / 1000000000);
	ts[1].tv_nsec = (long)(mtime_ns % 1000000000);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	return path;
}

static void test_round_trip(void **state)
{
	const int64_t mtime = 1600000000123456789LL;
	char *path = make_victim("shell.php", 0751, mtime);
	char orig[256], bin[512], *data;
	size_t len;
	struct canh_quarantine_item it, got;
	struct canh_errmsg em;
	struct stat st;
	char sha[65];

	snprintf(orig, sizeof(orig), "%s", path);
	assert_int_equal(canh_sha256_hex(payload, sizeof(payload) - 1, sha), 0);
	assert_int_equal(canh_quarantine_file(qdir, orig, "Webshell_China_Chopper", &it, &em), 0);
	/* The original is gone; the quarantine dir is private. */
	assert_int_equal(lstat(orig, &st), -1);
	assert_int_equal(stat(qdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(strlen(it.id), 32);
	assert_string_equal(it.sha256, sha);
	assert_string_equal(it.rule, "Webshell_China_Chopper");
	assert_int_equal(it.mode, 0751);
	assert_int_equal(it.mtime_ns, mtime);
	assert_int_equal(it.size, sizeof(payload) - 1);
	/* The stored copy: read-only, not executable, not the original bytes. */
	snprintf(bin, sizeof(bin), "%s/%s.bin", qdir, it.id);
	assert_int_equal(stat(bin, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0400);
	assert_int_equal(canh_file_read(bin, 1 << 20, &data, &len, NULL), 0);
	assert_int_equal(len, sizeof(payload) - 1);
	assert_memory_not_equal(data, payload, len);
	assert_null(strstr(data, "eval"));
	free(data);

	assert_int_equal(canh_quarantine_get(qdir, it.id, &got, &em), 0);
	assert_string_equal(got.path, orig);
	assert_string_equal(got.md5, it.md5);
	assert_int_equal(got.uid, getuid());
	assert_int_equal(got.gid, getgid());
	canh_quarantine_item_release(&got);

	assert_int_equal(canh_quarantine_restore(qdir, it.id, NULL, 0, &em), 0);
	assert_int_equal(canh_file_read(orig, 1 << 20, &data, &len, NULL), 0);
	assert_int_equal(len, sizeof(payload) - 1);
	assert_memory_equal(data, payload, len);
	free(data);
	assert_int_equal(stat(orig, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal(st.st_gid, getgid());
	assert_int_equal((int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec, mtime);
	/* The item left the quarantine. */
	assert_int_equal(stat(bin, &st), -1);
	assert_int_equal(canh_quarantine_get(qdir, it.id, &got, &em), CANH_ENOENT);
	canh_quarantine_item_release(&it);
}

static void test_restore_refuses_existing(void **state)
{
	char *path = make_victim("x.sh", 0644, 1000000000000000000LL);
	char orig[256], *data;
	size_t len;
	struct canh_quarantine_item it;
	struct canh_errmsg em;

	snprintf(orig, sizeof(orig), "%s", path);
	assert_int_equal(canh_quarantine_file(qdir, orig, NULL, &it, &em), 0);
	assert_int_equal(canh_file_write_atomic(orig, "new", 3, 0644, NULL), 0);
	assert_int_equal(canh_quarantine_restore(qdir, it.id, NULL, 0, &em), CANH_EEXIST);
	assert_non_null(strstr(em.text, "exists"));
	assert_int_equal(canh_file_read(orig, 1 << 20, &data, &len, NULL), 0);
	assert_int_equal(len, 3);
	free(data);
	/* Elsewhere, then forced over a newer file. */
	{
		char other[300];
		struct canh_quarantine_item it2;

		snprintf(other, sizeof(other), "%s/elsewhere", dir);
		assert_int_equal(canh_quarantine_restore(qdir, it.id, other, 0, &em), 0);
		assert_int_equal(canh_file_read(other, 1 << 20, &data, &len, NULL), 0);
		assert_memory_equal(data, payload, len);
		free(data);
		assert_int_equal(canh_quarantine_file(qdir, other, NULL, &it2, &em), 0);
		assert_int_equal(canh_file_write_atomic(other, "newer", 5, 0644, NULL), 0);
		assert_int_equal(canh_quarantine_restore(qdir, it2.id, NULL, 1, &em), 0);
		assert_int_equal(canh_file_read(other, 1 << 20, &data, &len, NULL), 0);
		assert_int_equal(len, sizeof(payload) - 1);
		assert_memory_equal(data, payload, len);
		free(data);
		canh_quarantine_item_release(&it2);
	}
	canh_quarantine_item_release(&it);
}

static void test_damaged_content(void **state)
{
	char *path = make_victim("d.bin", 0600, 1000000000000000000LL);
	char orig[256], bin[512];
	struct canh_quarantine_item it;
	struct canh_errmsg em;
	struct stat st;
	int fd;

	snprintf(orig, sizeof(orig), "%s", path);
	assert_int_equal(canh_quarantine_file(qdir, orig, "r", &it, &em), 0);
	snprintf(bin, sizeof(bin), "%s/%s.bin", qdir, it.id);
	chmod(bin, 0600);
	fd = open(bin, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "Z", 1, 3), 1);
	close(fd);
	assert_int_equal(canh_quarantine_restore(qdir, it.id, NULL, 0, &em), CANH_ECORRUPT);
	/* Nothing half-restored is left behind. */
	assert_int_equal(lstat(orig, &st), -1);
	{
		struct canh_quarantine_item *v;
		size_t n;

		assert_int_equal(canh_quarantine_list(dir, &v, &n, &em), 0);
		assert_int_equal(n, 0);
		canh_quarantine_list_free(v, n);
	}
	canh_quarantine_item_release(&it);
}

static void test_list_delete_ids(void **state)
{
	struct canh_quarantine_item a, b, *v;
	struct canh_errmsg em;
	size_t n;
	char p1[256], p2[256];

	snprintf(p1, sizeof(p1), "%s", make_victim("one", 0644, 1000000000000000000LL));
	assert_int_equal(canh_quarantine_file(qdir, p1, "R1", &a, &em), 0);
	snprintf(p2, sizeof(p2), "%s", make_victim("two", 0644, 1000000000000000000LL));
	assert_int_equal(canh_quarantine_file(qdir, p2, "R2", &b, &em), 0);
	assert_int_equal(canh_quarantine_list(qdir, &v, &n, &em), 0);
	assert_int_equal(n, 2);
	assert_true(strcmp(v[0].rule, "R1") == 0 || strcmp(v[1].rule, "R1") == 0);
	canh_quarantine_list_free(v, n);
	assert_int_equal(canh_quarantine_delete(qdir, a.id, &em), 0);
	assert_int_equal(canh_quarantine_delete(qdir, a.id, &em), CANH_ENOENT);
	assert_int_equal(canh_quarantine_list(qdir, &v, &n, &em), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, b.id);
	canh_quarantine_list_free(v, n);
	/* Ids are checked: no path tricks. */
	assert_int_equal(canh_quarantine_restore(qdir, "../../etc/passwd", NULL, 0, &em),
			 CANH_EINVAL);
	assert_int_equal(canh_quarantine_delete(qdir, "ABCDEF", &em), CANH_EINVAL);
	/* Not a regular file, or missing. */
	assert_int_equal(canh_quarantine_file(qdir, dir, NULL, NULL, &em), CANH_EINVAL);
	assert_int_equal(canh_quarantine_file(qdir, "/nonexistent/x", NULL, NULL, &em),
			 CANH_ENOENT);
	canh_quarantine_item_release(&a);
	canh_quarantine_item_release(&b);
}

static void test_cross_device(void **state)
{
	/* /dev/shm is a tmpfs, usually another file system than /tmp. */
	char src[128], *data;
	size_t len;
	struct canh_quarantine_item it;
	struct canh_errmsg em;
	struct stat a, b;

	snprintf(src, sizeof(src), "/dev/shm/canh-test-quar-%ld", (long)getpid());
	if (canh_file_write_atomic(src, payload, sizeof(payload) - 1, 0640, NULL) != 0)
		skip();
	assert_int_equal(stat(src, &a), 0);
	assert_int_equal(canh_mkdir_p(qdir, 0700, NULL), 0);
	assert_int_equal(stat(qdir, &b), 0);
	assert_int_equal(canh_quarantine_file(qdir, src, "x", &it, &em), 0);
	assert_int_equal(access(src, F_OK), -1);
	assert_int_equal(canh_quarantine_restore(qdir, it.id, NULL, 0, &em), 0);
	assert_int_equal(canh_file_read(src, 1 << 20, &data, &len, NULL), 0);
	assert_memory_equal(data, payload, len);
	free(data);
	assert_int_equal(stat(src, &b), 0);
	assert_int_equal(b.st_mode & 07777, 0640);
	unlink(src);
	canh_quarantine_item_release(&it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restore_refuses_existing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_content, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_delete_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cross_device, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
