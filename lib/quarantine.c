/*
 * Quarantine (canh/quarantine.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/quarantine.h"
#include "canh/time.h"

#define KEY_LEN 16
#define CHUNK ((size_t)64 << 10)
#define MAX_JSON ((size_t)64 << 10)
#define MAX_ITEMS 100000

static int valid_id(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return 0;
	for (; id[n] != '\0'; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return 0;
	return n == CANH_QUARANTINE_ID_LEN;
}

static char *item_path(const char *dir, const char *id, const char *ext)
{
	return canh_xasprintf("%s/%s%s", dir, id, ext);
}

/* The three digests of a stream, in one pass. */
struct digests {
	EVP_MD_CTX *c[3];
};

static int digests_init(struct digests *d)
{
	const EVP_MD *md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < 3; i++) {
		d->c[i] = EVP_MD_CTX_new();
		if (d->c[i] == NULL || EVP_DigestInit_ex(d->c[i], md[i], NULL) != 1)
			return CANH_ECRYPTO;
	}
	return 0;
}

static void digests_update(struct digests *d, const void *p, size_t n)
{
	for (int i = 0; i < 3; i++)
		EVP_DigestUpdate(d->c[i], p, n);
}

static void digests_final(struct digests *d, char md5[33], char sha1[41], char sha256[65])
{
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned n;
	char *hex[3] = {md5, sha1, sha256};

	for (int i = 0; i < 3; i++) {
		n = 0;
		if (d->c[i] != NULL && EVP_DigestFinal_ex(d->c[i], out, &n) == 1)
			canh_hex_encode(out, n, hex[i]);
		else
			hex[i][0] = '\0';
	}
}

static void digests_release(struct digests *d)
{
	for (int i = 0; i < 3; i++)
		EVP_MD_CTX_free(d->c[i]);
}

static void xor_key(uint8_t *p, size_t n, uint64_t pos, const uint8_t key[KEY_LEN])
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= key[(pos + i) % KEY_LEN];
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A string member, or "" when s is not UTF-8 (jansson takes only UTF-8). */
static void set_text(json_t *o, const char *k, const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	json_object_set_new(o, k, v != NULL ? v : json_string(""));
}

static json_t *item_json(const struct canh_quarantine_item *it, const uint8_t key[KEY_LEN])
{
	json_t *o = json_object();
	char keyhex[2 * KEY_LEN + 1];
	size_t pl = strlen(it->path);
	char *phex = canh_xmalloc(2 * pl + 1);

	canh_hex_encode((const uint8_t *)it->path, pl, phex);
	canh_hex_encode(key, KEY_LEN, keyhex);
	json_object_set_new(o, "id", json_string(it->id));
	/* Paths are bytes: path_hex is what restore uses, path is for people. */
	json_object_set_new(o, "path_hex", json_string(phex));
	set_text(o, "path", it->path);
	set_text(o, "rule", it->rule);
	set_text(o, "host", it->host);
	json_object_set_new(o, "uid", json_integer(it->uid));
	json_object_set_new(o, "gid", json_integer(it->gid));
	json_object_set_new(o, "mode", json_integer(it->mode));
	json_object_set_new(o, "mtime_ns", json_integer(it->mtime_ns));
	json_object_set_new(o, "size", json_integer((json_int_t)it->size));
	json_object_set_new(o, "md5", json_string(it->md5));
	json_object_set_new(o, "sha1", json_string(it->sha1));
	json_object_set_new(o, "sha256", json_string(it->sha256));
	json_object_set_new(o, "quarantined_ms", json_integer(it->quarantined_ms));
	json_object_set_new(o, "transform", json_string("xor16"));
	json_object_set_new(o, "key", json_string(keyhex));
	free(phex);
	return o;
}

void canh_quarantine_item_release(struct canh_quarantine_item *it)
{
	if (it == NULL)
		return;
	free(it->path);
	free(it->rule);
	free(it->host);
	it->path = it->rule = it->host = NULL;
}

