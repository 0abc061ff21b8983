/*
 * Fuzz harness for the INI configuration parser (lib/config.c): arbitrary
 * bytes through canh_config_parse over a table with every type, then the
 * result through canh_config_dump and back, which must parse again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/buf.h"
#include "canh/config.h"
#include "canh/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	char name[16];
	int64_t port;
	int64_t body;
	int64_t timeout;
	int flag;
	int64_t neg;
	char path[64];
	int64_t any_size;
	int64_t any_dur;
};

static const struct canh_cfg_def defs[] = {
    {NULL, "name", CANH_CFG_STRING, 0, 0, "canh", offsetof(struct fz, name), 16, NULL},
    {"server", "port", CANH_CFG_INT, 1, 65535, "8443", offsetof(struct fz, port), 0, NULL},
    {"server", "max_body", CANH_CFG_SIZE, 1024, 1073741824, "1M", offsetof(struct fz, body), 0,
     NULL},
    {"server", "timeout", CANH_CFG_DURATION, 1000, 86400000, "30s", offsetof(struct fz, timeout), 0,
     NULL},
    {"server", "tls", CANH_CFG_BOOL, 0, 0, "yes", offsetof(struct fz, flag), 0, NULL},
    {"agent", "offset", CANH_CFG_INT, INT64_MIN, INT64_MAX, "-5", offsetof(struct fz, neg), 0,
     NULL},
    {"agent", "path", CANH_CFG_STRING, 0, 0, NULL, offsetof(struct fz, path), 64, NULL},
    {"agent", "spool", CANH_CFG_SIZE, 0, INT64_MAX, "0", offsetof(struct fz, any_size), 0, NULL},
    {"agent", "wait", CANH_CFG_DURATION, 0, INT64_MAX, NULL, offsetof(struct fz, any_dur), 0, NULL},
    {NULL, NULL, 0, 0, 0, NULL, 0, 0, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz a, b;
	struct canh_errmsg err;
	struct canh_buf out = CANH_BUF_INIT(1 << 20);

	memset(&a, 0, sizeof(a));
	if (canh_config_defaults(defs, &a, &err) != 0)
		abort();
	int rc = canh_config_parse(defs, &a, (const char *)data, size, "fuzz.conf", &err);
	if (rc > 0)
		abort();
	if (rc < 0) {
		/* A message is always a terminated line. */
		if (strnlen(err.text, sizeof(err.text)) == sizeof(err.text) ||
		    strchr(err.text, '\n'))
			abort();
		return 0;
	}
	/* What parsed must dump, and the dump must parse to the same values. */
	if (canh_config_dump(defs, &a, &out) != 0)
		abort();
	memset(&b, 0, sizeof(b));
	canh_config_defaults(defs, &b, &err);
	if (canh_config_parse(defs, &b, out.data, out.len, "dump", &err) != 0)
		abort();
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	canh_buf_release(&out);
	return 0;
}
