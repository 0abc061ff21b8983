/*
 * HTTPS client over libcurl (see canh/httpc.h).
 *
 * Certificate pinning is done inside the TLS handshake, before curl can send
 * a byte of the request: CURLOPT_SSL_CTX_FUNCTION (OpenSSL backend) installs
 * our verify callback on the connection's SSL_CTX, with the per-request state
 * hung on an SSL_CTX ex_data slot. At depth 0 the callback compares the
 * SHA-256 of the leaf certificate's DER with the pin and fails the handshake
 * on a mismatch. curl's own peer and host checks are off in that mode: the
 * pin replaces them. Session resumption is off so every connection shows its
 * certificate (a resumed session would skip the callback).
 *
 * Every request uses a fresh easy handle and connection; the agent makes a
 * few requests a second at most, and a fresh connection is easiest to reason
 * about for pinning.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "canh/httpc.h"
#include "canh/mem.h"

/* Bodies larger than this wait for the server's "100 Continue". */
#define CANH_HTTPC_EXPECT_MIN (64 * 1024)

#define DEFAULT_MAX_RESPONSE (16u * 1024 * 1024)
#define MAX_URL 4096
#define MAX_PEM (64u * 1024)

enum trust { TRUST_VERIFY, TRUST_PIN, TRUST_TOFU };

struct tls_state {
	enum trust mode;
	char pin[CANH_SHA256_HEX];
	int seen;     /* a leaf certificate went through the callback */
	int mismatch; /* it was refused by the pin */
	char got[CANH_SHA256_HEX];
	char *pem; /* the leaf in PEM */
};

struct xfer {
	struct canh_buf *body;
	int toobig;
	const volatile int *cancel;
};

static int ex_index = -1;
static pthread_once_t ex_once = PTHREAD_ONCE_INIT;

static void ex_init(void)
{
	ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int canh_httpc_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CANH_ENET;
	pthread_once(&ex_once, ex_init);
	return ex_index < 0 ? CANH_ECRYPTO : 0;
}

void canh_httpc_global_cleanup(void)
{
	curl_global_cleanup();
}

void canh_http_resp_init(struct canh_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	canh_buf_init(&r->body, DEFAULT_MAX_RESPONSE);
}

void canh_http_resp_release(struct canh_http_resp *r)
{
	if (!r)
		return;
	canh_buf_release(&r->body);
	free(r->peer_pem);
	r->peer_pem = NULL;
	r->peer_sha256[0] = '\0';
	r->status = 0;
}

/* SHA-256 of the certificate's DER as lower-case hex; 0 or -1. */
static int cert_fingerprint(X509 *cert, char out[CANH_SHA256_HEX])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len = i2d_X509(cert, &der);
	int ok;

	if (len <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	     mdlen == CANH_SHA256_LEN;
	OPENSSL_free(der);
	if (!ok)
		return -1;
	canh_hex_encode(md, CANH_SHA256_LEN, out);
	return 0;
}

static char *cert_pem(X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!b)
		return NULL;
	if (PEM_write_bio_X509(b, cert) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (size_t)n < MAX_PEM)
		out = canh_xstrndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

static int verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
	struct tls_state *st = ctx ? SSL_CTX_get_ex_data(ctx, ex_index) : NULL;
	X509 *cert;

	if (!st)
		return 0; /* no state means we cannot judge: refuse */
	if (X509_STORE_CTX_get_error_depth(xs) != 0)
		return st->mode == TRUST_VERIFY ? preverify_ok : 1;

	cert = X509_STORE_CTX_get_current_cert(xs);
	if (!cert || cert_fingerprint(cert, st->got) != 0) {
		st->mismatch = st->mode == TRUST_PIN;
		return 0;
	}
	st->seen = 1;
	if (!st->pem)
		st->pem = cert_pem(cert);
	switch (st->mode) {
	case TRUST_PIN:
		if (strcmp(st->got, st->pin) != 0) {
			st->mismatch = 1;
			return 0;
		}
		return 1;
	case TRUST_TOFU:
		return 1;
	case TRUST_VERIFY:
		break;
	}
	return preverify_ok;
}

