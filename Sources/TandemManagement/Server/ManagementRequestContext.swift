import Hummingbird
import NIOCore
import TandemAddress

/// The request context: Hummingbird's core storage plus the caller's address, which the
/// login limiter and the sync loop guard need.
public struct ManagementRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller as an address, an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`, what a `::`
    /// socket reports for IPv4) turned back into IPv4 so it compares with config addresses.
    public var caller: IPAddress? {
        guard let text = remoteAddress?.ipAddress else { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("::ffff:"), let v4 = IPAddress(String(text.dropFirst(7))), v4.family == .ipv4 { return v4 }
        return IPAddress(text)
    }
}
