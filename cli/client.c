/*
 * Finding canhd and talking to its API.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "canh/error.h"
#include "canh/fs.h"
#include "canh/httpc.h"
#include "canh/mem.h"
#include "canh/tls.h"
#include "cli.h"
#include "table.h"

#define STATE_JSON_MAX (64u << 10)
#define TOKEN_FILE_MAX (64u << 10)

static int copy_or_fail(char *dst, size_t len, const char *src)
{
	return canh_strlcpy(dst, src, len) < len ? 0 : CANH_ETOOBIG;
}

/* Read the administrator token: the first line of the file, printable ASCII. */
static int read_token(struct canh_cli *c, const char *path)
{
	struct canh_errmsg em;
	char *data = NULL;
	size_t len = 0;
	int rc = canh_file_read(path, TOKEN_FILE_MAX, &data, &len, &em);
	if (rc != 0) {
		canh_cli_error(c, M_ERR_TOKEN_FILE, path, canh_cli_file_reason(c, rc, &em));
		return CANH_CLI_EXIT_FAIL;
	}
	size_t n = 0;
	while (n < len && data[n] != '\n' && data[n] != '\r')
		n++;
	while (n > 0 && (data[n - 1] == ' ' || data[n - 1] == '\t'))
		n--;
	int ok = n > 0 && n < sizeof(c->conn.token);
	for (size_t i = 0; ok && i < n; i++) {
		if ((unsigned char)data[i] <= 0x20 || (unsigned char)data[i] >= 0x7f)
			ok = 0;
	}
	if (ok) {
		memcpy(c->conn.token, data, n);
		c->conn.token[n] = '\0';
		canh_strlcpy(c->conn.token_file, path, sizeof(c->conn.token_file));
	}
	free(data);
	if (!ok) {
		canh_cli_error(c, M_ERR_TOKEN_FILE, path, canh_cli_tr(c, M_WHY_NO_TOKEN));
		return CANH_CLI_EXIT_FAIL;
	}
	return 0;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* DIR/canhd.json, re-checked against DIR/cert.pem. */
static int resolve_state_dir(struct canh_cli *c, const char *dir, int need_token)
{
	struct canh_errmsg em;
	char *path = canh_path_join(dir, "canhd.json");
	char *cert = NULL, *token_path = NULL, *text = NULL;
	json_t *root = NULL;
	json_error_t jerr;
	size_t len = 0;
	int st = CANH_CLI_EXIT_FAIL;

	int rc = canh_file_read(path, STATE_JSON_MAX, &text, &len, &em);
	if (rc == CANH_ENOENT) {
		canh_cli_error(c, M_ERR_STATE_NOT_STARTED, dir);
		goto out;
	} else if (rc != 0) {
		canh_cli_error(c, M_ERR_READ_FILE, path, canh_cli_file_reason(c, rc, &em));
		goto out;
	}
	root = json_loadb(text, len, 0, &jerr);
	if (!json_is_object(root)) {
		char why[256];
		if (root)
			canh_cli_format(c, why, sizeof(why), M_WHY_STATE_NOT_OBJECT);
		else
			canh_cli_format(c, why, sizeof(why), M_WHY_STATE_BAD_JSON, jerr.text);
		canh_cli_error(c, M_ERR_STATE_DIR, dir, why);
		goto out;
	}
	const char *url = canh_cli_jstr(root, "url");
	const char *fp = canh_cli_jstr(root, "fingerprint");
	if (!url || canh_cli_url_normalize(url, c->conn.url, sizeof(c->conn.url)) != 0) {
		canh_cli_error(c, M_ERR_STATE_DIR, dir, canh_cli_tr(c, M_WHY_STATE_NO_URL));
		goto out;
	}
	if (!fp || canh_cli_fingerprint_normalize(fp, c->conn.pin) != 0) {
		canh_cli_error(c, M_ERR_STATE_DIR, dir, canh_cli_tr(c, M_WHY_STATE_NO_FINGERPRINT));
		goto out;
	}

	/* The certificate canhd serves must be the one canhd.json names. */
	cert = canh_path_join(dir, "cert.pem");
	if (!file_exists(cert) && canh_cli_jstr(root, "cert")) {
		free(cert);
		cert = canh_xstrdup(canh_cli_jstr(root, "cert"));
	}
	char actual[CANH_SHA256_HEX];
	if (canh_tls_fingerprint_file(cert, actual, &em) != 0) {
		canh_cli_error(c, M_ERR_STATE_DIR, dir, em.text);
		goto out;
	}
	if (strcmp(actual, c->conn.pin) != 0) {
		canh_cli_error(c, M_ERR_STATE_FINGERPRINT, cert, actual, c->conn.pin);
		goto out;
	}
	c->conn.pid = (long)canh_cli_jll(root, "pid", 0);
	canh_strlcpy(c->conn.state_dir, dir, sizeof(c->conn.state_dir));

	if (c->token_file) {
		token_path = canh_xstrdup(c->token_file);
	} else {
		token_path = canh_path_join(dir, "admin.token");
		if (!file_exists(token_path) && canh_cli_jstr(root, "admin_token_file")) {
			free(token_path);
			token_path = canh_xstrdup(canh_cli_jstr(root, "admin_token_file"));
		}
	}
	if (need_token) {
		st = read_token(c, token_path);
		if (st != 0)
			goto out;
	}
	st = 0;
out:
	json_decref(root);
	free(text);
	free(token_path);
	free(cert);
	free(path);
	return st;
}

static int resolve_server(struct canh_cli *c, const char *url, const char *token_file,
			  int need_token)
{
	if (canh_cli_url_normalize(url, c->conn.url, sizeof(c->conn.url)) != 0)
		return canh_cli_usage_error(c, M_ERR_BAD_URL, url);

	/* Trust from the command line wins as a whole over the environment's. */
	const char *fp = c->fingerprint, *ca = c->ca_file;
	if (!fp && !ca) {
		fp = c->env_fingerprint;
		ca = c->env_ca_file;
	}
	if (fp && ca)
		return canh_cli_usage_error(c, M_ERR_TRUST_BOTH);
	if (fp && canh_cli_fingerprint_normalize(fp, c->conn.pin) != 0)
		return canh_cli_usage_error(c, M_ERR_BAD_FINGERPRINT, fp);
	if (ca && copy_or_fail(c->conn.ca_file, sizeof(c->conn.ca_file), ca) != 0)
		return canh_cli_usage_error(c, M_ERR_TOO_LONG, ca);

	if (!need_token)
		return 0;
	if (!token_file)
		return canh_cli_usage_error(c, M_ERR_NO_TOKEN_FILE, c->conn.url);
	return read_token(c, token_file);
}

int canh_cli_resolve(struct canh_cli *c, int need_token)
{
	int st;
	if (c->resolved)
		return 0;
	memset(&c->conn, 0, sizeof(c->conn));
	if (c->server) {
		st = resolve_server(c, c->server, c->token_file ? c->token_file : c->env_token_file,
				    need_token);
	} else if (c->state_dir) {
		if (c->fingerprint || c->ca_file)
			return canh_cli_usage_error(c, M_ERR_TRUST_STATE_DIR);
		st = resolve_state_dir(c, c->state_dir, need_token);
	} else if (c->env_server) {
		st = resolve_server(c, c->env_server,
				    c->token_file ? c->token_file : c->env_token_file, need_token);
	} else if (c->env_state_dir) {
		st = resolve_state_dir(c, c->env_state_dir, need_token);
	} else {
		return canh_cli_usage_error(c, M_ERR_NO_SERVER);
	}
	if (st == 0)
		c->resolved = 1;
	return st;
}

void canh_cli_print_json(struct canh_cli *c, const json_t *j)
{
	json_dumpf(j, c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', c->out);
}

int canh_cli_list(struct canh_cli *c, const char *path, const char *key, enum canh_cli_msg_id none,
		  json_t **resp, json_t **items, int *status)
{
	json_t *r = NULL;

	*resp = *items = NULL;
	if ((*status = canh_cli_call(c, "GET", path, NULL, NULL, 0, 1, &r)) != 0)
		return -1;
	if (c->json) {
		canh_cli_print_json(c, r);
	} else if (json_array_size(json_object_get(r, key)) == 0) {
		canh_catalogue_print(&canh_cli_catalogue, c->lang, c->out, none);
	} else {
		*resp = r;
		*items = json_object_get(r, key);
		return 0;
	}
	json_decref(r);
	return -1;
}

/* canhd.json names a pid; when that process is gone, say so. */
static void hint_not_running(struct canh_cli *c)
{
	if (c->conn.pid <= 0 || !c->conn.state_dir[0])
		return;
	if (kill((pid_t)c->conn.pid, 0) != 0 && errno == ESRCH)
		canh_cli_say(c->lang, c->err, M_HINT_NOT_RUNNING, c->conn.pid, c->conn.state_dir);
}

static int report_http_error(struct canh_cli *c, const struct canh_http_resp *resp)
{
	json_t *j = json_loadb(canh_buf_cstr(&resp->body), resp->body.len, 0, NULL);
	const char *msg = canh_cli_jstr(j, "error");
	if (msg && msg[0])
		canh_cli_error_text(c, msg);
	else
		canh_cli_error(c, M_ERR_HTTP, resp->status);
	json_decref(j);
	return CANH_CLI_EXIT_FAIL;
}

int canh_cli_call(struct canh_cli *c, const char *method, const char *path,
		  const char *content_type, const void *body, size_t len, int need_token,
		  json_t **out)
{
	struct canh_http_resp resp;
	struct canh_errmsg em;
	char full[CANH_CLI_URL_MAX];
	int st;

	*out = NULL;
	st = canh_cli_resolve(c, need_token);
	if (st != 0)
		return st;
	if (snprintf(full, sizeof(full), "/api/v1%s", path) >= (int)sizeof(full)) {
		canh_cli_error(c, M_ERR_INTERNAL, canh_cli_tr(c, M_WHY_PATH_TOO_LONG));
		return CANH_CLI_EXIT_FAIL;
	}
	/* libcurl and its TLS libraries are set up by the first call: offline commands skip it. */
	static int http_ready;
	if (!http_ready) {
		if (canh_httpc_global_init() != 0) {
			canh_cli_error(c, M_ERR_INTERNAL, canh_cli_tr(c, M_WHY_HTTP_INIT));
			return CANH_CLI_EXIT_FAIL;
		}
		http_ready = 1;
	}

	struct canh_httpc_opts o = {
	    .base_url = c->conn.url,
	    .pin_sha256 = c->conn.pin[0] ? c->conn.pin : NULL,
	    .ca_file = c->conn.ca_file[0] ? c->conn.ca_file : NULL,
	    .bearer = need_token && c->conn.token[0] ? c->conn.token : NULL,
	    /* canhd words its errors (and import rejections) in the CLI's language. */
	    .accept_language = canh_lang_tag(c->lang),
	    .connect_timeout_ms = c->timeout_ms < CANH_CLI_CONNECT_TIMEOUT_MS
				      ? (long)c->timeout_ms
				      : CANH_CLI_CONNECT_TIMEOUT_MS,
	    .timeout_ms = (long)c->timeout_ms,
	    .max_response = CANH_CLI_MAX_RESPONSE,
	};
	em.text[0] = '\0';
	canh_http_resp_init(&resp);
	int rc = canh_httpc_request(&o, method, full, content_type, body, len, &resp, &em);
	if (rc == CANH_ETLS) {
		canh_cli_error(c, M_ERR_TLS, c->conn.url, em.text[0] ? em.text : canh_strerror(rc));
		/* httpc's text is English and may already name both fingerprints. */
		if (o.pin_sha256 && resp.peer_sha256[0] &&
		    strcmp(resp.peer_sha256, o.pin_sha256) != 0 &&
		    (c->lang != CANH_LANG_EN || !strstr(em.text, resp.peer_sha256)))
			canh_cli_say(c->lang, c->err, M_HINT_PIN, o.pin_sha256, resp.peer_sha256);
		else if (!o.pin_sha256 && !o.ca_file && resp.peer_sha256[0])
			canh_cli_say(c->lang, c->err, M_HINT_TRUST, resp.peer_sha256);
		st = CANH_CLI_EXIT_FAIL;
		goto out;
	} else if (rc == CANH_ETOOBIG) {
		canh_cli_error(c, M_ERR_BAD_ANSWER, em.text[0] ? em.text : canh_strerror(rc));
		st = CANH_CLI_EXIT_FAIL;
		goto out;
	} else if (rc != 0) {
		canh_cli_error(c, M_ERR_CONNECT, c->conn.url,
			       em.text[0] ? em.text : canh_strerror(rc));
		hint_not_running(c);
		st = CANH_CLI_EXIT_FAIL;
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		st = report_http_error(c, &resp);
		goto out;
	}
	json_error_t jerr;
	json_t *j = json_loadb(canh_buf_cstr(&resp.body), resp.body.len, 0, &jerr);
	if (!j) {
		canh_cli_error(c, M_ERR_BAD_ANSWER, jerr.text);
		st = CANH_CLI_EXIT_FAIL;
		goto out;
	}
	*out = j;
	st = 0;
out:
	canh_http_resp_release(&resp);
	return st;
}
