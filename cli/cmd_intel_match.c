/*
 * canh intel match --list FILE [--list FILE...] [--why] [-v] [-c] [--json] [INPUT...]
 * (docs/intel.md "canh intel match"): offline, without a server, the lines of
 * INPUT (standard input when none) holding an address covered by a list.
 *
 * Lists are read with the feed parsers (lib/canh/feed.h: plain lists, CSV,
 * xlsx, Feodo, DROP, STIX, MISP), their address entries built into one ipset.
 * Lines are scanned for addresses the way grepcidr 2.0 scans them, so that
 * the plain output is byte for byte grepcidr's on the same list and input:
 * at each position, a digit followed by a dot within the next three bytes
 * starts an IPv4 candidate (the run of letters, digits and dots from there),
 * hex digits followed by a colon or "::" an IPv6 candidate (the run of
 * letters, digits, dots and colons); a candidate that is not an address is
 * skipped whole. Log lines, "ip:port" and "[v6]:port" all work. The first
 * address a list covers decides the line. One difference: canh reads an
 * IPv4-mapped IPv6 address (::ffff:192.0.2.1) as the IPv4 address.
 *
 * Input is mapped (regular files) or read in large blocks; no allocation per
 * line; output goes through one buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "canh/error.h"
#include "canh/feed.h"
#include "canh/ipaddr.h"
#include "canh/ipset.h"
#include "canh/mem.h"
#include "cli.h"

enum {
	O_LIST = 1,
	O_WHY,
	O_INVERT,
	O_COUNT,
};

static const struct canh_cli_opt match_opts[] = {
    {"list", 'f', 1, O_LIST},	{"why", 0, 0, O_WHY}, {"invert", 'v', 0, O_INVERT},
    {"count", 'c', 0, O_COUNT}, {NULL, 0, 0, 0},
};

#define MAX_LISTS 256
#define REJECTS_SHOWN 5	      /* rejected rows printed per list */
#define READ_BLOCK (4u << 20) /* reads from a pipe */
#define MAX_LINE (64u << 20)  /* longest input line */
#define OUT_BLOCK (1u << 20)

/* What --why and --json tell about an entry: kept only when asked for. */
struct entry_info {
	uint32_t list;	 /* index into lists */
	uint32_t line;	 /* line or xlsx row */
	uint32_t value;	 /* offset of the entry's text in the arena */
	uint32_t family; /* offset of the malware family, or UINT32_MAX */
	uint32_t cell;	 /* offset of the xlsx cell ("B7"), or UINT32_MAX */
	int32_t port;	 /* 0 none */
};

struct matcher {
	struct canh_cli *c;
	const char *lists[MAX_LISTS];
	size_t nlists;
	bool why, invert, count, json, keep_info;
	/* Loading. */
	struct canh_ipset_builder *b;
	uint32_t cur_list;
	uint64_t list_entries, list_other, rejects_shown;
	int add_rc;
	struct entry_info *info;
	size_t ninfo, capinfo;
	char *arena;
	size_t narena, caparena;
	/* Matching. */
	struct canh_ipset *set;
	bool has_v4, has_v6;
	bool names; /* more than one input: "NAME:" before each line, as grepcidr */
	uint64_t nout;
	bool any;
	char *out;
	size_t outlen;
	bool write_failed;
	struct chunk *chunk;
};

/* ---- output ---- */

static void out_flush(struct matcher *m)
{
	if (m->outlen && !m->write_failed && fwrite(m->out, 1, m->outlen, m->c->out) != m->outlen)
		m->write_failed = true;
	m->outlen = 0;
}

static void out_put(struct matcher *m, const void *p, size_t n)
{
	if (m->outlen + n > OUT_BLOCK)
		out_flush(m);
	if (n > OUT_BLOCK) {
		if (!m->write_failed && fwrite(p, 1, n, m->c->out) != n)
			m->write_failed = true;
		return;
	}
	memcpy(m->out + m->outlen, p, n);
	m->outlen += n;
}

static void out_str(struct matcher *m, const char *s)
{
	out_put(m, s, strlen(s));
}

static void out_u64(struct matcher *m, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	out_put(m, buf, (size_t)n);
}

/*
 * A JSON string of bytes from outside: escapes as JSON needs, and bytes that
 * are not UTF-8 as the code points of the same value (Latin-1), so that the
 * output is always valid JSON.
 */
