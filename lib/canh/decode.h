/*
 * Decoders: one log line in, one normalised event (canh/event.h) out.
 *
 * Formats: syslog (RFC 3164 with or without a year, RFC 5424, the RFC 3339
 * high-precision stamps rsyslog writes), journalctl -o json, web server access
 * (combined, with a leading virtual host) and error logs (nginx, Apache),
 * auditd, Windows events as JSON (evtx_dump, python-evtx / xmltodict, and
 * Winlogbeat shapes), Zimbra mailbox.log / audit.log and Roundcube's errors
 * log. CANH_LOG_AUTO sniffs each line. Messages of syslog and journald
 * programs then go through message decoders (sshd, sudo, su, PAM, user and
 * group management, cron, systemd, kernel / UFW / iptables, Roundcube) that
 * set Sigma taxonomy fields where one exists and documented canh names
 * otherwise (docs/decoders.md lists every decoder, its fields and the
 * logsource it sets). Every event keeps its raw line.
 *
 * auditd writes one kernel event as several records (SYSCALL, EXECVE, CWD,
 * PATH, PROCTITLE, SOCKADDR, ... EOE) sharing msg=audit(time:serial). The
 * context joins them in a bounded table; a group is complete at its EOE
 * record, or when no record has joined it while the stream's audit time
 * moved on by more than the timeout, or when the table is full (the oldest
 * goes, counted). A complete
 * group yields one event per record (logsource linux/auditd, the record's
 * own fields, for SigmaHQ's auditd rules) and then, for execve, one
 * process_creation event (Image, CommandLine, ...) and, for connect with an
 * internet address, one network_connection event. Records that are not part
 * of a syscall (USER_LOGIN, ADD_USER, SERVICE_STOP, ...) are one event each.
 *
 * Because of that one line may complete several events: canh_decode_line
 * fills `ev` with the first and canh_decode_next hands out the rest.
 *
 *   canh_decoder_init(&ctx);
 *   for each line:
 *       if (canh_decode_line(&ctx, line, len, fmt, &src, &ev) == CANH_DECODE_EVENT)
 *           use(&ev);
 *       while (canh_decode_next(&ctx, &ev) == CANH_DECODE_EVENT)
 *           use(&ev);
 *   at the end of input: while (canh_decode_finish(&ctx, &ev) == CANH_DECODE_EVENT) use(&ev);
 *   canh_decoder_release(&ctx);
 *
 * Speed: syslog lines are scanned by hand (no regular expressions), the
 * program name is dispatched through a switch on its length and first byte,
 * and nothing is allocated per line (auditd groups reuse their buffers; the
 * JSON formats parse with jansson and do allocate).
 *
 * Ownership: an event's raw line is borrowed from the caller's `line`, except
 * for events made from auditd groups, whose raw text lives in the context and
 * stays valid until the next call on it. One context is used by one thread.
 */
#ifndef CANH_DECODE_H
#define CANH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "canh/event.h"

enum canh_log_format {
	CANH_LOG_AUTO = 0,
	CANH_LOG_SYSLOG,
	CANH_LOG_JOURNAL_JSON,
	CANH_LOG_ACCESS,       /* nginx / Apache access, combined or common, optional vhost */
	CANH_LOG_WEB_ERROR,    /* nginx or Apache error log */
	CANH_LOG_AUDITD,       /* /var/log/audit/audit.log (raw or enriched) */
	CANH_LOG_WINDOWS_JSON, /* one Windows event as a JSON object */
	CANH_LOG_ZIMBRA,       /* Zimbra mailbox.log / audit.log */
	CANH_LOG_ROUNDCUBE,    /* Roundcube logs/errors.log */
	CANH_LOG_FORMAT_COUNT
};

/* "auto", "syslog", "journal-json", "access", "web-error", "auditd", "windows-json",
 * "zimbra", "roundcube"; CANH_EINVAL for anything else. */
int canh_log_format_parse(const char *name, enum canh_log_format *out);
const char *canh_log_format_name(enum canh_log_format fmt);

/* Where a line came from. Every member may be 0 / NULL. */
struct canh_log_source {
	const char
	    *path; /* file it was read from (its base name picks the service of some lines) */
	const char *unit; /* journald unit, when known outside the line */
	const char *host; /* host name used when the line names none */
	int64_t recv_ms;  /* receive time: reference for lines without a year */
	int64_t mtime_ms; /* the file's mtime: reference when recv_ms is 0 */
};

enum {
	CANH_DECODE_SKIP = 0,  /* nothing to emit (blank line, or kept for a later event) */
	CANH_DECODE_EVENT = 1, /* ev was filled */
};

