/// The management endpoint's part of `tandem status`: where it listens, its certificate,
/// logins, and the last config push this node received.
public struct ManagementStatus: Sendable, Codable, Hashable {
    /// The last `restore_config_section` (or merge) a peer made here.
    public struct ReceivedPush: Sendable, Codable, Hashable {
        /// Seconds since the epoch.
        public var time: Double
        /// The caller's address and user.
        public var from: String
        public var user: String
        public var method: String
        public var sections: [String]
        /// "committed", "unchanged", "refused: …", "ignored (sync loop)".
        public var result: String

        public init(time: Double, from: String, user: String, method: String, sections: [String], result: String) {
            self.time = time
            self.from = from
            self.user = user
            self.method = method
            self.sections = sections
            self.result = result
        }
    }

    /// `https://[::]:443`, or why the endpoint is not running.
    public var listening: String
    public var certificate: String?
    public var fingerprint: String?
    public var logins: LoginStatus
    public var lastReceived: ReceivedPush?
    public var requests: Int

    public init(listening: String, certificate: String? = nil, fingerprint: String? = nil,
                logins: LoginStatus = LoginStatus(), lastReceived: ReceivedPush? = nil, requests: Int = 0) {
        self.listening = listening
        self.certificate = certificate
        self.fingerprint = fingerprint
        self.logins = logins
        self.lastReceived = lastReceived
        self.requests = requests
    }

    /// The lines `tandem status` prints.
    public var lines: [String] {
        var out = ["management: \(listening)" + (certificate.map { " (certificate: \($0))" } ?? "")]
        if let fingerprint { out.append("  certificate SHA-256 \(fingerprint)") }
        out.append("  requests \(requests); logins: \(logins.granted) granted, \(logins.failed) failed, "
                   + "\(logins.refusedWhileLocked) refused while locked out, \(logins.lockouts) lockouts")
        for l in logins.locked {
            out.append("  locked out: \(l.address) for \(l.secondsLeft) s (\(l.failures) failures, \(l.refused) refused)")
        }
        if let r = lastReceived {
            out.append("  last received push: \(r.method) from \(r.from) as \(r.user) at \(Self.clock(r.time)): "
                       + "\(r.sections.isEmpty ? "-" : r.sections.joined(separator: ",")): \(r.result)")
        }
        return out
    }

    static func clock(_ t: Double) -> String {
        let s = Int(t) % 86400
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60)) UTC"
    }
}
