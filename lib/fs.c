/*
 * File helpers: atomic durable writes, capped reads, mkdir -p.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/crypto.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "canh/mem.h"

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return CANH_ENOENT;
	case EEXIST:
		return CANH_EEXIST;
	case EACCES:
	case EPERM:
	case EROFS:
		return CANH_EPERM;
	case ENOSPC:
	case EDQUOT:
		return CANH_EFULL;
	case ENOMEM:
		return CANH_ENOMEM;
	case ENAMETOOLONG:
		return CANH_ETOOBIG;
	default:
		return CANH_EIO;
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory part of path ("." when there is none) as a malloc'd string. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return canh_xstrdup(".");
	if (slash == path)
		return canh_xstrdup("/");
	return canh_xstrndup(path, (size_t)(slash - path));
}

int canh_fsync_dir(const char *dirpath)
{
	int fd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOTDIR) {
		char *d = dir_of(dirpath);
		fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(d);
	}
	if (fd < 0)
		return errno_code(errno);
	int rc = 0;
	if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
		rc = CANH_EIO;
	close(fd);
	return rc;
}

/* Message for a failed system call; errno is read first. */
static int sys_fail(struct canh_errmsg *err, const char *what, const char *subject)
{
	int e = errno;
	return canh_errmsg_set(err, errno_code(e), "%s '%s': %s", what, subject, strerror(e));
}

int canh_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct canh_errmsg *err)
{
	char *tmp = NULL, *dir = NULL;
	char rnd[17];
	int fd = -1, rc;

	if (!path || !*path || (len > 0 && !data))
		return canh_errmsg_set(err, CANH_EINVAL, "invalid arguments for atomic write");

	dir = dir_of(path);
	for (int attempt = 0;; attempt++) {
		if ((rc = canh_random_hex(rnd, 8)) != 0) {
			canh_errmsg_set(err, rc, "cannot write '%s': no random bytes", path);
			goto out;
		}
		free(tmp);
		tmp = canh_xasprintf("%s.tmp-%s", path, rnd);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
		if (fd >= 0)
			break;
		if (errno != EEXIST || attempt >= 8) {
			int e = errno;
			rc = canh_errmsg_set(err, errno_code(e), "cannot create '%s': %s", tmp,
					     strerror(e));
			free(tmp);
			tmp = NULL; /* nothing to unlink: it was never ours */
			goto out;
		}
	}

	if (write_all(fd, data, len) != 0) {
		rc = sys_fail(err, "cannot write", tmp);
		goto out;
	}
	if (fsync(fd) != 0) {
		rc = sys_fail(err, "cannot sync", tmp);
		goto out;
	}
	/* fchmod after creation: the umask must not change the mode asked for. */
	if (fchmod(fd, mode & 07777) != 0) {
		rc = sys_fail(err, "cannot chmod", tmp);
		goto out;
	}
	int cr = close(fd);
	fd = -1;
	if (cr != 0) {
		rc = sys_fail(err, "cannot close", tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = sys_fail(err, "cannot rename to", path);
		goto out;
	}
	free(tmp);
	tmp = NULL; /* renamed: no longer ours to unlink */
	if ((rc = canh_fsync_dir(dir)) != 0) {
		canh_errmsg_set(err, rc, "cannot sync directory '%s'", dir);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	return rc;
}

int canh_file_read(const char *path, size_t maxsize, char **out, size_t *outlen,
		   struct canh_errmsg *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int rc, fd;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (maxsize == SIZE_MAX)
		maxsize = SIZE_MAX - 1; /* room for the terminator */
	/* O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		return canh_errmsg_set(err, errno_code(e), "cannot open '%s': %s", path,
				       strerror(e));
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;
		rc = canh_errmsg_set(err, errno_code(e), "cannot stat '%s': %s", path, strerror(e));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc =
		    canh_errmsg_set(err, CANH_EINVAL, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > maxsize) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "cannot read '%s': larger than %zu bytes",
				     path, maxsize);
		goto out;
	}
	/* The file may grow while we read: the cap is enforced on what is read too. */
	cap = (size_t)st.st_size + 1;
	buf = canh_xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			if (len >= maxsize) {
				/* At the cap: one more byte means the file is over it. */
				char probe;
				ssize_t r = read(fd, &probe, 1);
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0) {
					int e = errno;
					rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s",
							     path, strerror(e));
					goto out;
				}
				if (r > 0) {
					rc = canh_errmsg_set(
					    err, CANH_ETOOBIG,
					    "cannot read '%s': larger than %zu bytes", path,
					    maxsize);
					goto out;
				}
				break;
			}
			size_t ncap = cap * 2 < cap ? maxsize + 1 : cap * 2;
			if (ncap > maxsize + 1 || ncap < cap)
				ncap = maxsize + 1;
			buf = canh_xrealloc(buf, ncap);
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s", path,
					     strerror(e));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (outlen)
		*outlen = len;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int canh_mkdir_p(const char *path, mode_t mode, struct canh_errmsg *err)
{
	char *p;
	int rc = 0;

	if (!path || !*path)
		return canh_errmsg_set(err, CANH_EINVAL, "empty directory path");
	p = canh_xstrdup(path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (char *s = p + 1;; s++) {
		int last = *s == '\0';
		if (*s != '/' && !last)
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0) {
			int e = errno;
			struct stat st;
			if (e != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				rc = canh_errmsg_set(err, e == EEXIST ? CANH_EEXIST : errno_code(e),
						     "cannot create directory '%s': %s", p,
						     e == EEXIST ? "not a directory" : strerror(e));
				goto out;
			}
		}
		*s = saved;
		if (last)
			break;
		while (s[1] == '/')
			s++;
	}
out:
	free(p);
	return rc;
}

char *canh_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	if (dl == 0)
		return canh_xstrdup(name);
	if (dir[dl - 1] == '/')
		return canh_xasprintf("%s%s", dir, name);
	return canh_xasprintf("%s/%s", dir, name);
}

int canh_lock_file(const char *path, int *fd_out, struct canh_errmsg *err)
{
	char pid[32];
	ssize_t n;
	int fd, len;

	*fd_out = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return canh_errmsg_set(err, CANH_EIO, "cannot open '%s': %s", path,
				       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		close(fd);
		if (e != EWOULDBLOCK)
			return canh_errmsg_set(err, CANH_EIO, "cannot lock '%s': %s", path,
					       strerror(e));
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (pid[0])
			return canh_errmsg_set(err, CANH_ECONFLICT,
					       "'%s' is locked by another process (pid %s)", path,
					       pid);
		return canh_errmsg_set(err, CANH_ECONFLICT, "'%s' is locked by another process",
				       path);
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		int e = errno;
		close(fd);
		return canh_errmsg_set(err, CANH_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	*fd_out = fd;
	return 0;
}
