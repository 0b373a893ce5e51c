import TandemConfig

/// Where the daemon's config comes from and where a persistent change goes (the config
/// store over `ROOT/etc/tandem/config.xml`). Tests use a fake.
public protocol ConfigSource: Sendable {
    /// Reads, parses and validates the current config.
    func load() throws -> Config
    /// Persistently sets or clears `<virtualip_carp_maintenancemode/>` (pfSense's
    /// persistent CARP maintenance mode, which survives a restart).
    func setCarpMaintenance(_ on: Bool) throws
}

/// Applies the compiled ruleset (the nftables committer). Returns a one-line summary.
public protocol RulesetApplier: Sendable {
    func apply(_ config: Config) throws -> String
}