static CURLcode sslctx_cb(CURL *curl, void *sslctx, void *parm)
{
	SSL_CTX *ctx = sslctx;

	if (SSL_CTX_set_ex_data(ctx, ex_index, parm) != 1)
		return CURLE_SSL_CERTPROBLEM;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return CURLE_OK;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (canh_buf_append(x->body, ptr, n) != 0) {
		x->toobig = 1;
		return 0; /* aborts the transfer */
	}
	return n;
}

static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const struct xfer *x = ud;
	return x->cancel && __atomic_load_n(x->cancel, __ATOMIC_RELAXED);
}

/* Normalise a pin: 64 hex digits, optionally with ':' between bytes, any case. */
static int normalise_pin(const char *in, char out[CANH_SHA256_HEX])
{
	size_t o = 0;

	for (const char *s = in; *s; s++) {
		char c = *s;
		if (c == ':')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || o >= 64)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return o == 64 ? 0 : -1;
}

static int header_value_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* A header value that may hold blanks ("vi-VN, vi;q=0.9"): printable ASCII, space or tab. */
static int header_text_ok(const char *s)
{
	for (; *s; s++)
		if (*s != '\t' && ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e))
			return 0;
	return 1;
}

static int map_curl_error(CURLcode c)
{
	switch (c) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
		return CANH_ETLS;
	case CURLE_ABORTED_BY_CALLBACK:
		return CANH_EAGAIN;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return CANH_EINVAL;
	default:
		return CANH_ENET;
	}
}

int canh_httpc_request(const struct canh_httpc_opts *o, const char *method, const char *path,
		       const char *content_type, const void *body, size_t len,
		       struct canh_http_resp *resp, struct canh_errmsg *err)
{
	struct tls_state st;
	struct xfer x;
	struct curl_slist *hdrs = NULL;
	char url[MAX_URL], errbuf[CURL_ERROR_SIZE], hdr[1024];
	CURL *h = NULL;
	CURLcode cc;
	size_t blen;
	int https, rc;

	memset(&st, 0, sizeof(st));
	canh_http_resp_release(resp);
	canh_buf_init(&resp->body, o && o->max_response ? o->max_response : DEFAULT_MAX_RESPONSE);
	if (!o || !o->base_url || !method || !path || (len && !body))
		return canh_errmsg_set(err, CANH_EINVAL, "invalid arguments for an HTTP request");
	pthread_once(&ex_once, ex_init);
	if (ex_index < 0)
		return canh_errmsg_set(err, CANH_ECRYPTO,
				       "cannot allocate an OpenSSL ex_data slot");

