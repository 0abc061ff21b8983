/*
 * The CLI's messages for vulnerabilities: canh vuln, canh vercmp; part of CANH_CLI_MESSAGES
 * (messages.h), with the same rules: X(id, english, vietnamese), same printf conversions,
 * Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_VULN_H
#define CANH_CLI_MESSAGES_VULN_H

/* clang-format off */
/* canh vercmp */
#define CANH_CLI_MESSAGES_VERCMP(X) \
X(M_USAGE_VERCMP, \
"usage: canh vercmp [--rpm] A B\n" \
"       canh vercmp [--rpm] A RELATION B\n" \
"       canh vercmp [--rpm] --batch < PAIRS\n" \
"\n" \
"  compare two package versions offline, as dpkg orders Debian versions\n" \
"  (epoch, upstream, revision, ~) or, with --rpm, as rpm orders\n" \
"  [epoch:]version[-release] (~ and ^)\n" \
"\n" \
"  A B           print <, = or > (exit status 0)\n" \
"  A RELATION B  exit status 0 when the relation holds, 1 when not, like\n" \
"                dpkg --compare-versions; RELATION is lt le eq ne ge gt,\n" \
"                << <= = >= >>, or lt-nl le-nl ge-nl gt-nl (an empty\n" \
"                version counts as newer than any other)\n" \
"  --batch       read one pair \"A B\" per line from standard input and print\n" \
"                <, = or > per line; a line that cannot be compared prints !\n" \
"                and its reason goes to standard error (exit status 1)\n" \
"  --rpm         rpm ordering instead of dpkg's\n" \
"\n" \
"  A version dpkg refuses (\"1.0-\", \"a:1\", embedded spaces) is an error\n" \
"  (exit status 2); one dpkg only warns about (not starting with a digit)\n" \
"  is compared after a warning, as dpkg does. An empty version or\n" \
"  \"<unknown>\" is older than any other (newer with the -nl relations).\n", \
"cách dùng: canh vercmp [--rpm] A B\n" \
"           canh vercmp [--rpm] A QUAN_HỆ B\n" \
"           canh vercmp [--rpm] --batch < CẶP\n" \
"\n" \
"  so sánh hai phiên bản gói phần mềm ngay trên máy, theo thứ tự dpkg dùng cho\n" \
"  phiên bản Debian (epoch, upstream, revision, ~) hoặc, với --rpm, theo thứ tự\n" \
"  rpm dùng cho [epoch:]version[-release] (~ và ^)\n" \
"\n" \
"  A B           in <, = hoặc > (mã thoát 0)\n" \
"  A QUAN_HỆ B   mã thoát 0 khi quan hệ đúng, 1 khi sai, như\n" \
"                dpkg --compare-versions; QUAN_HỆ là lt le eq ne ge gt,\n" \
"                << <= = >= >>, hoặc lt-nl le-nl ge-nl gt-nl (phiên bản\n" \
"                rỗng được coi là mới hơn mọi phiên bản khác)\n" \
"  --batch       đọc mỗi dòng một cặp \"A B\" từ đầu vào chuẩn và in\n" \
"                <, = hoặc > cho từng dòng; dòng không so sánh được in !\n" \
"                và lý do ghi ra lỗi chuẩn (mã thoát 1)\n" \
"  --rpm         thứ tự của rpm thay cho dpkg\n" \
"\n" \
"  Phiên bản mà dpkg từ chối (\"1.0-\", \"a:1\", có khoảng trắng bên trong) là lỗi\n" \
"  (mã thoát 2); phiên bản dpkg chỉ cảnh báo (không bắt đầu bằng chữ số) vẫn\n" \
"  được so sánh sau lời cảnh báo, như dpkg. Phiên bản rỗng hoặc \"<unknown>\"\n" \
"  cũ hơn mọi phiên bản khác (mới hơn với các quan hệ -nl).\n") \
X(M_VERCMP_ERR_BAD_VERSION, "version '%s' has bad syntax: %s", \
  "phiên bản '%s' sai cú pháp: %s") \
