/*
 * canhd's API texts for log monitoring (Sigma rules, log alerts); part of
 * CANH_SERVER_MESSAGES (messages.h), with the same rules: X(id, english, vietnamese), same printf
 * conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_LOGS_H
#define CANH_SERVER_MESSAGES_LOGS_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_LOGS(X) \
/* ---- alerts (api_logs.c) ---- */ \
X(S_LOGS_BAD_SINCE, "since: '%.*s' is neither an RFC 3339 time nor a duration such as 24h or 7d", \
"since: '%.*s' không phải là thời điểm RFC 3339 hay khoảng thời gian như 24h hoặc 7d") \
X(S_LOGS_BAD_LEVEL, "level: '%.*s' is not informational, low, medium, high or critical", \
"level: '%.*s' không phải là informational, low, medium, high hoặc critical") \
X(S_LOGS_BAD_LIMIT, "limit: '%.*s' is not a number in 1..100000", \
"limit: '%.*s' không phải là số trong khoảng 1..100000") \
X(S_LOGS_UNIT_NOT_FOUND, "unit '%.*s' not found", "không tìm thấy đơn vị '%.*s'") \
X(S_LOGS_BAD_HOST, "'%.*s' is not a host id", "'%.*s' không phải là mã số máy (host id)") \
/* ---- Sigma rules (api_logs.c) ---- */ \
X(S_SIGMA_NAME_MISSING, "name: missing (POST /sigma/rules?name=NAME with a YAML body)", \
"thiếu tên (name) (POST /sigma/rules?name=TÊN với nội dung YAML)") \
X(S_SIGMA_BAD_NAME, "name: '%.*s' must be 1..64 letters, digits, '-', '_' or '.'", \
"name: '%.*s' phải gồm 1..64 chữ cái, chữ số, '-', '_' hoặc '.'") \
X(S_SIGMA_EMPTY, "the rule file is empty", "tệp luật rỗng") \
X(S_SIGMA_NO_RULE, "no rule of the file could be loaded (%zu skipped, %zu with errors)", \
"không nạp được luật nào trong tệp (%zu bị bỏ qua, %zu có lỗi)") \
X(S_SIGMA_UNIT_MISSING, "unit: missing (?unit=CODE)", "thiếu đơn vị (?unit=MÃ)") \
X(S_SIGMA_RULE_NOT_FOUND, "no loaded Sigma rule has the id '%.*s'", \
"không có luật Sigma nào đã nạp mang mã '%.*s'") \
/* ---- alert titles stored with each C2 alert from a log event (logs.c) ---- */ \
X(S_LOGS_C2_TITLE, "log event with an address on a C2 list: %s (%s)", \
"sự kiện nhật ký có địa chỉ thuộc danh sách máy chủ điều khiển (C2): %s (%s)")
/* clang-format on */

#endif
