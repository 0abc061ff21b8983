/*
 * Decoders: the context, time stamps, the syslog header, format sniffing and
 * dispatch (canh/decode.h). Message decoders are in decode_linux.c, the file
 * formats in decode_web.c, decode_auditd.c and decode_json.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "canh/decode.h"
#include "canh/error.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "decode_internal.h"

struct canh__decode_fields canh__df;
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void fields_init_once(void)
{
#define CANH_DECODE_FIELD_INIT(m, name) canh__df.m = canh_field_id(name);
	CANH_DECODE_FIELDS(CANH_DECODE_FIELD_INIT)
#undef CANH_DECODE_FIELD_INIT
}

void canh__decode_fields_init(void)
{
	pthread_once(&fields_once, fields_init_once);
}

static const char *const format_names[CANH_LOG_FORMAT_COUNT] = {
    [CANH_LOG_AUTO] = "auto",
    [CANH_LOG_SYSLOG] = "syslog",
    [CANH_LOG_JOURNAL_JSON] = "journal-json",
    [CANH_LOG_ACCESS] = "access",
    [CANH_LOG_WEB_ERROR] = "web-error",
    [CANH_LOG_AUDITD] = "auditd",
    [CANH_LOG_WINDOWS_JSON] = "windows-json",
    [CANH_LOG_ZIMBRA] = "zimbra",
    [CANH_LOG_ROUNDCUBE] = "roundcube",
};

int canh_log_format_parse(const char *name, enum canh_log_format *out)
{
	for (int i = 0; i < CANH_LOG_FORMAT_COUNT; i++) {
		if (name && strcmp(name, format_names[i]) == 0) {
			*out = (enum canh_log_format)i;
			return 0;
		}
	}
	return CANH_EINVAL;
}

const char *canh_log_format_name(enum canh_log_format fmt)
{
	return (unsigned)fmt < CANH_LOG_FORMAT_COUNT ? format_names[fmt] : "?";
}

void canh_decoder_init(struct canh_decoder_ctx *ctx)
{
	canh__decode_fields_init();
	memset(ctx, 0, sizeof(*ctx));
	ctx->tz_offset_min = 7 * 60;
	ctx->audit_timeout_ms = 2000;
	ctx->out_group = -1;
	ctx->scratch = canh_xmalloc(2 * (CANH_DECODE_LINE_MAX + 16));
}

void canh_decoder_release(struct canh_decoder_ctx *ctx)
{
	if (!ctx)
		return;
	canh__audit_release(ctx);
	free(ctx->scratch);
	ctx->scratch = NULL;
}

int canh_tz_parse(const char *s, int *out_min)
{
	if (!s)
		return CANH_EINVAL;
	if (strcmp(s, "Asia/Ho_Chi_Minh") == 0 || strcmp(s, "Asia/Saigon") == 0 ||
	    strcmp(s, "Asia/Bangkok") == 0 || strcmp(s, "Asia/Jakarta") == 0) {
		*out_min = 420;
		return 0;
	}
	if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "Etc/UTC") == 0 ||
	    strcmp(s, "GMT") == 0) {
		*out_min = 0;
		return 0;
	}
	if (strcmp(s, "Asia/Singapore") == 0 || strcmp(s, "Asia/Shanghai") == 0 ||
	    strcmp(s, "Asia/Manila") == 0 || strcmp(s, "Asia/Kuala_Lumpur") == 0) {
		*out_min = 480;
		return 0;
	}
	if (strcmp(s, "Asia/Tokyo") == 0 || strcmp(s, "Asia/Seoul") == 0) {
		*out_min = 540;
		return 0;
	}
	const char *p = s;
	if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0)
		p += 3;
	if (*p != '+' && *p != '-')
		return CANH_EINVAL;
	int sign = *p == '-' ? -1 : 1;
	p++;
	int h = 0, m = 0, nd = 0;
	while (*p >= '0' && *p <= '9' && nd < 2) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0)
		return CANH_EINVAL;
	if (*p == ':')
		p++;
	if (*p) {
		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') || p[2])
			return CANH_EINVAL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (h > 14 || m > 59)
		return CANH_EINVAL;
	*out_min = sign * (h * 60 + m);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int year_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return (int)(y + (m <= 2));
}

int64_t canh_civil_to_ms(int year, int mon, int day, int h, int m, int s, int ms, int tz_min)
{
	int64_t days = days_from_civil(year, (unsigned)mon, (unsigned)day);
	return ((days * 86400 + h * 3600 + m * 60 + s) - (int64_t)tz_min * 60) * 1000 + ms;
}

int canh_syslog_year(int64_t ref_ms, int tz_min, int mon, int day, int h, int m, int s)
{
	int64_t local = ref_ms + (int64_t)tz_min * 60000;
	int64_t days = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
	int y = year_from_days(days);
	for (int cand = y + 1; cand >= y - 1; cand--) {
		int64_t t = canh_civil_to_ms(cand, mon, day, h, m, s, 0, tz_min);
		if (t <= ref_ms + 86400000)
			return cand;
	}
	return y - 1;
}

const char *canh__rfind(const char *p, size_t n, const char *needle, size_t nl)
{
	if (nl == 0 || n < nl)
		return NULL;
	for (size_t i = n - nl + 1; i-- > 0;) {
		if (p[i] == needle[0] && memcmp(p + i, needle, nl) == 0)
			return p + i;
	}
	return NULL;
}

bool canh__looks_ip(const char *p, size_t n)
{
	if (n < 2 || n > 45)
		return false;
	bool colon = false, dot = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ':')
			colon = true;
		else if (c == '.')
			dot = true;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F')))
			return false;
	}
	return colon || dot;
}

int canh__month(const char *p)
{
	switch (p[0]) {
	case 'J':
		if (p[1] == 'a' && p[2] == 'n')
			return 1;
		if (p[1] == 'u' && p[2] == 'n')
			return 6;
		if (p[1] == 'u' && p[2] == 'l')
			return 7;
		return 0;
	case 'F':
		return p[1] == 'e' && p[2] == 'b' ? 2 : 0;
	case 'M':
		if (p[1] == 'a' && p[2] == 'r')
			return 3;
		return p[1] == 'a' && p[2] == 'y' ? 5 : 0;
	case 'A':
		if (p[1] == 'p' && p[2] == 'r')
			return 4;
		return p[1] == 'u' && p[2] == 'g' ? 8 : 0;
	case 'S':
		return p[1] == 'e' && p[2] == 'p' ? 9 : 0;
	case 'O':
		return p[1] == 'c' && p[2] == 't' ? 10 : 0;
	case 'N':
		return p[1] == 'o' && p[2] == 'v' ? 11 : 0;
	case 'D':
		return p[1] == 'e' && p[2] == 'c' ? 12 : 0;
	default:
		return 0;
	}
}

static inline bool dig(char c)
{
	return c >= '0' && c <= '9';
}

static inline int d2(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Optional ".frac" at p: milliseconds; *used bytes consumed. */
static int parse_frac(const char *p, size_t n, size_t *used)
{
	*used = 0;
	if (n < 2 || (p[0] != '.' && p[0] != ',') || !dig(p[1]))
		return 0;
	int ms = 0, k = 0;
	size_t i = 1;
	while (i < n && dig(p[i])) {
		if (k < 3) {
			ms = ms * 10 + (p[i] - '0');
			k++;
		}
		i++;
	}
	while (k++ < 3)
		ms *= 10;
	*used = i;
	return ms;
}

