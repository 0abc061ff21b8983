/*
 * The matcher (see canh/vulnmatch.h).
 *
 * Layout: what the index keeps is copied into chunked arenas (strings,
 * ranges, the per-advisory record), so adding 200,000 entries costs a few
 * hundred allocations, not hundreds of thousands. Entries live in one
 * growing array and are chained by index: the hash table maps (ecosystem,
 * name) to the first entry of its chain. KEV records and letters have their
 * own tables keyed by CVE. Matching only reads.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canh/buf.h"
#include "canh/mem.h"
#include "canh/vercmp.h"
#include "canh/vulnmatch.h"

#define ARENA_CHUNK (1u << 20)
#define NAME_MAX_KEY 512
#define MAX_LETTERS_PER_FINDING 32

/* Table tags: an ecosystem's packages use the ecosystem's number. */
enum {
	TAG_KEV = 100,
	TAG_LETTER_CVE,
	TAG_LETTER_PRODUCT,
	TAG_WANT,
	TAG_INTERN,
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

struct slot {
	const char *key; /* NULL = empty */
	uint32_t hash, tag;
	uint32_t val; /* table-specific: index + 1 (chains: the first) */
	uint32_t aux; /* chains: the last, so chains keep the order of adding */
};

struct table {
	struct slot *slots;
	size_t cap, n; /* cap is a power of two */
};

struct adv {
	const char *id, *cve, *summary;
	const char **aliases;
	size_t n_aliases;
	enum canh_advisory_format source;
	enum canh_severity severity;
	const struct canh_vuln_letter *letter; /* a letter's own record */
	const char **cves;		       /* a letter's CVEs */
	size_t n_cves;
};

struct entry {
	const struct adv *adv;
	struct canh_affected af; /* copy; release normalised */
	uint32_t next;		 /* next entry with the same key, index + 1 */
};

struct kev {
	const char *due, *added;
	int64_t due_ms;
};

struct lref {
	const struct canh_vuln_letter *letter;
	uint32_t next;
};

struct canh_vulnmatch {
	struct canh_vulnmatch_opts opts;
	char release[64]; /* opts.release normalised, "" = any */
	struct chunk *chunks;
	size_t bytes;
	struct table index, kevs, lcves, lprods, want, interned;
	struct entry *entries;
	size_t n_entries, cap_entries;
	struct kev *kev;
	size_t n_kev, cap_kev;
	struct lref *lrefs;
	size_t n_lrefs, cap_lrefs;
	struct canh_vulnmatch_stats st;
};

/* ---- arena ---- */

static void *arena_alloc(struct canh_vulnmatch *m, size_t n)
{
	struct chunk *c = m->chunks;
	size_t need = (n + 15) & ~(size_t)15;

	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		c = canh_xmalloc(sizeof(*c) + cap);
		c->next = m->chunks;
		c->used = 0;
		c->cap = cap;
		m->chunks = c;
		m->bytes += sizeof(*c) + cap;
	}
	c->used += need;
	return c->data + c->used - need;
}

static const char *arena_strn(struct canh_vulnmatch *m, const char *s, size_t n)
{
	char *d = arena_alloc(m, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static const char *arena_str(struct canh_vulnmatch *m, const char *s)
{
	return s ? arena_strn(m, s, strlen(s)) : NULL;
}

/* ---- hash table ---- */

static uint32_t hash_key(uint32_t tag, const char *s)
{
	uint32_t h = 2166136261u ^ tag;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h ? h : 1;
}

static const struct slot *table_find(const struct table *t, uint32_t tag, const char *key)
{
	uint32_t h;
	size_t i;

	if (!t->cap)
		return NULL;
	h = hash_key(tag, key);
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		const struct slot *s = &t->slots[i];
		if (!s->key)
			return NULL;
		if (s->hash == h && s->tag == tag && strcmp(s->key, key) == 0)
			return s;
	}
}

static void table_grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;
	struct slot *old = t->slots, *ns = canh_xcalloc(cap, sizeof(*ns));

	for (size_t k = 0; k < t->cap; k++) {
		size_t i;
		if (!old[k].key)
			continue;
		for (i = old[k].hash & (cap - 1); ns[i].key; i = (i + 1) & (cap - 1))
			;
		ns[i] = old[k];
	}
	free(old);
	t->slots = ns;
	t->cap = cap;
}

/* The slot of key, created (val 0, key copied) when missing. */
static struct slot *table_get(struct canh_vulnmatch *m, struct table *t, uint32_t tag,
			      const char *key)
{
	uint32_t h = hash_key(tag, key);
	size_t i;

	if ((t->n + 1) * 2 > t->cap)
		table_grow(t);
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct slot *s = &t->slots[i];
		if (!s->key) {
			s->key = arena_str(m, key);
			s->hash = h;
			s->tag = tag;
			s->val = 0;
			s->aux = 0;
			t->n++;
			return s;
		}
		if (s->hash == h && s->tag == tag && strcmp(s->key, key) == 0)
			return s;
	}
}

/* ---- keys ---- */

/* Lower-case copy (products); NULL when it does not fit. */
static const char *lower_key(const char *s, char *buf, size_t len)
{
	size_t i;
	for (i = 0; s[i]; i++) {
		if (i + 1 >= len)
			return NULL;
		buf[i] = (char)tolower((unsigned char)s[i]);
	}
	buf[i] = '\0';
	return buf;
}

/* Upper-case copy (CVE ids are compared case-insensitively). */
static const char *upper_key(const char *s, char *buf, size_t len)
{
	size_t i;
	for (i = 0; s[i]; i++) {
		if (i + 1 >= len)
			return NULL;
		buf[i] = (char)toupper((unsigned char)s[i]);
	}
	buf[i] = '\0';
	return buf;
}

static int is_source_named(enum canh_ecosystem e)
{
	return e == CANH_ECO_DEBIAN || e == CANH_ECO_UBUNTU;
}

/*
 * A release in the one form both sides compare: Debian codename ("12" →
 * "bookworm"), Ubuntu up to ':' ("22.04:LTS"), rpm distributions the major
 * number (the first digit run of "9.3" or "enterprise_linux:9::appstream"),
 * Alpine major.minor ("v3.18" → "3.18"). NULL when empty.
 */
static const char *norm_release(enum canh_ecosystem eco, const char *rel, char *buf, size_t len)
{
	const char *p, *q;
	size_t n;

	if (!rel || !*rel || len == 0)
		return NULL;
	switch (eco) {
	case CANH_ECO_DEBIAN:
		if (isdigit((unsigned char)rel[0])) {
			char num[16];
			const char *name;
			for (n = 0; isdigit((unsigned char)rel[n]) && n + 1 < sizeof(num); n++)
				num[n] = rel[n];
			num[n] = '\0';
			if ((name = canh_debian_codename(num)) != NULL) {
				canh_strlcpy(buf, name, len);
				return buf;
			}
		}
		if (!lower_key(rel, buf, len))
			canh_strlcpy(buf, rel, len);
		return buf;
	case CANH_ECO_UBUNTU:
		p = strchr(rel, ':');
		n = p ? (size_t)(p - rel) : strlen(rel);
		break;
	case CANH_ECO_REDHAT:
	case CANH_ECO_ALMALINUX:
	case CANH_ECO_ROCKY:
		for (p = rel; *p && !isdigit((unsigned char)*p); p++)
			;
		if (!*p)
			break;
		for (q = p; isdigit((unsigned char)*q); q++)
			;
		rel = p;
		n = (size_t)(q - p);
		goto copy;
	case CANH_ECO_ALPINE:
		if (*rel == 'v')
			rel++;
		p = strchr(rel, '.');
		q = p ? strchr(p + 1, '.') : NULL;
		n = q ? (size_t)(q - rel) : strlen(rel);
		goto copy;
	default:
		break;
	}
	n = strlen(rel);
copy:
	if (n >= len)
		n = len - 1;
	memcpy(buf, rel, n);
	buf[n] = '\0';
	return n ? buf : NULL;
}

