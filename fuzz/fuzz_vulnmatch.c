/*
 * Fuzz harness for the matcher's Debian tracker fast path (lib/vulnmatch.c):
 * the same bytes are loaded twice, once through the fast path (an index
 * filtered to a few package names: bracket-mask walk, release filter,
 * per-package parse) and once through the whole-file parser, and one host is
 * matched against both. When both loads succeed the findings must be the
 * same, in the same order; when the fast path fails, the whole-file parser
 * must fail too (the fast path checks skipped packages for structure only,
 * so the other way round is allowed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/vulnmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct canh_vuln_pkg host[] = {
    {"dpkg", "curl", "7.88.1-10+deb12u4", NULL, NULL},
    {"dpkg", "libssl3", "3.0.11-1~deb12u1", "openssl", "3.0.11-1~deb12u1"},
    {"dpkg", "zlib1g", "1:1.2.13.dfsg-1", "zlib", NULL},
    {"dpkg", "a", "1", NULL, NULL},
};
#define N_HOST (sizeof(host) / sizeof(host[0]))

static int text_cb(void *ctx, const struct canh_vuln_finding *f)
{
	canh_buf_appendf(ctx, "%s %s %s %s %s %s\n", f->advisory_id, f->package,
			 f->installed ? f->installed : "-", f->fixed ? f->fixed : "-",
			 canh_vuln_status_name(f->status), f->release ? f->release : "-");
	return 0;
}

static int load(const uint8_t *data, size_t size, int filter, struct canh_buf *out)
{
	struct canh_vulnmatch_opts o = {CANH_ECO_DEBIAN, "bookworm", filter};
	struct canh_vuln_host h = {CANH_ECO_DEBIAN, "bookworm"};
	struct canh_advisory_stats st;
	struct canh_errmsg err;
	struct canh_vulnmatch *m = canh_vulnmatch_new(&o);
	size_t skipped = 0;
	int rc;

	for (size_t i = 0; i < N_HOST; i++) {
		canh_vulnmatch_want(m, host[i].name);
		canh_vulnmatch_want(m, host[i].source);
	}
	memset(&st, 0, sizeof(st));
	err.text[0] = '\0';
	rc = canh_vulnmatch_load(m, data, size, CANH_ADV_FORMAT_DEBIAN, "fuzz.json", "bookworm",
				 &st, &skipped, &err);
	if (rc != 0 && !err.text[0])
		abort(); /* a failure always says why */
	if (rc == 0)
		canh_vulnmatch_host(m, &h, host, N_HOST, NULL, 0, text_cb, out);
	canh_vulnmatch_free(m);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_buf fast, full;
	int rc_fast, rc_full;

	if (size > (1u << 20))
		return 0;
	canh_buf_init(&fast, 1u << 26);
	canh_buf_init(&full, 1u << 26);
	rc_fast = load(data, size, 1, &fast);
	rc_full = load(data, size, 0, &full);
	if (rc_fast != 0 && rc_full == 0)
		abort();
	if (rc_fast == 0 && rc_full == 0 &&
	    (fast.len != full.len || (fast.len && memcmp(fast.data, full.data, fast.len) != 0)))
		abort();
	canh_buf_release(&fast);
	canh_buf_release(&full);
	return 0;
}
