/*
 * The canh administration CLI: shared state and helpers of its modules.
 *
 * canh is a program, not the library: its modules print (to the FILE
 * pointers in struct canh_cli, so the tests can capture them) and its command
 * functions return the process exit status, git's cmd_*() style:
 *   0  success
 *   1  the operation failed (server error, connection refused, not found,
 *      rejected rows in an import)
 *   2  usage error (unknown command or option, missing or bad argument)
 * Everything the user reads goes through the message table (messages.h), in
 * English or Vietnamese.
 */
#ifndef CANH_CLI_H
#define CANH_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "canh/crypto.h"
#include "canh/error.h"
#include "i18n.h"
#include "opts.h"

enum {
	CANH_CLI_EXIT_OK = 0,
	CANH_CLI_EXIT_FAIL = 1,
	CANH_CLI_EXIT_USAGE = 2,
};

/* Ids of the global options (the commands' own ids are below 100). */
enum {
	CANH_CLI_OPT_SERVER = 100,
	CANH_CLI_OPT_TOKEN_FILE,
	CANH_CLI_OPT_CA_FILE,
	CANH_CLI_OPT_FINGERPRINT,
	CANH_CLI_OPT_STATE_DIR,
	CANH_CLI_OPT_JSON,
	CANH_CLI_OPT_LANG,
	CANH_CLI_OPT_TIMEOUT,
	CANH_CLI_OPT_HELP,
	CANH_CLI_OPT_VERSION,
};

extern const struct canh_cli_opt canh_cli_global_opts[];

#define CANH_CLI_URL_MAX 1024
#define CANH_CLI_PATH_MAX 4096
#define CANH_CLI_TOKEN_MAX 1024
#define CANH_CLI_DEFAULT_TIMEOUT_MS 30000
#define CANH_CLI_CONNECT_TIMEOUT_MS 5000
#define CANH_CLI_MAX_RESPONSE (64u << 20)
#define CANH_CLI_MAX_UPLOAD (8u << 20) /* canhd's default max_body */

/* Where and how to reach canhd, resolved from options, environment or a state dir. */
struct canh_cli_conn {
	char url[CANH_CLI_URL_MAX];	    /* "https://127.0.0.1:8443", no trailing slash */
	char pin[CANH_SHA256_HEX];	    /* fingerprint to pin, or "" */
	char ca_file[CANH_CLI_PATH_MAX];    /* CA bundle, or "" */
	char token[CANH_CLI_TOKEN_MAX];	    /* administrator token, or "" */
	char token_file[CANH_CLI_PATH_MAX]; /* where it came from, or "" */
	char state_dir[CANH_CLI_PATH_MAX];  /* when found through a state dir */
	long pid;			    /* canhd's pid from canhd.json, or 0 */
};

struct canh_cli {
	enum canh_lang lang;
	FILE *out;
	FILE *err;
	int json;
	int64_t timeout_ms;
	/* From the command line; NULL when not given (pointers into argv). */
	const char *server, *token_file, *ca_file, *fingerprint, *state_dir;
	/* From the environment; NULL when unset or empty. */
	const char *env_server, *env_token_file, *env_ca_file, *env_fingerprint, *env_state_dir;
	/* Filled by canh_cli_resolve. */
	int resolved;
	struct canh_cli_conn conn;
};

/* Defaults, streams stdout/stderr, language and connection settings from the environment. */
void canh_cli_init(struct canh_cli *c);
/* Run one command line (argv[0] is the program); returns the exit status. */
int canh_cli_run(struct canh_cli *c, int argc, char **argv);

/* The text of a message in the chosen language. */
const char *canh_cli_tr(const struct canh_cli *c, enum canh_cli_msg_id id);
/*
 * Why canh_file_read() failed with rc, for "cannot read 'FILE': <reason>":
 * the common reasons (missing, permission, too large, not a regular file)
 * in the chosen language, the library's English text in em for the rest.
 */
const char *canh_cli_file_reason(const struct canh_cli *c, int rc, const struct canh_errmsg *em);

/* A message formatted into buf (truncated to len), checked like canh_cli_say. */
void canh_cli__format(const struct canh_cli *c, char *buf, size_t len, enum canh_cli_msg_id id,
		      ...);