enum canh_ecosystem canh_vulnmatch_ecosystem(const char *os_id)
{
	static const struct {
		const char *id;
		enum canh_ecosystem eco;
	} map[] = {
	    {"debian", CANH_ECO_DEBIAN}, {"raspbian", CANH_ECO_DEBIAN},
	    {"ubuntu", CANH_ECO_UBUNTU}, {"rhel", CANH_ECO_REDHAT},
	    {"centos", CANH_ECO_REDHAT}, {"almalinux", CANH_ECO_ALMALINUX},
	    {"rocky", CANH_ECO_ROCKY},	 {"alpine", CANH_ECO_ALPINE},
	};
	if (!os_id)
		return CANH_ECO_UNKNOWN;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(os_id, map[i].id) == 0)
			return map[i].eco;
	return CANH_ECO_UNKNOWN;
}

const char *canh_vuln_status_name(enum canh_vuln_status s)
{
	return s == CANH_VULN_UNDETERMINED ? "undetermined" : "affected";
}

/* ---- building ---- */

struct canh_vulnmatch *canh_vulnmatch_new(const struct canh_vulnmatch_opts *o)
{
	struct canh_vulnmatch *m = canh_xcalloc(1, sizeof(*m));
	char buf[64];

	if (o)
		m->opts = *o;
	m->opts.release = NULL;
	if (o && o->release && norm_release(o->ecosystem, o->release, buf, sizeof(buf)))
		canh_strlcpy(m->release, buf, sizeof(m->release));
	return m;
}

