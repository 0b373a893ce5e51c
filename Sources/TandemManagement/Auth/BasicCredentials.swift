import Foundation

/// The user name and password of an `Authorization: Basic` header (RFC 7617 §2): base64 of
/// `user-id ":" password`, the user id up to the first colon.
public struct BasicCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// nil for a missing header, another scheme, bad base64 or no colon. The scheme name is
    /// case-insensitive (RFC 7235 §2.1); the credentials must be UTF-8 (RFC 7617 §2.1).
    public init?(header: String?) {
        guard let header else { return nil }
        let trimmed = header.drop { $0 == " " }
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return nil }
        let token = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard token.count <= 4096, let data = Data(base64Encoded: token),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }

    /// The header value that carries these credentials.
    public var header: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
