import Testing
@testable import TandemConfig

/// The `<tandem><carp_subsecond/></tandem>` extension: advbase 0 only under the opt-in.
@Suite struct CarpSubsecondTests {
    static func vips(advbase: Int) -> String {
        ConfigValidatorTests.carpVIPs.replacingOccurrences(of: "<advbase>1</advbase>", with: "<advbase>\(advbase)</advbase>")
    }
    static let optIn = "<tandem><carp_subsecond/></tandem>"

    @Test(arguments: [
        (0, "", ["virtualip/vip[1]/advbase: advbase 0 needs <tandem><carp_subsecond/></tandem> (sub-second CARP, only OpenBSD-style peers and Tandem nodes accept it)"]),
        (0, optIn, []),
        (1, "", []),
        (1, optIn, []),
        (255, "", ["virtualip/vip[1]/advbase: advbase 255 is outside 1-254 seconds"]),
        (255, optIn, ["virtualip/vip[1]/advbase: advbase 255 is outside 0-254 seconds"]),
        (0, "<tandem><carp_subsecond>0</carp_subsecond></tandem>",
         ["virtualip/vip[1]/advbase: advbase 0 needs <tandem><carp_subsecond/></tandem> (sub-second CARP, only OpenBSD-style peers and Tandem nodes accept it)"]),
    ])
    func advbaseZeroNeedsTheOptIn(_ advbase: Int, _ extra: String, _ expected: [String]) throws {
        #expect(try messages(Self.vips(advbase: advbase) + extra) == expected)
    }

    @Test func pfSenseFilesDoNotCarryTheOptIn() throws {
        #expect(try !parse(Self.vips(advbase: 1)).carpSubsecond)
        #expect(try parse(Self.vips(advbase: 0) + Self.optIn).carpSubsecond)
    }

    @Test func theSectionSurvivesARoundTrip() throws {
        let text = "<?xml version=\"1.0\"?>\n<pfsense><version>23.3</version>" + Self.optIn + "</pfsense>\n"
        let written = XMLWriter.write(try XMLParser.parse(text))
        #expect(written.contains("<carp_subsecond"))
        #expect(try Config(xml: written).carpSubsecond)
    }
}
