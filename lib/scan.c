/*
 * The scan engine (canh/scan.h): a walker thread, a bounded queue, workers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "canh/crypto.h"
#include "canh/mem.h"
#include "scan_internal.h"

#define QUEUE_SLOTS 256
#define READ_BUF ((size_t)256 << 10) /* files up to this size are read, larger ones mmap'd */
#define PROGRESS_FILES 256
#define PROGRESS_BYTES ((uint64_t)64 << 20)
#define MAX_MOUNTS 4096

static const char *const pseudo_fs[] = {
    "proc",    "sysfs",	      "devtmpfs", "devpts",    "cgroup",    "cgroup2",	  "debugfs",
    "tracefs", "securityfs",  "pstore",	  "bpf",       "efivarfs",  "configfs",	  "fusectl",
    "mqueue",  "binfmt_misc", "autofs",	  "hugetlbfs", "selinuxfs", "rpc_pipefs", "nsfs",
};
static const char *const network_fs[] = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "ceph", "glusterfs", "fuse.sshfs", "9p",
};

struct item {
	struct canh__cache_key k;
	char path[PATH_MAX];
};

struct mount_fs {
	uint64_t dev;
	int excluded;
	char *point; /* mount point (malloc'd), unescaped */
};

struct engine {
	const struct canh_scan_rules *rules;
	const struct canh_scan_hashset *hashes;
	const struct canh_scan_opts *o;
	uint64_t max_size;
	int need_hash[3];

	/* queue */
	pthread_mutex_t qmu;
	pthread_cond_t qne, qnf;
	struct item *slots;
	unsigned head, count;
	int walk_done;

	/* report lock and totals */
	pthread_mutex_t rmu;
	struct canh_scan_stats st;
	uint64_t last_prog_files, last_prog_bytes;

	/* cache */
	struct canh_scan_cache *cache;
	void *cache_map;
	size_t cache_len;
	struct canh__cache_out *cout;

	/* file systems */
	struct mount_fs *mounts;
	size_t nmounts;

