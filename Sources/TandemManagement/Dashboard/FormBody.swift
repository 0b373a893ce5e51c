/// An `application/x-www-form-urlencoded` body or query (HTML Living Standard, "URL-encoded
/// form data": `name=value` pairs joined by `&`, `+` for a space, `%XX` for a byte). Later
/// duplicates do not replace the first value, as PHP's `$_POST` keeps the last one: a
/// form here never repeats a name, so the first is as good and cannot be overridden by
/// something appended to a URL.
public struct FormBody: Sendable, Hashable {
    public private(set) var fields: [String: String] = [:]

    public init(_ text: Substring) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    public init(bytes: [UInt8]) {
        self.init(Substring(String(decoding: bytes, as: UTF8.self)))
    }

    public subscript(name: String) -> String? { fields[name] }

    /// Percent-decoding; a malformed escape is kept as written.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let c = utf8[i]
            if c == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%"), let h = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex), h < utf8.endIndex,
                      let l = utf8.index(i, offsetBy: 2, limitedBy: utf8.endIndex), l < utf8.endIndex,
                      let hi = hex(utf8[h]), let lo = hex(utf8[l]) {
                bytes.append(hi << 4 | lo)
                i = l
            } else {
                bytes.append(c)
            }
            i = utf8.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The cookies of a `Cookie` request header (RFC 6265 §5.4: `name=value` pairs joined by `; `).
public enum CookieHeader {
    public static func value(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq] == name else { continue }
            return String(trimmed[trimmed.index(after: eq)...])
        }
        return nil
    }

    /// A `Set-Cookie` value for a session cookie (RFC 6265 §4.1; SameSite from RFC 6265bis
    /// §4.1.2.7): sent over TLS only, unreadable by scripts, never on a cross-site request.
    /// `maxAge` 0 deletes it.
    public static func set(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        parts += ["HttpOnly", "SameSite=Strict"]
        return parts.joined(separator: "; ")
    }
}
