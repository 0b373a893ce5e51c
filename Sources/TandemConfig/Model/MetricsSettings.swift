import TandemAddress

/// Tandem's own `<tandem><metrics>` section: who may read `/metrics` on the management
/// endpoint. pfSense has no such section (its exporter is a package); Tandem reads it from
/// its own top-level element, which pfSense ignores.
///
/// ```xml
/// <tandem>
///   <metrics>
///     <allow>192.0.2.0/24</allow>   <!-- repeatable; replaces the default (the LAN subnets) -->
///     <token>s3cret</token>         <!-- a scrape must send "Authorization: Bearer s3cret" -->
///     <disable/>                    <!-- no /metrics at all -->
///   </metrics>
/// </tandem>
/// ```
///
/// Without the section, `/metrics` answers the node's LAN subnets without a token, as a
/// node exporter on the LAN does. With only `<token>`, any address with the token; with
/// only `<allow>`, those networks without a token; with both, both are required.
public struct MetricsSettings: Sendable, Hashable {
    public var disabled: Bool
    /// nil: the default (the LAN subnets).
    public var allow: [IPNetwork]?
    public var token: String?

    public init(disabled: Bool = false, allow: [IPNetwork]? = nil, token: String? = nil) {
        self.disabled = disabled
        self.allow = allow
        self.token = token
    }
}
