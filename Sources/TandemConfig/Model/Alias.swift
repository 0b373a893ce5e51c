import TandemAddress

/// `<aliases><alias>` (pfsense-config.md §8).
public struct Alias: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case host
        case network
        case port
        case url
        case urlPorts
        case urltable
        case urltablePorts
        /// A type this version does not know, kept as written.
        case other(String)

        public init(_ text: String) {
            switch text {
            case "host": self = .host
            case "network": self = .network
            case "port": self = .port
            case "url": self = .url
            case "url_ports": self = .urlPorts
            case "urltable": self = .urltable
            case "urltable_ports": self = .urltablePorts
            default: self = .other(text)
            }
        }

        public var text: String {
            switch self {
            case .host: "host"
            case .network: "network"
            case .port: "port"
            case .url: "url"
            case .urlPorts: "url_ports"
            case .urltable: "urltable"
            case .urltablePorts: "urltable_ports"
            case .other(let t): t
            }
        }

        /// URL-fed aliases: their content is fetched, not written in the file.
        public var isURL: Bool {
            switch self {
            case .url, .urlPorts, .urltable, .urltablePorts: true
            default: false
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// The space-separated `<address>` entries, typed.
    public var entries: [AliasEntry]
    /// `<detail>`: per-entry descriptions (joined with `||` in the file).
    public var details: [String]
    public var descr: String?
    /// `<url>` and repeated `<aliasurl>` of URL aliases, kept as data.
    public var urls: [String]
    public var updateFrequency: String?
    public var noSync: Bool
    public var location: SourceLocation

    public init(name: String, kind: Kind, entries: [AliasEntry] = [], details: [String] = [],
                descr: String? = nil, urls: [String] = [], updateFrequency: String? = nil,
                noSync: Bool = false, location: SourceLocation) {
        self.name = name
        self.kind = kind
        self.entries = entries
        self.details = details
        self.descr = descr
        self.urls = urls
        self.updateFrequency = updateFrequency
        self.noSync = noSync
        self.location = location
    }

    /// Names of other aliases this one includes.
    public var nestedAliases: [String] {
        entries.compactMap { if case .alias(let n) = $0 { n } else { nil } }
    }
}

/// One entry of an alias's `<address>` list.
public enum AliasEntry: Sendable, Hashable, CustomStringConvertible {
    /// An address or CIDR prefix (host and network aliases).
    case network(IPNetwork)
    /// `192.0.2.10-192.0.2.20` (host aliases).
    case range(IPAddress, IPAddress)
    /// A port or port range (port aliases).
    case port(PortSpec)
    /// Another alias's name (nested alias).
    case alias(String)
    /// A DNS name to resolve (host aliases).
    case hostname(String)

    public var description: String {
        switch self {
        case .network(let n): n.isHost ? n.address.description : n.description
        case .range(let a, let b): "\(a)-\(b)"
        case .port(let p): p.description
        case .alias(let n), .hostname(let n): n
        }
    }
}
