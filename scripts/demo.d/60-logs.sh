# shellcheck shell=bash
# Part of scripts/run-demo (sourced; see the contract above its demo.d loop):
# log monitoring. The demo agent follows $VAR/demo-logs/*.log (run-demo's
# agent settings); this part appends an SSH brute force in auth.log format
# (documentation-range source addresses) and a new local user, then waits for
# canhd to decode the lines, evaluate the shipped Sigma rules (rules/sigma/)
# and raise the alerts. Re-running appends a new burst: the alerts of the
# earlier run count it (de-duplication within [logs] dedup_window).

LOG_FILE="$VAR/demo-logs/auth.log"
LOG_TIMEOUT=30

# syslog_stamp: now, as an auth.log stamp in UTC+7 (canhd's default zone).
syslog_stamp() { TZ=Asia/Ho_Chi_Minh date '+%b %e %H:%M:%S'; }

step "writing an SSH brute force and a new user to $LOG_FILE" \
	"ghi một đợt dò mật khẩu SSH và một người dùng mới vào $LOG_FILE"
{
	for i in $(seq 1 12); do
		printf '%s demo-web sshd[%d]: Failed password for invalid user admin%d from 203.0.113.45 port %d ssh2\n' \
			"$(syslog_stamp)" $((4100 + i)) "$i" $((51000 + i))
	done
	for i in $(seq 1 6); do
		printf '%s demo-web sshd[%d]: Failed password for root from 198.51.100.77 port %d ssh2\n' \
			"$(syslog_stamp)" $((4200 + i)) $((52000 + i))
	done
	printf '%s demo-web useradd[4301]: new user: name=backup2, UID=1002, GID=1002, home=/home/backup2, shell=/bin/bash, from=/dev/pts/0\n' \
		"$(syslog_stamp)"
} >>"$LOG_FILE"

step "waiting for the log alerts (up to ${LOG_TIMEOUT} s)" \
	"chờ cảnh báo từ nhật ký (tối đa ${LOG_TIMEOUT} giây)"
LOG_ALERTS=0
deadline=$((SECONDS + LOG_TIMEOUT))
while [ $SECONDS -lt $deadline ]; do
	if cli alerts --json >"$VAR/.alerts.json" 2>/dev/null; then
		LOG_ALERTS=$(python3 - "$VAR/.alerts.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8")).get("alerts", [])
print(len(a))
EOF
)
	fi
	[ "${LOG_ALERTS:-0}" -ge 2 ] && break
	sleep 1
done
rm -f "$VAR/.alerts.json"
if [ "${LOG_ALERTS:-0}" -gt 0 ]; then
	cli alerts | sed 's/^/    /'
else
	say "    no alert yet: see $VAR/server.log (are there rules in rules/sigma/?)" \
		"    chưa có cảnh báo: xem $VAR/server.log (rules/sigma/ có luật chưa?)"
fi
LOG_RULES=$(cli sigma list --json 2>/dev/null >"$VAR/.rules.json" && python3 - "$VAR/.rules.json" <<'EOF'
import json, sys
print(len(json.load(open(sys.argv[1], encoding="utf-8")).get("rules", [])))
EOF
)
rm -f "$VAR/.rules.json"

DEMO_SUMMARY="$DEMO_SUMMARY
Log alerts:   ${LOG_ALERTS:-0} from $LOG_FILE (${LOG_RULES:-0} Sigma rules in use)|Cảnh báo nhật ký: ${LOG_ALERTS:-0} từ $LOG_FILE (${LOG_RULES:-0} luật Sigma đang dùng)"
DEMO_TRY="$DEMO_TRY
alerts
alerts --level high --since 1h
sigma list"
