/*
 * Durable on-disk message spool of the agent.
 *
 * Every message the agent produces goes here *before* any network attempt.
 * The spool assigns the per-agent sequence number (1, 2, 3, ... never reused),
 * writes the record and fsyncs before canh_spool_append returns: a message
 * whose append returned 0 survives a crash or SIGKILL of the agent.
 *
 * Layout: DIR/seg-<first seq, 16 hex digits>.log segment files of records
 *   [u32 magic "CSP1"][u32 payload length][u64 seq][u32 crc32(seq||payload)][payload]
 * (little endian), rolled at 4 MiB, plus DIR/acked holding the highest
 * acknowledged sequence (written atomically). On open, segments are scanned
 * and a torn or corrupt tail (a crash mid-write) is truncated away; the
 * records before it are kept. Segments whose records are all acknowledged
 * are deleted.
 *
 * Bounded: when the un-acknowledged bytes would exceed max_bytes, append
 * fails with CANH_EFULL and counts the refusal; nothing already accepted is
 * ever dropped. Delivery is oldest-first.
 *
 * A spool is used by one thread at a time (the caller locks if needed).
 * Payloads are opaque bytes up to CANH_SPOOL_MAX_RECORD.
 */
#ifndef CANH_SPOOL_H
#define CANH_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

#define CANH_SPOOL_MAX_RECORD (16u * 1024 * 1024)

struct canh_spool;

struct canh_spool_stats {
	uint64_t next_seq;  /* the seq the next append will get */
	uint64_t acked_seq; /* highest acknowledged seq (0 = none) */
	uint64_t pending;   /* records appended and not acknowledged */
	uint64_t pending_bytes;
	uint64_t refused;   /* appends refused because the spool was full, since open */
	uint64_t truncated; /* bytes of torn tail removed at open */
	uint64_t max_bytes;
};

int canh_spool_open(const char *dir, uint64_t max_bytes, struct canh_spool **out,
		    struct canh_errmsg *err);
void canh_spool_free(struct canh_spool *s); /* NULL-safe; closes files */

/* Append one record durably (fsync). *seq_out (may be NULL) gets its sequence. */
int canh_spool_append(struct canh_spool *s, const void *data, size_t len, uint64_t *seq_out);

/*
 * Visit up to max_count records with seq > after_seq, oldest first, stopping
 * before the total payload would exceed max_bytes (at least one record is
 * always visited if any exists). The callback returns 0 to continue or
 * non-zero to stop; the data pointer is valid only during the call.
 * Returns the number of records visited, or a negative error.
 */
typedef int (*canh_spool_visit_fn)(uint64_t seq, const void *data, size_t len, void *ctx);
int canh_spool_read(struct canh_spool *s, uint64_t after_seq, size_t max_count, size_t max_bytes,
		    canh_spool_visit_fn fn, void *ctx);

/* Everything <= seq is delivered: persist it and delete fully acknowledged segments.
 * An ack lower than the current one is ignored; higher than the last appended is CANH_EINVAL. */
int canh_spool_ack(struct canh_spool *s, uint64_t seq);

/* Make sure the next sequence is at least min_next (after the server reports a higher ack
 * than this spool knows, e.g. a spool directory restored from an old backup). */
int canh_spool_bump_seq(struct canh_spool *s, uint64_t min_next);

void canh_spool_get_stats(const struct canh_spool *s, struct canh_spool_stats *st);

/* CRC-32 (IEEE 802.3, as zlib's crc32), exposed for tests. */
uint32_t canh_crc32(uint32_t crc, const void *p, size_t n);

#endif
