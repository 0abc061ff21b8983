/*
 * Spool: durability, recovery of torn and corrupt segments, bounds, acks.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
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

#include "canh/spool.h"

static char tmpdir[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/canh-spool-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct canh_spool *open_spool(uint64_t max)
{
	struct canh_spool *s = NULL;
	struct canh_errmsg err;
	int rc = canh_spool_open(tmpdir, max, &s, &err);
	if (rc != 0)
		fail_msg("canh_spool_open: %s", err.text);
	return s;
}

static uint64_t append_str(struct canh_spool *s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	uint64_t seq = 0;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(canh_spool_append(s, buf, strlen(buf), &seq), 0);
	return seq;
}

/* Everything after `after`, as "seq:payload;" text. */
struct collect {
	char text[65536];
	size_t len;
	uint64_t seqs[4096];
	size_t n;
	size_t stop_after; /* return non-zero from the callback after this many (0 = never) */
};

static int collect_cb(uint64_t seq, const void *data, size_t len, void *ctx)
{
	struct collect *c = ctx;
	if (c->len < sizeof(c->text) - 1) {
		int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%" PRIu64 ":%.*s;",
				 seq, (int)(len > 200 ? 200 : len), (const char *)data);
		c->len += (size_t)n;
		if (c->len > sizeof(c->text) - 1)
			c->len = sizeof(c->text) - 1;
	}
	if (c->n < 4096)
		c->seqs[c->n] = seq;
	c->n++;
	return c->stop_after && c->n >= c->stop_after;
}

static int read_all(struct canh_spool *s, uint64_t after, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	return canh_spool_read(s, after, SIZE_MAX, SIZE_MAX, collect_cb, c);
}

static int count_segments(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "seg-", 4) == 0 && strstr(e->d_name, ".log") &&
		    !strstr(e->d_name, ".tmp"))
			n++;
	closedir(d);
	return n;
}

static void seg_path(char *buf, size_t len, uint64_t first)
{
	snprintf(buf, len, "%s/seg-%016" PRIx64 ".log", tmpdir, first);
}

static void test_crc32(void **state)
{
	assert_int_equal(canh_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(canh_crc32(0, "", 0), 0);
	/* incremental == one shot */
	assert_int_equal(canh_crc32(canh_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void test_append_read_ack_reopen(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;

	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 1);
	assert_int_equal(st.acked_seq, 0);
	assert_int_equal(st.pending, 0);
	for (int i = 1; i <= 5; i++)
		assert_int_equal(append_str(s, "msg-%d", i), (uint64_t)i);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 6);
	assert_int_equal(st.pending, 5);
	assert_int_equal(st.pending_bytes, 5 * (20 + 5));

	assert_int_equal(read_all(s, 0, &c), 5);
	assert_string_equal(c.text, "1:msg-1;2:msg-2;3:msg-3;4:msg-4;5:msg-5;");
	assert_int_equal(read_all(s, 3, &c), 2);
	assert_string_equal(c.text, "4:msg-4;5:msg-5;");

	assert_int_equal(canh_spool_ack(s, 2), 0);
	assert_int_equal(canh_spool_ack(s, 1), 0);	     /* lower: ignored */
	assert_int_equal(canh_spool_ack(s, 6), CANH_EINVAL); /* never appended */
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.acked_seq, 2);
	assert_int_equal(st.pending, 3);
	assert_int_equal(st.pending_bytes, 3 * 25);
	assert_int_equal(read_all(s, st.acked_seq, &c), 3);
	assert_string_equal(c.text, "3:msg-3;4:msg-4;5:msg-5;");
	canh_spool_free(s);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 6);
	assert_int_equal(st.acked_seq, 2);
	assert_int_equal(st.pending, 3);
	assert_int_equal(st.pending_bytes, 75);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(read_all(s, 2, &c), 3);
	assert_string_equal(c.text, "3:msg-3;4:msg-4;5:msg-5;");
	assert_int_equal(append_str(s, "msg-6"), 6);
	assert_int_equal(read_all(s, 5, &c), 1);
	assert_string_equal(c.text, "6:msg-6;");
	canh_spool_free(s);
}

