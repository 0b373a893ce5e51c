import Testing
import TandemConfig
@testable import TandemManagement

@Suite struct UserEditTests {
    static let base = """
    <?xml version="1.0"?>
    <pfsense>
    \t<version>23.3</version>
    \t<system>
    \t\t<hostname>fw</hostname>
    \t\t<group>
    \t\t\t<name>admins</name>
    \t\t\t<scope>system</scope>
    \t\t\t<gid>1999</gid>
    \t\t\t<member>0</member>
    \t\t\t<priv>page-all</priv>
    \t\t</group>
    \t\t<user>
    \t\t\t<name>admin</name>
    \t\t\t<scope>system</scope>
    \t\t\t<bcrypt-hash>$2b$10$OeNS76/8ErsBqZOVC/aZj.KXWg1Opm.d/vY.xrrgWKmkZnqv1vCB6</bcrypt-hash>
    \t\t\t<uid>0</uid>
    \t\t</user>
    \t\t<nextuid>2000</nextuid>
    \t\t<nextgid>2000</nextgid>
    \t</system>
    </pfsense>

    """

    @Test func addPasswdDeleteAsPfSenseWritesThem() throws {
        var doc = try ConfigDocument(text: Self.base)
        let hash = try #require(Crypt.bcrypt("johnpw", cost: 4))
        let uid = try UserEdit.add(name: "john", bcryptHash: hash, groups: ["admins"], to: &doc)
        #expect(uid == 2000)
        let system = doc.config.system
        let john = try #require(system.user(named: "john"))
        #expect(john.uid == 2000 && john.scope == "user")
        #expect(system.nextUID == 2001)
        #expect(system.groups.first?.members == [0, 2000])
        let auth = Authenticator(system: system, decoy: .bcrypt(""))
        #expect(auth.mayUseSync(john))
        #expect(auth.check(BasicCredentials(username: "john", password: "johnpw"), today: 0,
                           verify: PasswordCheck.verify) == .granted(username: "john"))
        // Written as pfSense lays a new element out, and it parses back to the same model.
        let text = doc.serialized()
        #expect(text.contains("\t\t<user>\n\t\t\t<scope>user</scope>\n\t\t\t<bcrypt-hash>\(hash)</bcrypt-hash>"))
        #expect(try ConfigDocument(text: text).config == doc.config)

        let second = try #require(Crypt.bcrypt("other", cost: 4))
        try UserEdit.setPassword(name: "john", bcryptHash: second, in: &doc)
        #expect(doc.config.system.user(named: "john")?.password == .bcrypt(second))

        try UserEdit.delete(name: "john", from: &doc)
        #expect(doc.config.system.user(named: "john") == nil)
        #expect(doc.config.system.groups.first?.members == [0])
        // Nothing of john is left, not even a blank line.
        #expect(try ConfigDocument(text: doc.serialized()).serialized().contains("\n\t\t\n") == false)
        #expect(doc.config.system.nextUID == 2001)
    }

    @Test(arguments: [
        ("admin", "already exists"), ("root", "reserved"), ("a b", "only letters"),
        (String(repeating: "x", count: 33), "1 to 32"), ("", "1 to 32"),
    ])
    func refusedNames(_ name: String, _ message: String) throws {
        var doc = try ConfigDocument(text: Self.base)
        #expect { try UserEdit.add(name: name, bcryptHash: "x", groups: [], to: &doc) } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func refusedEdits() throws {
        var doc = try ConfigDocument(text: Self.base)
        #expect(throws: UserEdit.Failure.self) { try UserEdit.add(name: "ann", bcryptHash: "x", groups: ["nogroup"], to: &doc) }
        #expect(throws: UserEdit.Failure.self) { try UserEdit.delete(name: "admin", from: &doc) }
        #expect(throws: UserEdit.Failure.self) { try UserEdit.setPassword(name: "ghost", bcryptHash: "x", in: &doc) }
    }
}
