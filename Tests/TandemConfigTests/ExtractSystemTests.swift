import Testing
@testable import TandemConfig

@Suite struct ExtractSystemTests {
    @Test func systemFields() throws {
        let s = try parse("""
            <system><hostname>primaryfw</hostname><domain>vmlab.corp</domain>
            <timeservers>0.pool.ntp.org 1.pool.ntp.org</timeservers><timezone>Etc/UTC</timezone>
            <dnsserver>192.0.2.53</dnsserver><dnsserver>198.51.100.53</dnsserver><dnsallowoverride/>
            <webgui><protocol>https</protocol><port>8443</port><noantilockout></noantilockout><ssl-certref>abc</ssl-certref></webgui>
            <nextuid>2001</nextuid><nextgid>2000</nextgid><disablereplyto/></system>
            """).system
        #expect(s.fqdn == "primaryfw.vmlab.corp")
        #expect(s.timeservers == ["0.pool.ntp.org", "1.pool.ntp.org"])
        #expect(s.dnsServers == ["192.0.2.53", "198.51.100.53"])
        #expect(s.dnsAllowOverride && s.disableReplyTo)
        #expect(s.webgui == WebGUI(webProtocol: .https, port: 8443, noAntiLockout: true, sslCertRef: "abc"))
        #expect(s.nextUID == 2001)
    }

    @Test func webguiPortDefaultsByProtocol() throws {
        #expect(try parse("<system><webgui><protocol>http</protocol><port></port></webgui></system>").system.webgui.effectivePort == 80)
        #expect(try parse("<system><webgui><protocol>https</protocol></webgui></system>").system.webgui.effectivePort == 443)
    }

    @Test(arguments: [
        ("<bcrypt-hash>$2b$10$x</bcrypt-hash>", PasswordHash.bcrypt("$2b$10$x")),
        ("<sha512-hash>$6$y</sha512-hash>", .sha512("$6$y")),
        ("<md5-hash>abc</md5-hash>", .md5("abc")),
        ("<password>$1$z</password>", .crypt("$1$z")),
        ("<password></password><bcrypt-hash>$2y$10$w</bcrypt-hash>", .bcrypt("$2y$10$w")),
    ])
    func passwordFields(_ xml: String, _ expected: PasswordHash) throws {
        let users = try parse("<system><user><name>admin</name><uid>0</uid>\(xml)</user></system>").system.users
        #expect(users.count == 1)
        #expect(users[0].password == expected)
    }

    @Test func usersAndGroups() throws {
        let s = try parse("""
            <system><group><name>admins</name><description><![CDATA[System Administrators]]></description>
            <scope>system</scope><gid>1999</gid><member>0</member><member>2000</member><priv>page-all</priv></group>
            <user><name>admin</name><descr><![CDATA[System Administrator]]></descr><scope>system</scope>
            <groupname>admins</groupname><uid>0</uid><priv>user-shell-access</priv><disabled/></user></system>
            """).system
        #expect(s.groups.map(\.name) == ["admins"])
        #expect(s.groups[0].members == [0, 2000])
        #expect(s.groups[0].privileges == ["page-all"])
        #expect(s.users[0].descr == "System Administrator")
        #expect(s.users[0].privileges == ["user-shell-access"])
        #expect(s.users[0].disabled)
        #expect(s.users[0].location.path == "system/user[1]")
    }

    /// Config 2.9 (pfSense 1.2.3) has a single `system/username` + `system/password`.
    @Test func legacySingleUser() throws {
        let s = try parse("<system><username>admin</username><password>$1$dSJImFph$GvZ7.1UbuWu.Yb8etC0re.</password></system>").system
        #expect(s.users.isEmpty)
        #expect(s.legacyUser?.name == "admin")
        #expect(s.legacyUser?.password == .crypt("$1$dSJImFph$GvZ7.1UbuWu.Yb8etC0re."))
        #expect(s.user(named: "admin") != nil)
    }
}
