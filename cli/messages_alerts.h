/*
 * The CLI's messages for log alerts and server-side Sigma rules: canh alerts, canh sigma
 * (cmd_alerts.c); part of CANH_CLI_MESSAGES (messages.h), with the same rules:
 * X(id, english, vietnamese), same printf conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_ALERTS_H
#define CANH_CLI_MESSAGES_ALERTS_H

/* clang-format off */
#define CANH_CLI_MESSAGES_ALERTS(X) \
X(M_USAGE_ALERTS, \
"usage: canh alerts [--unit CODE] [--since DURATION|TIME] [--level LEVEL] [--limit N] [--json]\n" \
"\n" \
"  The alerts raised by the Sigma rules on the logs agents send, and by log\n" \
"  events naming an address on a C2 list, newest first (GET /alerts). A repeat\n" \
"  within the server's de-duplication window counts on the first alert\n" \
"  (column COUNT) instead of making a new one.\n" \
"\n" \
"  --unit CODE      alerts of the hosts of this unit and its children\n" \
"  --since D|TIME   last seen within D (24h, 7d) or since an RFC 3339 time\n" \
"  --level LEVEL    at least informational, low, medium, high or critical\n" \
"  --limit N        at most N alerts (default 1000)\n", \
"cách dùng: canh alerts [--unit MÃ] [--since KHOẢNG|THỜI_ĐIỂM] [--level MỨC] [--limit N] [--json]\n" \
"\n" \
"  Các cảnh báo do luật Sigma phát hiện trên nhật ký các tác tử gửi về, và do\n" \
"  sự kiện nhật ký chứa địa chỉ thuộc danh sách C2, mới nhất trước (GET /alerts).\n" \
"  Cảnh báo lặp lại trong khoảng thời gian gộp của máy chủ được cộng vào cảnh\n" \
"  báo đầu tiên (cột SỐ LẦN) thay vì tạo cảnh báo mới.\n" \
"\n" \
"  --unit MÃ        cảnh báo của các máy thuộc đơn vị này và các đơn vị con\n" \
"  --since K|TĐ     thấy lần cuối trong khoảng K (24h, 7d) hoặc từ thời điểm RFC 3339\n" \
"  --level MỨC      từ mức informational, low, medium, high hoặc critical trở lên\n" \
"  --limit N        tối đa N cảnh báo (mặc định 1000)\n") \
X(M_ALERTS_NONE, "no alerts\n", "không có cảnh báo nào\n") \
X(M_ALERTS_COUNT, "alerts: %lld\n", "số cảnh báo: %lld\n") \
X(M_ALERTS_ERR_FILTER, "a filter value is too long", "giá trị lọc quá dài") \
X(M_ALERTS_H_TIME, "LAST SEEN", "THẤY LẦN CUỐI") \
X(M_ALERTS_H_LEVEL, "LEVEL", "MỨC") \
X(M_ALERTS_H_RULE, "RULE", "LUẬT") \
X(M_ALERTS_H_HOST, "HOST", "MÁY") \
X(M_ALERTS_H_UNIT, "UNIT", "ĐƠN VỊ") \
X(M_ALERTS_H_KEY, "DETAILS", "CHI TIẾT") \
X(M_ALERTS_H_COUNT, "COUNT", "SỐ LẦN") \
X(M_ALERTS_LEVEL_INFORMATIONAL, "info", "thông tin") \
X(M_ALERTS_LEVEL_LOW, "low", "thấp") \
X(M_ALERTS_LEVEL_MEDIUM, "medium", "trung bình") \
X(M_ALERTS_LEVEL_HIGH, "high", "cao") \
X(M_ALERTS_LEVEL_CRITICAL, "critical", "nghiêm trọng") \
X(M_USAGE_SIGMA, \
"usage: canh sigma upload FILE --name NAME\n" \
"       canh sigma list [--json]\n" \
"       canh sigma disable RULE_ID --unit CODE\n" \
"       canh sigma enable RULE_ID --unit CODE\n" \
"\n" \
"  Sigma rules on the server. upload: a YAML file of rules (a collection,\n" \
"  correlations) becomes the next version of rule set NAME; each rule is\n" \
"  checked and reported (loaded, skipped as unsupported, or an error), and the\n" \
"  server's rules are reloaded. list: the rules in use, with the units each is\n" \
"  disabled for. disable/enable: no alerts of that rule for the hosts of the\n" \
"  unit and its children (or again). Offline checking: canh rules check.\n", \
"cách dùng: canh sigma upload TỆP --name TÊN\n" \
"           canh sigma list [--json]\n" \
"           canh sigma disable MÃ_LUẬT --unit MÃ\n" \
"           canh sigma enable MÃ_LUẬT --unit MÃ\n" \
"\n" \
"  Luật Sigma trên máy chủ. upload: tệp YAML chứa luật (bộ luật, luật tương\n" \
"  quan) thành phiên bản tiếp theo của bộ luật TÊN; từng luật được kiểm tra và\n" \
"  báo cáo (nạp được, bị bỏ qua vì chưa hỗ trợ, hoặc có lỗi), rồi máy chủ nạp\n" \
"  lại luật. list: các luật đang dùng, kèm các đơn vị đã tắt luật đó.\n" \
"  disable/enable: không báo động theo luật đó cho các máy của đơn vị và đơn\n" \
"  vị con (hoặc bật lại). Kiểm tra tại chỗ: canh rules check.\n") \
X(M_SIGMA_ERR_READ, "cannot read '%s': %s", "không đọc được '%s': %s") \
X(M_SIGMA_UPLOADED, "rule set '%s' version %lld: %lld loaded, %lld skipped, %lld errors\n", \
"bộ luật '%s' phiên bản %lld: %lld luật nạp được, %lld bị bỏ qua, %lld lỗi\n") \
X(M_SIGMA_REPORT_SKIPPED, "  skipped  %s  %s: %s\n", "  bỏ qua   %s  %s: %s\n") \
X(M_SIGMA_REPORT_ERROR, "  error    %s  line %lld column %lld: %s\n", \
"  lỗi      %s  dòng %lld cột %lld: %s\n") \
X(M_SIGMA_NO_RULES, "no Sigma rules in use\n", "không có luật Sigma nào đang dùng\n") \
X(M_SIGMA_H_ID, "ID", "MÃ") \
X(M_SIGMA_H_TITLE, "TITLE", "TIÊU ĐỀ") \
X(M_SIGMA_H_LEVEL, "LEVEL", "MỨC") \
X(M_SIGMA_H_SOURCE, "SOURCE", "NGUỒN") \
X(M_SIGMA_H_DISABLED, "DISABLED FOR", "ĐÃ TẮT CHO") \
X(M_SIGMA_RULES_COUNT, "rules: %lld\n", "số luật: %lld\n") \
X(M_SIGMA_DISABLED, "rule %s disabled for unit %s and its children\n", \
"đã tắt luật %s cho đơn vị %s và các đơn vị con\n") \
X(M_SIGMA_ENABLED, "rule %s enabled again for unit %s\n", "đã bật lại luật %s cho đơn vị %s\n")
/* clang-format on */

#endif
