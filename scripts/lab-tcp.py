#!/usr/bin/env python3
"""A long-lived TCP connection for the lab: `server PORT SECONDS` echoes lines on one
connection; `client HOST PORT SECONDS` opens one connection and sends a numbered line every
50 ms for SECONDS (bounded), checking every echo. Prints one summary line; exit 0 when every
line came back on the same connection."""
import socket
import sys
import time


def server(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    s.settimeout(seconds)
    conn, _ = s.accept()
    conn.settimeout(seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = conn.recv(4096)
        if not data:
            break
        conn.sendall(data)


def client(host, port, seconds):
    c = socket.create_connection((host, port), timeout=5)
    c.settimeout(10)  # a failover may stall the connection for a few seconds
    sent = ok = 0
    longest = 0.0
    deadline = time.monotonic() + seconds
    buffer = b""
    try:
        while time.monotonic() < deadline:
            line = b"%d\n" % sent
            started = time.monotonic()
            c.sendall(line)
            sent += 1
            while b"\n" not in buffer:
                data = c.recv(4096)
                if not data:
                    raise ConnectionError("closed by the peer")
                buffer += data
            got, buffer = buffer.split(b"\n", 1)
            if got + b"\n" == line:
                ok += 1
            longest = max(longest, time.monotonic() - started)
            time.sleep(0.05)
    except (OSError, ConnectionError) as e:
        print(f"TCP connection broken after {sent} lines ({ok} echoed): {e}")
        return 1
    print(f"TCP connection kept: {ok}/{sent} lines echoed, longest round trip {longest * 1000:.0f} ms")
    return 0 if ok == sent else 1


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "server":
        server(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit(client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
