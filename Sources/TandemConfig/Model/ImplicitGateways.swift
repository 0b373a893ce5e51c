import TandemAddress

/// The gateways pfSense and OPNsense create from interfaces, without a `<gateway_item>`:
/// `<DESCR>_DHCP`, `<DESCR>_PPPOE`, `<DESCR>_DHCP6`, `<DESCR>_SLAAC`, `<DESCR>_VPNV4`, … .
/// pfSense's `return_gateways_array()` (`pfsense/pfsense:src/etc/inc/gwlb.inc`) names them
/// `strtoupper(descr or internal name) . "_" . strtoupper(type)`, the type being the
/// addressing keyword (`dhcp`, `pppoe`, `l2tp`, `pptp`, `ppp`; `slaac`, `dhcp6`, `6to4`,
/// `6rd`) or, for an interface without one, the tunnel it sits on (`VPNv4`/`VPNv6` for
/// OpenVPN `ovpnc*`/`ovpns*`, `TUNNELv4`/`TUNNELv6` for `gif*`/`gre*`, `VTIv4`/`VTIv6`
/// for `ipsec*`). OPNsense's `Gateways::getGateways()`
/// (`opnsense/core:src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.php`) builds the
/// same names from `convertType()`. An explicit gateway of the same name, or an explicit
/// dynamic one on the same interface and family, takes its place (both products skip the
/// implicit one then).
///
/// Their address is `.dynamic`: it is what the interface's DHCP lease, PPP link or tunnel
/// says at run time, so a route through one is installed only once that is known.
extension Config {
    public var implicitGateways: [Gateway] {
        var out: [Gateway] = []
        let explicitNames = Set(gateways.map(\.name))
        for i in interfaces where i.enabled {
            let base = ((i.descr?.trimmed.isEmpty == false ? i.descr!.trimmed : nil) ?? i.name).uppercased()
            for family in IPFamily.allCases {
                guard let type = Self.implicitGatewayType(i, family: family) else { continue }
                let name = base + "_" + type
                if explicitNames.contains(name) { continue }
                if gateways.contains(where: { $0.interface == i.name && $0.address == .dynamic && $0.ipProtocol == family }) {
                    continue
                }
                var g = Gateway(name: name, interface: i.name, address: .dynamic, ipProtocol: family,
                                descr: "Interface \(name) Gateway", location: i.location)
                g.implicit = true
                out.append(g)
            }
        }
        return out
    }

    /// Gateways written in the file, then the implicit ones.
    public var allGateways: [Gateway] { gateways + implicitGateways }

    /// The type suffix of an interface's implicit gateway in one family, nil when it has none.
    static func implicitGatewayType(_ i: InterfaceConfig, family: IPFamily) -> String? {
        let addressing = family == .ipv4 ? i.ipv4 : i.ipv6
        let keywords: Set<String> = family == .ipv4 ? ["dhcp", "pppoe", "pptp", "l2tp", "ppp"]
                                                    : ["dhcp6", "dhcpv6", "slaac", "6to4", "6rd"]
        switch addressing {
        case .static: return nil
        case .dynamic(let mode) where keywords.contains(mode): return mode.uppercased()
        case .dynamic, .none: break
        }
        let device = i.device ?? ""
        let suffix = family == .ipv4 ? "V4" : "V6"
        if device.hasPrefix("ovpnc") || device.hasPrefix("ovpns") { return "VPN" + suffix }
        if device.hasPrefix("gif") || device.hasPrefix("gre") { return "TUNNEL" + suffix }
        if device.hasPrefix("ipsec") { return "VTI" + suffix }
        return nil
    }
}