static void out_json_str(struct matcher *m, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	out_put(m, "\"", 1);
	size_t i = 0;
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\' && ch < 0x80) {
			size_t j = i;
			while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' &&
			       s[j] != '\\' && (unsigned char)s[j] < 0x80)
				j++;
			out_put(m, s + i, j - i);
			i = j;
			continue;
		}
		if (ch >= 0x80) {
			/* The length of a valid UTF-8 sequence here, or 0. */
			size_t len = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 0;
			if (len && i + len <= n && canh_cli_utf8_valid(s + i, len)) {
				out_put(m, s + i, len);
				i += len;
				continue;
			}
		}
		char esc[8];
		size_t el = 2;
		esc[0] = '\\';
		switch (ch) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			el = 6;
		}
		out_put(m, esc, el);
		i++;
	}
	out_put(m, "\"", 1);
}

/* ---- loading the lists ---- */

/* The offset of a copy of s; 0 (an empty string) once the arena is full. */
static uint32_t arena_add(struct matcher *m, const char *s)
{
	size_t n = strlen(s) + 1;
	if (m->narena + n > UINT32_MAX - 1)
		return 0;
	if (m->narena + n > m->caparena) {
		m->caparena = m->caparena ? m->caparena * 2 : 1 << 20;
		while (m->caparena < m->narena + n)
			m->caparena *= 2;
		m->arena = canh_xrealloc(m->arena, m->caparena);
	}
	memcpy(m->arena + m->narena, s, n);
	uint32_t off = (uint32_t)m->narena;
	m->narena += n;
	return off;
}

static int on_entry(void *ctx, const struct canh_feed_entry *e)
{
	struct matcher *m = ctx;
	uint32_t ref = (uint32_t)m->ninfo;

	if (e->type != CANH_IOC_IP) {
		m->list_other++;
		return 0;
	}
	int rc = canh_ipset_add_range(m->b, &e->lo, &e->hi, ref);
	if (rc != 0) {
		m->add_rc = rc;
		return 1;
	}
	m->list_entries++;
	if (m->keep_info) {
		if (m->ninfo == m->capinfo) {
			m->capinfo = m->capinfo ? m->capinfo * 2 : 4096;
			m->info = canh_xrealloc(m->info, m->capinfo * sizeof(*m->info));
		}
		struct entry_info *in = &m->info[m->ninfo];
		in->list = m->cur_list;
		in->line = e->line;
		in->value = arena_add(m, e->value ? e->value : "");
		in->family = e->family && *e->family ? arena_add(m, e->family) : UINT32_MAX;
		in->cell = e->cell[0] ? arena_add(m, e->cell) : UINT32_MAX;
		in->port = e->port;
	}
	m->ninfo++;
	return 0;
}

static void on_reject(void *ctx, uint32_t line, const char *cell, const char *reason)
{
	struct matcher *m = ctx;
	struct canh_cli *c = m->c;

	if (m->rejects_shown++ >= REJECTS_SHOWN)
		return;
	if (cell && *cell)
		canh_cli_say(c->lang, c->err, M_INTEL_MATCH_WARN_REJECT_CELL, m->lists[m->cur_list],
			     cell, reason);
	else
		canh_cli_say(c->lang, c->err, M_INTEL_MATCH_WARN_REJECT, m->lists[m->cur_list],
			     (unsigned)line, reason);
}

