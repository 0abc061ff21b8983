/*
 * Message decoders for syslog and journald programs: sshd, sudo, su, PAM,
 * user and group management, cron, systemd, the kernel (modules, UFW,
 * iptables LOG), Roundcube. Hand-written scanners over the message; the
 * program name is dispatched on its length, then compared.
 */
#include <stdbool.h>
#include <string.h>

#include "canh/decode.h"
#include "decode_internal.h"

#define F (&canh__df)

static inline bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

static void action(struct canh_event *ev, const char *a)
{
	dputs(ev, F->Action, a);
}

static void service(struct canh_event *ev, const char *s)
{
	canh_event_set_logsource(ev, "linux", s, NULL);
}

/* Trim trailing spaces and one final '.' */
static size_t trim_dot(const char *p, size_t n)
{
	while (n && p[n - 1] == ' ')
		n--;
	if (n && p[n - 1] == '.')
		n--;
	return n;
}

/* "IP port N..." at p: SourceIp and SourcePort; returns the end of what was read. */
static const char *ip_port(struct canh_event *ev, const char *p, const char *e)
{
	const char *q = p;
	while (q < e && *q != ' ')
		q++;
	if (q > p && canh__looks_ip(p, (size_t)(q - p)))
		dput(ev, F->SourceIp, p, (size_t)(q - p));
	if (e - q > 6 && memcmp(q, " port ", 6) == 0) {
		const char *r = q + 6;
		while (r < e && isdig(*r))
			r++;
		if (r > q + 6)
			dput(ev, F->SourcePort, q + 6, (size_t)(r - q - 6));
		q = r;
	}
	return q;
}

/* "[invalid user ]USER from IP port N ..." at p. */
static void user_from(struct canh_event *ev, const char *p, const char *e)
{
	const char *f = canh__rfind(p, (size_t)(e - p), " from ", 6);
	if (!f)
		return;
	if (HAS(p, (size_t)(e - p), "invalid user ")) {
		p += 13;
		dput(ev, F->InvalidUser, "true", 4);
	}
	if (f >= p)
		dput(ev, F->User, p, (size_t)(f - p));
	ip_port(ev, f + 6, e);
}

/*
 * The next "key=value" word of p..e (words separated by spaces; words without
 * '=' and empty values skipped) into k/kl and v/vl; false at the end.
 */
static bool next_kv(const char **pp, const char *e, const char **k, size_t *kl, const char **v,
		    size_t *vl)
{
	const char *p = *pp;

	while (p < e) {
		while (p < e && *p == ' ')
			p++;
		const char *ks = p;
		while (p < e && *p != '=' && *p != ' ')
			p++;
		if (p >= e || *p != '=')
			continue;
		const char *vs = ++p;
		while (p < e && *p != ' ')
			p++;
		if (p == vs)
			continue;
		*k = ks;
		*kl = (size_t)(vs - 1 - ks);
		*v = vs;
		*vl = (size_t)(p - vs);
		*pp = p;
		return true;
	}
	*pp = p;
	return false;
}

/* key=value pairs separated by spaces (PAM's "logname= uid=0 ... user=root"). */
static void pam_kv(struct canh_event *ev, const char *p, const char *e)
{
	const char *k, *v;
	size_t kl, vl;

	while (next_kv(&p, e, &k, &kl, &v, &vl)) {
		if (kl == 4 && memcmp(k, "user", 4) == 0)
			dput(ev, F->User, v, vl);
		else if (kl == 5 && memcmp(k, "rhost", 5) == 0 && canh__looks_ip(v, vl))
			dput(ev, F->SourceIp, v, vl);
		else if (kl == 5 && memcmp(k, "ruser", 5) == 0)
			dput(ev, F->TargetUser, v, vl);
		else if (kl == 3 && memcmp(k, "tty", 3) == 0)
			dput(ev, F->Terminal, v, vl);
		else if (kl == 3 && memcmp(k, "uid", 3) == 0)
			dput(ev, F->Uid, v, vl);
	}
}

