/*
 * HTTPS client against an in-process OpenSSL server on 127.0.0.1: pinning
 * (and that a refused server receives no request byte), TOFU, CA files,
 * response caps, timeouts and cancellation.
 */
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "canh/httpc.h"
#include "canh/time.h"
#include "canh/tls.h"

static char dir[64], cert[128], key[128], cert2[128], key2[128];
static char fp[CANH_SHA256_HEX], fp2[CANH_SHA256_HEX];

/* ---- a tiny HTTPS server ---- */

struct server {
	int lfd;
	int port;
	pthread_t th;
	SSL_CTX *ctx;
	volatile int stop;
	/* behaviour */
	int status;
	size_t body_len; /* 0: a small JSON body */
	int hang;	 /* read the request, never answer */
	/* observations */
	char request[8192];
	size_t request_len; /* bytes of application data received, all connections */
	int handshakes_ok, handshakes_failed;
};

static void read_request(struct server *s, SSL *ssl)
{
	char buf[4096];
	for (;;) {
		int n = SSL_read(ssl, buf, sizeof(buf));
		if (n <= 0)
			return;
		size_t room = sizeof(s->request) - 1 - s->request_len;
		memcpy(s->request + s->request_len, buf, (size_t)n < room ? (size_t)n : room);
		s->request_len += (size_t)n < room ? (size_t)n : room;
		s->request[s->request_len] = '\0';
		char *end = strstr(s->request, "\r\n\r\n");
		if (!end)
			continue;
		char *cl = strcasestr(s->request, "Content-Length:");
		size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
		if ((size_t)(s->request + s->request_len - (end + 4)) >= want)
			return;
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;
	while (!s->stop) {
		struct pollfd p = {.fd = s->lfd, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		SSL *ssl = SSL_new(s->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) != 1) {
			s->handshakes_failed++;
			/* whatever the client might still send is counted */
			char buf[256];
			ssize_t n;
			struct timeval tv = {0, 200000};
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
				s->request_len += (size_t)n;
			SSL_free(ssl);
			close(fd);
			ERR_clear_error();
			continue;
		}
		s->handshakes_ok++;
		read_request(s, ssl);
		if (s->hang) {
			while (!s->stop)
				usleep(20000);
		} else {
			char head[256];
			size_t blen = s->body_len ? s->body_len : 11;
			char *body = malloc(blen);
			memset(body, 'x', blen);
			if (!s->body_len)
				memcpy(body, "{\"ok\":true}", 11);
			int hl = snprintf(head, sizeof(head),
					  "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
					  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
					  s->status, blen);
			SSL_write(ssl, head, hl);
			SSL_write(ssl, body, (int)blen);
			free(body);
		}
		SSL_shutdown(ssl);
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

static struct server *server_start(const char *c, const char *k)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);

	s->status = 200;
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(s->ctx, c), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(s->ctx, k, SSL_FILETYPE_PEM), 1);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
	return s;
}

static void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->th, NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	free(s);
}

static void url_of(const struct server *s, char *buf, size_t len)
{
	snprintf(buf, len, "https://127.0.0.1:%d", s->port);
}

/* ---- fixtures ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int group_setup(void **state)
{
	struct canh_errmsg err;

	snprintf(dir, sizeof(dir), "/tmp/canh-httpc-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert2, sizeof(cert2), "%s/cert2.pem", dir);
	snprintf(key2, sizeof(key2), "%s/key2.pem", dir);
	if (canh_tls_generate_selfsigned(cert, key, "canh-test", NULL, 2, &err) != 0 ||
	    canh_tls_generate_selfsigned(cert2, key2, "canh-other", NULL, 2, &err) != 0 ||
	    canh_tls_fingerprint_file(cert, fp, &err) != 0 ||
	    canh_tls_fingerprint_file(cert2, fp2, &err) != 0) {
		fprintf(stderr, "cannot make test certificates: %s\n", err.text);
		return -1;
	}
	return canh_httpc_global_init();
}

static int group_teardown(void **state)
{
	canh_httpc_global_cleanup();
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct canh_httpc_opts opts(const char *url)
{
	struct canh_httpc_opts o = {
	    .base_url = url,
	    .connect_timeout_ms = 5000,
	    .timeout_ms = 10000,
	    .max_response = 1 << 20,
	};
	return o;
}

/* ---- tests ---- */

static void test_tofu(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	char url[64], pemfp[CANH_SHA256_HEX];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);
	o.tofu = 1;

	canh_http_resp_init(&r);
	assert_int_equal(canh_httpc_request(&o, "GET", "/api/v1/health", NULL, NULL, 0, &r, &err),
			 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(canh_buf_cstr(&r.body), "{\"ok\":true}");
	assert_string_equal(r.peer_sha256, fp);
	assert_non_null(r.peer_pem);
	assert_int_equal(canh_tls_fingerprint_pem(r.peer_pem, strlen(r.peer_pem), pemfp, &err), 0);
	assert_string_equal(pemfp, fp);
	assert_non_null(strstr(s->request, "GET /api/v1/health HTTP/1.1"));
	assert_null(strstr(s->request, "Accept-Language"));
	canh_http_resp_release(&r);
	server_stop(s);
}

