/*
 * Version comparisons per second on one core, over real version pairs.
 *
 *   bench_vercmp [STATUS_FILE] [SECONDS]
 *
 * The versions are this machine's installed packages, read from the dpkg
 * status file at run time (default /var/lib/dpkg/status): each package's
 * version and its source version. Pairs are drawn from them with a fixed
 * seed (a fifth of them identical, as in matching an inventory against fix
 * versions, where "already the fixed version" is common).
 *
 * Figures: canh_vercmp_dpkg and canh_vercmp_rpm_evr over the pairs, and
 * the peer, a straightforward port the way dpkg itself compares two version
 * strings (parseversion copies each string into a struct with malloc'd
 * parts, then verrevcmp on C strings), measured in the same run; the ratio
 * is canh / peer. The research behind issue 4 measured ~35 M/s for such a
 * port. Time is the thread's CPU time, so that other work on a shared
 * machine does not count against a figure that is per core.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canh/config.h"
#include "canh/dpkg.h"
#include "canh/mem.h"
#include "canh/vercmp.h"

#define MAX_VERSIONS 200000
#define NPAIRS 65536

struct versions {
	char **v;
	size_t n;
};

static void add(struct versions *vs, const char *s)
{
	if (vs->n < MAX_VERSIONS && s && *s)
		vs->v[vs->n++] = canh_xstrdup(s);
}

static int collect(const struct canh_pkg *p, void *ctx)
{
	add(ctx, p->version);
	if (p->source_version && strcmp(p->source_version, p->version) != 0)
		add(ctx, p->source_version);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The peer: what dpkg does per comparison (split into allocated parts, then compare). */
struct split {
	unsigned long epoch;
	char *version, *revision;
};

static void peer_parse(const char *s, struct split *out)
{
	const char *colon = strchr(s, ':');
	out->epoch = 0;
	if (colon) {
		char *end;
		out->epoch = strtoul(s, &end, 10);
		s = colon + 1;
	}
	out->version = canh_xstrdup(s);
	char *hyphen = strrchr(out->version, '-');
	if (hyphen)
		*hyphen++ = '\0';
	out->revision = canh_xstrdup(hyphen ? hyphen : "");
}

static int peer_order(int c)
{
	if (c >= '0' && c <= '9')
		return 0;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int peer_verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;
		while ((*a && !(*a >= '0' && *a <= '9')) || (*b && !(*b >= '0' && *b <= '9'))) {
			int ac = peer_order(*a), bc = peer_order(*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (*a >= '0' && *a <= '9')
			return 1;
		if (*b >= '0' && *b <= '9')
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

static int peer_cmp(const char *a, const char *b)
{
	struct split x, y;
	int rc;
	peer_parse(a, &x);
	peer_parse(b, &y);
	if (x.epoch != y.epoch)
		rc = x.epoch > y.epoch ? 1 : -1;
	else if ((rc = peer_verrevcmp(x.version, y.version)) == 0)
		rc = peer_verrevcmp(x.revision, y.revision);
	free(x.version);
	free(x.revision);
	free(y.version);
	free(y.revision);
	return rc;
}

typedef int (*cmp_fn)(const char *a, const char *b);

/* Comparisons per second of fn over the pairs for about `secs` seconds. */
static double measure(cmp_fn fn, const char **pa, const char **pb, double secs, long *checksum)
{
	uint64_t n = 0;
	long sum = 0;
	double t0 = now(), t;
	do {
		for (size_t i = 0; i < NPAIRS; i++)
			sum += fn(pa[i], pb[i]) > 0;
		n += NPAIRS;
		t = now() - t0;
	} while (t < secs);
	*checksum = sum;
	return (double)n / t;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/var/lib/dpkg/status";
	int64_t secs = 2;
	struct versions vs = {canh_xcalloc(MAX_VERSIONS, sizeof(char *)), 0};
	struct canh_errmsg err;

	if (argc > 2 && canh_parse_int64(argv[2], 1, 600, &secs) != 0) {
		fprintf(stderr, "bad SECONDS '%s'\n", argv[2]);
		return 2;
	}
	if (canh_dpkg_parse_file(path, collect, &vs, NULL, &err) != 0) {
		fprintf(stderr, "cannot read '%s': %s\n", path, err.text);
		return 1;
	}
	if (vs.n < 2) {
		fprintf(stderr, "'%s' holds fewer than two versions\n", path);
		return 1;
	}

	const char **pa = canh_xcalloc(NPAIRS, sizeof(char *));
	const char **pb = canh_xcalloc(NPAIRS, sizeof(char *));
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t same = 0, total_len = 0;
	for (size_t i = 0; i < NPAIRS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pa[i] = vs.v[x % vs.n];
		pb[i] = x % 5 == 0 ? pa[i] : vs.v[(x >> 20) % vs.n];
		same += pa[i] == pb[i];
		total_len += strlen(pa[i]) + strlen(pb[i]);
	}
	printf("bench_vercmp: %zu versions from %s, %d pairs (%zu identical), mean length %.1f, "
	       "%lld s per figure\n",
	       vs.n, path, NPAIRS, same, (double)total_len / (2.0 * NPAIRS), (long long)secs);

	/* Both must give the same order on every pair, or the figures compare nothing. */
	for (size_t i = 0; i < NPAIRS; i++) {
		int p = peer_cmp(pa[i], pb[i]), c = canh_vercmp_dpkg(pa[i], pb[i]);
		if ((p > 0) - (p < 0) != c) {
			fprintf(stderr, "peer and canh disagree on '%s' '%s'\n", pa[i], pb[i]);
			return 1;
		}
	}
	long c1, c2, c3;
	double peer = measure(peer_cmp, pa, pb, (double)secs, &c1);
	double dpkg = measure(canh_vercmp_dpkg, pa, pb, (double)secs, &c2);
	double rpm = measure(canh_vercmp_rpm_evr, pa, pb, (double)secs, &c3);
	printf("peer (dpkg's way: parseversion copies + verrevcmp): %8.2f M comparisons/s/core\n",
	       peer / 1e6);
	printf("canh dpkg order (canh_vercmp_dpkg):                 %8.2f M comparisons/s/core\n",
	       dpkg / 1e6);
	printf("canh rpm order (canh_vercmp_rpm_evr):               %8.2f M comparisons/s/core\n",
	       rpm / 1e6);
	printf("ratio canh dpkg / peer: %.2fx; research reference for a straightforward port: "
	       "~35 M/s\n",
	       dpkg / peer);

	for (size_t i = 0; i < vs.n; i++)
		free(vs.v[i]);
	free(vs.v);
	free(pa);
	free(pb);
	return 0;
}