X(M_VERCMP_WARN_BAD_VERSION, "warning: version '%s' has bad syntax: %s\n", \
  "cảnh báo: phiên bản '%s' sai cú pháp: %s\n") \
X(M_VERCMP_ERR_BAD_RELATION, \
  "unknown relation '%s' (lt le eq ne ge gt, << <= = >= >>, lt-nl le-nl ge-nl gt-nl)", \
  "không có quan hệ '%s' (lt le eq ne ge gt, << <= = >= >>, lt-nl le-nl ge-nl gt-nl)") \
X(M_VERCMP_ERR_ARGS, "expected two versions, or a version, a relation and a version", \
  "cần hai phiên bản, hoặc một phiên bản, một quan hệ và một phiên bản") \
X(M_VERCMP_ERR_BATCH_ARGS, "--batch takes no versions on the command line", \
  "--batch không nhận phiên bản trên dòng lệnh") \
X(M_VERCMP_ERR_BATCH_LINE, "line %lu: %s", "dòng %lu: %s") \
X(M_VERCMP_WARN_BATCH_LINE, "warning: line %lu: %s\n", "cảnh báo: dòng %lu: %s\n") \
X(M_VERCMP_WHY_FIELDS, "expected two versions separated by blanks", \
  "cần hai phiên bản cách nhau bằng khoảng trắng") \
X(M_VERCMP_WHY_LONG_LINE, "line longer than 4096 bytes", "dòng dài quá 4096 byte") \
X(M_VERCMP_WHY_EMPTY, "version string is empty", "chuỗi phiên bản rỗng") \
X(M_VERCMP_WHY_SPACES, "version string has embedded spaces", \
  "chuỗi phiên bản có khoảng trắng bên trong") \
X(M_VERCMP_WHY_EPOCH_EMPTY, "epoch in version is empty", "epoch trong phiên bản rỗng") \
X(M_VERCMP_WHY_EPOCH_NOT_NUMBER, "epoch in version is not number", \
  "epoch trong phiên bản không phải là số") \
X(M_VERCMP_WHY_EPOCH_NEGATIVE, "epoch in version is negative", "epoch trong phiên bản là số âm") \
X(M_VERCMP_WHY_EPOCH_TOO_BIG, "epoch in version is too big", "epoch trong phiên bản quá lớn") \
X(M_VERCMP_WHY_NOTHING_AFTER_COLON, "nothing after colon in version number", \
  "không có gì sau dấu hai chấm trong số phiên bản") \
X(M_VERCMP_WHY_REVISION_EMPTY, "revision number is empty", "số revision rỗng") \
X(M_VERCMP_WHY_VERSION_EMPTY, "version number is empty", "số phiên bản rỗng") \
X(M_VERCMP_WHY_NOT_DIGIT, "version number does not start with digit", \
  "số phiên bản không bắt đầu bằng chữ số") \
X(M_VERCMP_WHY_BAD_CHAR_VERSION, "invalid character in version number", \
  "ký tự không hợp lệ trong số phiên bản") \
X(M_VERCMP_WHY_BAD_CHAR_REVISION, "invalid character in revision number", \
  "ký tự không hợp lệ trong số revision")

