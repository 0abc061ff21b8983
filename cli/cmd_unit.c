/*
 * canh unit add|list|show|import
 */
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/error.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "cli.h"
#include "table.h"

enum {
	O_CODE = 1,
	O_NAME,
	O_TYPE,
	O_PARENT,
	O_RANGES,
	O_CONTACT,
};

static const struct canh_cli_opt add_opts[] = {
    {"code", 0, 1, O_CODE},
    {"name", 0, 1, O_NAME},
    {"type", 0, 1, O_TYPE},
    {"parent", 0, 1, O_PARENT},
    {"ranges", 0, 1, O_RANGES},
    {"contact", 0, 1, O_CONTACT},
    {NULL, 0, 0, 0},
};

static int unit_add(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *code = NULL, *name = NULL, *type = NULL, *parent = NULL, *ranges = NULL;
	json_t *contacts = json_array(), *body = NULL, *resp = NULL;
	char *text = NULL;
	int id, st;

	canh_cli_opt_init(&p, argc, argv, first, add_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_UNIT, &id, &st))
			goto out; /* help, version or a usage error */
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case CANH_OPT_POSITIONAL:
			st = canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			goto out;
		case O_CODE:
			code = p.value;
			break;
		case O_NAME:
			name = p.value;
			break;
		case O_TYPE:
			type = p.value;
			break;
		case O_PARENT:
			parent = p.value;
			break;
		case O_RANGES:
			ranges = p.value;
			break;
		case O_CONTACT: {
			json_t *one;
			if (canh_cli_contact_parse(p.value, &one) != 0) {
				st = canh_cli_usage_error(c, M_ERR_BAD_CONTACT, p.value);
				goto out;
			}
			json_array_append_new(contacts, one);
			break;
		}
		}
	}
	if (!code || !name || !type) {
		st = canh_cli_usage_error(c, M_ERR_MISSING_OPTION,
					  !code	  ? "--code"
					  : !name ? "--name"
						  : "--type");
		goto out;
	}
	if (!canh_cli_unit_type_valid(type)) {
		st = canh_cli_usage_error(c, M_ERR_BAD_TYPE, type);
		goto out;
	}

	body = json_object();
	json_object_set_new(body, "code", json_string(code));
	json_object_set_new(body, "name", json_string(name));
	json_object_set_new(body, "type", json_string(type));
	json_object_set_new(body, "parent",
			    parent && parent[0] ? json_string(parent) : json_null());
	json_object_set_new(body, "public_ranges",
			    ranges ? canh_cli_ranges_parse(ranges) : json_array());
	json_object_set(body, "contacts", contacts);
	text = json_dumps(body, JSON_COMPACT);
	st = canh_cli_call(c, "POST", "/units", "application/json", text, strlen(text), 1, &resp);
	if (st != 0)
		goto out;
	if (c->json)
		canh_cli_print_json(c, resp);
	else
		canh_cli_say(c->lang, c->out, M_UNIT_CREATED, code);
out:
	free(text);
	json_decref(resp);
	json_decref(body);
	json_decref(contacts);
	return st;
}

