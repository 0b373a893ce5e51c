import TandemAddress

extension ConfigExtractor {
    /// `<nat><outbound>`, or the pre-10.3 `<nat><advancedoutbound>`: `upgrade_102_to_103()`
    /// turns the latter into mode `advanced` (its `enable` dropped); with neither, automatic
    /// (pfsense-config.md §6).
    /// With OPNsense's MVC source NAT rules first (`Extract+OPNsenseMVC`).
    mutating func outboundNAT() -> OutboundNAT {
        var outbound = legacyOutboundNAT()
        outbound.rules = mvcSourceNATRules() + outbound.rules
        return outbound
    }

    private mutating func legacyOutboundNAT() -> OutboundNAT {
        guard let nat = root.child("nat") else { return OutboundNAT() }
        if let outbound = nat.child("outbound") {
            let r = ItemReader(XMLElement(name: "outbound", children: outbound.children.filter { $0.element?.name != "rule" },
                                          position: outbound.position), path: "nat/outbound")
            let mode = r.word("mode", as: OutboundNAT.Mode.self, &issues) ?? .automatic
            let rules = listItems(outbound.children("rule")).map { i, e in
                outboundRule(ItemReader(e, path: itemPath("nat/outbound", "rule", i)))
            }
            return OutboundNAT(mode: mode, rules: rules, location: r.location)
        }
        if let legacy = nat.child("advancedoutbound") {
            let rules = listItems(legacy.children("rule")).map { i, e in
                outboundRule(ItemReader(e, path: itemPath("nat/advancedoutbound", "rule", i)))
            }
            return OutboundNAT(mode: .advanced, rules: rules, legacyAdvancedOutbound: true,
                               location: SourceLocation(path: "nat/advancedoutbound", position: legacy.position))
        }
        return OutboundNAT(location: SourceLocation(path: "nat", position: nat.position))
    }

    private mutating func outboundRule(_ r: ItemReader) -> OutboundNATRule {
        var rule = OutboundNATRule(location: r.location)
        rule.interface = r.nonEmpty("interface")
        rule.ipProtocol = r.word("ipprotocol", as: IPProtocolFamily.self, &issues)
        rule.proto = r.nonEmpty("protocol").flatMap { $0.lowercased() == "any" ? nil : RuleProtocol($0) }
        let source = endpoint(r, "source")
        rule.source = source.address
        rule.sourcePort = r.port("sourceport", &issues)
        let destination = endpoint(r, "destination")
        rule.destination = destination.address
        rule.destinationNegated = destination.negated
        rule.destinationPort = r.port("dstport", &issues)
        rule.target = natTarget(r)
        rule.poolOptions = r.nonEmpty("poolopts")
        rule.sourceHashKey = r.nonEmpty("source_hash_key")
        rule.natPort = r.port("natport", &issues)
        rule.staticNATPort = r.flag("staticnatport")
        rule.noNAT = r.flag("nonat")
        rule.endpointIndependent = r.flag("eimnat")
        rule.disabled = r.flag("disabled")
        rule.noSync = r.flag("nosync")
        rule.descr = r.raw("descr")
        rule.created = r.stamp("created")
        rule.updated = r.stamp("updated")
        return rule
    }

    /// Both target spellings, regardless of `<version>` (real files mix them, §6.1):
    /// before 23.0 an empty target is the interface address and `other-subnet` takes
    /// `targetip`/`targetip_subnet`; from 23.0 `<if>ip` is an interface address and
    /// `target_subnet` gives a pool's prefix.
    private mutating func natTarget(_ r: ItemReader) -> OutboundNATTarget {
        guard let target = r.nonEmpty("target") else { return .interfaceAddress(nil) }
        if target == "other-subnet" {
            guard let ipText = r.nonEmpty("targetip") else {
                issues.append(r.error("target 'other-subnet' needs <targetip>", field: "target"))
                return .interfaceAddress(nil)
            }
            return natAddress(r, ipText, bitsField: "targetip_subnet", addressField: "targetip")
        }
        if target.hasSuffix("ip"), interfaceNames.contains(String(target.dropLast(2))) {
            return .interfaceAddress(String(target.dropLast(2)))
        }
        if IPNetwork(target) != nil {
            return natAddress(r, target, bitsField: "target_subnet", addressField: "target")
        }
        return .alias(target)
    }

    private mutating func natAddress(_ r: ItemReader, _ text: String, bitsField: String, addressField: String) -> OutboundNATTarget {
        guard let written = IPNetwork(text) else {
            issues.append(r.error("'\(text)' is not an IP address", field: addressField))
            return .interfaceAddress(nil)
        }
        var network = written
        if !text.contains("/"), let bitsText = r.nonEmpty(bitsField) {
            guard let bits = Int(bitsText), let n = IPNetwork(address: written.address, prefixLength: bits) else {
                issues.append(r.error("'\(bitsText)' is not a prefix length", field: bitsField))
                return .address(written.address)
            }
            // pre-23.0 files write `targetip_subnet` 0 next to a single address target.
            if bits != 0 { network = n }
        }
        return network.isHost ? .address(network.address) : .network(network)
    }

    mutating func portForwards() -> [PortForward] {
        guard let nat = root.child("nat") else { return [] }
        return listItems(nat.children("rule")).map { index, element in
            let r = ItemReader(element, path: itemPath("nat", "rule", index))
            var pf = PortForward(location: r.location)
            pf.interfaces = r.list("interface")
            pf.ipProtocol = r.word("ipprotocol", as: IPProtocolFamily.self, &issues)
            pf.proto = r.nonEmpty("protocol").flatMap { $0.lowercased() == "any" ? nil : RuleProtocol($0) }
            pf.source = endpointWithPort(r, "source")
            pf.destination = endpointWithPort(r, "destination")
            pf.target = r.nonEmpty("target").map(AddressSpec.init)
            pf.localPort = r.port("local-port", &issues)
            pf.descr = r.raw("descr")
            pf.associatedRuleID = r.nonEmpty("associated-rule-id")
            pf.natReflection = r.nonEmpty("natreflection")
            pf.noRedirect = r.flag("nordr")
            pf.noSync = r.flag("nosync")
            pf.disabled = r.flag("disabled")
            pf.created = r.stamp("created")
            pf.updated = r.stamp("updated")
            return pf
        }
    }
}
