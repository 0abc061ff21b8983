/*
 * canh-agent: options and wiring; the work is in the rest of agent/ and in lib/.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/httpc.h"
#include "canh/log.h"
#include "canh/mem.h"

#define DEFAULT_STATE_DIR "/var/lib/canh-agent"
#define MAX_SETS 64

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED); /* read by both threads */
}

static void usage(FILE *f)
{
	fputs("usage: canh-agent enroll --server URL (--token TOKEN | --token-file FILE)\n"
	      "                         [--state-dir DIR] [--fingerprint HEX | --ca-file FILE] "
	      "[--force]\n"
	      "       canh-agent run [--state-dir DIR] [--config FILE] [--set key=value]... "
	      "[--once] [-n]\n"
	      "       canh-agent status [--state-dir DIR] [--json]\n"
	      "       canh-agent --version\n"
	      "The state directory defaults to " DEFAULT_STATE_DIR ".\n",
	      f);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("canh-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int read_token_file(const char *path, char *out, size_t len)
{
	struct canh_errmsg err;
	char *text = NULL;
	size_t n;

	if (canh_file_read(path, 4096, &text, &n, &err) != 0) {
		fail("%s", err.text);
		return -1;
	}
	n = strcspn(text, "\r\n");
	if (n == 0 || n >= len) {
		free(text);
		fail("'%s' does not hold an enrolment token", path);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct canh_agent_enroll_opts o = {.state_dir = DEFAULT_STATE_DIR};
	struct canh_agent_enroll_result res;
	struct canh_errmsg err;
	char token[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
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
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !o.server || !o.token) {
		usage(stderr);
		return EXIT_USAGE;
	}
	err.text[0] = '\0';
	rc = canh_agent_enroll(&o, &res, &err);
	if (o.token == token)
		memset(token, 0, sizeof(token));
	if (rc != 0) {
		fail("enrolment failed: %s", err.text[0] ? err.text : canh_strerror(rc));
		return EXIT_FAIL;
	}
	if (res.warning[0])
		fail("warning: %s", res.warning);
	printf("server certificate fingerprint: %s (%s)\n", res.fingerprint, res.trust);
	printf("enrolled as agent %" PRId64 " in unit '%s'; state in '%s'\n", res.agent_id,
	       res.unit, o.state_dir);
	return EXIT_OK;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"set", required_argument, NULL, 's'},
		{"once", no_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = DEFAULT_STATE_DIR, *file = NULL, *sets[MAX_SETS];
	size_t nsets = 0;
	int c, once = 0, check = 0, rc;
	struct canh_agent_cfg cfg;
	struct canh_errmsg err;
	enum canh_log_level lvl;

	while ((c = getopt_long(argc, argv, "nh", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 's':
			if (nsets == MAX_SETS) {
				fail("%s", "too many --set options");
				return EXIT_USAGE;
			}
			sets[nsets++] = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	err.text[0] = '\0';
	if ((rc = canh_agent_cfg_load(&cfg, dir, file, sets, nsets, &err)) != 0) {
		fail("%s", err.text);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = DEFAULT_STATE_DIR;
	struct canh_agent_ident id;
	struct canh_agent_status st;
	struct canh_errmsg err;
	int c, json = 0, running, rc;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	err.text[0] = '\0';
	if ((rc = canh_agent_status_get(dir, &id, &st, &running, &err)) != 0) {
		fail("%s", err.text[0] ? err.text : canh_strerror(rc));
		return EXIT_FAIL;
	}
	if (json) {
		json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "agent_id",
				      (json_int_t)id.agent_id, "server", id.server, "next_seq",
				      (json_int_t)st.next_seq, "acked_seq", (json_int_t)st.acked_seq,
				      "pending", (json_int_t)st.pending, "pending_bytes",
				      (json_int_t)st.pending_bytes, "refused", (json_int_t)st.refused);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!text)
			return EXIT_FAIL;
		puts(text);
		free(text);
		return EXIT_OK;
	}
	printf("agent %" PRId64 " of %s, unit '%s'%s\n", id.agent_id, id.server, id.unit,
	       running ? " (running)" : "");
	printf("server certificate pinned: %s\n", id.fingerprint);
	printf("spool: next seq %" PRIu64 ", acknowledged %" PRIu64 ", %" PRIu64
	       " pending (%" PRIu64 " bytes), %" PRIu64 " refused\n",
	       st.next_seq, st.acked_seq, st.pending, st.pending_bytes, st.refused);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("canh-agent %s\n", CANH_AGENT_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	/* each command parses its own options: shift the command name away */
	optind = 1;
	if (strcmp(argv[1], "enroll") == 0)
		return cmd_enroll(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	fail("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
