#!/usr/bin/env python3
"""blackhole.py - a DNS "server" on 127.0.0.1 that takes queries and never answers.

Owns one UDP socket and one TCP listener on the same free port. UDP
datagrams are read and dropped; TCP connections are accepted and held open
without a reply (at most MAX_HELD at once, the oldest closed first), so a
client sees a server that is up but silent. Used by tests/dns/lib.sh
(ot_blackhole_start) to test lookup deadlines.

Writes the port to --port-file once both sockets listen (atomically, via a
rename), and exits on SIGTERM/SIGINT or after --lifetime seconds, so that a
test that dies cannot leave it running for long.
"""
import argparse
import os
import selectors
import signal
import socket
import sys
import time

MAX_HELD = 64
READ_MAX = 65535


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=600.0)
    args = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    udp, tcp, port = bind_pair()
    udp.setblocking(False)
    tcp.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ, "udp")
    sel.register(tcp, selectors.EVENT_READ, "listen")
    held = []
    write_port(args.port_file, port)

    end = time.monotonic() + args.lifetime
    while not stop and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            what = key.data
            try:
                if what == "udp":
                    key.fileobj.recvfrom(READ_MAX)          # dropped
                elif what == "listen":
                    conn, _ = key.fileobj.accept()
                    conn.setblocking(False)
                    held.append(conn)
                    sel.register(conn, selectors.EVENT_READ, "conn")
                    if len(held) > MAX_HELD:
                        old = held.pop(0)
                        sel.unregister(old)
                        old.close()
                else:
                    if not key.fileobj.recv(READ_MAX):      # the client hung up
                        sel.unregister(key.fileobj)
                        held.remove(key.fileobj)
                        key.fileobj.close()
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                if what == "conn":
                    sel.unregister(key.fileobj)
                    held.remove(key.fileobj)
                    key.fileobj.close()
    for conn in held:
        conn.close()
    udp.close()
    tcp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
