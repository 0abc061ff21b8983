#!/usr/bin/env python3
"""Logs end to end: a real canh-agent follows log files in a temporary directory
(journald off, so the machine's own journal does not interfere); an SSH
brute force is written to auth.log, which is rotated mid-way (rename, a late
line into the renamed file, a new auth.log), and another file is truncated
(copy-truncate). canhd decodes the lines, evaluates the Sigma rules and raises
the correlation alert exactly once, with its count; every line arrives exactly
once, also across an agent restart; `canh alerts` shows the alerts in English
and Vietnamese, `canh sigma` lists, uploads and disables rules."""

import os
import subprocess
import time

import canhtest
from canhtest import Agent, Canhd, cli, log, wait_until

RULES = """title: SSH failed login (test)
id: it-ssh-fail
name: it_ssh_fail
logsource: {product: linux, service: sshd}
detection:
  sel: {Action: ssh_login_failed}
  condition: sel
level: low
---
title: SSH brute force (test)
title_vi: Dò mật khẩu SSH (kiểm thử)
id: it-ssh-brute
correlation:
  type: event_count
  generate: true
  rules: [it_ssh_fail]
  group-by: [SourceIp]
  timespan: 5m
  condition: {gte: 5}
level: high
"""

NEW_USER_RULE = """title: New local user (test upload)
id: it-new-user
logsource: {product: linux}
detection:
  sel: {Action: user_added}
  condition: sel
level: medium
"""

ATTACKER = "198.51.100.23"


def stamp():
    """Now as a syslog stamp in UTC+7 (the server's default zone for such lines)."""
    t = time.gmtime(time.time() + 7 * 3600)
    return time.strftime("%b ", t) + ("%2d " % t.tm_mday) + time.strftime("%H:%M:%S", t)


def failures(n, first_port, ip=ATTACKER):
    return "".join("%s web01 sshd[%d]: Failed password for root from %s port %d ssh2\n"
                   % (stamp(), 900 + i, ip, first_port + i) for i in range(n))


JOURNAL_REMOTE = ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")


def journal_write(jdir, first, n, ip=ATTACKER):
    """Append n sshd failures to jdir/remote.journal through systemd-journal-remote (real
    journal files from the Journal Export Format)."""
    exe = next((p for p in JOURNAL_REMOTE if os.access(p, os.X_OK)), None)
    if exe is None:
        raise AssertionError("systemd-journal-remote is missing: install the Debian package "
                             "'systemd-journal-remote' (scripts/install-deps installs it)")
    now = int(time.time() * 1e6)
    export = "".join(
        "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
        "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web01\nSYSLOG_IDENTIFIER=sshd\n"
        "_COMM=sshd\n_PID=%d\n_SYSTEMD_UNIT=ssh.service\nPRIORITY=5\n"
        "MESSAGE=Failed password for root from %s port %d ssh2\n\n"
        % (now + i, 1000 + first + i, 900 + first + i, ip, 50000 + first + i) for i in range(n))
    r = subprocess.run([exe, "--output=" + os.path.join(jdir, "remote.journal"),
                        "--split-mode=none", "-"], input=export.encode(),
                       capture_output=True, check=False)
    if r.returncode != 0:
        raise AssertionError("systemd-journal-remote failed: %s" % r.stderr.decode())


