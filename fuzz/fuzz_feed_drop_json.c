/*
 * Fuzz harness for Spamhaus DROP JSON lines (lib/feed_json.c).
 */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_run(data, size, CANH_FEED_DROP_JSON);
	return 0;
}
