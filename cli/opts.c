/*
 * Option parsing without global state.
 */
#include <string.h>

#include "canh/mem.h"
#include "opts.h"

void canh_cli_opt_init(struct canh_cli_optparse *p, int argc, char **argv, int first,
		       const struct canh_cli_opt *cmd, const struct canh_cli_opt *global)
{
	p->argc = argc;
	p->argv = argv;
	p->index = first;
	p->only_positional = 0;
	p->tables[0] = cmd;
	p->tables[1] = global;
	p->value = NULL;
	p->name[0] = '\0';
}

static const struct canh_cli_opt *find_long(const struct canh_cli_optparse *p, const char *name,
					    size_t len)
{
	for (int t = 0; t < 2; t++) {
		for (const struct canh_cli_opt *o = p->tables[t]; o && o->name; o++) {
			if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
				return o;
		}
	}
	return NULL;
}

static const struct canh_cli_opt *find_short(const struct canh_cli_optparse *p, char c)
{
	for (int t = 0; t < 2; t++) {
		for (const struct canh_cli_opt *o = p->tables[t]; o && o->name; o++) {
			if (o->short_name && o->short_name == c)
				return o;
		}
	}
	return NULL;
}

/* Keep the option as written (up to '='), truncated to fit. */
static void set_name(struct canh_cli_optparse *p, const char *arg, size_t len)
{
	if (len >= sizeof(p->name))
		len = sizeof(p->name) - 1;
	memcpy(p->name, arg, len);
	p->name[len] = '\0';
}

int canh_cli_opt_next(struct canh_cli_optparse *p)
{
	p->value = NULL;
	p->name[0] = '\0';
	if (p->index >= p->argc)
		return CANH_OPT_END;
	const char *arg = p->argv[p->index++];

	if (p->only_positional || arg[0] != '-' || arg[1] == '\0') {
		p->value = arg;
		return CANH_OPT_POSITIONAL;
	}
	if (strcmp(arg, "--") == 0) {
		p->only_positional = 1;
		return canh_cli_opt_next(p);
	}

	const struct canh_cli_opt *o;
	const char *inline_value = NULL;
	if (arg[1] == '-') {
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		set_name(p, arg, (size_t)(name - arg) + len);
		o = find_long(p, name, len);
		if (eq)
			inline_value = eq + 1;
	} else {
		set_name(p, arg, 2);
		o = arg[2] == '\0' ? find_short(p, arg[1]) : NULL;
		if (!o)
			set_name(p, arg, strlen(arg));
	}
	if (!o)
		return CANH_OPT_ERR_UNKNOWN;

	if (!o->has_value) {
		if (inline_value)
			return CANH_OPT_ERR_NO_VALUE;
		return o->id;
	}
	if (inline_value) {
		p->value = inline_value;
		return o->id;
	}
	if (p->index >= p->argc)
		return CANH_OPT_ERR_NEEDS_VALUE;
	p->value = p->argv[p->index++];
	return o->id;
}
