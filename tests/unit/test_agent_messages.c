/*
 * Unit tests for canh-agent's message table (agent/messages.h): lib's check
 * of every message (canh_catalogue_check: both texts, non-empty, valid UTF-8,
 * the same printf conversions), then what is the agent's own: the English is
 * ASCII, the Vietnamese is Vietnamese, errors are in git's style. Then what an IT officer reads:
 * `status` in both languages, and enrolment refusals worded in the language asked for.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "canh/error.h"
#include "canh/i18n.h"
#include "catalogue_text.h"
#include "messages.h"

/* Messages that may read the same in both languages (a program name and a number). */
static const char *const same_ok[] = {"A_VERSION", NULL};

static int allowed_same(const char *name)
{
	for (size_t i = 0; same_ok[i]; i++)
		if (strcmp(same_ok[i], name) == 0)
			return 1;
	return 0;
}

static void test_every_message_has_both_texts(void **state)
{
	struct canh_errmsg err = {{0}};

	(void)state;
	if (canh_catalogue_check(&canh_agent_catalogue, &err) != 0)
		fail_msg("%s", err.text);
	for (int id = 0; id < CANH_AGENT_MSG_COUNT; id++) {
		const char *name = canh_agent_msg_name(id);
		const char *en = canh_agent_msg(CANH_LANG_EN, id);
		const char *vi = canh_agent_msg(CANH_LANG_VI, id);
		size_t le = strlen(en), lv = strlen(vi);

		if (has_non_ascii_letter(en))
			fail_msg("%s: English text has a non-ASCII letter", name);
		if (strcmp(en, vi) == 0 && !allowed_same(name))
			fail_msg("%s: not translated", name);
		if (has_words(vi) && !has_non_ascii_letter(vi) && !allowed_same(name))
			fail_msg("%s: Vietnamese text without a Vietnamese letter: '%s'", name, vi);
		/* git style: an error is one line without a trailing full stop. */
		if (strncmp(name, "A_ERR_", 6) == 0 && (en[le - 1] == '.' || vi[lv - 1] == '.' ||
							strchr(en, '\n') || strchr(vi, '\n')))
			fail_msg("%s: error message ends with '.' or has a newline", name);
		/* Same line structure: a text ending in a newline does in both. */
		if ((en[le - 1] == '\n') != (vi[lv - 1] == '\n'))
			fail_msg("%s: only one text ends with a newline", name);
	}
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(canh_agent_msg(CANH_LANG_EN, CANH_AGENT_MSG_COUNT), "");
	assert_string_equal(canh_agent_msg((enum canh_lang)7, A_USAGE), "");
	assert_string_equal(canh_agent_msg_name(CANH_AGENT_MSG_COUNT), "?");
	assert_string_equal(canh_agent_msg_name(A_ERR_CONNECT), "A_ERR_CONNECT");
}

static void test_vietnamese_spot_checks(void **state)
{
	struct canh_errmsg e;
	char buf[512];

	(void)state;
	/* The texts an IT officer meets most, in precomposed UTF-8. */
	canh_agent_msg_format(CANH_LANG_VI, buf, sizeof(buf), A_ERR_TOKEN_REFUSED,
			      "mã đăng ký đã được sử dụng");
	assert_string_equal(buf, "máy chủ từ chối mã đăng ký: mã đăng ký đã được sử dụng");
	canh_agent_msg_format(CANH_LANG_VI, buf, sizeof(buf), A_ENROLL_FINGERPRINT, "ab",
			      canh_agent_msg(CANH_LANG_VI, A_TRUST_TOFU));
	assert_string_equal(buf,
			    "dấu vân tay chứng chỉ máy chủ: ab (tin cậy ở lần kết nối đầu tiên)\n");
	canh_agent_msg_format(CANH_LANG_VI, buf, sizeof(buf), A_ENROLLED, 7LL, "HP-THPT-NQ",
			      "/var/lib/canh-agent");
	assert_string_equal(buf, "đã đăng ký máy với máy chủ: tác tử số 7, đơn vị 'HP-THPT-NQ'; "
				 "trạng thái lưu tại '/var/lib/canh-agent'\n");
	assert_string_equal(canh_agent_msg(CANH_LANG_VI, A_ERROR_PREFIX), "lỗi: ");
	assert_string_equal(canh_agent_msg(CANH_LANG_VI, A_L_QUEUE), "Hàng đợi");
	assert_non_null(strstr(canh_agent_msg(CANH_LANG_VI, A_USAGE), "cách dùng: canh-agent"));
	/* English stays what the docs show. */
	canh_agent_msg_format(CANH_LANG_EN, buf, sizeof(buf), A_ENROLL_FINGERPRINT, "ab",
			      canh_agent_msg(CANH_LANG_EN, A_TRUST_TOFU));
	assert_string_equal(buf, "server certificate fingerprint: ab (trusted on first use)\n");
	/* canh_agent_msg_set returns the code it is given, NULL-safe. */
	assert_int_equal(
	    canh_agent_msg_set(&e, CANH_LANG_VI, CANH_EEXIST, A_ERR_AGENT_RUNNING, "/x"),
	    CANH_EEXIST);
	assert_string_equal(e.text, "một tác tử đang chạy trên '/x': hãy dừng nó trước");
	assert_int_equal(canh_agent_msg_set(NULL, CANH_LANG_VI, CANH_ENOENT, A_ERR_BAD_TOKEN),
			 CANH_ENOENT);
	/* Truncation keeps the buffer terminated. */
	canh_agent_msg_format(CANH_LANG_VI, buf, 8, A_ERR_BAD_TOKEN);
	assert_int_equal(strlen(buf), 7);
}

