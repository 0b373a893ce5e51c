import Foundation
import Testing
import TandemConfig
@testable import TandemManagement

/// Authentication as pfSense's `xmlrpc_auth()` decides it, against real hashes: the corpus's
/// pfsensible-users.xml (admin/pfsense as shipped, testdel/changeme) and hashes made here.
@Suite struct AuthenticatorTests {
    static let corpusUsers: SystemConfig? = {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var candidates = [package.deletingLastPathComponent().appendingPathComponent("shared/corpus/pfsensible-users.xml")]
        if let env = ProcessInfo.processInfo.environment["TANDEM_CORPUS"] {
            candidates.insert(URL(fileURLWithPath: env).appendingPathComponent("pfsensible-users.xml"), at: 0)
        }
        for url in candidates {
            if let data = try? Data(contentsOf: url), let doc = try? ConfigDocument(bytes: Array(data)) {
                return doc.config.system
            }
        }
        print("AuthenticatorTests: corpus cases skipped, no pfsensible-users.xml next to the package")
        return nil
    }()

    static let decoy = PasswordHash.bcrypt(Crypt.bcrypt("decoy", cost: 4)!)

    struct Case: Sendable, CustomTestStringConvertible {
        var user: String
        var password: String
        var fault: Int?
        var testDescription: String { "\(user)/\(password) -> \(fault.map(String.init) ?? "granted")" }
    }

    @Test(arguments: [
        Case(user: "admin", password: "pfsense", fault: nil),          // uid 0, $2b$10$
        Case(user: "admin", password: "pfSense", fault: -1),
        Case(user: "testdel", password: "changeme", fault: -2),        // uid 2000, page-dashboard-all only
        Case(user: "testdel", password: "wrong", fault: -1),
        Case(user: "nobody", password: "pfsense", fault: -1),
    ])
    func corpusUsers(_ c: Case) throws {
        guard let system = Self.corpusUsers else { return }
        let auth = Authenticator(system: system, decoy: Self.decoy)
        let header = BasicCredentials(username: c.user, password: c.password).header
        let decision = auth.check(header: header, today: 20000, verify: PasswordCheck.verify)
        #expect(decision.faultCode == c.fault, "\(decision)")
    }

    static func user(_ name: String, uid: Int, hash: PasswordHash?, privileges: [String] = [], groupName: String? = nil,
                     disabled: Bool = false, expires: String? = nil) -> User {
        User(name: name, groupName: groupName, uid: uid, privileges: privileges, expires: expires, disabled: disabled,
             password: hash, location: SourceLocation(path: "system/user"))
    }

    static let table: Authenticator = {
        let y = PasswordHash.bcrypt(Crypt.hash("pw", setting: "$2y$04$abcdefghijklmnopqrstuu")!)
        let b = PasswordHash.bcrypt(Crypt.bcrypt("pw", cost: 4)!)
        let sha = PasswordHash.sha512(Crypt.hash("pw", setting: "$6$saltsalt$")!)
        let md5crypt = PasswordHash.crypt(Crypt.hash("pw", setting: "$1$saltsalt$")!)
        let md5 = PasswordHash.md5("8fe4c11451281c094a6578e6ddbf5eed") // md5("pw")
        let users = [
            user("root", uid: 0, hash: y),
            user("syncer", uid: 2001, hash: b, privileges: ["system-xmlrpc-ha-sync"]),
            user("viaadmins", uid: 2002, hash: sha),
            user("viagroupname", uid: 2003, hash: md5crypt, groupName: "syncers"),
            user("dashboard", uid: 2004, hash: md5, privileges: ["page-dashboard-all"]),
            user("off", uid: 2005, hash: b, privileges: ["page-all"], disabled: true),
            user("old", uid: 2006, hash: b, privileges: ["page-all"], expires: "01/31/2020"),
            user("fresh", uid: 2007, hash: b, privileges: ["page-all"], expires: "12/31/2099"),
            user("nohash", uid: 2008, hash: nil, privileges: ["page-all"]),
        ]
        let groups = [
            UserGroup(name: "admins", gid: 1999, members: [0, 2002], privileges: ["page-all"],
                      location: SourceLocation(path: "system/group")),
            UserGroup(name: "syncers", gid: 2000, members: [], privileges: ["system-xmlrpc-ha-sync"],
                      location: SourceLocation(path: "system/group")),
        ]
        return Authenticator(users: users, groups: groups, decoy: decoy)
    }()

