/*
 * Durable on-disk message spool (see canh/spool.h for the contract).
 *
 * In memory the spool keeps one small descriptor per segment file: the seq of
 * its first and last record, how many records and bytes it holds, and the
 * prefix of its records that is already acknowledged (acknowledged records
 * always form a prefix, because sequences only grow). Nothing per record is
 * kept, so memory does not grow with the backlog; reads and acks walk the
 * record headers on disk, helped by a cursor remembering where the previous
 * read stopped.
 *
 * Recovery at open is per segment: every record must have the magic, a sane
 * length, a matching CRC and a seq above the previous record's. At the first
 * bad record we look further on for a valid record (a corrupt record in the
 * middle of an intact segment); if there is one, the segment is rewritten
 * without the bad bytes, otherwise the bad bytes are the torn tail of a crash
 * and are truncated away. Either way the removed bytes are counted in
 * stats.truncated, and records whose sequences went missing show up as a gap
 * that the uplink reports to the server.
 *
 * A lock file (flock) keeps two processes from opening the same spool: the
 * recovery of a second opener would truncate the record the first is writing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/error.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/spool.h"

#define HDR 20u			    /* magic, length, seq, crc */
#define SEG_ROLL (4u * 1024 * 1024) /* a segment stops taking records here */
#define SEG_MAX                                                                                    \
	((uint64_t)HDR + CANH_SPOOL_MAX_RECORD > SEG_ROLL ? (uint64_t)HDR + CANH_SPOOL_MAX_RECORD  \
							  : SEG_ROLL)
#define SEQ_MAX 9007199254740991ull /* 2^53 - 1: seqs travel as JSON numbers */
#define SEG_NAME_LEN 24		    /* "seg-" 16 hex ".log" */

static const uint8_t MAGIC[4] = {'C', 'S', 'P', '1'};

struct seg {
	uint64_t first;	      /* from the file name */
	uint64_t last;	      /* seq of the last record (0 when empty) */
	uint64_t count;	      /* records */
	uint64_t size;	      /* bytes, all of them valid records */
	uint64_t acked_count; /* records <= the spool's acked seq (a prefix) */
	uint64_t acked_bytes; /* their bytes = offset of the first unacknowledged record */
};

