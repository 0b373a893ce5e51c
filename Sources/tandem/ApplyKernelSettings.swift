import Foundation
import TandemConfig
import TandemSystem

/// Kernel settings a firewall needs, derived from the config and written under /proc/sys
/// of the current network namespace only (README "Kernel settings").
struct KernelSetting: Equatable {
    var name: [String]
    var value: String

    var dotted: String { name.joined(separator: ".") }

    static func settings(for config: Config) -> [KernelSetting] {
        var out = [KernelSetting(name: ["net", "ipv4", "ip_forward"], value: "1")]
        if config.interfaces.contains(where: { $0.enabled && $0.ipv6 != .none }) {
            out.append(KernelSetting(name: ["net", "ipv6", "conf", "all", "forwarding"], value: "1"))
        }
        // pf semantics: a mid-stream TCP packet without a state is not picked up; synced
        // states are injected by the state-sync service, and a pickup would NAT a flow
        // afresh with a possibly different mapping (state-sync.md §6).
        out.append(KernelSetting(name: ["net", "netfilter", "nf_conntrack_tcp_loose"], value: "0"))
        // State sync needs conntrack events from a flow's first packet, not only once a
        // listener has appeared (the default "auto", state-sync.md §4.3).
        out.append(KernelSetting(name: ["net", "netfilter", "nf_conntrack_events"], value: "1"))
        return out
    }
}

/// Writes kernel settings; a protocol so the apply pipeline can be tested without /proc.
protocol KernelSettingsWriter {
    /// Fails when a setting that exists cannot be opened for writing (checked before the
    /// commit, so a commit is never followed by a settings failure we could have foreseen).
    func check(_ settings: [KernelSetting]) throws
    func write(_ settings: [KernelSetting]) throws
}

struct ProcSysWriter: KernelSettingsWriter {
    func check(_ settings: [KernelSetting]) throws {
        for s in settings {
            let path = try Sysctl.path(s.name)
            // nf_conntrack_* appear once the first ct rule loads the conntrack module.
            guard access(path, F_OK) == 0 else { continue }
            guard access(path, W_OK) == 0 else {
                throw SystemCallError("access(\(path), W_OK)", errno: errno, context: "sysctl \(s.dotted)")
            }
        }
    }

    func write(_ settings: [KernelSetting]) throws {
        for s in settings where (try? Sysctl.read(s.name)) != s.value {
            try Sysctl.write(s.name, value: s.value)
        }
    }
}
