/*
 * canhd — options, configuration, signals; everything else is in server/.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canh/fs.h"
#include "canh/log.h"
#include "canh/tls.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: canhd --state-dir DIR [--listen ADDR:PORT] [--config FILE] [-n]\n"
		   "             [--log-level error|warn|info|debug] [--journal]\n"
		   "\n"
		   "  --state-dir DIR     database, certificate, admin token (created 0700)\n"
		   "  --listen ADDR:PORT  e.g. 127.0.0.1:8443, [::1]:0 (0 picks a free port)\n"
		   "  --config FILE       INI settings; command-line options override it\n"
		   "  -n                  check the configuration, print it, and exit\n"
		   "  --log-level LEVEL   error, warn, info (default) or debug\n"
		   "  --journal           log to the systemd journal\n"
		   "  --version           print the version\n");
}

static int override(struct canh_server_config *cfg, const char *key, const char *value)
{
	struct canh_errmsg e;

	if (canh_config_set(canh_server_config_defs, cfg, key, value, &e) != 0) {
		fprintf(stderr, "canhd: %s\n", e.text);
		return -1;
	}
	return 0;
}

/* A check that fails after parsing: name the file's line when the value came from it. */
static void report_check_error(const char *config, const struct canh_server_config *cfg,
			       const struct canh_errmsg *e)
{
	struct canh_errmsg ignored;
	char *text = NULL;
	size_t len = 0, line = 0;
	const char *msg = e->text;

	if (config && cfg->error_key &&
	    canh_file_read(config, 1024 * 1024, &text, &len, &ignored) == 0)
		line = canh_server_config_line(text, len, cfg->error_key);
	free(text);
	if (line && strncmp(msg, config, strlen(config)) == 0 && msg[strlen(config)] == ':') {
		fprintf(stderr, "canhd: %s:%zu%s\n", config, line, msg + strlen(config));
		return;
	}
	fprintf(stderr, "canhd: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state-dir", required_argument, NULL, 's'},
	    {"listen", required_argument, NULL, 'l'},
	    {"config", required_argument, NULL, 'c'},
	    {"log-level", required_argument, NULL, 'L'},
	    {"journal", no_argument, NULL, 'j'},
	    {"check", no_argument, NULL, 'n'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *state_dir = NULL, *config = NULL, *listen = NULL, *level = NULL;
	struct canh_server_config cfg;
	struct canh_server srv;
	struct canh_errmsg e;
	enum canh_log_level lvl = CANH_LOG_INFO;
	int journal = 0, check = 0, opt, sig, rc;
	sigset_t sigs;

	while ((opt = getopt_long(argc, argv, "s:l:c:L:njVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state_dir = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'L':
			level = optarg;
			break;
		case 'j':
			journal = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'V':
			printf("canhd %s\n", CANH_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "canhd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	if (canh_server_config_init(&cfg, &e) != 0) {
		fprintf(stderr, "canhd: %s\n", e.text);
		return 1;
	}
	if (config && canh_config_load(canh_server_config_defs, &cfg, config, &e) != 0) {
		fprintf(stderr, "canhd: %s\n", e.text);
		return 1;
	}
	if ((listen && override(&cfg, "server.listen", listen) != 0) ||
	    (level && override(&cfg, "log.level", level) != 0) ||
	    (journal && override(&cfg, "log.journal", "yes") != 0))
		return 1;
	if (canh_server_config_check(&cfg, config ? config : "configuration", &e) != 0) {
		report_check_error(config, &cfg, &e);
		return 1;
	}
	if (cfg.cert_file[0]) {
		char fp[CANH_SHA256_HEX];
		if (canh_tls_fingerprint_file(cfg.cert_file, fp, &e) != 0) {
			struct canh_errmsg full;
			canh_errmsg_set(&full, CANH_EINVAL, "%s: tls cert_file: %s",
					config ? config : "configuration", e.text);
			cfg.error_key = "tls.cert_file";
			report_check_error(config, &cfg, &full);
			return 1;
		}
	}
	if (check) {
		struct canh_buf out = CANH_BUF_INIT(1024 * 1024);
		if (canh_config_dump(canh_server_config_defs, &cfg, &out) != 0) {
			fprintf(stderr, "canhd: cannot print the configuration\n");
			canh_buf_release(&out);
			return 1;
		}
		printf("# canhd: configuration %s is valid\n%s", config ? config : "(defaults)",
		       canh_buf_cstr(&out));
		canh_buf_release(&out);
		return 0;
	}
	if (!state_dir) {
		fprintf(stderr, "canhd: --state-dir is required\n");
		usage(stderr);
		return 2;
	}

	canh_log_level_parse(cfg.log_level, &lvl);
	canh_log_init("canhd", lvl, cfg.journal ? CANH_LOG_JOURNAL : CANH_LOG_STDERR);
	umask(077);

	/* Signals are taken by sigwait below; every thread inherits the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	rc = canh_server_init(&srv, &cfg, state_dir, &e);
	if (rc == 0)
		rc = canh_server_start(&srv, &e);
	if (rc != 0) {
		canh_error("%s", e.text);
		canh_server_release(&srv);
		return 1;
	}
	canh_info("canhd listening on %s", srv.url);
	if (sigwait(&sigs, &sig) != 0)
		sig = SIGTERM;
	canh_info("shutting down (signal %d)", sig);
	canh_server_stop(&srv);
	canh_server_release(&srv);
	return 0;
}
