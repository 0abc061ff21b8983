#!/usr/bin/env python3
"""Flows end to end: a real canh-agent samples the connections of a child process
(a copy of python3 named beacon-flows, so its executable is its own and no
package owns it) to a listener of the test on a loopback address; canhd stores
them, raises a live C2 alert when the address is on an imported C2 list, and a
retro-hunt alert when the list arrives after the connection was stored;
`canh intel alerts` shows them in English and Vietnamese."""

import os
import shutil
import socket
import subprocess
import sys
import time

import canhtest
from canhtest import Agent, Canhd, cli, log, wait_until

UNITS_CSV = "code,name,type,parent_code,public_ranges\nHP-SGD,Sở GDĐT,department,,\n" \
            "HP-THPT,Trường THPT,school,HP-SGD,\n"

CHILD = """
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
sys.stdout.write("connected\\n")
sys.stdout.flush()
time.sleep(120)
"""

VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


class FlowsTest(canhtest.CanhTestCase):

    def setUp(self):
        super().setUp()
        self.children = []
        self.listeners = []

    def tearDown(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
        for s in self.listeners:
            s.close()

    def listen(self, addr):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((addr, 0))
        s.listen(4)
        self.listeners.append(s)
        return s.getsockname()[1]

    def connect_child(self, exe, addr, port):
        """A child process that connects to addr:port and holds the connection."""
        p = subprocess.Popen([exe, "-c", CHILD, addr, str(port)], stdout=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        self.children.append(p)
        self.assertEqual(p.stdout.readline().strip(), b"connected")
        return p

    def alerts(self, srv, *args):
        r = cli(srv, "intel", "alerts", "--json", *args)
        self.assertEqual(r.rc, 0, r)
        return r.json()["alerts"]

    def flows(self, srv, host):
        return srv.api("GET", "hosts/%d/flows" % host).json()["flows"]

    def test_flows_alerts_retrohunt(self):
        srv = Canhd(self.ws)
        srv.start()
        r = cli(srv, "unit", "import", self.ws.write("units.csv", UNITS_CSV))
        self.assertEqual(r.rc, 0, r)
        r = cli(srv, "token", "create", "--unit", "HP-THPT", "--json")
        self.assertEqual(r.rc, 0, r)
        agent = Agent(self.ws)
        r = agent.enroll(srv, r.json()["token"])
        self.assertEqual(r.rc, 0, r)
        host = agent.status()["agent_id"]
        agent.run({"flow_interval": "200ms", "flow_upload": "500ms", "flow_loopback": "yes",
                   "inventory_interval": "1h"})

        # the child's own executable: a copy of the interpreter, owned by no package
        exe = os.path.join(self.ws.dir, "beacon-flows")
        shutil.copy(os.path.realpath(sys.executable), exe)

        # -- live: the list first, then the connection --
        c2 = self.ws.write("c2-live.txt", "# C2 servers\n127.0.0.2\n")
        r = cli(srv, "intel", "import", c2, "--kind", "c2", "--name", "c2-live")
        self.assertEqual(r.rc, 0, r)
        port = self.listen("127.0.0.2")
        child = self.connect_child(exe, "127.0.0.2", port)

        def live_alert():
            for a in self.alerts(srv):
                if a["remote"] == "127.0.0.2" and a["remote_port"] == port:
                    return a
            return None
        a = wait_until(live_alert, timeout=30, what="a live C2 alert for 127.0.0.2")
        log("alert: %r" % a)
        self.assertEqual(a["host"], host)
        self.assertEqual(a["unit"], "HP-THPT")
        self.assertEqual(a["exe"], exe)
        self.assertEqual(a["process"], "beacon-flows")
        self.assertEqual(a["pid"], child.pid)
        self.assertEqual(a["direction"], "out")
        self.assertEqual(a["feed"], "c2-live")
        self.assertEqual(a["feed_version"], 1)
        self.assertEqual(a["entry"], "127.0.0.2")
        self.assertEqual(a["source"], "live")
        self.assertIs(a["owned"], False)
        # the listener's side of the same connection is inbound from 127.0.0.1: no alert
        self.assertEqual([x for x in self.alerts(srv) if x["remote"] != "127.0.0.2"], [])

        # a few more uploads of the same connection: still one alert
        time.sleep(1.5)
        same = [x for x in self.alerts(srv) if x["remote"] == "127.0.0.2"]
        self.assertEqual(len(same), 1, same)
        stored = [f for f in self.flows(srv, host)
                  if f["remote"] == "127.0.0.2" and f["remote_port"] == port]
        self.assertEqual(len(stored), 1, stored)
        self.assertGreater(stored[0]["count"], 1, stored)

        # filters
        self.assertEqual(len(self.alerts(srv, "--unit", "HP-SGD")), 1)
        self.assertEqual(len(self.alerts(srv, "--host", str(host))), 1)
        self.assertEqual(len(self.alerts(srv, "--since", "1h")), 1)
        r = cli(srv, "intel", "alerts", "--unit", "NO-SUCH")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("NO-SUCH", r.err)
        for query, status in (("host=abc", 400), ("host=0", 400), ("since=yesterday", 400),
                              ("limit=0", 400), ("limit=100001", 400), ("unit=NO-SUCH", 404),
                              ("since=2000-01-01T00:00:00Z&limit=5", 200)):
            resp = srv.api("GET", "intel/alerts?" + query)
            self.assertEqual(resp.status, status, "%s: %r" % (query, resp))
            if status != 200:
                self.assertIn("error", resp.json())
        resp = srv.api("GET", "intel/alerts?since=bad", headers={"Accept-Language": "vi"})
        self.assertEqual(resp.status, 400)
        self.assertTrue(VIETNAMESE & set(resp.json()["error"]), resp.json())
        self.assertEqual(srv.api("GET", "hosts/999/flows").status, 404)

        # -- pinpointing: the agent reaches canhd from 127.0.0.1, its egress address --
        pp = srv.api("GET", "intel/pinpoint?addr=127.0.0.1&port=%d&family=Emotet" % port)
        self.assertEqual(pp.status, 200, pp)
        pp = pp.json()
        log("pinpoint: %r" % pp)
        self.assertEqual(pp["addr"], "127.0.0.1")
        self.assertEqual(len(pp["candidates"]), 1, pp)
        cand = pp["candidates"][0]
        self.assertEqual((cand["host"], cand["unit"]), (host, "HP-THPT"))
        codes = {r["code"]: r for r in cand["reasons"]}
        for code in ("egress", "c2_contact", "listed_port", "unowned_process"):
            self.assertIn(code, codes, cand)
        self.assertEqual(codes["c2_contact"]["remote"], "127.0.0.2")
        self.assertEqual(codes["c2_contact"]["exe"], exe)
        # (canhd, canh-agent and the test's interpreter, built or installed outside dpkg,
        # are unowned too: which two are named depends on timing)
        self.assertGreaterEqual(cand["score"], 50 + 30 + 25 + 20)
        # a time a week away: behind the address, but not then
        week_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7 * 86400))
        pp = srv.api("GET", "intel/pinpoint?addr=127.0.0.1&time=" + week_ago).json()
        self.assertEqual([r["code"] for r in pp["candidates"][0]["reasons"]],
                         ["egress_other_time"], pp)
        self.assertEqual(srv.api("GET", "intel/pinpoint?addr=192.0.2.1").json()["candidates"],
                         [])
        for query in ("", "addr=", "addr=300.1.1.1", "addr=127.0.0.1&port=0",
                      "addr=127.0.0.1&time=yesterday", "addr=127.0.0.1&window=100d",
                      "addr=127.0.0.1&family=" + "x" * 65):
            resp = srv.api("GET", "intel/pinpoint?" + query)
            self.assertEqual(resp.status, 400, "%s: %r" % (query, resp))

        # -- retro-hunt: the connection is stored before any list names it --
        port3 = self.listen("127.0.0.3")
        self.connect_child(exe, "127.0.0.3", port3)
        wait_until(lambda: [f for f in self.flows(srv, host) if f["remote"] == "127.0.0.3"],
                   timeout=30, what="the flow to 127.0.0.3 stored")
        self.assertEqual([x for x in self.alerts(srv) if x["remote"] == "127.0.0.3"], [])
        agent.stop()  # nothing more is sent: only the retro-hunt can raise this alert
        c2 = self.ws.write("c2-later.txt", "127.0.0.3\n198.51.100.9\n")
        r = cli(srv, "intel", "import", c2, "--kind", "c2", "--name", "c2-later")
        self.assertEqual(r.rc, 0, r)
        late = [x for x in self.alerts(srv) if x["remote"] == "127.0.0.3"]
        self.assertEqual(len(late), 1, late)
        self.assertEqual(late[0]["source"], "retrohunt")
        self.assertEqual(late[0]["feed"], "c2-later")
        self.assertEqual(late[0]["exe"], exe)
        self.assertEqual(late[0]["remote_port"], port3)

        # -- the table, in both languages --
        en = cli(srv, "intel", "alerts", env={"LANG": "C", "LC_ALL": "", "LANGUAGE": ""})
        self.assertEqual(en.rc, 0, en)
        self.assertIn("127.0.0.2:%d" % port, en.out)
        self.assertIn("127.0.0.3:%d" % port3, en.out)
        self.assertIn("beacon-flows", en.out)
        self.assertIn("c2-live/1", en.out)
        self.assertIn("c2-later/1", en.out)
        self.assertIn("HP-THPT", en.out)
        self.assertIn("alerts: 2", en.out)
        self.assertFalse(VIETNAMESE & set(en.out), en.out)
        vi = cli(srv, "intel", "alerts", env={"LANG": "vi_VN.UTF-8", "LC_ALL": "",
                                              "LANGUAGE": ""})
        self.assertEqual(vi.rc, 0, vi)
        self.assertIn("số cảnh báo: 2", vi.out)
        self.assertIn("TIẾN TRÌNH", vi.out)
        self.assertIn("127.0.0.2:%d" % port, vi.out)


if __name__ == "__main__":
    canhtest.main()
