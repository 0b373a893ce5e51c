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
    public var text: String {
        var out = "filter"
        for s in filter { out += " \(s.lowerBound)-\(s.upperBound)" }
        out += "\naliases"
        for s in aliases { out += " \(s.lowerBound)-\(s.upperBound)" }
        out += "\n"
        if let u = unstamped {
            out += "unstamp \(u.window.lowerBound) \(u.window.upperBound) "
            let digits = Array("0123456789abcdef".utf8)
            var hex: [UInt8] = []
            hex.reserveCapacity(u.original.count * 2)
            for b in u.original { hex.append(digits[Int(b >> 4)]); hex.append(digits[Int(b & 15)]) }
            out += String(decoding: hex, as: UTF8.self) + "\n"
        }
        for id in chainItems.keys.sorted() {
            out += "chain \(id.family.rawValue) \(id.table) \(id.chain)"
            for n in chainItems[id]! { out += " \(n)" }
            out += "\n"
        }
        return out
    }

    /// Reads `text`; nil when anything is malformed (the next apply is then a full one).
    public init?(text bytes: [UInt8]) {
        var filter: [Range<Int>]?, aliases: [Range<Int>]?, unstamped: Unstamp?
        var chainItems: [NftRuleHandles.ChainID: [Int]] = [:]
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var scan = FieldScanner(bytes: bytes, position: lineStart, end: lineEnd)
            switch scan.word() {
            case "filter"?:
                guard let spans = scan.spans() else { return nil }
                filter = spans
            case "aliases"?:
                guard let spans = scan.spans() else { return nil }
                aliases = spans
            case "unstamp"?:
                guard let a = scan.number(), let b = scan.number(), a <= b, let hex = scan.hexBytes() else { return nil }
                unstamped = Unstamp(window: a..<b, original: hex)
            case "chain"?:
                guard let f = scan.word(), let family = TableFamily(rawValue: f), let table = scan.word(),
                      let chain = scan.word() else { return nil }
                var items: [Int] = []
                while !scan.atEnd {
                    guard let n = scan.number() else { return nil }
                    items.append(n)
                }
                chainItems[NftRuleHandles.ChainID(family, table: table, chain: chain)] = items
            default:
                return nil
            }
            lineStart = lineEnd + 1
        }
        guard let filter, let aliases else { return nil }
        self.init(filter: filter, aliases: aliases, unstamped: unstamped, chainItems: chainItems)
    }
}

/// Space-separated fields of one line of `applied.items`, read from the bytes directly (a
/// 10,000-rule config has 20,000 numbers to read on every apply).
private struct FieldScanner {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    var atEnd: Bool {
        mutating get { skipSpaces(); return position >= end }
    }

    private mutating func skipSpaces() {
        while position < end, bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    mutating func word() -> String? {
        skipSpaces()
        let start = position
        while position < end, bytes[position] != UInt8(ascii: " ") { position += 1 }
        return start < position ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// A decimal number, stopping at a space or `-`.
    mutating func number() -> Int? {
        skipSpaces()
        var n = 0, digits = 0
        while position < end, bytes[position] >= 0x30, bytes[position] <= 0x39, digits < 18 {
            n = n * 10 + Int(bytes[position] - 0x30)
            position += 1
            digits += 1
        }
        guard digits > 0, position >= end || bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "-") else {
            return nil
        }
        return n
    }

    /// `a-b a-b …` to the end of the line.
    mutating func spans() -> [Range<Int>]? {
        var out: [Range<Int>] = []
        while !atEnd {
            guard let a = number(), position < end, bytes[position] == UInt8(ascii: "-") else { return nil }
            position += 1
            guard let b = number(), a <= b else { return nil }
            out.append(a..<b)
        }
        return out
    }

    mutating func hexBytes() -> [UInt8]? {
        skipSpaces()
        var out: [UInt8] = []
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        while position + 1 < end, bytes[position] != UInt8(ascii: " ") {
            guard let hi = value(bytes[position]), let lo = value(bytes[position + 1]) else { return nil }
            out.append(hi << 4 | lo)
            position += 2
        }
        return out
    }
}
