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
  pcp_client.py get SERVER [--proto P|all] [--int-addr A] [--ext-addr A]
        [--int-port P] [--ext-port P] [--next more|end|none]
        [--locator PROTO:INT_A:INT_P:EXT_A:EXT_P] [--want 1,3,128]
        [--walk] [--delay S] [--raw] [--third-party A]
  pcp_client.py raw SERVER HEX          (any bytes; prints the reply)
  pcp_client.py listen [--count N] [--timeout S] [--group 224.0.0.1]
  pcp_client.py flood SERVER --count N  (random and malformed datagrams)
  pcp_client.py serve      (map/peer/announce/raw/get commands read one a
                            line from stdin, one JSON line printed for each)

Exit 0 when a response came (whatever its result), 1 on timeout.

get (draft-boucadair-pcp-failure-06, App. B; layouts in B.1 and B.4) is
written from the draft, not from pcpd's codec, so that it cross-checks
pcpd. It prints one JSON object: "responses" (one per GET exchange, with
its length, the MORE/END marks of its NEXT options and the problems found
in it under "bad") and "mappings" (every mapping returned, in order, with
the nonce and embedded options). --walk follows MORE with a Defined
Locator, a copy of the last mapping returned (B.5), until a NEXT marked
END; the mapping equal to that Locator, which B.6 puts first in the next
response, is dropped there and counted in "repeats".
"""
import argparse
import ipaddress
import json
import os
import shlex
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


def build_hdr(a, opcode):
    return struct.pack("!BBHI", 2, opcode, 0, a.lifetime) + v6(a.client_ip)


def build(a, opcode):
    hdr = build_hdr(a, opcode)
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


def transact_raw(server, data, timeout, src=None, first_wait=0.5):
    """The reply's bytes, or None on timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    # RFC 6887 8.1.1: retransmit with a growing interval.
    wait, deadline = first_wait, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            s.sendto(data, (server, 5351))
            s.settimeout(min(wait, max(0.01, deadline - time.monotonic())))
            try:
                b, peer = s.recvfrom(2048)
                if peer[0] == server:
                    return b
            except socket.timeout:
                wait *= 2
        return None
    finally:
        s.close()


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


IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)    # <linux/in.h>


def listen(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 5350))
    mreq = socket.inet_aton(a.group) + socket.inet_aton("0.0.0.0")
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    # Which address each datagram was sent to: the group, or one host.
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    print(json.dumps({"listening": True}), flush=True)
    t0, n = time.monotonic(), 0
    deadline = t0 + a.timeout
    while n < a.count and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            b, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(12))
        except socket.timeout:
            break
        r = parse(b)
        r["from"] = peer[0]
        for level, kind, data in anc:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                # struct in_pktinfo: ifindex, spec_dst, addr
                r["to"] = socket.inet_ntoa(data[8:12])
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


# --- GET / NEXT (draft-boucadair-pcp-failure App. B) -------------------------
OP_GET = 98
OPT_NEXT = 131
NEXT_FIXED = 56            # nonce 12, proto/rsvd/MORE-END 4, 2 x 16, 4, 2 x 2
MAX_MSG = 1100
NONEXIST_MAP = 130


def get_payload(a):
    # protocol (8) | reserved (24) | filter int IP | filter ext IP |
    # filter int port (16) | filter ext port (16): 40 octets, 0 = any.
    return struct.pack("!B3x", PROTOS[a.proto]) + v6(a.int_addr) + \
        v6(a.ext_addr) + struct.pack("!HH", a.int_port, a.ext_port)


def next_opt(loc, more_end, codes):
    """A NEXT option carrying a Locator (None: the Undefined form)."""
    if loc is None:
        body = bytes(12) + struct.pack("!BxxB", 0, more_end) + bytes(32) + \
            struct.pack("!IHH", 0, 0, 0)
    else:
        body = bytes.fromhex(loc.get("nonce") or "00" * 12) + \
            struct.pack("!BxxB", loc["protocol"], more_end) + \
            v6(loc["int_addr"]) + v6(loc["ext_addr"]) + \
            struct.pack("!IHH", 0, loc["int_port"], loc["ext_port"])
    return opt(OPT_NEXT, body + bytes(codes))


