/*
 * The agent's log collection (agent/logs.c): the logs message (lines, source, receive time,
 * a valid message for lib/proto.c), the per-source rate cap with its shed counter reported in
 * the message, the message size cap with the rest waiting, offsets committed only when asked
 * (a restart after a commit repeats nothing; without one, the lines come again), and the
 * journal cursor resumed through a real sd-journal read (skipped when no journal is readable).
 */
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "canh/proto.h"
#include "logs.h"

static char tmpdir[64], logfile[128], pattern[128];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/canh-agent-logs-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(logfile, sizeof(logfile), "%s/app.log", tmpdir);
	snprintf(pattern, sizeof(pattern), " %s/*.log , ", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void append_lines(int from, int n)
{
	FILE *f = fopen(logfile, "a");
	assert_non_null(f);
	for (int i = from; i < from + n; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
}

static struct canh_agent_logs *open_logs(int64_t rate_lines, size_t max_lines)
{
	struct canh_agent_logs_opts o = {
	    .state_dir = tmpdir,
	    .files = pattern,
	    .journald = 0,
	    .from_start = 1,
	    .rate_lines = rate_lines,
	    .max_lines = max_lines,
	};
	struct canh_errmsg em;
	struct canh_agent_logs *l = canh_agent_logs_new(&o, &em);
	assert_non_null(l);
	return l;
}

/* One message as its data object (NULL when nothing was produced); checks it validates. */
static json_t *message(struct canh_agent_logs *l, int64_t now, int *more)
{
	char *text = NULL;
	size_t len = 0;
	json_error_t je;
	struct canh_errmsg em;
	json_t *m, *data;

	assert_int_equal(canh_agent_logs_message(l, now, &text, &len, more), 0);
	if (!text)
		return NULL;
	m = json_loadb(text, len, 0, &je);
	free(text);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "type")), "logs");
	data = json_incref(json_object_get(m, "data"));
	json_decref(m);
	if (canh_proto_validate_logs(data, &em) != 0)
		fail_msg("message does not validate: %s", em.text);
	return data;
}

static void test_lines_and_message_shape(void **state)
{
	struct canh_agent_logs *l = open_logs(0, 0);
	json_t *d, *line;
	int more = 0;

	append_lines(0, 3);
	d = message(l, 1000000, &more);
	assert_non_null(d);
	assert_int_equal(more, 0);
	assert_int_equal(json_array_size(json_object_get(d, "lines")), 3);
	line = json_array_get(json_object_get(d, "lines"), 2);
	assert_string_equal(json_string_value(json_object_get(line, "line")), "line 2");
	assert_string_equal(json_string_value(json_object_get(line, "source")), "file");
	assert_string_equal(json_string_value(json_object_get(line, "path")), logfile);
	assert_string_equal(json_string_value(json_object_get(line, "recv")),
			    "1970-01-01T00:16:40.000Z");
	json_decref(d);
	/* nothing new: no message */
	assert_null(message(l, 1001000, &more));
	canh_agent_logs_free(l);
}

static void test_rate_cap_sheds_and_reports(void **state)
{
	struct canh_agent_logs *l = open_logs(3, 0);
	struct canh_agent_logs_stats st;
	json_t *d, *shed;
	int more = 0;

	append_lines(0, 10);
	d = message(l, 5000, &more);
	assert_int_equal(json_array_size(json_object_get(d, "lines")), 3);
	shed = json_array_get(json_object_get(d, "shed"), 0);
	assert_non_null(shed);
	assert_string_equal(json_string_value(json_object_get(shed, "path")), logfile);
	assert_int_equal(json_integer_value(json_object_get(shed, "lines")), 7);
	assert_int_equal(json_integer_value(json_object_get(shed, "bytes")), 7 * 6);
	json_decref(d);
	/* a second later the bucket is full again; the shed count was reported once */
	append_lines(10, 2);
	d = message(l, 6000, &more);
	assert_int_equal(json_array_size(json_object_get(d, "lines")), 2);
	assert_int_equal(json_array_size(json_object_get(d, "shed")), 0);
	json_decref(d);
	canh_agent_logs_get_stats(l, &st);
	assert_int_equal(st.shed_lines, 7);
	assert_int_equal(st.lines, 5);
	canh_agent_logs_free(l);
}

