/*
 * Log collection: files through the tailer, the journal through sd-journal,
 * per-source rate caps, "logs" messages (agent/logs.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "canh/buf.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "canh/proto.h"
#include "canh/tailer.h"
#include "canh/time.h"
#include "logs.h"

#define SOURCES_MAX 1100
#define CURSOR_MAX 4096
#define MAX_LINES_DEFAULT 1000
#define MAX_BYTES_DEFAULT (1u << 20)
#define JOURNAL_SOURCE "journald"
#define BUF_MAX (64u << 20) /* a message is about max_bytes; this only stops a runaway */
#define JOURNAL_MESSAGE_MAX (16u * 1024u) /* bytes of MESSAGE kept; of the other fields: */
#define JOURNAL_FIELD_MAX 1024u

struct source {
	char *key; /* file path, or JOURNAL_SOURCE */
	int journal;
	double tok_lines, tok_bytes;
	int64_t last_ms;
	uint64_t shed_lines, shed_bytes; /* not reported yet */
};

struct canh_agent_logs {
	struct canh_agent_logs_opts o;
	char *offsets_path, *cursor_path;
	struct canh_tailer *tailer;
	sd_journal *j;
	char *cursor; /* cursor of the last entry put into a message */
	int cursor_dirty;
	struct source *src;
	size_t nsrc;
	uint64_t shed_other; /* sheds of sources past SOURCES_MAX */
	/* The message being built. */
	struct canh_buf lines;
	size_t nlines;
	int64_t now_ms;
	char now_text[CANH_TIME_BUFSZ];
	uint64_t cut;
	int full;
	struct canh_agent_logs_stats st;
};

/* ---- rate caps ---- */

static struct source *source_get(struct canh_agent_logs *l, const char *key, int journal)
{
	for (size_t i = 0; i < l->nsrc; i++)
		if (l->src[i].journal == journal && strcmp(l->src[i].key, key) == 0)
			return &l->src[i];
	if (l->nsrc >= SOURCES_MAX)
		return NULL;
	struct source *s = &l->src[l->nsrc++];
	memset(s, 0, sizeof(*s));
	s->key = canh_xstrdup(key);
	s->journal = journal;
	s->tok_lines = (double)l->o.rate_lines;
	s->tok_bytes = (double)l->o.rate_bytes;
	s->last_ms = l->now_ms;
	return s;
}

/* 1 when the line may go, 0 when it is over its source's cap (then counted). */
static int admit(struct canh_agent_logs *l, const char *key, int journal, size_t len)
{
	struct source *s;

	if (!l->o.rate_lines && !l->o.rate_bytes)
		return 1;
	if (!(s = source_get(l, key, journal))) {
		l->shed_other++;
		return 0;
	}
	if (l->now_ms > s->last_ms) {
		double secs = (double)(l->now_ms - s->last_ms) / 1000.0;
		s->tok_lines += secs * (double)l->o.rate_lines;
		s->tok_bytes += secs * (double)l->o.rate_bytes;
		if (s->tok_lines > (double)l->o.rate_lines)
			s->tok_lines = (double)l->o.rate_lines;
		if (s->tok_bytes > (double)l->o.rate_bytes)
			s->tok_bytes = (double)l->o.rate_bytes;
		s->last_ms = l->now_ms;
	}
	if ((l->o.rate_lines && s->tok_lines < 1.0) ||
	    (l->o.rate_bytes && s->tok_bytes < (double)len)) {
		s->shed_lines++;
		s->shed_bytes += len;
		l->st.shed_lines++;
		l->st.shed_bytes += len;
		return 0;
	}
	s->tok_lines -= 1.0;
	s->tok_bytes -= (double)len;
	return 1;
}

/* ---- the message ---- */

static int room(const struct canh_agent_logs *l)
{
	return l->nlines < l->o.max_lines && l->lines.len < l->o.max_bytes;
}

