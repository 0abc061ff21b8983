#!/usr/bin/env python3
"""Build a ClamAV .ndb signature database from the literals of YARA rules,
for bench/scan.sh: every text string of every rule ("..." strings) and, for
a regular expression, its longest literal run (at least 4 bytes). ClamAV
reports a file when any one signature matches, so it answers a superset of
the YARA conditions over the same literals: the work per byte is comparable.

usage: scan_ndb.py RULES_DIR_OR_FILE... > canh.ndb
"""
import os
import re
import sys

STR = re.compile(r'^\s*\$\w*\s*=\s*"((?:[^"\\]|\\.)*)"')
REX = re.compile(r'^\s*\$\w*\s*=\s*/((?:[^/\\]|\\.)*)/')
RULE = re.compile(r'^\s*(?:private\s+|global\s+)*rule\s+(\w+)')
SPECIAL = set('.^$*+?()[]{}|\\')


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            if n == 'x' and i + 3 < len(s):
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {'n': b'\n', 't': b'\t', 'r': b'\r'}.get(n, n.encode())
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


def regex_literal(rx):
    best, cur = b'', bytearray()
    i = 0
    while i < len(rx):
        c = rx[i]
        if c == '\\' and i + 1 < len(rx) and not rx[i + 1].isalnum():
            cur += rx[i + 1].encode()
            i += 2
            continue
        if c in SPECIAL:
            # a quantifier applies to the last character: drop it from the run
            if c in '*?{' and cur:
                cur = cur[:-1]
            if len(cur) > len(best):
                best = bytes(cur)
            cur = bytearray()
            if c == '[':
                j = rx.find(']', i + 1)
                i = j + 1 if j > 0 else i + 1
                continue
            if c == '{':
                j = rx.find('}', i + 1)
                i = j + 1 if j > 0 else i + 1
                continue
            if c == '\\':
                i += 2
                continue
            i += 1
            continue
        cur += c.encode()
        i += 1
    if len(cur) > len(best):
        best = bytes(cur)
    return best


def files(args):
    for a in args:
        if os.path.isdir(a):
            for dp, _, fs in os.walk(a):
                for f in sorted(fs):
                    if f.endswith(('.yar', '.yara')):
                        yield os.path.join(dp, f)
        else:
            yield a


def main():
    seen = set()
    n = 0
    for path in files(sys.argv[1:]):
        rule = 'x'
        for line in open(path, encoding='utf-8', errors='replace'):
            m = RULE.match(line)
            if m:
                rule = m.group(1)
                k = 0
                continue
            m = STR.match(line)
            lit = unescape(m.group(1)) if m else None
            if lit is None:
                m = REX.match(line)
                lit = regex_literal(m.group(1)) if m else None
            if not lit or len(lit) < 4 or lit in seen:
                continue
            seen.add(lit)
            k += 1
            n += 1
            print('canh.%s.%d:0:*:%s' % (rule, k, lit.hex()))
    print('%d signatures' % n, file=sys.stderr)


if __name__ == '__main__':
    main()
