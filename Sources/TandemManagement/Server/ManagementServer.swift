import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTPS server of `tandem daemon`: Hummingbird's HTTP/1.1 channel, wrapped in TLS unless
/// `system/webgui/protocol` is `http`, with the limits of `ManagementSettings`. A Service in
/// the daemon's group; it runs on an event loop thread of its own so that nothing it does
/// shares a thread with CARP's timers or state sync.
public struct ManagementServer: Service {
    public let settings: ManagementSettings
    public let identity: ServerIdentity?
    public let endpoint: ManagementEndpoint
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    public init(settings: ManagementSettings, identity: ServerIdentity?, endpoint: ManagementEndpoint, logger: Logger,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.settings = settings
        self.identity = identity
        self.endpoint = endpoint
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let settings = self.settings
        let logger = self.logger
        // An autoclosure: evaluated for each new connection, so each gets its own handler.
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(
                headDeadline: .seconds(settings.headDeadlineSeconds), bodyDeadline: .seconds(settings.bodyDeadlineSeconds),
                onExpiry: { logger.notice("management: request not complete in time, connection closed") })],
            idleTimeout: .seconds(settings.idleTimeoutSeconds))
        let server: HTTPServerBuilder
        if settings.https {
            guard let identity else { throw ServerIdentity.Failure(description: "HTTPS without a certificate") }
            server = try .tls(.http1(configuration: http1), tlsConfiguration: try identity.tlsConfiguration())
        } else {
            server = .http1(configuration: http1)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let onListening = self.onListening
        let app = Application(
            router: ManagementRoutes.router(endpoint),
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port),
                serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections, logger: logger)),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? settings.port)
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
        logger.notice("management endpoint on \(settings.url)\(identity.map { ", certificate \($0.source)" } ?? "")")
        do {
            try await app.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try? await group.shutdownGracefully()
    }
}
