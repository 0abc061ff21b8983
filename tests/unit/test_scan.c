/*
 * Unit tests for the scan engine (lib/scan*.c, lib/yarac.c): each detection
 * path, exclusions, limits, the cache and its invalidation, throttling,
 * rule compile errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/crypto.h"
#include "canh/fs.h"
#include "canh/scan.h"
#include "canh/yarac.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-test-scan-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *rel, const void *data, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(canh_file_write_atomic(path, data, len, 0644, NULL), 0);
}

static void put_s(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static char *p_(const char *rel)
{
	static char bufs[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(bufs[k], sizeof(bufs[k]), "%s/%s", dir, rel);
	return bufs[k];
}

/* What a scan reported. */
#define MAX_DET 64
struct seen {
	size_t n;
	struct {
		char path[512];
		enum canh_scan_kind kind;
		char name[128];
		char md5[33], sha1[41], sha256[65];
		int cached;
		uint64_t size;
	} d[MAX_DET];
	int cancel_after; /* set *cancel after this many detections (0 never) */
	volatile int *cancel;
};

static void on_det(void *ctx, const struct canh_scan_detection *d)
{
	struct seen *s = ctx;

	if (s->n < MAX_DET) {
		snprintf(s->d[s->n].path, sizeof(s->d[0].path), "%s", d->path);
		snprintf(s->d[s->n].name, sizeof(s->d[0].name), "%s", d->name);
		s->d[s->n].kind = d->kind;
		memcpy(s->d[s->n].md5, d->md5, 33);
		memcpy(s->d[s->n].sha1, d->sha1, 41);
		memcpy(s->d[s->n].sha256, d->sha256, 65);
		s->d[s->n].cached = d->cached;
		s->d[s->n].size = d->size;
	}
	s->n++;
	if (s->cancel_after && (int)s->n >= s->cancel_after)
		*s->cancel = 1;
}

