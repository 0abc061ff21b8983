/*
 * The agent's network flows: samples folded into aggregates, one "flows"
 * message per upload interval (agent/flows.h).
 */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "canh/mem.h"
#include "canh/netconn.h"
#include "canh/time.h"
#include "canh/utf8.h"
#include "flows.h"

#define DEFAULT_MAX_FLOWS 5000
#define EXE_CACHE_MAX 4096 /* executables remembered (with their package owner) */
#define STR_MAX 1024	   /* longest exe path sent (the protocol's cap) */

/* An executable path, interned: aggregates point at it, so equal paths are equal pointers. */
struct exe {
	char *path;
	char *package; /* dpkg owner; NULL when none or unknown */
	int owned;     /* 1 owned, 0 not owned, -1 unknown (no dpkg, or not looked up) */
	int checked;
};

struct agg {
	uint8_t proto, dir; /* dir: 0 out, 1 in */
	uint16_t lport, rport;
	struct canh_ipaddr local, remote;
	const struct exe *exe; /* NULL: no process known */
	char comm[16];
	int pid;
	uint32_t uid;
	int64_t first, last, count;
};

struct canh_agent_flows {
	struct canh_agent_flows_opts o;
	struct canh_netconn_set set;
	struct agg *aggs;
	size_t naggs, max;
	size_t dropped;
	size_t *idx,
	    *alias; /* hash indexes over aggs (full key; key without exe): i + 1, 0 empty */
	size_t hcap;
	struct exe **exes; /* hash set of interned executables */
	size_t nexes, ecap;
	int64_t since; /* wall clock of the first sample folded in since the last message */
	uint8_t listen[2][65536 / 8];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t key_hash(const struct agg *a, int with_exe)
{
	uint64_t h = hash_bytes(a->remote.bytes, 16);
	h = mix(h, hash_bytes(a->local.bytes, 16));
	h = mix(h, (uint64_t)a->proto << 40 | (uint64_t)a->dir << 32 | (uint64_t)a->lport << 16 |
		       a->rport);
	h = mix(h, a->remote.family);
	if (with_exe)
		h = mix(h, (uint64_t)(uintptr_t)a->exe);
	return h ^ (h >> 29);
}

static int key_equal(const struct agg *a, const struct agg *b, int with_exe)
{
	return a->proto == b->proto && a->dir == b->dir && a->lport == b->lport &&
	       a->rport == b->rport && canh_ip_equal(&a->local, &b->local) &&
	       canh_ip_equal(&a->remote, &b->remote) && (!with_exe || a->exe == b->exe);
}

struct canh_agent_flows *canh_agent_flows_new(const struct canh_agent_flows_opts *o)
{
	struct canh_agent_flows *f = canh_xcalloc(1, sizeof(*f));

	f->o = *o;
	f->max = o->max_flows ? o->max_flows : DEFAULT_MAX_FLOWS;
	canh_netconn_set_init(&f->set);
	f->aggs = canh_xcalloc(f->max, sizeof(*f->aggs));
	f->hcap = 16;
	while (f->hcap < f->max * 2)
		f->hcap *= 2;
	f->idx = canh_xcalloc(f->hcap, sizeof(*f->idx));
	f->alias = canh_xcalloc(f->hcap, sizeof(*f->alias));
	return f;
}

static void exes_clear(struct canh_agent_flows *f)
{
	for (size_t i = 0; i < f->ecap; i++) {
		if (!f->exes[i])
			continue;
		free(f->exes[i]->path);
		free(f->exes[i]->package);
		free(f->exes[i]);
	}
	free(f->exes);
	f->exes = NULL;
	f->nexes = f->ecap = 0;
}

void canh_agent_flows_free(struct canh_agent_flows *f)
{
	if (!f)
		return;
	canh_netconn_set_release(&f->set);
	exes_clear(f);
	free(f->aggs);
	free(f->idx);
	free(f->alias);
	free(f);
}

/* The interned executable for path (never NULL for a non-empty path). */
static struct exe *intern(struct canh_agent_flows *f, const char *path)
{
	uint64_t h = hash_bytes(path, strlen(path));
	size_t i;

	if (f->nexes * 2 >= f->ecap) {
		size_t ncap = f->ecap ? f->ecap * 2 : 64;
		struct exe **n = canh_xcalloc(ncap, sizeof(*n));
		for (size_t k = 0; k < f->ecap; k++) {
			if (!f->exes[k])
				continue;
			uint64_t hk = hash_bytes(f->exes[k]->path, strlen(f->exes[k]->path));
			for (i = hk & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = f->exes[k];
		}
		free(f->exes);
		f->exes = n;
		f->ecap = ncap;
	}
	for (i = h & (f->ecap - 1); f->exes[i]; i = (i + 1) & (f->ecap - 1))
		if (strcmp(f->exes[i]->path, path) == 0)
			return f->exes[i];
	f->exes[i] = canh_xcalloc(1, sizeof(struct exe));
	f->exes[i]->path = canh_xstrdup(path);
	f->exes[i]->owned = -1;
	f->nexes++;
	return f->exes[i];
}

static size_t *slot_of(struct canh_agent_flows *f, size_t *table, const struct agg *k, int with_exe)
{
	size_t i = key_hash(k, with_exe) & (f->hcap - 1);

	while (table[i] && !key_equal(&f->aggs[table[i] - 1], k, with_exe))
		i = (i + 1) & (f->hcap - 1);
	return &table[i];
}

static int is_loopback(const struct canh_ipaddr *a)
{
	static const uint8_t v6lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (a->family == 4)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6lo, 16) == 0;
}

static int is_unspecified(const struct canh_ipaddr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->bytes, zero, a->family == 4 ? 4 : 16) == 0;
}

