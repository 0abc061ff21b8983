/*
 * canhd: the server object that main.c wires together.
 *
 * canh_server_init prepares everything that does not need the network (state
 * directory, store, certificate, admin token); canh_server_start binds,
 * starts the HTTPS daemon and writes STATE_DIR/canhd.json; canh_server_stop
 * stops the daemon; canh_server_release frees the rest.
 */
#ifndef CANH_SERVER_SERVER_H
#define CANH_SERVER_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "canh/crypto.h"
#include "canh/error.h"
#include "server_config.h"
#include "store.h"

struct MHD_Daemon;
struct canh_intel;
struct canh_vuln;
struct canh_logs;

struct canh_server {
	struct canh_server_config cfg;
	char *state_dir; /* absolute */
	char *cert_path; /* absolute */
	char *key_path;
	char *cert_pem; /* NUL-terminated, kept for the daemon's lifetime */
	char *key_pem;
	char fingerprint[CANH_SHA256_HEX];
	char *admin_token_path;
	char admin_hash[CANH_SHA256_HEX]; /* SHA-256 hex of the admin token */
	struct canh_store *store;
	struct canh_intel *intel; /* the C2 and victim address sets (intel.h) */
	struct canh_vuln *vuln;	  /* advisories' index and the matching thread (vuln.h) */
	struct canh_logs *logs;	  /* log decoding, Sigma rules and log alerts (logs.h) */

	int lock_fd; /* flock on STATE_DIR/canhd.lock: one canhd per state directory */
	int listen_fd;
	int port;     /* the port actually bound */
	char url[96]; /* https://127.0.0.1:PORT */
	struct MHD_Daemon *mhd;
	int64_t body_bytes; /* request body bytes held now, all connections (atomic) */

	/* Retention: a thread deletes agent messages past [store] message_retention. */
	pthread_t pruner;
	int pruner_started;
	int pruner_stop; /* read and written atomically */
};

int canh_server_init(struct canh_server *srv, const struct canh_server_config *cfg,
		     const char *state_dir, struct canh_errmsg *err);
int canh_server_start(struct canh_server *srv, struct canh_errmsg *err);
void canh_server_stop(struct canh_server *srv);

/* One retention pass: delete messages older than the retention, in chunks. Exposed for tests. */
int canh_server_prune(struct canh_server *srv, int64_t now, int64_t *deleted);
void canh_server_release(struct canh_server *srv);

/* The HTTP layer (http.c). */
int canh_http_start(struct canh_server *srv, struct canh_errmsg *err);
void canh_http_stop(struct canh_server *srv);

#endif