/* The detection of `name` on a path ending in `suffix`, or -1. */
static int find(const struct seen *s, const char *suffix, const char *name)
{
	for (size_t i = 0; i < s->n && i < MAX_DET; i++) {
		size_t pl = strlen(s->d[i].path), sl = strlen(suffix);

		if (pl >= sl && strcmp(s->d[i].path + pl - sl, suffix) == 0 &&
		    strcmp(s->d[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

static struct canh_scan_rules *compile_str(const char *src)
{
	struct canh_yarac_source s = {"test.yar", src, strlen(src)};
	struct canh_scan_rules *r = NULL;
	struct canh_errmsg em;

	assert_int_equal(canh_yarac_compile_sources(&s, 1, &r, NULL, NULL, &em), 0);
	return r;
}

static struct canh_scan_rules *shipped(void)
{
	const char *paths[] = {CANH_TEST_DATA "/../../rules/yara"};
	struct canh_scan_rules *r = NULL;
	struct canh_errmsg em;

	assert_int_equal(canh_yarac_compile_paths(paths, 1, &r, NULL, NULL, &em), 0);
	assert_true(canh_scan_rules_count(r) >= 10);
	assert_int_equal(strlen(canh_scan_rules_version(r)), 64);
	return r;
}

static int run(const struct canh_scan_rules *r, const struct canh_scan_hashset *h,
	       struct canh_scan_opts *o, struct seen *s, struct canh_scan_stats *st,
	       const char *root)
{
	const char *paths[] = {root ? root : dir};
	struct canh_errmsg em;

	memset(s, 0, sizeof(*s));
	o->ctx = s;
	o->on_detection = on_det;
	if (o->threads == 0)
		o->threads = 2;
	return canh_scan_run(r, h, paths, 1, o, st, &em);
}

static void eicar(const char *rel)
{
	/* Built from parts so the repository does not hold the test string. */
	char buf[128];

	snprintf(buf, sizeof(buf), "%s%s%s", "X5O!P%@AP[4\\PZX54(P^)7CC", ")7}$EICAR-STANDARD-",
		 "ANTIVIRUS-TEST-FILE!$H+H*");
	put(rel, buf, strlen(buf));
}

static void copy_samples(void)
{
	static const char *const names[] = {
	    "webshell_eval.php", "chopper.php", "assert_post.php",
	    "wso.php",		 "revshell.sh", "revshell_nc.sh",
	    "revshell.py",	 "revshell.pl", "xmrig_config.json",
	};
	char src[512], *data;
	size_t len;

	mkdir(p_("samples"), 0755);
	mkdir(p_("clean"), 0755);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char rel[128];

		snprintf(src, sizeof(src), "%s/scan/samples/%s", CANH_TEST_DATA, names[i]);
		assert_int_equal(canh_file_read(src, 1 << 20, &data, &len, NULL), 0);
		snprintf(rel, sizeof(rel), "samples/%s", names[i]);
		put(rel, data, len);
		free(data);
	}
	put_s("clean/readme.txt", "an ordinary file with the word eval and base64 apart\n");
	put_s("clean/index.php", "<?php echo htmlspecialchars($_GET['q'] ?? '');\n");
}

static void test_shipped_rules_detect_samples(void **state)
{
	struct canh_scan_rules *r = shipped();
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	static const char *const want[][2] = {
	    {"eicar.com", "EICAR_Test_File"},
	    {"webshell_eval.php", "PHP_Webshell_Eval_Base64"},
	    {"chopper.php", "Webshell_China_Chopper"},
	    {"assert_post.php", "PHP_Webshell_Assert_Request"},
	    {"wso.php", "PHP_Webshell_WSO"},
	    {"revshell.sh", "RevShell_Bash_Dev_Tcp"},
	    {"revshell_nc.sh", "RevShell_Netcat_Exec"},
	    {"revshell.py", "RevShell_Python_Pty"},
	    {"revshell.pl", "RevShell_Perl_Socket"},
	    {"xmrig_config.json", "Miner_XMRig_Config"},
	};

	copy_samples();
	eicar("eicar.com");
	canh_scan_opts_init(&o);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		int k = find(&s, want[i][0], want[i][1]);

		if (k < 0)
			fail_msg("%s not detected as %s", want[i][0], want[i][1]);
		assert_int_equal(s.d[k].kind, CANH_SCAN_DET_RULE);
		assert_int_equal(strlen(s.d[k].sha256), 64);
		assert_int_equal(strlen(s.d[k].md5), 32);
		assert_false(s.d[k].cached);
	}
	for (size_t i = 0; i < s.n; i++)
		assert_null(strstr(s.d[i].path, "/clean/"));
	assert_int_equal(st.files, 12);
	assert_int_equal(st.files_read, 12);
	assert_int_equal(st.infected, 10);
	canh_scan_rules_free(r);
}

static void test_eicar_hashes_right(void **state)
{
	struct canh_scan_rules *r = shipped();
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char hex[65];
	char *data;
	size_t len;

	eicar("e.com");
	assert_int_equal(canh_file_read(p_("e.com"), 1024, &data, &len, NULL), 0);
	assert_int_equal(canh_sha256_hex(data, len, hex), 0);
	free(data);
	canh_scan_opts_init(&o);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.d[0].sha256, hex);
	/* The well-known digests of the EICAR file. */
	assert_string_equal(s.d[0].md5, "44d88612fea8a8f36de82e1278abb02f");
	assert_string_equal(s.d[0].sha1, "3395856ce81f2b7382dee72602f798b642f14140");
	assert_int_equal(s.d[0].size, 68);
	canh_scan_rules_free(r);
}

static void hash_one(int type)
{
	struct canh_scan_hashset *h = canh_scan_hashset_new();
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	static const char *const want[] = {
	    "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
	const char *hex = want[type];

	/* The empty file's digests; a non-empty file must not match. */
	put("empty.bin", "", 0);
	put_s("other.bin", "not empty");
	assert_int_equal(canh_scan_hashset_add_hex(h, hex, strlen(hex), "Family.X"), 0);
	canh_scan_hashset_seal(h);
	assert_int_equal(canh_scan_hashset_count(h, type), 1);
	assert_int_equal(canh_scan_hashset_count(h, -1), 1);
	assert_int_equal(strlen(canh_scan_hashset_version(h)), 64);
	canh_scan_opts_init(&o);
	assert_int_equal(run(NULL, h, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.d[0].path, "empty.bin"));
	assert_int_equal(s.d[0].kind, CANH_SCAN_DET_MD5 + type);
	assert_string_equal(s.d[0].name, "Family.X");
	/* All three digests are given whichever matched. */
	assert_string_equal(s.d[0].md5, want[0]);
	assert_string_equal(s.d[0].sha1, want[1]);
	assert_string_equal(s.d[0].sha256, want[2]);
	canh_scan_hashset_free(h);
}

static void test_hash_md5(void **state)
{
	hash_one(0);
}

static void test_hash_sha1(void **state)
{
	hash_one(1);
}

static void test_hash_sha256(void **state)
{
	hash_one(2);
}

static void test_hashset_file(void **state)
{
	struct canh_scan_hashset *h = canh_scan_hashset_new();
	uint8_t d[32];
	size_t ignored = 0;
	struct canh_errmsg em;

	put_s("list.txt",
	      "# IOCs\n"
	      "d41d8cd98f00b204e9800998ecf8427e Mirai.A\n"
	      "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709\n"
	      "\n"
	      "not a hash at all\n"
	      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,Emotet\n"
	      "d41d8cd98f00b204e9800998ecf8427e duplicate\n");
	assert_int_equal(canh_scan_hashset_add_file(h, p_("list.txt"), &ignored, &em), 0);
	canh_scan_hashset_seal(h);
	assert_int_equal(ignored, 1);
	assert_int_equal(canh_scan_hashset_count(h, CANH_SCAN_MD5), 1);
	assert_int_equal(canh_scan_hashset_count(h, CANH_SCAN_SHA1), 1);
	assert_int_equal(canh_scan_hashset_count(h, CANH_SCAN_SHA256), 1);
	canh_hex_decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d, 32);
	assert_string_equal(canh_scan_hashset_lookup(h, CANH_SCAN_SHA256, d), "Emotet");
	canh_hex_decode("da39a3ee5e6b4b0d3255bfef95601890afd80709", d, 20);
	assert_string_equal(canh_scan_hashset_lookup(h, CANH_SCAN_SHA1, d), "");
	d[0] ^= 1;
	assert_null(canh_scan_hashset_lookup(h, CANH_SCAN_SHA1, d));
	assert_int_equal(canh_scan_hashset_add_hex(h, "abc", 3, NULL), CANH_EINVAL);
	canh_scan_hashset_free(h);
}

static const char marker_rule[] =
    "rule Marker { strings: $a = \"CANH-TEST-MARKER-7f3a\" condition: $a }\n";

static void test_exclusions(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule);
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	const char *ex[] = {NULL, "*.skip"};
	char exdir[512];

	mkdir(p_("a"), 0755);
	mkdir(p_("b"), 0755);
	put_s("a/x.txt", "CANH-TEST-MARKER-7f3a");
	put_s("b/y.txt", "CANH-TEST-MARKER-7f3a");
	put_s("b/z.skip", "CANH-TEST-MARKER-7f3a");
	put_s("ab.txt", "CANH-TEST-MARKER-7f3a"); /* prefix "a" must not take "ab.txt" */
	snprintf(exdir, sizeof(exdir), "%s/a/", dir);
	ex[0] = exdir;
	canh_scan_opts_init(&o);
	o.exclude = ex;
	o.nexclude = 2;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 2);
	assert_true(find(&s, "/b/y.txt", "Marker") >= 0);
	assert_true(find(&s, "/ab.txt", "Marker") >= 0);
	assert_int_equal(st.excluded_path, 2);
	canh_scan_rules_free(r);
}

