import TandemAddress
import TandemConfig

/// `restore_config_section` (`pfsense/pfsense:src/usr/local/www/xmlrpc.php`), step by step:
/// full-replace sections copied, users and groups reconciled when both arrive, local
/// node-specific VIPs kept, the rest merged, then the VIP and route consequences worked out.
enum RestoreConfigSection {
    /// pfSense's `$sync_full_sections`, in its (alphabetical) order, which is also the order
    /// they are named in the revision text: copied wholesale, so deleting the last alias,
    /// rule or NAT rule on the primary deletes it here too.
    static let fullReplace = [
        "aliases", "ca", "cert", "crl", "dhcpd", "dhcrelay", "dhcrelay6", "dnshaper", "dnsmasq", "filter", "ipsec",
        "kea", "kea6", "nat", "openvpn", "schedules", "shaper", "unbound", "wol",
    ]

    /// Kea HA settings that stay the node's own after `kea`/`kea6` are replaced.
    static let keaLocalFields = ["tls", "scertref", "mutualtls", "ccertref", "localname"]

    /// What of `<system>` a push may change (the users and groups are reconciled apart).
    static let systemKeys: Set<String> = ["user", "group", "nextuid", "nextgid", "authserver"]

    static func run(_ pushed: [XMLRPCValue.Member], local: ConfigDocument, caller: IPAddress?) throws(SectionFormError) -> SyncCommit {
        var sections = PHPArrayMerge.phpMembers(pushed)
        var root = local.xml.root
        var log: [String] = []

        // Never taken from a peer, whatever it sends: what makes this node itself.
        let ignored = sections.filter { SyncSections.neverSent.contains($0.name) && $0.name != "hasync" }.map(\.name)
        if !ignored.isEmpty { log.append("Ignored node-local sections sent by the peer: \(ignored.joined(separator: ", "))") }
        sections.removeAll { SyncSections.neverSent.contains($0.name) && $0.name != "hasync" }

        // 1. Full-replace sections.
        var fullDone: [String] = []
        for name in fullReplace {
            guard let index = sections.firstIndex(where: { $0.name == name }) else { continue }
            let old = root.child(name)
            var replacement = try SectionForm.element(named: name, from: sections[index].value)
            if name == "kea" || name == "kea6", let old, var new = replacement {
                keepLocalKeaFields(from: old, into: &new)
                replacement = new
            }
            root.setElement(replacement, at: name)
            sections.remove(at: index)
            fullDone.append(name)
        }

        // 2. Users and groups, only when both arrive (redmine #8450).
        let adminSync = sections.first { $0.name == "hasync" }?.value[member: "adminsync"]?.stringValue == "on"
        if let systemIndex = sections.firstIndex(where: { $0.name == "system" }), case .struct(var system) = sections[systemIndex].value {
            system = PHPArrayMerge.phpMembers(system)
            let users = system.first { $0.name == "user" }?.value
            let groups = system.first { $0.name == "group" }?.value
            if let users, let groups, AccountSync.isPHPTrue(users), AccountSync.isPHPTrue(groups) {
                var localSystem = root.child("system") ?? XMLElement(name: "system")
                log += try AccountSync.reconcile(users: users, groups: groups, adminSync: adminSync, system: &localSystem)
                root.setElement(localSystem, at: "system")
                system.removeAll { $0.name == "user" || $0.name == "group" }
            }
            let dropped = system.filter { !systemKeys.contains($0.name) }.map(\.name)
            if !dropped.isEmpty { log.append("Ignored node-local system settings sent by the peer: \(dropped.joined(separator: ", "))") }
            system.removeAll { !systemKeys.contains($0.name) || $0.name == "user" || $0.name == "group" }
            sections[systemIndex].value = .struct(system)
        }
        if let hasyncIndex = sections.firstIndex(where: { $0.name == "hasync" }) {
            // Only the adminsync flag travels (rc.filter_synchronize); the rest is this node's.
            let flag = sections[hasyncIndex].value[member: "adminsync"]
            sections[hasyncIndex].value = .struct(flag.map { [XMLRPCValue.Member("adminsync", $0)] } ?? [])
        }

        // 3. VIPs: fingerprints before the merge, local IP aliases and proxy-ARP VIPs kept.
        let vipsPushed = sections.contains { $0.name == "virtualip" }
        let oldVIPs = vipsPushed ? VIPFingerprint.table(root.child("virtualip")?.children("vip") ?? []) : [:]
        let kept = vipsPushed ? (root.child("virtualip")?.children("vip") ?? []).filter(VIPFingerprint.staysLocal) : []

        // Static routes the push removes or changes (same index, other network or gateway).
        var removedRoutes: [(network: String, gateway: String)] = []
        if let routes = sections.first(where: { $0.name == "staticroutes" })?.value {
            removedRoutes = StaticRouteChanges.removed(local: root.child("staticroutes")?.children("route") ?? [], pushed: routes)
        }

        // Captive portal zones first: removing a zone removes its vouchers too.
        var removedZones: [String] = []
        if let portal = sections.first(where: { $0.name == "captiveportal" }) {
            let (zones, removed) = try CaptivePortalSync.zones(local: root.child("captiveportal"), pushed: portal.value)
            root.setElement(zones, at: "captiveportal")
            removedZones = removed
            log += removed.map { "Removing captive portal zone: \($0)" }
        }

        // 4. Merge the rest.
        for section in sections {
            if section.name == "captiveportal" { continue }
            if section.name == "voucher" {
                root.setElement(try CaptivePortalSync.vouchers(local: root.child("voucher"), pushed: section.value,
                                                               removedZones: removedZones), at: "voucher")
                continue
            }
            let merged = try PHPArrayMerge.mergeSection(root.child(section.name), name: section.name, with: section.value, depth: 1)
            root.setElement(merged, at: section.name)
        }

        if !removedZones.isEmpty, !sections.contains(where: { $0.name == "voucher" }), var voucher = root.child("voucher") {
            for zone in removedZones { voucher.replaceChildren(named: zone, with: [], depth: 2) }
            root.setElement(voucher, at: "voucher")
        }

        // 5. Kept VIPs go in front, each one unshifted (so they end up in reverse order, as
        //    pfSense's `array_unshift` loop leaves them).
        if !kept.isEmpty {
            var virtualip = root.child("virtualip") ?? XMLElement(name: "virtualip")
            let vips = virtualip.children("vip")
            virtualip.replaceChildren(named: "vip", with: kept.reversed() + vips, depth: 2)
            root.setElement(virtualip, at: "virtualip")
        }

        let keys = sections.map(\.name) + fullDone
        var document = local
        document.edit { $0 = root }

        var vips = VIPChanges()
        if vipsPushed {
            vips = VIPFingerprint.changes(old: oldVIPs, new: document.xml.root.child("virtualip")?.children("vip") ?? [])
            if !vips.removed.isEmpty {
                log.append("VIPs removed by the peer: " + vips.removed.map { "\($0.address) on \($0.interface)" }.joined(separator: ", "))
            }
        }
        let warnings = InterfaceReferences.missing(in: document.xml.root, sections: Set(keys))
        log += warnings
        let text = SyncReceiver.revisionText(keys)
        log.insert(text + (caller.map { " (from \($0))" } ?? ""), at: 0)
        return SyncCommit(document: document, revisionDescription: text, sections: keys, reply: .value(.boolean(true)),
                          vips: vips, removedRoutes: removedRoutes, warnings: warnings, log: log)
    }

    static func keepLocalKeaFields(from old: XMLElement, into new: inout XMLElement) {
        guard let oldHA = old.child("ha") else { return }
        var ha = new.child("ha") ?? XMLElement(name: "ha")
        for field in keaLocalFields {
            ha.replaceChildren(named: field, with: oldHA.children(field), depth: 3)
        }
        new.setElement(ha, at: "ha")
    }
}

/// Static routes whose index now holds another network or gateway, or that are gone.
enum StaticRouteChanges {
    static func removed(local: [XMLElement], pushed: XMLRPCValue) -> [(network: String, gateway: String)] {
        let new: [XMLRPCValue] = pushed[member: "route"].map { $0.items ?? [$0] } ?? []
        var result: [(network: String, gateway: String)] = []
        for (i, route) in local.enumerated() {
            let network = route.child("network")?.text ?? "", gateway = route.child("gateway")?.text ?? ""
            if i < new.count, new[i][member: "network"]?.stringValue == network, new[i][member: "gateway"]?.stringValue == gateway {
                continue
            }
            result.append((network, gateway))
        }
        return result
    }
}
