/*
 * Command dispatch, global options and message helpers of the canh CLI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/config.h"
#include "canh/error.h"
#include "canh/mem.h"
#include "cli.h"
#include "table.h"

const struct canh_cli_opt canh_cli_global_opts[] = {
    {"server", 0, 1, CANH_CLI_OPT_SERVER},
    {"token-file", 0, 1, CANH_CLI_OPT_TOKEN_FILE},
    {"ca-file", 0, 1, CANH_CLI_OPT_CA_FILE},
    {"fingerprint", 0, 1, CANH_CLI_OPT_FINGERPRINT},
    {"state-dir", 0, 1, CANH_CLI_OPT_STATE_DIR},
    {"json", 0, 0, CANH_CLI_OPT_JSON},
    {"lang", 0, 1, CANH_CLI_OPT_LANG},
    {"timeout", 0, 1, CANH_CLI_OPT_TIMEOUT},
    {"help", 'h', 0, CANH_CLI_OPT_HELP},
    {"version", 0, 0, CANH_CLI_OPT_VERSION},
    {NULL, 0, 0, 0},
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

void canh_cli_init(struct canh_cli *c)
{
	memset(c, 0, sizeof(*c));
	c->out = stdout;
	c->err = stderr;
	c->timeout_ms = CANH_CLI_DEFAULT_TIMEOUT_MS;
	c->lang = canh_lang_from_env();
	c->env_server = env_nonempty("CANH_SERVER");
	c->env_token_file = env_nonempty("CANH_TOKEN_FILE");
	c->env_ca_file = env_nonempty("CANH_CA_FILE");
	c->env_fingerprint = env_nonempty("CANH_FINGERPRINT");
	c->env_state_dir = env_nonempty("CANH_STATE_DIR");
}

const char *canh_cli_tr(const struct canh_cli *c, enum canh_cli_msg_id id)
{
	return canh_cli_msg(c->lang, id);
}

const char *canh_cli_file_reason(const struct canh_cli *c, int rc, const struct canh_errmsg *em)
{
	switch (rc) {
	case CANH_ENOENT:
		return canh_cli_tr(c, M_WHY_NO_FILE);
	case CANH_EPERM:
		return canh_cli_tr(c, M_WHY_PERMISSION);
	case CANH_ETOOBIG:
		return canh_cli_tr(c, M_WHY_TOO_BIG);
	case CANH_EINVAL:
		return canh_cli_tr(c, M_WHY_NOT_REGULAR);
	default:
		return em && em->text[0] ? em->text : canh_strerror(rc);
	}
}

void canh_cli__format(const struct canh_cli *c, char *buf, size_t len, enum canh_cli_msg_id id, ...)
{
	va_list ap;
	va_start(ap, id);
	canh_cli_vformat(c->lang, buf, len, id, ap);
	va_end(ap);
}

static void verror(struct canh_cli *c, enum canh_cli_msg_id id, va_list ap)
{
	fputs(canh_cli_tr(c, M_ERROR_PREFIX), c->err);
	canh_cli_vsay(c->lang, c->err, id, ap);
	fputc('\n', c->err);
}

void canh_cli__error(struct canh_cli *c, enum canh_cli_msg_id id, ...)
{
	va_list ap;
	va_start(ap, id);
	verror(c, id, ap);
	va_end(ap);
}

int canh_cli__usage_error(struct canh_cli *c, enum canh_cli_msg_id id, ...)
{
	va_list ap;
	va_start(ap, id);
	verror(c, id, ap);
	va_end(ap);
	canh_cli_say(c->lang, c->err, M_TRY_HELP);
	return CANH_CLI_EXIT_USAGE;
}

void canh_cli_error_text(struct canh_cli *c, const char *text)
{
	char *safe = canh_cli_sanitize(text, 4096);
	fprintf(c->err, "%s%s\n", canh_cli_tr(c, M_ERROR_PREFIX), safe);
	free(safe);
}

void canh_cli_print_usage(struct canh_cli *c, enum canh_cli_msg_id id)
{
	fputs(canh_cli_tr(c, id), c->out);
}

int canh_cli_global_opt(struct canh_cli *c, int id, const char *value)
{
	switch (id) {
	case CANH_CLI_OPT_SERVER:
		c->server = value;
		break;
	case CANH_CLI_OPT_TOKEN_FILE:
		c->token_file = value;
		break;
	case CANH_CLI_OPT_CA_FILE:
		c->ca_file = value;
		break;
	case CANH_CLI_OPT_FINGERPRINT:
		c->fingerprint = value;
		break;
	case CANH_CLI_OPT_STATE_DIR:
		c->state_dir = value;
		break;
	case CANH_CLI_OPT_JSON:
		c->json = 1;
		break;
	case CANH_CLI_OPT_LANG:
		if (canh_lang_parse(value, &c->lang) != 0)
			return canh_cli_usage_error(c, M_ERR_BAD_LANG, value);
		break;
	case CANH_CLI_OPT_TIMEOUT: {
		int64_t ms;
		if (canh_parse_duration_ms(value, &ms) != 0 || ms <= 0 || ms > 86400000)
			return canh_cli_usage_error(c, M_ERR_BAD_DURATION, value);
		c->timeout_ms = ms;
		break;
	}
	default:
		CANH_BUG("global option %d not handled", id);
	}
	return 0;
}

int canh_cli_opt_error(struct canh_cli *c, int rc, const struct canh_cli_optparse *p)
{
	switch (rc) {
	case CANH_OPT_ERR_NEEDS_VALUE:
		return canh_cli_usage_error(c, M_ERR_OPTION_NEEDS_VALUE, p->name);
	case CANH_OPT_ERR_NO_VALUE:
		return canh_cli_usage_error(c, M_ERR_OPTION_NO_VALUE, p->name);
	default:
		return canh_cli_usage_error(c, M_ERR_UNKNOWN_OPTION, p->name);
	}
}

static void print_version(struct canh_cli *c)
{
	canh_cli_say(c->lang, c->out, M_VERSION, CANH_VERSION);
}

int canh_cli_next_arg(struct canh_cli *c, struct canh_cli_optparse *p, enum canh_cli_msg_id usage,
		      int *id, int *exit_code)
{
	*id = CANH_OPT_END;
	for (;;) {
		int rc = canh_cli_opt_next(p);
		if (rc > 0 && rc < CANH_CLI_OPT_SERVER && p->value &&
		    !canh_cli_utf8_valid(p->value, strlen(p->value))) {
			/* Values go into JSON, which holds only UTF-8. */
			*exit_code = canh_cli_usage_error(c, M_ERR_NOT_UTF8, p->name);
			return 1;
		}
		if (rc == CANH_OPT_END || rc == CANH_OPT_POSITIONAL ||
		    (rc > 0 && rc < CANH_CLI_OPT_SERVER)) {
			*id = rc;
			return 0;
		}
		if (rc < 0) {
			*exit_code = canh_cli_opt_error(c, rc, p);
			return 1;
		}
		if (rc == CANH_CLI_OPT_HELP) {
			canh_cli_print_usage(c, usage);
			*exit_code = CANH_CLI_EXIT_OK;
			return 1;
		}
		if (rc == CANH_CLI_OPT_VERSION) {
			print_version(c);
			*exit_code = CANH_CLI_EXIT_OK;
			return 1;
		}
		int st = canh_cli_global_opt(c, rc, p->value);
		if (st != 0) {
			*exit_code = st;
			return 1;
		}
	}
}

