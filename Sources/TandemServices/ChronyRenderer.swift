import TandemAddress
import TandemConfig

/// `system/timeservers` → a chrony.conf(5). pfSense runs ntpd (`system_ntp_configure()` in
/// `pfsense/pfsense:src/etc/inc/system.inc`); this keeps its choices in chrony's words:
/// names ending in `pool.ntp.org` are pools, the rest servers, all `iburst`; orphan mode
/// at stratum 12 (ntpd's `tos orphan 12`) so the LAN keeps a common time when the
/// upstream servers are gone; and the LAN is served (ntpd serves everyone by default,
/// chronyd no one without `allow`).
public struct ChronyRenderer: Sendable {
    public var paths: ServicePaths

    public init(paths: ServicePaths) { self.paths = paths }

    /// nil when `system/timeservers` is empty.
    public func render(_ config: Config) -> ServiceSpec? {
        let servers = config.system.timeservers.filter { !$0.isEmpty }
        guard !servers.isEmpty else { return nil }
        let facts = NodeFacts(config)
        var lines = ["# Rendered by tandem from config.xml system/timeservers; edits are overwritten."]
        for s in servers {
            lines.append("\(s.hasSuffix("pool.ntp.org") ? "pool" : "server") \(s) iburst")
        }
        lines.append("local stratum 12 orphan")
        // Interfaces without a gateway are the ones pfSense treats as LANs.
        var nets: Set<String> = []
        for i in facts.interfaces where !i.hasGateway {
            for n in [i.ipv4, i.ipv6].compactMap({ $0 }) where nets.insert(n.masked.description).inserted {
                lines.append("allow \(n.masked)")
            }
        }
        lines += [
            "pidfile \(paths.chronyPidFile)",
            "driftfile \(paths.chronyDriftFile)",
            // The command socket only: no UDP command port (two nodes on one machine
            // would otherwise share the path's meaning but not the port's).
            "bindcmdaddress \(paths.chronyControlSocket)",
            "cmdport 0",
            "makestep 1 3",
        ]
        // Under a private root chronyd never touches this machine's clock (`-x`,
        // chronyd(8)): it still serves time and reports its sources. It also stays root
        // (`-u root`): dropping to `_chrony` changes its credentials, which clears the
        // parent-death signal (prctl(2) PR_SET_PDEATHSIG) that makes it end with a
        // killed `tandem daemon`; on an appliance systemd's cgroup does that.
        var command = ["/usr/sbin/chronyd", "-d", "-f", paths.chronyConfig]
        if !paths.isAppliance { command.insert(contentsOf: ["-x", "-u", "root"], at: 1) }
        let owner = paths.isAppliance ? "_chrony" : nil
        return ServiceSpec(kind: .ntp, configPath: paths.chronyConfig, contents: lines.joined(separator: "\n") + "\n",
                           command: command, check: ["/usr/sbin/chronyd", "-p", "-f", paths.chronyConfig],
                           reload: .restart,
                           directories: [ServiceDirectory(parent(paths.chronyConfig)),
                                         ServiceDirectory(paths.chronyRunDirectory, owner: owner, mode: 0o750),
                                         ServiceDirectory(parent(paths.chronyDriftFile), owner: owner, mode: 0o755)])
    }
}