def parse_options(b, bad):
    """(code, data) pairs of an option list; problems appended to bad."""
    out, off = [], 0
    while off < len(b):
        if off + 4 > len(b):
            bad.append("truncated option header at %d" % off)
            break
        code, _, ln = struct.unpack("!BBH", b[off:off + 4])
        end = off + 4 + ln
        if end > len(b):
            bad.append("option %d overruns the message" % code)
            break
        out.append((code, b[off + 4:end]))
        off = end + (-ln) % 4
    return out


def parse_next(d, bad):
    m = {}
    if len(d) < NEXT_FIXED:
        bad.append("NEXT of %d octets" % len(d))
        return None
    m["nonce"] = d[0:12].hex()
    m["protocol"], m["more_end"] = struct.unpack("!BxxB", d[12:16])
    m["int_addr"] = unv6(d[16:32])
    m["ext_addr"] = unv6(d[32:48])
    m["lifetime"], m["int_port"], m["ext_port"] = \
        struct.unpack("!IHH", d[48:56])
    opts = {}
    for code, v in parse_options(d[NEXT_FIXED:], bad):
        if code == 1 and len(v) == 16:
            opts.setdefault("third_party", []).append(unv6(v))
        elif code == 3 and len(v) == 20:
            opts.setdefault("filter", []).append(
                {"addr": unv6(v[4:20]), "plen": v[1] - 96 if v[1] >= 96
                 else v[1], "port": struct.unpack("!H", v[2:4])[0]})
        elif code == 128:
            opts.setdefault("description", []).append(
                v.decode("utf-8", "replace"))
        else:
            opts.setdefault("other", []).append([code, v.hex()])
    m["options"] = opts
    return m


def same(m, loc):
    # Equality, App. B.3: protocol, both addresses, both ports.
    return all(m[k] == loc[k] for k in
               ("protocol", "int_addr", "ext_addr", "int_port", "ext_port"))


def get_once(a, loc, codes):
    payload = get_payload(a)
    data = build_hdr(a, OP_GET) + payload
    if a.third_party:
        data += opt(1, v6(a.third_party))
    if a.next != "none":
        data += next_opt(loc, 0 if a.next == "more" else 1, codes)
    b = transact_raw(a.server, data, a.timeout, first_wait=1.0)
    if b is None:
        return None, []
    r, bad = {"len": len(b)}, []
    if len(b) < 24:
        r["bad"] = ["short response"]
        return r, []
    ver, rop, res, life, epoch = struct.unpack("!BBxBII", b[:12])
    r.update(version=ver, result=res, lifetime=life, epoch=epoch)
    if rop != 0x80 | OP_GET:
        bad.append("opcode byte 0x%02x" % rop)
    if len(b) % 4 or len(b) > MAX_MSG:
        bad.append("length %d" % len(b))
    # B.1: a bit-for-bit copy of the request's opcode payload.
    if b[24:64] != payload:
        bad.append("opcode payload not echoed")
    if res not in (0, NONEXIST_MAP):
        # RFC 6887 7.2: an error response copies the request after the
        # header, NEXT Locator included; no mapping in there.
        r.update(echo=b[24:] == data[24:], nexts=0, marks=[], bad=bad)
        if a.raw:
            r["raw"] = b.hex()
        return r, []
    maps, marks = [], []
    for code, d in parse_options(b[64:], bad):
        if code == 1:
            r["third_party"] = unv6(d)
        elif code != OPT_NEXT:
            bad.append("unexpected option %d" % code)
        else:
            m = parse_next(d, bad)
            if m:
                maps.append(m)
                marks.append(m["more_end"])
    if res != 0 and maps:
        bad.append("result %d with NEXT options" % res)
    if a.next == "end" and len(maps) > 1:
        bad.append("%d NEXT options for an END request" % len(maps))
    if a.next == "none" and maps:
        bad.append("NEXT options without a NEXT request")
    if any(marks[:-1]):
        bad.append("END before the last NEXT")
    r.update(nexts=len(maps), marks=marks, room=MAX_MSG - len(b), bad=bad)
    if a.raw:
        r["raw"] = b.hex()
    return r, maps