static void test_size_cap_commit_and_restart(void **state)
{
	struct canh_agent_logs *l = open_logs(0, 2);
	struct canh_errmsg em;
	json_t *d;
	int more = 0;

	append_lines(0, 5);
	d = message(l, 1000, &more);
	assert_int_equal(json_array_size(json_object_get(d, "lines")), 2);
	assert_int_equal(more, 1);
	json_decref(d);
	assert_int_equal(canh_agent_logs_commit(l, &em), 0);
	canh_agent_logs_free(l);

	/* restarted after the commit: line 2 comes next, not line 0 */
	l = open_logs(0, 2);
	d = message(l, 2000, &more);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(d, "lines"), 0), "line")),
			    "line 2");
	json_decref(d);
	/* no commit this time (the spool refused the message): after a restart the same lines */
	canh_agent_logs_free(l);
	l = open_logs(0, 10);
	d = message(l, 3000, &more);
	assert_int_equal(json_array_size(json_object_get(d, "lines")), 3);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(d, "lines"), 0), "line")),
			    "line 2");
	json_decref(d);
	canh_agent_logs_free(l);
}

static void test_bad_pattern(void **state)
{
	struct canh_agent_logs_opts o = {.state_dir = tmpdir, .files = "", .journald = 0};
	struct canh_errmsg em;
	struct canh_agent_logs *l;
	char big[5000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	o.files = big;
	assert_null(canh_agent_logs_new(&o, &em));
	assert_non_null(strstr(em.text, "log_files"));
	o.files = "";
	l = canh_agent_logs_new(&o, &em);
	assert_non_null(l);
	canh_agent_logs_free(l);
}

/*
 * The journal cursor: a saved cursor makes the collector resume right after that entry. Needs
 * a readable system journal with at least three entries; skipped otherwise.
 */
static void test_journal_cursor_resume(void **state)
{
	struct canh_agent_logs_opts o = {.state_dir = tmpdir, .files = "", .journald = 1};
	char *cursor = NULL, path[160], *after = NULL;
	struct canh_errmsg em;
	struct canh_agent_logs *l;
	sd_journal *j;
	json_t *d;
	int more = 0, n = 0;
	FILE *f;

	if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) < 0)
		skip();
	/* the third entry from the end, and the cursor of the one after it */
	if (sd_journal_seek_tail(j) < 0) {
		sd_journal_close(j);
		skip();
	}
	while (n < 3 && sd_journal_previous(j) > 0)
		n++;
	if (n < 3 || sd_journal_get_cursor(j, &cursor) < 0) {
		sd_journal_close(j);
		skip();
	}
	if (sd_journal_next(j) > 0)
		sd_journal_get_cursor(j, &after);
	sd_journal_close(j);
	assert_non_null(after);

	snprintf(path, sizeof(path), "%s/journal-cursor", tmpdir);
	f = fopen(path, "w");
	fputs(cursor, f);
	fclose(f);
	l = canh_agent_logs_new(&o, &em);
	d = message(l, 1000, &more);
	assert_non_null(d);
	/* at least the two entries after the saved one (more may have been written since) */
	assert_true(json_array_size(json_object_get(d, "lines")) >= 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(d, "lines"), 0), "source")),
			    "journald");
	json_decref(d);
	assert_int_equal(canh_agent_logs_commit(l, &em), 0);
	canh_agent_logs_free(l);
	/* the cursor moved past the entry after the saved one */
	char *saved = NULL;
	f = fopen(path, "r");
	assert_non_null(f);
	size_t cap = 0;
	assert_true(getline(&saved, &cap, f) > 0);
	fclose(f);
	assert_string_not_equal(saved, cursor);
	free(saved);
	free(cursor);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lines_and_message_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_cap_sheds_and_reports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_cap_commit_and_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_pattern, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal_cursor_resume, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