    @Test(arguments: [
        Case(user: "root", password: "pw", fault: nil),             // $2y$, uid 0
        Case(user: "syncer", password: "pw", fault: nil),           // $2b$, direct privilege
        Case(user: "viaadmins", password: "pw", fault: nil),        // sha512-hash, page-all through admins
        Case(user: "viagroupname", password: "pw", fault: nil),     // md5-crypt, group by <groupname>
        Case(user: "dashboard", password: "pw", fault: -2),         // md5-hash, no sync privilege
        Case(user: "dashboard", password: "px", fault: -1),
        Case(user: "off", password: "pw", fault: -1),
        Case(user: "old", password: "pw", fault: -1),
        Case(user: "fresh", password: "pw", fault: nil),
        Case(user: "nohash", password: "", fault: -1),
        Case(user: "", password: "", fault: -1),
    ])
    func table(_ c: Case) {
        let header = BasicCredentials(username: c.user, password: c.password).header
        let today = Authenticator.daysSinceEpoch(year: 2026, month: 12, day: 7)
        let decision = Self.table.check(header: header, today: today, verify: PasswordCheck.verify)
        #expect(decision.faultCode == c.fault, "\(decision)")
    }

    @Test(arguments: [nil, "", "Bearer abc", "Basic", "Basic !!!", "Basic " + Data("nocolon".utf8).base64EncodedString()])
    func unusableHeaders(_ header: String?) {
        let decision = Self.table.check(header: header, today: 0, verify: PasswordCheck.verify)
        #expect(decision.faultCode == -1)
        #expect(decision.faultString == "Authentication failed: Invalid username or password")
    }

    @Test func basicHeaderKeepsColonsInThePassword() throws {
        let c = try #require(BasicCredentials(header: "basic " + Data("u:a:b".utf8).base64EncodedString()))
        #expect(c.username == "u" && c.password == "a:b")
    }

    /// An unknown user's request checks the decoy hash: the same work as a wrong password.
    @Test func unknownUserChecksTheDecoy() {
        var checked: [PasswordHash] = []
        let header = BasicCredentials(username: "ghost", password: "x").header
        _ = Self.table.check(header: header, today: 0) { _, hash in checked.append(hash); return false }
        #expect(checked == [Self.decoy])
    }

    @Test func expiryDates() {
        #expect(Authenticator.day(fromPfSenseDate: "01/01/1970") == 0)
        #expect(Authenticator.day(fromPfSenseDate: "03/01/2000") == 11017)
        #expect(Authenticator.day(fromPfSenseDate: "13/01/2000") == nil)
        #expect(Authenticator.decoyCost(for: []) == 10)
    }

    /// Regression (fuzzing, `auth` harness): a year of 17+ digits in `<expires>` overflowed
    /// the day count, so any login attempt as that user trapped the daemon. Such a year is
    /// now not a date, which pfSense ignores too.
    @Test func aHugeExpiryYearIsNotADate() {
        #expect(Authenticator.day(fromPfSenseDate: "12/31/99999999999999999") == nil)
        #expect(Authenticator.day(fromPfSenseDate: "12/31/9999") == Authenticator.daysSinceEpoch(year: 9999, month: 12, day: 31))
        let table = Authenticator(users: [User(name: "far", uid: 0, expires: "12/31/99999999999999999",
                                               password: .md5("x"), location: SourceLocation(path: "config.xml"))],
                                  groups: [], decoy: .md5("y"))
        let decision = table.check(header: BasicCredentials(username: "far", password: "p").header, today: 20_000) { _, _ in true }
        #expect(decision == .granted(username: "far"))
    }
}