def get(a):
    codes = [int(c) for c in a.want.split(",")] if a.want else []
    loc = None
    if a.locator:
        p, ia, ip_, ea, ep = a.locator.split(":")
        loc = {"protocol": PROTOS[p] if p in PROTOS else int(p), "int_addr": ia,
               "int_port": int(ip_), "ext_addr": ea, "ext_port": int(ep)}
    out = {"responses": [], "mappings": [], "repeats": 0, "complete": False}
    t0 = time.time()
    for _ in range(a.max_pages):
        r, maps = get_once(a, loc, codes)
        if r is None:
            out["timeout"] = True
            break
        out["responses"].append(r)
        out["result"], out["epoch"] = r.get("result"), r.get("epoch")
        if loc is not None and maps and same(maps[0], loc):
            maps = maps[1:]
            out["repeats"] += 1
        out["mappings"].extend(maps)
        if not a.walk or r.get("result") != 0 or not r.get("marks"):
            break
        if r["marks"][-1] != 0:
            out["complete"] = True
            break
        if not maps:
            # Only the Locator came back, marked MORE: no progress.
            r.setdefault("bad", []).append("no progress")
            break
        last = maps[-1]
        loc = {k: last[k] for k in ("nonce", "protocol", "int_addr",
                                    "int_port", "ext_addr", "ext_port")}
        if a.delay:
            time.sleep(a.delay)
    if out["responses"] and out["responses"][-1].get("result") == NONEXIST_MAP \
            and len(out["responses"]) > 1:
        # The Locator was the last and went away: the walk is over.
        out["complete"] = True
    out["t0"], out["t1"] = t0, time.time()
    print(json.dumps(out))
    return 0 if out["responses"] else 1


def run(argv):
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["map", "peer", "announce", "raw", "listen", "flood",
                            "get"])
    p.add_argument("server", nargs="?")
    p.add_argument("hex", nargs="?")
    p.add_argument("--proto")     # default: udp, for get all (0)
    p.add_argument("--int-port", type=int, default=0)
    p.add_argument("--ext-port", type=int, default=0)
    p.add_argument("--ext-addr")
    p.add_argument("--lifetime", type=int, default=3600)
    p.add_argument("--nonce")
    p.add_argument("--client-ip")
    p.add_argument("--filter", action="append")
    p.add_argument("--prefer-failure", action="store_true")
    p.add_argument("--third-party")
    p.add_argument("--peer")
    p.add_argument("--timeout", type=float, default=4)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--group", default="224.0.0.1")
    p.add_argument("--src")
    p.add_argument("--int-addr")
    p.add_argument("--next", choices=["more", "end", "none"], default="more")
    p.add_argument("--locator")
    p.add_argument("--want")
    p.add_argument("--walk", action="store_true")
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--raw", action="store_true")
    p.add_argument("--max-pages", type=int, default=1000)
    a = p.parse_args(argv)
    a.nonce = a.nonce or os.urandom(12).hex()
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
    if a.cmd == "get":
        a.lifetime = 0     # GET asks for no lifetime
        a.proto = a.proto or "all"
        return get(a)
    a.proto = a.proto or "udp"
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


def serve():
    """One command a line on stdin, its one JSON line on stdout: a test
    pays the interpreter's start (seconds under emulation) once."""
    for line in sys.stdin:
        argv = shlex.split(line)
        if not argv:
            continue
        try:
            if argv[0] in ("listen", "flood", "serve"):
                raise ValueError("not in serve mode: " + argv[0])
            run(argv)
        except (SystemExit, Exception) as e:   # argparse exits
            print(json.dumps({"error": str(e)}))
        sys.stdout.flush()
    return 0


def main():
    if sys.argv[1:2] == ["serve"]:
        return serve()
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
