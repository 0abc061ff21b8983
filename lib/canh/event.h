/*
 * The normalised event: what decoders produce and what the Sigma engine reads.
 *
 * An event is a logsource (product, service, category), a time, a host, the
 * raw line and a flat list of (field, value) pairs. Values are UTF-8 byte
 * strings with a length (not NUL-terminated for the reader's purposes, though
 * the buffer keeps a NUL after each one); a numeric view is parsed on demand.
 *
 * Field names are interned once into small integer ids (canh_field_id):
 * compiled rules and decoders hold ids, and looking a field up in an event is
 * one array index. Names follow the Sigma taxonomy where one exists (Image,
 * CommandLine, User, SourceIp, DestinationPort, ...) and a documented canh
 * name otherwise (docs/sigma.md lists them). Names are case-sensitive.
 *
 * Speed: an event is initialised once and reused; canh_event_reset() empties
 * it in O(1) (a generation counter invalidates the field index), values are
 * copied into one buffer of fixed capacity, so steady-state decoding and
 * matching allocate nothing. A value that would overflow the buffer or the
 * field table is refused with CANH_ETOOBIG and the event keeps what it had.
 *
 * Ownership: the event owns its buffer and its copies of values, host and
 * logsource; the raw line is borrowed (canh_event_set_raw) and must stay valid
 * until the next reset. One event is used by one thread at a time; the field
 * interning table is global and thread-safe.
 */
#ifndef CANH_EVENT_H
#define CANH_EVENT_H

#include <stddef.h>
#include <stdint.h>

/* Distinct field names the process may intern (ids are 0 .. max-1). */
#define CANH_FIELD_MAX 4096
/* Longest field name. */
#define CANH_FIELD_NAME_MAX 128
/* Fields per event, and bytes of values per event. */
#define CANH_EVENT_FIELDS_MAX 256
#define CANH_EVENT_BUF_MAX (64u * 1024u)
/* Logsource names (product, service, category) are cut to this length. */
#define CANH_EVENT_LOGSOURCE_MAX 48

/*
 * The id of a field name, interning it when new: >= 0, or CANH_EINVAL (empty
 * or too long a name), CANH_EFULL (table full). Ids are stable for the life
 * of the process. Thread-safe.
 */
int canh_field_id(const char *name);
int canh_field_idn(const char *name, size_t len);
/* The id of a name already interned, or -1; never interns. Thread-safe. */
int canh_field_lookup(const char *name, size_t len);
/* The name of an id, or NULL when the id was never handed out. */
const char *canh_field_name(int id);
/* How many ids have been handed out. */
int canh_field_count(void);

struct canh_event_field {
	uint16_t id;  /* canh_field_id */
	uint32_t off; /* value's offset in buf */
	uint32_t len; /* value's length in bytes */
};

struct canh_event {
	char product[CANH_EVENT_LOGSOURCE_MAX];	 /* "linux", "windows", "" = unknown */
	char service[CANH_EVENT_LOGSOURCE_MAX];	 /* "sshd", "auth", "security", "" */
	char category[CANH_EVENT_LOGSOURCE_MAX]; /* "process_creation", "" */
	int64_t time_ms;			 /* Unix time in ms, 0 when unknown */
	const char *raw;			 /* the raw line (borrowed), may be NULL */
	size_t raw_len;
	uint32_t host_off, host_len; /* host name in buf; host_len 0 = unknown */
	unsigned nfields;
	struct canh_event_field fields[CANH_EVENT_FIELDS_MAX];
	/* Internal: values, and the id -> slot index valid for this generation. */
	char *buf;
	size_t used;
	uint32_t gen;
	uint32_t *stamp; /* [CANH_FIELD_MAX] generation that set slot[id] */
	uint16_t *slot;	 /* [CANH_FIELD_MAX] index into fields[] */
};

/* Allocate the buffers (aborts on allocation failure, like canh_xmalloc). */
void canh_event_init(struct canh_event *ev);
/* Free the buffers; the struct may be initialised again. */
void canh_event_release(struct canh_event *ev);
/* Empty the event for the next line: no fields, no host, no raw, time 0, logsource "". */
void canh_event_reset(struct canh_event *ev);

/* Logsource; NULL leaves a part unchanged, "" clears it. Longer names are cut. */
void canh_event_set_logsource(struct canh_event *ev, const char *product, const char *service,
			      const char *category);
/*
 * Sigma logsource services an event satisfies. An event has one service (the
 * most precise one its decoder knows), but Sigma's taxonomy nests some: the
 * lines of /var/log/auth.log (service `auth`) come from sshd, sudo, su, login,
 * PAM, user management... so an event of service `sshd` or `sudo` also
 * satisfies `service: auth` (decoders already give su, login and user
 * management lines service `auth` itself). canh_event_service_parent returns
 * the enclosing service of a service ("auth" for "sshd"), or NULL;
 * canh_event_has_service says whether `name` is the event's service or its
 * parent (ASCII case-insensitive).
 */
const char *canh_event_service_parent(const char *service);
int canh_event_has_service(const struct canh_event *ev, const char *name);

/* The raw line, borrowed until the next reset. */
void canh_event_set_raw(struct canh_event *ev, const char *raw, size_t len);
/* The host name (copied). Returns 0 or CANH_ETOOBIG. */
int canh_event_set_host(struct canh_event *ev, const char *host, size_t len);
const char *canh_event_host(const struct canh_event *ev, size_t *len);

/*
 * Set field `id` to the `len` bytes at v (copied); a second set of the same id
 * replaces the value. Returns 0, CANH_EINVAL (bad id), CANH_ETOOBIG (buffer or
 * field table full: the event keeps its other fields).
 */
int canh_event_set(struct canh_event *ev, int id, const char *v, size_t len);
/* canh_event_set with a NUL-terminated value. */
int canh_event_set_str(struct canh_event *ev, int id, const char *v);
/* canh_event_set by name (interns the name). */
int canh_event_set_name(struct canh_event *ev, const char *name, const char *v, size_t len);
/* canh_event_set with a decimal integer. */
int canh_event_set_int(struct canh_event *ev, int id, long long v);

/* The value of field `id` and its length, or NULL when the event lacks it. */
static inline const char *canh_event_get(const struct canh_event *ev, int id, size_t *len)
{
	if (id < 0 || id >= CANH_FIELD_MAX || ev->stamp[id] != ev->gen)
		return NULL;
	const struct canh_event_field *f = &ev->fields[ev->slot[id]];
	if (len)
		*len = f->len;
	return ev->buf + f->off;
}

/* The value of the i-th field (0 .. nfields-1), in the order they were set. */
static inline const char *canh_event_value(const struct canh_event *ev, unsigned i, size_t *len)
{
	*len = ev->fields[i].len;
	return ev->buf + ev->fields[i].off;
}

/*
 * The numeric view of field `id`: 0 and *out when the whole value (blanks
 * around allowed) is a decimal integer or a floating-point number,
 * CANH_ENOENT when the field is absent, CANH_EINVAL when it is not a number.
 */
int canh_event_get_num(const struct canh_event *ev, int id, double *out);

/*
 * The event as a JSON object (new reference): {"time": ms, "host": ...,
 * "logsource": {"product", "service", "category"}, "fields": {name: value},
 * "raw": line}. Parts that are unknown are left out; bytes that are not UTF-8
 * are replaced with U+FFFD.
 */
struct json_t;
struct json_t *canh_event_json(const struct canh_event *ev);

#endif
