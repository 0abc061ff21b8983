/*
 * Text lists, one indicator a line: plain lists and FireHOL netsets (IPs,
 * CIDRs, ranges "a-b", domains, URLs, hashes), and Spamhaus DROP text
 * ("192.0.2.0/24 ; SBL123", whose comment names the SBL record). Comments
 * start with '#' or ';', whole-line or trailing; blank lines, CRLF and a BOM
 * are fine. This is the hot path of `canh intel match`: it allocates
 * nothing and touches each byte about twice.
 */
#include <string.h>

#include "feed_internal.h"

int canh__feed_plain(struct feed_ctx *c, const char *data, size_t len, bool drop)
{
	char vbuf[FEED_VALUE_MAX], ref[64], q[64];
	size_t pos = 0;
	uint32_t line = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, k;
		const char *lend = s + n;
		const char *comment = NULL, *why;
		struct canh_feed_entry e;
		int rc;

		pos += n + 1;
		line++;
		c->st->rows++;
		if (n > CANH_FEED_MAX_LINE) {
			canh__feed_reject(c, line, "", "line longer than %zu bytes",
					  CANH_FEED_MAX_LINE);
			continue;
		}
		for (k = 0; k < n; k++) {
			if (s[k] == '#' || s[k] == ';') {
				comment = s + k;
				break;
			}
		}
		n = k;
		canh__feed_trim(&s, &n);
		if (n == 0) {
			c->st->skipped++;
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.line = line;
		if (canh__feed_ioc(s, n, FEED_IOC_RANGE | FEED_IOC_SPACES | FEED_IOC_NAMES, &e,
				   vbuf, &why) != 0) {
			/* a one-column list may start with its header ("IP", "Địa chỉ IP") */
			if (c->st->entries == 0 && c->st->rejected == 0 &&
			    canh__feed_is_header(1, &s, &n)) {
				c->st->skipped++;
				continue;
			}
			canh__feed_reject(c, line, "", "%s: '%s'", why, canh__feed_shown(s, n, q));
			continue;
		}
		if (drop && comment && *comment == ';') {
			const char *r = comment + 1;
			size_t rn = (size_t)(lend - r);
			canh__feed_trim(&r, &rn);
			if (rn > 0 && rn < sizeof(ref)) {
				memcpy(ref, r, rn);
				ref[rn] = '\0';
				e.ref = ref;
			}
		}
		if ((rc = canh__feed_emit(c, &e)) != 0)
			return rc;
	}
	return 0;
}
