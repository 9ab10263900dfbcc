#!/usr/bin/env python3
"""fit-weights.py - suggest signal weights from a labelled corpus.

Reads the JSON Lines of origin-trace-check --json for spam and ham (run
with every weight at its default, so that every signal is evaluated), and
searches weights that maximise the share of spam scored above all but the
top 0.1% of ham plus twice the AUC. Prints `Weight NAME VALUE` lines
for origin-trace.conf. A development aid: the defaults in
milter/core/signals.c were set with it and then rounded by judgement.

usage: tools/fit-weights.py SPAM.jsonl HAM.jsonl
"""
import json
import math
import sys


# evidence of authenticity: these may only lower the score
NEGATIVE = {"CHAIN_CONSISTENT", "SPF_PASS", "DKIM_PASS"}


def load(path):
    return [set(s["name"] for s in json.loads(l)["signals"]) for l in open(path) if l.strip()]


def evaluate(w, spam, ham):
    ps = [sum(w.get(n, 0) for n in m) for m in spam]
    ns = [sum(w.get(n, 0) for n in m) for m in ham]
    ranked = sorted(ns, reverse=True)
    t = ranked[int(len(ns) * 0.001)]
    caught = sum(1 for s in ps if s > t) / len(ps)
    # AUC by sorting
    allv = sorted([(s, 1) for s in ps] + [(s, 0) for s in ns])
    rank_sum, i = 0.0, 0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        pos = sum(1 for k in range(i, j) if allv[k][1])
        rank_sum += pos * (i + j + 1) / 2.0
        i = j
    auc = (rank_sum - len(ps) * (len(ps) + 1) / 2.0) / (len(ps) * len(ns))
    return caught + 2.0 * auc, caught, auc


def main():
    spam, ham = load(sys.argv[1]), load(sys.argv[2])
    names = sorted(set().union(*spam, *ham))
    w = {}
    for n in names:
        p = (sum(1 for m in spam if n in m) + 0.5) / (len(spam) + 1)
        q = (sum(1 for m in ham if n in m) + 0.5) / (len(ham) + 1)
        w[n] = round(math.log(p / q), 1)
        w[n] = min(0.0, w[n]) if n in NEGATIVE else max(0.0, w[n])
    best = evaluate(w, spam, ham)
    steps = [2.0, 1.0, 0.5]
    for step in steps:
        improved = True
        while improved:
            improved = False
            for n in names:
                for d in (step, -step):
                    old = w[n]
                    lo, hi = (-4.0, 0.0) if n in NEGATIVE else (0.0, 8.0)
                    w[n] = round(min(hi, max(lo, old + d)), 1)
                    score = evaluate(w, spam, ham)
                    if score > best:
                        best, improved = score, True
                    else:
                        w[n] = old
    print(f"# caught at 0.1% ham: {best[1]*100:.1f}%  AUC: {best[2]:.4f}")
    for n in names:
        print(f"Weight {n} {w[n]}")


if __name__ == "__main__":
    main()
