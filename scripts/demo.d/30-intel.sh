# shellcheck shell=bash
# Part of scripts/run-demo (sourced; see the contract above its demo.d loop):
# imports the demo's botnet IP list (an xlsx in the authority's style) and a
# C2 list (Feodo Tracker CSV), then counts what the botnet report finds in the
# demo units. Both lists hold documentation-range addresses only
# (data/demo/intel/). Re-running is safe: an identical file is "unchanged".

INTEL_DIR=data/demo/intel
BOTNET_FEED=botnet-2026-10
C2_FEED=feodo-demo

# intel_import FILE NAME KIND: the CLI's own output, indented. Exit status 1
# with a version stored means rows were rejected, which the list has on
# purpose (a mistyped address); anything else stops the demo.
intel_import() {
	local out rc=0
	out=$(cli intel import "$1" --name "$2" --kind "$3" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	if [ $rc -gt 1 ] || ! cli intel show "$2" --json >/dev/null 2>&1; then
		die "cannot import $1" "không nhập được $1" "$VAR/server.log"
	fi
}

step "importing the botnet IP list $INTEL_DIR/$BOTNET_FEED.xlsx" \
	"nhập danh sách IP mạng botnet $INTEL_DIR/$BOTNET_FEED.xlsx"
intel_import "$INTEL_DIR/$BOTNET_FEED.xlsx" "$BOTNET_FEED" victim
step "importing the C2 list $INTEL_DIR/feodo-c2.csv" "nhập danh sách C2 $INTEL_DIR/feodo-c2.csv"
intel_import "$INTEL_DIR/feodo-c2.csv" "$C2_FEED" c2

cli botnet report --json >"$VAR/.botnet.json" ||
	die "canh botnet report failed" "canh botnet report thất bại" "$VAR/server.log"
read -r BOTNET_ADDRS BOTNET_UNITS BOTNET_HOSTS < <(python3 - "$VAR/.botnet.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8")).get("totals", {})
print(t.get("addresses", 0), t.get("units", 0), t.get("candidates", 0))
EOF
)
rm -f "$VAR/.botnet.json"
C2_ENTRIES=$(cli intel show "$C2_FEED" --json 2>/dev/null >"$VAR/.c2.json" &&
	json_get "$VAR/.c2.json" active entries total)
rm -f "$VAR/.c2.json"

DEMO_SUMMARY="$DEMO_SUMMARY
Botnet list:  $BOTNET_FEED matches $BOTNET_ADDRS addresses in $BOTNET_UNITS units ($BOTNET_HOSTS candidate hosts)|Danh sách botnet: $BOTNET_FEED khớp $BOTNET_ADDRS địa chỉ của $BOTNET_UNITS đơn vị ($BOTNET_HOSTS máy trạm nghi nhiễm)
C2 list:      $C2_FEED, ${C2_ENTRIES:-0} addresses; connections to them raise alerts|Danh sách C2:     $C2_FEED, ${C2_ENTRIES:-0} địa chỉ; kết nối tới chúng sinh cảnh báo"
DEMO_TRY="$DEMO_TRY
botnet report
botnet report --unit $DEMO_UNIT
intel list
intel show $BOTNET_FEED"
