/*
 * Unit tests for lib/tls.c: self-signed generation and fingerprints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cmocka.h>

#include "canh/error.h"
#include "canh/fs.h"
#include "canh/tls.h"

static char dir[64];
static char *cert_path, *key_path;

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-test-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	cert_path = canh_path_join(dir, "cert.pem");
	key_path = canh_path_join(dir, "key.pem");
	static const char *const extra[] = {"canh.example.vn", "192.0.2.10", "2001:db8::5", NULL};
	struct canh_errmsg err = {{0}};
	int rc = canh_tls_generate_selfsigned(cert_path, key_path, "canhd test", extra, 30, &err);
	if (rc != 0)
		fprintf(stderr, "generate: %s\n", err.text);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(cert_path);
	free(key_path);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_modes(void **state)
{
	struct stat st;
	assert_int_equal(stat(cert_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(st.st_size > 100);
	assert_int_equal(stat(key_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static X509 *load_cert(void)
{
	FILE *f = fopen(cert_path, "r");
	assert_non_null(f);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void test_certificate_contents(void **state)
{
	X509 *x = load_cert();
	char cn[128];
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					      sizeof(cn)) > 0);
	assert_string_equal(cn, "canhd test");
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	/* Self-signed: verifies with its own key. */
	EVP_PKEY *pub = X509_get0_pubkey(x);
	assert_non_null(pub);
	assert_int_equal(X509_verify(x, pub), 1);
	assert_int_equal(EVP_PKEY_get_bits(pub), 256);
	assert_true(EVP_PKEY_is_a(pub, "EC"));

	/* Not a CA; digitalSignature; serverAuth. */
	int crit = -1;
	assert_int_equal(X509_check_ca(x), 0);
	uint32_t ku = X509_get_key_usage(x);
	assert_true(ku & KU_DIGITAL_SIGNATURE);
	assert_false(ku & KU_KEY_CERT_SIGN);
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);

	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_int_equal(bc->ca, 0);
	assert_int_equal(crit, 1);
	BASIC_CONSTRAINTS_free(bc);

	/* Serial: positive, odd (never zero), at most 128 bits. */
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	assert_non_null(bn);
	assert_false(BN_is_negative(bn));
	assert_true(BN_is_odd(bn));
	assert_true(BN_num_bits(bn) >= 64 && BN_num_bits(bn) <= 128);
	BN_free(bn);

	/* Names: the defaults and the extras, each under its right type. */
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "canh.example.vn", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "other.example.vn", 0, 0, NULL), 0);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "192.0.2.10", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "2001:db8::5", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "192.0.2.11", 0), 0);
	assert_int_equal(X509_check_host(x, "192.0.2.10", 0, 0, NULL), 0); /* not as DNS */

	/* Valid now, for about 30 days. */
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	assert_true(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	int days = 0, secs = 0;
	assert_int_equal(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)), 1);
	assert_true(days >= 29 && days <= 30);

	/* The key file holds the certificate's key. */
	FILE *f = fopen(key_path, "r");
	assert_non_null(f);
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	assert_int_equal(X509_check_private_key(x, key), 1);
	EVP_PKEY_free(key);
	X509_free(x);
}

