@preconcurrency import Crypto
import Foundation

/// The `__csrf_magic` token of the login form, before any session exists. pfSense's
/// csrf-magic (`pfsense/pfsense:src/usr/local/www/csrf/csrf-magic.php`, `csrf_get_tokens()`)
/// writes `sid:HASH,TIME` with the hash keyed by a server secret and bound to the PHP
/// session cookie the login page set. Tandem does the same with its own pre-login cookie:
/// `sid:` + HMAC-SHA256(key, "login|" + cookie + "|" + time) + `,` + time. A page on
/// another site cannot read the cookie, so it cannot forge a token for it (login CSRF).
public struct LoginFormToken: Sendable {
    /// A token is good for this many seconds (csrf-magic's `$GLOBALS['csrf']['expires']`
    /// is two hours; a login form needs less).
    public static let lifetime: Double = 3600

    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// - Parameter now: seconds since the epoch (the token carries it, so it is wall time).
    public func make(cookie: String, now: Double) -> String {
        let time = Int(now)
        return "sid:\(mac(cookie: cookie, time: time)),\(time)"
    }

    public func verify(_ token: String?, cookie: String?, now: Double) -> Bool {
        guard let token, let cookie, token.hasPrefix("sid:"), let comma = token.lastIndex(of: ",") else { return false }
        guard let time = Int(token[token.index(after: comma)...]) else { return false }
        let age = now - Double(time)
        guard age >= -60, age <= Self.lifetime else { return false }
        let given = Array(token[token.index(token.startIndex, offsetBy: 4)..<comma].utf8)
        return Crypt.constantTimeEqual(given, Array(mac(cookie: cookie, time: time).utf8))
    }

    private func mac(cookie: String, time: Int) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("login|\(cookie)|\(time)".utf8), using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
