/*
 * The scan cache loader: the input is a cache file found on disk. Parsing
 * must never crash nor read outside the input; what it accepts must be
 * consistent: every record found again by its own key, every detection
 * entry decodable with at most CANH_SCAN_MAX_RULE_NAMES names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/scan.h"
#include "scan_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *img, size_t size)
{
	struct canh_scan_cache *c = NULL;
	struct canh_errmsg em;
	int rc;

	rc = canh_scan_cache_parse(img, size, &c, &em);
	if (rc != 0) {
		if (c != NULL || rc != CANH_ECORRUPT || em.text[0] == '\0')
			abort();
		return;
	}
	for (size_t i = 0; i < canh_scan_cache_records(c); i++) {
		struct canh__cache_key k;
		static struct canh__cache_det d;

		canh__cache_rec_key(c, i, &k);
		if (canh__cache_find(c, &k) != (long)i)
			abort();
		k.size++;
		if (canh__cache_find(c, &k) != -1)
			abort();
		canh__cache_rec_det(c, i, &d);
		if (d.n > CANH_SCAN_MAX_RULE_NAMES)
			abort();
		for (unsigned j = 0; j < d.n; j++)
			if (strlen(d.name[j]) > 255 || d.kind[j] > CANH_SCAN_DET_SHA256)
				abort();
	}
	canh_scan_cache_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	uint8_t *img = malloc(size ? size : 1);

	memcpy(img, data, size);
	check(img, size);
	/* Again with the checksum made right, so the checks behind it are
	 * reached too (a random input almost never passes a CRC). */
	if (size >= CANH__CACHE_HDR) {
		uint32_t crc = canh__crc32(0, img, 92);

		crc = canh__crc32(crc, img + CANH__CACHE_HDR, size - CANH__CACHE_HDR);
		for (int i = 0; i < 4; i++)
			img[92 + i] = (uint8_t)(crc >> (8 * i));
		check(img, size);
	}
	free(img);
	return 0;
}
