import Foundation
import TandemAddress

extension ConfigExtractor {
    /// The legacy `<aliases>` list, then OPNsense's MVC aliases (`Extract+OPNsenseMVC`).
    mutating func aliases() -> [Alias] {
        let elements = root.child("aliases")?.children("alias") ?? []
        let mvcElements = mvc?.descendant("Firewall/Alias/aliases")?.children("alias") ?? []
        // Two passes: an entry is a nested alias only if an alias of that name exists.
        let names = Set((elements + mvcElements).compactMap { $0.child("name")?.text.trimmed })
        return legacyAliases(elements, names: names) + mvcAliases(names: names)
    }

    private mutating func legacyAliases(_ elements: [XMLElement], names: Set<String>) -> [Alias] {
        listItems(elements).map { index, element in
            let r = ItemReader(element, path: itemPath("aliases", "alias", index))
            let kind = Alias.Kind(r.string("type") ?? "")
            var alias = Alias(name: r.string("name") ?? "", kind: kind, location: r.location)
            alias.descr = r.raw("descr")
            alias.details = r.raw("detail").map { $0.components(separatedBy: "||") } ?? []
            alias.urls = ([r.nonEmpty("url")] + r.strings("aliasurl").map(Optional.some)).compactMap { $0 }.filter { !$0.isEmpty }
            alias.updateFrequency = r.nonEmpty("updatefreq")
            alias.noSync = r.flag("nosync")
            let words = r.list("address", separators: .whitespace)
            for word in words {
                if let entry = aliasEntry(word, kind: kind, names: names) {
                    alias.entries.append(entry)
                } else {
                    issues.append(r.error("'\(word)' is not a port, a port range or a port alias", field: "address"))
                }
            }
            return alias
        }
    }

    func aliasEntry(_ word: String, kind: Alias.Kind, names: Set<String>) -> AliasEntry? {
        switch kind {
        case .port, .urlPorts, .urltablePorts:
            if names.contains(word) { return .alias(word) }
            return PortSpec(word).map(AliasEntry.port)
        default:
            if let n = IPNetwork(word) { return .network(n) }
            let ends = word.split(separator: "-", omittingEmptySubsequences: false)
            if ends.count == 2, let a = IPAddress(ends[0]), let b = IPAddress(ends[1]) { return .range(a, b) }
            if names.contains(word) { return .alias(word) }
            return .hostname(word)
        }
    }
}
