import TandemConfig
import TandemNetlink
import TandemRuleset

/// Where the items of the applied config are, in the file and in the kernel: the byte span
/// of every filter rule and alias in `applied.xml`, and for every rule the kernel holds,
/// which filter rule it came from. With it an apply whose file differs from the applied one
/// inside a single rule or alias reads, checks and compiles only that item and the rest of
/// the file around the filter rules, and replaces that rule's kernel rules by handle
/// (`ItemEdit`; issue #3). Kept as `applied.items` beside `applied.handles`, valid for the
/// same generation.
public struct AppliedItems: Sendable, Hashable {
    /// `filter/rule[n]` is `filter[n - 1]`; spans in the stored (stamped) applied.xml.
    public var filter: [Range<Int>]
    public var aliases: [Range<Int>]
    /// The applied file before its `<revision>` was stamped: `applied.xml` with
    /// `window` replaced by `original` (nil: the two are the same).
    public var unstamped: Unstamp?
    /// For every chain, the filter rule number each kernel rule came from (0: not from a
    /// filter rule), in the order of `applied.handles`.
    public var chainItems: [NftRuleHandles.ChainID: [Int]]

    public struct Unstamp: Sendable, Hashable {
        public var window: Range<Int>
        public var original: [UInt8]

        public init(window: Range<Int>, original: [UInt8]) {
            self.window = window
            self.original = original
        }
    }

    public init(filter: [Range<Int>], aliases: [Range<Int>], unstamped: Unstamp?,
                chainItems: [NftRuleHandles.ChainID: [Int]]) {
        self.filter = filter
        self.aliases = aliases
        self.unstamped = unstamped
        self.chainItems = chainItems
    }

    /// The filter rule number a rule's origin names (`filter/rule[12]` → 12), 0 for rules
    /// that did not come from a filter rule.
    public static func filterNumber(_ origin: RuleOrigin?) -> Int {
        guard let path = origin?.path.utf8, path.starts(with: "filter/rule[".utf8), path.last == UInt8(ascii: "]") else {
            return 0
        }
        var n = 0
        for byte in path.dropFirst(12).dropLast() {
            guard byte >= 0x30, byte <= 0x39 else { return 0 }
            n = n * 10 + Int(byte - 0x30)
        }
        return n
    }

    /// The index of a config just committed in full: `input` is the file as applied, with
    /// `spans` from its parse and `filterRules` rules read from it; `stamped` is what was
    /// stored (the same with its `<revision>` stamped); `ruleset` and `handles` are what the
    /// kernel now holds. nil when the spans do not account for every rule (a file with two
    /// `<filter>` sections) or a chain's rules and handles disagree.
    public static func make(ruleset: Ruleset, handles: NftRuleHandles, input: [UInt8], spans: ItemSpans,
                            filterRules: Int, stamped: [UInt8]) -> AppliedItems? {
        let filterSpans = spans["filter/rule"]
        guard filterSpans.count == filterRules else { return nil }
        let difference = ByteDifference.between(input, stamped)
        func mapped(_ list: [Range<Int>]) -> [Range<Int>]? {
            guard let difference else { return list }
            var out: [Range<Int>] = []
            out.reserveCapacity(list.count)
            for span in list {
                guard let m = difference.map(span) else { return nil }
                out.append(m)
            }
            return out
        }
        guard let filter = mapped(filterSpans) else { return nil }
        let aliases = mapped(spans["aliases/alias"]) ?? []
        var chainItems: [NftRuleHandles.ChainID: [Int]] = [:]
        for table in ruleset.tables {
            for chain in table.chains {
                let id = NftRuleHandles.ChainID(table.family, table: table.name, chain: chain.name)
                guard handles.chains[id]?.count == chain.rules.count else { return nil }
                chainItems[id] = chain.rules.map { filterNumber($0.origin) }
            }
        }
        let unstamped = difference.map { Unstamp(window: $0.newRange, original: Array(input[$0.oldRange])) }
        return AppliedItems(filter: filter, aliases: aliases, unstamped: unstamped, chainItems: chainItems)
    }

