/*
 * HTTPS client over libcurl for the agent and the CLI.
 *
 * Trust is one of:
 *  - pin_sha256: the server's leaf certificate must have exactly this
 *    fingerprint (see tls.h); chain and host name are not consulted, because
 *    the pin is stronger than both. Any other certificate fails with CANH_ETLS.
 *  - ca_file: normal verification against this CA bundle.
 *  - neither: the system trust store (a real certificate).
 *  - tofu: accept any certificate once and report its fingerprint and PEM in
 *    the response (used only by enrolment, which then pins it).
 * TLS session resumption is disabled when pinning, so every connection shows
 * its certificate.
 */
#ifndef CANH_HTTPC_H
#define CANH_HTTPC_H

#include <stddef.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/error.h"

struct canh_httpc_opts {
	const char *base_url;	/* "https://127.0.0.1:8443" (no trailing slash needed) */
	const char *pin_sha256; /* 64 hex, or NULL */
	const char *ca_file;	/* or NULL */
	int tofu;
	const char *bearer; /* Authorization: Bearer ..., or NULL */
	/* Accept-Language: ... ("vi", "en"; the language of the server's messages), or NULL */
	const char *accept_language;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response; /* cap on the response body */
	/* Optional: when *cancel becomes non-zero the request is abandoned within about a
	 * second and fails with CANH_EAGAIN (a daemon stopping while the server hangs). */
	const volatile int *cancel;
};

struct canh_http_resp {
	long status;
	struct canh_buf body;
	char peer_sha256[CANH_SHA256_HEX]; /* fingerprint of the leaf cert seen, when known */
	char *peer_pem; /* malloc'd PEM of the leaf cert, when a response arrived */
};

/* Call once per process before threads start (curl_global_init). */
int canh_httpc_global_init(void);
void canh_httpc_global_cleanup(void);

void canh_http_resp_init(struct canh_http_resp *r);
void canh_http_resp_release(struct canh_http_resp *r);

/*
 * One request. Returns 0 when an HTTP response arrived (whatever its status;
 * look at resp->status), CANH_ETLS when the certificate was refused, CANH_ENET
 * for connection failures and timeouts, CANH_ETOOBIG when the response was
 * over max_response, CANH_EAGAIN when cancelled. err explains failures.
 * resp->peer_sha256 is set whenever a certificate was seen, also when it was
 * refused (so a caller can show what the server presented).
 */
int canh_httpc_request(const struct canh_httpc_opts *o, const char *method, const char *path,
		       const char *content_type, const void *body, size_t len,
		       struct canh_http_resp *resp, struct canh_errmsg *err);

#endif
