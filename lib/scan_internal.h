/*
 * Internals shared by lib/scan*.c and lib/yarac.c.
 */
#ifndef CANH_SCAN_INTERNAL_H
#define CANH_SCAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <yara.h>

#include "canh/scan.h"

struct canh_scan_rules {
	YR_RULES *yr;
	char version[65];
	unsigned count;
	int file_externals; /* the rules were compiled with filename/filepath/... declared */
};

/* The externals declared for every compile (canh/yarac.h). */
extern const char *const canh__scan_externals[5];

/* A rules object around yr (taken over); version is 64 hex digits. */
struct canh_scan_rules *canh__scan_rules_wrap(YR_RULES *yr, const char *version, int externals);

/* ---- Cache ---- */

struct canh__cache_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

/* The detections recorded for one file (a decoded blob). */
struct canh__cache_det {
	uint8_t md5[16], sha1[20], sha256[32];
	unsigned n;
	uint8_t kind[CANH_SCAN_MAX_RULE_NAMES];
	char name[CANH_SCAN_MAX_RULE_NAMES][256];
};

#define CANH__CACHE_REC 48
#define CANH__CACHE_HDR 96
#define CANH__CACHE_MAGIC "CANHSCC1"
#define CANH__CACHE_VERSION 1u
#define CANH__CACHE_MAX_RECORDS (64u << 20)

struct canh_scan_cache {
	const uint8_t *recs; /* nrec * CANH__CACHE_REC */
	size_t nrec;
	const uint8_t *strtab;
	size_t strtab_len;
	uint8_t rules_ver[32], hashes_ver[32];
};

/* Index of the record for key (same dev, ino, size, mtime, ctime) or -1. */
long canh__cache_find(const struct canh_scan_cache *c, const struct canh__cache_key *k);
void canh__cache_rec_key(const struct canh_scan_cache *c, size_t i, struct canh__cache_key *k);
/* Decode record i's detections (n = 0: clean). */
void canh__cache_rec_det(const struct canh_scan_cache *c, size_t i, struct canh__cache_det *d);

/* The cache being written by a scan. */
struct canh__cache_out;
struct canh__cache_out *canh__cache_out_new(void);
void canh__cache_out_free(struct canh__cache_out *o);
/* Records added so far (call when the workers are done). */
size_t canh__cache_out_count(const struct canh__cache_out *o);
/* Thread-safe. d == NULL or d->n == 0: clean. */
void canh__cache_out_add(struct canh__cache_out *o, const struct canh__cache_key *k,
			 const struct canh__cache_det *d);
/*
 * Write old's records not superseded (when old != NULL) and o's records to
 * path atomically, keeping at most max records (this scan's first).
 */
int canh__cache_save(const char *path, struct canh__cache_out *o, const struct canh_scan_cache *old,
		     const uint8_t *oldseen, const uint8_t rules_ver[32],
		     const uint8_t hashes_ver[32], size_t max, struct canh_errmsg *err);

uint32_t canh__crc32(uint32_t crc, const void *p, size_t n);

/* 64 hex digits (or "") to 32 bytes (zeros for ""). */
void canh__ver_bytes(const char *hex, uint8_t out[32]);

#endif