/* A line as a JSON string: NUL bytes would be refused by the server, they become spaces. */
static void put_line(struct canh_buf *b, const char *line, size_t len)
{
	if (!memchr(line, '\0', len)) {
		canh_buf_put_json_string(b, line, len);
		return;
	}
	char *copy = canh_xmalloc(len ? len : 1);
	memcpy(copy, line, len);
	for (size_t i = 0; i < len; i++)
		if (!copy[i])
			copy[i] = ' ';
	canh_buf_put_json_string(b, copy, len);
	free(copy);
}

static void add_line(struct canh_agent_logs *l, int journal, const char *where, const char *line,
		     size_t len, int cut)
{
	struct canh_buf *b = &l->lines;

	if (l->nlines)
		canh_buf_putc(b, ',');
	canh_buf_puts(b, journal ? "{\"source\":\"journald\"" : "{\"source\":\"file\",\"path\":");
	if (!journal) {
		canh_buf_put_json_string(b, where, strlen(where));
	} else if (where && *where) {
		canh_buf_puts(b, ",\"unit\":");
		canh_buf_put_json_string(b, where, strlen(where));
	}
	canh_buf_appendf(b, ",\"recv\":\"%s\",\"line\":", l->now_text);
	put_line(b, line, len);
	if (cut)
		canh_buf_puts(b, ",\"cut\":true");
	canh_buf_putc(b, '}');
	l->nlines++;
	l->st.lines++;
	l->st.bytes += len;
}

static int on_file_line(void *arg, const char *path, const char *line, size_t len, unsigned flags)
{
	struct canh_agent_logs *l = arg;

	if (!room(l)) {
		l->full = 1;
		return 1;
	}
	if (len && line[len - 1] == '\r')
		len--;
	if (flags & CANH_TAIL_CUT) {
		l->cut++;
		l->st.cut++;
	}
	if (admit(l, path, 0, len))
		add_line(l, 0, path, line, len, (flags & CANH_TAIL_CUT) != 0);
	return 0;
}

/* ---- journal ---- */

static const char *const journal_fields[] = {
    "MESSAGE", "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "_PID", "_COMM",
    "_EXE",    "PRIORITY",	    "_HOSTNAME",
};

static int journal_open(struct canh_agent_logs *l)
{
	char *cur = NULL;
	size_t len = 0;
	struct canh_errmsg em;
	int r;

	if (l->o.journal_dir)
		r = sd_journal_open_directory(&l->j, l->o.journal_dir, 0);
	else
		r = sd_journal_open(&l->j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		l->j = NULL;
		if (l->o.journald == 1)
			canh_warn("cannot open the systemd journal: %s", strerror(-r));
		else
			canh_debug("journal not followed: %s", strerror(-r));
		return r;
	}
	if (canh_file_read(l->cursor_path, CURSOR_MAX, &cur, &len, &em) == 0) {
		while (len && (cur[len - 1] == '\n' || cur[len - 1] == ' '))
			cur[--len] = '\0';
		if (len && sd_journal_seek_cursor(l->j, cur) >= 0) {
			/* The entry at the cursor was sent already: step over it when it is there.
			 */
			if (sd_journal_next(l->j) > 0 && sd_journal_test_cursor(l->j, cur) <= 0)
				sd_journal_previous(l->j);
			l->cursor = cur;
			canh_info("journal: resuming after the saved cursor");
			l->st.journal_open = 1;
			return 0;
		}
		canh_warn("journal: the saved cursor is not usable; starting at the end");
		free(cur);
	}
	/* First start: from now on, not the history. */
	sd_journal_seek_tail(l->j);
	/* Save where "now" is at once, so a restart before anything was sent skips nothing. */
	if (sd_journal_previous(l->j) > 0 && sd_journal_get_cursor(l->j, &cur) >= 0) {
		if (canh_file_write_atomic(l->cursor_path, cur, strlen(cur), 0600, &em) != 0)
			canh_warn("journal: cannot save the cursor: %s", em.text);
		l->cursor = cur;
	}
	l->st.journal_open = 1;
	return 0;
}

