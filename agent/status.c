/*
 * `canh-agent status`: identity and spool statistics.
 *
 * When no agent runs, the spool is opened (and recovered) directly, which
 * gives exact figures. When one runs, it holds the spool's lock, and its
 * status.json snapshot (refreshed on every append and ack) is used instead.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/time.h"

#define WAIT_MS 3000

int canh_agent_status_get(const char *dir, struct canh_agent_ident *id,
			  struct canh_agent_status *st, int *running, struct canh_errmsg *err)
{
	char *path = NULL;
	int64_t deadline = canh_mono_ms() + WAIT_MS;
	int rc;

	memset(st, 0, sizeof(*st));
	*running = 0;
	if ((rc = canh_agent_ident_load(dir, id, err)) != 0)
		return rc;
	memset(id->credential, 0, sizeof(id->credential)); /* not needed here */
	path = canh_path_join(dir, "spool");
	for (;;) {
		struct canh_spool *s = NULL;
		struct canh_agent_status last;
		rc = canh_spool_open(path, UINT64_MAX, &s, err);
		if (rc == 0) {
			struct canh_spool_stats ss;
			canh_spool_get_stats(s, &ss);
			canh_spool_free(s);
			st->next_seq = ss.next_seq;
			st->acked_seq = ss.acked_seq;
			st->pending = ss.pending;
			st->pending_bytes = ss.pending_bytes;
			/* refusals are counted by the agent that made them (its last run) */
			if (canh_agent_status_read(dir, &last) == 0)
				st->refused = last.refused;
			break;
		}
		if (rc != CANH_EAGAIN)
			break;
		if (canh_agent_status_read(dir, st) == 0) {
			*running = 1;
			rc = 0;
			break;
		}
		if (canh_mono_ms() >= deadline)
			break; /* locked, and no snapshot yet: err says the spool is in use */
		canh_sleep_ms(50, NULL);
	}
	free(path);
	return rc;
}