#define canh_cli_format(c, buf, len, id, ...)                                                      \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_cli__format((c), (buf), (len), id, ##__VA_ARGS__))

/* "error: " (translated), the message, a newline, on c->err. */
void canh_cli__error(struct canh_cli *c, enum canh_cli_msg_id id, ...);
#define canh_cli_error(c, id, ...)                                                                 \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__), canh_cli__error((c), id, ##__VA_ARGS__))
/* Like canh_cli_error, then the hint to run --help; returns CANH_CLI_EXIT_USAGE. */
int canh_cli__usage_error(struct canh_cli *c, enum canh_cli_msg_id id, ...);
#define canh_cli_usage_error(c, id, ...)                                                           \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__), canh_cli__usage_error((c), id, ##__VA_ARGS__))
/* "error: " and a text that came from outside (made safe for the terminal). */
void canh_cli_error_text(struct canh_cli *c, const char *text);

/*
 * Apply a global option. Returns 0, CANH_CLI_EXIT_USAGE after printing why a
 * value is bad. Help and version are left to the caller.
 */
int canh_cli_global_opt(struct canh_cli *c, int id, const char *value);
/* Report an option-parser error (CANH_OPT_ERR_*); returns CANH_CLI_EXIT_USAGE. */
int canh_cli_opt_error(struct canh_cli *c, int rc, const struct canh_cli_optparse *p);

/*
 * Parse options up to the next command option or positional argument: *id
 * is then its id (< 100, value in p->value), CANH_OPT_POSITIONAL (the word
 * in p->value) or CANH_OPT_END. Global options on the way are applied.
 * Returns 0 to go on, or 1 with *exit_code set when the caller must stop
 * (help or version printed: 0; a usage error printed: 2).
 */
int canh_cli_next_arg(struct canh_cli *c, struct canh_cli_optparse *p, enum canh_cli_msg_id usage,
		      int *id, int *exit_code);

/*
 * Parse options and return the next positional word in *word (NULL at the
 * end). Global options are applied; the command's table `opts` is not
 * allowed here. Returns 0 to go on, or 1 with *exit_code set when the caller
 * must stop (help printed with `usage`: 0; a usage error: 2).
 */
int canh_cli_next_word(struct canh_cli *c, struct canh_cli_optparse *p, enum canh_cli_msg_id usage,
		       const char **word, int *exit_code);

/*
 * Parse the rest of a command that takes flag options only (`flags_opts`,
 * ids below 32, each seen sets bit id of *flags) and, when `arg` is not
 * NULL, exactly one positional argument (named `what` when missing) —
 * otherwise none. Returns 0 to go on, or 1 with *exit_code set.
 */
int canh_cli_parse_rest(struct canh_cli *c, int argc, char **argv, int first,
			enum canh_cli_msg_id usage, const struct canh_cli_opt *flags_opts,
			unsigned *flags, const char *what, const char **arg, int *exit_code);

/* Print the usage text `id` on c->out. */
void canh_cli_print_usage(struct canh_cli *c, enum canh_cli_msg_id id);

