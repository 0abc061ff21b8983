/*
 * Unit tests for lib/crypto.c: SHA-256 vectors, hex, randomness, ct compare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "canh/crypto.h"
#include "canh/error.h"
#include "canh/fs.h"

static const struct {
	const char *in;
	const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void test_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char hex[CANH_SHA256_HEX];
		assert_int_equal(canh_sha256_hex(vectors[i].in, strlen(vectors[i].in), hex), 0);
		assert_string_equal(hex, vectors[i].hex);

		/* Streaming one byte at a time gives the same digest. */
		struct canh_sha256 h;
		uint8_t md[CANH_SHA256_LEN], want[CANH_SHA256_LEN];
		assert_int_equal(canh_sha256_init(&h), 0);
		for (size_t k = 0; k < strlen(vectors[i].in); k++)
			assert_int_equal(canh_sha256_update(&h, vectors[i].in + k, 1), 0);
		assert_int_equal(canh_sha256_final(&h, md), 0);
		assert_null(h.md);
		assert_int_equal(canh_hex_decode(vectors[i].hex, want, sizeof(want)), 0);
		assert_memory_equal(md, want, sizeof(md));
	}
}

static void test_million_a(void **state)
{
	struct canh_sha256 h;
	char chunk[1000];
	uint8_t md[CANH_SHA256_LEN];
	char hex[CANH_SHA256_HEX];
	memset(chunk, 'a', sizeof(chunk));
	assert_int_equal(canh_sha256_init(&h), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(canh_sha256_update(&h, chunk, sizeof(chunk)), 0);
	assert_int_equal(canh_sha256_final(&h, md), 0);
	canh_hex_encode(md, sizeof(md), hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Using a finished or released context is refused, not a crash. */
	assert_int_equal(canh_sha256_update(&h, "x", 1), CANH_EINVAL);
	assert_int_equal(canh_sha256_final(&h, md), CANH_EINVAL);
	canh_sha256_release(&h);
	assert_int_equal(canh_sha256_init(&h), 0);
	canh_sha256_release(&h);
	assert_null(h.md);
}

static void test_file_hash(void **state)
{
	char dir[] = "/tmp/canh-test-crypto-XXXXXX";
	char hex[CANH_SHA256_HEX];
	assert_non_null(mkdtemp(dir));
	char *path = canh_path_join(dir, "f");
	assert_int_equal(canh_file_write_atomic(path, "abc", 3, 0600, NULL), 0);
	assert_int_equal(canh_sha256_file_hex(path, hex), 0);
	assert_string_equal(hex, vectors[1].hex);
	assert_int_equal(canh_sha256_file_hex(dir, hex), CANH_EINVAL);
	unlink(path);
	assert_int_equal(canh_sha256_file_hex(path, hex), CANH_ENOENT);
	free(path);
	rmdir(dir);
}

static void test_hex(void **state)
{
	uint8_t all[256], back[256];
	char hex[513];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	canh_hex_encode(all, sizeof(all), hex);
	assert_int_equal(strlen(hex), 512);
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 506, "fdfeff");
	assert_int_equal(canh_hex_decode(hex, back, sizeof(back)), 0);
	assert_memory_equal(all, back, sizeof(all));

	uint8_t b[2];
	assert_int_equal(canh_hex_decode("aBcD", b, 2), 0);
	assert_int_equal(b[0], 0xab);
	assert_int_equal(b[1], 0xcd);
	assert_int_equal(canh_hex_decode("abc", b, 2), CANH_EPARSE);   /* short */
	assert_int_equal(canh_hex_decode("abcde", b, 2), CANH_EPARSE); /* long */
	assert_int_equal(canh_hex_decode("abcg", b, 2), CANH_EPARSE);
	assert_int_equal(canh_hex_decode(" abc", b, 2), CANH_EPARSE);
	assert_int_equal(canh_hex_decode("", b, 0), 0);
	char e[1] = {'x'};
	canh_hex_encode(NULL, 0, e);
	assert_int_equal(e[0], '\0');
}

static void test_random(void **state)
{
	uint8_t a[32], b[32], zero[32] = {0};
	assert_int_equal(canh_random_bytes(a, sizeof(a)), 0);
	assert_int_equal(canh_random_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(canh_random_bytes(a, 0), 0);

	/* Large requests are filled completely (getrandom may return short). */
	size_t n = 1 << 20;
	uint8_t *big = calloc(1, n);
	assert_non_null(big);
	assert_int_equal(canh_random_bytes(big, n), 0);
	size_t zeros = 0;
	for (size_t i = n - 4096; i < n; i++)
		zeros += big[i] == 0;
	assert_true(zeros < 64); /* expected ~16 */
	free(big);

	char hex[1001];
	memset(hex, 'Z', sizeof(hex));
	assert_int_equal(canh_random_hex(hex, 500), 0);
	assert_int_equal(strlen(hex), 1000);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 1000);
	char h1[33], h2[33];
	canh_random_hex(h1, 16);
	canh_random_hex(h2, 16);
	assert_string_not_equal(h1, h2);
}

static void test_ct_equal(void **state)
{
	assert_int_equal(canh_ct_equal("abcd", "abcd", 4), 1);
	assert_int_equal(canh_ct_equal("abcd", "abce", 4), 0);
	assert_int_equal(canh_ct_equal("xbcd", "abcd", 4), 0);
	assert_int_equal(canh_ct_equal("abcd", "abce", 3), 1);
	assert_int_equal(canh_ct_equal("a", "b", 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),   cmocka_unit_test(test_million_a),
	    cmocka_unit_test(test_file_hash), cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_random),    cmocka_unit_test(test_ct_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
