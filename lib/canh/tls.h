/*
 * Certificates: the self-signed server certificate generated on first start,
 * and fingerprints for pinning. A fingerprint is the SHA-256 of the
 * certificate's DER encoding as 64 lower-case hex digits.
 */
#ifndef CANH_TLS_H
#define CANH_TLS_H

#include <stddef.h>

#include "canh/crypto.h"
#include "canh/error.h"

/*
 * Generate an EC P-256 key and a self-signed certificate valid for `days`,
 * with CN=common_name and subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1
 * plus the given extra names (DNS names or IP literals, may be NULL).
 * Both files are written atomically with mode 0600.
 */
int canh_tls_generate_selfsigned(const char *cert_path, const char *key_path,
				 const char *common_name, const char *const *extra_names, int days,
				 struct canh_errmsg *err);

/* Fingerprint of the first certificate in a PEM file or buffer. */
int canh_tls_fingerprint_file(const char *pem_path, char out[CANH_SHA256_HEX],
			      struct canh_errmsg *err);
int canh_tls_fingerprint_pem(const char *pem, size_t len, char out[CANH_SHA256_HEX],
			     struct canh_errmsg *err);

#endif