void canh_vulnmatch_free(struct canh_vulnmatch *m)
{
	struct chunk *c, *n;

	if (!m)
		return;
	for (c = m->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	free(m->index.slots);
	free(m->kevs.slots);
	free(m->lcves.slots);
	free(m->lprods.slots);
	free(m->want.slots);
	free(m->interned.slots);
	free(m->entries);
	free(m->kev);
	free(m->lrefs);
	free(m);
}

void canh_vulnmatch_want(struct canh_vulnmatch *m, const char *name)
{
	if (name && *name)
		table_get(m, &m->want, TAG_WANT, name)->val = 1;
}

void canh_vulnmatch_stats(const struct canh_vulnmatch *m, struct canh_vulnmatch_stats *st)
{
	*st = m->st;
	st->bytes = m->bytes;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	if (need <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = canh_xrealloc(p, ncap * size);
	*cap = ncap;
	return p;
}

static const char **copy_strv(struct canh_vulnmatch *m, const char *const *v, size_t n)
{
	const char **d;
	if (!n)
		return NULL;
	d = arena_alloc(m, n * sizeof(*d));
	for (size_t i = 0; i < n; i++)
		d[i] = arena_str(m, v[i]);
	return d;
}

static struct adv *make_adv(struct canh_vulnmatch *m, const struct canh_advisory *a)
{
	struct adv *d = arena_alloc(m, sizeof(*d));
	const char *cve = canh_advisory_cve(a);

	memset(d, 0, sizeof(*d));
	d->id = arena_str(m, a->id ? a->id : "");
	d->cve = cve ? arena_str(m, cve) : NULL;
	d->summary = arena_str(m, a->summary);
	d->source = a->source;
	d->severity = a->severity;
	if (a->source == CANH_ADV_FORMAT_LETTER) {
		/* A letter's CVEs stand as its aliases: what the finding is about. */
		d->aliases = copy_strv(m, a->cves, a->n_cves);
		d->n_aliases = a->n_cves;
		if (!d->cve && a->n_cves)
			d->cve = d->aliases[0];
	} else {
		d->aliases = copy_strv(m, a->aliases, a->n_aliases);
		d->n_aliases = a->n_aliases;
	}
	return d;
}

/* One copy of each of the few distinct values (releases, urgencies, vendors). */
static const char *intern(struct canh_vulnmatch *m, const char *v)
{
	return v ? table_get(m, &m->interned, TAG_INTERN, v)->key : NULL;
}

/* Only "introduced 0" and at most "fixed <fixed_version>": the fixed version says it all. */
static int simple_range(const struct canh_affected *s)
{
	const struct canh_range *r = s->ranges;

	if (s->n_versions || s->n_ranges != 1 || r->type == CANH_RANGE_GIT || r->n_events < 1 ||
	    r->n_events > 2 || r->events[0].kind != CANH_EV_INTRODUCED ||
	    strcmp(r->events[0].version, "0") != 0)
		return 0;
	if (r->n_events == 1)
		return 1;
	return r->events[1].kind == CANH_EV_FIXED && s->fixed_version &&
	       strcmp(r->events[1].version, s->fixed_version) == 0;
}

static void copy_affected(struct canh_vulnmatch *m, struct canh_affected *d,
			  const struct canh_affected *s, const char *release, const char *package)
{
	memset(d, 0, sizeof(*d));
	d->ecosystem = s->ecosystem;
	d->release = intern(m, release);
	d->package = package;
	d->vendor = intern(m, s->vendor);
	d->source_package = s->source_package;
	d->order = s->order;
	d->status = s->status;
	d->fixed_version = arena_str(m, s->fixed_version);
	d->severity = s->severity;
	d->urgency = intern(m, s->urgency);
	if (s->n_ranges && !simple_range(s)) {
		d->ranges = arena_alloc(m, s->n_ranges * sizeof(*d->ranges));
		d->n_ranges = s->n_ranges;
		for (size_t i = 0; i < s->n_ranges; i++) {
			const struct canh_range *r = &s->ranges[i];
			struct canh_range *dr = &d->ranges[i];
			memset(dr, 0, sizeof(*dr));
			dr->type = r->type;
			dr->n_events = r->n_events;
			if (r->n_events)
				dr->events = arena_alloc(m, r->n_events * sizeof(*dr->events));
			for (size_t k = 0; k < r->n_events; k++) {
				dr->events[k].kind = r->events[k].kind;
				dr->events[k].version = arena_str(m, r->events[k].version);
			}
		}
	}
	d->versions = copy_strv(m, s->versions, s->n_versions);
	d->n_versions = s->n_versions;
}

static void add_lref(struct canh_vulnmatch *m, struct table *t, uint32_t tag, const char *key,
		     const struct canh_vuln_letter *l)
{
	struct slot *s;

	if (m->n_lrefs >= CANH_VULNMATCH_MAX_ENTRIES)
		return; /* chains are indexed by 32 bits; far past any real letter set */
	s = table_get(m, t, tag, key);
	m->lrefs = grow(m->lrefs, &m->cap_lrefs, m->n_lrefs + 1, sizeof(*m->lrefs));
	m->lrefs[m->n_lrefs].letter = l;
	m->lrefs[m->n_lrefs].next = 0;
	m->n_lrefs++;
	if (s->aux)
		m->lrefs[s->aux - 1].next = (uint32_t)m->n_lrefs;
	else
		s->val = (uint32_t)m->n_lrefs;
	s->aux = (uint32_t)m->n_lrefs;
}

static void add_kev(struct canh_vulnmatch *m, const struct canh_advisory *a)
{
	const char *cve = canh_advisory_cve(a);
	char kbuf[64];
	struct slot *s;
	struct kev *k;

	if (!cve)
		cve = a->id;
	if (!cve || !upper_key(cve, kbuf, sizeof(kbuf)) || m->n_kev >= CANH_VULNMATCH_MAX_ENTRIES)
		return;
	s = table_get(m, &m->kevs, TAG_KEV, kbuf);
	if (!s->val) {
		m->kev = grow(m->kev, &m->cap_kev, m->n_kev + 1, sizeof(*m->kev));
		s->val = (uint32_t)++m->n_kev;
		m->st.kev++;
	}
	k = &m->kev[s->val - 1];
	k->due = arena_str(m, a->kev.due_date);
	k->added = arena_str(m, a->kev.date_added);
	k->due_ms = a->kev.due_date_ms;
}

static const struct canh_vuln_letter *add_letter(struct canh_vulnmatch *m,
						 const struct canh_advisory *a)
{
	struct canh_vuln_letter *l = arena_alloc(m, sizeof(*l));
	char kbuf[64];

	l->number = arena_str(m, a->letter.number ? a->letter.number : a->id);
	l->date = arena_str(m, a->letter.date);
	l->deadline = arena_str(m, a->letter.deadline);
	l->deadline_ms = a->letter.deadline_ms;
	l->title = arena_str(m, a->summary);
	for (size_t i = 0; i < a->n_cves; i++)
		if (a->cves[i] && upper_key(a->cves[i], kbuf, sizeof(kbuf)))
			add_lref(m, &m->lcves, TAG_LETTER_CVE, kbuf, l);
	m->st.letters++;
	return l;
}

static int keep_entry(const struct canh_vulnmatch *m, const struct canh_affected *af,
		      const char *release)
{
	if (af->status == CANH_AFF_NOT_AFFECTED || !af->package || !*af->package)
		return 0;
	if (af->ecosystem == CANH_ECO_SOFTWARE)
		return 1;
	if (m->opts.ecosystem != CANH_ECO_UNKNOWN && af->ecosystem != m->opts.ecosystem)
		return 0;
	if (m->release[0] && release && strcmp(release, m->release) != 0)
		return 0;
	if (m->opts.filter_names && !table_find(&m->want, TAG_WANT, af->package))
		return 0;
	return 1;
}

int canh_vulnmatch_add(struct canh_vulnmatch *m, const struct canh_advisory *a)
{
	const struct canh_vuln_letter *letter = NULL;
	struct adv *adv = NULL;

	if (a->source == CANH_ADV_FORMAT_KEV) {
		add_kev(m, a);
		return 0;
	}
	if (m->bytes > CANH_VULNMATCH_MAX_BYTES)
		return CANH_ETOOBIG;
	if (a->source == CANH_ADV_FORMAT_LETTER)
		letter = add_letter(m, a);
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		char rbuf[64], kbuf[NAME_MAX_KEY];
		const char *rel = norm_release(af->ecosystem, af->release, rbuf, sizeof(rbuf));
		const char *key = af->package;
		struct entry *e;
		struct slot *s;

		if (!keep_entry(m, af, rel)) {
			m->st.dropped++;
			continue;
		}
		if (af->ecosystem == CANH_ECO_SOFTWARE) {
			if (!(key = lower_key(af->package, kbuf, sizeof(kbuf)))) {
				m->st.dropped++;
				continue;
			}
			if (letter)
				add_lref(m, &m->lprods, TAG_LETTER_PRODUCT, key, letter);
		}
		if (m->n_entries >= CANH_VULNMATCH_MAX_ENTRIES)
			return CANH_ETOOBIG;
		if (!adv) {
			adv = make_adv(m, a);
			adv->letter = letter;
			m->st.advisories++;
		}
		m->entries =
		    grow(m->entries, &m->cap_entries, m->n_entries + 1, sizeof(*m->entries));
		e = &m->entries[m->n_entries];
		e->adv = adv;
		s = table_get(m, &m->index, (uint32_t)af->ecosystem, key);
		copy_affected(m, &e->af, af, rel, s->key);
		e->next = 0;
		m->n_entries++;
		if (s->aux)
			m->entries[s->aux - 1].next = (uint32_t)m->n_entries;
		else
			s->val = (uint32_t)m->n_entries;
		s->aux = (uint32_t)m->n_entries;
		m->st.entries++;
	}
	return 0;
}

int canh_vulnmatch_sink(void *ctx, const struct canh_advisory *a)
{
	return canh_vulnmatch_add(ctx, a);
}

/* ---- matching ---- */

static int order_cmp(enum canh_verorder o, const char *a, const char *b)
{
	switch (o) {
	case CANH_VERORDER_DPKG:
	case CANH_VERORDER_APK:
		return canh_vercmp_dpkg(a, b);
	case CANH_VERORDER_RPM:
		return canh_vercmp_rpm_evr(a, b);
	default:
		return canh_version_cmp_generic(a, b);
	}
}

/* 1 when `version` is affected by the entry (AFFECTED or FIXED status). */
static int entry_affects(const struct canh_affected *af, const char *version)
{
	/* The common case, a Debian fix: introduced 0, fixed V. */
	if (af->n_versions == 0 && af->n_ranges <= 1) {
		const struct canh_range *r = af->n_ranges ? &af->ranges[0] : NULL;
		if (!r || (r->type != CANH_RANGE_GIT && r->n_events == 1 &&
			   r->events[0].kind == CANH_EV_INTRODUCED &&
			   strcmp(r->events[0].version, "0") == 0)) {
			if (af->fixed_version)
				return order_cmp(af->order, version, af->fixed_version) < 0;
			return 1; /* open: every version */
		}
		if (r->type != CANH_RANGE_GIT && r->n_events == 2 &&
		    r->events[0].kind == CANH_EV_INTRODUCED &&
		    strcmp(r->events[0].version, "0") == 0 && r->events[1].kind == CANH_EV_FIXED)
			return order_cmp(af->order, version, r->events[1].version) < 0;
	}
	return canh_affected_contains(af, version,
				      af->order == CANH_VERORDER_RPM ? canh_vercmp_rpm_evr
				      : af->order == CANH_VERORDER_DPKG ||
					      af->order == CANH_VERORDER_APK
					  ? canh_vercmp_dpkg
					  : canh_version_cmp_generic) == 1;
}

struct ctx {
	const struct canh_vulnmatch *m;
	const char *release; /* the host's, normalised; NULL = any */
	canh_vuln_finding_fn fn;
	void *fctx;
};

static const struct kev *find_kev(const struct canh_vulnmatch *m, const char *cve)
{
	char kbuf[64];
	const struct slot *s;

	if (!cve || !m->n_kev || !upper_key(cve, kbuf, sizeof(kbuf)))
		return NULL;
	s = table_find(&m->kevs, TAG_KEV, kbuf);
	return s ? &m->kev[s->val - 1] : NULL;
}

static void push_letters(const struct canh_vulnmatch *m, const struct table *t, uint32_t tag,
			 const char *key, const struct canh_vuln_letter **out, size_t *n)
{
	const struct slot *s = t->cap ? table_find(t, tag, key) : NULL;

	for (uint32_t r = s ? s->val : 0; r; r = m->lrefs[r - 1].next) {
		const struct canh_vuln_letter *l = m->lrefs[r - 1].letter;
		size_t k;
		for (k = 0; k < *n && out[k] != l; k++)
			;
		if (k == *n && *n < MAX_LETTERS_PER_FINDING)
			out[(*n)++] = l;
	}
}

static int report(struct ctx *c, const struct entry *e, const char *package,
		  const char *source_package, const char *installed, int software,
		  const char *product_key)
{
	const struct canh_vulnmatch *m = c->m;
	const struct canh_vuln_letter *letters[MAX_LETTERS_PER_FINDING];
	struct canh_vuln_finding f;
	const struct kev *k = NULL;
	char kbuf[64];
	size_t nl = 0;

	memset(&f, 0, sizeof(f));
	f.advisory_id = e->adv->id;
	f.source = e->adv->source;
	f.cve = e->adv->cve;
	f.aliases = e->adv->aliases;
	f.n_aliases = e->adv->n_aliases;
	f.summary = e->adv->summary;
	f.software = software;
	f.package = package;
	f.source_package = source_package;
	f.installed = installed;
	f.release = e->af.release;
	f.urgency = e->af.urgency;
	f.severity = e->af.severity != CANH_SEV_UNKNOWN ? e->af.severity : e->adv->severity;
	if (e->af.status == CANH_AFF_UNDETERMINED) {
		f.status = CANH_VULN_UNDETERMINED;
	} else {
		f.status = CANH_VULN_AFFECTED;
		f.fixed = e->af.fixed_version;
	}
	/* KEV: the CVE, or for a letter the first of its CVEs that is listed. */
	k = find_kev(m, f.cve);
	for (size_t i = 0; !k && e->adv->source == CANH_ADV_FORMAT_LETTER && i < f.n_aliases; i++)
		k = find_kev(m, f.aliases[i]);
	if (k) {
		f.kev = 1;
		f.kev_due = k->due;
		f.kev_added = k->added;
		f.kev_due_ms = k->due_ms;
	}
	if (e->adv->letter)
		letters[nl++] = e->adv->letter;
	if (m->lcves.cap && f.cve && upper_key(f.cve, kbuf, sizeof(kbuf)))
		push_letters(m, &m->lcves, TAG_LETTER_CVE, kbuf, letters, &nl);
	if (product_key)
		push_letters(m, &m->lprods, TAG_LETTER_PRODUCT, product_key, letters, &nl);
	f.letters = letters;
	f.n_letters = nl;
	return c->fn(c->fctx, &f);
}

static int release_ok(const struct ctx *c, const struct canh_affected *af)
{
	return !af->release || !c->release || strcmp(af->release, c->release) == 0;
}

/* Every entry under (eco, key) against one version. */
static int match_chain(struct ctx *c, enum canh_ecosystem eco, const char *key, const char *package,
		       const char *source_package, const char *version, int software)
{
	const struct slot *s = table_find(&c->m->index, (uint32_t)eco, key);
	int rc;

	for (uint32_t r = s ? s->val : 0; r; r = c->m->entries[r - 1].next) {
		const struct entry *e = &c->m->entries[r - 1];
		if (!release_ok(c, &e->af))
			continue;
		if (e->af.status != CANH_AFF_UNDETERMINED && !entry_affects(&e->af, version))
			continue;
		if ((rc = report(c, e, package, source_package, version, software,
				 software ? key : NULL)) != 0)
			return rc;
	}
	return 0;
}

static int nonempty(const char *s)
{
	return s && *s;
}

static int match_pkg(struct ctx *c, enum canh_ecosystem eco, const struct canh_vuln_pkg *p)
{
	if (is_source_named(eco)) {
		const char *src = nonempty(p->source) ? p->source : p->name;
		const char *sv = nonempty(p->source_version) ? p->source_version : p->version;
		return match_chain(c, eco, src, p->name, strcmp(src, p->name) != 0 ? src : NULL, sv,
				   0);
	}
	return match_chain(c, eco, p->name, p->name, NULL, p->version, 0);
}

int canh_vulnmatch_host(const struct canh_vulnmatch *m, const struct canh_vuln_host *h,
			const struct canh_vuln_pkg *pkgs, size_t n_pkgs,
			const struct canh_vuln_software *sw, size_t n_sw, canh_vuln_finding_fn fn,
			void *fctx)
{
	static const enum canh_ecosystem dpkg_any[] = {CANH_ECO_DEBIAN};
	static const enum canh_ecosystem rpm_any[] = {CANH_ECO_REDHAT, CANH_ECO_ALMALINUX,
						      CANH_ECO_ROCKY};
	enum canh_ecosystem host_eco = h ? h->ecosystem : CANH_ECO_UNKNOWN;
	char rbuf[64], kbuf[NAME_MAX_KEY];
	struct ctx c = {m, NULL, fn, fctx};
	int rc;

	c.release = norm_release(host_eco, h ? h->release : NULL, rbuf, sizeof(rbuf));
	if (m->index.n == 0)
		return 0;
	for (size_t i = 0; i < n_pkgs; i++) {
		const struct canh_vuln_pkg *p = &pkgs[i];
		int rpm = p->manager && strcmp(p->manager, "rpm") == 0;
		if (!nonempty(p->name) || !nonempty(p->version))
			continue;
		if (host_eco != CANH_ECO_UNKNOWN) {
			if ((rc = match_pkg(&c, host_eco, p)) != 0)
				return rc;
			continue;
		}
		/* Unknown distribution: every ecosystem of the package manager's family. */
		const enum canh_ecosystem *list = rpm ? rpm_any : dpkg_any;
		size_t n = rpm ? sizeof(rpm_any) / sizeof(rpm_any[0])
			       : sizeof(dpkg_any) / sizeof(dpkg_any[0]);
		for (size_t k = 0; k < n; k++)
			if ((rc = match_pkg(&c, list[k], p)) != 0)
				return rc;
	}
	for (size_t i = 0; i < n_sw; i++) {
		const char *key;
		if (!nonempty(sw[i].name) || !nonempty(sw[i].version) ||
		    !(key = lower_key(sw[i].name, kbuf, sizeof(kbuf))))
			continue;
		if ((rc = match_chain(&c, CANH_ECO_SOFTWARE, key, sw[i].name, NULL, sw[i].version,
				      1)) != 0)
			return rc;
	}
	return 0;
}

/* ---- loading files: the Debian tracker's fast path ---- */

/*
 * The top-level walk reads the file 64 bytes at a time as bit masks (one bit
 * per byte: quotes, backslashes, brackets), the way simdjson finds a
 * document's structure: escaped quotes are dropped, the bytes inside strings
 * follow from a running XOR of the quote bits, and only the brackets outside
 * strings are visited one by one to follow the nesting depth. The members of
 * the top-level object are the depth-2 objects; their keys are found by
 * looking back from each '{' over `"key" :`.
 */
struct masks {
	uint64_t quote, backslash, open, close;
};

#if defined(__SSE2__)
#include <emmintrin.h>

/* 16 bits, one per byte of x equal to one of c1, c2. */
static inline uint64_t eq2(__m128i x, __m128i c1, __m128i c2)
{
	return (uint16_t)_mm_movemask_epi8(
	    _mm_or_si128(_mm_cmpeq_epi8(x, c1), _mm_cmpeq_epi8(x, c2)));
}

static void block_masks(const char *p, struct masks *mk)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i ob = _mm_set1_epi8('{'), os = _mm_set1_epi8('[');
	const __m128i cb = _mm_set1_epi8('}'), cs = _mm_set1_epi8(']');
	__m128i x[4];

	for (int k = 0; k < 4; k++)
		x[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
	mk->quote =
	    eq2(x[0], q, q) | eq2(x[1], q, q) << 16 | eq2(x[2], q, q) << 32 | eq2(x[3], q, q) << 48;
	mk->backslash = eq2(x[0], bs, bs) | eq2(x[1], bs, bs) << 16 | eq2(x[2], bs, bs) << 32 |
			eq2(x[3], bs, bs) << 48;
	mk->open = eq2(x[0], ob, os) | eq2(x[1], ob, os) << 16 | eq2(x[2], ob, os) << 32 |
		   eq2(x[3], ob, os) << 48;
	mk->close = eq2(x[0], cb, cs) | eq2(x[1], cb, cs) << 16 | eq2(x[2], cb, cs) << 32 |
		    eq2(x[3], cb, cs) << 48;
}
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

/* The same with 32-byte vectors, for CPUs that have AVX2 (chosen at run time). */
__attribute__((target("avx2"))) static inline uint64_t eq2_avx2(__m256i x, __m256i c1, __m256i c2)
{
	return (uint32_t)_mm256_movemask_epi8(
	    _mm256_or_si256(_mm256_cmpeq_epi8(x, c1), _mm256_cmpeq_epi8(x, c2)));
}

__attribute__((target("avx2"))) static inline void block_masks_avx2(const char *p, struct masks *mk)
{
	const __m256i q = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\');
	const __m256i ob = _mm256_set1_epi8('{'), os = _mm256_set1_epi8('[');
	const __m256i cb = _mm256_set1_epi8('}'), cs = _mm256_set1_epi8(']');
	__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

	mk->quote = eq2_avx2(lo, q, q) | eq2_avx2(hi, q, q) << 32;
	mk->backslash = eq2_avx2(lo, bs, bs) | eq2_avx2(hi, bs, bs) << 32;
	mk->open = eq2_avx2(lo, ob, os) | eq2_avx2(hi, ob, os) << 32;
	mk->close = eq2_avx2(lo, cb, cs) | eq2_avx2(hi, cb, cs) << 32;
}
#endif
#else
static void block_masks(const char *p, struct masks *mk)
{
	memset(mk, 0, sizeof(*mk));
	for (int i = 0; i < 64; i++) {
		uint64_t bit = (uint64_t)1 << i;
		switch (p[i]) {
		case '"':
			mk->quote |= bit;
			break;
		case '\\':
			mk->backslash |= bit;
			break;
		case '{':
		case '[':
			mk->open |= bit;
			break;
		case '}':
		case ']':
			mk->close |= bit;
			break;
		default:
			break;
		}
	}
}
#endif

/* Bits of the characters escaped by a backslash; *carry: the next block's first is. */
static uint64_t escaped_bits(uint64_t bs, int *carry)
{
	uint64_t esc = 0;

	if (*carry) {
		esc |= 1;
		bs &= ~(uint64_t)1;
		*carry = 0;
	}
	while (bs) {
		unsigned i = (unsigned)__builtin_ctzll(bs);
		bs &= bs - 1;
		if (i == 63) {
			*carry = 1;
			break;
		}
		esc |= (uint64_t)1 << (i + 1);
		bs &= ~((uint64_t)1 << (i + 1));
	}
	return esc;
}

static uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* Bits set in x (without the popcnt instruction, which x86-64's baseline lacks). */
static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Only blanks in [p, e), with exactly `commas` commas among them. */
static int only_ws(const char *p, const char *e, int commas)
{
	for (; p < e; p++) {
		if (*p == ',' && commas-- > 0)
			continue;
		if (!is_ws(*p))
			return 0;
	}
	return commas == 0;
}

struct slice {
	size_t key, key_len, val, val_len;
};

struct walk {
	const struct canh_vulnmatch *m;
	const char *base;
	size_t prev_end; /* end of the previous member, or just after the document's '{' */
	int members;
	struct slice *out;
	size_t n, cap, *skipped;
};

/*
 * The key of the member whose value opens at base[vpos]: back over `"key" :`
 * (blanks allowed), the opening quote searched down to base[lo]. -1 when the
 * bytes are not shaped so, or when the quote found is escaped (the key holds
 * a quote: not one of ours).
 */
static int key_at(const char *base, size_t lo, size_t vpos, const char **ko, size_t *kn)
{
	const char *p = base + vpos, *l = base + lo, *kc, *o;

	while (p > l && is_ws(p[-1]))
		p--;
	if (p <= l || p[-1] != ':')
		return -1;
	p--;
	while (p > l && is_ws(p[-1]))
		p--;
	if (p <= l || p[-1] != '"')
		return -1;
	kc = p - 1;
	o = kc > l ? memrchr(l, '"', (size_t)(kc - l)) : NULL;
	if (!o || (o > base && o[-1] == '\\'))
		return -1;
	*ko = o;
	*kn = (size_t)(kc - o - 1);
	return 0;
}

/* One member whose value spans [vs, ve): find its key, keep it when wanted. */
static int member(struct walk *w, size_t vs, size_t ve, size_t records)
{
	const char *b = w->base, *ko;
	char key[NAME_MAX_KEY];
	size_t kn;
	int want;

	if (key_at(b, w->prev_end, vs, &ko, &kn) != 0 ||
	    !only_ws(b + w->prev_end, ko, w->members ? 1 : 0))
		return -1;
	/* Escaped or over-long names go to the parser, which judges them. */
	want = kn >= sizeof(key) || memchr(ko + 1, '\\', kn) != NULL;
	if (!want) {
		memcpy(key, ko + 1, kn);
		key[kn] = '\0';
		want = table_find(&w->m->want, TAG_WANT, key) != NULL;
	}
	if (want) {
		w->out = grow(w->out, &w->cap, w->n + 1, sizeof(*w->out));
		w->out[w->n].key = (size_t)(ko - b);
		w->out[w->n].key_len = kn + 2;
		w->out[w->n].val = vs;
		w->out[w->n].val_len = ve - vs;
		w->n++;
	} else {
		*w->skipped += records;
	}
	w->members++;
	w->prev_end = ve;
	return 0;
}

/*
 * Visit each bracket outside strings in base[start, end), with the depth
 * after it: fn(ctx, pos, c, depth) returns 0 to go on. Blocks that cannot
 * bring the depth below `deep` are only counted, not visited. Returns 0 when
 * the range ends outside any string at depth 0 and every fn returned 0,
 * else -1.
 */
typedef int (*bracket_fn)(void *ctx, size_t pos, char c, size_t depth);

/* The walker, once per way of computing the masks. */
#define WALK_BRACKETS(NAME, ATTR, MASKS)                                                           \
	ATTR static int NAME(const char *base, size_t start, size_t end, size_t deep,              \
			     bracket_fn fn, void *ctx)                                             \
	{                                                                                          \
		size_t depth = 0;                                                                  \
		int esc_carry = 0;                                                                 \
		uint64_t in_str = 0; /* all ones when the last block ended inside a string */      \
		char tail[64];                                                                     \
                                                                                                   \
		for (size_t off = start; off < end; off += 64) {                                   \
			const char *p = base + off;                                                \
			struct masks mk;                                                           \
			uint64_t esc, str, s;                                                      \
                                                                                                   \
			if (end - off < 64) {                                                      \
				memset(tail, ' ', sizeof(tail));                                   \
				memcpy(tail, p, end - off);                                        \
				p = tail;                                                          \
			}                                                                          \
			MASKS(p, &mk);                                                             \
			esc = (mk.backslash || esc_carry) ? escaped_bits(mk.backslash, &esc_carry) \
							  : 0;                                     \
			str = prefix_xor(mk.quote & ~esc) ^ in_str;                                \
			in_str = (uint64_t)0 - (str >> 63);                                        \
			mk.open &= ~str;                                                           \
			mk.close &= ~str;                                                          \
			if (depth >= deep + popcount64(mk.close)) {                                \
				depth += popcount64(mk.open);                                      \
				depth -= popcount64(mk.close);                                     \
				continue;                                                          \
			}                                                                          \
			for (s = mk.open | mk.close; s; s &= s - 1) {                              \
				size_t pos = off + (size_t)__builtin_ctzll(s);                     \
				char c = base[pos];                                                \
				if (c == '{' || c == '[')                                          \
					depth++;                                                   \
				else if (depth-- == 0)                                             \
					return -1;                                                 \
				if (fn(ctx, pos, c, depth) != 0)                                   \
					return -1;                                                 \
			}                                                                          \
		}                                                                                  \
		return depth == 0 && !in_str && !esc_carry ? 0 : -1;                               \
	}

WALK_BRACKETS(walk_brackets_base, , block_masks)
#ifdef HAVE_AVX2_PATH
WALK_BRACKETS(walk_brackets_avx2, __attribute__((target("avx2"))), block_masks_avx2)
#endif

static int walk_brackets(const char *base, size_t start, size_t end, size_t deep, bracket_fn fn,
			 void *ctx)
{
#ifdef HAVE_AVX2_PATH
	/* libgcc fills the CPU model at start-up: a read, safe from any thread. */
	if (__builtin_cpu_supports("avx2"))
		return walk_brackets_avx2(base, start, end, deep, fn, ctx);
#endif
	return walk_brackets_base(base, start, end, deep, fn, ctx);
}

struct scan {
	struct walk w;
	size_t vs, records, doc_end;
	int docs;
};

static int scan_event(void *ctx, size_t pos, char c, size_t depth)
{
	struct scan *sc = ctx;
	int open = c == '{' || c == '[';

	if (open && depth == 1) {
		/* The document: one object, only blanks before it. */
		if (c != '{' || sc->docs++ || !only_ws(sc->w.base, sc->w.base + pos, 0))
			return -1;
		sc->w.prev_end = pos + 1;
	} else if (open && depth == 2) {
		if (c != '{')
			return -1;
		sc->vs = pos;
		sc->records = 0;
	} else if (open && depth == 3 && c == '{') {
		sc->records++;
	} else if (!open && depth == 1) {
		return member(&sc->w, sc->vs, pos + 1, sc->records);
	} else if (!open && depth == 0) {
		sc->doc_end = pos + 1;
	}
	return 0;
}

/*
 * Walk the top-level object: the wanted packages' slices into *out. 0 when
 * the walk went through; -1 when anything looks wrong (the caller then lets
 * the real parser say what).
 */
static int scan_tracker(const struct canh_vulnmatch *m, const char *base, size_t len,
			struct slice **out, size_t *n, size_t *skipped)
{
	struct scan sc = {{m, base, 0, 0, NULL, 0, 0, skipped}, 0, 0, 0, 0};
	int rc = -1;

	*out = NULL;
	*n = 0;
	/* Nothing but blanks after the document, nor before its closing brace. */
	if (walk_brackets(base, 0, len, 3, scan_event, &sc) == 0 && sc.docs == 1 &&
	    only_ws(base + sc.doc_end, base + len, 0) &&
	    only_ws(base + sc.w.prev_end, base + sc.doc_end - 1, 0))
		rc = 0;
	if (rc == 0) {
		*out = sc.w.out;
		*n = sc.w.n;
	} else {
		free(sc.w.out);
	}
	return rc;
}

/*
 * One package's value with every release but `release` left out of each
 * record's "releases" object, appended to out: the parser then reads only
 * what it keeps. Levels inside the value: 1 the value, 2 a record, 3 its
 * "releases", 4 one release. -1 when the value is not shaped as expected;
 * the caller then hands it over as it is.
 */
struct rfilter {
	const char *base, *release;
	size_t rlen, vs, cursor;
	struct canh_buf *out;
	int in_rel, kept, members, mkeep;
	size_t rel_lo;	  /* where the next release member may start */
	const char *mkey; /* the current release member's key */
	/* Its "repositories" member, which the parser skips anyway: left out too. */
	const char *rep_key, *rep_end;
};

/* Append the release member [from, to) without its "repositories" member, if it had one. */
static void put_release(struct rfilter *f, const char *from, const char *to)
{
	const char *r0 = f->rep_key, *r1 = f->rep_end, *q, *p;

	if (!r0 || !r1) {
		canh_buf_append(f->out, from, (size_t)(to - from));
		return;
	}
	for (q = r1; q < to && is_ws(*q); q++)
		;
	if (q < to && *q == ',') {
		r1 = q + 1; /* and the comma after it */
	} else {
		for (p = r0; p > from && is_ws(p[-1]); p--)
			;
		if (p > from && p[-1] == ',')
			r0 = p - 1; /* the last member: the comma before it */
	}
	canh_buf_append(f->out, from, (size_t)(r0 - from));
	canh_buf_append(f->out, r1, (size_t)(to - r1));
}

static int filter_event(void *ctx, size_t pos, char c, size_t depth)
{
	struct rfilter *f = ctx;
	int open = c == '{' || c == '[';
	size_t level = open ? depth : depth + 1;
	const char *b = f->base, *ko;
	size_t kn;

	if (!f->in_rel && open && level == 3 && c == '{') {
		if (key_at(b, f->vs, pos, &ko, &kn) == 0 && kn == 8 &&
		    memcmp(ko + 1, "releases", 8) == 0) {
			canh_buf_append(f->out, b + f->cursor, pos + 1 - f->cursor);
			f->in_rel = 1;
			f->kept = 0;
			f->members = 0;
			f->rel_lo = pos + 1;
		}
	} else if (f->in_rel && open && level == 4) {
		if (c != '{' || key_at(b, f->rel_lo, pos, &ko, &kn) != 0 ||
		    !only_ws(b + f->rel_lo, ko, f->members ? 1 : 0))
			return -1;
		f->mkey = ko;
		f->mkeep = kn == f->rlen && memcmp(ko + 1, f->release, kn) == 0;
		f->rep_key = f->rep_end = NULL;
	} else if (f->in_rel && f->mkeep && open && level == 5) {
		if (c == '{' && !f->rep_key &&
		    key_at(b, (size_t)(f->mkey - b), pos, &ko, &kn) == 0 && kn == 12 &&
		    memcmp(ko + 1, "repositories", 12) == 0)
			f->rep_key = ko;
	} else if (f->in_rel && f->mkeep && !open && level == 5) {
		if (f->rep_key && !f->rep_end)
			f->rep_end = b + pos + 1;
	} else if (f->in_rel && !open && level == 4) {
		if (f->mkeep) {
			if (f->kept++)
				canh_buf_putc(f->out, ',');
			put_release(f, f->mkey, b + pos + 1);
		}
		f->members++;
		f->rel_lo = pos + 1;
	} else if (f->in_rel && !open && level == 3) {
		if (!only_ws(b + f->rel_lo, b + pos, 0))
			return -1;
		f->in_rel = 0;
		f->cursor = pos; /* the closing brace goes with the rest */
	}
	return 0;
}

/* '{' "key" ':' value '}' into out, the value filtered to one release when given. */
static void mini_doc(const char *base, const struct slice *sl, const char *release,
		     struct canh_buf *out)
{
	struct rfilter f = {
	    base, release, release ? strlen(release) : 0, sl->val, sl->val, out, 0, 0, 0, 0,
	    0,	  NULL};
	size_t start;

	canh_buf_reset(out);
	canh_buf_putc(out, '{');
	canh_buf_append(out, base + sl->key, sl->key_len);
	canh_buf_putc(out, ':');
	start = out->len;
	if (release &&
	    walk_brackets(base, sl->val, sl->val + sl->val_len, 5, filter_event, &f) == 0) {
		canh_buf_append(out, base + f.cursor, sl->val + sl->val_len - f.cursor);
	} else {
		out->len = start;
		canh_buf_append(out, base + sl->val, sl->val_len);
	}
	canh_buf_putc(out, '}');
}

static int count_only(void *ctx, const struct canh_advisory *a)
{
	(void)ctx;
	(void)a;
	return 0;
}

/*
 * The wanted packages' values read straight into the index: only the host's
 * release of each record (status, fixed_version, urgency) and the record's
 * description are kept, every other value is checked and skipped. The whole
 * value is read before anything is added; whatever this reader does not
 * expect (escaped keys or kept values, other shapes, anything the parser
 * would note as skipped or reject) returns -1 with nothing added, and the
 * caller hands the value to canh_advisory_parse_debian, so the index, the
 * counts and the errors stay those of the full parser.
 */
#define FR_MAX_STR (1u << 20)
#define FR_MAX_DEPTH 32
#define FR_MAX_AFF 16
#define FR_ONES 0x0101010101010101ull
#define FR_HIGHS 0x8080808080808080ull

struct fr_str {
	size_t off, len; /* the bytes between the quotes */
	int plain;	 /* no escape, only ASCII: usable as it is */
};

struct fr_aff {
	enum canh_affected_status status;
	struct fr_str fixed, urgency; /* len = SIZE_MAX: absent */
};

struct fr_rec {
	struct fr_str id, desc; /* desc.len = SIZE_MAX: none */
	size_t aff, n_aff;	/* into fr.affs */
};

struct fr {
	const char *b, *e;   /* the file; the value's end */
	const char *release; /* codename */
	size_t rlen;
	struct fr_rec *recs;
	size_t n_recs, cap_recs;
	struct fr_aff *affs;
	size_t n_affs, cap_affs;
};

static const char *fr_ws(const struct fr *f, const char *p)
{
	while (p < f->e && is_ws(*p))
		p++;
	return p;
}

/* A string at p (its opening quote): checked as the reader checks it; NULL when bad. */
static const char *fr_string(const struct fr *f, const char *p, struct fr_str *s)
{
	const unsigned char *q = (const unsigned char *)p + 1, *e = (const unsigned char *)f->e;
	int plain = 1;

	if (p >= f->e || *p != '"')
		return NULL;
	for (;;) {
		/* Eight plain bytes at a time: no quote, backslash, control byte or non-ASCII. */
		while (e - q >= 8) {
			uint64_t x, zq, zb;
			memcpy(&x, q, 8);
			zq = x ^ (FR_ONES * '"');
			zb = x ^ (FR_ONES * '\\');
			zq = (zq - FR_ONES) & ~zq;
			zb = (zb - FR_ONES) & ~zb;
			if ((zq | zb | (x - FR_ONES * 0x20) | x) & FR_HIGHS)
				break;
			q += 8;
		}
		while (q < e && *q != '"' && *q != '\\' && *q >= 0x20) {
			if (*q >= 0x80)
				plain = 0;
			q++;
		}
		if (q >= e || *q < 0x20)
			return NULL;
		if (*q == '"')
			break;
		plain = 0;
		if (e - q < 2)
			return NULL;
		if (q[1] == 'u') {
			if (e - q < 6 || !isxdigit(q[2]) || !isxdigit(q[3]) || !isxdigit(q[4]) ||
			    !isxdigit(q[5]))
				return NULL;
			q += 6;
		} else if (strchr("\"\\/bfnrt", q[1]) && q[1]) {
			q += 2;
		} else {
			return NULL;
		}
	}
	s->off = (size_t)(p + 1 - f->b);
	s->len = (size_t)((const char *)q - p - 1);
	s->plain = plain;
	return s->len > FR_MAX_STR ? NULL : (const char *)q + 1;
}

static int fr_is(const struct fr *f, const struct fr_str *s, const char *lit, size_t n)
{
	return s->plain && s->len == n && memcmp(f->b + s->off, lit, n) == 0;
}

static const char *fr_value(const struct fr *f, const char *p, int depth);

/* The members or elements of a container opened at p-1, up to its closing bracket. */
static const char *fr_container(const struct fr *f, const char *p, char close, int depth)
{
	struct fr_str k;

	p = fr_ws(f, p);
	if (p < f->e && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (!(p = fr_string(f, p, &k)))
				return NULL;
			p = fr_ws(f, p);
			if (p >= f->e || *p != ':')
				return NULL;
			p = fr_ws(f, p + 1);
		}
		if (!(p = fr_value(f, p, depth + 1)))
			return NULL;
		p = fr_ws(f, p);
		if (p >= f->e)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = fr_ws(f, p + 1);
	}
}

/* Any value at p, checked and skipped; NULL when bad. */
static const char *fr_value(const struct fr *f, const char *p, int depth)
{
	struct fr_str s;
	size_t left = (size_t)(f->e - p);

	if (p >= f->e || depth > FR_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{':
		return fr_container(f, p + 1, '}', depth);
	case '[':
		return fr_container(f, p + 1, ']', depth);
	case '"':
		return fr_string(f, p, &s);
	case 't':
		return left >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return left >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return left >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		break;
	}
	/* A number, as the reader's grammar has it. */
	if (*p == '-')
		p++;
	if (p >= f->e || !isdigit((unsigned char)*p))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (p < f->e && isdigit((unsigned char)*p))
			p++;
	if (p < f->e && *p == '.') {
		if (++p >= f->e || !isdigit((unsigned char)*p))
			return NULL;
		while (p < f->e && isdigit((unsigned char)*p))
			p++;
	}
	if (p < f->e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < f->e && (*p == '+' || *p == '-'))
			p++;
		if (p >= f->e || !isdigit((unsigned char)*p))
			return NULL;
		while (p < f->e && isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

/*
 * Walk an object at p: fn(f, key, p after the colon and blanks, ctx) returns
 * the end of the value or NULL. Keys must be plain. Returns the end of the
 * object or NULL.
 */
typedef const char *(*fr_member_fn)(struct fr *f, const struct fr_str *k, const char *p, void *ctx);

static const char *fr_object(struct fr *f, const char *p, fr_member_fn fn, void *ctx)
{
	struct fr_str k;

	if (p >= f->e || *p != '{')
		return NULL;
	p = fr_ws(f, p + 1);
	if (p < f->e && *p == '}')
		return p + 1;
	for (;;) {
		if (!(p = fr_string(f, p, &k)) || !k.plain)
			return NULL;
		p = fr_ws(f, p);
		if (p >= f->e || *p != ':')
			return NULL;
		if (!(p = fn(f, &k, fr_ws(f, p + 1), ctx)))
			return NULL;
		p = fr_ws(f, p);
		if (p >= f->e)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p != ',')
			return NULL;
		p = fr_ws(f, p + 1);
	}
}

struct fr_relctx {
	struct fr_str status, fixed, urgency; /* len SIZE_MAX: absent */
};

/* A member of the kept release's object. */
static const char *fr_release_member(struct fr *f, const struct fr_str *k, const char *p, void *ctx)
{
	struct fr_relctx *c = ctx;
	struct fr_str *dst = fr_is(f, k, "status", 6)		? &c->status
			     : fr_is(f, k, "fixed_version", 13) ? &c->fixed
			     : fr_is(f, k, "urgency", 7)	? &c->urgency
								: NULL;
	struct fr_str s;
	const char *q;

	if (dst && p < f->e && *p == '"') {
		if (!(q = fr_string(f, p, &s)) || !s.plain)
			return NULL;
		*dst = s;
		return q;
	}
	return fr_value(f, p, 3);
}

/* A member of a record's "releases". */
static const char *fr_releases_member(struct fr *f, const struct fr_str *k, const char *p,
				      void *ctx)
{
	struct fr_rec *r = ctx;
	struct fr_relctx c;
	struct fr_aff *a;
	const char *q, *fx;

	if (!fr_is(f, k, f->release, f->rlen))
		return fr_value(f, p, 3);
	c.status.len = c.fixed.len = c.urgency.len = SIZE_MAX;
	if (p >= f->e || *p != '{' || !(q = fr_object(f, p, fr_release_member, &c)) ||
	    c.status.len == SIZE_MAX || r->n_aff >= FR_MAX_AFF)
		return NULL;
	f->affs = grow(f->affs, &f->cap_affs, f->n_affs + 1, sizeof(*f->affs));
	a = &f->affs[f->n_affs];
	if (c.fixed.len == 0)
		c.fixed.len = SIZE_MAX; /* "" is no fixed version */
	fx = c.fixed.len == SIZE_MAX ? NULL : f->b + c.fixed.off;
	if (fr_is(f, &c.status, "resolved", 8)) {
		if (!fx)
			return NULL;
		a->status =
		    c.fixed.len == 1 && fx[0] == '0' ? CANH_AFF_NOT_AFFECTED : CANH_AFF_FIXED;
	} else if (fr_is(f, &c.status, "open", 4)) {
		a->status = CANH_AFF_AFFECTED;
	} else if (fr_is(f, &c.status, "undetermined", 12)) {
		a->status = CANH_AFF_UNDETERMINED;
	} else {
		return NULL;
	}
	a->fixed = c.fixed;
	a->urgency = c.urgency;
	f->n_affs++;
	r->n_aff++;
	return q;
}

/* A member of a record. */
static const char *fr_record_member(struct fr *f, const struct fr_str *k, const char *p, void *ctx)
{
	struct fr_rec *r = ctx;
	struct fr_str s;
	const char *q;

	if (fr_is(f, k, "releases", 8)) {
		if (p >= f->e || *p != '{')
			return NULL;
		return fr_object(f, p, fr_releases_member, r);
	}
	if (fr_is(f, k, "description", 11) && p < f->e && *p == '"') {
		if (!(q = fr_string(f, p, &s)) || !s.plain)
			return NULL;
		r->desc = s;
		return q;
	}
	if (fr_is(f, k, "scope", 5) && p < f->e && *p == '"') {
		/* The parser decodes it: only plain ones here. */
		if (!(q = fr_string(f, p, &s)) || !s.plain)
			return NULL;
		return q;
	}
	return fr_value(f, p, 2);
}

/* A member of the package's value: one record. */
static const char *fr_package_member(struct fr *f, const struct fr_str *k, const char *p, void *ctx)
{
	struct fr_rec *r;
	const char *q;

	(void)ctx;
	if (k->len == 0 || k->len >= 256 || p >= f->e || *p != '{')
		return NULL;
	f->recs = grow(f->recs, &f->cap_recs, f->n_recs + 1, sizeof(*f->recs));
	r = &f->recs[f->n_recs];
	r->id = *k;
	r->desc.len = SIZE_MAX;
	r->aff = f->n_affs;
	r->n_aff = 0;
	if (!(q = fr_object(f, p, fr_record_member, r)))
		return NULL;
	f->n_recs++;
	return q;
}

/* Add one read record to the index, as canh_advisory_parse_debian's advisory would be. */
static int fr_emit(struct canh_vulnmatch *m, const struct fr *f, const struct fr_rec *r,
		   const char *pkg, struct canh_advisory_stats *st, struct canh_buf *tmp)
{
	struct canh_affected af[FR_MAX_AFF];
	struct canh_range rg[FR_MAX_AFF];
	struct canh_range_event ev[FR_MAX_AFF][2];
	size_t fix_at[FR_MAX_AFF], urg_at[FR_MAX_AFF], desc_at = 0;
	const char *cves[1];
	struct canh_advisory a;

	canh_buf_reset(tmp);
	canh_buf_append(tmp, f->b + r->id.off, r->id.len);
	canh_buf_putc(tmp, '\0');
	if (r->desc.len != SIZE_MAX) {
		desc_at = tmp->len;
		canh_buf_append(tmp, f->b + r->desc.off, r->desc.len);
		canh_buf_putc(tmp, '\0');
	}
	for (size_t i = 0; i < r->n_aff; i++) {
		const struct fr_aff *x = &f->affs[r->aff + i];
		fix_at[i] = urg_at[i] = SIZE_MAX;
		if (x->fixed.len != SIZE_MAX) {
			fix_at[i] = tmp->len;
			canh_buf_append(tmp, f->b + x->fixed.off, x->fixed.len);
			canh_buf_putc(tmp, '\0');
		}
		if (x->urgency.len != SIZE_MAX) {
			urg_at[i] = tmp->len;
			canh_buf_append(tmp, f->b + x->urgency.off, x->urgency.len);
			canh_buf_putc(tmp, '\0');
		}
	}
	memset(&a, 0, sizeof(a));
	a.source = CANH_ADV_FORMAT_DEBIAN;
	a.id = tmp->data;
	a.cvss_score = -1;
	if (strncmp(a.id, "CVE-", 4) == 0) {
		cves[0] = a.id;
		a.cves = cves;
		a.n_cves = 1;
	}
	if (r->desc.len != SIZE_MAX)
		a.summary = tmp->data + desc_at;
	a.affected = af;
	a.n_affected = r->n_aff;
	a.severity = CANH_SEV_UNKNOWN;
	for (size_t i = 0; i < r->n_aff; i++) {
		const struct fr_aff *x = &f->affs[r->aff + i];
		struct canh_affected *d = &af[i];
		const char *fixed = fix_at[i] == SIZE_MAX ? NULL : tmp->data + fix_at[i];

		memset(d, 0, sizeof(*d));
		d->ecosystem = CANH_ECO_DEBIAN;
		d->ecosystem_raw = "Debian";
		d->release = f->release;
		d->package = pkg;
		d->source_package = 1;
		d->order = CANH_VERORDER_DPKG;
		d->status = x->status;
		d->urgency = urg_at[i] == SIZE_MAX ? NULL : tmp->data + urg_at[i];
		d->severity = canh_severity_from_urgency(d->urgency);
		if (d->severity > a.severity)
			a.severity = d->severity;
		if (x->status != CANH_AFF_NOT_AFFECTED && fixed && strcmp(fixed, "0") != 0)
			d->fixed_version = fixed;
		if (x->status == CANH_AFF_FIXED || x->status == CANH_AFF_AFFECTED) {
			ev[i][0].kind = CANH_EV_INTRODUCED;
			ev[i][0].version = "0";
			ev[i][1].kind = CANH_EV_FIXED;
			ev[i][1].version = d->fixed_version;
			memset(&rg[i], 0, sizeof(rg[i]));
			rg[i].type = CANH_RANGE_ECOSYSTEM;
			rg[i].events = ev[i];
			rg[i].n_events = d->fixed_version ? 2 : 1;
			d->ranges = &rg[i];
			d->n_ranges = 1;
		}
		switch (x->status) {
		case CANH_AFF_AFFECTED:
			st->open++;
			break;
		case CANH_AFF_FIXED:
			st->fixed++;
			break;
		case CANH_AFF_NOT_AFFECTED:
			st->not_affected++;
			break;
		case CANH_AFF_UNDETERMINED:
			st->undetermined++;
			break;
		}
	}
	st->advisories++;
	st->affected += r->n_aff;
	return canh_vulnmatch_add(m, &a);
}

/*
 * The slice's package read directly (release: the codename). 1 with nothing
 * added when the reader declines; else 0 or canh_vulnmatch_add's error.
 */
static int fr_package(struct canh_vulnmatch *m, const char *base, const struct slice *sl,
		      const char *release, struct fr *f, struct canh_advisory_stats *st,
		      struct canh_buf *tmp)
{
	char pkg[256];
	size_t kn = sl->key_len - 2;
	const char *q;
	int rc = 0;

	if (kn == 0 || kn >= sizeof(pkg) || memchr(base + sl->key + 1, '\\', kn) || !*release ||
	    strlen(release) >= 64)
		return 1;
	f->b = base;
	f->e = base + sl->val + sl->val_len;
	f->release = release;
	f->rlen = strlen(release);
	f->n_recs = f->n_affs = 0;
	q = fr_object(f, base + sl->val, fr_package_member, NULL);
	if (q != f->e)
		return 1;
	memcpy(pkg, base + sl->key + 1, kn);
	pkg[kn] = '\0';
	st->packages++;
	for (size_t i = 0; i < f->n_recs && rc == 0; i++)
		if (f->recs[i].n_aff)
			rc = fr_emit(m, f, &f->recs[i], pkg, st, tmp);
	return rc;
}

static int load_debian_fast(struct canh_vulnmatch *m, const char *base, size_t len,
			    const char *path, const char *release, struct canh_advisory_stats *st,
			    size_t *skipped, struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {canh_vulnmatch_sink, m};
	struct slice *sl = NULL;
	struct canh_advisory_stats local;
	struct canh_buf doc, tmp;
	struct fr f;
	const char *codename =
	    release && canh_debian_codename(release) ? canh_debian_codename(release) : release;
	size_t n = 0, skip = 0;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	if (!st) {
		memset(&local, 0, sizeof(local));
		st = &local;
	}

	if (scan_tracker(m, base, len, &sl, &n, &skip) != 0) {
		free(sl);
		return canh_advisory_parse(CANH_ADV_FORMAT_DEBIAN, base, len, path, release, &sink,
					   st, err);
	}
	canh_buf_init(&doc, CANH_ADVISORY_FILE_MAX);
	canh_buf_init(&tmp, CANH_ADVISORY_FILE_MAX);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (codename && (rc = fr_package(m, base, &sl[i], codename, &f, st, &tmp)) != 1)
			continue;
		rc = 0;
		mini_doc(base, &sl[i], codename, &doc);
		rc = canh_advisory_parse_debian(doc.data, doc.len, release, &sink, st, err);
		if (rc == CANH_EPARSE && release) {
			/* Perhaps the filter's doing: the value as it is. */
			mini_doc(base, &sl[i], NULL, &doc);
			rc = canh_advisory_parse_debian(doc.data, doc.len, release, &sink, st, err);
		}
		if (rc == CANH_EPARSE) {
			/* Say where in the file, as the whole-file parser would. */
			struct canh_advisory_sink none = {count_only, NULL};
			struct canh_advisory_stats st2;
			memset(&st2, 0, sizeof(st2));
			int rc2 = canh_advisory_parse(CANH_ADV_FORMAT_DEBIAN, base, len, path,
						      release, &none, &st2, err);
			if (rc2 != 0)
				rc = rc2;
		}
	}
	canh_buf_release(&doc);
	canh_buf_release(&tmp);
	free(f.recs);
	free(f.affs);
	free(sl);
	if (skipped)
		*skipped += skip;
	return rc;
}

int canh_vulnmatch_load(struct canh_vulnmatch *m, const void *data, size_t len,
			enum canh_advisory_format fmt, const char *filename, const char *release,
			struct canh_advisory_stats *st, size_t *skipped_records,
			struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {canh_vulnmatch_sink, m};

	if (fmt == CANH_ADV_FORMAT_UNKNOWN)
		fmt = canh_advisory_detect(data, len, filename);
	if (fmt == CANH_ADV_FORMAT_DEBIAN && m->opts.filter_names && len > 0)
		return load_debian_fast(m, data, len, filename, release, st, skipped_records, err);
	return canh_advisory_parse(fmt, data, len, filename, release, &sink, st, err);
}

int canh_vulnmatch_load_file(struct canh_vulnmatch *m, const char *path,
			     enum canh_advisory_format fmt, const char *release,
			     struct canh_advisory_stats *st, size_t *skipped_records,
			     struct canh_errmsg *err)
{
	struct canh_advisory_sink sink = {canh_vulnmatch_sink, m};
	struct stat sb;
	void *map = NULL;
	size_t len;
	int fd, rc;

	if (!m->opts.filter_names || fmt == CANH_ADV_FORMAT_OSV || fmt == CANH_ADV_FORMAT_KEV ||
	    fmt == CANH_ADV_FORMAT_LETTER)
		return canh_advisory_parse_file(path, fmt, release, &sink, st, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return canh_errmsg_set(err, errno == ENOENT ? CANH_ENOENT : CANH_EIO,
				       "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
	    (unsigned long long)sb.st_size > CANH_ADVISORY_FILE_MAX) {
		/* The general path words every one of these cases. */
		close(fd);
		return canh_advisory_parse_file(path, fmt, release, &sink, st, err);
	}
	len = (size_t)sb.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return canh_advisory_parse_file(path, fmt, release, &sink, st, err);
	rc = canh_vulnmatch_load(m, map, len, fmt, path, release, st, skipped_records, err);
	munmap(map, len);
	return rc;
}