/* "USER(uid=N)" or "USER": the name part. */
static void user_uid(struct canh_event *ev, int id, const char *p, const char *e)
{
	const char *q = p;
	while (q < e && *q != '(' && *q != ' ')
		q++;
	if (q > p)
		dput(ev, id, p, (size_t)(q - p));
	if (e - q > 5 && memcmp(q, "(uid=", 5) == 0) {
		const char *r = q + 5;
		while (r < e && isdig(*r))
			r++;
		if (id == F->User && r > q + 5)
			dput(ev, F->Uid, q + 5, (size_t)(r - q - 5));
	}
}

/* "pam_xxx(service:type): text" — returns false when it is not a PAM line. */
static bool dec_pam(struct canh_event *ev, const char *m, size_t n)
{
	if (!HAS(m, n, "pam_"))
		return false;
	const char *e = m + n, *p = m;
	const char *par = memchr(m, '(', n);
	if (!par)
		return false;
	dput(ev, F->PamModule, m, (size_t)(par - m));
	const char *colon = memchr(par, ':', (size_t)(e - par));
	const char *close = memchr(par, ')', (size_t)(e - par));
	if (!close)
		return true;
	if (colon && colon < close)
		dput(ev, F->PamService, par + 1, (size_t)(colon - par - 1));
	p = close + 1;
	if (p < e && *p == ':')
		p++;
	while (p < e && *p == ' ')
		p++;
	size_t r = (size_t)(e - p);
	if (HAS(p, r, "authentication failure;")) {
		action(ev, "pam_auth_failure");
		pam_kv(ev, p + 23, e);
	} else if (HAS(p, r, "session opened for user ")) {
		action(ev, "pam_session_opened");
		p += 24;
		user_uid(ev, F->User, p, e);
	} else if (HAS(p, r, "session closed for user ")) {
		action(ev, "pam_session_closed");
		user_uid(ev, F->User, p + 24, e);
	} else if (HAS(p, r, "password changed for ")) {
		action(ev, "password_changed");
		dput(ev, F->TargetUser, p + 21, trim_dot(p + 21, r - 21));
	} else if (HAS(p, r, "check pass; user unknown")) {
		action(ev, "pam_user_unknown");
	} else if (HAS(p, r, "account ") && FIND(p, r, " has expired")) {
		action(ev, "pam_account_expired");
	}
	return true;
}

