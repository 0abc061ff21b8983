#!/usr/bin/env python3
"""Threat intelligence end to end: the real canhd and canh import victim and C2
lists (the demo's xlsx made by ssconvert, a Vietnamese CSV, a STIX bundle, a
Feodo Tracker CSV), list and show them with their rejected rows, match them
against the units' public ranges and an agent's egress address, report per
unit with scoping and in Vietnamese; an oversized upload is refused with 413
and a malformed file leaves nothing behind."""

import json
import os
import shutil
import subprocess

import canhtest
from canhtest import Canhd, cli, log

DEMO = os.path.join(canhtest.SOURCE, "data", "demo")
XLSX = os.path.join(DEMO, "intel", "botnet-2026-10.xlsx")
FEODO = os.path.join(DEMO, "intel", "feodo-c2.csv")
UNITS = os.path.join(DEMO, "units.csv")

VICTIM_CSV = (
    "Danh sách IP nhiễm mã độc tháng 11\n"
    "STT;Địa chỉ IP;Ngày phát hiện;Mã độc;Cổng;Tổ chức\n"
    "1;192.0.2.19;02/11/2026;Mirai;23;Trường THCS Chu Văn An\n"
    "2;192.0.2.999;03/11/2026;Mirai;23;Trường THCS Chu Văn An\n"
    "3;203.0.113.150;04/11/2026;Gafgyt;;Doanh nghiệp khác\n"
)

STIX = {
    "type": "bundle",
    "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
    "objects": [
        {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
         "name": "Andromeda victim", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '198.51.100.33']",
         "valid_from": "2026-11-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--9e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
         "pattern_type": "stix",
         "pattern": "[ipv6-addr:value = '2001:db8:100::77']",
         "valid_from": "2026-11-01T00:00:00Z"},
    ],
}


def units_in(report):
    return [u["code"] for u in report["units"]]


def addresses(report, code):
    for u in report["units"]:
        if u["code"] == code:
            return [a["address"] for a in u["addresses"]]
    return []