static int load_lists(struct matcher *m)
{
	struct canh_cli *c = m->c;
	const struct canh_feed_sink sink = {m, on_entry, on_reject};

	m->b = canh_ipset_builder_new();
	if (m->keep_info)
		arena_add(m, "");
	for (size_t i = 0; i < m->nlists; i++) {
		struct canh_feed_stats st;
		struct canh_errmsg em = {{0}};
		m->cur_list = (uint32_t)i;
		m->list_entries = m->list_other = m->rejects_shown = 0;
		int rc = canh_feed_parse_file(m->lists[i], CANH_FEED_AUTO, &sink, &st, &em);
		if (rc == 1 && m->add_rc == CANH_ETOOBIG) {
			canh_cli_error(c, M_INTEL_MATCH_ERR_TOO_MANY, (unsigned long long)m->ninfo);
			return CANH_CLI_EXIT_USAGE;
		}
		if (rc != 0) {
			canh_cli_error(c, M_INTEL_MATCH_ERR_LIST, m->lists[i],
				       canh_cli_file_reason(c, rc, &em));
			return CANH_CLI_EXIT_USAGE;
		}
		if (m->rejects_shown > REJECTS_SHOWN)
			canh_cli_say(c->lang, c->err, M_INTEL_MATCH_WARN_MORE, m->lists[i],
				     (unsigned long long)(m->rejects_shown - REJECTS_SHOWN));
		if (m->list_entries == 0) {
			canh_cli_error(c, M_INTEL_MATCH_ERR_LIST_EMPTY, m->lists[i],
				       canh_feed_format_name(st.format),
				       (unsigned long long)st.rejected,
				       (unsigned long long)m->list_other);
			return CANH_CLI_EXIT_USAGE;
		}
	}
	struct canh_errmsg em = {{0}};
	int rc = canh_ipset_build(m->b, &m->set, &em);
	m->b = NULL;
	if (rc != 0) {
		canh_cli_error(c, M_INTEL_MATCH_ERR_BUILD,
			       em.text[0] ? em.text : canh_strerror(rc));
		return CANH_CLI_EXIT_USAGE;
	}
	struct canh_ipset_stats st;
	canh_ipset_stats(m->set, &st);
	m->has_v4 = st.v4_intervals > 0;
	m->has_v6 = st.v6_intervals > 0;
	return 0;
}

/* ---- scanning a line ---- */

/* Character classes for the scan. */
enum {
	C_DIGIT = 1,
	C_XDIGIT = 2,
	C_F4 = 4, /* may be part of an IPv4 candidate: letters, digits, '.' */
	C_F6 = 8, /* of an IPv6 candidate: those and ':' */
};

static unsigned char cls[256];

static void init_classes(void)
{
	for (int ch = 0; ch < 256; ch++) {
		unsigned char k = 0;
		bool alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z');
		if (ch >= '0' && ch <= '9')
			k |= C_DIGIT;
		if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		    (ch >= 'A' && ch <= 'F'))
			k |= C_XDIGIT;
		if (alnum || ch == '.')
			k |= C_F4;
		if (alnum || ch == '.' || ch == ':')
			k |= C_F6;
		cls[ch] = k;
	}
}

/* Byte i of the line, or '\n' past its end (so look-ahead never matches there). */
static inline unsigned char at(const unsigned char *s, size_t n, size_t i)
{
	return i < n ? s[i] : '\n';
}

/* A dotted quad as inet_pton reads one: four decimal parts 0..255, no leading zeros. */
static bool parse_v4(const unsigned char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0, part = 0;
	unsigned parts = 0, digits = 0;

	if (n > 15)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			if (digits > 0 && part == 0)
				return false; /* leading zero */
			part = part * 10 + (ch - '0');
			if (part > 255)
				return false;
			if (digits++ == 0 && ++parts > 4)
				return false;
		} else if (ch == '.' && digits > 0) {
			if (parts == 4)
				return false;
			v = v << 8 | part;
			part = 0;
			digits = 0;
		} else {
			return false;
		}
	}
	if (parts != 4 || digits == 0)
		return false;
	*out = v << 8 | part;
	return true;
}

static bool parse_v6(const unsigned char *s, size_t n, struct canh_ipaddr *out)
{
	char buf[48];
	uint8_t b[16];

	if (n > 45)
		return false;
	/* Without "::", eight groups (seven colons) or six and an IPv4 tail: spare inet_pton
	 * the clock times ("13:45:01") that log lines are full of. */
	if (!memmem(s, n, "::", 2)) {
		size_t colons = 0;
		for (size_t i = 0; i < n; i++)
			colons += s[i] == ':';
		if (colons < 6)
			return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, b) != 1)
		return false;
	memset(out, 0, sizeof(*out));
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(b, mapped, 12) == 0) {
		out->family = 4;
		memcpy(out->bytes, b + 12, 4);
	} else {
		out->family = 6;
		memcpy(out->bytes, b, 16);
	}
	return true;
}