/* canh vuln check */
#define CANH_CLI_MESSAGES_VULN_CHECK(X) \
X(M_USAGE_VULN, \
"usage: canh vuln <command> [arguments]\n" \
"\n" \
"Commands:\n" \
"  import FILE [--format F]     import advisories into the server (tracker, OSV, KEV, letter)\n" \
"  findings [filters]           the findings of hosts, with their state\n" \
"  accept ID --reason TEXT      accept the risk of a finding\n" \
"  letter list|show NUMBER      the authority's letters and each unit's compliance\n" \
"  check --advisories FILE...   check this machine against advisory files, offline\n" \
"\n" \
"Run 'canh help vuln' or 'canh vuln <command> --help' for details.\n", \
"cách dùng: canh vuln <lệnh> [tham số]\n" \
"\n" \
"Lệnh:\n" \
"  import TỆP [--format F]      nhập cảnh báo vào máy chủ (tracker, OSV, KEV, công văn)\n" \
"  findings [bộ lọc]            các lỗ hổng phát hiện trên máy trạm và trạng thái\n" \
"  accept ID --reason LÝ_DO     chấp nhận rủi ro của một lỗ hổng phát hiện\n" \
"  letter list|show SỐ          công văn của cơ quan chức năng và mức tuân thủ từng đơn vị\n" \
"  check --advisories TỆP...    đối chiếu máy này với các tệp cảnh báo, ngay trên máy\n" \
"\n" \
"Xem 'canh help vuln' hoặc 'canh vuln <lệnh> --help' để biết chi tiết.\n") \
X(M_USAGE_VULN_CHECK, \
"usage: canh vuln check --advisories FILE... [--dpkg-status PATH] [--release NAME]\n" \
"                       [--format F] [--kev-only] [--severity LEVEL] [--root DIR] [--json]\n" \
"\n" \
"  check this machine (or a dpkg status file) against advisory files, offline,\n" \
"  without a server, and print the findings\n" \
"\n" \
"  --advisories FILE...  advisory files: Debian tracker JSON, OSV (JSON or zip),\n" \
"                        CISA KEV JSON, letters (JSON or YAML); the format is\n" \
"                        recognised from the content. Files may also follow as\n" \
"                        plain arguments\n" \
"  --format F            read every file as F: debian-tracker, osv, kev, letter\n" \
"  --dpkg-status PATH    read installed packages from this dpkg status file\n" \
"                        (default: this machine's dpkg and rpm packages)\n" \
"  --release NAME        the distribution release, e.g. bookworm or 12\n" \
"                        (default: from /etc/os-release)\n" \
"  --kev-only            only findings whose CVE is in CISA's KEV catalogue\n" \
"  --severity LEVEL      only findings at least this severe: low, medium,\n" \
"                        high, critical\n" \
"  --root DIR            look for os-release and applications (Zimbra) under DIR\n" \
"  --json                the findings as JSON\n" \
"\n" \
"  Exit status: 0 no findings, 1 findings, 2 error (bad option, unreadable\n" \
"  or malformed file).\n", \
"cách dùng: canh vuln check --advisories TỆP... [--dpkg-status ĐƯỜNG_DẪN] [--release TÊN]\n" \
"                           [--format F] [--kev-only] [--severity MỨC] [--root THƯ_MỤC] [--json]\n" \
"\n" \
"  đối chiếu máy này (hoặc một tệp trạng thái dpkg) với các tệp cảnh báo lỗ hổng,\n" \
"  ngay trên máy, không cần máy chủ, và in các phát hiện\n" \
"\n" \
"  --advisories TỆP...   tệp cảnh báo: JSON của Debian Security Tracker, OSV (JSON\n" \
"                        hoặc zip), JSON CISA KEV, công văn (JSON hoặc YAML);\n" \
"                        định dạng được nhận biết theo nội dung. Các tệp cũng có\n" \
"                        thể đứng sau như tham số thường\n" \
"  --format F            đọc mọi tệp theo định dạng F: debian-tracker, osv, kev, letter\n" \
"  --dpkg-status ĐƯỜNG_DẪN  đọc các gói đã cài từ tệp trạng thái dpkg này\n" \
"                        (mặc định: các gói dpkg và rpm của máy này)\n" \
"  --release TÊN         phiên bản bản phân phối, ví dụ bookworm hoặc 12\n" \
"                        (mặc định: lấy từ /etc/os-release)\n" \
"  --kev-only            chỉ các phát hiện có CVE nằm trong danh mục KEV của CISA\n" \
"  --severity MỨC        chỉ các phát hiện từ mức này trở lên: low (thấp),\n" \
"                        medium (trung bình), high (cao), critical (nghiêm trọng)\n" \
"  --root THƯ_MỤC        tìm os-release và ứng dụng (Zimbra) trong THƯ_MỤC\n" \
"  --json                in các phát hiện dạng JSON\n" \
"\n" \
"  Mã thoát: 0 không có phát hiện, 1 có phát hiện, 2 lỗi (tùy chọn sai, tệp\n" \
"  không đọc được hoặc sai định dạng).\n") \
X(M_VULN_CHECK_ERR_NO_ADVISORIES, "no advisory file given (--advisories FILE)", \
  "chưa có tệp cảnh báo nào (--advisories TỆP)") \
