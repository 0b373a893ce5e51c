/// The dashboard's logged-in sessions: a value, `(table, event, now) -> (table', answer)`,
/// with time passed in as seconds of a monotonic clock and the random identifiers made by
/// the caller, so that expiry and eviction are tested without sleeping.
///
/// pfSense keeps a PHP session per login and ends it after `system/webgui/session_timeout`
/// minutes without a request (240 when unset, `pfsense/pfsense:src/etc/inc/auth.inc`,
/// `session_auth()`); Tandem does the same, and also ends every session a day after its
/// login, whatever its activity, so that a stolen cookie is not good forever.
public struct WebSessionTable: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Seconds without a request after which a session ends.
        public var idle: Double
        /// Seconds after the login after which a session ends regardless.
        public var absolute: Double
        /// Sessions kept at once; the least recently used goes first.
        public var capacity: Int

        public init(idle: Double = 240 * 60, absolute: Double = 24 * 3600, capacity: Int = 128) {
            self.idle = idle
            self.absolute = absolute
            self.capacity = capacity
        }
    }

    public struct Session: Sendable, Hashable {
        /// The cookie's value: 32 random bytes in hex.
        public var id: String
        public var user: String
        /// The token every form of this session carries (`__csrf_magic`).
        public var csrf: String
        public var created: Double
        public var lastSeen: Double
    }

    public enum Lookup: Sendable, Hashable {
        case active(Session)
        /// The session existed and timed out (now removed): the login page says so.
        case expired
        case unknown
    }

    public let policy: Policy
    public private(set) var sessions: [String: Session] = [:]

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// A new session for `user`; the least recently used one makes room when the table is full.
    public mutating func open(id: String, user: String, csrf: String, now: Double) -> Session {
        while sessions.count >= max(policy.capacity, 1),
              let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
            sessions[oldest.id] = nil
        }
        let session = Session(id: id, user: user, csrf: csrf, created: now, lastSeen: now)
        sessions[id] = session
        return session
    }

    /// The session behind a cookie value, its idle time restarted.
    public mutating func lookup(_ id: String?, now: Double) -> Lookup {
        guard let id, var session = sessions[id] else { return .unknown }
        if now - session.lastSeen > policy.idle || now - session.created > policy.absolute {
            sessions[id] = nil
            return .expired
        }
        session.lastSeen = now
        sessions[id] = session
        return .active(session)
    }

    /// Logout.
    public mutating func close(_ id: String) {
        sessions[id] = nil
    }

    /// Whether a form's token is the session's, compared without an early exit.
    public static func csrfMatches(_ session: Session, token: String?) -> Bool {
        guard let token else { return false }
        return Crypt.constantTimeEqual(Array(session.csrf.utf8), Array(token.utf8))
    }
}
