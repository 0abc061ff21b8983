/*
 * auditd: records of one kernel event (msg=audit(time:serial)) joined in a
 * bounded table, then handed out as one event per record and a joined
 * process_creation / network_connection event (canh/decode.h says when).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/decode.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "decode_internal.h"

#define F (&canh__df)
/* One extra slot: a full table evicts its oldest group and still takes the new one. */
#define NSLOTS (CANH_AUDIT_GROUPS_MAX + 1)

enum { G_FREE = 0, G_OPEN, G_READY };

struct canh_audit_group {
	int state;
	uint64_t serial;
	int64_t ms;   /* the audit time of the group */
	int64_t seen; /* the newest audit time of the stream when a record last joined */
	int64_t wall; /* wall clock when a record last joined */
	char *buf;    /* record lines, each followed by '\n' */
	size_t len, cap;
	uint32_t off[CANH_AUDIT_RECORDS_MAX], rlen[CANH_AUDIT_RECORDS_MAX];
	unsigned nrec;
};

struct hdr {
	const char *type, *body, *node;
	size_t tlen, nlen;
	int64_t ms;
	uint64_t serial;
};

static inline bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* "[node=N ]type=T msg=audit(S.MS:SERIAL): body" */
static bool parse_hdr(const char *p, size_t n, struct hdr *h)
{
	const char *e = p + n;
	memset(h, 0, sizeof(*h));
	if (HAS(p, n, "node=")) {
		h->node = p + 5;
		const char *s = memchr(p, ' ', n);
		if (!s)
			return false;
		h->nlen = (size_t)(s - h->node);
		p = s + 1;
	}
	if (!HAS(p, (size_t)(e - p), "type="))
		return false;
	h->type = p + 5;
	const char *s = memchr(h->type, ' ', (size_t)(e - h->type));
	if (!s)
		return false;
	h->tlen = (size_t)(s - h->type);
	const char *a = FIND(s, (size_t)(e - s), "msg=audit(");
	if (!a)
		return false;
	a += 10;
	int64_t sec = 0;
	while (a < e && isdig(*a) && sec < 100000000000LL)
		sec = sec * 10 + (*a++ - '0');
	int ms = 0, k = 0;
	if (a < e && *a == '.') {
		a++;
		while (a < e && isdig(*a)) {
			if (k++ < 3)
				ms = ms * 10 + (*a - '0');
			a++;
		}
	}
	while (k++ < 3)
		ms *= 10;
	if (a >= e || *a != ':')
		return false;
	a++;
	uint64_t ser = 0;
	while (a < e && isdig(*a) && ser < (1ull << 60))
		ser = ser * 10 + (uint64_t)(*a++ - '0');
	if (a >= e || *a != ')')
		return false;
	a++;
	if (a < e && *a == ':')
		a++;
	h->ms = sec * 1000 + ms;
	h->serial = ser;
	h->body = a;
	return true;
}

static bool type_is(const struct hdr *h, const char *t)
{
	size_t l = strlen(t);
	return h->tlen == l && memcmp(h->type, t, l) == 0;
}

