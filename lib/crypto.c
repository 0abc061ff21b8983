/*
 * Hashes, randomness and tokens over OpenSSL libcrypto and getrandom(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "canh/crypto.h"
#include "canh/error.h"

int canh_sha256_init(struct canh_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	h->md = NULL;
	if (!ctx)
		return CANH_ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return CANH_ECRYPTO;
	}
	h->md = ctx;
	return 0;
}

int canh_sha256_update(struct canh_sha256 *h, const void *p, size_t n)
{
	if (!h->md)
		return CANH_EINVAL;
	if (n == 0)
		return 0;
	return EVP_DigestUpdate(h->md, p, n) == 1 ? 0 : CANH_ECRYPTO;
}

int canh_sha256_final(struct canh_sha256 *h, uint8_t out[CANH_SHA256_LEN])
{
	unsigned int len = 0;
	int rc = 0;
	if (!h->md)
		return CANH_EINVAL;
	if (EVP_DigestFinal_ex(h->md, out, &len) != 1 || len != CANH_SHA256_LEN)
		rc = CANH_ECRYPTO;
	canh_sha256_release(h);
	return rc;
}

void canh_sha256_release(struct canh_sha256 *h)
{
	if (h && h->md) {
		EVP_MD_CTX_free(h->md);
		h->md = NULL;
	}
}

int canh_sha256(const void *p, size_t n, uint8_t out[CANH_SHA256_LEN])
{
	struct canh_sha256 h;
	int rc = canh_sha256_init(&h);
	if (rc != 0)
		return rc;
	rc = canh_sha256_update(&h, p, n);
	if (rc != 0) {
		canh_sha256_release(&h);
		return rc;
	}
	return canh_sha256_final(&h, out);
}

int canh_sha256_hex(const void *p, size_t n, char out[CANH_SHA256_HEX])
{
	uint8_t md[CANH_SHA256_LEN];
	int rc = canh_sha256(p, n, md);
	if (rc == 0)
		canh_hex_encode(md, sizeof(md), out);
	return rc;
}

int canh_sha256_file_hex(const char *path, char out[CANH_SHA256_HEX])
{
	struct canh_sha256 h = {NULL};
	uint8_t md[CANH_SHA256_LEN];
	char chunk[65536];
	struct stat st;
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return errno == ENOENT ? CANH_ENOENT : errno == EACCES ? CANH_EPERM : CANH_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = CANH_EINVAL;
		goto out;
	}
	if ((rc = canh_sha256_init(&h)) != 0)
		goto out;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = CANH_EIO;
			goto out;
		}
		if (r == 0)
			break;
		if ((rc = canh_sha256_update(&h, chunk, (size_t)r)) != 0)
			goto out;
	}
	if ((rc = canh_sha256_final(&h, md)) != 0)
		goto out;
	canh_hex_encode(md, sizeof(md), out);
out:
	canh_sha256_release(&h);
	close(fd);
	return rc;
}

void canh_hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int canh_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int canh_hex_decode(const char *s, uint8_t *out, size_t n)
{
	if (!s)
		return CANH_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = canh_hexval(s[2 * i]);
		if (hi < 0)
			return CANH_EPARSE;
		int lo = canh_hexval(s[2 * i + 1]);
		if (lo < 0)
			return CANH_EPARSE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	/* Exactly 2n digits: the string must end here. */
	return s[2 * n] == '\0' ? 0 : CANH_EPARSE;
}

int canh_random_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CANH_ECRYPTO;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

int canh_random_hex(char *out, size_t nbytes)
{
	uint8_t tmp[256];
	size_t done = 0;
	while (done < nbytes) {
		size_t chunk = nbytes - done < sizeof(tmp) ? nbytes - done : sizeof(tmp);
		int rc = canh_random_bytes(tmp, chunk);
		if (rc != 0)
			return rc;
		canh_hex_encode(tmp, chunk, out + 2 * done);
		done += chunk;
	}
	out[2 * nbytes] = '\0';
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

int canh_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