static inline bool v6_hint(const unsigned char *s, size_t n, size_t i)
{
	unsigned char c0 = s[i];
	if (c0 == ':')
		return at(s, n, i + 1) == ':' && (cls[at(s, n, i + 2)] & C_XDIGIT);
	if (!(cls[c0] & C_XDIGIT))
		return false;
	/* One to four hex digits, then a colon. */
	for (size_t k = 1; k <= 4; k++) {
		unsigned char ch = at(s, n, i + k);
		if (ch == ':')
			return true;
		if (!(cls[ch] & C_XDIGIT))
			return false;
	}
	return false;
}

struct hit {
	bool seen;  /* an address of a family the lists have */
	bool match; /* one of them is covered */
	struct canh_ipaddr addr;
	uint32_t ref;
};

/*
 * Lines are matched in chunks: the scan of each line of a chunk collects its
 * candidate addresses, the IPv4 ones of the whole chunk are looked up in one
 * batch (canh_ipset_lookup_v4_many, whose cache misses overlap), then each
 * line's first covered address, in the order of the line, decides it, as
 * grepcidr's first match does. IPv6 addresses, rare in logs, are looked up
 * at once. A line with more candidates than a chunk holds looks up the rest
 * one by one.
 */
#define CHUNK_LINES 1024
#define CHUNK_CANDS 8192

struct cand {
	uint32_t v4;  /* the IPv4 address, or the index of the IPv6 one in chunk.v6 */
	uint32_t ref; /* CANH_IPSET_NOREF when not covered */
	uint8_t family;
};

struct chunk_line {
	const char *p;
	size_t len;
	uint64_t lineno;
	uint32_t first, n; /* its candidates */
	bool seen;
	bool direct; /* covered by an address looked up one by one, in direct_hit */
	struct hit direct_hit;
};

struct chunk {
	struct chunk_line lines[CHUNK_LINES];
	size_t nlines;
	struct cand cands[CHUNK_CANDS];
	size_t ncands;
	struct canh_ipaddr v6[CHUNK_CANDS];
	size_t nv6;
	uint32_t addrs4[CHUNK_CANDS], refs4[CHUNK_CANDS], back4[CHUNK_CANDS];
	size_t n4;
};

/* Candidate a of line l, looked up at once when the chunk is full. */
static void add_v4(struct matcher *m, struct chunk *ch, struct chunk_line *l, uint32_t a)
{
	l->seen = true;
	if (ch->ncands < CHUNK_CANDS) {
		ch->cands[ch->ncands] =
		    (struct cand){.v4 = a, .ref = CANH_IPSET_NOREF, .family = 4};
		ch->addrs4[ch->n4] = a;
		ch->back4[ch->n4++] = (uint32_t)ch->ncands++;
		l->n++;
		return;
	}
	uint32_t ref;
	if (canh_ipset_lookup_v4(m->set, a, &ref)) {
		l->direct = true;
		l->direct_hit.ref = ref;
		memset(&l->direct_hit.addr, 0, sizeof(l->direct_hit.addr));
		l->direct_hit.addr.family = 4;
		for (int k = 0; k < 4; k++)
			l->direct_hit.addr.bytes[k] = (uint8_t)(a >> (24 - 8 * k));
	}
}

static void add_v6(struct matcher *m, struct chunk *ch, struct chunk_line *l,
		   const struct canh_ipaddr *a)
{
	uint32_t ref;
	bool found = canh_ipset_lookup(m->set, a, &ref);
	l->seen = true;
	if (ch->ncands < CHUNK_CANDS) {
		ch->v6[ch->nv6] = *a;
		ch->cands[ch->ncands++] = (struct cand){
		    .v4 = (uint32_t)ch->nv6++, .ref = found ? ref : CANH_IPSET_NOREF, .family = 6};
		l->n++;
		return;
	}
	if (found) {
		l->direct = true;
		l->direct_hit.ref = ref;
		l->direct_hit.addr = *a;
	}
}

/* The first '.' or ':' at or after i, or n. */
static size_t next_sep(const unsigned char *s, size_t n, size_t i)
{
#ifdef __SSE2__
	const __m128i dot = _mm_set1_epi8('.'), colon = _mm_set1_epi8(':');
	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		int mask = _mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, colon)));
		if (mask)
			return i + (size_t)__builtin_ctz((unsigned)mask);
		i += 16;
	}
#endif
	while (i < n && s[i] != '.' && s[i] != ':')
		i++;
	return i;
}

/*
 * The candidate starting at p, if one does: its end in *end, after adding
 * the address it holds, if any.
 */
