"""Debian version pairs from this machine, for the vercmp proof against dpkg.

Sources, whichever exist: /var/lib/dpkg/status (Version and Source versions),
the apt lists /var/lib/apt/lists/*_Packages (plain, or .lz4/.gz/.xz through the
matching decompressor), and the version lines of
/usr/share/doc/*/changelog.Debian.gz (a package's whole history, so many pairs
of versions of the same package). Pairs: neighbours and random pairs within a
package's versions, and random pairs across packages, drawn with a fixed seed.

Run alone it prints "A B" lines: python3 vercmp_pairs.py [COUNT] > pairs.txt
"""

import glob
import gzip
import lzma
import os
import random
import re
import shutil
import subprocess
import sys

_CHANGELOG_HEAD = re.compile(rb"^([a-z0-9][a-z0-9+.-]*) \(([^()\s]+)\) ")
_SOURCE_VER = re.compile(r"^\S+ \((\S+)\)$")


def _deb822_versions(lines, out):
    """Package/Version (and Source: name (version)) of deb822 stanzas into out."""
    pkg = None
    for raw in lines:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if line.startswith("Package: "):
            pkg = line[9:].strip()
        elif line.startswith("Version: ") and pkg:
            out.setdefault(pkg, set()).add(line[9:].strip())
        elif line.startswith("Source: ") and pkg:
            m = _SOURCE_VER.match(line[8:].strip())
            if m:
                out.setdefault("src:" + line[8:].split()[0], set()).add(m.group(1))
        elif not line.strip():
            pkg = None


def _open_list(path):
    """An apt list's lines (bytes), decompressed when needed; None when we cannot."""
    if path.endswith("_Packages"):
        with open(path, "rb") as f:
            return f.read().splitlines(True)
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read().splitlines(True)
    if path.endswith(".xz"):
        with lzma.open(path, "rb") as f:
            return f.read().splitlines(True)
    if path.endswith(".lz4") and shutil.which("lz4cat"):
        r = subprocess.run(["lz4cat", path], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=False)
        if r.returncode == 0:
            return r.stdout.splitlines(True)
    return None


def collect(max_changelog_lines=4000):
    """{package: set(versions)} and a description of the sources used."""
    versions, used = {}, []
    if os.path.exists("/var/lib/dpkg/status"):
        with open("/var/lib/dpkg/status", "rb") as f:
            _deb822_versions(f, versions)
        used.append("/var/lib/dpkg/status")
    for path in sorted(glob.glob("/var/lib/apt/lists/*_Packages*")):
        lines = _open_list(path)
        if lines is not None:
            _deb822_versions(lines, versions)
            used.append(path)
    n = 0
    for path in sorted(glob.glob("/usr/share/doc/*/changelog.Debian.gz")):
        try:
            with gzip.open(path, "rb") as f:
                for i, line in enumerate(f):
                    if i >= max_changelog_lines:
                        break
                    m = _CHANGELOG_HEAD.match(line)
                    if m:
                        versions.setdefault("src:" + m.group(1).decode(), set()).add(
                            m.group(2).decode("utf-8", "replace"))
            n += 1
        except (OSError, EOFError):
            continue
    if n:
        used.append("/usr/share/doc/*/changelog.Debian.gz (%d files)" % n)
    # Versions with blanks cannot be written as one field of a pair line.
    for k in list(versions):
        versions[k] = sorted(v for v in versions[k] if v and not re.search(r"\s", v))
        if not versions[k]:
            del versions[k]
    return versions, used


def pairs(versions, count, seed=20231101):
    """About `count` pairs: half within a package, half across packages."""
    rnd = random.Random(seed)
    out = []
    multi = [sorted(v) for v in versions.values() if len(v) > 1]
    for vs in multi:  # neighbours in an order unrelated to the one under test
        for a, b in zip(vs, vs[1:]):
            out.append((a, b) if rnd.random() < 0.5 else (b, a))
    rnd.shuffle(out)
    out = out[:count // 2]
    while multi and len(out) < count // 2 + count // 8:
        vs = rnd.choice(multi)
        out.append((rnd.choice(vs), rnd.choice(vs)))
    flat = sorted({v for vs in versions.values() for v in vs})
    while flat and len(out) < count:
        out.append((rnd.choice(flat), rnd.choice(flat)))
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
    vers, _ = collect()
    for a, b in pairs(vers, n):
        print(a, b)
