/*
 * Fuzz harness for canhd's check of an uploaded YARA rule set (server/hunt.c): any bytes —
 * not text, broken UTF-8, NULs, half-written rules, huge strings — give a verdict (not text
 * with the offset of the first bad byte, compile errors with file and line, no rule, or the
 * figures of a set that compiles) without a crash, and a refused upload leaves no file
 * behind. The temporary directory (for the compiled form measured on success) is created
 * once and removed at exit.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canh/log.h"
#include "hunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
	rmdir(dir);
}

static void init(void)
{
	canh_log_set_level(CANH_LOG_ERROR);
	snprintf(dir, sizeof(dir), "%s/canh-fuzz-hunt-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
}

static int dir_empty(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!d)
		abort();
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct canh_hunt_check c;
	struct canh_errmsg err;
	int rc;

	if (!ready) {
		init();
		ready = 1;
	}
	if (size > 64 * 1024)
		return 0;
	rc = canh_hunt_check("yara", "fuzz.yar", (const char *)data, size, dir, &c, &err);
	if (rc == CANH_EINVAL && c.bad_utf8 >= size)
		abort(); /* refused as not text: the offset must be inside the input */
	if (rc == 0 && (c.count <= 0 || c.compiled_size <= 0 || strlen(c.version) != 64))
		abort();
	if (rc == CANH_EPARSE && (c.nerrors == 0 || !c.first[0] || json_array_size(c.errors) == 0))
		abort();
	canh_hunt_check_release(&c);
	if (!dir_empty())
		abort();
	return 0;
}
