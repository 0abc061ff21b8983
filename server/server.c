/*
 * canhd's lifecycle: state directory, store, certificate, admin token,
 * listening socket, HTTPS daemon, canhd.json.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/fs.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "canh/tls.h"
#include "flows.h"
#include "intel.h"
#include "logs.h"
#include "server.h"
#include "vuln.h"

#define PEM_MAX (1024 * 1024)
#define CERT_DAYS 3650

/* An absolute version of path (relative to the working directory); malloc'd. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return canh_xstrdup(path);
	return canh_path_join(cwd, path);
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int load_tls(struct canh_server *srv, struct canh_errmsg *err)
{
	struct canh_errmsg e;
	size_t len;
	int rc;

	if (srv->cfg.cert_file[0]) {
		srv->cert_path = absolute(srv->cfg.cert_file);
		srv->key_path = absolute(srv->cfg.key_file);
	} else {
		srv->cert_path = canh_path_join(srv->state_dir, "cert.pem");
		srv->key_path = canh_path_join(srv->state_dir, "key.pem");
		if (!file_exists(srv->cert_path) || !file_exists(srv->key_path)) {
			char host[256] = "canhd";
			const char *extra[2] = {NULL, NULL};

			if (gethostname(host, sizeof(host) - 1) == 0 && host[0])
				extra[0] = host;
			rc = canh_tls_generate_selfsigned(srv->cert_path, srv->key_path, "canhd",
							  extra, CERT_DAYS, &e);
			if (rc != 0)
				return canh_errmsg_set(err, rc, "cannot generate a certificate: %s",
						       e.text);
			canh_info("generated a self-signed certificate in '%s'", srv->cert_path);
		}
	}
	rc = canh_file_read(srv->cert_path, PEM_MAX, &srv->cert_pem, &len, &e);
	if (rc == 0)
		rc = canh_file_read(srv->key_path, PEM_MAX, &srv->key_pem, &len, &e);
	if (rc == 0)
		rc = canh_tls_fingerprint_file(srv->cert_path, srv->fingerprint, &e);
	if (rc != 0)
		return canh_errmsg_set(err, rc, "%s", e.text);
	return 0;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/*
 * The admin token lives in STATE_DIR/admin.token (0600) and, hashed, in the
 * store. The file is the authority: deleting it makes a new token on the next
 * start, and the stored hash follows whatever the file holds.
 */
static int admin_token(struct canh_server *srv, struct canh_errmsg *err)
{
	char token[65], hash[CANH_SHA256_HEX], stored[CANH_SHA256_HEX];
	struct canh_errmsg e;
	char *data = NULL;
	size_t len = 0;
	int rc, created = 0;

	srv->admin_token_path = canh_path_join(srv->state_dir, "admin.token");
	rc = canh_file_read(srv->admin_token_path, 4096, &data, &len, &e);
	if (rc == 0) {
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' ||
			       data[len - 1] == ' ' || data[len - 1] == '\t'))
			len--;
		if (len != 64 || !is_hex(data, 64)) {
			rc = canh_errmsg_set(err, CANH_EINVAL,
					     "'%s' does not hold a 64-hex-digit token (delete it "
					     "and restart to make a new one)",
					     srv->admin_token_path);
			goto out;
		}
		memcpy(token, data, 64);
		token[64] = '\0';
	} else if (rc == CANH_ENOENT) {
		if ((rc = canh_random_hex(token, 32)) != 0) {
			canh_errmsg_set(err, rc, "cannot make the admin token: no randomness");
			goto out;
		}
		rc = canh_file_write_atomic(srv->admin_token_path, token, 64, 0600, &e);
		if (rc != 0) {
			canh_errmsg_set(err, rc, "%s", e.text);
			goto out;
		}
		created = 1;
	} else {
		canh_errmsg_set(err, rc, "%s", e.text);
		goto out;
	}
	if ((rc = canh_sha256_hex(token, 64, hash)) != 0) {
		canh_errmsg_set(err, rc, "cannot hash the admin token");
		goto out;
	}
	rc = canh_store_api_token_get(srv->store, "admin", stored, &e);
	if (rc != 0 && rc != CANH_ENOENT) {
		canh_errmsg_set(err, rc, "%s", e.text);
		goto out;
	}
	if (rc == CANH_ENOENT || strcmp(stored, hash) != 0) {
		rc = canh_store_api_token_set(srv->store, "admin", "admin", hash, canh_now_ms(),
					      "system", &e);
		if (rc != 0) {
			canh_errmsg_set(err, rc, "%s", e.text);
			goto out;
		}
		if (created)
			canh_info("new admin token written to '%s'", srv->admin_token_path);
		else
			canh_info("admin token taken from '%s'", srv->admin_token_path);
	}
	memcpy(srv->admin_hash, hash, sizeof(hash));
	rc = 0;
