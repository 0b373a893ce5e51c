/// The outcome of authenticating an XML-RPC request, with the fault pfSense answers
/// (`pfsense/pfsense:src/usr/local/www/xmlrpc.php`, `xmlrpc_auth()`).
public enum AuthDecision: Sendable, Hashable {
    /// The user may sync.
    case granted(username: String)
    /// Unknown user, wrong password, disabled or expired account, or no usable header:
    /// fault -1. `username` is what the request claimed, for the log.
    case invalidCredentials(username: String?, reason: String)
    /// A valid user without uid 0, `system-xmlrpc-ha-sync` or `page-all`: fault -2.
    case notEnoughPrivileges(username: String)

    public var faultCode: Int? {
        switch self {
        case .granted: nil
        case .invalidCredentials: -1
        case .notEnoughPrivileges: -2
        }
    }

    /// pfSense's exact fault strings.
    public var faultString: String? {
        switch self {
        case .granted: nil
        case .invalidCredentials: "Authentication failed: Invalid username or password"
        case .notEnoughPrivileges: "Authentication failed: not enough privileges"
        }
    }

    /// Whether the password was wrong (what the per-address limiter counts): a valid login
    /// without privileges is not a guess.
    public var isFailedLogin: Bool {
        if case .invalidCredentials = self { return true }
        return false
    }
}
