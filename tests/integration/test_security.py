#!/usr/bin/env python3
"""Security: credentials and their kinds, revocation, certificate pinning,
size caps, malformed and hostile input, slow clients, bad configuration."""

import json
import os
import re
import select
import socket
import ssl
import threading
import time

import canhtest
from canhtest import Canhd, log, wait_until

HEARTBEAT = {"agent_version": "test", "uptime_s": 1,
             "spool": {"pending": 0, "pending_bytes": 0, "refused": 0, "acked": 0}}


def now_rfc3339():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int(t % 1 * 1000)


def heartbeat(seq):
    return {"seq": seq, "type": "heartbeat", "time": now_rfc3339(), "data": HEARTBEAT}


class SecurityTest(canhtest.CanhTestCase):

    def test_credentials(self):
        srv = self.start_server()
        admin = srv.admin_token()
        agent_id, cred = self.api_enroll(srv)

        r = srv.api("GET", "agent/state", token=cred)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"agent_id": agent_id, "ack": 0})

        # unknown agent credential, malformed credentials, no credential -> 401
        for bad in ("A999.%s" % ("ab" * 32), "A%d.%s" % (agent_id, "0" * 64),
                    cred[:-1] + ("0" if cred[-1] != "0" else "1"), "garbage", cred + "00"):
            self.assert_error(srv.api("GET", "agent/state", token=bad), 401, "unauthorized")
            self.assert_error(srv.api("POST", "agent/messages",
                                      {"version": 1, "messages": [heartbeat(1)]}, token=bad),
                              401, "unauthorized")
        self.assert_error(srv.api("GET", "agent/state", token=None), 401, "unauthorized")
        self.assert_error(srv.api("GET", "hosts", token=None), 401, "unauthorized")
        self.assert_error(srv.api("GET", "units", token="0" * 64), 401, "unauthorized")
        r = srv.client.get("agent/state", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
        self.assert_error(r, 401, "unauthorized")

        # wrong kind of credential -> 403
        self.assert_error(srv.api("GET", "agent/state", token=admin), 403, "forbidden")
        self.assert_error(srv.api("POST", "agent/messages",
                                  {"version": 1, "messages": [heartbeat(1)]}, token=admin),
                          403, "forbidden")
        for path in ("hosts", "units", "tokens", "summary", "hosts/%d" % agent_id):
            self.assert_error(srv.api("GET", path, token=cred), 403, "forbidden")
        self.assert_error(srv.api("POST", "tokens", {"unit": "HP-SGDDT"}, token=cred), 403,
                          "forbidden")
        self.assert_error(srv.api("POST", "hosts/%d/revoke" % agent_id, token=cred), 403,
                          "forbidden")
        self.assertEqual(srv.db_counts(agent_id), (0, 0, 0))

        # unknown paths, wrong methods, content types
        for path in ("nope", "units/NOPE", "hosts/99999", "/api/v2/health", "/api/v1/no/such/path"):
            self.assert_error(srv.api("GET", path), 404, "not_found")
        self.assert_error(srv.api("DELETE", "health", token=None), 405, "method_not_allowed")
        self.assert_error(srv.api("GET", "agent/messages", token=cred), 405, "method_not_allowed")
        self.assert_error(srv.api("PUT", "units", {"code": "X"}), 405, "method_not_allowed")
        self.assert_error(srv.api("GET", "enroll", token=None), 405, "method_not_allowed")
        batch = json.dumps({"version": 1, "messages": [heartbeat(1)]})
        for ct in ("text/plain", "application/x-www-form-urlencoded", "text/csv", None):
            self.assert_error(srv.api("POST", "agent/messages", batch, token=cred,
                                      content_type=ct), 415, "unsupported_media_type")
        self.assert_error(srv.api("POST", "units", '{"code":"X"}', content_type="text/plain"),
                          415, "unsupported_media_type")
        self.assertEqual(srv.db_counts(agent_id), (0, 0, 0))

        # a body without Content-Length (not chunked either) on an endpoint that takes one
        s = srv.client.raw_tls_socket()
        try:
            s.sendall(("POST /api/v1/agent/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Connection: close\r\n\r\n" % cred).encode())
            status = self.read_status(s)
        finally:
            s.close()
        self.assertIn(status, (400, 411), "POST without a body or Content-Length")

    def test_batches(self):
        srv = self.start_server()
        agent_id, cred = self.api_enroll(srv)

        def post(body, **kw):
            return srv.api("POST", "agent/messages", body, token=cred, **kw)

        # malformed batches are refused whole, naming the problem
        self.assert_error(post('{"version":1,"messages":[{"seq":1,'), 400, "bad_request",
                          mention="json")
        self.assert_error(post('[1,2,3]'), 400, "bad_request")
        self.assert_error(post('{"version":1}'), 400, "bad_request", mention="messages")
        self.assert_error(post({"version": 1, "messages": {"seq": 1}}), 400, "bad_request",
                          mention="messages")
        self.assert_error(post({"version": 1, "messages": [heartbeat(2), heartbeat(1)]}), 400,
                          "bad_request", mention="seq")
        self.assert_error(post({"version": 1, "messages": [heartbeat(1), heartbeat(1)]}), 400,
                          "bad_request", mention="seq")
        for bad_seq in (0, -1, "1", 1.5, 2 ** 53 + 1, None):
            m = heartbeat(1)
            m["seq"] = bad_seq
            self.assert_error(post({"version": 1, "messages": [m]}), 400, "bad_request",
                              mention="seq")
        m = heartbeat(1)
        del m["seq"]
        self.assert_error(post({"version": 1, "messages": [m]}), 400, "bad_request", mention="seq")
        self.assert_error(post({"version": 1, "messages": [heartbeat(i + 1) for i in range(1001)]}),
                          400, "bad_request")
        self.assert_error(post(b"\xff\xfe{}"), 400, "bad_request")
        self.assertEqual(srv.db_counts(agent_id), (0, 0, 0))

        # valid seqs with garbage messages: each bad one is acked and counted as rejected
        garbage = [
            {"seq": 2, "type": "no-such-type", "time": now_rfc3339(), "data": {}},
            {"seq": 3, "type": "heartbeat", "time": "yesterday", "data": HEARTBEAT},
            {"seq": 4, "type": "heartbeat", "data": HEARTBEAT},
            {"seq": 5, "type": "inventory", "time": now_rfc3339(), "data": {"hostname": 42}},
            {"seq": 6, "type": "heartbeat", "time": now_rfc3339(), "data": "not an object"},
            {"seq": 7, "type": ["x"], "time": now_rfc3339(), "data": {}},
        ]
        batch = {"version": 1, "messages": [heartbeat(1)] + garbage + [heartbeat(8)]}
        r = post(batch)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["ack"], 8, j)
        self.assertEqual(j["rejected"], len(garbage), j)
        self.assertEqual(j["stored"] + j["rejected"], 8, j)
        self.assertEqual(j["duplicates"], 0, j)
        host = srv.api("GET", "hosts/%d" % agent_id).json()
        self.assertEqual(host["rejected"], len(garbage), host)
        self.assertEqual(host["ack_seq"], 8, host)
        r = srv.api("GET", "agent/state", token=cred)
        self.assertEqual(r.json()["ack"], 8, r)
        stored_rows = srv.db_query("SELECT seq FROM agent_messages WHERE agent_id = ? ORDER BY seq",
                                   (agent_id,))
        self.assertEqual(stored_rows, [(1,), (8,)])
        rejects = srv.db_query("SELECT seq, reason FROM agent_rejects WHERE agent_id = ? "
                               "ORDER BY seq", (agent_id,))
        self.assertEqual([q for q, _ in rejects], [2, 3, 4, 5, 6, 7], rejects)
        self.assertTrue(all(reason for _, reason in rejects), rejects)

        # the same batch again: all duplicates, nothing new
        r = post(batch)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["ack"], 8, j)
        self.assertEqual(j["stored"], 0, j)
        self.assertEqual(srv.db_query("SELECT seq FROM agent_messages WHERE agent_id = ? "
                                      "ORDER BY seq", (agent_id,)), stored_rows)
        self.assertEqual(srv.db_query("SELECT seq, reason FROM agent_rejects WHERE agent_id = ? "
                                      "ORDER BY seq", (agent_id,)), rejects)
        self.assertEqual(srv.api("GET", "hosts/%d" % agent_id).json()["rejected"], len(garbage))

        # a gap stops the ack
        r = post({"version": 1, "messages": [heartbeat(10), heartbeat(11)]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["ack"], 8, r)
        r = post({"version": 1, "messages": [heartbeat(9)]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["ack"], 11, r)

        # non-UTF-8 inside a string is bad input, not a crash
        r = post(b'{"version":1,"messages":[{"seq":12,"type":"heartbeat","time":"' +
                 now_rfc3339().encode() + b'","data":{"agent_version":"\xc3\x28"}}]}')
        self.assertIn(r.status, (200, 400), r)
        self.assertEqual(srv.client.get("health").status, 200)

    def test_revoke(self):
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        cred = agent.credential()
        self.assertTrue(cred.startswith("A%d." % agent.agent_id), cred)
        self.assertEqual(srv.api("GET", "agent/state", token=cred).status, 200)
        agent.run({"heartbeat_interval": "200ms", "upload_interval": "100ms",
                   "retry_max": "300ms", "inventory_interval": "1h"})
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= 3, what="the agent's messages")

        r = canhtest.cli(srv, "host", "revoke", str(agent.agent_id))
        self.assertEqual(r.rc, 0, r)
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        self.assertEqual(host["status"], "revoked")
        self.assert_error(srv.api("GET", "agent/state", token=cred), 401, "unauthorized")
        self.assert_error(srv.api("POST", "agent/messages",
                                  {"version": 1, "messages": [heartbeat(10 ** 6)]}, token=cred),
                          401, "unauthorized")

        # once the agent has been told 401, any batch in flight has finished: nothing new
        wait_until(lambda: re.search(r"(?i)401|revoked|unauthori[sz]ed", agent.proc.output()),
                   what="the agent's log to report the refusal (401)")
        count = srv.db_counts(agent.agent_id)[0]
        p0 = agent.status()["pending"]
        wait_until(lambda: agent.status()["pending"] >= p0 + 5, what="the agent's pending to grow")
        self.assertEqual(srv.db_counts(agent.agent_id)[0], count,
                         "messages stored from a revoked agent")
        self.assertTrue(agent.running(), "the agent should keep running (and spooling)")
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        self.assertEqual(host["messages"], count, host)
        agent.stop()

    def test_token_race(self):
        """A single-use token presented by 12 clients at once enrols exactly one agent."""
        srv = self.start_server()
        self.create_unit(srv)
        for _ in range(3):
            tok = self.create_token(srv)
            statuses = []

            def enroll(i):
                c = canhtest.Client(srv.url, srv.fingerprint)
                r = c.post("enroll", {"token": tok, "hostname": "h%d" % i, "machine_id": "m",
                                      "agent_version": "test"})
                statuses.append(r.status)
            th = [threading.Thread(target=enroll, args=(i,)) for i in range(12)]
            for t in th:
                t.start()
            for t in th:
                t.join(60)
            self.assertEqual(sorted(statuses), [201] + [401] * 11)
        self.assertEqual(len(srv.api("GET", "hosts").json()["hosts"]), 3)

    def test_reenrol_after_revoke(self):
        """A revoked agent enrolled again (--force, new token) starts a new identity and a
        new sequence; the old identity stays revoked and its stored messages stay."""
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        old_id, old_cred = agent.agent_id, agent.credential()
        agent.run({"heartbeat_interval": "100ms", "retry_max": "300ms"})
        wait_until(lambda: srv.db_counts(old_id)[0] >= 3, what="the agent's messages")
        self.assertEqual(canhtest.cli(srv, "host", "revoke", str(old_id)).rc, 0)
        wait_until(lambda: agent.status()["pending"] >= 3, what="the revoked agent to spool")
        agent.stop()
        kept = srv.db_counts(old_id)
        tok = self.create_token(srv)
        r = agent.enroll(srv, tok)
        self.assertNotEqual(r.rc, 0, "enrolment over an existing identity without --force: %r" % r)
        r = agent.enroll(srv, tok, extra=["--force"])
        self.assertEqual(r.rc, 0, r)
        st = agent.status()
        self.assertNotEqual(st["agent_id"], old_id)
        agent.agent_id = st["agent_id"]
        self.assertNotEqual(agent.credential(), old_cred)
        agent.run({"heartbeat_interval": "100ms", "retry_max": "300ms"})
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= 3, what="the new identity's messages")
        agent.stop()
        agent.run({"heartbeat_interval": "1h", "inventory_interval": "1h"})
        st = wait_until(lambda: (lambda s: s if s["pending"] == 0 else None)(agent.status()),
                        what="everything delivered")
        agent.stop()
        st = agent.status()
        self.assert_delivered_exactly(srv, agent.agent_id, st["acked_seq"])
        self.assertEqual(srv.db_counts(old_id), kept)
        hosts = {h["id"]: h for h in srv.api("GET", "hosts").json()["hosts"]}
        self.assertEqual(hosts[old_id]["status"], "revoked")
        self.assertEqual(hosts[agent.agent_id]["status"], "active")
        self.assert_error(srv.api("GET", "agent/state", token=old_cred), 401, "unauthorized")

    def test_wrong_server_certificate(self):
        srv = self.start_server()
        agent = self.enroll_agent(srv)
        old_fp = srv.fingerprint
        port = srv.port
        agent.run({"heartbeat_interval": "200ms", "upload_interval": "100ms",
                   "retry_max": "300ms", "inventory_interval": "1h"})
        wait_until(lambda: srv.db_counts(agent.agent_id)[0] >= 2, what="the agent's messages")

        srv.stop()
        log_offset = len(agent.proc.output())
        os.unlink(srv.path("cert.pem"))
        os.unlink(srv.path("key.pem"))
        srv.start(port=port)
        self.assertNotEqual(srv.fingerprint, old_fp, "a new certificate was expected")
        self.assertEqual(srv.fingerprint, canhtest.pem_fingerprint(srv.path("cert.pem")))
        self.assertEqual(canhtest.file_mode(srv.path("key.pem")), 0o600)

        count = srv.db_counts(agent.agent_id)[0]
        p0 = agent.status()["pending"]
        wait_until(lambda: agent.status()["pending"] >= p0 + 8, what="the agent's pending to grow")
        wait_until(lambda: re.search(r"(?i)certificate|fingerprint|pin",
                                     agent.proc.output()[log_offset:]),
                   what="the agent's log to name the certificate")
        self.assertIn(srv.fingerprint, agent.proc.output()[log_offset:],
                      "the agent's log should name the certificate it refused")
        self.assertEqual(srv.db_counts(agent.agent_id)[0], count,
                         "the agent sent data to a server with another certificate")
        host = srv.api("GET", "hosts/%d" % agent.agent_id).json()
        self.assertEqual(host["messages"], count)
        self.assertTrue(agent.running())
        agent.stop()

    def test_oversized_body(self):
        conf = self.ws.write("canhd.conf", "# test\n[server]\nmax_body = 64K\n")
        srv = Canhd(self.ws, config=conf).start()
        agent_id, cred = self.api_enroll(srv)
        big = 1024 * 1024
        for path, token in (("/api/v1/agent/messages", cred), ("/api/v1/enroll", None),
                            ("/api/v1/units", srv.admin_token())):
            s = srv.client.raw_tls_socket()
            try:
                hdr = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: %d\r\n" % (path, big))
                if token:
                    hdr += "Authorization: Bearer %s\r\n" % token
                s.sendall((hdr + "\r\n").encode())
                # refused before the body is read: the answer comes without sending it
                status, body = self.read_response(s)
            finally:
                s.close()
            self.assertEqual(status, 413, "POST %s with Content-Length 1 MiB: %r" % (path, body))
            j = json.loads(body)
            self.assertEqual(j.get("code"), "too_large", j)
        # the whole megabyte sent by a client that does not wait
        self.send_blind(srv, "/api/v1/agent/messages", cred, b"[" + b" " * (big - 2) + b"]")
        # a body just under the cap is read and judged on its content
        r = srv.api("POST", "agent/messages", b'{"version":1,"messages":[]' + b" " * 60000 + b"}",
                    token=cred)
        self.assertIn(r.status, (200, 400), r)
        self.assertNotEqual(r.status, 413, r)
        self.assertLess(srv.health_time(), 5)
        self.assertEqual(srv.db_counts(agent_id), (0, 0, 0))

    def test_enroll_body_cap(self):
        """/enroll is open to anyone, so it has its own small cap (64 KiB) under
        max_body: an anonymous client cannot make canhd buffer megabytes."""
        srv = Canhd(self.ws).start()  # default max_body (8 MiB)
        s = srv.client.raw_tls_socket()
        try:
            s.sendall(("POST /api/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % (100 * 1024)).encode())
            status, body = self.read_response(s)
        finally:
            s.close()
        self.assertEqual(status, 413, body)
        self.assertIn("65536", json.loads(body)["error"])
        # the same size is fine on an administrator endpoint (judged on content)
        r = srv.api("POST", "units", b"{" + b" " * (100 * 1024) + b"}")
        self.assertEqual(r.status, 400, r)
        # and an enrolment of normal size is judged on its content
        r = srv.api("POST", "enroll", b'{"token":"' + b"0" * 64 + b'","hostname":"h"}', token=None)
        self.assertEqual(r.status, 401, r)

    def test_body_budget(self):
        """Request bodies held at once are capped over all connections
        ([server] max_body_total): past it a request gets 503 with Retry-After,
        the others go on, and the budget comes back when bodies are done."""
        conf = self.ws.write("canhd.conf",
                             "[server]\nmax_body = 64K\nmax_body_total = 96K\n")
        srv = Canhd(self.ws, config=conf).start()
        token = srv.admin_token()
        size = 60000

        def start_upload(sent):
            s = srv.client.raw_tls_socket()
            s.sendall(("POST /api/v1/units HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: %d\r\n\r\n" % (token, size)).encode())
            s.sendall(b"{" + b" " * (sent - 1))
            return s

        a = start_upload(50000)
        b = start_upload(50000)
        try:
            # 100 KB held by two unfinished uploads cannot fit in 96 KB: at least one
            # is refused at once, while its body is still arriving (both, when each
            # has a chunk left that does not fit what remains of the budget).
            ready, _, _ = select.select([a, b], [], [], 20)
            self.assertGreaterEqual(len(ready), 1, "no upload refused past the budget")
            for s in ready:
                status, body = self.read_response(s)
                self.assertEqual(status, 503, body)
                self.assertEqual(json.loads(body)["code"], "unavailable")
            # the other completes and is judged on its content (400) — unless it too
            # was refused a moment after select returned (503)
            for s in (a, b):
                if s not in ready:
                    try:
                        s.sendall(b" " * (size - 50000 - 1) + b"}")
                    except OSError:
                        pass  # refused and closed meanwhile; its answer is still readable
                    status, body = self.read_response(s)
                    self.assertIn(status, (400, 503), body)
        finally:
            a.close()
            b.close()
        # both bodies are released: a body of the same size is accepted again
        r = srv.api("POST", "units", b"{" + b" " * (size - 2) + b"}")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(srv.client.get("health").status, 200)

    def test_forwarded_for(self):
        """The egress address is the peer's; X-Forwarded-For counts only from trusted proxies."""
        srv = self.start_server()
        agent_id, cred = self.api_enroll(srv)
        r = srv.api("GET", "agent/state", token=cred, headers={"X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(r.status, 200, r)
        host = srv.api("GET", "hosts/%d" % agent_id).json()
        self.assertEqual(host["last_addr"], "127.0.0.1", host)
        self.assertEqual([a["addr"] for a in host["addresses"]], ["127.0.0.1"], host)
        srv.stop()

        conf = self.ws.write("canhd.conf", "[server]\ntrusted_proxies = 10.9.0.0/16 127.0.0.1/32\n")
        srv = Canhd(self.ws, state_dir=srv.state_dir, config=conf).start()
        for xff, expect in (("203.0.113.9, 198.51.100.7", "198.51.100.7"),
                            ("2001:db8::5", "2001:db8::5"),
                            ("not-an-address", "127.0.0.1")):
            r = srv.api("GET", "agent/state", token=cred, headers={"X-Forwarded-For": xff})
            self.assertEqual(r.status, 200, r)
            host = srv.api("GET", "hosts/%d" % agent_id).json()
            self.assertEqual(host["last_addr"], expect, "X-Forwarded-For: %s -> %r" % (xff, host))
        addrs = {a["addr"]: a for a in host["addresses"]}
        self.assertEqual(sorted(addrs), sorted(["127.0.0.1", "198.51.100.7", "2001:db8::5"]), host)
        self.assertNotIn("203.0.113.9", addrs)
        # the enrolment, the untrusted X-Forwarded-For, the unparsable one
        self.assertEqual(addrs["127.0.0.1"]["requests"], 3, host)
        self.assertEqual(addrs["198.51.100.7"]["requests"], 1, host)

    def test_admin_input(self):
        """Bad administrator input is refused with the field named; bytes from outside never
        reach a log or a terminal raw."""
        srv = self.start_server()
        self.create_unit(srv, "A")
        unit = {"code": "B", "name": "B", "type": "school", "parent": "A"}
        for change, status, mention in (
                ({"code": "A", "parent": None}, 409, "'A'"),
                ({"public_ranges": ["1.2.3.0/24", "203.0.113.300/28"]}, 400, "public_ranges[1]"),
                ({"name": "x" * 257}, 400, "name"),
                ({"name": ""}, 400, "name"),
                ({"code": "B c"}, 400, "code"),
                ({"code": "x" * 65}, 400, "code"),
                ({"type": "castle"}, 400, "type"),
                ({"parent": "NOPE"}, 400, "NOPE"),
                ({"contacts": [{"name": 1}]}, 400, "contacts[0]")):
            r = srv.api("POST", "units", dict(unit, **change))
            self.assert_error(r, status, mention=mention)
        self.assert_error(srv.api("POST", "units", "code,name\nX,y\n", content_type="text/csv"),
                          415, "unsupported_media_type")
        self.assert_error(srv.api("POST", "units/import", "", content_type="text/csv"), 400,
                          "bad_request")
        self.assert_error(srv.api("POST", "units/import", "name,code\n", content_type="text/csv"),
                          400, "bad_request", mention="type")
        r = srv.api("POST", "units/import", "code,name,type,parent_code,public_ranges\n"
                    "P1,p,school,P2,\nP2,p,school,P1,\nA,a,department,P1,\n",
                    content_type="text/csv")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(e["line"] for e in r.json()["errors"]), [2, 3, 4], r)
        self.assertEqual([u["code"] for u in srv.api("GET", "units").json()["units"]], ["A"])

        for exp in ("91d", "0s", "-5m", "soon"):
            self.assert_error(srv.api("POST", "tokens", {"unit": "A", "expires_in": exp}), 400,
                              "bad_request", mention="expires_in")
        self.assert_error(srv.api("POST", "tokens", {}), 400, "bad_request", mention="unit")
        tok = self.create_token(srv, "A")
        enroll = {"token": tok, "hostname": "h", "machine_id": "m", "agent_version": "v"}
        for change, mention in (({"hostname": "h" * 256}, "hostname"), ({"hostname": ""}, "hostname"),
                                ({"hostname": None}, "hostname"), ({"token": 5}, "token")):
            self.assert_error(srv.api("POST", "enroll", dict(enroll, **change), token=None), 400,
                              "bad_request", mention=mention)
        # a refused enrolment does not use the token up
        r = srv.api("POST", "enroll", dict(enroll, hostname="evil\n\x1b[31mhost"), token=None)
        self.assertEqual(r.status, 201, r)
        r = canhtest.cli(srv, "host", "list")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("\x1b", r.out, "a control byte from the network reached the terminal")
        self.assertIn("host", r.out)
        r = srv.api("GET", "/api/v1/%0aFAKE%20LINE%1b[31m")
        self.assert_error(r, 404, "not_found")
        log_text = srv.proc.output()
        self.assertNotIn("\x1b", log_text, "a control byte reached canhd's log")
        self.assertFalse(re.search(r"(?m)^FAKE", log_text), "a forged line in canhd's log")
        self.assertFalse(re.search(r"(?m)^\[31mhost", log_text), "a forged line in canhd's log")

    def test_chunked(self):
        conf = self.ws.write("canhd.conf", "[server]\nmax_body = 64K\n")
        srv = Canhd(self.ws, config=conf).start()
        agent_id, cred = self.api_enroll(srv)
        hdr = ("POST /api/v1/agent/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n"
               "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % cred).encode()

        def chunk(b):
            return b"%x\r\n%s\r\n" % (len(b), b)
        # a chunked body under the cap is accepted
        body = json.dumps({"version": 1, "messages": [heartbeat(1), heartbeat(2)]}).encode()
        s = srv.client.raw_tls_socket()
        try:
            s.sendall(hdr + chunk(body[:10]) + chunk(body[10:]) + b"0\r\n\r\n")
            status, resp = self.read_response(s)
        finally:
            s.close()
        self.assertEqual(status, 200, resp)
        self.assertEqual(json.loads(resp)["ack"], 2)
        # over the cap: 413 as soon as the cap is passed, without waiting for the body's end
        s = srv.client.raw_tls_socket()
        status = None
        try:
            s.sendall(hdr)
            piece = chunk(b" " * 16384)
            for i in range(64):  # up to 1 MiB, never terminated; stop when the answer comes
                r, _, _ = select.select([s], [], [], 0)
                if r or s.pending():
                    break
                try:
                    s.sendall(piece)
                except (OSError, ssl.SSLError):
                    break
            status, resp = self.read_response(s)
        except (OSError, ssl.SSLError) as e:
            resp = repr(e)
        finally:
            s.close()
        self.assertEqual(status, 413, "chunked body over max_body: %r" % (resp,))
        self.assertEqual(json.loads(resp)["code"], "too_large")
        self.assertLess(srv.health_time(), 5)
        self.assertEqual(srv.db_counts(agent_id), (2, 2, 2))

    def test_hostile_clients(self):
        conf = self.ws.write("canhd.conf", "[server]\nconnection_timeout = 2s\n")
        srv = Canhd(self.ws, config=conf).start()
        host, port = "127.0.0.1", srv.port

        # garbage, plain HTTP, a truncated TLS hello, on the TLS port
        payloads = [b"\x00\xff" * 1000, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"A" * 20,
                    os.urandom(65536)]
        for data in payloads:
            s = socket.create_connection((host, port), timeout=10)
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                try:
                    while s.recv(65536):
                        pass
                except (ConnectionResetError, socket.timeout):
                    pass
            except OSError:  # the server may close first: EPIPE, ECONNRESET, ENOTCONN
                pass
            finally:
                s.close()
            self.assertLess(srv.health_time(), 5)
        # TLS then garbage instead of HTTP
        s = srv.client.raw_tls_socket(timeout=10)
        try:
            s.sendall(b"\x01\x02 NOT HTTP \r\n\r\n" * 100)
            status = self.read_status(s)
            self.assertIn(status, (None, 400), "garbage after the TLS handshake")
        finally:
            s.close()

        # 50 concurrent slow clients that connect and send nothing (some mid-handshake)
        idle = []
        try:
            for i in range(50):
                s = socket.create_connection((host, port), timeout=10)
                if i % 5 == 0:
                    s.sendall(b"\x16\x03\x01")  # the start of a ClientHello, then nothing
                idle.append(s)
            tls_idle = []
            for i in range(5):  # complete TLS, then a partial request line
                t = srv.client.raw_tls_socket(timeout=10)
                t.sendall(b"GET /api/v1/hea")
                tls_idle.append(t)
            idle += tls_idle
            dt = srv.health_time(timeout=10)
            log("health with %d idle clients connected: %.3fs" % (len(idle), dt))
            self.assertLess(dt, 5, "/health slow while idle clients are connected")
            # several at once
            errors = []

            def probe():
                try:
                    if srv.health_time(timeout=10) >= 5:
                        errors.append("slow")
                except Exception as e:
                    errors.append(repr(e))
            th = [threading.Thread(target=probe) for _ in range(8)]
            for t in th:
                t.start()
            for t in th:
                t.join(30)
            self.assertEqual(errors, [])
            # connection_timeout: the server hangs up on the idle ones
            t = time.monotonic()
            for s in idle:
                self.assertTrue(self.wait_closed(s, 20), "idle connection still open after %.1fs"
                                % (time.monotonic() - t))
            log("idle connections closed after %.1fs" % (time.monotonic() - t))
        finally:
            for s in idle:
                s.close()
        self.assertLess(srv.health_time(), 5)
        self.assertTrue(srv.running())

    def test_bad_config(self):
        cases = {
            "bad-size.conf": ("[server]\n# comment\nmax_body = 5G\n", 3, "max_body"),
            "bad-key.conf": ("[server]\nmax_bodyy = 64K\n", 2, "max_bodyy"),
            "bad-section.conf": ("; top\n\n[nope]\nx = 1\n", 3, "nope"),
            "bad-syntax.conf": ("[server]\nmax_body 64K\n", 2, None),
        }
        for name, (text, line, subject) in cases.items():
            conf = self.ws.write(name, text)
            r = canhtest.run([canhtest.CANHD, "-n", "--config", conf], ws=self.ws, label="canhd-n")
            self.assertNotEqual(r.rc, 0, "%s accepted: %r" % (name, r))
            msg = r.out + r.err
            self.assertRegex(msg, r"%s:%d\b" % (re.escape(name), line),
                             "%s: the error should name the line: %r" % (name, msg))
            if subject:
                self.assertIn(subject, msg)
        good = self.ws.write("good.conf", "[server]\nmax_body = 64K\n")
        r = canhtest.run([canhtest.CANHD, "-n", "--config", good], ws=self.ws, label="canhd-n")
        self.assertEqual(r.rc, 0, r)
        r = canhtest.run([canhtest.CANHD, "-n", "--config", self.ws.path("missing.conf")],
                         ws=self.ws, label="canhd-n")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("missing.conf", r.out + r.err)

    # --- raw HTTP helpers ---
    def read_response(self, s, timeout=20):
        """(status, body) of one HTTP/1.1 response on socket s."""
        s.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not m:
            return None, data
        status = int(m.group(1))
        lm = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if lm:
            n = int(lm.group(1))
            while len(body) < n:
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
        elif re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
            while not body.endswith(b"0\r\n\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
            out, rest = b"", body
            while rest:
                size_line, _, rest = rest.partition(b"\r\n")
                n = int(size_line.split(b";")[0], 16)
                if n == 0:
                    break
                out, rest = out + rest[:n], rest[n + 2:]
            body = out
        return status, body

    def wait_closed(self, s, timeout):
        """True when the peer closes s (EOF or reset) within timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if isinstance(s, ssl.SSLSocket) and s.pending():
                    s.recv(65536)
                    continue
                rd, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
                if not rd:
                    return False
                if not s.recv(65536):
                    return True
            except (ssl.SSLError, OSError):
                return True
        return False

    def read_status(self, s):
        try:
            return self.read_response(s)[0]
        except (ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
            return None

    def send_blind(self, srv, path, token, body):
        s = srv.client.raw_tls_socket(timeout=10)
        try:
            s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n"
                       % (path, token, len(body))).encode())
            try:
                s.sendall(body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
                pass
        finally:
            s.close()


if __name__ == "__main__":
    canhtest.main()
