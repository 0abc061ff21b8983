# shellcheck shell=bash
# Part of scripts/run-demo (sourced): vulnerabilities. Imports a small Debian tracker
# file made from THIS machine's packages (data/demo/vuln/make-tracker: real CVE ids,
# fixed versions just above what is installed), the CISA KEV excerpt, the demo letter
# and the example letters, then waits until the demo host has findings.

VULN_DIR=data/demo/vuln
VULN_LETTER=9999/CATTT-DEMO
VULN_TIMEOUT=${CANH_DEMO_VULN_TIMEOUT:-60}

step "importing vulnerability advisories (data/demo/vuln/)" \
	"nhập cảnh báo lỗ hổng (data/demo/vuln/)"
if ! python3 "$VULN_DIR/make-tracker" >"$VAR/vuln-tracker.json" 2>"$VAR/.make-tracker.err"; then
	say "    $(cat "$VAR/.make-tracker.err"); using $VULN_DIR/tracker-sample.json" \
		"    $(cat "$VAR/.make-tracker.err"); dùng $VULN_DIR/tracker-sample.json"
	cp "$VULN_DIR/tracker-sample.json" "$VAR/vuln-tracker.json"
fi
rm -f "$VAR/.make-tracker.err"
for f in "$VAR/vuln-tracker.json" "$VULN_DIR/kev-sample.json" "$VULN_DIR"/letter-sample.* \
	data/letters/*.json data/letters/*.yaml data/letters/*.yml; do
	[ -f "$f" ] || continue
	if ! out=$(cli vuln import "$f" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		die "cannot import '$f'" "không nhập được '$f'" "$VAR/server.log"
	fi
	printf '%s\n' "$out" | sed -n '1p' | sed 's/^/    /'
done

step "waiting for the findings of host $AGENT_ID (up to ${VULN_TIMEOUT} s)" \
	"chờ kết quả đối chiếu lỗ hổng của máy trạm $AGENT_ID (tối đa ${VULN_TIMEOUT} giây)"
VULN_OPEN=0
deadline=$((SECONDS + VULN_TIMEOUT))
while :; do
	if cli vuln findings --host "$AGENT_ID" --json >"$VAR/.findings.json" 2>/dev/null; then
		VULN_OPEN=$(python3 - "$VAR/.findings.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8")).get("findings", [])
print(sum(1 for x in f if x.get("status") == "open"))
PY
)
	fi
	[ "${VULN_OPEN:-0}" -gt 0 ] && break
	[ $SECONDS -lt $deadline ] || {
		say "    no findings yet; see $VAR/server.log" \
			"    chưa có kết quả; xem $VAR/server.log"
		break
	}
	sleep 0.5
done
rm -f "$VAR/.findings.json"

cli summary --json >"$VAR/.summary.json"
VULN_KEV=$(json_get "$VAR/.summary.json" vuln findings_open_kev)
VULN_HOSTS=$(json_get "$VAR/.summary.json" vuln hosts_affected)
VULN_LETTERS=$(json_get "$VAR/.summary.json" vuln letters)
VULN_OVERDUE=$(json_get "$VAR/.summary.json" vuln letters_overdue)
rm -f "$VAR/.summary.json"

# A newline first: an earlier part may have left its last line unterminated (empty lines go).
DEMO_SUMMARY="${DEMO_SUMMARY}
Open findings:   $VULN_OPEN on host $AGENT_ID, $VULN_KEV of them exploited (CISA KEV); hosts affected: $VULN_HOSTS|Lỗ hổng còn mở:  $VULN_OPEN trên máy trạm $AGENT_ID, $VULN_KEV đang bị khai thác (CISA KEV); số máy bị ảnh hưởng: $VULN_HOSTS
Letters:         $VULN_LETTERS imported, $VULN_OVERDUE past their deadline with open findings|Công văn:        đã nhập $VULN_LETTERS, $VULN_OVERDUE quá hạn mà còn lỗ hổng mở
"
DEMO_TRY="${DEMO_TRY}
vuln findings --host $AGENT_ID
vuln findings --kev --open
vuln letter list
vuln letter show $VULN_LETTER
--lang vi vuln findings --unit HP-SGDDT
"
