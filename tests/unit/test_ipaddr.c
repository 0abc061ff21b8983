/*
 * Unit tests for lib/ipaddr.c, as data: text, expected result, normal form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/ipaddr.h"

static const struct {
	const char *in;
	int rc;
	int family;
	const char *norm;
} ip_cases[] = {
    {"1.2.3.4", 0, 4, "1.2.3.4"},
    {"0.0.0.0", 0, 4, "0.0.0.0"},
    {"255.255.255.255", 0, 4, "255.255.255.255"},
    {"10.0.0.1", 0, 4, "10.0.0.1"},
    {"::1", 0, 6, "::1"},
    {"::", 0, 6, "::"},
    {"2001:DB8::1", 0, 6, "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", 0, 6, "2001:db8::1"},
    {"::ffff:1.2.3.4", 0, 4, "1.2.3.4"},
    {"::FFFF:c000:0201", 0, 4, "192.0.2.1"},
    {"::1.2.3.4", 0, 6, "::1.2.3.4"}, /* deprecated v4-compatible: not mapped */
    {"64:ff9b::1.2.3.4", 0, 6, "64:ff9b::102:304"},
    {"", CANH_EPARSE, 0, NULL},
    {"1.2.3", CANH_EPARSE, 0, NULL},
    {"1.2.3.4.5", CANH_EPARSE, 0, NULL},
    {"256.1.1.1", CANH_EPARSE, 0, NULL},
    {"1.2.3.1000", CANH_EPARSE, 0, NULL},
    {"010.0.0.1", CANH_EPARSE, 0, NULL},
    {"10.0.0.01", CANH_EPARSE, 0, NULL},
    {"00.0.0.1", CANH_EPARSE, 0, NULL},
    {"1.2.3.", CANH_EPARSE, 0, NULL},
    {".1.2.3", CANH_EPARSE, 0, NULL},
    {"1..2.3", CANH_EPARSE, 0, NULL},
    {" 1.2.3.4", CANH_EPARSE, 0, NULL},
    {"1.2.3.4 ", CANH_EPARSE, 0, NULL},
    {"1.2.3.4\n", CANH_EPARSE, 0, NULL},
    {"0x1.2.3.4", CANH_EPARSE, 0, NULL},
    {"+1.2.3.4", CANH_EPARSE, 0, NULL},
    {"1.2.3.4/32", CANH_EPARSE, 0, NULL},
    {":::1", CANH_EPARSE, 0, NULL},
    {"1::2::3", CANH_EPARSE, 0, NULL},
    {"fe80::1%eth0", CANH_EPARSE, 0, NULL},
    {"[::1]", CANH_EPARSE, 0, NULL},
    {"::ffff:010.1.1.1", CANH_EPARSE, 0, NULL},
    {"::ffff:1.2.3", CANH_EPARSE, 0, NULL},
    {"12345::1", CANH_EPARSE, 0, NULL},
    {"localhost", CANH_EPARSE, 0, NULL},
};

static void test_ip_table(void **state)
{
	for (size_t i = 0; i < sizeof(ip_cases) / sizeof(ip_cases[0]); i++) {
		struct canh_ipaddr a;
		char buf[CANH_IPADDR_STRLEN];
		int rc = canh_ip_parse(ip_cases[i].in, &a);
		if (rc != ip_cases[i].rc)
			print_error("case %zu '%s': rc %d\n", i, ip_cases[i].in, rc);
		assert_int_equal(rc, ip_cases[i].rc);
		if (rc != 0)
			continue;
		assert_int_equal(a.family, ip_cases[i].family);
		assert_string_equal(canh_ip_format(&a, buf, sizeof(buf)), ip_cases[i].norm);
		struct canh_ipaddr b;
		assert_int_equal(canh_ip_parse(buf, &b), 0);
		assert_true(canh_ip_equal(&a, &b));
	}
}

static const struct {
	const char *in;
	bool strict;
	int rc;
	const char *norm;
} cidr_cases[] = {
    {"10.0.0.0/8", true, 0, "10.0.0.0/8"},
    {"10.1.2.3/8", false, 0, "10.0.0.0/8"},
    {"10.1.2.3/8", true, CANH_EINVAL, NULL},
    {"1.2.3.4", true, 0, "1.2.3.4/32"},
    {"1.2.3.4/32", true, 0, "1.2.3.4/32"},
    {"0.0.0.0/0", true, 0, "0.0.0.0/0"},
    {"1.2.3.4/0", false, 0, "0.0.0.0/0"},
    {"1.2.3.4/33", false, CANH_ERANGE, NULL},
    {"1.2.3.4/", false, CANH_EPARSE, NULL},
    {"1.2.3.4/08", false, CANH_EPARSE, NULL},
    {"1.2.3.4/+8", false, CANH_EPARSE, NULL},
    {"1.2.3.4/-1", false, CANH_EPARSE, NULL},
    {"1.2.3.4/8/8", false, CANH_EPARSE, NULL},
    {"1.2.3.4/ 8", false, CANH_EPARSE, NULL},
    {"1.2.3.4/1000", false, CANH_EPARSE, NULL},
    {"/8", false, CANH_EPARSE, NULL},
    {"010.0.0.0/8", false, CANH_EPARSE, NULL},
    {"::1", true, 0, "::1/128"},
    {"::1/128", true, 0, "::1/128"},
    {"::1/129", false, CANH_ERANGE, NULL},
    {"2001:db8::/32", true, 0, "2001:db8::/32"},
    {"2001:db8:1::/32", true, CANH_EINVAL, NULL},
    {"2001:db8:1::/32", false, 0, "2001:db8::/32"},
    {"::/0", true, 0, "::/0"},
    {"::ffff:10.0.0.0/104", true, 0, "10.0.0.0/8"},
    {"::ffff:1.2.3.4/128", true, 0, "1.2.3.4/32"},
    {"::ffff:1.2.3.4", true, 0, "1.2.3.4/32"},
    {"::ffff:0.0.0.0/96", true, 0, "0.0.0.0/0"},
    {"::ffff:1.2.3.4/129", false, CANH_ERANGE, NULL},
    {"::ffff:0.0.0.0/95", false, 0, "::fffe:0:0/95"},
    {"::ffff:0.0.0.0/80", true, CANH_EINVAL, NULL},
    {"::ffff:0.0.0.0/80", false, 0, "::/80"},
    {"2001:db8:0000:0000:0000:0000:0000:0000:1/64", false, CANH_EPARSE, NULL},
    {"", false, CANH_EPARSE, NULL},
};

