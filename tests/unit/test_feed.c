/*
 * Unit tests for the feed parsers (lib/feed*.c), mostly as data: each file
 * in tests/data/intel/ has a NAME.expect beside it holding what it must
 * import, one line per entry or rejected row and the counters last. Set
 * CANH_FEED_BLESS=1 to rewrite the .expect files from the parser's output
 * (then read the diff). Hand-made xlsx variants (caps, DTD, cover sheet,
 * 1904 dates) are built here with libzip; the real xlsx is made by Gnumeric
 * through tests/data/intel/make_xlsx.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "canh/buf.h"
#include "canh/feed.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/time.h"
#include "feed_internal.h"

#define DATA CANH_TEST_DATA "/intel/"

struct collect {
	struct canh_buf out;
	int stop_after; /* stop with 7 after this many entries; 0 never */
	int n;
};

static const char *const type_names[] = {"ip", "domain", "url", "md5", "sha1", "sha256"};

static int on_entry(void *ctx, const struct canh_feed_entry *e)
{
	struct collect *c = ctx;
	char t1[CANH_TIME_BUFSZ], t2[CANH_TIME_BUFSZ], lo[CANH_IPADDR_STRLEN],
	    hi[CANH_IPADDR_STRLEN];

	canh_buf_appendf(&c->out, "%u %s %s %s", e->line, e->cell[0] ? e->cell : "-",
			 type_names[e->type], e->value);
	if (e->type == CANH_IOC_IP)
		canh_buf_appendf(&c->out, " [%s %s]", canh_ip_format(&e->lo, lo, sizeof(lo)),
				 canh_ip_format(&e->hi, hi, sizeof(hi)));
	canh_buf_appendf(&c->out, " seen=%s last=%s family=%s port=%d org=%s ref=%s\n",
			 e->seen_ms ? canh_time_format(e->seen_ms, t1, sizeof(t1)) : "-",
			 e->last_ms ? canh_time_format(e->last_ms, t2, sizeof(t2)) : "-",
			 e->family ? e->family : "-", e->port, e->org ? e->org : "-",
			 e->ref ? e->ref : "-");
	if (c->stop_after && ++c->n >= c->stop_after)
		return 7;
	return 0;
}

static void on_reject(void *ctx, uint32_t line, const char *cell, const char *reason)
{
	struct collect *c = ctx;
	canh_buf_appendf(&c->out, "REJECT %u %s %s\n", line, cell[0] ? cell : "-", reason);
}

/* Parse path; returns the rendering (caller frees) with rc and the counters last. */
static char *run(const char *path, enum canh_feed_format fmt, int *rc_out, struct canh_errmsg *err)
{
	struct collect c = {0};
	struct canh_feed_sink sink = {&c, on_entry, on_reject};
	struct canh_feed_stats st;
	int rc;

	canh_buf_init(&c.out, 1 << 20);
	rc = canh_feed_parse_file(path, fmt, &sink, &st, err);
	canh_buf_appendf(&c.out,
			 "rc=%d format=%s rows=%llu entries=%llu rejected=%llu skipped=%llu\n", rc,
			 canh_feed_format_name(st.format), (unsigned long long)st.rows,
			 (unsigned long long)st.entries, (unsigned long long)st.rejected,
			 (unsigned long long)st.skipped);
	if (rc_out)
		*rc_out = rc;
	return canh_buf_detach(&c.out, NULL);
}

static void check_expect(const char *path, const char *expect_path)
{
	struct canh_errmsg err = {{0}};
	char *got = run(path, CANH_FEED_AUTO, NULL, &err), *want = NULL;
	size_t wlen;

	if (getenv("CANH_FEED_BLESS")) {
		assert_int_equal(canh_file_write_atomic(expect_path, got, strlen(got), 0644, NULL),
				 0);
	}
	if (canh_file_read(expect_path, 1 << 20, &want, &wlen, NULL) != 0)
		fail_msg("cannot read %s", expect_path);
	if (strcmp(got, want) != 0) {
		print_error("%s: got\n%s\nwant\n%s\n", path, got, want);
		fail();
	}
	free(got);
	free(want);
}

