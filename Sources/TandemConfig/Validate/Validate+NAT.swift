import TandemAddress

extension ConfigValidator {
    mutating func checkOutboundNAT() {
        let nat = config.outboundNAT
        if nat.mode == .automatic, isHighAvailability {
            // Automatic mode translates to the node's own WAN address, so sessions break on
            // failover (pfsense-config.md §15.3).
            warning("outbound NAT mode is automatic in an HA config: connections will translate to this node's own address and break on failover; use hybrid or advanced with the CARP VIP as target", nat.location, "mode")
        }
        if nat.legacyAdvancedOutbound {
            warning("<advancedoutbound> (config < 10.3) is read as <outbound> mode advanced", nat.location)
        }
        for rule in nat.rules {
            let l = rule.location
            if let name = rule.interface {
                checkInterfaceReference(name, l, "interface")
            } else {
                error("outbound NAT rule has no <interface>", l, "interface")
            }
            checkEndpoint(rule.source, l, "source")
            checkEndpoint(rule.destination, l, "destination")
            checkPortAlias(rule.sourcePort, l, "sourceport")
            checkPortAlias(rule.destinationPort, l, "dstport")
            let targetField = "target"
            switch rule.target {
            case .address:
                // Any literal address or subnet is a valid target: pfSense and OPNsense
                // translate to routed blocks the node does not hold itself (the upstream
                // router routes them to it), so neither product checks it.
                break
            case .alias(let name):
                if name.hasPrefix("_vip"), vipsByUniqid[String(name.dropFirst(4))] != nil { break }
                guard aliases[name] != nil else {
                    error("target '\(name)' is neither an address, a subnet, a virtual IP nor an alias", l, targetField)
                    break
                }
                checkAddressAlias(name, l, targetField)
            case .interfaceAddress(let name?):
                checkInterfaceReference(name, l, targetField)
            case .interfaceAddress(nil), .network:
                break
            }
        }
    }

    /// A config is an HA member when it has CARP VIPs and state sync.
    var isHighAvailability: Bool {
        !config.carpVIPs.isEmpty && (config.hasync?.pfsyncEnabled ?? false)
    }
}
