import TandemAddress
import TandemConfig

/// The client side of config sync without the I/O: what `rc.filter_synchronize` sends.
public enum SyncPush {
    /// The push this config makes, nil on a node that does not push (`synchronizetoip`
    /// empty: every secondary) or has nothing to send (no toggle on).
    public static func plan(_ document: ConfigDocument) -> SyncPushPlan? {
        let config = document.config
        guard let hasync = config.hasync, hasync.pushesConfig, let target = target(config) else { return nil }
        let root = document.xml.root
        let sections = SyncSections.sections(for: hasync, in: root)
        guard !sections.isEmpty else { return nil }

        var members: [XMLRPCValue.Member] = []
        var system: [XMLRPCValue.Member] = []
        for path in sections {
            if path.hasPrefix("system/") {
                let name = String(path.dropFirst("system/".count))
                let items = root.child("system")?.children(name) ?? []
                guard !items.isEmpty else { continue }
                let value: XMLRPCValue = items.count > 1 || SectionForm.listTags.contains(name)
                    ? .array(items.map(SectionForm.value(of:))) : SectionForm.value(of: items[0])
                if system.isEmpty { members.append(XMLRPCValue.Member("system", .struct([]))) }
                system.append(XMLRPCValue.Member(name, value))
                continue
            }
            guard var section = root.child(path) else { continue }
            section = SyncSections.strippingNoSync(section)
            switch path {
            case "dhcpd": section = rewriteFailoverPeer(section, root: root)
            case "kea", "kea6": section = swapKeaHA(section)
            case "virtualip":
                members.append(XMLRPCValue.Member(path, transformVIPs(section)))
                continue
            default: break
            }
            members.append(XMLRPCValue.Member(path, SectionForm.value(of: section)))
        }
        if let i = members.firstIndex(where: { $0.name == "system" }) { members[i].value = .struct(system) }
        if hasync.adminSync {
            members.append(XMLRPCValue.Member("hasync", .structure([("adminsync", .string("on"))])))
        }
        return SyncPushPlan(target: target, sections: sections, payload: .struct(members),
                            configVersion: config.version?.text ?? "")
    }

    /// Where this config pushes to, nil on a node that does not push.
    public static func target(for config: Config) -> SyncPushPlan.Target? { target(config) }

    /// Where a daemon running this config pushes each revision to: the target when there is
    /// one and a section to send (`plan` without building the call), else nil.
    public static func pushTarget(_ document: ConfigDocument) -> SyncPushPlan.Target? {
        guard let hasync = document.config.hasync, hasync.pushesConfig, let target = target(document.config),
              !SyncSections.sections(for: hasync, in: document.xml.root).isEmpty else { return nil }
        return target
    }

