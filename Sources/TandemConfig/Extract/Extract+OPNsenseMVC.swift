import TandemAddress

/// OPNsense's MVC models (`opnsense/core:src/opnsense/mvc/app/models/OPNsense/…`), which
/// newer OPNsense releases write under `<OPNsense>` instead of the pfSense-shaped sections:
/// `Firewall/Alias.xml` (`//OPNsense/Firewall/Alias`), `Routing/Gateways.xml`
/// (`//OPNsense/Gateways`), `Firewall/Filter.xml` (`//OPNsense/Firewall/Filter`: rules,
/// source NAT, NPt, 1:1). `Interfaces/Vip.xml` and `Firewall/DNat.xml` mount on the legacy
/// paths (`/virtualip`, `/nat/rule+`) and are read there.
extension ConfigExtractor {
    var mvc: XMLElement? { root.child("OPNsense") }

    /// `OPNsense/Firewall/Alias/aliases/alias`: `<content>` holds one entry per line
    /// (`AliasContentField`'s separator is "\n"), `<description>` the description,
    /// `<enabled>` 0 keeps the alias defined but empty (OPNsense loads no table for it).
    mutating func mvcAliases(names: Set<String>) -> [Alias] {
        guard let container = mvc?.descendant("Firewall/Alias/aliases") else { return [] }
        return listItems(container.children("alias")).map { index, element in
            let r = ItemReader(element, path: itemPath("OPNsense/Firewall/Alias/aliases", "alias", index))
            let typeText = r.string("type") ?? ""
            let kind = Self.mvcAliasKind(typeText)
            var alias = Alias(name: r.string("name") ?? "", kind: kind, location: r.location)
            alias.descr = r.raw("description")
            alias.updateFrequency = r.nonEmpty("updatefreq")
            alias.noSync = false
            if kind.isURL {
                alias.urls = r.list("content", separators: .whitespace)
                return alias
            }
            guard r.flag("enabled") || !r.has("enabled") else { return alias }
            if case .other = kind { return alias }
            for word in r.list("content", separators: .whitespace) {
                if word.hasPrefix("!") {
                    // pf table negation: an exclusion cannot be dropped (the alias would
                    // match more than written), so the file is refused.
                    issues.append(r.error("exclusion entry '\(word)' (pf table negation) is not supported", field: "content"))
                    continue
                }
                if let entry = aliasEntry(word, kind: kind, names: names) {
                    alias.entries.append(entry)
                } else {
                    issues.append(r.error("'\(word)' is not a port, a port range or a port alias", field: "content"))
                }
            }
            return alias
        }
    }

    /// OPNsense's alias types onto Tandem's: `networkgroup` lists other aliases (a network
    /// alias of nested names), `urljson` is fetched like `urltable`; the types whose
    /// content comes from elsewhere (GeoIP, MAC, ASN, …) keep their name as `.other`.
    static func mvcAliasKind(_ text: String) -> Alias.Kind {
        switch text {
        case "networkgroup": .network
        case "urljson": .urltable
        case "host", "network", "port", "url", "urltable": Alias.Kind(text)
        default: .other(text)
        }
    }

    /// `OPNsense/Gateways/gateway_item`: what OPNsense uses when there is at least one;
    /// the legacy `<gateways>` list only when there is none (`Gateways::gatewayIterator()`).
    func mvcGatewayItems() -> [(index: Int, element: XMLElement)] {
        guard let container = mvc?.child("Gateways") else { return [] }
        return listItems(container.children("gateway_item"))
    }

    /// `OPNsense/Firewall/Filter/rules/rule`, in `<sequence>` order. OPNsense evaluates
    /// them before the legacy rules of the same priority group ("prefixed with 0 as these
    /// precede legacy rules", `FilterRuleField::actionPostLoadingEvent()`), and treats a
    /// rule on more or fewer than one interface, or on all but one, as floating
    /// (`FilterRuleContainerField::getPriority()`).
    mutating func mvcFilterRules(firstNumber: Int) -> [FilterRule] {
        guard let container = mvc?.descendant("Firewall/Filter/rules") else { return [] }
        let items = listItems(container.children("rule"))
        var rules: [(sequence: Int, rule: FilterRule)] = []
        for (index, element) in items {
            let r = ItemReader(element, path: itemPath("OPNsense/Firewall/Filter/rules", "rule", index))
            var rule = FilterRule(location: r.location)
            rule.id = element.attribute("uuid")
            rule.disabled = r.has("enabled") && !r.flag("enabled")
            rule.action = r.word("action", as: FilterRule.Action.self, &issues) ?? .pass
            rule.interfaces = r.list("interface")
            rule.interfaceNegated = r.flag("interfacenot")
            rule.quick = !r.has("quick") || r.flag("quick")
            rule.direction = r.word("direction", as: FilterRule.Direction.self, &issues) ?? .in
            rule.floating = rule.interfaces.count != 1 || rule.interfaceNegated || !rule.quick || rule.direction != .in
            // An interface-tab rule is inbound and quick by definition; pfSense-shaped files
            // write neither for one.
            if !rule.floating { rule.direction = nil; rule.quick = false }
            rule.ipProtocol = r.word("ipprotocol", as: IPProtocolFamily.self, &issues) ?? .inet
            rule.proto = r.nonEmpty("protocol").flatMap { $0.lowercased() == "any" ? nil : RuleProtocol($0) }
            rule.icmpTypes = r.list("icmptype")
            rule.source = mvcEndpoint(r, "source")
            rule.destination = mvcEndpoint(r, "destination")
            switch r.nonEmpty("statetype") {
            case nil, "keep", "modulate": rule.stateType = .keepState
            case "sloppy": rule.stateType = .sloppyState
            case "synproxy": rule.stateType = .synproxyState
            case "none": rule.stateType = .none
            case let other?: issues.append(r.error("'\(other)' is not one of 'keep', 'sloppy', 'modulate', 'synproxy', 'none'", field: "statetype"))
            }
            rule.gateway = r.nonEmpty("gateway")
            rule.disableReplyTo = r.flag("disablereplyto")
            rule.log = r.flag("log")
            rule.allowOptions = r.flag("allowopts")
            rule.noSync = r.flag("nosync")
            rule.noPfsync = r.flag("nopfsync")
            rule.stateTimeout = r.int("statetimeout", &issues)
            rule.maxStates = r.int("max", &issues)
            rule.tag = r.nonEmpty("tag")
            rule.tagged = r.nonEmpty("tagged")
            rule.schedule = r.nonEmpty("sched")
            rule.descr = r.raw("description")
            rule.number = firstNumber + index
            rules.append((r.int("sequence", &issues) ?? 0, rule))
        }
        // A stable sort: equal sequences keep file order.
        return rules.enumerated().sorted { ($0.element.sequence, $0.offset) < ($1.element.sequence, $1.offset) }
            .map(\.element.rule)
    }