static int unit_list(struct canh_cli *c, int argc, char **argv, int first)
{
	json_t *resp = NULL, *depth = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_UNIT, NULL, NULL, NULL, NULL, &st))
		return st;
	json_t *units;
	if (canh_cli_list(c, "/units", "units", M_NO_UNITS, &resp, &units, &st) != 0)
		return st;

	struct canh_cli_table t;
	canh_cli_table_init(&t, 6);
	canh_cli_table_align_right(&t, 4);
	canh_cli_table_row(&t, canh_cli_tr(c, M_H_CODE), canh_cli_tr(c, M_H_NAME),
			   canh_cli_tr(c, M_H_TYPE), canh_cli_tr(c, M_H_PARENT),
			   canh_cli_tr(c, M_H_HOSTS), canh_cli_tr(c, M_H_RANGES));
	/* Names are indented by depth: the server sends parents before children. */
	depth = json_object();
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u)
	{
		const char *code = canh_cli_jstr(u, "code");
		const char *parent = canh_cli_jstr(u, "parent");
		long long d = parent ? canh_cli_jll(depth, parent, -1) + 1 : 0;
		if (d > 16)
			d = 16;
		if (code)
			json_object_set_new(depth, code, json_integer(d));

		char name[1200], hosts[32];
		snprintf(name, sizeof(name), "%*s%s", (int)(2 * d), "",
			 canh_cli_jstr(u, "name") ? canh_cli_jstr(u, "name") : "");
		struct canh_buf ranges = CANH_BUF_INIT(4096);
		size_t k;
		json_t *r;
		json_array_foreach(json_object_get(u, "public_ranges"), k, r)
		{
			if (json_is_string(r)) {
				if (ranges.len)
					canh_buf_putc(&ranges, ' ');
				canh_buf_puts(&ranges, json_string_value(r));
			}
		}
		canh_cli_table_row(&t, code, name,
				   canh_cli_unit_type_label(c, canh_cli_jstr(u, "type")), parent,
				   canh_cli_jint(u, "hosts", hosts, sizeof(hosts)),
				   ranges.len ? canh_buf_cstr(&ranges) : NULL);
		canh_buf_release(&ranges);
	}
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	json_decref(depth);
	json_decref(resp);
	return 0;
}

/* "a b c" from an array of strings (or of objects' `key`), NULL when empty. */
static char *join_array(const json_t *a, const char *key, const char *sep)
{
	struct canh_buf b = CANH_BUF_INIT(1 << 16);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : canh_cli_jstr(v, key);
		if (!s)
			continue;
		if (b.len)
			canh_buf_puts(&b, sep);
		canh_buf_puts(&b, s);
	}
	return canh_buf_detach(&b, NULL);
}

static int unit_show(struct canh_cli *c, int argc, char **argv, int first)
{
	const char *code;
	char path[512], esc[400];
	json_t *u = NULL;
	int st;
	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_UNIT, NULL, NULL,
				canh_cli_tr(c, M_ARG_CODE), &code, &st))
		return st;
	if (canh_cli_path_escape(code, esc, sizeof(esc)) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, code);
	snprintf(path, sizeof(path), "/units/%s", esc);
	st = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &u);
	if (st != 0)
		return st;
	if (c->json) {
		canh_cli_print_json(c, u);
		json_decref(u);
		return 0;
	}

	char *ranges = join_array(json_object_get(u, "public_ranges"), NULL, " ");
	char *children = join_array(json_object_get(u, "children"), "code", " ");
	struct canh_cli_table t;
	canh_cli_table_init(&t, 2);
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_CODE), canh_cli_jstr(u, "code"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_NAME), canh_cli_jstr(u, "name"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_TYPE),
			   canh_cli_unit_type_label(c, canh_cli_jstr(u, "type")));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_PARENT), canh_cli_jstr(u, "parent"));
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_RANGES), ranges);
	canh_cli_table_row(&t, canh_cli_tr(c, M_L_CHILDREN), children);
	canh_cli_table_print(&t, c->out, NULL);
	canh_cli_table_release(&t);
	free(ranges);
	free(children);

	json_t *contacts = json_object_get(u, "contacts");
	fprintf(c->out, "\n%s:", canh_cli_tr(c, M_L_CONTACTS));
	if (json_array_size(contacts) == 0) {
		fprintf(c->out, " %s\n", canh_cli_tr(c, M_NONE));
	} else {
		fputc('\n', c->out);
		canh_cli_table_init(&t, 4);
		canh_cli_table_row(&t, canh_cli_tr(c, M_H_NAME), canh_cli_tr(c, M_H_ROLE),
				   canh_cli_tr(c, M_H_PHONE), canh_cli_tr(c, M_H_EMAIL));
		size_t i;
		json_t *ct;
		json_array_foreach(contacts, i, ct)
		{
			canh_cli_table_row(&t, canh_cli_jstr(ct, "name"), canh_cli_jstr(ct, "role"),
					   canh_cli_jstr(ct, "phone"), canh_cli_jstr(ct, "email"));
		}
		canh_cli_table_print(&t, c->out, "  ");
		canh_cli_table_release(&t);
	}

	json_t *hosts = json_object_get(u, "hosts");
	fprintf(c->out, "\n%s:", canh_cli_tr(c, M_L_HOSTS));
	if (!json_is_array(hosts) || json_array_size(hosts) == 0) {
		fprintf(c->out, " %s\n", canh_cli_tr(c, M_NONE));
	} else {
		fputc('\n', c->out);
		canh_cli_table_init(&t, 3);
		canh_cli_table_align_right(&t, 0);
		canh_cli_table_row(&t, canh_cli_tr(c, M_H_ID), canh_cli_tr(c, M_H_HOSTNAME),
				   canh_cli_tr(c, M_H_LAST_SEEN));
		size_t i;
		json_t *h;
		json_array_foreach(hosts, i, h)
		{
			char id[32], when[64];
			canh_cli_table_row(
			    &t, canh_cli_jint(h, "id", id, sizeof(id)),
			    canh_cli_jstr(h, "hostname"),
			    canh_cli_time(canh_cli_jstr(h, "last_seen"), when, sizeof(when)));
		}
		canh_cli_table_print(&t, c->out, "  ");
		canh_cli_table_release(&t);
	}
	json_decref(u);
	return 0;
}

