#!/usr/bin/env python3
"""Vulnerabilities end to end: a real canhd and canh-agent on this machine, a tracker
file made from this machine's real packages imported with the CLI, findings appearing
for the agent's host, a second inventory (sent as the agent sends it) with upgraded
versions turning them fixed, a letter's per-unit compliance, malformed and oversized
advisory files refused, Vietnamese output."""

import json
import os
import subprocess
import sys
import time

import canhtest
from canhtest import Canhd, Client, cli, log, wait_until

MAKE_TRACKER = os.path.join(canhtest.SOURCE, "data", "demo", "vuln", "make-tracker")
KEV_SAMPLE = os.path.join(canhtest.SOURCE, "data", "demo", "vuln", "kev-sample.json")
LETTER_SAMPLE = os.path.join(canhtest.SOURCE, "data", "demo", "vuln", "letter-sample.json")
DPKG_STATUS = "/var/lib/dpkg/status"
GLIBC_CVE = "CVE-2023-4911"
LETTER = "9999/CATTT-DEMO"


def by(findings, **kw):
    return [f for f in findings if all(f.get(k) == v for k, v in kw.items())]


class VulnTest(canhtest.CanhTestCase):

    def setup_host(self, srv):
        self.create_unit(srv, code="HP-SGDDT")
        self.create_unit(srv, code="HP-THPT-NQ", name="Trường THPT Ngô Quyền", typ="school",
                         parent="HP-SGDDT")
        agent = self.enroll_agent(srv, unit="HP-THPT-NQ")
        agent.run()
        host = wait_until(lambda: (lambda h: h if h.get("packages") else None)(
            srv.api("GET", "hosts/%d" % agent.agent_id).json()), what="the first inventory")
        return agent, host

    def findings(self, srv, *args):
        r = cli(srv, "vuln", "findings", "--json", *args)
        self.assertEqual(r.rc, 0, r)
        return r.json()["findings"]

    def test_tracker_findings_fixed_letter(self):
        if not os.path.exists(DPKG_STATUS):
            self.skipTest("no dpkg status on this machine")
        srv = Canhd(self.ws).start()
        agent, host = self.setup_host(srv)
        hid = agent.agent_id
        glibc = [p for p in host["packages"] if p.get("source") == "glibc"]

        # -- a tracker made from this machine's packages --
        tracker = self.ws.path("tracker.json")
        with open(tracker, "w", encoding="utf-8") as f:
            subprocess.run([sys.executable, MAKE_TRACKER, "--status", DPKG_STATUS], stdout=f,
                           check=True)
        r = cli(srv, "vuln", "import", tracker)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("debian-tracker", r.out)
        r = cli(srv, "vuln", "import", KEV_SAMPLE, "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["kev"], 1)
        r = cli(srv, "vuln", "import", LETTER_SAMPLE, "--format", "letter")
        self.assertEqual(r.rc, 0, r)

        t0 = time.monotonic()
        found = wait_until(lambda: self.findings(srv, "--host", str(hid)),
                           what="findings for the agent's host")
        log("findings appeared %.1fs after the imports: %d" % (time.monotonic() - t0, len(found)))
        for f in found:
            self.assertEqual(f["status"], "open", f)
            self.assertEqual(f["unit"], "HP-THPT-NQ", f)
            if f["match"] == "affected":
                self.assertTrue(f["fixed_version"].endswith("+canhdemo1"), f)
            else:  # the tracker's undetermined entry: no fix known
                self.assertEqual((f["match"], f["fixed_version"]), ("undetermined", None), f)
        if glibc:
            libc = wait_until(lambda: by(self.findings(srv, "--host", str(hid)),
                                         advisory=GLIBC_CVE, kev=True),
                              what="the glibc finding flagged KEV")
            self.assertIn(LETTER, libc[0]["letters"])
            self.assertEqual(libc[0]["kev_due"], "2023-12-12")
        # one semantics: `canh vuln check`, offline on the same files, finds the same
        # (advisory, package) pairs as canhd on the agent's inventory of this machine
        r = canhtest.run([canhtest.CLI, "vuln", "check", "--advisories", tracker,
                          "--advisories", KEV_SAMPLE, "--advisories", LETTER_SAMPLE,
                          "--dpkg-status", DPKG_STATUS, "--json"])
        self.assertIn(r.rc, (0, 1), r)
        offline = {(f.get("advisory"), f.get("package")) for f in r.json()["findings"]}
        server = {(f["advisory"], f["package"]) for f in
                  wait_until(lambda: (lambda fs: fs if len(fs) >= len(offline) else None)(
                      self.findings(srv, "--host", str(hid))), what="every finding")}
        self.assertEqual(server, offline)
        # no finding for what the tracker says is not affected
        self.assertEqual(by(found, advisory="CVE-2024-3094"), [])
        # unit scoping: the parent unit sees its school's findings
        self.assertEqual(len(self.findings(srv, "--unit", "HP-SGDDT")), len(found))
        r = cli(srv, "vuln", "findings", "--unit", "NO-SUCH")
        self.assertEqual(r.rc, 1, r)

        # -- an operator accepts one: it stays accepted, with the reason --
        one = found[0]
        r = cli(srv, "vuln", "accept", str(one["id"]), "--reason", "máy thử nghiệm, cách ly")
        self.assertEqual(r.rc, 0, r)
        acc = by(self.findings(srv, "--status", "accepted"), id=one["id"])
        self.assertEqual(acc[0]["accept_reason"], "máy thử nghiệm, cách ly", acc)
        r = cli(srv, "vuln", "accept", "999999", "--reason", "x")
        self.assertEqual(r.rc, 1, r)
        everything = found
        found = [f for f in found if f["id"] != one["id"]]

        # -- the summary counts them --
        s = cli(srv, "summary", "--json").json()
        self.assertEqual(s["vuln"]["findings_open"], len(found), s)
        self.assertEqual(s["vuln"]["findings_accepted"], 1, s)

        # -- Vietnamese --
        r = cli(srv, "--lang", "vi", "vuln", "findings", "--host", str(hid))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("còn mở", r.out)
        self.assertIn("GÓI", r.out)

        # -- a second inventory, as the agent sends it, with every package upgraded --
        agent.stop()
        st = agent.status()
        seq = st["next_seq"]
        cred = agent.credential()
        fixed = {f["package"]: f["fixed_version"] for f in everything if f["fixed_version"]}
        pkgs = []
        for p in host["packages"]:
            q = {k: p[k] for k in ("manager", "name", "version", "arch", "source",
                                   "source_version") if p.get(k) is not None}
            if p["name"] in fixed:
                q["source_version"] = fixed[p["name"]]
                q["version"] = fixed[p["name"]]
            pkgs.append(q)
        # the agent's clock, a minute from now: fixed_at is the inventory's time
        when = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 60))
        inv = {"hostname": host["hostname"], "machine_id": host.get("machine_id") or "m",
               "os": host["os_info"], "kernel": {"release": "6.1"}, "arch": host["arch"],
               "packages": pkgs}
        batch = {"version": 1, "messages": [{"seq": seq, "type": "inventory", "time": when,
                                             "data": inv}]}
        r = srv.client.post("agent/messages", batch, token=cred)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stored"], 1, (r.json(), srv.db_query(
            "SELECT seq, reason FROM agent_rejects")))

        # (the undetermined entry has no fix: it stays open)
        def all_fixed():
            fs = [f for f in self.findings(srv, "--host", str(hid)) if f["fixed_version"]]
            return fs if fs and all(f["status"] == "fixed" for f in fs) else None
        done = wait_until(all_fixed, what="every finding with a fix fixed")
        for f in done:
            self.assertEqual(f["fixed_at"], when, f)
        self.assertEqual([f for f in self.findings(srv, "--open") if f["match"] == "affected"],
                         [])

        # -- the letter: fixed before its deadline, per unit with its parent's total --
        if glibc:
            r = cli(srv, "vuln", "letter", "show", LETTER, "--json")
            self.assertEqual(r.rc, 0, r)
            letter = r.json()
            units = {u["unit"]: u for u in letter["units"]}
            self.assertEqual(units["HP-THPT-NQ"]["own"]["hosts_affected"], 1, letter)
            self.assertEqual(units["HP-THPT-NQ"]["own"]["hosts_fixed"], 1, letter)
            self.assertEqual(units["HP-SGDDT"]["own"]["hosts_affected"], 0, letter)
            self.assertEqual(units["HP-SGDDT"]["total"]["hosts_affected"], 1, letter)
            fixed_in_time = units["HP-SGDDT"]["total"]["fixed_before_deadline"]
            fixed_late = units["HP-SGDDT"]["total"]["fixed_after_deadline"]
            self.assertEqual(fixed_in_time + fixed_late, 1, letter)
            r = cli(srv, "--lang", "vi", "vuln", "letter", "show", LETTER)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("Mức tuân thủ theo đơn vị", r.out)
            self.assertIn("HP-THPT-NQ", r.out)
            r = cli(srv, "vuln", "letter", "list")
            self.assertEqual(r.rc, 0, r)
            self.assertIn(LETTER, r.out)

    def test_refusals(self):
        cfg = self.ws.write("canhd.conf", "[vuln]\nmax_advisory_size = 64K\n")
        srv = Canhd(self.ws, config=cfg).start()
        # malformed: the position is named, in both languages
        bad = '{"glibc": {"CVE-1": {"releases": {}}},\n "tar": [1,, 2]}'
        r = srv.api("POST", "vuln/advisories?format=debian-tracker&filename=bad.json", bad,
                    content_type="application/json")
        j = self.assert_error(r, 400, "bad_request", mention="line 2")
        self.assertIn("bad.json", j["error"])
        r = srv.api("POST", "vuln/advisories?filename=bad.json", bad,
                    content_type="application/json", headers={"Accept-Language": "vi"})
        j = self.assert_error(r, 400, mention="dòng 2")
        r = srv.api("POST", "vuln/advisories?filename=x.txt", "hello world",
                    content_type="text/plain")
        self.assert_error(r, 400, mention="format")
        r = srv.api("POST", "vuln/advisories?format=nope", "{}", content_type="application/json")
        self.assert_error(r, 400, mention="nope")
        # oversized: refused before it is read
        big = "{" + ",".join('"p%d": {}' % i for i in range(20000)) + "}"
        self.assertGreater(len(big), 64 * 1024)
        r = srv.api("POST", "vuln/advisories?format=debian-tracker", big,
                    content_type="application/json")
        self.assert_error(r, 413, "too_large")
        # unknown finding, letter
        r = srv.api("POST", "vuln/findings/424242/accept", {"reason": "x"})
        self.assert_error(r, 404)
        r = srv.api("GET", "vuln/letters/1%2FNOPE")
        self.assert_error(r, 404, mention="1/NOPE")
        r = cli(srv, "vuln", "findings", "--status", "bogus")
        self.assertEqual(r.rc, 2, r)
        # nothing was imported
        self.assertEqual(srv.api("GET", "vuln/imports").json()["imports"], [])


if __name__ == "__main__":
    canhtest.main()
