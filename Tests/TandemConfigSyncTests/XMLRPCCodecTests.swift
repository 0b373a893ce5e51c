import Testing
import TandemConfigSync

@Suite struct XMLRPCCodecTests {
    static let samples: [XMLRPCValue] = [
        .int(0), .int(-2_147_483_648), .int(2_147_483_647), .int(1 << 40),
        .boolean(true), .boolean(false),
        .string(""), .string("plain"), .string("a < b && c > d \"q\" 'a'"), .string("line\r\nnext\ttab"),
        .string("ünïcødé ✓ 🛡"), .string("  spaces kept  "),
        .double(0), .double(-1.5), .double(3.141592653589793), .double(1e-7),
        .dateTime("19980717T14:08:55"),
        .base64([]), .base64([0, 1, 2, 0xFF, 0x80]), .base64(Array("config".utf8)),
        .nil,
        .struct([]), .array([]),
        .structure([("b", .int(1)), ("a", .string("x")), ("b", .int(2))]),
        .array([.int(1), .string("two"), .array([.boolean(true)]), .structure([("k", .nil)])]),
    ]

    @Test(arguments: samples)
    func valueRoundTripsInCallAndResponse(_ value: XMLRPCValue) throws {
        let call = XMLRPCCall(methodName: "pfsense.restore_config_section", params: [value, .int(900)])
        #expect(try XMLRPCCodec.decodeCall(XMLRPCCodec.encodeCall(call)) == call)
        let response = XMLRPCResponse.value(value)
        #expect(try XMLRPCCodec.decodeResponse(XMLRPCCodec.encodeResponse(response)) == response)
    }

    @Test func faultRoundTrips() throws {
        let fault = XMLRPCResponse.fault(code: -1, message: "Authentication failed: Invalid username or password")
        #expect(try XMLRPCCodec.decodeResponse(XMLRPCCodec.encodeResponse(fault)) == fault)
    }

    /// As Python's xmlrpc.client writes a call (layout, `<i4>`, untyped string, `<nil/>`).
    @Test func readsPythonLayout() throws {
        let body = """
            <?xml version='1.0'?>
            <methodCall>
            <methodName>pfsense.host_firmware_version</methodName>
            <params>
            <param>
            <value><i4>1</i4></value>
            </param>
            <param>
            <value>untyped text</value>
            </param>
            <param>
            <value><struct>
            <member>
            <name>k</name>
            <value><nil/></value>
            </member>
            </struct></value>
            </param>
            </params>
            </methodCall>
            """
        let call = try XMLRPCCodec.decodeCall(Array(body.utf8))
        #expect(call.methodName == "pfsense.host_firmware_version")
        #expect(call.params == [.int(1), .string("untyped text"), .structure([("k", .nil)])])
    }

    @Test func callWithoutParams() throws {
        let call = try XMLRPCCodec.decodeCall(Array("<methodCall><methodName>x.y</methodName></methodCall>".utf8))
        #expect(call == XMLRPCCall(methodName: "x.y"))
    }

    /// Hostile or malformed bodies are refused with a message that says where.
    @Test(arguments: [
        ("<methodCall><methodName>a</methodName><params><param><value><int>1</int></value>", "not well-formed"),
        ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><methodCall><methodName>&a;</methodName></methodCall>", "DOCTYPE"),
        ("<methodResponse><params><param><value><int>abc</int></value></param></params></methodResponse>", "not a 32-bit integer"),
        ("<methodResponse><params><param><value><int>4294967296</int></value></param></params></methodResponse>", "not a 32-bit integer"),
        ("<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>", "not a boolean"),
        ("<methodResponse><params><param><value><double>nan</double></value></param></params></methodResponse>", "not a finite double"),
        ("<methodResponse><params><param><value><base64>!!!</base64></value></param></params></methodResponse>", "not valid base64"),
        ("<methodResponse><params><param><value><float>1</float></value></param></params></methodResponse>", "unknown type <float>"),
        ("<methodResponse><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodResponse>", "member[1]: a <member> holds"),
        ("<methodResponse><params><param><value><array><value/></array></value></param></params></methodResponse>", "exactly one <data>"),
        ("<methodResponse><params></params></methodResponse>", "exactly one <param>"),
        ("<methodResponse><fault><value><struct></struct></value></fault></methodResponse>", "faultCode"),
        ("<methodCall><methodName>rm -rf</methodName></methodCall>", "method name"),
        ("<methodCall><params/></methodCall>", "missing <methodName>"),
        ("<methodCall><methodName>a</methodName><params>junk<param><value/></param></params></methodCall>", "unexpected text"),
        ("<methodResponse><params><param><value><string>a<b/></string></value></param></params></methodResponse>", "holds text, not elements"),
        ("<html><body>Authentication failed</body></html>", "expected <methodResponse>"),
    ])
    func refuses(_ body: String, _ expected: String) {
        #expect {
            if body.hasPrefix("<methodCall") {
                _ = try XMLRPCCodec.decodeCall(Array(body.utf8))
            } else {
                _ = try XMLRPCCodec.decodeResponse(Array(body.utf8))
            }
        } throws: { error in
            let text = String(describing: error)
            return text.contains(expected)
        }
    }

    @Test func refusesDeepNesting() {
        let depth = 100
        let body = "<methodCall><methodName>a</methodName><params><param>"
            + String(repeating: "<value><array><data>", count: depth) + String(repeating: "</data></array></value>", count: depth)
            + "</param></params></methodCall>"
        #expect(throws: XMLRPCError.self) { try XMLRPCCodec.decodeCall(Array(body.utf8)) }
        // 31 levels are fine.
        let ok = "<methodCall><methodName>a</methodName><params><param>"
            + String(repeating: "<value><array><data>", count: 31) + String(repeating: "</data></array></value>", count: 31)
            + "</param></params></methodCall>"
        #expect(throws: Never.self) { try XMLRPCCodec.decodeCall(Array(ok.utf8)) }
    }

    @Test func refusesOversizedBody() {
        let filler = String(repeating: "a", count: 20 * 1024 * 1024)
        let body = Array("<methodCall><methodName>a</methodName><params><param><value>\(filler)</value></param></params></methodCall>".utf8)
        #expect {
            try XMLRPCCodec.decodeCall(body)
        } throws: { String(describing: $0).contains("more than the limit") }
    }

    /// Every prefix of a valid body is refused, never a crash (a body cut off in transit).
    @Test func truncatedBodiesAreRefused() throws {
        let call = XMLRPCCall(methodName: "pfsense.restore_config_section", params: [
            .structure([("filter", .structure([("rule", .array([.structure([("type", .string("pass")), ("descr", .string("a&b"))])]))]))]),
            .int(900),
        ])
        let bytes = XMLRPCCodec.encodeCall(call)
        let end = bytes.count - 1   // the final newline is optional
        for cut in stride(from: 0, to: end - 1, by: 1) {
            #expect(throws: XMLRPCError.self) { try XMLRPCCodec.decodeCall(Array(bytes[..<cut])) }
        }
    }

    @Test func controlCharactersBecomeReplacementCharacters() throws {
        let call = XMLRPCCall(methodName: "a", params: [.string("x\u{1}y")])
        #expect(try XMLRPCCodec.decodeCall(XMLRPCCodec.encodeCall(call)).params == [.string("x\u{FFFD}y")])
    }
}