out:
	explicit_bzero(token, sizeof(token));
	if (data) {
		explicit_bzero(data, len);
		free(data);
	}
	return rc;
}

int canh_server_init(struct canh_server *srv, const struct canh_server_config *cfg,
		     const char *state_dir, struct canh_errmsg *err)
{
	struct canh_errmsg e;
	char *db = NULL;
	int rc;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->listen_fd = -1;
	srv->lock_fd = -1;
	if ((rc = canh_mkdir_p(state_dir, 0700, &e)) != 0)
		return canh_errmsg_set(err, rc, "%s", e.text);
	srv->state_dir = realpath(state_dir, NULL);
	if (!srv->state_dir)
		return canh_errmsg_set(err, CANH_EIO, "cannot resolve '%s': %s", state_dir,
				       strerror(errno));
	/* Two canhd on one state directory would share the database and
	   overwrite each other's canhd.json; the second is refused. */
	db = canh_path_join(srv->state_dir, "canhd.lock");
	rc = canh_lock_file(db, &srv->lock_fd, &e);
	free(db);
	if (rc == CANH_ECONFLICT)
		return canh_errmsg_set(err, rc,
				       "state directory '%s' is in use by another canhd: %s",
				       srv->state_dir, e.text);
	if (rc != 0)
		return canh_errmsg_set(err, rc, "%s", e.text);
	db = canh_path_join(srv->state_dir, "canh.db");
	rc = canh_store_open(db, &srv->store, err);
	free(db);
	if (rc != 0)
		return rc;
	if ((rc = canh_intel_new(srv->store, &srv->intel, err)) != 0)
		return rc;
	srv->vuln = canh_vuln_new(srv->store);
	srv->logs = canh_logs_new(srv, err); /* after intel: log events are checked against C2 */
	if ((rc = load_tls(srv, err)) != 0 || (rc = admin_token(srv, err)) != 0)
		return rc;
	return 0;
}

static int bind_listen(struct canh_server *srv, struct canh_errmsg *err)
{
	struct sockaddr_storage ss;
	struct canh_ipaddr a;
	socklen_t sl;
	char host[CANH_IPADDR_STRLEN];
	int port, one = 1, fd;

	if (canh_server_parse_listen(srv->cfg.listen, &a, &port, err) != 0)
		return CANH_EINVAL;
	memset(&ss, 0, sizeof(ss));
	if (a.family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, a.bytes, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, a.bytes, 4);
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return canh_errmsg_set(err, CANH_ENET, "cannot create a socket: %s",
				       strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a.family == 6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0) {
		int e = errno;
		close(fd);
		return canh_errmsg_set(err, CANH_ENET, "cannot listen on '%s': %s", srv->cfg.listen,
				       strerror(e));
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		int e = errno;
		close(fd);
		return canh_errmsg_set(err, CANH_ENET, "getsockname: %s", strerror(e));
	}
	srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	srv->listen_fd = fd;

	/* The URL clients on this machine use: the wildcard addresses mean loopback. */
	{
		static const uint8_t zero[16];
		if (memcmp(a.bytes, zero, 16) == 0) {
			canh_strlcpy(host, a.family == 6 ? "::1" : "127.0.0.1", sizeof(host));
		} else {
			canh_ip_format(&a, host, sizeof(host));
		}
	}
	if (a.family == 6)
		snprintf(srv->url, sizeof(srv->url), "https://[%s]:%d", host, srv->port);
	else
		snprintf(srv->url, sizeof(srv->url), "https://%s:%d", host, srv->port);
	return 0;
}