size_t canh__parse_iso(const char *p, size_t n, int tz_default_min, int64_t *ms)
{
	if (n < 19 || !dig(p[0]) || !dig(p[1]) || !dig(p[2]) || !dig(p[3]) || p[4] != '-' ||
	    !dig(p[5]) || !dig(p[6]) || p[7] != '-' || !dig(p[8]) || !dig(p[9]) ||
	    (p[10] != 'T' && p[10] != ' ') || !dig(p[11]) || !dig(p[12]) || p[13] != ':' ||
	    !dig(p[14]) || !dig(p[15]) || p[16] != ':' || !dig(p[17]) || !dig(p[18]))
		return 0;
	int y = d2(p) * 100 + d2(p + 2), mo = d2(p + 5), d = d2(p + 8);
	int h = d2(p + 11), mi = d2(p + 14), s = d2(p + 17);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return 0;
	size_t i = 19, used;
	int frac = parse_frac(p + i, n - i, &used);
	i += used;
	int tz = tz_default_min;
	if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
		tz = 0;
		i++;
	} else if (i + 3 <= n && (p[i] == '+' || p[i] == '-') && dig(p[i + 1]) && dig(p[i + 2])) {
		int sign = p[i] == '-' ? -1 : 1;
		int th = d2(p + i + 1), tm = 0;
		size_t j = i + 3;
		if (j < n && p[j] == ':')
			j++;
		if (j + 2 <= n && dig(p[j]) && dig(p[j + 1])) {
			tm = d2(p + j);
			j += 2;
		}
		tz = sign * (th * 60 + tm);
		i = j;
	}
	*ms = canh_civil_to_ms(y, mo, d, h, mi, s, frac, tz);
	return i;
}