static void test_files(void **state)
{
	static const char *const files[] = {
	    "plain-netset.txt",
	    "drop.txt",
	    "dropv6.txt",
	    "drop.json",
	    "feodo-ipblocklist.csv",
	    "victims-semicolon.csv",
	    "victims-tab-ascii.tsv",
	    "victims-titles.csv",
	    "c2-pipe.csv",
	    "stix-bundle.json",
	    "misp-event.json",
	    "botnet-sample.xlsx",
	    "urlhaus.csv",
	    "victims-sections.csv",
	    "victims-utf16le.txt",
	    "plain-utf16be.txt",
	    "plain-with-header.txt",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = canh_xasprintf(DATA "%s", files[i]);
		char *exp = canh_xasprintf(DATA "%s.expect", files[i]);
		check_expect(path, exp);
		free(path);
		free(exp);
	}
}

/* The xlsx written by Gnumeric now imports exactly like the committed one. */
static void test_real_xlsx_from_gnumeric(void **state)
{
	char dir[] = "/tmp/canh-feed-test.XXXXXX";
	char *out, *cmd;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	out = canh_xasprintf("%s/botnet-sample.xlsx", dir);
	cmd = canh_xasprintf("sh '%smake_xlsx.sh' '%s'", DATA, out);
	st = system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		print_message("skipped: ssconvert (Debian package gnumeric) is not installed; "
			      "the committed botnet-sample.xlsx is still tested\n");
	} else {
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		check_expect(out, DATA "botnet-sample.xlsx.expect");
	}
	unlink(out);
	rmdir(dir);
	free(out);
	free(cmd);
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(canh_feed_detect("PK\x03\x04rest", 8, NULL), CANH_FEED_XLSX);
	assert_int_equal(canh_feed_detect("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "a.xls"),
			 CANH_FEED_XLSX);
	assert_int_equal(canh_feed_detect("192.0.2.1\n", 10, NULL), CANH_FEED_PLAIN);
	assert_int_equal(canh_feed_detect("192.0.2.0/24 ; SBL1\n", 20, NULL), CANH_FEED_DROP);
	const char *j = "{\"cidr\":\"192.0.2.0/24\",\"sblid\":\"SBL1\",\"rir\":\"apnic\"}\n";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_DROP_JSON);
	j = "  {\"type\": \"bundle\", \"objects\": []}";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_STIX);
	j = "{\"Event\": {\"Attribute\": []}}";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_MISP);
	j = "{\"x\": {}}";
	assert_int_equal(canh_feed_detect(j, strlen(j), "manifest.json"), CANH_FEED_MISP);
	j = "# c\n\"first_seen_utc\",\"dst_ip\",\"dst_port\"\n";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_FEODO);
	j = "Địa chỉ IP;Thời gian\n192.0.2.1;05/10/2026\n";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_CSV);
	/* a comma in a plain list is no header */
	j = "192.0.2.1,192.0.2.2\n";
	assert_int_equal(canh_feed_detect(j, strlen(j), NULL), CANH_FEED_PLAIN);
	assert_int_equal(canh_feed_detect("", 0, NULL), CANH_FEED_PLAIN);
}

static void test_format_names(void **state)
{
	enum canh_feed_format f;
	(void)state;
	for (int i = CANH_FEED_AUTO; i <= CANH_FEED_MISP; i++) {
		assert_int_equal(canh_feed_format_parse(canh_feed_format_name(i), &f), 0);
		assert_int_equal(f, i);
	}
	assert_int_equal(canh_feed_format_parse("DROP-JSON", &f), 0);
	assert_int_equal(f, CANH_FEED_DROP_JSON);
	assert_int_equal(canh_feed_format_parse("xls", &f), CANH_EINVAL);
	assert_int_equal(canh_feed_format_parse(NULL, &f), CANH_EINVAL);
}

