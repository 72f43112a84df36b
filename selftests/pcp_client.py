#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcp_client.py: the PCP end of pcpd.sh.

Sends one PCP request (RFC 6887) over a real UDP socket and prints the
response as one JSON object; or listens on UDP 5350 for unsolicited
messages and prints one JSON object a line with its arrival time.

  pcp_client.py map SERVER --proto udp --int-port P [--ext-port E]
        [--ext-addr A] [--lifetime L] [--nonce HEX24] [--client-ip A]
        [--filter A/L:P] [--prefer-failure] [--third-party A]
  pcp_client.py peer SERVER ... --peer A:P
  pcp_client.py announce SERVER
  pcp_client.py raw SERVER HEX          (any bytes; prints the reply)
  pcp_client.py listen [--count N] [--timeout S] [--group 224.0.0.1]
  pcp_client.py flood SERVER --count N  (random and malformed datagrams)

Exit 0 when a response came (whatever its result), 1 on timeout.
"""
import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import time

PROTOS = {"udp": 17, "tcp": 6, "icmp": 1, "all": 0}
OPTS = {"third_party": 1, "prefer_failure": 2, "filter": 3}


def v6(addr):
    return ipaddress.IPv6Address("::ffff:" + addr).packed if addr else bytes(16)


def unv6(b):
    a = ipaddress.IPv6Address(b)
    return str(a.ipv4_mapped) if a.ipv4_mapped else str(a)


def opt(code, data):
    pad = (-len(data)) % 4
    return struct.pack("!BBH", code, 0, len(data)) + data + bytes(pad)


def build(a, opcode):
    hdr = struct.pack("!BBHI", 2, opcode, 0, a.lifetime) + v6(a.client_ip)
    if opcode == 0:
        return hdr
    nonce = bytes.fromhex(a.nonce)
    body = nonce + struct.pack("!B3xHH", PROTOS[a.proto], a.int_port,
                               a.ext_port) + v6(a.ext_addr or "0.0.0.0")
    if opcode == 2:
        paddr, pport = a.peer.rsplit(":", 1)
        body += struct.pack("!H2x", int(pport)) + v6(paddr)
    o = b""
    if a.third_party:
        o += opt(1, v6(a.third_party))
    if a.prefer_failure:
        o += opt(2, b"")
    for f in a.filter or []:
        pfx, port = f.rsplit(":", 1)
        addr, plen = pfx.split("/")
        o += opt(3, struct.pack("!xBH", int(plen) + 96, int(port)) + v6(addr))
    return hdr + body + o


def parse(b):
    r = {"len": len(b)}
    if len(b) >= 1 and b[0] == 0:
        # NAT-PMP (RFC 6886): address announcement.
        if len(b) >= 12:
            ver, op, res, epoch = struct.unpack("!BBHI", b[:8])
            r.update(version=0, opcode=op, result=res, epoch=epoch,
                     ext_addr=socket.inet_ntoa(b[8:12]))
        return r
    if len(b) < 24:
        return r
    ver, rop, res, life, epoch = struct.unpack("!BBxBII", b[:12])
    r.update(version=ver, response=bool(rop & 0x80), opcode=rop & 0x7f,
             result=res, lifetime=life, epoch=epoch)
    if r["opcode"] in (1, 2) and len(b) >= 60:
        nonce = b[24:36]
        proto, iport, eport = struct.unpack("!B3xHH", b[36:44])
        r.update(nonce=nonce.hex(), proto=proto, int_port=iport,
                 ext_port=eport, ext_addr=unv6(b[44:60]))
    return r


def transact(server, data, timeout, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    # RFC 6887 8.1.1: retransmit with a growing interval.
    wait, deadline = 0.5, time.monotonic() + timeout
    while time.monotonic() < deadline:
        s.sendto(data, (server, 5351))
        s.settimeout(min(wait, max(0.01, deadline - time.monotonic())))
        try:
            b, peer = s.recvfrom(2048)
            r = parse(b)
            r["from"] = peer[0]
            return r
        except socket.timeout:
            wait *= 2
    return None


def listen(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 5350))
    mreq = socket.inet_aton(a.group) + socket.inet_aton("0.0.0.0")
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    print(json.dumps({"listening": True}), flush=True)
    t0, n = time.monotonic(), 0
    deadline = t0 + a.timeout
    while n < a.count and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            b, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        r = parse(b)
        r["from"] = peer[0]
        r["t"] = round(time.monotonic() - t0, 3)
        print(json.dumps(r), flush=True)
        n += 1
    return 0 if n else 1


def flood(a):
    # Bounded: a.count datagrams of random length and content, plus the
    # edge cases a parser trips on. Nothing is awaited.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cases = [b"", b"\x02", b"\x00", bytes(24), b"\x02\x01" + bytes(22),
             b"\x02\x81" + bytes(58), b"\x00\x01" + bytes(10),
             b"\x02\x01" + bytes(58) + b"\x7f\x00\xff\xff"]
    for i in range(a.count):
        n = int.from_bytes(os.urandom(2), "big") % 1200
        d = cases[i] if i < len(cases) else os.urandom(n)
        if i % 3 == 1 and d:
            d = b"\x02" + d[1:]    # a PCP version byte: deeper parsing
        s.sendto(d, (a.server, 5351))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["map", "peer", "announce", "raw", "listen", "flood"])
    p.add_argument("server", nargs="?")
    p.add_argument("hex", nargs="?")
    p.add_argument("--proto", default="udp")
    p.add_argument("--int-port", type=int, default=0)
    p.add_argument("--ext-port", type=int, default=0)
    p.add_argument("--ext-addr")
    p.add_argument("--lifetime", type=int, default=3600)
    p.add_argument("--nonce", default=os.urandom(12).hex())
    p.add_argument("--client-ip")
    p.add_argument("--filter", action="append")
    p.add_argument("--prefer-failure", action="store_true")
    p.add_argument("--third-party")
    p.add_argument("--peer")
    p.add_argument("--timeout", type=float, default=4)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--group", default="224.0.0.1")
    p.add_argument("--src")
    a = p.parse_args()
    if a.cmd == "listen":
        return listen(a)
    if a.cmd == "flood":
        return flood(a)
    if not a.client_ip:
        # The address the kernel would use towards the server.
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.connect((a.server, 5351))
        a.client_ip = t.getsockname()[0]
        t.close()
    if a.cmd == "raw":
        data = bytes.fromhex(a.hex)
    else:
        data = build(a, {"announce": 0, "map": 1, "peer": 2}[a.cmd])
    r = transact(a.server, data, a.timeout, a.src)
    if r is None:
        print(json.dumps({"timeout": True}))
        return 1
    r["sent_nonce"] = a.nonce
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
