import TandemConfig

/// Users and groups of a push (`restore_config_section` computing `$u2add`/`$u2del`/
/// `$g2add`/`$g2del`, then `local_sync_accounts()` in `pfsense/pfsense:src/etc/inc/auth.inc`
/// applying them):
///
/// - a pushed account unknown here is added;
/// - a known one below the system range (uid < 2000, gid < 1999) is kept as it is here,
///   except users when the push carries `hasync/adminsync` = `on`;
/// - a known one whose body differs is replaced; an identical one kept;
/// - a local account the primary does not have is deleted, except system-range accounts
///   (uid < 2000 not being replaced, gid < 1999) and those above 65000 (`nobody`);
/// - both lists end up sorted by name.
enum AccountSync {
    static func reconcile(users: XMLRPCValue, groups: XMLRPCValue, adminSync: Bool,
                          system: inout XMLElement) throws(SectionFormError) -> [String] {
        var log: [String] = []
        let groupPlan = plan(pushed: items(groups), local: system.children("group"), idField: "gid", keepBelow: 1999, override: false)
        let userPlan = plan(pushed: items(users), local: system.children("user"), idField: "uid", keepBelow: 2000, override: adminSync)

        var newUsers: [XMLElement] = []
        for (i, user) in system.children("user").enumerated() {
            if userPlan.deleted(i, idField: "uid", element: user, systemBelow: 2000) {
                log.append("Removing user: \(user.child("name")?.text ?? "")")
            } else {
                newUsers.append(user)
            }
        }
        for (n, value) in userPlan.add.enumerated() {
            guard let e = try SectionForm.element(named: "user", from: value, path: "system/user[\(n + 1)]") else { continue }
            log.append("Adding user: \(e.child("name")?.text ?? "")")
            newUsers.append(e)
        }

        var newGroups: [XMLElement] = []
        for (i, group) in system.children("group").enumerated() {
            if groupPlan.deleted(i, idField: "gid", element: group, systemBelow: 1999, groups: true) {
                log.append("Removing group: \(group.child("name")?.text ?? "")")
            } else {
                newGroups.append(group)
            }
        }
        for (n, value) in groupPlan.add.enumerated() {
            guard let e = try SectionForm.element(named: "group", from: value, path: "system/group[\(n + 1)]") else { continue }
            log.append("Adding group: \(e.child("name")?.text ?? "")")
            newGroups.append(e)
        }

        // `usort(…, strcmp)`: byte order of the names; `sorted` is not stable, so ties keep
        // their order through the index.
        func sortedByName(_ list: [XMLElement]) -> [XMLElement] {
            list.enumerated().sorted { a, b in
                let x = Array((a.element.child("name")?.text ?? "").utf8), y = Array((b.element.child("name")?.text ?? "").utf8)
                return x == y ? a.offset < b.offset : x.lexicographicallyPrecedes(y)
            }.map(\.element)
        }
        system.replaceChildren(named: "group", with: sortedByName(newGroups), depth: 2)
        system.replaceChildren(named: "user", with: sortedByName(newUsers), depth: 2)
        return log
    }

    struct Plan {
        var add: [XMLRPCValue] = []
        /// Local indices in `$u2del_idx` order, with whether the same account is re-added.
        var deleteIndices: [Int] = []
        var replaced: Set<Int> = []

        /// `local_sync_accounts()`'s skip rules for one `$u2del`/`$g2del` entry.
        func deleted(_ index: Int, idField: String, element: XMLElement, systemBelow: Int, groups: Bool = false) -> Bool {
            guard deleteIndices.contains(index) else { return false }
            let id = AccountSync.phpNumber(element.child(idField)?.text)
            if id > 65000 { return false }
            if groups { return id >= systemBelow }
            // A system-range user is removed only when it is being replaced (adminsync).
            return id >= systemBelow || replaced.contains(index)
        }
    }

    static func plan(pushed: [XMLRPCValue], local: [XMLElement], idField: String, keepBelow: Int, override: Bool) -> Plan {
        var plan = Plan()
        var keep: [Int] = []
        let localNames = local.map { $0.child("name")?.text ?? "" }
        for account in pushed {
            let name = account[member: "name"].flatMap(SectionForm.scalarText) ?? ""
            guard let index = localNames.firstIndex(of: name) else {
                plan.add.append(account)
                continue
            }
            let id = phpNumber(account[member: idField].flatMap(SectionForm.scalarText))
            if id < keepBelow && !override {
                keep.append(index)
            } else if !PHPArrayMerge.looselyEqual(account, SectionForm.value(of: local[index])) {
                plan.add.append(account)
                plan.deleteIndices.append(index)
                plan.replaced.insert(index)
            } else {
                keep.append(index)
            }
        }
        for index in local.indices where !keep.contains(index) && !plan.deleteIndices.contains(index) {
            plan.deleteIndices.append(index)
        }
        return plan
    }

    static func items(_ value: XMLRPCValue) -> [XMLRPCValue] {
        if case .array(let items) = value { return items }
        if case .struct = value { return [value] }
        return []
    }

    /// PHP's truth of a pushed value: a non-empty array or a non-empty, non-"0" string.
    static func isPHPTrue(_ value: XMLRPCValue) -> Bool {
        switch value {
        case .array(let a): !a.isEmpty
        case .struct(let m): !m.isEmpty
        case .string(let s): !s.isEmpty && s != "0"
        case .int(let n): n != 0
        case .boolean(let b): b
        case .double(let d): d != 0
        case .nil: false
        case .dateTime, .base64: true
        }
    }

    /// A uid/gid as PHP compares it with a number: missing or empty is 0; text that is not a
    /// number compares above any id.
    static func phpNumber(_ text: String?) -> Int {
        guard let text = text?.trimmed, !text.isEmpty else { return 0 }
        return Int(text) ?? Int.max
    }
}
