#!/usr/bin/env python3
"""Delivery: nothing lost, nothing stored twice, across a server outage and
SIGKILL of either side mid-delivery; sequence numbers are never reused.

The invariant checked after every scenario, for the agent's rows of
agent_messages: count(*) == count(DISTINCT seq) == max(seq) == the last
sequence the agent acknowledges (and produced, when nothing is pending)."""

import os
import shutil
import struct
import threading
import time

import canhtest
from canhtest import log, wait_until

QUIET = {"heartbeat_interval": "1h", "inventory_interval": "1h"}  # produce nothing new


class DeliveryTest(canhtest.CanhTestCase):

    # --- helpers ---
    def setup_offline(self):
        """canhd, one enrolled agent, then canhd stopped: (server, agent, port)."""
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        port = srv.port
        st = agent.status()
        self.assertEqual((st["next_seq"], st["acked_seq"], st["pending"]), (1, 0, 0), st)
        srv.stop()
        return srv, agent, port

    def spool_offline(self, agent, at_least, sets):
        """Run the agent with the server down until `at_least` messages are pending; SIGTERM."""
        agent.run(sets)
        wait_until(lambda: agent.status()["pending"] >= at_least, timeout=60, interval=0.2,
                   what="%d messages spooled while the server is down" % at_least)
        rc, _ = agent.stop()
        self.assertEqual(rc, 0, "canh-agent exit status after SIGTERM")
        st = agent.status()
        self.assertGreaterEqual(st["pending"], at_least)
        self.assertEqual(st["pending"], st["next_seq"] - 1 - st["acked_seq"], st)
        self.assertEqual(st["refused"], 0, st)
        log("spooled offline: %r" % st)
        return st

    def wait_all_acked(self, agent, at_least, timeout=60):
        def done():
            st = agent.status()
            if (st["pending"] == 0 and st["acked_seq"] == st["next_seq"] - 1
                    and st["acked_seq"] >= at_least):
                return st
            return None
        st = wait_until(done, timeout=timeout, interval=0.2,
                        what="the agent to have every message acknowledged (>= %d)" % at_least)
        log("all acknowledged: %r" % st)
        return st

    def check_invariant(self, srv, agent, st):
        """After a quiet period: DB holds exactly 1..acked_seq for the agent."""
        self.assert_delivered_exactly(srv, agent.agent_id, st["acked_seq"])
        self.assertEqual(st["pending"], st["next_seq"] - 1 - st["acked_seq"], st)
        (ok,), = srv.db_query("PRAGMA quick_check")
        self.assertEqual(ok, "ok")
        # the server's own account agrees
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        self.assertEqual(host["ack_seq"], st["acked_seq"], host)
        self.assertEqual(host["messages"], st["acked_seq"], host)

    def kill_mid_delivery(self, srv, victim, agent_id, base, total, what, ready=None):
        """Poll the store; kill `victim` as soon as base < stored < total (and ready())."""
        conn = srv.db()
        try:
            deadline = time.monotonic() + 60
            while True:
                (c,), = conn.execute("SELECT count(*) FROM agent_messages WHERE agent_id = ?",
                                     (agent_id,)).fetchall()
                if base < c < total and (ready is None or ready()):
                    victim.kill()
                    break
                self.assertLess(c, total, "all %d messages were delivered before %s could be "
                                "killed (delivery too fast to interrupt)" % (total, what))
                self.assertLess(time.monotonic(), deadline, "no delivery started")
                time.sleep(0.002)
            (after,), = conn.execute("SELECT count(*) FROM agent_messages WHERE agent_id = ?",
                                     (agent_id,)).fetchall()
        finally:
            conn.close()
        log("%s SIGKILLed with %d of %d stored (%d after the kill)" % (what, c, total, after))
        self.assertLess(after, total, "%s was killed too late: everything was stored" % what)
        return after

    # --- scenarios ---
    def test_retention(self):
        """Messages past [store] message_retention are deleted by canhd on its own;
        the host's counters stay, and a re-sent old seq is still a duplicate."""
        conf = self.ws.write("canhd.conf",
                             "[store]\nmessage_retention = 1s\nprune_interval = 1s\n")
        srv = self.start_server(config=conf)
        agent = self.enroll_agent(srv)
        agent.run({"heartbeat_interval": "100ms", "inventory_interval": "1h"})
        st = self.wait_all_acked(agent, 10)
        agent.stop()
        st = agent.status()
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] == 0, timeout=30, interval=0.2,
                   what="canhd to delete the messages past their retention")
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        # The server may hold one batch more than the agent saw acknowledged (stopped
        # between the server's commit and the ack): at-least-once, re-sent later.
        n = host["ack_seq"]
        self.assertEqual(host["messages"], n, host)
        self.assertTrue(st["acked_seq"] <= n <= st["next_seq"] - 1, (st, host))
        self.assertGreater(len(host["packages"]), 0, "the latest inventory is kept")
        # a restart goes on from n+1; nothing old comes back
        agent.run({"heartbeat_interval": "100ms", "inventory_interval": "1h"})
        self.wait_all_acked(agent, n + 3)
        agent.stop()
        (lo,), = srv.db_query("SELECT coalesce(min(seq), %d) FROM agent_messages "
                              "WHERE agent_id = ?" % (n + 1), (agent.agent_id,))
        self.assertGreater(lo, n)
        self.assertIn("older than the retention", srv.proc.output())

    def test_server_down_then_back(self):
        """(a) the agent keeps collecting while canhd is down, then delivers everything once;
        (c) a restart with nothing pending keeps sequence numbers increasing."""
        srv, agent, port = self.setup_offline()
        st = self.spool_offline(agent, 10, {"heartbeat_interval": "100ms", "retry_max": "200ms",
                                            "upload_interval": "100ms"})
        n = st["next_seq"] - 1
        self.assertEqual(st["acked_seq"], 0)
        self.assertEqual(st["pending"], n)

        srv.start(port=port)
        self.assertEqual(srv.db_counts(agent.agent_id), (0, 0, 0))
        agent.run(QUIET)
        st = self.wait_all_acked(agent, n)
        self.assert_delivered_exactly(srv, agent.agent_id, st["next_seq"] - 1)
        agent.stop()
        st = agent.status()
        self.check_invariant(srv, agent, st)
        self.assertGreaterEqual(st["acked_seq"], n)
        types = dict(srv.db_query("SELECT type, count(*) FROM agent_messages WHERE agent_id = ? "
                                  "GROUP BY type", (agent.agent_id,)))
        self.assertGreaterEqual(types.get("heartbeat", 0), 5, types)
        self.assertGreaterEqual(types.get("inventory", 0), 1, types)

        # (c) restart with nothing pending: new messages get new sequence numbers
        before = st
        self.assertEqual(before["pending"], 0, before)
        agent.run({"heartbeat_interval": "200ms", "inventory_interval": "1h"})
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= before["acked_seq"] + 3,
                   what="new messages after the agent's restart")
        agent.stop()
        st = agent.status()
        self.assertGreater(st["next_seq"], before["next_seq"], (before, st))
        agent.run(QUIET)
        st = self.wait_all_acked(agent, before["acked_seq"] + 3)
        agent.stop()
        st = agent.status()
        self.check_invariant(srv, agent, st)
        rows = srv.db_query("SELECT count(*) FROM agent_messages WHERE agent_id = ? AND seq >= ?",
                            (agent.agent_id, before["next_seq"]))
        self.assertEqual(rows[0][0], st["acked_seq"] - before["acked_seq"])

    def test_sigkill_mid_delivery(self):
        """(b) SIGKILL of the agent, then of the server, in the middle of delivering a backlog."""
        srv, agent, port = self.setup_offline()
        spool = {"heartbeat_interval": "10ms", "retry_max": "200ms", "upload_interval": "100ms"}
        st = self.spool_offline(agent, 300, spool)
        total = st["next_seq"] - 1

        # agent killed mid-delivery
        srv.start(port=port)
        slow = dict(QUIET, batch_max_messages="5", upload_interval="10ms")
        agent.run(slow)
        # kill once the agent has freed part of its spool (acked > 0), before the end
        stored = self.kill_mid_delivery(srv, agent, agent.agent_id, 0, total, "canh-agent",
                                        ready=lambda: agent.status()["acked_seq"] > 0)
        st = agent.status()
        self.assertGreater(st["acked_seq"], 0)
        self.assertLessEqual(st["acked_seq"], stored, "the agent acked more than the server holds")
        self.assertGreaterEqual(st["next_seq"] - 1, total)
        agent.run(slow)
        st = self.wait_all_acked(agent, total)
        agent.stop()
        st = agent.status()
        self.check_invariant(srv, agent, st)
        dup = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        log("after the agent's SIGKILL: %r, host messages=%s" % (st, dup.get("messages")))

        # server killed mid-delivery
        base = st["acked_seq"]
        srv.stop()
        st = self.spool_offline(agent, 300, spool)
        total = st["next_seq"] - 1
        srv.start(port=port)
        agent.run(slow)
        stored = self.kill_mid_delivery(srv, srv, agent.agent_id, base, total, "canhd")
        srv.start(port=port)
        st = self.wait_all_acked(agent, total)
        agent.stop()
        st = agent.status()
        self.check_invariant(srv, agent, st)
        self.assertGreaterEqual(st["acked_seq"], total)

    def test_concurrent_agents(self):
        """Three agents deliver their backlogs at once, with administrators reading, and
        canhd is SIGKILLed in the middle: each agent's messages are stored exactly once."""
        srv = self.start_server()
        agents = [self.enroll_agent(srv, "agent%d" % i) for i in range(3)]
        port = srv.port
        srv.stop()
        for a in agents:
            a.run({"heartbeat_interval": "10ms", "retry_max": "200ms"})
        for a in agents:
            wait_until(lambda: a.status()["pending"] >= 100, timeout=60, interval=0.2,
                       what="%s to spool 100 messages" % a.name)
        totals = {}
        for a in agents:
            a.stop()
            totals[a.agent_id] = a.status()["next_seq"] - 1

        srv.start(port=port)
        stop = threading.Event()
        errors = []

        def reader():  # administrators reading while agents write
            while not stop.is_set():
                try:
                    for path in ("hosts", "summary", "hosts/%d" % agents[0].agent_id):
                        r = srv.api("GET", path)
                        if r.status != 200:
                            errors.append("%s: %r" % (path, r))
                except Exception:  # canhd is being killed and restarted
                    time.sleep(0.05)
        th = threading.Thread(target=reader, daemon=True)
        th.start()
        try:
            for a in agents:
                a.run(dict(QUIET, batch_max_messages="2", upload_interval="10ms",
                           retry_max="200ms"))
            grand = sum(totals.values())

            def total_stored():
                (c,), = srv.db_query("SELECT count(*) FROM agent_messages")
                return c
            wait_until(lambda: total_stored() >= grand // 3, timeout=60, interval=0.01,
                       what="a third of all messages stored")
            self.assertLess(total_stored(), grand, "delivery ended before canhd could be killed")
            srv.kill()
            srv.start(port=port)
            sts = {a.agent_id: self.wait_all_acked(a, totals[a.agent_id]) for a in agents}
        finally:
            stop.set()
            th.join(30)
        self.assertEqual(errors, [])
        for a in agents:
            a.stop()
            self.check_invariant(srv, a, a.status())
        summary = srv.api("GET", "summary").json()
        self.assertEqual(summary["hosts"], 3, summary)
        self.assertEqual(summary["messages"], sum(a.status()["acked_seq"] for a in agents), summary)

    def test_spool_damage(self):
        """A record damaged on disk and a torn tail (a crash mid-write): recovery keeps every
        other record; the missing sequence reaches the server as 'lost', is rejected and
        acknowledged, so delivery goes on; nothing else is lost or doubled."""
        srv, agent, port = self.setup_offline()
        st = self.spool_offline(agent, 12, {"heartbeat_interval": "100ms", "retry_max": "200ms"})
        total = st["next_seq"] - 1
        segs = sorted(f for f in os.listdir(os.path.join(agent.state_dir, "spool"))
                      if f.startswith("seg-"))
        self.assertTrue(segs)
        path = os.path.join(agent.state_dir, "spool", segs[-1])
        with open(path, "rb") as f:
            data = bytearray(f.read())
        records, off = {}, 0
        while off + 20 <= len(data):  # [magic][u32 len][u64 seq][u32 crc][payload]
            self.assertEqual(bytes(data[off:off + 4]), b"CSP1", "spool record layout")
            n, seq = struct.unpack_from("<IQ", data, off + 4)
            records[seq] = (off + 20, n)
            off += 20 + n
        self.assertEqual(off, len(data))
        victim = sorted(records)[len(records) // 2]
        poff, plen = records[victim]
        data[poff + plen // 2] ^= 0xFF
        data += b"CSP1" + struct.pack("<IQ", 500, total + 1) + b"{\"type\":\"heart"  # torn
        with open(path, "wb") as f:
            f.write(data)
        log("damaged seq %d in %s and added a torn tail" % (victim, segs[-1]))

        st = agent.status()
        self.assertEqual(st["next_seq"], total + 1, st)
        self.assertEqual(st["pending"], total - 1, st)
        srv.start(port=port)
        agent.run(QUIET)
        st = self.wait_all_acked(agent, total)
        agent.stop()
        st = agent.status()
        n = st["acked_seq"]
        stored = {q for (q,) in srv.db_query("SELECT seq FROM agent_messages WHERE agent_id = ?",
                                             (agent.agent_id,))}
        rejects = dict(srv.db_query("SELECT seq, type FROM agent_rejects WHERE agent_id = ?",
                                    (agent.agent_id,)))
        self.assertEqual(rejects, {victim: "lost"})
        self.assertEqual(stored, set(range(1, n + 1)) - {victim})
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        self.assertEqual((host["ack_seq"], host["rejected"]), (n, 1), host)

    def test_one_agent_per_state_dir(self):
        """A second canh-agent on the same state directory refuses to run (the spool is
        locked) and the first one goes on."""
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        agent.run({"heartbeat_interval": "100ms"})
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= 2, what="the first agent's messages")
        second = canhtest.Proc(self.ws, "second-agent", [canhtest.AGENT, "run", "--state-dir",
                                                         agent.state_dir])
        rc = second.wait(timeout=30)
        self.assertNotEqual(rc, 0, "a second agent ran on the same state directory")
        self.assertRegex(second.output(), r"(?i)in use|lock|running")
        self.assertTrue(agent.running())
        c = srv.db_counts(agent.agent_id)[0]
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= c + 3,
                   what="the first agent to go on delivering")
        agent.stop()
        agent.run(QUIET)
        st = self.wait_all_acked(agent, c + 3)
        agent.stop()
        self.check_invariant(srv, agent, agent.status())

    def test_spool_full(self):
        """A bounded spool refuses new messages when full, drops nothing it accepted, and
        a refusal does not use up a sequence number."""
        srv, agent, port = self.setup_offline()
        agent.run({"heartbeat_interval": "10ms", "retry_max": "200ms",
                   "spool_max": "160K"})
        wait_until(lambda: agent.status()["refused"] >= 20, timeout=60, interval=0.2,
                   what="the full spool to refuse messages")
        agent.stop()
        st = agent.status()
        log("full spool: %r" % st)
        self.assertLessEqual(st["pending_bytes"], 160 * 1024, st)
        self.assertEqual(st["pending"], st["next_seq"] - 1, st)
        self.assertGreater(st["pending"], 10, st)
        accepted = st["pending"]

        srv.start(port=port)
        agent.run(dict(QUIET, spool_max="160K"))
        st = self.wait_all_acked(agent, accepted)
        agent.stop()
        st = agent.status()
        self.check_invariant(srv, agent, st)

    def test_restored_spool(self):
        """An agent state directory restored from an old copy: the server's ack is ahead of
        the spool, so the spool's sequence moves past it and new messages are not taken
        for duplicates (docs/protocol.md, delivery rule 4)."""
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        agent.run(dict(QUIET, heartbeat_interval="100ms"))
        st = self.wait_all_acked(agent, 3)
        agent.stop()
        backup = self.ws.path("agent-backup")
        shutil.copytree(agent.state_dir, backup)
        old = agent.status()

        agent.run(dict(QUIET, heartbeat_interval="100ms"))
        st = self.wait_all_acked(agent, old["acked_seq"] + 10)
        agent.stop()
        ahead = agent.status()
        self.check_invariant(srv, agent, ahead)

        shutil.rmtree(agent.state_dir)
        shutil.copytree(backup, agent.state_dir)
        self.assertLess(agent.status()["next_seq"], ahead["next_seq"])
        agent.run(dict(QUIET, heartbeat_interval="100ms"))
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= ahead["acked_seq"] + 3,
                   what="messages of the restored agent to be stored as new")
        agent.stop()
        agent.run(QUIET)
        st = self.wait_all_acked(agent, ahead["acked_seq"] + 3)
        agent.stop()
        st = agent.status()
        self.assertGreater(st["next_seq"], ahead["next_seq"], st)
        self.check_invariant(srv, agent, st)
        dups = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        log("restored: %r; host rejected=%s" % (st, dups.get("rejected")))


if __name__ == "__main__":
    canhtest.main()
