/*
 * canh-agent: options and wiring; the work is in the rest of agent/ and in lib/.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/httpc.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "messages.h"

#define DEFAULT_STATE_DIR "/var/lib/canh-agent"
#define MAX_SETS 64

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED); /* read by both threads */
}

/*
 * The language of everything printed here for a person: the locale's, or
 * --lang's. Log records of `run` are not translated (see messages.h).
 */
static enum canh_lang lang;

static void usage(FILE *f)
{
	canh_agent_say(lang, f, A_USAGE, DEFAULT_STATE_DIR);
}

/* "canh-agent: " and a prefix ("error: ", translated) on stderr. */
static void lead(enum canh_agent_msg_id prefix)
{
	fputs("canh-agent: ", stderr);
	fputs(canh_agent_msg(lang, prefix), stderr);
}

static void fail_(enum canh_agent_msg_id id, ...)
{
	va_list ap;

	lead(A_ERROR_PREFIX);
	va_start(ap, id);
	canh_agent_vsay(lang, stderr, id, ap);
	va_end(ap);
	fputc('\n', stderr);
}
/* fail(A_ID, args...): an error message of the table, arguments checked against its English. */
#define fail(id, ...) (CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__), fail_(id, ##__VA_ARGS__))

/* An error or warning already worded in lang (canh_agent_enroll's). */
static void say_text(enum canh_agent_msg_id prefix, const char *text)
{
	lead(prefix);
	fputs(text, stderr);
	fputc('\n', stderr);
}

/* After a usage error: where to find the usage. */
static int usage_failed(void)
{
	canh_agent_say(lang, stderr, A_TRY_HELP);
	return EXIT_USAGE;
}
#define usage_error(id, ...) (fail(id, ##__VA_ARGS__), usage_failed())

/*
 * --lang is honoured before anything else is parsed, so that even an error
 * about an earlier argument is in the language asked for. A bad value is
 * reported where the command's options are parsed.
 */
static void prescan_lang(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return;
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			(void)canh_lang_parse(argv[i + 1], &lang);
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			(void)canh_lang_parse(argv[i] + 7, &lang);
	}
}

static int set_lang(const char *value)
{
	if (canh_lang_parse(value, &lang) != 0)
		return usage_error(A_ERR_BAD_LANG, value);
	return 0;
}

/*
 * getopt_long's complaint (opterr is 0), in lang: c is ':' for a missing
 * value, '?' otherwise. The option's text is the argument just consumed
 * when it is a long one ("--server", "--force=yes"), "-x" for a short one.
 */
static int option_error(int c, int argc, char **argv, const struct option *lopts)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	char name[128];

	if (strncmp(arg, "--", 2) == 0) {
		size_t n = strcspn(arg, "=");
		snprintf(name, sizeof(name), "%.*s", (int)n, arg);
		if (c == '?' && arg[n] == '=') {
			for (const struct option *o = lopts; o->name; o++)
				if (o->has_arg == no_argument && strcmp(o->name, name + 2) == 0)
					return usage_error(A_ERR_OPTION_NO_VALUE, name);
		}
	} else {
		snprintf(name, sizeof(name), "-%c", optopt ? optopt : '?');
	}
	if (c == ':')
		return usage_error(A_ERR_OPTION_NEEDS_VALUE, name);
	return usage_error(A_ERR_UNKNOWN_OPTION, name);
}

/* Why canh_file_read() failed: the common reasons in lang, the library's English for the rest. */
static const char *file_reason(int rc, const struct canh_errmsg *err)
{
	switch (rc) {
	case CANH_ENOENT:
		return canh_agent_msg(lang, A_WHY_NO_FILE);
	case CANH_EPERM:
		return canh_agent_msg(lang, A_WHY_PERMISSION);
	case CANH_ETOOBIG:
		return canh_agent_msg(lang, A_WHY_TOO_BIG);
	case CANH_EINVAL:
		return canh_agent_msg(lang, A_WHY_NOT_REGULAR);
	default:
		return err->text[0] ? err->text : canh_strerror(rc);
	}
}

