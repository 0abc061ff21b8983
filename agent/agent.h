/*
 * canh-agent internals, shared by the files of agent/ (and tests/unit/test_agent_*.c).
 *
 * State directory (0700):
 *   agent.json            {server, agent_id, unit, fingerprint}   written at enrolment
 *   credential            "A<id>.<hex>\n" (0600)
 *   server.pem            the certificate seen at enrolment, for reference
 *   agent.conf            optional configuration
 *   inventory-state.json  hashes of the inventory sections last spooled
 *   status.json           the running agent's spool statistics (for `status`)
 *   spool/                the durable spool (lib/spool.c)
 */
#ifndef CANH_AGENT_H
#define CANH_AGENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "canh/buf.h"
#include "canh/config.h"
#include "canh/crypto.h"
#include "canh/error.h"
#include "canh/i18n.h"
#include "canh/inventory.h"
#include "canh/spool.h"

#define CANH_AGENT_VERSION CANH_VERSION

/* ---- configuration (agent/config.c) ---- */

struct canh_agent_cfg {
	int64_t inventory_interval;	 /* ms */
	int64_t heartbeat_interval;	 /* ms */
	int64_t full_inventory_interval; /* ms */
	int64_t spool_max;		 /* bytes */
	int64_t batch_max_messages;
	int64_t batch_max_bytes;
	int64_t upload_interval; /* ms */
	int64_t retry_max;	 /* ms */
	int64_t connect_timeout; /* ms */
	int64_t request_timeout; /* ms */
	int64_t flow_interval;	 /* ms between connection samples; 0: no flows */
	int64_t flow_upload;	 /* ms between flows messages */
	int64_t flow_max;	 /* aggregates per flows message */
	int flow_loopback;	 /* keep loopback connections */
	int flow_package_owner;	 /* look up the dpkg owner of executables */
	/* Log collection (agent/logs.h, docs/logs.md). */
	char log_files[4096];	/* "glob, glob"; "" follows no file */
	char journald[8];	/* yes, no, auto */
	char journal_dir[4096]; /* this journal directory, not the system journal ("": system) */
	int64_t log_interval;	/* ms between collection rounds; 0: no log collection */
	int64_t log_rate_lines; /* lines/s per source; 0: no cap */
	int64_t log_rate_bytes; /* bytes/s per source; 0: no cap */
	int64_t log_max_lines;	/* lines per logs message */
	int log_from_start;	/* files present at the first start are read from 0 */
	/* anti-malware hunts (agent/hunt.c) */
	int64_t task_poll_interval; /* ms between GET /agent/tasks; 0: no tasks */
	int64_t hunt_threads;
	int64_t hunt_nice;
	int hunt_ionice_idle;
	int64_t hunt_cpu_percent;   /* busy share of each scan thread's wall time */
	int64_t hunt_max_file_size; /* bytes */
	int64_t hunt_timeout;	    /* ms per file */
	char log_level[16];
	int journal;
};

extern const struct canh_cfg_def canh_agent_cfg_defs[];

/*
 * Defaults, then `file` (or DIR/agent.conf when file is NULL and it exists),
 * then each "key=value" of sets in order. err names the failing source.
 */
int canh_agent_cfg_load(struct canh_agent_cfg *c, const char *state_dir, const char *file,
			const char *const *sets, size_t nsets, struct canh_errmsg *err);

/* ---- identity and state files (agent/state.c) ---- */

#define CANH_AGENT_MAX_URL 1024
#define CANH_AGENT_MAX_CREDENTIAL 256

struct canh_agent_ident {
	char server[CANH_AGENT_MAX_URL];
	int64_t agent_id;
	char unit[256];
	char fingerprint[CANH_SHA256_HEX];
	char credential[CANH_AGENT_MAX_CREDENTIAL];
};

/* CANH_ENOENT when the agent is not enrolled. */
int canh_agent_ident_load(const char *dir, struct canh_agent_ident *id, struct canh_errmsg *err);
/* Writes server.pem (when pem is not NULL), credential, then agent.json last. */
int canh_agent_ident_save(const char *dir, const struct canh_agent_ident *id, const char *pem,
			  struct canh_errmsg *err);

/* A normalised fingerprint (64 lower-case hex) from "AB:CD:..." or "abcd..." forms. */
int canh_agent_fingerprint_parse(const char *in, char out[CANH_SHA256_HEX]);

struct canh_agent_status {
	uint64_t next_seq, acked_seq, pending, pending_bytes, refused;
};

/* The running agent's snapshot (not fsync'd: it is informational). */
int canh_agent_status_write(const char *dir, const struct canh_spool_stats *st);
int canh_agent_status_read(const char *dir, struct canh_agent_status *st);

/* ---- inventory and heartbeat messages (agent/collect.c) ---- */

#define CANH_AGENT_NSECTIONS 3

struct canh_agent_invstate {
	char hash[CANH_AGENT_NSECTIONS][CANH_SHA256_HEX]; /* per canh_inventory_sections */
	int64_t last_full_ms;				  /* wall clock; 0 = never */
};

int canh_agent_invstate_load(const char *dir, struct canh_agent_invstate *st);
int canh_agent_invstate_save(const char *dir, const struct canh_agent_invstate *st,
			     struct canh_errmsg *err);

/*
 * Build the spooled text of an inventory message from a collected inventory
 * (consumed): sections whose hash equals prev's are left out unless the
 * inventory is full (never sent, forced, or full_interval_ms elapsed). *next
 * gets the state to persist once the message is spooled. Caller frees *text.
 */