static int64_t ref_time(const struct canh_decoder_ctx *ctx, const struct canh_log_source *src)
{
	if (src && src->recv_ms)
		return src->recv_ms;
	if (src && src->mtime_ms)
		return src->mtime_ms;
	if (ctx->ref_ms)
		return ctx->ref_ms;
	return canh_now_ms();
}

/*
 * "Mmm dd [yyyy ]hh:mm:ss[.frac] " at p (RFC 3164 and its variants);
 * returns bytes used (after the space) or 0.
 */
static size_t parse_bsd_time(struct canh_decoder_ctx *ctx, const char *p, size_t n, int64_t *ms)
{
	if (n < 16)
		return 0;
	int mon = canh__month(p);
	if (!mon || p[3] != ' ')
		return 0;
	size_t i = 4;
	if (p[i] == ' ')
		i++;
	int day = 0;
	if (!dig(p[i]))
		return 0;
	while (i < n && dig(p[i]) && day < 100)
		day = day * 10 + (p[i++] - '0');
	if (i >= n || p[i] != ' ' || day < 1 || day > 31)
		return 0;
	i++;
	int year = 0;
	if (i + 5 <= n && dig(p[i]) && dig(p[i + 1]) && dig(p[i + 2]) && dig(p[i + 3]) &&
	    p[i + 4] == ' ') {
		year = d2(p + i) * 100 + d2(p + i + 2);
		i += 5;
	}
	if (i + 8 > n || !dig(p[i]) || !dig(p[i + 1]) || p[i + 2] != ':' || !dig(p[i + 3]) ||
	    !dig(p[i + 4]) || p[i + 5] != ':' || !dig(p[i + 6]) || !dig(p[i + 7]))
		return 0;
	int h = d2(p + i), mi = d2(p + i + 3), s = d2(p + i + 6);
	if (h > 23 || mi > 59 || s > 60)
		return 0;
	i += 8;
	size_t used;
	int frac = parse_frac(p + i, n - i, &used);
	i += used;
	if (i >= n || p[i] != ' ')
		return 0;
	if (!year) {
		/* Lines of one source share the reference: cache the year per date. */
		int64_t ref = ref_time(ctx, ctx->src);
		int md = mon * 32 + day;
		if (ref == ctx->ycache_ref && md == ctx->ycache_md &&
		    ctx->tz_offset_min == ctx->ycache_tz) {
			year = ctx->ycache_year;
		} else {
			year = canh_syslog_year(ref, ctx->tz_offset_min, mon, day, h, mi, s);
			/* Cacheable when the whole day gives the same year. */
			if (canh_syslog_year(ref, ctx->tz_offset_min, mon, day, 0, 0, 0) == year &&
			    canh_syslog_year(ref, ctx->tz_offset_min, mon, day, 23, 59, 60) ==
				year) {
				ctx->ycache_ref = ref;
				ctx->ycache_md = md;
				ctx->ycache_tz = ctx->tz_offset_min;
				ctx->ycache_year = year;
			}
		}
	}
	*ms = canh_civil_to_ms(year, mon, day, h, mi, s, frac, ctx->tz_offset_min);
	return i + 1;
}

