/*
 * The agent's log collection (agent/logs.c): the logs message (lines, source, receive time,
 * a valid message for lib/proto.c), the per-source rate cap with its shed counter reported in
 * the message, the message size cap with the rest waiting, offsets committed only when asked
 * (a restart after a commit repeats nothing; without one, the lines come again), and the
 * journal cursor resumed on a real journal directory written by systemd-journal-remote.
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

/* ---- the journal, written by systemd-journal-remote ---- */

#define JOURNAL_REMOTE_PACKAGE "systemd-journal-remote"

static const char *journal_remote_bin(void)
{
	static const char *const paths[] = {
	    "/lib/systemd/systemd-journal-remote",
	    "/usr/lib/systemd/systemd-journal-remote",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	fail_msg("systemd-journal-remote is missing: install the Debian package '%s' "
		 "(scripts/install-deps installs it)",
		 JOURNAL_REMOTE_PACKAGE);
	return NULL;
}

/*
 * Append entries from..from+n-1 to DIR/journal/remote.journal in the Journal Export Format.
 * systemd-journal-remote appends to an existing file, so later calls add to the same file.
 */
static void journal_write(const char *dir, int from, int n)
{
	char cmd[512];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "%s --output=%s/journal/remote.journal --split-mode=none - 2>%s/jr.err",
		 journal_remote_bin(), dir, dir);
	p = popen(cmd, "w");
	assert_non_null(p);
	for (int i = from; i < from + n; i++)
		fprintf(
		    p,
		    "__REALTIME_TIMESTAMP=%lld\n__MONOTONIC_TIMESTAMP=%d\n"
		    "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=jt-host\n"
		    "SYSLOG_IDENTIFIER=sshd\n_COMM=sshd\n_PID=%d\n_SYSTEMD_UNIT=ssh.service\n"
		    "PRIORITY=5\nMESSAGE=Failed password for root from 203.0.113.%d port 22\n\n",
		    1700000000000000LL + i * 1000000LL, 1000 + i, 4000 + i, i);
	st = pclose(p);
	if (st != 0)
		fail_msg("systemd-journal-remote failed (status %d), see %s/jr.err", st, dir);
}

static struct canh_agent_logs *open_journal(void)
{
	char jdir[128];
	struct canh_agent_logs_opts o = {
	    .state_dir = tmpdir, .files = "", .journald = 1, .journal_dir = jdir};
	struct canh_errmsg em;
	struct canh_agent_logs *l;
	struct canh_agent_logs_stats st;

	snprintf(jdir, sizeof(jdir), "%s/journal", tmpdir);
	l = canh_agent_logs_new(&o, &em);
	assert_non_null(l);
	canh_agent_logs_get_stats(l, &st);
	assert_int_equal(st.journal_open, 1);
	return l;
}

/* The message holds exactly entries from..from+n-1, in order, as journal-json lines. */
static void expect_entries(json_t *d, int from, int n)
{
	json_t *lines = json_object_get(d, "lines");
	char want[128];

	assert_int_equal(json_array_size(lines), n);
	for (int i = 0; i < n; i++) {
		json_t *ln = json_array_get(lines, i), *e;
		json_error_t je;
		const char *text = json_string_value(json_object_get(ln, "line"));

		assert_string_equal(json_string_value(json_object_get(ln, "source")), "journald");
		assert_string_equal(json_string_value(json_object_get(ln, "unit")), "ssh.service");
		assert_non_null(text);
		e = json_loads(text, 0, &je);
		if (!e)
			fail_msg("line %d is not JSON: %s", i, text);
		snprintf(want, sizeof(want), "Failed password for root from 203.0.113.%d port 22",
			 from + i);
		assert_string_equal(json_string_value(json_object_get(e, "MESSAGE")), want);
		assert_string_equal(json_string_value(json_object_get(e, "SYSLOG_IDENTIFIER")),
				    "sshd");
		assert_string_equal(json_string_value(json_object_get(e, "_HOSTNAME")), "jt-host");
		assert_string_equal(json_string_value(json_object_get(e, "PRIORITY")), "5");
		assert_string_equal(json_string_value(json_object_get(e, "_COMM")), "sshd");
		snprintf(want, sizeof(want), "%d", 4000 + from + i);
		assert_string_equal(json_string_value(json_object_get(e, "_PID")), want);
		snprintf(want, sizeof(want), "%lld", 1700000000000000LL + (from + i) * 1000000LL);
		assert_string_equal(json_string_value(json_object_get(e, "__REALTIME_TIMESTAMP")),
				    want);
		json_decref(e);
	}
}

/*
 * journald cursor resume, on a real journal directory written by systemd-journal-remote: the
 * history present at the first start is not sent; entries written while running are; after a
 * commit and a restart exactly the entries written meanwhile come, none repeated or skipped;
 * a restart with nothing new gives nothing; without a commit the entries come again.
 */
static void test_journal_cursor_resume(void **state)
{
	struct canh_agent_logs *l;
	struct canh_errmsg em;
	char path[160];
	json_t *d;
	int more = 0;

	snprintf(path, sizeof(path), "%s/journal", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	journal_write(tmpdir, 1, 2); /* history */

	l = open_journal();
	assert_null(message(l, 1000, &more));
	journal_write(tmpdir, 3, 4); /* appended while the collector runs */
	d = message(l, 2000, &more);
	assert_non_null(d);
	assert_int_equal(more, 0);
	expect_entries(d, 3, 4);
	json_decref(d);
	assert_int_equal(canh_agent_logs_commit(l, &em), 0);
	canh_agent_logs_free(l);
	snprintf(path, sizeof(path), "%s/journal-cursor", tmpdir);
	assert_int_equal(access(path, F_OK), 0);

	journal_write(tmpdir, 7, 3); /* while the agent is down */
	l = open_journal();
	d = message(l, 3000, &more);
	assert_non_null(d);
	expect_entries(d, 7, 3);
	json_decref(d);
	assert_null(message(l, 3500, &more));
	/* no commit: a restart sends these three again (at-least-once) */
	canh_agent_logs_free(l);
	l = open_journal();
	d = message(l, 4000, &more);
	assert_non_null(d);
	expect_entries(d, 7, 3);
	json_decref(d);
	assert_int_equal(canh_agent_logs_commit(l, &em), 0);
	canh_agent_logs_free(l);

	/* a restart with no new entries gives nothing */
	l = open_journal();
	assert_null(message(l, 5000, &more));
	canh_agent_logs_free(l);
}

/*
 * A first start that sends nothing, then a restart: the entries written while the agent was
 * down come (the first start's position is saved at once), the history still does not.
 */
static void test_journal_first_start_restart(void **state)
{
	struct canh_agent_logs *l;
	char path[160];
	json_t *d;
	int more = 0;

	snprintf(path, sizeof(path), "%s/journal", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	journal_write(tmpdir, 1, 3); /* history */
	l = open_journal();
	assert_null(message(l, 1000, &more));
	canh_agent_logs_free(l);

	journal_write(tmpdir, 4, 2);
	l = open_journal();
	d = message(l, 2000, &more);
	assert_non_null(d);
	expect_entries(d, 4, 2);
	json_decref(d);
	canh_agent_logs_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lines_and_message_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_cap_sheds_and_reports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_cap_commit_and_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_pattern, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal_cursor_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal_first_start_restart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
