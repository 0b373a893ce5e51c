import TandemConfig

/// Where one node's service files live. On an appliance (`--root /`) they are where
/// Debian 12's AppArmor profiles let the daemons read and write (`/etc/apparmor.d/
/// usr.sbin.kea-dhcp4`, `usr.sbin.unbound`, `usr.sbin.chronyd`: `/etc/kea/**`,
/// `/var/lib/kea/`, `/run/kea/`, `/etc/unbound/**`, `/run/unbound.ctl`, `/etc/chrony/**`,
/// `/run/chrony/`, `/var/lib/chrony/`). Under any other root (two nodes on one machine)
/// everything sits under the root's `var/lib/tandem` and `run/tandem`, so no two nodes
/// share a PID file, lease file or control socket (kea-dhcp4(8): the PID file is named
/// after the config file's base name; a second instance finding a live PID there refuses
/// to start).
public struct ServicePaths: Sendable, Hashable {
    /// The node's root prefix (`""` for `/`).
    public let root: String
    public var isAppliance: Bool { root.isEmpty }

    public init(_ node: NodePaths) { root = node.root }
    public init(root: String) { self.init(NodePaths(root: root)) }

    private var run: String { isAppliance ? "/run" : root + "/run/tandem" }
    private var lib: String { isAppliance ? "/var/lib" : root + "/var/lib/tandem" }
    /// `ROOT/var/log/tandem`: each daemon's standard output and error.
    public var logDirectory: String { root + "/var/log/tandem" }
    public func log(_ kind: ServiceKind) -> String { logDirectory + "/" + kind.rawValue + ".log" }

    // Kea DHCPv4.
    public var keaConfig: String { isAppliance ? "/etc/kea/kea-dhcp4.conf" : lib + "/services/kea-dhcp4.conf" }
    /// `KEA_PIDFILE_DIR` and `KEA_LOCKFILE_DIR`: without them both are the host's `/run/kea`.
    public var keaRunDirectory: String { run + "/kea" }
    public var keaLockDirectory: String { isAppliance ? "/run/lock/kea" : run + "/kea" }
    public var keaControlSocket: String { keaRunDirectory + "/kea4-ctrl-socket" }
    public var keaLeaseDirectory: String { lib + "/kea" }
    public var keaLeaseFile: String { keaLeaseDirectory + "/kea-leases4.csv" }

    // Unbound.
    public var unboundConfig: String { isAppliance ? "/etc/unbound/tandem.conf" : lib + "/services/unbound.conf" }
    /// Debian's own: its profile lets the `unbound` user rewrite the RFC 5011 trust anchor
    /// there (`/etc/unbound` is read-only to it).
    public var unboundDirectory: String { isAppliance ? "/var/lib/unbound" : lib + "/unbound" }
    public var unboundPidFile: String { isAppliance ? "/run/unbound.pid" : run + "/unbound.pid" }
    public var unboundControlSocket: String { isAppliance ? "/run/unbound.ctl" : run + "/unbound.ctl" }

    // chrony.
    public var chronyConfig: String { isAppliance ? "/etc/chrony/tandem.conf" : lib + "/services/chrony.conf" }
    /// Must belong to `_chrony:_chrony`, mode 0750, or chronyd disables its command socket
    /// (chronyd logs `Wrong owner of DIR`).
    public var chronyRunDirectory: String { run + "/chrony" }
    public var chronyPidFile: String { chronyRunDirectory + "/chronyd.pid" }
    public var chronyControlSocket: String { chronyRunDirectory + "/chronyd.sock" }
    public var chronyDriftFile: String { lib + "/chrony/chrony.drift" }

    public func config(_ kind: ServiceKind) -> String {
        switch kind {
        case .dhcp4: keaConfig
        case .dns: unboundConfig
        case .ntp: chronyConfig
        }
    }
}
