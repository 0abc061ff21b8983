/*
 * The agent's log collection (docs/logs.md, docs/protocol.md "logs").
 *
 * Two kinds of sources: files (lib/tailer.c: globs, rotation, truncation,
 * offsets by device and inode in STATE/log-offsets.json) and the systemd
 * journal (sd-journal, cursor in STATE/journal-cursor). Each collection
 * round gathers the new lines into ONE "logs" message (at most max_lines
 * lines and about max_bytes bytes; *more says that lines are still waiting).
 *
 * Order of durability: the message is spooled first, then
 * canh_agent_logs_commit persists the file offsets and the journal cursor.
 * A crash between the two repeats the lines of that one message after the
 * restart (at-least-once); nothing is ever skipped. When spooling fails (the
 * spool is full) the caller keeps the text and offers it again later: offsets
 * are not committed while a message is unspooled.
 *
 * Rate cap: per source (a file path, or the journal) a token bucket of
 * rate_lines lines/s and rate_bytes bytes/s (burst: one second's worth).
 * Lines over the cap are read and dropped, and counted per source in the
 * message's "shed" list (the next message when the current one is full),
 * never silently.
 *
 * Journal entries are sent as one JSON object per line (the journalctl -o
 * json shape) with MESSAGE, SYSLOG_IDENTIFIER, _SYSTEMD_UNIT, _PID, _COMM,
 * _EXE, PRIORITY, __REALTIME_TIMESTAMP and _HOSTNAME.
 *
 * Not thread-safe: the collector thread owns a struct canh_agent_logs.
 */
#ifndef CANH_AGENT_LOGS_H
#define CANH_AGENT_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

/* The files followed when log_files is not set (those present are followed). */
#define CANH_AGENT_LOG_FILES_DEFAULT                                                               \
	"/var/log/auth.log, /var/log/secure, /var/log/syslog, /var/log/messages, "                 \
	"/var/log/kern.log, /var/log/nginx/access.log, /var/log/nginx/error.log, "                 \
	"/var/log/apache2/access.log, /var/log/apache2/error.log, /var/log/audit/audit.log"

struct canh_agent_logs_opts {
	const char *state_dir;	 /* log-offsets.json and journal-cursor go here */
	const char *files;	 /* "glob, glob, ..."; NULL or "" follows no file */
	int journald;		 /* 1 yes, 0 no, -1 when the journal can be read */
	const char *journal_dir; /* read this journal directory instead of the system's (tests) */
	int from_start;		 /* read files present at the first start from 0 */
	int64_t rate_lines;	 /* lines/s per source; 0: no cap */
	int64_t rate_bytes;	 /* bytes/s per source; 0: no cap */
	size_t max_lines;	 /* per message (0: 1000) */
	size_t max_bytes;	 /* per message, about (0: 1 MiB) */
	size_t line_max;	 /* longer lines are cut (0: 64 KiB) */
};

struct canh_agent_logs_stats {
	uint64_t lines, bytes;		 /* put into messages */
	uint64_t shed_lines, shed_bytes; /* over the rate cap */
	uint64_t cut;			 /* lines cut at line_max */
	uint64_t journal_entries;
	int journal_open;
};

struct canh_agent_logs;

/* NULL with err set when a pattern is invalid; the journal failing to open is only logged. */
struct canh_agent_logs *canh_agent_logs_new(const struct canh_agent_logs_opts *o,
					    struct canh_errmsg *err);
void canh_agent_logs_free(struct canh_agent_logs *l);

/*
 * Collect what is new into one message text (the spooled form
 * {"type":"logs","time":…,"data":…}); *text is NULL when there is nothing to
 * send. *more is 1 when the message is full and more lines wait. The caller
 * frees *text, spools it, then calls canh_agent_logs_commit.
 */
int canh_agent_logs_message(struct canh_agent_logs *l, int64_t now_ms, char **text, size_t *len,
			    int *more);

/* The last message is durable: persist offsets and cursor, reset the shed counters sent. */
int canh_agent_logs_commit(struct canh_agent_logs *l, struct canh_errmsg *err);

void canh_agent_logs_get_stats(const struct canh_agent_logs *l, struct canh_agent_logs_stats *st);

#endif
