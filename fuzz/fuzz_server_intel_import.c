/*
 * Fuzz harness for the import of a feed into canhd (server/intel.c, server/store_sqlite_intel.c):
 * whatever a parser hands over — any address range, family, port, org or reason — is stored as
 * a version, matched against units' ranges (overlapping, IPv4 and IPv6) and an egress address,
 * loaded into the sets and reported, without a crash and with the store consistent. The first
 * byte picks the kind and format; the rest is the file. One store (in a temporary directory,
 * removed at exit) serves every input, so versions pile up as they would in a year of imports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/crypto.h"
#include "canh/log.h"
#include "intel.h"
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct canh_server srv;
static char dir[64];

static void cleanup(void)
{
	char path[128];

	canh_intel_free(srv.intel);
	canh_store_free(srv.store);
	for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s/canh.db%s", dir, *sfx);
		unlink(path);
	}
	rmdir(dir);
}

static void add_unit(const char *code, const char *parent, const char *ranges)
{
	struct canh_unit u = {code, code, "school", parent, ranges, "[]", 0};
	struct canh_errmsg err;
	int created;

	if (canh_store_unit_upsert(srv.store, &u, 1, "fuzz", &created, &err) != 0)
		abort();
}

static void init(void)
{
	char db[96], th[CANH_SHA256_HEX], ch[CANH_SHA256_HEX], code[CANH_UNIT_CODE_MAX + 1];
	struct canh_enrolment e = {0};
	struct canh_errmsg err;
	int64_t tid, id;

	canh_log_set_level(CANH_LOG_ERROR);
	snprintf(dir, sizeof(dir), "%s/canh-fuzz-intel-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(db, sizeof(db), "%s/canh.db", dir);
	if (canh_store_open(db, &srv.store, &err) != 0 ||
	    canh_intel_new(srv.store, &srv.intel, &err) != 0)
		abort();
	atexit(cleanup);
	add_unit("ROOT", NULL, "[\"0.0.0.0/0\",\"::/0\"]");
	add_unit("A", "ROOT", "[\"192.0.2.0/24\",\"192.0.2.0/25\",\"2001:db8::/32\"]");
	add_unit("B", "A", "[\"192.0.2.7/32\",\"10.0.0.0/8\"]");
	canh_sha256_hex("t", 1, th);
	canh_sha256_hex("c", 1, ch);
	if (canh_store_token_create(srv.store, "B", th, 1, INT64_MAX / 2, "fuzz", &tid, &err) != 0)
		abort();
	e.token_hash = th;
	e.cred_hash = ch;
	e.hostname = "h";
	e.now = 1;
	if (canh_store_enroll(srv.store, &e, &id, code, &err) != 0 ||
	    canh_store_agent_seen(srv.store, id, "192.0.2.7", 2, &err) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum canh_feed_format fmts[] = {
	    CANH_FEED_AUTO,  CANH_FEED_PLAIN, CANH_FEED_CSV,  CANH_FEED_XLSX,
	    CANH_FEED_FEODO, CANH_FEED_DROP,  CANH_FEED_STIX, CANH_FEED_MISP};
	struct canh_intel_import_req req = {0};
	struct canh_intel_hit hits[8];
	struct canh_errmsg err;
	struct canh_ipaddr a;
	json_t *res = NULL;
	int rc;

	if (!srv.store)
		init();
	if (size == 0)
		return 0;
	req.kind = (data[0] & 1) ? CANH_INTEL_C2 : CANH_INTEL_VICTIM;
	req.name = req.kind == CANH_INTEL_C2 ? "c2" : "victims";
	req.format = fmts[(data[0] >> 1) & 7];
	req.filename = "feed";
	req.data = data + 1;
	req.len = size - 1;
	req.actor = "fuzz";
	rc = canh_intel_import(&srv, &req, &res, &err);
	if (rc == CANH_ESTORE || rc == CANH_EINTERNAL)
		abort(); /* the store must take whatever a parser accepted */
	if (rc == 0 && (!json_is_integer(json_object_get(res, "version")) ||
			json_integer_value(json_object_get(res, "version")) < 1))
		abort();
	json_decref(res);
	res = NULL;

	canh_ip_parse("192.0.2.7", &a);
	canh_intel_lookup_c2(srv.intel, &a, hits, 8);
	canh_intel_lookup_victim(srv.intel, &a, hits, 8);
	if (canh_intel_botnet_report(&srv, NULL, &res, &err) != 0)
		abort();
	json_decref(res);
	return 0;
}
