/*
 * File helpers with the durability canh's promises depend on.
 */
#ifndef CANH_FS_H
#define CANH_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "canh/error.h"

/*
 * Write a whole file atomically and durably: temporary file in the same
 * directory, write, fsync, chmod to mode, rename over path, fsync the directory.
 */
int canh_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct canh_errmsg *err);

/*
 * Read a whole regular file into a malloc'd, NUL-terminated buffer the caller
 * frees. Files over maxsize fail with CANH_ETOOBIG; a missing file CANH_ENOENT.
 */
int canh_file_read(const char *path, size_t maxsize, char **out, size_t *outlen,
		   struct canh_errmsg *err);

/* mkdir -p with mode for the directories it creates. */
int canh_mkdir_p(const char *path, mode_t mode, struct canh_errmsg *err);

/* fsync the directory holding path (or path itself when it is a directory). */
int canh_fsync_dir(const char *dirpath);

/*
 * Take an exclusive advisory lock (flock) on path, created 0600 if missing,
 * and write our pid into it. *fd_out holds the lock until it is closed (the
 * lock also ends with the process, however it dies). When another process
 * holds it: CANH_ECONFLICT, and err names that process's pid when known.
 */
int canh_lock_file(const char *path, int *fd_out, struct canh_errmsg *err);

/* "dir/name" as a malloc'd string. */
char *canh_path_join(const char *dir, const char *name);

#endif