int canh_quarantine_file(const char *dir, const char *path, const char *rule,
			 struct canh_quarantine_item *item, struct canh_errmsg *err)
{
	struct canh_quarantine_item it;
	struct digests dg;
	uint8_t key[KEY_LEN], *buf = NULL;
	char idb[KEY_LEN], host[256];
	char *bin = NULL, *tmp = NULL, *js = NULL, *jtext = NULL;
	struct stat st, st2;
	int in = -1, out = -1, rc = 0;
	uint64_t pos = 0;
	json_t *j = NULL;

	memset(&it, 0, sizeof(it));
	if (item != NULL)
		memset(item, 0, sizeof(*item));
	rc = digests_init(&dg);
	if (rc != 0) {
		digests_release(&dg);
		return canh_errmsg_set(err, rc, "cannot create digest contexts");
	}
	rc = canh_mkdir_p(dir, 0700, err);
	if (rc != 0)
		goto out;
	in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (in < 0 || fstat(in, &st) != 0) {
		rc = canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				     "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "'%s' is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > CANH_QUARANTINE_MAX_FILE) {
		rc = canh_errmsg_set(err, CANH_ETOOBIG, "'%s' is too big to quarantine", path);
		goto out;
	}
	if (canh_random_bytes(idb, sizeof(idb)) != 0 || canh_random_bytes(key, sizeof(key)) != 0) {
		rc = canh_errmsg_set(err, CANH_ECRYPTO, "no random bytes");
		goto out;
	}
	canh_hex_encode((const uint8_t *)idb, sizeof(idb), it.id);
	bin = item_path(dir, it.id, ".bin");
	tmp = item_path(dir, it.id, ".bin.tmp");
	js = item_path(dir, it.id, ".json");
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	buf = canh_xmalloc(CHUNK);
	for (;;) {
		ssize_t r = read(in, buf, CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s", path,
					     strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		digests_update(&dg, buf, (size_t)r);
		xor_key(buf, (size_t)r, pos, key);
		pos += (uint64_t)r;
		if (write_all(out, buf, (size_t)r) != 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot write '%s': %s", tmp,
					     strerror(errno));
			goto out;
		}
	}
	if (fchmod(out, 0400) != 0 || fsync(out) != 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	close(out);
	out = -1;
	digests_final(&dg, it.md5, it.sha1, it.sha256);
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	it.path = canh_xstrdup(path);
	it.rule = canh_xstrdup(rule != NULL ? rule : "");
	it.host = canh_xstrdup(host);
	it.uid = st.st_uid;
	it.gid = st.st_gid;
	it.mode = st.st_mode & 07777;
	it.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	it.size = pos;
	it.quarantined_ms = canh_now_ms();
	j = item_json(&it, key);
	jtext = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (jtext == NULL) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot encode the quarantine record");
		goto out;
	}
	if (rename(tmp, bin) != 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot rename '%s': %s", tmp, strerror(errno));
		goto out;
	}
	/* The record last: an item is listed only once its content is durable. */
	rc = canh_file_write_atomic(js, jtext, strlen(jtext), 0600, err);
	if (rc != 0) {
		unlink(bin);
		goto out;
	}
	/* Unlink only the file we copied, not one put there since. */
	if (lstat(path, &st2) == 0 && st2.st_dev == st.st_dev && st2.st_ino == st.st_ino) {
		if (unlink(path) != 0) {
			rc = canh_errmsg_set(err, CANH_EIO,
					     "quarantined a copy of '%s' but cannot remove it: %s",
					     path, strerror(errno));
			goto out;
		}
		canh_fsync_dir(path);
	}
out:
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	digests_release(&dg);
	json_decref(j);
	free(jtext);
	free(buf);
	free(bin);
	free(tmp);
	free(js);
	if (rc == 0 && item != NULL)
		*item = it;
	else
		canh_quarantine_item_release(&it);
	return rc;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static int parse_item(const char *dir, const char *id, struct canh_quarantine_item *it,
		      uint8_t key[KEY_LEN], struct canh_errmsg *err)
{
	char *js = item_path(dir, id, ".json"), *text = NULL, *path = NULL;
	size_t len = 0, pl;
	json_t *o = NULL;
	const char *phex;
	int rc;

	memset(it, 0, sizeof(*it));
	rc = canh_file_read(js, MAX_JSON, &text, &len, err);
	if (rc != 0)
		goto out;
	o = json_loadb(text, len, 0, NULL);
	phex = jstr(o, "path_hex");
	pl = strlen(phex);
	if (o == NULL || pl == 0 || pl % 2 != 0 || strcmp(jstr(o, "id"), id) != 0 ||
	    strlen(jstr(o, "key")) != 2 * KEY_LEN || strlen(jstr(o, "sha256")) != 64) {
		rc = canh_errmsg_set(err, CANH_ECORRUPT, "quarantine record '%s' is damaged", js);
		goto out;
	}
	path = canh_xmalloc(pl / 2 + 1);
	if (canh_hex_decode(phex, (uint8_t *)path, pl / 2) != 0 ||
	    canh_hex_decode(jstr(o, "key"), key, KEY_LEN) != 0 || memchr(path, '\0', pl / 2)) {
		rc = canh_errmsg_set(err, CANH_ECORRUPT, "quarantine record '%s' is damaged", js);
		goto out;
	}
	path[pl / 2] = '\0';
	canh_strlcpy(it->id, id, sizeof(it->id));
	it->path = path;
	path = NULL;
	it->rule = canh_xstrdup(jstr(o, "rule"));
	it->host = canh_xstrdup(jstr(o, "host"));
	it->uid = (uid_t)json_integer_value(json_object_get(o, "uid"));
	it->gid = (gid_t)json_integer_value(json_object_get(o, "gid"));
	it->mode = (mode_t)json_integer_value(json_object_get(o, "mode")) & 07777;
	it->mtime_ns = json_integer_value(json_object_get(o, "mtime_ns"));
	it->size = (uint64_t)json_integer_value(json_object_get(o, "size"));
	it->quarantined_ms = json_integer_value(json_object_get(o, "quarantined_ms"));
	canh_strlcpy(it->md5, jstr(o, "md5"), sizeof(it->md5));
	canh_strlcpy(it->sha1, jstr(o, "sha1"), sizeof(it->sha1));
	canh_strlcpy(it->sha256, jstr(o, "sha256"), sizeof(it->sha256));
out:
	json_decref(o);
	free(text);
	free(path);
	free(js);
	return rc;
}

int canh_quarantine_get(const char *dir, const char *id, struct canh_quarantine_item *item,
			struct canh_errmsg *err)
{
	uint8_t key[KEY_LEN];

