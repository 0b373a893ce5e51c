/// How aliases nest: the cycles, how deep each alias's nesting goes, how many entries it
/// flattens to, and an order in which every alias comes after the aliases it includes.
/// Built iteratively with an explicit stack, so a chain of 100,000 nested aliases neither
/// overflows the thread's stack nor costs more than one visit per alias and nesting.
///
/// pfSense flattens nested aliases recursively without a limit
/// (`pfsense/pfsense:src/etc/inc/filter.inc` `filter_generate_nested_alias_recurse`).
/// Tandem caps both the nesting depth and the flattened size (`maximumDepth`,
/// `maximumFlattenedEntries`): the validator rejects a config past either, and the
/// compiler leaves such an alias empty rather than spend unbounded time and memory on it.
public struct AliasGraph: Sendable {
    /// Real configs nest two or three levels; 32 is far above that and keeps each
    /// flattening pass and its error messages short.
    public static let maximumDepth = 32
    /// pf bounds the sum of all table entries (`set limit table-entries`, pf.conf(5);
    /// pfSense's "Firewall Maximum Table Entries"). Tandem bounds the sum of every alias's
    /// flattened entries, before duplicates are merged, at 2,000,000: ten times the largest
    /// alias the compiler is benchmarked with, and a bound on the compiler's memory.
    public static let maximumFlattenedEntries = 2_000_000

    /// Aliases, first of each name (later duplicates are a validation error).
    private var aliases: [Alias] = []
    private var index: [String: Int] = [:]
    /// Per alias, the first index of each alias it includes (unknown names left out).
    private var nested: [[Int]] = []
    /// Longest chain of inclusions starting at the alias, counting itself (1: none).
    /// Inclusions that close a cycle are not followed.
    public private(set) var depth: [String: Int] = [:]
    /// Entries the alias flattens to (its own plus its nested aliases', each counted every
    /// time it is included), saturating just above `maximumFlattenedEntries`.
    public private(set) var flattenedEntries: [String: Int] = [:]
    /// Each cycle once, as the path that closes it (`a -> b -> a`).
    public private(set) var cycles: [[String]] = []
    /// Every alias after the aliases it includes (cycle-closing inclusions ignored).
    public private(set) var order: [String] = []
    /// Aliases no other alias includes.
    public private(set) var roots: [String] = []

    public init(_ list: [Alias]) {
        for alias in list where index[alias.name] == nil {
            index[alias.name] = aliases.count
            aliases.append(alias)
        }
        nested = aliases.map { alias in
            var out: [Int] = []
            var seen: Set<Int> = []
            for name in Self.nestedNames(alias) {
                if let i = index[name], seen.insert(i).inserted { out.append(i) }
            }
            return out
        }
        var included = [Bool](repeating: false, count: aliases.count)
        for list in nested { for i in list { included[i] = true } }
        roots = aliases.indices.filter { !included[$0] }.map { aliases[$0].name }
        walk()
    }

    /// Names an alias includes: nested aliases and, in port aliases, port-alias names.
    public static func nestedNames(_ alias: Alias) -> [String] {
        alias.entries.compactMap { entry in
            switch entry {
            case .alias(let n): n
            case .port(.alias(let n)): n
            default: nil
            }
        }
    }

    private static func ownEntries(_ alias: Alias) -> Int {
        alias.entries.reduce(0) { n, entry in
            switch entry {
            case .alias, .port(.alias): n
            default: n + 1
            }
        }
    }

    /// Depth-first, post-order, with an explicit stack of (alias, next inclusion to visit).
    private mutating func walk() {
        enum Mark { case new, onPath, done }
        var mark = [Mark](repeating: .new, count: aliases.count)
        var depths = [Int](repeating: 1, count: aliases.count)
        var counts = [Int](repeating: 0, count: aliases.count)
        var positionOnPath: [Int: Int] = [:]
        var closing: Set<Int> = []
        let cap = Self.maximumFlattenedEntries + 1
        for start in aliases.indices where mark[start] == .new {
            var stack: [(alias: Int, next: Int)] = [(start, 0)]
            mark[start] = .onPath
            positionOnPath[start] = 0
            while let top = stack.last {
                let children = nested[top.alias]
                if top.next < children.count {
                    stack[stack.count - 1].next += 1
                    let child = children[top.next]
                    switch mark[child] {
                    case .new:
                        mark[child] = .onPath
                        positionOnPath[child] = stack.count
                        stack.append((child, 0))
                    case .onPath:
                        // One report per alias a cycle returns to.
                        if closing.insert(child).inserted {
                            let from = positionOnPath[child]!
                            cycles.append(stack[from...].map { aliases[$0.alias].name } + [aliases[child].name])
                        }
                    case .done:
                        break
                    }
                    continue
                }
                // Every inclusion visited: depth and size from the finished ones.
                let a = top.alias
                var d = 1
                var c = Self.ownEntries(aliases[a])
                for child in nested[a] where mark[child] == .done {
                    d = max(d, depths[child] + 1)
                    c = min(cap, c + counts[child])
                }
                depths[a] = d
                counts[a] = min(cap, c)
                mark[a] = .done
                positionOnPath[a] = nil
                order.append(aliases[a].name)
                stack.removeLast()
            }
        }
        for (i, alias) in aliases.enumerated() {
            depth[alias.name] = depths[i]
            flattenedEntries[alias.name] = counts[i]
        }
    }

    /// `a -> b -> c` for a cycle or chain, shortened in the middle when long.
    public static func describe(_ path: [String]) -> String {
        guard path.count > 8 else { return path.joined(separator: " -> ") }
        return (path.prefix(4) + ["… \(path.count - 7) more …"] + path.suffix(3)).joined(separator: " -> ")
    }
}
