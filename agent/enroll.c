/*
 * Enrolment: trade a one-time token for an agent credential, and remember
 * which server certificate to trust from then on.
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
#include "canh/mem.h"

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
static int reset_state(const char *dir, struct canh_errmsg *err)
{
	static const char *const files[] = {"inventory-state.json", "status.json"};
	char *spool = canh_path_join(dir, "spool");
	struct canh_spool *s = NULL;
	DIR *d;
	int rc;

	rc = canh_spool_open(spool, UINT64_MAX, &s, err);
	if (rc == CANH_EAGAIN)
		canh_errmsg_set(err, rc, "an agent is running on '%s': stop it first", dir);
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

static const char *server_error(const struct canh_http_resp *r, char *buf, size_t len)
{
	json_t *j = json_loadb(canh_buf_cstr(&r->body), r->body.len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	snprintf(buf, len, "%s", e ? e : "no error message");
	json_decref(j);
	return buf;
}

int canh_agent_enroll(const struct canh_agent_enroll_opts *o, struct canh_agent_enroll_result *res,
		      struct canh_errmsg *err)
{
	struct canh_agent_ident id, old;
	struct canh_httpc_opts ho;
	struct canh_http_resp r;
	char host[256], mid[128], pin[CANH_SHA256_HEX], msg[300];
	char *body = NULL, *agent_json = NULL;
	json_t *req = NULL, *ans = NULL;
	size_t ulen;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&id, 0, sizeof(id));
	canh_http_resp_init(&r);
	if (!o->server || strncasecmp(o->server, "https://", 8) != 0 ||
	    strlen(o->server) >= sizeof(id.server) || !printable(o->server)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "server '%s' is not an https:// URL",
				     o->server ? o->server : "");
		goto out;
	}
	if (!o->token || !*o->token || strlen(o->token) > MAX_TOKEN || !printable(o->token)) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "enrolment token is empty or malformed");
		goto out;
	}
	if (o->fingerprint && o->ca_file) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "give --fingerprint or --ca-file, not both");
		goto out;
	}
	if (o->fingerprint && canh_agent_fingerprint_parse(o->fingerprint, pin) != 0) {
		rc = canh_errmsg_set(err, CANH_EINVAL,
				     "fingerprint '%s' is not a SHA-256 (64 hex digits)",
				     o->fingerprint);
		goto out;
	}

	agent_json = canh_path_join(o->state_dir, "agent.json");
	if (access(agent_json, F_OK) == 0 && !o->force) {
		if (canh_agent_ident_load(o->state_dir, &old, NULL) == 0)
			rc = canh_errmsg_set(err, CANH_EEXIST,
					     "already enrolled as agent %" PRId64
					     " of '%s' (use --force to enrol again)",
					     old.agent_id, old.server);
		else
			rc = canh_errmsg_set(err, CANH_EEXIST,
					     "'%s' exists: already enrolled (use --force to enrol "
					     "again)",
					     agent_json);
		memset(&old, 0, sizeof(old));
		goto out;
	}
	if ((rc = canh_mkdir_p(o->state_dir, 0700, err)) != 0)
		goto out;
	if (chmod(o->state_dir, 0700) != 0) {
		rc = canh_errmsg_set(err, CANH_EPERM, "cannot chmod '%s': %s", o->state_dir,
				     strerror(errno));
		goto out;
	}
	if (o->force) {
		/* Refuse early when an agent runs here; the reset itself waits for success. */
		struct canh_spool *s = NULL;
		char *sp = canh_path_join(o->state_dir, "spool");
		rc = canh_spool_open(sp, UINT64_MAX, &s, err);
		free(sp);
		canh_spool_free(s);
		if (rc == CANH_EAGAIN) {
			canh_errmsg_set(err, rc, "an agent is running on '%s': stop it first",
					o->state_dir);
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
		rc = canh_errmsg_set(err, CANH_EINVAL, "cannot encode the enrolment request");
		goto out;
	}

	memset(&ho, 0, sizeof(ho));
	ho.base_url = o->server;
	ho.pin_sha256 = o->fingerprint ? pin : NULL;
	ho.ca_file = o->ca_file;
	ho.tofu = !o->fingerprint && !o->ca_file;
	ho.connect_timeout_ms = 10000;
	ho.timeout_ms = 60000;
	ho.max_response = MAX_RESPONSE;
	rc = canh_httpc_request(&ho, "POST", "/api/v1/enroll", "application/json", body,
				strlen(body), &r, err);
	if (rc != 0)
		goto out;
	if (r.status != 201 && r.status != 200) {
		rc = canh_errmsg_set(err, r.status == 401 ? CANH_EAUTH : CANH_EHTTP,
				     "enrolment refused by '%s' (%ld): %s", o->server, r.status,
				     server_error(&r, msg, sizeof(msg)));
		goto out;
	}
	if (!r.peer_sha256[0]) {
		rc = canh_errmsg_set(err, CANH_ETLS, "no certificate seen from '%s'", o->server);
		goto out;
	}

	ans = json_loadb(canh_buf_cstr(&r.body), r.body.len, 0, NULL);
	const json_t *aid = json_object_get(ans, "agent_id");
	const char *cred = json_string_value(json_object_get(ans, "credential"));
	const char *unit = json_string_value(json_object_get(ans, "unit"));
	const char *sfp = json_string_value(json_object_get(ans, "server_fingerprint"));
	if (!json_is_integer(aid) || json_integer_value(aid) <= 0 || !cred || !*cred ||
	    strlen(cred) >= sizeof(id.credential) || !printable(cred)) {
		rc = canh_errmsg_set(err, CANH_EPARSE,
				     "enrolment answer of '%s' lacks agent_id or credential",
				     o->server);
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
			snprintf(res->warning, sizeof(res->warning),
				 "the server reports its certificate as %.64s but presented %s "
				 "(a TLS proxy in between?); pinning what was presented",
				 sfp, id.fingerprint);
	}
	if (o->force && (rc = reset_state(o->state_dir, err)) != 0)
		goto out;
	if ((rc = canh_agent_ident_save(o->state_dir, &id, r.peer_pem, err)) != 0)
		goto out;

	res->agent_id = id.agent_id;
	canh_strlcpy(res->unit, id.unit, sizeof(res->unit));
	canh_strlcpy(res->fingerprint, id.fingerprint, sizeof(res->fingerprint));
	res->trust = o->fingerprint ? "matches the given fingerprint"
		     : o->ca_file   ? "verified against the CA file"
				    : "trusted on first use";
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
