/*
 * Every text canh-agent shows a person, in English and Vietnamese.
 *
 * One line per message: X(id, english, vietnamese). The two texts must have
 * the same printf conversions in the same order (tests/unit/test_agent_messages.c
 * checks every entry), and call sites are checked against the English text
 * at compile time (canh_agent_say, canh_agent_msg_set below). Vietnamese is
 * UTF-8 with full diacritics. Errors follow git's style: what went wrong
 * first, the subject quoted, no trailing full stop.
 *
 * What is here: usage, argument errors, the results and errors of `enroll`,
 * the human form of `status`, and the errors `run` prints before its log
 * starts. What is not: log records (canh_log_*) of a running agent, which
 * stay English for operators and grep, and `status --json`, whose keys are a
 * contract. Option names, file names and JSON keys stay as they are in both
 * languages: they are what the user must type or look for.
 *
 * The language is the locale's (canh_lang_from_env in lib/canh/i18n.h);
 * `--lang vi|en` overrides it. `enroll` asks canhd for the same language
 * (Accept-Language), so the reason it gives for a refusal reads the same.
 */
#ifndef CANH_AGENT_MESSAGES_H
#define CANH_AGENT_MESSAGES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "canh/error.h"
#include "canh/i18n.h"

/* clang-format off */
#define CANH_AGENT_MESSAGES(X) \
/* ---- usage and arguments (main.c) ---- */ \
X(A_USAGE, \
"usage: canh-agent enroll --server URL (--token TOKEN | --token-file FILE)\n" \
"                         [--state-dir DIR] [--fingerprint HEX | --ca-file FILE] [--force]\n" \
"       canh-agent run [--state-dir DIR] [--config FILE] [--set key=value]... [--once] [-n]\n" \
"       canh-agent status [--state-dir DIR] [--json]\n" \
"       canh-agent --version\n" \
"\n" \
"Commands:\n" \
"  enroll   trade a one-time enrolment token for this host's credential and pin\n" \
"           the server's certificate: trusted on first use (its fingerprint is\n" \
"           printed), or checked with --fingerprint or --ca-file; --force enrols\n" \
"           an enrolled host again\n" \
"  run      collect the inventory and heartbeats and deliver them to the server\n" \
"           until stopped; --once: one inventory, deliver, exit; -n: print the\n" \
"           effective configuration\n" \
"  status   this agent's identity and its queue of messages not yet sent;\n" \
"           --json for scripts\n" \
"\n" \
"Options of every command:\n" \
"  --state-dir DIR   the agent's state directory (default %s)\n" \
"  --lang vi|en      language of messages (default: LC_ALL, LC_MESSAGES, LANG)\n" \
"  -h, --help        show this help\n" \
"\n" \
"Exit status: 0 success, 1 failure, 2 usage error.\n", \
"cách dùng: canh-agent enroll --server URL (--token MÃ_ĐĂNG_KÝ | --token-file TỆP)\n" \
"                             [--state-dir THƯ_MỤC] [--fingerprint HEX | --ca-file TỆP] [--force]\n" \
"           canh-agent run [--state-dir THƯ_MỤC] [--config TỆP] [--set khóa=giá_trị]... [--once] [-n]\n" \
"           canh-agent status [--state-dir THƯ_MỤC] [--json]\n" \
"           canh-agent --version\n" \
"\n" \
"Lệnh:\n" \
"  enroll   dùng mã đăng ký (dùng một lần) để đăng ký máy này với máy chủ và ghim\n" \
"           chứng chỉ của máy chủ: tin cậy ở lần kết nối đầu tiên (dấu vân tay được\n" \
"           in ra), hoặc kiểm tra bằng --fingerprint hay --ca-file; --force để đăng ký\n" \
"           lại một máy đã đăng ký\n" \
"  run      thu thập thông tin kiểm kê và tín hiệu hoạt động (heartbeat), gửi về máy\n" \
"           chủ cho đến khi bị dừng; --once: kiểm kê một lần, gửi rồi thoát; -n: in\n" \
"           cấu hình đang áp dụng\n" \
"  status   thông tin của tác tử và hàng đợi các thông điệp chưa gửi;\n" \
"           --json cho các script\n" \
"\n" \
"Tùy chọn chung của các lệnh:\n" \
"  --state-dir THƯ_MỤC  thư mục trạng thái của tác tử (mặc định %s)\n" \
"  --lang vi|en         ngôn ngữ thông báo (mặc định: LC_ALL, LC_MESSAGES, LANG)\n" \
"  -h, --help           xem trợ giúp\n" \
"\n" \
"Mã thoát: 0 thành công, 1 thất bại, 2 dùng sai cú pháp.\n") \
X(A_TRY_HELP, "run 'canh-agent --help' for usage\n", \
"chạy 'canh-agent --help' để xem cách dùng\n") \
X(A_VERSION, "canh-agent %s\n", "canh-agent %s\n") \
X(A_ERROR_PREFIX, "error: ", "lỗi: ") \
X(A_WARNING_PREFIX, "warning: ", "cảnh báo: ") \
X(A_ERR_UNKNOWN_COMMAND, "unknown command '%s'", "không có lệnh '%s'") \
X(A_ERR_UNKNOWN_OPTION, "unknown option '%s'", "không có tùy chọn '%s'") \
X(A_ERR_OPTION_NEEDS_VALUE, "option '%s' needs a value", "tùy chọn '%s' cần một giá trị") \
X(A_ERR_OPTION_NO_VALUE, "option '%s' takes no value", "tùy chọn '%s' không nhận giá trị") \
X(A_ERR_EXTRA_ARGUMENT, "unexpected argument '%s'", "tham số thừa '%s'") \
X(A_ERR_MISSING_OPTION, "missing option '%s'", "thiếu tùy chọn '%s'") \
X(A_ERR_MISSING_TOKEN, "missing the enrolment token: give --token TOKEN or --token-file FILE", \
"thiếu mã đăng ký: dùng --token MÃ_ĐĂNG_KÝ hoặc --token-file TỆP") \
X(A_ERR_BAD_LANG, "invalid language '%s': expected vi or en", \
"ngôn ngữ không hợp lệ '%s': chỉ có vi hoặc en") \
X(A_ERR_TOO_MANY_SETS, "too many --set options: at most %d", \
"quá nhiều tùy chọn --set: tối đa %d") \
X(A_ERR_TOKEN_FILE, "cannot read the enrolment token from '%s': %s", \
"không đọc được mã đăng ký từ '%s': %s") \
X(A_WHY_NO_FILE, "no such file or directory", "không có tệp hoặc thư mục này") \
X(A_WHY_PERMISSION, "permission denied", "không có quyền truy cập") \
X(A_WHY_TOO_BIG, "the file is too large", "tệp quá lớn") \
X(A_WHY_NOT_REGULAR, "not a regular file", "không phải tệp thông thường") \
X(A_ERR_TOKEN_FILE_EMPTY, "'%s' does not hold an enrolment token", \
"'%s' không chứa mã đăng ký") \
X(A_ERR_CONFIG, "cannot load the configuration: %s", "không nạp được cấu hình: %s") \
/* ---- enroll (enroll.c words its errors in the user's language) ---- */ \
X(A_ERR_BAD_URL, "invalid server address '%s': expected https://HOST:PORT", \
"địa chỉ máy chủ không hợp lệ '%s': cần dạng https://HOST:PORT") \
X(A_ERR_BAD_TOKEN, "the enrolment token is empty or malformed", \
"mã đăng ký trống hoặc sai định dạng") \
X(A_ERR_TRUST_BOTH, "--fingerprint and --ca-file cannot be used together", \
"không thể dùng --fingerprint cùng với --ca-file") \
X(A_ERR_BAD_FINGERPRINT, "invalid fingerprint '%s': expected 64 hex digits (SHA-256)", \
"dấu vân tay không hợp lệ '%s': cần 64 chữ số hex (SHA-256)") \
X(A_ERR_ALREADY_ENROLLED, \
"already enrolled as agent %lld of '%s'; use --force to enrol again", \
"tác tử đã được đăng ký (tác tử số %lld của máy chủ '%s'); dùng --force để đăng ký lại") \
X(A_ERR_ALREADY_ENROLLED_FILE, "'%s' exists: already enrolled; use --force to enrol again", \
"đã có '%s': tác tử đã được đăng ký; dùng --force để đăng ký lại") \
X(A_ERR_STATE_DIR, "cannot use the state directory '%s': %s", \
"không dùng được thư mục trạng thái '%s': %s") \
X(A_ERR_AGENT_RUNNING, "an agent is running on '%s': stop it first", \
"một tác tử đang chạy trên '%s': hãy dừng nó trước") \
X(A_ERR_INTERNAL, "internal error: %s", "lỗi nội bộ: %s") \
X(A_ERR_CONNECT, "cannot connect to the server '%s': %s", \
"không kết nối được tới máy chủ '%s': %s") \
X(A_HINT_CONNECT, \
"check the address and the port, that canhd runs there, and that no firewall is in between\n", \
"hãy kiểm tra địa chỉ và cổng, canhd có đang chạy ở đó không, và có tường lửa nào chặn không\n") \
X(A_ERR_TLS, "the certificate of the server '%s' was refused: %s", \
"chứng chỉ của máy chủ '%s' bị từ chối: %s") \
X(A_ERR_PIN_MISMATCH, \
"the certificate of the server '%s' was refused: its fingerprint is %s, not the %s given", \
"chứng chỉ của máy chủ '%s' bị từ chối: dấu vân tay của nó là %s, không phải %s như đã cho") \
X(A_ERR_TOKEN_REFUSED, "the server refused the enrolment token: %s", \
"máy chủ từ chối mã đăng ký: %s") \
X(A_ERR_ENROLL_REFUSED, "the server refused the enrolment (HTTP %ld): %s", \
"máy chủ từ chối yêu cầu đăng ký (HTTP %ld): %s") \
X(A_NO_REASON, "no reason given", "không nêu lý do") \
X(A_HINT_NEW_TOKEN, \
"an enrolment token can be used once, before it expires: ask the administrator for a new one " \
"(canh token create --unit CODE)\n", \
"mỗi mã đăng ký chỉ dùng được một lần và trước khi hết hạn: hãy xin người quản trị một mã mới " \
"(canh token create --unit MÃ_ĐƠN_VỊ)\n") \
X(A_ERR_NO_CERT, "no certificate seen from '%s'", "không nhận được chứng chỉ từ '%s'") \
X(A_ERR_ANSWER, "the server '%s' sent an answer canh-agent cannot read: %s", \
"máy chủ '%s' trả về dữ liệu canh-agent không đọc được: %s") \
X(A_ERR_BAD_ANSWER, "the answer of the server '%s' lacks agent_id or credential", \
"câu trả lời của máy chủ '%s' thiếu agent_id hoặc credential") \
X(A_ERR_SAVE, "cannot save the enrolment in '%s': %s", \
"không lưu được kết quả đăng ký vào '%s': %s") \
X(A_WARN_PROXY, \
"the server reports its certificate as %.64s but presented %s (a TLS proxy in between?); " \
"pinning what was presented", \
"máy chủ báo chứng chỉ của nó là %.64s nhưng lại đưa ra %s (có proxy TLS ở giữa?); " \
"chứng chỉ được ghim là chứng chỉ đã đưa ra") \
X(A_TRUST_PIN, "matches the given fingerprint", "khớp với dấu vân tay đã cho") \
X(A_TRUST_CA, "verified against the CA file", "đã xác thực bằng tệp CA") \
X(A_TRUST_TOFU, "trusted on first use", "tin cậy ở lần kết nối đầu tiên") \
X(A_ENROLL_FINGERPRINT, "server certificate fingerprint: %s (%s)\n", \
"dấu vân tay chứng chỉ máy chủ: %s (%s)\n") \
X(A_ENROLLED, "enrolled as agent %lld in unit '%s'; state in '%s'\n", \
"đã đăng ký máy với máy chủ: tác tử số %lld, đơn vị '%s'; trạng thái lưu tại '%s'\n") \
X(A_HINT_TOFU, \
"compare the fingerprint with the one in canhd.json on the server, or ask its administrator; " \
"from now on only this certificate is accepted\n", \
"hãy đối chiếu dấu vân tay này với dấu vân tay trong canhd.json trên máy chủ, hoặc hỏi " \
"người quản trị; từ nay chỉ chứng chỉ này được chấp nhận\n") \
/* ---- status (status.c, main.c) ---- */ \
X(A_ERR_NOT_ENROLLED, "not enrolled: no '%s'; run 'canh-agent enroll' first", \
"máy này chưa được đăng ký: không có '%s'; hãy chạy 'canh-agent enroll' trước") \
X(A_ERR_SPOOL_BUSY, "the queue in '%s' is in use by another process; try again", \
"hàng đợi trong '%s' đang được một tiến trình khác sử dụng; hãy thử lại") \
X(A_ERR_STATUS, "cannot read the agent's state in '%s': %s", \
"không đọc được trạng thái tác tử trong '%s': %s") \
X(A_L_AGENT, "Agent", "Tác tử") \
X(A_L_SERVER, "Server", "Máy chủ") \
X(A_L_UNIT, "Unit", "Đơn vị") \
X(A_L_FINGERPRINT, "Server certificate (pinned)", "Chứng chỉ máy chủ (đã ghim)") \
X(A_L_QUEUE, "Queue", "Hàng đợi") \
X(A_L_SEQUENCE, "Sequence numbers", "Số thứ tự") \
X(A_L_REFUSED, "Refused (queue full)", "Bị từ chối (hàng đợi đầy)") \
X(A_V_RUNNING, "%lld (running)", "%lld (đang chạy)") \
X(A_V_NOT_RUNNING, "%lld (not running)", "%lld (không chạy)") \
X(A_V_QUEUE, "%llu messages not yet sent (%llu bytes)", \
"%llu thông điệp chưa gửi (%llu byte)") \
X(A_V_SEQUENCE, "next %llu, acknowledged by the server up to %llu", \
"tiếp theo %llu, máy chủ đã xác nhận đến %llu") \
X(A_V_REFUSED, "%llu messages", "%llu thông điệp")

