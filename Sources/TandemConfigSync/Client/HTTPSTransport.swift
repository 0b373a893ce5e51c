import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TandemConfigSync

/// XML-RPC over HTTP(S) with SwiftNIO: one connection per call (`Connection: close`), HTTP
/// Basic credentials, and the peer's certificate checked against the pin inside the TLS
/// handshake, so credentials never reach a peer that presents another certificate.
/// (async-http-client gives no access to the peer certificate during the handshake.)
public struct HTTPSTransport: XMLRPCTransport {
    /// The largest response read.
    public static let maximumResponse = 16 * 1024 * 1024
    public static let connectTimeout = TimeAmount.seconds(10)

    /// Opens the connection; NIO creates the socket on the calling thread, so a test can
    /// open it inside a network namespace.
    public typealias Connect = @Sendable (ClientBootstrap, SocketAddress) -> EventLoopFuture<any Channel>

    let group: any EventLoopGroup
    let connect: Connect

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                connect: @escaping Connect = { $0.connect(to: $1) }) {
        self.group = group
        self.connect = connect
    }

    public func send(_ call: XMLRPCCall, to target: SyncPushPlan.Target, pin: String?,
                     timeoutSeconds: Int) async throws(XMLRPCTransportError) -> (response: XMLRPCResponse, certificate: String?) {
        let presented = NIOLockedValueBox<String?>(nil)
        let body = XMLRPCCodec.encodeCall(call)
        let channel: any Channel
        let promise = group.next().makePromise(of: CollectedResponse.self)
        do {
            var sslContext: NIOSSLContext?
            if target.scheme == "https" {
                var tls = TLSConfiguration.makeClientConfiguration()
                // Not `.none`: with `.none` NIOSSL skips the custom callback below, which
                // replaces chain verification with the pin check.
                tls.certificateVerification = .noHostnameVerification
                sslContext = try NIOSSLContext(configuration: tls)
            }
            let sniHost: String? = Self.isIPAddress(target.host) ? nil : target.host
            let address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(Self.connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: sniHost) { certificates, verdict in
                                guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                                    verdict.succeed(.failed)
                                    return
                                }
                                let fingerprint = SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
                                presented.withLockedValue { $0 = fingerprint }
                                verdict.succeed(pin == nil || pin == fingerprint ? .certificateVerified : .failed)
                            }
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: Self.maximumResponse))
                    }
                }
            channel = try await connect(bootstrap, address).get()
        } catch {
            promise.fail(error)
            throw .connection("\(target): \(error)")
        }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeoutSeconds))) {
            promise.fail(TimeoutError())
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }

        let credentials = Data("\(target.username):\(target.password)".utf8).base64EncodedString()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path)
        let hostHeader = (target.host.contains(":") ? "[\(target.host)]" : target.host) + ":\(target.port)"
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: "Tandem XML-RPC client")
        head.headers.add(name: "Content-Type", value: "text/xml")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Authorization", value: "Basic " + credentials)
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)

        let collected: CollectedResponse
        do {
            collected = try await promise.futureResult.get()
        } catch {
            channel.close(promise: nil)
            let fingerprint = presented.withLockedValue { $0 }
            if let pin, let fingerprint, fingerprint != pin {
                throw .certificateChanged(pinned: pin, presented: fingerprint)
            }
            if error is TimeoutError { throw .timedOut(seconds: timeoutSeconds) }
            if let e = error as? CollectorError { throw .badResponse(e.message) }
            throw .connection("\(target): \(error)")
        }
        channel.close(promise: nil)
        guard collected.status == .ok else {
            throw .badResponse("HTTP \(collected.status.code) \(collected.status.reasonPhrase) from \(target)")
        }
        do {
            return (try XMLRPCCodec.decodeResponse(collected.body), presented.withLockedValue { $0 })
        } catch {
            let text = String(decoding: collected.body.prefix(200), as: UTF8.self)
            // OPNsense refuses a login with this bare text instead of a fault.
            if text.hasPrefix("Authentication failed") { return (.value(.string(text)), presented.withLockedValue { $0 }) }
            throw .badResponse("not an XML-RPC response from \(target): \(error)")
        }
    }

    /// The SHA-256 fingerprint of the certificate the peer presents now, from a handshake
    /// that is abandoned before anything is sent (`tandem sync trust-peer`).
    public func certificateFingerprint(of target: SyncPushPlan.Target) async throws(XMLRPCTransportError) -> String {
        guard target.scheme == "https" else { throw .badResponse("\(target) is not HTTPS: there is no certificate to pin") }
        // A pin no certificate has: the handshake stops at the check, after recording it.
        do {
            var anonymous = target
            anonymous.username = ""
            anonymous.password = ""
            _ = try await send(XMLRPCCall(methodName: "pfsense.host_firmware_version"), to: anonymous, pin: "-", timeoutSeconds: 30)
        } catch {
            if case .certificateChanged(_, let presented) = error { return presented }
            throw error
        }
        throw .badResponse("\(target) accepted a handshake without a certificate")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

struct TimeoutError: Error {}

struct CollectorError: Error {
    var message: String
}

struct CollectedResponse: Sendable {
    var status: HTTPResponseStatus
    var body: [UInt8]
}

/// Gathers one HTTP response (status and body, up to a limit).
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<CollectedResponse>
    let limit: Int
    var status: HTTPResponseStatus?
    var body: [UInt8] = []

    init(promise: EventLoopPromise<CollectedResponse>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                promise.fail(CollectorError(message: "response larger than \(limit) bytes"))
                context.close(promise: nil)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            promise.succeed(CollectedResponse(status: status ?? .internalServerError, body: body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(CollectorError(message: "the peer closed the connection before the response ended"))
        context.fireChannelInactive()
    }
}
