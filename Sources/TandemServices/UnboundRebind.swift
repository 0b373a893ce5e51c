import Foundation

/// Whether a running Unbound can take a new unbound.conf(5) on SIGHUP, or must be
/// restarted. Pure: old and new rendered text in, a decision out.
///
/// On SIGHUP Unbound re-reads its file and rebuilds its workers, but keeps the listening
/// sockets it opened at start: `daemon_open_shared_ports()` (NLnetLabs/unbound:
/// daemon/daemon.c) reopens them only when `port` changed, and the remote-control socket
/// likewise only on a new `control-port`. A new `interface:` is therefore never bound on a
/// reload, and with `username` set the process no longer has the privilege to bind port 53
/// anyway. The process-level settings applied once in `perform_setup()`
/// (daemon/unbound.c: `chroot`, `username`, `pidfile`, daemonizing) are read only at
/// start too. Any change to one of them needs a stop and start; everything else (local
/// data, access control, forwarders, DNSSEC) is taken by the reload.
public enum UnboundRebind {
    /// The decision for a running daemon: reload it in place, or restart it.
    public enum Decision: Sendable, Hashable {
        case reload
        /// `changed` names the first setting that needs a new process (for the log).
        case restart(changed: String)
    }

    /// Settings per clause that only a new process takes (unbound.conf(5)).
    static let startOnly: [String: Set<String>] = [
        "server": ["interface", "interface-automatic", "interface-automatic-ports", "ip-freebind",
                   "ip-transparent", "port", "do-ip4", "do-ip6", "do-udp", "do-tcp", "so-reuseport",
                   "so-rcvbuf", "so-sndbuf", "tcp-mss", "tls-port", "https-port", "tls-service-key",
                   "tls-service-pem", "chroot", "username", "pidfile", "do-daemonize"],
        "remote-control": ["control-enable", "control-interface", "control-port", "control-use-cert",
                           "server-key-file", "server-cert-file"],
    ]

    public static func decision(old: String, new: String) -> Decision {
        let before = startOnlySettings(old), after = startOnlySettings(new)
        guard before != after else { return .reload }
        let keys = Set(before.keys).union(after.keys).sorted()
        let changed = keys.first { before[$0] != after[$0] } ?? "?"
        return .restart(changed: changed)
    }

    /// `clause/key` → its values in file order, for the start-only settings. A clause
    /// starts at an unindented `name:`; a setting is `key: value` (unbound.conf(5)).
    static func startOnlySettings(_ text: String) -> [String: [String]] {
        var clause = "server"
        var settings: [String: [String]] = [:]
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = String(trimmed[..<colon])
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if line.first.map({ !$0.isWhitespace }) == true, clauses.contains(key) {
                clause = key
                continue
            }
            if startOnly[clause]?.contains(key) == true {
                settings["\(clause)/\(key)", default: []].append(value)
            }
        }
        return settings
    }

    /// unbound.conf(5)'s clause names: an unindented one starts a clause.
    static let clauses: Set<String> = ["server", "remote-control", "forward-zone", "stub-zone", "auth-zone",
                                       "view", "python", "dynlib", "dnstap", "cachedb", "rpz", "dnscrypt"]
}
