#!/usr/bin/env python3
"""Generate the corpus for bench/scan.sh: random binaries, text, many small
files and a few planted harmless samples (EICAR, the test samples of
tests/data/scan/samples). Seeded, so every run builds the same tree.

usage: gen_scan_corpus.py DIR [MEGABYTES]   (default 560)

Writes DIR/.corpus-done with the parameters when finished; an existing
complete corpus with the same parameters is left as it is.
"""
import os
import random
import sys

VOCAB = (
    "the of and to in is was for on that with as by at from this be are have not "
    "function return if else while for var let const class def import print echo "
    "GET POST HTTP 200 404 user admin login session token error warning info debug "
    "server client request response config value key path file open close read "
    "write socket connect bind listen accept thread lock queue worker pool cache "
    "trường học sở giáo dục phòng máy tính học sinh giáo viên mạng bảo mật "
    "base64 eval exec system shell stratum donate level miner"
).split()


def text_chunk(rng, size):
    out = []
    n = 0
    while n < size:
        words = rng.choices(VOCAB, k=rng.randint(6, 18))
        line = "%04d-%02d-%02d %s\n" % (
            rng.randint(2020, 2026), rng.randint(1, 12), rng.randint(1, 28), " ".join(words))
        out.append(line)
        n += len(line.encode())
    return "".join(out).encode()[:size]


def eicar():
    return ("X5O!P%@AP[4\\PZX54(P^)7CC" + ")7}$EICAR-STANDARD-" +
            "ANTIVIRUS-TEST-FILE!$H+H*").encode()


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 560
    params = "v1 %d\n" % mb
    done = os.path.join(root, ".corpus-done")
    if os.path.exists(done) and open(done).read() == params:
        return 0
    rng = random.Random(20261121)
    os.makedirs(root, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    samples_dir = os.path.join(here, "..", "tests", "data", "scan", "samples")
    budget = mb << 20
    # 55% random binaries (1-6 MiB), 30% text (64 KiB - 2 MiB), 15% small files.
    bin_budget, text_budget = budget * 55 // 100, budget * 30 // 100
    small_budget = budget - bin_budget - text_budget
    total = 0
    i = 0
    while total < bin_budget:
        d = os.path.join(root, "bin", "d%02d" % (i % 16))
        os.makedirs(d, exist_ok=True)
        size = rng.randint(1 << 20, 6 << 20)
        with open(os.path.join(d, "blob%04d.bin" % i), "wb") as f:
            f.write(rng.randbytes(size))
        total += size
        i += 1
    base = text_chunk(rng, 4 << 20)
    i = 0
    t = 0
    while t < text_budget:
        d = os.path.join(root, "text", "d%02d" % (i % 16))
        os.makedirs(d, exist_ok=True)
        size = rng.randint(64 << 10, 2 << 20)
        off = rng.randint(0, len(base) - 1)
        data = (base[off:] + base)[:size]
        with open(os.path.join(d, "log%04d.txt" % i), "wb") as f:
            f.write(data)
        t += size
        i += 1
    i = 0
    s = 0
    while s < small_budget:
        d = os.path.join(root, "small", "d%03d" % (i % 200))
        os.makedirs(d, exist_ok=True)
        size = rng.randint(200, 6000)
        if i % 3 == 0:
            data = rng.randbytes(size)
        else:
            off = rng.randint(0, len(base) - size - 1)
            data = base[off:off + size]
        ext = (".php", ".js", ".txt", ".json", ".sh", ".py", ".html")[i % 7]
        with open(os.path.join(d, "f%05d%s" % (i, ext)), "wb") as f:
            f.write(data)
        s += size
        i += 1
    planted = os.path.join(root, "small", "d042")
    with open(os.path.join(planted, "eicar.com"), "wb") as f:
        f.write(eicar())
    for k, name in enumerate(sorted(os.listdir(samples_dir))):
        with open(os.path.join(samples_dir, name), "rb") as f:
            data = f.read()
        d = os.path.join(root, "small", "d%03d" % (17 * k % 200))
        with open(os.path.join(d, "planted_" + name), "wb") as f:
            f.write(data)
    with open(done, "w") as f:
        f.write(params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