static char *status_text(enum canh_lang lang, int running)
{
	struct canh_agent_ident id = {.agent_id = 12};
	struct canh_agent_status st = {
	    .next_seq = 40, .acked_seq = 36, .pending = 3, .pending_bytes = 1200, .refused = 0};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	snprintf(id.server, sizeof(id.server), "https://10.0.0.5:8443");
	snprintf(id.unit, sizeof(id.unit), "HP-THPT-\x1b[31mNQ"); /* came over the network */
	memset(id.fingerprint, 'e', 64);
	canh_agent_status_print(f, lang, &id, &st, running);
	fclose(f);
	return text;
}

static void test_status_print(void **state)
{
	char *vi = status_text(CANH_LANG_VI, 1), *en = status_text(CANH_LANG_EN, 0);

	(void)state;
	/* Values start one column after the longest label, whatever the language. */
	assert_non_null(strstr(vi, "Tác tử:                      12 (đang chạy)\n"));
	assert_non_null(strstr(vi, "Máy chủ:                     https://10.0.0.5:8443\n"));
	assert_non_null(
	    strstr(vi, "Hàng đợi:                    3 thông điệp chưa gửi (1200 byte)\n"));
	assert_non_null(strstr(vi, "Số thứ tự:                   tiếp theo 40, máy chủ đã xác nhận "
				   "đến 36\n"));
	assert_non_null(strstr(vi, "Bị từ chối (hàng đợi đầy):   0 thông điệp\n"));
	assert_non_null(strstr(en, "Agent:                       12 (not running)\n"));
	assert_non_null(strstr(en, "Queue:                       3 messages not yet sent (1200 "
				   "bytes)\n"));
	assert_non_null(strstr(en, "Server certificate (pinned): eeee"));
	/* A control byte from the server does not reach the terminal. */
	assert_null(strchr(vi, '\x1b'));
	assert_non_null(strstr(en, "HP-THPT-\\x1b[31mNQ"));
	free(vi);
	free(en);
}

static char dir[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/canh-agent-msg-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Refusals that need no server, in the language the options ask for. */
static void test_enroll_refusals(void **state)
{
	struct canh_agent_ident id = {.agent_id = 7};
	struct canh_agent_enroll_opts o = {.server = "https://127.0.0.1:1",
					   .token = "0123456789abcdef",
					   .state_dir = dir,
					   .lang = CANH_LANG_VI};
	struct canh_agent_enroll_result res;
	struct canh_errmsg err;

	(void)state;
	snprintf(id.server, sizeof(id.server), "https://10.0.0.5:8443");
	snprintf(id.unit, sizeof(id.unit), "HP-THPT-NQ");
	memset(id.fingerprint, 'e', 64);
	snprintf(id.credential, sizeof(id.credential), "A7.%064d", 0);
	assert_int_equal(canh_agent_ident_save(dir, &id, NULL, &err), 0);

	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EEXIST);
	assert_string_equal(err.text, "tác tử đã được đăng ký (tác tử số 7 của máy chủ "
				      "'https://10.0.0.5:8443'); dùng --force để đăng ký lại");
	o.lang = CANH_LANG_EN;
	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EEXIST);
	assert_string_equal(err.text, "already enrolled as agent 7 of 'https://10.0.0.5:8443'; "
				      "use --force to enrol again");

	o.lang = CANH_LANG_VI;
	o.server = "http://10.0.0.5:8443";
	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EINVAL);
	assert_string_equal(err.text, "địa chỉ máy chủ không hợp lệ 'http://10.0.0.5:8443': cần "
				      "dạng https://HOST:PORT");
	o.server = "https://10.0.0.5:8443";
	o.fingerprint = "ab:cd";
	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EINVAL);
	assert_non_null(strstr(err.text, "dấu vân tay không hợp lệ 'ab:cd'"));
	o.ca_file = "/etc/ssl/certs/ca.pem";
	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EINVAL);
	assert_string_equal(err.text, "không thể dùng --fingerprint cùng với --ca-file");
	o.fingerprint = o.ca_file = NULL;
	o.token = "bad token";
	assert_int_equal(canh_agent_enroll(&o, &res, &err), CANH_EINVAL);
	assert_string_equal(err.text, "mã đăng ký trống hoặc sai định dạng");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_has_both_texts),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_vietnamese_spot_checks),
	    cmocka_unit_test(test_status_print),
	    cmocka_unit_test_setup_teardown(test_enroll_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
