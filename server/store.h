/*
 * canhd's store: the one interface behind which the database lives.
 *
 * Only store_sqlite*.c contain SQL; a PostgreSQL store would implement this
 * same header. Callers never see a statement or a connection.
 *
 * Threads: a store may be used from any number of threads at once; every
 * call is serialised inside the store. canh_store_begin/commit/rollback group
 * several calls into one transaction on the calling thread (other threads
 * wait until commit or rollback); calls that write make their own
 * transaction (a savepoint when inside a group), so a failed call leaves no
 * partial change.
 *
 * Times are int64_t milliseconds since the epoch (UTC). Objects read for the
 * API come back as jansson objects in the shape of docs/api.md; the caller
 * owns them (json_decref). Secrets never reach the store: tokens and
 * credentials are stored as the hex SHA-256 of the secret.
 *
 * Errors: CANH_ENOENT (no such object), CANH_EEXIST (already exists),
 * CANH_ECONFLICT (state conflict: used token, cycle), CANH_EEXPIRED (expired
 * token), CANH_ESTORE (the database failed; err says how, for the log only).
 * Each code means one thing per call (said at the call), because the API
 * words its answer from the code and what it asked for, in the client's
 * language (server/messages.h); err's text is English, for the log.
 */
#ifndef CANH_SERVER_STORE_H
#define CANH_SERVER_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/crypto.h"
#include "canh/error.h"
#include "canh/proto.h"

#define CANH_UNIT_CODE_MAX 64

struct canh_store;

/* Open (creating if needed) the database at path and apply every migration. */
int canh_store_open(const char *path, struct canh_store **out, struct canh_errmsg *err);
void canh_store_free(struct canh_store *s); /* NULL-safe; closes the database */

/* The schema version (number of migrations applied). */
int canh_store_schema_version(struct canh_store *s);

/* Group the following calls of this thread into one transaction. */
int canh_store_begin(struct canh_store *s, struct canh_errmsg *err);
int canh_store_commit(struct canh_store *s, struct canh_errmsg *err);
void canh_store_rollback(struct canh_store *s);

/* ---- audit log: every change an administrator makes ---- */
int canh_store_audit(struct canh_store *s, int64_t now, const char *actor, const char *action,
		     const char *object, const char *detail, struct canh_errmsg *err);
/* The newest `limit` records, newest first: [{"time","actor","action","object","detail"}]. */
int canh_store_audit_list(struct canh_store *s, size_t limit, json_t **out,
			  struct canh_errmsg *err);

/* ---- API tokens (the administrator token) ---- */
/* Insert or replace the token called name; writes an audit record. */
int canh_store_api_token_set(struct canh_store *s, const char *name, const char *role,
			     const char hash_hex[CANH_SHA256_HEX], int64_t now, const char *actor,
			     struct canh_errmsg *err);
int canh_store_api_token_get(struct canh_store *s, const char *name, char hash_hex[CANH_SHA256_HEX],
			     struct canh_errmsg *err);

/* ---- units ---- */
struct canh_unit {
	const char *code; /* validated by the caller (units.c) */
	const char *name;
	const char *type;
	const char *parent;	   /* parent's code, or NULL for a root */
	const char *ranges_json;   /* JSON array of normalised CIDRs; NULL on upsert keeps them */
	const char *contacts_json; /* JSON array; NULL on upsert keeps the stored contacts */
	int keep_parent;	   /* upsert of an existing unit: leave its parent alone */
};

/* CANH_EEXIST when the code exists, CANH_ENOENT when the parent does not. */
int canh_store_unit_add(struct canh_store *s, const struct canh_unit *u, int64_t now,
			const char *actor, struct canh_errmsg *err);
/*
 * Create or update by code. *created says which. CANH_ENOENT when the parent
 * does not exist, CANH_ECONFLICT when the new parent would make a cycle.
 */
int canh_store_unit_upsert(struct canh_store *s, const struct canh_unit *u, int64_t now,
			   const char *actor, int *created, struct canh_errmsg *err);
int canh_store_unit_exists(struct canh_store *s, const char *code, int *exists,
			   struct canh_errmsg *err);