static void test_fold(void **state)
{
	static const char *const cases[][2] = {
	    {"Địa chỉ IP", "diachiip"},
	    {"ĐỊA CHỈ IP", "diachiip"},
	    {"Dia chi IP", "diachiip"},
	    {"D\xc6\xa1n v\xe1\xbb\x8b", "donvi"},
	    {"\xc4\x90o\xcc\x9bn vi\xcc\xa3", "donvi"}, /* decomposed (NFD) */
	    {"Tên mạng botnet", "tenmangbotnet"},
	    {"Tổng cộng", "tongcong"},
	    {"Ngày phát hiện", "ngayphathien"},
	    {"Mã độc", "madoc"},
	    {"Cổng", "cong"},
	    {"src_ip", "srcip"},
	    {"  ASN owner\xc2\xa0", "asnowner"},
	    {"\xff\xfe bad", "bad"},
	};
	char out[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		canh__feed_fold(cases[i][0], strlen(cases[i][0]), out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	/* truncated to the output size */
	assert_int_equal(canh__feed_fold("abcdef", 6, out, 4), 3);
	assert_string_equal(out, "abc");
}

static void test_time(void **state)
{
	static const struct {
		const char *in;
		bool utc;
		int serial;
		const char *want; /* NULL: refused */
	} cases[] = {
	    {"2026-10-05T08:30:00Z", false, 0, "2026-10-05T08:30:00.000Z"},
	    {"2026-10-05T08:30:00+07:00", false, 0, "2026-10-05T01:30:00.000Z"},
	    {"2026-10-05 08:30:00", false, 0, "2026-10-05T01:30:00.000Z"},
	    {"2026-10-05 08:30:00", true, 0, "2026-10-05T08:30:00.000Z"},
	    {"2026-10-05 08:30:00 UTC", false, 0, "2026-10-05T08:30:00.000Z"},
	    {"2026-10-05T08:30:00.25-0130", false, 0, "2026-10-05T10:00:00.250Z"},
	    {"05/10/2026", false, 0, "2026-10-04T17:00:00.000Z"},
	    {"5/1/2026 7:05", false, 0, "2026-01-05T00:05:00.000Z"},
	    {"05-10-2026 23:59:59", false, 0, "2026-10-05T16:59:59.000Z"},
	    {"05.10.2026", false, 0, "2026-10-04T17:00:00.000Z"},
	    {"29/02/2024", true, 0, "2024-02-29T00:00:00.000Z"},
	    {"29/02/2026", true, 0, NULL},
	    {"31/04/2026", true, 0, NULL},
	    {"2026-13-01", true, 0, NULL},
	    {"05/10/26", true, 0, NULL},
	    {"2026-10-05 25:00", true, 0, NULL},
	    {"2026-10-05 08:30 nonsense", true, 0, NULL},
	    {"1790000000", true, 0, "2026-09-21T14:13:20.000Z"},
	    {"1790000000123", true, 0, "2026-09-21T14:13:20.123Z"},
	    {"46300", true, 0, NULL}, /* not a serial outside a spreadsheet */
	    {"46300.5", true, 0, NULL},
	    /* Excel serials, 1900 system with its phantom 1900-02-29 */
	    {"1", true, FEED_SERIAL_1900, "1900-01-01T00:00:00.000Z"},
	    {"59", true, FEED_SERIAL_1900, "1900-02-28T00:00:00.000Z"},
	    {"60", true, FEED_SERIAL_1900, NULL},
	    {"61", true, FEED_SERIAL_1900, "1900-03-01T00:00:00.000Z"},
	    {"46300.3541666667", true, FEED_SERIAL_1900, "2026-10-05T08:30:00.000Z"},
	    {"46300.3541666667", false, FEED_SERIAL_1900, "2026-10-05T01:30:00.000Z"},
	    {"0", true, FEED_SERIAL_1904, "1904-01-01T00:00:00.000Z"},
	    {"44838", true, FEED_SERIAL_1904, "2026-10-05T00:00:00.000Z"},
	    {"1.2.3", true, FEED_SERIAL_1900, NULL},
	    {"", true, 0, NULL},
	    {"  ", true, 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = 0;
		char buf[CANH_TIME_BUFSZ];
		int rc = canh__feed_time(cases[i].in, strlen(cases[i].in), cases[i].utc,
					 cases[i].serial, &ms);
		if (!cases[i].want) {
			if (rc == 0)
				fail_msg("'%s' should be refused, got %s", cases[i].in,
					 canh_time_format(ms, buf, sizeof(buf)));
			continue;
		}
		if (rc != 0)
			fail_msg("'%s' refused", cases[i].in);
		assert_string_equal(canh_time_format(ms, buf, sizeof(buf)), cases[i].want);
	}
}

static void test_ioc(void **state)
{
	static const struct {
		const char *in;
		unsigned flags;
		const char *want; /* value, or "!" + reason */
		int port;
	} cases[] = {
	    {"192.0.2.1", 0, "192.0.2.1", 0},
	    {"192.0.2.1/32", 0, "192.0.2.1", 0},
	    {"192.0.2.77/24", 0, "192.0.2.0/24", 0},
	    {"0.0.0.0/0", 0, "0.0.0.0/0", 0},
	    {"192.0.2.1/", 0, "!bad CIDR prefix length", 0},
	    {"192.0.2.1/x", 0, "!bad CIDR prefix length", 0},
	    {"192.0.2.1/33", 0, "!CIDR prefix length out of range", 0},
	    {"2001:DB8::1/128", 0, "2001:db8::1", 0},
	    {"2001:db8::ff/120", 0, "2001:db8::/120", 0},
	    {"::ffff:192.0.2.9", 0, "192.0.2.9", 0},
	    {"192.0.2.1-192.0.2.9", FEED_IOC_RANGE, "192.0.2.1-192.0.2.9", 0},
	    {"192.0.2.9-192.0.2.9", FEED_IOC_RANGE, "192.0.2.9", 0},
	    {"192.0.2.9 - 192.0.2.10", FEED_IOC_RANGE | FEED_IOC_SPACES, "192.0.2.9-192.0.2.10", 0},
	    {"192.0.2.9 - 192.0.2.10", FEED_IOC_RANGE, "!not an IP address or range", 0},
	    {"192.0.2.1-2001:db8::1", FEED_IOC_RANGE, "!range mixes IPv4 and IPv6", 0},
	    {"192.0.2.1:8080", FEED_IOC_PORT, "192.0.2.1", 8080},
	    {"192.0.2.1:0", FEED_IOC_PORT, "!bad port after the address", 0},
	    {"192.0.2.1:65536", FEED_IOC_PORT, "!bad port after the address", 0},
	    {"192.0.2.1:8080", 0, "!not an IP address", 0},
	    {"[2001:db8::1]:443", FEED_IOC_PORT, "2001:db8::1", 443},
	    {"2001:db8::1:443", FEED_IOC_PORT, "2001:db8::1:443", 0},
	    {"1.2.3", 0, "!not an IP address", 0},
	    {"01.2.3.4", 0, "!not an IP address", 0},
	    {"1.2.3.4.5", 0, "!not an IP address", 0},
	    {"Example.COM.", FEED_IOC_NAMES, "example.com", 0},
	    {"xn--bcher-kva.example", FEED_IOC_NAMES, "xn--bcher-kva.example", 0},
	    {"123.example", FEED_IOC_NAMES, "123.example", 0},
	    {"1.2.3.4x", FEED_IOC_NAMES, "!not an IP address, CIDR, range, domain, URL or hash", 0},
	    {"localhost", FEED_IOC_NAMES, "!not an IP address, CIDR, range, domain, URL or hash",
	     0},
	    {"a..b", FEED_IOC_NAMES, "!not an IP address, CIDR, range, domain, URL or hash", 0},
	    {"-a.example", FEED_IOC_NAMES, "!not an IP address, CIDR, range, domain, URL or hash",
	     0},
	    {"1.2.3.999", FEED_IOC_NAMES, "!not an IP address", 0},
	    {"https://Evil.example/x?a=b", FEED_IOC_NAMES, "https://Evil.example/x?a=b", 0},
	    {"http:// bad", FEED_IOC_NAMES, "!URL contains blanks or control bytes", 0},
	    {"D41D8CD98F00B204E9800998ECF8427E", FEED_IOC_NAMES, "d41d8cd98f00b204e9800998ecf8427e",
	     0},
	    {"", FEED_IOC_NAMES, "!empty value", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct canh_feed_entry e = {0};
		char vbuf[FEED_VALUE_MAX];
		const char *why = NULL;
		int rc = canh__feed_ioc(cases[i].in, strlen(cases[i].in), cases[i].flags, &e, vbuf,
					&why);
		if (cases[i].want[0] == '!') {
			if (rc == 0)
				fail_msg("'%s' accepted as %s", cases[i].in, e.value);
			assert_string_equal(why, cases[i].want + 1);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s' refused: %s", cases[i].in, why);
		assert_string_equal(e.value, cases[i].want);
		assert_int_equal(e.port, cases[i].port);
	}
}

/* ---- parsing from memory ---- */

static char *parse_mem(const char *data, size_t len, enum canh_feed_format fmt, int stop_after,
		       int *rc_out, struct canh_errmsg *err)
{
	struct collect c = {0};
	struct canh_feed_sink sink = {&c, on_entry, on_reject};
	struct canh_feed_stats st;

	c.stop_after = stop_after;
	canh_buf_init(&c.out, 1 << 24);
	*rc_out = canh_feed_parse(data, len, fmt, "mem", &sink, &st, err);
	canh_buf_appendf(&c.out, "entries=%llu rejected=%llu skipped=%llu\n",
			 (unsigned long long)st.entries, (unsigned long long)st.rejected,
			 (unsigned long long)st.skipped);
	return canh_buf_detach(&c.out, NULL);
}

static void test_caps_and_errors(void **state)
{
	struct canh_errmsg err = {{0}};
	char *out, *big;
	size_t n = CANH_FEED_MAX_LINE + 100;
	int rc;

	(void)state;
	/* a line over the cap is rejected, the lines around it are kept */
	big = canh_xmalloc(n + 64);
	memcpy(big, "192.0.2.1\n", 10);
	memset(big + 10, 'a', n);
	memcpy(big + 10 + n, "\n192.0.2.2\n", 11);
	out = parse_mem(big, n + 21, CANH_FEED_PLAIN, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "REJECT 2 - line longer than 65536 bytes"));
	assert_non_null(strstr(out, "entries=2 rejected=1"));
	free(out);
	free(big);

	/* over the file cap: refused before a byte is read */
	rc =
	    canh_feed_parse("x", CANH_FEED_MAX_FILE + 1, CANH_FEED_PLAIN, "huge", NULL, NULL, &err);
	assert_int_equal(rc, CANH_ETOOBIG);
	assert_non_null(strstr(err.text, "over the cap"));

	/* no sink, no stats: counted and dropped */
	assert_int_equal(canh_feed_parse("192.0.2.1\n", 10, CANH_FEED_AUTO, NULL, NULL, NULL, NULL),
			 0);

	/* CSV forced on something without a header */
	out = parse_mem("192.0.2.1,x\n", 12, CANH_FEED_CSV, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "no header with an address column"));
	free(out);

	/* corrupt JSON names its position */
	out =
	    parse_mem("{\"type\": \"bundle\",\n \"objects\": [", 31, CANH_FEED_STIX, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "not valid JSON at line 2"));
	free(out);

	/* the MISP manifest is refused clearly */
	out = run(DATA "misp-manifest.json", CANH_FEED_AUTO, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "MISP feed manifest"));
	free(out);

	/* a JSON document of neither kind */
	out = parse_mem("[1, 2]", 6, CANH_FEED_MISP, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "no MISP event"));
	free(out);

	/* missing file */
	assert_int_equal(
	    canh_feed_parse_file(DATA "no-such-file", CANH_FEED_AUTO, NULL, NULL, &err),
	    CANH_ENOENT);
}