static void test_read_limits(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct collect c;

	for (int i = 1; i <= 10; i++)
		append_str(s, "%02d-payload", i); /* 10 bytes each */
	memset(&c, 0, sizeof(c));
	assert_int_equal(canh_spool_read(s, 0, 3, SIZE_MAX, collect_cb, &c), 3);
	assert_string_equal(c.text, "1:01-payload;2:02-payload;3:03-payload;");
	/* 25 bytes of payload: two records fit, the third would exceed */
	memset(&c, 0, sizeof(c));
	assert_int_equal(canh_spool_read(s, 3, 100, 25, collect_cb, &c), 2);
	assert_string_equal(c.text, "4:04-payload;5:05-payload;");
	/* a limit below one record still gives one */
	memset(&c, 0, sizeof(c));
	assert_int_equal(canh_spool_read(s, 5, 100, 1, collect_cb, &c), 1);
	assert_string_equal(c.text, "6:06-payload;");
	/* the callback stops the walk */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(canh_spool_read(s, 0, 100, SIZE_MAX, collect_cb, &c), 2);
	/* nothing after the last */
	assert_int_equal(read_all(s, 10, &c), 0);
	assert_int_equal(read_all(s, 1000, &c), 0);
	canh_spool_free(s);
}

static void test_seq_never_reused(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;

	for (int i = 0; i < 7; i++)
		append_str(s, "x%d", i);
	assert_int_equal(canh_spool_ack(s, 7), 0);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.pending_bytes, 0);
	assert_int_equal(count_segments(), 0); /* everything delivered: no segment left */
	canh_spool_free(s);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 8);
	assert_int_equal(st.acked_seq, 7);
	assert_int_equal(append_str(s, "after"), 8);
	assert_int_equal(read_all(s, 7, &c), 1);
	assert_string_equal(c.text, "8:after;");
	canh_spool_free(s);
}

static void test_torn_tail(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;
	char path[256];
	struct stat sb;

	for (int i = 1; i <= 4; i++)
		append_str(s, "record-%d", i); /* 8 bytes: 28 on disk */
	canh_spool_free(s);

	/* a crash mid-write: the 4th record cut in its payload, then garbage */
	seg_path(path, sizeof(path), 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 4 * 28);
	assert_int_equal(truncate(path, 3 * 28 + 23), 0);
	int fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\xde\xad\xbe\xef garbage", 12), 12);
	close(fd);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 3);
	assert_int_equal(st.next_seq, 4); /* seq 4 was never reported durable... */
	assert_int_equal(st.truncated, 23 + 12);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 3 * 28);
	assert_int_equal(read_all(s, 0, &c), 3);
	assert_string_equal(c.text, "1:record-1;2:record-2;3:record-3;");
	/* ... so it is given again, and the spool goes on */
	assert_int_equal(append_str(s, "record-4b"), 4);
	canh_spool_free(s);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(read_all(s, 0, &c), 4);
	assert_string_equal(c.text, "1:record-1;2:record-2;3:record-3;4:record-4b;");
	canh_spool_free(s);
}

static void test_torn_header_only(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;
	char path[256];

	append_str(s, "one");
	append_str(s, "two");
	canh_spool_free(s);
	seg_path(path, sizeof(path), 1);
	/* cut inside the second record's header */
	assert_int_equal(truncate(path, 23 + 7), 0);
	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 1);
	assert_int_equal(st.truncated, 7);
	assert_int_equal(read_all(s, 0, &c), 1);
	assert_string_equal(c.text, "1:one;");
	canh_spool_free(s);
}

static void test_corrupt_middle(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;
	char path[256];

	for (int i = 1; i <= 5; i++)
		append_str(s, "payload-%d", i); /* 9 bytes: 29 on disk */
	canh_spool_free(s);

	/* flip a payload byte of record 3: its CRC no longer matches */
	seg_path(path, sizeof(path), 1);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 2 * 29 + 20 + 2), 1);
	close(fd);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.truncated, 29);
	assert_int_equal(st.pending, 4);
	assert_int_equal(st.next_seq, 6); /* 4 and 5 survived: seq goes on after them */
	assert_int_equal(read_all(s, 0, &c), 4);
	assert_string_equal(c.text, "1:payload-1;2:payload-2;4:payload-4;5:payload-5;");
	assert_int_equal(append_str(s, "payload-6"), 6);
	canh_spool_free(s);

	/* the repair was written: a second open finds nothing wrong */
	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(st.pending, 5);
	assert_int_equal(read_all(s, 0, &c), 5);
	assert_string_equal(c.text, "1:payload-1;2:payload-2;4:payload-4;5:payload-5;6:payload-6;");
	canh_spool_free(s);
}

