#!/usr/bin/env python3
"""Write N Sigma rules made from the rules under SRC (variants with other literals).

usage: gen_sigma_variants.py SRC_DIR N OUT_DIR

Variant 0 of each rule is the rule as it is; variant k > 0 gets a new id and
every string value of its detection gets the suffix "-vK", so the rule set
grows with distinct literals (as a real rule pack does) rather than copies
that the engine would deduplicate. Correlation rules are kept once.
"""
import os
import sys
import uuid

import yaml


def keep(key):
    """Values that must stay as they are (a network, a number, a boolean)."""
    mods = str(key).split("|")[1:]
    return any(m in ("cidr", "lt", "lte", "gt", "gte", "exists", "fieldref") for m in mods)


def mutate(node, k):
    if isinstance(node, str):
        return node + f"-v{k}" if node and not node.endswith("*") else node
    if isinstance(node, list):
        return [mutate(x, k) for x in node]
    if isinstance(node, dict):
        return {key: (val if key == "condition" or keep(key) else mutate(val, k))
                for key, val in node.items()}
    return node


def main():
    src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rules = []
    for root, _dirs, files in sorted(os.walk(src)):
        for f in sorted(files):
            if f.endswith((".yml", ".yaml")):
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    for doc in yaml.safe_load_all(fh):
                        if isinstance(doc, dict) and "detection" in doc:
                            rules.append(doc)
    if not rules:
        sys.exit(f"no rules under {src}")
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        base = rules[i % len(rules)]
        k = i // len(rules)
        r = dict(base)
        if k:
            r["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base.get('id', '')}/{k}"))
            r["title"] = f"{base.get('title', 'rule')} (variant {k})"
            r["detection"] = mutate(base["detection"], k)
        with open(os.path.join(out, f"r{i:05d}.yml"), "w", encoding="utf-8") as fh:
            yaml.safe_dump(r, fh, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    main()