int canh_cli_next_word(struct canh_cli *c, struct canh_cli_optparse *p, enum canh_cli_msg_id usage,
		       const char **word, int *exit_code)
{
	int id;
	*word = NULL;
	if (canh_cli_next_arg(c, p, usage, &id, exit_code))
		return 1;
	if (id == CANH_OPT_POSITIONAL)
		*word = p->value;
	else
		CANH_BUG_ON(id != CANH_OPT_END); /* a command table was given */
	return 0;
}

int canh_cli_parse_rest(struct canh_cli *c, int argc, char **argv, int first,
			enum canh_cli_msg_id usage, const struct canh_cli_opt *flags_opts,
			unsigned *flags, const char *what, const char **arg, int *exit_code)
{
	struct canh_cli_optparse p;
	int id;
	if (arg)
		*arg = NULL;
	if (flags)
		*flags = 0;
	canh_cli_opt_init(&p, argc, argv, first, flags_opts, canh_cli_global_opts);
	while (!canh_cli_next_arg(c, &p, usage, &id, exit_code)) {
		if (id == CANH_OPT_END) {
			if (!arg || *arg)
				return 0;
			*exit_code = canh_cli_usage_error(c, M_ERR_MISSING_ARGUMENT, what);
			return 1;
		}
		if (id == CANH_OPT_POSITIONAL) {
			if (!arg || *arg) {
				*exit_code = canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
				return 1;
			}
			*arg = p.value;
			continue;
		}
		CANH_BUG_ON(id >= 32 || !flags);
		*flags |= 1u << id;
	}
	return 1;
}

