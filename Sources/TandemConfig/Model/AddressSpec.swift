import Foundation
import TandemAddress

/// An address field that holds either an address/prefix or the name of an alias
/// (`<address>`, alias entries, NAT targets). Which one is decided by whether the text parses
/// as an address; whether the name exists is the validator's question.
public enum AddressSpec: Sendable, Hashable, CustomStringConvertible {
    case network(IPNetwork)
    case alias(String)

    public init(_ text: String) {
        if let n = IPNetwork(text) {
            self = .network(n)
        } else {
            self = .alias(text)
        }
    }

    public var description: String {
        switch self {
        case .network(let n): n.isHost ? n.address.description : n.description
        case .alias(let name): name
        }
    }
}

/// A port or port range: `443`, `1000-2000` (filter rules), `1000:2000` (outbound NAT), or a
/// port alias name (pfsense-config.md §5, §6).
public enum PortSpec: Sendable, Hashable, CustomStringConvertible {
    case port(UInt16)
    case range(UInt16, UInt16)
    case alias(String)

    /// nil when the text looks numeric but is not a valid port or range (`70000`, `20-10`),
    /// so the caller can report it instead of treating it as an alias name.
    public init?(_ text: String) {
        // The common case, a plain port number (`443`): digits only, so nothing to trim or split.
        if let digits = Self.asciiNumber(text.utf8) {
            guard let p = digits else { return nil }
            self = .port(p)
            return
        }
        let t = text.trimmed
        guard !t.isEmpty else { return nil }
        let separators: Set<Character> = ["-", ":"]
        if t.allSatisfy({ $0.isASCII && ($0.isNumber || separators.contains($0)) }) {
            let parts = t.split(omittingEmptySubsequences: false) { separators.contains($0) }
            switch parts.count {
            case 1:
                guard let p = PortSpec.number(parts[0]) else { return nil }
                self = .port(p)
            case 2:
                guard let a = PortSpec.number(parts[0]), let b = PortSpec.number(parts[1]), a <= b else { return nil }
                self = a == b ? .port(a) : .range(a, b)
            default:
                return nil
            }
        } else if t.first!.isNumber {
            return nil
        } else {
            self = .alias(t)
        }
    }

    /// nil when `bytes` is not all ASCII digits; otherwise the port (.some(nil) when out of
    /// range or longer than five digits, as `number` says).
    private static func asciiNumber(_ bytes: String.UTF8View) -> UInt16?? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        guard bytes.count <= 5 else { return .some(nil) }
        let n = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return .some(n >= 1 && n <= 65535 ? UInt16(n) : nil)
    }

    private static func number(_ s: Substring) -> UInt16? {
        guard !s.isEmpty, s.count <= 5, let n = Int(s), n >= 1, n <= 65535 else { return nil }
        return UInt16(n)
    }

    public var description: String {
        switch self {
        case .port(let p): "\(p)"
        case .range(let a, let b): "\(a)-\(b)"
        case .alias(let name): name
        }
    }
}
