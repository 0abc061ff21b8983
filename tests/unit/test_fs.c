/*
 * Unit tests for lib/fs.c: atomic writes, capped reads, mkdir -p.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/fs.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-test-fs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int count_entries(const char *d)
{
	DIR *dp = opendir(d);
	int n = 0;
	struct dirent *e;
	assert_non_null(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static void test_write_modes(void **state)
{
	static const mode_t modes[] = {0600, 0640, 0644, 0400, 0666};
	char *path = canh_path_join(dir, "modes");
	mode_t old = umask(022);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct stat st;
		char data[32];
		int n = snprintf(data, sizeof(data), "content %zu", i);
		assert_int_equal(canh_file_write_atomic(path, data, (size_t)n, modes[i], NULL), 0);
		assert_int_equal(stat(path, &st), 0);
		/* The mode asked for, whatever the umask (0666 survives umask 022). */
		assert_int_equal(st.st_mode & 07777, modes[i]);
		assert_int_equal(st.st_size, n);
		char *got = NULL;
		size_t len = 0;
		assert_int_equal(canh_file_read(path, 100, &got, &len, NULL), 0);
		assert_int_equal(len, (size_t)n);
		assert_string_equal(got, data);
		free(got);
	}
	umask(old);
	/* No temporary files left behind. */
	assert_int_equal(count_entries(dir), 1);
	unlink(path);
	free(path);
}

static void test_write_replaces_and_empty(void **state)
{
	char *path = canh_path_join(dir, "replace");
	assert_int_equal(canh_file_write_atomic(path, "long old content", 16, 0600, NULL), 0);
	assert_int_equal(canh_file_write_atomic(path, "", 0, 0600, NULL), 0);
	char *got = NULL;
	size_t len = 99;
	assert_int_equal(canh_file_read(path, 100, &got, &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
	free(got);
	unlink(path);
	free(path);
}

static void test_write_failure_leaves_nothing(void **state)
{
	struct canh_errmsg err;
	char *sub = canh_path_join(dir, "missing/sub/file");
	assert_int_equal(canh_file_write_atomic(sub, "x", 1, 0600, &err), CANH_ENOENT);
	assert_non_null(strstr(err.text, "cannot create"));
	free(sub);

	/* Renaming over a directory fails after the temp file was written: it is removed. */
	char *d = canh_path_join(dir, "isdir");
	assert_int_equal(mkdir(d, 0700), 0);
	char *inner = canh_path_join(d, "keep");
	assert_int_equal(canh_file_write_atomic(inner, "k", 1, 0600, NULL), 0);
	int before = count_entries(dir);
	assert_true(canh_file_write_atomic(d, "x", 1, 0600, &err) < 0);
	assert_non_null(strstr(err.text, "cannot rename"));
	assert_int_equal(count_entries(dir), before);
	unlink(inner);
	rmdir(d);
	free(inner);
	free(d);
	assert_int_equal(canh_file_write_atomic("", "x", 1, 0600, &err), CANH_EINVAL);
}

static void test_read_cap(void **state)
{
	char *path = canh_path_join(dir, "cap");
	struct canh_errmsg err;
	char *got = (char *)1;
	size_t len = 0;
	assert_int_equal(canh_file_write_atomic(path, "0123456789", 10, 0600, NULL), 0);
	/* Exactly at the cap is fine; one under the size is too big. */
	assert_int_equal(canh_file_read(path, 10, &got, &len, &err), 0);
	assert_int_equal(len, 10);
	assert_string_equal(got, "0123456789");
	free(got);
	got = (char *)1;
	assert_int_equal(canh_file_read(path, 9, &got, &len, &err), CANH_ETOOBIG);
	assert_null(got);
	assert_non_null(strstr(err.text, "larger than 9 bytes"));
	assert_int_equal(canh_file_read(path, 0, &got, &len, &err), CANH_ETOOBIG);
	assert_int_equal(canh_file_read(path, SIZE_MAX, &got, NULL, &err), 0);
	assert_string_equal(got, "0123456789");
	free(got);
	unlink(path);
	free(path);
}

static void test_read_errors(void **state)
{
	struct canh_errmsg err;
	char *got = (char *)1;
	size_t len = 5;
	char *path = canh_path_join(dir, "nope");
	assert_int_equal(canh_file_read(path, 100, &got, &len, &err), CANH_ENOENT);
	assert_null(got);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.text, "cannot open"));
	assert_non_null(strstr(err.text, "nope"));
	assert_int_equal(canh_file_read(dir, 100, &got, &len, &err), CANH_EINVAL);
	assert_non_null(strstr(err.text, "not a regular file"));
	free(path);
}

