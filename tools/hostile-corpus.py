#!/usr/bin/env python3
"""hostile-corpus.py - hostile messages made at run time from real ones.

Usage: tools/hostile-corpus.py OUTDIR [N] [--source DIR]... [--seed S]

Reads the messages under each --source directory (default: the shared
corpus, $OT_CORPUS or ../shared/corpus from the repository root, when it
exists, else the project's own tests/fixtures/messages), and writes N (default 3000)
mutated messages into OUTDIR/KIND/NNNNN.eml, one directory per kind of
mutation, so that a failure points at what caused it:

  bitflip        random bit flips in the header
  truncate       cut anywhere: mid-field, mid-Received, mid-CRLF
  received-dup   Received lines duplicated, up to thousands of times
  received-shuf  the Received block shuffled, lines spliced from another message
  comment-giant  a Received comment of 20 KB to 200 KB
  comment-deep   comments nested thousands deep (Received, Date)
  folded-long    a field folded over thousands of continuation lines
  control-bytes  NUL, bare CR, LF, 8-bit and DEL in names, values, literals
  bad-address    [999.1.1.1], [IPv6:::::], [1.2.3], overlong literals
  bad-date       Feb 30, year 99999, zone +9999, leap seconds, garbage
  line-ends      CRLF, bare CR, mixed line ends, no final newline
  names          overlong field names, space before the colon, no colon
  received-many  70 to 10,000 Received lines
  forged-trace   an incoming X-Origin-Trace full of control bytes
  empty          empty file, only a "From " line, only blank lines, body only
  lines-100k     100,000 header lines (a few messages)
  header-10mb    a 10 MB header field (a few messages)

Every message is one message: lines after the first that start with
"From " are quoted (">From "), so no output looks like an mbox. Output is
deterministic for a given seed and source. The source messages are only
read, never copied into the project; bodies are cut to 4 KB.
"""

import argparse
import os
import random
import re
import sys

BODY_KEEP = 4096
HEAVY_KINDS = {"lines-100k": 100_000, "header-10mb": 10 * 1024 * 1024}
DATE = b"Thu, 22 Aug 2002 13:17:21 +0100"