/* Caps of the auditd joining table. */
#define CANH_AUDIT_GROUPS_MAX 64	   /* groups open at once */
#define CANH_AUDIT_RECORDS_MAX 32	   /* records kept per group (more are counted, dropped) */
#define CANH_AUDIT_GROUP_BYTES (64u << 10) /* text kept per group */
#define CANH_DECODE_LINE_MAX (64u << 10)   /* longer lines are cut to this for decoding */

struct canh_audit_group; /* internal */

struct canh_decode_stats {
	uint64_t lines, events, skipped;
	uint64_t audit_evicted_cap;	/* groups emitted early because the table was full */
	uint64_t audit_expired;		/* groups emitted without EOE after the timeout */
	uint64_t audit_records_dropped; /* records beyond the per-group caps */
	uint64_t json_errors;		/* JSON lines that did not parse */
};

struct canh_decoder_ctx {
	/* Settings (canh_decoder_init sets the defaults; change before use). */
	int tz_offset_min;	  /* zone of lines without one: minutes east of UTC (+420, UTC+7) */
	int64_t audit_timeout_ms; /* group age, by audit time, after which it is emitted (2000) */
	int64_t ref_ms;		  /* year reference when the source has none (0: now) */
	struct canh_decode_stats stats;
	/* Internal. */
	struct canh_audit_group *groups; /* [CANH_AUDIT_GROUPS_MAX] */
	unsigned ngroups;
	int64_t audit_newest_ms;
	int out_group;			      /* group being handed out, -1 when none */
	unsigned out_stage;		      /* next record (or joined event) of that group */
	int ready[CANH_AUDIT_GROUPS_MAX + 1]; /* complete groups waiting to be handed out */
	unsigned nready;
	const struct canh_log_source *src;
	int64_t ycache_ref; /* year of the last (reference, date) without a year */
	int ycache_md, ycache_tz, ycache_year;
	char *scratch; /* CANH_DECODE_LINE_MAX bytes for decoded values */
};

/* Defaults: UTC+7 (Asia/Ho_Chi_Minh), 2 s audit timeout. */
void canh_decoder_init(struct canh_decoder_ctx *ctx);
void canh_decoder_release(struct canh_decoder_ctx *ctx);

/*
 * Parse a zone as "+07:00", "+0700", "UTC+7", "UTC", "Z" or
 * "Asia/Ho_Chi_Minh" (the zones without daylight saving that canh knows by
 * name) into minutes east of UTC. CANH_EINVAL otherwise.
 */
int canh_tz_parse(const char *s, int *out_min);

/*
 * Decode one line (without its newline; a trailing \r is ignored). Resets ev
 * and fills it; returns CANH_DECODE_EVENT or CANH_DECODE_SKIP. A line no
 * decoder understands still becomes an event (logsource from the format,
 * the raw line, and what the syslog header gave).
 */
int canh_decode_line(struct canh_decoder_ctx *ctx, const char *line, size_t len,
		     enum canh_log_format fmt, const struct canh_log_source *src,
		     struct canh_event *ev);

/* The next event completed by the last call, or CANH_DECODE_SKIP when none is left. */
int canh_decode_next(struct canh_decoder_ctx *ctx, struct canh_event *ev);

/*
 * Complete the auditd groups to which no record was added for more than the
 * timeout of wall-clock time before now_ms (canh_now_ms()): for a stream
 * that went idle, so its last event does not wait for the next line. Groups
 * that just received records (a batch that ends mid-event) stay open. Drain
 * with canh_decode_next. Returns how many groups were completed.
 */
int canh_decode_expire(struct canh_decoder_ctx *ctx, int64_t now_ms);

/* End of input: completes every open group; call until it returns CANH_DECODE_SKIP. */
int canh_decode_finish(struct canh_decoder_ctx *ctx, struct canh_event *ev);

/*
 * Time of a wall-clock date in the given zone: Unix ms. Exposed for tests
 * and for the year inference of lines without a year (canh_syslog_year).
 */
int64_t canh_civil_to_ms(int year, int mon, int day, int h, int m, int s, int ms, int tz_min);

/*
 * The year of a line stamped month/day h:m:s without a year: the latest of
 * the reference's year - 1, year, year + 1 that does not put the line more
 * than one day after the reference (so December lines read in January belong
 * to the previous year, and a January line received just before midnight on
 * 31 December to the next).
 */
int canh_syslog_year(int64_t ref_ms, int tz_min, int mon, int day, int h, int m, int s);

#endif
