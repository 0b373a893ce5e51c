#!/usr/bin/env python3
"""Bounded DNS load: WORKERS threads each send QUERIES A queries for NAME to SERVER:PORT over
UDP, one outstanding per worker (1 s timeout), and print queries per second and losses."""
import random, socket, struct, sys, threading, time

server, port, name, workers, queries = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
qname = b"".join(bytes([len(p)]) + p.encode() for p in name.strip(".").split(".")) + b"\0"
answered = [0] * workers

def worker(i):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    for _ in range(queries):
        qid = random.getrandbits(16)
        s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + b"\0\x01\0\x01", (server, port))
        try:
            while True:
                data, _ = s.recvfrom(4096)
                if struct.unpack("!H", data[:2])[0] == qid:
                    answered[i] += 1
                    break
        except socket.timeout:
            pass

threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
start = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.monotonic() - start
total = workers * queries
print(f"{sum(answered) / elapsed:.0f} qps ({sum(answered)}/{total} answered in {elapsed:.2f} s)")