/* One journal entry as a journalctl -o json object. */
static void journal_entry(struct canh_agent_logs *l, struct canh_buf *obj, char *unit,
			  size_t unitsz)
{
	uint64_t usec = 0;

	canh_buf_reset(obj);
	canh_buf_putc(obj, '{');
	unit[0] = '\0';
	for (size_t i = 0; i < sizeof(journal_fields) / sizeof(journal_fields[0]); i++) {
		const void *d;
		size_t dl, nl = strlen(journal_fields[i]);
		if (sd_journal_get_data(l->j, journal_fields[i], &d, &dl) < 0 || dl <= nl)
			continue;
		const char *v = (const char *)d + nl + 1;
		size_t vl = dl - nl - 1;
		if (vl > (i == 0 ? JOURNAL_MESSAGE_MAX : JOURNAL_FIELD_MAX))
			vl = i == 0 ? JOURNAL_MESSAGE_MAX : JOURNAL_FIELD_MAX;
		if (obj->len > 1)
			canh_buf_putc(obj, ',');
		canh_buf_put_json_string(obj, journal_fields[i], nl);
		canh_buf_putc(obj, ':');
		put_line(obj, v, vl);
		if (strcmp(journal_fields[i], "_SYSTEMD_UNIT") == 0) {
			size_t n = vl < unitsz - 1 ? vl : unitsz - 1;
			memcpy(unit, v, n);
			unit[n] = '\0';
		}
	}
	if (sd_journal_get_realtime_usec(l->j, &usec) >= 0)
		canh_buf_appendf(obj, "%s\"__REALTIME_TIMESTAMP\":\"%" PRIu64 "\"",
				 obj->len > 1 ? "," : "", usec);
	canh_buf_putc(obj, '}');
}

static void journal_read(struct canh_agent_logs *l)
{
	struct canh_buf obj;
	char unit[256];

	canh_buf_init(&obj, BUF_MAX);
	while (room(l)) {
		char *c = NULL;
		int r = sd_journal_next(l->j);
		if (r <= 0)
			break;
		l->st.journal_entries++;
		journal_entry(l, &obj, unit, sizeof(unit));
		if (sd_journal_get_cursor(l->j, &c) >= 0) {
			free(l->cursor);
			l->cursor = c;
			l->cursor_dirty = 1;
		}
		if (admit(l, JOURNAL_SOURCE, 1, obj.len))
			add_line(l, 1, unit, obj.data, obj.len, 0);
	}
	if (!room(l))
		l->full = 1;
	canh_buf_release(&obj);
}

/* ---- public ---- */

struct canh_agent_logs *canh_agent_logs_new(const struct canh_agent_logs_opts *o,
					    struct canh_errmsg *err)
{
	struct canh_agent_logs *l = canh_xcalloc(1, sizeof(*l));
	struct canh_tailer_opts to = {.line_max = o->line_max, .from_start = o->from_start};
	struct canh_errmsg em;

	l->o = *o;
	if (!l->o.max_lines || l->o.max_lines > CANH_PROTO_MAX_LOG_LINES)
		l->o.max_lines = l->o.max_lines ? CANH_PROTO_MAX_LOG_LINES : MAX_LINES_DEFAULT;
	if (!l->o.max_bytes)
		l->o.max_bytes = MAX_BYTES_DEFAULT;
	if (!to.line_max || to.line_max > CANH_TAIL_LINE_MAX_DEFAULT)
		to.line_max = CANH_TAIL_LINE_MAX_DEFAULT;
	l->src = canh_xcalloc(SOURCES_MAX, sizeof(*l->src));
	l->offsets_path = canh_path_join(o->state_dir, "log-offsets.json");
	l->cursor_path = canh_path_join(o->state_dir, "journal-cursor");
	canh_buf_init(&l->lines, BUF_MAX);
	l->tailer = canh_tailer_new(&to);

