#!/usr/bin/env python3
"""Data for bench/intel_match.sh and tests/integration/test_intel_match.py.

  gen_intel_match.py LIST QUERIES [--entries N] [--lines N] [--seed S]

LIST: N entries in plain text both grepcidr and canh read: about 91 % single
IPv4 addresses, 9 % IPv4 networks with a prefix mix like Spamhaus DROP's
(/11 to /24, most of them /22 to /24), a few IPv4 ranges "a-b", a few
hundred IPv6 addresses and networks, comments and blank lines.

QUERIES: log-like lines (firewall, web server, sshd, bare addresses,
ip:port, [v6]:port, lines without an address), about a quarter of them
holding an address inside a list entry.
"""
import argparse
import ipaddress
import random


def v4(n):
    return str(ipaddress.IPv4Address(n))


def v6(n):
    return str(ipaddress.IPv6Address(n))


PREFIXES = [(11, 2), (12, 3), (13, 5), (14, 8), (15, 15), (16, 60), (17, 80), (18, 150),
            (19, 300), (20, 600), (21, 800), (22, 2000), (23, 1500), (24, 4477)]


def pick_prefix(rng):
    r = rng.randrange(10000)
    acc = 0
    for p, w in PREFIXES:
        acc += w
        if r < acc:
            return p
    return 24


def public_v4(rng):
    # Avoid 0/8, 10/8, 127/8 and 224/3, as a real list would.
    while True:
        n = rng.getrandbits(32)
        top = n >> 24
        if top not in (0, 10, 127) and top < 224:
            return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("list")
    ap.add_argument("queries")
    ap.add_argument("--entries", type=int, default=1100000)
    ap.add_argument("--lines", type=int, default=5000000)
    ap.add_argument("--seed", type=int, default=20261121)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    n_v6 = max(10, a.entries // 2000)
    n_ranges = max(5, a.entries // 5000)
    n_cidrs = a.entries // 11
    n_ips = a.entries - n_v6 - n_ranges - n_cidrs

    ranges4 = []  # (lo, hi) of every IPv4 entry, to draw hits from
    ranges6 = []
    out = ["# bench list: addresses, networks and ranges (generated)\n", "\n"]
    for _ in range(n_ips):
        n = public_v4(rng)
        ranges4.append((n, n))
        out.append(v4(n) + "\n")
    for _ in range(n_cidrs):
        p = pick_prefix(rng)
        host = (1 << (32 - p)) - 1
        n = public_v4(rng) & ~host
        ranges4.append((n, n | host))
        out.append("%s/%d\n" % (v4(n), p))
    for _ in range(n_ranges):
        n = public_v4(rng)
        hi = min(n + rng.randrange(1, 5000), 0xDFFFFFFF)
        ranges4.append((n, hi))
        out.append("%s-%s\n" % (v4(n), v4(hi)))
    for i in range(n_v6):
        base = (0x2001 << 112) | (rng.getrandbits(16) << 96) | (rng.getrandbits(32) << 64)
        if i % 2 == 0:
            n = base | rng.getrandbits(64)
            ranges6.append((n, n))
            out.append(v6(n) + "\n")
        else:
            p = rng.choice([32, 48, 56, 64])
            host = (1 << (128 - p)) - 1
            n = base & ~host
            ranges6.append((n, n | host))
            out.append("%s/%d\n" % (v6(n), p))
    rng.shuffle(out)
    with open(a.list, "w") as f:
        f.write("# bench list (generated)\n")
        f.writelines(out)

    def addr4(hit):
        if hit:
            lo, hi = ranges4[rng.randrange(len(ranges4))]
            return v4(rng.randint(lo, hi))
        return v4(public_v4(rng))

    def addr6(hit):
        if hit:
            lo, hi = ranges6[rng.randrange(len(ranges6))]
            return v6(rng.randint(lo, hi))
        return v6((0x2001 << 112) | rng.getrandbits(112))

    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    with open(a.queries, "w") as f:
        buf = []
        for i in range(a.lines):
            hit = rng.random() < 0.25
            kind = rng.randrange(20)
            sec = i % 86400
            ts = "2026-11-21T%02d:%02d:%02d+07:00" % (sec // 3600, sec // 60 % 60, sec % 60)
            if kind < 6:
                line = ("%s fw01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=%s DST=192.168.1.%d "
                        "LEN=60 PROTO=TCP SPT=%d DPT=%d" % (ts, addr4(hit), rng.randrange(1, 255),
                                                             rng.randrange(1024, 65536),
                                                             rng.choice([22, 80, 443, 3389])))
            elif kind < 11:
                line = ('%s - - [21/%s/2026:%02d:%02d:%02d +0700] "GET /index.php?id=%d HTTP/1.1" '
                        '200 %d "-" "Mozilla/5.0"' % (addr4(hit), months[10], sec // 3600,
                                                      sec // 60 % 60, sec % 60, i,
                                                      rng.randrange(100, 90000)))
            elif kind < 14:
                line = ("Nov 21 %02d:%02d:%02d web01 sshd[%d]: Failed password for root from %s "
                        "port %d ssh2" % (sec // 3600, sec // 60 % 60, sec % 60,
                                          rng.randrange(1000, 99999), addr4(hit),
                                          rng.randrange(1024, 65536)))
            elif kind < 16:
                line = addr4(hit)
            elif kind < 17:
                line = "%s:%d" % (addr4(hit), rng.randrange(1, 65536))
            elif kind < 18:
                line = "%s conn [%s]:%d established" % (ts, addr6(hit), rng.randrange(1, 65536))
            elif kind < 19:
                line = addr6(hit)
            else:
                line = "%s cron[%d]: (root) CMD (run-parts /etc/cron.hourly)" % (
                    ts, rng.randrange(1000, 99999))
            buf.append(line + "\n")
            if len(buf) >= 100000:
                f.writelines(buf)
                buf = []
        f.writelines(buf)


if __name__ == "__main__":
    main()
