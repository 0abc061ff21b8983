/*
 * Fuzz harness for MISP feed events (lib/feed_json.c): the input is the
 * event JSON.
 */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_run(data, size, CANH_FEED_MISP);
	return 0;
}