/* Records that belong to a syscall event (and wait for its EOE). */
static bool grouped(const struct hdr *h)
{
	static const char *const t[] = {"SYSCALL",  "EXECVE",  "CWD",	      "PATH", "PROCTITLE",
					"SOCKADDR", "FD_PAIR", "BPRM_FCAPS",  "MMAP", "IPC",
					"OBJ_PID",  "CAPSET",  "KERN_MODULE", "EOE"};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (type_is(h, t[i]))
			return true;
	return false;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Fields whose values auditd hex-encodes when they hold spaces, quotes or control bytes. */
static bool encodable(const char *k, size_t kl, bool execve)
{
	if (execve && kl >= 2 && k[0] == 'a' && isdig(k[1])) {
		for (size_t i = 1; i < kl; i++)
			if (!isdig(k[i]))
				return false;
		return true;
	}
	static const char *const names[] = {"proctitle", "name", "cwd", "comm", "exe",
					    "cmd",	 "acct", "key", "data", "path"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == kl && memcmp(names[i], k, kl) == 0)
			return true;
	return false;
}

typedef void (*kv_fn)(void *arg, const char *k, size_t kl, const char *v, size_t vl);

static void parse_fields(struct canh_decoder_ctx *ctx, const char *p, const char *e, bool execve,
			 bool proctitle, kv_fn fn, void *arg, int depth)
{
	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\x1d' || *p == ':' || *p == ','))
			p++;
		const char *k = p;
		while (p < e && *p != '=' && *p != ' ' && *p != '\x1d')
			p++;
		if (p >= e || *p != '=')
			continue;
		size_t kl = (size_t)(p - k);
		p++;
		if (p < e && (*p == '"' || *p == '\'')) {
			char q = *p++;
			const char *v = p;
			while (p < e && *p != q)
				p++;
			size_t vl = (size_t)(p - v);
			if (p < e)
				p++;
			if (q == '\'' && depth == 0)
				parse_fields(ctx, v, v + vl, execve, proctitle, fn, arg, 1);
			else
				fn(arg, k, kl, v, vl);
			continue;
		}
		const char *v = p;
		while (p < e && *p != ' ' && *p != '\x1d')
			p++;
		/* Inside msg='...' user-space programs write unquoted words: "op=adding user id=1".
		 */
		while (depth > 0 && p < e && *p == ' ') {
			const char *w = p + 1, *we = w;
			while (we < e && *we != ' ' && *we != '=')
				we++;
			if (we == w || (we < e && *we == '='))
				break;
			p = we;
		}
		size_t vl = (size_t)(p - v);
		if (vl >= 2 && vl % 2 == 0 && vl / 2 <= CANH_DECODE_LINE_MAX &&
		    encodable(k, kl, execve)) {
			bool hex = true;
			for (size_t i = 0; i < vl && hex; i++)
				hex = hexv(v[i]) >= 0;
			if (hex) {
				char *o = ctx->scratch;
				size_t ol = vl / 2;
				for (size_t i = 0; i < ol; i++) {
					char c = (char)(hexv(v[2 * i]) << 4 | hexv(v[2 * i + 1]));
					if (c == '\0' && proctitle)
						c = ' ';
					o[i] = c;
				}
				while (proctitle && ol && o[ol - 1] == ' ')
					ol--;
				fn(arg, k, kl, o, ol);
				continue;
			}
		}
		fn(arg, k, kl, v, vl);
	}
}

/* A number in base b from n bytes (no sign); -1 when not a number. */
static long strtol_n(const char *v, size_t n, int b)
{
	long x = 0;
	if (n == 0 || n > 15)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = v[i] >= '0' && v[i] <= '9'   ? v[i] - '0'
			: v[i] >= 'a' && v[i] <= 'f' ? v[i] - 'a' + 10
			: v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 10
						     : 99;
		if (d >= b)
			return -1;
		x = x * b + d;
	}
	return x;
}

struct sysname {
	short nr;
	const char *name;
};
/* Syscalls rules name (SigmaHQ's auditd rules read the enriched SYSCALL field). */
static const struct sysname sys_x86_64[] = {
    {2, "open"},
    {41, "socket"},
    {42, "connect"},
    {43, "accept"},
    {44, "sendto"},
    {49, "bind"},
    {50, "listen"},
    {56, "clone"},
    {57, "fork"},
    {58, "vfork"},
    {59, "execve"},
    {62, "kill"},
    {76, "truncate"},
    {77, "ftruncate"},
    {82, "rename"},
    {83, "mkdir"},
    {84, "rmdir"},
    {86, "link"},
    {87, "unlink"},
    {88, "symlink"},
    {90, "chmod"},
    {91, "fchmod"},
    {92, "chown"},
    {99, "sysinfo"},
    {101, "ptrace"},
    {105, "setuid"},
    {106, "setgid"},
    {113, "setreuid"},
    {117, "setresuid"},
    {133, "mknod"},
    {161, "chroot"},
    {165, "mount"},
    {166, "umount2"},
    {169, "reboot"},
    {170, "sethostname"},
    {175, "init_module"},
    {176, "delete_module"},
    {257, "openat"},
    {259, "mknodat"},
    {263, "unlinkat"},
    {264, "renameat"},
    {268, "fchmodat"},
    {288, "accept4"},
    {313, "finit_module"},
    {316, "renameat2"},
    {319, "memfd_create"},
    {321, "bpf"},
    {322, "execveat"},
};
static const struct sysname sys_aarch64[] = {
    {33, "mknodat"},	   {35, "unlinkat"},	 {39, "umount2"},	 {40, "mount"},
    {56, "openat"},	   {105, "init_module"}, {106, "delete_module"}, {117, "ptrace"},
    {129, "kill"},	   {142, "reboot"},	 {146, "setuid"},	 {161, "sethostname"},
    {179, "sysinfo"},	   {198, "socket"},	 {200, "bind"},		 {202, "accept"},
    {203, "connect"},	   {220, "clone"},	 {221, "execve"},	 {273, "finit_module"},
    {279, "memfd_create"}, {280, "bpf"},	 {281, "execveat"},
};

