import TandemConfig

/// One push to the peer, worked out from the local config (`pfsense/pfsense:src/etc/
/// rc.filter_synchronize`): where to, as whom, and the `restore_config_section` struct.
public struct SyncPushPlan: Sendable, Hashable {
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        /// `https` or `http`.
        public var scheme: String
        /// The peer's address as written (an IPv6 literal without brackets), or host name.
        public var host: String
        public var port: Int
        public var username: String
        public var password: String
        /// The request path, `/xmlrpc.php`.
        public var path: String

        public init(scheme: String, host: String, port: Int, username: String, password: String, path: String = "/xmlrpc.php") {
            self.scheme = scheme
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.path = path
        }

        /// The URL without credentials, for messages.
        public var description: String {
            let h = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(h):\(port)\(path)"
        }
    }

    public var target: Target
    /// Section paths in the order they are sent (`filter`, `system/user`, …).
    public var sections: [String]
    /// The first parameter of `restore_config_section`.
    public var payload: XMLRPCValue
    /// The local `<version>`, which the peer's must equal.
    public var configVersion: String

    /// pfSense's timeout for the restore call, sent as its second parameter.
    public static let restoreTimeout = 900

    /// The version check that precedes every push.
    public var versionCall: XMLRPCCall { XMLRPCCall(methodName: "pfsense.host_firmware_version") }

    public var restoreCall: XMLRPCCall {
        XMLRPCCall(methodName: "pfsense.restore_config_section", params: [payload, .int(Self.restoreTimeout)])
    }
}

/// Whether the peer's answer to `host_firmware_version` lets the push go ahead
/// (`carp_check_version()`): only the config schema version is compared.
public enum VersionCheck: Sendable, Hashable {
    case proceed
    case refuse(String)

    public static func decide(_ reply: XMLRPCResponse, localVersion: String) -> VersionCheck {
        let remote: String?
        switch reply {
        case .fault(let code, let message):
            return .refuse("host_firmware_version failed: fault \(code): \(message)")
        case .value(.string(let s)) where s.hasPrefix("Authentication failed"):
            // OPNsense answers a refused login with this literal instead of a fault.
            return .refuse("host_firmware_version failed: \(s)")
        case .value(let v):
            remote = v[member: "config_version"].flatMap(SectionForm.scalarText)
        }
        guard let remote, !remote.isEmpty else {
            return .refuse("The configuration version of the other member could not be determined. Skipping synchronization.")
        }
        guard sameVersion(remote, localVersion) else {
            return .refuse("The other member is on a different configuration version (\(remote), this node \(localVersion)). "
                           + "Sync will not be done to prevent problems!")
        }
        return .proceed
    }

    /// PHP's `!=` on two numeric strings compares them as numbers (`23.3` == `23.30`).
    static func sameVersion(_ a: String, _ b: String) -> Bool {
        let x = a.trimmed, y = b.trimmed
        if let dx = Double(x), let dy = Double(y) { return dx == dy }
        return x == y
    }
}
