/*
 * Normalised events and the field-name interning table (canh/event.h).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/event.h"
#include "canh/mem.h"
#include "canh/utf8.h"

/*
 * Interning: an open-addressing hash of names (power of two, twice the id
 * cap) under one mutex. Names are never freed; the table is small.
 */
#define FIELD_HASH_SIZE (CANH_FIELD_MAX * 2)

static pthread_mutex_t field_lock = PTHREAD_MUTEX_INITIALIZER;
static char *field_names[CANH_FIELD_MAX];
static int field_hash[FIELD_HASH_SIZE]; /* id + 1, 0 = empty */
static int field_n;

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/*
 * The id of name, or -1; *slot is where the search stopped (the name's entry,
 * or the empty entry where it would go). The table is never full (twice the
 * id cap), so the probe ends.
 */
static int find_locked(const char *name, size_t len, uint32_t *slot)
{
	uint32_t i = name_hash(name, len) & (FIELD_HASH_SIZE - 1);
	int v;
	while ((v = field_hash[i]) != 0) {
		const char *n = field_names[v - 1];
		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			break;
		i = (i + 1) & (FIELD_HASH_SIZE - 1);
	}
	*slot = i;
	return v - 1;
}

int canh_field_idn(const char *name, size_t len)
{
	if (!name || len == 0 || len > CANH_FIELD_NAME_MAX || memchr(name, '\0', len))
		return CANH_EINVAL;
	uint32_t slot;
	pthread_mutex_lock(&field_lock);
	int id = find_locked(name, len, &slot);
	if (id < 0) {
		if (field_n >= CANH_FIELD_MAX) {
			id = CANH_EFULL;
		} else {
			id = field_n++;
			field_names[id] = canh_xstrndup(name, len);
			field_hash[slot] = id + 1;
		}
	}
	pthread_mutex_unlock(&field_lock);
	return id;
}

int canh_field_id(const char *name)
{
	return canh_field_idn(name, name ? strlen(name) : 0);
}

int canh_field_lookup(const char *name, size_t len)
{
	if (!name || len == 0 || len > CANH_FIELD_NAME_MAX)
		return -1;
	uint32_t slot;
	pthread_mutex_lock(&field_lock);
	int id = find_locked(name, len, &slot);
	pthread_mutex_unlock(&field_lock);
	return id;
}

const char *canh_field_name(int id)
{
	const char *n = NULL;
	pthread_mutex_lock(&field_lock);
	if (id >= 0 && id < field_n)
		n = field_names[id];
	pthread_mutex_unlock(&field_lock);
	return n;
}

int canh_field_count(void)
{
	pthread_mutex_lock(&field_lock);
	int n = field_n;
	pthread_mutex_unlock(&field_lock);
	return n;
}

void canh_event_init(struct canh_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->buf = canh_xmalloc(CANH_EVENT_BUF_MAX);
	ev->stamp = canh_xcalloc(CANH_FIELD_MAX, sizeof(*ev->stamp));
	ev->slot = canh_xcalloc(CANH_FIELD_MAX, sizeof(*ev->slot));
	ev->gen = 1;
}

void canh_event_release(struct canh_event *ev)
{
	if (!ev)
		return;
	free(ev->buf);
	free(ev->stamp);
	free(ev->slot);
	memset(ev, 0, sizeof(*ev));
}

void canh_event_reset(struct canh_event *ev)
{
	ev->product[0] = ev->service[0] = ev->category[0] = '\0';
	ev->time_ms = 0;
	ev->raw = NULL;
	ev->raw_len = 0;
	ev->host_off = ev->host_len = 0;
	ev->nfields = 0;
	ev->used = 0;
	if (++ev->gen == 0) {
		/* Wrapped after 4 billion events: old stamps could look current. */
		memset(ev->stamp, 0, CANH_FIELD_MAX * sizeof(*ev->stamp));
		ev->gen = 1;
	}
}

static void set_part(char *dst, const char *src)
{
	if (src)
		canh_strlcpy(dst, src, CANH_EVENT_LOGSOURCE_MAX);
}

void canh_event_set_logsource(struct canh_event *ev, const char *product, const char *service,
			      const char *category)
{
	set_part(ev->product, product);
	set_part(ev->service, service);
	set_part(ev->category, category);
}

/* Services nested in another in Sigma's taxonomy (docs/decoders.md). */
static const char *const service_parents[][2] = {
    {"sshd", "auth"},
    {"sudo", "auth"},
};

const char *canh_event_service_parent(const char *service)
{
	for (size_t i = 0; i < sizeof(service_parents) / sizeof(service_parents[0]); i++) {
		if (strcasecmp(service, service_parents[i][0]) == 0)
			return service_parents[i][1];
	}
	return NULL;
}

int canh_event_has_service(const struct canh_event *ev, const char *name)
{
	if (strcasecmp(ev->service, name) == 0)
		return 1;
	const char *parent = ev->service[0] ? canh_event_service_parent(ev->service) : NULL;
	return parent && strcasecmp(parent, name) == 0;
}

