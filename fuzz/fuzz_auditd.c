/*
 * Fuzz harness for the auditd decoder (lib/decode_auditd.c): record
 * headers, key=value fields with quotes, hex-encoded values and msg='...'
 * parts, and the joining table (groups by serial, EOE, expiry by the
 * stream's time, eviction when full). The first byte sets the timeout.
 */
#include "fuzz_decode_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fuzz_decode_lines(CANH_LOG_AUDITD, data + 1, size - 1, 1763694000000LL);
	return 0;
}
