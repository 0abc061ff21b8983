/*
 * canhd's API texts for threat intelligence (feeds, botnet lists, C2 alerts); part of
 * CANH_SERVER_MESSAGES (messages.h), with the same rules: X(id, english, vietnamese), same printf
 * conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_INTEL_H
#define CANH_SERVER_MESSAGES_INTEL_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_INTEL(X) \
/* ---- C2 alerts and flows (api_flows.c) ---- */ \
X(S_FLOWS_BAD_HOST, "host: '%.*s' is not a host id", \
"host: '%.*s' không phải là mã số máy (host id)") \
X(S_FLOWS_BAD_SINCE, "since: '%.*s' is neither an RFC 3339 time nor a duration such as 24h or 7d", \
"since: '%.*s' không phải là thời điểm RFC 3339 hay khoảng thời gian như 24h hoặc 7d") \
X(S_FLOWS_BAD_LIMIT, "limit: '%.*s' is not a number in 1..100000", \
"limit: '%.*s' không phải là số trong khoảng 1..100000") \
X(S_FLOWS_ADDR_MISSING, "addr: missing (GET /intel/pinpoint?addr=ADDRESS)", \
"thiếu địa chỉ (addr) (GET /intel/pinpoint?addr=ĐỊA_CHỈ)") \
X(S_FLOWS_BAD_ADDR, "addr: '%.*s' is not an IP address", \
"addr: '%.*s' không phải là địa chỉ IP") \
X(S_FLOWS_BAD_TIME, "time: '%.*s' is not an RFC 3339 time", \
"time: '%.*s' không phải là thời điểm RFC 3339") \
X(S_FLOWS_BAD_WINDOW, "window: '%.*s' is not a duration of 1s..90d such as 6h or 2d", \
"window: '%.*s' không phải là khoảng thời gian 1s..90d như 6h hoặc 2d") \
X(S_FLOWS_BAD_PORT, "port: '%.*s' is not a port number (1..65535)", \
"port: '%.*s' không phải là số cổng (1..65535)") \
X(S_FLOWS_BAD_FAMILY, "family: longer than 64 bytes", "family: dài quá 64 byte") \
/* ---- feeds and the botnet report (api_intel.c, intel.c) ---- */ \
X(S_INTEL_NAME_MISSING, "name: missing (POST /intel/feeds?name=NAME&kind=victim|c2)", \
"thiếu tên nguồn (name) (POST /intel/feeds?name=TÊN&kind=victim|c2)") \
X(S_INTEL_NAME_INVALID, "name: '%.*s' is not 1..64 characters of A-Z a-z 0-9 . _ -", \
"tên nguồn (name) '%.*s' không hợp lệ: phải gồm 1..64 ký tự A-Z a-z 0-9 . _ -") \
X(S_INTEL_KIND_INVALID, "kind: expected victim or c2", \
"loại nguồn (kind) phải là victim (IP bị nhiễm) hoặc c2 (máy chủ điều khiển)") \
X(S_INTEL_FORMAT_INVALID, \
"format: '%.*s' is not one of auto, plain, csv, xlsx, feodo, drop, drop-json, stix, misp", \
"định dạng (format) '%.*s' không hợp lệ: phải là auto, plain, csv, xlsx, feodo, drop, drop-json, stix hoặc misp") \
X(S_INTEL_FILENAME_INVALID, "filename: expected at most 255 bytes of UTF-8 without control characters", \
"tên tệp (filename) phải là UTF-8, dài tối đa 255 byte và không chứa ký tự điều khiển") \
X(S_INTEL_KIND_CONFLICT, "feed '%s' is a %s list; import it with kind=%s or give it another name", \
"nguồn '%s' là danh sách loại %s; hãy nhập với kind=%s hoặc đặt tên khác") \
X(S_INTEL_EMPTY_FILE, "the file is empty", "tệp rỗng") \
X(S_INTEL_UNUSABLE, "cannot read the file as %s: %s; nothing was imported", \
"không đọc được tệp theo định dạng %s: %s; không có gì được nhập") \
X(S_INTEL_NO_ENTRIES, "no entry could be read from the file (%lld rows rejected, the first: %s); nothing was imported", \
"không đọc được mục nào trong tệp (%lld dòng bị từ chối, dòng đầu tiên: %s); không có gì được nhập") \
X(S_INTEL_NO_ROWS, "the file holds no entry; nothing was imported", \
"tệp không có mục nào; không có gì được nhập") \
X(S_INTEL_FEED_NOT_FOUND, "feed '%s' not found", "không tìm thấy nguồn '%s'")
/* clang-format on */

#endif