def find_messages(directory):
    """Regular files below directory whose first line is a header field or an mbox separator."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    head = f.read(512)
            except OSError:
                continue
            if re.match(rb"(From |[!-9;-~]+:)", head):
                found.append(path)
    return found


def split_message(data):
    """(header lines with their line ends, body) of raw bytes."""
    m = re.search(rb"\r?\n\r?\n", data)
    if m is None:
        header, body = data, b""
    else:
        header, body = data[: m.start() + 1], data[m.end():]
    return header.splitlines(keepends=True), body[:BODY_KEEP]


def fields(lines):
    """Groups header lines into fields (a line and its continuations)."""
    out = []
    for line in lines:
        if out and line[:1] in (b" ", b"\t"):
            out[-1].append(line)
        else:
            out.append([line])
    return out


def join(groups):
    return b"".join(b"".join(g) for g in groups)


def is_received(group):
    return group[0][:9].lower() == b"received:"


def build(groups, body):
    return join(groups) + b"\n" + body


# ---- mutations: each takes (rng, groups, body, donor_groups) and returns bytes ----

def m_bitflip(rng, groups, body, donor):
    data = bytearray(join(groups))
    for _ in range(rng.randint(1, 40)):
        if data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    return bytes(data) + b"\n" + body


def m_truncate(rng, groups, body, donor):
    data = build(groups, body)
    header_len = len(join(groups))
    cut = rng.randrange(max(1, header_len + 1))
    return data[:cut]


def m_received_dup(rng, groups, body, donor):
    rec = [i for i, g in enumerate(groups) if is_received(g)]
    if not rec:
        groups.insert(0, [b"Received: from a.example (a.example [192.0.2.1]) by b.example; " + DATE + b"\n"])
        rec = [0]
    i = rng.choice(rec)
    times = rng.choices([2, 3, 10, 65, 500, 3000], weights=[5, 5, 5, 5, 2, 1])[0]
    return build(groups[:i] + [groups[i]] * times + groups[i:], body)


def m_received_shuf(rng, groups, body, donor):
    rec_idx = [i for i, g in enumerate(groups) if is_received(g)]
    recs = [groups[i] for i in rec_idx]
    recs += [g for g in donor if is_received(g)][: rng.randint(0, 5)]
    rng.shuffle(recs)
    rest = [g for g in groups if not is_received(g)]
    at = rng.randint(0, len(rest))
    return build(rest[:at] + recs + rest[at:], body)


def received_groups(groups):
    return [i for i, g in enumerate(groups) if is_received(g)]


def replace_in_received(rng, groups, make):
    """Applies make(line_bytes) to one Received field (or adds one)."""
    idx = received_groups(groups)
    if not idx:
        groups.insert(0, [b"Received: from a.example (a.example [192.0.2.1]) by b.example with SMTP; " + DATE + b"\n"])
        idx = [0]
    i = rng.choice(idx)
    groups[i] = [make(join([groups[i]]))]
    return groups


def m_comment_giant(rng, groups, body, donor):
    size = rng.choices([20_000, 70_000, 200_000], weights=[6, 3, 1])[0]
    filler = bytes(rng.choice(b"abcdefghij [].:;@-") for _ in range(64)) * (size // 64)
    def make(line):
        at = line.find(b"(")
        at = at if at > 0 else len(line.rstrip(b"\r\n"))
        return line[:at] + b"(" + filler.replace(b"(", b"").replace(b")", b"") + b") " + line[at:]
    return build(replace_in_received(rng, groups, make), body)


def m_comment_deep(rng, groups, body, donor):
    depth = rng.choice([9, 17, 100, 5000, 50000])
    nest = b"(" * depth + b"x [192.0.2.9]" + b")" * rng.choice([depth, depth - 1, 0])
    if rng.random() < 0.5:
        def make(line):
            return b"Received: from a.example " + nest + b" by b.example with SMTP; " + DATE + b"\n"
        return build(replace_in_received(rng, groups, make), body)
    groups = [g for g in groups if g[0][:5].lower() != b"date:"]
    groups.append([b"Date: " + DATE + b" " + nest + b"\n"])
    return build(groups, body)


def m_folded_long(rng, groups, body, donor):
    count = rng.choices([100, 5000, 30000], weights=[4, 2, 1])[0]
    word = rng.choice([b"x", b"by", b"from", b"(c)", b"[192.0.2.1]", b";"])
    fold = rng.choice([b"\n ", b"\n\t", b"\r\n ", b"\n \n "])
    name = rng.choice([b"Received", b"Subject", b"Date", b"Message-ID", b"X-Long"])
    value = fold.join([word] * count)
    groups.insert(rng.randint(0, len(groups)), [name + b": " + value + b"\n"])
    return build(groups, body)


def m_control_bytes(rng, groups, body, donor):
    data = bytearray(join(groups))
    bad = [b"\x00", b"\r", b"\n", b"\r\n", b"\x7f", b"\xff", b"\x1b[2J", b"\x00\x00\x00", b"\n\n", b"\t", b"\x0b"]
    for _ in range(rng.randint(1, 12)):
        choice = rng.random()
        if choice < 0.3:
            # next to a structural byte: a colon, bracket, parenthesis or semicolon
            spots = [m.start() for m in re.finditer(rb"[:\[\]();<>]", bytes(data))]
            at = rng.choice(spots) if spots else 0
        else:
            at = rng.randrange(len(data) + 1)
        data[at:at] = rng.choice(bad)
    return bytes(data) + b"\n" + body


BAD_ADDRESSES = [
    b"[999.1.1.1]", b"[IPv6:::::]", b"[1.2.3]", b"[256.256.256.256]", b"[::ffff:999.0.0.1]",
    b"[IPv6:1:2:3:4:5:6:7:8:9]", b"[IPv6:]", b"[]", b"[", b"]", b"[1.2.3.4.5]", b"[0x7f.1]",
    b"[01.002.0003.4]", b"[IPv6:fe80::1%eth0]", b"[192.0.2.1" + b"9" * 300 + b"]",
    b"[IPv6:" + b"0" * 200 + b"::1]", b"[-1.0.0.0]", b"[1..2.3]", b"[IPv6:::ffff:1.2.3.4:5]",
    b"[IPv4:192.0.2.1]", b"[\x00192.0.2.1]", b"[192.0.2.1\r]", b"999.999.999.999", b"::",
]


def m_bad_address(rng, groups, body, donor):
    def make(line):
        for _ in range(rng.randint(1, 3)):
            bad = rng.choice(BAD_ADDRESSES)
            spots = [m.span() for m in re.finditer(rb"\[[^\]]{0,60}\]", line)]
            if spots and rng.random() < 0.8:
                a, b = rng.choice(spots)
                line = line[:a] + bad + line[b:]
            else:
                line = line.replace(b"from ", b"from " + bad + b" ", 1)
        return line
    for _ in range(rng.randint(1, 3)):
        groups = replace_in_received(rng, groups, make)
    return build(groups, body)


BAD_DATES = [
    b"Mon, 30 Feb 2002 10:00:00 +0000", b"Thu, 22 Aug 99999 13:17:21 +0100",
    b"Thu, 22 Aug 2002 13:17:21 +9999", b"Thu, 22 Aug 2002 25:61:61 +0100",
    b"Fri, 31 Dec 9999 23:59:60 -9959", b"Thu, 01 Jan 1970 00:00:00 +9959",
    b"32 Jan 2002 00:00:00 GMT", b"", b"0" * 10000, b"-2002-08-22T12:00:00Z",
    b"Thu, 22 Aug 2002 13:17:21 +0100 (" + b"(" * 40 + b")", b"Sun, 29 Feb 2001 12:00:00 +0000",
    b"1969-12-31 23:59:59", b"Thu Aug 22 13:17:21 2002 2003 2004", b"22/13/2002 10:00",
    b"Thu, 22 Aug 2002 13:17:21 GMT+99:99", b"Thu, 22 Aug 02 13:17 XYZ",
    b"9" * 40 + b" Aug 2002 13:17:21 +0100", b"Thu,, 22 Aug 2002 13:17:21 +0100",
    b"Thu, 22 Aug 2002 13:17:21 +-+-0100", b"\x00Thu, 22 Aug 2002", b"Aug Aug Aug Aug",
]


def m_bad_date(rng, groups, body, donor):
    bad = rng.choice(BAD_DATES)
    def make(line):
        line = line.rstrip(b"\r\n")
        at = line.rfind(b";")
        return (line[: at + 1] if at >= 0 else line + b";") + b" " + bad + b"\n"
    if rng.random() < 0.6:
        groups = replace_in_received(rng, groups, make)
    groups = [g for g in groups if g[0][:5].lower() != b"date:"]
    groups.append([b"Date: " + rng.choice(BAD_DATES) + b"\n"])
    return build(groups, body)


def m_line_ends(rng, groups, body, donor):
    data = build(groups, body).replace(b"\r\n", b"\n")
    style = rng.choice(["crlf", "cr", "mixed", "no-final"])
    if style == "crlf":
        return data.replace(b"\n", b"\r\n")
    if style == "cr":
        return data.replace(b"\n", b"\r")
    if style == "mixed":
        out = bytearray()
        for ch in data:
            out += rng.choice([b"\n", b"\r\n", b"\r", b"\n\r"]) if ch == 0x0A else bytes([ch])
        return bytes(out)
    return join(groups).rstrip(b"\r\n")


def m_names(rng, groups, body, donor):
    for _ in range(rng.randint(1, 5)):
        kind = rng.randrange(5)
        if kind == 0:
            line = b"X-" + b"N" * rng.choice([127, 128, 129, 1000, 70000]) + b": value\n"
        elif kind == 1:
            line = b"Received : from a.example (a.example [192.0.2.1]) by b.example; " + DATE + b"\n"
        elif kind == 2:
            line = b"this line has no colon at all\n"
        elif kind == 3:
            line = b": an empty name\n"
        else:
            line = b"Re\xffceived\x00: from a by b; " + DATE + b"\n"
        groups.insert(rng.randint(0, len(groups)), [line])
    return build(groups, body)


def m_received_many(rng, groups, body, donor):
    count = rng.choices([63, 64, 65, 70, 1000, 10000], weights=[4, 4, 4, 4, 2, 1])[0]
    lines = [b"Received: from h%d.example (h%d.example [198.51.100.%d]) by h%d.example with ESMTP id %d; %s\n"
             % (i + 1, i + 1, i % 250 + 1, i, i, DATE) for i in range(count)]
    at = rng.randint(0, len(groups))
    return build(groups[:at] + [[line] for line in lines] + groups[at:], body)


def m_forged_trace(rng, groups, body, donor):
    value = rng.choice([
        b"score=-100 action=accept\r\n\tsignals=\x00\x1b[31m",
        b"score=0.0 action=accept path=internal origin=127.0.0.1 signals=none",
        b"\x00" * 100, b"x" * 5000,
    ])
    name = rng.choice([b"X-Origin-Trace", b"x-origin-trace", b"X-Origin-Trace "])
    groups.insert(rng.randint(0, len(groups)), [name + b": " + value + b"\n"])
    return build(groups, body)


def m_empty(rng, groups, body, donor):
    return rng.choice([
        b"", b"\n", b"\r\n", b"\n\n\n", b"From someone@example.org Thu Aug 22 13:17:22 2002\n",
        b"just a body line\nand another\n", b"\x00" * 64, b" continuation first\n\nbody\n",
        b"From someone@example.org Thu Aug 22 13:17:22 2002\n\nbody\n",
    ])


def m_lines_100k(rng, groups, body, donor):
    n = HEAVY_KINDS["lines-100k"]
    shape = rng.choice([b"X-L%d: v\n", b"Received: from a%d by b; " + DATE + b"\n", b" fold %d\n"])
    pad = b"".join(shape % i for i in range(n))
    head = join(groups[:1]) if shape.startswith(b" ") else b""
    return head + pad + join(groups) + b"\n" + body


def m_header_10mb(rng, groups, body, donor):
    n = HEAVY_KINDS["header-10mb"]
    name = rng.choice([b"X-Big", b"Received"])
    fill = rng.choice([b"a", b"(", b"[", b" "])
    return name + b": " + fill * n + b"\n" + join(groups) + b"\n" + body


MUTATIONS = {
    "bitflip": m_bitflip, "truncate": m_truncate, "received-dup": m_received_dup,
    "received-shuf": m_received_shuf, "comment-giant": m_comment_giant,
    "comment-deep": m_comment_deep, "folded-long": m_folded_long,
    "control-bytes": m_control_bytes, "bad-address": m_bad_address, "bad-date": m_bad_date,
    "line-ends": m_line_ends, "names": m_names, "received-many": m_received_many,
    "forged-trace": m_forged_trace, "empty": m_empty,
    "lines-100k": m_lines_100k, "header-10mb": m_header_10mb,
}


def one_message(data):
    """Quotes every later line starting with "From " so no file reads as an mbox."""
    first, sep, rest = data.partition(b"\n")
    if not sep:
        return data
    rest = re.sub(rb"(^|(?<=\n)|(?<=\r))From ", b">From ", rest)
    return first + sep + rest


def plan(n):
    """Which kind each of the n messages gets: the heavy kinds a few times
    (they are large), the rest round-robin."""
    heavy = {k: max(1, min(2, n // 1000)) for k in HEAVY_KINDS}
    light = [k for k in MUTATIONS if k not in HEAVY_KINDS]
    kinds = [k for k, c in heavy.items() for _ in range(c)]
    i = 0
    while len(kinds) < n:
        kinds.append(light[i % len(light)])
        i += 1
    return kinds[:n]


def default_sources(root):
    shared = os.environ.get("OT_CORPUS") or os.path.normpath(os.path.join(root, "..", "shared", "corpus"))
    if os.path.isdir(shared):
        return [shared]
    return [os.path.join(root, "tests", "fixtures", "messages")]


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap = argparse.ArgumentParser(description="write hostile mutations of real messages")
    ap.add_argument("outdir")
    ap.add_argument("count", nargs="?", type=int, default=3000)
    ap.add_argument("--source", action="append", help="directory of messages (repeatable)")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    sources = args.source or default_sources(root)
    paths = []
    for s in sources:
        paths += find_messages(s)
    if not paths:
        print("hostile-corpus: no messages under " + ", ".join(sources), file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    # at most 600 distinct bases: variety without reading the whole corpus
    bases = sorted(rng.sample(paths, min(600, len(paths))))
    cache = {}

    def load(path):
        if path not in cache:
            with open(path, "rb") as f:
                cache[path] = split_message(f.read(2 * 1024 * 1024))
        return cache[path]

    written = {}
    for i, kind in enumerate(plan(args.count)):
        lines, body = load(rng.choice(bases))
        donor_lines, _ = load(rng.choice(bases))
        data = MUTATIONS[kind](rng, fields(lines), body, fields(donor_lines))
        directory = os.path.join(args.outdir, kind)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "%05d.eml" % i), "wb") as f:
            f.write(one_message(data))
        written[kind] = written.get(kind, 0) + 1
    print("hostile-corpus: %d messages from %d sources (%s) in %s" % (
        args.count, len(paths), ", ".join(sources), args.outdir))
    for kind in sorted(written):
        print("  %-14s %5d" % (kind, written[kind]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