static void test_cidr_table(void **state)
{
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		struct canh_cidr c;
		char buf[CANH_CIDR_STRLEN];
		int rc = canh_cidr_parse(cidr_cases[i].in, cidr_cases[i].strict, &c);
		if (rc != cidr_cases[i].rc)
			print_error("case %zu '%s': rc %d\n", i, cidr_cases[i].in, rc);
		assert_int_equal(rc, cidr_cases[i].rc);
		if (rc != 0)
			continue;
		canh_cidr_format(&c, buf, sizeof(buf));
		if (strcmp(buf, cidr_cases[i].norm) != 0)
			print_error("case %zu '%s': got '%s'\n", i, cidr_cases[i].in, buf);
		assert_string_equal(buf, cidr_cases[i].norm);
	}
}

static bool contains(const char *cidr, const char *ip)
{
	struct canh_cidr c;
	struct canh_ipaddr a;
	assert_int_equal(canh_cidr_parse(cidr, false, &c), 0);
	assert_int_equal(canh_ip_parse(ip, &a), 0);
	return canh_cidr_contains(&c, &a);
}

static void test_contains(void **state)
{
	/* Boundaries: first and last address in, one either side out. */
	assert_true(contains("192.168.4.0/22", "192.168.4.0"));
	assert_true(contains("192.168.4.0/22", "192.168.7.255"));
	assert_false(contains("192.168.4.0/22", "192.168.3.255"));
	assert_false(contains("192.168.4.0/22", "192.168.8.0"));
	assert_true(contains("10.0.0.0/8", "10.255.255.255"));
	assert_false(contains("10.0.0.0/8", "11.0.0.0"));
	assert_false(contains("10.0.0.0/8", "9.255.255.255"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_true(contains("1.2.3.4/32", "1.2.3.4"));
	assert_false(contains("1.2.3.4/32", "1.2.3.5"));
	assert_true(contains("1.2.3.5/31", "1.2.3.4"));
	assert_false(contains("1.2.3.5/31", "1.2.3.6"));
	assert_true(contains("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(contains("2001:db8::/32", "2001:db9::"));
	assert_false(contains("2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_true(contains("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(contains("2001:db8::/33", "2001:db8:8000::"));
	assert_true(contains("::/0", "::1"));
	/* Families never mix; a mapped address is IPv4. */
	assert_false(contains("::/0", "1.2.3.4"));
	assert_false(contains("0.0.0.0/0", "::1"));
	assert_true(contains("1.2.3.0/24", "::ffff:1.2.3.77"));
	assert_true(contains("::ffff:1.2.3.0/120", "1.2.3.77"));
}

static void test_sockaddr(void **state)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct canh_ipaddr a;
	char buf[CANH_IPADDR_STRLEN];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "203.0.113.9", &sin.sin_addr);
	assert_int_equal(canh_ip_from_sockaddr((struct sockaddr *)&sin, &a), 0);
	assert_int_equal(a.family, 4);
	assert_string_equal(canh_ip_format(&a, buf, sizeof(buf)), "203.0.113.9");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:203.0.113.9", &sin6.sin6_addr);
	assert_int_equal(canh_ip_from_sockaddr((struct sockaddr *)&sin6, &a), 0);
	assert_int_equal(a.family, 4);
	assert_string_equal(canh_ip_format(&a, buf, sizeof(buf)), "203.0.113.9");

	inet_pton(AF_INET6, "2001:db8::9", &sin6.sin6_addr);
	assert_int_equal(canh_ip_from_sockaddr((struct sockaddr *)&sin6, &a), 0);
	assert_int_equal(a.family, 6);
	assert_string_equal(canh_ip_format(&a, buf, sizeof(buf)), "2001:db8::9");

	struct sockaddr other = {.sa_family = AF_UNIX};
	assert_int_equal(canh_ip_from_sockaddr(&other, &a), CANH_EINVAL);
}

static void test_equal_and_format_small(void **state)
{
	struct canh_ipaddr a, b;
	assert_int_equal(canh_ip_parse("1.2.3.4", &a), 0);
	assert_int_equal(canh_ip_parse("::ffff:1.2.3.4", &b), 0);
	assert_true(canh_ip_equal(&a, &b));
	assert_int_equal(canh_ip_parse("::102:304", &b), 0);
	assert_false(canh_ip_equal(&a, &b));
	char small[4];
	canh_ip_format(&a, small, sizeof(small));
	assert_string_equal(small, "1.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ip_table),
	    cmocka_unit_test(test_cidr_table),
	    cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_sockaddr),
	    cmocka_unit_test(test_equal_and_format_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
