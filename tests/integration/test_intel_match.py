"""canh intel match: offline matching of text against lists, checked against grepcidr.

The plain output (and -v, -c, several inputs, standard input) must be the
same bytes and exit status as grepcidr -f's on generated lists and inputs:
log lines, ip:port, [v6]:port, IPv6, and random text built to trip the
address scanner. Then what grepcidr does not have: --why (the most specific
entry and where it is), --json (every covering entry), feeds in other formats
(a CSV with a Vietnamese header, Spamhaus DROP), and the errors in English and
Vietnamese with exit status 2.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canhtest  # noqa: E402

GEN = os.path.join(canhtest.SOURCE, "bench", "gen_intel_match.py")


def run(argv, stdin=None, env=None):
    e = dict(os.environ)
    e.setdefault("LANG", "C.UTF-8")
    if env:
        e.update(env)
    p = subprocess.run(argv, input=stdin, capture_output=True, env=e,
                       timeout=canhtest.CMD_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def match(*args, stdin=None, env=None):
    return run([canhtest.CLI, "intel", "match"] + list(args), stdin=stdin, env=env)


def grepcidr(*args, stdin=None):
    return run(["grepcidr"] + list(args), stdin=stdin)


def tricky_lines(rng, n):
    """Random text made of address-like pieces, the scanner's corner cases."""
    pieces = ["10.1.2.3", "192.0.2.77", "1.2.3.4", "01.2.3.4", "1.2.3.4a", "a1.2.3.4",
              "1.2.3.4.5", "256.1.1.1", "1.2.3", "10.0.0.1/8", "x10.200.0.1", "1.2.3.4:80",
              "[2001:db8::1]:443", "2001:db8::1", "2001:0db8::01", "fe80::1%eth0", "::1",
              "1:2:3:4:5:6:7:8", "12:34:56", "2001:db9::", "1::", "::", "SRC=", "DST=",
              "abc", "dead:beef", "-", "[", "]", ":", "::", ".", "..", ",", ";", "/", "\t",
              "\r", "198.51.100.5", "198.51.100.10", "255.255.255.255", "0.0.0.0"]
    out = []
    for _ in range(n):
        k = rng.randrange(1, 9)
        sep = rng.choice(["", " ", " ", "\t", ","])
        out.append(sep.join(rng.choice(pieces) for _ in range(k)))
    return "\n".join(out) + "\n"