static void test_exclude_fs(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule);
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	const char *none[] = {"no-such-fs"};

	/* /proc is a pseudo file system: not entered by default. */
	canh_scan_opts_init(&o);
	assert_int_equal(run(r, NULL, &o, &s, &st, "/proc/self/status"), 0);
	assert_int_equal(st.files, 0);
	assert_int_equal(st.excluded_fs, 1);
	/* With another list it is scanned. */
	canh_scan_opts_init(&o);
	o.exclude_fs = none;
	o.nexclude_fs = 1;
	assert_int_equal(run(r, NULL, &o, &s, &st, "/proc/self/status"), 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.excluded_fs, 0);
	/* /dev is devtmpfs, not entered, but the tmpfs /dev/shm below it is. */
	{
		char shm[128], file[192];
		struct stat sb;

		snprintf(shm, sizeof(shm), "/dev/shm/canh-test-scan-%ld", (long)getpid());
		if (stat("/dev/shm", &sb) == 0 && mkdir(shm, 0700) == 0) {
			snprintf(file, sizeof(file), "%s/dropper", shm);
			assert_int_equal(
			    canh_file_write_atomic(file, "CANH-TEST-MARKER-7f3a", 21, 0600, NULL),
			    0);
			canh_scan_opts_init(&o);
			assert_int_equal(run(r, NULL, &o, &s, &st, "/dev"), 0);
			assert_true(st.excluded_fs >= 1);
			assert_true(find(&s, "/dropper", "Marker") >= 0);
			/* The same from "/" with everything but /dev excluded by path
			 * (/proc and /sys are pseudo file systems anyway). */
			{
				DIR *dp = opendir("/");
				struct dirent *de;
				static char ex[64][300];
				const char *exv[64];
				size_t nex = 0;

				assert_non_null(dp);
				while ((de = readdir(dp)) != NULL && nex < 64) {
					if (strcmp(de->d_name, ".") == 0 ||
					    strcmp(de->d_name, "..") == 0 ||
					    strcmp(de->d_name, "dev") == 0)
						continue;
					snprintf(ex[nex], sizeof(ex[nex]), "/%s", de->d_name);
					exv[nex] = ex[nex];
					nex++;
				}
				closedir(dp);
				assert_int_equal(canh_file_write_atomic(
						     file, "CANH-TEST-MARKER-7f3a", 21, 0600, NULL),
						 0);
				canh_scan_opts_init(&o);
				o.exclude = exv;
				o.nexclude = nex;
				assert_int_equal(run(r, NULL, &o, &s, &st, "/"), 0);
				assert_true(find(&s, "/dropper", "Marker") >= 0);
			}
			/* One file system only: /dev/shm is another one. */
			canh_scan_opts_init(&o);
			o.one_file_system = 1;
			assert_int_equal(run(r, NULL, &o, &s, &st, "/dev"), 0);
			unlink(file);
			rmdir(shm);
			assert_true(find(&s, "/dropper", "Marker") < 0);
		}
	}
	canh_scan_rules_free(r);
}