static void dec_sshd(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "sshd");
	if (n == 0)
		return;
	switch (m[0]) {
	case 'F':
		if (HAS(m, n, "Failed ")) {
			const char *p = m + 7;
			const char *f = FIND(p, (size_t)(e - p), " for ");
			if (!f)
				return;
			action(ev, "ssh_login_failed");
			dput(ev, F->AuthMethod, p, (size_t)(f - p));
			user_from(ev, f + 5, e);
		}
		return;
	case 'A':
		if (HAS(m, n, "Accepted ")) {
			const char *p = m + 9;
			const char *f = FIND(p, (size_t)(e - p), " for ");
			if (!f)
				return;
			action(ev, "ssh_login_success");
			dput(ev, F->AuthMethod, p, (size_t)(f - p));
			user_from(ev, f + 5, e);
		}
		return;
	case 'I':
		if (HAS(m, n, "Invalid user ")) {
			action(ev, "ssh_invalid_user");
			dput(ev, F->InvalidUser, "true", 4);
			const char *p = m + 13;
			const char *f = canh__rfind(p, (size_t)(e - p), " from ", 6);
			if (HAS(m, n, "Invalid user from ")) {
				f = m + 12;
			} else if (f) {
				dput(ev, F->User, p, (size_t)(f - p));
			}
			if (f)
				ip_port(ev, f + 6, e);
		}
		return;
	case 'C':
	case 'D': {
		const char *p;
		if (HAS(m, n, "Connection closed by ")) {
			action(ev, "ssh_connection_closed");
			p = m + 21;
		} else if (HAS(m, n, "Connection reset by ")) {
			action(ev, "ssh_connection_closed");
			p = m + 20;
		} else if (HAS(m, n, "Disconnected from ")) {
			action(ev, "ssh_disconnected");
			p = m + 18;
		} else {
			return;
		}
		size_t r = (size_t)(e - p);
		bool who = false;
		if (HAS(p, r, "authenticating user ")) {
			p += 20;
			who = true;
		} else if (HAS(p, r, "invalid user ")) {
			p += 13;
			who = true;
			dput(ev, F->InvalidUser, "true", 4);
		} else if (HAS(p, r, "user ")) {
			p += 5;
			who = true;
		}
		if (who) {
			/* USER IP port N: the address is the word before " port ". */
			const char *pt = canh__rfind(p, (size_t)(e - p), " port ", 6);
			if (!pt)
				return;
			const char *ip = pt;
			while (ip > p && ip[-1] != ' ')
				ip--;
			if (ip > p)
				dput(ev, F->User, p, (size_t)(ip - 1 - p));
			p = ip;
		}
		ip_port(ev, p, e);
		return;
	}
	case 'R':
		if (HAS(m, n, "Received disconnect from ")) {
			action(ev, "ssh_disconnected");
			ip_port(ev, m + 25, e);
		}
		return;
	case 'e':
	case 'm': {
		const char *p = m;
		if (HAS(p, n, "error: "))
			p += 7;
		size_t r = (size_t)(e - p);
		if (HAS(p, r, "maximum authentication attempts exceeded for ")) {
			action(ev, "ssh_max_auth_attempts");
			user_from(ev, p + 45, e);
		} else if (HAS(p, r, "PAM: Authentication failure for ")) {
			action(ev, "ssh_login_failed");
			dput(ev, F->AuthMethod, "password", 8);
			user_from(ev, p + 32, e);
		}
		return;
	}
	case 'P':
		if (HAS(m, n, "PAM ") && FIND(m, n, "more authentication failure")) {
			action(ev, "ssh_pam_auth_failures");
			const char *p = m + 4, *q = p;
			while (q < e && isdig(*q))
				q++;
			if (q > p)
				dput(ev, F->Attempts, p, (size_t)(q - p));
			const char *semi = memchr(m, ';', n);
			if (semi)
				pam_kv(ev, semi + 1, e);
		}
		return;
	case 'U':
		if (HAS(m, n, "User ") && FIND(m, n, " not allowed because")) {
			action(ev, "ssh_user_not_allowed");
			user_from(ev, m + 5, e);
		} else if (HAS(m, n, "Unable to negotiate with ")) {
			/* Scanners offering old algorithms. */
			action(ev, "ssh_negotiation_failed");
			ip_port(ev, m + 25, e);
		}
		return;
	case 'b':
		if (HAS(m, n, "banner exchange: Connection from ")) {
			action(ev, "ssh_bad_banner");
			ip_port(ev, m + 33, e);
		}
		return;
	case 'T':
		if (HAS(m, n, "Timeout before authentication for ")) {
			action(ev, "ssh_timeout");
			const char *p = m + 34;
			if (HAS(p, (size_t)(e - p), "connection from "))
				p += 16;
			ip_port(ev, p, e);
		}
		return;
	case 'p':
		dec_pam(ev, m, n);
		return;
	default:
		return;
	}
}

/* sudo: "USER : [reason ; ]TTY=... ; PWD=... ; USER=... ; COMMAND=..." */
static void dec_sudo(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "sudo");
	if (dec_pam(ev, m, n))
		return;
	while (m < e && *m == ' ')
		m++;
	const char *sep = FIND(m, (size_t)(e - m), " : ");
	if (!sep)
		return;
	dput(ev, F->User, m, (size_t)(sep - m));
	const char *p = sep + 3;
	const char *reason = NULL;
	size_t rlen = 0;
	while (p < e) {
		const char *semi = FIND(p, (size_t)(e - p), " ; ");
		/* COMMAND= runs to the end of the line: commands may hold " ; ". */
		if (HAS(p, (size_t)(e - p), "COMMAND="))
			semi = NULL;
		const char *pe = semi ? semi : e;
		size_t pl = (size_t)(pe - p);
		if (HAS(p, pl, "TTY=")) {
			dput(ev, F->Terminal, p + 4, pl - 4);
		} else if (HAS(p, pl, "PWD=")) {
			dput(ev, F->CurrentDirectory, p + 4, pl - 4);
		} else if (HAS(p, pl, "USER=")) {
			dput(ev, F->TargetUser, p + 5, pl - 5);
		} else if (HAS(p, pl, "GROUP=")) {
			dput(ev, F->GroupName, p + 6, pl - 6);
		} else if (HAS(p, pl, "COMMAND=")) {
			const char *c = p + 8;
			dput(ev, F->CommandLine, c, pl - 8);
			const char *ce = memchr(c, ' ', pl - 8);
			dput(ev, F->Image, c, ce ? (size_t)(ce - c) : pl - 8);
		} else if (!memchr(p, '=', pl) && !reason) {
			reason = p;
			rlen = pl;
		}
		p = semi ? semi + 3 : e;
	}
	if (!reason)
		action(ev, "sudo_command");
	else if (FIND(reason, rlen, "incorrect password"))
		action(ev, "sudo_auth_failed");
	else if (FIND(reason, rlen, "NOT in sudoers"))
		action(ev, "sudo_not_in_sudoers");
	else if (FIND(reason, rlen, "command not allowed"))
		action(ev, "sudo_command_denied");
	else
		action(ev, "sudo_refused");
	if (reason) {
		const char *q = reason;
		while (q < reason + rlen && isdig(*q))
			q++;
		if (q > reason)
			dput(ev, F->Attempts, reason, (size_t)(q - reason));
	}
}

