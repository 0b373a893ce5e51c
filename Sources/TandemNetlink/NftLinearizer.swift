import TandemAddress
import TandemRuleset

/// A rule the linearisation cannot express, with the place and what was expected.
struct NftLinearizeError: Error, Sendable, Equatable, CustomStringConvertible {
    var place: String
    var problem: String

    init(_ place: String, _ problem: String) {
        self.place = place
        self.problem = problem
    }

    var description: String { "\(place): \(problem)" }
}

/// One rule in kernel form: its expressions and the anonymous sets they look up (sent
/// in the same batch, before the rule).
struct NftLinearizedRule: Sendable, Hashable {
    var expressions: [NftExpression]
    var anonymousSets: [NftSetDefinition]
}

/// Turns IR rules into the expression lists `nft` generates for the same text
/// (nftables.md §5.5): explicit `meta nfproto` / `meta l4proto` dependencies in inet
/// tables, shortened payload loads for byte-aligned prefixes, `cmp gte`+`cmp lte` for
/// ranges, anonymous sets for inline `{ … }` with singletons folded to a compare, and
/// adjacent source/destination port equalities merged into one 4-byte load.
/// One file per concern: `NftLinearizer+Meta`, `+Payload`, `+Ports`, `+Ct`, `+Sets`,
/// `+Verdict`, `+NAT`, `+Log`.
struct NftLinearizer: Sendable {
    let family: TableFamily
    let table: String
    /// Named sets of the table and the batch id they were created with (nil when the set
    /// already exists in the kernel, e.g. in an incremental commit).
    var namedSets: [String: (key: NftKeyType, id: UInt32?)]
    /// The next transaction-unique set id (`NFTNL_SET_ID`).
    var nextSetID: UInt32

    init(family: TableFamily, table: String, namedSets: [String: (key: NftKeyType, id: UInt32?)] = [:],
         nextSetID: UInt32 = 1) {
        self.family = family
        self.table = table
        self.namedSets = namedSets
        self.nextSetID = nextSetID
    }

    /// What earlier matches of the rule already established, so dependencies are emitted
    /// once, as nft does.
    struct Context {
        var place: String
        var nfproto: IPFamily?
        var l4proto: UInt8?
        var out: [NftExpression] = []
        var anonymousSets: [NftSetDefinition] = []
    }

    mutating func linearize(_ rule: Rule, place: String) throws(NftLinearizeError) -> NftLinearizedRule {
        var ctx = Context(place: place)
        let merged = mergedPorts(rule.matches)
        for (index, match) in rule.matches.enumerated() {
            if let merged, index == merged.skip { continue }
            if let merged, index == merged.at {
                emitMergedPorts(source: merged.source, destination: merged.destination, &ctx)
                continue
            }
            try emit(match, &ctx)
        }
        for statement in rule.statements {
            try emit(statement, &ctx)
        }
        return NftLinearizedRule(expressions: ctx.out, anonymousSets: ctx.anonymousSets)
    }

    private mutating func emit(_ match: Match, _ ctx: inout Context) throws(NftLinearizeError) {
        switch match {
        case .iifname(let op, let negated):
            try emitInterface(.iifname, op, negated: negated, &ctx)
        case .oifname(let op, let negated):
            try emitInterface(.oifname, op, negated: negated, &ctx)
        case .nfproto(let f):
            try requireInet("meta nfproto", ctx)
            ctx.out += [.meta(.nfproto), .cmp(.eq, data: [Self.nfproto(f)])]
            ctx.nfproto = f
        case .l4proto(let protos, let negated):
            try emitL4proto(protos, negated: negated, &ctx)
        case .address(let dir, let f, let op, let negated):
            try emitAddress(dir, f, op, negated: negated, &ctx)
        case .port(let dir, let op, let negated):
            try emitPort(dir, op, negated: negated, &ctx)
        case .icmpType(let f, let types):
            try emitICMPType(f, types, &ctx)
        case .ctState(let states):
            try emitCtBits(.state, Self.ctStateMask(states), what: "ct state", &ctx)
        case .ctStatus(let statuses):
            try emitCtBits(.status, Self.ctStatusMask(statuses), what: "ct status", &ctx)
        case .ctMark(let value, let mask):
            emitMark(.ct(.mark), value: value, mask: mask, &ctx)
        case .metaMark(let value, let mask):
            emitMark(.meta(.mark), value: value, mask: mask, &ctx)
        case .fibDaddrLocal(let negated):
            ctx.out += [.fib(flags: NftConstant.fibFlagDaddr, result: NftConstant.fibResultAddrType),
                        .cmp(negated ? .neq : .eq, data: NftEncoding.hostOrder(NftConstant.rtnLocal))]
        case .concatenation(let fields, let set):
            try emitConcatenation(fields, set: set, &ctx)
        case .metaDay(let days):
            // One byte: compared as bytes, it compares as a number.
            ctx.out.append(.meta(.timeDay))
            ctx.out += days.count == 1 ? [.cmp(.eq, data: [days.lowerBound])]
                                       : [.cmp(.gte, data: [days.lowerBound]), .cmp(.lte, data: [days.upperBound])]
        case .metaHour(let seconds):
            // As nft emits it: the host-order u32 to network order, then compared bytewise.
            ctx.out += [.meta(.timeHour), .byteorderHton(length: 4, size: 4),
                        .cmp(.gte, data: Self.bigEndian(seconds.lowerBound)),
                        .cmp(.lte, data: Self.bigEndian(seconds.upperBound))]
        }
    }