static void test_size_limit(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule);
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char big[4096];

	memset(big, ' ', sizeof(big));
	memcpy(big + 2000, "CANH-TEST-MARKER-7f3a", 21);
	put("big.txt", big, sizeof(big));
	put_s("small.txt", "CANH-TEST-MARKER-7f3a");
	canh_scan_opts_init(&o);
	o.max_file_size = 1000;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "small.txt", "Marker") >= 0);
	assert_int_equal(st.too_big, 1);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.files_read, 1);
	canh_scan_rules_free(r);
}

static void test_timeout(void **state)
{
	/* A condition looping over every byte of a 256 MiB (sparse) file takes
	 * libyara far longer than the one-second limit. */
	struct canh_scan_rules *r =
	    compile_str("rule Slow { condition: for all i in (0..filesize - 1) : "
			"(uint8(i) == 0 and uint8(i) != 1 and uint8(i) != 2) }\n");
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	int fd = open(p_("sparse.bin"), O_CREAT | O_WRONLY, 0644);
	char cache[512];

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)256 << 20), 0);
	close(fd);
	canh_scan_opts_init(&o);
	o.timeout_ms = 1000;
	o.threads = 1;
	snprintf(cache, sizeof(cache), "%s.cache", dir);
	o.cache_path = cache;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(s.n, 0);
	assert_true(st.elapsed_ns < 30ull * 1000000000);
	/* A timed-out file is not remembered as clean. */
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.files_read, 1);
	unlink(cache);
	canh_scan_rules_free(r);
}

static void *truncate_later(void *arg)
{
	struct timespec ts = {0, 300 * 1000000L};

	nanosleep(&ts, NULL);
	assert_int_equal(truncate((const char *)arg, 0), 0);
	return NULL;
}

static void test_truncated_while_scanned(void **state)
{
	/* A mapped file cut short under the scanner (a log rotated) raises
	 * SIGBUS: the file is counted as an error, the process lives on, and
	 * the worker scans the next files with a fresh scanner. */
	struct canh_scan_rules *r =
	    compile_str("rule Slow { condition: for all i in (0..filesize - 1) : "
			"(uint8(i) == 0 and uint8(i) != 1) }\n"
			"rule Marker { strings: $a = \"CANH-TEST-MARKER-7f3a\" "
			"condition: $a }\n");
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char victim[512];
	const char *paths[2];
	pthread_t th;
	struct canh_errmsg em;
	int fd;

	snprintf(victim, sizeof(victim), "%s/rotating.log", dir);
	fd = open(victim, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)200 << 20), 0);
	close(fd);
	put_s("after.txt", "CANH-TEST-MARKER-7f3a");
	paths[0] = victim;
	paths[1] = p_("after.txt");
	canh_scan_opts_init(&o);
	o.threads = 1;
	memset(&s, 0, sizeof(s));
	o.ctx = &s;
	o.on_detection = on_det;
	assert_int_equal(pthread_create(&th, NULL, truncate_later, victim), 0);
	assert_int_equal(canh_scan_run(r, NULL, paths, 2, &o, &st, &em), 0);
	pthread_join(th, NULL);
	assert_int_equal(st.errors, 1);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "after.txt", "Marker") >= 0);
	canh_scan_rules_free(r);
}