static inline const char *word_end(const char *p, const char *e)
{
	while (p < e && *p != ' ')
		p++;
	return p;
}

static const char *const fac_names[24] = {
    "kern",   "user",	"mail",	    "daemon", "auth",	"syslog", "lpr",    "news",
    "uucp",   "cron",	"authpriv", "ftp",    "ntp",	"audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};
static const char *const sev_names[8] = {"emerg",   "alert",  "crit", "err",
					 "warning", "notice", "info", "debug"};

/* The base name of the source path: is it an auth log? */
static bool auth_file(const struct canh_log_source *src)
{
	if (!src || !src->path)
		return false;
	const char *b = strrchr(src->path, '/');
	b = b ? b + 1 : src->path;
	return strncmp(b, "auth.log", 8) == 0 || strncmp(b, "secure", 6) == 0;
}

/* Tag "prog[pid]:" at p; sets prog and pid, returns the message start or NULL. */
static const char *parse_tag(const char *p, const char *e, const char **prog, size_t *plen,
			     const char **pid, size_t *pidlen)
{
	const char *q = p;
	while (q < e && *q != '[' && *q != ':' && *q != ' ')
		q++;
	if (q == p || q >= e)
		return NULL;
	*prog = p;
	*plen = (size_t)(q - p);
	*pid = NULL;
	*pidlen = 0;
	if (*q == '[') {
		const char *r = q + 1;
		while (r < e && *r != ']')
			r++;
		if (r >= e)
			return NULL;
		*pid = q + 1;
		*pidlen = (size_t)(r - q - 1);
		q = r + 1;
	}
	if (q < e && *q == ':') {
		q++;
	} else if (!*pid) {
		return NULL;
	}
	if (q < e && *q == ' ')
		q++;
	return q;
}

static void decode_syslog(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			  size_t n)
{
	const struct canh__decode_fields *F = &canh__df;
	const char *e = p + n, *s = p;
	int pri = -1;
	int64_t t = 0;
	if (s < e && *s == '<') {
		const char *q = s + 1;
		int v = 0;
		while (q < e && dig(*q) && v < 1000)
			v = v * 10 + (*q++ - '0');
		if (q < e && *q == '>' && q > s + 1 && v < 192) {
			pri = v;
			s = q + 1;
		}
	}
	if (pri >= 0) {
		dputs(ev, F->Facility, fac_names[pri >> 3]);
		dputs(ev, F->Severity, sev_names[pri & 7]);
	}
	const char *host = NULL, *prog = NULL, *pid = NULL, *msg = NULL;
	size_t hlen = 0, plen = 0, pidlen = 0;
	if (pri >= 0 && e - s >= 2 && s[0] == '1' && s[1] == ' ') {
		/* RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD
		 * [SP MSG] */
		const char *f[5], *fe[5];
		const char *q = s + 2;
		for (int i = 0; i < 5; i++) {
			f[i] = q;
			fe[i] = word_end(q, e);
			q = fe[i] < e ? fe[i] + 1 : e;
		}
		if (!(fe[0] - f[0] == 1 && f[0][0] == '-'))
			canh__parse_iso(f[0], (size_t)(fe[0] - f[0]), 0, &t);
		if (!(fe[1] - f[1] == 1 && f[1][0] == '-')) {
			host = f[1];
			hlen = (size_t)(fe[1] - f[1]);
		}
		if (!(fe[2] - f[2] == 1 && f[2][0] == '-')) {
			prog = f[2];
			plen = (size_t)(fe[2] - f[2]);
		}
		if (!(fe[3] - f[3] == 1 && f[3][0] == '-')) {
			pid = f[3];
			pidlen = (size_t)(fe[3] - f[3]);
		}
		if (!(fe[4] - f[4] == 1 && f[4][0] == '-'))
			dput(ev, F->MsgId, f[4], (size_t)(fe[4] - f[4]));
		/* Structured data: "-" or [..][..] with quoted values that may hold ']'. */
		if (q < e && *q == '-') {
			q++;
		} else {
			while (q < e && *q == '[') {
				bool quoted = false;
				while (q < e) {
					char c = *q++;
					if (c == '\\' && q < e) {
						q++;
					} else if (c == '"') {
						quoted = !quoted;
					} else if (c == ']' && !quoted) {
						break;
					}
				}
			}
		}
		if (q < e && *q == ' ')
			q++;
		if (e - q >= 3 && (unsigned char)q[0] == 0xEF && (unsigned char)q[1] == 0xBB &&
		    (unsigned char)q[2] == 0xBF)
			q += 3;
		msg = q;
	} else {
		size_t used = 0;
		if (s < e && dig(*s)) {
			used = canh__parse_iso(s, (size_t)(e - s), ctx->tz_offset_min, &t);
			if (used && s + used < e && s[used] == ' ')
				used++;
		} else {
			used = parse_bsd_time(ctx, s, (size_t)(e - s), &t);
		}
		s += used;
		/* HOSTNAME unless the next word is already the tag ("sshd[1]:" / "kernel:"). */
		const char *we = word_end(s, e);
		if (we > s && we < e && we[-1] != ':' && we[-1] != ']' && used) {
			host = s;
			hlen = (size_t)(we - s);
			s = we + 1;
		}
		msg = parse_tag(s, e, &prog, &plen, &pid, &pidlen);
		if (!msg) {
			prog = NULL;
			plen = 0;
			msg = s;
		}
	}
	ev->time_ms = t;
	if (host && hlen)
		(void)canh_event_set_host(ev, host, hlen);
	if (pid && pidlen)
		dput(ev, F->ProcessId, pid, pidlen);
	size_t mlen = (size_t)(e - msg);
	if (prog && plen) {
		dput(ev, F->Program, prog, plen);
		canh__decode_program(ctx, ev, prog, plen, msg, mlen);
	} else {
		dput(ev, F->Message, msg, mlen);
	}
	/* Programs without a decoder of their own: the file says auth or syslog. */
	if (!ev->product[0])
		canh_event_set_logsource(ev, "linux", auth_file(ctx->src) ? "auth" : "syslog",
					 NULL);
}

/* Which format is this line in? Cheap: the first bytes decide. */
static enum canh_log_format sniff(const char *p, size_t n)
{
	if (n == 0)
		return CANH_LOG_SYSLOG;
	switch (p[0]) {
	case '{': {
		size_t k = n < 4096 ? n : 4096;
		/* journald's own fields first: a MESSAGE may quote a Windows event. */
		if (FIND(p, k, "\"__REALTIME_TIMESTAMP\"") || FIND(p, k, "\"__CURSOR\""))
			return CANH_LOG_JOURNAL_JSON;
		if (FIND(p, k, "\"Event\"") || FIND(p, k, "\"winlog\"") ||
		    FIND(p, k, "\"EventID\""))
			return CANH_LOG_WINDOWS_JSON;
		return CANH_LOG_JOURNAL_JSON;
	}
	case '<':
		return CANH_LOG_SYSLOG;
	case 't':
		if (HAS(p, n, "type="))
			return CANH_LOG_AUDITD;
		break;
	case 'n':
		if (HAS(p, n, "node=") && FIND(p, n < 256 ? n : 256, " type="))
			return CANH_LOG_AUDITD;
		break;
	case '[':
		if (n > 12 && dig(p[1]) && dig(p[2]) && p[3] == '-')
			return CANH_LOG_ROUNDCUBE;
		if (n > 30 && FIND(p, n < 40 ? n : 40, "] ["))
			return CANH_LOG_WEB_ERROR;
		break;
	default:
		break;
	}
	if (n > 20 && dig(p[0]) && dig(p[3])) {
		if (p[4] == '/' && p[7] == '/' && p[10] == ' ')
			return CANH_LOG_WEB_ERROR;
		if (p[4] == '-' && p[10] == ' ' && p[19] == ',')
			return CANH_LOG_ZIMBRA;
		if (p[4] == '-' && p[10] == 'T')
			return CANH_LOG_SYSLOG;
	}
	if (n > 4 && canh__month(p) && p[3] == ' ')
		return CANH_LOG_SYSLOG;
	/* Access logs: "[vhost ]client ident user [dd/Mon/yyyy:hh:mm:ss zone] \"...". */
	size_t k = n < 300 ? n : 300;
	const char *b = memchr(p, '[', k);
	if (b && b > p && b[-1] == ' ' && (size_t)(b - p) + 22 < n && b[3] == '/' && b[7] == '/' &&
	    b[12] == ':')
		return CANH_LOG_ACCESS;
	return CANH_LOG_SYSLOG;
}

static void set_host_default(struct canh_event *ev, const struct canh_log_source *src)
{
	if (ev->host_len == 0 && src && src->host)
		(void)canh_event_set_host(ev, src->host, strlen(src->host));
}

int canh_decode_line(struct canh_decoder_ctx *ctx, const char *line, size_t len,
		     enum canh_log_format fmt, const struct canh_log_source *src,
		     struct canh_event *ev)
{
	canh_event_reset(ev);
	ctx->stats.lines++;
	ctx->src = src;
	/* A new line abandons what was not handed out of the previous one. */
	while (canh__audit_next(ctx, NULL) == CANH_DECODE_EVENT)
		;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	size_t n = len > CANH_DECODE_LINE_MAX ? CANH_DECODE_LINE_MAX : len;
	if (n == 0) {
		ctx->stats.skipped++;
		return CANH_DECODE_SKIP;
	}
	if (fmt == CANH_LOG_AUTO || (unsigned)fmt >= CANH_LOG_FORMAT_COUNT)
		fmt = sniff(line, n);
	int rc = CANH_DECODE_EVENT;
	canh_event_set_raw(ev, line, len);
	switch (fmt) {
	case CANH_LOG_JOURNAL_JSON:
		rc = canh__decode_journal(ctx, ev, line, n);
		break;
	case CANH_LOG_ACCESS:
		canh__decode_access(ctx, ev, line, n);
		break;
	case CANH_LOG_WEB_ERROR:
		canh__decode_web_error(ctx, ev, line, n);
		break;
	case CANH_LOG_AUDITD:
		rc = canh__audit_line(ctx, ev, line, n);
		break;
	case CANH_LOG_WINDOWS_JSON:
		rc = canh__decode_windows(ctx, ev, line, n);
		break;
	case CANH_LOG_ZIMBRA:
		canh__decode_zimbra(ctx, ev, line, n);
		break;
	case CANH_LOG_ROUNDCUBE:
		canh__decode_roundcube(ctx, ev, line, n);
		break;
	default:
		decode_syslog(ctx, ev, line, n);
		break;
	}
	if (rc == CANH_DECODE_EVENT) {
		set_host_default(ev, src);
		if (!ev->time_ms && src && src->recv_ms)
			ev->time_ms = src->recv_ms;
		ctx->stats.events++;
	} else {
		ctx->stats.skipped++;
	}
	return rc;
}

int canh_decode_next(struct canh_decoder_ctx *ctx, struct canh_event *ev)
{
	int rc = canh__audit_next(ctx, ev);
	if (rc == CANH_DECODE_EVENT) {
		set_host_default(ev, ctx->src);
		ctx->stats.events++;
	}
	return rc;
}

int canh_decode_expire(struct canh_decoder_ctx *ctx, int64_t now_ms)
{
	return canh__audit_expire(ctx, now_ms, false, true);
}

int canh_decode_finish(struct canh_decoder_ctx *ctx, struct canh_event *ev)
{
	if (ctx->nready == 0 && ctx->out_group < 0)
		canh__audit_expire(ctx, 0, true, false);
	return canh_decode_next(ctx, ev);
}
