import TandemConfig

/// Authenticates a request's `Authorization` header against the config's users and groups:
/// the one door for every management request (STYLE.md §15). Pure: the password check is
/// passed in (`PasswordCheck.verify` in the server, a table in tests) and the clock is a
/// value.
///
/// pfSense (`xmlrpc.php`, `xmlrpc_auth()`; `auth.inc`, `userHasPrivilege()`,
/// `get_user_privileges()`): the user must exist, be enabled, not expired, and give the right
/// password (-1 otherwise); then hold uid 0, `system-xmlrpc-ha-sync` or `page-all`, directly
/// or through a group whose `<member>` lists the user's uid (-2 otherwise).
public struct Authenticator: Sendable {
    public static let syncPrivilege = "system-xmlrpc-ha-sync"
    public static let allPagesPrivilege = "page-all"

    public var users: [User]
    public var groups: [UserGroup]
    /// A hash of the same kind and cost as the stored ones, checked for unknown users so that
    /// they cost the same time as a wrong password for a known one.
    public var decoy: PasswordHash

    public init(system: SystemConfig, decoy: PasswordHash) {
        self.init(users: system.allUsers, groups: system.groups, decoy: decoy)
    }

    public init(users: [User], groups: [UserGroup], decoy: PasswordHash) {
        self.users = users
        self.groups = groups
        self.decoy = decoy
    }

    /// The highest bcrypt cost among the users (10, PHP's default, when there is none): the
    /// decoy hash is made with it.
    public static func decoyCost(for users: [User]) -> Int {
        users.compactMap { $0.password.flatMap(PasswordCheck.bcryptCost) }.max() ?? 10
    }

    /// - Parameters:
    ///   - header: the `Authorization` header, nil when absent.
    ///   - today: days since 1970-01-01 (UTC), for `expires`.
    ///   - verify: whether a password matches a stored hash.
    public func check(header: String?, today: Int,
                      verify: (String, PasswordHash) -> Bool) -> AuthDecision {
        guard let credentials = BasicCredentials(header: header) else {
            return .invalidCredentials(username: nil, reason: "no Basic credentials")
        }
        return check(credentials, today: today, verify: verify)
    }

    /// What a login is for: each door asks for its own privilege, through the same check.
    public enum Purpose: Sendable, Hashable {
        /// `/xmlrpc.php`: uid 0, `system-xmlrpc-ha-sync` or `page-all`.
        case xmlrpcSync
        /// The dashboard: uid 0 or `page-all` ("WebCfg - All pages", what pfSense's admins
        /// group holds). The sync privilege alone does not open the web pages, as on pfSense.
        case dashboard
    }

    public func check(_ credentials: BasicCredentials, today: Int, purpose: Purpose = .xmlrpcSync,
                      verify: (String, PasswordHash) -> Bool) -> AuthDecision {
        let name = credentials.username
        guard let user = users.first(where: { $0.name == name }), let stored = user.password else {
            _ = verify(credentials.password, decoy)
            return .invalidCredentials(username: name, reason: "unknown user or no password set")
        }
        // The hash is checked before the account's state so that a disabled or expired
        // account costs what any other does.
        let matches = verify(credentials.password, stored)
        if user.disabled { return .invalidCredentials(username: name, reason: "account disabled") }
        if let expires = user.expires, let last = Self.day(fromPfSenseDate: expires), today > last {
            return .invalidCredentials(username: name, reason: "account expired on \(expires)")
        }
        guard matches else { return .invalidCredentials(username: name, reason: "wrong password") }
        switch purpose {
        case .xmlrpcSync: guard mayUseSync(user) else { return .notEnoughPrivileges(username: name) }
        case .dashboard: guard mayUseDashboard(user) else { return .notEnoughPrivileges(username: name) }
        }
        return .granted(username: name)
    }

    /// uid 0, or `system-xmlrpc-ha-sync` / `page-all` held directly or through a group.
    public func mayUseSync(_ user: User) -> Bool {
        if user.uid == 0 { return true }
        let held = privileges(of: user)
        return held.contains(Self.syncPrivilege) || held.contains(Self.allPagesPrivilege)
    }

    /// uid 0, or `page-all` held directly or through a group.
    public func mayUseDashboard(_ user: User) -> Bool {
        user.uid == 0 || privileges(of: user).contains(Self.allPagesPrivilege)
    }

    /// The user's own privileges and those of every group it belongs to: groups listing its
    /// uid as `<member>` (pfSense's `local_user_get_groups()`), and the group its
    /// `<groupname>` names (configs before 2.0 record membership there).
    public func privileges(of user: User) -> Set<String> {
        var held = Set(user.privileges)
        for group in groups {
            let member = user.uid.map { group.members.contains($0) } ?? false
            if member || group.name == user.groupName { held.formUnion(group.privileges) }
        }
        return held
    }

    /// `expires` as pfSense writes it, `MM/DD/YYYY`: the last day the account may log in,
    /// as days since 1970-01-01. nil when it does not parse (pfSense then ignores it). The
    /// year stops at 9999: a larger one overflowed the day count and trapped on every login
    /// attempt as that user (found by the `auth` fuzz harness).
    static func day(fromPfSenseDate text: String) -> Int? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d), (1901...9999).contains(y) else { return nil }
        return daysSinceEpoch(year: y, month: m, day: d)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-compatible
    /// low-level date algorithms", `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
