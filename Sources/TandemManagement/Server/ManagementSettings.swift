import TandemConfig

/// How the endpoint listens and what it tolerates. The port and protocol follow
/// `system/webgui` (pfSense's web GUI, which serves `/xmlrpc.php`); the limits are Tandem's.
public struct ManagementSettings: Sendable, Hashable {
    /// `::` accepts IPv4 too (as mapped addresses, which the endpoint unmaps).
    public var host: String
    public var port: Int
    public var https: Bool
    /// Largest request body read; a larger one gets 413. A 10,000-rule config as XML-RPC
    /// structs is ~8 MiB.
    public var maxBodyBytes: Int
    /// A connection with no traffic at all for this long is closed.
    public var idleTimeoutSeconds: Int64
    /// The TLS handshake and request head must arrive within this (slow-loris guard).
    public var headDeadlineSeconds: Int64
    /// The body must be complete this long after the head.
    public var bodyDeadlineSeconds: Int64
    /// Connections open at once; further ones wait in the listen backlog.
    public var maxConnections: Int

    public init(host: String = "::", port: Int = 443, https: Bool = true, maxBodyBytes: Int = 16 << 20,
                idleTimeoutSeconds: Int64 = 30, headDeadlineSeconds: Int64 = 10, bodyDeadlineSeconds: Int64 = 60,
                maxConnections: Int = 32) {
        self.host = host
        self.port = port
        self.https = https
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headDeadlineSeconds = headDeadlineSeconds
        self.bodyDeadlineSeconds = bodyDeadlineSeconds
        self.maxConnections = maxConnections
    }

    /// From `system/webgui`: HTTPS unless the protocol is `http`; the port, or 443/80 when empty.
    public init(webgui: WebGUI) {
        let https = webgui.webProtocol != .http
        self.init(port: Int(webgui.port ?? (https ? 443 : 80)), https: https)
    }

    public var url: String { "\(https ? "https" : "http")://[\(host)]:\(port)" }
}