/* su: "(to root) admin on pts/0", "FAILED SU (to root) admin on pts/0", "Successful su for root by
 * admin". */
static void dec_su(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "auth");
	if (dec_pam(ev, m, n))
		return;
	const char *p = m;
	bool failed = false;
	if (HAS(p, n, "FAILED SU ")) {
		failed = true;
		p += 10;
	}
	if (HAS(p, (size_t)(e - p), "(to ")) {
		const char *c = memchr(p, ')', (size_t)(e - p));
		if (!c)
			return;
		dput(ev, F->TargetUser, p + 4, (size_t)(c - p - 4));
		p = c + 1;
		if (p < e && *p == ' ')
			p++;
		const char *on = FIND(p, (size_t)(e - p), " on ");
		dput(ev, F->User, p, on ? (size_t)(on - p) : (size_t)(e - p));
		if (on)
			dput(ev, F->Terminal, on + 4, (size_t)(e - on - 4));
		action(ev, failed ? "su_failed" : "su_session");
		return;
	}
	bool ok = HAS(m, n, "Successful su for ");
	if (ok || HAS(m, n, "FAILED su for ")) {
		p = m + (ok ? 18 : 14);
		const char *by = FIND(p, (size_t)(e - p), " by ");
		if (!by)
			return;
		dput(ev, F->TargetUser, p, (size_t)(by - p));
		dput(ev, F->User, by + 4, (size_t)(e - by - 4));
		action(ev, ok ? "su_session" : "su_failed");
	}
}

/* The text between the next pair of single quotes after p; false when none. */
static bool quoted(const char **p, const char *e, const char **s, size_t *l)
{
	const char *a = memchr(*p, '\'', (size_t)(e - *p));
	if (!a)
		return false;
	const char *b = memchr(a + 1, '\'', (size_t)(e - a - 1));
	if (!b)
		return false;
	*s = a + 1;
	*l = (size_t)(b - a - 1);
	*p = b + 1;
	return true;
}

/* "name=x, UID=1001, GID=1001, home=/home/x, shell=/bin/bash, from=/dev/pts/0" */
static void kv_comma(struct canh_event *ev, const char *p, const char *e, int name_id)
{
	while (p < e) {
		while (p < e && (*p == ' ' || *p == ','))
			p++;
		const char *k = p;
		while (p < e && *p != '=' && *p != ',')
			p++;
		if (p >= e || *p != '=')
			continue;
		size_t kl = (size_t)(p - k);
		const char *v = ++p;
		while (p < e && *p != ',')
			p++;
		size_t vl = (size_t)(p - v);
		if (kl == 4 && memcmp(k, "name", 4) == 0)
			dput(ev, name_id, v, vl);
		else if (kl == 3 && memcmp(k, "UID", 3) == 0)
			dput(ev, F->Uid, v, vl);
		else if (kl == 3 && memcmp(k, "GID", 3) == 0)
			dput(ev, F->Gid, v, vl);
		else if (kl == 4 && memcmp(k, "home", 4) == 0)
			dput(ev, F->Home, v, vl);
		else if (kl == 5 && memcmp(k, "shell", 5) == 0)
			dput(ev, F->Shell, v, vl);
		else if (kl == 4 && memcmp(k, "from", 4) == 0)
			dput(ev, F->Terminal, v, vl);
	}
}

