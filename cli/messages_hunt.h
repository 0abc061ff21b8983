/*
 * The CLI's messages for the centralised anti-malware: canh rules upload|list|show, canh hunt,
 * canh detections, canh quarantine; part of CANH_CLI_MESSAGES (messages.h), with the same
 * rules: X(id, english, vietnamese), same printf conversions, Vietnamese in UTF-8 with full
 * diacritics.
 */
#ifndef CANH_CLI_MESSAGES_HUNT_H
#define CANH_CLI_MESSAGES_HUNT_H

/* clang-format off */
#define CANH_CLI_MESSAGES_HUNT(X) \
X(M_HUNT_USAGE_RULES, \
"usage: canh rules upload FILE|DIR --name NAME [--kind yara|hashes] [--json]\n" \
"       canh rules list [--json]\n" \
"       canh rules show NAME [--json]\n" \
"       canh rules check [--quiet] DIR|FILE...\n" \
"\n" \
"  upload  send a YARA rule set (a file, or every *.yar/*.yara file of a directory\n" \
"          in sorted order, checked here first) or a hash list (--kind hashes: MD5,\n" \
"          SHA-1, SHA-256, one per line, or any intel feed format) to canhd, which\n" \
"          compiles it and stores it as a new version of NAME\n" \
"  list    the rule sets and hash lists on the server, latest version of each\n" \
"  show    one of them with its versions\n" \
"  check   check Sigma rules offline\n", \
"cách dùng: canh rules upload TỆP|THƯ_MỤC --name TÊN [--kind yara|hashes] [--json]\n" \
"           canh rules list [--json]\n" \
"           canh rules show TÊN [--json]\n" \
"           canh rules check [--quiet] THƯ_MỤC|TỆP...\n" \
"\n" \
"  upload  gửi bộ luật YARA (một tệp, hoặc mọi tệp *.yar/*.yara của một thư mục theo\n" \
"          thứ tự tên, được kiểm tra tại đây trước) hoặc danh sách mã băm (--kind hashes:\n" \
"          MD5, SHA-1, SHA-256, mỗi dòng một mã, hoặc mọi định dạng nguồn tình báo) lên\n" \
"          canhd; máy chủ biên dịch và lưu thành phiên bản mới của TÊN\n" \
"  list    các bộ luật và danh sách mã băm trên máy chủ, phiên bản mới nhất của mỗi bộ\n" \
"  show    một bộ cùng các phiên bản của nó\n" \
"  check   kiểm tra luật Sigma tại chỗ\n") \
X(M_HUNT_USAGE_HUNT, \
"usage: canh hunt start [--rules NAME] [--hashes NAME | --hashes-feed FEED]\n" \
"                       [--unit CODE | --host ID...]\n" \
"                       [--paths P,P...] [--quarantine] [--every DURATION] [--json]\n" \
"       canh hunt status [ID] [--json]\n" \
"\n" \
"  start   scan the hosts of a unit (and its children), the hosts named, or every host\n" \
"          with the latest version of a rule set and/or hash list; without --paths\n" \
"          the default places (home directories, web roots, /tmp, /var/tmp, /dev/shm,\n" \
"          system binaries, /opt); --hashes-feed takes the MD5/SHA-1/SHA-256 entries of\n" \
"          an intel feed; --quarantine moves what is found into the agent's\n" \
"          quarantine; --every 6h runs it again every 6 hours\n" \
"  status  every hunt, or one hunt with its progress on each host\n", \
"cách dùng: canh hunt start [--rules TÊN] [--hashes TÊN | --hashes-feed NGUỒN]\n" \
"                           [--unit MÃ | --host SỐ...]\n" \
"                           [--paths Đ,Đ...] [--quarantine] [--every KHOẢNG] [--json]\n" \
"           canh hunt status [SỐ] [--json]\n" \
"\n" \
"  start   quét các máy của một đơn vị (kể cả đơn vị con), các máy được nêu, hoặc mọi máy\n" \
"          bằng phiên bản mới nhất của bộ luật và/hoặc danh sách mã băm; không có --paths\n" \
"          thì quét các chỗ mặc định (thư mục người dùng, thư mục web, /tmp, /var/tmp,\n" \
"          /dev/shm, thư mục chương trình hệ thống, /opt); --hashes-feed dùng các mã băm\n" \
"          MD5/SHA-1/SHA-256 của một nguồn tình báo; --quarantine cách ly những gì\n" \
"          tìm thấy; --every 6h chạy lại mỗi 6 giờ\n" \
"  status  mọi đợt quét, hoặc một đợt với tiến độ trên từng máy\n") \
X(M_HUNT_USAGE_DETECTIONS, \
"usage: canh detections [--unit CODE] [--hunt ID] [--since TIME|DURATION] [--json]\n" \
"  what the hunts found: host, path, rule or IOC, hashes, action taken\n", \
"cách dùng: canh detections [--unit MÃ] [--hunt SỐ] [--since THỜI_ĐIỂM|KHOẢNG] [--json]\n" \
"  những gì các đợt quét tìm thấy: máy, đường dẫn, luật hoặc IOC, mã băm, xử lý\n") \
X(M_HUNT_USAGE_QUARANTINE, \
"usage: canh quarantine list [--host ID] [--json]\n" \
"       canh quarantine restore ID [--json]\n" \
"  the files the agents quarantined; restore puts one back (the agent does it at\n" \
"  its next poll, byte for byte, with its owner, mode and time)\n", \
"cách dùng: canh quarantine list [--host SỐ] [--json]\n" \
"           canh quarantine restore SỐ [--json]\n" \
"  các tệp máy trạm đã cách ly; restore khôi phục một tệp (máy trạm làm việc này ở lần\n" \
"  hỏi việc kế tiếp, đúng từng byte, cùng chủ sở hữu, quyền và thời gian)\n") \
X(M_HUNT_ARG_SOURCE, "FILE|DIR", "TỆP|THƯ_MỤC") \
X(M_HUNT_ARG_NAME, "NAME", "TÊN") \
X(M_HUNT_ARG_ID, "ID", "SỐ") \
X(M_HUNT_ERR_NAME, "'%s' is not a valid name: 1..64 characters of A-Z a-z 0-9 . _ -", \
"tên '%s' không hợp lệ: phải gồm 1..64 ký tự A-Z a-z 0-9 . _ -") \
X(M_HUNT_ERR_KIND, "--kind: expected yara or hashes, got '%s'", \
"--kind: cần yara hoặc hashes, nhận được '%s'") \
X(M_HUNT_ERR_DIAG, "%s:%d: error: %s", "%s:%d: lỗi: %s") \
X(M_HUNT_ERR_COMPILE, "'%s' does not compile (%zu error(s)): nothing was uploaded", \
"'%s' không biên dịch được (%zu lỗi): chưa tải lên gì cả") \
X(M_HUNT_ERR_SOURCES, "cannot read the rules of '%s': %s", "không đọc được luật của '%s': %s") \
X(M_HUNT_ERR_TOO_BIG, "'%s': the rules are over %zu bytes", "'%s': bộ luật vượt quá %zu byte") \
X(M_HUNT_ERR_NEEDS, "a hunt needs --rules NAME, --hashes NAME (or --hashes-feed FEED) or both", \
"một đợt quét cần --rules TÊN, --hashes TÊN (hoặc --hashes-feed NGUỒN) hoặc cả hai") \
X(M_HUNT_ERR_UNIT_HOST, "--unit and --host cannot be used together", \
"không dùng --unit và --host cùng lúc") \
X(M_HUNT_ERR_PATH, "--paths: '%s' is not an absolute path", \
"--paths: '%s' không phải là đường dẫn tuyệt đối") \
X(M_HUNT_UPLOADED_YARA, "Rule set '%s' version %lld stored: %lld rule(s), %lld bytes of source, %lld compiled\n", \
"Đã lưu bộ luật '%s' phiên bản %lld: %lld luật, %lld byte mã nguồn, %lld byte đã biên dịch\n") \
X(M_HUNT_UPLOADED_HASHES, "Hash list '%s' version %lld stored: %lld hash(es)\n", \
"Đã lưu danh sách mã băm '%s' phiên bản %lld: %lld mã băm\n") \
X(M_HUNT_UNCHANGED, "'%s' unchanged: version %lld already holds this content\n", \
"'%s' không đổi: phiên bản %lld đã có đúng nội dung này\n") \
X(M_HUNT_SHA256, "SHA-256: %s\n", "Mã băm SHA-256: %s\n") \
X(M_HUNT_NO_RULES, "No rule sets or hash lists on the server.\n", \
"Máy chủ chưa có bộ luật hay danh sách mã băm nào.\n") \
X(M_HUNT_NO_HUNTS, "No hunts.\n", "Chưa có đợt quét nào.\n") \
X(M_HUNT_NO_DETECTIONS, "No detections.\n", "Không có phát hiện nào.\n") \
X(M_HUNT_NO_QUARANTINE, "Nothing in quarantine.\n", "Không có tệp nào bị cách ly.\n") \
X(M_HUNT_STARTED, "Hunt %lld created: %lld host(s) queued. Follow it: canh hunt status %lld\n", \
"Đã tạo đợt quét %lld: %lld máy đang chờ. Theo dõi: canh hunt status %lld\n") \
X(M_HUNT_SUMMARY, "Hunt %lld (%s): %lld host(s): %lld queued, %lld running, %lld done, %lld failed; %lld file(s), %lld detection(s)\n", \
"Đợt quét %lld (%s): %lld máy: %lld đang chờ, %lld đang quét, %lld xong, %lld lỗi; %lld tệp, %lld phát hiện\n") \
X(M_HUNT_PATHS, "Paths: %s\n", "Đường dẫn: %s\n") \
X(M_HUNT_POLICY_QUARANTINE, "Found files are quarantined.\n", "Tệp bị phát hiện sẽ được cách ly.\n") \
X(M_HUNT_EVERY, "Runs again every %lld minute(s) (run %lld now).\n", \
"Chạy lại mỗi %lld phút (hiện là lần %lld).\n") \
X(M_HUNT_RESTORE_ASKED, "Restore of '%s' on host %lld requested: the agent restores it at its next poll.\n", \
"Đã yêu cầu khôi phục '%s' trên máy %lld: máy trạm sẽ khôi phục ở lần hỏi việc kế tiếp.\n") \
X(M_HUNT_TARGET_ALL, "all hosts", "mọi máy") \
X(M_HUNT_TARGET_UNIT, "unit", "đơn vị") \
X(M_HUNT_TARGET_HOSTS, "hosts", "các máy") \
X(M_HUNT_ST_QUEUED, "queued", "đang chờ") \
X(M_HUNT_ST_RUNNING, "running", "đang quét") \
X(M_HUNT_ST_DONE, "done", "xong") \
X(M_HUNT_ST_FAILED, "failed", "lỗi") \
X(M_HUNT_ACT_NONE, "none", "không") \
X(M_HUNT_ACT_QUARANTINED, "quarantined", "đã cách ly") \
X(M_HUNT_ACT_FAILED, "quarantine failed", "cách ly lỗi") \
X(M_HUNT_QS_QUARANTINED, "quarantined", "đang cách ly") \
X(M_HUNT_QS_REQUESTED, "restore requested", "chờ khôi phục") \
X(M_HUNT_QS_RESTORED, "restored", "đã khôi phục") \
X(M_HUNT_QS_FAILED, "restore failed", "khôi phục lỗi") \
X(M_HUNT_H_NAME, "NAME", "TÊN") \
X(M_HUNT_H_KIND, "KIND", "LOẠI") \
X(M_HUNT_H_VERSION, "VERSION", "PHIÊN BẢN") \
X(M_HUNT_H_ENTRIES, "RULES/HASHES", "LUẬT/MÃ BĂM") \
X(M_HUNT_H_SIZE, "SIZE", "CỠ") \
X(M_HUNT_H_UPLOADED, "UPLOADED", "TẢI LÊN LÚC") \
X(M_HUNT_H_ID, "ID", "SỐ") \
X(M_HUNT_H_RULES, "RULES", "BỘ LUẬT") \
X(M_HUNT_H_TARGET, "TARGET", "PHẠM VI") \
X(M_HUNT_H_HOSTS, "HOSTS", "SỐ MÁY") \
X(M_HUNT_H_DONE, "DONE", "XONG") \
X(M_HUNT_H_DETECTIONS, "DETECTIONS", "PHÁT HIỆN") \
X(M_HUNT_H_CREATED, "CREATED", "TẠO LÚC") \
X(M_HUNT_H_HOST, "HOST", "MÁY") \
X(M_HUNT_H_UNIT, "UNIT", "ĐƠN VỊ") \
X(M_HUNT_H_STATE, "STATE", "TRẠNG THÁI") \
X(M_HUNT_H_FILES, "FILES", "SỐ TỆP") \
X(M_HUNT_H_BYTES, "BYTES", "BYTE") \
X(M_HUNT_H_STARTED, "STARTED", "BẮT ĐẦU") \
X(M_HUNT_H_FINISHED, "FINISHED", "KẾT THÚC") \
X(M_HUNT_H_ERROR, "ERROR", "LỖI") \
X(M_HUNT_H_TIME, "TIME", "THỜI ĐIỂM") \
X(M_HUNT_H_PATH, "PATH", "ĐƯỜNG DẪN") \
X(M_HUNT_H_FOUND, "RULE/IOC", "LUẬT/IOC") \
X(M_HUNT_H_SHA256, "SHA-256", "MÃ BĂM SHA-256") \
X(M_HUNT_H_ACTION, "ACTION", "XỬ LÝ")
/* clang-format on */

#endif
