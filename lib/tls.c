/*
 * Self-signed certificates and fingerprints (OpenSSL 3).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "canh/ipaddr.h"
#include "canh/mem.h"
#include "canh/tls.h"

/* A PEM certificate is a few KiB; anything bigger is not what we expect. */
#define TLS_PEM_MAX (1024 * 1024)
/* Each extra SAN entry and the whole SAN list are bounded. */
#define TLS_NAME_MAX 253
#define TLS_SAN_MAX 8192

/* The first OpenSSL error, for messages; clears the queue. */
static const char *ossl_err(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	if (e == 0) {
		canh_strlcpy(buf, "unknown OpenSSL error", len);
	} else {
		ERR_error_string_n(e, buf, len);
	}
	ERR_clear_error();
	return buf;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* Only plain host names reach the SAN string: it is parsed by OpenSSL's conf syntax. */
static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TLS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '*' || c == '_'))
			return false;
	}
	return true;
}

static int build_san(const char *const *extra, struct canh_buf *san, struct canh_errmsg *err)
{
	int rc = canh_buf_puts(san, "DNS:localhost,IP:127.0.0.1,IP:::1");
	for (size_t i = 0; rc == 0 && extra && extra[i]; i++) {
		struct canh_ipaddr ip;
		char txt[CANH_IPADDR_STRLEN];
		if (canh_ip_parse(extra[i], &ip) == 0) {
			rc = canh_buf_appendf(san, ",IP:%s", canh_ip_format(&ip, txt, sizeof(txt)));
		} else if (dns_name_ok(extra[i])) {
			rc = canh_buf_appendf(san, ",DNS:%s", extra[i]);
		} else {
			return canh_errmsg_set(
			    err, CANH_EINVAL,
			    "cannot use '%.64s' as a certificate name: not an IP "
			    "address or a host name",
			    extra[i]);
		}
	}
	if (rc != 0)
		return canh_errmsg_set(err, rc, "too many certificate names");
	return 0;
}

