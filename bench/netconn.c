/*
 * bench_netconn: the cost of one connection sample (lib/netconn.c).
 *
 * 1. A busy host's /proc/net/tcp, made up: N sockets (default 100000) in the
 *    kernel's text layout, parsed from memory; sockets/s and ms per file.
 * 2. A live sample of this host (netlink sock_diag dumps, one scan of
 *    /proc/[pid]/fd for the owners) against `ss -tanpu` (the peer: the same
 *    netlink dumps and /proc fd scan for -p, plus its fork and exec), each
 *    run R times; median ms of each and the ratio. Also the same sample read
 *    from the /proc/net files instead of netlink.
 *
 * Usage: bench_netconn [N] [R]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/buf.h"
#include "canh/netconn.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	long r = argc > 2 ? strtol(argv[2], NULL, 10) : 21;
	struct canh_buf text = CANH_BUF_INIT(1u << 30);
	struct canh_netconn_set s;
	struct canh_errmsg err;
	double *t_canh, *t_ss, t0, t;
	char line[256];

	if (n < 1 || n > 5000000 || r < 1 || r > 1000) {
		fprintf(stderr, "usage: bench_netconn [N 1..5000000] [R 1..1000]\n");
		return 2;
	}
	canh_buf_puts(&text, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode\n");
	for (long i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 "%6ld: 0500000A:%04lX %08lX:01BB 01 00000000:00000000 02:000A7D1F "
			 "00000000  1000        0 %ld 2 0000000000000000 20 4 30 10 -1\n",
			 i, 32768 + i % 28000,
			 (unsigned long)((0x0A000000 + (unsigned long)i * 7919) & 0xffffffffUL),
			 100000 + i);
		canh_buf_puts(&text, line);
	}
	canh_netconn_set_init(&s);
	s.max = (size_t)n;
	double best = 1e18;
	for (int k = 0; k < 5; k++) {
		canh_netconn_set_clear(&s);
		t0 = now_ms();
		canh_netconn_parse(&s, canh_buf_cstr(&text), text.len, CANH_NETCONN_TCP, 0);
		t = now_ms() - t0;
		if (t < best)
			best = t;
	}
	printf("parse: %ld sockets (%zu bytes) in %.2f ms: %.1f M sockets/s (kept %zu, bad %zu)\n",
	       n, text.len, best, (double)n / best / 1e3, s.n, s.bad_lines);
	canh_buf_release(&text);

	t_canh = calloc((size_t)r, sizeof(double));
	t_ss = calloc((size_t)r, sizeof(double));
	canh_netconn_set_clear(&s);
	s.max = 0;
	for (long k = 0; k < r; k++) {
		t0 = now_ms();
		if (canh_netconn_read(&s, NULL, &err) != 0)
			fprintf(stderr, "%s\n", err.text);
		canh_netconn_owners(&s, NULL);
		t_canh[k] = now_ms() - t0;
		t0 = now_ms();
		if (system("ss -tanpu > /dev/null 2>&1") != 0)
			fprintf(stderr, "ss failed\n");
		t_ss[k] = now_ms() - t0;
	}
	double mc = median(t_canh, (size_t)r), ms = median(t_ss, (size_t)r);
	for (long k = 0; k < r; k++) {
		t0 = now_ms();
		if (canh_netconn_read(&s, "/", &err) != 0)
			fprintf(stderr, "%s\n", err.text);
		canh_netconn_owners(&s, "/");
		t_canh[k] = now_ms() - t0;
	}
	double mf = median(t_canh, (size_t)r);
	printf("live sample of this host: %zu sockets, %zu processes, %zu fds scanned\n", s.n,
	       s.pids_scanned, s.fds_scanned);
	printf("peer  ss -tanpu:     %.2f ms (median of %ld, includes fork+exec)\n", ms, r);
	printf("canh  netconn sample: %.2f ms (median of %ld)\n", mc, r);
	printf("ratio ss/canh: %.1fx\n", ms / mc);
	printf("canh  from /proc/net files instead of netlink: %.2f ms (median of %ld)\n", mf, r);
	canh_netconn_set_release(&s);
	free(t_canh);
	free(t_ss);
	return 0;
}
