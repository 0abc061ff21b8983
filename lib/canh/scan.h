/*
 * The scan engine: YARA rules and hash IOCs over file trees, with a
 * persistent per-file cache, throttling and exclusions.
 *
 * Threads: one walker feeds a bounded queue of paths; opts.threads workers
 * each own a YR_SCANNER over the shared, read-only YR_RULES and a read
 * buffer (small files are read into it, large ones mmap'd: no allocation per
 * file). MD5, SHA-1 and SHA-256 are computed in the same pass when the hash
 * set needs them, and for every file that matched a rule (a detection always
 * carries all three).
 *
 * Cache: a file whose (device, inode, size, mtime ns, ctime ns) and the
 * rules and hash-set versions are those of the last scan is not read again.
 * A file known to be malicious is reported again on every scan, from the
 * cache, with the detections and hashes recorded then: the cache skips the
 * work, never the finding. Format and limits: lib/scan_cache.c, docs/scan.md.
 *
 * Callbacks run on worker threads but never two at once (the engine holds a
 * lock around them), so they need no locking of their own. Strings handed
 * to callbacks are valid only during the call.
 */
#ifndef CANH_SCAN_H
#define CANH_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/feed.h"

#define CANH_SCAN_MAX_THREADS 64
#define CANH_SCAN_DEFAULT_MAX_FILE ((uint64_t)256 << 20) /* 256 MiB */
#define CANH_SCAN_DEFAULT_CACHE_MAX 4000000u		 /* records */
#define CANH_SCAN_MAX_RULE_NAMES 16			 /* detections recorded per file */

/* ---- Rules ------------------------------------------------------------- */

/* Compiled YARA rules (libyara's YR_RULES) with their version. */
struct canh_scan_rules;

/*
 * Load the compiled form written by canh_yarac_save / `yarac`. The version
 * is the SHA-256 of the file's bytes. At most 256 MiB.
 */
int canh_scan_rules_load(const char *path, struct canh_scan_rules **out, struct canh_errmsg *err);
/* 64 hex digits: canh/yarac.h for sources, the file's SHA-256 for a compiled file. */
const char *canh_scan_rules_version(const struct canh_scan_rules *r);
/* Number of rules. */
unsigned canh_scan_rules_count(const struct canh_scan_rules *r);
void canh_scan_rules_free(struct canh_scan_rules *r);

/* ---- Hash sets --------------------------------------------------------- */

enum canh_scan_hash {
	CANH_SCAN_MD5 = 0,
	CANH_SCAN_SHA1 = 1,
	CANH_SCAN_SHA256 = 2,
};

/*
 * MD5, SHA-1 and SHA-256 IOCs, each with an optional name (a malware family
 * from a feed, the text after the hash in a plain list). Build with add*,
 * then canh_scan_hashset_seal (sorts, drops duplicates, computes the
 * version); a sealed set is read-only and may be shared by threads.
 */
struct canh_scan_hashset;

struct canh_scan_hashset *canh_scan_hashset_new(void);
void canh_scan_hashset_free(struct canh_scan_hashset *h);
/* hex: 32, 40 or 64 hex digits (either case); name may be NULL. CANH_EINVAL otherwise. */
int canh_scan_hashset_add_hex(struct canh_scan_hashset *h, const char *hex, size_t len,
			      const char *name);
/* A feed entry of type CANH_IOC_MD5/SHA1/SHA256 (name = its family); other types: CANH_EINVAL. */
int canh_scan_hashset_add_entry(struct canh_scan_hashset *h, const struct canh_feed_entry *e);
/*
 * A file in any format canh_feed_parse reads (a plain list is one hash per
 * line, '#' comments, optional name after blanks); non-hash entries are
 * ignored and counted in *ignored (may be NULL).
 */
int canh_scan_hashset_add_file(struct canh_scan_hashset *h, const char *path, size_t *ignored,
			       struct canh_errmsg *err);
void canh_scan_hashset_seal(struct canh_scan_hashset *h);
/* Entries of one type / of all types. */
size_t canh_scan_hashset_count(const struct canh_scan_hashset *h, int type);
/* SHA-256 hex over the sorted entries; "" for an empty set. Sealed sets only. */
const char *canh_scan_hashset_version(const struct canh_scan_hashset *h);
/* The IOC's name for a digest, or NULL when not in the set (name "" when it has none). */
const char *canh_scan_hashset_lookup(const struct canh_scan_hashset *h, enum canh_scan_hash type,
				     const uint8_t *digest);

/* ---- Scanning ---------------------------------------------------------- */

enum canh_scan_kind {
	CANH_SCAN_DET_RULE = 0, /* a YARA rule matched; name = rule ("ns:rule" outside "default") */
	CANH_SCAN_DET_MD5,	/* name = the IOC's name or "" */
	CANH_SCAN_DET_SHA1,
	CANH_SCAN_DET_SHA256,
};

struct canh_scan_detection {
	const char *path;
	enum canh_scan_kind kind;
	const char *name;		    /* rule name, or the hash IOC's name ("" none) */
	char md5[33], sha1[41], sha256[65]; /* of the file, lowercase hex */
	uint64_t size;
	const char *rules_version; /* "" when the scan had no rules */
	int cached;		   /* 1: reported from the cache, the file was not read */
};

/* Why a file was not scanned, for the error callback. */
enum canh_scan_skip {
	CANH_SCAN_SKIP_ERROR = 0, /* open/read failed (errno in the message) */
	CANH_SCAN_SKIP_TIMEOUT,	  /* the rules ran over the per-file timeout */
	CANH_SCAN_SKIP_YARA,	  /* another libyara error */
};

