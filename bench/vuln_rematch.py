#!/usr/bin/env python3
"""How long canhd takes to import a large tracker file and to re-match every host.

    bench/vuln_rematch.py [--hosts 1000] [--entries 220000] [--bin build/bin]

A real canhd on 127.0.0.1 (temporary state directory); N hosts enrolled through
the API, each sending one inventory with this machine's dpkg packages (as an
agent does); then the synthetic tracker of bench/gen_vulndata.py (>= 200,000
CVE x package entries) is imported with POST /vuln/advisories, and the time is
measured until every host has been matched again (GET /summary:
vuln.hosts_pending_match == 0). Prints the import's wall time (parse + store in
one transaction, the request's duration), the re-match time and rate, and the
findings. Not run by ctest.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))


def dpkg_packages(path):
    pkgs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for st in f.read().split("\n\n"):
            d = {}
            for line in st.splitlines():
                if line[:1] not in (" ", "\t") and ":" in line:
                    k, _, v = line.partition(":")
                    d[k.strip()] = v.strip()
            if not d.get("Package") or not d.get("Status", "").endswith(" installed"):
                continue
            src, sv = d.get("Source", d["Package"]), d.get("Version", "")
            if "(" in src:
                src, _, v = src.partition("(")
                sv = v.rstrip(")").strip()
            pkgs.append({"manager": "dpkg", "name": d["Package"], "version": d["Version"],
                         "arch": d.get("Architecture"), "source": src.strip(),
                         "source_version": sv})
    return pkgs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=220000)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--status", default="/var/lib/dpkg/status")
    a = ap.parse_args()
    os.environ["CANH_BIN"] = os.path.abspath(a.bin)
    import canhtest  # after CANH_BIN is set

    ws = canhtest.Workspace("bench-vuln")
    try:
        data = ws.mkdir("data")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_vulndata.py"), "--status",
                        a.status, "--entries", str(a.entries), data], check=True,
                       stdout=subprocess.DEVNULL)
        tracker = os.path.join(data, "tracker.json")
        cfg = ws.write("canhd.conf", "[server]\nmax_body_total = 1G\n")
        srv = canhtest.Canhd(ws, config=cfg).start()
        r = srv.api("POST", "units", {"code": "B", "name": "bench", "type": "other",
                                      "parent": None, "public_ranges": [], "contacts": []})
        assert r.status == 201, r
        pkgs = dpkg_packages(a.status)
        os_info = {"id": "debian", "version_id": "12", "version_codename": "bookworm"}

        def one(i):
            tok = srv.api("POST", "tokens", {"unit": "B"}).json()["token"]
            e = srv.api("POST", "enroll", {"token": tok, "hostname": "h%d" % i,
                                           "machine_id": "%032x" % i,
                                           "agent_version": "bench"}, token=None).json()
            inv = {"hostname": "h%d" % i, "machine_id": "%032x" % i, "os": os_info,
                   "kernel": {"release": "6.1"}, "arch": "x86_64", "packages": pkgs}
            b = {"version": 1, "messages": [{"seq": 1, "type": "inventory",
                                             "time": "2026-11-21T11:00:00Z", "data": inv}]}
            r = srv.client.post("agent/messages", b, token=e["credential"])
            assert r.status == 200, r

        t = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(one, range(a.hosts)))
        print("enrolled %d hosts with %d packages each in %.1f s"
              % (a.hosts, len(pkgs), time.monotonic() - t))

        def pending():
            return srv.api("GET", "summary").json()["vuln"]["hosts_pending_match"]
        canhtest.wait_until(lambda: pending() == 0, timeout=600, interval=0.2,
                            what="first matches")

        with open(tracker, "rb") as f:
            body = f.read()
        srv.client.timeout = 1800
        t = time.monotonic()
        r = srv.api("POST", "vuln/advisories?format=debian-tracker&filename=tracker.json",
                    body, content_type="application/json")
        t_import = time.monotonic() - t
        assert r.status == 200, r
        j = r.json()
        t = time.monotonic()
        canhtest.wait_until(lambda: pending() == 0, timeout=1800, interval=0.2,
                            what="the retro-match")
        t_match = time.monotonic() - t
        s = srv.api("GET", "summary").json()["vuln"]
        print("import: %.1f MB, %d advisories, %d affected entries stored in %.2f s "
              "(request wall time; canhd's own figure %d ms)"
              % (len(body) / 1e6, j["advisories"], j["affected"], t_import, j["ms"]))
        print("retro-match: %d hosts in %.2f s (%.0f hosts/s, index rebuild included), "
              "%d open findings on %d hosts"
              % (a.hosts, t_match, a.hosts / t_match if t_match else 0, s["findings_open"],
                 s["hosts_affected"]))
        # The same file again: every host re-matched, nothing changes (reads, no writes).
        t = time.monotonic()
        r = srv.api("POST", "vuln/advisories?format=debian-tracker&filename=tracker.json",
                    body, content_type="application/json")
        assert r.status == 200, r
        canhtest.wait_until(lambda: pending() == 0, timeout=1800, interval=0.2,
                            what="the second retro-match")
        t_again = time.monotonic() - t
        print("same file again (import + re-match, nothing changes): %d hosts in %.2f s "
              "(%.0f hosts/s)" % (a.hosts, t_again, a.hosts / t_again if t_again else 0))
        for line in open(srv.proc.log_path, encoding="utf-8", errors="replace"):
            if "matched " in line and " hosts in " in line:
                print("canhd: " + line.split("info: ", 1)[-1].strip())
        srv.stop()
    finally:
        ws.cleanup()


if __name__ == "__main__":
    main()
