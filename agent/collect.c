/*
 * Inventory and heartbeat messages, as spooled: {"type":…,"time":…,"data":…}.
 *
 * The inventory re-sends a section (interfaces, packages, listening) only
 * when the SHA-256 of its canonical JSON (compact, keys sorted) differs from
 * the one last *spooled*, or when the inventory is full. The hashes live in
 * inventory-state.json and are updated only after the spool accepted the
 * message, so a refused message never hides a change.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/time.h"

int canh_agent_invstate_load(const char *dir, struct canh_agent_invstate *st)
{
	char *path = canh_path_join(dir, "inventory-state.json"), *text = NULL;
	size_t len;
	json_t *j = NULL, *h;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = canh_file_read(path, 64 * 1024, &text, &len, NULL)) != 0)
		goto out;
	j = json_loadb(text, len, 0, NULL);
	h = json_object_get(j, "hashes");
	for (size_t i = 0; i < CANH_AGENT_NSECTIONS; i++) {
		const char *v = json_string_value(json_object_get(h, canh_inventory_sections[i]));
		/* a damaged or foreign value just means "send it again" */
		if (v && strlen(v) == CANH_SHA256_HEX - 1)
			memcpy(st->hash[i], v, CANH_SHA256_HEX);
	}
	json_t *lf = json_object_get(j, "last_full_ms");
	if (json_is_integer(lf) && json_integer_value(lf) > 0)
		st->last_full_ms = json_integer_value(lf);
out:
	json_decref(j);
	free(text);
	free(path);
	return rc;
}

int canh_agent_invstate_save(const char *dir, const struct canh_agent_invstate *st,
			     struct canh_errmsg *err)
{
	char *path = canh_path_join(dir, "inventory-state.json"), *text = NULL;
	json_t *j = json_object(), *h = json_object();
	int rc;

	for (size_t i = 0; i < CANH_AGENT_NSECTIONS; i++)
		json_object_set_new(h, canh_inventory_sections[i], json_string(st->hash[i]));
	json_object_set_new(j, "hashes", h);
	json_object_set_new(j, "last_full_ms", json_integer(st->last_full_ms));
	text = json_dumps(j, JSON_COMPACT);
	if (!text) {
		rc = canh_errmsg_set(err, CANH_ENOMEM, "cannot encode '%s'", path);
		goto out;
	}
	rc = canh_file_write_atomic(path, text, strlen(text), 0600, err);
out:
	free(text);
	json_decref(j);
	free(path);
	return rc;
}

/* {"type":type,"time":now,"data":data} as compact text; data is consumed. */
static int message_text(const char *type, int64_t now_ms, json_t *data, char **text, size_t *len)
{
	char tbuf[CANH_TIME_BUFSZ];
	json_t *m = json_object();

	*text = NULL;
	*len = 0;
	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "time", json_string(canh_time_format(now_ms, tbuf, sizeof(tbuf))));
	json_object_set_new(m, "data", data);
	*text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!*text)
		return CANH_ENOMEM;
	*len = strlen(*text);
	return 0;
}

int canh_agent_inventory_message(json_t *inv, const struct canh_agent_invstate *prev,
				 int64_t now_ms, int64_t full_interval_ms, char **text, size_t *len,
				 struct canh_agent_invstate *next)
{
	json_t *data;
	int full;

	*text = NULL;
	*len = 0;
	*next = *prev;
	/* A clock that went backwards also calls for a full inventory. */
	full = prev->last_full_ms <= 0 || now_ms < prev->last_full_ms ||
	       now_ms - prev->last_full_ms >= full_interval_ms;
	for (size_t i = 0; i < CANH_AGENT_NSECTIONS; i++) {
		const char *name = canh_inventory_sections[i];
		json_t *sec = json_object_get(inv, name);
		char *canon;
		if (!sec)
			continue;
		canon = json_dumps(sec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!canon) {
			json_decref(inv);
			return CANH_ENOMEM;
		}
		canh_sha256_hex(canon, strlen(canon), next->hash[i]);
		free(canon);
		if (!full && strcmp(next->hash[i], prev->hash[i]) == 0)
			json_object_del(inv, name);
	}
	if (full)
		next->last_full_ms = now_ms;

	data = json_object();
	json_object_set_new(data, "full", json_boolean(full));
	json_object_update(data, inv);
	json_decref(inv);
	return message_text("inventory", now_ms, data, text, len);
}

int canh_agent_heartbeat_message(int64_t now_ms, int64_t uptime_s,
				 const struct canh_spool_stats *st, char **text, size_t *len)
{
	json_t *data =
	    json_pack("{s:s, s:I, s:{s:I, s:I, s:I, s:I}}", "agent_version", CANH_AGENT_VERSION,
		      "uptime_s", (json_int_t)uptime_s, "spool", "pending", (json_int_t)st->pending,
		      "pending_bytes", (json_int_t)st->pending_bytes, "refused",
		      (json_int_t)st->refused, "acked", (json_int_t)st->acked_seq);
	if (!data)
		return CANH_ENOMEM;
	return message_text("heartbeat", now_ms, data, text, len);
}