struct canh_spool {
	char *dir;
	int dirfd;
	int lockfd;
	int tailfd; /* segs[nsegs - 1] open for appending, or -1 */
	int failed; /* an append could not be undone: refuse further writes */
	uint64_t max_bytes;
	uint64_t next_seq;
	uint64_t acked;
	uint64_t pending;
	uint64_t pending_bytes;
	uint64_t refused;
	uint64_t truncated;
	struct seg *segs;
	size_t nsegs, capsegs;
	/* read cursor: the record after `cur_seq` starts at cur_off in segment cur_first */
	int cur_valid;
	uint64_t cur_seq, cur_first, cur_off;
	uint8_t *rbuf;
	size_t rcap;
};

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib) ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t canh_crc32(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- little-endian helpers ---- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t record_crc(const uint8_t seqle[8], const void *payload, size_t len)
{
	return canh_crc32(canh_crc32(0, seqle, 8), payload, len);
}

/* ---- file helpers ---- */

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? CANH_ECORRUPT : CANH_EIO;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno == ENOSPC || errno == EDQUOT ? CANH_EFULL : CANH_EIO;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static void seg_name(char buf[SEG_NAME_LEN + 1], uint64_t first)
{
	snprintf(buf, SEG_NAME_LEN + 1, "seg-%016" PRIx64 ".log", first);
}

/* "seg-<16 lower-case hex>.log" exactly; anything else in the directory is not ours. */
static int parse_seg_name(const char *name, uint64_t *first)
{
	uint64_t v = 0;

	if (strlen(name) != SEG_NAME_LEN || memcmp(name, "seg-", 4) != 0 ||
	    memcmp(name + 20, ".log", 4) != 0)
		return -1;
	for (int i = 4; i < 20; i++) {
		char c = name[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*first = v;
	return 0;
}

/* Write a small file atomically inside the spool directory. */
static int write_small_atomic(struct canh_spool *s, const char *name, uint64_t value)
{
	char tmp[64], text[32];
	int fd, rc = 0;
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", value);

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return CANH_EIO;
	if ((rc = pwrite_full(fd, text, (size_t)n, 0)) != 0 || fsync(fd) != 0) {
		rc = rc ? rc : CANH_EIO;
		close(fd);
		unlinkat(s->dirfd, tmp, 0);
		return rc;
	}
	if (close(fd) != 0 || renameat(s->dirfd, tmp, s->dirfd, name) != 0) {
		unlinkat(s->dirfd, tmp, 0);
		return CANH_EIO;
	}
	if (fsync(s->dirfd) != 0)
		return CANH_EIO;
	return 0;
}

/* A missing file is 0; anything but one decimal number is corruption. */
static int read_small(struct canh_spool *s, const char *name, uint64_t *out,
		      struct canh_errmsg *err)
{
	char text[64];
	ssize_t n;
	int fd;
	char *end;

	*out = 0;
	fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return canh_errmsg_set(err, CANH_EIO, "cannot open '%s/%s': %s", s->dir, name,
				       strerror(errno));
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return canh_errmsg_set(err, CANH_EIO, "cannot read '%s/%s': %s", s->dir, name,
				       strerror(errno));
	text[n] = '\0';
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || text[0] < '0' || text[0] > '9' ||
	    (*end != '\0' && *end != '\n') || v > SEQ_MAX)
		return canh_errmsg_set(err, CANH_ECORRUPT,
				       "'%s/%s' does not hold a sequence number", s->dir, name);
	*out = v;
	return 0;
}

/* ---- recovery ---- */

/* Is there a valid record at off of buf (size bytes)? Sets its seq and total length. */
static int valid_record_at(const uint8_t *buf, uint64_t size, uint64_t off, uint64_t min_seq,
			   uint64_t *seq, uint64_t *total)
{
	if (size - off < HDR || memcmp(buf + off, MAGIC, 4) != 0)
		return 0;
	uint32_t len = get32(buf + off + 4);
	if (len > CANH_SPOOL_MAX_RECORD || size - off - HDR < len)
		return 0;
	uint64_t sq = get64(buf + off + 8);
	if (sq < min_seq || sq == 0 || sq > SEQ_MAX)
		return 0;
	if (record_crc(buf + off + 8, buf + off + HDR, len) != get32(buf + off + 16))
		return 0;
	*seq = sq;
	*total = HDR + (uint64_t)len;
	return 1;
}

/* The next offset after `from` where a valid record starts, or size. */
static uint64_t resync(const uint8_t *buf, uint64_t size, uint64_t from, uint64_t min_seq)
{
	uint64_t off = from, seq, total;

	while (off + HDR <= size) {
		const uint8_t *m = memmem(buf + off, size - off, MAGIC, 4);
		if (!m)
			break;
		off = (uint64_t)(m - buf);
		if (valid_record_at(buf, size, off, min_seq, &seq, &total))
			return off;
		off++;
	}
	return size;
}

static int read_whole(int fd, uint64_t size, uint8_t **out)
{
	uint8_t *buf = canh_xmalloc(size ? size : 1);
	int rc = size ? pread_full(fd, buf, size, 0) : 0;
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

/*
 * Scan (and repair) one segment. min_seq is one above the previous segment's
 * last record. On return sg describes the valid records.
 */
static int recover_segment(struct canh_spool *s, struct seg *sg, uint64_t min_seq,
			   struct canh_errmsg *err)
{
	char name[SEG_NAME_LEN + 1];
	uint8_t *buf = NULL, *good = NULL;
	uint64_t size, off = 0, glen = 0, seq, total;
	struct stat st;
	int fd = -1, rc = 0, holes = 0;

	seg_name(name, sg->first);
	fd = openat(s->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot open '%s/%s': %s", s->dir, name,
				     strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = canh_errmsg_set(err, CANH_ECORRUPT, "'%s/%s' is not a regular file", s->dir,
				     name);
		goto out;
	}
	/* We never write a segment larger than SEG_MAX: beyond that is not ours. */
	size = (uint64_t)st.st_size > SEG_MAX ? SEG_MAX : (uint64_t)st.st_size;
	if ((rc = read_whole(fd, size, &buf)) != 0) {
		canh_errmsg_set(err, rc, "cannot read '%s/%s'", s->dir, name);
		goto out;
	}
	if (min_seq < sg->first)
		min_seq = sg->first;

	/* Valid records are compacted into `good` only once a hole has been seen. */
	while (off < size) {
		if (valid_record_at(buf, size, off, min_seq, &seq, &total)) {
			if (holes)
				memmove(good + glen, buf + off, total);
			glen += total;
			off += total;
			min_seq = seq + 1;
			sg->last = seq;
			sg->count++;
			if (seq <= s->acked) {
				sg->acked_count++;
				sg->acked_bytes += total;
			}
			continue;
		}
		uint64_t next = resync(buf, size, off + 1, min_seq);
		s->truncated += next - off;
		if (next < size && !holes) {
			holes = 1;
			good = buf; /* compact in place: glen <= off always */
		}
		off = next;
	}

	if (holes) {
		/* Rewrite the segment without the corrupt bytes, atomically. */
		char tmp[SEG_NAME_LEN + 8];
		int tfd;
		snprintf(tmp, sizeof(tmp), "%s.tmp", name);
		tfd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			     0600);
		if (tfd < 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot create '%s/%s': %s", s->dir,
					     tmp, strerror(errno));
			goto out;
		}
		rc = pwrite_full(tfd, good, glen, 0);
		if (rc == 0 && fsync(tfd) != 0)
			rc = CANH_EIO;
		if (close(tfd) != 0 && rc == 0)
			rc = CANH_EIO;
		if (rc == 0 && renameat(s->dirfd, tmp, s->dirfd, name) != 0)
			rc = CANH_EIO;
		if (rc != 0) {
			unlinkat(s->dirfd, tmp, 0);
			canh_errmsg_set(err, rc, "cannot rewrite damaged segment '%s/%s'", s->dir,
					name);
			goto out;
		}
		fsync(s->dirfd);
	} else if (glen < (uint64_t)st.st_size) {
		if (ftruncate(fd, (off_t)glen) != 0 || fsync(fd) != 0) {
			rc = canh_errmsg_set(err, CANH_EIO,
					     "cannot truncate torn tail of '%s/%s': %s", s->dir,
					     name, strerror(errno));
			goto out;
		}
	}
	if ((uint64_t)st.st_size > size)
		s->truncated += (uint64_t)st.st_size - size;
	sg->size = glen;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

static void segs_push(struct canh_spool *s, uint64_t first)
{
	if (s->nsegs == s->capsegs) {
		size_t ncap;
		if (canh_size_mul(s->capsegs ? s->capsegs : 8, 2, &ncap) != 0)
			CANH_BUG("segment table overflow");
		size_t bytes;
		if (canh_size_mul(ncap, sizeof(*s->segs), &bytes) != 0)
			CANH_BUG("segment table overflow");
		s->segs = canh_xrealloc(s->segs, bytes);
		s->capsegs = ncap;
	}
	memset(&s->segs[s->nsegs], 0, sizeof(s->segs[0]));
	s->segs[s->nsegs++].first = first;
}

static void segs_remove(struct canh_spool *s, size_t i)
{
	memmove(&s->segs[i], &s->segs[i + 1], (s->nsegs - i - 1) * sizeof(s->segs[0]));
	s->nsegs--;
}

static void unlink_seg(struct canh_spool *s, uint64_t first)
{
	char name[SEG_NAME_LEN + 1];
	seg_name(name, first);
	unlinkat(s->dirfd, name, 0);
}

static int list_segments(struct canh_spool *s, struct canh_errmsg *err)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(s->dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return canh_errmsg_set(err, CANH_EIO, "cannot list '%s': %s", s->dir,
				       strerror(errno));
	}
	while ((e = readdir(d))) {
		uint64_t first;
		if (parse_seg_name(e->d_name, &first) == 0)
			segs_push(s, first);
		else if (strcmp(e->d_name, "acked.tmp") == 0 ||
			 strcmp(e->d_name, "next.tmp") == 0 ||
			 (strncmp(e->d_name, "seg-", 4) == 0 && strstr(e->d_name, ".log.tmp")))
			unlinkat(s->dirfd, e->d_name, 0); /* left by a crash mid-rename */
	}
	closedir(d);
	if (s->nsegs)
		qsort(s->segs, s->nsegs, sizeof(s->segs[0]), seg_cmp);
	return 0;
}

static int open_tail(struct canh_spool *s)
{
	char name[SEG_NAME_LEN + 1];

	if (s->tailfd >= 0 || s->nsegs == 0)
		return 0;
	seg_name(name, s->segs[s->nsegs - 1].first);
	s->tailfd = openat(s->dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	return s->tailfd < 0 ? CANH_EIO : 0;
}

int canh_spool_open(const char *dir, uint64_t max_bytes, struct canh_spool **out,
		    struct canh_errmsg *err)
{
	struct canh_spool *s;
	uint64_t floor_next, min_seq = 1;
	int rc;

	*out = NULL;
	if (!dir || !*dir)
		return canh_errmsg_set(err, CANH_EINVAL, "no spool directory given");
	if ((rc = canh_mkdir_p(dir, 0700, err)) != 0)
		return rc;

	s = canh_xcalloc(1, sizeof(*s));
	s->dir = canh_xstrdup(dir);
	s->lockfd = s->tailfd = -1;
	s->max_bytes = max_bytes;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot open spool directory '%s': %s", dir,
				     strerror(errno));
		goto out;
	}
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lockfd < 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot open '%s/lock': %s", dir,
				     strerror(errno));
		goto out;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
		rc = canh_errmsg_set(err, errno == EWOULDBLOCK ? CANH_EAGAIN : CANH_EIO,
				     "spool '%s' is in use by another process", dir);
		goto out;
	}
	if ((rc = read_small(s, "acked", &s->acked, err)) != 0 ||
	    (rc = read_small(s, "next", &floor_next, err)) != 0)
		goto out;
	if ((rc = list_segments(s, err)) != 0)
		goto out;

	for (size_t i = 0; i < s->nsegs;) {
		struct seg *sg = &s->segs[i];
		if ((rc = recover_segment(s, sg, min_seq, err)) != 0)
			goto out;
		if (sg->count == 0 || sg->last <= s->acked) {
			/* empty after recovery, or delivered already: not needed any more */
			unlink_seg(s, sg->first);
			segs_remove(s, i);
			continue;
		}
		min_seq = sg->last + 1;
		s->pending += sg->count - sg->acked_count;
		s->pending_bytes += sg->size - sg->acked_bytes;
		i++;
	}
	fsync(s->dirfd);

	s->next_seq = min_seq;
	if (s->next_seq < s->acked + 1)
		s->next_seq = s->acked + 1;
	if (s->next_seq < floor_next)
		s->next_seq = floor_next;
	if ((rc = open_tail(s)) != 0) {
		canh_errmsg_set(err, rc, "cannot open the last segment of '%s': %s", dir,
				strerror(errno));
		goto out;
	}
	*out = s;
	s = NULL;
