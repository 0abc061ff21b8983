#!/usr/bin/env python3
"""Generate ONE synthetic vulnerability data set in two formats.

    bench/gen_vulndata.py [--status /var/lib/dpkg/status] [--entries 220000]
                          [--seed 4] OUTDIR

writes
    OUTDIR/tracker.json   the Debian Security Tracker JSON (what `canh vuln check` reads)
    OUTDIR/bookworm       debsecan's per-suite feed, zlib-compressed, as
                          `debsecan --suite bookworm --source file:///OUTDIR/` reads it
    OUTDIR/expected.json  the class of every (CVE, source package) entry aimed at
                          an installed package, for the comparison in vuln_check.sh

The entries (CVE x source package, bookworm) are spread over the source packages
installed according to the dpkg status file, so that findings exist, and over
synthetic source packages that are not installed. For an installed source at
version V each entry is one of these classes (the names vuln_check.sh reports):

  fix-newer     resolved in bookworm at V+fixN (> V): affected, fix available
  branch-fix    resolved in bookworm at V~preN (< V), fixed in sid at V+sidN (> V):
                not affected; debsecan flags it (its rule: vulnerable when
                V < unstable fix and V is not EXACTLY one of the branch fixes)
  fix-equal     resolved in bookworm at exactly V: not affected
  fix-older     resolved in bookworm and in sid below V: not affected
  not-affected  fixed_version "0": never affected (absent from debsecan's feed)
  open          open, no fix in any release: affected, no fix yet
  undetermined  status undetermined: canh reports it apart (status
                "undetermined"); debsecan's feed carries it as an unfixed issue
  unimportant   open with urgency "unimportant": the tracker leaves these out of
                debsecan's feed; canh reports them (severity low)

debsecan's feed format (debsecan 0.4, fetch_data()): zlib of a text with a line
"VERSION 1", then one line per vulnerability "NAME,FLAGS,DESCRIPTION", an empty
line, one line per (package, vulnerability) "PACKAGE,VNUM,FLAGS,UNSTABLE_FIX,
OTHER_FIXES" where FLAGS is 4 characters (B binary / space source; urgency
L/M/H/space; remote R/?/space; fix available in the suite F/space), OTHER_FIXES
space-separated, an empty line, then "SOURCE,BINARY BINARY..." lines and an
empty line.
"""
import argparse
import json
import os
import random
import re
import sys
import zlib

CLASSES_INSTALLED = [
    ("fix-newer", 15),
    ("branch-fix", 10),
    ("fix-equal", 30),
    ("fix-older", 15),
    ("not-affected", 10),
    ("open", 10),
    ("undetermined", 4),
    ("unimportant", 6),
]
URGENCIES = ["low", "medium", "high", "not yet assigned"]
URG_FLAG = {"low": "L", "medium": "M", "high": "H"}


def read_status(path):
    """{source: (source_version, [binaries])} of installed packages, as debsecan sees them."""
    re_source = re.compile(r"^([a-zA-Z0-9.+-]+)(?:\s+\((\S+)\))?$")
    sources = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.split("\n"):
            if not line or line[0] in " \t" or ":" not in line:
                continue
            k, v = line.split(":", 1)
            fields[k] = v.strip()
        if "Package" not in fields or "Version" not in fields:
            continue
        if "installed" not in fields.get("Status", "").split(" "):
            continue
        name, ver = fields["Package"], fields["Version"]
        src, srcver = name, ver
        if "Source" in fields:
            m = re_source.match(fields["Source"])
            if m:
                src = m.group(1)
                srcver = m.group(2) or ver
        entry = sources.setdefault(src, [srcver, []])
        entry[1].append(name)
    return sources


def pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for name, w in table:
        x -= w
        if x <= 0:
            return name
    return table[-1][0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--status", default="/var/lib/dpkg/status")
    ap.add_argument("--entries", type=int, default=220000)
    ap.add_argument("--installed-share", type=float, default=0.2,
                    help="share of entries aimed at installed source packages")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("outdir")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    installed = read_status(a.status)
    inst_names = sorted(installed)
    n_inst = int(a.entries * a.installed_share)
    n_other = a.entries - n_inst
    n_fake = max(1, n_other // 10)  # ~10 entries per synthetic package
    fake = ["canhsyn-%05d" % i for i in range(n_fake)]

    tracker = {}  # source -> {cve: record}
    vulns = []  # (name, description)
    lines = []  # debsecan package lines
    expected = []  # (cve, source, class) for installed sources
    cve_no = 0

    def new_cve():
        nonlocal cve_no
        cve_no += 1
        return "CVE-%d-%05d" % (2015 + cve_no % 10, 10000 + cve_no)

    def emit(src, version, cls):
        cve = new_cve()
        urg = "unimportant" if cls == "unimportant" else rng.choice(URGENCIES)
        scope = rng.choice(["local", "remote"])
        desc = "synthetic issue %d in %s" % (cve_no, src)
        n = rng.randint(1, 3)
        rel = {"status": "resolved", "repositories": {"bookworm": version}, "urgency": urg}
        sid = None
        unstable, others, fix_avail = "", [], False
        if cls == "fix-newer":
            rel["fixed_version"] = "%s+fix%d" % (version, n)
            sid = "%s+sid%d" % (version, n + 1)
            unstable, others, fix_avail = sid, [rel["fixed_version"]], True
        elif cls == "branch-fix":
            rel["fixed_version"] = "%s~pre%d" % (version, n)
            sid = "%s+sid%d" % (version, n)
            unstable, others, fix_avail = sid, [rel["fixed_version"]], True
        elif cls == "fix-equal":
            rel["fixed_version"] = version
            sid = "%s+sid%d" % (version, n)
            unstable, others, fix_avail = sid, [version], True
        elif cls == "fix-older":
            rel["fixed_version"] = "%s~pre%d" % (version, n + 1)
            sid = "%s~pre%d" % (version, n)
            unstable, others, fix_avail = sid, [rel["fixed_version"]], True
        elif cls == "not-affected":
            rel["fixed_version"] = "0"
        elif cls in ("open", "unimportant"):
            rel["status"] = "open"
        elif cls == "undetermined":
            rel["status"] = "undetermined"
        rec = {"description": desc, "scope": scope, "releases": {"bookworm": rel}}
        if sid is not None:
            rec["releases"]["sid"] = {"status": "resolved", "repositories": {"sid": sid},
                                      "fixed_version": sid, "urgency": urg}
        elif cls != "not-affected":
            rec["releases"]["sid"] = {"status": rel["status"], "repositories": {"sid": version},
                                      "urgency": urg}
        tracker.setdefault(src, {})[cve] = rec
        # The debsecan feed: not-affected and unimportant entries are not in it.
        if cls not in ("not-affected", "unimportant"):
            vulns.append((cve, desc))
            flags = " " + URG_FLAG.get(urg, " ") + ("R" if scope == "remote" else " ") + \
                ("F" if fix_avail else " ")
            lines.append("%s,%d,%s,%s,%s" % (src, len(vulns) - 1, flags, unstable,
                                             " ".join(others)))
        return cve

    for i in range(n_inst):
        src = inst_names[i % len(inst_names)]
        cls = pick(rng, CLASSES_INSTALLED)
        cve = emit(src, installed[src][0], cls)
        expected.append((cve, src, cls))
    for i in range(n_other):
        src = fake[i % n_fake]
        emit(src, "1.%d-%d" % (i % 7, 1 + i % 3), pick(rng, CLASSES_INSTALLED))

    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "tracker.json"), "w", encoding="utf-8") as f:
        json.dump(tracker, f, separators=(",", ":"))
    text = ["VERSION 1"]
    text += ["%s,,%s" % v for v in vulns]
    text.append("")
    text += lines
    text.append("")
    for src in sorted(installed):
        text.append("%s,%s" % (src, " ".join(sorted(installed[src][1]))))
    for src in fake:
        text.append("%s,%s" % (src, src))
    text.append("")
    with open(os.path.join(a.outdir, "bookworm"), "wb") as f:
        f.write(zlib.compress(("\n".join(text) + "\n").encode("utf-8"), 6))
    with open(os.path.join(a.outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"entries": a.entries, "installed_sources": len(installed),
                   "binaries": {s: installed[s][1] for s in installed},
                   "installed": expected}, f)
    print("gen_vulndata: %d entries (%d on %d installed source packages, %d on %d "
          "synthetic ones), %d in debsecan's feed"
          % (a.entries, n_inst, len(installed), n_other, n_fake, len(lines)))


if __name__ == "__main__":
    sys.exit(main())
