#!/usr/bin/env python3
# Reads the output of `ping -D -i 0.01 -c N` and prints "GAP_MS LOST SENT": the longest gap
# between consecutive replies (what the client sees of a failover) and the packets lost.
# A run with fewer than two replies prints "nan" for the gap.
import re
import sys

text = open(sys.argv[1]).read()
times = [float(m.group(1)) for m in re.finditer(r'^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=', text, re.M)]
summary = re.search(r'(\d+) packets transmitted, (\d+) received', text)
sent, got = (int(summary.group(1)), int(summary.group(2))) if summary else (0, len(times))
gaps = [b - a for a, b in zip(times, times[1:])]
gap = f"{max(gaps) * 1000:.0f}" if gaps else "nan"
print(gap, sent - got, sent)
