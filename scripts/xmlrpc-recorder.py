#!/usr/bin/env python3
"""A stand-in for a pfSense secondary's /xmlrpc.php that records the calls it receives.

Serves XML-RPC over HTTPS (a self-signed certificate, as pfSense's web GUI has) with HTTP
Basic authentication answered as pfSense does (fault -1 for bad credentials), implements
pfsense.host_firmware_version (config_version as given) and pfsense.restore_config_section
(returns true), and appends one JSON line per call to --record: the method, the parameters
and the user name that was sent. Tandem's push client is tested against it.

Bounded: exits after --max-calls calls or --seconds seconds, whichever comes first.
"""
import argparse
import base64
import json
import ssl
import sys
import time
import xmlrpc.server


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--ready", required=True, help="file created once the socket listens")
    p.add_argument("--user", default="admin")
    p.add_argument("--password", required=True)
    p.add_argument("--config-version", default="23.3")
    p.add_argument("--max-calls", type=int, default=2)
    p.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()

    state = {"auth": None, "calls": 0}

    class Handler(xmlrpc.server.SimpleXMLRPCRequestHandler):
        rpc_paths = ("/xmlrpc.php",)

        def do_POST(self):
            header = self.headers.get("Authorization", "")
            state["auth"] = None
            if header.startswith("Basic "):
                state["auth"] = base64.b64decode(header[6:]).decode("utf-8", "replace")
            super().do_POST()

        def log_message(self, *a):
            pass

    def record(method, params):
        user = (state["auth"] or "").split(":", 1)[0]
        with open(args.record, "a") as f:
            f.write(json.dumps({"method": method, "params": params, "user": user}) + "\n")
        state["calls"] += 1
        if state["auth"] != f"{args.user}:{args.password}":
            raise xmlrpc.server.Fault(-1, "Authentication failed: Invalid username or password")

    def host_firmware_version(*params):
        record("pfsense.host_firmware_version", list(params))
        return {"firmware": {"version": "2.7.2-RELEASE"}, "kernel": {"version": "14.0"},
                "base": {"version": "14.0"}, "platform": "pfSense", "config_version": args.config_version}

    def restore_config_section(*params):
        record("pfsense.restore_config_section", list(params))
        return True

    server = xmlrpc.server.SimpleXMLRPCServer((args.listen, args.port), requestHandler=Handler,
                                              allow_none=True, logRequests=False)
    server.register_function(host_firmware_version, "pfsense.host_firmware_version")
    server.register_function(restore_config_section, "pfsense.restore_config_section")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.timeout = 0.5
    open(args.ready, "w").close()
    deadline = time.monotonic() + args.seconds
    while state["calls"] < args.max_calls and time.monotonic() < deadline:
        try:
            server.handle_request()
        except (ssl.SSLError, OSError) as e:
            # A client that refuses the certificate aborts the handshake: keep serving.
            print(f"xmlrpc-recorder: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
