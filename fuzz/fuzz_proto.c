/*
 * Fuzz harness for the agent batch parser (lib/proto.c): arbitrary bytes as a
 * POST /agent/messages body. Whatever the input, the parser must either
 * refuse it with a one-line message and leave the batch empty, or return at
 * most CANH_PROTO_MAX_MESSAGES messages with strictly increasing seqs in
 * 1..2^53, each either accepted (data set, known type) or rejected (reason
 * set, no data).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/error.h"
#include "canh/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_proto_batch b;
	struct canh_errmsg err;
	uint64_t prev = 0;

	if (canh_proto_batch_parse((const char *)data, size, &b, &err) != 0) {
		if (b.root || b.msgs || b.n)
			abort();
		if (strnlen(err.text, sizeof(err.text)) == sizeof(err.text))
			abort();
		return 0;
	}
	if (b.n > CANH_PROTO_MAX_MESSAGES || b.version != CANH_PROTO_VERSION || !b.root)
		abort();
	for (size_t i = 0; i < b.n; i++) {
		const struct canh_proto_msg *m = &b.msgs[i];
		size_t elen = strnlen(m->error, sizeof(m->error));

		if (m->seq <= prev || m->seq > (1ULL << 53))
			abort();
		prev = m->seq;
		if (elen == sizeof(m->error))
			abort();
		if (elen == 0) {
			if (!m->data || m->type == CANH_MSG_UNKNOWN)
				abort();
			/* Accepted data passes its validator again. */
			if (m->type == CANH_MSG_INVENTORY &&
			    canh_proto_validate_inventory(m->data, &err) != 0)
				abort();
			if (m->type == CANH_MSG_HEARTBEAT &&
			    canh_proto_validate_heartbeat(m->data, &err) != 0)
				abort();
		} else if (m->data) {
			abort();
		}
	}
	canh_proto_batch_release(&b);
	return 0;
}
