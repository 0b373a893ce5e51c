#if canImport(Glibc)
import Glibc
#endif
import CCrypt

/// libxcrypt's `crypt_r(3)` and `crypt_gensalt_rn(3)`: the one place passwords are hashed
/// (bcrypt `$2b$`/`$2y$` as PHP's `password_hash()` writes them in pfSense's `bcrypt-hash`,
/// sha512-crypt `$6$`, md5-crypt `$1$`). Each call works in its own `crypt_data` (~32 kB),
/// so calls from several threads do not share state.
public enum Crypt {
    /// `crypt_r(password, setting)`: nil when libcrypt rejects the setting (an unknown or
    /// malformed prefix; libxcrypt then returns a string starting with `*`).
    public static func hash(_ password: String, setting: String) -> String? {
        guard let data = calloc(1, MemoryLayout<crypt_data>.size)?.assumingMemoryBound(to: crypt_data.self) else {
            return nil
        }
        defer {
            // The work area held the password: cleared before it is freed.
            memset(data, 0, MemoryLayout<crypt_data>.size)
            free(data)
        }
        guard let result = crypt_r(password, setting, data) else { return nil }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }

    /// Whether `password` hashes to `stored`, compared without an early exit.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard let computed = hash(password, setting: stored) else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(stored.utf8))
    }

    /// A fresh setting (`$2b$10$` + 22 salt characters) from the OS random source:
    /// `crypt_gensalt_rn(3)` with no random bytes given reads them itself.
    public static func bcryptSetting(cost: Int = 10) -> String? {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = output.withUnsafeMutableBufferPointer { buffer in
            crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, buffer.baseAddress, Int32(buffer.count))
        }
        guard made != nil else { return nil }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A bcrypt hash of `password`, as `password_hash($p, PASSWORD_BCRYPT)` would store it
    /// (pfSense writes `$2y$`; `$2b$` is the same algorithm and both are accepted by either).
    public static func bcrypt(_ password: String, cost: Int = 10) -> String? {
        bcryptSetting(cost: cost).flatMap { hash(password, setting: $0) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<min(a.count, b.count) { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
