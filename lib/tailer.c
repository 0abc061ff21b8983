/*
 * Following log files across rotation and truncation (canh/tailer.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/tailer.h"

#define CHUNK (64u * 1024u)
#define READ_MAX_DEFAULT (1u << 20)
#define PATTERNS_MAX 256
#define STATE_FILE_MAX (4u << 20)

struct tfile {
	char *path;
	dev_t dev;
	ino_t ino;
	int fd;
	uint64_t off; /* bytes read from the file */
	char *buf;    /* data read but not handed out yet, from file offset off - blen */
	size_t blen;
	int skipping; /* dropping the rest of a line cut at line_max */
	int retired;  /* its path names another file now: read to the end, then close */
	int idle;     /* retired and a read found nothing new */
	int seen;
};

struct saved {
	char *path;
	uint64_t dev, ino, off;
	int skipping;
};

struct canh_tailer {
	struct canh_tailer_opts o;
	char **patterns;
	size_t npatterns;
	struct tfile *files;
	size_t nfiles;
	struct saved *saved;
	size_t nsaved;
	char *state_path;
	int loaded; /* a state file was read */
	int polled; /* the first poll is done */
	int dirty;
	struct canh_tailer_stats st;
};

struct canh_tailer *canh_tailer_new(const struct canh_tailer_opts *opts)
{
	struct canh_tailer *t = canh_xcalloc(1, sizeof(*t));

	if (opts)
		t->o = *opts;
	if (!t->o.line_max)
		t->o.line_max = CANH_TAIL_LINE_MAX_DEFAULT;
	if (!t->o.read_max)
		t->o.read_max = READ_MAX_DEFAULT;
	t->files = canh_xcalloc(CANH_TAIL_FILES_MAX, sizeof(*t->files));
	return t;
}

static void file_close(struct tfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

static void saved_clear(struct canh_tailer *t)
{
	for (size_t i = 0; i < t->nsaved; i++)
		free(t->saved[i].path);
	free(t->saved);
	t->saved = NULL;
	t->nsaved = 0;
}

void canh_tailer_free(struct canh_tailer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfiles; i++)
		file_close(&t->files[i]);
	free(t->files);
	for (size_t i = 0; i < t->npatterns; i++)
		free(t->patterns[i]);
	free(t->patterns);
	saved_clear(t);
	free(t->state_path);
	free(t);
}

int canh_tailer_add(struct canh_tailer *t, const char *pattern)
{
	if (!pattern || !*pattern || strlen(pattern) >= PATH_MAX || t->npatterns >= PATTERNS_MAX)
		return CANH_EINVAL;
	t->patterns = canh_xrealloc(t->patterns, (t->npatterns + 1) * sizeof(*t->patterns));
	t->patterns[t->npatterns++] = canh_xstrdup(pattern);
	return 0;
}

int canh_tailer_load(struct canh_tailer *t, const char *state_path, struct canh_errmsg *err)
{
	char *text = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *root, *files, *e;
	size_t i;
	int rc;

	free(t->state_path);
	t->state_path = canh_xstrdup(state_path);
	rc = canh_file_read(state_path, STATE_FILE_MAX, &text, &len, err);
	if (rc == CANH_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	root = json_loadb(text, len, 0, &je);
	free(text);
	if (!root || !json_is_array(files = json_object_get(root, "files"))) {
		json_decref(root);
		/* A damaged state file must not stop collection: start afresh, say so. */
		return canh_errmsg_set(err, CANH_EPARSE,
				       "'%s': not a tailer state (line %d column %d): ignored",
				       state_path, je.line, je.column);
	}
	saved_clear(t);
	t->saved = canh_xcalloc(json_array_size(files) + 1, sizeof(*t->saved));
	json_array_foreach(files, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "path"));
		json_t *dev = json_object_get(e, "dev"), *ino = json_object_get(e, "ino"),
		       *off = json_object_get(e, "off");
		if (!p || !json_is_integer(dev) || !json_is_integer(ino) || !json_is_integer(off) ||
		    json_integer_value(off) < 0)
			continue;
		struct saved *s = &t->saved[t->nsaved++];
		s->path = canh_xstrdup(p);
		s->dev = (uint64_t)json_integer_value(dev);
		s->ino = (uint64_t)json_integer_value(ino);
		s->off = (uint64_t)json_integer_value(off);
		s->skipping = json_is_true(json_object_get(e, "skip"));
	}
	json_decref(root);
	t->loaded = 1;
	return 0;
}

