"""canh vercmp agrees with dpkg --compare-versions.

At least 10,000 pairs of real Debian versions from this machine
(vercmp_pairs.py: dpkg status, apt lists, changelog.Debian.gz histories)
plus every pair of about 100 hand-made edge cases are answered by dpkg itself (one process per
question, `A lt B`, then `A eq B` when not less, on a thread pool) and by
`canh vercmp --batch` in one run; every answer must be the same, including
"refused" (dpkg exit status 2, canh's "!"). The relations (lt le eq ne ge gt,
the -nl ones and << <= = >= >>) and arguments only the command line can carry
(blanks, empty strings) are checked one process per case against dpkg's exit
status.
"""

import concurrent.futures
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canhtest  # noqa: E402
import vercmp_pairs  # noqa: E402

REAL_PAIRS = 10500
MIN_PAIRS = 10000

EDGE_VERSIONS = [
    "0", "00", "0:0", "1.0", "1.0-0", "1.0-1", "1:1.0", "0:1.0", "01:1.0", "2:0.1",
    "1.0~rc1", "1.0~rc1-1", "1.0~", "1.0~~", "1.0~~a", "1.0~a", "1.0a", "1.0+", "1.0+b1",
    "1.0.", "1.0..", "1.0-1+b1", "1.0-1~bpo1", "1.0-1~bpo1+1", "1.0-1.1", "1.0-1.0",
    "1.0+dfsg-1", "1.0+dfsg1-1", "1.0-a", "1.0-A", "1.0A", "1.0Z", "1.0z", "1.0.z",
    "1-2-3", "1-2-3-4", "1.2-3-4~", "1:2:3", "1:2:3-4", "1:2-3:4", "2:1:2", "10:1",
    "999999999999999999999999999999", "1000000000000000000000000000000",
    "1.000000000000000000000000000001", "1.1", "1.01", "1.001", "1.0000000000000000009",
    "4294967296", "4294967295", "18446744073709551616.1", "2147483647:1", "2147483648:1",
    "+1:2", "-0:1", "-1:2", "a:1", "1a:1", ":1", "1:", "1.0-", "-1", "1:-1", "1.0--1",
    "a1", "~1", "~", "~~", "+1", ".1", "1.0%1", "1.0_1", "1.0-1_1", "1.0=1",
    "1.0-1:2", "1.0é", "2.0éa", "<unknown>", "0~", "0~~~", "0~~~~", "9~", "1~~1", "1~-1",
    "1.0-~", "1.0-~~", "1.0-1~", "7.4.052-1ubuntu3", "7.4.052-1ubuntu3.1", "1:7.4-1",
    "2.30-0ubuntu1", "2.30-0ubuntu1~22.04", "5.10.0-28-amd64", "6.1.0-13", "6.1.0-13~bpo",
]


def dpkg_answer(a, b):
    """'<', '=', '>' or '!' (dpkg refuses a version) from dpkg itself."""
    r = subprocess.run(["dpkg", "--compare-versions", "--", a, "lt", b],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if r.returncode == 0:
        return "<"
    if r.returncode != 1:
        return "!"
    r = subprocess.run(["dpkg", "--compare-versions", "--", a, "eq", b],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return {0: "=", 1: ">"}.get(r.returncode, "!")


def dpkg_answers(pairs):
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        return list(ex.map(lambda p: dpkg_answer(*p), pairs, chunksize=64))


def canh_batch(pairs, rpm=False):
    argv = [canhtest.CLI, "vercmp", "--batch"] + (["--rpm"] if rpm else [])
    data = "".join("%s %s\n" % p for p in pairs).encode()
    r = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, LANG="C.UTF-8"), timeout=120, check=False)
    out = r.stdout.decode().split("\n")
    return r, out[:-1] if out and out[-1] == "" else out


