/*
 * The scan cache file: what the last scan found for each file.
 *
 * Layout (little-endian):
 *   0  magic "CANHSCC1"
 *   8  u32 format version (1)
 *  12  u32 number of records
 *  16  u32 bytes of the detection table
 *  20  u32 flags (0)
 *  24  32 bytes: rules version (SHA-256), zeros when the scan had no rules
 *  56  32 bytes: hash-set version, zeros when it had no hashes
 *  88  u32 reserved (0)
 *  92  u32 CRC-32 of bytes 0..91 and everything after the header
 *  96  records, 48 bytes each, sorted by (dev, ino), no duplicates:
 *        u64 dev, u64 ino, u64 size, i64 mtime ns, i64 ctime ns,
 *        u32 offset and u32 length of the file's detections (length 0: clean)
 *      detection table: per infected file md5[16] sha1[20] sha256[32], u8 n,
 *        then n times u8 kind, u8 name length, name bytes.
 * The file is exactly that long. Every offset, length and count is checked
 * when the file is parsed, so lookups afterwards need no checks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "scan_internal.h"

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t canh__crc32(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

void canh__ver_bytes(const char *hex, uint8_t out[32])
{
	memset(out, 0, 32);
	if (hex != NULL && strlen(hex) == 64)
		canh_hex_decode(hex, out, 32);
}

/* A detection blob is well formed and exactly len bytes. */
static int blob_ok(const uint8_t *p, size_t len)
{
	size_t off = 69;
	unsigned n;

	if (len < 69)
		return 0;
	n = p[68];
	if (n == 0 || n > CANH_SCAN_MAX_RULE_NAMES)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (len - off < 2 || p[off] > CANH_SCAN_DET_SHA256)
			return 0;
		if (len - off - 2 < p[off + 1])
			return 0;
		off += 2 + (size_t)p[off + 1];
	}
	return off == len;
}

int canh_scan_cache_parse(const void *data, size_t len, struct canh_scan_cache **out,
			  struct canh_errmsg *err)
{
	const uint8_t *p = data;
	struct canh_scan_cache *c;
	uint32_t nrec, stlen, crc;
	uint64_t need;

	*out = NULL;
	if (len < CANH__CACHE_HDR)
		return canh_errmsg_set(err, CANH_ECORRUPT, "cache too short (%zu bytes)", len);
	if (memcmp(p, CANH__CACHE_MAGIC, 8) != 0)
		return canh_errmsg_set(err, CANH_ECORRUPT, "not a canh scan cache (bad magic)");
	if (get32(p + 8) != CANH__CACHE_VERSION)
		return canh_errmsg_set(err, CANH_ECORRUPT, "cache format version %u, expected %u",
				       get32(p + 8), CANH__CACHE_VERSION);
	nrec = get32(p + 12);
	stlen = get32(p + 16);
	if (nrec > CANH__CACHE_MAX_RECORDS)
		return canh_errmsg_set(err, CANH_ECORRUPT, "cache claims %u records", nrec);
	need = CANH__CACHE_HDR + (uint64_t)nrec * CANH__CACHE_REC + stlen;
	if (need != len)
		return canh_errmsg_set(err, CANH_ECORRUPT, "cache length %zu, its header says %llu",
				       len, (unsigned long long)need);
	crc = canh__crc32(0, p, 92);
	crc = canh__crc32(crc, p + CANH__CACHE_HDR, len - CANH__CACHE_HDR);
	if (crc != get32(p + 92))
		return canh_errmsg_set(err, CANH_ECORRUPT, "cache checksum mismatch");
	c = canh_xcalloc(1, sizeof(*c));
	c->recs = p + CANH__CACHE_HDR;
	c->nrec = nrec;
	c->strtab = c->recs + (size_t)nrec * CANH__CACHE_REC;
	c->strtab_len = stlen;
	memcpy(c->rules_ver, p + 24, 32);
	memcpy(c->hashes_ver, p + 56, 32);
	for (size_t i = 0; i < nrec; i++) {
		const uint8_t *r = c->recs + i * CANH__CACHE_REC;
		uint32_t off = get32(r + 40), dl = get32(r + 44);

		if (i > 0) {
			const uint8_t *q = r - CANH__CACHE_REC;
			uint64_t d0 = get64(q), d1 = get64(r), i0 = get64(q + 8), i1 = get64(r + 8);

			if (d0 > d1 || (d0 == d1 && i0 >= i1)) {
				canh_scan_cache_free(c);
				return canh_errmsg_set(err, CANH_ECORRUPT,
						       "cache record %zu out of order", i);
			}
		}
		if (dl != 0 && ((uint64_t)off + dl > stlen || !blob_ok(c->strtab + off, dl))) {
			canh_scan_cache_free(c);
			return canh_errmsg_set(err, CANH_ECORRUPT,
					       "cache record %zu: bad detection entry", i);
		}
	}
	*out = c;
	return 0;
}

