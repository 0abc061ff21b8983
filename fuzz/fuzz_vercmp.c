/*
 * Fuzz harness for version ordering (lib/vercmp.c). The first byte picks
 * dpkg, rpm (one field) or rpm EVR; the rest is up to three versions
 * separated by newlines. Every result is -1, 0 or 1; a version equals
 * itself; swapping the operands negates the result; the length-delimited
 * variant agrees with the C-string one; for dpkg the order is transitive,
 * and a version dpkg accepts compares the same through the strict parser
 * as through the fast path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canh/vercmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(int mode, const char *a, const char *b)
{
	if (mode == 0)
		return canh_vercmp_dpkg(a, b);
	if (mode == 1)
		return canh_vercmp_rpm(a, b);
	return canh_vercmp_rpm_evr(a, b);
}

static int cmp_n(int mode, const char *a, const char *b)
{
	if (mode == 0)
		return canh_vercmp_dpkg_n(a, strlen(a), b, strlen(b));
	if (mode == 1)
		return canh_vercmp_rpm_n(a, strlen(a), b, strlen(b));
	return canh_vercmp_rpm_evr_n(a, strlen(a), b, strlen(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v[3];
	int mode;

	if (size == 0 || size > 4096)
		return 0;
	mode = data[0] % 3;
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	v[0] = buf;
	for (int i = 1; i < 3; i++) {
		char *nl = strchr(v[i - 1], '\n');
		if (nl)
			*nl++ = '\0';
		v[i] = nl ? nl : v[i - 1] + strlen(v[i - 1]);
	}
	int r[3][3];
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			r[i][j] = cmp(mode, v[i], v[j]);
			if (r[i][j] < -1 || r[i][j] > 1 || r[i][j] != cmp_n(mode, v[i], v[j]))
				abort();
		}
		if (r[i][i] != 0)
			abort();
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (r[i][j] != -r[j][i])
				abort();
	if (mode == 0) {
		/* a <= b and b <= c imply a <= c. */
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				for (int k = 0; k < 3; k++)
					if (r[i][j] <= 0 && r[j][k] <= 0 && r[i][k] > 0)
						abort();
		struct canh_dpkg_version p[2];
		if (canh_vercmp_dpkg_parse(v[0], strlen(v[0]), &p[0], NULL, NULL) >= 0 &&
		    canh_vercmp_dpkg_parse(v[1], strlen(v[1]), &p[1], NULL, NULL) >= 0 &&
		    canh_vercmp_dpkg_parsed(&p[0], &p[1]) != r[0][1])
			abort();
	}
	free(buf);
	return 0;
}
