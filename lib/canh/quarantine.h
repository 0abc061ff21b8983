/*
 * Quarantine: move a detected file out of reach and restore it exactly.
 *
 * A quarantine directory (created 0700) holds, per file, "<id>.bin" and
 * "<id>.json". The id is 32 random hex digits. The .bin is the file's bytes
 * XORed with a repeating 16-byte key (stored in the .json), mode 0400: it
 * cannot be executed, and neither canh nor another scanner re-detects it by
 * its content or hash. The .json holds the original path, owner uid/gid,
 * mode, mtime (ns), size, md5/sha1/sha256 of the original content, the rule
 * or IOC, the time of quarantine (ms), the host name and the key.
 *
 * Moving: the content is copied into the quarantine (fsync'd) and the
 * original unlinked only then, so a crash leaves at worst two copies, never
 * none; the same code covers a quarantine on another file system.
 * Restoring: the content is decoded into a temporary file next to the
 * original path, its SHA-256 checked against the recorded one, owner, mode
 * and mtime set, then renamed into place; an existing file at the original
 * path is refused (CANH_EEXIST) unless force.
 */
#ifndef CANH_QUARANTINE_H
#define CANH_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "canh/error.h"

#define CANH_QUARANTINE_ID_LEN 32
#define CANH_QUARANTINE_MAX_FILE ((uint64_t)1 << 32) /* 4 GiB */

struct canh_quarantine_item {
	char id[CANH_QUARANTINE_ID_LEN + 1];
	char *path; /* original path (malloc'd) */
	char *rule; /* rule or IOC (malloc'd, may be "") */
	char *host; /* malloc'd */
	uid_t uid;
	gid_t gid;
	mode_t mode;	  /* full st_mode permission bits (07777) */
	int64_t mtime_ns; /* since the epoch */
	uint64_t size;
	char md5[33], sha1[41], sha256[65];
	int64_t quarantined_ms;
};

/*
 * Quarantine path (a regular file, not followed if a symlink) into dir
 * (created 0700 when missing), recording rule (may be NULL). On success
 * *item (may be NULL) is filled; release it with canh_quarantine_item_release.
 */
int canh_quarantine_file(const char *dir, const char *path, const char *rule,
			 struct canh_quarantine_item *item, struct canh_errmsg *err);

/* Every item in dir, sorted by time of quarantine. Unreadable .json files are skipped. */
int canh_quarantine_list(const char *dir, struct canh_quarantine_item **items, size_t *n,
			 struct canh_errmsg *err);
void canh_quarantine_list_free(struct canh_quarantine_item *items, size_t n);

/* Read one item's metadata. */
int canh_quarantine_get(const char *dir, const char *id, struct canh_quarantine_item *item,
			struct canh_errmsg *err);

/*
 * Put item id back at its original path (or at to, when not NULL) with its
 * owner (when running as root, or when it is ours), mode and mtime; the
 * content's SHA-256 is verified first (CANH_ECORRUPT on a mismatch). On
 * success the quarantine copy is removed.
 */
int canh_quarantine_restore(const char *dir, const char *id, const char *to, int force,
			    struct canh_errmsg *err);

/* Remove item id for good. */
int canh_quarantine_delete(const char *dir, const char *id, struct canh_errmsg *err);

void canh_quarantine_item_release(struct canh_quarantine_item *it);

#endif
