/*
 * canhd's API texts for vulnerabilities (advisories, findings, letters); part of
 * CANH_SERVER_MESSAGES (messages.h), with the same rules: X(id, english, vietnamese), same printf
 * conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_VULN_H
#define CANH_SERVER_MESSAGES_VULN_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_VULN(X) \
X(S_VULN_BAD_FORMAT, "format: '%s' is not auto, debian-tracker, osv, kev or letter", \
"định dạng (format) '%s' không hợp lệ: phải là auto, debian-tracker, osv, kev hoặc letter") \
X(S_VULN_UNKNOWN_FORMAT, \
"cannot tell the format of '%s': give format=debian-tracker, osv, kev or letter", \
"không nhận ra định dạng của '%s': hãy chỉ rõ format=debian-tracker, osv, kev hoặc letter") \
X(S_VULN_EMPTY, "the advisory file is empty", "tệp khuyến cáo rỗng") \
X(S_VULN_FILENAME, "filename: expected 1..%d bytes of UTF-8 without control characters", \
"tên tệp (filename) phải dài 1..%d byte, UTF-8, không có ký tự điều khiển") \
X(S_VULN_MALFORMED_AT, "malformed %s file '%s' at line %zu, column %zu (byte %zu): %s", \
"tệp %s '%s' không hợp lệ tại dòng %zu, cột %zu (byte %zu): %s") \
X(S_VULN_MALFORMED, "malformed %s file '%s': %s", "tệp %s '%s' không hợp lệ: %s") \
X(S_VULN_TOO_BIG, "%s file '%s' is over a cap: %s", "tệp %s '%s' vượt quá giới hạn: %s") \
X(S_VULN_BAD_HOST, "host: '%s' is not a host id", "máy trạm (host) '%s' không phải mã máy trạm") \
X(S_VULN_BAD_STATUS, "status: '%s' is not open, fixed or accepted", \
"trạng thái (status) '%s' không hợp lệ: phải là open, fixed hoặc accepted") \
X(S_VULN_BAD_FLAG, "%s: '%s' is not 1 or 0", "%s: '%s' không hợp lệ, phải là 1 hoặc 0") \
X(S_VULN_BAD_LIMIT, "limit: '%s' is not 1..%d", "giới hạn (limit) '%s' phải trong khoảng 1..%d") \
X(S_VULN_FINDING_NOT_FOUND, "finding '%s' not found", "không tìm thấy lỗ hổng phát hiện '%s'") \
X(S_VULN_FINDING_FIXED, "finding %lld is already fixed: there is nothing to accept", \
"lỗ hổng phát hiện %lld đã được khắc phục: không có gì để chấp nhận") \
X(S_VULN_REASON, "reason: expected a string of 1..%d bytes", \
"lý do (reason) phải là chuỗi dài 1..%d byte") \
X(S_VULN_LETTER_NOT_FOUND, "letter '%s' not found", "không tìm thấy công văn '%s'")
/* clang-format on */

#endif
