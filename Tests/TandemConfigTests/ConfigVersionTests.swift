import Testing
@testable import TandemConfig

@Suite struct ConfigVersionTests {
    @Test(arguments: [("2.9", "10.3", true), ("9.8", "10.1", true), ("23.09.1", "23.9", false),
                      ("23.9", "23.09.1", true), ("22.2", "23.0", true), ("23.0", "23.3", true),
                      ("24.5", "24.5", false), ("18.9", "18.10", true)])
    func comparesNumericallyPerComponent(_ a: String, _ b: String, _ less: Bool) throws {
        #expect((ConfigVersion(a)! < ConfigVersion(b)!) == less)
    }

    @Test func equalIgnoringTrailingZeros() {
        #expect(ConfigVersion("23.0") == ConfigVersion("23"))
        #expect(ConfigVersion("23.09") == ConfigVersion("23.9"))
    }

    @Test(arguments: ["", "v9", "1..2", "23.x", "-1"])
    func rejectsNonNumeric(_ text: String) {
        #expect(ConfigVersion(text) == nil)
    }

    /// Only the root's own `<version>` counts (OPNsense nests `<version>v9</version>`).
    @Test func readsOnlyTheRootsVersion() throws {
        let c = try Config(xml: "<opnsense><OPNsense><Netflow><version>v9</version></Netflow></OPNsense><version>11.2</version></opnsense>")
        #expect(c.flavor == .opnsense)
        #expect(c.version == ConfigVersion("11.2"))
        #expect(c.issues.isEmpty)
        #expect(try Config(xml: "<opnsense/>").version == nil)
    }
}
