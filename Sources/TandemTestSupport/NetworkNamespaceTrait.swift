import Testing

extension Trait where Self == ConditionTrait {
    /// A kernel test: it runs where network namespaces can be made (root, iproute2, a
    /// kernel that allows them) and is reported as skipped, with the reason, elsewhere —
    /// not passed having asserted nothing.
    public static var needsNetworkNamespaces: Self {
        .enabled(if: NetworkNamespace.unavailableReason == nil,
                 Comment(rawValue: "kernel test: \(NetworkNamespace.unavailableReason ?? "namespaces available")"))
    }
}
