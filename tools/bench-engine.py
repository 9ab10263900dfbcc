#!/usr/bin/env python3
"""bench-engine.py - how fast the analysis engine runs, and in how much memory.

Runs origin-trace-check over the shared corpus (3,000 messages) several
times in one process invocation (the directory given REPEAT times) and
prints messages per second (wall and CPU) and the peak resident memory.
Headers only, offline, output to /dev/null. Figures, not a test.

usage: tools/bench-engine.py [--check PATH] [--repeat N] [--corpus DIR]
"""
import argparse
import os
import resource
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", default=os.path.join(ROOT, "milter/cli/origin-trace-check"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    a = ap.parse_args()
    sa = os.path.join(a.corpus, "sa-public")
    trusted = os.path.join(a.corpus, "trusted-relays.txt")
    n = sum(len(files) for _, _, files in os.walk(sa))
    for mode in ("default", "--json"):
        args = [a.check, "--offline", "--trusted", trusted] + ([mode] if mode != "default" else [])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run(args + [sa] * a.repeat, stdout=subprocess.DEVNULL, check=True)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total = n * a.repeat
        print(f"output {mode:8}: {total} messages in {wall:.2f} s wall, {cpu:.2f} s CPU: "
              f"{total / wall:,.0f} msg/s wall, {total / cpu:,.0f} msg/s CPU, "
              f"{cpu / total * 1e6:.1f} us CPU/msg, peak RSS {after.ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