	int failed;
	struct canh_errmsg *err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cancelled(const struct engine *e)
{
	return e->o->cancel != NULL && *e->o->cancel;
}

static void add(uint64_t *p, uint64_t v)
{
	__atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

/* ---- File systems ---- */

static int fs_excluded_name(const struct canh_scan_opts *o, const char *type)
{
	if (o->exclude_fs != NULL) {
		for (size_t i = 0; i < o->nexclude_fs; i++)
			if (strcmp(o->exclude_fs[i], type) == 0)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(pseudo_fs) / sizeof(*pseudo_fs); i++)
		if (strcmp(pseudo_fs[i], type) == 0)
			return 1;
	if (!o->scan_network)
		for (size_t i = 0; i < sizeof(network_fs) / sizeof(*network_fs); i++)
			if (strcmp(network_fs[i], type) == 0)
				return 1;
	return 0;
}

/* Field 5 of a mountinfo line (the mount point), its \ooo escapes undone; NULL if malformed. */
static char *mount_point(const char *line)
{
	const char *p = line;
	char *out, *o;

	for (int f = 0; f < 4; f++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return NULL;
		p++;
	}
	out = o = canh_xmalloc(strlen(p) + 1);
	for (; *p != '\0' && *p != ' '; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* p is below the directory d (dl bytes, no trailing '/' except for "/"). */
static int below(const char *p, const char *d, size_t dl)
{
	if (dl == 1 && d[0] == '/')
		return p[0] == '/' && p[1] != '\0';
	return strncmp(p, d, dl) == 0 && p[dl] == '/';
}

/* The devices of the mounts in /proc/self/mountinfo whose type is excluded. */
static void load_mounts(struct engine *e)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (f == NULL)
		return;
	e->mounts = canh_xcalloc(MAX_MOUNTS, sizeof(*e->mounts));
	while (e->nmounts < MAX_MOUNTS && fgets(line, sizeof(line), f) != NULL) {
		unsigned maj, min;
		char *sep = strstr(line, " - "), *type, *sp;

		if (sep == NULL || sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2)
			continue;
		type = sep + 3;
		sp = strchr(type, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		e->mounts[e->nmounts].point = mount_point(line);
		e->mounts[e->nmounts].dev = makedev(maj, min);
		e->mounts[e->nmounts].excluded = fs_excluded_name(e->o, type);
		e->nmounts++;
	}
	fclose(f);
}

static int dev_excluded(const struct engine *e, uint64_t dev)
{
	int ex = 0;

	/* Later lines are mounted over earlier ones on the same device. */
	for (size_t i = 0; i < e->nmounts; i++)
		if (e->mounts[i].dev == dev)
			ex = e->mounts[i].excluded;
	return ex;
}

static int path_excluded(const struct engine *e, const char *path)
{
	for (size_t i = 0; i < e->o->nexclude; i++) {
		const char *x = e->o->exclude[i];
		size_t n = strlen(x);

		while (n > 1 && x[n - 1] == '/')
			n--;
		if (strncmp(path, x, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || x[n - 1] == '/'))
			return 1;
		if (strpbrk(x, "*?[") != NULL && fnmatch(x, path, 0) == 0)
			return 1;
	}
	return 0;
}

/* ---- Throttling ---- */

static void apply_priority(const struct canh_scan_opts *o)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (o->nice > 0) {
		errno = 0;
		int cur = getpriority(PRIO_PROCESS, (id_t)tid);

		if (errno == 0)
			setpriority(PRIO_PROCESS, (id_t)tid, cur + (o->nice > 19 ? 19 : o->nice));
	}
	if (o->ionice_idle)
		syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, tid, 3 << 13 /* IDLE */);
	else if (o->nice > 0)
		syscall(SYS_ioprio_set, 1, tid, 2 << 13 | 7 /* best effort, lowest */);
}

/* ---- Queue ---- */

static int queue_push(struct engine *e, const char *path, const struct stat *st)
{
	struct item *it;

	pthread_mutex_lock(&e->qmu);
	while (e->count == QUEUE_SLOTS && !cancelled(e))
		pthread_cond_wait(&e->qnf, &e->qmu);
	if (cancelled(e)) {
		pthread_mutex_unlock(&e->qmu);
		return -1;
	}
	it = &e->slots[(e->head + e->count) % QUEUE_SLOTS];
	canh_strlcpy(it->path, path, sizeof(it->path));
	it->k.dev = st->st_dev;
	it->k.ino = st->st_ino;
	it->k.size = (uint64_t)st->st_size;
	it->k.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	it->k.ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	e->count++;
	pthread_cond_signal(&e->qne);
	pthread_mutex_unlock(&e->qmu);
	return 0;
}

static int queue_pop(struct engine *e, struct item *out)
{
	pthread_mutex_lock(&e->qmu);
	while (e->count == 0 && !e->walk_done)
		pthread_cond_wait(&e->qne, &e->qmu);
	if (e->count == 0) {
		pthread_mutex_unlock(&e->qmu);
		return -1;
	}
	*out = e->slots[e->head];
	e->head = (e->head + 1) % QUEUE_SLOTS;
	e->count--;
	pthread_cond_signal(&e->qnf);
	pthread_mutex_unlock(&e->qmu);
	return 0;
}

/* ---- Walker ---- */

static void skip(struct engine *e, const char *path, enum canh_scan_skip why, const char *msg)
{
	pthread_mutex_lock(&e->rmu);
	if (e->o->on_skip != NULL)
		e->o->on_skip(e->o->ctx, path, why, msg);
	pthread_mutex_unlock(&e->rmu);
}

struct dstack {
	char **v;
	size_t n, cap;
};

static void dpush(struct dstack *s, const char *path)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = canh_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = canh_xstrdup(path);
}

/*
 * dir is on an excluded file system; the scanned ones mounted below it are
 * still walked: /dev is devtmpfs, but /dev/shm below it is a tmpfs where
 * droppers hide. Only the top ones: a mount below another is reached by
 * walking that one.
 */
static void push_mounts_below(struct engine *e, const char *dir, struct dstack *s)
{
	size_t dl = strlen(dir);

	if (e->o->one_file_system || dir[0] != '/')
		return;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	for (size_t i = 0; i < e->nmounts; i++) {
		const struct mount_fs *m = &e->mounts[i];
		int top = 1;

		if (m->excluded || m->point == NULL || !below(m->point, dir, dl))
			continue;
		for (size_t j = 0; j < e->nmounts && top; j++) {
			const struct mount_fs *n = &e->mounts[j];

			if (j == i || n->point == NULL)
				continue;
			/* Mounted over later at the same point: that one decides. */
			if (j > i && strcmp(n->point, m->point) == 0)
				top = 0;
			else if (!n->excluded && below(n->point, dir, dl) &&
				 below(m->point, n->point, strlen(n->point)))
				top = 0;
		}
		if (top && !(e->o->nexclude > 0 && path_excluded(e, m->point)))
			dpush(s, m->point);
	}
}

/* Walk the directories on s (taken over, emptied). */
static void walk_dirs(struct engine *e, struct dstack *sp, uint64_t rootdev)
{
	struct dstack s = *sp;
	char path[PATH_MAX];

	while (s.n > 0 && !cancelled(e)) {
		char *dir = s.v[--s.n];
		size_t dl = strlen(dir);
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
		DIR *d;
		struct dirent *de;

		if (fd < 0 && errno == EPERM)
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (d = fdopendir(fd)) == NULL) {
			char msg[128];

			snprintf(msg, sizeof(msg), "cannot open directory: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			add(&e->st.errors, 1);
			skip(e, dir, CANH_SCAN_SKIP_ERROR, msg);
			free(dir);
			continue;
		}
		while ((de = readdir(d)) != NULL && !cancelled(e)) {
			struct stat st;
			int flags = AT_SYMLINK_NOFOLLOW;

			if (de->d_name[0] == '.' &&
			    (de->d_name[1] == '\0' ||
			     (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			if (dl + 1 + strlen(de->d_name) >= sizeof(path)) {
				add(&e->st.errors, 1);
				skip(e, dir, CANH_SCAN_SKIP_ERROR, "path too long");
				continue;
			}
			snprintf(path, sizeof(path), "%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/",
				 de->d_name);
			if (e->o->nexclude > 0 && path_excluded(e, path)) {
				add(&e->st.excluded_path, 1);
				continue;
			}
			if (fstatat(fd, de->d_name, &st, flags) != 0)
				continue; /* gone since readdir */
			if (S_ISLNK(st.st_mode)) {
				if (!e->o->follow_symlinks ||
				    fstatat(fd, de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
					continue;
			}
			if (S_ISDIR(st.st_mode)) {
				if (st.st_dev != rootdev && e->o->one_file_system) {
					add(&e->st.other_fs, 1);
					continue;
				}
				if (dev_excluded(e, st.st_dev)) {
					add(&e->st.excluded_fs, 1);
					push_mounts_below(e, path, &s);
					continue;
				}
				dpush(&s, path);
			} else if (S_ISREG(st.st_mode)) {
				if (queue_push(e, path, &st) != 0)
					break;
			}
		}
		closedir(d);
		free(dir);
	}
	while (s.n > 0)
		free(s.v[--s.n]);
	free(s.v);
}

struct walk_args {
	struct engine *e;
	const char *const *paths;
	size_t npaths;
};

static void *walker(void *arg)
{
	struct walk_args *w = arg;
	struct engine *e = w->e;

	apply_priority(e->o);
	for (size_t i = 0; i < w->npaths && !cancelled(e); i++) {
		struct stat st;
		const char *p = w->paths[i];

		if (stat(p, &st) != 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "cannot stat: %s", strerror(errno));
			add(&e->st.errors, 1);
			skip(e, p, CANH_SCAN_SKIP_ERROR, msg);
			continue;
		}
		if (e->o->nexclude > 0 && path_excluded(e, p)) {
			add(&e->st.excluded_path, 1);
			continue;
		}
		if (dev_excluded(e, st.st_dev)) {
			add(&e->st.excluded_fs, 1);
			if (S_ISDIR(st.st_mode)) {
				struct dstack s = {NULL, 0, 0};

				push_mounts_below(e, p, &s);
				walk_dirs(e, &s, st.st_dev);
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dstack s = {NULL, 0, 0};

			dpush(&s, p);
			walk_dirs(e, &s, st.st_dev);
		} else if (S_ISREG(st.st_mode))
			queue_push(e, p, &st);
	}
	pthread_mutex_lock(&e->qmu);
	e->walk_done = 1;
	pthread_cond_broadcast(&e->qne);
	pthread_mutex_unlock(&e->qmu);
	return NULL;
}

/* ---- Workers ---- */

struct worker {
	struct engine *e;
	pthread_t th;
	YR_SCANNER *scanner;
	EVP_MD_CTX *md;
	uint8_t *buf;
	/* the current file */
	struct canh__cache_det det;
	int have[3];
	uint64_t busy_ns, paused_ns;
	int64_t debt_ns;
	uid_t owner_uid;
	char owner[64];
	sigjmp_buf bus;
};

static __thread sigjmp_buf *bus_guard;
static struct sigaction bus_prev;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (bus_guard != NULL)
		siglongjmp(*bus_guard, 1);
	/* Not ours: the previous handling back; the faulting access runs again under it. */
	sigaction(SIGBUS, &bus_prev, NULL);
}

static void bus_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_prev);
}

static int yara_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	struct worker *w = user;
	YR_RULE *r = data;

	if (message != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	if (w->det.n < CANH_SCAN_MAX_RULE_NAMES) {
		const char *ns = r->ns != NULL ? r->ns->name : NULL;

		w->det.kind[w->det.n] = CANH_SCAN_DET_RULE;
		if (ns != NULL && strcmp(ns, "default") != 0)
			snprintf(w->det.name[w->det.n], sizeof(w->det.name[0]), "%s:%s", ns,
				 r->identifier);
		else
			canh_strlcpy(w->det.name[w->det.n], r->identifier, sizeof(w->det.name[0]));
		w->det.n++;
	}
	return CALLBACK_CONTINUE;
}

static void digest(struct worker *w, int t, const uint8_t *p, size_t n)
{
	const EVP_MD *md = t == 0 ? EVP_md5() : t == 1 ? EVP_sha1() : EVP_sha256();
	uint8_t *out = t == 0 ? w->det.md5 : t == 1 ? w->det.sha1 : w->det.sha256;
	unsigned olen = 0;

	if (EVP_DigestInit_ex(w->md, md, NULL) != 1 || EVP_DigestUpdate(w->md, p, n) != 1 ||
	    EVP_DigestFinal_ex(w->md, out, &olen) != 1)
		memset(out, 0, t == 0 ? 16 : t == 1 ? 20 : 32);
	w->have[t] = 1;
}

static void set_externals(struct worker *w, const char *path, const uint8_t *p, size_t n, uid_t uid)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	char dir[PATH_MAX];
	const char *type = "";

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	canh_strlcpy(dir, path, sizeof(dir));
	/* The directory without its trailing '/' ("/" for a file at the root). */
	if (base > path)
		dir[base - path - 1 > 0 ? base - path - 1 : 1] = '\0';
	else
		dir[0] = '\0';
	if (n >= 2 && p[0] == 'M' && p[1] == 'Z')
		type = "EXE";
	else if (n >= 4 && memcmp(p, "\177ELF", 4) == 0)
		type = "ELF";
	if (uid != w->owner_uid || w->owner[0] == '\0') {
		struct passwd pw, *res = NULL;
		char pbuf[1024];

		w->owner_uid = uid;
		if (getpwuid_r(uid, &pw, pbuf, sizeof(pbuf), &res) == 0 && res != NULL)
			canh_strlcpy(w->owner, res->pw_name, sizeof(w->owner));
		else
			snprintf(w->owner, sizeof(w->owner), "%u", (unsigned)uid);
	}
	yr_scanner_define_string_variable(w->scanner, "filename", base);
	yr_scanner_define_string_variable(w->scanner, "filepath", dir);
	yr_scanner_define_string_variable(w->scanner, "extension", dot != NULL ? dot : "");
	yr_scanner_define_string_variable(w->scanner, "filetype", type);
	yr_scanner_define_string_variable(w->scanner, "owner", w->owner);
}

static void report(struct worker *w, const char *path, const struct canh__cache_det *d,
		   uint64_t size, int cached)
{
	struct engine *e = w->e;
	struct canh_scan_detection out;

	memset(&out, 0, sizeof(out));
	out.path = path;
	out.size = size;
	out.cached = cached;
	out.rules_version = e->rules != NULL ? e->rules->version : "";
	canh_hex_encode(d->md5, 16, out.md5);
	canh_hex_encode(d->sha1, 20, out.sha1);
	canh_hex_encode(d->sha256, 32, out.sha256);
	pthread_mutex_lock(&e->rmu);
	e->st.infected++;
	for (unsigned i = 0; i < d->n; i++) {
		out.kind = (enum canh_scan_kind)d->kind[i];
		out.name = d->name[i];
		e->st.detections++;
		if (e->o->on_detection != NULL)
			e->o->on_detection(e->o->ctx, &out);
	}
	pthread_mutex_unlock(&e->rmu);
}

static void progress(struct engine *e, uint64_t size)
{
	uint64_t files = __atomic_add_fetch(&e->st.files, 1, __ATOMIC_RELAXED);
	uint64_t bytes = __atomic_add_fetch(&e->st.bytes, size, __ATOMIC_RELAXED);

	if (e->o->on_progress == NULL)
		return;
	if (files - e->last_prog_files < PROGRESS_FILES &&
	    bytes - e->last_prog_bytes < PROGRESS_BYTES)
		return;
	pthread_mutex_lock(&e->rmu);
	if (files - e->last_prog_files >= PROGRESS_FILES ||
	    bytes - e->last_prog_bytes >= PROGRESS_BYTES) {
		e->last_prog_files = files;
		e->last_prog_bytes = bytes;
		e->o->on_progress(e->o->ctx, files, bytes);
	}
	pthread_mutex_unlock(&e->rmu);
}

/* The worker's own libyara scanner over the shared rules. */
static int worker_scanner(struct worker *w)
{
	const struct canh_scan_opts *o = w->e->o;

	if (yr_scanner_create(w->e->rules->yr, &w->scanner) != ERROR_SUCCESS) {
		w->scanner = NULL;
		return CANH_ENOMEM;
	}
	yr_scanner_set_callback(w->scanner, yara_cb, w);
	yr_scanner_set_flags(w->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
	if (o->timeout_ms > 0)
		yr_scanner_set_timeout(w->scanner, (int)((o->timeout_ms + 999) / 1000));
	return 0;
}

/* Hashes, then rules, over one file's bytes; w->det gets the detections. */
static int analyse(struct worker *w, const char *path, const uint8_t *data, size_t len, uid_t uid)
{
	struct engine *e = w->e;
	int yrc = ERROR_SUCCESS;

	w->det.n = 0;
	w->have[0] = w->have[1] = w->have[2] = 0;
	/* Hash IOCs first. */
	for (int t = 0; t < 3; t++) {
		const char *name;

		if (!e->need_hash[t])
			continue;
		digest(w, t, data, len);
		name = canh_scan_hashset_lookup(e->hashes, (enum canh_scan_hash)t,
						t == 0	 ? w->det.md5
						: t == 1 ? w->det.sha1
							 : w->det.sha256);
		if (name != NULL && w->det.n < CANH_SCAN_MAX_RULE_NAMES) {
			w->det.kind[w->det.n] = (uint8_t)(CANH_SCAN_DET_MD5 + t);
			canh_strlcpy(w->det.name[w->det.n], name, sizeof(w->det.name[0]));
			w->det.n++;
		}
	}
	if (w->scanner != NULL) {
		if (e->rules->file_externals)
			set_externals(w, path, data, len, uid);
		yrc = yr_scanner_scan_mem(w->scanner, data, len);
	}
	if (w->det.n > 0)
		for (int t = 0; t < 3; t++)
			if (!w->have[t])
				digest(w, t, data, len);
	return yrc;
}

static void scan_file(struct worker *w, struct item *it)
{
	struct engine *e = w->e;
	int fd;
	struct stat st;
	const uint8_t *data;
	/* volatile: read again after the SIGBUS longjmp below */
	void *volatile map = NULL;
	volatile size_t len = 0;
	int yrc = ERROR_SUCCESS;
	char msg[160];

	progress(e, it->k.size);
	if (it->k.size > e->max_size) {
		add(&e->st.too_big, 1);
		return;
	}
	if (e->cache != NULL) {
		long ri = canh__cache_find(e->cache, &it->k);

		if (ri >= 0) {
			canh__cache_rec_det(e->cache, (size_t)ri, &w->det);
			add(&e->st.cached, 1);
			if (w->det.n > 0)
				report(w, it->path, &w->det, it->k.size, 1);
			canh__cache_out_add(e->cout, &it->k, &w->det);
			return;
		}
	}
	fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP && e->o->follow_symlinks)
		fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg), "cannot open: %s",
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		add(&e->st.errors, 1);
		skip(e, it->path, CANH_SCAN_SKIP_ERROR, msg);
		return;
	}
	/* Key on what was opened: the file may have changed since the walk. */
	it->k.dev = st.st_dev;
	it->k.ino = st.st_ino;
	it->k.size = (uint64_t)st.st_size;
	it->k.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	it->k.ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	if (it->k.size > e->max_size) {
		close(fd);
		add(&e->st.too_big, 1);
		return;
	}
	if (it->k.size <= READ_BUF) {
		while (len < READ_BUF) {
			ssize_t r = read(fd, w->buf + len, READ_BUF - len);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		data = w->buf;
	} else {
		map = mmap(NULL, (size_t)it->k.size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			snprintf(msg, sizeof(msg), "cannot map: %s", strerror(errno));
			close(fd);
			add(&e->st.errors, 1);
			skip(e, it->path, CANH_SCAN_SKIP_ERROR, msg);
			return;
		}
		madvise(map, (size_t)it->k.size, MADV_SEQUENTIAL);
		data = map;
		len = (size_t)it->k.size;
	}
	close(fd);
	add(&e->st.files_read, 1);
	add(&e->st.bytes_read, len);

	if (map != NULL) {
		/* A mapped file truncated under us raises SIGBUS on access: the
		 * handler jumps back here instead of killing the process. */
		if (sigsetjmp(w->bus, 1) != 0) {
			bus_guard = NULL;
			munmap(map, (size_t)it->k.size);
			/* libyara's scanner was left mid-scan: start a fresh one. */
			yr_scanner_destroy(w->scanner);
			w->scanner = NULL;
			if (e->rules != NULL)
				worker_scanner(w);
			add(&e->st.errors, 1);
			skip(e, it->path, CANH_SCAN_SKIP_ERROR, "file shrank while being scanned");
			return;
		}
		bus_guard = &w->bus;
	}
	yrc = analyse(w, it->path, data, len, st.st_uid);
	bus_guard = NULL;
	if (map != NULL)
		munmap(map, (size_t)it->k.size);
	if (yrc == ERROR_SCAN_TIMEOUT) {
		add(&e->st.timeouts, 1);
		skip(e, it->path, CANH_SCAN_SKIP_TIMEOUT, "scan timed out");
	} else if (yrc != ERROR_SUCCESS) {
		snprintf(msg, sizeof(msg), "libyara error %d", yrc);
		add(&e->st.errors, 1);
		skip(e, it->path, CANH_SCAN_SKIP_YARA, msg);
	}
	if (w->det.n > 0)
		report(w, it->path, &w->det, len, 0);
	/* Only a complete answer is remembered: a timed-out file is scanned again. */
	if (e->cout != NULL && yrc == ERROR_SUCCESS)
		canh__cache_out_add(e->cout, &it->k, &w->det);
}

static void throttle(struct worker *w, uint64_t t_ns)
{
	double r = w->e->o->pause_ratio;

	w->busy_ns += t_ns;
	if (r <= 0.0 || r >= 1.0)
		return;
	/* Sleep owed; an oversleep (a busy machine wakes us late) is credited
	 * against the next files, so the ratio holds over the whole scan. */
	w->debt_ns += (int64_t)((double)t_ns * (1.0 - r) / r);
	if (w->debt_ns >= 2000000) {
		uint64_t t0 = now_ns(), slept;
		struct timespec ts = {(time_t)(w->debt_ns / 1000000000),
				      (long)(w->debt_ns % 1000000000)};

		nanosleep(&ts, NULL);
		slept = now_ns() - t0;
		w->paused_ns += slept;
		w->debt_ns -= (int64_t)slept;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct item *it = canh_xmalloc(sizeof(*it));

	apply_priority(w->e->o);
	while (!cancelled(w->e) && queue_pop(w->e, it) == 0) {
		uint64_t t0 = now_ns();

		scan_file(w, it);
		throttle(w, now_ns() - t0);
	}
	/* Drain on cancel so the walker is not left waiting. */
	if (cancelled(w->e)) {
		pthread_mutex_lock(&w->e->qmu);
		pthread_cond_broadcast(&w->e->qnf);
		pthread_mutex_unlock(&w->e->qmu);
	}
	free(it);
	return NULL;
}

/* ---- Cache load ---- */

static void cache_load(struct engine *e, struct canh_scan_stats *st)
{
	int fd = open(e->o->cache_path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	struct canh_errmsg m;
	uint8_t rv[32], hv[32];

	e->cout = canh__cache_out_new();
	if (fd < 0)
		return; /* first scan */
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		st->cache_discarded = 1;
		canh_strlcpy(st->cache_note, "cache is not a regular non-empty file",
			     sizeof(st->cache_note));
		return;
	}
	e->cache_len = (size_t)sb.st_size;
	e->cache_map = mmap(NULL, e->cache_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (e->cache_map == MAP_FAILED) {
		e->cache_map = NULL;
		st->cache_discarded = 1;
		snprintf(st->cache_note, sizeof(st->cache_note), "cannot map the cache: %s",
			 strerror(errno));
		return;
	}
	if (canh_scan_cache_parse(e->cache_map, e->cache_len, &e->cache, &m) != 0) {
		st->cache_discarded = 1;
		canh_strlcpy(st->cache_note, m.text, sizeof(st->cache_note));
		return;
	}
	canh__ver_bytes(e->rules != NULL ? e->rules->version : "", rv);
	canh__ver_bytes(canh_scan_hashset_version(e->hashes), hv);
	if (memcmp(rv, e->cache->rules_ver, 32) != 0 || memcmp(hv, e->cache->hashes_ver, 32) != 0) {
		/* Other rules or hashes: every answer in it is stale. Not corrupt. */
		canh_scan_cache_free(e->cache);
		e->cache = NULL;
		canh_strlcpy(st->cache_note, "rules or hashes changed since the cache was written",
			     sizeof(st->cache_note));
		return;
	}
	st->cache_loaded = 1;
}

/* ---- Run ---- */

void canh_scan_opts_init(struct canh_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int canh_scan_run(const struct canh_scan_rules *rules, const struct canh_scan_hashset *hashes,
		  const char *const *paths, size_t npaths, const struct canh_scan_opts *opts,
		  struct canh_scan_stats *st, struct canh_errmsg *err)
{
	struct canh_scan_stats local;
	struct engine *e;
	struct worker *w = NULL;
	struct walk_args wa;
	pthread_t wth;
	unsigned nthreads, started = 0;
	int unchanged = 0;
	uint64_t t0 = now_ns();
	int rc = 0;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (rules == NULL && canh_scan_hashset_count(hashes, -1) == 0)
		return canh_errmsg_set(err, CANH_EINVAL,
				       "nothing to scan for: no rules and no hashes");
	if (npaths == 0)
		return canh_errmsg_set(err, CANH_EINVAL, "no path to scan");
	nthreads = opts->threads;
	if (nthreads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = n > 0 ? (unsigned)n : 1;
	}
	if (nthreads > CANH_SCAN_MAX_THREADS)
		nthreads = CANH_SCAN_MAX_THREADS;
	if (opts->pause_ratio < 0.0 || opts->pause_ratio > 1.0)
		return canh_errmsg_set(err, CANH_EINVAL, "pause ratio %g is not between 0 and 1",
				       opts->pause_ratio);
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) != 0)
			return canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
					       "cannot scan '%s': %s", paths[i], strerror(errno));
	}
	if (canh_scan_global_init() != 0)
		return canh_errmsg_set(err, CANH_ENOMEM, "cannot initialise libyara");