static void test_corrupt_length_and_magic(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;
	char path[256];

	for (int i = 1; i <= 4; i++)
		append_str(s, "payload-%d", i);
	canh_spool_free(s);
	seg_path(path, sizeof(path), 1);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	/* record 2: a huge length; record 3: a broken magic */
	assert_int_equal(pwrite(fd, "\xff\xff\xff\x7f", 4, 29 + 4), 4);
	assert_int_equal(pwrite(fd, "Z", 1, 2 * 29), 1);
	close(fd);

	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.truncated, 2 * 29);
	assert_int_equal(read_all(s, 0, &c), 2);
	assert_string_equal(c.text, "1:payload-1;4:payload-4;");
	canh_spool_free(s);
}

static void test_full(void **state)
{
	struct canh_spool *s = open_spool(64 * 1024);
	struct canh_spool_stats st;
	struct collect c;
	char rec[1000];
	uint64_t seq, accepted = 0;
	int rc;

	memset(rec, 'a', sizeof(rec));
	for (int i = 0; i < 100; i++) {
		rc = canh_spool_append(s, rec, sizeof(rec), &seq);
		if (rc == 0)
			accepted++;
		else
			assert_int_equal(rc, CANH_EFULL);
	}
	canh_spool_get_stats(s, &st);
	assert_int_equal(accepted, 64 * 1024 / 1020);
	assert_int_equal(st.pending, accepted);
	assert_int_equal(st.refused, 100 - accepted);
	assert_true(st.pending_bytes <= 64 * 1024);
	assert_int_equal(st.next_seq, accepted + 1); /* a refusal takes no seq */
	/* nothing accepted was lost */
	assert_int_equal(read_all(s, 0, &c), (int)accepted);
	for (size_t i = 0; i < c.n; i++)
		assert_int_equal(c.seqs[i], i + 1);
	/* what still fits is taken, what does not is refused (256 bytes are left) */
	assert_int_equal(canh_spool_append(s, rec, 300, NULL), CANH_EFULL);
	assert_int_equal(canh_spool_append(s, rec, 200, &seq), 0);
	assert_int_equal(seq, ++accepted);
	/* 36 bytes left: a 17-byte payload (37 on disk) is refused, 16 fills the spool exactly */
	assert_int_equal(canh_spool_append(s, rec, 17, NULL), CANH_EFULL);
	assert_int_equal(canh_spool_append(s, rec, 16, &seq), 0);
	assert_int_equal(seq, ++accepted);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending_bytes, 64 * 1024);
	assert_int_equal(canh_spool_append(s, rec, 0, NULL), CANH_EFULL);
	/* once delivered, there is room again */
	assert_int_equal(canh_spool_ack(s, 10), 0);
	assert_int_equal(canh_spool_append(s, rec, sizeof(rec), &seq), 0);
	assert_int_equal(seq, accepted + 1);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.refused, 100 - (accepted - 2) + 3);
	canh_spool_free(s);
	/* refusals count since open */
	s = open_spool(64 * 1024);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.pending, accepted + 1 - 10);
	canh_spool_free(s);
}

static void test_too_big(void **state)
{
	struct canh_spool *s = open_spool(UINT64_MAX);
	assert_int_equal(canh_spool_append(s, "x", (size_t)CANH_SPOOL_MAX_RECORD + 1, NULL),
			 CANH_ETOOBIG);
	canh_spool_free(s);
}