static bool try_at(struct matcher *m, struct chunk *ch, struct chunk_line *l,
		   const unsigned char *s, size_t n, size_t p, size_t *end)
{
	unsigned char c = s[p];
	if (m->has_v4 && (cls[c] & C_DIGIT) &&
	    (at(s, n, p + 1) == '.' || at(s, n, p + 2) == '.' || at(s, n, p + 3) == '.')) {
		size_t j = p;
		while (j < n && (cls[s[j]] & C_F4))
			j++;
		uint32_t a;
		if (parse_v4(s + p, j - p, &a))
			add_v4(m, ch, l, a);
		*end = j;
		return true;
	}
	if (m->has_v6 && (cls[c] & (C_XDIGIT | C_F6)) && v6_hint(s, n, p)) {
		size_t j = p;
		while (j < n && (cls[s[j]] & C_F6))
			j++;
		struct canh_ipaddr a;
		if (parse_v6(s + p, j - p, &a)) {
			if (a.family == 6)
				add_v6(m, ch, l, &a);
			else if (m->has_v4)
				add_v4(m, ch, l,
				       (uint32_t)a.bytes[0] << 24 | (uint32_t)a.bytes[1] << 16 |
					   (uint32_t)a.bytes[2] << 8 | a.bytes[3]);
		}
		*end = j;
		return true;
	}
	return false;
}

/*
 * Collect the candidate addresses of line l (s[0..n), without its newline),
 * examining positions left to right and skipping each candidate whole, as
 * grepcidr does. A candidate needs a '.' or ':' within its first five bytes,
 * so only the positions up to four before each such separator are examined.
 */
static void scan(struct matcher *m, struct chunk *ch, struct chunk_line *l, const unsigned char *s,
		 size_t n)
{
	size_t next = 0; /* positions before it are examined or inside a candidate */
	size_t q = next_sep(s, n, 0);
	while (q < n && !l->direct) {
		size_t p = q >= 4 ? q - 4 : 0, end;
		if (p < next)
			p = next;
		for (; p <= q && !l->direct; p++) {
			if (try_at(m, ch, l, s, n, p, &end)) {
				next = end;
				p = end - 1;
			}
		}
		if (next <= q)
			next = q + 1;
		q = next_sep(s, n, next);
	}
}

/* ---- output of one line ---- */

static void print_entry_json(struct matcher *m, uint32_t ref)
{
	const struct entry_info *in = &m->info[ref];
	out_str(m, "{\"entry\":");
	out_json_str(m, m->arena + in->value, strlen(m->arena + in->value));
	out_str(m, ",\"list\":");
	out_json_str(m, m->lists[in->list], strlen(m->lists[in->list]));
	out_str(m, ",\"list_line\":");
	out_u64(m, in->line);
	if (in->cell != UINT32_MAX) {
		out_str(m, ",\"cell\":");
		out_json_str(m, m->arena + in->cell, strlen(m->arena + in->cell));
	}
	if (in->family != UINT32_MAX) {
		out_str(m, ",\"family\":");
		out_json_str(m, m->arena + in->family, strlen(m->arena + in->family));
	}
	if (in->port > 0) {
		out_str(m, ",\"port\":");
		out_u64(m, (uint64_t)in->port);
	}
	out_str(m, "}");
}

/* line holds its newline when it had one. */
static void emit(struct matcher *m, const char *name, uint64_t lineno, const char *line, size_t len,
		 const struct hit *h)
{
	m->any = true;
	m->nout++;
	if (m->count)
		return;
	size_t body = len && line[len - 1] == '\n' ? len - 1 : len;
	if (m->json) {
		char abuf[CANH_IPADDR_STRLEN];
		out_str(m, "{\"input\":");
		out_json_str(m, name ? name : "-", strlen(name ? name : "-"));
		out_str(m, ",\"line_number\":");
		out_u64(m, lineno);
		out_str(m, ",\"line\":");
		out_json_str(m, line, body);
		if (h->match) {
			uint32_t refs[16];
			size_t n = canh_ipset_lookup_all(m->set, &h->addr, refs, 16);
			out_str(m, ",\"address\":\"");
			out_str(m, canh_ip_format(&h->addr, abuf, sizeof(abuf)));
			out_str(m, "\",\"entries\":[");
			for (size_t i = 0; i < n && i < 16; i++) {
				if (i)
					out_str(m, ",");
				print_entry_json(m, refs[i]);
			}
			out_str(m, "]");
		}
		out_str(m, "}\n");
		return;
	}
	if (m->names) {
		out_str(m, name);
		out_put(m, ":", 1);
	}
	if (!m->why || !h->match) {
		out_put(m, line, len);
		return;
	}
	const struct entry_info *in = &m->info[h->ref];
	out_put(m, line, body);
	out_put(m, "\t", 1);
	out_str(m, m->arena + in->value);
	out_put(m, " ", 1);
	out_str(m, m->lists[in->list]);
	out_put(m, ":", 1);
	if (in->cell != UINT32_MAX)
		out_str(m, m->arena + in->cell);
	else
		out_u64(m, in->line);
	out_put(m, "\n", 1);
}