class IntelTest(canhtest.CanhTestCase):

    def start(self):
        conf = self.ws.write("canhd.conf", "[intel]\nmax_feed_size = 256K\n")
        srv = Canhd(self.ws, config=conf).start()
        r = cli(srv, "unit", "import", UNITS)
        self.assertEqual(r.rc, 0, r)
        return srv

    def count(self, srv, table):
        with srv.db() as db:
            return db.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]

    def test_import_list_show_report(self):
        srv = self.start()

        # The demo's botnet list: an xlsx as the authority sends it, one mistyped address.
        r = cli(srv, "intel", "import", XLSX, "--kind", "victim")
        self.assertEqual(r.rc, 1, r)  # a rejected row makes the exit status 1
        self.assertIn("feed 'botnet-2026-10' (victim list) version 1", r.out)
        self.assertIn("entries 9, rejected rows 1", r.out)
        self.assertRegex(r.out, r"line 16, cell B16: .*198\.51\.100\.2555")
        self.assertIn("matches with units' public ranges and hosts' egress addresses: 7", r.out)

        # The same file again: nothing new.
        r = cli(srv, "intel", "import", XLSX, "--kind", "victim")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("unchanged", r.out)

        # A CSV with a Vietnamese header, a STIX bundle, a Feodo C2 list.
        csv = self.ws.write("IP nhiễm T11.csv", VICTIM_CSV)
        r = cli(srv, "--json", "intel", "import", csv, "--kind", "victim")
        self.assertEqual(r.rc, 1, r)
        j = r.json()
        self.assertEqual(j["feed"], "IP-nhiem-T11")  # named after the file, marks dropped
        self.assertEqual(j["entries"]["ip"], 2)
        self.assertEqual(j["rejected"], 1)
        self.assertEqual(j["rejects"][0]["line"], 4)
        stix = self.ws.write("victims.stix.json", json.dumps(STIX))
        r = cli(srv, "--json", "intel", "import", stix, "--kind", "victim", "--name", "stix-11")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["format"], "stix")
        self.assertEqual(r.json()["entries"]["ip"], 2)
        r = cli(srv, "intel", "import", FEODO, "--kind", "c2", "--name", "feodo")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("(C2 list) version 1", r.out)

        # The other kind under a taken name is refused.
        r = cli(srv, "intel", "import", FEODO, "--kind", "victim", "--name", "feodo")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("feed 'feodo' is a c2 list", r.err)

        r = cli(srv, "intel", "list")
        self.assertEqual(r.rc, 0, r)
        for name in ("botnet-2026-10", "IP-nhiem-T11", "stix-11", "feodo"):
            self.assertIn(name, r.out)
        feeds = cli(srv, "--json", "intel", "list").json()["feeds"]
        self.assertEqual({f["name"]: f["kind"] for f in feeds},
                         {"botnet-2026-10": "victim", "IP-nhiem-T11": "victim",
                          "stix-11": "victim", "feodo": "c2"})
        self.assertEqual(cli(srv, "--json", "intel", "list").json()["loaded"],
                         {"c2": 5, "victim": 13})

        r = cli(srv, "intel", "show", "botnet-2026-10")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("botnet-2026-10.xlsx", r.out)
        self.assertIn("xlsx", r.out)
        self.assertRegex(r.out, r"line 16, cell B16")
        r = cli(srv, "intel", "show", "no-such-feed")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("feed 'no-such-feed' not found", r.err)

        # The report: every unit; the demo list hits six of them.
        rep = cli(srv, "--json", "botnet", "report").json()
        self.assertEqual(addresses(rep, "HP-THPT-NQ"), ["198.51.100.20"])
        self.assertEqual(addresses(rep, "HP-SGDDT"), ["203.0.113.5", "2001:db8:100::77"])
        self.assertEqual(addresses(rep, "HP-THCS-CVA"), ["192.0.2.18", "192.0.2.19"])
        self.assertEqual(addresses(rep, "HP-TTGDNN-VB"), ["192.0.2.41", "2001:db8:102:1::9"])
        self.assertEqual(addresses(rep, "HP-THPT-LQD"), ["198.51.100.33"])
        a = [x for u in rep["units"] for x in u["addresses"] if x["address"] == "198.51.100.20"][0]
        self.assertEqual(a["family"], "Emotet")
        self.assertEqual(a["port"], 443)
        self.assertEqual(a["feed"], "botnet-2026-10")
        self.assertEqual(a["line"], 7)
        self.assertEqual(a["seen"], "2026-10-05T01:15:00.000Z")  # 08:15 in Vietnam
        self.assertEqual(a["matched"][0], {"how": "unit_range", "via": "198.51.100.16/28",
                                           "host": None})
        self.assertNotIn("198.51.100.200", json.dumps(rep))  # nobody's
        self.assertEqual(rep["totals"]["units"], len(rep["units"]))

        # Scoping: a district and the schools under it.
        rep = cli(srv, "--json", "botnet", "report", "--unit", "HP-PGD-NQ").json()
        self.assertEqual(units_in(rep), ["HP-PGD-NQ", "HP-THCS-CVA"])
        r = cli(srv, "botnet", "report", "--unit", "HP-PGD-NQ")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("HP-THCS-CVA  Trường THCS Chu Văn An (listed addresses: 2)", r.out)
        self.assertIn("192.0.2.18 (IPv4)  family: Gafgyt", r.out)
        self.assertIn("the unit's public range 192.0.2.16/29", r.out)
        r = cli(srv, "botnet", "report", "--unit", "HP-PGD-LC")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("no address of the botnet lists belongs to HP-PGD-LC", r.out)
        r = cli(srv, "botnet", "report", "--unit", "NOPE")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unit 'NOPE' not found", r.err)

        # Vietnamese.
        r = cli(srv, "--lang", "vi", "botnet", "report", "--unit", "HP-THPT-NQ")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("198.51.100.20 (IPv4)  họ mã độc: Emotet", r.out)
        self.assertIn("thuộc dải IP công khai 198.51.100.16/28 của đơn vị", r.out)
        r = cli(srv, "--lang", "vi", "intel", "import", XLSX, "--kind", "victim")
        self.assertIn("không thay đổi", r.out)
        r = cli(srv, "--lang", "vi", "intel", "show", "nope")
        self.assertIn("không tìm thấy nguồn 'nope'", r.err)

        # A new month replaces the list; the old version stays in the history.
        nov = self.ws.write("botnet-2026-10-fix.txt", "198.51.100.21\n")
        r = cli(srv, "intel", "import", nov, "--kind", "victim", "--name", "botnet-2026-10")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("version 2", r.out)
        self.assertIn("replaces version 1", r.out)
        show = cli(srv, "--json", "intel", "show", "botnet-2026-10").json()
        self.assertEqual([v["version"] for v in show["versions"]], [2, 1])
        self.assertEqual(show["active"]["version"], 2)
        rep = cli(srv, "--json", "botnet", "report").json()
        self.assertEqual(addresses(rep, "HP-THPT-NQ"), ["198.51.100.21"])
        self.assertEqual(addresses(rep, "HP-SGDDT"), ["2001:db8:100::77"])

    def test_fresh_xlsx_from_ssconvert(self):
        """The demo list made again by the spreadsheet program, now, imports the same."""
        if not (shutil.which("ssconvert") and shutil.which("zip") and shutil.which("unzip")):
            self.skipTest("ssconvert (gnumeric), zip or unzip is not installed")
        out = self.ws.path("fresh.xlsx")
        subprocess.run([os.path.join(DEMO, "intel", "make-botnet-list.sh"), out], check=True,
                       capture_output=True, timeout=120)
        srv = self.start()
        r = cli(srv, "--json", "intel", "import", out, "--kind", "victim")
        self.assertEqual(r.rc, 1, r)
        j = r.json()
        self.assertEqual((j["feed"], j["format"], j["entries"]["ip"], j["rejected"]),
                         ("fresh", "xlsx", 9, 1))
        self.assertEqual((j["rejects"][0]["line"], j["rejects"][0]["cell"]), (16, "B16"))
        self.assertEqual(j["victim_matches"], 7)

    def test_egress_and_pinpoint(self):
        srv = self.start()
        agent_id, cred = self.api_enroll(srv, unit="HP-THCS-TP", hostname="pc-lab-07")
        r = srv.client.request("GET", "agent/state", token=cred)
        self.assertEqual(r.status, 200, r)
        # The agent reaches canhd from 127.0.0.1: a list naming it names that host.
        lst = self.ws.write("nat.txt", "127.0.0.1\n")
        r = cli(srv, "--json", "intel", "import", lst, "--kind", "victim", "--name", "nat")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["victim_matches"], 1)
        rep = cli(srv, "--json", "botnet", "report", "--unit", "HP-THCS-TP").json()
        a = rep["units"][0]["addresses"][0]
        self.assertEqual(a["matched"][0]["how"], "agent_egress")
        self.assertEqual(a["matched"][0]["host"], {"id": agent_id, "hostname": "pc-lab-07"})
        self.assertEqual(a["candidates"][0]["host"], agent_id)
        self.assertIn("egress", [x["code"] for x in a["candidates"][0]["reasons"]])
        r = cli(srv, "botnet", "report", "--unit", "HP-THCS-TP")
        self.assertIn("egress address of host %d (pc-lab-07)" % agent_id, r.out)
        self.assertIn("host %d pc-lab-07 (unit HP-THCS-TP)" % agent_id, r.out)
        self.assertIn("connected to canhd from 127.0.0.1", r.out)
        r = cli(srv, "--lang", "vi", "botnet", "report", "--unit", "HP-THCS-TP")
        self.assertIn("đã kết nối tới canhd từ 127.0.0.1", r.out)

    def test_refusals(self):
        srv = self.start()
        versions = self.count(srv, "intel_feed_versions")

        # Over [intel] max_feed_size (256 KiB here): 413 before the body is read.
        big = b"192.0.2.1\n" * 30000
        r = srv.api("POST", "intel/feeds?name=big&kind=c2", body=big,
                    content_type="application/octet-stream")
        self.assertEqual(r.status, 413, r)
        path = self.ws.write("big.txt", big.decode())
        r = cli(srv, "intel", "import", path, "--kind", "c2")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("over the limit", r.err)

        # A file that is not what it claims: a clear error, nothing stored.
        bad = self.ws.write("botnet.xlsx", "PK\x03\x04 this is not a zip archive")
        r = cli(srv, "intel", "import", bad, "--kind", "victim")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("cannot read the file as xlsx", r.err)
        self.assertIn("nothing was imported", r.err)
        r = cli(srv, "--lang", "vi", "intel", "import", bad, "--kind", "victim")
        self.assertIn("không đọc được tệp theo định dạng xlsx", r.err)
        junk = self.ws.write("junk.txt", "hello\nworld\n")
        r = cli(srv, "intel", "import", junk, "--kind", "victim")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no entry could be read from the file (2 rows rejected", r.err)
        self.assertEqual(self.count(srv, "intel_feed_versions"), versions)
        self.assertEqual(self.count(srv, "intel_entries"), 0)
        self.assertEqual(self.count(srv, "intel_feeds"), 0)

        # Bad parameters.
        r = srv.api("POST", "intel/feeds?kind=victim", body="192.0.2.1\n",
                    content_type="text/plain")
        self.assertEqual(r.status, 400, r)
        self.assertIn("name", r.json()["error"])
        r = srv.api("POST", "intel/feeds?name=a/b&kind=victim", body="192.0.2.1\n")
        self.assertEqual(r.status, 400, r)
        r = srv.api("POST", "intel/feeds?name=x&kind=bad", body="192.0.2.1\n")
        self.assertEqual(r.status, 400, r)
        r = srv.api("POST", "intel/feeds?name=x&kind=c2&format=docx", body="192.0.2.1\n",
                    headers={"Accept-Language": "vi"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("định dạng", r.json()["error"])
        r = cli(srv, "intel", "import", junk, "--kind", "worm")
        self.assertEqual(r.rc, 2, r)
        r = srv.api("GET", "intel/feeds/nope")
        self.assertEqual(r.status, 404, r)
        r = srv.api("GET", "botnet/report?unit=NOPE")
        self.assertEqual(r.status, 404, r)
        log("refusals checked")


if __name__ == "__main__":
    canhtest.main()
