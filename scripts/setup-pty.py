#!/usr/bin/env python3
"""Drives `tandem setup` through a pseudo-terminal as a person at the console would: waits
for each prompt, types an answer, and checks that bad answers are refused with the reason
and asked again. usage: setup-pty.py NETNS BIN ROOT. Exit 0 when the dialogue went as
scripted and setup reported the config written."""
import os, pty, re, select, sys, time

ns, binary, root = sys.argv[1:4]
# (prompt pattern, answer, expected refusal or None). Bad answers first where the test
# wants the reason: a NIC that does not exist, a NIC taken twice, an address outside the
# NIC's subnet, a VIP equal to the node's own address, a password typed differently twice.
script = [
    (r"WAN interface \[wan0\]: ", "eth9", r'no interface "eth9" on this machine'),
    (r"WAN interface \[wan0\]: ", "", None),
    (r"WAN address with prefix length.*: ", "198.51.100.2", r"expected an IPv4 address with a prefix length"),
    (r"WAN address with prefix length.*: ", "198.51.100.2/24", None),
    (r"WAN upstream gateway.*: ", "192.0.2.254", r"192\.0\.2\.254 is outside wan0's subnet 198\.51\.100\.0/24"),
    (r"WAN upstream gateway.*: ", "198.51.100.254", None),
    (r"LAN interface \[\w+\]: ", "wan0", r"wan0 is already the WAN interface"),
    (r"LAN interface \[\w+\]: ", "lan0", None),
    (r"LAN address with prefix length.*: ", "192.0.2.2/24", None),
    (r"SYNC interface.*: ", "sync0", None),
    (r"SYNC address with prefix length.*: ", "203.0.113.1/30", None),
    (r"peer node's SYNC address.*: ", "203.0.113.2", None),
    (r"LAN CARP VIP.*: ", "192.0.2.2", r"is this node's own LAN address"),
    (r"LAN CARP VIP.*: ", "192.0.2.1", None),
    (r"WAN CARP VIP.*: ", "198.51.100.1", None),
    (r"CARP advskew.*\[0\]: ", "", None),
    (r"CARP password.*: ", "carp-secret", None),
    (r"again: ", "carp-secret", None),
    (r"host name \[tandem\]: ", "fw-1", None),
    (r"domain \[localdomain\]: ", "example.org", None),
    (r"admin password.*: ", "short", None),
    (r"again: ", "short", r"at least 8 characters"),
    (r"admin password.*: ", "admin-pass-1", None),
    (r"again: ", "admin-pass-2", r"the two entries differ"),
    (r"admin password.*: ", "admin-pass-1", None),
    (r"again: ", "admin-pass-1", None),
    (r"Write this configuration\? \[y/N\]: ", "y", None),
]

pid, fd = pty.fork()
if pid == 0:
    os.execvp("ip", ["ip", "netns", "exec", ns, binary, "setup", "--root", root])

buffer = ""
deadline = time.monotonic() + 60

def read_until(pattern):
    global buffer
    while True:
        m = re.search(pattern, buffer)
        if m:
            before, buffer = buffer[:m.start()], buffer[m.end():]
            return before
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(f"timed out waiting for {pattern!r}; screen so far: {buffer[-400:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 4096).decode(errors="replace")
        except OSError:
            sys.exit(f"setup ended while waiting for {pattern!r}; screen: {buffer[-400:]!r}")
        buffer += data.replace("\r\n", "\n")

refusals = 0
pending = None
for prompt, answer, refusal in script:
    seen = read_until(prompt)
    if pending and not re.search(pending, seen):
        sys.exit(f"expected the refusal {pending!r} before {prompt!r}, saw {seen!r}")
    refusals += 1 if pending else 0
    pending = refusal
    os.write(fd, (answer + "\n").encode())
tail = read_until(r"config written: .*\(revision 1\)")
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(f"setup exited with {os.waitstatus_to_exitcode(status)}")
print(f"{len(script)} prompts answered, {refusals} bad answers refused with the reason and asked again")
