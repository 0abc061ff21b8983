/*
 * canh host list|show|revoke
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "cli.h"
#include "table.h"

enum {
	O_PACKAGES = 1,
};

static const struct canh_cli_opt show_opts[] = {
    {"packages", 0, 0, O_PACKAGES},
    {NULL, 0, 0, 0},
};

/*
 * The OS of a host for people: a string as it is, or from an os-release
 * object its pretty_name, else name and version_id.
 */
static const char *os_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v))
		return NULL;
	const char *pretty = canh_cli_jstr(v, "pretty_name");
	if (pretty && pretty[0])
		return pretty;
	const char *name = canh_cli_jstr(v, "name"), *ver = canh_cli_jstr(v, "version_id");
	if (!name)
		name = canh_cli_jstr(v, "id");
	if (!name)
		return NULL;
	snprintf(buf, len, "%s%s%s", name, ver ? " " : "", ver ? ver : "");
	return buf;
}

/* A kernel: a string, or {"release","version"} as "release (version)". */
static const char *kernel_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	const char *rel = canh_cli_jstr(v, "release"), *ver = canh_cli_jstr(v, "version");
	if (!rel)
		return NULL;
	if (!ver || !ver[0])
		return rel;
	snprintf(buf, len, "%s (%s)", rel, ver);
	return buf;
}

static const char *status_text(const struct canh_cli *c, const char *status)
{
	if (status && strcmp(status, "active") == 0)
		return canh_cli_tr(c, M_STATUS_ACTIVE);
	if (status && strcmp(status, "revoked") == 0)
		return canh_cli_tr(c, M_STATUS_REVOKED);
	return status;
}

/* The number of packages: an integer, or the length of an array. */
static long long package_count(const json_t *h)
{
	json_t *v = json_object_get(h, "packages");
	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_array(v))
		return (long long)json_array_size(v);
	return -1;
}

static int host_list(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *resp = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_HOST, NULL, NULL, NULL, NULL, &st))
		return st;
	json_t *hosts;
	if (canh_cli_list(c, "/hosts", "hosts", M_NO_HOSTS, &resp, &hosts, &st) != 0)
		return st;
	struct canh_cli_table t;
	canh_cli_table_init(&t, 8);
	canh_cli_table_align_right(&t, 0);
	canh_cli_table_align_right(&t, 7);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_ID), canh_cli_tr(c, M_H_HOSTNAME),
			   canh_cli_tr(c, M_H_UNIT), canh_cli_tr(c, M_H_OS),
			   canh_cli_tr(c, M_H_STATUS), canh_cli_tr(c, M_H_LAST_SEEN),
			   canh_cli_tr(c, M_H_ADDRESS), canh_cli_tr(c, M_H_PACKAGES));
	size_t i;
	json_t *h;
	json_array_foreach(hosts, i, h)
	{
		char id[32], os[512], seen[64], pk[32];
		long long n = package_count(h);
		snprintf(pk, sizeof(pk), "%lld", n);
		canh_cli_table_row(&t, canh_cli_jint(h, "id", id, sizeof(id)),
				   canh_cli_jstr(h, "hostname"), canh_cli_jstr(h, "unit"),
				   os_text(json_object_get(h, "os"), os, sizeof(os)),
				   status_text(c, canh_cli_jstr(h, "status")),
				   canh_cli_time(canh_cli_jstr(h, "last_seen"), seen, sizeof(seen)),
				   canh_cli_jstr(h, "last_addr"), n >= 0 ? pk : NULL);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(resp);
	return 0;
}

/* "Label:" and the table below it indented, or "Label: none". */
static void section(struct canh_cli *c, enum canh_cli_msg_id label, struct canh_cli_table *t)
{
	fprintf(c->out, "\n%s:", canh_cli_tr(c, label));
	if (t->nrows <= 1) {
		fprintf(c->out, " %s\n", canh_cli_tr(c, M_NONE));
		return;
	}
	fputc('\n', c->out);
	canh_cli_table_print(t, c->out, "  ");
}