static int read_token_file(const char *path, char *out, size_t len)
{
	struct canh_errmsg err;
	char *text = NULL;
	size_t n;
	int rc;

	err.text[0] = '\0';
	if ((rc = canh_file_read(path, 4096, &text, &n, &err)) != 0) {
		fail(A_ERR_TOKEN_FILE, path, file_reason(rc, &err));
		return -1;
	}
	n = strcspn(text, "\r\n");
	if (n == 0 || n >= len) {
		memset(text, 0, strlen(text));
		free(text);
		fail(A_ERR_TOKEN_FILE_EMPTY, path);
		return -1;
	}
	memcpy(out, text, n);
	out[n] = '\0';
	memset(text, 0, strlen(text));
	free(text);
	return 0;
}

static int cmd_enroll(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"server", required_argument, NULL, 's'},
	    {"token", required_argument, NULL, 't'},
	    {"token-file", required_argument, NULL, 'T'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"fingerprint", required_argument, NULL, 'f'},
	    {"ca-file", required_argument, NULL, 'c'},
	    {"force", no_argument, NULL, 'F'},
	    {"lang", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct canh_agent_enroll_opts o = {.state_dir = DEFAULT_STATE_DIR};
	struct canh_agent_enroll_result res;
	struct canh_errmsg err;
	char token[512], unit[sizeof(res.unit) * 4];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.server = optarg;
			break;
		case 't':
			o.token = optarg;
			break;
		case 'T':
			if (read_token_file(optarg, token, sizeof(token)) != 0)
				return EXIT_FAIL;
			o.token = token;
			break;
		case 'd':
			o.state_dir = optarg;
			break;
		case 'f':
			o.fingerprint = optarg;
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'F':
			o.force = 1;
			break;
		case 'L':
			if (set_lang(optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return option_error(c, argc, argv, lopts);
		}
	}
	if (optind != argc)
		return usage_error(A_ERR_EXTRA_ARGUMENT, argv[optind]);
	if (!o.server)
		return usage_error(A_ERR_MISSING_OPTION, "--server");
	if (!o.token)
		return usage_error(A_ERR_MISSING_TOKEN);
	o.lang = lang;
	err.text[0] = '\0';
	rc = canh_agent_enroll(&o, &res, &err);
	if (o.token == token)
		memset(token, 0, sizeof(token));
	if (rc != 0) {
		say_text(A_ERROR_PREFIX, err.text[0] ? err.text : canh_strerror(rc));
		if (rc == CANH_EAUTH)
			canh_agent_say(lang, stderr, A_HINT_NEW_TOKEN);
		else if (rc == CANH_ENET)
			canh_agent_say(lang, stderr, A_HINT_CONNECT);
		return EXIT_FAIL;
	}
	if (res.warning[0])
		say_text(A_WARNING_PREFIX, res.warning);
	canh_agent_say(lang, stdout, A_ENROLL_FINGERPRINT, res.fingerprint, res.trust);
	if (res.tofu)
		canh_agent_say(lang, stdout, A_HINT_TOFU);
	canh_log_escape(unit, sizeof(unit), res.unit, strlen(res.unit));
	canh_agent_say(lang, stdout, A_ENROLLED, (long long)res.agent_id, unit, o.state_dir);
	return EXIT_OK;
}