struct command {
	const char *name;
	int (*fn)(struct canh_cli *c, int argc, char **argv, int first);
	enum canh_cli_msg_id usage;
};

static const struct command commands[] = {
    {"unit", canh_cli_cmd_unit, M_USAGE_UNIT},
    {"token", canh_cli_cmd_token, M_USAGE_TOKEN},
    {"host", canh_cli_cmd_host, M_USAGE_HOST},
    {"summary", canh_cli_cmd_summary, M_USAGE_SUMMARY},
    {"health", canh_cli_cmd_health, M_USAGE_HEALTH},
    {"intel", canh_cli_cmd_intel, M_USAGE_INTEL},
    {"botnet", canh_cli_cmd_botnet, M_USAGE_BOTNET},
    {"vercmp", canh_cli_cmd_vercmp, M_USAGE_VERCMP},
    {"vuln", canh_cli_cmd_vuln, M_USAGE_VULN},
    {"logtest", canh_cli_cmd_logtest, M_USAGE_LOGTEST},
    {"alerts", canh_cli_cmd_alerts, M_USAGE_ALERTS},
    {"sigma", canh_cli_cmd_sigma, M_USAGE_SIGMA},
    {"rules", canh_cli_cmd_rules, M_HUNT_USAGE_RULES},
    {"hunt", canh_cli_cmd_hunt, M_HUNT_USAGE_HUNT},
    {"detections", canh_cli_cmd_detections, M_HUNT_USAGE_DETECTIONS},
    {"quarantine", canh_cli_cmd_quarantine, M_HUNT_USAGE_QUARANTINE},
    {"scan", canh_cli_cmd_scan, M_USAGE_SCAN},
    {NULL, NULL, 0},
};

static const struct command *find_command(const char *name)
{
	for (const struct command *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

/*
 * `--lang` is honoured before anything else is parsed, so that even an
 * error about an earlier argument is in the language asked for.
 */
static void prescan_lang(struct canh_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return;
		if (strcmp(a, "--lang") == 0 && i + 1 < argc)
			(void)canh_lang_parse(argv[i + 1], &c->lang);
		else if (strncmp(a, "--lang=", 7) == 0)
			(void)canh_lang_parse(a + 7, &c->lang);
	}
}

static int cmd_help(struct canh_cli *c, struct canh_cli_optparse *p)
{
	const char *word;
	int st;
	if (canh_cli_next_word(c, p, M_USAGE_MAIN, &word, &st))
		return st;
	if (!word) {
		canh_cli_print_usage(c, M_USAGE_MAIN);
		return CANH_CLI_EXIT_OK;
	}
	const struct command *cmd = find_command(word);
	if (!cmd)
		return canh_cli_usage_error(c, M_ERR_UNKNOWN_COMMAND, word);
	canh_cli_print_usage(c, cmd->usage);
	return CANH_CLI_EXIT_OK;
}

int canh_cli_run(struct canh_cli *c, int argc, char **argv)
{
	struct canh_cli_optparse p;
	const char *word;
	int st;

	prescan_lang(c, argc, argv);
	canh_cli_opt_init(&p, argc, argv, 1, NULL, canh_cli_global_opts);
	if (canh_cli_next_word(c, &p, M_USAGE_MAIN, &word, &st))
		return st;
	if (!word) {
		fputs(canh_cli_tr(c, M_USAGE_MAIN), c->err);
		return CANH_CLI_EXIT_USAGE;
	}
	if (strcmp(word, "help") == 0)
		return cmd_help(c, &p);
	const struct command *cmd = find_command(word);
	if (!cmd)
		return canh_cli_usage_error(c, M_ERR_UNKNOWN_COMMAND, word);
	return cmd->fn(c, argc, argv, p.index);
}
