#!/usr/bin/env python3
"""quality.py - how well the score separates spam from ham.

Runs origin-trace-check --json --offline over a spam and a ham directory
(by default the shared SpamAssassin corpus, with its collectors' trusted
relays) and prints the ROC AUC and the share of spam scored above every ham
but the top 0.1% and 1% (spam caught at that false-positive budget), plus
how often each signal fires in each class. Figures, not a test: it asserts
nothing and always exits 0 when the analyzer ran.

usage: tools/quality.py [--check PATH] [--spam DIR] [--ham DIR] [--trusted FILE] [-c CONF]
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")


def scores(check, directory, trusted, conf):
    cmd = [check, "--json", "--offline", "--trusted", trusted]
    if conf:
        cmd += ["-c", conf]
    out = subprocess.run(cmd + [directory], stdout=subprocess.PIPE, check=False).stdout
    rows = [json.loads(line) for line in out.decode("utf-8", "replace").splitlines() if line]
    return rows


def auc(pos, neg):
    # Mann-Whitney U with ties counted half
    allv = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i, n = 0.0, 0, len(allv)
    while i < n:
        j = i
        while j < n and allv[j][0] == allv[i][0]:
            j += 1
        avg = (i + j + 1) / 2.0
        rank_sum += avg * sum(1 for k in range(i, j) if allv[k][1] == 1)
        i = j
    u = rank_sum - len(pos) * (len(pos) + 1) / 2.0
    return u / (len(pos) * len(neg))


def caught_at(pos, neg, fp_share):
    # the threshold: spam must score strictly above all ham but the top fp_share
    allowed = int(len(neg) * fp_share)
    ranked = sorted(neg, reverse=True)
    threshold = ranked[allowed] if allowed < len(ranked) else float("-inf")
    return sum(1 for s in pos if s > threshold) / len(pos), threshold


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", default=os.environ.get("CHECK", os.path.join(ROOT, "milter/cli/origin-trace-check")))
    ap.add_argument("--spam", default=os.path.join(CORPUS, "sa-public/spam"))
    ap.add_argument("--ham", default=os.path.join(CORPUS, "sa-public/ham"))
    ap.add_argument("--trusted", default=os.path.join(CORPUS, "trusted-relays.txt"))
    ap.add_argument("-c", dest="conf", default=None)
    ap.add_argument("--signals", action="store_true", help="print per-signal firing rates")
    a = ap.parse_args()

    spam = scores(a.check, a.spam, a.trusted, a.conf)
    ham = scores(a.check, a.ham, a.trusted, a.conf)
    ps = [r["score"] for r in spam]
    ns = [r["score"] for r in ham]
    print(f"messages: {len(ps)} spam, {len(ns)} ham")
    print(f"AUC: {auc(ps, ns):.4f}")
    for share in (0.001, 0.01):
        c, t = caught_at(ps, ns, share)
        print(f"spam caught at <= {share*100:g}% ham flagged: {c*100:.1f}% (score > {t})")
    if a.signals:
        fs = Counter(s["name"] for r in spam for s in r["signals"])
        fh = Counter(s["name"] for r in ham for s in r["signals"])
        print(f"{'signal':26} {'spam%':>7} {'ham%':>7}")
        for name in sorted(set(fs) | set(fh), key=lambda n: -(fs[n] / len(ps) - fh[n] / len(ns))):
            print(f"{name:26} {100*fs[name]/len(ps):7.1f} {100*fh[name]/len(ns):7.1f}")
        print("paths spam:", dict(Counter(r["path"] for r in spam)))
        print("paths ham: ", dict(Counter(r["path"] for r in ham)))


if __name__ == "__main__":
    sys.exit(main())
