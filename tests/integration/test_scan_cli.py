"""canh scan: offline, the real CLI on the harmless samples of tests/data/scan.

Each shipped rule finds its sample and nothing in the clean files; hash
lists of each type; --json lines and the summary object; the cache (second
scan reads nothing, still reports the known-bad file); a changed file is
rescanned; exclusions; size limit; rule compile errors with file and line;
--quarantine moves the files out; exit statuses 0, 1, 2; Vietnamese output.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canhtest  # noqa: E402

DATA = os.path.join(canhtest.SOURCE, "tests", "data", "scan")
RULES = os.path.join(canhtest.SOURCE, "rules", "yara")
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC" + ")7}$EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*")

EXPECTED = {
    ("eicar.com", "EICAR_Test_File"),
    ("webshell_eval.php", "PHP_Webshell_Eval_Base64"),
    ("chopper.php", "PHP_Webshell_Assert_Request"),
    ("chopper.php", "Webshell_China_Chopper"),
    ("assert_post.php", "PHP_Webshell_Assert_Request"),
    ("wso.php", "PHP_Webshell_WSO"),
    ("revshell.sh", "RevShell_Bash_Dev_Tcp"),
    ("revshell_nc.sh", "RevShell_Netcat_Exec"),
    ("revshell.py", "RevShell_Python_Pty"),
    ("revshell.pl", "RevShell_Perl_Socket"),
    ("xmrig_config.json", "Miner_XMRig_Config"),
    ("xmrig_config.json", "Miner_Stratum_Pool"),
}


def scan(*args, env=None):
    # Without --rules canh scan takes $CANH_YARA_RULES, else rules/yara of its source tree.
    e = {"CANH_YARA_RULES": RULES}
    e.update(env or {})
    r = canhtest.run([canhtest.CLI, "scan"] + list(args), env=e)
    for marker in canhtest.SANITIZER_MARKERS:
        if marker in r.err:
            raise AssertionError("%r in stderr: %r" % (marker, r))
    return r


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def lines(r):
    return [json.loads(x) for x in r.out.splitlines() if x.strip()]


class ScanCli(unittest.TestCase):
    def setUp(self):
        if not os.access(canhtest.CLI, os.X_OK):
            self.fail("%s is not built" % canhtest.CLI)
        self.tmp = tempfile.mkdtemp(prefix="canh-scan-cli-")
        self.tree = os.path.join(self.tmp, "tree")
        shutil.copytree(os.path.join(DATA, "samples"), os.path.join(self.tree, "samples"))
        shutil.copytree(os.path.join(DATA, "clean"), os.path.join(self.tree, "clean"))
        with open(os.path.join(self.tree, "eicar.com"), "w") as f:
            f.write(EICAR)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_shipped_rules_json(self):
        r = scan("--json", "--rules", RULES, self.tree)
        self.assertEqual(r.rc, 1, r)
        objs = lines(r)
        dets = [o for o in objs if o["type"] == "detection"]
        got = {(os.path.basename(d["path"]), d["rule"]) for d in dets}
        self.assertEqual(got, EXPECTED)
        for d in dets:
            data = read(d["path"])
            self.assertEqual(d["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(d["md5"], hashlib.md5(data).hexdigest())
            self.assertEqual(d["sha1"], hashlib.sha1(data).hexdigest())
            self.assertEqual(d["size"], len(data))
            self.assertFalse(d["cached"])
        summary = objs[-1]
        self.assertEqual(summary["type"], "summary")
        self.assertEqual(summary["files"], 13)
        self.assertEqual(summary["detections"], len(EXPECTED))
        self.assertEqual(summary["infected"], 10)
        self.assertIn("seconds", summary)

    def test_text_output_and_default_rules(self):
        # No --rules: the rules of $CANH_YARA_RULES (else of the source tree).
        r = scan(self.tree, env={"CANH_YARA_RULES": RULES})
        self.assertEqual(r.rc, 1, r)
        sha = hashlib.sha256(EICAR.encode()).hexdigest()
        self.assertIn("%s: EICAR_Test_File (%s)" % (os.path.join(self.tree, "eicar.com"), sha),
                      r.out)
        self.assertIn("scanned 13 files", r.out)
        r = scan("--lang", "vi", self.tree, env={"CANH_YARA_RULES": RULES})
        self.assertEqual(r.rc, 1, r)
        self.assertIn("đã quét 13 tệp", r.out)
        self.assertIn("phát hiện", r.out)

    def test_clean_exit_zero(self):
        r = scan("--rules", RULES, os.path.join(self.tree, "clean"))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("0 detections", r.out)

    def test_hash_lists(self):
        files = {"md5": "clean/readme.txt", "sha1": "clean/index.php", "sha256": "clean/config.json"}
        listing = ["# canh test IOCs"]
        for typ, rel in files.items():
            data = read(os.path.join(self.tree, rel))
            listing.append("%s Test.%s" % (hashlib.new(typ, data).hexdigest().upper(), typ))
        hashes = os.path.join(self.tmp, "iocs.txt")
        with open(hashes, "w") as f:
            f.write("\n".join(listing) + "\n")
        r = scan("--json", "--no-rules", "--hashes", hashes, self.tree)
        self.assertEqual(r.rc, 1, r)
        dets = [o for o in lines(r) if o["type"] == "detection"]
        got = {(d["ioc_type"], os.path.relpath(d["path"], self.tree), d["ioc_name"]) for d in dets}
        self.assertEqual(got, {(t, rel, "Test." + t) for t, rel in files.items()})
        # Rules and hashes together.
        r = scan("--json", "--rules", RULES, "--hashes", hashes, self.tree)
        self.assertEqual(lines(r)[-1]["detections"], len(EXPECTED) + 3)

    def test_cache(self):
        cache = os.path.join(self.tmp, "scan.cache")
        r = scan("--json", "--rules", RULES, "--cache", cache, self.tree)
        self.assertEqual(lines(r)[-1]["files_read"], 13)
        r = scan("--json", "--cache", cache, self.tree)
        self.assertEqual(r.rc, 1, r)
        objs = lines(r)
        self.assertEqual(objs[-1]["files_read"], 0)
        self.assertEqual(objs[-1]["cached"], 13)
        dets = [o for o in objs if o["type"] == "detection"]
        self.assertEqual({(os.path.basename(d["path"]), d["rule"]) for d in dets}, EXPECTED)
        self.assertTrue(all(d["cached"] for d in dets))
        # A changed file is read again; a cleaned file stops being reported.
        with open(os.path.join(self.tree, "samples", "wso.php"), "w") as f:
            f.write("<?php echo 'cleaned';\n")
        r = scan("--json", "--cache", cache, self.tree)
        objs = lines(r)
        self.assertEqual(objs[-1]["files_read"], 1)
        self.assertNotIn("wso.php", r.out)
        # A damaged cache: a warning, and the right answer.
        with open(cache, "r+b") as f:
            f.seek(100)
            f.write(b"\xff\xff\xff")
        r = scan("--json", "--cache", cache, self.tree)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("discarded", r.err)
        self.assertEqual(lines(r)[-1]["files_read"], 13)

    def test_exclude_and_size(self):
        r = scan("--json", "--exclude", os.path.join(self.tree, "samples"), "--exclude", "*.com",
                 self.tree)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(lines(r)[-1]["files"], 3)
        r = scan("--json", "--max-size", "40", self.tree)
        objs = lines(r)
        # chopper.php (35 bytes) is the only sample under 40 bytes.
        self.assertEqual({os.path.basename(o["path"]) for o in objs if o["type"] == "detection"},
                         {"chopper.php"})
        self.assertGreater(objs[-1]["too_big"], 0)

    def test_compile_errors(self):
        r = scan("--rules", os.path.join(DATA, "rules", "bad.yar"), "--rules",
                 os.path.join(DATA, "rules", "bad2.yar"), self.tree)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("bad.yar:15: error: undefined string", r.err)
        self.assertIn("bad2.yar:5: error: syntax error", r.err)
        self.assertEqual(r.out, "")

    def test_usage_errors(self):
        self.assertEqual(scan().rc, 2)
        self.assertEqual(scan("--threads", "0", self.tree).rc, 2)
        self.assertEqual(scan("--pause-ratio", "2", self.tree).rc, 2)
        r = scan(os.path.join(self.tmp, "missing"))
        self.assertEqual(r.rc, 2, r)
        self.assertIn("missing", r.err)

    def test_quarantine(self):
        qdir = os.path.join(self.tmp, "quarantine")
        victim = os.path.join(self.tree, "samples", "revshell.sh")
        before = read(victim)
        r = scan("--quarantine", qdir, os.path.join(self.tree, "samples", "revshell.sh"),
                 os.path.join(self.tree, "clean"))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("quarantined", r.out)
        self.assertFalse(os.path.exists(victim))
        self.assertEqual(os.stat(qdir).st_mode & 0o777, 0o700)
        metas = [f for f in os.listdir(qdir) if f.endswith(".json")]
        self.assertEqual(len(metas), 1)
        meta = json.loads(read(os.path.join(qdir, metas[0]), "r"))
        self.assertEqual(meta["path"], victim)
        self.assertEqual(meta["rule"], "RevShell_Bash_Dev_Tcp")
        self.assertEqual(meta["sha256"], hashlib.sha256(before).hexdigest())
        stored = read(os.path.join(qdir, meta["id"] + ".bin"))
        self.assertNotEqual(stored, before)
        self.assertEqual(os.stat(os.path.join(qdir, meta["id"] + ".bin")).st_mode & 0o777, 0o400)
        # The quarantined copy is not detected again.
        r = scan(qdir)
        self.assertEqual(r.rc, 0, r)


if __name__ == "__main__":
    canhtest.main()