static void fold(struct canh_agent_flows *f, const struct agg *k, int64_t now, int no_owner)
{
	size_t *s, *al;
	struct agg *a;

	/* A socket without an owner (TIME_WAIT) joins the same connection's aggregate
	   with an executable when one was seen. */
	if (no_owner) {
		al = slot_of(f, f->alias, k, 0);
		if (*al) {
			a = &f->aggs[*al - 1];
			a->last = now;
			a->count++;
			return;
		}
	}
	s = slot_of(f, f->idx, k, 1);
	if (*s) {
		a = &f->aggs[*s - 1];
		a->last = now;
		a->count++;
		if (k->pid) {
			a->pid = k->pid;
			a->uid = k->uid;
			memcpy(a->comm, k->comm, sizeof(a->comm));
		}
		return;
	}
	if (f->naggs >= f->max) {
		f->dropped++;
		return;
	}
	a = &f->aggs[f->naggs++];
	*a = *k;
	a->first = a->last = now;
	a->count = 1;
	*s = f->naggs;
	if (a->exe) {
		al = slot_of(f, f->alias, k, 0);
		if (!*al)
			*al = f->naggs;
	}
}

/* Look up the package owner of the executables interned since the last look. */
static void check_owners(struct canh_agent_flows *f)
{
	const char **paths;
	struct exe **which;
	char **owners;
	size_t n = 0;
	int rc;

	if (!f->o.package_owner)
		return;
	for (size_t i = 0; i < f->ecap; i++)
		if (f->exes[i] && !f->exes[i]->checked)
			n++;
	if (n == 0)
		return;
	paths = canh_xcalloc(n, sizeof(*paths));
	which = canh_xcalloc(n, sizeof(*which));
	owners = canh_xcalloc(n, sizeof(*owners));
	n = 0;
	for (size_t i = 0; i < f->ecap; i++)
		if (f->exes[i] && !f->exes[i]->checked) {
			which[n] = f->exes[i];
			paths[n++] = f->exes[i]->path;
		}
	rc = canh_netconn_dpkg_owners(f->o.root, paths, n, owners);
	for (size_t i = 0; i < n; i++) {
		which[i]->checked = 1;
		which[i]->owned = rc == 0 ? owners[i] != NULL : -1;
		which[i]->package = owners[i];
	}
	free(paths);
	free(which);
	free(owners);
}

/* The per-sample cache of pid -> (comm, exe). */
struct pinfo {
	int pid;
	char comm[16];
	const struct exe *exe;
};

static const struct pinfo *proc_of(struct canh_agent_flows *f, struct pinfo *cache, size_t cap,
				   int pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (cap - 1);
	char exe[PATH_MAX];

	while (cache[i].pid && cache[i].pid != pid)
		i = (i + 1) & (cap - 1);
	if (cache[i].pid == pid)
		return &cache[i];
	cache[i].pid = pid;
	canh_netconn_proc_info(f->o.root, pid, cache[i].comm, sizeof(cache[i].comm), exe,
			       sizeof(exe));
	cache[i].exe = exe[0] ? intern(f, exe) : NULL;
	return &cache[i];
}

int canh_agent_flows_sample(struct canh_agent_flows *f, int64_t now_ms, struct canh_errmsg *err)
{
	struct canh_netconn_set *s = &f->set;
	struct pinfo *cache;
	size_t cap = 64;
	int rc;

	rc = canh_netconn_read(s, f->o.root, err);
	if (rc != 0 && s->n == 0)
		return rc;
	canh_netconn_owners(s, f->o.root);
	/* Forget the executables (and their owners) only between messages, when nothing
	   points at them. */
	if (f->naggs == 0 && f->nexes > EXE_CACHE_MAX)
		exes_clear(f);

	memset(f->listen, 0, sizeof(f->listen));
	for (size_t i = 0; i < s->n; i++) {
		const struct canh_netconn *c = &s->v[i];
		if ((c->proto == CANH_NETCONN_TCP && c->state == CANH_NETCONN_LISTEN) ||
		    (c->proto == CANH_NETCONN_UDP && c->rport == 0 && is_unspecified(&c->remote)))
			f->listen[c->proto][c->lport / 8] |= (uint8_t)(1u << (c->lport % 8));
	}
	while (cap < s->n * 2 && cap < 65536)
		cap *= 2;
	cache = canh_xcalloc(cap, sizeof(*cache));
	size_t used = 0;
	if (f->naggs == 0 && f->dropped == 0)
		f->since = now_ms;
	for (size_t i = 0; i < s->n; i++) {
		const struct canh_netconn *c = &s->v[i];
		struct agg k;

		if (c->proto == CANH_NETCONN_TCP &&
		    (c->state == CANH_NETCONN_LISTEN || c->state == CANH_NETCONN_CLOSE))
			continue;
		if (c->rport == 0 || is_unspecified(&c->remote))
			continue; /* unconnected */
		if (!f->o.include_loopback && (is_loopback(&c->remote) || is_loopback(&c->local)))
			continue;
		memset(&k, 0, sizeof(k));
		k.proto = c->proto;
		k.dir = (f->listen[c->proto][c->lport / 8] >> (c->lport % 8)) & 1;
		k.local = c->local;
		k.remote = c->remote;
		if (k.dir)
			k.lport = c->lport;
		else
			k.rport = c->rport;
		k.uid = c->uid;
		if (c->pid > 0 && used * 2 < cap) {
			const struct pinfo *p = proc_of(f, cache, cap, c->pid);
			used++;
			k.pid = c->pid;
			memcpy(k.comm, p->comm, sizeof(k.comm));
			k.exe = p->exe;
		}
		fold(f, &k, now_ms, c->inode == 0);
	}
	free(cache);
	check_owners(f);
	return 0;
}

