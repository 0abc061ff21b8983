/*
 * Hashes, randomness and tokens (OpenSSL libcrypto, getrandom).
 */
#ifndef CANH_CRYPTO_H
#define CANH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CANH_SHA256_LEN 32
#define CANH_SHA256_HEX 65 /* 64 hex digits and NUL */

struct canh_sha256 {
	void *md; /* EVP_MD_CTX */
};

int canh_sha256_init(struct canh_sha256 *h);
int canh_sha256_update(struct canh_sha256 *h, const void *p, size_t n);
/* Writes 32 bytes and releases the context. */
int canh_sha256_final(struct canh_sha256 *h, uint8_t out[CANH_SHA256_LEN]);
void canh_sha256_release(struct canh_sha256 *h); /* for abandoning a context early */

int canh_sha256(const void *p, size_t n, uint8_t out[CANH_SHA256_LEN]);
int canh_sha256_hex(const void *p, size_t n, char out[CANH_SHA256_HEX]);
/* SHA-256 of a whole file, streaming. */
int canh_sha256_file_hex(const char *path, char out[CANH_SHA256_HEX]);

/* Lower-case hex; out must hold 2n+1 bytes. */
void canh_hex_encode(const uint8_t *p, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int canh_hexval(int c);
/* Exactly 2n hex digits (either case) into n bytes. */
int canh_hex_decode(const char *s, uint8_t *out, size_t n);

/* Cryptographically secure random bytes (getrandom). */
int canh_random_bytes(void *p, size_t n);
/* 2*nbytes lower-case hex digits and NUL into out (out >= 2*nbytes+1). */
int canh_random_hex(char *out, size_t nbytes);

/* Constant-time comparison of n bytes; 1 when equal. */
int canh_ct_equal(const void *a, const void *b, size_t n);

#endif