static void test_sink_stops(void **state)
{
	const char *list = "192.0.2.1\n192.0.2.2\n192.0.2.3\n";
	struct canh_errmsg err;
	char *out;
	int rc;

	(void)state;
	out = parse_mem(list, strlen(list), CANH_FEED_AUTO, 2, &rc, &err);
	assert_int_equal(rc, 7);
	assert_non_null(strstr(out, "entries=2 "));
	assert_null(strstr(out, "192.0.2.3"));
	free(out);
}

/* ---- hand-made xlsx ---- */

/* Write a zip with the given members (name, content pairs, NULL-terminated) into memory. */
static char *make_zip(const char *const *members, size_t *len)
{
	char path[] = "/tmp/canh-feed-zip.XXXXXX";
	int fd = mkstemp(path);
	zip_t *za;
	char *data;

	assert_true(fd >= 0);
	close(fd);
	za = zip_open(path, ZIP_TRUNCATE, NULL);
	assert_non_null(za);
	for (size_t i = 0; members[i]; i += 2) {
		zip_source_t *s = zip_source_buffer(za, members[i + 1], strlen(members[i + 1]), 0);
		assert_non_null(s);
		assert_true(zip_file_add(za, members[i], s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(canh_file_read(path, 64 << 20, &data, len, NULL), 0);
	unlink(path);
	return data;
}

#define WB_RELS                                                                                    \
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"   \
	"<Relationship Id=\"rId1\" Target=\"worksheets/cover.xml\"/>"                              \
	"<Relationship Id=\"rId2\" Target=\"/xl/worksheets/data.xml\"/></Relationships>"
#define WB(pr)                                                                                     \
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "           \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" pr      \
	"<sheets><sheet name=\"Bìa\" sheetId=\"1\" r:id=\"rId1\"/>"                               \
	"<sheet name=\"IP\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>"
#define SHEET(rows) "<worksheet><sheetData>" rows "</sheetData></worksheet>"

static void test_xlsx_handmade(void **state)
{
	struct canh_errmsg err = {{0}};
	char *zip, *out;
	size_t len;
	int rc;

	(void)state;
	/* a cover sheet without a header, then the data sheet; shared strings
	 * with rich-text runs and a phonetic run; the 1904 date system; a
	 * vertical merge carrying the family down */
	const char *const good[] = {
	    "xl/workbook.xml",
	    WB("<workbookPr date1904=\"1\"/>"),
	    "xl/_rels/workbook.xml.rels",
	    WB_RELS,
	    "xl/sharedStrings.xml",
	    "<sst><si><t>Địa chỉ IP</t></si><si><r><t>Ngày </t></r><r><t>phát hiện</t></r>"
	    "<rPh><t>x</t></rPh></si><si><t>Mã độc</t></si><si><t>Mirai</t></si></sst>",
	    "xl/worksheets/cover.xml",
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Báo cáo</t></is></c></row>"),
	    "xl/worksheets/data.xml",
	    "<worksheet><sheetData>"
	    "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c>"
	    "<c r=\"D2\" t=\"s\"><v>2</v></c></row>"
	    "<row r=\"3\"><c r=\"B3\" t=\"str\"><v>192.0.2.1</v></c><c r=\"C3\"><v>44838.5</v></c>"
	    "<c r=\"D3\" t=\"s\"><v>3</v></c></row>"
	    "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>192.0.2.2</t></is></c>"
	    "<c r=\"C4\" t=\"s\"><v>99</v></c></row>"
	    "<row r=\"5\"/>"
	    "<row><c t=\"inlineStr\"><is><t>x</t></is></c><c t=\"inlineStr\"><is><t>198.51.100.1"
	    "</t></is></c></row>"
	    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"D3:D4\"/></mergeCells>"
	    "</worksheet>",
	    NULL,
	};
	zip = make_zip(good, &len);
	out = parse_mem(zip, len, CANH_FEED_AUTO, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_non_null(
	    strstr(out, "3 B3 ip 192.0.2.1 [192.0.2.1 192.0.2.1] seen=2026-10-05T05:00:00.000Z"));
	assert_non_null(strstr(out, "family=Mirai"));
	/* merged D3:D4 gives row 4 the family; C4 points past the shared strings */
	assert_non_null(strstr(out, "4 B4 ip 192.0.2.2 [192.0.2.2 192.0.2.2] seen=- last=- "
				    "family=Mirai"));
	/* a row without r numbers follows on from row 5; cells without r from A */
	assert_non_null(strstr(out, "6 B6 ip 198.51.100.1"));
	assert_non_null(strstr(out, "entries=3 rejected=0"));
	free(out);
	free(zip);

	/* a DTD is refused */
	const char *const dtd[] = {
	    "xl/workbook.xml",
	    "<!DOCTYPE workbook [<!ENTITY a \"aaaaaaaa\">]><workbook/>",
	    NULL,
	};
	zip = make_zip(dtd, &len);
	out = parse_mem(zip, len, CANH_FEED_XLSX, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "has a DTD"));
	free(out);
	free(zip);

	/* no sheet has a header */
	const char *const nohdr[] = {
	    "xl/workbook.xml",
	    "<workbook/>",
	    "xl/worksheets/sheet1.xml",
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>192.0.2.1</t></is></c></row>"),
	    NULL,
	};
	zip = make_zip(nohdr, &len);
	out = parse_mem(zip, len, CANH_FEED_XLSX, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "no sheet has a header row"));
	free(out);
	free(zip);

	/* a zip that is no workbook, broken XML, not a zip, an old .xls */
	const char *const nowb[] = {"word/document.xml", "<w/>", NULL};
	zip = make_zip(nowb, &len);
	out = parse_mem(zip, len, CANH_FEED_AUTO, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "not an xlsx workbook"));
	free(out);
	free(zip);
	const char *const broken[] = {
	    "xl/workbook.xml",
	    "<workbook/>",
	    "xl/worksheets/sheet1.xml",
	    "<worksheet><sheetData><row><c>",
	    NULL,
	};
	zip = make_zip(broken, &len);
	out = parse_mem(zip, len, CANH_FEED_XLSX, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "not well-formed XML"));
	free(out);
	free(zip);
	out = parse_mem("PK\x03\x04 not really", 16, CANH_FEED_AUTO, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "not a zip archive"));
	free(out);
	out = parse_mem("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole", 12, CANH_FEED_AUTO, 0, &rc, &err);
	assert_int_equal(rc, CANH_EPARSE);
	assert_non_null(strstr(err.text, "old .xls or a password-protected"));
	free(out);
}

