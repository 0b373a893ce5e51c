import TandemConfig

/// Captive portal zones and voucher rolls in a push (`restore_config_section`): the zones
/// become the primary's (local zones it does not have are removed, with their vouchers),
/// but each zone's backward-sync settings (`enablebackwardsync`, `backwardsyncip`,
/// `backwardsyncuser`, `backwardsyncpassword`) and each voucher zone's sync settings
/// (`vouchersyncdbip`, `vouchersyncport`, `vouchersyncusername`, `vouchersyncpass`) stay
/// this node's own. Voucher rolls are matched by `number`: a roll whose `lastsync` the
/// primary did not change stays as it is here (it holds this node's used-voucher state),
/// others are taken from the primary, and rolls the primary does not have are removed.
enum CaptivePortalSync {
    static let backwardSyncFields = ["enablebackwardsync", "backwardsyncip", "backwardsyncuser", "backwardsyncpassword"]
    static let voucherSyncFields = ["vouchersyncdbip", "vouchersyncport", "vouchersyncusername", "vouchersyncpass"]

    /// The `captiveportal` section after the push, and the zones removed.
    static func zones(local: XMLElement?, pushed: XMLRPCValue) throws(SectionFormError) -> (XMLElement?, removed: [String]) {
        guard var section = try SectionForm.element(named: "captiveportal", from: pushed) else { return (nil, []) }
        let localZones = local?.elements ?? []
        for zone in section.elements {
            guard let old = localZones.first(where: { $0.name == zone.name }) else { continue }
            var kept = zone
            for field in backwardSyncFields {
                kept.replaceChildren(named: field, with: old.children(field), depth: 3)
            }
            section.replaceChildren(named: zone.name, with: [kept], depth: 2)
        }
        let pushedNames = Set(section.elements.map(\.name))
        return (section, localZones.map(\.name).filter { !pushedNames.contains($0) })
    }

    /// The `voucher` section after the push: pushed zones with local sync settings and the
    /// rolls matched as above; local zones the push does not name stay (a merged section)
    /// unless their captive portal zone was removed.
    static func vouchers(local: XMLElement?, pushed: XMLRPCValue, removedZones: [String]) throws(SectionFormError) -> XMLElement? {
        guard case .struct(let members) = pushed else { return try SectionForm.element(named: "voucher", from: pushed) }
        var section = local ?? XMLElement(name: "voucher")
        for member in PHPArrayMerge.phpMembers(members) {
            guard var zone = try SectionForm.element(named: member.name, from: member.value, path: "voucher/" + member.name) else {
                section.replaceChildren(named: member.name, with: [], depth: 2)
                continue
            }
            let old = local?.child(member.name)
            for field in voucherSyncFields {
                zone.replaceChildren(named: field, with: old?.children(field) ?? [], depth: 3)
            }
            let localRolls = old?.children("roll") ?? []
            let rolls = zone.children("roll").map { roll -> XMLElement in
                let number = roll.child("number")?.text
                guard let mine = localRolls.first(where: { $0.child("number")?.text == number }) else { return roll }
                let pushedSync = roll.child("lastsync")?.text
                let localSync = mine.child("lastsync")?.text ?? "0"
                return pushedSync == nil || pushedSync == localSync ? mine : roll
            }
            zone.replaceChildren(named: "roll", with: rolls, depth: 3)
            section.replaceChildren(named: member.name, with: [zone], depth: 2)
        }
        for zone in removedZones { section.replaceChildren(named: zone, with: [], depth: 2) }
        return section
    }
}
