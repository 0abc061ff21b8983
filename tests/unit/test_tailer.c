/*
 * Tailer: rotation, truncation, copy-truncate, restart from persisted
 * offsets (no line skipped, none repeated), partial and long lines.
 */
#include <fcntl.h>
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

#include "canh/tailer.h"

static char tmpdir[64];
static char logpath[128], statepath[128];

struct got {
	char lines[64][256];
	unsigned flags[64];
	size_t n;
	size_t stop_after; /* refuse lines after this many (0: never) */
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/canh-tailer-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(logpath, sizeof(logpath), "%s/auth.log", tmpdir);
	snprintf(statepath, sizeof(statepath), "%s/offsets.json", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int on_line(void *arg, const char *path, const char *line, size_t len, unsigned flags)
{
	struct got *g = arg;
	if (g->stop_after && g->n >= g->stop_after)
		return 1;
	assert_true(g->n < 64);
	if (len > 255)
		len = 255;
	memcpy(g->lines[g->n], line, len);
	g->lines[g->n][len] = '\0';
	g->flags[g->n] = flags;
	g->n++;
	return 0;
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct canh_tailer *fresh(int from_start)
{
	struct canh_tailer_opts o = {.from_start = from_start, .line_max = 32};
	struct canh_tailer *t = canh_tailer_new(&o);
	struct canh_errmsg em;
	char pat[160];

	snprintf(pat, sizeof(pat), "%s/*.log", tmpdir);
	assert_int_equal(canh_tailer_add(t, pat), 0);
	assert_int_equal(canh_tailer_load(t, statepath, &em), 0);
	return t;
}

static void test_first_start_at_end_then_follow(void **state)
{
	struct got g = {0};
	struct canh_tailer *t;

	append(logpath, "old history\n");
	t = fresh(0);
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 0);
	append(logpath, "one\ntw");
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 1);
	assert_string_equal(g.lines[0], "one");
	/* the partial line waits for its newline */
	append(logpath, "o\n");
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 1);
	assert_string_equal(g.lines[1], "two");
	canh_tailer_free(t);
}

static void test_from_start(void **state)
{
	struct got g = {0};
	struct canh_tailer *t;

	append(logpath, "a\nb\n");
	t = fresh(1);
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 2);
	assert_string_equal(g.lines[1], "b");
	canh_tailer_free(t);
}

static void test_rotation_rename(void **state)
{
	struct got g = {0};
	struct canh_tailer_stats st;
	char old[160];
	struct canh_tailer *t;

	snprintf(old, sizeof(old), "%s/auth.log.1", tmpdir);
	append(logpath, "");
	t = fresh(1);
	canh_tailer_poll(t, on_line, &g, NULL);
	append(logpath, "before\n");
	canh_tailer_poll(t, on_line, &g, NULL);
	/* the writer adds a line, then the file is renamed and a new one created;
	   the old file still gets a last line from a writer holding it open */
	append(logpath, "late-1\n");
	assert_int_equal(rename(logpath, old), 0);
	append(old, "late-2\n");
	append(logpath, "new-1\n");
	for (int i = 0; i < 3; i++)
		canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.lines[0], "before");
	assert_string_equal(g.lines[1], "late-1");
	assert_string_equal(g.lines[2], "late-2");
	assert_string_equal(g.lines[3], "new-1");
	canh_tailer_get_stats(t, &st);
	assert_true(st.rotations >= 1);
	assert_int_equal(st.files, 1); /* the old one was finished and closed */
	canh_tailer_free(t);
}

/* A pattern that also matches the rotated name: the old file is followed under its new name,
   never read again from the start. */
static void test_rotation_matched_by_pattern(void **state)
{
	struct canh_tailer_opts o = {.from_start = 1};
	struct got g = {0};
	struct canh_errmsg em;
	char pat[160], old[160];
	struct canh_tailer *t = canh_tailer_new(&o);

	snprintf(pat, sizeof(pat), "%s/auth.log*", tmpdir);
	snprintf(old, sizeof(old), "%s/auth.log.1", tmpdir);
	assert_int_equal(canh_tailer_add(t, pat), 0);
	assert_int_equal(canh_tailer_load(t, statepath, &em), 0);
	append(logpath, "a\n");
	canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(rename(logpath, old), 0);
	append(old, "b\n");
	append(logpath, "c\n");
	for (int i = 0; i < 4; i++)
		canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.lines[0], "a");
	assert_true((strcmp(g.lines[1], "b") == 0 && strcmp(g.lines[2], "c") == 0) ||
		    (strcmp(g.lines[1], "c") == 0 && strcmp(g.lines[2], "b") == 0));
	assert_int_equal(canh_tailer_save(t, &em), 0);
	canh_tailer_free(t);
	/* and after a restart neither file is read again */
	t = canh_tailer_new(&o);
	assert_int_equal(canh_tailer_add(t, pat), 0);
	assert_int_equal(canh_tailer_load(t, statepath, &em), 0);
	for (int i = 0; i < 3; i++)
		canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 3);
	canh_tailer_free(t);
}