static void test_pin_match(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	char url[64], upper[100];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);
	o.pin_sha256 = fp;
	o.bearer = "A7.secret";
	o.accept_language = "vi-VN, vi;q=0.9";

	canh_http_resp_init(&r);
	assert_int_equal(canh_httpc_request(&o, "POST", "/api/v1/agent/messages",
					    "application/json", "{\"a\":1}", 7, &r, &err),
			 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.peer_sha256, fp);
	assert_non_null(strstr(s->request, "POST /api/v1/agent/messages HTTP/1.1"));
	assert_non_null(strstr(s->request, "Authorization: Bearer A7.secret\r\n"));
	assert_non_null(strstr(s->request, "Content-Type: application/json\r\n"));
	assert_non_null(strstr(s->request, "Accept-Language: vi-VN, vi;q=0.9\r\n"));
	assert_non_null(strstr(s->request, "\r\n\r\n{\"a\":1}"));

	/* the same pin written "AB:CD:..." in upper case */
	size_t o2 = 0;
	for (int i = 0; i < 64; i += 2)
		o2 += (size_t)snprintf(upper + o2, sizeof(upper) - o2, "%s%c%c", i ? ":" : "",
				       fp[i] >= 'a' ? fp[i] - 32 : fp[i],
				       fp[i + 1] >= 'a' ? fp[i + 1] - 32 : fp[i + 1]);
	o.pin_sha256 = upper;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), 0);
	assert_int_equal(r.status, 200);
	canh_http_resp_release(&r);
	server_stop(s);
}

static void test_pin_mismatch_sends_nothing(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	char url[64];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);
	o.pin_sha256 = fp2; /* another certificate's */
	o.bearer = "A7.secret";

	canh_http_resp_init(&r);
	assert_int_equal(canh_httpc_request(&o, "POST", "/api/v1/agent/messages",
					    "application/json", "{\"secret\":1}", 12, &r, &err),
			 CANH_ETLS);
	assert_non_null(strstr(err.text, "does not match the pinned fingerprint"));
	assert_non_null(strstr(err.text, fp));	/* got */
	assert_non_null(strstr(err.text, fp2)); /* expected */
	assert_non_null(strstr(err.text, url));
	assert_string_equal(r.peer_sha256, fp);
	assert_int_equal(r.status, 0);
	usleep(300000);
	assert_int_equal(s->handshakes_ok, 0);
	assert_true(s->handshakes_failed >= 1);
	assert_int_equal(s->request_len, 0); /* not one byte of the request */
	canh_http_resp_release(&r);
	server_stop(s);
}

static void test_ca_file(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	char url[64];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);

	canh_http_resp_init(&r);
	/* the self-signed certificate is its own CA; its SAN holds 127.0.0.1 */
	o.ca_file = cert;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.peer_sha256, fp);
	/* another CA: refused */
	o.ca_file = cert2;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_ETLS);
	/* the system store does not know a self-signed certificate */
	o.ca_file = NULL;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_ETLS);
	usleep(200000);
	assert_int_equal(s->handshakes_ok, 1);
	canh_http_resp_release(&r);
	server_stop(s);
}

static void test_status_and_caps(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	char url[64];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);
	o.pin_sha256 = fp;

	canh_http_resp_init(&r);
	s->status = 401;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), 0);
	assert_int_equal(r.status, 401);
	s->status = 200;
	s->body_len = 100000;
	o.max_response = 1000;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err),
			 CANH_ETOOBIG);
	assert_non_null(strstr(err.text, "larger than 1000"));
	o.max_response = 200000;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), 0);
	assert_int_equal(r.body.len, 100000);
	canh_http_resp_release(&r);
	server_stop(s);
}

static void test_bad_arguments(void **state)
{
	struct canh_http_resp r;
	struct canh_errmsg err;
	struct canh_httpc_opts o = opts("http://127.0.0.1:1");

	canh_http_resp_init(&r);
	o.pin_sha256 = fp;
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_ETLS);
	o = opts("https://127.0.0.1:1");
	o.pin_sha256 = "abcd";
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_EINVAL);
	o.pin_sha256 = NULL;
	o.bearer = "two\r\nX-Injected: 1";
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_EINVAL);
	o.bearer = NULL;
	o.accept_language = "vi\r\nX-Injected: 1";
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_EINVAL);
	o = opts("ftp://127.0.0.1:1");
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_EINVAL);
	canh_http_resp_release(&r);
}

static void test_unreachable(void **state)
{
	struct canh_http_resp r;
	struct canh_errmsg err;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	char url[64];
	/* a port that was free a moment ago: nothing listens there */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", ntohs(a.sin_port));
	struct canh_httpc_opts o = opts(url);
	o.pin_sha256 = fp;
	canh_http_resp_init(&r);
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_ENET);
	assert_non_null(strstr(err.text, "cannot reach"));
	canh_http_resp_release(&r);
}

struct canceller {
	volatile int flag;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	usleep(300000);
	c->flag = 1;
	return NULL;
}

static void test_hang_timeout_and_cancel(void **state)
{
	struct server *s = server_start(cert, key);
	struct canh_http_resp r;
	struct canh_errmsg err;
	struct canceller c = {0};
	pthread_t th;
	char url[64];
	url_of(s, url, sizeof(url));
	struct canh_httpc_opts o = opts(url);
	o.pin_sha256 = fp;
	s->hang = 1;

	canh_http_resp_init(&r);
	o.timeout_ms = 500;
	int64_t t0 = canh_mono_ms();
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_ENET);
	assert_true(canh_mono_ms() - t0 < 5000);

	o.timeout_ms = 60000;
	o.cancel = &c.flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	t0 = canh_mono_ms();
	assert_int_equal(canh_httpc_request(&o, "GET", "/x", NULL, NULL, 0, &r, &err), CANH_EAGAIN);
	assert_true(canh_mono_ms() - t0 < 5000);
	pthread_join(th, NULL);
	canh_http_resp_release(&r);
	server_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tofu),
	    cmocka_unit_test(test_pin_match),
	    cmocka_unit_test(test_pin_mismatch_sends_nothing),
	    cmocka_unit_test(test_ca_file),
	    cmocka_unit_test(test_status_and_caps),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_hang_timeout_and_cancel),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