/* SYSCALL=name for a raw SYSCALL record, from arch and the number. */
static void syscall_name(struct canh_event *ev)
{
	int sid = canh_field_lookup("SYSCALL", 7);
	if (sid >= 0 && canh_event_get(ev, sid, NULL))
		return;
	int aid = canh_field_lookup("arch", 4), nid = canh_field_lookup("syscall", 7);
	size_t al = 0, nl = 0;
	const char *a = aid >= 0 ? canh_event_get(ev, aid, &al) : NULL;
	const char *n = nid >= 0 ? canh_event_get(ev, nid, &nl) : NULL;
	if (!a || !n)
		return;
	long arch = strtol_n(a, al, 16), nr = strtol_n(n, nl, 10);
	const struct sysname *t = NULL;
	size_t tn = 0;
	if (arch == 0xc000003e) {
		t = sys_x86_64;
		tn = sizeof(sys_x86_64) / sizeof(sys_x86_64[0]);
	} else if (arch == 0xc00000b7) {
		t = sys_aarch64;
		tn = sizeof(sys_aarch64) / sizeof(sys_aarch64[0]);
	}
	for (size_t i = 0; i < tn; i++) {
		if (t[i].nr == nr) {
			(void)canh_event_set_name(ev, "SYSCALL", t[i].name, strlen(t[i].name));
			return;
		}
	}
}

/* A record as its own event: every field under its own name. */
static void put_any(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct canh_event *ev = arg;
	int id = canh_field_idn(k, kl);
	if (id >= 0)
		dput(ev, id, v, vl);
}

static void record_event(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n, const struct hdr *h)
{
	canh_event_set_logsource(ev, "linux", "auditd", NULL);
	canh_event_set_raw(ev, p, n);
	ev->time_ms = h->ms;
	if (h->node && h->nlen)
		(void)canh_event_set_host(ev, h->node, h->nlen);
	dput(ev, F->a_type, h->type, h->tlen);
	bool execve = type_is(h, "EXECVE");
	parse_fields(ctx, h->body, p + n, execve, type_is(h, "PROCTITLE"), put_any, ev, 0);
	if (type_is(h, "SYSCALL"))
		syscall_name(ev);
	if (type_is(h, "SERVICE_STOP") || type_is(h, "DAEMON_END")) {
		int id = canh_field_lookup("unit", 4);
		size_t l;
		const char *u = id >= 0 ? canh_event_get(ev, id, &l) : NULL;
		if (type_is(h, "DAEMON_END") || (u && l == 6 && memcmp(u, "auditd", 6) == 0))
			dputs(ev, F->Action, "auditd_stopped");
	}
}

/* The joined event. */
struct join {
	struct canh_decoder_ctx *ctx;
	struct canh_event *ev;
	const struct hdr *h;
	char *cmd; /* CommandLine being built from EXECVE a0..aN */
	size_t cmdlen;
	bool have_exec_args, is_execve, is_connect;
	long arch, sysno;
	char daddr[64];
	size_t daddrlen;
	unsigned dport;
	bool have_sock;
	char proctitle[1024];
	size_t ptlen;
};

static bool keyis(const char *k, size_t kl, const char *lit)
{
	return strlen(lit) == kl && memcmp(k, lit, kl) == 0;
}

