import TandemConfig

/// The one place a config becomes the node's service specs: every caller (the daemon and
/// the tests) goes through `plan`.
public struct ServicePlanner: Sendable {
    public var paths: ServicePaths
    public var keaHooksDirectory: String

    /// Debian 12's multiarch hook directory (`kea-common`).
    public static let debianKeaHooks = "/usr/lib/x86_64-linux-gnu/kea/hooks"

    public init(paths: ServicePaths, keaHooksDirectory: String = ServicePlanner.debianKeaHooks) {
        self.paths = paths
        self.keaHooksDirectory = keaHooksDirectory
    }

    /// The services `config` asks for, in start order (the resolver before DHCP hands it out).
    public func plan(_ config: Config) -> [ServiceSpec] {
        [UnboundRenderer(paths: paths).render(config),
         KeaRenderer(paths: paths, hooksDirectory: keaHooksDirectory).render(config),
         ChronyRenderer(paths: paths).render(config)].compactMap { $0 }
    }
}