X(M_VULN_CHECK_ERR_TOO_MANY, "too many advisory files (at most %d)", \
  "quá nhiều tệp cảnh báo (tối đa %d)") \
X(M_VULN_CHECK_ERR_ADVISORIES, "cannot read advisories '%s': %s", \
  "không đọc được tệp cảnh báo '%s': %s") \
X(M_VULN_CHECK_ERR_PACKAGES, "cannot read the installed packages: %s", \
  "không đọc được danh sách gói đã cài: %s") \
X(M_VULN_CHECK_ERR_SEVERITY, "unknown severity '%s' (low, medium, high, critical)", \
  "không có mức nghiêm trọng '%s' (low, medium, high, critical)") \
X(M_VULN_CHECK_ERR_FORMAT, "unknown advisory format '%s' (debian-tracker, osv, kev, letter)", \
  "không có định dạng cảnh báo '%s' (debian-tracker, osv, kev, letter)") \
X(M_VULN_CHECK_WARN_SKIPPED, "warning: '%s': %lu records left out, the first: %s\n", \
  "cảnh báo: '%s': bỏ qua %lu bản ghi, bản ghi đầu tiên: %s\n") \
X(M_VULN_CHECK_WARN_INVENTORY, "warning: %s\n", "cảnh báo: %s\n") \
X(M_VULN_CHECK_H_PACKAGE, "PACKAGE", "GÓI") \
X(M_VULN_CHECK_H_INSTALLED, "INSTALLED", "ĐÃ CÀI") \
X(M_VULN_CHECK_H_FIXED, "FIXED IN", "BẢN VÁ") \
X(M_VULN_CHECK_H_CVE, "CVE", "CVE") \
X(M_VULN_CHECK_H_SEVERITY, "SEVERITY", "MỨC") \
X(M_VULN_CHECK_H_KEV, "KEV", "KEV") \
X(M_VULN_CHECK_H_LETTER, "LETTER", "CÔNG VĂN") \
X(M_VULN_CHECK_NO_FIX, "no fix yet", "chưa có bản vá") \
X(M_VULN_CHECK_UNDETERMINED, "undetermined", "chưa xác định") \
X(M_VULN_CHECK_KEV_DUE, "due %s", "hạn %s") \
X(M_VULN_CHECK_KEV_YES, "yes", "có") \
X(M_VULN_CHECK_SEV_UNKNOWN, "unknown", "chưa rõ") \
X(M_VULN_CHECK_SEV_LOW, "low", "thấp") \
X(M_VULN_CHECK_SEV_MEDIUM, "medium", "trung bình") \
X(M_VULN_CHECK_SEV_HIGH, "high", "cao") \
X(M_VULN_CHECK_SEV_CRITICAL, "critical", "nghiêm trọng") \
X(M_VULN_CHECK_NONE, \
  "no findings: %lu packages and %lu applications checked against %lu advisories\n", \
  "không có phát hiện nào: đã đối chiếu %lu gói và %lu ứng dụng với %lu cảnh báo\n") \