	memset(item, 0, sizeof(*item));
	if (!valid_id(id))
		return canh_errmsg_set(err, CANH_EINVAL, "'%s' is not a quarantine id",
				       id ? id : "");
	return parse_item(dir, id, item, key, err);
}

static int cmp_item(const void *a, const void *b)
{
	const struct canh_quarantine_item *x = a, *y = b;

	if (x->quarantined_ms != y->quarantined_ms)
		return x->quarantined_ms < y->quarantined_ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

int canh_quarantine_list(const char *dir, struct canh_quarantine_item **items, size_t *n,
			 struct canh_errmsg *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct canh_quarantine_item *v = NULL;
	size_t cnt = 0, cap = 0;

	*items = NULL;
	*n = 0;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0; /* nothing quarantined yet */
		return canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL && cnt < MAX_ITEMS) {
		char id[CANH_QUARANTINE_ID_LEN + 1];
		uint8_t key[KEY_LEN];

		if (strlen(de->d_name) != CANH_QUARANTINE_ID_LEN + 5 ||
		    strcmp(de->d_name + CANH_QUARANTINE_ID_LEN, ".json") != 0)
			continue;
		memcpy(id, de->d_name, CANH_QUARANTINE_ID_LEN);
		id[CANH_QUARANTINE_ID_LEN] = '\0';
		if (!valid_id(id))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = canh_xrealloc(v, cap * sizeof(*v));
		}
		if (parse_item(dir, id, &v[cnt], key, NULL) == 0)
			cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_item);
	*items = v;
	*n = cnt;
	return 0;
}

void canh_quarantine_list_free(struct canh_quarantine_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		canh_quarantine_item_release(&items[i]);
	free(items);
}

