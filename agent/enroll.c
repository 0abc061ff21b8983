/*
 * Enrolment: trade a one-time token for an agent credential, and remember
 * which server certificate to trust from then on.
 *
 * Its errors are for the person at the terminal, in their language
 * (messages.h): a library's own explanation (a file, TLS, the network) is
 * kept as the detail after a translated lead-in, and canhd is asked for the
 * same language, so the reason it gives for a refusal reads the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/httpc.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "messages.h"

#define MAX_TOKEN 256
#define MAX_RESPONSE (64u * 1024)

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void read_machine_id(const char *root, char *out, size_t len)
{
	static const char *const paths[] = {"/etc/machine-id", "/var/lib/dbus/machine-id"};

	out[0] = '\0';
	for (size_t i = 0; i < 2 && !out[0]; i++) {
		char *p = canh_xasprintf("%s%s", root ? root : "", paths[i]), *text = NULL;
		size_t n;
		if (canh_file_read(p, 4096, &text, &n, NULL) == 0) {
			size_t k = strspn(text, "0123456789abcdefABCDEF");
			if (k > 0 && k < len) {
				memcpy(out, text, k);
				out[k] = '\0';
			}
		}
		free(text);
		free(p);
	}
}

/* Files of the spool directory (see lib/spool.c); nothing else is removed. */
static int spool_file(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "acked") == 0 || strcmp(name, "next") == 0 ||
	       strcmp(name, "lock") == 0 || strcmp(name, "acked.tmp") == 0 ||
	       strcmp(name, "next.tmp") == 0 ||
	       (strncmp(name, "seg-", 4) == 0 &&
		((n > 4 && strcmp(name + n - 4, ".log") == 0) ||
		 (n > 8 && strcmp(name + n - 8, ".log.tmp") == 0)));
}

/*
 * A new identity starts a new sequence space: the old spool (messages of the
 * previous agent id) and inventory state go. The spool is opened first, which
 * takes its lock, so this fails while an agent runs on the directory.
 */
