/*
 * canhd's API texts for the centralised anti-malware (rule sets, hunts, detections,
 * quarantine); part of CANH_SERVER_MESSAGES (messages.h), with the same rules:
 * X(id, english, vietnamese), same printf conversions, Vietnamese in UTF-8 with full
 * diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_HUNT_H
#define CANH_SERVER_MESSAGES_HUNT_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_HUNT(X) \
/* ---- rule sets (api_hunt.c, hunt.c) ---- */ \
X(S_HUNT_NAME_MISSING, "name: missing (POST /rules?name=NAME&kind=yara|hashes)", \
"thiếu tên bộ luật (name) (POST /rules?name=TÊN&kind=yara|hashes)") \
X(S_HUNT_NAME_INVALID, "name: '%.*s' is not 1..64 characters of A-Z a-z 0-9 . _ -", \
"tên (name) '%.*s' không hợp lệ: phải gồm 1..64 ký tự A-Z a-z 0-9 . _ -") \
X(S_HUNT_KIND_INVALID, "kind: expected yara or hashes", \
"loại (kind) phải là yara (luật YARA) hoặc hashes (danh sách mã băm)") \
X(S_HUNT_EMPTY, "the uploaded file is empty", "tệp tải lên bị rỗng") \
X(S_HUNT_NOT_TEXT, "the upload is not UTF-8 text (bad byte at offset %zu): rules and hash lists are text files", \
"tệp tải lên không phải văn bản UTF-8 (byte sai ở vị trí %zu): bộ luật và danh sách mã băm phải là tệp văn bản") \
X(S_HUNT_COMPILE, "the rules do not compile (%zu error(s)); first: %s", \
"bộ luật không biên dịch được (%zu lỗi); lỗi đầu tiên: %s") \
X(S_HUNT_NO_RULES, "the source holds no YARA rule", "tệp nguồn không chứa luật YARA nào") \
X(S_HUNT_NO_HASHES, "no MD5, SHA-1 or SHA-256 hash in the list (%s)", \
"danh sách không chứa mã băm MD5, SHA-1 hay SHA-256 nào (%s)") \
X(S_HUNT_KIND_CONFLICT, "'%s' is already a set of another kind: choose another name", \
"'%s' đã là một bộ thuộc loại khác: hãy chọn tên khác") \
X(S_HUNT_RULES_NOT_FOUND, "no rule set '%s'", "không có bộ luật '%s'") \
X(S_HUNT_HASHES_NOT_FOUND, "no hash list '%s'", "không có danh sách mã băm '%s'") \
X(S_HUNT_FEED_NOT_FOUND, "no intel feed '%s' with an active version", \
"không có nguồn tình báo '%s' nào có phiên bản đang dùng") \
X(S_HUNT_FEED_NO_HASHES, "intel feed '%s' holds no MD5, SHA-1 or SHA-256 entry", \
"nguồn tình báo '%s' không chứa mã băm MD5, SHA-1 hay SHA-256 nào") \
X(S_HUNT_VERSION_INVALID, "'%.*s' is not NAME/VERSION", "'%.*s' không có dạng TÊN/PHIÊN_BẢN") \
/* ---- hunts ---- */ \
X(S_HUNT_NEEDS_RULES, "a hunt needs \"rules\" (a rule set name), \"hashes\" (a hash list name) or both", \
"một đợt quét cần \"rules\" (tên bộ luật), \"hashes\" (tên danh sách mã băm) hoặc cả hai") \
X(S_HUNT_BAD_FIELD, "%s: expected %s", "%s: cần %s") \
X(S_HUNT_BAD_PATH, "paths[%zu]: expected an absolute path of at most 4096 bytes", \
"paths[%zu]: cần một đường dẫn tuyệt đối dài tối đa 4096 byte") \
X(S_HUNT_HOST_NOT_FOUND, "host %lld is not an enrolled, active host", \
"máy %lld không phải là máy trạm đã đăng ký và đang hoạt động") \
X(S_HUNT_NOT_FOUND, "hunt '%.*s' not found", "không tìm thấy đợt quét '%.*s'") \
X(S_HUNT_BAD_QUERY, "%s: '%.*s' is not valid", "%s: '%.*s' không hợp lệ") \
/* ---- quarantine ---- */ \
X(S_HUNT_QUARANTINE_NOT_FOUND, "quarantined item '%.*s' not found", \
"không tìm thấy tệp cách ly '%.*s'") \
X(S_HUNT_ALREADY_RESTORED, "quarantined item %lld is already restored", \
"tệp cách ly %lld đã được khôi phục rồi")
/* clang-format on */

#endif