static void test_cache(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule), *r2;
	struct stat c1, c2;
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char cache[512];

	put_s("bad.txt", "xx CANH-TEST-MARKER-7f3a xx");
	put_s("good1.txt", "hello");
	put_s("good2.txt", "world");
	mkdir(p_("sub"), 0755);
	put_s("sub/good3.txt", "again");
	snprintf(cache, sizeof(cache), "%s.cache", dir);
	unlink(cache);
	canh_scan_opts_init(&o);
	o.cache_path = cache;

	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.files_read, 4);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.cache_loaded, 0);
	assert_int_equal(s.n, 1);

	/* Unchanged: nothing read, the malicious file reported again, and the
	 * cache not rewritten (an atomic rewrite would be a new inode). */
	assert_int_equal(stat(cache, &c1), 0);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(stat(cache, &c2), 0);
	assert_int_equal(c1.st_ino, c2.st_ino);
	assert_int_equal(st.cache_loaded, 1);
	assert_int_equal(st.files_read, 0);
	assert_int_equal(st.bytes_read, 0);
	assert_int_equal(st.cached, 4);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "bad.txt", "Marker") >= 0);
	assert_true(s.d[0].cached);
	assert_int_equal(strlen(s.d[0].sha256), 64);
	assert_int_equal(s.d[0].size, 27);

	/* One file changed: that one is read again. */
	put_s("good2.txt", "world CANH-TEST-MARKER-7f3a");
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.files_read, 1);
	assert_int_equal(st.cached, 3);
	assert_int_equal(s.n, 2);
	assert_true(find(&s, "good2.txt", "Marker") >= 0);
	assert_int_equal(stat(cache, &c2), 0);
	assert_true(c1.st_ino != c2.st_ino);

	/* Other rules: everything read again. */
	r2 = compile_str("rule Other { strings: $a = \"hello\" condition: $a }\n");
	assert_int_equal(run(r2, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.files_read, 4);
	assert_int_equal(st.cache_loaded, 0);
	assert_int_equal(st.cache_discarded, 0);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "good1.txt", "Other") >= 0);
	canh_scan_rules_free(r2);
	unlink(cache);
	canh_scan_rules_free(r);
}

static void test_cache_corrupt(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule);
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char cache[512], *img;
	size_t len;

	put_s("bad.txt", "CANH-TEST-MARKER-7f3a");
	put_s("good.txt", "fine");
	snprintf(cache, sizeof(cache), "%s.cache", dir);
	canh_scan_opts_init(&o);
	o.cache_path = cache;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(canh_file_read(cache, 1 << 20, &img, &len, NULL), 0);

	/* Every single-byte change is caught by the parser. */
	for (size_t i = 0; i < len; i++) {
		struct canh_scan_cache *c = NULL;
		struct canh_errmsg em;

		img[i] ^= 0x40;
		assert_int_equal(canh_scan_cache_parse(img, len, &c, &em), CANH_ECORRUPT);
		assert_null(c);
		img[i] ^= 0x40;
	}
	/* Truncated. */
	for (size_t cut = 0; cut < len; cut += 7) {
		struct canh_scan_cache *c = NULL;

		assert_int_equal(canh_scan_cache_parse(img, cut, &c, NULL), CANH_ECORRUPT);
	}
	{
		struct canh_scan_cache *c = NULL;

		assert_int_equal(canh_scan_cache_parse(img, len, &c, NULL), 0);
		assert_int_equal(canh_scan_cache_records(c), 2);
		canh_scan_cache_free(c);
	}
	/* A damaged cache file is discarded and the scan is still right. */
	img[len - 1] ^= 1;
	assert_int_equal(canh_file_write_atomic(cache, img, len, 0600, NULL), 0);
	free(img);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.cache_discarded, 1);
	assert_non_null(strstr(st.cache_note, "checksum"));
	assert_int_equal(st.files_read, 2);
	assert_int_equal(s.n, 1);
	/* ... and rewritten: the next scan uses it. */
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.cache_loaded, 1);
	assert_int_equal(st.files_read, 0);
	assert_int_equal(s.n, 1);
	/* Garbage of any size. */
	assert_int_equal(canh_file_write_atomic(cache, "CANHSCC1garbage", 15, 0600, NULL), 0);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.cache_discarded, 1);
	assert_int_equal(s.n, 1);
	unlink(cache);
	canh_scan_rules_free(r);
}