void canh_event_set_raw(struct canh_event *ev, const char *raw, size_t len)
{
	ev->raw = raw;
	ev->raw_len = raw ? len : 0;
}

/* Copy len bytes and a NUL into buf; returns the offset or -1 when full. */
static long store(struct canh_event *ev, const char *v, size_t len)
{
	if (len >= CANH_EVENT_BUF_MAX || CANH_EVENT_BUF_MAX - ev->used < len + 1)
		return -1;
	long off = (long)ev->used;
	if (len)
		memcpy(ev->buf + ev->used, v, len);
	ev->buf[ev->used + len] = '\0';
	ev->used += len + 1;
	return off;
}

int canh_event_set_host(struct canh_event *ev, const char *host, size_t len)
{
	long off = store(ev, host, len);
	if (off < 0)
		return CANH_ETOOBIG;
	ev->host_off = (uint32_t)off;
	ev->host_len = (uint32_t)len;
	return 0;
}

const char *canh_event_host(const struct canh_event *ev, size_t *len)
{
	if (len)
		*len = ev->host_len;
	return ev->host_len ? ev->buf + ev->host_off : NULL;
}

int canh_event_set(struct canh_event *ev, int id, const char *v, size_t len)
{
	if (id < 0 || id >= CANH_FIELD_MAX || (!v && len))
		return CANH_EINVAL;
	int have = ev->stamp[id] == ev->gen;
	if (!have && ev->nfields >= CANH_EVENT_FIELDS_MAX)
		return CANH_ETOOBIG;
	long off = store(ev, v, len);
	if (off < 0)
		return CANH_ETOOBIG;
	struct canh_event_field *f;
	if (have) {
		f = &ev->fields[ev->slot[id]];
	} else {
		ev->slot[id] = (uint16_t)ev->nfields;
		ev->stamp[id] = ev->gen;
		f = &ev->fields[ev->nfields++];
		f->id = (uint16_t)id;
	}
	f->off = (uint32_t)off;
	f->len = (uint32_t)len;
	return 0;
}

int canh_event_set_str(struct canh_event *ev, int id, const char *v)
{
	return canh_event_set(ev, id, v, v ? strlen(v) : 0);
}

int canh_event_set_name(struct canh_event *ev, const char *name, const char *v, size_t len)
{
	int id = canh_field_id(name);
	if (id < 0)
		return id;
	return canh_event_set(ev, id, v, len);
}

int canh_event_set_int(struct canh_event *ev, int id, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);
	return canh_event_set(ev, id, tmp, (size_t)n);
}

int canh_event_get_num(const struct canh_event *ev, int id, double *out)
{
	size_t len;
	const char *v = canh_event_get(ev, id, &len);
	if (!v)
		return CANH_ENOENT;
	/* Values are NUL-terminated in buf, so strtod cannot run past them. */
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len == 0 || len > 64)
		return CANH_EINVAL;
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || errno == ERANGE || !isfinite(d))
		return CANH_EINVAL;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return CANH_EINVAL;
	*out = d;
	return 0;
}

/* A JSON string of n bytes, invalid UTF-8 replaced with U+FFFD. */
static json_t *json_text(const char *s, size_t n)
{
	if (canh_utf8_valid(s, n) && !memchr(s, '\0', n))
		return json_stringn(s, n);
	struct canh_buf b;
	canh_buf_init(&b, n * 3 + 16);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = canh_utf8_decode(s + i, n - i, &cp);
		if (k == 0 || cp == 0) {
			canh_buf_append(&b, "\xef\xbf\xbd", 3);
			i += k ? k : 1;
		} else {
			canh_buf_append(&b, s + i, k);
			i += k;
		}
	}
	json_t *j = json_stringn(b.data ? b.data : "", b.len);
	canh_buf_release(&b);
	return j;
}

json_t *canh_event_json(const struct canh_event *ev)
{
	json_t *o = json_object();
	if (ev->time_ms)
		json_object_set_new(o, "time", json_integer(ev->time_ms));
	if (ev->host_len)
		json_object_set_new(o, "host", json_text(ev->buf + ev->host_off, ev->host_len));
	json_t *ls = json_object();
	if (ev->product[0])
		json_object_set_new(ls, "product", json_text(ev->product, strlen(ev->product)));
	if (ev->service[0])
		json_object_set_new(ls, "service", json_text(ev->service, strlen(ev->service)));
	if (ev->category[0])
		json_object_set_new(ls, "category", json_text(ev->category, strlen(ev->category)));
	json_object_set_new(o, "logsource", ls);
	json_t *f = json_object();
	for (unsigned i = 0; i < ev->nfields; i++) {
		const char *name = canh_field_name(ev->fields[i].id);
		if (name)
			json_object_set_new(
			    f, name, json_text(ev->buf + ev->fields[i].off, ev->fields[i].len));
	}
	json_object_set_new(o, "fields", f);
	if (ev->raw)
		json_object_set_new(o, "raw", json_text(ev->raw, ev->raw_len));
	return o;
}
