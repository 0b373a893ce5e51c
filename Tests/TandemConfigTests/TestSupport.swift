import Testing
@testable import TandemConfig

/// Wraps section XML in a `<pfsense>` document with the reference scenario's interfaces
/// (wan 198.51.100.2/24, lan 192.0.2.2/24, opt1 203.0.113.1/30) unless `interfaces` is given.
func document(_ body: String, version: String = "23.3", interfaces: String? = nil) -> String {
    let ifs = interfaces ?? """
        <interfaces>
        <wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan>
        <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
        <opt1><enable></enable><if>sync0</if><descr>SYNC</descr><ipaddr>203.0.113.1</ipaddr><subnet>30</subnet></opt1>
        </interfaces>
        """
    return "<?xml version=\"1.0\"?>\n<pfsense>\n<version>\(version)</version>\n\(ifs)\n\(body)\n</pfsense>\n"
}

func parse(_ body: String, version: String = "23.3", interfaces: String? = nil) throws -> Config {
    try Config(xml: document(body, version: version, interfaces: interfaces))
}

/// Validation messages as `PATH: message` (warnings prefixed), without file positions.
func messages(_ body: String, interfaces: String? = nil) throws -> [String] {
    let config = try parse(body, interfaces: interfaces)
    return ConfigValidator.validate(config).map { d in
        (d.severity == .warning ? "warning: " : "") + (d.path.isEmpty ? "" : d.path + ": ") + d.message
    }
}
