/*
 * Every text canhd's API answers with, in English and Vietnamese.
 *
 * One line per message: X(id, english, vietnamese). The two texts must have
 * the same printf conversions in the same order (tests/unit/test_server_messages.c
 * checks every entry), and call sites are checked against the English text
 * at compile time (canh_req_error in http.h, canh_msg_set below). The English
 * texts are the API's historical ones: clients and tests match them, so
 * change them only with the API. Vietnamese is UTF-8 with full diacritics.
 * Field names and values of the API (code, public_ranges, department...)
 * stay as they are in both languages: they are what the user must type.
 *
 * Which language a request gets is lib's business (canh_lang_from_accept_language);
 * log lines are not here: they stay English, for operators and grep.
 */
#ifndef CANH_SERVER_MESSAGES_H
#define CANH_SERVER_MESSAGES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "canh/error.h"
#include "canh/i18n.h"
#include "messages_hunt.h"
#include "messages_intel.h"
#include "messages_logs.h"
#include "messages_vuln.h"

/* clang-format off */
#define CANH_SERVER_MESSAGES_CORE(X) \
/* ---- refusals before the handler (http.c) ---- */ \
X(S_BAD_CONTENT_LENGTH, "bad Content-Length", "Content-Length không hợp lệ") \
X(S_NO_SUCH_ENDPOINT, "no such endpoint '%s'", "không có đường dẫn API '%s'") \
X(S_METHOD_NOT_ALLOWED, "method %s is not allowed on '%s' (allowed: %s)", \
"không được dùng phương thức %s cho '%s' (chỉ được dùng: %s)") \
X(S_BODY_TOO_LARGE, "request body of %lld bytes is over the limit of %lld", \
"nội dung yêu cầu dài %lld byte, vượt quá giới hạn %lld byte") \
X(S_SERVER_BUSY, "the server holds too many request bodies at once; try again in a few seconds", \
"máy chủ đang nhận quá nhiều dữ liệu cùng lúc; hãy thử lại sau vài giây") \
X(S_BODY_OVER_LIMIT, "request body is over the limit of %lld bytes", \
"nội dung yêu cầu vượt quá giới hạn %lld byte") \
X(S_MISSING_ADMIN_TOKEN, "missing Authorization: Bearer token", \
"thiếu mã quản trị (Authorization: Bearer)") \
X(S_INVALID_TOKEN, "invalid token", "mã quản trị không hợp lệ") \
X(S_AGENT_CREDENTIAL_REFUSED, "an agent credential cannot use '%s'", \
"thông tin xác thực của tác tử không được dùng cho '%s'") \
X(S_MISSING_AGENT_CREDENTIAL, "missing Authorization: Bearer credential", \
"thiếu thông tin xác thực của tác tử (Authorization: Bearer)") \
X(S_INVALID_AGENT_CREDENTIAL, "invalid agent credential", \
"thông tin xác thực của tác tử không hợp lệ") \
X(S_AGENT_REVOKED, "agent credential revoked", \
"thông tin xác thực của tác tử đã bị thu hồi") \
X(S_ADMIN_TOKEN_REFUSED, "an administrator token cannot use '%s'", \
"mã quản trị không được dùng cho '%s'") \
X(S_WANT_JSON, "expected Content-Type application/json, got '%s'", \
"cần Content-Type application/json, nhưng nhận được '%s'") \
X(S_WANT_JSON_NONE, "expected Content-Type application/json, got 'none'", \
"cần Content-Type application/json, nhưng yêu cầu không có Content-Type") \
X(S_WANT_CSV, "expected Content-Type text/csv, got '%s'", \
"cần Content-Type text/csv, nhưng nhận được '%s'") \
X(S_WANT_CSV_NONE, "expected Content-Type text/csv, got 'none'", \
"cần Content-Type text/csv, nhưng yêu cầu không có Content-Type") \
X(S_MALFORMED_JSON, "malformed JSON: %s (line %d, column %d)", \
"JSON không hợp lệ: %s (dòng %d, cột %d)") \
X(S_NOT_JSON_OBJECT, "expected a JSON object", "cần một đối tượng JSON") \
X(S_INTERNAL, "internal error (see the server log)", "lỗi nội bộ (xem nhật ký của máy chủ)") \
/* ---- units (api_units.c, units.c, the store's codes) ---- */ \
X(S_UNIT_NOT_FOUND, "unit '%s' not found", "không tìm thấy đơn vị '%s'") \
X(S_UNIT_EXISTS, "unit '%s' already exists", "đơn vị '%s' đã tồn tại") \
X(S_PARENT_NOT_FOUND, "parent unit '%s' not found", "đơn vị cha '%s' không tồn tại") \
X(S_PARENT_CYCLE, "parent '%s' would make unit '%s' its own ancestor", \
"đơn vị cha '%s' sẽ khiến đơn vị '%s' trở thành cấp trên của chính nó") \
X(S_CODE_MISSING, "code: missing or not a string", \
"mã đơn vị (code): bị thiếu hoặc không phải chuỗi") \
X(S_CODE_INVALID, "%s: '%.*s' is not 1..64 characters of A-Z a-z 0-9 . _ -", \
"%s: '%.*s' không hợp lệ, mã phải gồm 1..64 ký tự A-Z a-z 0-9 . _ -") \
X(S_NAME_MISSING, "name: missing or not a string", \
"tên đơn vị (name): bị thiếu hoặc không phải chuỗi") \
X(S_NAME_EMPTY, "name: must not be empty", "tên đơn vị (name) không được để trống") \
X(S_NAME_TOO_LONG, "name: longer than %d bytes", "tên đơn vị (name) dài quá %d byte") \
X(S_NAME_NOT_UTF8, "name: not valid UTF-8", "tên đơn vị (name) không phải UTF-8 hợp lệ") \
X(S_NAME_CONTROL, "name: contains a control character", \
"tên đơn vị (name) chứa ký tự điều khiển") \
X(S_TYPE_NOT_STRING, "type: not a string", "loại đơn vị (type) không phải chuỗi") \
X(S_TYPE_INVALID, "type: '%.*s' is not one of department, district, school, centre, other", \
"loại đơn vị (type) '%.*s' không hợp lệ: phải là department, district, school, centre hoặc other") \
X(S_PARENT_NOT_STRING, "parent: not a string or null", \
"đơn vị cha (parent) phải là chuỗi hoặc null") \
X(S_OWN_PARENT, "parent_code: a unit cannot be its own parent", \
"đơn vị cha (parent_code): một đơn vị không thể là đơn vị cha của chính nó") \
X(S_RANGES_NOT_ARRAY, "public_ranges: expected an array", \
"dải IP công khai (public_ranges) phải là một mảng") \
X(S_RANGE_NOT_STRING, "public_ranges[%zu]: not a string", "public_ranges[%zu]: không phải chuỗi") \
X(S_RANGES_TOO_MANY, "public_ranges: more than %d ranges", \
"dải IP công khai (public_ranges): nhiều hơn %d dải") \
X(S_RANGE_INVALID, "public_ranges[%zu]: '%.*s' is not an IPv4 or IPv6 address or CIDR", \
"public_ranges[%zu]: '%.*s' không phải là địa chỉ hay dải CIDR IPv4 hoặc IPv6") \
X(S_CONTACTS_NOT_ARRAY, "contacts: expected an array", \
"đầu mối liên hệ (contacts) phải là một mảng") \
X(S_CONTACTS_TOO_MANY, "contacts: more than %d entries", \
"đầu mối liên hệ (contacts): nhiều hơn %d mục") \
X(S_CONTACT_NOT_OBJECT, "contacts[%zu]: expected an object", \
"contacts[%zu]: phải là một đối tượng JSON") \
X(S_CONTACT_UNKNOWN_FIELD, "contacts[%zu]: unknown field '%.32s' (name, role, phone, email)", \
"contacts[%zu]: không có trường '%.32s' (chỉ có name, role, phone, email)") \
X(S_CONTACT_FIELD_INVALID, "contacts[%zu].%s: expected a string of at most %d bytes", \
"contacts[%zu].%s: phải là chuỗi dài tối đa %d byte") \
/* ---- POST /units/import ---- */ \
X(S_CSV_UNREADABLE, "cannot read the CSV", "không đọc được tệp CSV") \
X(S_CSV_EMPTY, "empty file: a header row is required", "tệp rỗng: cần có dòng tiêu đề") \
X(S_CSV_NO_COLUMN, \
"header row has no '%s' column (expected code,name,type,parent_code,public_ranges)", \
"dòng tiêu đề không có cột '%s' (cần code,name,type,parent_code,public_ranges)") \
X(S_CSV_AT_LINE, "line %zu: %s", "dòng %zu: %s") \
X(S_CSV_FIELD_TOO_LONG, "field %zu is longer than %zu bytes", "trường thứ %zu dài quá %zu byte") \
X(S_CSV_RECORD_TOO_LONG, "record is longer than %zu bytes", "dòng dữ liệu dài quá %zu byte") \
X(S_CSV_RECORD_TOO_LARGE, "record is too large", "dòng dữ liệu quá lớn") \
X(S_CSV_TOO_MANY_FIELDS, "more than %zu fields", "nhiều hơn %zu trường") \
X(S_CSV_UNTERMINATED, "unterminated quoted field (opened on line %zu)", \
"trường mở dấu ngoặc kép ở dòng %zu không được đóng lại") \
X(S_CSV_AFTER_QUOTE, "unexpected character after the closing quote of field %zu", \
"có ký tự thừa sau dấu ngoặc kép đóng của trường thứ %zu") \
X(S_FIELD_NUL, "a field contains a NUL byte", "có trường chứa byte NUL") \
X(S_IMPORT_TOO_MANY_ROWS, "too many rows; the rest of the file is ignored", \
"quá nhiều dòng; phần còn lại của tệp bị bỏ qua") \
X(S_IMPORT_DUPLICATE, "duplicate code '%s' (first on line %zu)", \
"mã '%s' bị trùng (đã có ở dòng %zu)") \
X(S_IMPORT_CYCLE, "parent_code '%s' makes a cycle with other rows of the file", \
"đơn vị cha (parent_code) '%s' tạo thành vòng lặp với các dòng khác trong tệp") \
X(S_IMPORT_NOT_UTF8, "invalid field (not UTF-8)", "trường không hợp lệ (không phải UTF-8)") \
/* ---- enrolment tokens and enrolment (api_tokens.c) ---- */ \
X(S_TOKEN_UNIT_INVALID, "unit: missing or not a unit code", \
"đơn vị (unit): bị thiếu hoặc không phải mã đơn vị") \
X(S_EXPIRES_SECONDS_RANGE, "expires_in: must be 1s..%s", \
"thời hạn (expires_in) phải trong khoảng 1s..%s") \
X(S_EXPIRES_INVALID, "expires_in: expected a duration like 30m, 12h or 7d", \
"thời hạn (expires_in) phải có dạng như 30m, 12h hoặc 7d") \
X(S_EXPIRES_RANGE, "expires_in: must be more than 0 and at most %s", \
"thời hạn (expires_in) phải lớn hơn 0 và tối đa %s") \
X(S_FIELD_MISSING, "%s: missing", "thiếu trường %s") \
X(S_FIELD_STRING_REQUIRED, "%s: expected a string of 1..%zu bytes", \
"%s: phải là chuỗi dài 1..%zu byte") \
X(S_FIELD_STRING_OPTIONAL, "%s: expected a string of at most %zu bytes", \
"%s: phải là chuỗi dài tối đa %zu byte") \
X(S_TOKEN_UNKNOWN, "unknown enrolment token", "mã đăng ký không tồn tại") \
X(S_TOKEN_USED, "enrolment token already used", "mã đăng ký đã được sử dụng") \
X(S_TOKEN_EXPIRED, "enrolment token expired", "mã đăng ký đã hết hạn") \
/* ---- hosts (api_hosts.c) ---- */ \
X(S_HOST_NOT_FOUND, "host '%s' not found", "không tìm thấy máy trạm '%s'") \
X(S_HOST_ID_NOT_FOUND, "host %lld not found", "không tìm thấy máy trạm %lld") \
X(S_AGENT_NOT_FOUND, "agent %lld not found", "không tìm thấy máy trạm %lld") \
/* ---- agents (api_agent.c); the detail is lib/proto.c's, for the agent's log ---- */ \
X(S_BATCH_REFUSED, "%s", "lô thông điệp bị từ chối: %s")

