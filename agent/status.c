/*
 * `canh-agent status`: identity and spool statistics.
 *
 * When no agent runs, the spool is opened (and recovered) directly, which
 * gives exact figures. When one runs, it holds the spool's lock, and its
 * status.json snapshot (refreshed on every append and ack) is used instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "canh/time.h"
#include "messages.h"

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

/* Display width of a text of the message table: code points (its Vietnamese is precomposed). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void canh_agent_status_print(FILE *f, enum canh_lang lang, const struct canh_agent_ident *id,
			     const struct canh_agent_status *st, int running)
{
	enum { AGENT, SERVER, UNIT, FINGERPRINT, QUEUE, SEQUENCE, REFUSED, NROWS };
	static const enum canh_agent_msg_id labels[NROWS] = {
	    A_L_AGENT, A_L_SERVER, A_L_UNIT, A_L_FINGERPRINT, A_L_QUEUE, A_L_SEQUENCE, A_L_REFUSED,
	};
	char value[NROWS][600];
	size_t wmax = 0;

	if (running)
		canh_agent_msg_format(lang, value[AGENT], sizeof(value[AGENT]), A_V_RUNNING,
				      (long long)id->agent_id);
	else
		canh_agent_msg_format(lang, value[AGENT], sizeof(value[AGENT]), A_V_NOT_RUNNING,
				      (long long)id->agent_id);
	/* agent.json is ours, but its server and unit came over the network once. */
	canh_log_escape(value[SERVER], sizeof(value[SERVER]), id->server, strlen(id->server));
	canh_log_escape(value[UNIT], sizeof(value[UNIT]), id->unit, strlen(id->unit));
	snprintf(value[FINGERPRINT], sizeof(value[FINGERPRINT]), "%s", id->fingerprint);
	canh_agent_msg_format(lang, value[QUEUE], sizeof(value[QUEUE]), A_V_QUEUE,
			      (unsigned long long)st->pending,
			      (unsigned long long)st->pending_bytes);
	canh_agent_msg_format(lang, value[SEQUENCE], sizeof(value[SEQUENCE]), A_V_SEQUENCE,
			      (unsigned long long)st->next_seq, (unsigned long long)st->acked_seq);
	canh_agent_msg_format(lang, value[REFUSED], sizeof(value[REFUSED]), A_V_REFUSED,
			      (unsigned long long)st->refused);
	for (size_t i = 0; i < NROWS; i++) {
		size_t w = width(canh_agent_msg(lang, labels[i]));
		if (w > wmax)
			wmax = w;
	}
	for (size_t i = 0; i < NROWS; i++) {
		const char *label = canh_agent_msg(lang, labels[i]);
		/* "Label:" then blanks up to one column after the longest label. */
		fprintf(f, "%s:%*s%s\n", label, (int)(wmax - width(label) + 1), "", value[i]);
	}
}