int canh_tailer_save(struct canh_tailer *t, struct canh_errmsg *err)
{
	json_t *root, *arr;
	char *text;
	int rc;

	if (!t->dirty || !t->state_path)
		return 0;
	arr = json_array();
	for (size_t i = 0; i < t->nfiles; i++) {
		const struct tfile *f = &t->files[i];
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(f->path));
		json_object_set_new(o, "dev", json_integer((json_int_t)f->dev));
		json_object_set_new(o, "ino", json_integer((json_int_t)f->ino));
		json_object_set_new(o, "off", json_integer((json_int_t)(f->off - f->blen)));
		if (f->skipping)
			json_object_set_new(o, "skip", json_true());
		json_array_append_new(arr, o);
	}
	/* Offsets read from the state but whose file was not met yet are kept. */
	for (size_t i = 0; i < t->nsaved; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(t->saved[i].path));
		json_object_set_new(o, "dev", json_integer((json_int_t)t->saved[i].dev));
		json_object_set_new(o, "ino", json_integer((json_int_t)t->saved[i].ino));
		json_object_set_new(o, "off", json_integer((json_int_t)t->saved[i].off));
		json_array_append_new(arr, o);
	}
	root = json_object();
	json_object_set_new(root, "files", arr);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot encode the tailer state");
	rc = canh_file_write_atomic(t->state_path, text, strlen(text), 0600, err);
	free(text);
	if (rc == 0)
		t->dirty = 0;
	return rc;
}

void canh_tailer_get_stats(const struct canh_tailer *t, struct canh_tailer_stats *st)
{
	*st = t->st;
	st->files = t->nfiles;
}

/* ---- files ---- */

static struct tfile *find_inode(struct canh_tailer *t, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < t->nfiles; i++)
		if (t->files[i].dev == dev && t->files[i].ino == ino)
			return &t->files[i];
	return NULL;
}

static struct saved *find_saved(struct canh_tailer *t, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < t->nsaved; i++)
		if (t->saved[i].dev == dev && t->saved[i].ino == ino)
			return &t->saved[i];
	return NULL;
}

static void saved_drop(struct canh_tailer *t, struct saved *s)
{
	size_t i = (size_t)(s - t->saved);
	free(s->path);
	memmove(&t->saved[i], &t->saved[i + 1], (t->nsaved - i - 1) * sizeof(*s));
	t->nsaved--;
}

/* Open path (whose stat is st) at offset off; NULL when it cannot be opened. */
static struct tfile *file_open(struct canh_tailer *t, const char *path, const struct stat *st,
			       uint64_t off, int skipping)
{
	struct tfile *f;
	struct stat fst;
	int fd;

	if (t->nfiles >= CANH_TAIL_FILES_MAX) {
		t->st.files_over_cap++;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			t->st.errors++;
		return NULL;
	}
	/* The path may have moved between stat and open: trust the descriptor. */
	if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_dev != st->st_dev ||
	    fst.st_ino != st->st_ino) {
		close(fd);
		return NULL;
	}
	if ((uint64_t)fst.st_size < off) {
		off = 0; /* truncated while we were away */
		skipping = 0;
		t->st.truncations++;
	}
	if (off && lseek(fd, (off_t)off, SEEK_SET) < 0) {
		close(fd);
		t->st.errors++;
		return NULL;
	}
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = canh_xstrdup(path);
	f->dev = fst.st_dev;
	f->ino = fst.st_ino;
	f->fd = fd;
	f->off = off;
	f->skipping = skipping;
	f->seen = 1;
	f->buf = canh_xmalloc(t->o.line_max + CHUNK);
	t->dirty = 1;
	return f;
}

