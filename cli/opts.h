/*
 * Command-line option parsing for the CLI (in the spirit of skeeto's optparse:
 * no global state, nothing printed, errors returned to the caller).
 *
 * Long options are `--name VALUE` or `--name=VALUE`; a short alias is `-x`
 * (with a value: `-x VALUE`). "--" ends the options; a lone "-" is a
 * positional argument. Options and positional arguments may be mixed. Each
 * call looks the option up in two tables: the command's and the global one,
 * so global options are accepted before or after the command.
 */
#ifndef CANH_CLI_OPTS_H
#define CANH_CLI_OPTS_H

struct canh_cli_opt {
	const char *name; /* without the leading "--"; NULL ends a table */
	char short_name;  /* or 0 */
	int has_value;
	int id; /* > 0, returned by canh_cli_opt_next */
};

enum {
	CANH_OPT_END = 0,	       /* no more arguments */
	CANH_OPT_POSITIONAL = -1,      /* p->value is the argument */
	CANH_OPT_ERR_UNKNOWN = -2,     /* p->name is the option as written */
	CANH_OPT_ERR_NEEDS_VALUE = -3, /* p->name */
	CANH_OPT_ERR_NO_VALUE = -4,    /* "--json=1": p->name */
};

struct canh_cli_optparse {
	int argc;
	char **argv;
	int index; /* next argument to look at */
	int only_positional;
	const struct canh_cli_opt *tables[2];
	const char *value; /* value of the option, or the positional argument */
	char name[64];	   /* the option as written, without "=VALUE", for messages */
};

/* Parse argv[first..argc-1] against `cmd` and then `global` (either may be NULL). */
void canh_cli_opt_init(struct canh_cli_optparse *p, int argc, char **argv, int first,
		       const struct canh_cli_opt *cmd, const struct canh_cli_opt *global);
/* An option id (> 0) or one of CANH_OPT_*. */
int canh_cli_opt_next(struct canh_cli_optparse *p);

#endif