out:
	canh_spool_free(s);
	return rc;
}

void canh_spool_free(struct canh_spool *s)
{
	if (!s)
		return;
	if (s->tailfd >= 0)
		close(s->tailfd);
	if (s->lockfd >= 0)
		close(s->lockfd); /* releases the flock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->segs);
	free(s->rbuf);
	free(s->dir);
	free(s);
}

/* ---- append ---- */

static int new_segment(struct canh_spool *s, uint64_t first)
{
	char name[SEG_NAME_LEN + 1];
	int fd;

	seg_name(name, first);
	fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno == ENOSPC || errno == EDQUOT ? CANH_EFULL : CANH_EIO;
	/* The name must be durable before a record in it is reported durable. */
	if (fsync(s->dirfd) != 0) {
		close(fd);
		unlinkat(s->dirfd, name, 0);
		return CANH_EIO;
	}
	if (s->tailfd >= 0)
		close(s->tailfd);
	s->tailfd = fd;
	segs_push(s, first);
	return 0;
}

int canh_spool_append(struct canh_spool *s, const void *data, size_t len, uint64_t *seq_out)
{
	uint8_t hdr[HDR];
	uint64_t seq, total, off;
	struct seg *tail;
	int rc;

	if (seq_out)
		*seq_out = 0;
	if (!s || (len && !data))
		return CANH_EINVAL;
	if (s->failed)
		return CANH_EIO;
	if (len > CANH_SPOOL_MAX_RECORD)
		return CANH_ETOOBIG;
	seq = s->next_seq;
	if (seq > SEQ_MAX)
		return CANH_ERANGE;
	total = HDR + (uint64_t)len;
	if (s->pending_bytes + total > s->max_bytes) {
		s->refused++;
		return CANH_EFULL;
	}

	tail = s->nsegs ? &s->segs[s->nsegs - 1] : NULL;
	if (!tail || (tail->size > 0 && tail->size + total > SEG_ROLL)) {
		if ((rc = new_segment(s, seq)) != 0)
			return rc;
		tail = &s->segs[s->nsegs - 1];
	} else if ((rc = open_tail(s)) != 0) {
		return rc;
	}

	memcpy(hdr, MAGIC, 4);
	put32(hdr + 4, (uint32_t)len);
	put64(hdr + 8, seq);
	put32(hdr + 16, record_crc(hdr + 8, data, len));
	off = tail->size;
	rc = pwrite_full(s->tailfd, hdr, HDR, off);
	if (rc == 0 && len)
		rc = pwrite_full(s->tailfd, data, len, off + HDR);
	if (rc == 0 && fdatasync(s->tailfd) != 0)
		rc = CANH_EIO;
	if (rc != 0) {
		/* Undo the partial record; if even that fails, stop writing altogether. */
		if (ftruncate(s->tailfd, (off_t)off) != 0 || fdatasync(s->tailfd) != 0)
			s->failed = 1;
		return rc;
	}
	tail->size += total;
	tail->count++;
	tail->last = seq;
	s->next_seq = seq + 1;
	s->pending++;
	s->pending_bytes += total;
	if (seq_out)
		*seq_out = seq;
	return 0;
}

/* ---- read ---- */

static int open_seg_ro(struct canh_spool *s, uint64_t first)
{
	char name[SEG_NAME_LEN + 1];
	seg_name(name, first);
	return openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* Read and check the header at off; *len gets the payload length. */
static int read_header(int fd, const struct seg *sg, uint64_t off, uint8_t hdr[HDR], uint64_t *seq,
		       uint32_t *len)
{
	int rc;

	if (sg->size - off < HDR)
		return CANH_ECORRUPT;
	if ((rc = pread_full(fd, hdr, HDR, off)) != 0)
		return rc;
	if (memcmp(hdr, MAGIC, 4) != 0)
		return CANH_ECORRUPT;
	*len = get32(hdr + 4);
	*seq = get64(hdr + 8);
	if (*len > CANH_SPOOL_MAX_RECORD || sg->size - off - HDR < *len)
		return CANH_ECORRUPT;
	return 0;
}

int canh_spool_read(struct canh_spool *s, uint64_t after_seq, size_t max_count, size_t max_bytes,
		    canh_spool_visit_fn fn, void *ctx)
{
	size_t visited = 0, bytes = 0;
	int fd = -1, rc = 0, stop = 0;

	if (!s || !fn)
		return CANH_EINVAL;
	for (size_t i = 0; i < s->nsegs && !stop && visited < max_count; i++) {
		struct seg *sg = &s->segs[i];
		uint64_t off = 0;

		if (sg->count == 0 || sg->last <= after_seq)
			continue;
		if (s->cur_valid && s->cur_seq == after_seq && s->cur_first == sg->first &&
		    s->cur_off <= sg->size)
			off = s->cur_off;
		else if (after_seq >= s->acked)
			off = sg->acked_bytes; /* everything before is <= acked <= after_seq */
		if ((fd = open_seg_ro(s, sg->first)) < 0) {
			rc = CANH_EIO;
			goto out;
		}
		while (off < sg->size && visited < max_count) {
			uint8_t hdr[HDR];
			uint64_t seq;
			uint32_t len;
			if ((rc = read_header(fd, sg, off, hdr, &seq, &len)) != 0)
				goto out;
			if (seq > after_seq) {
				if (visited > 0 && bytes + len > max_bytes) {
					stop = 1;
					break;
				}
				if (len > s->rcap) {
					s->rbuf = canh_xrealloc(s->rbuf, len);
					s->rcap = len;
				}
				if (len && (rc = pread_full(fd, s->rbuf, len, off + HDR)) != 0)
					goto out;
				if (record_crc(hdr + 8, s->rbuf, len) != get32(hdr + 16)) {
					rc = CANH_ECORRUPT;
					goto out;
				}
				visited++;
				bytes += len;
				off += HDR + (uint64_t)len;
				s->cur_valid = 1;
				s->cur_seq = seq;
				s->cur_first = sg->first;
				s->cur_off = off;
				if (fn(seq, s->rbuf, len, ctx) != 0) {
					stop = 1;
					break;
				}
			} else {
				off += HDR + (uint64_t)len;
			}
		}
		/* The cursor at the end of a segment points at the start of the next one. */
		if (s->cur_valid && s->cur_first == sg->first && s->cur_off == sg->size &&
		    i + 1 < s->nsegs) {
			s->cur_first = s->segs[i + 1].first;
			s->cur_off = 0;
		}
		close(fd);
		fd = -1;
	}
	rc = (int)(visited > INT32_MAX ? INT32_MAX : visited);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- ack ---- */

int canh_spool_ack(struct canh_spool *s, uint64_t seq)
{
	int rc;

	if (!s)
		return CANH_EINVAL;
	if (seq <= s->acked)
		return 0;
	if (seq >= s->next_seq)
		return CANH_EINVAL;
	if (s->failed)
		return CANH_EIO;
	if ((rc = write_small_atomic(s, "acked", seq)) != 0)
		return rc;
	s->acked = seq;

	while (s->nsegs > 0) {
		struct seg *sg = &s->segs[0];
		if (sg->count == 0 || sg->last <= seq) {
			s->pending -= sg->count - sg->acked_count;
			s->pending_bytes -= sg->size - sg->acked_bytes;
			if (s->nsegs == 1 && s->tailfd >= 0) {
				close(s->tailfd);
				s->tailfd = -1;
			}
			unlink_seg(s, sg->first);
			segs_remove(s, 0);
			continue;
		}
		/* The first segment is partly acknowledged: move its prefix forward. */
		int fd = open_seg_ro(s, sg->first);
		if (fd < 0)
			return CANH_EIO;
		while (sg->acked_bytes < sg->size) {
			uint8_t hdr[HDR];
			uint64_t rseq;
			uint32_t len;
			if ((rc = read_header(fd, sg, sg->acked_bytes, hdr, &rseq, &len)) != 0) {
				close(fd);
				return rc;
			}
			if (rseq > seq)
				break;
			sg->acked_count++;
			sg->acked_bytes += HDR + (uint64_t)len;
			s->pending--;
			s->pending_bytes -= HDR + (uint64_t)len;
		}
		close(fd);
		break;
	}
	return 0;
}

int canh_spool_bump_seq(struct canh_spool *s, uint64_t min_next)
{
	int rc;

	if (!s)
		return CANH_EINVAL;
	if (min_next <= s->next_seq)
		return 0;
	if (min_next > SEQ_MAX)
		return CANH_ERANGE;
	/* Persisted, so a restart before the next append still starts from here. */
	if ((rc = write_small_atomic(s, "next", min_next)) != 0)
		return rc;
	s->next_seq = min_next;
	return 0;
}

void canh_spool_get_stats(const struct canh_spool *s, struct canh_spool_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	st->next_seq = s->next_seq;
	st->acked_seq = s->acked;
	st->pending = s->pending;
	st->pending_bytes = s->pending_bytes;
	st->refused = s->refused;
	st->truncated = s->truncated;
	st->max_bytes = s->max_bytes;
}
