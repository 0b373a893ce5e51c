#!/usr/bin/env python3
"""Many long-lived flows through the lab firewall, checked on demand.

  server PORT SECONDS        TCP echo on PORT (any number of connections) and a UDP echo on
                             PORT that answers "<source ip>:<source port>" as it saw it;
                             exits after SECONDS.
  client HOST PORT NTCP NUDP UDPBASE
                             opens NTCP TCP connections to HOST:PORT and NUDP UDP sockets
                             bound to source ports UDPBASE.. ; then reads commands on stdin:
                               check     every flow exchanges 3 lines (5 s timeout each);
                                         prints "tcp K/N working" and "udp K/N working
                                         (bindings unchanged|changed: ...)"
                               open M    opens M more TCP connections
                               quit      closes everything
  churn HOST PORT NTCP NUDP SECONDS
                             NTCP short TCP connections to HOST:PORT, one after the other
                             (connect, one echoed line, close: every third one reset with
                             RST, the others closed with FIN), and NUDP one-datagram UDP
                             flows; stops early after SECONDS. Prints "churn: ..." counts.
Every wait is bounded; a flow that fails once stays counted as broken."""
import selectors
import socket
import struct
import sys
import time


def read_line(c):
    """One newline-terminated reply (the socket's timeout bounds the wait)."""
    got = b""
    while not got.endswith(b"\n"):
        data = c.recv(4096)
        if not data:
            raise ConnectionError("closed by the peer")
        got += data
    return got


def server(port, seconds):
    deadline = time.monotonic() + seconds
    sel = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(256)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", port))
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(udp, selectors.EVENT_READ, "udp")
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            if key.data == "accept":
                conn, _ = listener.accept()
                sel.register(conn, selectors.EVENT_READ, "tcp")
            elif key.data == "udp":
                data, (ip, sport) = udp.recvfrom(2048)
                udp.sendto(b"%s:%d %s" % (ip.encode(), sport, data), (ip, sport))
            else:
                conn = key.fileobj
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(conn)
                    conn.close()
                else:
                    conn.sendall(data)


class Client:
    def __init__(self, host, port, nudp, udpbase):
        self.host, self.port = host, port
        self.tcp = []       # [socket or None]
        self.udp = []
        self.bindings = {}  # local port -> binding the server saw first
        for i in range(nudp):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", udpbase + i))
            s.settimeout(1)
            self.udp.append(s)

    def open(self, count):
        for _ in range(count):
            try:
                c = socket.create_connection((self.host, self.port), timeout=5)
                c.settimeout(5)
                self.tcp.append(c)
            except OSError as e:
                print(f"connect failed: {e}", flush=True)
                self.tcp.append(None)

    def check_tcp(self, index, round_):
        c = self.tcp[index]
        if c is None:
            return False
        try:
            for n in range(3):
                line = b"%d.%d.%d\n" % (index, round_, n)
                c.sendall(line)
                got = read_line(c)
                if got != line:
                    raise ConnectionError(f"echo {got!r}, expected {line!r}")
            return True
        except (OSError, ConnectionError) as e:
            print(f"tcp {index}: {e}", flush=True)
            c.close()
            self.tcp[index] = None
            return False

    def check_udp(self, s):
        # Up to 5 requests of 1 s each: a lost datagram is not a broken flow, no answer in
        # 5 s is.
        port = s.getsockname()[1]
        for attempt in range(5):
            s.sendto(b"ping %d" % attempt, (self.host, self.port))
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            return data.split(b" ", 1)[0].decode()
        print(f"udp {port}: no answer in 5 s", flush=True)
        return None

    def check(self, round_):
        ok = sum(self.check_tcp(i, round_) for i in range(len(self.tcp)))
        print(f"tcp {ok}/{len(self.tcp)} working", flush=True)
        good, changed = 0, []
        for s in self.udp:
            port = s.getsockname()[1]
            seen = self.check_udp(s)
            if seen is None:
                continue
            good += 1
            first = self.bindings.setdefault(port, seen)
            if first != seen:
                changed.append(f"{port}: {first} -> {seen}")
        verdict = "bindings unchanged" if not changed else "changed: " + ", ".join(changed)
        print(f"udp {good}/{len(self.udp)} working ({verdict})", flush=True)


def churn(host, port, ntcp, nudp, seconds):
    deadline = time.monotonic() + seconds
    done = reset = failed = udp = 0
    for i in range(max(ntcp, nudp)):
        if time.monotonic() >= deadline:
            break
        if i < ntcp:
            try:
                c = socket.create_connection((host, port), timeout=2)
                c.settimeout(2)
                c.sendall(b"churn %d\n" % i)
                got = read_line(c)
                if i % 3 == 0:
                    # SO_LINGER 0: close() sends RST, conntrack goes to CLOSE and the entry
                    # is destroyed 10 s later (a deletion for state sync).
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    reset += 1
                c.close()
                done += 1
            except (OSError, ConnectionError):
                failed += 1
        if i < nudp:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(b"churn %d" % i, (host, port))
            u.close()
            udp += 1
        time.sleep(0.004)  # spread over a few seconds: many sync datagrams, not a few full ones
    print(f"churn: {done} TCP connections ({reset} reset, {failed} failed), {udp} UDP flows", flush=True)


def client(host, port, ntcp, nudp, udpbase):
    c = Client(host, port, nudp, udpbase)
    c.open(ntcp)
    print("ready", flush=True)
    round_ = 0
    for command in sys.stdin:
        words = command.split()
        if not words:
            continue
        if words[0] == "check":
            round_ += 1
            c.check(round_)
        elif words[0] == "open":
            c.open(int(words[1]))
            print("opened", flush=True)
        elif words[0] == "quit":
            break
    for s in c.tcp + c.udp:
        if s is not None:
            s.close()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == "churn":
        churn(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
