#!/bin/sh
# canh logtest against fail2ban-regex on the same synthetic auth.log, then
# scaling with the number of rules. Usage: bench/logtest.sh [BUILD_DIR]
#
# Prints, from one run: lines/s per core (CPU time, user + system) and peak
# RSS of `canh logtest --stats` with the shipped pack (rules/sigma/) on
# 1,000,000 lines of ../shared/bench-data/gen_authlog.py and on 1,000,000
# lines that match nothing; fail2ban-regex with its sshd filter on the same
# auth.log; the ratio; and lines/s with 10, 100 and 1,000 rules made from
# the public SigmaHQ Linux rules (bench/gen_sigma_variants.py).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
CANH=${CANH:-$BUILD/bin/canh}
DATA=../shared/bench-data
N=${N:-1000000}
[ -x "$CANH" ] || { echo "logtest bench: build canh first ($CANH)" >&2; exit 1; }
[ -f "$DATA/gen_authlog.py" ] || { echo "logtest bench: $DATA absent, skipped" >&2; exit 0; }
TMP=$(mktemp -d /tmp/canh-logtest-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

python3 "$DATA/gen_authlog.py" "$N" > "$TMP/auth.log"
python3 - "$N" > "$TMP/nomatch.log" <<'PY'
import sys
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    w(f"Nov 21 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} srv{i % 50:03d} "
      f"appd[{1000 + i % 5000}]: heartbeat ok seq={i} queue=0 latency_ms={i % 97}\n")
PY

# run NAME RULES FILE: one logtest run; prints lines/s/core, peak RSS, alerts.
run() {
	/usr/bin/time -f "%U %S %M" -o "$TMP/time" "$CANH" logtest --stats --format syslog \
		--rules "$2" "$3" > "$TMP/alerts" 2> "$TMP/stats"
	read -r u s rss < "$TMP/time"
	alerts=$(wc -l < "$TMP/alerts")
	nrules=$(sed -n 's/.*rules \([0-9]*\), rules tried.*/\1/p' "$TMP/stats" | head -n 1)
	eng=$(sed -n 's/.* s CPU, \([0-9]*\) lines\/s.*/\1/p' "$TMP/stats" | head -n 1)
	tot=$(echo "$N $u $s" | awk '{ printf "%.0f", $1 / ($2 + $3) }')
	printf '%-34s rules %5s  lines/s/core %9s (whole process, rules loading included; matching loop alone %s)  peak RSS %6d KiB  alerts %s\n' \
		"$1" "$nrules" "$tot" "$eng" "$rss" "$alerts"
	echo "$tot"> "$TMP/last"
}

SHIPPED=rules/sigma
if [ -z "$(find "$SHIPPED" -name '*.yml' 2>/dev/null | head -n 1)" ]; then
	echo "logtest bench: no shipped rules in $SHIPPED yet, using the public Linux rules" >&2
	SHIPPED=$DATA/sigma-linux/rules/linux
fi
echo "canh logtest, $N lines, $(nproc) cores here, one used"
run "auth.log mix, shipped pack" "$SHIPPED" "$TMP/auth.log"
canh_auth=$(cat "$TMP/last")
run "lines matching nothing, shipped" "$SHIPPED" "$TMP/nomatch.log"

if command -v fail2ban-regex > /dev/null 2>&1; then
	/usr/bin/time -f "%U %S %M" -o "$TMP/time" fail2ban-regex "$TMP/auth.log" \
		/etc/fail2ban/filter.d/sshd.conf > "$TMP/f2b" 2>&1
	read -r u s rss < "$TMP/time"
	f2b=$(echo "$N $u $s" | awk '{ printf "%.0f", $1 / ($2 + $3) }')
	matched=$(sed -n 's/^Lines: .* \([0-9]*\) matched.*/\1/p' "$TMP/f2b" | head -n 1)
	printf '%-34s            lines/s/core %9s  peak RSS %6d KiB  matched %s\n' \
		"fail2ban-regex sshd.conf" "$f2b" "$rss" "$matched"
	echo "ratio canh / fail2ban-regex on the auth.log mix: $(echo "$canh_auth $f2b" | awk '{ printf "%.1f", $1 / $2 }')x"
else
	echo "fail2ban-regex not installed: comparison skipped"
fi

if [ -d "$DATA/sigma-linux/rules/linux" ]; then
	echo "scaling (public SigmaHQ Linux rules and variants of them with other literals):"
	for n in 10 100 1000; do
		python3 bench/gen_sigma_variants.py "$DATA/sigma-linux/rules/linux" "$n" "$TMP/r$n"
		run "auth.log mix, $n rules" "$TMP/r$n" "$TMP/auth.log"
	done
fi