static void test_throttle(void **state)
{
	struct canh_scan_rules *r = shipped();
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char *blob = malloc(200 << 10);
	double share;

	/* Text-like content so the regexes have work to do. */
	for (size_t i = 0; i < (200 << 10); i++)
		blob[i] = "eval(base64 pool stratum /dev/tcp socket "[i % 41];
	for (int i = 0; i < 60; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "f%02d.txt", i);
		put(rel, blob, 200 << 10);
	}
	free(blob);
	canh_scan_opts_init(&o);
	o.threads = 1;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.paused_ns, 0);

	o.pause_ratio = 0.5;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(st.files_read, 60);
	share = (double)st.busy_ns / (double)(st.busy_ns + st.paused_ns);
	/* Busy about half of the time (sleeps overshoot: a generous margin). */
	if (share < 0.3 || share > 0.7)
		fail_msg("busy share %.2f with pause ratio 0.5 (busy %llu ns, paused %llu ns)",
			 share, (unsigned long long)st.busy_ns, (unsigned long long)st.paused_ns);
	assert_true(st.elapsed_ns >= st.busy_ns + st.paused_ns - st.paused_ns / 10);

	o.pause_ratio = 0.25;
	o.nice = 5;
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	share = (double)st.busy_ns / (double)(st.busy_ns + st.paused_ns);
	if (share < 0.12 || share > 0.4)
		fail_msg("busy share %.2f with pause ratio 0.25", share);
	canh_scan_rules_free(r);
}

struct diags {
	int n;
	char file[4][256];
	int line[4];
};

static void on_diag(void *ctx, const char *file, int line, const char *msg, int warning)
{
	struct diags *d = ctx;

	if (warning || d->n >= 4)
		return;
	snprintf(d->file[d->n], sizeof(d->file[0]), "%s", file);
	d->line[d->n] = line;
	d->n++;
}

static void test_compile_errors(void **state)
{
	const char *paths[] = {CANH_TEST_DATA "/scan/rules/bad.yar",
			       CANH_TEST_DATA "/scan/rules/bad2.yar"};
	struct canh_scan_rules *r = NULL;
	struct canh_errmsg em;
	struct diags d = {0};

	assert_int_equal(canh_yarac_compile_paths(paths, 2, &r, on_diag, &d, &em), CANH_EPARSE);
	assert_null(r);
	/* Both files' errors, each with its line. */
	assert_int_equal(d.n, 2);
	assert_non_null(strstr(d.file[0], "bad.yar"));
	assert_int_equal(d.line[0], 15);
	assert_non_null(strstr(d.file[1], "bad2.yar"));
	assert_int_equal(d.line[1], 5);
	assert_non_null(strstr(em.text, "bad.yar:15: "));
	assert_non_null(strstr(em.text, "undefined string"));

	/* Sources in memory name themselves. */
	{
		static const char src[] = "rule a {\n condition:\n nope\n}\n";
		struct canh_yarac_source s = {"upload/x.yar", src, sizeof(src) - 1};

		d.n = 0;
		assert_int_equal(canh_yarac_compile_sources(&s, 1, &r, on_diag, &d, &em),
				 CANH_EPARSE);
		assert_int_equal(d.n, 1);
		assert_string_equal(d.file[0], "upload/x.yar");
		assert_int_equal(d.line[0], 3);
	}
	/* A binary upload is refused before libyara sees it. */
	{
		struct canh_yarac_source s = {"bin.yar", "rule\0x", 6};

		assert_int_equal(canh_yarac_compile_sources(&s, 1, &r, NULL, NULL, &em),
				 CANH_EPARSE);
	}
	/* An empty directory has no rules. */
	{
		const char *p[] = {dir};

		assert_int_equal(canh_yarac_compile_paths(p, 1, &r, NULL, NULL, &em), CANH_ENOENT);
	}
}