	/* "glob, glob": commas separate, blanks around each are trimmed. */
	for (const char *p = o->files ? o->files : ""; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char pat[4096];
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= sizeof(pat)) {
			canh_errmsg_set(err, CANH_EINVAL, "log_files: a pattern is too long");
			canh_agent_logs_free(l);
			return NULL;
		}
		if (n) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (canh_tailer_add(l->tailer, pat) != 0) {
				canh_errmsg_set(err, CANH_EINVAL, "log_files: bad pattern '%s'",
						pat);
				canh_agent_logs_free(l);
				return NULL;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (canh_tailer_load(l->tailer, l->offsets_path, &em) != 0)
		canh_warn("%s", em.text);
	if (o->journald != 0)
		journal_open(l);
	return l;
}

void canh_agent_logs_free(struct canh_agent_logs *l)
{
	if (!l)
		return;
	if (l->j)
		sd_journal_close(l->j);
	for (size_t i = 0; i < l->nsrc; i++)
		free(l->src[i].key);
	free(l->src);
	canh_tailer_free(l->tailer);
	canh_buf_release(&l->lines);
	free(l->cursor);
	free(l->offsets_path);
	free(l->cursor_path);
	free(l);
}

int canh_agent_logs_message(struct canh_agent_logs *l, int64_t now_ms, char **text, size_t *len,
			    int *more)
{
	struct canh_buf m;
	int nshed = 0;

	*text = NULL;
	*len = 0;
	*more = 0;
	canh_buf_reset(&l->lines);
	l->nlines = 0;
	l->cut = 0;
	l->full = 0;
	l->now_ms = now_ms;
	canh_time_format(now_ms, l->now_text, sizeof(l->now_text));

	canh_tailer_poll(l->tailer, on_file_line, l, NULL);
	if (l->j && !l->full)
		journal_read(l);
	*more = l->full;

	canh_buf_init(&m, BUF_MAX);
	canh_buf_appendf(&m, "{\"type\":\"logs\",\"time\":\"%s\",\"data\":{\"lines\":[",
			 l->now_text);
	canh_buf_append(&m, l->lines.data ? l->lines.data : "", l->lines.len);
	canh_buf_puts(&m, "],\"shed\":[");
	for (size_t i = 0; i < l->nsrc && nshed < CANH_PROTO_MAX_LOG_SHED; i++) {
		struct source *s = &l->src[i];
		if (!s->shed_lines)
			continue;
		canh_buf_puts(&m, nshed ? "," : "");
		if (s->journal) {
			canh_buf_puts(&m, "{\"source\":\"journald\"");
		} else {
			canh_buf_puts(&m, "{\"source\":\"file\",\"path\":");
			canh_buf_put_json_string(&m, s->key, strlen(s->key));
		}
		canh_buf_appendf(&m, ",\"lines\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", s->shed_lines,
				 s->shed_bytes);
		canh_warn("logs: %" PRIu64 " line(s) of '%s' over the rate cap were dropped",
			  s->shed_lines, s->key);
		s->shed_lines = s->shed_bytes = 0;
		nshed++;
	}
	canh_buf_appendf(&m, "],\"cut\":%" PRIu64 "}}", l->cut);
	if (l->shed_other) {
		canh_warn("logs: %" PRIu64 " line(s) of sources past the cap of %d were dropped",
			  l->shed_other, SOURCES_MAX);
		l->shed_other = 0;
	}
	if (!l->nlines && !nshed) {
		canh_buf_release(&m);
		return 0;
	}
	*text = canh_buf_detach(&m, len);
	return 0;
}

int canh_agent_logs_commit(struct canh_agent_logs *l, struct canh_errmsg *err)
{
	int rc = canh_tailer_save(l->tailer, err);

	if (rc == 0 && l->cursor_dirty && l->cursor) {
		rc =
		    canh_file_write_atomic(l->cursor_path, l->cursor, strlen(l->cursor), 0600, err);
		if (rc == 0)
			l->cursor_dirty = 0;
	}
	return rc;
}

void canh_agent_logs_get_stats(const struct canh_agent_logs *l, struct canh_agent_logs_stats *st)
{
	*st = l->st;
}