    /// The applied file as it was given, before stamping.
    public func unstampedBytes(of stored: [UInt8]) -> [UInt8]? {
        guard let u = unstamped else { return stored }
        guard u.window.upperBound <= stored.count else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(stored.count - u.window.count + u.original.count)
        out.append(contentsOf: stored[..<u.window.lowerBound])
        out.append(contentsOf: u.original)
        out.append(contentsOf: stored[u.window.upperBound...])
        return out
    }

    /// Spans in the stored bytes moved to the unstamped ones.
    public func unstampedSpan(_ span: Range<Int>) -> Range<Int>? {
        guard let u = unstamped else { return span }
        return ByteDifference(start: u.window.lowerBound, oldCount: u.window.count, newCount: u.original.count).map(span)
    }
}

extension AppliedItems {
    /// One line per list: `filter 12-340 340-610 …`, `aliases …`, `unstamp START END HEX`,
    /// `chain FAMILY TABLE CHAIN n n n …`.
    public var text: String { String(decoding: textBytes, as: UTF8.self) }

    public var textBytes: [UInt8] {
        var out = FieldWriter(capacity: (filter.count + aliases.count) * 16 + chainItems.values.reduce(0) { $0 + $1.count * 6 })
        out.word("filter")
        for s in filter { out.span(s.lowerBound, s.upperBound) }
        out.endLine()
        out.word("aliases")
        for s in aliases { out.span(s.lowerBound, s.upperBound) }
        out.endLine()
        if let u = unstamped {
            out.word("unstamp")
            out.number(UInt64(u.window.lowerBound))
            out.number(UInt64(u.window.upperBound))
            out.hex(u.original)
            out.endLine()
        }
        for id in chainItems.keys.sorted() {
            out.word("chain")
            out.word(id.family.rawValue)
            out.word(id.table)
            out.word(id.chain)
            for n in chainItems[id]! { out.number(UInt64(n)) }
            out.endLine()
        }
        return out.bytes
    }

    /// Reads `text`; nil when anything is malformed (the next apply is then a full one).
    public init?(text bytes: [UInt8]) {
        var filter: [Range<Int>]?, aliases: [Range<Int>]?, unstamped: Unstamp?
        var chainItems: [NftRuleHandles.ChainID: [Int]] = [:]
        func spans(_ scan: inout FieldScanner) -> [Range<Int>]? {
            var out: [Range<Int>] = []
            while !scan.atLineEnd {
                guard let a = scan.number(), scan.dash(), let b = scan.number(), a <= b else { return nil }
                out.append(Int(a)..<Int(b))
            }
            return out
        }
        let ok = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var scan = FieldScanner(buffer)
            while scan.nextLine() {
                switch scan.word() {
                case nil:
                    continue
                case "filter"?:
                    filter = spans(&scan)
                    if filter == nil { return false }
                case "aliases"?:
                    aliases = spans(&scan)
                    if aliases == nil { return false }
                case "unstamp"?:
                    guard let a = scan.number(), let b = scan.number(), a <= b, let hex = scan.hexBytes() else { return false }
                    unstamped = Unstamp(window: Int(a)..<Int(b), original: hex)
                case "chain"?:
                    guard let f = scan.word(), let family = TableFamily(rawValue: f), let table = scan.word(),
                          let chain = scan.word() else { return false }
                    var items: [Int] = []
                    while !scan.atLineEnd {
                        guard let n = scan.number() else { return false }
                        items.append(Int(n))
                    }
                    chainItems[NftRuleHandles.ChainID(family, table: table, chain: chain)] = items
                default:
                    return false
                }
            }
            return true
        }
        guard ok, let filter, let aliases else { return nil }
        self.init(filter: filter, aliases: aliases, unstamped: unstamped, chainItems: chainItems)
    }
}

