import TandemConfigSync

/// Sends one XML-RPC call to the peer and returns its answer: the one effect a push has,
/// behind a protocol so the push logic is tested with a fake (STYLE.md §2).
public protocol XMLRPCTransport: Sendable {
    /// - Parameters:
    ///   - pin: the SHA-256 fingerprint (lowercase hex) the peer's certificate must have; nil
    ///     accepts any certificate (pfSense never checks it; Tandem pins on first success).
    /// - Returns: the response and the fingerprint of the certificate the peer presented
    ///   (nil over plain HTTP).
    func send(_ call: XMLRPCCall, to target: SyncPushPlan.Target, pin: String?,
              timeoutSeconds: Int) async throws(XMLRPCTransportError) -> (response: XMLRPCResponse, certificate: String?)
}

public enum XMLRPCTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Could not connect, or the connection broke: worth another attempt.
    case connection(String)
    case timedOut(seconds: Int)
    /// The peer presented another certificate than the pinned one: never retried, and
    /// nothing (no credentials) was sent.
    case certificateChanged(pinned: String, presented: String)
    /// The peer answered, but not with XML-RPC (an HTTP error status, an HTML page, a
    /// malformed body).
    case badResponse(String)

    /// Whether pfSense's client would try again (transport trouble, not an answer).
    public var isRetryable: Bool {
        switch self {
        case .connection, .timedOut: true
        case .certificateChanged, .badResponse: false
        }
    }

    public var description: String {
        switch self {
        case .connection(let why): "connection failed: \(why)"
        case .timedOut(let s): "no answer within \(s) s"
        case .certificateChanged(let pinned, let presented):
            "the peer's TLS certificate changed (pinned sha256 \(pinned), presented sha256 \(presented)); "
                + "nothing was sent. If the peer's certificate was replaced on purpose, run `tandem sync trust-peer`"
        case .badResponse(let why): "bad response: \(why)"
        }
    }
}
