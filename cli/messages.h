/*
 * Every user-visible text of the canh CLI, in English and Vietnamese.
 *
 * One line per message: X(id, english, vietnamese). The two texts must have
 * the same printf conversions in the same order (tests/unit/test_cli_i18n.c
 * checks every entry), and call sites are checked against the English text
 * at compile time (see canh_cli_say in i18n.h). Vietnamese is UTF-8 with full
 * diacritics. Messages follow git's style: what went wrong first, the subject
 * quoted, no trailing full stop.
 */
#ifndef CANH_CLI_MESSAGES_H
#define CANH_CLI_MESSAGES_H

#include "canh/i18n.h"
#include "messages_alerts.h"
#include "messages_hunt.h"
#include "messages_intel.h"
#include "messages_logs.h"
#include "messages_scan.h"
#include "messages_vuln.h"

/* clang-format off */
#define CANH_CLI_MESSAGES_CORE(X) \
X(M_USAGE_MAIN, \
"usage: canh [options] <command> [arguments]\n" \
"\n" \
"Commands:\n" \
"  unit add|list|show|import   organisational units (Sở, phòng GDĐT, schools)\n" \
"  token create|list           enrolment tokens for agents\n" \
"  host list|show|revoke       enrolled hosts (agents)\n" \
"  summary                     totals: units, hosts, packages\n" \
"  health                      check that the server answers\n" \
"  intel import|list|show|...  botnet IP lists and C2 lists (threat intelligence)\n" \
"  botnet report               per unit: listed addresses and the hosts behind them\n" \
"  vercmp [--rpm] A [REL] B    compare versions as dpkg (or rpm) does\n" \
"  vuln import|findings|...    vulnerabilities: advisories, findings, letters; check offline\n" \
"  logtest [FILE...]           replay logs through the decoders and Sigma rules, offline\n" \
"  rules check DIR|FILE...     check Sigma rules: loaded, skipped (why), errors (where)\n" \
"  sigma upload|list|disable   Sigma rules on the server, enabled or disabled per unit\n" \
"  alerts                      alerts from the hosts' logs (Sigma rules, C2 addresses)\n" \
"  scan [--rules R] PATH...    scan files for malware with YARA rules and hashes, offline\n" \
"  rules upload|list|show      YARA rule sets and hash lists on the server\n" \
"  hunt start|status           malware hunts on the hosts, progress per host\n" \
"  detections                  what the hunts found\n" \
"  quarantine list|restore     files the agents quarantined; put one back\n" \
"  help [command]              this text, or the help of one command\n" \
"\n" \
"Options (before or after the command):\n" \
"  --server URL          canhd address, e.g. https://10.0.0.5:8443   [CANH_SERVER]\n" \
"  --token-file FILE     file holding the administrator token         [CANH_TOKEN_FILE]\n" \
"  --ca-file FILE        verify the server certificate with this CA   [CANH_CA_FILE]\n" \
"  --fingerprint HEX     pin the server certificate (SHA-256)         [CANH_FINGERPRINT]\n" \
"  --state-dir DIR       use the local canhd whose state is in DIR    [CANH_STATE_DIR]\n" \
"  --json                print the server's JSON answer\n" \
"  --lang vi|en          language of messages (default: LC_ALL, LC_MESSAGES, LANG)\n" \
"  --timeout DURATION    give up on the server after this long (default 30s)\n" \
"  -h, --help            show help\n" \
"  --version             show the version\n" \
"\n" \
"Exit status: 0 success, 1 the operation failed, 2 usage error.\n", \
"cách dùng: canh [tùy chọn] <lệnh> [tham số]\n" \
"\n" \
"Lệnh:\n" \
"  unit add|list|show|import   đơn vị (Sở, phòng GDĐT, trường học)\n" \
"  token create|list           mã đăng ký cho tác tử (agent)\n" \
"  host list|show|revoke       máy trạm đã đăng ký\n" \
"  summary                     tổng hợp: đơn vị, máy trạm, gói phần mềm\n" \
"  health                      kiểm tra máy chủ có trả lời không\n" \
"  intel import|list|show|...  danh sách IP mạng botnet và danh sách C2 (tình báo mối đe dọa)\n" \
"  botnet report               theo đơn vị: địa chỉ trong danh sách và máy trạm phía sau\n" \
"  vercmp [--rpm] A [QH] B     so sánh phiên bản như dpkg (hoặc rpm)\n" \
"  vuln import|findings|...    lỗ hổng: cảnh báo, phát hiện trên máy trạm, công văn; kiểm tra tại chỗ\n" \
"  logtest [TỆP...]            chạy nhật ký qua bộ giải mã và luật Sigma, tại chỗ\n" \
"  rules check THƯ_MỤC|TỆP...  kiểm tra luật Sigma: nạp được, bỏ qua (lý do), lỗi (vị trí)\n" \
"  sigma upload|list|disable   luật Sigma trên máy chủ, bật hoặc tắt theo đơn vị\n" \
"  alerts                      cảnh báo từ nhật ký các máy (luật Sigma, địa chỉ C2)\n" \
"  scan [--rules R] ĐƯỜNG_DẪN...  quét mã độc trong tệp bằng luật YARA và mã băm, tại chỗ\n" \
"  rules upload|list|show      bộ luật YARA và danh sách mã băm trên máy chủ\n" \
"  hunt start|status           quét mã độc trên các máy, tiến độ từng máy\n" \
"  detections                  những gì các đợt quét tìm thấy\n" \
"  quarantine list|restore     tệp máy trạm đã cách ly; khôi phục một tệp\n" \
"  help [lệnh]                 trợ giúp này, hoặc trợ giúp của một lệnh\n" \
"\n" \
"Tùy chọn (đặt trước hoặc sau lệnh):\n" \
"  --server URL          địa chỉ canhd, ví dụ https://10.0.0.5:8443    [CANH_SERVER]\n" \
"  --token-file TỆP      tệp chứa mã quản trị (admin token)            [CANH_TOKEN_FILE]\n" \
"  --ca-file TỆP         xác thực chứng chỉ máy chủ bằng CA này        [CANH_CA_FILE]\n" \
"  --fingerprint HEX     ghim chứng chỉ máy chủ (SHA-256)              [CANH_FINGERPRINT]\n" \
"  --state-dir THƯ_MỤC   dùng canhd cục bộ có trạng thái trong THƯ_MỤC [CANH_STATE_DIR]\n" \
"  --json                in nguyên văn JSON máy chủ trả về\n" \
"  --lang vi|en          ngôn ngữ thông báo (mặc định: LC_ALL, LC_MESSAGES, LANG)\n" \
"  --timeout THỜI_GIAN   thời gian chờ máy chủ tối đa (mặc định 30s)\n" \
"  -h, --help            xem trợ giúp\n" \
"  --version             xem phiên bản\n" \
"\n" \
"Mã thoát: 0 thành công, 1 thao tác thất bại, 2 dùng sai cú pháp.\n") \
X(M_USAGE_UNIT, \
"usage: canh unit add --code CODE --name NAME --type TYPE [--parent CODE]\n" \
"                     [--ranges \"CIDR CIDR...\"] [--contact \"name;role;phone;email\"]...\n" \
"       canh unit list\n" \
"       canh unit show CODE\n" \
"       canh unit import FILE.csv\n" \
"\n" \
"  add      create a unit; TYPE is department, district, school, centre or other;\n" \
"           --ranges lists its public IP ranges; --contact may be repeated\n" \
"  list     all units, parents before children\n" \
"  show     one unit with its child units, contacts and hosts\n" \
"  import   create or update units from a CSV file whose header is\n" \
"           code,name,type,parent_code,public_ranges; each rejected row is\n" \
"           printed as \"line N: reason\" and the exit status is then 1\n", \
"cách dùng: canh unit add --code MÃ --name TÊN --type LOẠI [--parent MÃ]\n" \
"                         [--ranges \"CIDR CIDR...\"] [--contact \"tên;chức vụ;điện thoại;email\"]...\n" \
"           canh unit list\n" \
"           canh unit show MÃ\n" \
"           canh unit import TỆP.csv\n" \
"\n" \
"  add      tạo đơn vị; LOẠI là department (Sở), district (phòng GDĐT),\n" \
"           school (trường), centre (trung tâm) hoặc other (khác);\n" \
"           --ranges là các dải IP công khai; --contact có thể lặp lại\n" \
"  list     mọi đơn vị, đơn vị cấp trên trước đơn vị trực thuộc\n" \
"  show     một đơn vị cùng các đơn vị trực thuộc, đầu mối liên hệ và máy trạm\n" \
"  import   tạo mới hoặc cập nhật đơn vị từ tệp CSV có dòng tiêu đề\n" \
"           code,name,type,parent_code,public_ranges; mỗi dòng bị từ chối được in\n" \
"           dạng \"dòng N: lý do\" và khi đó mã thoát là 1\n") \
X(M_USAGE_TOKEN, \
"usage: canh token create --unit CODE [--expires DURATION]\n" \
"       canh token list\n" \
"\n" \
"  create   make a one-time enrolment token for an agent of the unit; it is\n" \
"           printed alone on standard output and shown only once; DURATION is\n" \
"           e.g. 30m, 12h, 7d (default set by the server, at most 90d)\n" \
"  list     all enrolment tokens with their state\n", \
"cách dùng: canh token create --unit MÃ [--expires THỜI_HẠN]\n" \
"           canh token list\n" \
"\n" \
"  create   tạo mã đăng ký dùng một lần cho tác tử của đơn vị; mã được in riêng\n" \
"           trên đầu ra chuẩn và chỉ hiện một lần; THỜI_HẠN ví dụ 30m, 12h, 7d\n" \
"           (mặc định do máy chủ đặt, tối đa 90d)\n" \
"  list     mọi mã đăng ký cùng trạng thái\n") \
X(M_USAGE_HOST, \
"usage: canh host list\n" \
"       canh host show ID [--packages]\n" \
"       canh host revoke ID\n" \
"\n" \
"  list     enrolled hosts with their unit, OS, last contact and package count\n" \
"  show     one host: OS, kernel, addresses, egress addresses, listening\n" \
"           sockets; --packages also lists its packages\n" \
"  revoke   revoke the host's credential; its agent is refused from then on\n", \
"cách dùng: canh host list\n" \
"           canh host show ID [--packages]\n" \
"           canh host revoke ID\n" \
"\n" \
"  list     các máy trạm đã đăng ký: đơn vị, hệ điều hành, lần liên lạc cuối, số gói\n" \
"  show     một máy trạm: hệ điều hành, nhân, địa chỉ, địa chỉ đi ra (egress),\n" \
"           cổng đang lắng nghe; --packages liệt kê cả các gói phần mềm\n" \
"  revoke   thu hồi thông tin xác thực của máy trạm; từ đó tác tử bị từ chối\n") \
X(M_USAGE_SUMMARY, \
"usage: canh summary\n" \
"\n" \
"  totals over the whole tree: units, hosts (active, seen in the last 24 hours),\n" \
"  packages and messages, and where the API listens\n", \
"cách dùng: canh summary\n" \
"\n" \
"  tổng hợp toàn bộ: đơn vị, máy trạm (đang hoạt động, liên lạc trong 24 giờ qua),\n" \
"  gói phần mềm và thông điệp, và địa chỉ API đang lắng nghe\n") \
X(M_USAGE_HEALTH, \
"usage: canh health\n" \
"\n" \
"  check that the server answers (no administrator token needed)\n", \
"cách dùng: canh health\n" \
"\n" \
"  kiểm tra máy chủ có trả lời không (không cần mã quản trị)\n") \
X(M_TRY_HELP, \
"run 'canh --help' for usage\n", \
"chạy 'canh --help' để xem cách dùng\n") \
X(M_VERSION, "canh %s\n", "canh %s\n") \
X(M_ERROR_PREFIX, "error: ", "lỗi: ") \
X(M_ERR_UNKNOWN_COMMAND, "unknown command '%s'", "không có lệnh '%s'") \
X(M_ERR_UNKNOWN_SUBCOMMAND, "unknown command 'canh %s %s'", "không có lệnh 'canh %s %s'") \
X(M_ERR_MISSING_SUBCOMMAND, "'canh %s' needs a command", "'canh %s' cần một lệnh con") \
X(M_ERR_UNKNOWN_OPTION, "unknown option '%s'", "không có tùy chọn '%s'") \
X(M_ERR_OPTION_NEEDS_VALUE, "option '%s' needs a value", "tùy chọn '%s' cần một giá trị") \
X(M_ERR_OPTION_NO_VALUE, "option '%s' takes no value", "tùy chọn '%s' không nhận giá trị") \
X(M_ERR_MISSING_OPTION, "missing option '%s'", "thiếu tùy chọn '%s'") \
X(M_ERR_MISSING_ARGUMENT, "missing argument %s", "thiếu tham số %s") \
X(M_ARG_CODE, "CODE", "MÃ") \
X(M_ARG_CSV_FILE, "FILE.csv", "TỆP.csv") \
X(M_ARG_ID, "ID", "ID") \
X(M_ERR_TOO_LONG, "argument '%.40s...' is too long", "tham số '%.40s...' quá dài") \
X(M_ERR_NOT_UTF8, "the value of '%s' is not valid UTF-8", \
"giá trị của '%s' không phải UTF-8 hợp lệ") \
X(M_ERR_EXTRA_ARGUMENT, "unexpected argument '%s'", "tham số thừa '%s'") \
X(M_ERR_BAD_TYPE, \
"invalid unit type '%s': expected department, district, school, centre or other", \
"loại đơn vị không hợp lệ '%s': phải là department, district, school, centre hoặc other") \
X(M_ERR_BAD_CONTACT, \
"invalid contact '%s': expected \"name;role;phone;email\" with a name", \
"đầu mối liên hệ không hợp lệ '%s': cần dạng \"tên;chức vụ;điện thoại;email\" và có tên") \
X(M_ERR_BAD_DURATION, \
"invalid duration '%s': expected e.g. 30m, 12h or 7d", \
"thời hạn không hợp lệ '%s': cần dạng như 30m, 12h hoặc 7d") \
X(M_ERR_BAD_HOST_ID, "invalid host id '%s': expected a positive number", \
"mã máy trạm không hợp lệ '%s': cần một số dương") \
X(M_ERR_BAD_LANG, "invalid language '%s': expected vi or en", \
"ngôn ngữ không hợp lệ '%s': chỉ có vi hoặc en") \
X(M_ERR_BAD_FINGERPRINT, "invalid fingerprint '%s': expected 64 hex digits (SHA-256)", \
"dấu vân tay không hợp lệ '%s': cần 64 chữ số hex (SHA-256)") \
X(M_ERR_BAD_URL, "invalid server address '%s': expected https://HOST:PORT", \
"địa chỉ máy chủ không hợp lệ '%s': cần dạng https://HOST:PORT") \
X(M_ERR_TRUST_BOTH, "--ca-file and --fingerprint cannot be used together", \
"không thể dùng --ca-file cùng với --fingerprint") \
X(M_ERR_TRUST_STATE_DIR, \
"--fingerprint and --ca-file do not apply with --state-dir: canhd.json names the fingerprint", \
"--fingerprint và --ca-file không dùng cùng --state-dir: canhd.json đã ghi dấu vân tay") \
X(M_ERR_NO_SERVER, \
"no server given: use --server URL with --token-file FILE, the environment " \
"CANH_SERVER and CANH_TOKEN_FILE, or --state-dir DIR of a local canhd", \
"chưa chỉ định máy chủ: dùng --server URL với --token-file TỆP, biến môi trường " \
"CANH_SERVER và CANH_TOKEN_FILE, hoặc --state-dir THƯ_MỤC của canhd cục bộ") \
X(M_ERR_NO_TOKEN_FILE, \
"no administrator token for '%s': use --token-file FILE or CANH_TOKEN_FILE", \
"chưa có mã quản trị cho '%s': dùng --token-file TỆP hoặc CANH_TOKEN_FILE") \
X(M_ERR_TOKEN_FILE, "cannot use the token file '%s': %s", \
"không dùng được tệp mã quản trị '%s': %s") \
X(M_WHY_NO_TOKEN, "it does not hold a token", "tệp không chứa mã quản trị") \
X(M_ERR_STATE_DIR, "cannot use the canhd state directory '%s': %s", \
"không dùng được thư mục trạng thái canhd '%s': %s") \
X(M_ERR_STATE_NOT_STARTED, \
"no canhd.json in '%s': canhd has not started there yet, or DIR is not its state directory", \
"không có canhd.json trong '%s': canhd chưa chạy ở đó, hoặc đây không phải thư mục trạng thái của nó") \
X(M_ERR_STATE_FINGERPRINT, \
"certificate '%s' has fingerprint %s but canhd.json names %s: canhd may be restarting, try again", \
"chứng chỉ '%s' có dấu vân tay %s nhưng canhd.json ghi %s: có thể canhd đang khởi động lại, hãy thử lại") \
X(M_ERR_CONNECT, "cannot connect to the server %s: %s", \
"không kết nối được tới máy chủ %s: %s") \
X(M_HINT_NOT_RUNNING, "canhd (pid %ld) of '%s' is not running\n", \
"canhd (pid %ld) của '%s' không chạy\n") \
X(M_ERR_TLS, "the certificate of the server %s was refused: %s", \
"chứng chỉ của máy chủ %s bị từ chối: %s") \
X(M_HINT_PIN, "expected fingerprint %s, the server presented %s\n", \
"dấu vân tay cần có %s, máy chủ đưa ra %s\n") \
X(M_HINT_TRUST, \
"the server presented a certificate with SHA-256 fingerprint %s; if that is the server's fingerprint " \
"(ask its administrator, or read it in its canhd.json), pass --fingerprint with it, " \
"or --ca-file FILE\n", \
"máy chủ đưa ra chứng chỉ có dấu vân tay SHA-256 %s; nếu đúng là dấu vân tay của máy chủ (hỏi người quản trị, " \
"hoặc xem trong canhd.json của nó), hãy dùng --fingerprint với giá trị đó, " \
"hoặc --ca-file TỆP\n") \
X(M_ERR_HTTP, "the server answered HTTP %ld", "máy chủ trả lời HTTP %ld") \
X(M_ERR_BAD_ANSWER, "the server sent an answer canh cannot read: %s", \
"máy chủ trả về dữ liệu canh không đọc được: %s") \
X(M_ERR_READ_FILE, "cannot read '%s': %s", "không đọc được '%s': %s") \
X(M_WHY_NO_FILE, "no such file or directory", "không có tệp hoặc thư mục này") \
X(M_WHY_PERMISSION, "permission denied", "không có quyền truy cập") \
X(M_WHY_TOO_BIG, "the file is too large", "tệp quá lớn") \
X(M_WHY_NOT_REGULAR, "not a regular file", "không phải tệp thông thường") \
X(M_WHY_STATE_NOT_OBJECT, "canhd.json: not an object", \
"canhd.json: không phải một đối tượng JSON") \
X(M_WHY_STATE_BAD_JSON, "canhd.json: %s", "canhd.json không phải JSON hợp lệ: %s") \
X(M_WHY_STATE_NO_URL, "canhd.json: no valid \"url\"", "canhd.json: không có \"url\" hợp lệ") \
X(M_WHY_STATE_NO_FINGERPRINT, "canhd.json: no valid \"fingerprint\"", \
"canhd.json: không có \"fingerprint\" hợp lệ") \
X(M_WHY_NO_TOKEN_IN_ANSWER, "no \"token\"", "thiếu \"token\"") \
X(M_WHY_PATH_TOO_LONG, "request path too long", "đường dẫn yêu cầu quá dài") \
X(M_WHY_HTTP_INIT, "cannot initialise the HTTP client", "không khởi tạo được thư viện HTTP") \
X(M_ERR_INTERNAL, "internal error: %s", "lỗi nội bộ: %s") \
X(M_UNIT_CREATED, "unit '%s' created\n", "đã tạo đơn vị '%s'\n") \
X(M_IMPORT_RESULT, "imported: %lld, updated: %lld, rejected: %zu\n", \
"nhập mới: %lld, cập nhật: %lld, bị từ chối: %zu\n") \
X(M_IMPORT_REJECT, "line %lld: %s\n", "dòng %lld: %s\n") \
X(M_TOKEN_CREATED, \
"enrolment token %lld for unit '%s', valid until %s; it is shown only once\n", \
"mã đăng ký %lld cho đơn vị '%s', hết hạn lúc %s; mã chỉ hiện một lần\n") \
X(M_HOST_REVOKED, "host %lld revoked\n", "đã thu hồi máy trạm %lld\n") \
X(M_HEALTH_OK, "server %s is up: version %s, schema %lld, time %s\n", \
"máy chủ %s đang hoạt động: phiên bản %s, lược đồ %lld, thời gian %s\n") \
X(M_NO_UNITS, "no units yet\n", "chưa có đơn vị nào\n") \
X(M_NO_TOKENS, "no enrolment tokens yet\n", "chưa có mã đăng ký nào\n") \
X(M_NO_HOSTS, "no hosts enrolled yet\n", "chưa có máy trạm nào đăng ký\n") \
X(M_NONE, "none", "không có") \
X(M_PACKAGES_HINT, "%lld packages (list them with --packages)", \
"%lld gói (xem danh sách với --packages)") \
X(M_TYPE_DEPARTMENT, "department", "Sở") \
X(M_TYPE_DISTRICT, "district", "Phòng GDĐT") \
X(M_TYPE_SCHOOL, "school", "Trường") \
X(M_TYPE_CENTRE, "centre", "Trung tâm") \
X(M_TYPE_OTHER, "other", "Khác") \
X(M_TOKEN_VALID, "valid", "còn hiệu lực") \
X(M_TOKEN_USED, "used", "đã dùng") \
X(M_TOKEN_USED_BY, "used by host %lld", "đã dùng cho máy trạm %lld") \
X(M_TOKEN_EXPIRED, "expired", "hết hạn") \
X(M_STATUS_ACTIVE, "active", "hoạt động") \
X(M_STATUS_REVOKED, "revoked", "đã thu hồi") \
X(M_UP, "up", "bật") \
X(M_DOWN, "down", "tắt") \
X(M_H_CODE, "CODE", "MÃ") \
X(M_H_NAME, "NAME", "TÊN") \
X(M_H_TYPE, "TYPE", "LOẠI") \
X(M_H_PARENT, "PARENT", "TRỰC THUỘC") \
X(M_H_HOSTS, "HOSTS", "MÁY TRẠM") \
X(M_H_RANGES, "PUBLIC RANGES", "DẢI IP CÔNG KHAI") \
X(M_H_ID, "ID", "ID") \
X(M_H_UNIT, "UNIT", "ĐƠN VỊ") \
X(M_H_CREATED, "CREATED", "TẠO LÚC") \
X(M_H_EXPIRES, "EXPIRES", "HẾT HẠN") \
X(M_H_STATUS, "STATUS", "TRẠNG THÁI") \
X(M_H_HOSTNAME, "HOSTNAME", "TÊN MÁY") \
X(M_H_OS, "OS", "HỆ ĐIỀU HÀNH") \
X(M_H_LAST_SEEN, "LAST SEEN", "LIÊN LẠC CUỐI") \
X(M_H_ADDRESS, "ADDRESS", "ĐỊA CHỈ") \
X(M_H_PACKAGES, "PACKAGES", "SỐ GÓI") \
X(M_H_FIRST_SEEN, "FIRST SEEN", "LẦN ĐẦU") \
X(M_H_REQUESTS, "REQUESTS", "SỐ YÊU CẦU") \
X(M_H_INTERFACE, "INTERFACE", "GIAO DIỆN") \
X(M_H_MAC, "MAC", "MAC") \
X(M_H_STATE, "STATE", "TRẠNG THÁI") \
X(M_H_ADDRESSES, "ADDRESSES", "ĐỊA CHỈ") \
X(M_H_PACKAGE, "PACKAGE", "GÓI") \
X(M_H_VERSION, "VERSION", "PHIÊN BẢN") \
X(M_H_ARCH, "ARCH", "KIẾN TRÚC") \
X(M_H_SOURCE, "SOURCE", "GÓI NGUỒN") \
X(M_H_MANAGER, "MANAGER", "TRÌNH QUẢN LÝ") \
X(M_H_PROTO, "PROTO", "GIAO THỨC") \
X(M_H_PORT, "PORT", "CỔNG") \
X(M_H_PROCESS, "PROCESS", "TIẾN TRÌNH") \
X(M_H_USER, "USER", "NGƯỜI DÙNG") \
X(M_H_PID, "PID", "PID") \
X(M_H_ROLE, "ROLE", "CHỨC VỤ") \
X(M_H_PHONE, "PHONE", "ĐIỆN THOẠI") \
X(M_H_EMAIL, "EMAIL", "EMAIL") \
X(M_L_CODE, "Code", "Mã") \
X(M_L_NAME, "Name", "Tên") \
X(M_L_TYPE, "Type", "Loại") \
X(M_L_PARENT, "Parent", "Trực thuộc") \
X(M_L_RANGES, "Public ranges", "Dải IP công khai") \
X(M_L_CHILDREN, "Child units", "Đơn vị trực thuộc") \
X(M_L_CONTACTS, "Contacts", "Đầu mối liên hệ") \
X(M_L_HOSTS, "Hosts", "Máy trạm") \
X(M_L_HOSTS_ACTIVE, "Active hosts", "Máy trạm đang hoạt động") \
X(M_L_HOSTS_24H, "Hosts seen in 24 h", "Máy trạm liên lạc trong 24 giờ") \
X(M_L_UNITS, "Units", "Đơn vị") \
X(M_L_HOSTNAME, "Hostname", "Tên máy") \
X(M_L_UNIT, "Unit", "Đơn vị") \
X(M_L_STATUS, "Status", "Trạng thái") \
X(M_L_MACHINE_ID, "Machine ID", "Mã máy (machine-id)") \
X(M_L_OS, "OS", "Hệ điều hành") \
X(M_L_KERNEL, "Kernel", "Nhân (kernel)") \
X(M_L_ARCH, "Architecture", "Kiến trúc") \
X(M_L_ENROLLED, "Enrolled", "Đăng ký lúc") \
X(M_L_LAST_SEEN, "Last seen", "Liên lạc cuối") \
X(M_L_LAST_ADDR, "Last address", "Địa chỉ gần nhất") \
X(M_L_INVENTORY_AT, "Inventory at", "Kiểm kê lúc") \
X(M_L_MESSAGES, "Messages", "Thông điệp") \
X(M_L_REJECTED, "Rejected messages", "Thông điệp bị từ chối") \
X(M_L_PACKAGES, "Packages", "Gói phần mềm") \
X(M_L_AGENT_VERSION, "Agent version", "Phiên bản tác tử") \
X(M_L_INTERFACES, "Network interfaces", "Giao diện mạng") \
X(M_L_EGRESS, "Egress addresses (seen by the server)", "Địa chỉ đi ra (máy chủ ghi nhận)") \
X(M_L_LISTENING, "Listening sockets", "Cổng đang lắng nghe") \
X(M_L_API, "API listens on", "API lắng nghe tại")

/* Each area's messages live in its own header, with the same rules. */
#define CANH_CLI_MESSAGES(X) \
CANH_CLI_MESSAGES_CORE(X) \
CANH_CLI_MESSAGES_INTEL(X) \
CANH_CLI_MESSAGES_VULN(X) \
CANH_CLI_MESSAGES_LOGS(X) \
CANH_CLI_MESSAGES_ALERTS(X) \
CANH_CLI_MESSAGES_SCAN(X) \
CANH_CLI_MESSAGES_HUNT(X)

enum canh_cli_msg_id {
	CANH_CLI_MESSAGES(CANH_CATALOGUE_ENUM)
	CANH_CLI_MSG_COUNT
};

/* Each message's English as a constant array, for CANH_CATALOGUE_ARGS at call sites. */
CANH_CLI_MESSAGES(CANH_CATALOGUE_EN)
/* clang-format on */

#endif
