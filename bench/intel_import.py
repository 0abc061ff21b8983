#!/usr/bin/env python3
"""Time `canh intel import` of a large C2 list into a real canhd, beside the floor
of the same work: the sqlite3 shell's `.import` of the same lines into a one-column
table (WAL, synchronous=FULL, one transaction), which parses nothing and keeps no
ranges, versions or sets. Not run by ctest.

  bench/intel_import.py [BUILD_DIR] [N]     (default: build, 1000000 random IPv4)

Prints the wall time of each, canh's own figure from canhd's log (parse + store +
commit + set rebuild) and the ratio canh / sqlite3.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SOURCE, "build")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
os.environ.setdefault("CANH_BIN", os.path.join(os.path.abspath(BUILD), "bin"))
os.environ.setdefault("CANH_SOURCE", SOURCE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import canhtest  # noqa: E402


def main():
    if not shutil.which("sqlite3"):
        sys.exit("intel_import.py: the sqlite3 shell is needed (Debian package sqlite3)")
    ws = canhtest.Workspace("bench-intel-import")
    try:
        rnd = random.Random(1)
        path = ws.path("c2-%d.txt" % N)
        with open(path, "w") as f:
            for _ in range(N):
                f.write("%d.%d.%d.%d\n" % (rnd.randint(1, 223), rnd.randint(0, 255),
                                           rnd.randint(0, 255), rnd.randint(0, 255)))
        size = os.path.getsize(path)

        db = ws.path("peer.db")
        script = ("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
                  "CREATE TABLE t (v TEXT NOT NULL);\nBEGIN;\n.import %s t\nCOMMIT;\n" % path)
        t = time.monotonic()
        subprocess.run(["sqlite3", db], input=script.encode(), check=True,
                       stdout=subprocess.DEVNULL)
        peer = time.monotonic() - t

        conf = ws.write("canhd.conf", "[log]\nlevel = info\n")
        srv = canhtest.Canhd(ws, config=conf).start()
        t = time.monotonic()
        r = canhtest.cli(srv, "--timeout", "30m", "intel", "import", path, "--kind", "c2",
                         "--name", "bench")
        wall = time.monotonic() - t
        if r.rc != 0:
            sys.exit("canh intel import failed: %r" % r)
        m = re.search(r"imported from .* in (\d+) ms", canhtest.read_text(srv.proc.log_path))
        inside = "%.2f s" % (int(m.group(1)) / 1000) if m else "see the log"
        srv.stop()
        print("entries: %d (%.1f MB of text)" % (N, size / 1e6))
        print("sqlite3 .import (floor):  %.2f s" % peer)
        print("canh intel import:        %.2f s wall (canhd: parse+store+commit %s)"
              % (wall, inside))
        print("ratio canh / sqlite3:     %.2f" % (wall / peer))
    finally:
        ws.cleanup()


if __name__ == "__main__":
    main()
