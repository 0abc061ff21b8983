"""canh vuln check: offline, the real CLI on tests/data/vuln-check.

A small dpkg status (binaries built from other sources, a binNMU whose
source version differs, a removed package), a tracker file, a KEV catalogue,
the Zimbra letter of data/letters and a fake root holding an os-release and
a Zimbra install history: the findings must be exactly the expected ones, in
the table, in JSON, with --kev-only and --severity; a malformed file is an
error naming its position; exit statuses 0 (none), 1 (findings), 2 (error).
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canhtest  # noqa: E402

DATA = os.path.join(canhtest.SOURCE, "tests", "data", "vuln-check")
TRACKER = os.path.join(DATA, "tracker.json")
KEV = os.path.join(DATA, "kev.json")
STATUS = os.path.join(DATA, "status")
ROOT = os.path.join(DATA, "root")
LETTER = os.path.join(canhtest.SOURCE, "data", "letters", "zimbra-2216-cattt-ncsc.yaml")

# (CVE or advisory id, package, installed, fixed, status, severity, KEV due, letters)
EXPECTED = {
    ("TEMP-0000000-A1B2C3", "bash", "5.2.15-2", None, "undetermined", "unknown", None, ()),
    ("CVE-2023-46218", "curl", "7.88.1-10+deb12u4", "7.88.1-10+deb12u5", "affected", "medium",
     None, ()),
    ("CVE-2023-5678", "libssl3", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", "affected", "medium",
     None, ()),
    ("CVE-2023-5678", "openssl", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", "affected", "medium",
     None, ()),
    ("CVE-2023-4863", "libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "affected", "high",
     "2023-10-04", ()),
    ("CVE-2023-45853", "zlib1g", "1:1.2.13.dfsg-1", None, "affected", "low", None, ()),
    ("CVE-2023-37580", "zimbra", "8.8.15.P30", "8.8.15.P41", "affected", "high", "2023-08-17",
     ("2216/CATTT-NCSC",)),
}


def check(*args, env=None):
    r = canhtest.run([canhtest.CLI, "vuln", "check"] + list(args), env=env)
    # Exit status 1 means findings here: a sanitizer's report must not pass for one.
    for marker in canhtest.SANITIZER_MARKERS:
        if marker in r.err:
            raise AssertionError("%r in stderr: %r" % (marker, r))
    return r


def as_set(findings):
    return set((f["cve"] or f["advisory"], f["package"], f["installed"], f["fixed"],
                f["status"], f["severity"], f["kev_due"],
                tuple(x["number"] for x in f["letters"])) for f in findings)


class VulnCheck(unittest.TestCase):
    def setUp(self):
        if not os.access(canhtest.CLI, os.X_OK):
            self.fail("%s is not built" % canhtest.CLI)

    def all_sources(self, *extra, env=None):
        return check("--advisories", TRACKER, KEV, LETTER, "--dpkg-status", STATUS,
                     "--root", ROOT, *extra, env=env)

    def test_findings_json(self):
        r = self.all_sources("--json")
        self.assertEqual(r.rc, 1, r)
        j = r.json()
        self.assertEqual(as_set(j["findings"]), EXPECTED)
        by = {(f["cve"], f["package"]): f for f in j["findings"]}
        # Matched through the source package; the binNMU compares the source version.
        self.assertEqual(by[("CVE-2023-5678", "libssl3")]["source_package"], "openssl")
        self.assertIsNone(by[("CVE-2023-5678", "openssl")]["source_package"])
        self.assertTrue(by[("CVE-2023-37580", "zimbra")]["software"])
        self.assertEqual(by[("CVE-2023-37580", "zimbra")]["letters"][0]["deadline"],
                         "2023-12-22")
        self.assertEqual(j["summary"], {"findings": 7, "packages": 7, "cves": 5, "kev": 2,
                                        "no_fix": 1, "undetermined": 1})
        self.assertEqual(j["checked"]["packages"], 7)  # the removed package is not counted
        self.assertEqual(j["checked"]["software"], 1)
        self.assertEqual(j["checked"]["release"], "bookworm")

    def test_table_english_and_vietnamese(self):
        r = self.all_sources()
        self.assertEqual(r.rc, 1, r)
        lines = r.out.splitlines()
        self.assertEqual(lines[0].split(), ["PACKAGE", "INSTALLED", "FIXED", "IN", "CVE",
                                            "SEVERITY", "KEV", "LETTER"])
        zimbra = [x for x in lines if x.startswith("zimbra ")]
        self.assertEqual(zimbra[0].split(), ["zimbra", "8.8.15.P30", "8.8.15.P41",
                                             "CVE-2023-37580", "high", "due", "2023-08-17",
                                             "2216/CATTT-NCSC"])
        self.assertIn("no fix yet", r.out)
        self.assertTrue(lines[-1].startswith("7 findings in 7 packages or applications: 5 CVEs, "
                                             "2 in CISA KEV, 1 without a fix, 1 undetermined"),
                        lines[-1])
        r = self.all_sources(env={"LANG": "vi_VN.UTF-8"})
        self.assertEqual(r.rc, 1, r)
        self.assertTrue(r.out.startswith("GÓI"), r.out[:200])
        self.assertIn("chưa có bản vá", r.out)
        self.assertIn("chưa xác định", r.out)
        self.assertIn("hạn 2023-10-04", r.out)
        self.assertIn("7 phát hiện ở 7 gói hoặc ứng dụng", r.out)

    def test_kev_only_and_severity(self):
        r = self.all_sources("--kev-only", "--json")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(as_set(r.json()["findings"]),
                         set(e for e in EXPECTED if e[6] is not None))
        r = self.all_sources("--severity", "high", "--json")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(as_set(r.json()["findings"]),
                         set(e for e in EXPECTED if e[5] == "high"))
        # Without the KEV file nothing is in KEV: no findings, exit 0.
        r = check("--advisories", TRACKER, "--dpkg-status", STATUS, "--root", ROOT, "--kev-only")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith("no findings: 7 packages and 1 applications"), r.out)

    def test_release(self):
        # bullseye: vim's open issue counts, bookworm's entries do not.
        r = check("--advisories", TRACKER, "--dpkg-status", STATUS, "--root", ROOT,
                  "--release", "bullseye", "--json")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(set((f["cve"], f["package"]) for f in r.json()["findings"]),
                         {("CVE-2023-4752", "vim-tiny")})
        # "12" is bookworm; the release given wins over os-release.
        r = check("--advisories", TRACKER, "--dpkg-status", STATUS, "--root", ROOT,
                  "--release", "12", "--json")
        self.assertEqual(len(r.json()["findings"]), 6, r)

    def test_clean_host(self):
        r = check("--advisories", TRACKER, "--dpkg-status", os.path.join(DATA, "status-clean"),
                  "--root", os.path.join(DATA, "no-such-root"), "--release", "bookworm")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, "no findings: 1 packages and 0 applications checked against "
                                "10 advisories\n")

    def test_errors(self):
        r = check("--advisories", os.path.join(DATA, "bad.json"), "--dpkg-status", STATUS)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("cannot read advisories", r.err)
        self.assertIn("line 3, column 66", r.err)
        self.assertEqual(r.out, "")
        # The same position from a file big enough to take the fast path's fallback.
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "cut.json")
            with open(TRACKER, encoding="utf-8") as f:
                text = f.read()
            with open(p, "w", encoding="utf-8") as f:
                f.write(text[:len(text) // 2])
            r = check("--advisories", p, "--dpkg-status", STATUS)
            self.assertEqual(r.rc, 2, r)
            self.assertIn("cannot read advisories '%s'" % p, r.err)
            self.assertIn("line ", r.err)
        r = check("--advisories", os.path.join(DATA, "nonexistent.json"), "--dpkg-status",
                  STATUS)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("No such file", r.err)
        r = check("--dpkg-status", STATUS)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("no advisory file given", r.err)
        r = check("--advisories", TRACKER, "--severity", "urgent")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("unknown severity 'urgent'", r.err)
        r = check("--advisories", TRACKER, "--dpkg-status", os.path.join(DATA, "nope"))
        self.assertEqual(r.rc, 2, r)
        self.assertIn("cannot read the installed packages", r.err)
        r = check("--advisories", TRACKER, "--format", "rss")
        self.assertEqual(r.rc, 2, r)
        r = check("--advisories", TRACKER, "--dpkg-status", STATUS, "--format", "kev")
        self.assertEqual(r.rc, 2, r)

    def test_forced_format_same_findings(self):
        r = check("--advisories", TRACKER, "--format", "debian-tracker", "--dpkg-status",
                  STATUS, "--root", ROOT, "--json")
        self.assertEqual(r.rc, 1, r)
        # Without the KEV file and the letter: the package findings, none in KEV.
        want = set(e[:6] + (None,) + e[7:] for e in EXPECTED if e[1] != "zimbra")
        self.assertEqual(as_set(r.json()["findings"]), want)


if __name__ == "__main__":
    canhtest.main()
