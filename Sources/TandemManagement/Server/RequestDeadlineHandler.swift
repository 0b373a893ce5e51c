import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request does not arrive in time: the request head (with the
/// TLS handshake before it, for the first request) within `headDeadline`, and the whole body
/// within `bodyDeadline` after the head. An idle timeout alone lets a client that sends one
/// byte a second hold a connection forever (the "slow loris" attack); these deadlines count
/// from the start, whatever trickles in.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headDeadline: TimeAmount
    private let bodyDeadline: TimeAmount
    private let onExpiry: @Sendable () -> Void
    private var timer: Scheduled<Void>?

    init(headDeadline: TimeAmount, bodyDeadline: TimeAmount, onExpiry: @escaping @Sendable () -> Void) {
        self.headDeadline = headDeadline
        self.bodyDeadline = bodyDeadline
        self.onExpiry = onExpiry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, headDeadline)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, bodyDeadline)
        case .end: timer?.cancel(); timer = nil
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The response is complete: the next request on this connection gets a fresh deadline.
        if case .end = unwrapOutboundIn(data) { arm(context, headDeadline) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ deadline: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        let expired = onExpiry
        timer = context.eventLoop.scheduleTask(in: deadline) {
            expired()
            channel.close(promise: nil)
        }
    }
}
