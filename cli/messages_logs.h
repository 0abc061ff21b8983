/*
 * The CLI's messages for log monitoring: canh logtest, canh rules check (Sigma),
 * canh alerts; part of CANH_CLI_MESSAGES (messages.h), with the same rules:
 * X(id, english, vietnamese), same printf conversions, Vietnamese in UTF-8
 * with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_LOGS_H
#define CANH_CLI_MESSAGES_LOGS_H

/* clang-format off */
#define CANH_CLI_MESSAGES_LOGS(X) \
/* ---- canh logtest (cmd_logtest.c) ---- */ \
X(M_USAGE_LOGTEST, \
"usage: canh logtest [--rules DIR|FILE]... [--format FORMAT] [--logsource SPEC]\n" \
"                    [--explain] [--stats] [--expand NAME=VALUE,...] [FILE...]\n" \
"\n" \
"  Offline, without a server: replay log lines (standard input when no FILE is\n" \
"  given) through the decoders and the Sigma rules, and print each alert as one\n" \
"  JSON object per line.\n" \
"\n" \
"  --rules DIR|FILE    Sigma rules to load (repeatable; default: the shipped\n" \
"                      rules/sigma/ of canh's source tree, or $CANH_SIGMA_RULES)\n" \
"  --format FORMAT     auto (default), syslog, journal-json, access, web-error,\n" \
"                      auditd, windows-json, zimbra, roundcube, or json (one\n" \
"                      event object per line, fields used as they are)\n" \
"  --logsource SPEC    product:X,service:Y,category:Z for --format json\n" \
"  --explain           print each event's decoded fields and the rules tried\n" \
"                      (after the prefilter) on standard error, as JSON\n" \
"  --stats             print lines, events, alerts, lines/s and peak memory on\n" \
"                      standard error at the end\n" \
"  --expand NAME=V,... values of NAME for the expand modifier\n" \
"\n" \
"Exit status: 0 done (alerts or not), 1 rules or input could not be read,\n" \
"2 usage error.\n", \
"cách dùng: canh logtest [--rules THƯ_MỤC|TỆP]... [--format ĐỊNH_DẠNG] [--logsource MÔ_TẢ]\n" \
"                        [--explain] [--stats] [--expand TÊN=GIÁ_TRỊ,...] [TỆP...]\n" \
"\n" \
"  Chạy tại chỗ, không cần máy chủ: đưa các dòng nhật ký (đầu vào chuẩn khi\n" \
"  không có TỆP) qua bộ giải mã và các luật Sigma, in mỗi cảnh báo thành một\n" \
"  đối tượng JSON trên một dòng.\n" \
"\n" \
"  --rules THƯ_MỤC|TỆP luật Sigma cần nạp (lặp lại được; mặc định: rules/sigma/\n" \
"                      đi kèm mã nguồn canh, hoặc $CANH_SIGMA_RULES)\n" \
"  --format ĐỊNH_DẠNG  auto (mặc định), syslog, journal-json, access, web-error,\n" \
"                      auditd, windows-json, zimbra, roundcube, hoặc json (mỗi\n" \
"                      dòng một đối tượng sự kiện, dùng nguyên các trường)\n" \
"  --logsource MÔ_TẢ   product:X,service:Y,category:Z cho --format json\n" \
"  --explain           in các trường đã giải mã của từng sự kiện và các luật đã\n" \
"                      thử (sau bộ lọc sơ bộ) ra lỗi chuẩn, dạng JSON\n" \
"  --stats             cuối cùng in số dòng, sự kiện, cảnh báo, dòng/giây và bộ\n" \
"                      nhớ tối đa ra lỗi chuẩn\n" \
"  --expand TÊN=GT,... giá trị của TÊN cho bộ điều chỉnh expand\n" \
"\n" \
"Mã thoát: 0 xong (có hay không có cảnh báo), 1 không đọc được luật hoặc đầu vào,\n" \
"2 dùng sai cú pháp.\n") \
X(M_LOGTEST_ERR_FORMAT, "unknown log format '%s'", "định dạng nhật ký '%s' không hợp lệ") \
X(M_LOGTEST_ERR_LOGSOURCE, \
  "bad --logsource '%s': expected product:X,service:Y,category:Z", \
  "--logsource '%s' sai: cần dạng product:X,service:Y,category:Z") \
X(M_LOGTEST_ERR_EXPAND, "bad --expand '%s': expected NAME=VALUE[,VALUE...]", \
  "--expand '%s' sai: cần dạng TÊN=GIÁ_TRỊ[,GIÁ_TRỊ...]") \
