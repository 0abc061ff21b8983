"""Shared harness of canh's integration tests (Python 3, standard library only).

Every test starts the real programs on 127.0.0.1 with ports chosen at run
time, keeps all state in a fresh temporary directory, and never uses mocks:

  Workspace  a tempfile.mkdtemp() directory plus every process started in it;
             cleanup() kills them all (also at exit) and removes the directory.
  Canhd      canhd --state-dir D --listen 127.0.0.1:PORT, ready when
             D/canhd.json names our pid and GET /api/v1/health answers 200.
  Client     HTTPS over http.client/ssl pinned to the server's certificate
             (SHA-256 of the DER the server presents == canhd.json's fingerprint
             == SHA-256 of D/cert.pem).
  Agent      canh-agent enroll / run / status with --state-dir A and --set k=v.
  cli()      the canh CLI with --state-dir D, optionally parsing --json.
  db_*()     read-only queries of D/canh.db (sqlite3, mode=ro).

Waiting is always a poll against a deadline (wait_until); deadlines are
generous because tests also run under AddressSanitizer on two cores.
Set CANH_KEEP=1 to keep the temporary directory for a post-mortem.
"""

import atexit
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE = os.environ.get("CANH_SOURCE") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("CANH_BIN") or os.path.join(SOURCE, "build", "bin")
CANHD = os.path.join(BIN, "canhd")
AGENT = os.path.join(BIN, "canh-agent")
CLI = os.path.join(BIN, "canh")

# Deadlines (seconds). Generous: 2 cores, ASan builds, fsync on every append.
START_TIMEOUT = 30
WAIT_TIMEOUT = 30
CMD_TIMEOUT = 60
STOP_TIMEOUT = 20

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "CANH_BUG", "BUG:")


def log(msg):
    """Progress line on stderr, with the time since the test file started."""
    sys.stderr.write("[%7.2fs] %s\n" % (time.monotonic() - _T0, msg))
    sys.stderr.flush()


_T0 = time.monotonic()


