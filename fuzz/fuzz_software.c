/*
 * Fuzz harness for the Zimbra version readers (lib/software.c): the first
 * byte picks the reader (a package name from the install history, or a line
 * of `zmcontrol -v`). A version read must print as "M.m.u" or "M.m.u.PN" and
 * read back, as a zimbra-core package, to the same release and patch.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/software.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canh_zimbra_version v, back;
	char text[64], pkg[96];
	int rc, is_patch;

	if (size < 1 || size > 4096)
		return 0;
	if (data[0] & 1)
		rc = canh_software_zimbra_zmcontrol((const char *)data + 1, size - 1, &v);
	else
		rc = canh_software_zimbra_package((const char *)data + 1, size - 1, &v, &is_patch);
	if (rc != 0)
		return 0;
	if (strnlen(v.build, sizeof(v.build)) == sizeof(v.build) ||
	    strnlen(v.edition, sizeof(v.edition)) == sizeof(v.edition))
		abort();
	canh_software_zimbra_string(&v, text, sizeof(text));
	snprintf(pkg, sizeof(pkg), "zimbra-core-%s", text);
	if (canh_software_zimbra_package(pkg, strlen(pkg), &back, &is_patch) != 0 || is_patch ||
	    back.major != v.major || back.minor != v.minor || back.micro != v.micro ||
	    back.patch != v.patch)
		abort();
	return 0;
}
