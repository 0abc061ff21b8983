/*
 * Fuzz harness for the JSON decoders (lib/decode_json.c): Windows events in
 * the evtx_dump, python-evtx and Winlogbeat shapes, and journalctl -o json
 * records. The first byte picks Windows, journald or auto.
 */
#include "fuzz_decode_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum canh_log_format fmts[4] = {CANH_LOG_WINDOWS_JSON, CANH_LOG_JOURNAL_JSON,
						     CANH_LOG_AUTO, CANH_LOG_WINDOWS_JSON};
	if (size == 0)
		return 0;
	fuzz_decode_lines(fmts[data[0] & 3], data + 1, size - 1, 1763694000000LL);
	return 0;
}