/* Commands. argv[first] is the first argument after the command word(s). */
int canh_cli_cmd_unit(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_token(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_host(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_summary(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_health(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_intel(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_botnet(struct canh_cli *c, int argc, char **argv, int first);
/* canh intel alerts (cmd_intel_alerts.c) and canh intel match, offline (cmd_intel_match.c). */
int canh_cli_intel_alerts(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_intel_match(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_vercmp(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_vuln(struct canh_cli *c, int argc, char **argv, int first);
/* canh vuln check (cmd_vuln_check.c): offline, exit 0 no findings, 1 findings, 2 error. */
int canh_cli_vuln_check(struct canh_cli *c, int argc, char **argv, int first);
/* Offline: canh logtest (cmd_logtest.c), canh rules (cmd_rules.c), canh rules check
 * (cmd_rules_check.c). */
int canh_cli_cmd_logtest(struct canh_cli *c, int argc, char **argv, int first);
/* canh alerts and canh sigma upload|list|disable|enable (cmd_alerts.c). */
int canh_cli_cmd_alerts(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_sigma(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_rules(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_rules_check(struct canh_cli *c, int argc, char **argv, int first);
/* Offline: canh scan (cmd_scan.c), exit 0 clean, 1 detections, 2 error. */
int canh_cli_cmd_scan(struct canh_cli *c, int argc, char **argv, int first);
/* Anti-malware on the server: cmd_rules.c (upload|list|show), cmd_hunt.c, cmd_detections.c,
 * cmd_quarantine.c. */
int canh_cli_cmd_hunt(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_detections(struct canh_cli *c, int argc, char **argv, int first);
int canh_cli_cmd_quarantine(struct canh_cli *c, int argc, char **argv, int first);

/* client.c */

/*
 * Find the server, in this order: the command line (--server with
 * --token-file, else --state-dir), then the environment (CANH_SERVER with
 * CANH_TOKEN_FILE, else CANH_STATE_DIR). Trust: --fingerprint or --ca-file,
 * else CANH_FINGERPRINT or CANH_CA_FILE; through a state dir the fingerprint
 * of canhd.json, re-checked against DIR/cert.pem. need_token: an
 * administrator token is required. Prints what is wrong; returns an exit status.
 */
int canh_cli_resolve(struct canh_cli *c, int need_token);

/*
 * One API call: path is below /api/v1 ("/units"), with Accept-Language set to
 * c->lang so that canhd words its messages in it. On success *out is the
 * parsed JSON answer (caller's reference). A failure to connect, a refused
 * certificate, an HTTP error status (its JSON "error" shown as it is) or an
 * unreadable answer is printed; returns an exit status.
 */
int canh_cli_call(struct canh_cli *c, const char *method, const char *path,
		  const char *content_type, const void *body, size_t len, int need_token,
		  json_t **out);

/* The JSON on c->out, indented, UTF-8 kept as it is. */
void canh_cli_print_json(struct canh_cli *c, const json_t *j);

/*
 * The common start of a listing: GET path; with --json print the answer, or
 * when the array under key is empty say `none` (a message without
 * arguments). Returns 0 with *resp (caller frees) and *items (borrowed) set
 * when there are rows to show; otherwise *resp is NULL and *status says how
 * the command ends (0 after JSON or "none", or the call's failure).
 */
int canh_cli_list(struct canh_cli *c, const char *path, const char *key, enum canh_cli_msg_id none,
		  json_t **resp, json_t **items, int *status);

/* util.c */

/* Normalise "AB:CD:…" / upper case into 64 lower-case hex; CANH_EINVAL when not a SHA-256. */
int canh_cli_fingerprint_normalize(const char *in, char out[CANH_SHA256_HEX]);
/* "host:port" → "https://host:port"; trailing "/" and "/api/v1" removed; CANH_EINVAL if not https.
 */
int canh_cli_url_normalize(const char *in, char *out, size_t outlen);

/* An RFC 3339 time from the server as local time "2026-11-21 18:50:07"; NULL/unparsable as given.
 */
const char *canh_cli_time(const char *iso, char *buf, size_t len);
/* The string member `key` of obj, or NULL when absent, null or not a string. */
const char *canh_cli_jstr(const json_t *obj, const char *key);
/* The integer member as a decimal string in buf (a string member as it is; NULL when absent). */
const char *canh_cli_jint(const json_t *obj, const char *key, char *buf, size_t len);
/* The integer member, or def. */
long long canh_cli_jll(const json_t *obj, const char *key, long long def);

/* "name;role;phone;email" into a new JSON contact; CANH_EINVAL when malformed. */
int canh_cli_contact_parse(const char *s, json_t **out);
/* "CIDR CIDR,CIDR" (spaces, tabs or commas) into a new JSON array of strings. */
json_t *canh_cli_ranges_parse(const char *s);
/* department|district|school|centre|other; 1 when valid. */
int canh_cli_unit_type_valid(const char *s);
/* Translated name of a unit type (unknown types as they are). */
const char *canh_cli_unit_type_label(const struct canh_cli *c, const char *type);
/* Percent-encode s as one path segment; CANH_ETOOBIG when it does not fit. */
int canh_cli_path_escape(const char *s, char *out, size_t len);
/* A positive decimal id into *out; CANH_EINVAL otherwise. */
int canh_cli_parse_id(const char *s, long long *out);

#endif
