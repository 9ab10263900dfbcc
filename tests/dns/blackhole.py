#!/usr/bin/env python3
"""blackhole.py - a misbehaving DNS server on 127.0.0.1 for fault tests.

Owns one UDP socket and one TCP listener on the same free port, and
behaves as --mode says:

  silent    (default) takes queries and never answers: UDP datagrams are
            read and dropped; TCP connections are accepted and held open
            without a reply (at most MAX_HELD at once, the oldest closed
            first), so a client sees a server that is up but silent.
  slow      answers every query correctly shaped, after --delay seconds:
            an A question gets one A record (--address, default
            127.0.0.2), any other type NXDOMAIN (with an SOA, so it is a
            proper negative answer); TTL --ttl (default 0: a resolver's
            cache must not hide the delay from the next query). The id,
            the RD bit and the question are echoed. Over TCP as well.
  garbage   answers every UDP query at once with hostile bytes, cycling
            per query through GARBAGE (see there); each variant that parses
            far enough carries a "bait" answer (A 127.0.0.2, a
            dynamic-looking PTR name, an SPF "+all" TXT, an empty DKIM key)
            so that a client that believed it would show a signal. TCP
            connections are closed as soon as they are accepted (the
            answer to the "truncated" variant's retry over TCP).
  servfail, refused
            answers every query at once with that rcode, no records.

Every query is logged to standard output, one line: the mode, the query
number, the type, the name (escaped) and, for garbage, the variant sent.
Used by tests/dns/lib.sh (ot_blackhole_start [MODE [DELAY]]) to test
lookup deadlines and hostile answers.

Writes the port to --port-file once both sockets listen (atomically, via a
rename), and exits on SIGTERM/SIGINT or after --lifetime seconds, so that a
test that dies cannot leave it running for long. Standard library only.
"""
import argparse
import heapq
import os
import random
import selectors
import signal
import socket
import struct
import sys
import time

MAX_HELD = 64
READ_MAX = 65535
TCP_BUF_MAX = 4 * 65538   # a client that floods a connection is dropped

QR, TC, RD, RA = 0x8000, 0x0200, 0x0100, 0x0080
RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_REFUSED = 2, 3, 5
T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA = 1, 2, 5, 6, 12, 15, 16, 28
C_IN = 1
PTR_TO_QNAME = b"\xc0\x0c"   # the question's name always sits at offset 12

TYPE_NAMES = {T_A: "A", T_NS: "NS", T_CNAME: "CNAME", T_SOA: "SOA", T_PTR: "PTR",
              T_MX: "MX", T_TXT: "TXT", T_AAAA: "AAAA"}


# ---- wire format ----------------------------------------------------------

class Query:
    """The parts of a query an answer echoes."""

    def __init__(self, qid, flags, qname, qtype, qclass, question):
        self.qid = qid
        self.flags = flags
        self.qname = qname          # wire form, uncompressed, with the root label
        self.qtype = qtype
        self.qclass = qclass
        self.question = question    # the whole question section, as sent

    def text(self):
        """The name for the log: printable ASCII, anything else escaped,
        so the log itself is never a way to inject bytes."""
        labels, pos = [], 0
        while self.qname[pos] != 0:
            n = self.qname[pos]
            raw = self.qname[pos + 1:pos + 1 + n]
            labels.append("".join(chr(c) if 0x21 <= c < 0x7f and c not in b".\\" else "\\%03d" % c
                                  for c in raw))
            pos += 1 + n
        return ".".join(labels) + "."


def parse_query(data):
    """A Query, or None for anything that is not one plain query (the
    client under test is a resolver library: it sends nothing else)."""
    if len(data) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", data[:6])
    if flags & QR or qd != 1:
        return None
    pos, total = 12, 0
    while True:
        if pos >= len(data):
            return None
        n = data[pos]
        if n > 63:                  # compression or an extended label type
            return None
        total += n + 1
        if total > 255:
            return None
        pos += 1 + n
        if n == 0:
            break
    if pos + 4 > len(data):
        return None
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    return Query(qid, flags, data[12:pos], qtype, qclass, data[12:pos + 4])