/* useradd, groupadd, usermod, userdel, groupdel, groupmod, passwd, chpasswd, gpasswd, chage. */
static void dec_usermgmt(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n, *p = m, *s;
	size_t l;
	service(ev, "auth");
	if (dec_pam(ev, m, n))
		return;
	if (HAS(m, n, "new user: ")) {
		action(ev, "user_created");
		kv_comma(ev, m + 10, e, F->TargetUser);
	} else if (HAS(m, n, "new group: ")) {
		action(ev, "group_created");
		kv_comma(ev, m + 11, e, F->GroupName);
	} else if (HAS(m, n, "group added to ")) {
		const char *c = FIND(m, n, ": ");
		action(ev, "group_created");
		if (c)
			kv_comma(ev, c + 2, e, F->GroupName);
	} else if (HAS(m, n, "add '") || HAS(m, n, "adding user '")) {
		/* add 'x' to group 'sudo' / add 'x' to shadow group 'sudo' */
		action(ev, "user_added_to_group");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
		if (quoted(&p, e, &s, &l))
			dput(ev, F->GroupName, s, l);
	} else if (HAS(m, n, "user ") && n > 5 && FIND(m + 5, n - 5, " added by ")) {
		/* gpasswd: user x added by root to group sudo */
		const char *by = FIND(m + 5, n - 5, " added by ");
		const char *to = FIND(by, (size_t)(e - by), " to group ");
		action(ev, "user_added_to_group");
		dput(ev, F->TargetUser, m + 5, (size_t)(by - m - 5));
		if (to) {
			dput(ev, F->User, by + 10, (size_t)(to - by - 10));
			dput(ev, F->GroupName, to + 10, trim_dot(to + 10, (size_t)(e - to - 10)));
		}
	} else if (HAS(m, n, "members of group ")) {
		const char *by = FIND(m + 17, n - 17, " set by ");
		action(ev, "group_members_set");
		if (by) {
			dput(ev, F->GroupName, m + 17, (size_t)(by - m - 17));
			const char *to = FIND(by, (size_t)(e - by), " to ");
			if (to) {
				dput(ev, F->User, by + 8, (size_t)(to - by - 8));
				dput(ev, F->TargetUser, to + 4, (size_t)(e - to - 4));
			}
		}
	} else if (HAS(m, n, "delete user '")) {
		action(ev, "user_deleted");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
	} else if (HAS(m, n, "delete '")) {
		action(ev, "user_removed_from_group");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
		if (quoted(&p, e, &s, &l))
			dput(ev, F->GroupName, s, l);
	} else if (HAS(m, n, "removed group '") || HAS(m, n, "group '")) {
		if (HAS(m, n, "group '") && !FIND(m, n, "' removed"))
			return;
		action(ev, "group_deleted");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->GroupName, s, l);
	} else if (HAS(m, n, "password for '")) {
		/* passwd: password for 'x' changed by 'root' */
		action(ev, "password_changed");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
		if (quoted(&p, e, &s, &l))
			dput(ev, F->User, s, l);
	} else if (HAS(m, n, "change user '")) {
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
		if (HAS(p, (size_t)(e - p), " password"))
			action(ev, "password_changed");
		else if (HAS(p, (size_t)(e - p), " UID from ")) {
			action(ev, "user_modified");
			if (quoted(&p, e, &s, &l) && quoted(&p, e, &s, &l))
				dput(ev, F->Uid, s, l);
		} else
			action(ev, "user_modified");
	} else if (HAS(m, n, "lock user '") || HAS(m, n, "unlock user '")) {
		action(ev, m[0] == 'l' ? "user_locked" : "user_unlocked");
		if (quoted(&p, e, &s, &l))
			dput(ev, F->TargetUser, s, l);
	}
}

