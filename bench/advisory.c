/*
 * bench_advisory: parse a Debian Security Tracker JSON with canh's streaming
 * parser, or load it whole as a jansson tree and walk it (the peer: what an
 * import that reads the file as one document costs).
 *
 *   bench_advisory [--jansson] [--release NAME] [--only PACKAGE] FILE
 *
 * --only reads one source package's records and skips the rest unbuilt.
 *
 * Prints one line: mode, seconds, records, affected entries, MB/s. Run each
 * mode under /usr/bin/time -v for peak RSS (bench/advisory.sh does both and
 * prints the ratio).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "canh/advisory.h"
#include "canh/time.h"

/* The file's pages count in RSS while mapped; the heap is RssAnon. */
static void print_rss(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	printf("%s:", when);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "RssAnon:", 8) == 0 || strncmp(line, "RssFile:", 8) == 0)
			printf(" %.*s", (int)strcspn(line, "\n"), line);
	printf("\n");
	fclose(f);
}

static const char *only;

static int want_cb(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return strlen(only) == len && memcmp(name, only, len) == 0;
}

static int count_cb(void *ctx, const struct canh_advisory *a)
{
	size_t *n = ctx;
	n[0]++;
	n[1] += a->n_affected;
	return 0;
}

/* The tree walk that the same import would do over jansson's document. */
static int walk_jansson(const char *path, const char *release, size_t *recs, size_t *aff,
			size_t *bytes)
{
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e), *pkg, *rec, *rel;
	const char *pname, *id, *rname;

	if (!root) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, e.line, e.column, e.text);
		return 1;
	}
	*bytes = (size_t)e.position;
	json_object_foreach(root, pname, pkg)
	{
		json_object_foreach(pkg, id, rec)
		{
			size_t n = 0;
			json_object_foreach(json_object_get(rec, "releases"), rname, rel)
			{
				if (release && strcmp(rname, release) != 0)
					continue;
				if (json_string_value(json_object_get(rel, "status")))
					n++;
			}
			if (n) {
				(*recs)++;
				*aff += n;
			}
		}
	}
	json_decref(root);
	return 0;
}

int main(int argc, char **argv)
{
	int jansson = 0;
	const char *release = NULL, *path = NULL;
	size_t n[2] = {0, 0}, bytes = 0;
	int64_t t0, t1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--jansson") == 0)
			jansson = 1;
		else if (strcmp(argv[i], "--stream") == 0)
			jansson = 0;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--release") == 0 && i + 1 < argc)
			release = argv[++i];
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: bench_advisory [--jansson] [--release NAME] FILE\n");
		return 2;
	}
	t0 = canh_mono_ms();
	if (jansson) {
		if (walk_jansson(path, release, &n[0], &n[1], &bytes))
			return 1;
	} else {
		struct canh_advisory_sink sink = {count_cb, n, only ? want_cb : NULL};
		struct canh_advisory_stats st = {0};
		struct canh_errmsg err = {{0}};
		struct stat sb;
		void *map;
		int fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size == 0) {
			fprintf(stderr, "%s: cannot read\n", path);
			return 1;
		}
		bytes = (size_t)sb.st_size;
		map = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			fprintf(stderr, "%s: cannot map\n", path);
			return 1;
		}
		(void)madvise(map, bytes, MADV_SEQUENTIAL);
		if (canh_advisory_parse_debian(map, bytes, release, &sink, &st, &err) < 0) {
			fprintf(stderr, "%s: %s\n", path, err.text);
			return 1;
		}
		print_rss("  memory with the file still mapped");
		munmap(map, bytes);
		close(fd);
	}
	t1 = canh_mono_ms();
	double s = (double)(t1 - t0) / 1000.0;
	fflush(stdout);
	printf("%s: %.3f s, %zu records, %zu affected entries, %.0f MB/s\n",
	       jansson ? "jansson tree" : "canh stream", s, n[0], n[1],
	       s > 0 ? (double)bytes / 1048576.0 / s : 0.0);
	return 0;
}