/* `run` on a directory that was never enrolled: said to the person, before the log starts. */
static int check_enrolled(const char *dir)
{
	char *path = canh_path_join(dir, "agent.json");
	int rc = 0;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		fail(A_ERR_NOT_ENROLLED, path);
		rc = -1;
	}
	free(path);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"state-dir", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, 's'},
	    {"once", no_argument, NULL, 'o'},
	    {"lang", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = DEFAULT_STATE_DIR, *file = NULL, *sets[MAX_SETS];
	size_t nsets = 0;
	int c, once = 0, check = 0, rc;
	struct canh_agent_cfg cfg;
	struct canh_errmsg err;
	enum canh_log_level lvl;

	while ((c = getopt_long(argc, argv, ":nh", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 's':
			if (nsets == MAX_SETS)
				return usage_error(A_ERR_TOO_MANY_SETS, MAX_SETS);
			sets[nsets++] = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'L':
			if (set_lang(optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return option_error(c, argc, argv, lopts);
		}
	}
	if (optind != argc)
		return usage_error(A_ERR_EXTRA_ARGUMENT, argv[optind]);
	err.text[0] = '\0';
	if ((rc = canh_agent_cfg_load(&cfg, dir, file, sets, nsets, &err)) != 0) {
		fail(A_ERR_CONFIG, err.text[0] ? err.text : canh_strerror(rc));
		return EXIT_FAIL;
	}
	if (check) {
		struct canh_buf out = CANH_BUF_INIT(1024 * 1024);
		if (canh_config_dump(canh_agent_cfg_defs, &cfg, &out) != 0) {
			canh_buf_release(&out);
			return EXIT_FAIL;
		}
		fputs(canh_buf_cstr(&out), stdout);
		canh_buf_release(&out);
		return EXIT_OK;
	}
	if (check_enrolled(dir) != 0)
		return EXIT_FAIL;
	/* From here on, what goes wrong is a log record, in English. */
	canh_log_level_parse(cfg.log_level, &lvl);
	canh_log_init("canh-agent", lvl, cfg.journal ? CANH_LOG_JOURNAL : CANH_LOG_STDERR);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (canh_httpc_global_init() != 0) {
		canh_error("cannot initialise libcurl");
		return EXIT_FAIL;
	}
	rc = canh_agent_run(dir, &cfg, once, &stop_flag);
	canh_httpc_global_cleanup();
	return rc;
}

static int cmd_status(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"state-dir", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"lang", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = DEFAULT_STATE_DIR;
	struct canh_agent_ident id;
	struct canh_agent_status st;
	struct canh_errmsg err;
	int c, json = 0, running, rc;

	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'L':
			if (set_lang(optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return option_error(c, argc, argv, lopts);
		}
	}
	if (optind != argc)
		return usage_error(A_ERR_EXTRA_ARGUMENT, argv[optind]);
	err.text[0] = '\0';
	if ((rc = canh_agent_status_get(dir, &id, &st, &running, &err)) != 0) {
		char *path = canh_path_join(dir, "agent.json");
		if (rc == CANH_ENOENT && access(path, F_OK) != 0)
			fail(A_ERR_NOT_ENROLLED, path);
		else if (rc == CANH_EAGAIN)
			fail(A_ERR_SPOOL_BUSY, dir);
		else
			fail(A_ERR_STATUS, dir, err.text[0] ? err.text : canh_strerror(rc));
		free(path);
		return EXIT_FAIL;
	}
	if (json) {
		/* The keys are a contract with scripts (and the tests): never translated. */
		json_t *j = json_pack(
		    "{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "agent_id", (json_int_t)id.agent_id,
		    "server", id.server, "next_seq", (json_int_t)st.next_seq, "acked_seq",
		    (json_int_t)st.acked_seq, "pending", (json_int_t)st.pending, "pending_bytes",
		    (json_int_t)st.pending_bytes, "refused", (json_int_t)st.refused);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!text)
			return EXIT_FAIL;
		puts(text);
		free(text);
		return EXIT_OK;
	}
	canh_agent_status_print(stdout, lang, &id, &st, running);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	int first = 1;

	lang = canh_lang_from_env();
	prescan_lang(argc, argv);
	opterr = 0; /* getopt's complaints are English: option_error says them in lang */
	/* `--lang L` may also come before the command. */
	if (first < argc && strncmp(argv[first], "--lang=", 7) == 0) {
		if (set_lang(argv[first] + 7) != 0)
			return EXIT_USAGE;
		first++;
	} else if (first + 1 < argc && strcmp(argv[first], "--lang") == 0) {
		if (set_lang(argv[first + 1]) != 0)
			return EXIT_USAGE;
		first += 2;
	}
	if (first >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[first];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		canh_agent_say(lang, stdout, A_VERSION, CANH_AGENT_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	/* each command parses its own options: shift everything before the command name away */
	optind = 1;
	if (strcmp(cmd, "enroll") == 0)
		return cmd_enroll(argc - first, argv + first);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - first, argv + first);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - first, argv + first);
	if (cmd[0] == '-')
		return usage_error(A_ERR_UNKNOWN_OPTION, cmd);
	return usage_error(A_ERR_UNKNOWN_COMMAND, cmd);
}
