import TandemAddress
import TandemConfig
import TandemRuleset

/// What every compile step needs: the config, interface lookups, the alias sets, and the
/// diagnostics collected so far.
struct CompileContext {
    let config: Config
    /// Whether interface tabs are cut into parts by rule number (`FilterRules.partSize`).
    let partedTabs: Bool
    var aliasSets = AliasSets()
    var diagnostics: [ConfigDiagnostic] = []
    /// Already reported (a rule translated for two families or directions warns once).
    private var reported: Set<ConfigDiagnostic> = []
    /// Built-in sets (bogons, RFC 1918, this firewall's addresses) some rule refers to.
    var builtinSetsUsed: Set<BuiltinSet> = []
    /// Pass rules left out (`LeftOutRules`), in the order met.
    var leftOut: [LeftOutRule] = []
    /// pf tag name → its conntrack mark bit (Tags.swift).
    let tagBits: [String: UInt32]
    /// The UTC offset schedules are converted with (Schedules.swift), in minutes east.
    let utcOffsetMinutes: Int

    init(config: Config, filterRuleCount: Int? = nil, utcOffsetMinutes: Int = 0) {
        self.config = config
        self.partedTabs = (filterRuleCount ?? config.filterRules.count) > FilterRules.partSize
        self.tagBits = Self.tagBits(for: config.filterRules)
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    mutating func warn(_ message: String, at location: SourceLocation, field: String = "") {
        let d = ConfigDiagnostic.warning(message, at: location, field: field)
        if reported.insert(d).inserted { diagnostics.append(d) }
    }

    mutating func use(_ set: BuiltinSet) -> String {
        builtinSetsUsed.insert(set)
        return set.name
    }

    func usedBuiltinSets() -> [NamedSet] {
        BuiltinSet.allCases.filter(builtinSetsUsed.contains).map { $0.namedSet(config: config) }
    }

    /// Enabled interfaces that have a device, in file order: the ones rules can apply to.
    var activeInterfaces: [InterfaceConfig] {
        config.interfaces.filter { $0.enabled && !($0.device ?? "").isEmpty }
    }

    func interface(_ name: String) -> InterfaceConfig? {
        config.interface(named: name)
    }

    func device(of name: String) -> String? {
        guard let i = interface(name), i.enabled, let d = i.device, !d.isEmpty else { return nil }
        return d
    }

    /// The static address of an interface in one family.
    func address(of name: String, family: IPFamily) -> IPNetwork? {
        guard let i = interface(name) else { return nil }
        return family == .ipv4 ? i.ipv4.network : i.ipv6.network
    }

    /// CARP and IP-alias VIPs that end up on an interface, of one family.
    func vips(on name: String, family: IPFamily) -> [VirtualIP] {
        config.virtualIPs.filter {
            $0.interfaceName(in: config) == name && $0.address?.family == family
        }
    }

    /// Every address of this node in one family: static interface addresses and VIPs.
    func ownAddresses(family: IPFamily) -> [IPAddress] {
        var out: [IPAddress] = []
        for i in config.interfaces where i.enabled {
            if let n = family == .ipv4 ? i.ipv4.network : i.ipv6.network { out.append(n.address) }
        }
        for v in config.virtualIPs where v.address?.family == family {
            if let a = v.address { out.append(a) }
        }
        return out
    }

    /// The chain holding an interface tab's rules.
    static func interfaceChain(_ name: String) -> String { "if_" + sanitized(name) }

    /// The chain of a long interface tab's rules numbered from `first` (FilterRules): a dot,
    /// which no sanitized name holds, keeps it apart from every interface chain.
    static func partChain(_ chain: String, first: Int) -> String { chain + "." + String(first) }

    /// An nft identifier made from a config name: letters, digits and `_` kept.
    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }
}

/// A Rule with where it came from, built by the rule translators.
extension RuleOrigin {
    init(_ location: SourceLocation, descr: String?, tracker: String?) {
        self.init(path: location.path, description: descr, tracker: tracker, line: location.position?.line)
    }
}

/// The comment a generated rule carries: the tracker then the description, as pfSense's
/// label/ridentifier pair (nftables.md §3.5).
func ruleComment(tracker: String?, descr: String?) -> String? {
    // Most generated rules have neither: no list to build (issue #3).
    if tracker?.isEmpty ?? true, descr?.isEmpty ?? true { return nil }
    var parts: [String] = []
    if let t = tracker, !t.isEmpty { parts.append("tracker \(t)") }
    if let d = descr, !d.isEmpty { parts.append(d) }
    return parts.isEmpty ? nil : Canonical.comment(parts.joined(separator: ": "))
}

/// `tandem:<tracker>:<action> ` (≤ 127 bytes): names the rule in the kernel log, as pf's
/// filterlog lines carry the rule's tracker.
func logPrefix(tag: String, action: String) -> String {
    let safe = String(tag.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    return Canonical.logPrefix("tandem:\(safe):\(action) ")
}