size_t canh_agent_flows_pending(const struct canh_agent_flows *f, size_t *dropped)
{
	if (dropped)
		*dropped = f->dropped;
	return f->naggs;
}

/* A JSON string from system bytes: invalid UTF-8 becomes '?', cut at max bytes. */
static json_t *jstr(const char *s, size_t max)
{
	char buf[STR_MAX + 1];
	size_t n = strlen(s), o = 0, i = 0;

	if (max > STR_MAX)
		max = STR_MAX;
	while (i < n && o < max) {
		size_t l = canh_utf8_decode(s + i, n - i, NULL);
		if (l == 0) {
			buf[o++] = '?';
			i++;
			continue;
		}
		if (o + l > max)
			break;
		memcpy(buf + o, s + i, l);
		o += l;
		i += l;
	}
	json_t *j = json_stringn(buf, o);
	if (!j)
		abort(); /* allocation failure only, like canh_xmalloc */
	return j;
}

static json_t *jtime(int64_t ms)
{
	char t[CANH_TIME_BUFSZ];
	return json_string(canh_time_format(ms, t, sizeof(t)));
}

static json_t *jip(const struct canh_ipaddr *a)
{
	char b[CANH_IPADDR_STRLEN];
	return json_string(canh_ip_format(a, b, sizeof(b)));
}

int canh_agent_flows_message(struct canh_agent_flows *f, int64_t now_ms, char **text, size_t *len)
{
	json_t *arr, *data, *m;

	*text = NULL;
	*len = 0;
	if (f->naggs == 0 && f->dropped == 0)
		return 0;
	arr = json_array();
	for (size_t i = 0; i < f->naggs; i++) {
		const struct agg *a = &f->aggs[i];
		json_t *o = json_object();

		json_object_set_new(o, "proto", json_string(canh_netconn_proto_name(a->proto)));
		json_object_set_new(o, "local", jip(&a->local));
		json_object_set_new(o, "local_port", json_integer(a->lport));
		json_object_set_new(o, "remote", jip(&a->remote));
		json_object_set_new(o, "remote_port", json_integer(a->rport));
		json_object_set_new(o, "direction", json_string(a->dir ? "in" : "out"));
		if (a->pid > 0) {
			json_object_set_new(o, "pid", json_integer(a->pid));
			json_object_set_new(o, "uid", json_integer(a->uid));
			if (a->comm[0])
				json_object_set_new(o, "process", jstr(a->comm, 64));
		}
		if (a->exe) {
			json_object_set_new(o, "exe", jstr(a->exe->path, STR_MAX));
			if (a->exe->owned >= 0)
				json_object_set_new(o, "owned", json_boolean(a->exe->owned));
			if (a->exe->package)
				json_object_set_new(o, "package", jstr(a->exe->package, 256));
		}
		json_object_set_new(o, "first_seen", jtime(a->first));
		json_object_set_new(o, "last_seen", jtime(a->last));
		json_object_set_new(o, "count", json_integer(a->count));
		json_array_append_new(arr, o);
	}
	data = json_object();
	json_object_set_new(data, "since", jtime(f->since ? f->since : now_ms));
	json_object_set_new(data, "until", jtime(now_ms));
	json_object_set_new(data, "dropped", json_integer((json_int_t)f->dropped));
	json_object_set_new(data, "flows", arr);
	m = json_object();
	json_object_set_new(m, "type", json_string("flows"));
	json_object_set_new(m, "time", jtime(now_ms));
	json_object_set_new(m, "data", data);
	*text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!*text)
		return CANH_ENOMEM;
	*len = strlen(*text);
	f->naggs = 0;
	f->dropped = 0;
	f->since = 0;
	memset(f->idx, 0, f->hcap * sizeof(*f->idx));
	memset(f->alias, 0, f->hcap * sizeof(*f->alias));
	return 0;
}
