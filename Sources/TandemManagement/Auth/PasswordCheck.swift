import Crypto
import TandemConfig

/// Checks a password against every stored form the config model reads (`PasswordHash`),
/// as pfSense's `local_backed()` (`pfsense/pfsense:src/etc/inc/auth.inc`) does: bcrypt and
/// sha512-crypt through crypt(3), `md5-hash` as the hex MD5 of the password (pfSense 2.0–2.2),
/// `password` as a crypt(3) string of any scheme libcrypt knows (pfSense ≤ 1.2 md5-crypt,
/// OPNsense).
public enum PasswordCheck {
    public static func verify(_ password: String, against stored: PasswordHash) -> Bool {
        switch stored {
        case .bcrypt(let hash), .sha512(let hash), .crypt(let hash):
            return Crypt.verify(password, against: hash)
        case .md5(let hex):
            let digest = Insecure.MD5.hash(data: Array(password.utf8))
            let computed = digest.map { byte in
                let s = String(byte, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined()
            return Crypt.constantTimeEqual(Array(computed.utf8), Array(hex.lowercased().utf8))
        }
    }

    /// The bcrypt cost of a `$2?$NN$…` hash, nil for other forms.
    static func bcryptCost(_ stored: PasswordHash) -> Int? {
        let text = stored.hash
        guard text.hasPrefix("$2"), text.count > 7 else { return nil }
        let parts = text.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        return Int(parts[1])
    }
}
