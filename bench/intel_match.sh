#!/bin/sh
# canh intel match against grepcidr -f on the same list and the same input.
#
#   bench/intel_match.sh [DIR]
#
# DIR holds list.txt (1.1 M entries: addresses, networks, ranges, some IPv6)
# and queries.log (5 M log-like lines); they are generated there by
# bench/gen_intel_match.py when missing (about 500 MB; a minute or two).
# Without DIR, a temporary directory is used and removed afterwards.
# CANH is the canh binary (default build/bin/canh); grepcidr comes from the
# Debian package. Each tool runs 3 times, alternately; the medians of wall
# and CPU (user + system) times are printed with the ratios, and the outputs
# are compared byte for byte.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
canh=${CANH:-$here/../build/bin/canh}
if [ ! -x "$canh" ]; then
	echo "no canh binary at '$canh' (set CANH)" >&2
	exit 2
fi
if ! command -v grepcidr >/dev/null 2>&1; then
	echo "grepcidr is not installed (Debian package grepcidr)" >&2
	exit 2
fi

made=""
if [ $# -ge 1 ]; then
	dir=$1
	mkdir -p "$dir"
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/canh-bench-intel-match-XXXXXX")
	made=$dir
fi
cleanup() {
	if [ -n "$made" ]; then
		rm -rf "$made"
	fi
}
trap cleanup EXIT

if [ ! -s "$dir/list.txt" ] || [ ! -s "$dir/queries.log" ]; then
	echo "generating $dir/list.txt and $dir/queries.log ..."
	python3 "$here/gen_intel_match.py" "$dir/list.txt" "$dir/queries.log"
fi

python3 - "$canh" "$dir" <<'EOF'
import filecmp
import os
import statistics
import subprocess
import sys
import time

canh, d = sys.argv[1], sys.argv[2]
lst, queries = os.path.join(d, "list.txt"), os.path.join(d, "queries.log")
tools = {
    "canh intel match": ([canh, "intel", "match", "--list", lst, queries],
                         os.path.join(d, "canh.out")),
    "grepcidr -f": (["grepcidr", "-f", lst, queries], os.path.join(d, "grepcidr.out")),
}


def run(argv, out):
    with open(out, "wb") as f:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=f)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc not in (0, 1):
        sys.exit("%s exited with %d" % (argv[0], rc))
    return wall, ru.ru_utime + ru.ru_stime


walls = {k: [] for k in tools}
cpus = {k: [] for k in tools}
for _ in range(3):
    for name, (argv, out) in tools.items():
        w, c = run(argv, out)
        walls[name].append(w)
        cpus[name].append(c)

with open(lst) as f:
    entries = sum(1 for line in f if line.strip() and not line.startswith("#"))
with open(queries, "rb") as f:
    lines = sum(1 for _ in f)
with open(tools["canh intel match"][1], "rb") as f:
    matched = sum(1 for _ in f)
print("list: %d entries; input: %d lines; matching lines: %d" % (entries, lines, matched))
print("%-18s %14s %14s" % ("", "wall s (med.)", "CPU s (med.)"))
for name in tools:
    print("%-18s %14.2f %14.2f" % (name, statistics.median(walls[name]),
                                   statistics.median(cpus[name])))
mw = {k: statistics.median(v) for k, v in walls.items()}
mc = {k: statistics.median(v) for k, v in cpus.items()}
print("canh is %.1fx faster in wall time, %.1fx in CPU time" % (
    mw["grepcidr -f"] / mw["canh intel match"], mc["grepcidr -f"] / mc["canh intel match"]))
same = filecmp.cmp(tools["canh intel match"][1], tools["grepcidr -f"][1], shallow=False)
print("outputs: %s" % ("identical, byte for byte" if same else "DIFFERENT"))
sys.exit(0 if same else 1)
EOF
