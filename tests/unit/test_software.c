/*
 * Unit tests for lib/software.c: Zimbra detection over the fake install
 * trees in tests/data/software/, and the version parsers as data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canh/proto.h"
#include "canh/software.h"

static json_t *detect(const char *tree, const json_t *packages, json_t *errors)
{
	char root[512];
	json_t *out = NULL;
	struct canh_software_opts o = {root, packages, NULL};

	snprintf(root, sizeof(root), "%s/software/%s", CANH_TEST_DATA, tree);
	assert_int_equal(canh_software_detect(&o, &out, errors), 0);
	assert_true(json_is_array(out));
	return out;
}

static const char *field(const json_t *arr, const char *k)
{
	return json_string_value(json_object_get(json_array_get(arr, 0), k));
}

static void test_install_history_rpm(void **state)
{
	(void)state;
	json_t *errs = json_array(), *sw = detect("zimbra9-rhel", NULL, errs);
	assert_int_equal(json_array_size(sw), 1);
	assert_string_equal(field(sw, "name"), "zimbra");
	assert_string_equal(field(sw, "vendor"), "Synacor");
	assert_string_equal(field(sw, "version"), "9.0.0.P38");
	assert_string_equal(field(sw, "patch"), "P38");
	assert_string_equal(field(sw, "build"), "4178");
	assert_string_equal(field(sw, "path"), "/opt/zimbra");
	assert_string_equal(field(sw, "source"), "zimbra-install-history");
	assert_int_equal(json_array_size(errs), 0);
	json_decref(sw);
	json_decref(errs);
}

/* A core reinstalled drops the earlier patch; a patch of another release is ignored. */
static void test_install_history_deb(void **state)
{
	(void)state;
	json_t *errs = json_array(), *sw = detect("zimbra8-ubuntu", NULL, errs);
	assert_int_equal(json_array_size(sw), 1);
	assert_string_equal(field(sw, "version"), "8.8.15.P41");
	assert_string_equal(field(sw, "build"), "3869");
	/* The unreadable last line is reported with its number, not fatal. */
	assert_int_equal(json_array_size(errs), 1);
	assert_non_null(strstr(json_string_value(json_array_get(errs, 0)), "line 10"));
	json_decref(sw);
	json_decref(errs);
}

static void test_zmcontrol_first(void **state)
{
	(void)state;
	json_t *sw = detect("zimbra-zmcontrol", NULL, NULL);
	assert_int_equal(json_array_size(sw), 1);
	assert_string_equal(field(sw, "version"), "10.0.5.P2");
	assert_string_equal(field(sw, "edition"), "NETWORK");
	assert_string_equal(field(sw, "build"), "4574");
	assert_string_equal(field(sw, "source"), "zmcontrol-v");
	json_decref(sw);
}

static void test_nothing(void **state)
{
	(void)state;
	json_t *errs = json_array(), *sw = detect("none", NULL, errs);
	assert_int_equal(json_array_size(sw), 0);
	assert_int_equal(json_array_size(errs), 0);
	json_decref(sw);
	/* /opt/zimbra without any version: nothing, and said why. */
	sw = detect("zimbra-empty", NULL, errs);
	assert_int_equal(json_array_size(sw), 0);
	assert_int_equal(json_array_size(errs), 1);
	assert_non_null(strstr(json_string_value(json_array_get(errs, 0)), "no Zimbra version"));
	json_decref(sw);
	json_decref(errs);
}

static void test_from_packages(void **state)
{
	(void)state;
	json_t *pk =
	    json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "manager", "dpkg",
		      "name", "zimbra-patch", "version", "9.0.0.1683635917.p33-1.u20", "manager",
		      "dpkg", "name", "zimbra-core", "version", "9.0.0.GA.4178.UBUNTU20.64",
		      "manager", "dpkg", "name", "bash", "version", "5.2.15-2");
	json_t *sw = detect("none", pk, NULL);
	assert_int_equal(json_array_size(sw), 1);
	assert_string_equal(field(sw, "version"), "9.0.0.P33");
	assert_string_equal(field(sw, "source"), "packages");
	json_decref(sw);
	json_decref(pk);
}

