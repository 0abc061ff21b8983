/*
 * Fuzz harness for STIX 2.1 bundles (lib/feed_json.c): the whole input is
 * the bundle; the pattern parser is the part worth reaching, so the seeds
 * are bundles with many pattern shapes.
 */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_run(data, size, CANH_FEED_STIX);
	return 0;
}
