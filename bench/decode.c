/*
 * bench_decode: decode-only throughput of canh's decoders (no rules), the
 * part of `canh logtest` that turns lines into events.
 *
 *   bench_decode [--format NAME] FILE
 *
 * The file is mapped and split on newlines; each line goes through
 * canh_decode_line into one reused event. Prints lines, seconds (CPU time of
 * the process), lines/s, and how many events carried an Action (the share
 * the message decoders recognised). The peer figure for the same file
 * (fail2ban-regex with its sshd filter) is printed by bench/logtest.sh,
 * which runs the whole pipeline.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "canh/decode.h"
#include "canh/event.h"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	enum canh_log_format fmt = CANH_LOG_AUTO;
	int i = 1;
	if (argc > 3 && strcmp(argv[1], "--format") == 0) {
		if (canh_log_format_parse(argv[2], &fmt) != 0) {
			fprintf(stderr, "bench_decode: unknown format '%s'\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: bench_decode [--format NAME] FILE\n");
		return 2;
	}
	int fd = open(argv[i], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "bench_decode: cannot read '%s'\n", argv[i]);
		return 1;
	}
	const char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED) {
		fprintf(stderr, "bench_decode: cannot map '%s'\n", argv[i]);
		return 1;
	}
	madvise((void *)data, (size_t)st.st_size, MADV_SEQUENTIAL);
	struct canh_decoder_ctx ctx;
	struct canh_event ev;
	canh_decoder_init(&ctx);
	canh_event_init(&ev);
	int action = canh_field_id("Action");
	struct canh_log_source src = {
	    .path = argv[i], .host = "bench", .mtime_ms = (int64_t)st.st_mtime * 1000};
	/* Touch the pages first so the figure is decoding, not disk. */
	volatile unsigned sum = 0;
	for (off_t k = 0; k < st.st_size; k += 4096)
		sum += (unsigned char)data[k];
	unsigned long lines = 0, acted = 0, events = 0;
	double t0 = cpu_s();
	const char *p = data, *end = data + st.st_size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (canh_decode_line(&ctx, p, (size_t)(le - p), fmt, &src, &ev) ==
		    CANH_DECODE_EVENT) {
			events++;
			if (canh_event_get(&ev, action, NULL))
				acted++;
		}
		while (canh_decode_next(&ctx, &ev) == CANH_DECODE_EVENT)
			events++;
		lines++;
		p = le + 1;
	}
	while (canh_decode_finish(&ctx, &ev) == CANH_DECODE_EVENT)
		events++;
	double t = cpu_s() - t0;
	printf("canh decode: %lu lines, %lu events, %lu with Action, %.3f s CPU, %.0f lines/s\n",
	       lines, events, acted, t, t > 0 ? (double)lines / t : 0.0);
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
	munmap((void *)data, (size_t)st.st_size);
	close(fd);
	return 0;
}