/* A path matched by a pattern. */
static void consider(struct canh_tailer *t, const char *path)
{
	struct stat st;
	struct tfile *f;
	struct saved *s;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if ((f = find_inode(t, st.st_dev, st.st_ino))) {
		struct stat old;
		f->seen = 1;
		/* Renamed to a name a pattern matches too (syslog -> syslog.1 with
		   "syslog*"): follow it under that name, never read it again from 0. */
		if (strcmp(f->path, path) != 0 &&
		    (stat(f->path, &old) != 0 || old.st_dev != st.st_dev ||
		     old.st_ino != st.st_ino)) {
			free(f->path);
			f->path = canh_xstrdup(path);
			f->retired = 0;
			f->idle = 0;
			t->dirty = 1;
		} else if (f->retired) {
			f->retired = 0; /* found again by a pattern after a restart */
			f->idle = 0;
		}
		return;
	}
	/* A file we follow under this path is another inode now: it rotated. */
	for (size_t i = 0; i < t->nfiles; i++)
		if (!t->files[i].retired && strcmp(t->files[i].path, path) == 0) {
			t->files[i].retired = 1;
			t->st.rotations++;
		}
	if ((s = find_saved(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino))) {
		if (file_open(t, path, &st, s->off, s->skipping))
			saved_drop(t, s);
		return;
	}
	if (!t->polled && !t->loaded && !t->o.from_start)
		file_open(t, path, &st, (uint64_t)st.st_size, 0);
	else
		file_open(t, path, &st, 0, 0);
}

/* After a restart: a saved file no longer at its path, renamed in the same directory. */
static void find_rotated(struct canh_tailer *t, struct saved *s)
{
	char dir[PATH_MAX], full[PATH_MAX];
	const char *slash = strrchr(s->path, '/');
	struct dirent *de;
	DIR *d;

	if (!slash || (size_t)(slash - s->path) >= sizeof(dir))
		return;
	memcpy(dir, s->path, (size_t)(slash - s->path));
	dir[slash - s->path] = '\0';
	if (!dir[0])
		canh_strlcpy(dir, "/", sizeof(dir));
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if ((uint64_t)de->d_ino != s->ino || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir, de->d_name) >= sizeof(full))
			continue;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_dev != s->dev ||
		    (uint64_t)st.st_ino != s->ino)
			continue;
		struct tfile *f = file_open(t, full, &st, s->off, s->skipping);
		if (f) {
			f->retired = 1;
			t->st.rotations++;
		}
		break;
	}
	closedir(d);
}