size_t canh_scan_cache_records(const struct canh_scan_cache *c)
{
	return c != NULL ? c->nrec : 0;
}

void canh_scan_cache_free(struct canh_scan_cache *c)
{
	free(c);
}

void canh__cache_rec_key(const struct canh_scan_cache *c, size_t i, struct canh__cache_key *k)
{
	const uint8_t *r = c->recs + i * CANH__CACHE_REC;

	k->dev = get64(r);
	k->ino = get64(r + 8);
	k->size = get64(r + 16);
	k->mtime_ns = (int64_t)get64(r + 24);
	k->ctime_ns = (int64_t)get64(r + 32);
}

long canh__cache_find(const struct canh_scan_cache *c, const struct canh__cache_key *k)
{
	size_t lo = 0, hi;

	if (c == NULL)
		return -1;
	hi = c->nrec;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint8_t *r = c->recs + mid * CANH__CACHE_REC;
		uint64_t dev = get64(r), ino = get64(r + 8);

		if (dev < k->dev || (dev == k->dev && ino < k->ino)) {
			lo = mid + 1;
		} else if (dev == k->dev && ino == k->ino) {
			struct canh__cache_key rk;

			canh__cache_rec_key(c, mid, &rk);
			if (rk.size == k->size && rk.mtime_ns == k->mtime_ns &&
			    rk.ctime_ns == k->ctime_ns)
				return (long)mid;
			return -1;
		} else {
			hi = mid;
		}
	}
	return -1;
}

static void blob_decode(const uint8_t *p, struct canh__cache_det *d)
{
	size_t off = 69;

	memcpy(d->md5, p, 16);
	memcpy(d->sha1, p + 16, 20);
	memcpy(d->sha256, p + 36, 32);
	d->n = p[68];
	for (unsigned i = 0; i < d->n; i++) {
		d->kind[i] = p[off];
		memcpy(d->name[i], p + off + 2, p[off + 1]);
		d->name[i][p[off + 1]] = '\0';
		off += 2 + (size_t)p[off + 1];
	}
}

void canh__cache_rec_det(const struct canh_scan_cache *c, size_t i, struct canh__cache_det *d)
{
	const uint8_t *r = c->recs + i * CANH__CACHE_REC;

	d->n = 0;
	if (get32(r + 44) != 0)
		blob_decode(c->strtab + get32(r + 40), d);
}

/* ---- Writing ---- */

struct out_rec {
	struct canh__cache_key k;
	uint32_t off, len; /* in the owner's blob buffer */
	uint32_t order;	   /* 0: this scan, 1: kept from the old cache */
};

struct canh__cache_out {
	pthread_mutex_t mu;
	struct out_rec *r;
	size_t n, cap;
	struct canh_buf blobs;
};

struct canh__cache_out *canh__cache_out_new(void)
{
	struct canh__cache_out *o = canh_xcalloc(1, sizeof(*o));

	pthread_mutex_init(&o->mu, NULL);
	canh_buf_init(&o->blobs, (size_t)UINT32_MAX);
	return o;
}

void canh__cache_out_free(struct canh__cache_out *o)
{
	if (o == NULL)
		return;
	pthread_mutex_destroy(&o->mu);
	free(o->r);
	canh_buf_release(&o->blobs);
	free(o);
}

size_t canh__cache_out_count(const struct canh__cache_out *o)
{
	return o->n;
}

static void out_push(struct canh__cache_out *o, const struct canh__cache_key *k, const void *blob,
		     size_t blen, uint32_t order)
{
	struct out_rec *r;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 1024;
		o->r = canh_xrealloc(o->r, o->cap * sizeof(*o->r));
	}
	r = &o->r[o->n];
	r->k = *k;
	r->off = (uint32_t)o->blobs.len;
	r->len = 0;
	r->order = order;
	if (blen > 0) {
		if (canh_buf_append(&o->blobs, blob, blen) != 0)
			return; /* detection table full: the file is not cached */
		r->len = (uint32_t)blen;
	}
	o->n++;
}