def wait_until(fn, timeout=WAIT_TIMEOUT, interval=0.05, what="condition"):
    """Call fn() until it returns a truthy value; return that value.

    Raises AssertionError naming `what` and the last value (or exception)
    when the deadline passes. Exceptions from fn count as "not yet".
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = fn()
            if v:
                return v
            last = v
        except Exception as e:  # not yet: remember why
            last = "%s: %s" % (type(e).__name__, e)
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                                 % (timeout, what, last))
        time.sleep(interval)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def pem_fingerprint(path):
    """SHA-256 hex of the DER of the first certificate in a PEM file."""
    with open(path, "r", encoding="ascii") as f:
        pem = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S)
    if not m:
        raise ValueError("no certificate in %s" % path)
    return sha256_hex(ssl.PEM_cert_to_DER_cert(m.group(0)))


def file_mode(path):
    return os.stat(path).st_mode & 0o777


def read_text(path, limit=200000):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "<cannot read %s: %s>" % (path, e)
    if len(data) > limit:
        data = b"...[cut]...\n" + data[-limit:]
    return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# Workspace: temporary directory + every process started in it.

_live_workspaces = []


def _cleanup_all():
    for ws in list(_live_workspaces):
        ws.cleanup()


atexit.register(_cleanup_all)


def _on_signal(signum, frame):
    _cleanup_all()
    sys.exit(128 + signum)


for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_s, _on_signal)
    except (ValueError, OSError):
        pass


class Workspace:
    def __init__(self, name="canh"):
        self.dir = tempfile.mkdtemp(prefix="canh-integ-%s-" % name)
        self.procs = []   # objects with .kill_now() and .log_path
        self.logs = []    # (label, path)
        self._n = 0
        _live_workspaces.append(self)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def mkdir(self, name):
        p = self.path(name)
        os.makedirs(p, mode=0o700, exist_ok=True)
        return p

    def new_log(self, label):
        self._n += 1
        p = self.path("%02d-%s.log" % (self._n, label))
        self.logs.append((label, p))
        return p

    def write(self, name, text, mode=0o600):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def dump_logs(self, out=sys.stderr):
        for label, p in self.logs:
            out.write("\n======== %s (%s) ========\n" % (label, p))
            out.write(read_text(p, 60000))
        out.write("\n======== end of logs ========\n")
        out.flush()

    def sanitizer_reports(self):
        """Log excerpts where a sanitizer or CANH_BUG fired."""
        found = []
        for label, p in self.logs:
            text = read_text(p)
            for marker in SANITIZER_MARKERS:
                i = text.find(marker)
                if i >= 0:
                    found.append("%s: %s" % (label, text[max(0, i - 200):i + 1500]))
                    break
        return found

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                p.kill_now()
            except Exception:
                pass
        self.procs = []
        if self in _live_workspaces:
            _live_workspaces.remove(self)
        if os.environ.get("CANH_KEEP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class Proc:
    """A child process with its output in a log file of the workspace."""

    def __init__(self, ws, label, argv, env=None):
        self.ws = ws
        self.label = label
        self.argv = argv
        self.log_path = ws.new_log(label)
        self._log = open(self.log_path, "ab")
        self._log.write(("$ %s\n" % " ".join(argv)).encode())
        self._log.flush()
        e = dict(os.environ)
        e.setdefault("LANG", "C.UTF-8")
        if env:
            e.update(env)
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                  stderr=subprocess.STDOUT, env=e, start_new_session=True)
        self.pid = self.p.pid
        self.waited = False  # the test saw (or caused) the exit
        ws.procs.append(self)

    def running(self):
        return self.p.poll() is None

    def send_signal(self, sig):
        if self.p.poll() is None:
            os.kill(self.p.pid, sig)

    def wait(self, timeout=STOP_TIMEOUT):
        rc = self.p.wait(timeout=timeout)
        self.waited = True
        return rc

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send sig and wait; SIGKILL after timeout. Returns (rc, timed_out)."""
        timed_out = False
        self.waited = True
        if self.p.poll() is None:
            try:
                os.kill(self.p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                self.kill_now()
        self._close()
        return self.p.returncode, timed_out

    def kill(self):
        """SIGKILL, as a crash would."""
        return self.stop(signal.SIGKILL)

    def kill_now(self):
        if self.p.poll() is None:
            try:
                os.kill(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._close()

    def _close(self):
        if self in self.ws.procs:
            self.ws.procs.remove(self)
        try:
            self._log.close()
        except Exception:
            pass

    def output(self):
        return read_text(self.log_path)


# --------------------------------------------------------------------------
# HTTPS client pinned to the server's certificate.

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<HTTP %s %s>" % (self.status, self.body[:300])


class PinError(Exception):
    pass


class Client:
    def __init__(self, url, fingerprint, timeout=30):
        m = re.match(r"^https://([^/:]+|\[[^\]]+\]):(\d+)/?$", url)
        if not m:
            raise ValueError("unexpected server url %r" % url)
        self.host = m.group(1).strip("[]")
        self.port = int(m.group(2))
        self.fingerprint = fingerprint.lower()
        self.timeout = timeout

    def ssl_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # trust is the pin, checked below
        return ctx

    def connect(self):
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                           context=self.ssl_context())
        conn.connect()
        der = conn.sock.getpeercert(binary_form=True)
        got = sha256_hex(der)
        if got != self.fingerprint:
            conn.close()
            raise PinError("server certificate %s is not the pinned %s" % (got, self.fingerprint))
        return conn

    def request(self, method, path, body=None, token=None, content_type="application/json",
                headers=None):
        if not path.startswith("/"):
            path = "/api/v1/" + path
        h = {}
        if body is not None:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode("utf-8")
            elif isinstance(body, str):
                body = body.encode("utf-8")
            if content_type:
                h["Content-Type"] = content_type
        if token:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        conn = self.connect()
        try:
            try:
                conn.request(method, path, body=body, headers=h)
            except (ssl.SSLEOFError, BrokenPipeError, ConnectionResetError) as e:
                # canhd refuses a body over its cap (413) from the headers and
                # closes: the answer is already on the socket, read it.
                try:
                    r = conn.getresponse()
                except (OSError, http.client.HTTPException):
                    raise e
                data = r.read()
                return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def raw_tls_socket(self, timeout=None):
        """A TLS socket to the server (pin checked), for hand-written requests."""
        raw = socket.create_connection((self.host, self.port), timeout=timeout or self.timeout)
        s = self.ssl_context().wrap_socket(raw)
        if sha256_hex(s.getpeercert(binary_form=True)) != self.fingerprint:
            s.close()
            raise PinError("unexpected server certificate")
        return s


# --------------------------------------------------------------------------
# canhd

class Canhd:
    """canhd on 127.0.0.1 with its state in `state_dir`."""

    def __init__(self, ws, state_dir=None, config=None):
        self.ws = ws
        self.state_dir = state_dir or ws.mkdir("server")
        self.config = config
        self.proc = None
        self.info = None
        self.client = None
        self.port = None
        self.starts = 0

    def path(self, name):
        return os.path.join(self.state_dir, name)

    @property
    def db_path(self):
        return self.path("canh.db")

    def start(self, port=0, extra=(), timeout=START_TIMEOUT, expect_ready=True):
        argv = [CANHD, "--state-dir", self.state_dir, "--listen", "127.0.0.1:%d" % port]
        if self.config:
            argv += ["--config", self.config]
        argv += list(extra)
        self.starts += 1
        self.proc = Proc(self.ws, "canhd-%d" % self.starts, argv)
        if expect_ready:
            self.wait_ready(timeout)
        return self

    def _read_info(self):
        with open(self.path("canhd.json"), "r", encoding="utf-8") as f:
            info = json.load(f)
        if info.get("pid") != self.proc.pid:
            return None  # a previous run's file
        return info

    def wait_ready(self, timeout=START_TIMEOUT):
        def ready():
            if not self.proc.running():
                raise_exited(self.proc)
            info = self._read_info()
            if not info:
                return None
            for k in ("url", "pid", "cert", "fingerprint", "admin_token_file"):
                if k not in info:
                    raise AssertionError("canhd.json lacks %r: %r" % (k, info))
            c = Client(info["url"], info["fingerprint"])
            r = c.get("health")
            if r.status != 200:
                return None
            self.info, self.client = info, c
            self.port = c.port
            return True

        def raise_exited(p):
            raise AssertionError("canhd exited with status %s before it was ready:\n%s"
                                 % (p.p.returncode, p.output()[-4000:]))
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ready():
                    break
            except AssertionError:
                raise
            except Exception:
                pass
            if not self.proc.running():
                raise_exited(self.proc)
            if time.monotonic() >= deadline:
                raise AssertionError("canhd not ready after %ds:\n%s"
                                     % (timeout, self.proc.output()[-4000:]))
            time.sleep(0.05)
        log("canhd ready at %s (pid %d)" % (self.info["url"], self.proc.pid))
        return self

    @property
    def url(self):
        return self.info["url"]

    @property
    def fingerprint(self):
        return self.info["fingerprint"]

    def admin_token(self):
        with open(self.info["admin_token_file"], "r", encoding="ascii") as f:
            return f.read().strip()

    def api(self, method, path, body=None, token=True, **kw):
        """Admin request (token=True: the admin token; a string: that token; None: none)."""
        if token is True:
            token = self.admin_token()
        return self.client.request(method, path, body=body, token=token, **kw)

    def stop(self, sig=signal.SIGTERM):
        rc, timed_out = self.proc.stop(sig)
        log("canhd stopped (signal %d): status %s%s" % (sig, rc, " after a timeout" if timed_out else ""))
        return rc, timed_out

    def kill(self):
        return self.stop(signal.SIGKILL)

    def running(self):
        return self.proc is not None and self.proc.running()

    def health_time(self, timeout=30):
        """Seconds a GET /health takes (must answer 200)."""
        t = time.monotonic()
        c = Client(self.url, self.fingerprint, timeout=timeout)
        r = c.get("health")
        if r.status != 200:
            raise AssertionError("health: %r" % r)
        return time.monotonic() - t

    # --- store, read-only ---
    def db(self):
        conn = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def db_query(self, sql, params=()):
        conn = self.db()
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def db_counts(self, agent_id):
        """(count, count distinct seq, max seq) of agent_messages for an agent."""
        (c, d, m), = self.db_query(
            "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) "
            "FROM agent_messages WHERE agent_id = ?", (agent_id,))
        return c, d, m


# --------------------------------------------------------------------------
# canh CLI

class CliResult:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise AssertionError("%s: output is not JSON (%s):\n%s\nstderr:\n%s"
                                 % (" ".join(self.argv), e, self.out[:2000], self.err[:2000]))

    def __repr__(self):
        return "<canh %s: rc=%s out=%r err=%r>" % (" ".join(self.argv[1:]), self.rc,
                                                   self.out[:500], self.err[:500])


def run(argv, env=None, timeout=CMD_TIMEOUT, ws=None, label=None):
    e = dict(os.environ)
    e.setdefault("LANG", "C.UTF-8")
    if env:
        e.update(env)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=e,
                       timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if ws is not None:
        path = ws.new_log(label or os.path.basename(argv[0]))
        with open(path, "w", encoding="utf-8") as f:
            f.write("$ %s\nstatus %d\n--- stdout\n%s\n--- stderr\n%s\n"
                    % (" ".join(argv), p.returncode, out, err))
    return CliResult(argv, p.returncode, out, err)


def cli(server, *args, env=None, ws=None):
    """canh --state-dir D ARGS... (the CLI finds the server and admin token there)."""
    argv = [CLI, "--state-dir", server.state_dir] + list(args)
    return run(argv, env=env, ws=ws or server.ws, label="canh")


# --------------------------------------------------------------------------
# canh-agent

AGENT_FAST = {  # keep tests quick; each test overrides what it exercises
    "upload_interval": "100ms",
    "retry_max": "500ms",
}


class Agent:
    def __init__(self, ws, name="agent"):
        self.ws = ws
        self.state_dir = ws.mkdir(name)
        self.name = name
        self.proc = None
        self.agent_id = None
        self.runs = 0

    def enroll(self, server, token, extra=()):
        argv = [AGENT, "enroll", "--state-dir", self.state_dir, "--server", server.url,
                "--token", token] + list(extra)
        return run(argv, ws=self.ws, label="%s-enroll" % self.name)

    def run(self, sets=None, extra=()):
        s = dict(AGENT_FAST)
        s.update(sets or {})
        argv = [AGENT, "run", "--state-dir", self.state_dir]
        for k, v in s.items():
            argv += ["--set", "%s=%s" % (k, v)]
        argv += list(extra)
        self.runs += 1
        self.proc = Proc(self.ws, "%s-run-%d" % (self.name, self.runs), argv)
        return self.proc

    def running(self):
        return self.proc is not None and self.proc.running()

    def stop(self, sig=signal.SIGTERM):
        rc, timed_out = self.proc.stop(sig)
        log("%s stopped (signal %d): status %s%s" % (self.name, sig, rc,
                                                     " after a timeout" if timed_out else ""))
        return rc, timed_out

    def kill(self):
        return self.stop(signal.SIGKILL)

    def status(self):
        r = run([AGENT, "status", "--state-dir", self.state_dir, "--json"])
        if r.rc != 0:
            raise AssertionError("canh-agent status failed: %r" % r)
        st = r.json()
        for k in ("agent_id", "server", "next_seq", "acked_seq", "pending", "pending_bytes",
                  "refused"):
            if k not in st:
                raise AssertionError("canh-agent status lacks %r: %r" % (k, st))
        return st

    def credential(self):
        """The agent's credential, found in its state dir (A<id>.<64 hex>)."""
        pat = re.compile(rb"A(\d+)\.([0-9a-f]{64})")
        for root, _, files in os.walk(self.state_dir):
            for fn in files:
                p = os.path.join(root, fn)
                try:
                    if os.path.getsize(p) > 1 << 20:
                        continue
                    with open(p, "rb") as f:
                        m = pat.search(f.read())
                except OSError:
                    continue
                if m:
                    return m.group(0).decode()
        raise AssertionError("no credential A<id>.<hex> in %s" % self.state_dir)

    def log_text(self):
        return "".join(read_text(p) for label, p in self.ws.logs
                       if label.startswith(self.name + "-"))


# --------------------------------------------------------------------------
# Test case base: one Workspace per test, logs dumped on failure.

class CanhTestCase(unittest.TestCase):
    ws = None

    def setUp(self):
        for prog in (CANHD, AGENT, CLI):
            if not os.access(prog, os.X_OK):
                self.fail("%s is not built (CANH_BIN=%s)" % (prog, BIN))
        self.ws = Workspace(self.id().split(".")[-1])
        log("---- %s in %s" % (self.id(), self.ws.dir))

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        t = time.monotonic()
        try:
            super().run(result)
        finally:
            ws = self.ws
            if ws is not None:
                # a clean stop, so that a sanitizer's exit-time checks (leaks) run too
                for p in reversed(list(ws.procs)):
                    if not p.running():
                        rc = p.p.returncode
                        if not p.waited and rc != 0:
                            result.addFailure(self, (AssertionError, AssertionError(
                                "%s (pid %d) exited by itself with status %s during the test"
                                % (p.label, p.pid, rc)), None))
                        p.kill_now()
                        continue
                    rc, timed_out = p.stop(signal.SIGTERM)
                    if timed_out or rc != 0:
                        result.addFailure(self, (AssertionError, AssertionError(
                            "%s (pid %d) %s after SIGTERM at the end of the test"
                            % (p.label, p.pid, "did not stop within %ds" % STOP_TIMEOUT
                               if timed_out else "exited with status %s" % rc)), None))
                reports = ws.sanitizer_reports()
                if reports:
                    result.addFailure(self, (AssertionError, AssertionError(
                        "sanitizer or CANH_BUG report in a log:\n" + "\n---\n".join(reports)), None))
                failed = len(result.failures) + len(result.errors) > before
                if failed:
                    ws.dump_logs()
                ws.cleanup()
                self.ws = None
            log("---- %s: %.1fs" % (self.id(), time.monotonic() - t))
        return result

    # --- helpers shared by the test files ---
    def start_server(self, config=None, **kw):
        return Canhd(self.ws, config=config).start(**kw)

    def create_unit(self, srv, code="HP-SGDDT", name="Sở GDĐT Hải Phòng", typ="department",
                    parent=None):
        r = srv.api("POST", "units", {"code": code, "name": name, "type": typ, "parent": parent,
                                      "public_ranges": [], "contacts": []})
        self.assertEqual(r.status, 201, "POST /units: %r" % r)
        return r.json()

    def create_token(self, srv, unit="HP-SGDDT", expires_in=None):
        body = {"unit": unit}
        if expires_in:
            body["expires_in"] = expires_in
        r = srv.api("POST", "tokens", body)
        self.assertEqual(r.status, 201, "POST /tokens: %r" % r)
        tok = r.json()["token"]
        self.assertRegex(tok, r"^[0-9a-f]{64}$")
        return tok

    def enroll_agent(self, srv, name="agent", unit="HP-SGDDT"):
        """A real canh-agent enrolled in `unit` (created when missing)."""
        if srv.api("GET", "units/" + unit).status == 404:
            self.create_unit(srv, code=unit)
        a = Agent(self.ws, name)
        r = a.enroll(srv, self.create_token(srv, unit))
        self.assertEqual(r.rc, 0, "canh-agent enroll: %r" % r)
        a.agent_id = a.status()["agent_id"]
        return a

    def api_enroll(self, srv, unit="HP-SGDDT", hostname="test-host"):
        """Enrol through the API directly: (agent_id, credential)."""
        if srv.api("GET", "units/" + unit).status == 404:
            self.create_unit(srv, code=unit)
        tok = self.create_token(srv, unit)
        r = srv.api("POST", "enroll", {"token": tok, "hostname": hostname,
                                       "machine_id": "0" * 32, "agent_version": "test"},
                    token=None)
        self.assertEqual(r.status, 201, "POST /enroll: %r" % r)
        j = r.json()
        self.assertRegex(j["credential"], r"^A%d\.[0-9a-f]{64}$" % j["agent_id"])
        return j["agent_id"], j["credential"]

    def assert_error(self, resp, status, code=None, mention=None):
        """resp has `status` and a JSON body {"error": "...", "code": ...}."""
        self.assertEqual(resp.status, status, "expected HTTP %d, got %r" % (status, resp))
        try:
            j = resp.json()
        except ValueError:
            self.fail("HTTP %d body is not JSON: %r" % (status, resp.body[:300]))
        self.assertIsInstance(j.get("error"), str, "no 'error' string in %r" % j)
        self.assertTrue(j["error"], "empty error message")
        if code:
            self.assertEqual(j.get("code"), code, "error code in %r" % j)
        if mention:
            self.assertIn(mention.lower(), j["error"].lower(),
                          "error message should name %r: %r" % (mention, j["error"]))
        return j

    def assert_delivered_exactly(self, srv, agent_id, expect_total):
        """agent_messages holds seqs 1..expect_total for the agent: no gap, no duplicate."""
        c, d, m = srv.db_counts(agent_id)
        self.assertEqual((c, d, m), (expect_total, expect_total, expect_total),
                         "agent_messages for agent %d: count, distinct seq, max seq = %r, "
                         "expected all %d" % (agent_id, (c, d, m), expect_total))


def main():
    """Run the tests of the calling module; print a summary; exit non-zero on failure."""
    t = time.monotonic()
    prog = unittest.main(module="__main__", verbosity=2, exit=False)
    r = prog.result
    name = os.path.basename(sys.argv[0])
    ok = r.wasSuccessful()
    print("%s: %s - %d run, %d failed, %d errors, %d skipped in %.1fs"
          % (name, "PASS" if ok else "FAIL", r.testsRun, len(r.failures), len(r.errors),
             len(r.skipped), time.monotonic() - t))
    for test, reason in r.skipped:
        print("  skipped %s: %s" % (test.id(), reason))
    sys.stdout.flush()
    sys.exit(0 if ok else 1)