	blen = strlen(o->base_url);
	while (blen > 0 && o->base_url[blen - 1] == '/')
		blen--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s%s", (int)blen, o->base_url,
			     path[0] == '/' ? "" : "/", path) >= sizeof(url))
		return canh_errmsg_set(err, CANH_EINVAL, "URL of '%s' is too long", o->base_url);
	https = strncasecmp(o->base_url, "https://", 8) == 0;
	if (!https && strncasecmp(o->base_url, "http://", 7) != 0)
		return canh_errmsg_set(err, CANH_EINVAL, "'%s' is not an http:// or https:// URL",
				       o->base_url);

	if (o->pin_sha256) {
		st.mode = TRUST_PIN;
		if (normalise_pin(o->pin_sha256, st.pin) != 0)
			return canh_errmsg_set(err, CANH_EINVAL,
					       "pinned fingerprint '%s' is not 64 hex digits",
					       o->pin_sha256);
	} else if (o->tofu) {
		st.mode = TRUST_TOFU;
	} else {
		st.mode = TRUST_VERIFY;
	}
	if (!https && (o->pin_sha256 || o->tofu || o->ca_file))
		return canh_errmsg_set(err, CANH_ETLS,
				       "'%s' is not https: a certificate cannot be checked",
				       o->base_url);
	if (https && st.mode != TRUST_VERIFY) {
		/* The pin lives in an OpenSSL callback: other TLS backends cannot honour it. */
		const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
		if (!vi || !vi->ssl_version || strncmp(vi->ssl_version, "OpenSSL", 7) != 0)
			return canh_errmsg_set(err, CANH_ETLS,
					       "libcurl is not built with OpenSSL (%s): cannot pin",
					       vi && vi->ssl_version ? vi->ssl_version : "no TLS");
	}
	if (o->bearer && (!header_value_ok(o->bearer) || strlen(o->bearer) > 512))
		return canh_errmsg_set(err, CANH_EINVAL, "credential holds invalid characters");
	if (content_type && (strlen(content_type) > 200 || strpbrk(content_type, "\r\n")))
		return canh_errmsg_set(err, CANH_EINVAL, "invalid content type");
	if (o->accept_language &&
	    (!header_text_ok(o->accept_language) || strlen(o->accept_language) > 200))
		return canh_errmsg_set(err, CANH_EINVAL, "invalid Accept-Language");

	x.body = &resp->body;
	x.toobig = 0;
	x.cancel = o->cancel;
	errbuf[0] = '\0';

	h = curl_easy_init();
	if (!h)
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot create a curl handle");

	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/*
	 * A large body waits for "100 Continue": canhd refuses an upload over a
	 * cap (413) from its headers and closes, and a client already sending
	 * would see the connection reset instead of the answer. Small bodies go
	 * at once, without the round trip.
	 */
	hdrs = curl_slist_append(hdrs,
				 len > CANH_HTTPC_EXPECT_MIN ? "Expect: 100-continue" : "Expect:");
	if (content_type) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	if (o->accept_language) {
		snprintf(hdr, sizeof(hdr), "Accept-Language: %s", o->accept_language);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	if (o->bearer) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", o->bearer);
		hdrs = curl_slist_append(hdrs, hdr);
		OPENSSL_cleanse(hdr, sizeof(hdr));
	}
	if (!hdrs) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot build request headers");
		goto out;
	}

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "canh/" CANH_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	if (o->connect_timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	if (o->timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	if (o->max_response)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response);

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, len ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}

	if (https) {
		curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, sslctx_cb);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &st);
		if (st.mode == TRUST_VERIFY) {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
			if (o->ca_file)
				curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
		} else {
			/* The pin (or TOFU's record of the certificate) replaces both checks. */
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}

	cc = curl_easy_perform(h);
	if (st.got[0])
		canh_strlcpy(resp->peer_sha256, st.got, sizeof(resp->peer_sha256));

	if (st.mismatch) {
		rc = canh_errmsg_set(err, CANH_ETLS,
				     "certificate of '%.*s' does not match the pinned fingerprint "
				     "(got %s, expected %s)",
				     (int)blen, o->base_url, st.got[0] ? st.got : "none", st.pin);
		goto out;
	}
	if (cc == CURLE_OK && https && st.mode == TRUST_PIN && !st.seen) {
		/* Cannot happen with OpenSSL; refuse rather than trust an unchecked peer. */
		rc = canh_errmsg_set(err, CANH_ETLS, "certificate of '%.*s' was not checked",
				     (int)blen, o->base_url);
		goto out;
	}
	if (x.toobig || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG,
				     "response from '%s' is larger than %zu bytes", url,
				     resp->body.max);
		goto out;
	}
	if (cc != CURLE_OK) {
		rc = map_curl_error(cc);
		if (rc == CANH_EAGAIN)
			canh_errmsg_set(err, rc, "request to '%s' cancelled", url);
		else if (rc == CANH_ETLS)
			canh_errmsg_set(err, rc, "TLS handshake with '%.*s' failed: %s", (int)blen,
					o->base_url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		else
			canh_errmsg_set(err, rc, "cannot reach '%s': %s", url,
					errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (st.pem) {
		resp->peer_pem = st.pem;
		st.pem = NULL;
	}
	rc = 0;
out:
	free(st.pem);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}