@unittest.skipUnless(shutil.which("dpkg"), "dpkg is not installed")
class VercmpAgainstDpkg(unittest.TestCase):
    def setUp(self):
        if not os.access(canhtest.CLI, os.X_OK):
            self.fail("%s is not built (CANH_BIN=%s)" % (canhtest.CLI, canhtest.BIN))

    def compare(self, pairs, what):
        want = dpkg_answers(pairs)
        r, got = canh_batch(pairs)
        self.assertEqual(len(got), len(pairs),
                         "canh vercmp --batch printed %d lines for %d pairs; stderr: %s"
                         % (len(got), len(pairs), r.stderr[-2000:]))
        bad = [(p, w, g) for p, w, g in zip(pairs, want, got) if w != g]
        self.assertFalse(bad, "%d of %d %s disagree with dpkg (pair, dpkg, canh), first: %r"
                         % (len(bad), len(pairs), what, bad[:20]))
        self.assertEqual(r.returncode, 1 if "!" in want else 0, r.stderr[-2000:])
        return want

    def test_real_versions(self):
        versions, used = vercmp_pairs.collect()
        canhtest.log("version sources: %s" % "; ".join(used))
        pairs = vercmp_pairs.pairs(versions, REAL_PAIRS)
        self.assertGreaterEqual(len(pairs), MIN_PAIRS,
                                "only %d pairs from %s" % (len(pairs), used))
        want = self.compare(pairs, "real pairs")
        canhtest.log("%d real pairs agree with dpkg: %d <, %d =, %d >, %d refused"
                     % (len(pairs), want.count("<"), want.count("="), want.count(">"),
                        want.count("!")))
        # The sample must exercise every outcome, or it proves little.
        self.assertGreater(want.count("<"), 1000)
        self.assertGreater(want.count(">"), 1000)
        self.assertGreater(want.count("="), 0)

    def test_edge_cases(self):
        # dpkg is asked about each unordered pair once; canh answers both orders.
        n = len(EDGE_VERSIONS)
        pairs = [(EDGE_VERSIONS[i], EDGE_VERSIONS[j]) for i in range(n) for j in range(i, n)]
        want = self.compare(pairs, "edge-case pairs")
        flip = {"<": ">", ">": "<", "=": "=", "!": "!"}
        r, got = canh_batch([(b, a) for a, b in pairs])
        bad = [(p, flip[w], g) for p, w, g in zip(pairs, want, got) if flip[w] != g]
        self.assertEqual(len(got), len(pairs), r.stderr[-2000:])
        self.assertFalse(bad, "%d reversed edge pairs disagree with dpkg (pair, dpkg, canh): %r"
                         % (len(bad), bad[:20]))
        canhtest.log("%d edge pairs agree with dpkg: %d <, %d =, %d >, %d refused"
                     % (len(pairs), want.count("<"), want.count("="), want.count(">"),
                        want.count("!")))
        self.assertGreater(want.count("!"), 0)

    def test_relations_and_arguments(self):
        rels = ["lt", "le", "eq", "ne", "ge", "gt", "lt-nl", "le-nl", "ge-nl", "gt-nl",
                "<<", "<=", "=", ">=", ">>", "<", ">"]
        # Each kind once: older, equal, newer, no version, blanks around, refused, warned.
        vals = ["", "<unknown>", "1.0", "1.0-1", "1:0.9", "\t1.0 ", "1 0", "1.0-", "a1"]
        cases = [(a, op, b) for a in vals for b in vals for op in rels
                 if (a, b) != ("1 0", "1 0")]

        def one(case):
            a, op, b = case
            d = subprocess.run(["dpkg", "--compare-versions", "--", a, op, b],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False).returncode
            c = subprocess.run([canhtest.CLI, "vercmp", "--", a, op, b],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False).returncode
            return case, d, c

        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            res = list(ex.map(one, cases, chunksize=32))
        bad = [r for r in res if r[1] != r[2]]
        self.assertFalse(bad, "%d of %d (a, op, b) exit statuses differ (dpkg, canh): %r"
                         % (len(bad), len(res), bad[:20]))
        self.assertTrue(any(r[1] == 2 for r in res))

    def test_messages(self):
        r = subprocess.run([canhtest.CLI, "--lang", "vi", "vercmp", "1.0-", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("phiên bản '1.0-' sai cú pháp: số revision rỗng", r.stderr.decode())
        r = subprocess.run([canhtest.CLI, "--lang", "en", "vercmp", "a1", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        self.assertEqual((r.returncode, r.stdout), (0, b">\n"))
        self.assertIn("warning: version 'a1' has bad syntax: version number does not start "
                      "with digit", r.stderr.decode())
        r = subprocess.run([canhtest.CLI, "vercmp", "--rpm", "1.0^git1", "1.01"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        self.assertEqual((r.returncode, r.stdout), (0, b"<\n"))


if __name__ == "__main__":
    canhtest.main()
