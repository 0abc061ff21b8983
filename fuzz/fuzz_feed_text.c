/*
 * Fuzz harness for the text feeds: plain lists, DROP text, CSV and Feodo
 * CSV (lib/feed_plain.c, lib/feed_table.c, lib/feed_value.c). The first
 * byte picks the format (auto-detection included); the rest is the file.
 */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum canh_feed_format fmts[] = {
	    CANH_FEED_AUTO, CANH_FEED_PLAIN, CANH_FEED_CSV, CANH_FEED_FEODO,
	    CANH_FEED_DROP, CANH_FEED_AUTO,  CANH_FEED_CSV, CANH_FEED_AUTO};
	if (size == 0)
		return 0;
	fuzz_feed_run(data + 1, size - 1, fmts[data[0] & 7]);
	/* detection alone never answers AUTO */
	if (canh_feed_detect(data + 1, size - 1, "f.csv") == CANH_FEED_AUTO)
		abort();
	return 0;
}
