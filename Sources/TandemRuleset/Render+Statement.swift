import TandemAddress

extension Statement {
    /// nft syntax for one statement.
    public func render() -> String {
        switch self {
        case .counter:
            return "counter"
        case .log(let prefix, let level, let group):
            var s = "log prefix \(RenderText.quoted(Canonical.logPrefix(prefix)))"
            if let level { s += " level \(level.rawValue)" }
            if let group { s += " group \(group)" }
            return s
        case .verdict(let verdict):
            return verdict.render()
        case .reject(let kind):
            switch kind {
            case .tcpReset: return "reject with tcp reset"
            case .icmpxPortUnreachable: return "reject with icmpx port-unreachable"
            case .icmpxAdminProhibited: return "reject with icmpx admin-prohibited"
            case .default: return "reject"
            }
        case .vmap(let key, let map):
            return "\(key == .iifname ? "iifname" : "oifname") vmap @\(map)"
        case .snat(let target):
            return "snat \(target.render())"
        case .dnat(let target):
            return "dnat \(target.render())"
        case .masquerade(let ports, let flags):
            var s = "masquerade"
            if let ports { s += " to :\(RenderText.portRange(ports))" }
            if let f = RenderText.natFlags(flags) { s += " \(f)" }
            return s
        case .notrack:
            return "notrack"
        case .ctMarkSet(let value):
            return "ct mark set \(RenderText.hex(value))"
        case .ctMarkSetBits(let bits):
            return "ct mark set ct mark | \(RenderText.hex(bits))"
        case .metaMarkSet(let value):
            return "meta mark set \(RenderText.hex(value))"
        }
    }
}

extension Verdict {
    public func render() -> String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        case .continue: "continue"
        case .return: "return"
        case .jump(let chain): "jump \(chain)"
        case .goto(let chain): "goto \(chain)"
        }
    }
}

extension NATTarget {
    /// `ip to 198.51.100.1:1024-65535 random` / `ip6 to [2001:db8::1]:80`. A prefix target
    /// prints as its first-last range (a pool). Set operands have no nft NAT syntax; the
    /// compiler resolves aliases to a range before building a target.
    public func render() -> String {
        var s = family == .ipv4 ? "ip to " : "ip6 to "
        let v6 = family == .ipv6
        func addr(_ a: IPAddress) -> String { v6 && ports != nil ? "[\(a)]" : "\(a)" }
        switch address {
        case .address(let a)?:
            s += addr(a)
        case .prefix(let p)? where p.isHost:
            s += addr(p.address)
        case .prefix(let p)?:
            s += "\(addr(p.network))-\(addr(p.last))"
        case .range(let lo, let hi)?:
            s += "\(addr(lo))-\(addr(hi))"
        case .anonymousSet(let elements)?:
            s += "{ \(elements.map(RenderText.element).joined(separator: ", ")) }"
        case .namedSet(let name)?:
            s += "@\(name)"
        case nil:
            break
        }
        if let ports { s += ":\(RenderText.portRange(ports))" }
        if let f = RenderText.natFlags(flags) { s += " \(f)" }
        return s
    }
}
