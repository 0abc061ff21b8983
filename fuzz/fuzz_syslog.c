/*
 * Fuzz harness for the text decoders (lib/decode.c, decode_linux.c,
 * decode_web.c): syslog headers and the sshd / sudo / su / PAM / user
 * management / cron / systemd / kernel message decoders, access and error
 * logs, Zimbra and Roundcube. The first byte picks the format and the
 * receive time (for the year of stamps without one); the rest is lines.
 */
#include "fuzz_decode_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum canh_log_format fmts[8] = {
	    CANH_LOG_AUTO,	CANH_LOG_SYSLOG, CANH_LOG_SYSLOG,    CANH_LOG_ACCESS,
	    CANH_LOG_WEB_ERROR, CANH_LOG_ZIMBRA, CANH_LOG_ROUNDCUBE, CANH_LOG_AUTO,
	};
	if (size == 0)
		return 0;
	/* Receive times around a new year, and 0 (now). */
	static const int64_t refs[4] = {0, 1798736399000LL, 1798736401000LL, 1763694000000LL};
	fuzz_decode_lines(fmts[data[0] & 7], data + 1, size - 1, refs[(data[0] >> 3) & 3]);
	return 0;
}
