import TandemAddress

extension Unbound {
    /// `<hosts>`: a name answered locally, with its aliases (pfSense `system_hosts_entries()`
    /// in `pfsense/pfsense:src/etc/inc/system.inc`).
    public struct HostOverride: Sendable, Hashable {
        public struct Alias: Sendable, Hashable {
            public var host: String
            public var domain: String
            public init(host: String, domain: String) {
                self.host = host
                self.domain = domain
            }
            public var fqdn: String { host.isEmpty ? domain : "\(host).\(domain)" }
        }

        /// May be empty: the override is for the domain name itself.
        public var host: String
        public var domain: String
        /// `ip`: one address or a comma-separated list (newer pfSense).
        public var addresses: [IPAddress]
        public var aliases: [Alias]
        public var location: SourceLocation

        public init(host: String, domain: String, addresses: [IPAddress], aliases: [Alias] = [], location: SourceLocation) {
            self.host = host
            self.domain = domain
            self.addresses = addresses
            self.aliases = aliases
            self.location = location
        }

        public var fqdn: String { host.isEmpty ? domain : "\(host).\(domain)" }
    }

    /// `<domainoverrides>`: queries for `domain` go to `server` (`ip`, possibly `addr@port`).
    public struct DomainOverride: Sendable, Hashable {
        public var domain: String
        public var server: IPAddress
        public var port: UInt16?
        /// `forward_tls_upstream`: read, not applied (the validator warns).
        public var tls: Bool
        public var location: SourceLocation

        public init(domain: String, server: IPAddress, port: UInt16? = nil, tls: Bool = false, location: SourceLocation) {
            self.domain = domain
            self.server = server
            self.port = port
            self.tls = tls
            self.location = location
        }
    }

    /// `<acls>`: networks and what the resolver does with their queries.
    public struct AccessList: Sendable, Hashable {
        /// pfSense's `aclaction` values and the unbound.conf(5) `access-control` action each
        /// becomes (`unbound_acls_config()` in `pfsense/pfsense:src/etc/inc/unbound.inc`).
        public enum Action: String, Sendable, Hashable, CaseIterable {
            case allow, deny, refuse
            case allowSnoop = "allow snoop"
            case denyNonLocal = "deny nonlocal"
            case refuseNonLocal = "refuse nonlocal"

            public var unboundAction: String {
                switch self {
                case .allow: "allow"
                case .deny: "deny"
                case .refuse: "refuse"
                case .allowSnoop: "allow_snoop"
                case .denyNonLocal: "deny_non_local"
                case .refuseNonLocal: "refuse_non_local"
                }
            }
        }

        public var name: String
        public var action: Action
        public var networks: [IPNetwork]
        public var location: SourceLocation

        public init(name: String, action: Action, networks: [IPNetwork], location: SourceLocation) {
            self.name = name
            self.action = action
            self.networks = networks
            self.location = location
        }
    }
}
