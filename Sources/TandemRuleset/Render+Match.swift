import TandemAddress

extension RenderText {
    /// nft's day names, 0 = Sunday (nft(8), META EXPRESSIONS).
    static let weekdays = ["\"Sunday\"", "\"Monday\"", "\"Tuesday\"", "\"Wednesday\"", "\"Thursday\"",
                           "\"Friday\"", "\"Saturday\""]

    /// `HH:MM:SS` of seconds after midnight.
    static func clock(_ seconds: UInt32) -> String {
        func two(_ n: UInt32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}

extension Match {
    /// nft syntax for one match (after `Rule.canonicalized`, so dependencies are explicit).
    public func render() -> String {
        switch self {
        case .iifname(let operand, let negated):
            return "iifname \(RenderText.op(negated))\(RenderText.name(operand))"
        case .oifname(let operand, let negated):
            return "oifname \(RenderText.op(negated))\(RenderText.name(operand))"
        case .nfproto(let family):
            return "meta nfproto \(family.rawValue)"
        case .l4proto(let list, let negated):
            let names = list.map(Protocols.name)
            let value = names.count == 1 ? names[0] : "{ \(names.joined(separator: ", ")) }"
            return "meta l4proto \(RenderText.op(negated))\(value)"
        case .address(let direction, let family, let operand, let negated):
            let proto = family == .ipv4 ? "ip" : "ip6"
            let field = direction == .source ? "saddr" : "daddr"
            return "\(proto) \(field) \(RenderText.op(negated))\(RenderText.address(operand))"
        case .port(let direction, let operand, let negated):
            let field = direction == .source ? "sport" : "dport"
            return "th \(field) \(RenderText.op(negated))\(RenderText.port(operand))"
        case .icmpType(let family, let types):
            let keyword = family == .ipv4 ? "icmp" : "icmpv6"
            let names = types.map { ICMPTypes.name($0, family: family) }
            let value = names.count == 1 ? names[0] : "{ \(names.joined(separator: ", ")) }"
            return "\(keyword) type \(value)"
        case .ctState(let states):
            let ordered = CtState.allCases.filter(states.contains).map(\.rawValue)
            return "ct state \(ordered.joined(separator: ","))"
        case .ctStatus(let statuses):
            let ordered = CtStatus.allCases.filter(statuses.contains).map(\.rawValue)
            return "ct status \(ordered.joined(separator: ","))"
        case .ctMark(let value, let mask):
            return "ct mark \(RenderText.masked(value, mask))"
        case .metaMark(let value, let mask):
            return "meta mark \(RenderText.masked(value, mask))"
        case .fibDaddrLocal(let negated):
            return "fib daddr type \(RenderText.op(negated))local"
        case .concatenation(let fields, let set):
            let names = fields.map { field -> String in
                switch field {
                case .address(let direction, let family):
                    "\(family == .ipv4 ? "ip" : "ip6") \(direction == .source ? "saddr" : "daddr")"
                case .port(let direction):
                    "th \(direction == .source ? "sport" : "dport")"
                }
            }
            return "\(names.joined(separator: " . ")) @\(set)"
        case .metaDay(let days):
            // A range, as the netlink form compares it (`cmp gte`, `cmp lte`).
            let first = RenderText.weekdays[Int(days.lowerBound) % 7], last = RenderText.weekdays[Int(days.upperBound) % 7]
            return "meta day " + (days.count == 1 ? first : "\(first)-\(last)")
        case .metaHour(let seconds):
            // nft reads these as the local time of the nft process; Tandem's values are
            // UTC, so `nft -f` of this text matches the same times only with TZ=UTC.
            return "meta hour \"\(RenderText.clock(seconds.lowerBound))\"-\"\(RenderText.clock(seconds.upperBound))\""
        }
    }
}