/* Look up the chunk's IPv4 candidates, then print or count its lines in order. */
static void flush_chunk(struct matcher *m, struct chunk *ch, const char *name)
{
	canh_ipset_lookup_v4_many(m->set, ch->addrs4, ch->n4, ch->refs4);
	for (size_t j = 0; j < ch->n4; j++)
		ch->cands[ch->back4[j]].ref = ch->refs4[j];
	for (size_t i = 0; i < ch->nlines; i++) {
		struct chunk_line *l = &ch->lines[i];
		struct hit h = {.seen = l->seen};
		for (uint32_t k = l->first; k < l->first + l->n; k++) {
			const struct cand *cd = &ch->cands[k];
			if (cd->ref == CANH_IPSET_NOREF)
				continue;
			h.match = true;
			h.ref = cd->ref;
			if (cd->family == 6) {
				h.addr = ch->v6[cd->v4];
			} else {
				memset(&h.addr, 0, sizeof(h.addr));
				h.addr.family = 4;
				for (int b = 0; b < 4; b++)
					h.addr.bytes[b] = (uint8_t)(cd->v4 >> (24 - 8 * b));
			}
			break;
		}
		if (!h.match && l->direct)
			h = l->direct_hit, h.seen = true, h.match = true;
		if (m->invert ? (h.seen && !h.match) : h.match)
			emit(m, name, l->lineno, l->p, l->len, &h);
	}
	ch->nlines = ch->ncands = ch->nv6 = ch->n4 = 0;
}

/* Every line of data[0..len); the last may lack its newline. */
static void do_block(struct matcher *m, const char *name, uint64_t *lineno, const char *data,
		     size_t len)
{
	struct chunk *ch = m->chunk;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		if (ch->nlines == CHUNK_LINES || ch->ncands >= CHUNK_CANDS - 64)
			flush_chunk(m, ch, name);
		struct chunk_line *l = &ch->lines[ch->nlines++];
		*l = (struct chunk_line){.p = p,
					 .len = (size_t)(next - p),
					 .lineno = ++*lineno,
					 .first = (uint32_t)ch->ncands};
		scan(m, ch, l, (const unsigned char *)p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		p = next;
	}
	flush_chunk(m, ch, name);
}

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return CANH_ENOENT;
	case EACCES:
	case EPERM:
		return CANH_EPERM;
	case EISDIR:
		return CANH_EINVAL;
	default:
		return CANH_EIO;
	}
}

