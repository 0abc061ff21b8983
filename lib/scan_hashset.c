/*
 * Hash IOC sets: sorted arrays of digests per type, looked up by bsearch.
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/scan.h"

#define HASHSET_MAX_NAME 255
#define HASHSET_MAX_ENTRIES (64u << 20)

static const size_t dlen[3] = {16, 20, 32};

struct hs_entry {
	uint8_t d[32];
	uint32_t name; /* offset in names */
};

struct canh_scan_hashset {
	struct hs_entry *e[3];
	size_t n[3], cap[3];
	struct canh_buf names; /* NUL-separated; offset 0 is "" */
	int sealed;
	char version[65];
};

struct canh_scan_hashset *canh_scan_hashset_new(void)
{
	struct canh_scan_hashset *h = canh_xcalloc(1, sizeof(*h));

	canh_buf_init(&h->names, (size_t)1 << 30);
	canh_buf_putc(&h->names, '\0');
	return h;
}

void canh_scan_hashset_free(struct canh_scan_hashset *h)
{
	if (h == NULL)
		return;
	for (int t = 0; t < 3; t++)
		free(h->e[t]);
	canh_buf_release(&h->names);
	free(h);
}

int canh_scan_hashset_add_hex(struct canh_scan_hashset *h, const char *hex, size_t len,
			      const char *name)
{
	int t = len == 32 ? 0 : len == 40 ? 1 : len == 64 ? 2 : -1;
	struct hs_entry *e;

	if (t < 0 || h->sealed)
		return CANH_EINVAL;
	if (h->n[0] + h->n[1] + h->n[2] >= HASHSET_MAX_ENTRIES)
		return CANH_ETOOBIG;
	if (h->n[t] == h->cap[t]) {
		h->cap[t] = h->cap[t] ? h->cap[t] * 2 : 64;
		h->e[t] = canh_xrealloc(h->e[t], h->cap[t] * sizeof(struct hs_entry));
	}
	e = &h->e[t][h->n[t]];
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < len / 2; i++) {
		int hi = canh_hexval((unsigned char)hex[2 * i]),
		    lo = canh_hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return CANH_EINVAL;
		e->d[i] = (uint8_t)(hi << 4 | lo);
	}
	if (name != NULL && name[0] != '\0') {
		size_t nl = strnlen(name, HASHSET_MAX_NAME);

		if (h->names.len > UINT32_MAX - HASHSET_MAX_NAME - 1)
			return CANH_ETOOBIG;
		e->name = (uint32_t)h->names.len;
		if (canh_buf_append(&h->names, name, nl) != 0 ||
		    canh_buf_putc(&h->names, '\0') != 0)
			return CANH_ETOOBIG;
	}
	h->n[t]++;
	return 0;
}

int canh_scan_hashset_add_entry(struct canh_scan_hashset *h, const struct canh_feed_entry *e)
{
	if (e->type != CANH_IOC_MD5 && e->type != CANH_IOC_SHA1 && e->type != CANH_IOC_SHA256)
		return CANH_EINVAL;
	return canh_scan_hashset_add_hex(h, e->value, strlen(e->value), e->family);
}

struct file_ctx {
	struct canh_scan_hashset *h;
	size_t ignored;
};

static int file_entry(void *ctx, const struct canh_feed_entry *e)
{
	struct file_ctx *f = ctx;
	int rc;

	if (e->type != CANH_IOC_MD5 && e->type != CANH_IOC_SHA1 && e->type != CANH_IOC_SHA256) {
		f->ignored++;
		return 0;
	}
	rc = canh_scan_hashset_add_entry(f->h, e);
	return rc == CANH_ETOOBIG ? rc : 0;
}