static void test_segments_roll_and_delete(void **state)
{
	struct canh_spool *s = open_spool(64u * 1024 * 1024);
	struct canh_spool_stats st;
	struct collect c;
	size_t big = 1024 * 1024;
	char *rec = malloc(big);
	uint64_t seq;

	assert_non_null(rec);
	memset(rec, 'b', big);
	/* 1 MiB records: four fill a 4 MiB segment... almost; the fourth rolls */
	for (int i = 1; i <= 10; i++) {
		rec[0] = (char)('0' + i % 10);
		assert_int_equal(canh_spool_append(s, rec, big, &seq), 0);
	}
	int nseg = count_segments();
	assert_true(nseg >= 3);
	/* acknowledging the first record frees no segment */
	assert_int_equal(canh_spool_ack(s, 1), 0);
	assert_int_equal(count_segments(), nseg);
	/* the first segment holds 1..3 (4 * (1 MiB + 20) > 4 MiB) */
	char path[256];
	seg_path(path, sizeof(path), 1);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(canh_spool_ack(s, 3), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_segments(), nseg - 1);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 7);
	assert_int_equal(st.pending_bytes, 7 * (big + 20));

	/* reads across segment boundaries, with and without the cursor */
	memset(&c, 0, sizeof(c));
	assert_int_equal(canh_spool_read(s, 3, 100, 3 * big, collect_cb, &c), 3);
	assert_int_equal(c.seqs[0], 4);
	assert_int_equal(c.seqs[2], 6);
	memset(&c, 0, sizeof(c));
	assert_int_equal(canh_spool_read(s, 6, 100, SIZE_MAX, collect_cb, &c), 4);
	assert_int_equal(c.seqs[0], 7);
	assert_int_equal(c.seqs[3], 10);
	canh_spool_free(s);

	/* across a reopen, the partly acknowledged state is rebuilt */
	s = open_spool(64u * 1024 * 1024);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 7);
	assert_int_equal(st.acked_seq, 3);
	assert_int_equal(canh_spool_ack(s, 10), 0);
	assert_int_equal(count_segments(), 0);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.pending_bytes, 0);
	canh_spool_free(s);
	free(rec);
}

static void test_bump_seq(void **state)
{
	struct canh_spool *s = open_spool(1 << 20);
	struct canh_spool_stats st;
	struct collect c;

	append_str(s, "a");
	append_str(s, "b");
	assert_int_equal(canh_spool_bump_seq(s, 2), 0); /* lower than next: no change */
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 3);
	assert_int_equal(canh_spool_bump_seq(s, 100), 0);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 100);
	canh_spool_free(s);

	/* persisted even without an append after it */
	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 100);
	assert_int_equal(st.pending, 2);
	assert_int_equal(append_str(s, "c"), 100);
	/* acknowledging up to 99 (what the server holds) frees the old records */
	assert_int_equal(canh_spool_ack(s, 99), 0);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.pending, 1);
	assert_int_equal(read_all(s, 99, &c), 1);
	assert_string_equal(c.text, "100:c;");
	assert_int_equal(canh_spool_bump_seq(s, UINT64_MAX), CANH_ERANGE);
	canh_spool_free(s);
}

static void test_locked(void **state)
{
	struct canh_spool *s = open_spool(1 << 20), *s2 = NULL;
	struct canh_errmsg err;

	assert_int_equal(canh_spool_open(tmpdir, 1 << 20, &s2, &err), CANH_EAGAIN);
	assert_null(s2);
	assert_non_null(strstr(err.text, "in use"));
	canh_spool_free(s);
	assert_int_equal(canh_spool_open(tmpdir, 1 << 20, &s2, &err), 0);
	canh_spool_free(s2);
}

static void test_bad_acked_file(void **state)
{
	struct canh_spool *s = NULL;
	struct canh_errmsg err;
	char path[256];

	snprintf(path, sizeof(path), "%s/acked", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("12abc\n", f);
	fclose(f);
	assert_int_equal(canh_spool_open(tmpdir, 1 << 20, &s, &err), CANH_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(err.text, "acked"));
}

static void test_foreign_files_ignored(void **state)
{
	struct canh_spool *s;
	struct canh_spool_stats st;
	char path[256];

	snprintf(path, sizeof(path), "%s/seg-README.log", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a segment\n", f);
	fclose(f);
	/* an empty segment (a crash right after creating it) */
	seg_path(path, sizeof(path), 1);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	s = open_spool(1 << 20);
	canh_spool_get_stats(s, &st);
	assert_int_equal(st.next_seq, 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(append_str(s, "first"), 1);
	canh_spool_free(s);
	snprintf(path, sizeof(path), "%s/seg-README.log", tmpdir);
	assert_int_equal(access(path, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),
	    cmocka_unit_test_setup_teardown(test_append_read_ack_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seq_never_reused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_header_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_middle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_length_and_magic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segments_roll_and_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bump_seq, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_acked_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_files_ignored, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