    /// `source_net`/`source_not`/`source_port` (and `destination_…`): the net is `any`, an
    /// interface (`lan`, `lanip`), `(self)`, an address, a CIDR or an alias name.
    private mutating func mvcEndpoint(_ r: ItemReader, _ side: String) -> RuleEndpoint {
        var e = RuleEndpoint()
        if let net = r.nonEmpty(side + "_net") { e.address = specialNetwork(net) }
        e.negated = r.flag(side + "_not")
        e.port = r.port(side + "_port", &issues)
        return e
    }

    /// `OPNsense/Firewall/Filter/snatrules/rule`: source NAT rules that OPNsense applies
    /// before the legacy outbound rules, whatever the outbound mode.
    mutating func mvcSourceNATRules() -> [OutboundNATRule] {
        guard let container = mvc?.descendant("Firewall/Filter/snatrules") else { return [] }
        var rules: [(Int, OutboundNATRule)] = []
        for (index, element) in listItems(container.children("rule")) {
            let r = ItemReader(element, path: itemPath("OPNsense/Firewall/Filter/snatrules", "rule", index))
            var rule = OutboundNATRule(location: r.location)
            rule.alwaysApplies = true
            rule.disabled = r.has("enabled") && !r.flag("enabled")
            rule.noNAT = r.flag("nonat")
            rule.noSync = r.flag("nosync")
            rule.interface = r.nonEmpty("interface")
            rule.ipProtocol = r.word("ipprotocol", as: IPProtocolFamily.self, &issues)
            rule.proto = r.nonEmpty("protocol").flatMap { $0.lowercased() == "any" ? nil : RuleProtocol($0) }
            let source = mvcEndpoint(r, "source")
            rule.source = source.address
            rule.sourcePort = source.port
            let destination = mvcEndpoint(r, "destination")
            rule.destination = destination.address
            rule.destinationNegated = destination.negated
            rule.destinationPort = destination.port
            if let target = r.nonEmpty("target") {
                if target.hasSuffix("ip"), interfaceNames.contains(String(target.dropLast(2))) {
                    rule.target = .interfaceAddress(String(target.dropLast(2)))
                } else if let n = IPNetwork(target) {
                    rule.target = n.isHost ? .address(n.address) : .network(n)
                } else {
                    rule.target = .alias(target)
                }
            }
            rule.natPort = r.port("target_port", &issues)
            rule.staticNATPort = r.flag("staticnatport")
            rule.descr = r.raw("description")
            if source.negated {
                issues.append(r.error("a negated source ('source_not') in a source NAT rule is not supported", field: "source_not"))
            }
            rules.append((r.int("sequence", &issues) ?? 0, rule))
        }
        return rules.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// MVC sections Tandem does not apply yet, each reported once where it is written.
    mutating func mvcUnappliedSections() {
        // pfSense's (and OPNsense's legacy) `<nat><onetoone>` and `<nat><npt>` lists.
        for (name, what) in [("onetoone", "1:1 NAT rules"), ("npt", "NPt (IPv6 prefix translation) rules")] {
            let items = listItems(root.child("nat")?.children(name) ?? [])
            guard let first = items.first else { continue }
            let location = SourceLocation(path: itemPath("nat", name, first.index), element: first.element)
            issues.append(.warning("\(items.count) \(what) are read but not applied", at: location))
        }
        guard let mvc else { return }
        for (path, what) in [("Firewall/Filter/npt", "NPt (IPv6 prefix translation) rules"),
                             ("Firewall/Filter/onetoone", "1:1 NAT rules")] {
            guard let container = mvc.descendant(path) else { continue }
            let items = listItems(container.children("rule"))
            guard let first = items.first else { continue }
            let location = SourceLocation(path: itemPath("OPNsense/" + path, "rule", first.index), element: first.element)
            issues.append(.warning("\(items.count) \(what) are read but not applied", at: location))
        }
        if let kea = mvc.descendant("Kea/dhcp4"), ItemReader.flag(kea.descendant("general/enabled")) {
            let subnets = listItems(kea.descendant("subnets")?.children("subnet4") ?? [])
            if !subnets.isEmpty {
                issues.append(.warning("\(subnets.count) Kea DHCPv4 subnets (OPNsense/Kea/dhcp4) are read but not applied; Tandem serves the <dhcpd> scopes",
                                       at: SourceLocation(path: "OPNsense/Kea/dhcp4", element: kea)))
            }
        }
    }
}
