#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""lifecycle_probe.py: the traffic ends of nat_lifecycle.sh that
udp_tcp_probe has not: a TCP connection held open, hand-made TCP segments,
UDP from a chosen source address, and one UDP port talking to many peers.

  tcp-serve PORT              accept one connection, echo, keep it open
                              until the peer closes; "accepted A:P"
  tcp-hold ADDR:PORT -b P -s S
                              connect from port P, exchange one echo,
                              print "established", hold S seconds, close
  segment SRC:SP DST:DP FLAGS [--seq N]
                              send one raw TCP segment (FLAGS: letters of
                              F S R P A), e.g. a spoofed RST or ACK
  udp-from SRC DST:PORT       one datagram from address SRC
  echo-peers PORT ADDR...     one UDP socket per ADDR:PORT, echoing
  talk PORT ADDR:DP... -l S   from local PORT to each peer, then print
                              "reply from A:P" per reply and, while
                              listening S more seconds, "from A:P" for
                              every later datagram; "sent" once all left

Every wait is bounded (-t, default 8 s, times PCPNAT_SLOW if set). Exit 0
on success, 1 on timeout.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time


def ep(s):
    a, p = s.rsplit(":", 1)
    return a, int(p)


def out(line):
    print(line, flush=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def segment(a):
    src, sport = ep(a.src)
    dst, dport = ep(a.dst)
    bits = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16}
    flags = sum(bits[c] for c in a.flags)
    ack = a.seq if flags & 16 else 0
    hdr = struct.pack("!HHIIBBHHH", sport, dport, a.seq, ack, 5 << 4, flags,
                      65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((src, 0))
    s.sendto(hdr, (dst, 0))
    return 0


def tcp_serve(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("", a.port))
    ls.listen(4)
    if not select.select([ls], [], [], a.t)[0]:
        return 1
    c, peer = ls.accept()
    out("accepted %s:%d" % peer)
    c.settimeout(a.t + 600)
    while True:
        d = c.recv(1500)
        if not d:
            out("closed")
            return 0
        c.sendall(d)


def tcp_hold(a):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.b))
    s.settimeout(a.t)
    s.connect(ep(a.dst))
    s.sendall(b"pcpnat lifecycle")
    if s.recv(64) != b"pcpnat lifecycle":
        return 1
    out("established")
    time.sleep(a.s)
    s.close()
    return 0


def udp_from(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, 0))
    s.sendto(b"pcpnat lifecycle", ep(a.dst))
    return 0


def echo_peers(a):
    socks = []
    for addr in a.addrs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, a.port))
        socks.append(s)
    out("listening")
    end = time.time() + a.t
    while time.time() < end:
        for s in select.select(socks, [], [], 0.5)[0]:
            d, peer = s.recvfrom(1500)
            s.sendto(d, peer)
    return 0


def talk(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.port))
    peers = [ep(p) for p in a.peers]
    for p in peers:
        s.sendto(b"pcpnat lifecycle", p)
    waiting = set(peers)
    end = time.time() + a.t
    while waiting and time.time() < end:
        if select.select([s], [], [], 0.2)[0]:
            d, peer = s.recvfrom(1500)
            if peer in waiting:
                waiting.discard(peer)
                out("reply from %s:%d" % peer)
    out("sent")
    end = time.time() + a.l
    while time.time() < end:
        if select.select([s], [], [], 0.2)[0]:
            d, peer = s.recvfrom(1500)
            out("from %s:%d" % peer)
    return 0 if not waiting else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-t", type=float, default=8)
    sub = p.add_subparsers(dest="mode", required=True)
    x = sub.add_parser("tcp-serve")
    x.add_argument("port", type=int)
    x = sub.add_parser("tcp-hold")
    x.add_argument("dst")
    x.add_argument("-b", type=int, required=True)
    x.add_argument("-s", type=float, default=10)
    x = sub.add_parser("segment")
    x.add_argument("src")
    x.add_argument("dst")
    x.add_argument("flags")
    x.add_argument("--seq", type=int, default=0x12345678)
    x = sub.add_parser("udp-from")
    x.add_argument("src")
    x.add_argument("dst")
    x = sub.add_parser("echo-peers")
    x.add_argument("port", type=int)
    x.add_argument("addrs", nargs="+")
    x = sub.add_parser("talk")
    x.add_argument("port", type=int)
    x.add_argument("peers", nargs="+")
    x.add_argument("-l", type=float, default=3)
    a = p.parse_args()
    # PCPNAT_SLOW stretches every wait on a slow (debug) kernel.
    slow = os.environ.get("PCPNAT_SLOW", "")
    if slow.isdigit() and int(slow) > 1:
        a.t *= int(slow)
    return {"tcp-serve": tcp_serve, "tcp-hold": tcp_hold, "segment": segment,
            "udp-from": udp_from, "echo-peers": echo_peers,
            "talk": talk}[a.mode](a)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (socket.timeout, ConnectionError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