static void test_truncate_and_copytruncate(void **state)
{
	struct got g = {0};
	struct canh_tailer_stats st;
	struct canh_tailer *t;

	append(logpath, "");
	t = fresh(1);
	append(logpath, "x1\nx2\nx3\n");
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 3);
	/* copytruncate: the content is copied away, the file cut to 0, new lines follow */
	assert_int_equal(truncate(logpath, 0), 0);
	append(logpath, "y1\n");
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 1);
	assert_string_equal(g.lines[3], "y1");
	canh_tailer_get_stats(t, &st);
	assert_int_equal(st.truncations, 1);
	canh_tailer_free(t);
}

static void test_restart_no_skip_no_repeat(void **state)
{
	struct got g = {0};
	struct canh_errmsg em;
	struct canh_tailer *t;

	append(logpath, "");
	t = fresh(1);
	append(logpath, "l1\nl2\nl3\nl4\npart");
	/* the caller takes two lines only (its message is full), then saves */
	g.stop_after = 2;
	canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 2);
	assert_int_equal(canh_tailer_save(t, &em), 0);
	canh_tailer_free(t);

	/* lines written while the agent is down, and a rotation meanwhile */
	append(logpath, "ial\n");
	t = fresh(0); /* from_start 0: the state decides, not the first-start rule */
	g.stop_after = 0;
	canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.lines[2], "l3");
	assert_string_equal(g.lines[3], "l4");
	assert_string_equal(g.lines[4], "partial");
	assert_int_equal(canh_tailer_save(t, &em), 0);
	canh_tailer_free(t);

	/* rotated while stopped: the old inode is found as auth.log.1 and finished */
	char old[160];
	snprintf(old, sizeof(old), "%s/rotated.1", tmpdir);
	append(logpath, "tail-of-old\n");
	assert_int_equal(rename(logpath, old), 0);
	append(logpath, "fresh\n");
	t = fresh(0);
	for (int i = 0; i < 3; i++)
		canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 7);
	assert_string_equal(g.lines[5], "tail-of-old");
	assert_string_equal(g.lines[6], "fresh");
	assert_int_equal(canh_tailer_save(t, &em), 0);
	canh_tailer_free(t);

	/* and a restart with nothing new hands out nothing */
	t = fresh(0);
	assert_int_equal(canh_tailer_poll(t, on_line, &g, NULL), 0);
	canh_tailer_free(t);
}

static void test_long_lines(void **state)
{
	struct got g = {0};
	struct canh_tailer_stats st;
	struct canh_tailer *t;
	char big[200];

	append(logpath, "");
	t = fresh(1);
	memset(big, 'A', 100);
	big[100] = '\0';
	append(logpath, big);
	/* no newline yet, but over line_max (32): cut now */
	canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 1);
	assert_int_equal(strlen(g.lines[0]), 32);
	assert_int_equal(g.flags[0], CANH_TAIL_CUT);
	append(logpath, "BBB\nshort\n");
	canh_tailer_poll(t, on_line, &g, NULL);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[1], "short");
	assert_int_equal(g.flags[1], 0);
	canh_tailer_get_stats(t, &st);
	assert_int_equal(st.long_lines, 1);
	assert_int_equal(st.bytes_skipped, 100 - 32 + 3);
	canh_tailer_free(t);
}

static void test_bad_state_file(void **state)
{
	struct canh_errmsg em;
	struct canh_tailer *t = canh_tailer_new(NULL);

	append(statepath, "{not json");
	assert_int_equal(canh_tailer_load(t, statepath, &em), CANH_EPARSE);
	assert_non_null(strstr(em.text, "line 1"));
	assert_int_equal(canh_tailer_add(t, ""), CANH_EINVAL);
	canh_tailer_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_first_start_at_end_then_follow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_from_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_rename, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_matched_by_pattern, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncate_and_copytruncate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_no_skip_no_repeat, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_state_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
