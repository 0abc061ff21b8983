/*
 * Choosing a parser: dispatch on a format, and parsing a mapped file
 * (canh/advisory.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/advisory.h"

int canh_advisory_parse(enum canh_advisory_format fmt, const void *data, size_t len,
			const char *filename, const char *release,
			const struct canh_advisory_sink *sink, struct canh_advisory_stats *st,
			struct canh_errmsg *err)
{
	if (fmt == CANH_ADV_FORMAT_UNKNOWN)
		fmt = canh_advisory_detect(data, len, filename);
	switch (fmt) {
	case CANH_ADV_FORMAT_DEBIAN:
		return canh_advisory_parse_debian(data, len, release, sink, st, err);
	case CANH_ADV_FORMAT_OSV:
		return canh_advisory_parse_osv(data, len, sink, st, err);
	case CANH_ADV_FORMAT_KEV:
		return canh_advisory_parse_kev(data, len, sink, st, err);
	case CANH_ADV_FORMAT_LETTER:
		return canh_advisory_parse_letter(data, len, filename, sink, st, err);
	default:
		return canh_errmsg_set(err, CANH_EINVAL,
				       "cannot tell the advisory format of '%s' (give one of "
				       "debian-tracker, osv, kev, letter)",
				       filename ? filename : "input");
	}
}

int canh_advisory_parse_file(const char *path, enum canh_advisory_format fmt, const char *release,
			     const struct canh_advisory_sink *sink, struct canh_advisory_stats *st,
			     struct canh_errmsg *err)
{
	struct stat sb;
	void *map = NULL;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				       "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > CANH_ADVISORY_FILE_MAX) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "cannot read '%s': larger than %llu bytes",
				     path, (unsigned long long)CANH_ADVISORY_FILE_MAX);
		goto out;
	}
	if (sb.st_size > 0) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			rc = canh_errmsg_set(err, CANH_EIO, "cannot map '%s': %s", path,
					     strerror(errno));
			goto out;
		}
		(void)madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	}
	rc = canh_advisory_parse(fmt, map ? map : "", (size_t)sb.st_size, path, release, sink, st,
				 err);
out:
	if (map)
		munmap(map, (size_t)sb.st_size);
	close(fd);
	return rc;
}