/* A member over its uncompressed cap (a small zip bomb) and a cell over its cap. */
static void test_xlsx_caps(void **state)
{
	struct canh_errmsg err = {{0}};
	size_t n = (16 << 20) + 16, len;
	char *ws = canh_xmalloc(n + 32), *zip, *out, *cell, *sheet;
	int rc;

	(void)state;
	memcpy(ws, "<workbook>", 10);
	/* elements, not one text node: libxml2 caps a text node at 10 MB itself */
	for (size_t i = 0; i < n; i += 4)
		memcpy(ws + 10 + i, "<a/>", 4);
	memcpy(ws + 10 + n, "</workbook>", 12);
	const char *const bomb[] = {"xl/workbook.xml", ws, NULL};
	zip = make_zip(bomb, &len);
	assert_true(len < 1 << 20);
	out = parse_mem(zip, len, CANH_FEED_XLSX, 0, &rc, &err);
	assert_int_equal(rc, CANH_ETOOBIG);
	assert_non_null(strstr(err.text, "over 16777216 bytes uncompressed"));
	free(out);
	free(zip);
	free(ws);

	cell = canh_xmalloc(CANH_FEED_MAX_CELL + 2);
	memset(cell, 'x', CANH_FEED_MAX_CELL + 1);
	cell[CANH_FEED_MAX_CELL + 1] = '\0';
	sheet = canh_xasprintf(
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>IP</t></is></c>"
		  "<c r=\"B1\" t=\"inlineStr\"><is><t>Đơn vị</t></is></c></row>"
		  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>192.0.2.1</t></is></c>"
		  "<c r=\"B2\" t=\"inlineStr\"><is><t>%s</t></is></c></row>"
		  "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>192.0.2.3</t></is></c></row>"),
	    cell);
	const char *const longcell[] = {"xl/workbook.xml", "<workbook/>",
					"xl/worksheets/sheet1.xml", sheet, NULL};
	zip = make_zip(longcell, &len);
	out = parse_mem(zip, len, CANH_FEED_XLSX, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "REJECT 2 B2 cell longer than 32768 bytes"));
	assert_non_null(strstr(out, "3 A3 ip 192.0.2.3"));
	assert_non_null(strstr(out, "entries=1 rejected=1"));
	free(out);
	free(zip);
	free(sheet);
	free(cell);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_files),      cmocka_unit_test(test_real_xlsx_from_gnumeric),
	    cmocka_unit_test(test_detect),     cmocka_unit_test(test_format_names),
	    cmocka_unit_test(test_fold),       cmocka_unit_test(test_time),
	    cmocka_unit_test(test_ioc),	       cmocka_unit_test(test_caps_and_errors),
	    cmocka_unit_test(test_sink_stops), cmocka_unit_test(test_xlsx_handmade),
	    cmocka_unit_test(test_xlsx_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
