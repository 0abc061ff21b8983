/*
 * canhd's side of the centralised anti-malware (docs/malware.md): checking an uploaded rule
 * set or hash list before it is stored. YARA sources are compiled with libyara
 * (lib/canh/yarac.h) exactly as the agents will compile them; hash lists are read with the
 * scan engine's reader (any feed format with MD5/SHA-1/SHA-256 entries).
 */
#ifndef CANH_SERVER_HUNT_H
#define CANH_SERVER_HUNT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/crypto.h"
#include "canh/error.h"

#define CANH_HUNT_NAME_MAX 64
#define CANH_HUNT_MAX_DIAGS 20 /* compile errors returned per upload */

/* 1..64 of A-Z a-z 0-9 . _ - */
int canh_hunt_name_valid(const char *s);

struct canh_hunt_check {
	char sha256[CANH_SHA256_HEX];
	int64_t compiled_size; /* bytes of the compiled rules (yara) */
	int64_t count;	       /* rules, or hashes */
	char version[65];      /* canh/yarac.h's rules version, or the hash set's */
	size_t bad_utf8;       /* CANH_EINVAL: offset of the first byte that is not UTF-8 text */
	json_t *errors;	       /* CANH_EPARSE (yara): [{"file","line","message"}], owned */
	size_t nerrors;
	char first[512]; /* "file:line: message" of the first error, or the reader's reason */
};

/*
 * Check data as a set of kind ("yara" or "hashes"): CANH_EINVAL not text (bad_utf8),
 * CANH_EPARSE compile errors (errors) or no hash (first), CANH_ENOENT no rule in a
 * compilable source; 0 with the figures filled. tmpdir holds the short-lived files
 * (compiled rules to measure, a hash list to read). Release with canh_hunt_check_release.
 */
int canh_hunt_check(const char *kind, const char *filename, const char *data, size_t len,
		    const char *tmpdir, struct canh_hunt_check *out, struct canh_errmsg *err);
void canh_hunt_check_release(struct canh_hunt_check *c);

#endif
