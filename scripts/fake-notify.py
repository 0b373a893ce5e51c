#!/usr/bin/env python3
"""A stand-in for systemd's notification socket (sd_notify(3)) for the lab tests.

usage: fake-notify.py ADDRESS DAEMON_LOG SECONDS

Binds ADDRESS ("@name" = abstract, else a path), receives the daemon's datagrams and checks
that READY=1 comes only after the daemon logged its first ruleset commit ("ruleset:" in
DAEMON_LOG after the offset it had when this started), then that at least two WATCHDOG=1
follow. Prints one summary line; exit status 0 when both hold within SECONDS.
"""
import os, socket, sys, time

address, log_path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind("\0" + address[1:] if address.startswith("@") else address)
start = time.monotonic()
ready_at = None
pings = 0
messages = []
while time.monotonic() - start < limit:
    sock.settimeout(max(0.01, limit - (time.monotonic() - start)))
    try:
        data = sock.recv(4096).decode()
    except socket.timeout:
        break
    fields = dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
    messages.append(",".join(sorted(fields)))
    if fields.get("READY") == "1" and ready_at is None:
        ready_at = time.monotonic() - start
        with open(log_path, errors="replace") as f:
            f.seek(offset)
            since = f.read()
        if "ruleset:" not in since:
            print(f"READY=1 before the first apply was logged; messages {messages}")
            sys.exit(1)
        print(f"READY=1 after the apply ({ready_at:.2f} s), STATUS={fields.get('STATUS', '')!r}", end="")
    elif fields.get("WATCHDOG") == "1":
        if ready_at is None:
            print(f"WATCHDOG=1 before READY=1; messages {messages}")
            sys.exit(1)
        pings += 1
        if pings >= 2:
            print(f", {pings} WATCHDOG=1 pings")
            sys.exit(0)
print(f"after {limit} s: READY at {ready_at}, {pings} WATCHDOG=1 pings; messages {messages}")
sys.exit(1)
