import Foundation
import TandemAddress

/// Builds the typed `Config` from a document tree. Values that cannot be typed are left nil
/// and recorded in `issues` at their position; nothing throws, so the validator can report
/// every problem at once.
struct ConfigExtractor {
    let root: XMLElement
    var issues: [ConfigDiagnostic] = []
    /// Internal interface names, known before rules are read so that `<network>lan</network>`
    /// and `<network>lanip</network>` can be told from alias names.
    var interfaceNames: Set<String> = []

    init(root: XMLElement, interfaceNames: Set<String> = []) {
        self.root = root
        self.interfaceNames = interfaceNames
    }

    mutating func extract(flavor: ConfigFlavor) -> Config {
        var config = Config(flavor: flavor)
        config.version = version()
        config.interfaces = interfaces()
        interfaceNames = Set(config.interfaces.map(\.name))
        config.system = system()
        (config.gateways, config.defaultGatewayV4, config.defaultGatewayV6) = gateways()
        config.gatewayGroups = gatewayGroups()
        config.interfaceGroups = root.child("ifgroups")?.children("ifgroupentry")
            .compactMap { $0.child("ifname")?.text.trimmed }.filter { !$0.isEmpty } ?? []
        config.staticRoutes = staticRoutes()
        config.aliases = aliases()
        config.schedules = schedules()
        config.filterRules = filterRules()
        config.outboundNAT = outboundNAT()
        config.portForwards = portForwards()
        config.virtualIPs = virtualIPs()
        config.carpMaintenanceMode = ItemReader.flag(root.child("virtualip_carp_maintenancemode"))
        config.carpSubsecond = ItemReader.flag(root.child("tandem")?.child("carp_subsecond"))
        config.metrics = metricsSettings()
        config.hasync = hasync()
        config.dhcpd = dhcpScopes()
        config.unbound = unbound()
        config.revision = revision()
        mvcUnappliedSections()
        config.issues = issues
        return config
    }

    /// Only the root's direct `<version>` child counts: nested elements share the name
    /// (pfsense-config.md §14).
    mutating func version() -> ConfigVersion? {
        guard let element = root.child("version") else { return nil }
        let text = element.text.trimmed
        guard let v = ConfigVersion(text) else {
            issues.append(ConfigDiagnostic(.error, path: "version", position: element.position,
                                           message: "'\(text)' is not a dotted version number"))
            return nil
        }
        return v
    }

    func revision() -> ChangeStamp? {
        guard let element = root.child("revision") else { return nil }
        let r = ItemReader(element, path: "revision")
        return ChangeStamp(time: r.nonEmpty("time").flatMap(Double.init), username: r.raw("username"),
                           description: r.raw("description"))
    }

    /// Classifies a `<network>` value of a rule endpoint (`util.inc` special nets).
    func specialNetwork(_ text: String) -> EndpointAddress {
        if text == "(self)" { return .thisFirewall }
        if text == "any" { return .any }
        if interfaceNames.contains(text) { return .interfaceNetwork(text) }
        if text.hasSuffix("ip"), interfaceNames.contains(String(text.dropLast(2))) {
            return .interfaceAddress(String(text.dropLast(2)))
        }
        if let n = IPNetwork(text) { return .network(n) }
        return .alias(text)
    }

    /// A rule's `source` or `destination`. Its element is looked up once and its few
    /// children read from it directly (issue #3: a 50k-rule config reads 100k endpoints).
    func endpoint(_ r: ItemReader, _ field: String) -> RuleEndpoint {
        endpoint(r.child(field))
    }

    private func endpoint(_ side: XMLElement?) -> RuleEndpoint {
        var e = RuleEndpoint()
        guard let side else { return e }
        e.negated = ItemReader.flag(side.child("not"))
        if side.child("any") != nil {
            e.address = .any
        } else if let n = ItemReader.nonEmpty(side.child("network")) {
            e.address = specialNetwork(n)
        } else if let a = ItemReader.nonEmpty(side.child("address")) {
            e.address = IPNetwork(a).map(EndpointAddress.network) ?? .alias(a)
        }
        return e
    }

    mutating func endpointWithPort(_ r: ItemReader, _ field: String) -> RuleEndpoint {
        let side = r.child(field)
        var e = endpoint(side)
        e.port = r.port(side?.child("port"), field: field + "/port", &issues)
        return e
    }
}

extension Config {
    /// Extracts the typed config from a document tree whose root is `<pfsense>` or
    /// `<opnsense>`.
    public init(document: XMLDocument) throws(XMLParseError) {
        guard let flavor = ConfigFlavor(rawValue: document.root.name) else {
            throw XMLParseError(position: document.root.position,
                                message: "root element is <\(document.root.name)>, expected <pfsense> or <opnsense>")
        }
        var extractor = ConfigExtractor(root: document.root)
        self = extractor.extract(flavor: flavor)
    }

    /// Parses config.xml text (convenience for tools and tests).
    public init(xml: String) throws(XMLParseError) {
        try self.init(document: XMLParser.parse(xml))
    }
}
