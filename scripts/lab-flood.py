#!/usr/bin/env python3
"""Forged and replayed CARP advertisements and state-sync datagrams for the lab's flood test
(scripts/lab-tests.sh, t_flood). Run inside the lab's namespaces (ip netns exec); every loop is
bounded in count and time.

  carp COUNT SECONDS         (upstream host, WAN segment) captures real advertisements of
                             vhid 143, then sends COUNT forged ones (wrong password) and COUNT
                             replays of the captured ones rewritten as a bow-out (advbase and
                             advskew 255, outside the HMAC), spread over SECONDS
  sync-capture FILE SECONDS  (fw2) records state-sync datagrams in both directions on sync0
  sync FILE COUNT SECONDS    (fw1) sends, from 203.0.113.1:4877 to 203.0.113.2:4877, COUNT
                             forged datagrams, COUNT replays of fw1's recorded datagrams and
                             COUNT of fw2's own datagrams reflected back, over SECONDS

Each prints one line "sent forged=N replayed=N [reflected=N]".
"""
import os
import socket
import struct
import sys
import time

SYNC_PORT = 4877
FW1_SYNC, FW2_SYNC = "203.0.113.1", "203.0.113.2"
CARP_GROUP = "224.0.0.18"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def paced(count, seconds):
    """Yields 0..count-1, spread evenly over at most `seconds`."""
    start = time.monotonic()
    for i in range(count):
        due = start + seconds * i / max(count, 1)
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if time.monotonic() - start > seconds + 5:
            return
        yield i


def carp(count, seconds):
    import hashlib
    import hmac
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    mreq = socket.inet_aton(CARP_GROUP) + socket.inet_aton("198.51.100.254")
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    rx.settimeout(0.5)
    captured = []
    deadline = time.monotonic() + 5
    while len(captured) < 3 and time.monotonic() < deadline:
        try:
            packet = rx.recv(2048)
        except socket.timeout:
            continue
        ihl = (packet[0] & 0x0F) * 4
        ad = packet[ihl:ihl + 36]
        if len(ad) == 36 and ad[1] == 143:
            captured.append(bytearray(ad))
    if not captured:
        print("no advertisement of vhid 143 captured", file=sys.stderr)
        return 1
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("198.51.100.254"))
    forged = replayed = 0
    for i in paced(2 * count, seconds):
        if i % 2 == 0:
            counter = 5_000_000 + i
            msg = bytes([2, 1, 143]) + socket.inet_aton("198.51.100.1") + struct.pack("!Q", counter)
            md = hmac.new(b"not-the-password", msg, hashlib.sha1).digest()
            ad = bytearray(bytes([0x21, 143, 0, 7, 0, 1, 0, 0]) + struct.pack("!Q", counter) + md)
            forged += 1
        else:
            ad = bytearray(captured[(i // 2) % len(captured)])
            ad[2] = 255  # advskew
            ad[5] = 255  # advbase: a bow-out, which a backup takes over at once
            replayed += 1
        ad[6:8] = b"\0\0"
        ad[6:8] = struct.pack("!H", checksum(bytes(ad)))
        tx.sendto(bytes(ad), (CARP_GROUP, 0))
    print("sent forged=%d replayed=%d captured=%d" % (forged, replayed, len(captured)))
    return 0


def sync_capture(path, seconds):
    # ETH_P_ALL: only such taps see outgoing packets too (packet(7)).
    eth_p_all, eth_p_ip = 0x0003, 0x0800
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(eth_p_all))
    s.bind(("sync0", eth_p_all))
    s.settimeout(0.2)
    seen = {FW1_SYNC: [], FW2_SYNC: []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and min(len(v) for v in seen.values()) < 20:
        try:
            packet, address = s.recvfrom(65535)
        except socket.timeout:
            continue
        if address[1] != eth_p_ip or len(packet) < 20:
            continue
        ihl = (packet[0] & 0x0F) * 4
        if packet[9] != 17 or len(packet) < ihl + 8:
            continue
        src = socket.inet_ntoa(packet[12:16])
        sport, dport = struct.unpack("!HH", packet[ihl:ihl + 4])
        if sport == SYNC_PORT and dport == SYNC_PORT and src in seen and len(seen[src]) < 20:
            seen[src].append(packet[ihl + 8:])
    with open(path, "w") as f:
        for src, datagrams in seen.items():
            for d in datagrams:
                f.write("%s %s\n" % (src, d.hex()))
    print("captured fw1=%d fw2=%d" % (len(seen[FW1_SYNC]), len(seen[FW2_SYNC])))
    return 0 if seen[FW1_SYNC] and seen[FW2_SYNC] else 1


def udp_packet(payload):
    """IPv4 + UDP from fw1's sync address and port to fw2's (UDP checksum 0: none, RFC 768)."""
    udp = struct.pack("!HHHH", SYNC_PORT, SYNC_PORT, 8 + len(payload), 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                         socket.inet_aton(FW1_SYNC), socket.inet_aton(FW2_SYNC))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + udp


def sync(path, count, seconds):
    recorded = {FW1_SYNC: [], FW2_SYNC: []}
    with open(path) as f:
        for line in f:
            src, data = line.split()
            recorded[src].append(bytes.fromhex(data))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    forged = replayed = reflected = 0
    for i in paced(3 * count, seconds):
        kind = i % 3
        if kind == 0:
            # Version 3, a plausible header and records, a random tag: fails authentication.
            body = bytes([3, 0, 0, 1]) + os.urandom(52 + 53 + 16)
            forged += 1
        elif kind == 1:
            body = recorded[FW1_SYNC][(i // 3) % len(recorded[FW1_SYNC])]
            replayed += 1
        else:
            body = recorded[FW2_SYNC][(i // 3) % len(recorded[FW2_SYNC])]
            reflected += 1
        s.sendto(udp_packet(body), (FW2_SYNC, 0))
    print("sent forged=%d replayed=%d reflected=%d" % (forged, replayed, reflected))
    return 0


def main(argv):
    if argv[1] == "carp":
        return carp(int(argv[2]), float(argv[3]))
    if argv[1] == "sync-capture":
        return sync_capture(argv[2], float(argv[3]))
    if argv[1] == "sync":
        return sync(argv[2], int(argv[3]), float(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
