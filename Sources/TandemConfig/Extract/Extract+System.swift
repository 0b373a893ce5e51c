extension ConfigExtractor {
    mutating func system() -> SystemConfig {
        guard let element = root.child("system") else { return SystemConfig() }
        let r = ItemReader(element, path: "system")
        var s = SystemConfig(location: r.location)
        s.hostname = r.string("hostname")
        s.domain = r.string("domain")
        s.timeservers = r.list("timeservers", separators: .whitespace)
        s.timezone = r.nonEmpty("timezone")
        s.dnsServers = r.strings("dnsserver").filter { !$0.isEmpty }
        s.dnsAllowOverride = r.flag("dnsallowoverride")
        s.webgui = WebGUI(webProtocol: r.word("webgui/protocol", as: WebGUI.WebProtocol.self, &issues),
                          port: nil, noAntiLockout: r.flag("webgui/noantilockout"),
                          sslCertRef: r.nonEmpty("webgui/ssl-certref"), authMode: r.nonEmpty("webgui/authmode"))
        if let port = r.int("webgui/port", &issues) {
            if let p = UInt16(exactly: port), p > 0 {
                s.webgui.port = p
            } else {
                issues.append(r.error("'\(port)' is not a port (1-65535)", field: "webgui/port"))
            }
        }
        s.users = listItems(element.children("user")).map { i, e in user(e, path: itemPath("system", "user", i)) }
        if let name = r.nonEmpty("username") {
            s.legacyUser = User(name: name, uid: 0, password: r.nonEmpty("password").map(PasswordHash.crypt),
                                location: SourceLocation(path: "system/username", position: element.child("username")?.position))
        }
        s.groups = listItems(element.children("group")).map { i, e in group(e, path: itemPath("system", "group", i)) }
        s.nextUID = r.int("nextuid", &issues)
        s.nextGID = r.int("nextgid", &issues)
        s.disableReplyTo = r.flag("disablereplyto")
        s.ruleGroups = r.flag("tandem/rulegroups")
        s.natReflectionDisabled = r.flag("disablenatreflection")
        s.natReflectionPureNAT = r.flag("enablenatreflectionpurenat")
        return s
    }

    mutating func user(_ element: XMLElement, path: String) -> User {
        let r = ItemReader(element, path: path)
        var u = User(name: r.string("name") ?? "", location: r.location)
        u.descr = r.raw("descr")
        u.scope = r.nonEmpty("scope")
        u.groupName = r.nonEmpty("groupname")
        u.uid = r.int("uid", &issues)
        u.privileges = r.strings("priv")
        u.expires = r.nonEmpty("expires")
        u.authorizedKeys = r.nonEmpty("authorizedkeys")
        u.disabled = r.flag("disabled")
        // Current pfSense clears all four fields and writes one (`local_user_set_password()`);
        // read them newest first.
        if let h = r.nonEmpty("bcrypt-hash") {
            u.password = .bcrypt(h)
        } else if let h = r.nonEmpty("sha512-hash") {
            u.password = .sha512(h)
        } else if let h = r.nonEmpty("md5-hash") {
            u.password = .md5(h)
        } else if let h = r.nonEmpty("password") {
            u.password = .crypt(h)
        }
        return u
    }

    mutating func group(_ element: XMLElement, path: String) -> UserGroup {
        let r = ItemReader(element, path: path)
        var g = UserGroup(name: r.string("name") ?? "", location: r.location)
        g.description = r.raw("description")
        g.scope = r.nonEmpty("scope")
        g.gid = r.int("gid", &issues)
        for (i, m) in r.strings("member").enumerated() where !m.isEmpty {
            if let uid = Int(m) {
                g.members.append(uid)
            } else {
                let field = element.children("member").count > 1 ? "member[\(i + 1)]" : "member"
                issues.append(r.error("'\(m)' is not a uid", field: field))
            }
        }
        g.privileges = r.strings("priv")
        return g
    }
}