def encode_name(text):
    """Wire form of a dotted name (labels are not checked: callers build
    over-long ones on purpose)."""
    out = b""
    for label in text.strip(".").split("."):
        if label:
            raw = label.encode("latin-1")
            out += bytes([len(raw)]) + raw
    return out + b"\x00"


def rr(owner, rtype, ttl, rdata, rdlength=None):
    """One resource record; rdlength may lie."""
    if rdlength is None:
        rdlength = len(rdata)
    return owner + struct.pack("!HHIH", rtype, C_IN, ttl, rdlength) + rdata


def header(qid, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", qid & 0xffff, flags, qd, an, ns, ar)


def reply_flags(q, rcode, extra=0):
    """QR, the query's opcode and RD echoed, RA: what a recursive server sends."""
    return QR | (q.flags & 0x7800) | (q.flags & RD) | RA | extra | rcode


def soa_rdata():
    # root as both names; minimum 0 so a negative answer is not cached either
    return b"\x00\x00" + struct.pack("!IIIII", 1, 3600, 600, 86400, 0)


def answer(q, rcode, answers=(), authority=(), qid=None, flags=None, ancount=None,
           question=None):
    """A response; every count and field may be overridden to lie."""
    answers, authority = list(answers), list(authority)
    question = q.question if question is None else question
    return (header(q.qid if qid is None else qid,
                   reply_flags(q, rcode) if flags is None else flags,
                   1, len(answers) if ancount is None else ancount, len(authority), 0)
            + question + b"".join(answers) + b"".join(authority))


# ---- slow, servfail, refused ------------------------------------------------

def proper_answer(q, address, ttl):
    """The slow mode's answer: A -> ADDRESS, anything else NXDOMAIN."""
    if q.qtype == T_A and q.qclass == C_IN:
        return answer(q, 0, [rr(PTR_TO_QNAME, T_A, ttl, socket.inet_aton(address))])
    return answer(q, RCODE_NXDOMAIN, authority=[rr(b"\x00", T_SOA, ttl, soa_rdata())])


def rcode_answer(q, rcode):
    return answer(q, rcode)


# ---- garbage ---------------------------------------------------------------

def bait_parts(q):
    """What each check would believe if the answer got through: a listing,
    a dynamic-looking reverse name, an SPF policy passing everything, a
    revoked DKIM key (which fails a signature). Returns (type, rdata)."""
    if q.qtype == T_AAAA:
        return T_AAAA, socket.inet_pton(socket.AF_INET6, "2001:db8::bad")
    if q.qtype == T_PTR:
        return T_PTR, encode_name("host-192-0-2-10.dynamic.bait.test")
    if q.qtype == T_TXT:
        text = b"v=DKIM1; p=" if b"\x0a_domainkey" in q.qname else b"v=spf1 +all"
        return T_TXT, bytes([len(text)]) + text
    if q.qtype == T_MX:
        return T_MX, b"\x00\x0a" + encode_name("mx.bait.test")
    return T_A, socket.inet_aton("127.0.0.2")


def bait_record(q, owner, rdlength=None):
    rtype, rdata = bait_parts(q)
    return rr(owner, rtype, 3600, rdata, rdlength)


def bait_answer(q, **kw):
    return answer(q, 0, [bait_record(q, PTR_TO_QNAME)], **kw)


def g_random(q, rng):
    """Noise: random bytes of random length (a random id too)."""
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 512)))


def g_short_header(q, rng):
    """The right id, then the message stops inside the 12-byte header."""
    return bait_answer(q)[:rng.randint(2, 11)]


def g_wrong_id(q, rng):
    """A well-formed answer to somebody else's query (spoofing)."""
    return bait_answer(q, qid=q.qid ^ 0x5a5a)


def g_wrong_question(q, rng):
    """The right id answering another name (cache poisoning)."""
    other = encode_name("poison.bait.test") + struct.pack("!HH", q.qtype, q.qclass)
    return bait_answer(q, question=other)


