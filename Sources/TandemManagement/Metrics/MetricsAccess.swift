import TandemAddress
import TandemConfig

/// Whether a scrape of `/metrics` is allowed, by `<tandem><metrics>` (`MetricsSettings`):
/// pure, so each rule is a table row in the tests.
public enum MetricsAccess {
    public enum Decision: Sendable, Hashable {
        case allowed
        /// 404: metrics are disabled.
        case disabled
        /// 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3): a token is needed or was wrong.
        case needsToken
        /// 403: the address is not in an allowed network.
        case forbiddenNetwork
    }

    /// - Parameters:
    ///   - lan: the node's LAN subnets, the default networks.
    ///   - authorization: the `Authorization` header.
    public static func decide(settings: MetricsSettings, lan: [IPNetwork], caller: IPAddress?,
                              authorization: String?) -> Decision {
        if settings.disabled { return .disabled }
        let networks: [IPNetwork]? = settings.allow ?? (settings.token == nil ? lan : nil)
        if let networks {
            guard let caller, networks.contains(where: { $0.contains(caller) }) else {
                return .forbiddenNetwork
            }
        }
        if let token = settings.token {
            guard let header = authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                return .needsToken
            }
            let given = String(header.dropFirst(7).drop { $0 == " " })
            guard Crypt.constantTimeEqual(Array(given.utf8), Array(token.utf8)) else { return .needsToken }
        }
        return .allowed
    }
}
