#!/usr/bin/env python3
"""Conntrack load generator and observer for bench/bench-sync.sh, over raw ctnetlink so that
the same injector and the same clock serve both sync daemons under test.

  sync-ct.py inject --first I --count N --rate R [--log FILE]
      creates N established TCP entries (tuple number I..I+N-1) paced at R per second in
      10 ms ticks; with --log, writes "tuple-number creation-time" per entry (the time the
      kernel acknowledged the create). Prints the achieved rate.
  sync-ct.py listen --out FILE --seconds S
      subscribes to conntrack NEW events for S seconds and writes "tuple-number time" for
      every entry created in this namespace (on the backup: the sync daemon's injections).
  sync-ct.py latency CREATED SEEN
      p50/p99 of SEEN - CREATED in milliseconds over the tuple numbers in both, and how
      many created entries were never seen.

Tuple number i is 192.0.2.(10 + i % 240):(1024 + i // 57600) -> 198.51.100.(10 + (i // 240)
% 240):80, so addresses stay clear of the firewalls' own (.1-.3), which sync never carries.
"""
import argparse
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_STATUS, CTA_PROTOINFO, CTA_TIMEOUT = 1, 2, 3, 4, 7
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST = 1, 2
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE = 1, 1
NFNLGRP_CONNTRACK_NEW = 1
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
IPS_SEEN_REPLY, IPS_ASSURED, IPS_CONFIRMED = 2, 4, 8
TCP_CONNTRACK_ESTABLISHED = 3


def attr(kind, payload, nested=False):
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind | (NLA_F_NESTED if nested else 0)) + payload + b"\0" * (-size % 4)