def g_count_lies(q, rng):
    """ANCOUNT says 9 records; one follows."""
    return bait_answer(q, ancount=9)


def g_rdlength_lies(q, rng):
    """A record whose RDLENGTH runs past the end of the message."""
    rdlength = len(bait_parts(q)[1]) + 200
    return answer(q, 0, [bait_record(q, PTR_TO_QNAME, rdlength)])


def g_pointer_self(q, rng):
    """The answer's owner name is a compression pointer to itself."""
    at = 12 + len(q.question)
    owner = struct.pack("!H", 0xc000 | at)
    return answer(q, 0, [bait_record(q, owner)])


def g_pointer_loop(q, rng):
    """A CNAME whose target is two pointers pointing at each other, and
    the bait under that (unreachable) name."""
    at = 12 + len(q.question) + 2 + 10      # the CNAME's rdata
    loop = struct.pack("!HH", 0xc000 | (at + 2), 0xc000 | at)
    return answer(q, 0, [rr(PTR_TO_QNAME, T_CNAME, 3600, loop),
                         bait_record(q, struct.pack("!H", 0xc000 | at))])


def g_long_label(q, rng):
    """A CNAME to a name whose first label is 64 bytes (63 is the most),
    and the bait there."""
    at = 12 + len(q.question) + 2 + 10
    target = b"\x40" + b"x" * 64 + encode_name("bait.test")
    return answer(q, 0, [rr(PTR_TO_QNAME, T_CNAME, 3600, target),
                         bait_record(q, struct.pack("!H", 0xc000 | at))])


def g_long_name(q, rng):
    """A CNAME to a 310-byte name (255 is the most), and the bait there."""
    at = 12 + len(q.question) + 2 + 10
    target = (b"\x3c" + b"y" * 60) * 5 + encode_name("bait.test")
    return answer(q, 0, [rr(PTR_TO_QNAME, T_CNAME, 3600, target),
                         bait_record(q, struct.pack("!H", 0xc000 | at))])


def g_truncated(q, rng):
    """TC set (with the bait, which a truncated answer must not be trusted
    for): the client retries over TCP, where the connection is closed at
    once."""
    return answer(q, 0, [bait_record(q, PTR_TO_QNAME)], flags=reply_flags(q, 0, TC))


GARBAGE = [
    ("random", g_random),
    ("short-header", g_short_header),
    ("wrong-id", g_wrong_id),
    ("wrong-question", g_wrong_question),
    ("count-lies", g_count_lies),
    ("rdlength-lies", g_rdlength_lies),
    ("pointer-self", g_pointer_self),
    ("pointer-loop", g_pointer_loop),
    ("long-label", g_long_label),
    ("long-name", g_long_name),
    ("truncated", g_truncated),
]


# ---- the server ------------------------------------------------------------

