#!/bin/sh
# bench/vuln-check: `canh vuln check` against debsecan on the same host package
# list and the same synthetic vulnerability data (bench/gen_vulndata.py writes
# it in both formats). Prints both wall times (median of 3 after one warm-up
# run each), the ratio, and whether the findings agree (CVE x binary package),
# each difference explained by the class of the entry that caused it.
#
#   bench/vuln_check.sh [BUILD_DIR] [DPKG_STATUS]
#
# Environment: ENTRIES (default 220000), SHARE (share of entries on installed source
# packages, default 0.2), RUNS (default 3), KEEP=1 keeps the data.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
status=${2:-/var/lib/dpkg/status}
canh=$build/bin/canh
[ -x "$canh" ] || { echo "vuln_check.sh: no $canh (build first: make build)" >&2; exit 2; }
command -v debsecan >/dev/null || { echo "vuln_check.sh: debsecan is not installed" >&2; exit 2; }
dir=$(mktemp -d /tmp/canh-vulnbench-XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT INT TERM

python3 bench/gen_vulndata.py --status "$status" --entries "${ENTRIES:-220000}" \
	--installed-share "${SHARE:-0.2}" "$dir"

python3 - "$canh" "$status" "$dir" "${RUNS:-3}" <<'EOF'
import json, os, resource, statistics, subprocess, sys, time

canh, status, d, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deb = ["debsecan", "--suite", "bookworm", "--source", "file://%s/" % d, "--status", status,
       "--format", "detail"]
cvc = [canh, "vuln", "check", "--advisories", os.path.join(d, "tracker.json"),
       "--release", "bookworm", "--dpkg-status", status]
env = dict(os.environ, LANG="C", LC_ALL="C")


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, out=subprocess.DEVNULL):
    c, t = cpu(), time.perf_counter()
    p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
    dt = time.perf_counter() - t
    run.cpu = cpu() - c
    # canh: 1 = findings; debsecan: 0
    if p.returncode not in (0, 1):
        sys.exit("%s failed (%d): %s" % (cmd[0], p.returncode, p.stderr.decode()[:500]))
    return dt, p


def timed(cmd):
    run(cmd)  # warm-up: page cache, Python's byte code
    ts, cs = [], []
    for _ in range(runs):
        ts.append(run(cmd)[0])
        cs.append(run.cpu)
    return statistics.median(ts), ts, statistics.median(cs)


deb_t, deb_all, deb_cpu = timed(deb)
canh_t, canh_all, canh_cpu = timed(cvc)

# Findings as (vulnerability, binary package) sets.
_, p = run(deb, subprocess.PIPE)
dset, bug = set(), None
for line in p.stdout.decode("utf-8", "replace").split("\n"):
    if line and not line[0].isspace():
        bug = line.split(" ", 1)[0]
    elif line.startswith("  installed: ") and bug:
        dset.add((bug, line.split()[1]))
_, p = run(cvc + ["--json"], subprocess.PIPE)
cj = json.loads(p.stdout)
cset = set((f["cve"] or f["advisory"], f["package"]) for f in cj["findings"])
undetermined = sum(1 for f in cj["findings"] if f["status"] == "undetermined")

exp = json.load(open(os.path.join(d, "expected.json")))
cls = {(c, s): k for c, s, k in exp["installed"]}
src_of = {b: s for s, bs in exp["binaries"].items() for b in bs}
truth = set()
for c, s, k in exp["installed"]:
    if k in ("fix-newer", "open", "undetermined", "unimportant"):
        truth |= set((c, b) for b in exp["binaries"][s])


def classes(pairs):
    out = {}
    for c, b in pairs:
        k = cls.get((c, src_of.get(b, b)), "unknown")
        out[k] = out.get(k, 0) + 1
    return out


why = {
    "branch-fix": "debsecan's exact-match rule: the installed version is above the bookworm "
                  "fix but below sid's, and is not EXACTLY the branch fix, so debsecan flags "
                  "it (a false positive); canh compares with dpkg's order and finds it fixed",
    "unimportant": "urgency: the tracker leaves 'unimportant' issues out of debsecan's feed; "
                   "canh reports them (severity low; --severity medium hides them)",
}
print("vuln-check: %d CVE x package entries (%d on %d installed source packages), "
      "%s (%d binary packages)" % (exp["entries"], len(exp["installed"]),
                                   exp["installed_sources"], status, len(src_of)))
print("debsecan %s --format detail: %.3f s (median of %d: %s)"
      % ("bookworm", deb_t, runs, ", ".join("%.3f" % t for t in deb_all)))
print("canh vuln check:                  %.3f s (median of %d: %s)"
      % (canh_t, runs, ", ".join("%.3f" % t for t in canh_all)))
print("ratio: canh is %.1fx faster (wall); CPU time (user+sys, median): debsecan %.3f s, "
      "canh %.3f s, %.1fx; load average %.1f" % (deb_t / canh_t, deb_cpu, canh_cpu,
                                                 deb_cpu / canh_cpu, os.getloadavg()[0]))
both = cset & dset
print("findings: canh %d, debsecan %d, both %d" % (len(cset), len(dset), len(both)))
unexplained = 0
for label, diff in (("only debsecan", dset - cset), ("only canh", cset - dset)):
    for k, n in sorted(classes(diff).items()):
        print("  %s: %d [%s] %s" % (label, n, k, why.get(k, "UNEXPLAINED")))
        unexplained += 0 if k in why else n
print("  canh marks %d of its findings 'undetermined' (the tracker has not decided; "
      "debsecan's feed carries them as unfixed, so both report them)" % undetermined)
print("canh against the generator's ground truth: %s"
      % ("exact" if cset == truth else "%d missing, %d extra"
         % (len(truth - cset), len(cset - truth))))
sys.exit(1 if unexplained or cset != truth else 0)
EOF
