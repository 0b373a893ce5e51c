/// Why a received datagram was thrown away. Each reason has its own counter (STYLE §13:
/// a ladder of early returns, each counted, as OpenBSD `carp_input` does), and a rejected
/// datagram changes nothing but that counter.
public enum SyncRejection: String, Sendable, Hashable, CaseIterable, Error, Codable, CodingKeyRepresentable {
    /// Shorter than a header plus an authentication tag.
    case truncated
    /// Longer than the configured maximum datagram.
    case oversized
    /// Protocol version other than ours.
    case badVersion
    /// The authentication tag does not match: wrong key, corrupted or forged.
    case badAuthentication
    /// Authenticated, but a record is malformed or the record count is wrong.
    case malformed
    /// A datagram number already seen, or older than the replay window.
    case replayed
    /// From an earlier session of the peer (a replay across a restart).
    case staleSession
    /// Carries our own session id: our own datagram reflected back.
    case ownSession
    /// From a session other than the known peer's that does not echo this node's current
    /// challenge: a replay of an older session, or a restarted peer before its echo arrived.
    case unverifiedSession
    /// Acknowledges records we never sent.
    case badAcknowledgement
    /// A table digest beyond the stream position the datagram announces, or two in one
    /// datagram.
    case badDigest
    /// Arrived from an address or port other than the configured peer.
    case unexpectedSource
}
