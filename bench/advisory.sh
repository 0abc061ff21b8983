#!/bin/sh
# Parse time and peak RSS of the Debian tracker import: canh's streaming
# parser against loading the file as one jansson tree, on the same synthetic
# ~80 MB file (bench/gen_tracker.py).
#
#   bench/advisory.sh BUILD_DIR [MB]
set -eu
build=${1:?usage: bench/advisory.sh BUILD_DIR [MB]}
mb=${2:-80}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/canh-bench-advisory-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen_tracker.py" --mb "$mb" "$tmp/tracker.json"
run() {
	/usr/bin/time -v "$build/bench/bench_advisory" "$@" "$tmp/tracker.json" 2>"$tmp/time" >"$tmp/out"
	cat "$tmp/out"
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	echo "  peak RSS: $((rss / 1024)) MB"
	echo "$rss" >"$tmp/rss.$1"
	sed -n 's/^[a-z ]*: \([0-9.]*\) s,.*/\1/p' "$tmp/out" >"$tmp/sec.$1"
}
run --jansson
run --stream
run --release bookworm
echo "ratio (jansson / canh): time $(echo "scale=1; $(cat "$tmp/sec.--jansson") / $(cat "$tmp/sec.--stream")" | bc)x," \
	"peak RSS $(echo "scale=1; $(cat "$tmp/rss.--jansson") / $(cat "$tmp/rss.--stream")" | bc)x"