static int reset_state(const char *dir, enum canh_lang lang, struct canh_errmsg *err)
{
	static const char *const files[] = {"inventory-state.json", "status.json"};
	char *spool = canh_path_join(dir, "spool");
	struct canh_spool *s = NULL;
	struct canh_errmsg why;
	DIR *d;
	int rc;

	why.text[0] = '\0';
	rc = canh_spool_open(spool, UINT64_MAX, &s, &why);
	if (rc == CANH_EAGAIN)
		canh_agent_msg_set(err, lang, rc, A_ERR_AGENT_RUNNING, dir);
	else if (rc != 0)
		canh_agent_msg_set(err, lang, rc, A_ERR_STATE_DIR, dir, why.text);
	if (rc != 0)
		goto out;
	if ((d = opendir(spool))) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (spool_file(e->d_name) && strcmp(e->d_name, "lock") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	canh_spool_free(s);
	s = NULL;
	char *lock = canh_path_join(spool, "lock");
	unlink(lock);
	free(lock);
	rmdir(spool);
	for (size_t i = 0; i < 2; i++) {
		char *p = canh_path_join(dir, files[i]);
		unlink(p);
		free(p);
	}
out:
	canh_spool_free(s);
	free(spool);
	return rc;
}

/* Bytes from outside, made safe for a terminal (controls and bad UTF-8 escaped). */
static const char *escaped(const char *s, char *buf, size_t len)
{
	canh_log_escape(buf, len, s, strlen(s));
	return buf;
}

/* The reason canhd gave (its JSON "error", in the language asked for), made safe to print. */
static const char *server_error(const struct canh_http_resp *r, enum canh_lang lang, char *buf,
				size_t len)
{
	json_t *j = json_loadb(canh_buf_cstr(&r->body), r->body.len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	escaped(e && e[0] ? e : canh_agent_msg(lang, A_NO_REASON), buf, len);
	json_decref(j);
	return buf;
}

int canh_agent_enroll(const struct canh_agent_enroll_opts *o, struct canh_agent_enroll_result *res,
		      struct canh_errmsg *err)
{
	struct canh_agent_ident id, old;
	struct canh_httpc_opts ho;
	struct canh_http_resp r;
	struct canh_errmsg why; /* a library's explanation, shown after our lead-in */
	const enum canh_lang lang = o->lang;
	char host[256], mid[128], pin[CANH_SHA256_HEX], msg[400];
	char *body = NULL, *agent_json = NULL;
	json_t *req = NULL, *ans = NULL;
	size_t ulen;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&id, 0, sizeof(id));
	why.text[0] = '\0';
	canh_http_resp_init(&r);
	if (!o->server || strncasecmp(o->server, "https://", 8) != 0 ||
	    strlen(o->server) >= sizeof(id.server) || !printable(o->server)) {
		rc = canh_agent_msg_set(err, lang, CANH_EINVAL, A_ERR_BAD_URL,
					escaped(o->server ? o->server : "", msg, sizeof(msg)));
		goto out;
	}
	if (!o->token || !*o->token || strlen(o->token) > MAX_TOKEN || !printable(o->token)) {
		rc = canh_agent_msg_set(err, lang, CANH_EINVAL, A_ERR_BAD_TOKEN);
		goto out;
	}
	if (o->fingerprint && o->ca_file) {
		rc = canh_agent_msg_set(err, lang, CANH_EINVAL, A_ERR_TRUST_BOTH);
		goto out;
	}
	if (o->fingerprint && canh_agent_fingerprint_parse(o->fingerprint, pin) != 0) {
		rc = canh_agent_msg_set(err, lang, CANH_EINVAL, A_ERR_BAD_FINGERPRINT,
					escaped(o->fingerprint, msg, sizeof(msg)));
		goto out;
	}

	agent_json = canh_path_join(o->state_dir, "agent.json");
	if (access(agent_json, F_OK) == 0 && !o->force) {
		if (canh_agent_ident_load(o->state_dir, &old, NULL) == 0)
			rc = canh_agent_msg_set(err, lang, CANH_EEXIST, A_ERR_ALREADY_ENROLLED,
						(long long)old.agent_id, old.server);
		else
			rc = canh_agent_msg_set(err, lang, CANH_EEXIST, A_ERR_ALREADY_ENROLLED_FILE,
						agent_json);
		memset(&old, 0, sizeof(old));
		goto out;
	}
	if ((rc = canh_mkdir_p(o->state_dir, 0700, &why)) != 0) {
		canh_agent_msg_set(err, lang, rc, A_ERR_STATE_DIR, o->state_dir, why.text);
		goto out;
	}
	if (chmod(o->state_dir, 0700) != 0) {
		rc = canh_agent_msg_set(err, lang, CANH_EPERM, A_ERR_STATE_DIR, o->state_dir,
					strerror(errno));
		goto out;
	}
	if (o->force) {
		/* Refuse early when an agent runs here; the reset itself waits for success. */
		struct canh_spool *s = NULL;
		char *sp = canh_path_join(o->state_dir, "spool");
		rc = canh_spool_open(sp, UINT64_MAX, &s, &why);
		free(sp);
		canh_spool_free(s);
		if (rc == CANH_EAGAIN) {
			canh_agent_msg_set(err, lang, rc, A_ERR_AGENT_RUNNING, o->state_dir);
			goto out;
		}
	}

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	read_machine_id(o->root, mid, sizeof(mid));
	req = json_pack("{s:s, s:s, s:s, s:s}", "token", o->token, "hostname",
			host[0] ? host : "unknown", "machine_id", mid, "agent_version",
			CANH_AGENT_VERSION);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	if (!body) {
		rc = canh_agent_msg_set(err, lang, CANH_EINVAL, A_ERR_INTERNAL,
					"cannot encode the enrolment request");
		goto out;
	}

	memset(&ho, 0, sizeof(ho));
	ho.base_url = o->server;
	ho.pin_sha256 = o->fingerprint ? pin : NULL;
	ho.ca_file = o->ca_file;
	ho.tofu = !o->fingerprint && !o->ca_file;
	ho.accept_language = canh_lang_tag(lang); /* canhd's reasons in the user's language */
	ho.connect_timeout_ms = 10000;
	ho.timeout_ms = 60000;
	ho.max_response = MAX_RESPONSE;
	rc = canh_httpc_request(&ho, "POST", "/api/v1/enroll", "application/json", body,
				strlen(body), &r, &why);
	if (rc == CANH_ETLS && o->fingerprint && r.peer_sha256[0] && strcmp(r.peer_sha256, pin)) {
		canh_agent_msg_set(err, lang, rc, A_ERR_PIN_MISMATCH, o->server, r.peer_sha256,
				   pin);
		goto out;
	} else if (rc == CANH_ETLS) {
		canh_agent_msg_set(err, lang, rc, A_ERR_TLS, o->server, why.text);
		goto out;
	} else if (rc == CANH_ETOOBIG) {
		canh_agent_msg_set(err, lang, rc, A_ERR_ANSWER, o->server, why.text);
		goto out;
	} else if (rc != 0) {
		canh_agent_msg_set(err, lang, rc, A_ERR_CONNECT, o->server, why.text);
		goto out;
	}
	if (r.status == 401) {
		/* An unknown, used or expired token: canhd says which, in lang. */
		rc = canh_agent_msg_set(err, lang, CANH_EAUTH, A_ERR_TOKEN_REFUSED,
					server_error(&r, lang, msg, sizeof(msg)));
		goto out;
	}
	if (r.status != 201 && r.status != 200) {
		rc = canh_agent_msg_set(err, lang, CANH_EHTTP, A_ERR_ENROLL_REFUSED, r.status,
					server_error(&r, lang, msg, sizeof(msg)));
		goto out;
	}
	if (!r.peer_sha256[0]) {
		rc = canh_agent_msg_set(err, lang, CANH_ETLS, A_ERR_NO_CERT, o->server);
		goto out;
	}

	ans = json_loadb(canh_buf_cstr(&r.body), r.body.len, 0, NULL);
	const json_t *aid = json_object_get(ans, "agent_id");
	const char *cred = json_string_value(json_object_get(ans, "credential"));
	const char *unit = json_string_value(json_object_get(ans, "unit"));
	const char *sfp = json_string_value(json_object_get(ans, "server_fingerprint"));
	if (!json_is_integer(aid) || json_integer_value(aid) <= 0 || !cred || !*cred ||
	    strlen(cred) >= sizeof(id.credential) || !printable(cred)) {
		rc = canh_agent_msg_set(err, lang, CANH_EPARSE, A_ERR_BAD_ANSWER, o->server);
		goto out;
	}
	ulen = strlen(o->server);
	while (ulen > 8 && o->server[ulen - 1] == '/')
		ulen--;
	memcpy(id.server, o->server, ulen);
	id.server[ulen] = '\0';
	id.agent_id = json_integer_value(aid);
	canh_strlcpy(id.unit, unit ? unit : "", sizeof(id.unit));
	canh_strlcpy(id.fingerprint, r.peer_sha256, sizeof(id.fingerprint));
	canh_strlcpy(id.credential, cred, sizeof(id.credential));

	if (sfp) {
		char norm[CANH_SHA256_HEX];
		if (canh_agent_fingerprint_parse(sfp, norm) != 0 || strcmp(norm, id.fingerprint))
			canh_agent_msg_format(lang, res->warning, sizeof(res->warning),
					      A_WARN_PROXY, escaped(sfp, msg, sizeof(msg)),
					      id.fingerprint);
	}
	if (o->force && (rc = reset_state(o->state_dir, lang, err)) != 0)
		goto out;
	if ((rc = canh_agent_ident_save(o->state_dir, &id, r.peer_pem, &why)) != 0) {
		canh_agent_msg_set(err, lang, rc, A_ERR_SAVE, o->state_dir, why.text);
		goto out;
	}

	res->agent_id = id.agent_id;
	canh_strlcpy(res->unit, id.unit, sizeof(res->unit));
	canh_strlcpy(res->fingerprint, id.fingerprint, sizeof(res->fingerprint));
	res->trust = canh_agent_msg(lang, o->fingerprint ? A_TRUST_PIN
					  : o->ca_file	 ? A_TRUST_CA
							 : A_TRUST_TOFU);
	res->tofu = !o->fingerprint && !o->ca_file;
	rc = 0;
out:
	memset(&id, 0, sizeof(id));
	json_decref(req);
	json_decref(ans);
	free(body);
	free(agent_json);
	canh_http_resp_release(&r);
	return rc;
}