/* cron: "(root) CMD (command)", "(root) REPLACE (root)", "(root) BEGIN EDIT (root)". */
static void dec_cron(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "cron");
	if (dec_pam(ev, m, n))
		return;
	if (n < 3 || m[0] != '(')
		return;
	const char *c = memchr(m, ')', n);
	if (!c || c + 2 > e)
		return;
	dput(ev, F->User, m + 1, (size_t)(c - m - 1));
	const char *p = c + 1;
	if (p < e && *p == ' ')
		p++;
	size_t r = (size_t)(e - p);
	const char *arg = memchr(p, '(', r);
	const char *arge = arg ? e : NULL;
	if (arg) {
		arg++;
		arge = e;
		if (arge > arg && arge[-1] == ')')
			arge--;
	}
	if (HAS(p, r, "CMD (")) {
		action(ev, "cron_command");
		dput(ev, F->CommandLine, arg, (size_t)(arge - arg));
	} else if (HAS(p, r, "REPLACE")) {
		action(ev, "crontab_replaced");
		if (arg)
			dput(ev, F->TargetUser, arg, (size_t)(arge - arg));
	} else if (HAS(p, r, "BEGIN EDIT") || HAS(p, r, "END EDIT")) {
		action(ev, "crontab_edit");
		if (arg)
			dput(ev, F->TargetUser, arg, (size_t)(arge - arg));
	} else if (HAS(p, r, "DELETE")) {
		action(ev, "crontab_deleted");
		if (arg)
			dput(ev, F->TargetUser, arg, (size_t)(arge - arg));
	} else if (HAS(p, r, "RELOAD")) {
		action(ev, "cron_reload");
	}
}

static bool unit_suffix(const char *p, size_t n)
{
	static const char *const sfx[] = {".service", ".timer", ".socket", ".mount",
					  ".target",  ".path",	".slice",  ".scope"};
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t l = strlen(sfx[i]);
		if (n > l && memcmp(p + n - l, sfx[i], l) == 0)
			return true;
	}
	return false;
}

/* "nginx.service - A high performance web server" -> Unit "nginx.service"; else the description. */
static void set_unit(struct canh_event *ev, const char *p, size_t n)
{
	n = trim_dot(p, n);
	while (n && p[n - 1] == '.')
		n--;
	const char *d = FIND(p, n, " - ");
	if (d && unit_suffix(p, (size_t)(d - p))) {
		dput(ev, F->Unit, p, (size_t)(d - p));
		return;
	}
	dput(ev, F->Unit, p, n);
}

static void dec_systemd(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "syslog");
	if (dec_pam(ev, m, n))
		return;
	if (HAS(m, n, "Started ")) {
		action(ev, "unit_started");
		set_unit(ev, m + 8, n - 8);
	} else if (HAS(m, n, "Stopped ")) {
		action(ev, "unit_stopped");
		set_unit(ev, m + 8, n - 8);
	} else if (HAS(m, n, "Starting ")) {
		action(ev, "unit_starting");
		set_unit(ev, m + 9, n - 9);
	} else if (HAS(m, n, "Stopping ")) {
		action(ev, "unit_stopping");
		set_unit(ev, m + 9, n - 9);
	} else if (HAS(m, n, "Failed to start ")) {
		action(ev, "unit_failed");
		set_unit(ev, m + 16, n - 16);
	} else if (HAS(m, n, "Reloading")) {
		action(ev, "daemon_reload");
	} else if (HAS(m, n, "New session ")) {
		/* systemd-logind: New session 12 of user root. */
		const char *of = FIND(m, n, " of user ");
		action(ev, "session_new");
		if (of)
			dput(ev, F->User, of + 9, trim_dot(of + 9, (size_t)(e - of - 9)));
	} else {
		/* "x.service: Main process exited, code=exited, status=1/FAILURE" */
		const char *c = FIND(m, n, ": ");
		if (c && unit_suffix(m, (size_t)(c - m))) {
			dput(ev, F->Unit, m, (size_t)(c - m));
			if (FIND(c, (size_t)(e - c), "Failed with result"))
				action(ev, "unit_failed");
		}
	}
}