	e = canh_xcalloc(1, sizeof(*e));
	e->rules = rules;
	e->hashes = hashes;
	e->o = opts;
	e->err = err;
	e->max_size = opts->max_file_size ? opts->max_file_size : CANH_SCAN_DEFAULT_MAX_FILE;
	for (int t = 0; t < 3; t++)
		e->need_hash[t] = canh_scan_hashset_count(hashes, t) > 0;
	pthread_mutex_init(&e->qmu, NULL);
	pthread_mutex_init(&e->rmu, NULL);
	pthread_cond_init(&e->qne, NULL);
	pthread_cond_init(&e->qnf, NULL);
	e->slots = canh_xcalloc(QUEUE_SLOTS, sizeof(struct item));
	load_mounts(e);
	pthread_once(&bus_once, bus_install);
	if (opts->cache_path != NULL)
		cache_load(e, st);

	w = canh_xcalloc(nthreads, sizeof(*w));
	for (unsigned i = 0; i < nthreads; i++) {
		w[i].e = e;
		w[i].buf = canh_xmalloc(READ_BUF);
		w[i].md = EVP_MD_CTX_new();
		if (w[i].md == NULL) {
			rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot create a digest context");
			goto out;
		}
		if (rules != NULL && worker_scanner(&w[i]) != 0) {
			rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot create a YARA scanner");
			goto out;
		}
	}
	wa.e = e;
	wa.paths = paths;
	wa.npaths = npaths;
	if (pthread_create(&wth, NULL, walker, &wa) != 0) {
		rc = canh_errmsg_set(err, CANH_EAGAIN, "cannot start the walker thread");
		goto out;
	}
	for (; started < nthreads; started++)
		if (pthread_create(&w[started].th, NULL, worker_main, &w[started]) != 0)
			break;
	/* Without a thread of its own, one worker runs here. */
	if (started == 0)
		worker_main(&w[0]);
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	pthread_join(wth, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		e->st.busy_ns += w[i].busy_ns;
		e->st.paused_ns += w[i].paused_ns;
	}
	if (opts->on_progress != NULL)
		opts->on_progress(opts->ctx, e->st.files, e->st.bytes);
	/* Every record of the old cache met again and nothing new: the file
	 * would be rewritten byte for byte; an unchanged tree costs no write. */
	if (rc == 0 && e->cout != NULL && e->cache != NULL && e->st.files_read == 0 &&
	    e->st.cached == e->cache->nrec && canh__cache_out_count(e->cout) == e->st.cached)
		unchanged = 1;
	if (rc == 0 && e->cout != NULL && !unchanged) {
		uint8_t rv[32], hv[32];
		struct canh_errmsg m;

		canh__ver_bytes(rules != NULL ? rules->version : "", rv);
		canh__ver_bytes(canh_scan_hashset_version(hashes), hv);
		if (canh__cache_save(
			opts->cache_path, e->cout, e->cache, NULL, rv, hv,
			opts->cache_max ? opts->cache_max : CANH_SCAN_DEFAULT_CACHE_MAX, &m) != 0)
			rc = canh_errmsg_set(err, CANH_EIO, "cannot save the scan cache: %s",
					     m.text);
	}
	if (rc == 0 && cancelled(e))
		rc = canh_errmsg_set(err, CANH_EAGAIN, "scan cancelled");
out : {
	int disc = st->cache_discarded, loaded = st->cache_loaded;
	char note[sizeof(st->cache_note)];

	canh_strlcpy(note, st->cache_note, sizeof(note));
	*st = e->st;
	st->cache_discarded = disc;
	st->cache_loaded = loaded;
	canh_strlcpy(st->cache_note, note, sizeof(st->cache_note));
	st->elapsed_ns = now_ns() - t0;
}
	for (unsigned i = 0; i < nthreads; i++) {
		if (w[i].scanner != NULL)
			yr_scanner_destroy(w[i].scanner);
		if (w[i].md != NULL)
			EVP_MD_CTX_free(w[i].md);
		free(w[i].buf);
	}
	free(w);
	canh_scan_cache_free(e->cache);
	if (e->cache_map != NULL)
		munmap(e->cache_map, e->cache_len);
	canh__cache_out_free(e->cout);
	for (size_t i = 0; i < e->nmounts; i++)
		free(e->mounts[i].point);
	free(e->mounts);
	free(e->slots);
	pthread_mutex_destroy(&e->qmu);
	pthread_mutex_destroy(&e->rmu);
	pthread_cond_destroy(&e->qne);
	pthread_cond_destroy(&e->qnf);
	free(e);
	canh_scan_global_release();
	return rc;
}