/* Package strings as the installer and the package managers write them. */
static void test_package_strings(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc, is_patch;
		const char *version, *build;
	} cases[] = {
	    {"zimbra-core-9.0.0_GA_4178.RHEL8_64-20220217141011.x86_64.rpm", 0, 0, "9.0.0", "4178"},
	    {"zimbra-core_9.0.0.GA.4178.UBUNTU20.64_amd64.deb", 0, 0, "9.0.0", "4178"},
	    {"zimbra-core_9.0.0.p38", 0, 0, "9.0.0.P38", ""},
	    {"zimbra-core-8.8.15_P41", 0, 0, "8.8.15.P41", ""},
	    {"zimbra-patch-9.0.0.1683635917.p33-2.r8.x86_64", 0, 1, "9.0.0.P33", ""},
	    {"zimbra-patch_10.0.0.1690000000.p4-1.u20_amd64", 0, 1, "10.0.0.P4", ""},
	    {"zimbra-ldap-9.0.0_GA_4178.RHEL8_64", CANH_ENOENT, 0, NULL, NULL},
	    {"zimbra-corex-9.0.0", CANH_ENOENT, 0, NULL, NULL},
	    {"zimbra-core-components-3.0.6-1zimbra8.8b1.el8.x86_64", CANH_ENOENT, 0, NULL, NULL},
	    {"zimbra-core-", CANH_EPARSE, 0, NULL, NULL},
	    {"zimbra-core-9.0", CANH_EPARSE, 0, NULL, NULL},
	    {"zimbra-core-9.0.0x", CANH_EPARSE, 0, NULL, NULL},
	    {"zimbra-core-1234567890.0.0", CANH_EPARSE, 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct canh_zimbra_version v;
		char buf[64];
		int is_patch = -1;
		int rc =
		    canh_software_zimbra_package(cases[i].in, strlen(cases[i].in), &v, &is_patch);
		assert_int_equal(rc, cases[i].rc);
		if (rc != 0)
			continue;
		assert_int_equal(is_patch, cases[i].is_patch);
		assert_string_equal(canh_software_zimbra_string(&v, buf, sizeof(buf)),
				    cases[i].version);
		assert_string_equal(v.build, cases[i].build);
	}
}

static void test_zmcontrol_lines(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		const char *version, *edition;
	} cases[] = {
	    {"Release 9.0.0_GA_4178.RHEL8_64_20220217141011 RHEL8_64 FOSS edition, Patch "
	     "9.0.0_P38.",
	     0, "9.0.0.P38", "FOSS"},
	    {"Release 8.8.15_GA_3869.UBUNTU18_64 UBUNTU18_64 FOSS edition, Patch 8.8.15_P41.", 0,
	     "8.8.15.P41", "FOSS"},
	    {"  Release 10.0.6_GA_4600.RHEL8_64_20240101000000 RHEL8_64 NETWORK edition.", 0,
	     "10.0.6", "NETWORK"},
	    /* A patch of another release does not count. */
	    {"Release 9.0.0_GA_4178.RHEL8_64 RHEL8_64 FOSS edition, Patch 8.8.15_P41.", 0, "9.0.0",
	     "FOSS"},
	    {"zmcontrol: command not found", CANH_EPARSE, NULL, NULL},
	    {"Release x.y", CANH_EPARSE, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct canh_zimbra_version v;
		char buf[64];
		int rc = canh_software_zimbra_zmcontrol(cases[i].in, strlen(cases[i].in), &v);
		assert_int_equal(rc, cases[i].rc);
		if (rc != 0)
			continue;
		assert_string_equal(canh_software_zimbra_string(&v, buf, sizeof(buf)),
				    cases[i].version);
		assert_string_equal(v.edition, cases[i].edition);
	}
}

/* The server's check of the inventory's "software" section (lib/proto.c). */
static void test_proto_software(void **state)
{
	(void)state;
	struct canh_errmsg err;
	json_t *sw = detect("zimbra9-rhel", NULL, NULL);
	json_t *inv =
	    json_pack("{s:s, s:s, s:{}, s:{}, s:s, s:O}", "hostname", "mail", "machine_id", "0123",
		      "os", "kernel", "arch", "x86_64", "software", sw);

	assert_int_equal(canh_proto_validate_inventory(inv, &err), 0);
	/* A version is required. */
	json_object_del(json_array_get(sw, 0), "version");
	json_object_set(inv, "software", sw);
	assert_int_equal(canh_proto_validate_inventory(inv, &err), CANH_EPARSE);
	assert_string_equal(err.text, "software[0].version: missing");
	/* Optional fields must still be strings. */
	json_object_set_new(json_array_get(sw, 0), "version", json_string("9.0.0"));
	json_object_set_new(json_array_get(sw, 0), "patch", json_integer(38));
	assert_int_equal(canh_proto_validate_inventory(inv, &err), CANH_EPARSE);
	assert_string_equal(err.text, "software[0].patch: expected a string");
	json_object_del(json_array_get(sw, 0), "patch");
	assert_int_equal(canh_proto_validate_inventory(inv, &err), 0);
	/* At most 256 entries. */
	for (int i = 0; i < 256; i++)
		json_array_append(sw, json_array_get(sw, 0));
	assert_int_equal(canh_proto_validate_inventory(inv, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, "software"));
	json_decref(inv);
	json_decref(sw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_install_history_rpm), cmocka_unit_test(test_install_history_deb),
	    cmocka_unit_test(test_zmcontrol_first),	cmocka_unit_test(test_nothing),
	    cmocka_unit_test(test_from_packages),	cmocka_unit_test(test_package_strings),
	    cmocka_unit_test(test_zmcontrol_lines),	cmocka_unit_test(test_proto_software),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