int canh_quarantine_restore(const char *dir, const char *id, const char *to, int force,
			    struct canh_errmsg *err)
{
	struct canh_quarantine_item it;
	uint8_t key[KEY_LEN], *buf = NULL;
	char *bin = NULL, *tmp = NULL, *js = NULL;
	const char *target;
	struct digests dg;
	struct stat st;
	int in = -1, out = -1, rc;
	uint64_t pos = 0;
	char md5[33], sha1[41], sha256[65];

	if (!valid_id(id))
		return canh_errmsg_set(err, CANH_EINVAL, "'%s' is not a quarantine id",
				       id ? id : "");
	rc = parse_item(dir, id, &it, key, err);
	if (rc != 0)
		return rc;
	memset(&dg, 0, sizeof(dg));
	target = to != NULL ? to : it.path;
	if (!force && lstat(target, &st) == 0) {
		rc = canh_errmsg_set(err, CANH_EEXIST, "'%s' exists; not overwritten", target);
		goto out;
	}
	rc = digests_init(&dg);
	if (rc != 0) {
		canh_errmsg_set(err, rc, "cannot create digest contexts");
		goto out;
	}
	bin = item_path(dir, id, ".bin");
	js = item_path(dir, id, ".json");
	in = open(bin, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		rc = canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				     "cannot open '%s': %s", bin, strerror(errno));
		goto out;
	}
	tmp = canh_xasprintf("%s.canh-restore.XXXXXX", target);
	out = mkstemp(tmp);
	if (out < 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	buf = canh_xmalloc(CHUNK);
	for (;;) {
		ssize_t r = read(in, buf, CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot read '%s': %s", bin,
					     strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		xor_key(buf, (size_t)r, pos, key);
		pos += (uint64_t)r;
		digests_update(&dg, buf, (size_t)r);
		if (write_all(out, buf, (size_t)r) != 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot write '%s': %s", tmp,
					     strerror(errno));
			goto out;
		}
	}
	digests_final(&dg, md5, sha1, sha256);
	if (strcmp(sha256, it.sha256) != 0 || pos != it.size) {
		rc = canh_errmsg_set(err, CANH_ECORRUPT,
				     "quarantined content of '%s' does not match its SHA-256", id);
		goto out;
	}
	/* Owner first: chown clears the set-id bits that fchmod then puts back. */
	if (fchown(out, it.uid, it.gid) != 0 && geteuid() == 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot set the owner of '%s': %s", tmp,
				     strerror(errno));
		goto out;
	}
	{
		struct timespec ts[2];

		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_NOW;
		ts[1].tv_sec = (time_t)(it.mtime_ns / 1000000000);
		ts[1].tv_nsec = (long)(it.mtime_ns % 1000000000);
		if (ts[1].tv_nsec < 0) {
			ts[1].tv_nsec += 1000000000;
			ts[1].tv_sec--;
		}
		if (fchmod(out, it.mode) != 0 || futimens(out, ts) != 0 || fsync(out) != 0) {
			rc = canh_errmsg_set(err, CANH_EIO, "cannot restore '%s': %s", target,
					     strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, target) != 0) {
		rc = canh_errmsg_set(err, CANH_EIO, "cannot restore '%s': %s", target,
				     strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	canh_fsync_dir(target);
	unlink(js);
	unlink(bin);
	canh_fsync_dir(dir);
out:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	digests_release(&dg);
	free(buf);
	free(bin);
	free(js);
	canh_quarantine_item_release(&it);
	return rc;
}

int canh_quarantine_delete(const char *dir, const char *id, struct canh_errmsg *err)
{
	char *bin, *js;
	int rc = 0;

	if (!valid_id(id))
		return canh_errmsg_set(err, CANH_EINVAL, "'%s' is not a quarantine id",
				       id ? id : "");
	bin = item_path(dir, id, ".bin");
	js = item_path(dir, id, ".json");
	if (unlink(js) != 0)
		rc = canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				     "cannot remove '%s': %s", js, strerror(errno));
	if (unlink(bin) != 0 && rc == 0 && errno != ENOENT)
		rc = canh_errmsg_set(err, CANH_EIO, "cannot remove '%s': %s", bin, strerror(errno));
	canh_fsync_dir(dir);
	free(bin);
	free(js);
	return rc;
}