/* One unit with "children" and "hosts" lists; CANH_ENOENT when unknown. */
int canh_store_unit_get(struct canh_store *s, const char *code, json_t **out,
			struct canh_errmsg *err);
/* All units, parents before children, then by code: a JSON array. */
int canh_store_unit_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);

/* ---- enrolment tokens ---- */
/* CANH_ENOENT when the unit does not exist. */
int canh_store_token_create(struct canh_store *s, const char *unit_code,
			    const char hash_hex[CANH_SHA256_HEX], int64_t now, int64_t expires_at,
			    const char *actor, int64_t *id_out, struct canh_errmsg *err);
int canh_store_token_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);

/* ---- agents ---- */
struct canh_enrolment {
	const char *token_hash; /* hex SHA-256 of the enrolment token presented */
	const char *cred_hash;	/* hex SHA-256 of the new agent's secret */
	const char *hostname;
	const char *machine_id;
	const char *agent_version;
	int64_t now;
};

/*
 * Validate the token and create the agent in one transaction, marking the
 * token used. CANH_ENOENT: unknown token; CANH_ECONFLICT: already used;
 * CANH_EEXPIRED: expired. unit_code receives the unit's code.
 */
int canh_store_enroll(struct canh_store *s, const struct canh_enrolment *e, int64_t *agent_id,
		      char unit_code[CANH_UNIT_CODE_MAX + 1], struct canh_errmsg *err);

/* The stored credential hash of an agent and whether it is revoked; CANH_ENOENT when unknown. */
int canh_store_agent_cred(struct canh_store *s, int64_t agent_id, char hash_hex[CANH_SHA256_HEX],
			  int *revoked, struct canh_errmsg *err);
/* Record an authenticated request from addr (egress address) at now. */
int canh_store_agent_seen(struct canh_store *s, int64_t agent_id, const char *addr, int64_t now,
			  struct canh_errmsg *err);
/* The highest sequence such that 1..ack are all held. */
int canh_store_agent_ack(struct canh_store *s, int64_t agent_id, uint64_t *ack,
			 struct canh_errmsg *err);
/* CANH_ENOENT when unknown; revoking a revoked agent is not an error. */
int canh_store_agent_revoke(struct canh_store *s, int64_t agent_id, int64_t now, const char *actor,
			    struct canh_errmsg *err);

/* Hosts as docs/api.md shows them: a JSON array, and one host in detail. */
int canh_store_host_list(struct canh_store *s, json_t **out, struct canh_errmsg *err);
int canh_store_host_get(struct canh_store *s, int64_t agent_id, json_t **out,
			struct canh_errmsg *err);

/* ---- ingest ---- */
struct canh_ingest_result {
	uint64_t ack;
	size_t stored;
	size_t duplicates;
	size_t rejected;
};

/*
 * Store one parsed batch in one transaction (docs/protocol.md): new messages
 * are stored and, for inventories, applied; messages already held are
 * counted as duplicates and change nothing; rejected ones are recorded.
 * Returns only after the commit is durable.
 */
int canh_store_ingest_batch(struct canh_store *s, int64_t agent_id,
			    const struct canh_proto_batch *b, int64_t now,
			    struct canh_ingest_result *res, struct canh_errmsg *err);

/*
 * Retention: delete up to max_rows stored agent messages received before
 * before_ms, oldest first, and set *deleted. Only messages at or below their
 * agent's ack are deleted: storage stays idempotent without them, because a
 * re-sent seq at or below the ack is a duplicate by the ack alone; messages
 * above the ack (after a gap) are what moves the ack when the gap fills, so
 * they stay. The per-host counters and the latest inventory are untouched.
 * Callers loop until *deleted < max_rows, so writers are never held up long.
 */
int canh_store_prune_messages(struct canh_store *s, int64_t before_ms, int64_t max_rows,
			      int64_t *deleted, struct canh_errmsg *err);

/* Counts for GET /summary (without "listen"). */
int canh_store_summary(struct canh_store *s, int64_t now, json_t **out, struct canh_errmsg *err);

#endif