void canh__cache_out_add(struct canh__cache_out *o, const struct canh__cache_key *k,
			 const struct canh__cache_det *d)
{
	uint8_t blob[69 + CANH_SCAN_MAX_RULE_NAMES * 257];
	size_t bl = 0;

	if (d != NULL && d->n > 0) {
		memcpy(blob, d->md5, 16);
		memcpy(blob + 16, d->sha1, 20);
		memcpy(blob + 36, d->sha256, 32);
		blob[68] =
		    (uint8_t)(d->n > CANH_SCAN_MAX_RULE_NAMES ? CANH_SCAN_MAX_RULE_NAMES : d->n);
		bl = 69;
		for (unsigned i = 0; i < blob[68]; i++) {
			size_t nl = strnlen(d->name[i], 255);

			blob[bl] = d->kind[i];
			blob[bl + 1] = (uint8_t)nl;
			memcpy(blob + bl + 2, d->name[i], nl);
			bl += 2 + nl;
		}
	}
	pthread_mutex_lock(&o->mu);
	out_push(o, k, blob, bl, 0);
	pthread_mutex_unlock(&o->mu);
}

static int cmp_out(const void *a, const void *b)
{
	const struct out_rec *x = a, *y = b;

	if (x->k.dev != y->k.dev)
		return x->k.dev < y->k.dev ? -1 : 1;
	if (x->k.ino != y->k.ino)
		return x->k.ino < y->k.ino ? -1 : 1;
	return (int)x->order - (int)y->order;
}

static int cmp_order(const void *a, const void *b)
{
	const struct out_rec *x = a, *y = b;

	return (int)x->order - (int)y->order;
}

int canh__cache_save(const char *path, struct canh__cache_out *o, const struct canh_scan_cache *old,
		     const uint8_t *oldseen, const uint8_t rules_ver[32],
		     const uint8_t hashes_ver[32], size_t max, struct canh_errmsg *err)
{
	size_t w = 0, stlen = 0, total;
	uint8_t *img, *rp, *sp;
	uint32_t crc;
	int rc;

	/* Records of the old cache this scan did not meet: files under other
	 * roots, kept while there is room. */
	if (old != NULL)
		for (size_t i = 0; i < old->nrec; i++) {
			struct canh__cache_key k;
			const uint8_t *r = old->recs + i * CANH__CACHE_REC;

			if (oldseen != NULL && oldseen[i])
				continue;
			canh__cache_rec_key(old, i, &k);
			out_push(o, &k, old->strtab + get32(r + 40), get32(r + 44), 1);
		}
	/* Over the cap: this scan's records first. */
	if (o->n > max) {
		qsort(o->r, o->n, sizeof(*o->r), cmp_order);
		o->n = max;
	}
	if (o->n > 1)
		qsort(o->r, o->n, sizeof(*o->r), cmp_out);
	for (size_t i = 0; i < o->n; i++) {
		if (w > 0 && o->r[w - 1].k.dev == o->r[i].k.dev &&
		    o->r[w - 1].k.ino == o->r[i].k.ino)
			continue; /* the same inode twice (hard links): keep the first */
		o->r[w++] = o->r[i];
		stlen += o->r[i].len;
	}
	o->n = w;
	if (stlen > UINT32_MAX)
		return canh_errmsg_set(err, CANH_ETOOBIG, "scan cache detection table too big");
	total = CANH__CACHE_HDR + w * CANH__CACHE_REC + stlen;
	img = canh_xcalloc(1, total);
	memcpy(img, CANH__CACHE_MAGIC, 8);
	put32(img + 8, CANH__CACHE_VERSION);
	put32(img + 12, (uint32_t)w);
	put32(img + 16, (uint32_t)stlen);
	memcpy(img + 24, rules_ver, 32);
	memcpy(img + 56, hashes_ver, 32);
	rp = img + CANH__CACHE_HDR;
	sp = rp + w * CANH__CACHE_REC;
	stlen = 0;
	for (size_t i = 0; i < w; i++, rp += CANH__CACHE_REC) {
		const struct out_rec *r = &o->r[i];

		put64(rp, r->k.dev);
		put64(rp + 8, r->k.ino);
		put64(rp + 16, r->k.size);
		put64(rp + 24, (uint64_t)r->k.mtime_ns);
		put64(rp + 32, (uint64_t)r->k.ctime_ns);
		put32(rp + 40, r->len ? (uint32_t)stlen : 0);
		put32(rp + 44, r->len);
		if (r->len) {
			memcpy(sp + stlen, o->blobs.data + r->off, r->len);
			stlen += r->len;
		}
	}
	crc = canh__crc32(0, img, 92);
	crc = canh__crc32(crc, img + CANH__CACHE_HDR, total - CANH__CACHE_HDR);
	put32(img + 92, crc);
	rc = canh_file_write_atomic(path, img, total, 0600, err);
	free(img);
	return rc;
}
