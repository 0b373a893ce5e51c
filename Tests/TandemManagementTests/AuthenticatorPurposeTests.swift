import Testing
import TandemConfig
@testable import TandemManagement

/// The dashboard asks for uid 0 or `page-all`; the XML-RPC sync privilege alone does not
/// open the web pages (pfSense: `system-xmlrpc-ha-sync` is "System: XMLRPC Library" only).
@Suite struct AuthenticatorPurposeTests {
    static let hash = PasswordHash.bcrypt(Crypt.bcrypt("pw", cost: 4)!)

    static func user(_ name: String, uid: Int, privileges: [String] = []) -> User {
        User(name: name, uid: uid, privileges: privileges, password: hash, location: SourceLocation(path: "system/user"))
    }

    static let authenticator = Authenticator(
        users: [user("root", uid: 0), user("syncer", uid: 2001, privileges: ["system-xmlrpc-ha-sync"]),
                user("viewer", uid: 2002), user("grouped", uid: 2003)],
        groups: [UserGroup(name: "admins", members: [2003], privileges: ["page-all"], location: SourceLocation(path: "system/group"))],
        decoy: hash)

    @Test(arguments: [
        ("root", true, true), ("syncer", true, false), ("viewer", false, false), ("grouped", true, true),
    ])
    func privilegeByPurpose(name: String, sync: Bool, dashboard: Bool) {
        let credentials = BasicCredentials(username: name, password: "pw")
        let forSync = Self.authenticator.check(credentials, today: 0, purpose: .xmlrpcSync, verify: PasswordCheck.verify)
        let forDashboard = Self.authenticator.check(credentials, today: 0, purpose: .dashboard, verify: PasswordCheck.verify)
        #expect((forSync == .granted(username: name)) == sync)
        #expect((forDashboard == .granted(username: name)) == dashboard)
        if !dashboard { #expect(forDashboard == .notEnoughPrivileges(username: name)) }
    }
}
