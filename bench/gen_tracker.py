#!/usr/bin/env python3
"""Write a synthetic Debian Security Tracker JSON of about SIZE megabytes.

    bench/gen_tracker.py [--mb 80] [--seed 1] OUT.json

Shaped like https://security-tracker.debian.org/tracker/data/json: source
packages, each with CVE and TEMP records holding a description, scope,
debianbug and per-release entries (bullseye, bookworm, trixie, sid) with
status, repositories, fixed_version and urgency, in the proportions the real
file shows (mostly resolved, some open, a few undetermined and "0"). Used by
bench/advisory.sh to time canh's streaming parse against loading the tree.
"""
import argparse
import json
import random
import sys

RELEASES = ["bullseye", "bookworm", "trixie", "sid"]
URGENCIES = ["not yet assigned"] * 6 + ["low", "medium", "high", "unimportant", "end-of-life"]
WORDS = ("buffer overflow use-after-free heap stack integer remote attackers "
         "denial of service crafted file via allows cause execute arbitrary code "
         "in the function when processing a malformed request could lead to").split()


def version(rng):
    v = "%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 99))
    if rng.random() < 0.2:
        v = "%d:%s" % (rng.randint(1, 3), v)
    return v + "-%d" % rng.randint(1, 9)


def record(rng, n):
    base = version(rng)
    rels = {}
    for i, rel in enumerate(RELEASES):
        if rng.random() < 0.15:
            continue
        r = rng.random()
        entry = {}
        if r < 0.70:
            entry["status"] = "resolved"
            entry["repositories"] = {rel: base + "+deb%du%d" % (11 + i, rng.randint(1, 9))}
            entry["fixed_version"] = "0" if rng.random() < 0.08 else base + "+deb%du%d" % (
                11 + i, rng.randint(1, 9))
        elif r < 0.95:
            entry["status"] = "open"
            entry["repositories"] = {rel: base}
        else:
            entry["status"] = "undetermined"
            entry["repositories"] = {rel: base}
        if rng.random() < 0.3:
            entry["repositories"][rel + "-security"] = base + "+deb%du9" % (11 + i)
        entry["urgency"] = rng.choice(URGENCIES)
        if entry["status"] == "open" and rng.random() < 0.3:
            entry["nodsa"] = "Minor issue"
            entry["nodsa_reason"] = ""
        rels[rel] = entry
    rec = {"description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))),
           "scope": rng.choice(["local", "remote"]),
           "releases": rels}
    if rng.random() < 0.3:
        rec["debianbug"] = rng.randint(100000, 1090000)
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=80)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    target = int(a.mb * 1024 * 1024)
    written = 0
    npkg = 0
    nrec = 0
    with open(a.out, "w") as f:
        f.write("{")
        while written < target:
            name = "pkg%05d-%s" % (npkg, rng.choice(["lib", "python3", "golang", "node", "x"]))
            recs = {}
            for _ in range(rng.choice([1, 1, 2, 3, 5, 8, 20, 60])):
                if rng.random() < 0.05:
                    cid = "TEMP-%07d-%06X" % (rng.randint(0, 9999999), rng.randint(0, 0xFFFFFF))
                else:
                    cid = "CVE-%d-%d" % (rng.randint(1999, 2026), rng.randint(1000, 59999))
                recs[cid] = record(rng, nrec)
                nrec += 1
            s = ("," if npkg else "") + json.dumps(name) + ": " + json.dumps(recs)
            f.write(s)
            written += len(s)
            npkg += 1
        f.write("}\n")
    print("%s: %d packages, %d records, %.1f MB" % (a.out, npkg, nrec, written / 1048576.0),
          file=sys.stderr)


if __name__ == "__main__":
    main()