static int write_state_file(struct canh_server *srv, struct canh_errmsg *err)
{
	char *path = canh_path_join(srv->state_dir, "canhd.json");
	json_t *o = json_object();
	struct canh_errmsg e;
	char *text;
	int rc;

	json_object_set_new(o, "url", json_string(srv->url));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "cert", json_string(srv->cert_path));
	json_object_set_new(o, "fingerprint", json_string(srv->fingerprint));
	json_object_set_new(o, "admin_token_file", json_string(srv->admin_token_path));
	text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!text) {
		free(path);
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot encode canhd.json");
	}
	rc = canh_file_write_atomic(path, text, strlen(text), 0644, &e);
	if (rc != 0)
		canh_errmsg_set(err, rc, "%s", e.text);
	free(text);
	free(path);
	return rc;
}

#define PRUNE_CHUNK 5000

int canh_server_prune(struct canh_server *srv, int64_t now, int64_t *deleted)
{
	struct canh_errmsg e;
	int64_t n;
	int rc;

	*deleted = 0;
	if (srv->cfg.message_retention <= 0)
		return 0;
	/* Chunks, so agents' ingest transactions wait for one chunk at most. */
	do {
		rc = canh_store_prune_messages(srv->store, now - srv->cfg.message_retention,
					       PRUNE_CHUNK, &n, &e);
		if (rc != 0) {
			canh_error_r(rc, "%s", e.text);
			return rc;
		}
		*deleted += n;
	} while (n == PRUNE_CHUNK && !__atomic_load_n(&srv->pruner_stop, __ATOMIC_RELAXED));
	return 0;
}

static void *pruner_main(void *arg)
{
	struct canh_server *srv = arg;
	int64_t deleted;

	for (;;) {
		if (canh_server_prune(srv, canh_now_ms(), &deleted) == 0 && deleted > 0)
			canh_info("deleted %lld agent messages older than the retention",
				  (long long)deleted);
		if (canh_flows_prune(srv, canh_now_ms(), &deleted) == 0 && deleted > 0)
			canh_info("deleted %lld flows older than [intel] flow_retention",
				  (long long)deleted);
		if (canh_sleep_ms(srv->cfg.prune_interval, &srv->pruner_stop) != 0)
			break;
	}
	return NULL;
}

int canh_server_start(struct canh_server *srv, struct canh_errmsg *err)
{
	int rc;

	if ((rc = bind_listen(srv, err)) != 0)
		return rc;
	if ((rc = canh_http_start(srv, err)) != 0)
		return rc;
	/* MHD owns the socket now and closes it in MHD_stop_daemon. */
	srv->listen_fd = -1;
	if (srv->cfg.message_retention > 0 || srv->cfg.flow_retention > 0) {
		__atomic_store_n(&srv->pruner_stop, 0, __ATOMIC_RELAXED);
		if ((rc = pthread_create(&srv->pruner, NULL, pruner_main, srv)) != 0)
			return canh_errmsg_set(
			    err, CANH_EIO, "cannot start the retention thread: %s", strerror(rc));
		srv->pruner_started = 1;
	}
	if ((rc = canh_vuln_start(srv->vuln, err)) != 0)
		return rc;
	return write_state_file(srv, err);
}

static void pruner_join(struct canh_server *srv)
{
	if (!srv->pruner_started)
		return;
	__atomic_store_n(&srv->pruner_stop, 1, __ATOMIC_RELAXED);
	pthread_join(srv->pruner, NULL);
	srv->pruner_started = 0;
}

void canh_server_stop(struct canh_server *srv)
{
	pruner_join(srv);
	canh_http_stop(srv);
	canh_vuln_stop(srv->vuln);
}

void canh_server_release(struct canh_server *srv)
{
	pruner_join(srv);
	canh_http_stop(srv);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	canh_logs_free(srv->logs);
	canh_intel_free(srv->intel);
	canh_vuln_free(srv->vuln); /* its thread uses the store: stopped first */
	canh_store_free(srv->store);
	if (srv->lock_fd >= 0)
		close(srv->lock_fd); /* releases the flock */
	free(srv->state_dir);
	free(srv->cert_path);
	free(srv->key_path);
	if (srv->key_pem) {
		explicit_bzero(srv->key_pem, strlen(srv->key_pem));
		free(srv->key_pem);
	}
	free(srv->cert_pem);
	free(srv->admin_token_path);
	memset(srv, 0, sizeof(*srv));
	srv->listen_fd = -1;
	srv->lock_fd = -1;
}