def tuple_of(i):
    return (bytes([192, 0, 2, 10 + i % 240]), bytes([198, 51, 100, 10 + (i // 240) % 240]), 1024 + i // 57600, 80)


def tuple_attr(kind, src, dst, sport, dport):
    ip = attr(CTA_IP_V4_SRC, src) + attr(CTA_IP_V4_DST, dst)
    proto = attr(CTA_PROTO_NUM, bytes([6])) + attr(CTA_PROTO_SRC_PORT, struct.pack("!H", sport)) \
        + attr(CTA_PROTO_DST_PORT, struct.pack("!H", dport))
    return attr(kind, attr(CTA_TUPLE_IP, ip, True) + attr(CTA_TUPLE_PROTO, proto, True), True)


def create_message(i, seq):
    src, dst, sport, dport = tuple_of(i)
    body = struct.pack("=BBH", socket.AF_INET, 0, 0)
    body += tuple_attr(CTA_TUPLE_ORIG, src, dst, sport, dport)
    body += tuple_attr(CTA_TUPLE_REPLY, dst, src, dport, sport)
    # CONFIRMED as well: ctnetlink refuses (EBUSY) a status that differs from the new
    # entry's in that bit.
    body += attr(CTA_STATUS, struct.pack("!I", IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED))
    body += attr(CTA_TIMEOUT, struct.pack("!I", 3600))
    tcp = attr(CTA_PROTOINFO_TCP_STATE, bytes([TCP_CONNTRACK_ESTABLISHED]))
    body += attr(CTA_PROTOINFO, attr(CTA_PROTOINFO_TCP, tcp, True), True)
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, flags, seq, 0) + body


def netlink_socket(groups=()):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: no overrun while measuring
    s.bind((0, 0))
    for g in groups:
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
    return s


class Creator:
    """Patches one message template per entry (building each from scratch caps Python at a
    few thousand entries per second). No NLM_F_ACK: netlink runs the request inside send(),
    so the entries exist when it returns, and only failures come back (as error messages)."""

    def __init__(self):
        a, b = create_message(0, 0), create_message(1 + 2 * 240 + 57600, 0)
        self.template = bytearray(a.replace(struct.pack("=H", NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL),
                                            struct.pack("=H", NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL), 1))
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        src, dst = tuple_of(0)[0][3], tuple_of(0)[1][3]
        self.src_at = [k for k in diff if a[k] == src and b[k] == src + 1]
        self.dst_at = [k for k in diff if a[k] == dst and b[k] == dst + 2]
        self.port_at = [k - 1 for k in diff if a[k] == 0 and b[k] == 1 and a[k - 1] == b[k - 1] == 4]
        assert len(self.src_at) == 2 and len(self.dst_at) == 2 and len(self.port_at) == 2, (diff,)

    def message(self, i):
        src, dst, sport, _ = tuple_of(i)
        m = self.template
        for k in self.src_at: m[k] = src[3]
        for k in self.dst_at: m[k] = dst[3]
        for k in self.port_at: m[k:k + 2] = struct.pack("!H", sport)
        return bytes(m)


def count_errors(s):
    """Failed creations (reported on stderr by errno)."""
    failures, errnos = 0, {}
    s.setblocking(False)
    try:
        while True:
            data = s.recv(1 << 20)
            off = 0
            while off + 20 <= len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                err = struct.unpack_from("=i", data, off + 16)[0] if kind == NLMSG_ERROR else 0
                if err != 0:
                    failures += 1
                    errnos[-err] = errnos.get(-err, 0) + 1
                off += (length + 3) & ~3
    except BlockingIOError:
        pass
    for e, n in errnos.items():
        print(f"inject: {n} creations failed: {os.strerror(e)}", file=sys.stderr)
    return failures


def inject(args):
    s = netlink_socket()
    c = Creator()
    log = open(args.log, "w") if args.log else None
    start = time.time()
    done = 0
    tick = 0.01
    batch_max = 64  # entries per send()
    while done < args.count:
        due = min(args.count, int((time.time() - start) * args.rate) + 1)
        while done < due:
            n = min(due - done, batch_max)
            s.send(b"".join(c.message(args.first + done + k) for k in range(n)))
            if log:
                t = time.time()
                log.write("".join(f"{args.first + done + k} {t:.6f}\n" for k in range(n)))
            done += n
        if done < args.count:
            next_at = start + (done + 1) / args.rate
            delay = min(tick, next_at - time.time())
            if delay > 0:
                time.sleep(delay)
    elapsed = time.time() - start
    if log:
        log.close()
    failures = count_errors(s)
    print(f"{args.count} {elapsed:.3f} {args.count / elapsed:.0f} {failures}")
    return 1 if failures else 0


def parse_number(msg):
    """The tuple number of a NEW event's original tuple, or None for foreign entries."""
    src = dst = sport = None
    off = 20
    while off + 4 <= len(msg):
        alen, atype = struct.unpack_from("=HH", msg, off)
        if alen < 4:
            break
        if atype & 0x7fff == CTA_TUPLE_ORIG:
            inner, end = off + 4, off + alen
            while inner + 4 <= end:
                blen, btype = struct.unpack_from("=HH", msg, inner)
                if blen < 4:
                    break
                p, pend = inner + 4, inner + blen
                while p + 4 <= pend:
                    clen, ctype = struct.unpack_from("=HH", msg, p)
                    if clen < 4:
                        break
                    value = msg[p + 4:p + clen]
                    if btype & 0x7fff == CTA_TUPLE_IP:
                        if ctype == CTA_IP_V4_SRC: src = value
                        elif ctype == CTA_IP_V4_DST: dst = value
                    elif btype & 0x7fff == CTA_TUPLE_PROTO and ctype == CTA_PROTO_SRC_PORT:
                        sport = struct.unpack("!H", value)[0]
                    p += (clen + 3) & ~3
                inner += (blen + 3) & ~3
            break
        off += (alen + 3) & ~3
    if src is None or dst is None or sport is None or src[:3] != b"\xc0\x00\x02" or dst[:3] != b"\xc6\x33\x64":
        return None
    a, b = src[3] - 10, dst[3] - 10
    if not (0 <= a < 240 and 0 <= b < 240 and sport >= 1024):
        return None
    return (sport - 1024) * 57600 + b * 240 + a


def listen(args):
    s = netlink_socket([NFNLGRP_CONNTRACK_NEW])
    s.settimeout(0.2)
    end = time.time() + args.seconds
    with open(args.out, "w", buffering=1 << 20) as out:
        print("listening", flush=True)
        while time.time() < end:
            try:
                data = s.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError as e:  # ENOBUFS: report it, the numbers would be incomplete
                print(f"listen: {e}", file=sys.stderr)
                continue
            t = time.time()
            off = 0
            while off + 16 <= len(data):
                length = struct.unpack_from("=I", data, off)[0]
                if length < 16:
                    break
                n = parse_number(data[off:off + length])
                if n is not None:
                    out.write(f"{n} {t:.6f}\n")
                off += (length + 3) & ~3


def latency(args):
    created = dict(line.split() for line in open(args.created))
    seen = {}
    for line in open(args.seen):
        n, t = line.split()
        seen.setdefault(n, t)
    lat = sorted((float(seen[n]) - float(t)) * 1000 for n, t in created.items() if n in seen)
    missing = len(created) - len(lat)
    if not lat:
        print(f"- - {missing}")
        return
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"{pick(0.50):.2f} {pick(0.99):.2f} {missing}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("inject")
    i.add_argument("--first", type=int, default=0)
    i.add_argument("--count", type=int, required=True)
    i.add_argument("--rate", type=float, required=True)
    i.add_argument("--log")
    l = sub.add_parser("listen")
    l.add_argument("--out", required=True)
    l.add_argument("--seconds", type=float, required=True)
    a = sub.add_parser("latency")
    a.add_argument("created")
    a.add_argument("seen")
    args = p.parse_args()
    sys.exit({"inject": inject, "listen": listen, "latency": latency}[args.cmd](args) or 0)


main()