enum canh_agent_msg_id {
	CANH_AGENT_MESSAGES(CANH_CATALOGUE_ENUM)
	CANH_AGENT_MSG_COUNT
};

/* Each message's English as a constant array, for CANH_CATALOGUE_ARGS at call sites. */
CANH_AGENT_MESSAGES(CANH_CATALOGUE_EN)
/* clang-format on */

/* The table, for canh_catalogue_check in the tests. */
extern const struct canh_catalogue canh_agent_catalogue;

/* The text of a message in a language; never NULL (static storage; "" when out of range). */
const char *canh_agent_msg(enum canh_lang lang, enum canh_agent_msg_id id);
/* "A_ERR_CONNECT" for A_ERR_CONNECT, for the tests' messages. */
const char *canh_agent_msg_name(enum canh_agent_msg_id id);

/* vsnprintf of a message into buf (truncated to len, always terminated when len > 0). */
void canh_agent_msg_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_agent_msg_id id,
			    va_list ap);
/* vfprintf of a message to f. */
void canh_agent_vsay(enum canh_lang lang, FILE *f, enum canh_agent_msg_id id, va_list ap);

/*
 * canh_agent_say(lang, f, A_ID, args...), canh_agent_msg_format(lang, buf,
 * len, A_ID, args...) and canh_agent_msg_set(e, lang, rc, A_ID, args...),
 * the last like canh_errmsg_set with a message of the table, worded in lang,
 * returning rc: CANH_CATALOGUE_ARGS makes the compiler check args against
 * the English text of A_ID.
 */
#define canh_agent_say(lang, f, id, ...)                                                           \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_print(&canh_agent_catalogue, (lang), (f), id, ##__VA_ARGS__))
#define canh_agent_msg_format(lang, buf, len, id, ...)                                             \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_format(&canh_agent_catalogue, (lang), (buf), (len), id, ##__VA_ARGS__))
#define canh_agent_msg_set(e, lang, rc, id, ...)                                                   \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_set(&canh_agent_catalogue, (e), (lang), (rc), id, ##__VA_ARGS__))

#endif
