#!/bin/sh
# canh scan against yara and clamscan on the same corpus and the same rules.
#
#   bench/scan.sh [DIR]
#
# DIR holds the corpus (>= 500 MB: random binaries, text, many small files,
# planted harmless samples), generated there by bench/gen_scan_corpus.py
# when missing and reused when present. Without DIR a temporary directory is
# used and removed afterwards. CANH is the canh binary (default
# build/bin/canh); yara, yarac and clamscan come from the Debian packages.
#
# In one run, with the page cache warmed the same way for everyone (the
# corpus is read once before timing; dropping caches needs root, and a cold
# cache would measure the disk, not the scanners):
#   1. the shipped rules/yara/: canh scan --threads 2 vs yara -r -p 2 (both
#      compile the same source; 3 runs each, alternately, median wall time)
#      vs clamscan -r with a .ndb built from the same literals
#      (bench/scan_ndb.py; clamscan is single-threaded and stops at a file's
#      first match — both in its favour);
#   2. a second canh scan with --cache over the unchanged corpus vs a second
#      yara run;
#   3. when ../shared/bench-data/signature-base/yara/ exists: the same with
#      that rule set compiled once with yarac (externals filename, filepath,
#      extension, filetype and owner defined empty; canh sets them per file,
#      yara keeps them empty as -d gives them).
# Each line prints MB/s and the ratio canh / peer (above 1: canh faster).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
canh=${CANH:-$src/build/bin/canh}
for tool in yara yarac clamscan python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "$tool is not installed" >&2
		exit 2
	fi
done
if [ ! -x "$canh" ]; then
	echo "no canh binary at '$canh' (set CANH)" >&2
	exit 2
fi

made=""
if [ $# -ge 1 ]; then
	dir=$1
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/canh-bench-scan-XXXXXX")
	made=$dir
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/canh-bench-scan-work-XXXXXX")
cleanup() {
	rm -rf "$work"
	if [ -n "$made" ]; then
		rm -rf "$made"
	fi
}
trap cleanup EXIT

corpus=$dir/corpus
python3 "$here/gen_scan_corpus.py" "$corpus" "${CORPUS_MB:-560}"
bytes=$(find "$corpus" -type f ! -name .corpus-done -printf '%s\n' | awk '{s += $1} END {print s}')
files=$(find "$corpus" -type f ! -name .corpus-done | wc -l)
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')
echo "corpus: $corpus: $files files, $mb MB"
echo "warming the page cache (read once)"
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null

# Wall seconds of a command; its stdout goes to $work/out.
now() {
	date +%s.%N
}
timed() {
	t0=$(now)
	"$@" >"$work/out" 2>"$work/err" || true
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}
median3() {
	printf '%s\n%s\n%s\n' "$1" "$2" "$3" | sort -n | sed -n 2p
}
rate() {
	awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.1f", b / 1e6 / s}'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b / a}'
}

run_set() {
	label=$1
	shift
	# canh's and yara's rule arguments: "$@" is split at the "--" marker.
	canh_rules=""
	yara_rules=""
	side=canh
	for a in "$@"; do
		if [ "$a" = "--" ]; then
			side=yara
			continue
		fi
		if [ $side = canh ]; then
			canh_rules="$canh_rules $a"
		else
			yara_rules="$yara_rules $a"
		fi
	done
	echo
	echo "== $label"
	c1=$(timed "$canh" scan --threads 2 $canh_rules "$corpus")
	cdet=$(grep -c ': ' "$work/out" || true)
	y1=$(timed yara -r -p 2 $yara_rules "$corpus")
	ydet=$(wc -l <"$work/out")
	c2=$(timed "$canh" scan --threads 2 $canh_rules "$corpus")
	y2=$(timed yara -r -p 2 $yara_rules "$corpus")
	c3=$(timed "$canh" scan --threads 2 $canh_rules "$corpus")
	y3=$(timed yara -r -p 2 $yara_rules "$corpus")
	cm=$(median3 "$c1" "$c2" "$c3")
	ym=$(median3 "$y1" "$y2" "$y3")
	echo "canh scan --threads 2: $(rate "$cm") MB/s ($cm s; runs $c1 $c2 $c3; $((cdet - 1)) detections)"
	echo "yara -r -p 2:          $(rate "$ym") MB/s ($ym s; runs $y1 $y2 $y3; $ydet detections)"
	echo "first scan, canh / yara: $(ratio "$cm" "$ym")x"
	if [ -n "${NDB:-}" ]; then
		cl=$(timed clamscan -r --no-summary --infected --max-filesize=256M --max-scansize=256M \
			-d "$NDB" "$corpus")
		cldet=$(grep -c FOUND "$work/out" || true)
		echo "clamscan -r (.ndb of the same literals): $(rate "$cl") MB/s ($cl s; $cldet files reported)"
		echo "first scan, canh / clamscan: $(ratio "$cm" "$cl")x"
	fi
	rm -f "$work/cache"
	w=$(timed "$canh" scan --threads 2 --cache "$work/cache" $canh_rules "$corpus")
	r1=$(timed "$canh" scan --threads 2 --cache "$work/cache" $canh_rules "$corpus")
	rdet=$(grep -c ': ' "$work/out" || true)
	sum=$(tail -n 1 "$work/out")
	r2=$(timed "$canh" scan --threads 2 --cache "$work/cache" $canh_rules "$corpus")
	r3=$(timed "$canh" scan --threads 2 --cache "$work/cache" $canh_rules "$corpus")
	rm_=$(median3 "$r1" "$r2" "$r3")
	y4=$(timed yara -r -p 2 $yara_rules "$corpus")
	echo "canh scan, first with --cache (writes it): $(rate "$w") MB/s ($w s)"
	echo "canh scan, re-scan with --cache: $(rate "$rm_") MB/s ($rm_ s; runs $r1 $r2 $r3; $((rdet - 1)) detections)"
	echo "  $sum"
	echo "yara -r -p 2, second run: $(rate "$y4") MB/s ($y4 s)"
	echo "re-scan, canh (cache) / yara: $(ratio "$rm_" "$y4")x"
}

python3 "$here/scan_ndb.py" "$src/rules/yara" >"$work/canh.ndb" 2>/dev/null
NDB=$work/canh.ndb
run_set "shipped rules (rules/yara/, $(cat "$src"/rules/yara/*.yar | grep -c '^rule') rules)" \
	--rules "$src/rules/yara" -- "$src"/rules/yara/*.yar

sb=$src/../shared/bench-data/signature-base/yara
if [ -d "$sb" ]; then
	t0=$(now)
	if yarac -d filename= -d filepath= -d extension= -d filetype= -d owner= \
		"$sb"/*.yar "$work/sb.yarc" 2>"$work/yarac.err"; then
		t1=$(now)
		echo
		echo "signature-base: $(ls "$sb"/*.yar | wc -l) files compiled once with yarac in" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s" \
			"($(grep -c warning "$work/yarac.err" || true) warnings, no errors)"
		NDB=""
		run_set "signature-base (compiled)" --rules "$work/sb.yarc" -- \
			-d filename= -d filepath= -d extension= -d filetype= -d owner= -C "$work/sb.yarc"
	else
		echo "signature-base: yarac failed:" >&2
		grep -v warning "$work/yarac.err" | head -20 >&2
	fi
else
	echo
	echo "signature-base: $sb not found, skipped"
fi
