import TandemRuleset

/// `log`, `reject` (counter and notrack need no operands and are emitted inline).
extension NftLinearizer {
    /// syslog levels (`LOG_EMERG` 0 … `LOG_DEBUG` 7).
    static func syslogLevel(_ l: LogLevel) -> UInt32 {
        switch l {
        case .emerg: 0
        case .alert: 1
        case .crit: 2
        case .err: 3
        case .warn: 4
        case .notice: 5
        case .info: 6
        case .debug: 7
        }
    }

    func emitLog(prefix: String, level: LogLevel?, group: UInt16?, _ ctx: inout Context) {
        ctx.out.append(.log(prefix: prefix, level: level.map(Self.syslogLevel), group: group))
    }

    /// `reject with tcp reset` needs `meta l4proto tcp` (nft adds it); in inet tables the
    /// ICMP variants are the family-independent "icmpx" codes, in ip/ip6 tables the
    /// family's own ICMP codes.
    func emitReject(_ kind: RejectKind, _ ctx: inout Context) throws(NftLinearizeError) {
        switch kind {
        case .tcpReset:
            emitL4Dependency(NftConstant.protoTCP, &ctx)
            ctx.out.append(.reject(type: NftConstant.rejectTCPReset, code: 0))
        case .default, .icmpxPortUnreachable, .icmpxAdminProhibited:
            let admin = kind == .icmpxAdminProhibited
            switch family {
            case .inet, .bridge, .netdev:
                ctx.out.append(.reject(type: NftConstant.rejectICMPXUnreach,
                                       code: admin ? NftConstant.icmpxAdminProhibited : NftConstant.icmpxPortUnreach))
            case .ip:
                ctx.out.append(.reject(type: NftConstant.rejectICMPUnreach,
                                       code: admin ? NftConstant.icmpAdminProhibited : NftConstant.icmpPortUnreach))
            case .ip6:
                ctx.out.append(.reject(type: NftConstant.rejectICMPUnreach,
                                       code: admin ? NftConstant.icmpv6AdminProhibited : NftConstant.icmpv6PortUnreach))
            case .arp:
                throw NftLinearizeError(ctx.place, "reject in an arp table")
            }
        }
    }
}