/* Each area's messages live in its own header, with the same rules. */
#define CANH_SERVER_MESSAGES(X) \
CANH_SERVER_MESSAGES_CORE(X) \
CANH_SERVER_MESSAGES_INTEL(X) \
CANH_SERVER_MESSAGES_VULN(X) \
CANH_SERVER_MESSAGES_HUNT(X) \
CANH_SERVER_MESSAGES_LOGS(X)


enum canh_msg_id {
	CANH_SERVER_MESSAGES(CANH_CATALOGUE_ENUM)
	CANH_MSG_COUNT
};

/* Each message's English as a constant array, for CANH_CATALOGUE_ARGS at call sites. */
CANH_SERVER_MESSAGES(CANH_CATALOGUE_EN)
/* clang-format on */

/* The table, for canh_catalogue_check in the tests. */
extern const struct canh_catalogue canh_msg_catalogue;

/* The text of a message in a language; never NULL (static storage). */
const char *canh_msg_text(enum canh_lang lang, enum canh_msg_id id);
/* "S_UNIT_NOT_FOUND" for S_UNIT_NOT_FOUND, for the tests' messages. */
const char *canh_msg_name(enum canh_msg_id id);

/* vsnprintf of a message in a language into buf (truncated to len, always terminated). */
void canh_msg_vformat(enum canh_lang lang, char *buf, size_t len, enum canh_msg_id id, va_list ap);
/* canh_msg_format(lang, buf, len, S_ID, args...): the same, arguments checked like canh_msg_set. */
#define canh_msg_format(lang, buf, len, id, ...)                                                   \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_format(&canh_msg_catalogue, (lang), (buf), (len), id, ##__VA_ARGS__))

/*
 * canh_msg_set(e, lang, rc, S_ID, args...): like canh_errmsg_set with a
 * message of the table, worded in lang; returns rc. CANH_CATALOGUE_ARGS
 * makes the compiler check args against the English text of S_ID.
 */
#define canh_msg_set(e, lang, rc, id, ...)                                                         \
	(CANH_CATALOGUE_ARGS(id, ##__VA_ARGS__),                                                   \
	 canh_catalogue_set(&canh_msg_catalogue, (e), (lang), (rc), id, ##__VA_ARGS__))

#endif