class IntelMatch(canhtest.CanhTestCase):
    def setUp(self):
        super().setUp()
        if not shutil.which("grepcidr"):
            self.skipTest("grepcidr is not installed")

    def write(self, name, text):
        path = self.ws.path(name)
        with open(path, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        return path

    def same(self, args, stdin=None, what=""):
        """canh intel match and grepcidr give the same bytes and exit status."""
        rc1, out1, err1 = match(*args, stdin=stdin)
        g = [a if a != "--list" else "-f" for a in args]
        rc2, out2, _ = grepcidr(*g, stdin=stdin)
        if out1 != out2:
            a, b = out1.splitlines(True), out2.splitlines(True)
            diff = [(x, y) for x, y in zip(a, b) if x != y][:3]
            self.fail("%s: canh %d lines, grepcidr %d; first differences %r; stderr %r"
                      % (what or args, len(a), len(b), diff, err1[:300]))
        self.assertEqual(rc1, rc2, "%s: exit status" % (what or args,))
        return out1

    def test_same_as_grepcidr(self):
        lst, q = self.ws.path("list.txt"), self.ws.path("queries.log")
        subprocess.run([sys.executable, GEN, lst, q, "--entries", "30000", "--lines", "60000",
                        "--seed", "7"], check=True, timeout=300)
        out = self.same(["--list", lst, q], what="generated log lines")
        self.assertGreater(out.count(b"\n"), 5000)
        self.same(["-v", "--list", lst, q], what="-v")
        c = self.same(["-c", "--list", lst, q], what="-c")
        self.assertEqual(int(c), out.count(b"\n"))

        rng = random.Random(11)
        tl = self.write("tricky.list", "# tricky\n\n10.0.0.0/8\n192.0.2.0/24\n1.2.3.4\n"
                        "198.51.100.1-198.51.100.9\n0.0.0.0/32\n255.255.255.255\n"
                        "2001:db8::/32\n::1\n")
        tq = self.write("tricky.txt", tricky_lines(rng, 20000) + "10.9.9.9")  # no newline
        self.same(["--list", tl, tq], what="tricky text")
        self.same(["-v", "--list", tl, tq], what="tricky text -v")
        # A list of IPv4 entries only: IPv6 text is not even looked at (grepcidr's rule).
        t4 = self.write("v4only.list", "10.0.0.0/8\n1.2.3.4\n")
        self.same(["-v", "--list", t4, tq], what="IPv4-only list -v")
        # Several inputs: "NAME:" before each line, one count for all.
        q2 = self.write("second.txt", "1.2.3.4 again\nnothing here\n::1\n")
        self.same(["--list", tl, tq, q2], what="two inputs")
        self.same(["-c", "--list", tl, tq, q2], what="two inputs -c")
        # Standard input, over several read blocks (lines cross block boundaries).
        with open(q, "rb") as f:
            big = f.read() * 3
        self.assertGreater(len(big), 8 << 20)
        self.same(["--list", lst], stdin=big, what="standard input")
        # Nothing matches: status 1, and -c prints 0.
        none = self.write("none.txt", "8.8.8.8\nno address\n")
        self.assertEqual(self.same(["--list", tl, none]), b"")
        self.assertEqual(self.same(["-c", "--list", tl, none]), b"0\n")

    def test_why_and_json(self):
        lst = self.write("botnet.txt", "# monthly list\n10.0.0.0/8\n10.1.0.0/16\n10.1.2.3\n"
                         "198.51.100.1-198.51.100.9\n2001:db8::/32\n2001:db8::5\n")
        other = self.write("c2.txt", "10.1.2.3\n203.0.113.0/24\n")
        q = self.write("log.txt",
                       "Nov 21 10:00:01 fw sshd[1]: Failed password from 10.1.2.3 port 22\n"
                       "SRC=10.1.9.9 DST=192.168.1.1\n"
                       "10.200.0.1:8080\n"
                       "conn [2001:db8::5]:443\n"
                       "2001:db8:1::1\n"
                       "203.0.113.9\n"
                       "198.51.100.9 x\n"
                       "8.8.8.8\n"
                       "no address at all\n")
        rc, out, err = match("--why", "--list", lst, "--list", other, q)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().splitlines(), [
            "Nov 21 10:00:01 fw sshd[1]: Failed password from 10.1.2.3 port 22\t10.1.2.3 %s:4"
            % lst,
            "SRC=10.1.9.9 DST=192.168.1.1\t10.1.0.0/16 %s:3" % lst,
            "10.200.0.1:8080\t10.0.0.0/8 %s:2" % lst,
            "conn [2001:db8::5]:443\t2001:db8::5 %s:7" % lst,
            "2001:db8:1::1\t2001:db8::/32 %s:6" % lst,
            "203.0.113.9\t203.0.113.0/24 %s:2" % other,
            "198.51.100.9 x\t198.51.100.1-198.51.100.9 %s:5" % lst,
        ])
        rc, out, err = match("--json", "--list", lst, "--list", other, q)
        self.assertEqual(rc, 0, err)
        objs = [json.loads(line) for line in out.decode().splitlines()]
        self.assertEqual(len(objs), 7)
        first = objs[0]
        self.assertEqual(first["input"], q)
        self.assertEqual(first["line_number"], 1)
        self.assertEqual(first["address"], "10.1.2.3")
        # Every covering entry, most specific first; ties in the order the lists were given.
        self.assertEqual([(e["entry"], e["list"], e["list_line"]) for e in first["entries"]], [
            ("10.1.2.3", lst, 4), ("10.1.2.3", other, 1), ("10.1.0.0/16", lst, 3),
            ("10.0.0.0/8", lst, 2)])
        self.assertEqual(objs[3]["address"], "2001:db8::5")
        self.assertEqual([e["entry"] for e in objs[3]["entries"]], ["2001:db8::5",
                                                                      "2001:db8::/32"])
        rc, out, _ = match("--json", "-c", "--list", lst, q)
        self.assertEqual(json.loads(out), {"count": 6})
        # -v: the lines with an address that no list covers; text without one is not shown.
        rc, out, _ = match("-v", "--list", lst, "--list", other, q)
        self.assertEqual(out, b"8.8.8.8\n")
        # Bytes that are not UTF-8 stay valid JSON.
        bad = self.write("latin1.txt", b"caf\xe9 10.1.2.3 \"q\" \x01\n")
        rc, out, _ = match("--json", "--list", lst, bad)
        self.assertEqual(json.loads(out)["line"], "caf\u00e9 10.1.2.3 \"q\" \u0001")

    def test_feed_formats(self):
        csv = self.write("botnet.csv",
                         "STT,Địa chỉ IP,Thời gian,Tên mạng botnet,Cổng,Đơn vị\n"
                         "1,192.0.2.10,01/11/2026 08:00,Mirai,23,Sở A\n"
                         "2,192.0.2.20:8080,02/11/2026 09:30,Emotet,,Sở B\n"
                         "3,not-an-ip,02/11/2026,Mirai,,Sở C\n")
        q = self.write("q.txt", "from 192.0.2.10 port 40000\n192.0.2.20\n192.0.2.30\n")
        rc, out, err = match("--json", "--list", csv, q)
        self.assertEqual(rc, 0, err)
        objs = [json.loads(line) for line in out.decode().splitlines()]
        self.assertEqual([o["address"] for o in objs], ["192.0.2.10", "192.0.2.20"])
        self.assertEqual(objs[0]["entries"][0]["family"], "Mirai")
        self.assertEqual(objs[0]["entries"][0]["port"], 23)
        self.assertEqual(objs[0]["entries"][0]["list_line"], 2)
        self.assertEqual(objs[1]["entries"][0]["family"], "Emotet")
        # The row that cannot be read is named on standard error; the rest are used.
        self.assertIn(b"line 4", err)
        drop = self.write("drop.txt", "; Spamhaus DROP List 2026/11/21\n"
                          "192.0.2.0/25 ; SBL123\n198.51.100.0/24 ; SBL456\n")
        self.same(["--list", drop, q], what="DROP list")

    def test_errors(self):
        q = self.write("q.txt", "10.0.0.1\n")
        lst = self.write("l.txt", "10.0.0.0/8\n")
        missing = self.ws.path("missing.txt")
        rc, out, err = match("--list", missing, q)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the list '%s': no such file or directory" % missing,
                      err.decode())
        rc, out, err = match("--lang", "vi", "--list", missing, q)
        self.assertEqual(rc, 2)
        self.assertIn("không đọc được danh sách '%s'" % missing, err.decode())
        empty = self.write("empty.txt", "# only comments\n\nnot an address\n")
        rc, out, err = match("--list", empty, q)
        self.assertEqual(rc, 2)
        self.assertIn("the list '%s' has no usable address entry" % empty, err.decode())
        rc, out, err = match("--lang", "vi", "--list", empty, q)
        self.assertEqual(rc, 2)
        self.assertIn("danh sách '%s' không có mục địa chỉ nào dùng được" % empty,
                      err.decode())
        rc, out, err = match(q)
        self.assertEqual(rc, 2)
        self.assertIn("--list", err.decode())
        rc, out, err = match("--list", lst, missing)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read '%s'" % missing, err.decode())
        rc, out, err = match("--list", lst, self.ws.dir)
        self.assertEqual(rc, 2)
        self.assertIn("not a regular file", err.decode())
        rc, out, err = match("--list", lst, "--bogus", q)
        self.assertEqual(rc, 2)
        rc, out, err = match("--help")
        self.assertEqual(rc, 0)
        self.assertIn(b"--why", out)
        self.assertEqual(err, b"")


if __name__ == "__main__":
    canhtest.main()
