/*
 * Fuzz harness for xlsx workbooks (lib/feed_xlsx.c). A mutated zip rarely
 * survives its CRCs, so when the first byte is even the rest is split at
 * NUL bytes into the parts of a workbook (sheet, shared strings, workbook,
 * its relationships) that are zipped here, stored uncompressed; when it is
 * odd the rest is the file as it is.
 */
#include <stdio.h>
#include <zip.h>

#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const parts[] = {
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
};

/* The parts zipped into a malloc'd buffer, or NULL. */
static uint8_t *zip_parts(const uint8_t *data, size_t size, size_t *outlen)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	uint8_t *out = NULL;
	size_t pos = 0;
	zip_int64_t n;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src)
		return NULL;
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za)
		goto out;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && pos <= size; i++) {
		const uint8_t *nul = memchr(data + pos, 0, size - pos);
		size_t n1 = nul ? (size_t)(nul - (data + pos)) : size - pos;
		zip_source_t *s = zip_source_buffer(za, data + pos, n1, 0);
		zip_int64_t idx;
		if (!s)
			break;
		idx = zip_file_add(za, parts[i], s, 0);
		if (idx < 0) {
			zip_source_free(s);
			break;
		}
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
		pos += n1 + 1;
	}
	if (zip_close(za) != 0) {
		zip_discard(za);
		goto out;
	}
	if (zip_source_open(src) != 0)
		goto out;
	zip_source_seek(src, 0, SEEK_END);
	n = zip_source_tell(src);
	zip_source_seek(src, 0, SEEK_SET);
	if (n > 0 && (out = malloc((size_t)n)) != NULL &&
	    zip_source_read(src, out, (zip_uint64_t)n) != n) {
		free(out);
		out = NULL;
	}
	*outlen = n > 0 ? (size_t)n : 0;
	zip_source_close(src);
out:
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *zip;
	size_t len = 0;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		fuzz_feed_run(data + 1, size - 1, CANH_FEED_XLSX);
		return 0;
	}
	zip = zip_parts(data + 1, size - 1, &len);
	if (zip) {
		fuzz_feed_run(zip, len, CANH_FEED_XLSX);
		free(zip);
	}
	return 0;
}