    private mutating func emit(_ statement: Statement, _ ctx: inout Context) throws(NftLinearizeError) {
        switch statement {
        case .counter: ctx.out.append(.counter)
        case .log(let prefix, let level, let group): emitLog(prefix: prefix, level: level, group: group, &ctx)
        case .verdict(let v): emitVerdict(v, &ctx)
        case .reject(let kind): try emitReject(kind, &ctx)
        case .vmap(let key, let map): try emitVmap(key, map, &ctx)
        case .snat(let target): try emitNAT(.snat, target, &ctx)
        case .dnat(let target): try emitNAT(.dnat, target, &ctx)
        case .masquerade(let ports, let flags): emitMasquerade(ports: ports, flags: flags, &ctx)
        case .notrack: ctx.out.append(.notrack)
        case .ctMarkSet(let v):
            ctx.out += [.immediateData(dreg: 1, data: NftEncoding.hostOrder(v)), .ctSet(.mark)]
        case .ctMarkSetBits(let bits):
            // As nft encodes `ct mark set ct mark or BITS`: (mark & ~BITS) ^ BITS.
            ctx.out += [.ct(.mark), .bitwise(mask: NftEncoding.hostOrder(~bits), xor: NftEncoding.hostOrder(bits)),
                        .ctSet(.mark)]
        case .metaMarkSet(let v):
            ctx.out += [.immediateData(dreg: 1, data: NftEncoding.hostOrder(v)), .metaSet(.mark)]
        }
    }

    func requireInet(_ what: String, _ ctx: Context) throws(NftLinearizeError) {
        guard family == .inet || family == .bridge || family == .netdev else {
            throw NftLinearizeError(ctx.place, "\(what) needs an inet table, not \(family.rawValue)")
        }
    }

    static func nfproto(_ f: IPFamily) -> UInt8 {
        f == .ipv4 ? NftConstant.nfprotoIPv4 : NftConstant.nfprotoIPv6
    }

    /// The network-layer dependency nft adds before an `ip`/`ip6` payload: in inet tables
    /// `meta nfproto` once per rule; in ip/ip6 tables nothing, but the family must match.
    func emitNetworkDependency(_ f: IPFamily, _ ctx: inout Context) throws(NftLinearizeError) {
        switch family {
        case .inet:
            if ctx.nfproto != f {
                ctx.out += [.meta(.nfproto), .cmp(.eq, data: [Self.nfproto(f)])]
                ctx.nfproto = f
            }
        case .ip where f == .ipv4, .ip6 where f == .ipv6:
            ctx.nfproto = f
        default:
            throw NftLinearizeError(ctx.place, "\(f.rawValue) match in a \(family.rawValue) table")
        }
    }

    /// `meta l4proto P` once per rule, as nft adds before `icmp type` or `reject with tcp reset`.
    func emitL4Dependency(_ proto: UInt8, _ ctx: inout Context) {
        if ctx.l4proto != proto {
            ctx.out += [.meta(.l4proto), .cmp(.eq, data: [proto])]
            ctx.l4proto = proto
        }
    }
}
