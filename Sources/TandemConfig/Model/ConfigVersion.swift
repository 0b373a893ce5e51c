import Foundation

/// The config schema `<version>` (not the product release), compared numerically per dotted
/// component: `23.09.1` > `23.9` == `23.09`, `2.9` < `10.3` (pfsense-config.md §14).
public struct ConfigVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The text as written, kept so the file round-trips.
    public var text: String
    public var components: [Int]

    public init?(_ text: String) {
        let trimmed = text.trimmed
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(part) else { return nil }
            components.append(n)
        }
        guard !components.isEmpty else { return nil }
        self.text = trimmed
        self.components = components
    }

    /// The version where the outbound-NAT target spelling changed (§6.1).
    public static let natTargetRefactor = ConfigVersion("23.0")!
    /// The version that introduced `<nat><outbound><mode>` (§6).
    public static let outboundMode = ConfigVersion("10.3")!

    private var trimmedComponents: [Int] {
        var c = components
        while c.count > 1, c.last == 0 { c.removeLast() }
        return c
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let a = lhs.trimmedComponents, b = rhs.trimmedComponents
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.trimmedComponents == rhs.trimmedComponents }
    public func hash(into hasher: inout Hasher) { hasher.combine(trimmedComponents) }

    public var description: String { text }
}