/* "KEY=value" words of a netfilter LOG line. */
static void nf_kv(struct canh_event *ev, const char *p, const char *e)
{
	const char *k, *v;
	size_t kl, vl;

	while (next_kv(&p, e, &k, &kl, &v, &vl)) {
		if (kl == 3 && memcmp(k, "SRC", 3) == 0)
			dput(ev, F->SourceIp, v, vl);
		else if (kl == 3 && memcmp(k, "DST", 3) == 0)
			dput(ev, F->DestinationIp, v, vl);
		else if (kl == 3 && memcmp(k, "SPT", 3) == 0)
			dput(ev, F->SourcePort, v, vl);
		else if (kl == 3 && memcmp(k, "DPT", 3) == 0)
			dput(ev, F->DestinationPort, v, vl);
		else if (kl == 5 && memcmp(k, "PROTO", 5) == 0)
			dput(ev, F->Protocol, v, vl);
		else if (kl == 2 && memcmp(k, "IN", 2) == 0)
			dput(ev, F->InterfaceIn, v, vl);
		else if (kl == 3 && memcmp(k, "OUT", 3) == 0)
			dput(ev, F->InterfaceOut, v, vl);
	}
}

static void dec_kernel(struct canh_event *ev, const char *m, size_t n)
{
	const char *e = m + n;
	service(ev, "syslog");
	/* "[12345.678901] " uptime stamp */
	if (n > 3 && m[0] == '[') {
		const char *c = memchr(m, ']', n < 32 ? n : 32);
		for (const char *q = m + 1; c && q < c; q++)
			if (!isdig(*q) && *q != ' ' && *q != '.')
				c = NULL;
		if (c) {
			m = c + 1;
			while (m < e && *m == ' ')
				m++;
			n = (size_t)(e - m);
		}
	}
	dput(ev, F->Message, m, n);
	const char *ufw = FIND(m, n, "[UFW ");
	if (ufw) {
		const char *c = memchr(ufw, ']', (size_t)(e - ufw));
		if (!c)
			return;
		dput(ev, F->RulePrefix, ufw + 1, (size_t)(c - ufw - 1));
		const char *a = ufw + 5;
		if (HAS(a, (size_t)(e - a), "BLOCK"))
			action(ev, "firewall_block");
		else if (HAS(a, (size_t)(e - a), "ALLOW"))
			action(ev, "firewall_allow");
		else if (HAS(a, (size_t)(e - a), "LIMIT"))
			action(ev, "firewall_limit");
		else
			action(ev, "firewall_audit");
		nf_kv(ev, c + 1, e);
		return;
	}
	const char *in = FIND(m, n, "IN=");
	if (in && FIND(m, n, " SRC=") && FIND(m, n, " DST=")) {
		action(ev, "firewall_log");
		const char *pe = in;
		while (pe > m && pe[-1] == ' ')
			pe--;
		if (pe > m)
			dput(ev, F->RulePrefix, m, (size_t)(pe - m));
		nf_kv(ev, in, e);
		return;
	}
	const char *c = FIND(m, n, ": ");
	if (!c)
		return;
	const char *t = c + 2;
	size_t r = (size_t)(e - t);
	if (HAS(t, r, "loading out-of-tree module taints kernel") ||
	    HAS(t, r, "module verification failed") || HAS(t, r, "module license ") ||
	    HAS(t, r, "module is from the staging directory")) {
		action(ev, t[0] == 'l' ? "kernel_module_load" : "kernel_module_taint");
		dput(ev, F->Module, m, (size_t)(c - m));
	}
}

void canh__decode_roundcube_msg(struct canh_event *ev, const char *p, size_t n)
{
	const char *e = p + n;
	canh_event_set_logsource(ev, "roundcube", "", NULL);
	/* "<sessid> Failed login for USER from IP in session ID (error: N)" */
	if (n > 2 && p[0] == '<') {
		const char *c = memchr(p, '>', n);
		if (c) {
			p = c + 1;
			while (p < e && *p == ' ')
				p++;
		}
	}
	size_t r = (size_t)(e - p);
	const char *u = NULL;
	if (HAS(p, r, "Failed login for ") || HAS(p, r, "FAILED login for ")) {
		action(ev, "webmail_login_failed");
		u = p + 17;
	} else if (HAS(p, r, "Successful login for ")) {
		action(ev, "webmail_login_success");
		u = p + 21;
	} else if (FIND(p, r, "Login failed for ")) {
		/* IMAP Error: Login failed for USER against HOST from IP. ... */
		action(ev, "webmail_login_failed");
		u = FIND(p, r, "Login failed for ") + 17;
	}
	if (!u)
		return;
	const char *f = FIND(u, (size_t)(e - u), " from ");
	if (!f)
		return;
	const char *ue = f;
	const char *sp = memchr(u, ' ', (size_t)(f - u));
	if (sp)
		ue = sp;
	dput(ev, F->User, u, (size_t)(ue - u));
	const char *ip = f + 6, *ie = ip;
	while (ie < e && *ie != ' ' && *ie != '(')
		ie++;
	size_t il = (size_t)(ie - ip);
	while (il && (ip[il - 1] == '.' || ip[il - 1] == ','))
		il--;
	if (canh__looks_ip(ip, il))
		dput(ev, F->SourceIp, ip, il);
}

