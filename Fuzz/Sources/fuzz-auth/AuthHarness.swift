import Foundation
import FuzzInput
import TandemConfig
import TandemManagement

/// The management endpoint's authentication path: an `Authorization` header from anyone who
/// reaches the port, judged against users and groups as config.xml (or a config-sync peer)
/// defines them, including the account's `<expires>` date and its privileges
/// (`pfsense/pfsense:src/usr/local/www/xmlrpc.php` xmlrpc_auth). The input chooses the
/// header, then each user's fields. Passwords are MD5 hashes here (one hash per run:
/// bcrypt at cost 10 would limit the run to a few executions per second; `Crypt` is a thin
/// wrapper of crypt_r(3)). Only a user with the right password, enabled, unexpired and with
/// the sync privilege may be granted.
func fuzzAuth(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var input = FuzzInput(data, size)
    let header = String(decoding: input.blob(maximum: 200), as: UTF8.self)
    let privileges = ["system-xmlrpc-ha-sync", "page-all", "page-dashboard", ""]
    var users: [User] = []
    var groups: [UserGroup] = []
    let here = SourceLocation(path: "config.xml")
    for index in 0..<(1 + input.below(3)) {
        let name = input.bool() ? ["admin", "sync", "a:b", ""][index] : String(decoding: input.blob(maximum: 12), as: UTF8.self)
        let expires: String? = input.bool() ? String(decoding: input.blob(maximum: 40), as: UTF8.self) : nil
        let password: PasswordHash? = input.bool() ? .md5(input.bool() ? secretMD5 : String(decoding: input.blob(maximum: 40), as: UTF8.self)) : nil
        users.append(User(name: name, groupName: input.bool() ? "admins" : nil, uid: input.bool() ? Int(input.u8()) : nil,
                          privileges: [privileges[input.below(privileges.count)]], expires: expires,
                          disabled: input.bool(), password: password, location: here))
    }
    if input.bool() {
        groups.append(UserGroup(name: "admins", members: [Int(input.u8())], privileges: [privileges[input.below(privileges.count)]],
                                location: here))
    }
    let authenticator = Authenticator(users: users, groups: groups, decoy: .md5(secretMD5))
    _ = Authenticator.decoyCost(for: users)
    let today = 20_000 + Int(input.u16())  // days since 1970: 2024 onwards
    let decision = authenticator.check(header: header, today: today) { PasswordCheck.verify($0, against: $1) }

    if case .granted(let name) = decision {
        let credentials = BasicCredentials(header: header)
        fuzzCheck(credentials?.username == name, "granted \(name) for another header")
        let user = users.first { $0.name == name }
        fuzzCheck(user.map { !$0.disabled && authenticator.mayUseSync($0) } ?? false, "granted a disabled or unprivileged user")
        fuzzCheck(user?.password.map { PasswordCheck.verify(credentials?.password ?? "", against: $0) } ?? false,
                  "granted without the password")
    }
}

/// MD5 of "secret", as pfSense's legacy `<md5-hash>` stores it.
private let secretMD5 = "5ebe2294ecd0e0f08eab7690d2a6ee69"