    /// URL parts (`rc.filter_synchronize`): the peer listens on the port and protocol this
    /// node's own web GUI uses; OPNsense may write a whole URL in `synchronizetoip`.
    static func target(_ config: Config) -> SyncPushPlan.Target? {
        guard let hasync = config.hasync, let peer = hasync.synchronizeToIP?.trimmed, !peer.isEmpty else { return nil }
        let user = hasync.effectiveUsername, password = hasync.password ?? ""
        let webgui = config.system.webgui
        let port = Int(webgui.effectivePort)
        let scheme = webgui.webProtocol == .http && port != 443 ? "http" : "https"
        guard let schemeEnd = peer.range(of: "://") else {
            let host = peer.hasPrefix("[") && peer.hasSuffix("]") ? String(peer.dropFirst().dropLast()) : peer
            return SyncPushPlan.Target(scheme: scheme, host: host, port: port, username: user, password: password)
        }
        let urlScheme = peer[..<schemeEnd.lowerBound].lowercased()
        guard urlScheme == "http" || urlScheme == "https" else { return nil }
        var rest = peer[schemeEnd.upperBound...]
        var path = "/xmlrpc.php"
        if let slash = rest.firstIndex(of: "/") {
            let p = String(rest[slash...])
            if p != "/" { path = p }
            rest = rest[..<slash]
        }
        var host = String(rest), urlPort = urlScheme == "https" ? 443 : 80
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":"), let p = Int(after.dropFirst()) { urlPort = p }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":"), let p = Int(host[host.index(after: colon)...]) {
            urlPort = p
            host = String(host[..<colon])
        }
        return SyncPushPlan.Target(scheme: urlScheme, host: host, port: urlPort, username: user, password: password, path: path)
    }

    /// `failover_peerip` of each DHCP scope becomes this node's own address on that
    /// interface, so the peer points back here.
    static func rewriteFailoverPeer(_ dhcpd: XMLElement, root: XMLElement) -> XMLElement {
        var copy = dhcpd
        for scope in dhcpd.elements {
            guard let peer = scope.child("failover_peerip"), !peer.text.trimmed.isEmpty else { continue }
            let own = root.child("interfaces")?.child(scope.name)?.child("ipaddr")?.text ?? ""
            copy.setValue(own, at: "\(scope.name)/failover_peerip")
        }
        return copy
    }

    /// Kea HA as the peer must see it: local and remote swapped, the role flipped, the
    /// remote name set to this node's name, and this node's TLS settings and name kept home.
    static func swapKeaHA(_ kea: XMLElement) -> XMLElement {
        guard var ha = kea.child("ha") else { return kea }
        let field = { (name: String) in ha.child(name)?.text }
        let (localIP, remoteIP, localPort, remotePort) = (field("localip"), field("remoteip"), field("localport"), field("remoteport"))
        let localName = field("localname")
        ha.setValue(remoteIP, at: "localip")
        ha.setValue(localIP, at: "remoteip")
        ha.setValue(remotePort, at: "localport")
        ha.setValue(localPort, at: "remoteport")
        if let localName { ha.setValue(localName, at: "remotename") }
        switch field("role") {
        case "primary": ha.setValue("standby", at: "role")
        case "standby": ha.setValue("primary", at: "role")
        default: break
        }
        for name in ["localname", "tls", "mutualtls", "scertref", "ccertref"] { ha.removeElements(named: name) }
        var copy = kea
        copy.setElement(ha, at: "ha")
        return copy
    }

    /// `backup_vip_config_section()`: IP aliases and proxy-ARP VIPs stay home unless stacked
    /// on a CARP VIP (`_vip…`) or on `lo0`; advskew + 100 (at most 254) so the peer stays
    /// backup, advbase at most 254; both go as PHP integers.
    static func transformVIPs(_ section: XMLElement) -> XMLRPCValue {
        var vips: [XMLRPCValue] = []
        for vip in section.children("vip") {
            let mode = vip.child("mode")?.text ?? "", interface = vip.child("interface")?.text ?? ""
            if (mode == "proxyarp" || mode == "ipalias"), !interface.hasPrefix("_vip"), !interface.hasPrefix("lo0") { continue }
            guard case .struct(var members) = SectionForm.value(of: vip) else { continue }
            for i in members.indices {
                guard let text = SectionForm.scalarText(members[i].value), !text.isEmpty else { continue }
                switch members[i].name {
                case "advskew": members[i].value = .int(min(phpIntval(text) + 100, 254))
                case "advbase": members[i].value = .int(min(phpIntval(text), 254))
                default: break
                }
            }
            vips.append(.struct(members))
        }
        return .structure([("vip", .array(vips))])
    }

    /// PHP's `intval()`: the leading integer, 0 when there is none.
    static func phpIntval(_ text: String) -> Int {
        var digits = ""
        for (i, c) in text.trimmed.enumerated() {
            if c.isASCII, c.isNumber { digits.append(c) } else if i == 0, c == "-" || c == "+" { digits.append(c) } else { break }
        }
        return Int(digits.prefix(18)) ?? 0
    }
}