static void test_read_fifo_refused(void **state)
{
	/* A FIFO with no writer must be refused, not block the reader forever. */
	struct canh_errmsg err;
	char *got = NULL;
	char *path = canh_path_join(dir, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(canh_file_read(path, 100, &got, NULL, &err), CANH_EINVAL);
	assert_null(got);
	assert_non_null(strstr(err.text, "not a regular file"));
	unlink(path);
	free(path);
}

static void test_read_proc_file(void **state)
{
	/* /proc files report size 0 but have content: the read loop must not trust st_size. */
	char *got = NULL;
	size_t len = 0;
	if (access("/proc/self/status", R_OK) != 0)
		skip();
	assert_int_equal(canh_file_read("/proc/self/status", 1 << 20, &got, &len, NULL), 0);
	assert_true(len > 10);
	assert_non_null(strstr(got, "Name:"));
	assert_int_equal(strlen(got), len);
	free(got);
	assert_int_equal(canh_file_read("/proc/self/status", 8, &got, &len, NULL), CANH_ETOOBIG);
}

static void test_mkdir_p(void **state)
{
	struct canh_errmsg err;
	struct stat st;
	char *p = canh_path_join(dir, "a/b//c/");
	mode_t old = umask(0);
	assert_int_equal(canh_mkdir_p(p, 0750, &err), 0);
	umask(old);
	char *c = canh_path_join(dir, "a/b/c");
	assert_int_equal(stat(c, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(canh_mkdir_p(p, 0750, &err), 0); /* exists: fine */
	char *f = canh_path_join(c, "file");
	assert_int_equal(canh_file_write_atomic(f, "x", 1, 0600, NULL), 0);
	char *under = canh_path_join(f, "sub");
	assert_true(canh_mkdir_p(under, 0700, &err) < 0);
	assert_int_equal(canh_mkdir_p(f, 0700, &err), CANH_EEXIST);
	assert_non_null(strstr(err.text, "not a directory"));
	assert_int_equal(canh_mkdir_p("", 0700, &err), CANH_EINVAL);
	assert_int_equal(canh_fsync_dir(c), 0);
	assert_int_equal(canh_fsync_dir(f), 0); /* a file: its directory */
	free(under);
	free(f);
	free(c);
	free(p);
}

static void test_lock_file(void **state)
{
	struct canh_errmsg err;
	char path[128], pid[32], buf[32] = {0};
	int fd1 = -1, fd2 = 123;

	snprintf(path, sizeof(path), "%s/x.lock", dir);
	assert_int_equal(canh_lock_file(path, &fd1, &err), 0);
	assert_true(fd1 >= 0);
	/* our pid is in the file */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	assert_int_equal(pread(fd1, buf, sizeof(buf) - 1, 0), (ssize_t)strlen(pid));
	assert_string_equal(buf, pid);
	/* a second open file description cannot take it, and is told who holds it */
	assert_int_equal(canh_lock_file(path, &fd2, &err), CANH_ECONFLICT);
	assert_int_equal(fd2, -1);
	pid[strlen(pid) - 1] = '\0';
	assert_non_null(strstr(err.text, pid));
	/* released with the descriptor */
	close(fd1);
	assert_int_equal(canh_lock_file(path, &fd2, &err), 0);
	close(fd2);
	/* a directory that does not exist is an I/O error, not a conflict */
	snprintf(path, sizeof(path), "%s/no/such/x.lock", dir);
	assert_int_equal(canh_lock_file(path, &fd2, &err), CANH_EIO);
}

static void test_path_join(void **state)
{
	char *p = canh_path_join("/var/lib", "canh");
	assert_string_equal(p, "/var/lib/canh");
	free(p);
	p = canh_path_join("/var/lib/", "canh");
	assert_string_equal(p, "/var/lib/canh");
	free(p);
	p = canh_path_join("", "canh");
	assert_string_equal(p, "canh");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_modes),
	    cmocka_unit_test(test_write_replaces_and_empty),
	    cmocka_unit_test(test_write_failure_leaves_nothing),
	    cmocka_unit_test(test_read_cap),
	    cmocka_unit_test(test_read_errors),
	    cmocka_unit_test(test_read_fifo_refused),
	    cmocka_unit_test(test_read_proc_file),
	    cmocka_unit_test(test_mkdir_p),
	    cmocka_unit_test(test_lock_file),
	    cmocka_unit_test(test_path_join),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
