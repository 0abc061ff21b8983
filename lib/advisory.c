/*
 * The advisory model: arena-backed advisories, building helpers, names,
 * severities, CVSS 3.x base scores and OSV range semantics.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canh/advisory.h"
#include "canh/mem.h"
#include "canh/vercmp.h"

/*
 * Arena: a list of chunks. Reset keeps the largest chunk only, so a parser
 * that reuses one advisory settles on a single chunk big enough for its
 * records and allocates nothing per record.
 */
struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct canh__advisory_arena {
	struct chunk *head;
	size_t total; /* bytes handed out since the last reset */
};

#define CHUNK_MIN 4096

static void *arena_alloc(struct canh_advisory *a, size_t n)
{
	struct canh__advisory_arena *ar = a->arena_;
	struct chunk *c = ar->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (n > CANH_ADVISORY_MAX_BYTES || ar->total + need > CANH_ADVISORY_MAX_BYTES)
		return NULL;
	if (!c || c->size - c->used < need) {
		size_t sz = c ? c->size * 2 : CHUNK_MIN;
		if (sz < need)
			sz = need;
		if (sz > CANH_ADVISORY_MAX_BYTES)
			sz = need > CHUNK_MIN ? need : CHUNK_MIN;
		c = canh_xmalloc(sizeof(*c) + sz);
		c->size = sz;
		c->used = 0;
		c->next = ar->head;
		ar->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	ar->total += need;
	return p;
}

static void advisory_clear_fields(struct canh_advisory *a)
{
	struct canh__advisory_arena *ar = a->arena_;
	memset(a, 0, sizeof(*a));
	a->arena_ = ar;
	a->cvss_score = -1;
}

struct canh_advisory *canh_advisory_new(void)
{
	struct canh_advisory *a = canh_xcalloc(1, sizeof(*a));
	a->arena_ = canh_xcalloc(1, sizeof(*a->arena_));
	advisory_clear_fields(a);
	return a;
}

void canh_advisory_reset(struct canh_advisory *a)
{
	struct canh__advisory_arena *ar = a->arena_;
	struct chunk *keep = NULL, *c, *next;

	for (c = ar->head; c; c = c->next)
		if (!keep || c->size > keep->size)
			keep = c;
	for (c = ar->head; c; c = next) {
		next = c->next;
		if (c != keep)
			free(c);
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	ar->head = keep;
	ar->total = 0;
	advisory_clear_fields(a);
}

void canh_advisory_free(struct canh_advisory *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->arena_->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a->arena_);
	free(a);
}

const char *canh_advisory_strndup(struct canh_advisory *a, const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

const char *canh_advisory_strdup(struct canh_advisory *a, const char *s)
{
	return s ? canh_advisory_strndup(a, s, strlen(s)) : NULL;
}

/* Grow an arena array of elem-sized items to hold one more. */
static int grow(struct canh_advisory *a, void **arr, size_t n, size_t *cap, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	if (n >= CANH_ADVISORY_MAX_ITEMS)
		return CANH_ETOOBIG;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > CANH_ADVISORY_MAX_ITEMS)
		ncap = CANH_ADVISORY_MAX_ITEMS;
	p = arena_alloc(a, ncap * elem);
	if (!p)
		return CANH_ETOOBIG;
	if (n)
		memcpy(p, *arr, n * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_str(struct canh_advisory *a, const char ***arr, size_t *n, size_t *cap,
		   const char *s)
{
	const char *copy;
	void *v = (void *)*arr;
	int r;

	if (!s)
		return CANH_EINVAL;
	r = grow(a, &v, *n, cap, sizeof(char *));
	if (r < 0)
		return r;
	*arr = v;
	copy = canh_advisory_strdup(a, s);
	if (!copy)
		return CANH_ETOOBIG;
	(*arr)[(*n)++] = copy;
	return 0;
}

int canh_advisory_add_alias(struct canh_advisory *a, const char *s)
{
	return add_str(a, &a->aliases, &a->n_aliases, &a->cap_aliases_, s);
}

int canh_advisory_add_related(struct canh_advisory *a, const char *s)
{
	return add_str(a, &a->related, &a->n_related, &a->cap_related_, s);
}

int canh_advisory_add_reference(struct canh_advisory *a, const char *url)
{
	return add_str(a, &a->references, &a->n_references, &a->cap_references_, url);
}

int canh_advisory_add_cve(struct canh_advisory *a, const char *cve)
{
	return add_str(a, &a->cves, &a->n_cves, &a->cap_cves_, cve);
}

struct canh_affected *canh_advisory_add_affected(struct canh_advisory *a)
{
	void *v = a->affected;
	struct canh_affected *af;

	if (grow(a, &v, a->n_affected, &a->cap_affected_, sizeof(*af)) < 0)
		return NULL;
	a->affected = v;
	af = &a->affected[a->n_affected++];
	memset(af, 0, sizeof(*af));
	return af;
}

struct canh_range *canh_affected_add_range(struct canh_advisory *a, struct canh_affected *af,
					   enum canh_range_type type)
{
	void *v = af->ranges;
	struct canh_range *r;

	if (grow(a, &v, af->n_ranges, &af->cap_ranges_, sizeof(*r)) < 0)
		return NULL;
	af->ranges = v;
	r = &af->ranges[af->n_ranges++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	return r;
}

int canh_range_add_event(struct canh_advisory *a, struct canh_range *r, enum canh_event_kind kind,
			 const char *version)
{
	void *v = r->events;
	const char *copy;
	int rc;

	if (!version)
		return CANH_EINVAL;
	rc = grow(a, &v, r->n_events, &r->cap_events_, sizeof(*r->events));
	if (rc < 0)
		return rc;
	r->events = v;
	copy = canh_advisory_strdup(a, version);
	if (!copy)
		return CANH_ETOOBIG;
	r->events[r->n_events].kind = kind;
	r->events[r->n_events].version = copy;
	r->n_events++;
	return 0;
}

int canh_affected_add_version(struct canh_advisory *a, struct canh_affected *af,
			      const char *version)
{
	return add_str(a, &af->versions, &af->n_versions, &af->cap_versions_, version);
}

/* Deep copy of s into d's arena; NULL result for NULL input. */
#define DUPSTR(d, s) canh_advisory_strdup((d), (s))

static int dup_list(struct canh_advisory *d, int (*add)(struct canh_advisory *, const char *),
		    const char *const *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = add(d, src[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

struct canh_advisory *canh_advisory_dup(const struct canh_advisory *s)
{
	struct canh_advisory *d = canh_advisory_new();
	int r = 0;

	d->source = s->source;
	d->id = DUPSTR(d, s->id);
	d->summary = DUPSTR(d, s->summary);
	d->details = DUPSTR(d, s->details);
	d->severity = s->severity;
	d->cvss_score = s->cvss_score;
	d->cvss_vector = DUPSTR(d, s->cvss_vector);
	d->published_ms = s->published_ms;
	d->modified_ms = s->modified_ms;
	d->scope = DUPSTR(d, s->scope);
	d->debian_bug = s->debian_bug;
	d->letter.number = DUPSTR(d, s->letter.number);
	d->letter.date = DUPSTR(d, s->letter.date);
	d->letter.issuer = DUPSTR(d, s->letter.issuer);
	d->letter.deadline = DUPSTR(d, s->letter.deadline);
	d->letter.date_ms = s->letter.date_ms;
	d->letter.deadline_ms = s->letter.deadline_ms;
	d->kev.listed = s->kev.listed;
	d->kev.date_added = DUPSTR(d, s->kev.date_added);
	d->kev.due_date = DUPSTR(d, s->kev.due_date);
	d->kev.date_added_ms = s->kev.date_added_ms;
	d->kev.due_date_ms = s->kev.due_date_ms;
	d->kev.vendor = DUPSTR(d, s->kev.vendor);
	d->kev.product = DUPSTR(d, s->kev.product);
	d->kev.name = DUPSTR(d, s->kev.name);
	d->kev.required_action = DUPSTR(d, s->kev.required_action);
	d->kev.notes = DUPSTR(d, s->kev.notes);
	d->kev.ransomware = s->kev.ransomware;
	r |= dup_list(d, canh_advisory_add_alias, s->aliases, s->n_aliases);
	r |= dup_list(d, canh_advisory_add_related, s->related, s->n_related);
	r |= dup_list(d, canh_advisory_add_reference, s->references, s->n_references);
	r |= dup_list(d, canh_advisory_add_cve, s->cves, s->n_cves);
	for (size_t i = 0; i < s->n_affected; i++) {
		const struct canh_affected *sa = &s->affected[i];
		struct canh_affected *da = canh_advisory_add_affected(d);
		if (!da)
			CANH_BUG("advisory copy over its caps");
		da->ecosystem = sa->ecosystem;
		da->ecosystem_raw = DUPSTR(d, sa->ecosystem_raw);
		da->release = DUPSTR(d, sa->release);
		da->package = DUPSTR(d, sa->package);
		da->vendor = DUPSTR(d, sa->vendor);
		da->purl = DUPSTR(d, sa->purl);
		da->source_package = sa->source_package;
		da->order = sa->order;
		da->status = sa->status;
		da->fixed_version = DUPSTR(d, sa->fixed_version);
		da->severity = sa->severity;
		da->urgency = DUPSTR(d, sa->urgency);
		for (size_t j = 0; j < sa->n_ranges; j++) {
			struct canh_range *dr = canh_affected_add_range(d, da, sa->ranges[j].type);
			if (!dr)
				CANH_BUG("advisory copy over its caps");
			for (size_t k = 0; k < sa->ranges[j].n_events; k++)
				r |= canh_range_add_event(d, dr, sa->ranges[j].events[k].kind,
							  sa->ranges[j].events[k].version);
		}
		for (size_t j = 0; j < sa->n_versions; j++)
			r |= canh_affected_add_version(d, da, sa->versions[j]);
	}
	/* The source fitted in the same caps, so its copy does too. */
	CANH_BUG_ON(r != 0);
	return d;
}

static int is_cve(const char *s)
{
	return s && strncasecmp(s, "CVE-", 4) == 0;
}

int canh_advisory_has_id(const struct canh_advisory *a, const char *s)
{
	int ci = is_cve(s);

	if (!s)
		return 0;
	if (a->id && (ci ? strcasecmp(a->id, s) : strcmp(a->id, s)) == 0)
		return 1;
	for (size_t i = 0; i < a->n_aliases; i++)
		if ((ci ? strcasecmp(a->aliases[i], s) : strcmp(a->aliases[i], s)) == 0)
			return 1;
	return 0;
}

const char *canh_advisory_cve(const struct canh_advisory *a)
{
	if (is_cve(a->id))
		return a->id;
	for (size_t i = 0; i < a->n_aliases; i++)
		if (is_cve(a->aliases[i]))
			return a->aliases[i];
	return a->n_cves ? a->cves[0] : NULL;
}

int canh_advisory_collect_cves(struct canh_advisory *a)
{
	const char *const *lists[] = {&a->id, a->aliases, a->related};
	size_t ns[] = {a->id ? 1 : 0, a->n_aliases, a->n_related};

	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < ns[l]; i++) {
			const char *s = lists[l][i];
			size_t j;
			if (!is_cve(s))
				continue;
			for (j = 0; j < a->n_cves && strcasecmp(a->cves[j], s) != 0; j++)
				;
			if (j == a->n_cves && canh_advisory_add_cve(a, s) < 0)
				return CANH_ETOOBIG;
		}
	return 0;
}

/* --- names ------------------------------------------------------------ */

static const char *const format_names[] = {
    [CANH_ADV_FORMAT_UNKNOWN] = "unknown", [CANH_ADV_FORMAT_DEBIAN] = "debian-tracker",
    [CANH_ADV_FORMAT_OSV] = "osv",	   [CANH_ADV_FORMAT_KEV] = "kev",
    [CANH_ADV_FORMAT_LETTER] = "letter",
};

const char *canh_advisory_format_name(enum canh_advisory_format f)
{
	if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[f];
}

int canh_advisory_format_parse(const char *name, enum canh_advisory_format *out)
{
	*out = CANH_ADV_FORMAT_UNKNOWN;
	if (!name)
		return CANH_EINVAL;
	for (unsigned i = 1; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcasecmp(name, format_names[i]) == 0) {
			*out = (enum canh_advisory_format)i;
			return 0;
		}
	if (strcasecmp(name, "debian") == 0) {
		*out = CANH_ADV_FORMAT_DEBIAN;
		return 0;
	}
	return CANH_EINVAL;
}

static const char *const severity_names[] = {"unknown", "low", "medium", "high", "critical"};

const char *canh_severity_name(enum canh_severity s)
{
	if ((unsigned)s > CANH_SEV_CRITICAL)
		return "unknown";
	return severity_names[s];
}

enum canh_severity canh_severity_parse(const char *s)
{
	static const struct {
		const char *name;
		enum canh_severity sev;
	} tab[] = {
	    {"low", CANH_SEV_LOW},	     {"negligible", CANH_SEV_LOW},
	    {"moderate", CANH_SEV_MEDIUM},   {"medium", CANH_SEV_MEDIUM},
	    {"important", CANH_SEV_HIGH},    {"high", CANH_SEV_HIGH},
	    {"critical", CANH_SEV_CRITICAL},
	};

	if (!s)
		return CANH_SEV_UNKNOWN;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(s, tab[i].name) == 0)
			return tab[i].sev;
	return CANH_SEV_UNKNOWN;
}

enum canh_severity canh_severity_from_urgency(const char *u)
{
	size_t n;

	if (!u)
		return CANH_SEV_UNKNOWN;
	/* The tracker marks guessed urgencies with trailing '*' ("low**"). */
	n = strlen(u);
	while (n > 0 && u[n - 1] == '*')
		n--;
	if (n == 3 && strncasecmp(u, "low", 3) == 0)
		return CANH_SEV_LOW;
	if (n == 6 && strncasecmp(u, "medium", 6) == 0)
		return CANH_SEV_MEDIUM;
	if (n == 4 && strncasecmp(u, "high", 4) == 0)
		return CANH_SEV_HIGH;
	if (n == 11 && strncasecmp(u, "unimportant", 11) == 0)
		return CANH_SEV_LOW;
	return CANH_SEV_UNKNOWN;
}

enum canh_severity canh_severity_from_cvss(double score)
{
	if (!(score > 0.0))
		return CANH_SEV_UNKNOWN;
	if (score < 4.0)
		return CANH_SEV_LOW;
	if (score < 7.0)
		return CANH_SEV_MEDIUM;
	if (score < 9.0)
		return CANH_SEV_HIGH;
	return CANH_SEV_CRITICAL;
}

static const struct {
	const char *prefix;
	enum canh_ecosystem eco;
} eco_tab[] = {
    {"Debian", CANH_ECO_DEBIAN},       {"Ubuntu", CANH_ECO_UBUNTU},
    {"Alpine", CANH_ECO_ALPINE},       {"Red Hat", CANH_ECO_REDHAT},
    {"AlmaLinux", CANH_ECO_ALMALINUX}, {"Rocky Linux", CANH_ECO_ROCKY},
    {"software", CANH_ECO_SOFTWARE},
};

const char *canh_ecosystem_name(enum canh_ecosystem e)
{
	for (size_t i = 0; i < sizeof(eco_tab) / sizeof(eco_tab[0]); i++)
		if (eco_tab[i].eco == e)
			return eco_tab[i].prefix;
	return "unknown";
}

enum canh_ecosystem canh_ecosystem_parse(const char *s, const char **release)
{
	const char *colon;
	size_t n;

	if (release)
		*release = NULL;
	if (!s)
		return CANH_ECO_UNKNOWN;
	colon = strchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (release && colon && colon[1])
		*release = colon + 1;
	for (size_t i = 0; i < sizeof(eco_tab) / sizeof(eco_tab[0]); i++)
		if (strlen(eco_tab[i].prefix) == n && strncasecmp(s, eco_tab[i].prefix, n) == 0)
			return eco_tab[i].eco;
	if (n == 6 && strncasecmp(s, "RedHat", 6) == 0)
		return CANH_ECO_REDHAT;
	if (n == 5 && strncasecmp(s, "Rocky", 5) == 0)
		return CANH_ECO_ROCKY;
	return CANH_ECO_UNKNOWN;
}

enum canh_verorder canh_ecosystem_order(enum canh_ecosystem e)
{
	switch (e) {
	case CANH_ECO_DEBIAN:
	case CANH_ECO_UBUNTU:
		return CANH_VERORDER_DPKG;
	case CANH_ECO_ALPINE:
		return CANH_VERORDER_APK;
	case CANH_ECO_REDHAT:
	case CANH_ECO_ALMALINUX:
	case CANH_ECO_ROCKY:
		return CANH_VERORDER_RPM;
	default:
		return CANH_VERORDER_GENERIC;
	}
}

const char *canh_verorder_name(enum canh_verorder o)
{
	switch (o) {
	case CANH_VERORDER_DPKG:
		return "dpkg";
	case CANH_VERORDER_RPM:
		return "rpm";
	case CANH_VERORDER_APK:
		return "apk";
	case CANH_VERORDER_SEMVER:
		return "semver";
	default:
		return "generic";
	}
}

static const char *const debian_releases[][2] = {
    {"7", "wheezy"},	{"8", "jessie"},    {"9", "stretch"}, {"10", "buster"},
    {"11", "bullseye"}, {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"},
};

const char *canh_debian_codename(const char *number)
{
	for (size_t i = 0; number && i < sizeof(debian_releases) / sizeof(debian_releases[0]); i++)
		if (strcmp(number, debian_releases[i][0]) == 0)
			return debian_releases[i][1];
	return NULL;
}

const char *canh_debian_number(const char *codename)
{
	for (size_t i = 0; codename && i < sizeof(debian_releases) / sizeof(debian_releases[0]);
	     i++)
		if (strcmp(codename, debian_releases[i][1]) == 0)
			return debian_releases[i][0];
	return NULL;
}

/* --- CVSS 3.x ---------------------------------------------------------- */

/* CVSS 3.1 specification, Appendix A: the smallest one-decimal number >= x. */
static double cvss_roundup(double x)
{
	long long i = (long long)(x * 100000.0 + 0.5); /* x >= 0; libm not needed */
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

int canh_cvss3_base_score(const char *vector, double *score)
{
	/* Base metrics in the order AV AC PR UI S C I A; -1 = not seen. */
	static const char *const names[] = {"AV", "AC", "PR", "UI", "S", "C", "I", "A"};
	static const char *const values[] = {"NALP", "LH", "NLH", "NR", "UC", "HLN", "HLN", "HLN"};
	int m[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
	const char *p;

	*score = -1;
	if (!vector)
		return CANH_EPARSE;
	if (strncmp(vector, "CVSS:3.0/", 9) != 0 && strncmp(vector, "CVSS:3.1/", 9) != 0)
		return CANH_EPARSE;
	p = vector + 9;
	while (*p) {
		const char *colon = strchr(p, ':');
		const char *slash;
		size_t kl;
		int k = -1;

		if (!colon)
			return CANH_EPARSE;
		kl = (size_t)(colon - p);
		slash = strchr(colon, '/');
		if (!slash)
			slash = colon + strlen(colon);
		if (slash - colon != 2)
			return CANH_EPARSE;
		for (int i = 0; i < 8; i++)
			if (strlen(names[i]) == kl && strncmp(p, names[i], kl) == 0)
				k = i;
		if (k >= 0) {
			const char *v = strchr(values[k], colon[1]);
			if (!v || colon[1] == '\0' || m[k] >= 0)
				return CANH_EPARSE;
			m[k] = (int)(v - values[k]);
		} else if (kl == 0 || kl > 3) {
			return CANH_EPARSE; /* temporal and environmental metrics are ignored */
		}
		p = *slash ? slash + 1 : slash;
		if (*slash && !*p)
			return CANH_EPARSE;
	}
	for (int i = 0; i < 8; i++)
		if (m[i] < 0)
			return CANH_EPARSE;

	static const double av[] = {0.85, 0.62, 0.55, 0.2}, ac[] = {0.77, 0.44},
			    ui[] = {0.85, 0.62}, cia[] = {0.56, 0.22, 0};
	int changed = m[4] == 1;
	double pr = m[2] == 0 ? 0.85 : m[2] == 1 ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
	double iss = 1 - (1 - cia[m[5]]) * (1 - cia[m[6]]) * (1 - cia[m[7]]);
	double p15 = 1;
	for (int i = 0; i < 15; i++)
		p15 *= iss - 0.02;
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * p15 : 6.42 * iss;
	double expl = 8.22 * av[m[0]] * ac[m[1]] * pr * ui[m[3]];

	if (impact <= 0)
		*score = 0;
	else if (changed)
		*score = cvss_roundup(1.08 * (impact + expl) < 10 ? 1.08 * (impact + expl) : 10);
	else
		*score = cvss_roundup(impact + expl < 10 ? impact + expl : 10);
	return 0;
}

/* --- version ranges ---------------------------------------------------- */

/*
 * Rank of a pre-release word (any case): such a run sorts before the end of
 * the other version ("2.0-beta9" < "2.0"), in this order; 0 for other words.
 */
static int pre_rank(const char *p, size_t n)
{
	static const char *const words[] = {"dev",	 "snapshot", "alpha",	"beta",
					    "milestone", "pre",	     "preview", "rc"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(p, words[i], n) == 0)
			return (int)i + 1;
	return 0;
}

static size_t alpha_len(const char *p)
{
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	return n;
}

/*
 * Digits runs as numbers, other runs as text; a digit run sorts after text,
 * and a pre-release word (dev, alpha, beta, rc, ...) before the release.
 */
int canh_version_cmp_generic(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b) {
			const char *rest = *a ? a : b;
			int sign = *a ? 1 : -1;
			if (!*rest)
				return 0;
			return pre_rank(rest, alpha_len(rest)) ? -sign : sign;
		}
		int da = isdigit((unsigned char)*a) != 0, db = isdigit((unsigned char)*b) != 0;
		if (da != db)
			return da ? 1 : -1;
		const char *sa = a, *sb = b;
		if (da) {
			while (*sa == '0')
				sa++;
			while (*sb == '0')
				sb++;
			a = sa;
			b = sb;
			while (isdigit((unsigned char)*a))
				a++;
			while (isdigit((unsigned char)*b))
				b++;
			if (a - sa != b - sb)
				return a - sa < b - sb ? -1 : 1;
			int c = strncmp(sa, sb, (size_t)(a - sa));
			if (c)
				return c < 0 ? -1 : 1;
		} else {
			while (isalpha((unsigned char)*a))
				a++;
			while (isalpha((unsigned char)*b))
				b++;
			size_t la = (size_t)(a - sa), lb = (size_t)(b - sb);
			int ra = pre_rank(sa, la), rb = pre_rank(sb, lb);
			if ((ra || rb) && ra != rb) {
				if (ra && rb)
					return ra < rb ? -1 : 1;
				return ra ? -1 : 1; /* a pre-release word before any other */
			}
			int c = strncmp(sa, sb, la < lb ? la : lb);
			if (c)
				return c < 0 ? -1 : 1;
			if (la != lb)
				return la < lb ? -1 : 1;
		}
	}
	return 0;
}

static int is_zero(const char *v)
{
	return v && v[0] == '0' && v[1] == '\0';
}

/* Event order: versions by cmp, "0" (introduced) before all. */
static int event_cmp(const struct canh_range_event *x, const struct canh_range_event *y,
		     int (*cmp)(const char *, const char *))
{
	int zx = x->kind == CANH_EV_INTRODUCED && is_zero(x->version);
	int zy = y->kind == CANH_EV_INTRODUCED && is_zero(y->version);
	if (zx || zy)
		return zy - zx;
	return cmp(x->version, y->version);
}

/* OSV's BeforeLimits: no limit, or the version is below any one of them ("*" = infinity). */
static int before_limits(const struct canh_range *r, const char *v,
			 int (*cmp)(const char *, const char *))
{
	int limited = 0;

	for (size_t i = 0; i < r->n_events; i++) {
		const struct canh_range_event *e = &r->events[i];
		if (e->kind != CANH_EV_LIMIT)
			continue;
		if (strchr(e->version, '*') || cmp(v, e->version) < 0)
			return 1;
		limited = 1;
	}
	return !limited;
}

/* OSV's IncludedInRanges for one range (osv-schema, "Evaluation"). */
static int range_contains(const struct canh_range *r, const char *v,
			  int (*cmp)(const char *, const char *))
{
	const struct canh_range_event *local[32], **ev = local;
	size_t n = 0;
	int affected = 0;

	if (r->type == CANH_RANGE_GIT || r->n_events == 0 || !before_limits(r, v, cmp))
		return 0;
	if (r->n_events > sizeof(local) / sizeof(local[0]))
		ev = canh_xmalloc(r->n_events * sizeof(*ev));
	/* Insertion sort of the other events: ranges have a handful. */
	for (size_t i = 0; i < r->n_events; i++) {
		size_t j = n++;
		if (r->events[i].kind == CANH_EV_LIMIT) {
			n--;
			continue;
		}
		while (j > 0 && event_cmp(ev[j - 1], &r->events[i], cmp) > 0) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = &r->events[i];
	}
	for (size_t i = 0; i < n; i++) {
		const struct canh_range_event *e = ev[i];
		if (e->kind == CANH_EV_INTRODUCED) {
			if (is_zero(e->version) || cmp(v, e->version) >= 0)
				affected = 1;
		} else if (e->kind == CANH_EV_FIXED) {
			if (cmp(v, e->version) >= 0)
				affected = 0;
		} else if (cmp(v, e->version) > 0) { /* last_affected */
			affected = 0;
		}
	}
	if (ev != local)
		free(ev);
	return affected;
}

int canh_affected_contains(const struct canh_affected *af, const char *version,
			   int (*cmp)(const char *, const char *))
{
	if (!af || !version || !cmp)
		return 0;
	if (af->status == CANH_AFF_NOT_AFFECTED || af->status == CANH_AFF_UNDETERMINED)
		return 0;
	for (size_t i = 0; i < af->n_versions; i++)
		if (cmp(version, af->versions[i]) == 0)
			return 1;
	for (size_t i = 0; i < af->n_ranges; i++)
		if (range_contains(&af->ranges[i], version, cmp))
			return 1;
	return 0;
}

/* --- apk and semver ordering ------------------------------------------- */

/* Two digit runs as numbers, without converting them (no overflow). */
static int numrun_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	while (la > 1 && *a == '0') {
		a++;
		la--;
	}
	while (lb > 1 && *b == '0') {
		b++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	int c = memcmp(a, b, la);
	return c < 0 ? -1 : c > 0;
}

/* Rank of an apk suffix: pre-releases below the release (0), the rest above. */
static int apk_suffix_rank(const char *s, size_t n)
{
	static const char *const pre[] = {"alpha", "beta", "pre", "rc"};
	static const char *const post[] = {"cvs", "svn", "git", "hg", "p"};
	for (int i = 0; i < 4; i++)
		if (strlen(pre[i]) == n && strncmp(s, pre[i], n) == 0)
			return i - 4;
	for (int i = 0; i < 5; i++)
		if (strlen(post[i]) == n && strncmp(s, post[i], n) == 0)
			return i + 1;
	return 6; /* unknown suffixes after the known ones */
}

/*
 * apk-tools' order, as far as Alpine's secdb and OSV use it:
 * "1.2.3[letter][_suffix[N]...][~hash][-rN]".
 */
static int apk_cmp(const char *a, const char *b)
{
	/* Numbers. */
	for (;;) {
		size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
		if (la && lb) {
			int c = numrun_cmp(a, la, b, lb);
			if (c)
				return c;
			a += la;
			b += lb;
			int da = a[0] == '.' && isdigit((unsigned char)a[1]);
			int db = b[0] == '.' && isdigit((unsigned char)b[1]);
			if (da && db) {
				a++;
				b++;
				continue;
			}
			if (da != db)
				return da ? 1 : -1;
			break;
		}
		if (la != lb)
			return la ? 1 : -1;
		break;
	}
	/* Letter. */
	{
		int la = islower((unsigned char)*a) != 0, lb = islower((unsigned char)*b) != 0;
		if (la && lb && *a != *b)
			return *a < *b ? -1 : 1;
		if (la != lb)
			return la ? 1 : -1;
		if (la) {
			a++;
			b++;
		}
	}
	/* Suffixes. */
	while (*a == '_' || *b == '_') {
		int ra = 0, rb = 0;
		const char *na = a, *nb = b;
		size_t sa = 0, sb = 0;
		if (*a == '_') {
			a++;
			sa = strspn(a, "abcdefghijklmnopqrstuvwxyz");
			ra = apk_suffix_rank(a, sa);
			a += sa;
			na = a;
			a += strspn(a, "0123456789");
		}
		if (*b == '_') {
			b++;
			sb = strspn(b, "abcdefghijklmnopqrstuvwxyz");
			rb = apk_suffix_rank(b, sb);
			b += sb;
			nb = b;
			b += strspn(b, "0123456789");
		}
		if (ra != rb)
			return ra < rb ? -1 : 1;
		int c = numrun_cmp(na, (size_t)(a - na), nb, (size_t)(b - nb));
		if (c)
			return c;
	}
	/* A ~hash does not order; skip it. */
	if (*a == '~')
		a += strcspn(a, "-");
	if (*b == '~')
		b += strcspn(b, "-");
	/* Revision. */
	{
		const char *ra = strncmp(a, "-r", 2) == 0 ? a + 2 : NULL;
		const char *rb = strncmp(b, "-r", 2) == 0 ? b + 2 : NULL;
		if (ra && rb)
			return numrun_cmp(ra, strspn(ra, "0123456789"), rb,
					  strspn(rb, "0123456789"));
		if (ra || rb)
			return ra ? 1 : -1;
	}
	int c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}

int canh_version_cmp_apk(const char *a, const char *b)
{
	return apk_cmp(a, b);
}

/* Semantic Versioning 2.0.0 precedence; a leading 'v' is allowed, build metadata ignored. */
int canh_version_cmp_semver(const char *a, const char *b)
{
	size_t ca, cb;
	const char *pa, *pb;

	if (*a == 'v' || *a == 'V')
		a++;
	if (*b == 'v' || *b == 'V')
		b++;
	ca = strcspn(a, "-+");
	cb = strcspn(b, "-+");
	/* Core: dot-separated numbers. */
	{
		const char *x = a, *y = b, *xe = a + ca, *ye = b + cb;
		while (x < xe || y < ye) {
			size_t lx = x < xe ? strcspn(x, ".-+") : 0,
			       ly = y < ye ? strcspn(y, ".-+") : 0;
			if (lx == 0 && ly == 0)
				break;
			int c = numrun_cmp(lx ? x : "0", lx ? lx : 1, ly ? y : "0", ly ? ly : 1);
			if (c)
				return c;
			x += lx;
			y += ly;
			if (x < xe && *x == '.')
				x++;
			if (y < ye && *y == '.')
				y++;
		}
	}
	pa = a[ca] == '-' ? a + ca + 1 : NULL;
	pb = b[cb] == '-' ? b + cb + 1 : NULL;
	if (!pa || !pb)
		return pa ? -1 : pb ? 1 : 0;
	for (;;) {
		size_t la = strcspn(pa, ".+"), lb = strcspn(pb, ".+");
		int na = la && strspn(pa, "0123456789") == la;
		int nb = lb && strspn(pb, "0123456789") == lb;
		int c;
		if (na && nb) {
			c = numrun_cmp(pa, la, pb, lb);
		} else if (na != nb) {
			c = na ? -1 : 1;
		} else {
			c = strncmp(pa, pb, la < lb ? la : lb);
			c = c < 0 ? -1 : c > 0 ? 1 : la < lb ? -1 : la > lb;
		}
		if (c)
			return c;
		pa += la;
		pb += lb;
		int ma = *pa == '.', mb = *pb == '.';
		if (!ma || !mb)
			return ma ? 1 : mb ? -1 : 0;
		pa++;
		pb++;
	}
}

int canh_affected_match(const struct canh_affected *af, const char *version)
{
	switch (af->order) {
	case CANH_VERORDER_DPKG:
		return canh_affected_contains(af, version, canh_vercmp_dpkg);
	case CANH_VERORDER_RPM:
		return canh_affected_contains(af, version, canh_vercmp_rpm_evr);
	case CANH_VERORDER_APK:
		return canh_affected_contains(af, version, canh_version_cmp_apk);
	case CANH_VERORDER_SEMVER:
		return canh_affected_contains(af, version, canh_version_cmp_semver);
	default:
		return canh_affected_contains(af, version, canh_version_cmp_generic);
	}
}