struct canh_scan_stats {
	uint64_t files;	     /* regular files looked at (scanned + cached + skipped) */
	uint64_t bytes;	     /* their sizes */
	uint64_t files_read; /* files actually opened and read */
	uint64_t bytes_read;
	uint64_t cached;	/* files answered by the cache */
	uint64_t detections;	/* detection callbacks (a file may give several) */
	uint64_t infected;	/* files with at least one detection */
	uint64_t too_big;	/* over max_file_size, not read */
	uint64_t excluded_path; /* paths (files or directories) dropped by exclusions */
	uint64_t excluded_fs;	/* directories or files on an excluded file system */
	uint64_t other_fs;	/* not entered: another file system with one_file_system */
	uint64_t errors;	/* unreadable entries */
	uint64_t timeouts;
	uint64_t busy_ns;     /* summed over workers: time spent on files */
	uint64_t paused_ns;   /* summed over workers: time slept by the pause ratio */
	uint64_t elapsed_ns;  /* wall time of the scan */
	int cache_loaded;     /* 1 when a valid cache was read */
	int cache_discarded;  /* 1 when a cache file was there but unusable */
	char cache_note[256]; /* why it was discarded (for a log line), or "" */
};

struct canh_scan_opts {
	unsigned threads;	/* workers, 1..CANH_SCAN_MAX_THREADS; 0 = number of CPUs */
	uint64_t max_file_size; /* bytes; larger files are counted, not read; 0 = default */
	unsigned timeout_ms;	/* per file, for the rules (libyara counts whole seconds,
				   rounded up); 0 = none */
	/* Exclusions: a path starting with a prefix (at a '/' boundary) or
	 * matching a glob (fnmatch, FNM_PATHNAME off: '*' crosses '/'). */
	const char *const *exclude;
	size_t nexclude;
	/* File-system types (as in /proc/self/mountinfo: "proc", "nfs4") not
	 * entered. NULL = the defaults: the pseudo file systems (proc, sysfs,
	 * devtmpfs, devpts, cgroup, cgroup2, debugfs, tracefs, securityfs,
	 * pstore, bpf, efivarfs, configfs, fusectl, mqueue, binfmt_misc,
	 * autofs, hugetlbfs, selinuxfs, rpc_pipefs, nsfs) plus the network
	 * ones (nfs, nfs4, cifs, smb3, smbfs, ncpfs, afs, ceph, glusterfs,
	 * fuse.sshfs, 9p) unless scan_network. tmpfs is scanned: /dev/shm and
	 * /tmp are where droppers hide. */
	const char *const *exclude_fs;
	size_t nexclude_fs;
	int scan_network;	/* 1: do not add the network file systems to the defaults */
	int one_file_system;	/* 1: do not leave the file system of each root */
	int follow_symlinks;	/* 1: follow symlinks below the roots (roots are always followed) */
	const char *cache_path; /* NULL: no cache */
	uint32_t cache_max;	/* records kept; 0 = CANH_SCAN_DEFAULT_CACHE_MAX */
	/* Throttling. nice: 0..19 added to the workers' niceness; ionice_idle:
	 * the workers and walker get the idle I/O class (ioprio_set), else
	 * best-effort level 7 when nice > 0. pause_ratio in (0, 1]: each worker
	 * sleeps so that its busy time is at most this share of its wall time
	 * (0 or 1 = no pauses). */
	int nice;
	int ionice_idle;
	double pause_ratio;
	/* Callbacks (each may be NULL), called under the engine's lock. */
	void *ctx;
	void (*on_detection)(void *ctx, const struct canh_scan_detection *d);
	/* Progress every ~256 files or ~64 MiB and at the end. */
	void (*on_progress)(void *ctx, uint64_t files, uint64_t bytes);
	void (*on_skip)(void *ctx, const char *path, enum canh_scan_skip why, const char *message);
	/* Set to nonzero (from any thread, or a signal handler) to stop early: the
	 * scan returns CANH_EAGAIN with the stats so far; the cache is saved. */
	volatile int *cancel;
};

/* Default values (threads 0, timeout 0, everything off). */
void canh_scan_opts_init(struct canh_scan_opts *o);

/*
 * Scan the paths (files or directories, recursively). rules and hashes may
 * each be NULL, not both. st (may be NULL) is zeroed then filled even on
 * error. Returns 0 when the whole scan ran (unreadable files are counted in
 * st->errors, not failures), CANH_EAGAIN when cancelled, another negative
 * code with err set for a failure of the scan itself (no thread, bad opts,
 * a root that does not exist: CANH_ENOENT, cache not writable: CANH_EIO
 * after the scan — the stats are still right).
 */
int canh_scan_run(const struct canh_scan_rules *rules, const struct canh_scan_hashset *hashes,
		  const char *const *paths, size_t npaths, const struct canh_scan_opts *opts,
		  struct canh_scan_stats *st, struct canh_errmsg *err);

/* ---- libyara lifetime -------------------------------------------------- */

/* yr_initialize / yr_finalize, reference-counted and thread-safe; the
 * functions above call them themselves, these are for callers using libyara
 * directly. */
int canh_scan_global_init(void);
void canh_scan_global_release(void);

/* ---- Cache file (exposed for the fuzzer and the tests) ------------------ */

struct canh_scan_cache;

/*
 * Parse a cache image (the whole file's bytes). A corrupt or foreign image
 * gives CANH_ECORRUPT with the reason in err; never crashes. *out is owned by
 * the caller (canh_scan_cache_free). The image must outlive *out.
 */
int canh_scan_cache_parse(const void *data, size_t len, struct canh_scan_cache **out,
			  struct canh_errmsg *err);
size_t canh_scan_cache_records(const struct canh_scan_cache *c);
void canh_scan_cache_free(struct canh_scan_cache *c);

#endif
