#!/usr/bin/env python3
"""Centralised anti-malware end to end: real canhd, canh-agent and canh. Rule sets are
uploaded (a broken one is refused with its line, an oversized one with 413), a hunt on a
temporary directory with planted harmless samples gives detections with their hashes, an
agent that is stopped picks its hunt up when it starts again, auto-quarantine moves a file
and a restore brings it back byte-identical with its mode, and each hash type is found
through a hash list."""

import hashlib
import os
import stat
import time

import canhtest
from canhtest import Agent, Canhd, cli, log, wait_until

RULES_DIR = os.path.join(canhtest.SOURCE, "rules", "yara")

# EICAR assembled at run time, so this file is not itself the test string.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}" + "$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()

BROKEN = """rule ok_one { strings: $a = "abc" condition: $a }

rule broken_two {
    strings:
        $a = "abc"
    condition:
        $a and $undefined }
"""

TASKS = {"task_poll_interval": "300ms", "hunt.cpu_percent": "100", "hunt.nice": "0",
         "hunt.ionice_idle": "no", "inventory_interval": "1h", "flow_interval": "0"}


def sha(data, algo):
    return hashlib.new(algo, data).hexdigest()


class HuntTest(canhtest.CanhTestCase):

    def upload(self, srv, name, data, kind="yara", filename=None):
        path = "rules?name=%s&kind=%s" % (name, kind)
        if filename:
            path += "&filename=" + filename
        return srv.api("POST", path, data, content_type="text/plain")

    def shipped_rules(self):
        text = ""
        for f in sorted(os.listdir(RULES_DIR)):
            if f.endswith(".yar") or f.endswith(".yara"):
                with open(os.path.join(RULES_DIR, f), encoding="utf-8") as fh:
                    text += fh.read() + "\n"
        return text

    def plant(self, d):
        os.makedirs(d, exist_ok=True)
        files = {}

        def put(name, data, mode=0o644):
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, mode)
            files[name] = (p, data)
        put("eicar.com", EICAR, 0o640)
        put("clean.txt", b"nothing to see here\n" * 100)
        return files

    def hunt_state(self, srv, hid, host):
        r = srv.api("GET", "hunts/%d" % hid)
        self.assertEqual(r.status, 200, r)
        for h in r.json()["hosts"]:
            if h["host"] == host:
                return h
        self.fail("host %d not in hunt %d: %r" % (host, hid, r.json()))

    def wait_done(self, srv, hid, host, timeout=60):
        return wait_until(lambda: (lambda h: h if h["state"] in ("done", "failed") else None)(
            self.hunt_state(srv, hid, host)), timeout=timeout, what="hunt %d done" % hid)

    def test_rules_upload_checks(self):
        srv = Canhd(self.ws, config=self.ws.write("canhd.conf", "[hunt]\nmax_rules_size = 64K\n"))
        srv.start()
        r = self.upload(srv, "shipped", self.shipped_rules())
        self.assertEqual(r.status, 201, r)
        j = r.json()
        self.assertEqual(j["version"], 1)
        self.assertGreaterEqual(j["rules"], 10)
        self.assertEqual(j["sha256"], sha(self.shipped_rules().encode(), "sha256"))
        self.assertGreater(j["compiled_size"], 0)
        # the same source again: unchanged, same version
        r = self.upload(srv, "shipped", self.shipped_rules())
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["unchanged"])
        self.assertEqual(r.json()["version"], 1)
        # a compile error: 400 with the file and the line, in English and Vietnamese
        r = self.upload(srv, "broken", BROKEN, filename="broken.yar")
        self.assertEqual(r.status, 400, r)
        errs = r.json()["errors"]
        self.assertEqual(errs[0]["file"], "broken.yar")
        self.assertEqual(errs[0]["line"], 7, errs)
        self.assertIn("broken.yar:7", r.json()["error"])
        r = srv.api("POST", "rules?name=broken&kind=yara", BROKEN, content_type="text/plain",
                    headers={"Accept-Language": "vi"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("không biên dịch được", r.json()["error"])
        # binary garbage: refused, naming the offset
        r = self.upload(srv, "garbage", b"rule a { condition: true }\n\xff\xfe\x00\x01")
        self.assertEqual(r.status, 400, r)
        self.assertIn("offset 27", r.json()["error"])
        # over [hunt] max_rules_size: 413
        big = "// " + "x" * (70 * 1024) + "\nrule big { condition: true }\n"
        r = self.upload(srv, "big", big)
        self.assertEqual(r.status, 413, r)
        # nothing of the refused uploads was stored
        names = [x["name"] for x in srv.api("GET", "rules").json()["rules"]]
        self.assertEqual(names, ["shipped"])
        # a hash list without any hash
        r = self.upload(srv, "nohash", "just words\n", kind="hashes")
        self.assertEqual(r.status, 400, r)
        # a new version
        r = self.upload(srv, "shipped", self.shipped_rules() + "\nrule extra { condition: false }\n")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["version"], 2)
        r = srv.api("GET", "rules/shipped")
        self.assertEqual([v["version"] for v in r.json()["history"]], [1, 2])

    def test_hunt_detections_offline_quarantine_restore_hashes(self):
        srv = Canhd(self.ws)
        srv.start()
        agent = self.enroll_agent(srv, unit="HP-THPT")
        host = agent.status()["agent_id"]
        r = self.upload(srv, "shipped", self.shipped_rules())
        self.assertEqual(r.status, 201, r)
        samples = self.ws.mkdir("samples")
        files = self.plant(samples)

        # -- the agent is not running: the hunt stays queued --
        r = srv.api("POST", "hunts", {"rules": "shipped", "hosts": [host], "paths": [samples]})
        self.assertEqual(r.status, 201, r)
        hid = r.json()["id"]
        self.assertEqual(r.json()["rules_version"], 1)
        time.sleep(1)
        self.assertEqual(self.hunt_state(srv, hid, host)["state"], "queued")

        # -- it starts: the hunt runs and the detection arrives with its hashes --
        agent.run(TASKS)
        h = self.wait_done(srv, hid, host)
        self.assertEqual(h["state"], "done", h)
        self.assertEqual(h["files"], 2, h)
        self.assertEqual(h["detections"], 1, h)
        dets = wait_until(lambda: srv.api("GET", "detections?hunt=%d" % hid).json()["detections"],
                          what="detections")
        self.assertEqual(len(dets), 1, dets)
        d = dets[0]
        p, data = files["eicar.com"]
        self.assertEqual(d["path"], p)
        self.assertEqual(d["rule"], "EICAR_Test_File")
        self.assertEqual(d["md5"], sha(data, "md5"))
        self.assertEqual(d["sha1"], sha(data, "sha1"))
        self.assertEqual(d["sha256"], sha(data, "sha256"))
        self.assertEqual(d["rules"], "shipped")
        self.assertEqual(d["rules_version"], 1)
        self.assertEqual(d["action"], "none")
        self.assertEqual(d["host"], host)
        self.assertEqual(d["unit"], "HP-THPT")
        self.assertTrue(os.path.exists(p))

        # -- auto-quarantine, then restore --
        r = srv.api("POST", "hunts", {"rules": "shipped", "unit": "HP-THPT", "paths": [samples],
                                      "quarantine": True})
        self.assertEqual(r.status, 201, r)
        hq = r.json()["id"]
        self.assertEqual(r.json()["hosts_total"], 1)
        self.wait_done(srv, hq, host)
        wait_until(lambda: not os.path.exists(p), what="the sample moved away")
        q = wait_until(lambda: srv.api("GET", "quarantine?host=%d" % host).json()["quarantine"],
                       what="the quarantine record")
        self.assertEqual(len(q), 1, q)
        self.assertEqual(q[0]["path"], p)
        self.assertEqual(q[0]["sha256"], sha(data, "sha256"))
        self.assertEqual(q[0]["mode"], 0o640)
        self.assertEqual(q[0]["state"], "quarantined")
        d = srv.api("GET", "detections?hunt=%d" % hq).json()["detections"][0]
        self.assertEqual(d["action"], "quarantined")
        self.assertEqual(d["quarantine_id"], q[0]["qid"])
        r = srv.api("POST", "quarantine/%d/restore" % q[0]["id"])
        self.assertEqual(r.status, 202, r)
        wait_until(lambda: os.path.exists(p), what="the sample restored")
        with open(p, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o640)
        wait_until(lambda: srv.api("GET", "quarantine").json()["quarantine"][0]["state"]
                   == "restored", what="the restore reported")
        r = srv.api("POST", "quarantine/%d/restore" % q[0]["id"])
        self.assertEqual(r.status, 409, r)

        # -- the agent stopped mid-life: a hunt created meanwhile runs when it returns --
        agent.stop()
        hashes_dir = self.ws.mkdir("hashes")
        blobs = {t: ("sample for %s\n" % t).encode() * 7 for t in ("md5", "sha1", "sha256")}
        listing = "# test IOCs\n"
        for t, b in blobs.items():
            with open(os.path.join(hashes_dir, t + ".bin"), "wb") as f:
                f.write(b)
            listing += "%s family-%s\n" % (sha(b, t), t)
        with open(os.path.join(hashes_dir, "clean.bin"), "wb") as f:
            f.write(b"clean\n")
        r = self.upload(srv, "iocs", listing, kind="hashes")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["rules"], 3)
        r = srv.api("POST", "hunts", {"hashes": "iocs", "hosts": [host], "paths": [hashes_dir]})
        self.assertEqual(r.status, 201, r)
        hh = r.json()["id"]
        time.sleep(1)
        self.assertEqual(self.hunt_state(srv, hh, host)["state"], "queued")
        agent.run(TASKS)
        h = self.wait_done(srv, hh, host)
        self.assertEqual(h["state"], "done", h)
        dets = wait_until(lambda: (lambda x: x if len(x) >= 3 else None)(
            srv.api("GET", "detections?hunt=%d" % hh).json()["detections"]), what="3 IOC hits")
        got = {d["path"]: d for d in dets}
        for t, b in blobs.items():
            d = got[os.path.join(hashes_dir, t + ".bin")]
            self.assertTrue(d["ioc"].startswith(t + ":" + sha(b, t)), d)
            self.assertEqual(d["rules"], "iocs")
            self.assertEqual(d["sha256"], sha(b, "sha256"))
        self.assertEqual(len(dets), 3, dets)

        # listing and filters
        hunts = srv.api("GET", "hunts").json()["hunts"]
        self.assertEqual([x["id"] for x in hunts], [hh, hq, hid])
        self.assertEqual(len(srv.api("GET", "detections?unit=HP-THPT").json()["detections"]), 5)
        r = srv.api("GET", "detections?unit=NOPE")
        self.assertEqual(r.status, 404, r)
        r = srv.api("POST", "hunts", {"rules": "nope", "paths": [samples]})
        self.assertEqual(r.status, 404, r)
        r = srv.api("POST", "hunts", {"rules": "shipped", "paths": ["relative"]})
        self.assertEqual(r.status, 400, r)
        r = srv.api("POST", "hunts", {"rules": "shipped", "hosts": [9999]})
        self.assertEqual(r.status, 404, r)

    def test_hashes_from_intel_feed(self):
        srv = Canhd(self.ws)
        srv.start()
        agent = self.enroll_agent(srv, unit="HP-THPT")
        host = agent.status()["agent_id"]
        d = self.ws.mkdir("feed-samples")
        blob = b"payload known to an intel feed\n" * 3
        with open(os.path.join(d, "payload.bin"), "wb") as f:
            f.write(blob)
        with open(os.path.join(d, "other.bin"), "wb") as f:
            f.write(b"other\n")
        feed = "# IOC feed\n203.0.113.9\n%s\n" % sha(blob, "sha1")
        r = srv.api("POST", "intel/feeds?name=iocfeed&kind=c2&format=plain", feed,
                    content_type="text/plain")
        self.assertIn(r.status, (200, 201), r)
        r = srv.api("POST", "intel/feeds?name=ipsonly&kind=c2&format=plain", "203.0.113.7\n",
                    content_type="text/plain")
        self.assertIn(r.status, (200, 201), r)
        r = srv.api("POST", "hunts", {"hashes_feed": "ipsonly", "paths": [d]})
        self.assertEqual(r.status, 400, r)
        r = srv.api("POST", "hunts", {"hashes_feed": "nope", "paths": [d]})
        self.assertEqual(r.status, 404, r)
        agent.run(TASKS)
        r = cli(srv, "hunt", "start", "--hashes-feed", "iocfeed", "--host", str(host),
                "--paths", d, "--json")
        self.assertEqual(r.rc, 0, r)
        hid = r.json()["id"]
        self.assertEqual(r.json()["hashes"], "intel.iocfeed")
        self.wait_done(srv, hid, host)
        dets = wait_until(lambda: srv.api("GET", "detections?hunt=%d" % hid).json()["detections"],
                          what="the feed's hash found")
        self.assertEqual(len(dets), 1, dets)
        self.assertEqual(dets[0]["path"], os.path.join(d, "payload.bin"))
        self.assertTrue(dets[0]["ioc"].startswith("sha1:" + sha(blob, "sha1")), dets[0])
        self.assertEqual(dets[0]["rules"], "intel.iocfeed")
        # the same feed again: the hash list is unchanged, still version 1
        r = srv.api("POST", "hunts", {"hashes_feed": "iocfeed", "hosts": [host], "paths": [d]})
        self.assertEqual(r.json()["hashes_version"], 1)

    def test_cli(self):
        srv = Canhd(self.ws)
        srv.start()
        agent = self.enroll_agent(srv, unit="HP-THPT")
        host = agent.status()["agent_id"]
        # a directory: its files, checked here first; an error names its own file and line
        bad = self.ws.mkdir("bad-rules")
        with open(os.path.join(bad, "a.yar"), "w") as f:
            f.write("rule fine { condition: true }\n")
        with open(os.path.join(bad, "b.yar"), "w") as f:
            f.write(BROKEN)
        r = cli(srv, "rules", "upload", bad, "--name", "bad")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("b.yar:7:", r.err)
        r = cli(srv, "--lang", "vi", "rules", "upload", bad, "--name", "bad")
        self.assertIn("không biên dịch được", r.err)
        r = cli(srv, "rules", "upload", RULES_DIR, "--name", "shipped")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Rule set 'shipped' version 1 stored", r.out)
        r = cli(srv, "--lang", "vi", "rules", "list")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("shipped", r.out)
        self.assertIn("PHIÊN BẢN", r.out)
        samples = self.ws.mkdir("samples")
        self.plant(samples)
        agent.run(TASKS)
        r = cli(srv, "hunt", "start", "--rules", "shipped", "--host", str(host), "--paths",
                samples + ",/nonexistent-canh-path", "--json")
        self.assertEqual(r.rc, 0, r)
        hid = r.json()["id"]
        self.assertEqual(r.json()["paths"], [samples, "/nonexistent-canh-path"])
        wait_until(lambda: cli(srv, "hunt", "status", str(hid), "--json").json()["done"] == 1,
                   what="hunt done (CLI)")
        r = cli(srv, "hunt", "status", str(hid))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("done", r.out)
        r = cli(srv, "--lang", "vi", "hunt", "status")
        self.assertIn("PHÁT HIỆN", r.out)
        r = wait_until(lambda: (lambda x: x if x.json()["detections"] else None)(
            cli(srv, "detections", "--hunt", str(hid), "--json")), what="detections (CLI)")
        self.assertEqual(r.json()["detections"][0]["rule"], "EICAR_Test_File")
        r = cli(srv, "detections", "--unit", "HP-THPT")
        self.assertIn("EICAR_Test_File", r.out)
        r = cli(srv, "quarantine", "list")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Nothing in quarantine", r.out)
        r = cli(srv, "rules", "show", "shipped")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("SHA-256: " + srv.api("GET", "rules/shipped").json()["sha256"], r.out)
        r = cli(srv, "rules", "show", "shipped", "--json")
        self.assertEqual(r.json()["version"], 1)
        # quarantine and restore through the CLI
        r = cli(srv, "hunt", "start", "--rules", "shipped", "--unit", "HP-THPT", "--paths",
                samples, "--quarantine", "--every", "12h", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["every_ms"], 12 * 3600 * 1000)
        self.assertTrue(r.json()["quarantine"])
        eicar = os.path.join(samples, "eicar.com")
        wait_until(lambda: not os.path.exists(eicar), what="EICAR quarantined")
        q = wait_until(lambda: cli(srv, "quarantine", "list", "--host", str(host),
                                   "--json").json()["quarantine"], what="quarantine (CLI)")
        r = cli(srv, "quarantine", "list")
        self.assertIn(eicar, r.out)
        self.assertIn("quarantined", r.out)
        r = cli(srv, "--lang", "vi", "quarantine", "restore", str(q[0]["id"]))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Đã yêu cầu khôi phục", r.out)
        wait_until(lambda: os.path.exists(eicar), what="EICAR restored")
        with open(eicar, "rb") as f:
            self.assertEqual(f.read(), EICAR)
        r = cli(srv, "hunt", "start")
        self.assertEqual(r.rc, 2, r)
        r = cli(srv, "hunt", "start", "--rules", "nope")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no rule set 'nope'", r.err)


if __name__ == "__main__":
    canhtest.main()