static int unit_import(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_errmsg em;
	const char *file;
	char *data = NULL;
	size_t len = 0;
	json_t *resp = NULL;
	int st;

	if (canh_cli_parse_rest(c, argc, argv, first, M_USAGE_UNIT, NULL, NULL,
				canh_cli_tr(c, M_ARG_CSV_FILE), &file, &st))
		return st;
	int rc = canh_file_read(file, CANH_CLI_MAX_UPLOAD, &data, &len, &em);
	if (rc != 0) {
		canh_cli_error(c, M_ERR_READ_FILE, file, canh_cli_file_reason(c, rc, &em));
		return CANH_CLI_EXIT_FAIL;
	}
	st = canh_cli_call(c, "POST", "/units/import", "text/csv", data, len, 1, &resp);
	free(data);
	if (st != 0)
		return st;

	json_t *errors = json_object_get(resp, "errors");
	size_t nerr = json_array_size(errors);
	if (c->json) {
		canh_cli_print_json(c, resp);
	} else {
		canh_cli_say(c->lang, c->out, M_IMPORT_RESULT, canh_cli_jll(resp, "imported", 0),
			     canh_cli_jll(resp, "updated", 0), nerr);
		size_t i;
		json_t *e;
		json_array_foreach(errors, i, e)
		{
			const char *why = canh_cli_jstr(e, "error");
			char *safe = canh_cli_sanitize(why ? why : "?", 4096);
			canh_cli_say(c->lang, c->out, M_IMPORT_REJECT, canh_cli_jll(e, "line", 0),
				     safe);
			free(safe);
		}
	}
	json_decref(resp);
	return nerr ? CANH_CLI_EXIT_FAIL : CANH_CLI_EXIT_OK;
}

int canh_cli_cmd_unit(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *sub;
	int st;

	canh_cli_opt_init(&p, argc, argv, first, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_UNIT, &sub, &st))
		return st;
	if (!sub)
		return canh_cli_usage_error(c, M_ERR_MISSING_SUBCOMMAND, "unit");
	if (strcmp(sub, "add") == 0)
		return unit_add(c, argc, argv, p.index);
	if (strcmp(sub, "list") == 0)
		return unit_list(c, argc, argv, p.index);
	if (strcmp(sub, "show") == 0)
		return unit_show(c, argc, argv, p.index);
	if (strcmp(sub, "import") == 0)
		return unit_import(c, argc, argv, p.index);
	return canh_cli_usage_error(c, M_ERR_UNKNOWN_SUBCOMMAND, "unit", sub);
}
