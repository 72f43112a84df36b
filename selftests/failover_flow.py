#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""failover_flow.py: the long-lived flows of pcp_failover.sh and of the
bench's failover phase, a UDP stream and a TCP connection through the NAT
that must outlive a change of router.

  failover_flow.py server --port P --out FILE
        (the outside host) echoes UDP datagrams and TCP data on port P;
        each SIGUSR1 writes to FILE, as one JSON object, what arrived since
        the previous SIGUSR1: per protocol the count, the largest gap
        between two arrivals in ms (the failover's traffic gap) and the
        source endpoints seen (one: the mapping kept its external port).
  failover_flow.py client SERVER --port P --sport S --out FILE
        [--interval MS]
        (the client) a datagram every MS ms (10) from port S, and a line
        every 10 datagrams on one TCP connection from port S; SIGUSR1
        writes what came back since the previous SIGUSR1 likewise, and
        whether the TCP connection broke.
"""
import argparse
import json
import os
import selectors
import signal
import socket
import struct
import time


class Window:
    """Arrivals since the last dump: count, largest gap, endpoints."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.count, self.gap, self.last, self.eps = 0, 0.0, None, set()

    def seen(self, ep):
        now = time.monotonic()
        if self.last is not None:
            self.gap = max(self.gap, now - self.last)
        self.last, self.count = now, self.count + 1
        if ep:
            self.eps.add("%s:%d" % ep)

    def dump(self):
        d = {"count": self.count, "max_gap_ms": round(self.gap * 1000, 1),
             "endpoints": sorted(self.eps)}
        # The gap across a dump counts in the next window.
        last = self.last
        self.reset()
        self.last = last
        return d


def dumper(path, windows, extra=None):
    def dump(*_):
        d = {k: w.dump() for k, w in windows.items()}
        if extra:
            d.update(extra())
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(d, f)
        os.rename(tmp, path)
    return dump


def server(a):
    w = {"udp": Window(), "tcp": Window()}
    pending = []
    signal.signal(signal.SIGUSR1, lambda *_: pending.append(1))
    dump = dumper(a.out, w)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", a.port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", a.port))
    t.listen(8)
    sel = selectors.DefaultSelector()
    sel.register(u, selectors.EVENT_READ, "udp")
    sel.register(t, selectors.EVENT_READ, "listen")
    dump()
    while True:
        for key, _ in sel.select(0.1):
            if key.data == "udp":
                b, peer = u.recvfrom(2048)
                w["udp"].seen(peer)
                u.sendto(b, peer)
            elif key.data == "listen":
                c, peer = t.accept()
                sel.register(c, selectors.EVENT_READ, peer)
            else:
                try:
                    b = key.fileobj.recv(4096)
                except OSError:
                    b = b""
                if not b:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                w["tcp"].seen(key.data)
                key.fileobj.sendall(b)
        while pending:
            pending.pop()
            dump()


def client(a):
    w = {"udp": Window(), "tcp": Window()}
    state = {"tcp_broken": False}
    pending = []
    signal.signal(signal.SIGUSR1, lambda *_: pending.append(1))
    dump = dumper(a.out, w, lambda: dict(state))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", a.sport))
    u.setblocking(False)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("0.0.0.0", a.sport))
    t.connect((a.server, a.port))
    t.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(u, selectors.EVENT_READ, "udp")
    sel.register(t, selectors.EVENT_READ, "tcp")
    step, seq, nxt = a.interval / 1000.0, 0, time.monotonic()
    dump()
    while True:
        now = time.monotonic()
        if now >= nxt:
            seq += 1
            try:
                u.sendto(struct.pack("!I", seq), (a.server, a.port))
            except OSError:
                pass
            if seq % 10 == 0 and not state["tcp_broken"]:
                try:
                    t.send(b"%d\n" % seq)
                except BlockingIOError:
                    pass
                except OSError:
                    state["tcp_broken"] = True
            nxt = max(nxt + step, now)
        for key, _ in sel.select(max(0, nxt - time.monotonic())):
            try:
                b = key.fileobj.recv(2048)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if key.data == "tcp" and not b:
                state["tcp_broken"] = True
                sel.unregister(t)
                continue
            w[key.data].seen(None)
        while pending:
            pending.pop()
            dump()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("server", nargs="?")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--interval", type=float, default=10)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    (server if a.mode == "server" else client)(a)


if __name__ == "__main__":
    main()
