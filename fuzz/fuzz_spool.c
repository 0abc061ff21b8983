/*
 * Spool recovery: the input is a segment file found on disk at start (the
 * first byte chooses the acknowledged seq, 0..7). Opening must never crash,
 * and what it keeps must be consistent: strictly increasing seqs above the
 * ack, stats that match, appends that continue the sequence, and a second
 * open that finds nothing left to repair.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void clean(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

static void cleanup_dir(void)
{
	clean();
	rmdir(dir);
}

struct walk {
	uint64_t prev, n, bytes;
};

static int visit(uint64_t seq, const void *p, size_t len, void *ctx)
{
	struct walk *w = ctx;
	if (seq <= w->prev)
		__builtin_trap();
	w->prev = seq;
	w->n++;
	w->bytes += 20 + len;
	return 0;
}

static void write_file(const char *name, const void *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_spool *s = NULL;
	struct canh_spool_stats st, st2;
	struct walk w;
	char acked[8];
	uint64_t seq;

	if (!dir[0]) {
		/* tmpfs when there is one: the spool fsyncs on every append */
		snprintf(dir, sizeof(dir), "%s/canh-fuzz-spool-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup_dir);
	}
	clean();
	if (size == 0)
		return 0;
	snprintf(acked, sizeof(acked), "%u\n", data[0] % 8);
	write_file("acked", acked, strlen(acked));
	write_file("seg-0000000000000001.log", data + 1, size - 1);

	if (canh_spool_open(dir, UINT64_MAX, &s, NULL) != 0)
		return 0;
	canh_spool_get_stats(s, &st);
	memset(&w, 0, sizeof(w));
	w.prev = st.acked_seq;
	if (canh_spool_read(s, st.acked_seq, SIZE_MAX, SIZE_MAX, visit, &w) < 0)
		__builtin_trap(); /* recovery left something unreadable */
	if (w.n != st.pending || w.bytes != st.pending_bytes || st.next_seq <= w.prev ||
	    st.next_seq <= st.acked_seq)
		__builtin_trap();
	if (canh_spool_append(s, "{}", 2, &seq) != 0 || seq != st.next_seq)
		__builtin_trap();
	if (canh_spool_ack(s, seq - 1 > st.acked_seq ? seq - 1 : st.acked_seq) != 0)
		__builtin_trap();
	canh_spool_get_stats(s, &st);
	canh_spool_free(s);
	s = NULL;

	if (canh_spool_open(dir, UINT64_MAX, &s, NULL) != 0)
		__builtin_trap();
	canh_spool_get_stats(s, &st2);
	if (st2.truncated != 0 || st2.next_seq != st.next_seq || st2.pending != st.pending ||
	    st2.pending_bytes != st.pending_bytes || st2.acked_seq != st.acked_seq)
		__builtin_trap();
	canh_spool_free(s);
	return 0;
}
