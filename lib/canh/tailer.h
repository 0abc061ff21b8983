/*
 * Following log files: globs, rotation, truncation, copy-truncate, and
 * offsets persisted by (device, inode) so that a restart neither skips nor
 * repeats lines.
 *
 *   t = canh_tailer_new(&opts);
 *   canh_tailer_add(t, "/var/log/auth.log"); ...      (globs allowed)
 *   canh_tailer_load(t, "STATE/log-offsets.json", &em);
 *   loop:
 *       canh_tailer_poll(t, on_line, arg);   lines handed out, the tailer
 *                                            remembers how far they went
 *       ... make the lines durable (the agent's spool) ...
 *       canh_tailer_save(t, &em);            offsets of what was handed out
 *
 * Files: every poll expands the patterns; a file is known by (device, inode).
 * When a path names a new inode (rotation by rename), the old file, still
 * open, is read to its end first and then closed, and the new one is read
 * from offset 0. When a file is shorter than the offset reached (truncation,
 * copy-truncate) reading starts again at 0 and stats.truncations counts it.
 * A file seen for the first time starts at its end when it existed at the
 * very first poll and opts.from_start is 0 (history is not replayed), else
 * at 0 (a file that appears later, e.g. after rotation, is read whole).
 *
 * Lines: a partial last line (no newline yet) is kept and handed out only
 * when its newline arrives; a line longer than opts.line_max is cut to
 * line_max bytes (flag CANH_TAIL_CUT) and the rest up to its newline is
 * skipped and counted (stats.long_lines, stats.bytes_skipped). A trailing
 * "\r" is left to the reader.
 *
 * Persisted state (JSON, written atomically by canh_tailer_save): per file
 * device, inode, the path it was last seen at, and the offset of the first
 * byte not yet handed out (the start of a pending partial line). After a
 * restart a rotated file whose inode is no longer at its path is looked for
 * in the same directory (auth.log.1) and finished. At-least-once: lines
 * handed out after the last save are handed out again after a crash (the
 * caller saves right after making them durable, so only a crash between the
 * two repeats them); nothing is ever skipped while the file still exists.
 *
 * One tailer is used by one thread. It allocates while files change, never
 * per line.
 */
#ifndef CANH_TAILER_H
#define CANH_TAILER_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"

#define CANH_TAIL_LINE_MAX_DEFAULT (64u * 1024u)
#define CANH_TAIL_FILES_MAX 1024 /* files followed at once; more are counted */

/* Flags handed with a line. */
#define CANH_TAIL_CUT 1u /* the line was longer than line_max and was cut */

struct canh_tailer_opts {
	size_t line_max; /* 0: CANH_TAIL_LINE_MAX_DEFAULT */
	size_t read_max; /* bytes read per file per poll (0: 1 MiB) */
	int from_start;	 /* files found at the first poll start at 0, not at their end */
};

struct canh_tailer_stats {
	uint64_t lines, bytes;
	uint64_t rotations;   /* a path moved to a new inode */
	uint64_t truncations; /* a file shrank below the offset */
	uint64_t long_lines;  /* lines cut at line_max */
	uint64_t bytes_skipped;
	uint64_t files_over_cap; /* matches beyond CANH_TAIL_FILES_MAX */
	uint64_t errors;	 /* open/read/stat failures (other than a missing file) */
	size_t files;		 /* files open now */
};

/*
 * A line: `path` is the name the file was opened by; line is not
 * NUL-terminated. Return 0 to take the line, nonzero to stop the poll with
 * this line not taken (it comes again at the next poll).
 */
typedef int (*canh_tail_line_fn)(void *arg, const char *path, const char *line, size_t len,
				 unsigned flags);

struct canh_tailer;

struct canh_tailer *canh_tailer_new(const struct canh_tailer_opts *opts);
void canh_tailer_free(struct canh_tailer *t);

/* A file name or glob(7) pattern to follow. CANH_EINVAL when empty or over PATH_MAX. */
int canh_tailer_add(struct canh_tailer *t, const char *pattern);

/*
 * Read the persisted offsets (a missing file is no error: nothing was
 * followed yet). Sets the path canh_tailer_save writes to.
 */
int canh_tailer_load(struct canh_tailer *t, const char *state_path, struct canh_errmsg *err);

/*
 * Expand the patterns, follow rotations and truncations, and hand out the
 * complete lines read. Returns the number of lines handed out; *stopped (may
 * be NULL) is set to 1 when fn stopped the poll early, else 0.
 */
size_t canh_tailer_poll(struct canh_tailer *t, canh_tail_line_fn fn, void *arg, int *stopped);

/* Persist the offsets of what was handed out so far (no-op when nothing changed). */
int canh_tailer_save(struct canh_tailer *t, struct canh_errmsg *err);

void canh_tailer_get_stats(const struct canh_tailer *t, struct canh_tailer_stats *st);

#endif
