import Testing
@testable import TandemManagement

/// Sessions with time passed in: idle and absolute expiry, logout, eviction, CSRF.
@Suite struct WebSessionTableTests {
    let policy = WebSessionTable.Policy(idle: 100, absolute: 1000, capacity: 3)

    @Test func activeUntilIdleTimeout() {
        var table = WebSessionTable(policy: policy)
        _ = table.open(id: "a", user: "admin", csrf: "t", now: 0)
        guard case .active(let s) = table.lookup("a", now: 99) else { Issue.record("expected active"); return }
        #expect(s.user == "admin" && s.lastSeen == 99)
        // Each request restarts the idle time.
        #expect(table.lookup("a", now: 198) != .expired)
        #expect(table.lookup("a", now: 299) == .expired)
        // Gone after it expired once.
        #expect(table.lookup("a", now: 300) == .unknown)
    }

    @Test func absoluteLifetimeEndsABusySession() {
        var table = WebSessionTable(policy: policy)
        _ = table.open(id: "a", user: "admin", csrf: "t", now: 0)
        // A request every 50 s keeps it from idling out, up to the absolute lifetime.
        for t in stride(from: 50.0, through: 1000, by: 50) {
            #expect(table.lookup("a", now: t) != .expired, "at \(t) s")
        }
        #expect(table.lookup("a", now: 1001) == .expired)
        #expect(table.lookup("a", now: 1002) == .unknown)
    }

    @Test func logoutAndUnknownCookies() {
        var table = WebSessionTable(policy: policy)
        _ = table.open(id: "a", user: "admin", csrf: "t", now: 0)
        #expect(table.lookup(nil, now: 1) == .unknown)
        #expect(table.lookup("b", now: 1) == .unknown)
        table.close("a")
        #expect(table.lookup("a", now: 2) == .unknown)
    }

    @Test func leastRecentlyUsedIsEvictedWhenFull() {
        var table = WebSessionTable(policy: policy)
        for (i, id) in ["a", "b", "c"].enumerated() { _ = table.open(id: id, user: "u", csrf: id, now: Double(i)) }
        _ = table.lookup("a", now: 10)  // a is now the most recent
        _ = table.open(id: "d", user: "u", csrf: "d", now: 11)
        #expect(table.sessions.count == 3)
        #expect(table.lookup("b", now: 12) == .unknown)
        #expect(table.lookup("a", now: 12) != .unknown)
    }

    @Test(arguments: [("secret", true), ("secreT", false), ("", false), ("secret2", false)])
    func csrfToken(token: String, ok: Bool) {
        var table = WebSessionTable(policy: policy)
        let s = table.open(id: "a", user: "u", csrf: "secret", now: 0)
        #expect(WebSessionTable.csrfMatches(s, token: token) == ok)
        #expect(!WebSessionTable.csrfMatches(s, token: nil))
    }
}