/* One input: NULL for standard input. Returns 0 or an exit status. */
static int do_input(struct matcher *m, const char *path)
{
	struct canh_cli *c = m->c;
	const char *shown = path ? path : "-";
	uint64_t lineno = 0;
	struct stat st;
	int fd = 0;

	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		struct canh_errmsg em;
		canh_errmsg_set(&em, CANH_EIO, "%s", strerror(errno));
		canh_cli_error(c, M_ERR_READ_FILE, path,
			       canh_cli_file_reason(c, errno_code(errno), &em));
		return CANH_CLI_EXIT_USAGE;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		canh_cli_error(c, M_ERR_READ_FILE, shown, canh_cli_tr(c, M_WHY_NOT_REGULAR));
		if (path)
			close(fd);
		return CANH_CLI_EXIT_USAGE;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
			do_block(m, path, &lineno, map, (size_t)st.st_size);
			munmap(map, (size_t)st.st_size);
			if (path)
				close(fd);
			return 0;
		}
	}
	/* A pipe, a terminal, or a file that cannot be mapped: blocks, carrying the partial line.
	 */
	size_t cap = READ_BLOCK, have = 0;
	char *buf = canh_xmalloc(cap);
	int status = 0;
	for (;;) {
		if (have == cap) {
			if (cap >= MAX_LINE) {
				canh_cli_error(c, M_INTEL_MATCH_ERR_LONG_LINE, shown,
					       (unsigned long long)lineno + 1, MAX_LINE >> 20);
				status = CANH_CLI_EXIT_USAGE;
				break;
			}
			cap *= 2;
			buf = canh_xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			struct canh_errmsg em;
			canh_errmsg_set(&em, CANH_EIO, "%s", strerror(errno));
			canh_cli_error(c, M_ERR_READ_FILE, shown,
				       canh_cli_file_reason(c, CANH_EIO, &em));
			status = CANH_CLI_EXIT_USAGE;
			break;
		}
		if (r == 0) {
			if (have)
				do_block(m, path, &lineno, buf, have);
			break;
		}
		size_t scan_from = have;
		have += (size_t)r;
		/* Whole lines now; the tail waits for the next read. */
		const char *last_nl = NULL;
		for (size_t k = have; k > scan_from; k--)
			if (buf[k - 1] == '\n') {
				last_nl = buf + k - 1;
				break;
			}
		if (!last_nl)
			continue;
		size_t whole = (size_t)(last_nl - buf) + 1;
		do_block(m, path, &lineno, buf, whole);
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
	free(buf);
	if (path)
		close(fd);
	return status;
}

int canh_cli_intel_match(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct matcher m;
	const char **inputs;
	size_t ninputs = 0;
	int id, st, status = 0;

	memset(&m, 0, sizeof(m));
	m.c = c;
	inputs = canh_xcalloc((size_t)argc + 1, sizeof(*inputs));
	canh_cli_opt_init(&p, argc, argv, first, match_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_INTEL_MATCH, &id, &st)) {
			free(inputs);
			return st;
		}
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL) {
			inputs[ninputs++] = strcmp(p.value, "-") == 0 ? NULL : p.value;
		} else if (id == O_LIST) {
			if (m.nlists == MAX_LISTS) {
				free(inputs);
				return canh_cli_usage_error(c, M_INTEL_MATCH_ERR_MANY_LISTS,
							    MAX_LISTS);
			}
			m.lists[m.nlists++] = p.value;
		} else if (id == O_WHY) {
			m.why = true;
		} else if (id == O_INVERT) {
			m.invert = true;
		} else if (id == O_COUNT) {
			m.count = true;
		}
	}
	if (m.nlists == 0) {
		free(inputs);
		return canh_cli_usage_error(c, M_INTEL_MATCH_ERR_NO_LIST);
	}
	m.json = c->json != 0;
	m.keep_info = (m.why || m.json) && !m.count && !m.invert;
	init_classes();
	if ((status = load_lists(&m)) != 0)
		goto out;

	m.out = canh_xmalloc(OUT_BLOCK);
	m.chunk = canh_xmalloc(sizeof(*m.chunk));
	m.chunk->nlines = m.chunk->ncands = m.chunk->nv6 = m.chunk->n4 = 0;
	m.names = ninputs > 1 && !m.json;
	if (ninputs == 0)
		status = do_input(&m, NULL);
	for (size_t i = 0; i < ninputs && status == 0; i++)
		status = do_input(&m, inputs[i]);
	if (m.count) {
		if (m.json) {
			out_str(&m, "{\"count\":");
			out_u64(&m, m.nout);
			out_str(&m, "}\n");
		} else {
			out_u64(&m, m.nout);
			out_put(&m, "\n", 1);
		}
	}
	out_flush(&m);
	if (fflush(c->out) != 0)
		m.write_failed = true;
	if (m.write_failed) {
		canh_cli_error(c, M_INTEL_MATCH_ERR_WRITE, strerror(errno));
		status = CANH_CLI_EXIT_USAGE;
	}
	if (status == 0 && !m.any)
		status = CANH_CLI_EXIT_FAIL;
out:
	canh_ipset_builder_free(m.b);
	canh_ipset_free(m.set);
	free(m.info);
	free(m.arena);
	free(m.out);
	free(m.chunk);
	free(inputs);
	return status;
}