static void test_fingerprint_matches(void **state)
{
	char fp_file[CANH_SHA256_HEX], fp_pem[CANH_SHA256_HEX], fp_der[CANH_SHA256_HEX];
	struct canh_errmsg err;
	assert_int_equal(canh_tls_fingerprint_file(cert_path, fp_file, &err), 0);
	assert_int_equal(strlen(fp_file), 64);
	assert_int_equal(strspn(fp_file, "0123456789abcdef"), 64);

	char *pem = NULL;
	size_t len = 0;
	assert_int_equal(canh_file_read(cert_path, 1 << 20, &pem, &len, NULL), 0);
	assert_int_equal(canh_tls_fingerprint_pem(pem, len, fp_pem, &err), 0);
	assert_string_equal(fp_file, fp_pem);

	/* Independently: SHA-256 of the DER as OpenSSL encodes it. */
	X509 *x = load_cert();
	unsigned char md[32];
	unsigned int mdlen = 0;
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
	assert_int_equal(mdlen, 32);
	canh_hex_encode(md, 32, fp_der);
	assert_string_equal(fp_file, fp_der);
	X509_free(x);

	/* With text before it and a second certificate after, the first one counts. */
	size_t blen = len * 2 + 64;
	char *both = malloc(blen);
	assert_non_null(both);
	int n = snprintf(both, blen, "leading text\n%s", pem);
	assert_true(n > 0);
	char other_cert[128], other_key[128], fp_other[CANH_SHA256_HEX];
	snprintf(other_cert, sizeof(other_cert), "%s/o.pem", dir);
	snprintf(other_key, sizeof(other_key), "%s/o.key", dir);
	assert_int_equal(canh_tls_generate_selfsigned(other_cert, other_key, NULL, NULL, 1, &err),
			 0);
	assert_int_equal(canh_tls_fingerprint_file(other_cert, fp_other, &err), 0);
	assert_string_not_equal(fp_other, fp_file);
	FILE *of = fopen(other_cert, "r");
	assert_non_null(of);
	X509 *ox = PEM_read_X509(of, NULL, NULL, NULL);
	fclose(of);
	assert_non_null(ox);
	x = load_cert();
	assert_int_not_equal(
	    ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(ox)), 0);
	char cn[64];
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(ox), NID_commonName, cn,
					      sizeof(cn)) > 0);
	assert_string_equal(cn, "localhost"); /* NULL common name */
	X509_free(ox);
	X509_free(x);
	char *opem = NULL;
	size_t olen = 0;
	assert_int_equal(canh_file_read(other_cert, 1 << 20, &opem, &olen, NULL), 0);
	both = realloc(both, (size_t)n + olen + 1);
	assert_non_null(both);
	memcpy(both + n, opem, olen + 1);
	assert_int_equal(canh_tls_fingerprint_pem(both, (size_t)n + olen, fp_pem, &err), 0);
	assert_string_equal(fp_pem, fp_file);
	free(opem);
	free(both);
	free(pem);
}

static void test_fingerprint_matches_openssl_cli(void **state)
{
	if (system("command -v openssl >/dev/null 2>&1") != 0)
		skip();
	char cmd[256], line[512], fp[CANH_SHA256_HEX];
	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha256 -in '%s'", cert_path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	/* "sha256 Fingerprint=AB:CD:..." → "abcd..." */
	const char *eq = strchr(line, '=');
	assert_non_null(eq);
	char norm[CANH_SHA256_HEX];
	size_t k = 0;
	for (const char *s = eq + 1; *s && *s != '\n'; s++) {
		if (*s == ':')
			continue;
		assert_true(k < 64);
		norm[k++] = (char)tolower((unsigned char)*s);
	}
	norm[k] = '\0';
	assert_int_equal(canh_tls_fingerprint_file(cert_path, fp, NULL), 0);
	assert_string_equal(norm, fp);
}

static void test_errors(void **state)
{
	struct canh_errmsg err;
	char fp[CANH_SHA256_HEX];
	const char *junk =
	    "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n";
	assert_int_equal(canh_tls_fingerprint_pem(junk, strlen(junk), fp, &err), CANH_EPARSE);
	assert_string_equal(fp, "");
	assert_int_equal(canh_tls_fingerprint_pem("", 0, fp, &err), CANH_EINVAL);
	assert_int_equal(canh_tls_fingerprint_pem("hello", 5, fp, &err), CANH_EPARSE);
	/* The key is not a certificate. */
	assert_int_equal(canh_tls_fingerprint_file(key_path, fp, &err), CANH_EPARSE);
	assert_non_null(strstr(err.text, key_path));
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none.pem", dir);
	assert_int_equal(canh_tls_fingerprint_file(missing, fp, &err), CANH_ENOENT);

	/* Names that are neither IP nor host name are refused before anything is written. */
	static const char *const bad[] = {"ok.example", "bad,DNS:evil.example", NULL};
	char c[128], k[128];
	snprintf(c, sizeof(c), "%s/bad.pem", dir);
	snprintf(k, sizeof(k), "%s/bad.key", dir);
	assert_int_equal(canh_tls_generate_selfsigned(c, k, "x", bad, 30, &err), CANH_EINVAL);
	assert_non_null(strstr(err.text, "bad,DNS:evil.example"));
	assert_int_equal(access(c, F_OK), -1);
	assert_int_equal(access(k, F_OK), -1);
	assert_int_equal(canh_tls_generate_selfsigned(c, k, "x", NULL, 0, &err), CANH_EINVAL);
	char missing_dir[128];
	snprintf(missing_dir, sizeof(missing_dir), "%s/no/such/c.pem", dir);
	assert_true(canh_tls_generate_selfsigned(missing_dir, k, "x", NULL, 1, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_certificate_contents),
	    cmocka_unit_test(test_fingerprint_matches),
	    cmocka_unit_test(test_fingerprint_matches_openssl_cli),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