static int pem_of(int (*write)(BIO *, const void *), const void *obj, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	int rc = CANH_ECRYPTO;
	*out = NULL;
	if (!bio)
		return CANH_ENOMEM;
	if (!write(bio, obj))
		goto out;
	long n = BIO_get_mem_data(bio, &p);
	if (n <= 0)
		goto out;
	*out = canh_xmalloc((size_t)n);
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

static int write_key(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

static int write_cert(BIO *b, const void *c)
{
	return PEM_write_bio_X509(b, (X509 *)c);
}

int canh_tls_generate_selfsigned(const char *cert_path, const char *key_path,
				 const char *common_name, const char *const *extra_names, int days,
				 struct canh_errmsg *err)
{
	struct canh_buf san = CANH_BUF_INIT(TLS_SAN_MAX);
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIGNUM *bn = NULL;
	char *keypem = NULL, *certpem = NULL;
	size_t keylen = 0, certlen = 0;
	uint8_t serial[16];
	char e[256];
	int rc;

	if (!cert_path || !key_path || days <= 0 || days > 36500)
		return canh_errmsg_set(err, CANH_EINVAL, "invalid certificate parameters");
	if (!common_name || !*common_name)
		common_name = "localhost";
	if (strlen(common_name) > 64) /* ub-common-name in RFC 5280 */
		return canh_errmsg_set(err, CANH_EINVAL, "certificate common name too long");
	if ((rc = build_san(extra_names, &san, err)) != 0)
		goto out;

	rc = CANH_ECRYPTO;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!key) {
		canh_errmsg_set(err, rc, "cannot generate an EC P-256 key: %s",
				ossl_err(e, sizeof(e)));
		goto out;
	}
	cert = X509_new();
	if (!cert)
		goto fail;
	if (!X509_set_version(cert, X509_VERSION_3))
		goto fail;
	/* 128 random bits, read as an unsigned number: positive, at most 17 DER bytes. */
	if ((rc = canh_random_bytes(serial, sizeof(serial))) != 0) {
		canh_errmsg_set(err, rc, "cannot get random bytes for the serial number");
		goto out;
	}
	rc = CANH_ECRYPTO;
	serial[sizeof(serial) - 1] |= 1; /* never zero, which RFC 5280 forbids */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
		goto fail;
	/* Back-dated an hour: clocks of agents are not all right. */
	if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400))
		goto fail;
	X509_NAME *name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)common_name, -1, -1, 0))
		goto fail;
	if (!X509_set_issuer_name(cert, name) || !X509_set_pubkey(cert, key))
		goto fail;
	if (add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(cert, NID_key_usage, "critical,digitalSignature") != 0 ||
	    add_ext(cert, NID_ext_key_usage, "serverAuth") != 0 ||
	    add_ext(cert, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(cert, NID_subject_alt_name, canh_buf_cstr(&san)) != 0)
		goto fail;
	if (X509_sign(cert, key, EVP_sha256()) <= 0)
		goto fail;

	if ((rc = pem_of(write_key, key, &keypem, &keylen)) != 0 ||
	    (rc = pem_of(write_cert, cert, &certpem, &certlen)) != 0)
		goto fail;
	/* Key first: a certificate without its key on disk is useless. */
	if ((rc = canh_file_write_atomic(key_path, keypem, keylen, 0600, err)) != 0)
		goto out;
	if ((rc = canh_file_write_atomic(cert_path, certpem, certlen, 0600, err)) != 0)
		goto out;
	rc = 0;
	goto out;
fail:
	canh_errmsg_set(err, rc, "cannot build the self-signed certificate: %s",
			ossl_err(e, sizeof(e)));
out:
	if (keypem) {
		OPENSSL_cleanse(keypem, keylen);
		free(keypem);
	}
	free(certpem);
	BN_free(bn);
	X509_free(cert);
	EVP_PKEY_free(key);
	canh_buf_release(&san);
	return rc;
}

int canh_tls_fingerprint_pem(const char *pem, size_t len, char out[CANH_SHA256_HEX],
			     struct canh_errmsg *err)
{
	BIO *bio = NULL;
	X509 *cert = NULL;
	unsigned char *der = NULL;
	int rc;

	out[0] = '\0';
	if (!pem || len == 0 || len > TLS_PEM_MAX || len > INT_MAX)
		return canh_errmsg_set(err, CANH_EINVAL, "no certificate given");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot read certificate: out of memory");
		goto out;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!cert) {
		char e[256];
		rc = canh_errmsg_set(err, CANH_EPARSE, "no PEM certificate found: %s",
				     ossl_err(e, sizeof(e)));
		goto out;
	}
	int n = i2d_X509(cert, &der);
	if (n <= 0) {
		rc = canh_errmsg_set(err, CANH_ECRYPTO, "cannot encode certificate");
		goto out;
	}
	rc = canh_sha256_hex(der, (size_t)n, out);
	if (rc != 0)
		canh_errmsg_set(err, rc, "cannot hash certificate");
out:
	OPENSSL_free(der);
	X509_free(cert);
	BIO_free(bio);
	return rc;
}

int canh_tls_fingerprint_file(const char *pem_path, char out[CANH_SHA256_HEX],
			      struct canh_errmsg *err)
{
	char *pem = NULL;
	size_t len = 0;
	out[0] = '\0';
	int rc = canh_file_read(pem_path, TLS_PEM_MAX, &pem, &len, err);
	if (rc != 0)
		return rc;
	rc = canh_tls_fingerprint_pem(pem, len, out, err);
	if (rc != 0 && len > 0) {
		/* Name the file: the message from the buffer parser does not. */
		struct canh_errmsg tmp;
		if (err) {
			tmp = *err;
			canh_errmsg_set(err, rc, "cannot fingerprint '%s': %s", pem_path, tmp.text);
		}
	}
	free(pem);
	return rc;
}
