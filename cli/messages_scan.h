/*
 * The CLI's messages for malware scanning: canh scan; part of CANH_CLI_MESSAGES
 * (messages.h), with the same rules: X(id, english, vietnamese), same printf conversions,
 * Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_SCAN_H
#define CANH_CLI_MESSAGES_SCAN_H

/* clang-format off */
#define CANH_CLI_MESSAGES_SCAN(X) \
X(M_USAGE_SCAN, \
"usage: canh scan [options] PATH...\n" \
"\n" \
"  scan files and directories with YARA rules and hash lists, here and now,\n" \
"  without a server (like the yara and clamscan tools)\n" \
"\n" \
"  --rules FILE|DIR     YARA source (*.yar, *.yara; a directory recursively) or a\n" \
"                       compiled rules file; repeatable (default: rules/yara/ of\n" \
"                       canh's source tree, or $CANH_YARA_RULES)\n" \
"  --hashes FILE        MD5, SHA-1 and SHA-256 IOCs: one per line (a name may\n" \
"                       follow), or any feed format canh intel reads; repeatable\n" \
"  --no-rules           hashes only\n" \
"  --threads N          scanning threads (default: number of CPUs)\n" \
"  --cache FILE         remember clean and infected files between scans: an\n" \
"                       unchanged file is not read again, but a known-bad file\n" \
"                       is reported again every time\n" \
"  --max-size SIZE      skip larger files (default 256M)\n" \
"  --timeout DURATION   give up on one file after this long (e.g. 30s)\n" \
"  --exclude PATH|GLOB  leave out a path prefix or a glob; repeatable\n" \
"  --scan-network       also enter NFS, CIFS/SMB and other network mounts\n" \
"  --one-file-system    stay on the file system of each PATH\n" \
"  --follow-symlinks    scan files that symlinks point to (never directories)\n" \
"  --nice N             lower the priority (nice 0-19, I/O best-effort 7)\n" \
"  --pause-ratio R      work at most this share of the time (0.1 to 1)\n" \
"  --quarantine DIR     move each detected file into DIR (restorable)\n" \
"  --json               one JSON object per detection, then a summary object\n" \
"\n" \
"  Output: \"PATH: RULE (SHA-256)\" per detection, then a summary.\n" \
"  Exit status: 0 nothing found, 1 detections, 2 error.\n", \
"cách dùng: canh scan [tùy chọn] ĐƯỜNG_DẪN...\n" \
"\n" \
"  quét tệp và thư mục bằng luật YARA và danh sách mã băm, ngay tại máy này,\n" \
"  không cần máy chủ (như công cụ yara và clamscan)\n" \
"\n" \
"  --rules TỆP|THƯ_MỤC  mã nguồn YARA (*.yar, *.yara; thư mục thì quét đệ quy) hoặc\n" \
"                       tệp luật đã biên dịch; lặp lại được (mặc định: rules/yara/\n" \
"                       trong mã nguồn canh, hoặc $CANH_YARA_RULES)\n" \
"  --hashes TỆP         IOC dạng MD5, SHA-1, SHA-256: mỗi dòng một mã (có thể kèm\n" \
"                       tên phía sau), hoặc định dạng nguồn tin bất kỳ mà canh intel\n" \
"                       đọc được; lặp lại được\n" \
"  --no-rules           chỉ dùng mã băm\n" \
"  --threads N          số luồng quét (mặc định: số CPU)\n" \
"  --cache TỆP          ghi nhớ tệp sạch và tệp nhiễm giữa các lần quét: tệp không\n" \
"                       đổi sẽ không đọc lại, nhưng tệp độc hại đã biết vẫn được\n" \
"                       báo lại mỗi lần\n" \
"  --max-size CỠ        bỏ qua tệp lớn hơn (mặc định 256M)\n" \
"  --timeout THỜI_GIAN  dừng quét một tệp sau chừng này thời gian (ví dụ 30s)\n" \
"  --exclude ĐƯỜNG_DẪN|MẪU  bỏ qua một tiền tố đường dẫn hoặc một mẫu glob; lặp lại được\n" \
"  --scan-network       quét cả ổ mạng NFS, CIFS/SMB và các ổ mạng khác\n" \
"  --one-file-system    không rời hệ thống tệp của mỗi ĐƯỜNG_DẪN\n" \
"  --follow-symlinks    quét tệp mà liên kết mềm trỏ tới (không bao giờ vào thư mục)\n" \
"  --nice N             hạ mức ưu tiên (nice 0-19, vào/ra best-effort 7)\n" \
"  --pause-ratio R      chỉ làm việc tối đa tỉ lệ thời gian này (0.1 đến 1)\n" \
"  --quarantine THƯ_MỤC  chuyển mỗi tệp bị phát hiện vào THƯ_MỤC cách ly (khôi phục được)\n" \
"  --json               mỗi phát hiện một đối tượng JSON, cuối cùng là đối tượng tổng kết\n" \
"\n" \
"  Kết quả: \"ĐƯỜNG_DẪN: LUẬT (SHA-256)\" cho mỗi phát hiện, rồi phần tổng kết.\n" \
"  Mã thoát: 0 không phát hiện gì, 1 có phát hiện, 2 lỗi.\n") \
X(M_SCAN_DET_RULE, "%s: %s (%s)\n", "%s: luật %s (%s)\n") \
X(M_SCAN_DET_IOC, "%s: %s IOC %s (%s)\n", "%s: IOC %s %s (%s)\n") \
X(M_SCAN_SUMMARY, \
"scanned %llu files, %.1f MB in %.2f s (%.1f MB/s), %llu answered by the cache: " \
"%llu detections in %llu files\n", \
"đã quét %llu tệp, %.1f MB trong %.2f giây (%.1f MB/giây), %llu tệp trả lời từ bộ nhớ đệm: " \
"%llu phát hiện trong %llu tệp\n") \
X(M_SCAN_SUMMARY_SKIPPED, \
"skipped: %llu over the size limit, %llu timed out, %llu unreadable, %llu excluded\n", \
"bỏ qua: %llu vượt giới hạn kích thước, %llu quá thời gian, %llu không đọc được, %llu bị loại trừ\n") \
X(M_SCAN_WARN_SKIP, "warning: cannot scan '%s': %s\n", "cảnh báo: không quét được '%s': %s\n") \
X(M_SCAN_WARN_TIMEOUT, "warning: '%s' ran over the time limit; not fully scanned\n", \
"cảnh báo: '%s' vượt quá giới hạn thời gian; chưa quét hết\n") \
X(M_SCAN_WARN_CACHE, "warning: scan cache '%s' discarded: %s\n", \
"cảnh báo: bỏ bộ nhớ đệm quét '%s': %s\n") \
X(M_SCAN_WARN_HASHES_IGNORED, \
"warning: %lu entries of '%s' are not MD5, SHA-1 or SHA-256 hashes; ignored\n", \
"cảnh báo: %lu mục trong '%s' không phải mã băm MD5, SHA-1 hay SHA-256; đã bỏ qua\n") \
X(M_SCAN_COMPILE_ERROR, "%s:%d: error: %s\n", "%s:%d: lỗi: %s\n") \
X(M_SCAN_COMPILE_WARNING, "%s:%d: warning: %s\n", "%s:%d: cảnh báo: %s\n") \
X(M_SCAN_ERR_RULES, "cannot load the rules '%s': %s", "không nạp được luật '%s': %s") \
X(M_SCAN_ERR_NO_RULES, \
"no rules: give --rules or --hashes (the shipped rules/yara/ was not found)", \
"không có luật: hãy chỉ ra --rules hoặc --hashes (không tìm thấy rules/yara/ đi kèm)") \
X(M_SCAN_ERR_HASHES, "cannot read the hash list '%s': %s", \
"không đọc được danh sách mã băm '%s': %s") \
X(M_SCAN_ERR_THREADS, "invalid thread count '%s': expected 1 to 64", \
"số luồng không hợp lệ '%s': phải từ 1 đến 64") \
X(M_SCAN_ERR_SIZE, "invalid size '%s': expected e.g. 64M or 1G", \
"kích thước không hợp lệ '%s': cần dạng như 64M hoặc 1G") \
X(M_SCAN_ERR_NICE, "invalid nice value '%s': expected 0 to 19", \
"giá trị nice không hợp lệ '%s': phải từ 0 đến 19") \
X(M_SCAN_ERR_RATIO, "invalid pause ratio '%s': expected a number from 0.1 to 1", \
"tỉ lệ làm việc không hợp lệ '%s': cần một số từ 0.1 đến 1") \
X(M_SCAN_ERR_TOO_MANY, "too many values for one option (at most %d)", \
"quá nhiều giá trị cho một tùy chọn (tối đa %d)") \
X(M_SCAN_ERR_PATH, "cannot scan '%s': %s", "không quét được '%s': %s") \
X(M_SCAN_ERR_SCAN, "scan failed: %s", "quét thất bại: %s") \
X(M_SCAN_ERR_CACHE_SAVE, "cannot save the scan cache: %s", "không lưu được bộ nhớ đệm quét: %s") \
X(M_SCAN_QUARANTINED, "quarantined '%s' as %s\n", "đã cách ly '%s' với mã %s\n") \
X(M_SCAN_ERR_QUARANTINE, "cannot quarantine '%s': %s", "không cách ly được '%s': %s") \
X(M_SCAN_CANCELLED, "scan interrupted; the results so far are above\n", \
"đã ngắt quét; kết quả đến lúc này ở phía trên\n")
/* clang-format on */

#endif
