/// The CARP authentication key as BSD derives it from a passphrase (BSD `ifconfig`
/// `setcarp_passwd`): no key derivation, the passphrase bytes are `strlcpy`'d into a 20-byte
/// buffer, so at most 19 bytes count and the rest is zero. pfSense strips spaces from
/// the password before passing it on (`interface_carp_configure()`).
public struct CarpKey: Sendable, Hashable {
    public static let size = 20
    /// Bytes of the passphrase that reach the key (`strlcpy` keeps room for the NUL).
    public static let usablePassphraseBytes = 19

    /// The 20-byte, zero-padded key.
    public let bytes: [UInt8]
    /// True when the passphrase was longer than 19 bytes and was cut, as BSD does
    /// silently; the caller should warn.
    public let wasTruncated: Bool

    /// A key from a pfSense `<password>`: spaces removed, UTF-8, first 19 bytes.
    public init(password: String) {
        let stripped = password.utf8.filter { $0 != UInt8(ascii: " ") }
        self.init(passphraseBytes: stripped)
    }

    /// A key from raw passphrase bytes, without pfSense's space stripping.
    public init(passphraseBytes: some Collection<UInt8>) {
        let used = Array(passphraseBytes.prefix(Self.usablePassphraseBytes))
        wasTruncated = passphraseBytes.count > Self.usablePassphraseBytes
        bytes = used + Array(repeating: 0, count: Self.size - used.count)
    }
}