/* A plain list: "HEX [name]" per line, '#' comments; other lines are ignored. */
static int add_plain(struct canh_scan_hashset *h, const char *data, size_t len, size_t *ignored,
		     const char *path, struct canh_errmsg *err)
{
	const char *p = data, *end = data + len;
	unsigned line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *hex;
		char name[HASHSET_MAX_NAME + 1];
		size_t hl, nl;
		int rc;

		if (eol == NULL)
			eol = end;
		line++;
		q = p;
		p = eol + 1;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q == eol || *q == '#' || *q == '\r')
			continue;
		hex = q;
		while (q < eol && canh_hexval((unsigned char)*q) >= 0)
			q++;
		hl = (size_t)(q - hex);
		if ((hl != 32 && hl != 40 && hl != 64) ||
		    (q < eol && *q != ' ' && *q != '\t' && *q != '\r' && *q != ',' && *q != ';')) {
			(*ignored)++;
			continue;
		}
		while (q < eol && (*q == ' ' || *q == '\t' || *q == ',' || *q == ';'))
			q++;
		nl = (size_t)(eol - q);
		while (nl > 0 && (q[nl - 1] == '\r' || q[nl - 1] == ' ' || q[nl - 1] == '\t'))
			nl--;
		if (nl > HASHSET_MAX_NAME)
			nl = HASHSET_MAX_NAME;
		memcpy(name, q, nl);
		name[nl] = '\0';
		rc = canh_scan_hashset_add_hex(h, hex, hl, name);
		if (rc != 0)
			return canh_errmsg_set(err, rc, "cannot add the hash on line %u of '%s'",
					       line, path);
	}
	return 0;
}

int canh_scan_hashset_add_file(struct canh_scan_hashset *h, const char *path, size_t *ignored,
			       struct canh_errmsg *err)
{
	struct file_ctx f = {h, 0};
	struct canh_feed_sink sink = {&f, file_entry, NULL};
	char *data = NULL;
	size_t len = 0;
	int rc;

	rc = canh_file_read(path, CANH_FEED_MAX_FILE, &data, &len, err);
	if (rc != 0)
		return rc;
	if (canh_feed_detect(data, len, path) == CANH_FEED_PLAIN)
		rc = add_plain(h, data, len, &f.ignored, path, err);
	else
		rc = canh_feed_parse(data, len, CANH_FEED_AUTO, path, &sink, NULL, err);
	free(data);
	if (rc == CANH_ETOOBIG)
		canh_errmsg_set(err, rc, "too many hashes in '%s'", path);
	if (ignored != NULL)
		*ignored = f.ignored;
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct hs_entry *)a)->d, ((const struct hs_entry *)b)->d, 32);
}

void canh_scan_hashset_seal(struct canh_scan_hashset *h)
{
	struct canh_sha256 s;
	uint8_t digest[32];
	int any = 0;

	if (h->sealed)
		return;
	for (int t = 0; t < 3; t++) {
		size_t w = 0;

		if (h->n[t] == 0)
			continue;
		qsort(h->e[t], h->n[t], sizeof(struct hs_entry), cmp_entry);
		for (size_t i = 0; i < h->n[t]; i++)
			if (w == 0 || memcmp(h->e[t][w - 1].d, h->e[t][i].d, 32) != 0)
				h->e[t][w++] = h->e[t][i];
		h->n[t] = w;
		any = 1;
	}
	h->sealed = 1;
	h->version[0] = '\0';
	if (!any || canh_sha256_init(&s) != 0)
		return;
	for (int t = 0; t < 3; t++)
		for (size_t i = 0; i < h->n[t]; i++) {
			const char *nm = h->names.data + h->e[t][i].name;

			canh_sha256_update(&s, h->e[t][i].d, dlen[t]);
			canh_sha256_update(&s, nm, strlen(nm) + 1);
		}
	if (canh_sha256_final(&s, digest) == 0)
		canh_hex_encode(digest, sizeof(digest), h->version);
}

size_t canh_scan_hashset_count(const struct canh_scan_hashset *h, int type)
{
	if (h == NULL)
		return 0;
	if (type >= 0 && type < 3)
		return h->n[type];
	return h->n[0] + h->n[1] + h->n[2];
}

const char *canh_scan_hashset_version(const struct canh_scan_hashset *h)
{
	return h != NULL ? h->version : "";
}

const char *canh_scan_hashset_lookup(const struct canh_scan_hashset *h, enum canh_scan_hash type,
				     const uint8_t *digest)
{
	struct hs_entry key;
	const struct hs_entry *e;

	if (h == NULL || (int)type < 0 || type > 2 || h->n[type] == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(key.d, digest, dlen[type]);
	e = bsearch(&key, h->e[type], h->n[type], sizeof(key), cmp_entry);
	return e != NULL ? h->names.data + e->name : NULL;
}
