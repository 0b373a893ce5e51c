import TandemConfig

/// Edits of `system/user` and `system/group` as pfSense's user manager writes them
/// (`pfsense/pfsense:src/usr/local/www/system_usermanager.php`, `auth.inc`
/// `local_user_set_password()`, `local_user_set_groups()`): the password as `bcrypt-hash`,
/// the uid taken from `system/nextuid` (2000 when empty) which then moves on, membership as
/// the uid in each group's `<member>` list. Pure: the hash is made by the caller.
public enum UserEdit {
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// Names the OS or pfSense reserves (`system_usermanager.php` refuses system accounts).
    static let reserved: Set<String> = ["root", "toor", "daemon", "operator", "bin", "tty", "kmem", "www", "nobody",
                                        "sshd", "unbound", "dhcpd", "_tandem"]

    /// pfSense's rule: letters, digits, `.`, `-`, `_`, at most 32 characters.
    public static func validate(name: String) throws(Failure) {
        guard !name.isEmpty, name.count <= 32 else {
            throw Failure("user name '\(name)': expected 1 to 32 characters")
        }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            throw Failure("user name '\(name)': expected only letters, digits, '.', '-' and '_'")
        }
        guard !reserved.contains(name) else { throw Failure("user name '\(name)' is reserved for the system") }
    }

    /// Adds a user; returns its uid.
    @discardableResult
    public static func add(name: String, bcryptHash: String, groups: [String], description: String? = nil,
                           to document: inout ConfigDocument) throws(Failure) -> Int {
        try validate(name: name)
        let system = document.config.system
        guard system.user(named: name) == nil else { throw Failure("user '\(name)' already exists") }
        for group in groups where !system.groups.contains(where: { $0.name == group }) {
            throw Failure("group '\(group)' does not exist (system/group)")
        }
        let used = Set(system.allUsers.compactMap(\.uid))
        var uid = max(system.nextUID ?? 2000, 2000)
        while used.contains(uid) { uid += 1 }
        var user = XMLElement(name: "user")
        user.appendElement(.leaf("scope", "user"))
        user.appendElement(.leaf("bcrypt-hash", bcryptHash))
        user.appendElement(.leaf("descr", description ?? ""))
        user.appendElement(.leaf("name", name))
        user.appendElement(.leaf("expires", ""))
        user.appendElement(.leaf("dashboardcolumns", "2"))
        user.appendElement(.leaf("authorizedkeys", ""))
        user.appendElement(.leaf("ipsecpsk", ""))
        user.appendElement(.leaf("webguicss", "pfSense.css"))
        user.appendElement(.leaf("uid", String(uid)))
        document.edit { root in
            root.appendElement(user, at: "system")
            root.setValue(String(uid + 1), at: "system/nextuid")
            editGroups(&root) { group in
                guard let groupName = group.child("name")?.text, groups.contains(groupName) else { return }
                group.appendElement(.leaf("member", String(uid)))
            }
        }
        return uid
    }

    public static func setPassword(name: String, bcryptHash: String, in document: inout ConfigDocument) throws(Failure) {
        guard document.config.system.users.contains(where: { $0.name == name }) else {
            throw Failure("no user '\(name)' in system/user")
        }
        document.edit { root in
            editUsers(&root) { user in
                guard user.child("name")?.text == name else { return }
                // One stored form: older ones are dropped (pfSense's local_user_set_password()).
                for old in ["sha512-hash", "md5-hash", "password"] { user.removeElements(named: old) }
                user.setValue(bcryptHash, at: "bcrypt-hash")
            }
        }
    }

    /// Removes a user and its group memberships. uid 0 and system-scope users stay (pfSense
    /// refuses to delete them).
    public static func delete(name: String, from document: inout ConfigDocument) throws(Failure) {
        guard let user = document.config.system.users.first(where: { $0.name == name }) else {
            throw Failure("no user '\(name)' in system/user")
        }
        if user.uid == 0 || user.scope == "system" {
            throw Failure("user '\(name)' is a system account (uid \(user.uid.map(String.init) ?? "?"), scope system) and cannot be deleted")
        }
        document.edit { root in
            guard var system = root.child("system") else { return }
            removeChildren(of: &system) { $0.name == "user" && $0.child("name")?.text == name }
            root.setElement(system, at: "system")
            if let uid = user.uid {
                editGroups(&root) { group in
                    removeChildren(of: &group) { $0.name == "member" && $0.text == String(uid) }
                }
            }
        }
    }

    /// Removes matching child elements with the layout text before each, so no blank line
    /// is left behind.
    static func removeChildren(of parent: inout XMLElement, where match: (XMLElement) -> Bool) {
        var i = 0
        while i < parent.children.count {
            guard let e = parent.children[i].element, match(e) else { i += 1; continue }
            parent.children.remove(at: i)
            if i > 0, parent.children[i - 1].isLayout {
                parent.children.remove(at: i - 1)
                i -= 1
            }
        }
    }

    private static func editUsers(_ root: inout XMLElement, _ body: (inout XMLElement) -> Void) {
        editChildren(named: "user", &root, body)
    }

    private static func editGroups(_ root: inout XMLElement, _ body: (inout XMLElement) -> Void) {
        editChildren(named: "group", &root, body)
    }

    private static func editChildren(named name: String, _ root: inout XMLElement, _ body: (inout XMLElement) -> Void) {
        guard var system = root.child("system") else { return }
        for i in system.children.indices {
            guard case .element(var e) = system.children[i], e.name == name else { continue }
            body(&e)
            system.children[i] = .element(e)
        }
        root.setElement(system, at: "system")
    }
}