static void show_interfaces(struct canh_cli *c, const json_t *h)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 4);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_INTERFACE), canh_cli_tr(c, M_H_MAC),
			   canh_cli_tr(c, M_H_STATE), canh_cli_tr(c, M_H_ADDRESSES));
	size_t i, k;
	json_t *ifc, *a;
	json_array_foreach(json_object_get(h, "interfaces"), i, ifc)
	{
		struct canh_buf addrs = CANH_BUF_INIT(1 << 16);
		json_array_foreach(json_object_get(ifc, "addresses"), k, a)
		{
			if (!json_is_string(a))
				continue;
			if (addrs.len)
				canh_buf_putc(&addrs, ' ');
			canh_buf_puts(&addrs, json_string_value(a));
		}
		json_t *up = json_object_get(ifc, "up");
		canh_cli_table_row(
		    &t, canh_cli_jstr(ifc, "name"), canh_cli_jstr(ifc, "mac"),
		    json_is_boolean(up) ? canh_cli_tr(c, json_is_true(up) ? M_UP : M_DOWN) : NULL,
		    addrs.len ? canh_buf_cstr(&addrs) : NULL);
		canh_buf_release(&addrs);
	}
	section(c, M_L_INTERFACES, &t);
	canh_cli_table_release(&t);
}

static void show_egress(struct canh_cli *c, const json_t *h)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 4);
	canh_cli_table_align_right(&t, 3);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_ADDRESS), canh_cli_tr(c, M_H_FIRST_SEEN),
			   canh_cli_tr(c, M_H_LAST_SEEN), canh_cli_tr(c, M_H_REQUESTS));
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(h, "addresses"), i, a)
	{
		char first[64], last[64], n[32];
		canh_cli_table_row(
		    &t, canh_cli_jstr(a, "addr"),
		    canh_cli_time(canh_cli_jstr(a, "first_seen"), first, sizeof(first)),
		    canh_cli_time(canh_cli_jstr(a, "last_seen"), last, sizeof(last)),
		    canh_cli_jint(a, "requests", n, sizeof(n)));
	}
	section(c, M_L_EGRESS, &t);
	canh_cli_table_release(&t);
}

static void show_listening(struct canh_cli *c, const json_t *h)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 6);
	canh_cli_table_align_right(&t, 2);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_PROTO), canh_cli_tr(c, M_H_ADDRESS),
			   canh_cli_tr(c, M_H_PORT), canh_cli_tr(c, M_H_PROCESS),
			   canh_cli_tr(c, M_H_PID), canh_cli_tr(c, M_H_USER));
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(h, "listening"), i, l)
	{
		char port[32], pid[32], user[64];
		const char *proc = canh_cli_jstr(l, "process");
		if (!proc)
			proc = canh_cli_jstr(l, "exe");
		canh_cli_table_row(&t, canh_cli_jstr(l, "proto"), canh_cli_jstr(l, "addr"),
				   canh_cli_jint(l, "port", port, sizeof(port)), proc,
				   canh_cli_jint(l, "pid", pid, sizeof(pid)),
				   canh_cli_jint(l, "user", user, sizeof(user)));
	}
	section(c, M_L_LISTENING, &t);
	canh_cli_table_release(&t);
}

static void show_packages(struct canh_cli *c, const json_t *h)
{
	struct canh_cli_table t;
	canh_cli_table_init(&t, 5);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_PACKAGE), canh_cli_tr(c, M_H_VERSION),
			   canh_cli_tr(c, M_H_ARCH), canh_cli_tr(c, M_H_SOURCE),
			   canh_cli_tr(c, M_H_MANAGER));
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(h, "packages"), i, p)
	{
		char src[600];
		const char *s = canh_cli_jstr(p, "source");
		const char *sv = canh_cli_jstr(p, "source_version");
		const char *v = canh_cli_jstr(p, "version");
		/* The source only where it tells something: another name or version. */
		if (s && sv && v && strcmp(sv, v) != 0)
			snprintf(src, sizeof(src), "%s %s", s, sv);
		else if (s && strcmp(s, canh_cli_jstr(p, "name") ? canh_cli_jstr(p, "name") : ""))
			snprintf(src, sizeof(src), "%s", s);
		else
			src[0] = '\0';
		canh_cli_table_row(&t, canh_cli_jstr(p, "name"), v, canh_cli_jstr(p, "arch"),
				   src[0] ? src : NULL, canh_cli_jstr(p, "manager"));
	}
	section(c, M_L_PACKAGES, &t);
	canh_cli_table_release(&t);
}

