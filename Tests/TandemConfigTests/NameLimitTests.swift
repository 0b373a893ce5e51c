import Testing
@testable import TandemConfig

/// Names that end up in netlink messages are bounded by the validator, as pfSense bounds
/// them (alias names) or as the kernel does (device names).
@Suite struct NameLimitTests {
    static let long = String(repeating: "a", count: 100_000)

    @Test func aHundredThousandCharacterAliasNameIsAnErrorNamingTheElement() throws {
        let errors = try messages("<aliases><alias><name>\(Self.long)</name><type>host</type><address>192.0.2.1</address></alias></aliases>")
        #expect(errors == ["aliases/alias[1]/name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…' (100000 bytes) is not a valid alias name: 100000 characters, at most 31"])
    }

    @Test(arguments: [
        ("abcdefghij_abcdefghij_abcdefghi", nil),  // 31: pfSense's longest
        ("abcdefghij_abcdefghij_abcdefghij", "32 characters, at most 31"),
        ("123", "it may not consist of only numbers"),
        ("___", "it may not consist of only underscores"),
        ("a.b", "only a-z, A-Z, 0-9 and _ are allowed"),
        ("ålias", "only a-z, A-Z, 0-9 and _ are allowed"),
    ] as [(String, String?)])
    func aliasNamesFollowPfSense(_ name: String, _ problem: String?) {
        #expect(ConfigValidator.aliasNameProblem(name) == problem)
    }

    @Test func aHundredThousandCharacterDeviceNameIsAnErrorNamingTheElement() throws {
        let errors = try messages("", interfaces: """
            <interfaces><lan><enable/><if>\(Self.long)</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>
            """)
        #expect(errors == ["interfaces/lan/if: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…' (100000 bytes) is not a valid device name: 100000 bytes, at most 15 (IFNAMSIZ)"])
    }

    @Test(arguments: [
        ("eth0", nil), ("em1.100", nil), ("abcdefghijklmno", nil),
        ("abcdefghijklmnop", "16 bytes, at most 15 (IFNAMSIZ)"),
        ("eth0:1", "'/', ':', NUL and white space are not allowed"),
        ("a b", "'/', ':', NUL and white space are not allowed"),
        ("..", "'.' and '..' are not device names"),
    ] as [(String, String?)])
    func deviceNamesFollowTheKernel(_ name: String, _ problem: String?) {
        #expect(ConfigValidator.deviceNameProblem(name) == problem)
    }

    @Test func aLongInterfaceNameIsAnErrorNamingTheElement() throws {
        let name = String(repeating: "x", count: 40)
        let errors = try messages("", interfaces: """
            <interfaces><\(name)><enable/><if>eth0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></\(name)></interfaces>
            """)
        #expect(errors == ["interfaces/\(name): '\(name)' is not a valid interface name: 40 characters, at most 31"])
    }
}