int canh_agent_inventory_message(json_t *inv, const struct canh_agent_invstate *prev,
				 int64_t now_ms, int64_t full_interval_ms, char **text, size_t *len,
				 struct canh_agent_invstate *next);

/* Heartbeat text; caller frees *text. */
int canh_agent_heartbeat_message(int64_t now_ms, int64_t uptime_s,
				 const struct canh_spool_stats *st, char **text, size_t *len);

/* ---- uplink (agent/uplink.c) ---- */

/*
 * Build a batch body of spooled records after server_ack, oldest first, at
 * most max_msgs messages and about max_bytes of payload. A sequence missing
 * from the spool (acknowledged before but not held by the server, or lost to
 * disk corruption) is sent as a message of type "lost": the server rejects
 * and acknowledges it, so its ack can move past the gap. *last gets the last
 * seq in the batch, *count the number of messages (0: nothing to send).
 */
int canh_agent_batch_build(struct canh_spool *s, uint64_t server_ack, size_t max_msgs,
			   size_t max_bytes, int64_t now_ms, struct canh_buf *out, uint64_t *last,
			   size_t *count);
/* The same, with the spooled record `too_big` (0: none) sent as a "lost" message: the
 * server refused it alone as too large (413), and it must not block what follows. */
int canh_agent_batch_build_ex(struct canh_spool *s, uint64_t server_ack, size_t max_msgs,
			      size_t max_bytes, uint64_t too_big, int64_t now_ms,
			      struct canh_buf *out, uint64_t *last, size_t *count);

/* Outcome of one uplink step, for backoff and logging. */
enum canh_uplink_result {
	CANH_UPLINK_OK = 0,    /* progress */
	CANH_UPLINK_IDLE,      /* nothing to send */
	CANH_UPLINK_NET,       /* unreachable, timeout, 5xx */
	CANH_UPLINK_TLS,       /* certificate refused */
	CANH_UPLINK_AUTH,      /* 401/403: revoked or unknown */
	CANH_UPLINK_REJECTED,  /* 400/415...: the server refused the batch */
	CANH_UPLINK_TOO_LARGE, /* 413: the next batch is smaller */
	CANH_UPLINK_STALLED,   /* 200 but the ack did not move */
	CANH_UPLINK_LOCAL,     /* spool error */
	CANH_UPLINK_CANCELLED, /* stopping */
};

struct canh_agent {
	const char *dir;
	struct canh_agent_cfg cfg;
	struct canh_agent_ident id;
	struct canh_spool *spool;
	pthread_mutex_t lock; /* guards spool and status.json */
	volatile int *stop;
	int64_t started_mono;
	int synced;	     /* GET /agent/state done */
	uint64_t server_ack; /* the last ack the server reported */
	size_t batch_cap;    /* messages per batch now: halved on 413, regrown on success */
	uint64_t too_big;    /* a seq refused alone with 413: sent as "lost" */
};

/* Spool one message (under the lock) and refresh status.json. */
int canh_agent_spool_append(struct canh_agent *a, const char *text, size_t len, uint64_t *seq);

/* GET /agent/state and align the spool with the server's ack. */
enum canh_uplink_result canh_agent_uplink_sync(struct canh_agent *a, struct canh_errmsg *err);
/* Send one batch if anything is pending, and acknowledge what the server stored. */
enum canh_uplink_result canh_agent_uplink_step(struct canh_agent *a, struct canh_errmsg *err);

/* ---- commands (agent/enroll.c, agent/run.c, agent/status.c) ---- */

struct canh_agent_enroll_opts {
	const char *server;
	const char *token;
	const char *state_dir;
	const char *fingerprint; /* pin */
	const char *ca_file;
	int force;
	const char *root; /* fake root for hostname/machine-id (tests), or NULL */
	/* Language of err, trust and warning, and asked of canhd (Accept-Language). */
	enum canh_lang lang;
};

struct canh_agent_enroll_result {
	int64_t agent_id;
	char unit[256];
	char fingerprint[CANH_SHA256_HEX]; /* the certificate accepted and now pinned */
	const char *trust;		   /* how it was accepted, in opts.lang (static) */
	int tofu;			   /* trusted on first use: worth checking by hand */
	char warning[512];		   /* non-empty: something to tell the operator */
};

/*
 * Enrol with a one-time token. On failure err says why in o->lang, ready to
 * print: a library's explanation follows a translated lead-in, and canhd's
 * reason for a refusal comes in o->lang too. CANH_EAUTH: canhd refused the
 * token (unknown, used or expired).
 */
int canh_agent_enroll(const struct canh_agent_enroll_opts *o, struct canh_agent_enroll_result *res,
		      struct canh_errmsg *err);
/* Returns the process exit status. */
int canh_agent_run(const char *dir, const struct canh_agent_cfg *cfg, int once, volatile int *stop);
/* Identity and spool statistics of a state directory, whether an agent runs on it or not. */
int canh_agent_status_get(const char *dir, struct canh_agent_ident *id,
			  struct canh_agent_status *st, int *running, struct canh_errmsg *err);
/* The human form of `status` in lang: one "Label: value" line per item, values aligned. */
void canh_agent_status_print(FILE *f, enum canh_lang lang, const struct canh_agent_ident *id,
			     const struct canh_agent_status *st, int running);

#endif