static bool eq(const char *p, size_t n, const char *lit)
{
	return memcmp(p, lit, n) == 0;
}

void canh__decode_program(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *prog,
			  size_t plen, const char *msg, size_t mlen)
{
	(void)ctx;
	if (plen != 6 || !eq(prog, 6, "kernel"))
		dput(ev, F->Message, msg, mlen);
	switch (plen) {
	case 2:
		if (eq(prog, 2, "su")) {
			dec_su(ev, msg, mlen);
			return;
		}
		break;
	case 4:
		if (eq(prog, 4, "sshd")) {
			dec_sshd(ev, msg, mlen);
			return;
		}
		if (eq(prog, 4, "sudo")) {
			dec_sudo(ev, msg, mlen);
			return;
		}
		if (eq(prog, 4, "CRON") || eq(prog, 4, "cron")) {
			dec_cron(ev, msg, mlen);
			return;
		}
		break;
	case 5:
		if (eq(prog, 5, "crond")) {
			dec_cron(ev, msg, mlen);
			return;
		}
		if (eq(prog, 5, "login")) {
			dec_su(ev, msg, mlen);
			return;
		}
		break;
	case 6:
		if (eq(prog, 6, "passwd")) {
			dec_usermgmt(ev, msg, mlen);
			return;
		}
		if (eq(prog, 6, "kernel")) {
			dec_kernel(ev, msg, mlen);
			return;
		}
		if (eq(prog, 6, "vsftpd")) {
			service(ev, "vsftpd");
			return;
		}
		if (eq(prog, 6, "auditd")) {
			service(ev, "syslog");
			if (FIND(msg, mlen, "The audit daemon is exiting"))
				action(ev, "auditd_stopped");
			return;
		}
		break;
	case 7:
		if (eq(prog, 7, "useradd") || eq(prog, 7, "usermod") || eq(prog, 7, "userdel") ||
		    eq(prog, 7, "gpasswd")) {
			dec_usermgmt(ev, msg, mlen);
			return;
		}
		if (eq(prog, 7, "systemd")) {
			dec_systemd(ev, msg, mlen);
			return;
		}
		if (eq(prog, 7, "crontab") || eq(prog, 7, "anacron")) {
			dec_cron(ev, msg, mlen);
			return;
		}
		break;
	case 8:
		if (eq(prog, 8, "groupadd") || eq(prog, 8, "groupdel") || eq(prog, 8, "groupmod") ||
		    eq(prog, 8, "chpasswd")) {
			dec_usermgmt(ev, msg, mlen);
			return;
		}
		break;
	case 9:
		if (eq(prog, 9, "roundcube")) {
			canh__decode_roundcube_msg(ev, msg, mlen);
			return;
		}
		if (eq(prog, 9, "freshclam")) {
			service(ev, "clamav");
			return;
		}
		break;
	case 5 + 7:
		if (eq(prog, 12, "sshd-session")) {
			dec_sshd(ev, msg, mlen);
			return;
		}
		break;
	case 14:
		if (eq(prog, 14, "systemd-logind")) {
			dec_systemd(ev, msg, mlen);
			return;
		}
		break;
	default:
		break;
	}
	if (plen == 5 && eq(prog, 5, "clamd")) {
		service(ev, "clamav");
		return;
	}
	if (plen > 8 && eq(prog, 8, "systemd-")) {
		dec_systemd(ev, msg, mlen);
		return;
	}
	if (HAS(msg, mlen, "pam_")) {
		if (!ev->service[0] || strcmp(ev->service, "syslog") == 0)
			service(ev, "auth");
		dec_pam(ev, msg, mlen);
	}
}