static void scan(struct canh_tailer *t)
{
	for (size_t i = 0; i < t->nfiles; i++)
		t->files[i].seen = 0;
	/* After a restart, files rotated while we were away come first, so that
	   their last lines are handed out before their successors'. */
	for (size_t i = 0; !t->polled && i < t->nsaved;) {
		struct stat st;
		struct saved *s = &t->saved[i];
		if (stat(s->path, &st) == 0 && (uint64_t)st.st_dev == s->dev &&
		    (uint64_t)st.st_ino == s->ino) {
			i++;
			continue;
		}
		find_rotated(t, s);
		saved_drop(t, s);
	}
	for (size_t p = 0; p < t->npatterns; p++) {
		glob_t g;
		memset(&g, 0, sizeof(g));
		if (glob(t->patterns[p], GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++)
				consider(t, g.gl_pathv[i]);
		globfree(&g);
	}
	if (!t->polled) {
		while (t->nsaved) /* met by no pattern any more */
			saved_drop(t, &t->saved[0]);
		t->dirty = 1;
	}
	/* Files no pattern names any more (renamed away, deleted): finish them. */
	for (size_t i = 0; i < t->nfiles; i++)
		if (!t->files[i].seen && !t->files[i].retired) {
			t->files[i].retired = 1;
			t->st.rotations++;
		}
	t->polled = 1;
}

/*
 * Hand out the complete lines in f->buf; at_eof hands out a last partial
 * line too (a retired file that stopped growing). Returns 1 when fn stopped.
 */
static int drain(struct canh_tailer *t, struct tfile *f, canh_tail_line_fn fn, void *arg,
		 int at_eof, size_t *count)
{
	size_t pos = 0;
	int stop = 0;

	while (pos < f->blen) {
		char *start = f->buf + pos, *nl = memchr(start, '\n', f->blen - pos);
		size_t avail = f->blen - pos;

		if (f->skipping) {
			size_t drop = nl ? (size_t)(nl - start) + 1 : avail;
			t->st.bytes_skipped += nl ? drop - 1 : drop;
			pos += drop;
			if (nl)
				f->skipping = 0;
			continue;
		}
		if (nl && (size_t)(nl - start) <= t->o.line_max) {
			size_t len = (size_t)(nl - start);
			if (fn(arg, f->path, start, len, 0) != 0) {
				stop = 1;
				break;
			}
			pos += len + 1;
		} else if (avail >= t->o.line_max || (nl && (size_t)(nl - start) > t->o.line_max)) {
			if (fn(arg, f->path, start, t->o.line_max, CANH_TAIL_CUT) != 0) {
				stop = 1;
				break;
			}
			t->st.long_lines++;
			pos += t->o.line_max;
			f->skipping = 1;
		} else if (at_eof) {
			if (fn(arg, f->path, start, avail, 0) != 0) {
				stop = 1;
				break;
			}
			pos += avail;
		} else {
			break; /* a partial line: wait for its newline */
		}
		(*count)++;
		t->st.lines++;
	}
	if (pos) {
		t->st.bytes += pos;
		memmove(f->buf, f->buf + pos, f->blen - pos);
		f->blen -= pos;
		t->dirty = 1;
	}
	return stop;
}

/* Read and hand out one file's new lines. Returns 1 when fn stopped; *gone when it is finished. */
static int follow(struct canh_tailer *t, struct tfile *f, canh_tail_line_fn fn, void *arg,
		  size_t *count, int *gone)
{
	size_t budget = t->o.read_max, cap = t->o.line_max + CHUNK;
	struct stat st;

	*gone = 0;
	if (drain(t, f, fn, arg, 0, count))
		return 1;
	if (!f->retired && fstat(f->fd, &st) == 0 && (uint64_t)st.st_size < f->off) {
		/* Truncated in place (copytruncate, or "> file"): start again at 0. */
		lseek(f->fd, 0, SEEK_SET);
		f->off = 0;
		f->blen = 0;
		f->skipping = 0;
		t->st.truncations++;
		t->dirty = 1;
	}
	while (budget > 0) {
		size_t room = cap - f->blen;
		ssize_t n;
		if (room > budget)
			room = budget;
		if (room == 0)
			break;
		n = read(f->fd, f->buf + f->blen, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			t->st.errors++;
			break;
		}
		if (n == 0) {
			if (f->retired) {
				/* Finished only after one quiet poll: a writer may still be
				   closing it. Then its last partial line goes out too. */
				if (f->idle) {
					if (drain(t, f, fn, arg, 1, count))
						return 1;
					*gone = 1;
				}
				f->idle = 1;
			}
			break;
		}
		f->idle = 0;
		f->off += (uint64_t)n;
		f->blen += (size_t)n;
		budget -= (size_t)n;
		if (drain(t, f, fn, arg, 0, count))
			return 1;
	}
	return 0;
}

size_t canh_tailer_poll(struct canh_tailer *t, canh_tail_line_fn fn, void *arg, int *stopped)
{
	size_t count = 0;
	int stop = 0;

	scan(t);
	/* In the order they were opened: a rotated file is finished before its successor. */
	for (size_t i = 0; i < t->nfiles && !stop; i++) {
		int gone = 0;
		stop = follow(t, &t->files[i], fn, arg, &count, &gone);
		if (gone) {
			file_close(&t->files[i]);
			memmove(&t->files[i], &t->files[i + 1],
				(t->nfiles - i - 1) * sizeof(*t->files));
			t->nfiles--;
			i--;
			t->dirty = 1;
		}
	}
	if (stopped)
		*stopped = stop;
	return count;
}