X(M_LOGTEST_ERR_NO_RULES, \
  "no rules directory: give --rules DIR or set CANH_SIGMA_RULES", \
  "không có thư mục luật: hãy dùng --rules THƯ_MỤC hoặc đặt CANH_SIGMA_RULES") \
X(M_LOGTEST_ERR_RULES, "cannot load rules '%s': %s", "không nạp được luật '%s': %s") \
X(M_LOGTEST_ERR_RULE, "%s: rule '%s' not loaded: %s", "%s: luật '%s' không được nạp: %s") \
X(M_LOGTEST_ERR_COMPILE, "cannot compile the rules: %s", "không biên dịch được các luật: %s") \
X(M_LOGTEST_ERR_INPUT, "cannot read '%s': %s", "không đọc được '%s': %s") \
X(M_LOGTEST_WARN_JSON, "line %lu of '%s': not a JSON object", \
  "dòng %lu của '%s': không phải đối tượng JSON") \
X(M_LOGTEST_STATS, \
  "lines %llu, events %llu, alerts %llu, rules %zu, rules tried %llu, %.3f s CPU, %.0f lines/s, peak RSS %ld KiB\n", \
  "dòng %llu, sự kiện %llu, cảnh báo %llu, luật %zu, lượt thử luật %llu, %.3f s CPU, %.0f dòng/giây, bộ nhớ tối đa %ld KiB\n") \
X(M_LOGTEST_STATS_CORR, \
  "correlation groups %llu, evicted by time %llu, evicted because the table was full %llu\n", \
  "nhóm tương quan %llu, bị loại do hết thời gian %llu, bị loại do bảng đầy %llu\n") \
/* ---- canh rules check (cmd_rules_check.c) ---- */ \
X(M_USAGE_RULES_CHECK, \
"usage: canh rules check [--quiet] [--expand NAME=VALUE,...] DIR|FILE...\n" \
"\n" \
"  Offline: load Sigma rules (every *.yml and *.yaml below a directory) and\n" \
"  say for each rule whether it loads, is skipped because it uses something\n" \
"  canh does not support (with the reason), or has an error (with its line and\n" \
"  column); then a summary. --quiet prints only the skipped rules, the errors\n" \
"  and the summary; --json prints one JSON object per rule and the summary.\n" \
"\n" \
"Exit status: 0 no errors (skipped rules allowed), 1 at least one error,\n" \
"2 usage error.\n", \
"cách dùng: canh rules check [--quiet] [--expand TÊN=GIÁ_TRỊ,...] THƯ_MỤC|TỆP...\n" \
"\n" \
"  Chạy tại chỗ: nạp các luật Sigma (mọi tệp *.yml và *.yaml trong thư mục) và\n" \
"  cho biết từng luật nạp được, bị bỏ qua vì dùng tính năng canh chưa hỗ trợ\n" \
"  (kèm lý do), hay có lỗi (kèm dòng và cột); sau đó là phần tổng kết. --quiet\n" \
"  chỉ in các luật bị bỏ qua, các lỗi và tổng kết; --json in mỗi luật một đối\n" \
"  tượng JSON và tổng kết.\n" \
"\n" \
"Mã thoát: 0 không có lỗi (cho phép luật bị bỏ qua), 1 có ít nhất một lỗi,\n" \
"2 dùng sai cú pháp.\n") \
X(M_RULES_CHECK_ERR_NO_PATH, "no rules given: name a directory or a file", \
  "chưa chỉ định luật: hãy nêu một thư mục hoặc một tệp") \
X(M_RULES_CHECK_OK, "ok       %s  %s  %s\n", "ổn       %s  %s  %s\n") \
X(M_RULES_CHECK_SKIPPED, "skipped  %s  %s  %s: %s\n", "bỏ qua   %s  %s  %s: %s\n") \
X(M_RULES_CHECK_ERROR, "error    %s:%u:%u  %s  %s\n", "lỗi      %s:%u:%u  %s  %s\n") \
X(M_RULES_CHECK_SUMMARY, "%zu rules: %zu loaded, %zu skipped, %zu errors\n", \
  "%zu luật: %zu nạp được, %zu bị bỏ qua, %zu lỗi\n") \
X(M_RULES_CHECK_ERR_PATH, "cannot read '%s': %s", "không đọc được '%s': %s")
/* clang-format on */

#endif