static void test_compiled_form_and_version(void **state)
{
	struct canh_scan_rules *a = compile_str(marker_rule), *b = compile_str(marker_rule), *c;
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	char hex[65], *data;
	size_t len;
	struct canh_errmsg em;

	/* The same sources, the same version. */
	assert_string_equal(canh_scan_rules_version(a), canh_scan_rules_version(b));
	assert_int_equal(canh_yarac_save(a, p_("rules.yarc"), &em), 0);
	assert_int_equal(canh_scan_rules_load(p_("rules.yarc"), &c, &em), 0);
	assert_int_equal(canh_file_read(p_("rules.yarc"), 1 << 24, &data, &len, NULL), 0);
	assert_int_equal(canh_sha256_hex(data, len, hex), 0);
	free(data);
	assert_string_equal(canh_scan_rules_version(c), hex);
	unlink(p_("rules.yarc"));
	put_s("m.txt", "CANH-TEST-MARKER-7f3a");
	canh_scan_opts_init(&o);
	assert_int_equal(run(c, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	/* Not a compiled file. */
	{
		struct canh_scan_rules *bad = NULL;

		assert_int_equal(canh_scan_rules_load(p_("m.txt"), &bad, &em), CANH_EPARSE);
		assert_null(bad);
	}
	canh_scan_rules_free(a);
	canh_scan_rules_free(b);
	canh_scan_rules_free(c);
}

static void test_externals(void **state)
{
	struct canh_scan_rules *r =
	    compile_str("rule ByName { condition: filename == \"target.php\" and "
			"extension == \".php\" }\n");
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;

	put_s("target.php", "x");
	put_s("other.php", "x");
	canh_scan_opts_init(&o);
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "/target.php", "ByName") >= 0);
	canh_scan_rules_free(r);
	{
		char src[512];

		snprintf(src, sizeof(src),
			 "rule ByDir { condition: filepath == \"%s\" and owner != \"\" and "
			 "filetype == \"ELF\" }\n",
			 dir);
		r = compile_str(src);
	}
	put_s("elf", "\177ELF-ish");
	assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_true(find(&s, "/elf", "ByDir") >= 0);
	canh_scan_rules_free(r);
}

static void test_cancel_and_errors(void **state)
{
	struct canh_scan_rules *r = compile_str(marker_rule);
	struct canh_scan_opts o;
	struct canh_scan_stats st;
	struct seen s;
	volatile int stop = 0;
	const char *missing[] = {"/nonexistent/canh"};
	struct canh_errmsg em;

	for (int i = 0; i < 50; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "m%02d.txt", i);
		put_s(rel, "CANH-TEST-MARKER-7f3a");
	}
	canh_scan_opts_init(&o);
	o.cancel = &stop;
	o.threads = 1;
	memset(&s, 0, sizeof(s));
	s.cancel_after = 3;
	s.cancel = &stop;
	{
		const char *paths[] = {dir};

		o.ctx = &s;
		o.on_detection = on_det;
		assert_int_equal(canh_scan_run(r, NULL, paths, 1, &o, &st, &em), CANH_EAGAIN);
	}
	assert_true(s.n >= 3 && s.n < 50);
	/* A root that does not exist. */
	assert_int_equal(canh_scan_run(r, NULL, missing, 1, &o, &st, &em), CANH_ENOENT);
	assert_non_null(strstr(em.text, "/nonexistent/canh"));
	/* Nothing to scan for. */
	assert_int_equal(canh_scan_run(NULL, NULL, missing, 1, &o, &st, &em), CANH_EINVAL);
	/* An unreadable file is counted, not fatal (root reads everything). */
	if (geteuid() != 0) {
		stop = 0;
		put_s("locked.txt", "CANH-TEST-MARKER-7f3a");
		chmod(p_("locked.txt"), 0);
		o.cancel = NULL;
		assert_int_equal(run(r, NULL, &o, &s, &st, NULL), 0);
		assert_int_equal(st.errors, 1);
		assert_int_equal(s.n, 50);
	}
	canh_scan_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_shipped_rules_detect_samples, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eicar_hashes_right, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_md5, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_sha1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_sha256, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hashset_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exclusions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exclude_fs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_while_scanned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache_corrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compile_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compiled_form_and_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_externals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_and_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