X(M_VULN_CHECK_SUMMARY, \
  "%lu findings in %lu packages or applications: %lu CVEs, %lu in CISA KEV, %lu without " \
  "a fix, %lu undetermined (%lu packages and %lu applications checked against %lu " \
  "advisories)\n", \
  "%lu phát hiện ở %lu gói hoặc ứng dụng: %lu CVE, %lu trong danh mục KEV của CISA, %lu " \
  "chưa có bản vá, %lu chưa xác định (đã đối chiếu %lu gói và %lu ứng dụng với %lu " \
  "cảnh báo)\n")

/* canh vuln import|findings|accept|letter (cmd_vuln.c) */
#define CANH_CLI_MESSAGES_VULN_SERVER(X) \
X(M_USAGE_VULN_IMPORT, \
"usage: canh vuln import FILE [--format auto|debian-tracker|osv|kev|letter]\n" \
"\n" \
"  send an advisory file to the server: the Debian Security Tracker JSON,\n" \
"  OSV records (JSON or a zip of them), the CISA KEV catalogue, or a letter\n" \
"  (JSON or YAML, docs/vuln.md); the format is detected unless given. A file\n" \
"  imported again replaces what it imported before. Every host is then\n" \
"  matched again on the server; see 'canh vuln findings'. The server may\n" \
"  take a minute over the whole tracker: --timeout is 10m by default here\n", \
"cách dùng: canh vuln import TỆP [--format auto|debian-tracker|osv|kev|letter]\n" \
"\n" \
"  gửi tệp cảnh báo lên máy chủ: JSON của Debian Security Tracker, bản ghi OSV\n" \
"  (JSON hoặc tệp zip), danh mục KEV của CISA, hoặc công văn (JSON hoặc YAML,\n" \
"  docs/vuln.md); định dạng được tự nhận ra nếu không chỉ rõ. Nhập lại một tệp\n" \
"  sẽ thay thế những gì tệp đó đã nhập trước đây. Sau đó máy chủ đối chiếu lại\n" \
"  mọi máy trạm; xem 'canh vuln findings'. Máy chủ có thể mất một phút với toàn bộ\n" \
"  tệp tracker: ở lệnh này --timeout mặc định là 10m\n") \
X(M_USAGE_VULN_FINDINGS, \
"usage: canh vuln findings [--unit CODE] [--host ID] [--kev] [--open]\n" \
"                          [--status open|fixed|accepted] [--letter NUMBER] [--limit N]\n" \
"\n" \
"  the findings: a host, a vulnerable package or application, its installed\n" \
"  and fixed versions, the advisory, severity, whether CISA lists it as\n" \
"  exploited (KEV) and the letters naming it, and its state: open, fixed\n" \
"  (when a later inventory showed the fix) or accepted\n" \
"  --unit    the unit and the units under it\n" \
"  --open    only open findings (the same as --status open)\n" \
"  --kev     only findings CISA lists as exploited\n", \
"cách dùng: canh vuln findings [--unit MÃ] [--host ID] [--kev] [--open]\n" \
"                              [--status open|fixed|accepted] [--letter SỐ] [--limit N]\n" \
"\n" \
"  các lỗ hổng phát hiện: máy trạm, gói hoặc ứng dụng có lỗ hổng, phiên bản đã cài\n" \
"  và phiên bản vá, cảnh báo, mức độ, có trong danh mục bị khai thác của CISA (KEV)\n" \
"  không, các công văn nêu nó, và trạng thái: open (còn mở), fixed (đã khắc phục,\n" \
"  khi lần kiểm kê sau cho thấy bản vá) hoặc accepted (đã chấp nhận rủi ro)\n" \
"  --unit    đơn vị và các đơn vị trực thuộc\n" \
"  --open    chỉ các lỗ hổng còn mở (như --status open)\n" \
"  --kev     chỉ các lỗ hổng CISA ghi nhận đang bị khai thác\n") \
X(M_USAGE_VULN_ACCEPT, \
"usage: canh vuln accept ID --reason TEXT\n" \
"\n" \
"  accept the risk of finding ID (an operator's decision, kept with the reason\n" \
"  and written to the audit log); it stays accepted while it matches and\n" \
"  becomes fixed when a later inventory shows the fix\n", \
"cách dùng: canh vuln accept ID --reason LÝ_DO\n" \
"\n" \
"  chấp nhận rủi ro của lỗ hổng phát hiện ID (quyết định của người vận hành, lưu\n" \
"  cùng lý do và ghi vào nhật ký kiểm toán); lỗ hổng giữ trạng thái này khi còn\n" \
"  khớp và chuyển sang đã khắc phục khi lần kiểm kê sau cho thấy bản vá\n") \
X(M_USAGE_VULN_LETTER, \
"usage: canh vuln letter list\n" \
"       canh vuln letter show NUMBER\n" \
"\n" \
"  list   the letters imported, with their deadline and the hosts affected\n" \
"  show   one letter and, per unit (with the units under it), the hosts\n" \
"         affected, fixed, fixed before the deadline, fixed after it, still\n" \
"         open (and among them past the deadline) and accepted\n", \
"cách dùng: canh vuln letter list\n" \
"           canh vuln letter show SỐ\n" \
"\n" \
"  list   các công văn đã nhập, cùng thời hạn và số máy trạm bị ảnh hưởng\n" \
"  show   một công văn và, theo từng đơn vị (gồm cả đơn vị trực thuộc), số máy\n" \
"         bị ảnh hưởng, đã khắc phục, khắc phục trước hạn, khắc phục sau hạn, còn\n" \
"         mở (trong đó đã quá hạn) và đã chấp nhận rủi ro\n") \
X(M_ARG_FILE, "FILE", "TỆP") \
X(M_ARG_LETTER, "NUMBER", "SỐ") \
X(M_VULN_ERR_FORMAT, "unknown format '%s' (auto, debian-tracker, osv, kev, letter)", \
"định dạng '%s' không hợp lệ (auto, debian-tracker, osv, kev, letter)") \
X(M_VULN_ERR_STATUS, "unknown status '%s' (open, fixed, accepted)", \
"trạng thái '%s' không hợp lệ (open, fixed, accepted)") \
X(M_VULN_ERR_LIMIT, "invalid limit '%s': expected 1..100000", \
"giới hạn '%s' không hợp lệ: cần số từ 1 đến 100000") \
X(M_VULN_ERR_ID, "invalid finding id '%s': expected a positive number", \
"mã lỗ hổng phát hiện '%s' không hợp lệ: cần một số dương") \
X(M_VULN_ERR_REASON_EMPTY, "the reason must not be empty", "lý do không được để trống") \
X(M_VULN_IMPORTED, \
"imported '%s' (%s, source %s): %lld advisories, %lld affected packages, %lld KEV entries, " \
"%lld letters; %lld entries left out, %lld replaced\n", \
"đã nhập '%s' (%s, nguồn %s): %lld cảnh báo, %lld gói bị ảnh hưởng, %lld mục KEV, " \
"%lld công văn; bỏ qua %lld mục, thay thế %lld mục\n") \
X(M_VULN_REMATCH, \
"every host is being matched again; see 'canh vuln findings'\n", \
"máy chủ đang đối chiếu lại mọi máy trạm; xem 'canh vuln findings'\n") \
X(M_VULN_ACCEPTED, "finding %lld accepted: %s\n", "đã chấp nhận rủi ro của lỗ hổng %lld: %s\n") \
X(M_VULN_NO_FINDINGS, "no findings\n", "không có lỗ hổng nào\n") \
X(M_VULN_NO_LETTERS, "no letters imported yet\n", "chưa nhập công văn nào\n") \
X(M_VULN_TRUNCATED, "(%lld findings shown; more with --limit N)\n", \
"(hiển thị %lld lỗ hổng; xem thêm với --limit N)\n") \
X(M_VULN_H_ADVISORY, "ADVISORY", "CẢNH BÁO") \
X(M_VULN_H_HOST, "HOST", "MÁY TRẠM") \
X(M_VULN_H_STATUS, "STATUS", "TRẠNG THÁI") \
X(M_VULN_H_OPENED, "OPENED", "PHÁT HIỆN") \
X(M_VULN_H_FIXED_AT, "FIXED AT", "KHẮC PHỤC LÚC") \
X(M_VULN_H_NUMBER, "NUMBER", "SỐ") \
X(M_VULN_H_DATE, "DATE", "NGÀY") \
X(M_VULN_H_DEADLINE, "DEADLINE", "THỜI HẠN") \
X(M_VULN_H_TITLE, "TITLE", "TRÍCH YẾU") \
X(M_VULN_H_CVES, "CVES", "SỐ CVE") \
X(M_VULN_H_AFFECTED, "AFFECTED", "BỊ ẢNH HƯỞNG") \
X(M_VULN_H_FIXED, "FIXED", "ĐÃ KHẮC PHỤC") \
X(M_VULN_H_IN_TIME, "IN TIME", "ĐÚNG HẠN") \
X(M_VULN_H_LATE, "LATE", "TRỄ HẠN") \
X(M_VULN_H_OPEN, "OPEN", "CÒN MỞ") \
X(M_VULN_H_OVERDUE, "OVERDUE", "QUÁ HẠN") \
X(M_VULN_H_ACCEPTED, "ACCEPTED", "CHẤP NHẬN") \
X(M_VULN_H_STATE, "STATE", "TÌNH TRẠNG") \
X(M_VULN_ST_OPEN, "open", "còn mở") \
X(M_VULN_ST_FIXED, "fixed", "đã khắc phục") \
X(M_VULN_ST_ACCEPTED, "accepted", "chấp nhận rủi ro") \
X(M_VULN_ST_OVERDUE, "open, past the deadline", "còn mở, quá hạn") \
X(M_VULN_ST_LATE, "fixed after the deadline", "khắc phục sau thời hạn") \
X(M_VULN_L_LETTER, "Letter", "Công văn") \
X(M_VULN_L_DATE, "Date", "Ngày") \
X(M_VULN_L_ISSUER, "Issuer", "Cơ quan ban hành") \
X(M_VULN_L_TITLE, "Title", "Trích yếu") \
X(M_VULN_L_DEADLINE, "Deadline", "Thời hạn") \
X(M_VULN_L_DEADLINE_PASSED, "%s (passed)", "%s (đã qua)") \
X(M_VULN_L_CVES, "CVEs", "CVE") \
X(M_VULN_L_UNITS, "Compliance per unit (with the units under it)", \
"Mức tuân thủ theo đơn vị (gồm cả đơn vị trực thuộc)") \
X(M_VULN_L_HOSTS, "Hosts affected", "Máy trạm bị ảnh hưởng") \
X(M_VULN_L_FINDINGS_OPEN, "Open findings", "Lỗ hổng còn mở") \
X(M_VULN_L_FINDINGS_KEV, "Open findings listed by CISA KEV", \
"Lỗ hổng còn mở có trong danh mục KEV của CISA") \
X(M_VULN_L_HOSTS_AFFECTED, "Hosts with open findings", "Máy trạm còn lỗ hổng") \
X(M_VULN_L_LETTERS_OVERDUE, "Letters past their deadline with open findings", \
"Công văn quá hạn mà còn lỗ hổng mở")

#define CANH_CLI_MESSAGES_VULN(X) \
CANH_CLI_MESSAGES_VERCMP(X) \
CANH_CLI_MESSAGES_VULN_CHECK(X) \
CANH_CLI_MESSAGES_VULN_SERVER(X)
/* clang-format on */

#endif
