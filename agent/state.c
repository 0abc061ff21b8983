/*
 * The agent's state directory: identity (agent.json, credential, server.pem)
 * and the status snapshot read by `canh-agent status`.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/mem.h"

#define MAX_STATE_FILE (64u * 1024)

int canh_agent_fingerprint_parse(const char *in, char out[CANH_SHA256_HEX])
{
	size_t o = 0;

	for (const char *s = in; *s; s++) {
		char c = *s;
		if (c == ':')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || o >= 64)
			return CANH_EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return o == 64 ? 0 : CANH_EINVAL;
}

static int copy_json_str(const json_t *o, const char *key, char *dst, size_t len)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v) || json_string_length(v) >= len ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int credential_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int canh_agent_ident_load(const char *dir, struct canh_agent_ident *id, struct canh_errmsg *err)
{
	char *path = canh_path_join(dir, "agent.json"), *text = NULL;
	size_t len;
	json_t *j = NULL;
	json_error_t jerr;
	int rc;

	memset(id, 0, sizeof(*id));
	if ((rc = canh_file_read(path, MAX_STATE_FILE, &text, &len, err)) != 0) {
		if (rc == CANH_ENOENT)
			canh_errmsg_set(err, rc, "not enrolled: no '%s' (run 'canh-agent enroll')",
					path);
		goto out;
	}
	j = json_loadb(text, len, 0, &jerr);
	const json_t *aid = json_object_get(j, "agent_id");
	if (!json_is_object(j) || copy_json_str(j, "server", id->server, sizeof(id->server)) ||
	    copy_json_str(j, "unit", id->unit, sizeof(id->unit)) ||
	    copy_json_str(j, "fingerprint", id->fingerprint, sizeof(id->fingerprint)) ||
	    canh_agent_fingerprint_parse(id->fingerprint, id->fingerprint) != 0 ||
	    !json_is_integer(aid) || json_integer_value(aid) <= 0) {
		rc = canh_errmsg_set(
		    err, CANH_ECORRUPT,
		    "'%s' is damaged: expected server, agent_id, unit, fingerprint", path);
		goto out;
	}
	id->agent_id = json_integer_value(aid);
	free(path);
	free(text);
	text = NULL;
	path = canh_path_join(dir, "credential");
	if ((rc = canh_file_read(path, CANH_AGENT_MAX_CREDENTIAL * 2, &text, &len, err)) != 0)
		goto out;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (len >= sizeof(id->credential) || strlen(text) != len || !credential_ok(text)) {
		rc = canh_errmsg_set(err, CANH_ECORRUPT, "'%s' does not hold a credential", path);
		goto out;
	}
	memcpy(id->credential, text, len + 1);
	rc = 0;
out:
	if (text) {
		memset(text, 0, strlen(text));
		free(text);
	}
	json_decref(j);
	free(path);
	return rc;
}

int canh_agent_ident_save(const char *dir, const struct canh_agent_ident *id, const char *pem,
			  struct canh_errmsg *err)
{
	char *path = NULL, *text = NULL, cred[CANH_AGENT_MAX_CREDENTIAL + 2];
	json_t *j = NULL;
	int rc;

	if (pem) {
		path = canh_path_join(dir, "server.pem");
		if ((rc = canh_file_write_atomic(path, pem, strlen(pem), 0644, err)) != 0)
			goto out;
		free(path);
	}
	path = canh_path_join(dir, "credential");
	int n = snprintf(cred, sizeof(cred), "%s\n", id->credential);
	rc = canh_file_write_atomic(path, cred, (size_t)n, 0600, err);
	memset(cred, 0, sizeof(cred));
	if (rc != 0)
		goto out;
	free(path);
	path = canh_path_join(dir, "agent.json");
	j = json_pack("{s:s, s:I, s:s, s:s}", "server", id->server, "agent_id",
		      (json_int_t)id->agent_id, "unit", id->unit, "fingerprint", id->fingerprint);
	text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	if (!text) {
		rc = canh_errmsg_set(err, CANH_EINVAL, "cannot encode '%s' (invalid UTF-8?)", path);
		goto out;
	}
	size_t tl = strlen(text);
	char *t2 = canh_xmalloc(tl + 2);
	memcpy(t2, text, tl);
	t2[tl] = '\n';
	t2[tl + 1] = '\0';
	rc = canh_file_write_atomic(path, t2, tl + 1, 0600, err);
	free(t2);
out:
	free(text);
	json_decref(j);
	free(path);
	return rc;
}

int canh_agent_status_write(const char *dir, const struct canh_spool_stats *st)
{
	char *path = canh_path_join(dir, "status.json");
	char *tmp = canh_path_join(dir, "status.json.tmp");
	char text[512];
	int n = snprintf(text, sizeof(text),
			 "{\"next_seq\":%" PRIu64 ",\"acked_seq\":%" PRIu64 ",\"pending\":%" PRIu64
			 ",\"pending_bytes\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"pid\":%ld}\n",
			 st->next_seq, st->acked_seq, st->pending, st->pending_bytes, st->refused,
			 (long)getpid());
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = CANH_EIO;
		goto out;
	}
	if (write(fd, text, (size_t)n) != n)
		rc = CANH_EIO;
	if (close(fd) != 0)
		rc = CANH_EIO;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = CANH_EIO;
	if (rc != 0)
		unlink(tmp);
out:
	free(tmp);
	free(path);
	return rc;
}

static int get_u64(const json_t *j, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(j, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int canh_agent_status_read(const char *dir, struct canh_agent_status *st)
{
	char *path = canh_path_join(dir, "status.json"), *text = NULL;
	size_t len;
	json_t *j = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = canh_file_read(path, MAX_STATE_FILE, &text, &len, NULL)) != 0)
		goto out;
	j = json_loadb(text, len, 0, NULL);
	if (!j || get_u64(j, "next_seq", &st->next_seq) ||
	    get_u64(j, "acked_seq", &st->acked_seq) || get_u64(j, "pending", &st->pending) ||
	    get_u64(j, "pending_bytes", &st->pending_bytes) || get_u64(j, "refused", &st->refused))
		rc = CANH_ECORRUPT;
out:
	json_decref(j);
	free(text);
	free(path);
	return rc;
}
