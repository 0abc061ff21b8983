/*
 * Spool throughput: durable appends per second (each one fsync'd, as the
 * agent does), then reads and acks per second over the same records.
 *
 *   bench_spool [DIR] [SECONDS] [RECORD_BYTES]
 *
 * DIR defaults to a new directory under $TMPDIR or /var/tmp (a real disk:
 * on tmpfs fsync costs nothing and the figure means little).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/config.h"
#include "canh/spool.h"
#include "canh/time.h"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int count_cb(uint64_t seq, const void *data, size_t len, void *ctx)
{
	*(uint64_t *)ctx += len;
	return 0;
}

int main(int argc, char **argv)
{
	char tmp[256];
	const char *dir;
	int64_t secs = 3, size = 200;
	struct canh_spool *s = NULL;
	struct canh_spool_stats st;
	struct canh_errmsg err;
	char *rec;
	uint64_t n = 0, seq = 0, bytes = 0, reads = 0;
	int made = 0;

	if (argc > 2 && canh_parse_int64(argv[2], 1, 3600, &secs) != 0) {
		fprintf(stderr, "bad SECONDS '%s'\n", argv[2]);
		return 2;
	}
	if (argc > 3 && canh_parse_int64(argv[3], 1, 1 << 20, &size) != 0) {
		fprintf(stderr, "bad RECORD_BYTES '%s'\n", argv[3]);
		return 2;
	}
	if (argc > 1) {
		dir = argv[1];
	} else {
		const char *t = getenv("TMPDIR");
		snprintf(tmp, sizeof(tmp), "%s/canh-bench-spool-XXXXXX", t && *t ? t : "/var/tmp");
		if (!mkdtemp(tmp)) {
			perror(tmp);
			return 1;
		}
		dir = tmp;
		made = 1;
	}
	if (canh_spool_open(dir, UINT64_MAX, &s, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		return 1;
	}
	rec = malloc((size_t)size);
	memset(rec, 'r', (size_t)size);

	int64_t t0 = canh_mono_ms(), end = t0 + secs * 1000;
	while (canh_mono_ms() < end) {
		if (canh_spool_append(s, rec, (size_t)size, &seq) != 0) {
			fprintf(stderr, "append failed\n");
			return 1;
		}
		n++;
	}
	double dt = (double)(canh_mono_ms() - t0) / 1000.0;
	printf("append (fsync each): %llu records of %lld bytes in %.2f s: %.0f appends/s, "
	       "%.2f ms each\n",
	       (unsigned long long)n, (long long)size, dt, (double)n / dt, dt * 1000.0 / (double)n);

	/* read everything in batches of 500, as the uplink does, without acking */
	t0 = canh_mono_ms();
	uint64_t after = 0;
	for (;;) {
		uint64_t b = 0;
		int r = canh_spool_read(s, after, 500, 4u << 20, count_cb, &b);
		if (r < 0) {
			fprintf(stderr, "read failed: %d\n", r);
			return 1;
		}
		if (r == 0)
			break;
		reads += (uint64_t)r;
		bytes += b;
		after += (uint64_t)r;
	}
	dt = (double)(canh_mono_ms() - t0) / 1000.0;
	if (dt <= 0)
		dt = 0.001;
	printf("read (batches of 500): %llu records, %.1f MiB in %.3f s: %.0f reads/s\n",
	       (unsigned long long)reads, (double)bytes / 1048576.0, dt, (double)reads / dt);

	/* ack batch by batch, then read-after-ack as the uplink alternates them */
	t0 = canh_mono_ms();
	uint64_t acks = 0;
	for (uint64_t a = 500; a < seq + 500; a += 500) {
		uint64_t b = 0;
		if (canh_spool_ack(s, a < seq ? a : seq) != 0 ||
		    canh_spool_read(s, a < seq ? a : seq, 500, 4u << 20, count_cb, &b) < 0) {
			fprintf(stderr, "ack/read failed\n");
			return 1;
		}
		acks++;
	}
	dt = (double)(canh_mono_ms() - t0) / 1000.0;
	if (dt <= 0)
		dt = 0.001;
	canh_spool_get_stats(s, &st);
	printf(
	    "ack+read of 500-record batches: %llu in %.3f s: %.0f batches/s (pending now %llu)\n",
	    (unsigned long long)acks, dt, (double)acks / dt, (unsigned long long)st.pending);
	canh_spool_free(s);
	free(rec);
	if (made)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
