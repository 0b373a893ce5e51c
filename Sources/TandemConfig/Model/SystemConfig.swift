/// `<system>` (pfsense-config.md §2).
public struct SystemConfig: Sendable, Hashable {
    public var hostname: String?
    public var domain: String?
    /// `timeservers`: one space-separated string in the file.
    public var timeservers: [String]
    public var timezone: String?
    /// `dnsserver` (repeated), as written: usually addresses.
    public var dnsServers: [String]
    public var dnsAllowOverride: Bool
    public var webgui: WebGUI
    public var users: [User]
    /// The pre-`<user>` form of config 2.9: `system/username` + `system/password`. Kept
    /// apart so the writer puts it back where it was; `allUsers` merges it in.
    public var legacyUser: User?
    public var groups: [UserGroup]
    public var nextUID: Int?
    public var nextGID: Int?
    public var disableReplyTo: Bool
    /// `<tandem><rulegroups/></tandem>` (Tandem's own, not pfSense's): runs of filter rules
    /// that differ only in single addresses and ports are kept as one rule and a set
    /// (`RuleGroups` in TandemCompiler). Off by default: it changes how `nft list` shows the
    /// rules, and compiling the groups costs the apply more than the kernel saves at list
    /// sizes under ~50,000 rules.
    public var ruleGroups = false
    /// `<disablenatreflection>`: port forwards without their own `natreflection` reflect
    /// nothing (pfSense's factory default writes it).
    public var natReflectionDisabled = false
    /// `<enablenatreflectionpurenat>`: otherwise they reflect by pure NAT, not the proxy.
    public var natReflectionPureNAT = false
    public var location: SourceLocation

    public init(hostname: String? = nil, domain: String? = nil, timeservers: [String] = [],
                timezone: String? = nil, dnsServers: [String] = [], dnsAllowOverride: Bool = false,
                webgui: WebGUI = WebGUI(), users: [User] = [], legacyUser: User? = nil,
                groups: [UserGroup] = [], nextUID: Int? = nil, nextGID: Int? = nil,
                disableReplyTo: Bool = false, location: SourceLocation = SourceLocation(path: "system")) {
        self.hostname = hostname
        self.domain = domain
        self.timeservers = timeservers
        self.timezone = timezone
        self.dnsServers = dnsServers
        self.dnsAllowOverride = dnsAllowOverride
        self.webgui = webgui
        self.users = users
        self.legacyUser = legacyUser
        self.groups = groups
        self.nextUID = nextUID
        self.nextGID = nextGID
        self.disableReplyTo = disableReplyTo
        self.location = location
    }

    /// `hostname.domain` when both are set.
    public var fqdn: String? {
        guard let hostname, !hostname.isEmpty else { return nil }
        guard let domain, !domain.isEmpty else { return hostname }
        return hostname + "." + domain
    }

    /// Every account that can log in: the `<user>` list, then the legacy single user.
    public var allUsers: [User] { users + (legacyUser.map { [$0] } ?? []) }

    public func user(named name: String) -> User? { allUsers.first { $0.name == name } }
}

/// `system/webgui`.
public struct WebGUI: Sendable, Hashable {
    public enum WebProtocol: String, Sendable, Hashable, CaseIterable {
        case http
        case https
    }

    public var webProtocol: WebProtocol?
    /// Empty in the file means the protocol's default port.
    public var port: UInt16?
    public var noAntiLockout: Bool
    public var sslCertRef: String?
    public var authMode: String?

    public init(webProtocol: WebProtocol? = nil, port: UInt16? = nil, noAntiLockout: Bool = false,
                sslCertRef: String? = nil, authMode: String? = nil) {
        self.webProtocol = webProtocol
        self.port = port
        self.noAntiLockout = noAntiLockout
        self.sslCertRef = sslCertRef
        self.authMode = authMode
    }

    /// The port actually listened on: the configured one, else 80/443.
    public var effectivePort: UInt16 { port ?? ((webProtocol ?? .https) == .https ? 443 : 80) }
}

/// A stored password, in whichever field the writing release used (§2).
public enum PasswordHash: Sendable, Hashable {
    /// `bcrypt-hash`: `$2b$`/`$2y$`.
    case bcrypt(String)
    /// `sha512-hash`: `$6$`.
    case sha512(String)
    /// `md5-hash`: legacy.
    case md5(String)
    /// `password`: a crypt(3) string (pfSense ≤ 2.1 md5-crypt, OPNsense bcrypt/sha512).
    case crypt(String)

    public var hash: String {
        switch self {
        case .bcrypt(let h), .sha512(let h), .md5(let h), .crypt(let h): h
        }
    }

    /// The element name the hash is stored under.
    public var elementName: String {
        switch self {
        case .bcrypt: "bcrypt-hash"
        case .sha512: "sha512-hash"
        case .md5: "md5-hash"
        case .crypt: "password"
        }
    }
}

/// `system/user`.
public struct User: Sendable, Hashable {
    public var name: String
    public var descr: String?
    public var scope: String?
    public var groupName: String?
    public var uid: Int?
    public var privileges: [String]
    public var expires: String?
    public var authorizedKeys: String?
    public var disabled: Bool
    public var password: PasswordHash?
    public var location: SourceLocation

    public init(name: String, descr: String? = nil, scope: String? = nil, groupName: String? = nil,
                uid: Int? = nil, privileges: [String] = [], expires: String? = nil,
                authorizedKeys: String? = nil, disabled: Bool = false, password: PasswordHash? = nil,
                location: SourceLocation) {
        self.name = name
        self.descr = descr
        self.scope = scope
        self.groupName = groupName
        self.uid = uid
        self.privileges = privileges
        self.expires = expires
        self.authorizedKeys = authorizedKeys
        self.disabled = disabled
        self.password = password
        self.location = location
    }
}

/// `system/group`.
public struct UserGroup: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var scope: String?
    public var gid: Int?
    /// Member uids.
    public var members: [Int]
    public var privileges: [String]
    public var location: SourceLocation

    public init(name: String, description: String? = nil, scope: String? = nil, gid: Int? = nil,
                members: [Int] = [], privileges: [String] = [], location: SourceLocation) {
        self.name = name
        self.description = description
        self.scope = scope
        self.gid = gid
        self.members = members
        self.privileges = privileges
        self.location = location
    }
}