def bind_pair():
    """A UDP socket and a TCP listener on one port that was free for both."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(16)
        return udp, tcp, port
    raise SystemExit("blackhole: no port free for both UDP and TCP")


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


class Server:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.held = []               # open TCP connections, oldest first
        self.bufs = {}               # connection -> bytes read, not yet a query
        self.due = []                # heap of (time, seq, kind, target, bytes)
        self.seq = 0
        self.count = 0               # queries seen
        # seeded: a failing run can be replayed byte for byte
        self.rng = random.Random(args.seed)

    def log(self, q, note=""):
        self.count += 1
        sys.stdout.write("%s %d %s %s%s\n" % (self.args.mode, self.count,
                                              TYPE_NAMES.get(q.qtype, str(q.qtype)), q.text(),
                                              " " + note if note else ""))
        sys.stdout.flush()

    def respond(self, q):
        """The reply to one query and its delay, or None for no reply."""
        mode = self.args.mode
        if mode == "silent":
            self.log(q)
            return None
        if mode == "slow":
            self.log(q)
            return self.args.delay, proper_answer(q, self.args.address, self.args.ttl)
        if mode in ("servfail", "refused"):
            self.log(q)
            return 0.0, rcode_answer(q, RCODE_SERVFAIL if mode == "servfail" else RCODE_REFUSED)
        name, make = GARBAGE[self.count % len(GARBAGE)]   # before log() counts this one
        self.log(q, name)
        return 0.0, make(q, self.rng)

    def schedule(self, delay, kind, target, data):
        self.seq += 1
        heapq.heappush(self.due, (time.monotonic() + delay, self.seq, kind, target, data))

    def send_due(self, udp):
        now = time.monotonic()
        while self.due and self.due[0][0] <= now:
            _, _, kind, target, data = heapq.heappop(self.due)
            try:
                if kind == "udp":
                    udp.sendto(data, target)
                elif target in self.bufs:          # still open
                    target.sendall(struct.pack("!H", len(data)) + data)
            except OSError:
                pass                               # the client went away: its loss

    def drop(self, conn):
        if conn in self.bufs:
            self.sel.unregister(conn)
            del self.bufs[conn]
            self.held.remove(conn)
            conn.close()

    def on_udp(self, udp):
        data, peer = udp.recvfrom(READ_MAX)
        q = parse_query(data)
        if q is None:
            return
        r = self.respond(q)
        if r is not None:
            self.schedule(r[0], "udp", peer, r[1])

    def on_accept(self, tcp):
        conn, _ = tcp.accept()
        if self.args.mode == "garbage":
            conn.close()                           # the retry after TC gets nothing
            return
        conn.setblocking(False)
        self.held.append(conn)
        self.bufs[conn] = b""
        self.sel.register(conn, selectors.EVENT_READ, "conn")
        if len(self.held) > MAX_HELD:
            self.drop(self.held[0])

    def on_conn(self, conn):
        data = conn.recv(READ_MAX)
        if not data:                               # the client hung up
            self.drop(conn)
            return
        if self.args.mode == "silent":
            return                                 # read and ignored, held open
        buf = self.bufs[conn] + data
        while len(buf) >= 2:
            n = struct.unpack("!H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            q = parse_query(buf[2:2 + n])
            buf = buf[2 + n:]
            if q is not None:
                r = self.respond(q)
                if r is not None:
                    self.schedule(r[0], "tcp", conn, r[1])
        if len(buf) > TCP_BUF_MAX:
            self.drop(conn)
            return
        self.bufs[conn] = buf

    def run(self, udp, tcp, lifetime, stop):
        udp.setblocking(False)
        tcp.setblocking(False)
        self.sel.register(udp, selectors.EVENT_READ, "udp")
        self.sel.register(tcp, selectors.EVENT_READ, "listen")
        end = time.monotonic() + lifetime
        while not stop and time.monotonic() < end:
            wait = 0.2
            if self.due:
                wait = max(0.0, min(wait, self.due[0][0] - time.monotonic()))
            for key, _ in self.sel.select(timeout=wait):
                what = key.data
                try:
                    if what == "udp":
                        self.on_udp(key.fileobj)
                    elif what == "listen":
                        self.on_accept(key.fileobj)
                    else:
                        self.on_conn(key.fileobj)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    if what == "conn":
                        self.drop(key.fileobj)
            self.send_due(udp)
        for conn in list(self.held):
            self.drop(conn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=600.0)
    ap.add_argument("--mode", default="silent",
                    choices=["silent", "slow", "garbage", "servfail", "refused"])
    ap.add_argument("--delay", type=float, default=1.0, help="slow: seconds before answering")
    ap.add_argument("--address", default="127.0.0.2", help="slow: the A record's address")
    ap.add_argument("--ttl", type=int, default=0, help="slow: TTL of every record")
    ap.add_argument("--seed", type=int, default=5, help="garbage: the random generator's seed")
    args = ap.parse_args()
    if args.delay < 0 or args.ttl < 0:
        ap.error("--delay and --ttl must not be negative")
    socket.inet_aton(args.address)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    udp, tcp, port = bind_pair()
    server = Server(args)
    write_port(args.port_file, port)
    server.run(udp, tcp, args.lifetime, stop)
    udp.close()
    tcp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
