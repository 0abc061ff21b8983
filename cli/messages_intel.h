/*
 * The CLI's messages for threat intelligence: canh intel, canh botnet; part of CANH_CLI_MESSAGES
 * (messages.h), with the same rules: X(id, english, vietnamese), same printf conversions,
 * Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_INTEL_H
#define CANH_CLI_MESSAGES_INTEL_H

/* clang-format off */
#define CANH_CLI_MESSAGES_INTEL(X) \
/* ---- canh intel match (cmd_intel_match.c) ---- */ \
X(M_USAGE_INTEL_MATCH, \
"usage: canh intel match --list FILE [--list FILE...] [--why] [-v] [-c] [--json] [INPUT...]\n" \
"\n" \
"  Offline, without a server: print the lines of INPUT (standard input when none\n" \
"  is given) that hold an IPv4 or IPv6 address covered by an entry of a list.\n" \
"  Addresses are found anywhere in a line (log lines, ip:port, [v6]:port), as\n" \
"  grepcidr finds them; without options the output is the same as grepcidr -f's.\n" \
"  A list is any feed canh reads: a plain list of addresses, networks and ranges,\n" \
"  CSV, xlsx, Feodo Tracker, Spamhaus DROP, STIX 2.1 or MISP.\n" \
"\n" \
"  -f, --list FILE  a list to match against (repeat for several lists)\n" \
"  --why            after each line, a tab, the most specific entry covering its\n" \
"                   address and where it is: LIST:LINE (or LIST:CELL for xlsx)\n" \
"  -v, --invert     the lines with an address that no list covers\n" \
"  -c, --count      only the number of lines that would be printed\n" \
"  --json           one JSON object per line, with every entry covering it\n" \
"\n" \
"  Exit status: 0 when a line was printed or counted, 1 when none, 2 on error.\n", \
"cách dùng: canh intel match --list TỆP [--list TỆP...] [--why] [-v] [-c] [--json] [ĐẦU_VÀO...]\n" \
"\n" \
"  Ngoại tuyến, không cần máy chủ: in các dòng của ĐẦU_VÀO (đầu vào chuẩn nếu không\n" \
"  chỉ ra) có địa chỉ IPv4 hoặc IPv6 nằm trong một mục của danh sách. Địa chỉ được\n" \
"  tìm ở bất kỳ đâu trong dòng (dòng nhật ký, ip:cổng, [v6]:cổng), như grepcidr;\n" \
"  khi không có tùy chọn, kết quả giống hệt kết quả của grepcidr -f. Danh sách là\n" \
"  bất kỳ nguồn nào canh đọc được: danh sách địa chỉ, dải mạng và khoảng địa chỉ\n" \
"  dạng văn bản, CSV, xlsx, Feodo Tracker, Spamhaus DROP, STIX 2.1 hoặc MISP.\n" \
"\n" \
"  -f, --list TỆP   danh sách để so khớp (lặp lại cho nhiều danh sách)\n" \
"  --why            sau mỗi dòng: một dấu tab, mục cụ thể nhất chứa địa chỉ của\n" \
"                   dòng và vị trí của mục: DANH_SÁCH:DÒNG (hoặc DANH_SÁCH:Ô với xlsx)\n" \
"  -v, --invert     các dòng có địa chỉ không nằm trong danh sách nào\n" \
"  -c, --count      chỉ in số dòng lẽ ra được in\n" \
"  --json           mỗi dòng một đối tượng JSON, kèm mọi mục chứa địa chỉ\n" \
"\n" \
"  Mã thoát: 0 khi có dòng được in hoặc đếm, 1 khi không có, 2 khi có lỗi.\n") \
X(M_INTEL_MATCH_ERR_NO_LIST, "no list given: use --list FILE (addresses, networks or a feed)", \
"chưa có danh sách: dùng --list TỆP (địa chỉ, dải mạng hoặc một nguồn tin)") \
X(M_INTEL_MATCH_ERR_MANY_LISTS, "at most %d lists at once", "tối đa %d danh sách một lần") \
X(M_INTEL_MATCH_ERR_LIST, "cannot read the list '%s': %s", "không đọc được danh sách '%s': %s") \
X(M_INTEL_MATCH_ERR_LIST_EMPTY, \
"the list '%s' has no usable address entry (read as %s; %llu rows rejected, %llu entries that are not addresses)", \
"danh sách '%s' không có mục địa chỉ nào dùng được (đọc theo định dạng %s; %llu dòng bị từ chối, %llu mục không phải địa chỉ)") \
X(M_INTEL_MATCH_ERR_TOO_MANY, "the lists hold more entries than canh can match at once (%llu read)", \
"các danh sách có nhiều mục hơn mức canh so khớp được một lần (đã đọc %llu mục)") \
X(M_INTEL_MATCH_ERR_BUILD, "cannot build the set of addresses from the lists: %s", \
"không dựng được tập địa chỉ từ các danh sách: %s") \
X(M_INTEL_MATCH_ERR_LONG_LINE, "'%s', line %llu: longer than %u MiB", \
"'%s', dòng %llu: dài hơn %u MiB") \
X(M_INTEL_MATCH_ERR_WRITE, "cannot write the output: %s", "không ghi được kết quả: %s") \
X(M_INTEL_MATCH_WARN_REJECT, "warning: list '%s', line %u skipped: %s\n", \
"cảnh báo: danh sách '%s', bỏ qua dòng %u: %s\n") \
X(M_INTEL_MATCH_WARN_REJECT_CELL, "warning: list '%s', cell %s skipped: %s\n", \
"cảnh báo: danh sách '%s', bỏ qua ô %s: %s\n") \
X(M_INTEL_MATCH_WARN_MORE, "warning: list '%s': %llu more rows skipped\n", \
"cảnh báo: danh sách '%s': bỏ qua thêm %llu dòng\n") \
/* ---- canh intel alerts (cmd_intel_alerts.c) ---- */ \
X(M_INTEL_ERR_HOST_ID, "--host must be a host id (a positive number), not '%s'", \
"--host phải là mã số máy trạm (một số dương), không phải '%s'") \
X(M_INTEL_ERR_ALERT_FILTER, "a value of --unit, --host, --since or --limit is too long", \
"giá trị của --unit, --host, --since hoặc --limit quá dài") \
X(M_INTEL_NO_ALERTS, "no C2 alerts\n", "không có cảnh báo C2 nào\n") \
X(M_INTEL_ALERTS_COUNT, "alerts: %lld\n", "số cảnh báo: %lld\n") \
X(M_INTEL_AH_TIME, "TIME", "THỜI ĐIỂM") \
X(M_INTEL_AH_HOST, "HOST", "MÁY TRẠM") \
X(M_INTEL_AH_UNIT, "UNIT", "ĐƠN VỊ") \
X(M_INTEL_AH_PROCESS, "PROCESS", "TIẾN TRÌNH") \
X(M_INTEL_AH_REMOTE, "REMOTE ADDRESS", "ĐỊA CHỈ BÊN KIA") \
X(M_INTEL_AH_DIRECTION, "DIR", "CHIỀU") \
X(M_INTEL_AH_FEED_VERSION, "FEED/VERSION", "NGUỒN/PHIÊN BẢN") \
X(M_INTEL_AH_FAMILY, "FAMILY", "HỌ MÃ ĐỘC") \
X(M_INTEL_DIR_OUT, "out", "đi") \
X(M_INTEL_DIR_IN, "in", "đến") \
X(M_USAGE_INTEL, \
"usage: canh intel import FILE --kind victim|c2 [--name NAME] [--format FORMAT]\n" \
"       canh intel list\n" \
"       canh intel show NAME\n" \
"       canh intel alerts [--unit CODE] [--host ID] [--since T] [--limit N]\n" \
"       canh intel match --list FILE... [INPUT...]\n" \
"\n" \
"  import   import a list as it was received: victim (the monthly botnet IP list:\n" \
"           addresses seen infected) or c2 (C2 servers and other IOCs); FORMAT is\n" \
"           auto (default), plain, csv, xlsx, feodo, drop, drop-json, stix or misp;\n" \
"           NAME defaults to the file name without its extension; importing a\n" \
"           NAME again makes a new version that replaces the active one; each\n" \
"           rejected row is printed with its line or cell and the exit status is 1\n" \
"  list     the feeds: kind, active version, when imported, entries\n" \
"  show     one feed: its versions and the rejected rows of the active version\n" \
"  alerts   connections of enrolled hosts to addresses on C2 lists, newest first:\n" \
"           of the unit CODE and the units under it, of one host, or since T (an\n" \
"           RFC 3339 time or a duration back from now: 24h, 7d)\n" \
"  match    offline, without a server: the lines of INPUT that match a list\n", \
"cách dùng: canh intel import TỆP --kind victim|c2 [--name TÊN] [--format ĐỊNH_DẠNG]\n" \
"           canh intel list\n" \
"           canh intel show TÊN\n" \
"           canh intel alerts [--unit MÃ] [--host ID] [--since T] [--limit N]\n" \
"           canh intel match --list TỆP... [ĐẦU_VÀO...]\n" \
"\n" \
"  import   nhập danh sách đúng như khi nhận: victim (danh sách IP mạng botnet hằng\n" \
"           tháng: các địa chỉ bị nhiễm) hoặc c2 (máy chủ điều khiển và các dấu hiệu\n" \
"           tấn công khác); ĐỊNH_DẠNG là auto (mặc định), plain, csv, xlsx, feodo,\n" \
"           drop, drop-json, stix hoặc misp; TÊN mặc định là tên tệp bỏ phần mở rộng;\n" \
"           nhập lại cùng TÊN tạo phiên bản mới thay cho phiên bản đang dùng; mỗi dòng\n" \
"           bị từ chối được in kèm số dòng hoặc ô và khi đó mã thoát là 1\n" \
"  list     các nguồn: loại, phiên bản đang dùng, thời điểm nhập, số mục\n" \
"  show     một nguồn: các phiên bản và các dòng bị từ chối của phiên bản đang dùng\n" \
"  alerts   các kết nối của máy trạm tới địa chỉ nằm trong danh sách C2, mới nhất\n" \
"           trước: của đơn vị MÃ và các đơn vị trực thuộc, của một máy trạm, hoặc từ T\n" \
"           (thời điểm RFC 3339 hay khoảng thời gian tính lùi từ bây giờ: 24h, 7d)\n" \
"  match    ngoại tuyến, không cần máy chủ: các dòng của ĐẦU_VÀO khớp một danh sách\n") \
X(M_USAGE_BOTNET, \
"usage: canh botnet report [--unit CODE]\n" \
"\n" \
"  report   per unit (CODE and the units under it; every unit by default): the\n" \
"           addresses of the botnet lists that are the unit's, by its public ranges\n" \
"           or the egress address of its hosts, with the botnet family and when it\n" \
"           was seen, then the hosts that may be the infected one, with the reasons\n", \
"cách dùng: canh botnet report [--unit MÃ]\n" \
"\n" \
"  report   theo từng đơn vị (MÃ và các đơn vị trực thuộc; mặc định là mọi đơn vị):\n" \
"           các địa chỉ trong danh sách IP mạng botnet thuộc về đơn vị, theo dải IP\n" \
"           công khai hoặc địa chỉ đi ra (egress) của máy trạm, kèm họ mã độc và thời\n" \
"           điểm phát hiện, rồi các máy trạm có thể là máy bị nhiễm, kèm lý do\n") \
X(M_INTEL_ARG_FILE, "FILE", "TỆP") \
X(M_INTEL_ARG_NAME, "NAME", "TÊN") \
X(M_INTEL_ERR_KIND, "--kind must be victim or c2, not '%s'", \
"--kind phải là victim hoặc c2, không phải '%s'") \
X(M_INTEL_ERR_FORMAT, \
"--format must be auto, plain, csv, xlsx, feodo, drop, drop-json, stix or misp, not '%s'", \
"--format phải là auto, plain, csv, xlsx, feodo, drop, drop-json, stix hoặc misp, không phải '%s'") \
X(M_INTEL_ERR_NAME, "'%s' is not a feed name (1..64 characters of A-Z a-z 0-9 . _ -)", \
"'%s' không phải tên nguồn hợp lệ (1..64 ký tự A-Z a-z 0-9 . _ -)") \
X(M_INTEL_ERR_NO_NAME, "cannot make a feed name from '%s': give one with --name", \
"không tạo được tên nguồn từ '%s': hãy đặt tên bằng --name") \
X(M_INTEL_IMPORTED, "feed '%s' (%s) version %lld imported from '%s': entries %lld, rejected rows %lld\n", \
"đã nhập nguồn '%s' (%s) phiên bản %lld từ '%s': số mục %lld, số dòng bị từ chối %lld\n") \
X(M_INTEL_UNCHANGED, "feed '%s' unchanged: version %lld is this same file (%lld entries)\n", \
"nguồn '%s' không thay đổi: phiên bản %lld chính là tệp này (%lld mục)\n") \
X(M_INTEL_REPLACED, "it replaces version %lld, which is kept in the history\n", \
"phiên bản này thay cho phiên bản %lld (vẫn được lưu trong lịch sử)\n") \
X(M_INTEL_BY_TYPE, "  %s: %lld\n", "  %s: %lld mục\n") \
X(M_INTEL_REJECTS_HEAD, "rejected rows:\n", "các dòng bị từ chối:\n") \
X(M_INTEL_REJECT_LINE, "  line %lld: %s\n", "  dòng %lld: %s\n") \
X(M_INTEL_REJECT_CELL, "  line %lld, cell %s: %s\n", "  dòng %lld, ô %s: %s\n") \
X(M_INTEL_REJECTS_MORE, "  ... and %lld more (canh intel show %s)\n", \
"  ... và %lld dòng nữa (canh intel show %s)\n") \
X(M_INTEL_REJECTS_KEPT, "  ... and %lld more, not kept\n", "  ... và %lld dòng nữa, không được lưu\n") \
X(M_INTEL_VICTIM_MATCHES, "matches with units' public ranges and hosts' egress addresses: %lld (canh botnet report)\n", \
"số kết quả khớp với dải IP công khai của đơn vị và địa chỉ đi ra của máy trạm: %lld (canh botnet report)\n") \
X(M_INTEL_NO_FEEDS, "no feeds imported yet\n", "chưa nhập nguồn nào\n") \
X(M_INTEL_KIND_VICTIM, "victim list", "danh sách IP bị nhiễm") \
X(M_INTEL_KIND_C2, "C2 list", "danh sách C2") \
X(M_INTEL_T_IP, "addresses and networks", "địa chỉ và dải mạng") \
X(M_INTEL_T_DOMAIN, "domains", "tên miền") \
X(M_INTEL_T_URL, "URLs", "URL") \
X(M_INTEL_T_MD5, "MD5 hashes", "mã băm MD5") \
X(M_INTEL_T_SHA1, "SHA-1 hashes", "mã băm SHA-1") \
X(M_INTEL_T_SHA256, "SHA-256 hashes", "mã băm SHA-256") \
X(M_INTEL_H_FEED, "FEED", "NGUỒN") \
X(M_INTEL_H_KIND, "KIND", "LOẠI") \
X(M_INTEL_H_VERSION, "VERSION", "PHIÊN BẢN") \
X(M_INTEL_H_IMPORTED, "IMPORTED", "NHẬP LÚC") \
X(M_INTEL_H_ENTRIES, "ENTRIES", "SỐ MỤC") \
X(M_INTEL_H_REJECTED, "REJECTED", "BỊ TỪ CHỐI") \
X(M_INTEL_H_FILE, "FILE", "TỆP") \
X(M_INTEL_H_ACTIVE, "ACTIVE", "ĐANG DÙNG") \
X(M_INTEL_L_FEED, "Feed", "Nguồn") \
X(M_INTEL_L_KIND, "Kind", "Loại") \
X(M_INTEL_L_VERSION, "Active version", "Phiên bản đang dùng") \
X(M_INTEL_L_FILE, "File", "Tệp") \
X(M_INTEL_L_FORMAT, "Format", "Định dạng") \
X(M_INTEL_L_SHA256, "SHA-256", "Mã băm SHA-256") \
X(M_INTEL_L_IMPORTED, "Imported", "Nhập lúc") \
X(M_INTEL_L_IMPORTED_BY, "Imported by", "Người nhập") \
X(M_INTEL_L_ENTRIES, "Entries", "Số mục") \
X(M_INTEL_L_REJECTED, "Rejected rows", "Số dòng bị từ chối") \
X(M_INTEL_L_VERSIONS, "Versions", "Các phiên bản") \
X(M_INTEL_YES, "yes", "có") \
X(M_BOTNET_NONE, "no address of the botnet lists belongs to %s\n", \
"không có địa chỉ nào trong danh sách IP mạng botnet thuộc về %s\n") \
X(M_BOTNET_ALL_UNITS, "any unit", "đơn vị nào") \
X(M_BOTNET_UNIT, "%s  %s (listed addresses: %lld)\n", "%s  %s (số địa chỉ trong danh sách: %lld)\n") \
X(M_BOTNET_ADDRESS, "  %s (%s)  family: %s  seen: %s  port: %s\n", \
"  %s (%s)  họ mã độc: %s  phát hiện: %s  cổng: %s\n") \
X(M_BOTNET_SOURCE, "    listed in %s version %lld, line %lld%s%s\n", \
"    có trong %s phiên bản %lld, dòng %lld%s%s\n") \
X(M_BOTNET_CELL, ", cell ", ", ô ") \
X(M_BOTNET_ORG, "    organisation named by the list: %s\n", \
"    tổ chức ghi trong danh sách: %s\n") \
X(M_BOTNET_VIA_RANGE, "    the unit's public range %s\n", "    thuộc dải IP công khai %s của đơn vị\n") \
X(M_BOTNET_VIA_EGRESS, "    egress address of host %lld (%s)\n", \
"    là địa chỉ đi ra của máy trạm %lld (%s)\n") \
X(M_BOTNET_NO_CANDIDATE, "    candidate hosts: none (no enrolled host of the unit, none seen behind this address)\n", \
"    máy trạm nghi nhiễm: không có (đơn vị chưa có máy trạm đăng ký, chưa thấy máy nào phía sau địa chỉ này)\n") \
X(M_BOTNET_CANDIDATES, "    candidate hosts, most likely first:\n", \
"    máy trạm nghi nhiễm, khả năng cao nhất trước:\n") \
X(M_BOTNET_CANDIDATE, "      host %lld %s (unit %s)  score %lld\n", \
"      máy trạm %lld %s (đơn vị %s)  điểm %lld\n") \
X(M_BOTNET_R_EGRESS, "        - connected to canhd from %s between %s and %s\n", \
"        - đã kết nối tới canhd từ %s trong khoảng %s đến %s\n") \
X(M_BOTNET_R_C2, "        - contacted %s port %s, on %s version %lld (%s), by %s (%s) at %s\n", \
"        - đã kết nối tới %s cổng %s, thuộc %s phiên bản %lld (%s), bởi %s (%s) lúc %s\n") \
X(M_BOTNET_R_EGRESS_OTHER, "        - was behind %s, but outside the time seen (%s to %s)\n", \
"        - từng ở phía sau %s, nhưng ngoài thời điểm phát hiện (%s đến %s)\n") \
X(M_BOTNET_R_UNIT_RANGE, "        - the address is in %s, public range of unit %s\n", \
"        - địa chỉ thuộc %s, dải IP công khai của đơn vị %s\n") \
X(M_BOTNET_R_C2_FAMILY, "        - a C2 it contacted is of the listed family %s\n", \
"        - máy chủ C2 mà máy này kết nối tới thuộc đúng họ mã độc %s trong danh sách\n") \
X(M_BOTNET_R_LISTED_PORT, "        - used port %s, the port the list gives (%s %s, by %s (%s) at %s)\n", \
"        - đã dùng cổng %s, đúng cổng ghi trong danh sách (%s %s, bởi %s (%s) lúc %s)\n") \
X(M_BOTNET_R_UNUSUAL_PORT, "        - unusual outbound port %s to %s by %s (%s); %s hosts of the fleet used it\n", \
"        - cổng ra bất thường %s tới %s bởi %s (%s); %s máy trạm trong hệ thống dùng cổng này\n") \
X(M_BOTNET_R_UNOWNED, "        - connected by %s (%s), which no package owns\n", \
"        - kết nối do %s (%s), tệp chạy không thuộc gói phần mềm nào\n") \
X(M_BOTNET_DIR_OUT, "to", "tới") \
X(M_BOTNET_DIR_IN, "from", "từ") \
X(M_BOTNET_R_OTHER, "        - other reason: %s\n", "        - lý do khác: %s\n") \
X(M_BOTNET_TOTALS, "units: %lld, listed addresses: %lld, candidate hosts: %lld\n", \
"số đơn vị: %lld, số địa chỉ trong danh sách: %lld, số máy trạm nghi nhiễm: %lld\n") \
X(M_INTEL_UNKNOWN, "unknown", "không rõ")
/* clang-format on */

#endif