class LogsTest(canhtest.CanhTestCase):

    def append(self, path, text):
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

    def counters(self, srv, agent_id):
        rows = srv.db_query("SELECT lines, events, shed FROM log_counters WHERE agent_id = ?",
                            (agent_id,))
        return rows[0] if rows else (0, 0, 0)

    def wait_lines(self, srv, agent_id, n):
        wait_until(lambda: self.counters(srv, agent_id)[0] >= n, what="%d log lines" % n)
        time.sleep(1.0)  # a repeat, if there were one, would arrive by now
        self.assertEqual(self.counters(srv, agent_id)[0], n,
                         "log lines on the server: expected exactly %d" % n)

    def alerts(self, srv, *args):
        r = cli(srv, "alerts", "--json", *args)
        self.assertEqual(r.rc, 0, r)
        return r.json()["alerts"]

    def test_logs_rotation_alerts_restart(self):
        rules = self.ws.write("rules.yml", RULES)
        conf = self.ws.write("canhd.conf", "[logs]\nrules_dir = %s\ndedup_window = 10m\n" % rules)
        srv = Canhd(self.ws, config=conf)
        srv.start()
        agent = self.enroll_agent(srv, unit="HP-THPT")
        logdir = self.ws.mkdir("logs")
        auth = os.path.join(logdir, "auth.log")
        other = os.path.join(logdir, "other.log")
        self.append(auth, "")
        self.append(other, "")
        sets = {"log_files": os.path.join(logdir, "*.log"), "journald": "no",
                "log_interval": "200ms", "log_from_start": "yes", "flow_interval": "0"}
        agent.run(sets)

        # three failures, then a rotation: a late line into the renamed file, a new auth.log
        self.append(auth, failures(3, 40000))
        self.append(other, "%s web01 CRON[77]: (root) CMD (true)\n" % stamp() * 2)
        self.wait_lines(srv, agent.agent_id, 5)
        os.rename(auth, auth + ".1")
        self.append(auth + ".1", failures(2, 41000))
        self.append(auth, failures(5, 42000))
        # copy-truncate of the other file, then a line
        with open(other, "r+") as f:
            f.truncate(0)
        time.sleep(0.5)
        self.append(other, "%s web01 sshd[5]: Accepted publickey for ops from 192.0.2.8 "
                    "port 22 ssh2\n" % stamp())
        self.wait_lines(srv, agent.agent_id, 13)

        wait_until(lambda: any(a["rule_id"] == "it-ssh-brute" for a in self.alerts(srv)),
                   what="the brute-force alert")
        brute = [a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-brute"]
        self.assertEqual(len(brute), 1, brute)  # ten failures: raised twice, de-duplicated
        self.assertEqual(brute[0]["count"], 2)
        self.assertIn(ATTACKER, brute[0]["group"])
        self.assertEqual(brute[0]["level"], "high")
        self.assertEqual(brute[0]["unit"], "HP-THPT")
        self.assertTrue(brute[0]["detail"]["correlation"]["events"])
        base = [a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-fail"]
        self.assertEqual(len(base), 1)
        self.assertEqual(base[0]["count"], 10)

        # restart: nothing repeated, nothing skipped
        agent.stop()
        self.append(auth, failures(1, 43000, ip="203.0.113.77"))
        agent.run(sets)
        self.wait_lines(srv, agent.agent_id, 14)
        base = [a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-fail"]
        self.assertEqual(sum(a["count"] for a in base), 11)
        self.assertEqual(len([a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-brute"]),
                         1)

        c = srv.api("GET", "hosts/%d/logs" % agent.agent_id).json()
        self.assertEqual((c["lines"], c["shed"], c["cut"]), (14, 0, 0), c)
        self.assertGreaterEqual(c["events"], 14)
        self.assertEqual(srv.api("GET", "hosts/x/logs").status, 400)

        # the table, in both languages
        r = cli(srv, "alerts", "--lang", "en", "--level", "high")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("SSH brute force (test)", r.out)
        self.assertNotIn("SSH failed login", r.out)
        r = cli(srv, "alerts", "--lang", "vi", "--unit", "HP-THPT")
        self.assertEqual(r.rc, 0, r)
        for word in ("THẤY LẦN CUỐI", "MỨC", "SỐ LẦN", "cao", "số cảnh báo: 2",
                     "Dò mật khẩu SSH (kiểm thử)"):
            self.assertIn(word, r.out)
        r = cli(srv, "alerts", "--since", "nonsense")
        self.assertNotEqual(r.rc, 0, r)

    def test_journal_dir_cursor_restart(self):
        """journald from a journal directory (journal_dir): the history before the first
        start is not sent, the entries after it are, exactly once across a restart."""
        rules = self.ws.write("rules.yml", RULES)
        conf = self.ws.write("canhd.conf", "[logs]\nrules_dir = %s\n" % rules)
        srv = Canhd(self.ws, config=conf)
        srv.start()
        agent = self.enroll_agent(srv)
        jdir = self.ws.mkdir("journal")
        journal_write(jdir, 0, 2)  # history
        sets = {"log_files": "", "journald": "yes", "journal_dir": jdir,
                "log_interval": "200ms", "flow_interval": "0"}
        agent.run(sets)
        time.sleep(1.0)  # the first start settles at the end of the journal
        journal_write(jdir, 10, 3)
        self.wait_lines(srv, agent.agent_id, 3)
        agent.stop()
        journal_write(jdir, 20, 2)  # while the agent is down
        agent.run(sets)
        self.wait_lines(srv, agent.agent_id, 5)
        base = [a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-fail"]
        self.assertEqual(sum(a["count"] for a in base), 5, base)
        brute = [a for a in self.alerts(srv) if a["rule_id"] == "it-ssh-brute"]
        self.assertEqual(len(brute), 1, brute)
        self.assertIn(ATTACKER, brute[0]["group"])

    def test_sigma_upload_disable(self):
        rules = self.ws.write("rules.yml", RULES)
        conf = self.ws.write("canhd.conf", "[logs]\nrules_dir = %s\n" % rules)
        srv = Canhd(self.ws, config=conf)
        srv.start()
        self.create_unit(srv, code="HP-SGD")
        r = cli(srv, "sigma", "upload", self.ws.write("new.yml", NEW_USER_RULE),
                "--name", "local")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("version 1", r.out)
        r = cli(srv, "sigma", "upload", self.ws.write("bad.yml", "title: x\nid: [\n"),
                "--name", "local", "--lang", "vi")
        self.assertNotEqual(r.rc, 0, r)
        r = cli(srv, "sigma", "list", "--json")
        self.assertEqual(r.rc, 0, r)
        ids = {x["id"] for x in r.json()["rules"]}
        self.assertTrue({"it-new-user", "it-ssh-fail", "it-ssh-brute"} <= ids, ids)
        r = cli(srv, "sigma", "disable", "it-ssh-fail", "--unit", "HP-SGD")
        self.assertEqual(r.rc, 0, r)
        r = cli(srv, "sigma", "list", "--json")
        rule = [x for x in r.json()["rules"] if x["id"] == "it-ssh-fail"][0]
        self.assertEqual(rule["disabled_units"], ["HP-SGD"])
        r = cli(srv, "sigma", "disable", "no-such-rule", "--unit", "HP-SGD")
        self.assertNotEqual(r.rc, 0, r)
        r = cli(srv, "sigma", "list", "--lang", "vi")
        self.assertIn("ĐÃ TẮT CHO", r.out)


if __name__ == "__main__":
    canhtest.main()
