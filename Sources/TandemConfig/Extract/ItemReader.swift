import Foundation
import TandemAddress

/// Reads one item's fields from its element, typing values and recording what could not be
/// typed as an issue at the field's position.
struct ItemReader {
    let element: XMLElement
    let location: SourceLocation

    init(_ element: XMLElement, path: String) {
        self.element = element
        self.location = SourceLocation(path: path, element: element)
    }

    /// The first child element with this name.
    func child(_ name: String) -> XMLElement? {
        element.child(name)
    }

    /// The element at a relative path (`source/address`).
    private func lookup(_ path: String) -> XMLElement? {
        // Over contiguous bytes: this runs for every field of every item (issue #3).
        let slash = UInt8(ascii: "/")
        let nested = path.utf8.withContiguousStorageIfAvailable { $0.contains(slash) } ?? path.utf8.contains(slash)
        return nested ? element.descendant(path) : element.child(path)
    }

    /// The trimmed text of a field; nil when absent.
    func string(_ field: String) -> String? {
        lookup(field).map { $0.text.trimmed }
    }

    /// The text of a field, nil when absent or empty.
    func nonEmpty(_ field: String) -> String? {
        Self.nonEmpty(lookup(field))
    }

    /// The trimmed text of an element, nil when absent or empty.
    static func nonEmpty(_ element: XMLElement?) -> String? {
        guard let s = element?.text.trimmed, !s.isEmpty else { return nil }
        return s
    }

    /// The text as written (descriptions and passwords keep their spaces).
    func raw(_ field: String) -> String? {
        lookup(field).map(\.text)
    }

    func has(_ path: String) -> Bool { lookup(path) != nil }

    /// Present-means-true with every spelling seen in real files (empty, `1`, `on`, `yes`);
    /// the literal `0` is false, as OPNsense MVC models write it (pfsense-config.md §1).
    func flag(_ field: String) -> Bool {
        Self.flag(lookup(field))
    }

    static func flag(_ element: XMLElement?) -> Bool {
        guard let element else { return false }
        return element.text.trimmed != "0"
    }

    func strings(_ field: String) -> [String] {
        element.children(field).map { $0.text.trimmed }
    }

    /// A comma (or space) separated list field.
    func list(_ field: String, separators: ListSeparators = .comma) -> [String] {
        guard let s = string(field) else { return [] }
        // ASCII text without `\r`: every character is one byte (only `\r\n` would join two),
        // so splitting the bytes is splitting the characters, without the grapheme walk
        // (issue #3: a 100,000-entry alias).
        guard s.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else {
            return s.split { separators.characters.contains($0) }.map { String($0).trimmed }.filter { !$0.isEmpty }
        }
        let bytes = separators.bytes
        if !s.utf8.contains(where: bytes.contains) { return s.isEmpty ? [] : [s] }
        var words: [String] = []
        var start = s.utf8.startIndex
        for i in s.utf8.indices where bytes.contains(s.utf8[i]) {
            if start < i { words.append(String(s[start..<i])) }
            start = s.utf8.index(after: i)
        }
        if start < s.utf8.endIndex { words.append(String(s[start...])) }
        return words.map(\.trimmed).filter { !$0.isEmpty }
    }

    func error(_ message: String, field: String) -> ConfigDiagnostic {
        .error(message, at: location, field: field)
    }

    /// An integer field; a non-numeric value is recorded as an issue.
    func int(_ field: String, _ issues: inout [ConfigDiagnostic]) -> Int? {
        guard let s = nonEmpty(field) else { return nil }
        guard let n = Int(s) else {
            issues.append(error("'\(s)' is not a number", field: field))
            return nil
        }
        return n
    }

    func port(_ field: String, _ issues: inout [ConfigDiagnostic]) -> PortSpec? {
        port(lookup(field), field: field, &issues)
    }

    /// A port field already looked up (`field` names it in an issue).
    func port(_ element: XMLElement?, field: @autoclosure () -> String,
              _ issues: inout [ConfigDiagnostic]) -> PortSpec? {
        guard let s = Self.nonEmpty(element) else { return nil }
        guard let p = PortSpec(s) else {
            issues.append(error("'\(s)' is not a port, a port range or a port alias", field: field()))
            return nil
        }
        return p
    }

    func ipv4(_ field: String, _ issues: inout [ConfigDiagnostic]) -> IPv4Address? {
        guard let s = nonEmpty(field) else { return nil }
        guard let a = IPv4Address(s) else {
            issues.append(error("'\(s)' is not an IPv4 address", field: field))
            return nil
        }
        return a
    }

    func ip(_ field: String, _ issues: inout [ConfigDiagnostic]) -> IPAddress? {
        guard let s = nonEmpty(field) else { return nil }
        guard let a = IPAddress(s) else {
            issues.append(error("'\(s)' is not an IP address", field: field))
            return nil
        }
        return a
    }

    /// `<created>` / `<updated>`.
    func stamp(_ field: String) -> ChangeStamp? {
        guard has(field) else { return nil }
        return ChangeStamp(time: nonEmpty(field + "/time").flatMap(Double.init),
                           username: raw(field + "/username"),
                           description: raw(field + "/description"))
    }

    /// A fixed-vocabulary field; an unknown word is an issue and yields nil.
    func word<T: RawRepresentable>(_ field: String, as type: T.Type, _ issues: inout [ConfigDiagnostic]) -> T?
        where T.RawValue == String, T: CaseIterable {
        guard let s = nonEmpty(field) else { return nil }
        // Words are nearly always written in lower case already: lower only when needed.
        let isLower = s.utf8.allSatisfy { $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
        guard let v = T(rawValue: isLower ? s : s.lowercased()) else {
            let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            issues.append(error("'\(s)' is not one of \(allowed)", field: field))
            return nil
        }
        return v
    }
}

/// The characters a list field is split at: single ASCII characters, also kept as bytes.
struct ListSeparators {
    let bytes: [UInt8]
    var characters: Set<Character> { Set(bytes.map { Character(Unicode.Scalar($0)) }) }

    /// `lan,wan`, `echoreq,unreach`.
    static let comma = ListSeparators(bytes: [UInt8(ascii: ",")])
    /// Alias addresses, time servers: spaces, tabs and newlines.
    static let whitespace = ListSeparators(bytes: [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")])
}

/// 1-based XPath-style path of the i-th (0-based) element of a list.
func itemPath(_ parent: String, _ name: String, _ index: Int) -> String {
    "\(parent)/\(name)[\(index + 1)]"
}

extension String {
    /// Without leading and trailing XML whitespace (space, tab, CR, LF: XML 1.0 §2.3 `S`);
    /// the common case (none) costs no copy. Byte-wise rather than Foundation's
    /// `trimmingCharacters`, which bridges through NSString and, on first use in a process,
    /// makes the runtime look up generic conformances (~0.3 ms of a short `tandem apply`).
    public var trimmed: String {
        let u = utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return self }
        var start = u.startIndex, end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(self[start..<end])
    }
}
