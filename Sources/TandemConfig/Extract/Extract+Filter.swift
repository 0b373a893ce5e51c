import TandemConcurrency

extension ConfigExtractor {
    /// OPNsense's MVC rules first (they precede the legacy rules, `Extract+OPNsenseMVC`),
    /// numbered after the legacy rules from the next thousand on, so that a long file's
    /// blocks of rule numbers (`FilterRules.partSize`) never mix the two lists.
    mutating func filterRules() -> [FilterRule] {
        let legacy = legacyFilterRules()
        let mvcRules = mvcFilterRules(firstNumber: (legacy.count / 1000 + 1) * 1000 + 1)
        return mvcRules.isEmpty ? legacy : mvcRules + legacy
    }

    private mutating func legacyFilterRules() -> [FilterRule] {
        guard let container = root.child("filter") else { return [] }
        var list: [XMLElement] = []
        for case .element(let e) in container.children where e.name == "rule" { list.append(e) }
        let elements = list
        guard elements.count >= TwoCores.threshold else { return filterRules(elements[...], first: 0) }
        // Each rule is read on its own, so a large list is read in two halves at once, the
        // second by a copy of this extractor; its issues follow the first half's, in
        // document order as a serial read would give them (issue #3).
        let half = elements.count / 2
        let copy = ConfigExtractor(root: root, interfaceNames: interfaceNames)
        let (first, second) = TwoCores.run({ filterRules(elements[..<half], first: 0) }, {
            var other = copy
            return (other.filterRules(elements[half...], first: half), other.issues)
        })
        issues += second.1
        return first + second.0
    }

    /// Rules read from `elements`, the first being rule number `first` (from 0).
    private mutating func filterRules(_ elements: ArraySlice<XMLElement>, first: Int) -> [FilterRule] {
        // Reserved once: grown step by step, a 50k-rule list is copied into fresh pages
        // several times over (issue #3).
        var rules: [FilterRule] = []
        rules.reserveCapacity(elements.count)
        for (offset, element) in elements.enumerated() where !element.isPlaceholderItem {
            let index = first + offset
            rules.append(filterRule(ItemReader(element, path: itemPath("filter", "rule", index))))
            rules[rules.count - 1].number = index + 1
        }
        return rules
    }

    private mutating func filterRule(_ r: ItemReader) -> FilterRule {
        var rule = FilterRule(location: r.location)
        rule.tracker = r.nonEmpty("tracker")
        rule.id = r.nonEmpty("id")
        // pfSense treats a missing type as pass (`filter.inc`).
        rule.action = r.word("type", as: FilterRule.Action.self, &issues) ?? .pass
        rule.interfaces = r.list("interface")
        rule.ipProtocol = r.word("ipprotocol", as: IPProtocolFamily.self, &issues) ?? .inet
        rule.proto = r.nonEmpty("protocol").flatMap { $0.lowercased() == "any" ? nil : RuleProtocol($0) }
        rule.icmpTypes = r.list("icmptype")
        rule.source = endpointWithPort(r, "source")
        rule.destination = endpointWithPort(r, "destination")
        rule.descr = r.raw("descr")
        rule.disabled = r.flag("disabled")
        rule.log = r.flag("log")
        rule.floating = r.flag("floating")
        rule.quick = r.flag("quick")
        rule.direction = r.word("direction", as: FilterRule.Direction.self, &issues)
        rule.stateType = r.word("statetype", as: FilterRule.StateType.self, &issues) ?? .keepState
        rule.noPfsync = r.flag("nopfsync")
        rule.noSync = r.flag("nosync")
        rule.gateway = r.nonEmpty("gateway")
        rule.associatedRuleID = r.nonEmpty("associated-rule-id")
        rule.schedule = r.nonEmpty("sched")
        rule.tag = r.nonEmpty("tag")
        rule.tagged = r.nonEmpty("tagged")
        rule.allowOptions = r.flag("allowopts")
        rule.disableReplyTo = r.flag("disablereplyto")
        rule.maxStates = r.int("max", &issues)
        rule.maxSourceNodes = r.int("max-src-nodes", &issues)
        rule.maxSourceConnections = r.int("max-src-conn", &issues)
        rule.maxSourceStates = r.int("max-src-states", &issues)
        rule.stateTimeout = r.int("statetimeout", &issues)
        rule.created = r.stamp("created")
        rule.updated = r.stamp("updated")
        return rule
    }
}
