import Crypto
import Foundation

/// The server's side of the dashboard sessions: the pure `WebSessionTable` with a monotonic
/// clock, random identifiers from the OS (`SystemRandomNumberGenerator` reads getrandom(2)),
/// the login-form key made at start (a restart ends every session and every login form, as
/// a restart of pfSense's PHP does), and a one-shot message per session for the next page.
public actor DashboardSessions {
    private var table: WebSessionTable
    private var flashes: [String: ActionOutcome] = [:]
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    let loginTokens: LoginFormToken

    public init(policy: WebSessionTable.Policy = WebSessionTable.Policy()) {
        table = WebSessionTable(policy: policy)
        start = clock.now
        loginTokens = LoginFormToken(key: SymmetricKey(size: .bits256))
    }

    private var now: Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// 32 random bytes in hex.
    nonisolated static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let s = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    public func open(user: String) -> WebSessionTable.Session {
        let t = now
        for id in flashes.keys where table.sessions[id] == nil { flashes[id] = nil }
        return table.open(id: Self.randomToken(), user: user, csrf: Self.randomToken(), now: t)
    }

    public func lookup(_ id: String?) -> WebSessionTable.Lookup {
        table.lookup(id, now: now)
    }

    public func close(_ id: String) {
        table.close(id)
        flashes[id] = nil
    }

    func flash(_ outcome: ActionOutcome, for id: String) { flashes[id] = outcome }

    func takeFlash(for id: String) -> ActionOutcome? {
        defer { flashes[id] = nil }
        return flashes[id]
    }

    public var count: Int { table.sessions.count }
}