static int host_show(struct canh_cli *c, int argc, char **argv, int first)
{
	const char *arg;
	unsigned flags;
	long long id;
	char path[64];
	json_t *h = NULL;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_HOST, show_opts, &flags,
				canh_cli_tr(c, M_ARG_ID), &arg, &st))
		return st;
	if (canh_cli_parse_id(arg, &id) != 0)
		return canh_cli_usage_error(c, M_ERR_BAD_HOST_ID, arg);
	snprintf(path, sizeof(path), "/hosts/%lld", id);
	st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &h);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, h);
		json_decref(h);
		return 0;
	}

	char sid[32], os[512], kern[1200], t1[64], t2[64], t3[64], n1[32], n2[32], pk[128];
	json_t *os_v = json_object_get(h, "os_info");
	if (!os_text(os_v, os, sizeof(os)))
		os_v = json_object_get(h, "os");
	long long npk = package_count(h);
	if (npk < 0)
		pk[0] = '\0';
	else if (c->json || (flags & (1u << O_PACKAGES)))
		snprintf(pk, sizeof(pk), "%lld", npk);
	else
		canh_cli_format(c, pk, sizeof(pk), M_PACKAGES_HINT, npk);

	struct canh_cli_table t;
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_ID), canh_cli_jint(h, "id", sid, sizeof(sid)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_HOSTNAME), canh_cli_jstr(h, "hostname"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_UNIT), canh_cli_jstr(h, "unit"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_STATUS),
			   status_text(c, canh_cli_jstr(h, "status")));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_MACHINE_ID), canh_cli_jstr(h, "machine_id"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_OS), os_text(os_v, os, sizeof(os)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_KERNEL),
			   kernel_text(json_object_get(h, "kernel"), kern, sizeof(kern)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_ARCH), canh_cli_jstr(h, "arch"));
	if (canh_cli_jstr(h, "agent_version"))
		canh_cli_table_row(&t, canh_cli_tr(c, M_L_AGENT_VERSION),
				   canh_cli_jstr(h, "agent_version"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_ENROLLED),
			   canh_cli_time(canh_cli_jstr(h, "enrolled_at"), t1, sizeof(t1)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_LAST_SEEN),
			   canh_cli_time(canh_cli_jstr(h, "last_seen"), t2, sizeof(t2)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_LAST_ADDR), canh_cli_jstr(h, "last_addr"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_INVENTORY_AT),
			   canh_cli_time(canh_cli_jstr(h, "inventory_at"), t3, sizeof(t3)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_MESSAGES),
			   canh_cli_jint(h, "messages", n1, sizeof(n1)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_REJECTED),
			   canh_cli_jint(h, "rejected", n2, sizeof(n2)));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_PACKAGES), pk[0] ? pk : NULL);
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);

	show_interfaces(c, h);
	show_egress(c, h);
	show_listening(c, h);
	if (flags & (1u << O_PACKAGES))
		show_packages(c, h);
	json_decref(h);
	return 0;
}

static int host_revoke(struct canh_cli *c, int argc, char **argv, int first)
{
	const char *arg;
	long long id;
	char path[64];
	json_t *resp = NULL;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_HOST, NULL, NULL,
				canh_cli_tr(c, M_ARG_ID), &arg, &st))
		return st;
	if (canh_cli_parse_id(arg, &id) != 0)
		return canh_cli_usage_error(c, M_ERR_BAD_HOST_ID, arg);
	snprintf(path, sizeof(path), "/hosts/%lld/revoke", id);
	st = canh_cli_call(c, "POST", path, "application/json", "{}", 2, 1, &resp);
	if (st != 0)
		return st;
	if (c->json)
		canh_cli_print_json(c, resp);
	else
		canh_cli_say(c->lang, c->out, M_HOST_REVOKED, id);
	json_decref(resp);
	return 0;
}

int canh_cli_cmd_host(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_HOST, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "host");
	if (strcmp(sub, "list") == 0)
		return host_list(c, argc, argv, p.index);
	if (strcmp(sub, "show") == 0)
		return host_show(c, argc, argv, p.index);
	if (strcmp(sub, "revoke") == 0)
		return host_revoke(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "host", sub);
}
