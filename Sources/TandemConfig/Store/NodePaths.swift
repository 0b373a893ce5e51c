/// Where one node keeps its files, all under a root prefix (`--root DIR`, default `/`), so
/// that two nodes can run side by side on one machine (DESIGN.md "Command line").
/// Every command and the daemon take their paths from here.
public struct NodePaths: Sendable, Hashable {
    /// The prefix, without a trailing slash (`""` for `/`).
    public let root: String

    public init(root: String = "/") {
        var r = root
        while r.count > 1, r.hasSuffix("/") { r.removeLast() }
        self.root = r == "/" ? "" : r
    }

    private func under(_ path: String) -> String { root + path }

    public var configDirectory: String { under("/etc/tandem") }
    /// `ROOT/etc/tandem/config.xml`.
    public var config: String { under("/etc/tandem/config.xml") }
    public var stateDirectory: String { under("/var/lib/tandem") }
    /// `ROOT/var/lib/tandem/history/`: one file per committed revision.
    public var history: String { under("/var/lib/tandem/history") }
    /// `ROOT/var/lib/tandem/commit-confirm.json`: a pending `apply --confirm` deadline and the
    /// last expiry, kept across daemon restarts.
    public var commitConfirm: String { under("/var/lib/tandem/commit-confirm.json") }
    /// `ROOT/var/lib/tandem/tls/`: the node's certificate and key.
    public var tls: String { under("/var/lib/tandem/tls") }
    public var runDirectory: String { under("/run/tandem") }
    /// `ROOT/run/tandem/control.sock`: the daemon's control socket.
    public var controlSocket: String { under("/run/tandem/control.sock") }
    /// `ROOT/var/lib/tandem/services/`: rendered kea/unbound/chrony files.
    public var services: String { under("/var/lib/tandem/services") }
}
