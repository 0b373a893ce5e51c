#!/usr/bin/env python3
"""A bounded DHCPv4 probe for the lab (RFC 2131): broadcasts a DISCOVER every 200 ms from
the client's port 68 until an OFFER arrives or SECONDS pass, then prints
`<ms> <offered address> server <server identifier> router <routers> dns <servers>`.
With a third argument T0 (seconds since the epoch) <ms> counts from T0 instead of from the
probe's own start. Exit 1 when nothing answered. Used to time how soon the standby answers after a failover."""
import random, socket, struct, sys, time

iface, seconds = sys.argv[1], float(sys.argv[2])
since = float(sys.argv[3]) if len(sys.argv) > 3 else None
mac = bytes([0x02, 0x00, 0x5e, 0x10]) + random.randbytes(2)
xid = random.getrandbits(32)

def discover():
    # op, htype, hlen, hops, xid, secs, flags (broadcast), ciaddr, yiaddr, siaddr, giaddr, chaddr
    p = struct.pack("!BBBBIHH4s4s4s4s16s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10))
    p += bytes(192) + b"\x63\x82\x53\x63"           # sname, file, magic cookie
    p += b"\x35\x01\x01"                             # DHCPDISCOVER
    p += b"\x37\x03\x01\x03\x06"                     # parameter request: mask, router, DNS
    return p + b"\xff"

def options(data):
    out, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, length = data[i], data[i + 1]
        out[code] = data[i + 2:i + 2 + length]
        i += 2 + length
    return out

def addrs(b):
    return ",".join(socket.inet_ntoa(b[i:i + 4]) for i in range(0, len(b or b""), 4)) or "-"

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(("0.0.0.0", 68))
s.settimeout(0.2)
start = time.monotonic()
while time.monotonic() - start < seconds:
    s.sendto(discover(), ("255.255.255.255", 67))
    try:
        data, _ = s.recvfrom(2048)
    except socket.timeout:
        continue
    if len(data) < 244 or struct.unpack("!I", data[4:8])[0] != xid:
        continue
    o = options(data)
    if o.get(53) != b"\x02":
        continue
    ms = round(((time.time() - since) if since is not None else (time.monotonic() - start)) * 1000)
    print(f"{ms} {socket.inet_ntoa(data[16:20])} server {addrs(o.get(54))} router {addrs(o.get(3))} dns {addrs(o.get(6))}")
    sys.exit(0)
print("no offer")
sys.exit(1)