static void sockaddr(struct join *j, const char *v, size_t vl)
{
	unsigned char b[32];
	size_t n = vl / 2 < sizeof(b) ? vl / 2 : sizeof(b);
	for (size_t i = 0; i < n; i++) {
		int hi = hexv(v[2 * i] >= 'a' ? (char)(v[2 * i] - 32) : v[2 * i]);
		int lo = hexv(v[2 * i + 1] >= 'a' ? (char)(v[2 * i + 1] - 32) : v[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	unsigned fam = b[0] | (unsigned)b[1] << 8;
	if (fam == 2 && n >= 8) {
		j->dport = (unsigned)b[2] << 8 | b[3];
		int l = snprintf(j->daddr, sizeof(j->daddr), "%u.%u.%u.%u", b[4], b[5], b[6], b[7]);
		j->daddrlen = (size_t)l;
		j->have_sock = true;
	} else if (fam == 10 && n >= 24) {
		j->dport = (unsigned)b[2] << 8 | b[3];
		size_t o = 0;
		for (int i = 0; i < 8; i++) {
			int l = snprintf(j->daddr + o, sizeof(j->daddr) - o, i ? ":%x" : "%x",
					 (unsigned)b[8 + 2 * i] << 8 | b[9 + 2 * i]);
			o += (size_t)l;
		}
		j->daddrlen = o;
		j->have_sock = true;
	}
}

/* execve / execveat / connect by number on the common architectures. */
static void by_number(struct join *j)
{
	switch (j->arch) {
	case 0xc000003e: /* x86_64 */
		j->is_execve |= j->sysno == 59 || j->sysno == 322;
		j->is_connect |= j->sysno == 42;
		break;
	case 0x40000003: /* i386 */
		j->is_execve |= j->sysno == 11 || j->sysno == 358;
		j->is_connect |= j->sysno == 362;
		break;
	case 0xc00000b7: /* aarch64 */
		j->is_execve |= j->sysno == 221 || j->sysno == 281;
		j->is_connect |= j->sysno == 203;
		break;
	default:
		break;
	}
}

static void put_join(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct join *j = arg;
	struct canh_event *ev = j->ev;
	const struct hdr *h = j->h;
	if (type_is(h, "SYSCALL")) {
		if (keyis(k, kl, "exe")) {
			dput(ev, F->Image, v, vl);
		} else if (keyis(k, kl, "pid")) {
			dput(ev, F->ProcessId, v, vl);
		} else if (keyis(k, kl, "ppid")) {
			dput(ev, F->ParentProcessId, v, vl);
		} else if (keyis(k, kl, "uid") || keyis(k, kl, "auid") || keyis(k, kl, "euid") ||
			   keyis(k, kl, "comm") || keyis(k, kl, "key") || keyis(k, kl, "success") ||
			   keyis(k, kl, "tty") || keyis(k, kl, "ses")) {
			put_any(ev, k, kl, v, vl);
			if (keyis(k, kl, "uid") && !canh_event_get(ev, F->User, NULL))
				dput(ev, F->User, v, vl);
		} else if (keyis(k, kl, "UID")) {
			dput(ev, F->User, v, vl);
		} else if (keyis(k, kl, "SYSCALL") || keyis(k, kl, "syscall")) {
			put_any(ev, k, kl, v, vl);
			if ((vl == 6 && memcmp(v, "execve", 6) == 0) ||
			    (vl == 8 && memcmp(v, "execveat", 8) == 0))
				j->is_execve = true;
			if (vl == 7 && memcmp(v, "connect", 7) == 0)
				j->is_connect = true;
		} else if (keyis(k, kl, "arch")) {
			put_any(ev, k, kl, v, vl);
			j->arch = strtol_n(v, vl, 16);
		}
		if (keyis(k, kl, "syscall"))
			j->sysno = strtol_n(v, vl, 10);
	} else if (type_is(h, "EXECVE")) {
		if (kl >= 2 && k[0] == 'a' && isdig(k[1]) && !memchr(k, '[', kl)) {
			char *c = j->cmd;
			if (j->cmdlen && j->cmdlen < CANH_DECODE_LINE_MAX)
				c[j->cmdlen++] = ' ';
			size_t cp = vl < CANH_DECODE_LINE_MAX - j->cmdlen
					? vl
					: CANH_DECODE_LINE_MAX - j->cmdlen;
			memcpy(c + j->cmdlen, v, cp);
			j->cmdlen += cp;
			j->have_exec_args = true;
			j->is_execve = true;
		}
	} else if (type_is(h, "CWD")) {
		if (keyis(k, kl, "cwd"))
			dput(ev, F->CurrentDirectory, v, vl);
	} else if (type_is(h, "PROCTITLE")) {
		if (keyis(k, kl, "proctitle")) {
			size_t c = vl < sizeof(j->proctitle) ? vl : sizeof(j->proctitle);
			memcpy(j->proctitle, v, c);
			j->ptlen = c;
		}
	} else if (type_is(h, "SOCKADDR")) {
		if (keyis(k, kl, "saddr"))
			sockaddr(j, v, vl);
	}
}

static void group_free(struct canh_audit_group *g)
{
	g->state = G_FREE;
	g->len = 0;
	g->nrec = 0;
}

/* Fill ev with stage `stage` of group g; false when the group has no such stage. */
static bool group_stage(struct canh_decoder_ctx *ctx, struct canh_audit_group *g, unsigned stage,
			struct canh_event *ev)
{
	struct hdr h;
	if (stage < g->nrec) {
		const char *p = g->buf + g->off[stage];
		size_t n = g->rlen[stage];
		if (!parse_hdr(p, n, &h) || type_is(&h, "EOE"))
			return false;
		canh_event_reset(ev);
		record_event(ctx, ev, p, n, &h);
		return true;
	}
	if (stage != g->nrec)
		return false;
	/* The joined event over every record. */
	canh_event_reset(ev);
	struct join j = {.ctx = ctx,
			 .ev = ev,
			 .cmd = ctx->scratch + CANH_DECODE_LINE_MAX + 16,
			 .arch = -1,
			 .sysno = -1};
	const char *node = NULL;
	size_t nlen = 0;
	for (unsigned i = 0; i < g->nrec; i++) {
		const char *p = g->buf + g->off[i];
		size_t n = g->rlen[i];
		if (!parse_hdr(p, n, &h))
			continue;
		if (h.node) {
			node = h.node;
			nlen = h.nlen;
		}
		j.h = &h;
		parse_fields(ctx, h.body, p + n, type_is(&h, "EXECVE"), type_is(&h, "PROCTITLE"),
			     put_join, &j, 0);
	}
	by_number(&j);
	if (j.have_sock && !j.is_execve) {
		/* connect(): only internet addresses make a network connection. */
		canh_event_set_logsource(ev, "linux", "", "network_connection");
		dput(ev, F->DestinationIp, j.daddr, j.daddrlen);
		canh_event_set_int(ev, F->DestinationPort, j.dport);
		dput(ev, F->Initiated, "true", 4);
	} else if (j.is_execve) {
		canh_event_set_logsource(ev, "linux", "", "process_creation");
		if (j.have_exec_args)
			dput(ev, F->CommandLine, j.cmd, j.cmdlen);
		else if (j.ptlen)
			dput(ev, F->CommandLine, j.proctitle, j.ptlen);
	} else {
		return false;
	}
	ev->time_ms = g->ms;
	if (node)
		(void)canh_event_set_host(ev, node, nlen);
	/* The raw text of the joined event: every record, newline-separated. */
	size_t rl = g->len;
	while (rl && g->buf[rl - 1] == '\n')
		rl--;
	canh_event_set_raw(ev, g->buf, rl);
	return true;
}

int canh__audit_next(struct canh_decoder_ctx *ctx, struct canh_event *ev)
{
	for (;;) {
		if (ctx->out_group < 0) {
			if (ctx->nready == 0)
				return CANH_DECODE_SKIP;
			ctx->out_group = ctx->ready[0];
			memmove(ctx->ready, ctx->ready + 1,
				(ctx->nready - 1) * sizeof(ctx->ready[0]));
			ctx->nready--;
			ctx->out_stage = 0;
		}
		struct canh_audit_group *g = &ctx->groups[ctx->out_group];
		while (ctx->out_stage <= g->nrec) {
			unsigned s = ctx->out_stage++;
			if (!ev)
				continue;
			if (group_stage(ctx, g, s, ev))
				return CANH_DECODE_EVENT;
		}
		group_free(g);
		ctx->out_group = -1;
	}
}

static void make_ready(struct canh_decoder_ctx *ctx, int i)
{
	ctx->groups[i].state = G_READY;
	if (ctx->nready < NSLOTS)
		ctx->ready[ctx->nready++] = i;
	else
		group_free(&ctx->groups[i]);
}

/*
 * Complete open groups: all of them, or those idle for more than the timeout
 * by the stream's audit time (wall false) or by the wall clock (wall true).
 */
int canh__audit_expire(struct canh_decoder_ctx *ctx, int64_t now_ms, bool all, bool wall)
{
	int n = 0;
	if (!ctx->groups)
		return 0;
	for (int i = 0; i < NSLOTS; i++) {
		struct canh_audit_group *g = &ctx->groups[i];
		if (g->state != G_OPEN)
			continue;
		int64_t idle = now_ms - (wall ? g->wall : g->seen);
		if (all || idle > ctx->audit_timeout_ms) {
			if (!all)
				ctx->stats.audit_expired++;
			make_ready(ctx, i);
			n++;
		}
	}
	return n;
}

static int open_group(struct canh_decoder_ctx *ctx, const struct hdr *h)
{
	int open = 0, free_i = -1, oldest = -1;
	for (int i = 0; i < NSLOTS; i++) {
		struct canh_audit_group *g = &ctx->groups[i];
		if (g->state == G_OPEN) {
			if (g->serial == h->serial)
				return i;
			open++;
			if (oldest < 0 || g->ms < ctx->groups[oldest].ms ||
			    (g->ms == ctx->groups[oldest].ms &&
			     g->serial < ctx->groups[oldest].serial))
				oldest = i;
		} else if (g->state == G_FREE && free_i < 0) {
			free_i = i;
		}
	}
	if (open >= CANH_AUDIT_GROUPS_MAX && oldest >= 0) {
		ctx->stats.audit_evicted_cap++;
		make_ready(ctx, oldest);
	}
	if (free_i < 0) {
		for (int i = 0; i < NSLOTS; i++)
			if (ctx->groups[i].state == G_FREE) {
				free_i = i;
				break;
			}
	}
	if (free_i < 0)
		return -1;
	struct canh_audit_group *g = &ctx->groups[free_i];
	g->state = G_OPEN;
	g->serial = h->serial;
	g->ms = h->ms;
	g->len = 0;
	g->nrec = 0;
	return free_i;
}

static void group_add(struct canh_decoder_ctx *ctx, struct canh_audit_group *g, const char *p,
		      size_t n)
{
	g->seen = ctx->audit_newest_ms;
	g->wall = canh_now_ms();
	if (g->nrec >= CANH_AUDIT_RECORDS_MAX || n + 1 > CANH_AUDIT_GROUP_BYTES - g->len) {
		ctx->stats.audit_records_dropped++;
		return;
	}
	if (g->len + n + 1 > g->cap) {
		size_t c = g->cap ? g->cap : 1024;
		while (c < g->len + n + 1)
			c *= 2;
		if (c > CANH_AUDIT_GROUP_BYTES)
			c = CANH_AUDIT_GROUP_BYTES;
		g->buf = canh_xrealloc(g->buf, c);
		g->cap = c;
	}
	g->off[g->nrec] = (uint32_t)g->len;
	g->rlen[g->nrec] = (uint32_t)n;
	g->nrec++;
	memcpy(g->buf + g->len, p, n);
	g->len += n;
	g->buf[g->len++] = '\n';
}

int canh__audit_line(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p, size_t n)
{
	struct hdr h;
	if (!parse_hdr(p, n, &h)) {
		canh_event_set_logsource(ev, "linux", "auditd", NULL);
		return CANH_DECODE_EVENT;
	}
	if (!ctx->groups)
		ctx->groups = canh_xcalloc(NSLOTS, sizeof(*ctx->groups));
	if (h.ms > ctx->audit_newest_ms)
		ctx->audit_newest_ms = h.ms;
	canh__audit_expire(ctx, ctx->audit_newest_ms, false, false);
	if (!grouped(&h)) {
		record_event(ctx, ev, p, n, &h);
		return CANH_DECODE_EVENT;
	}
	int gi = open_group(ctx, &h);
	if (gi < 0)
		return CANH_DECODE_SKIP;
	struct canh_audit_group *g = &ctx->groups[gi];
	group_add(ctx, g, p, n);
	if (type_is(&h, "EOE"))
		make_ready(ctx, gi);
	return canh__audit_next(ctx, ev);
}

void canh__audit_release(struct canh_decoder_ctx *ctx)
{
	if (!ctx->groups)
		return;
	for (int i = 0; i < NSLOTS; i++)
		free(ctx->groups[i].buf);
	free(ctx->groups);
	ctx->groups = NULL;
}
