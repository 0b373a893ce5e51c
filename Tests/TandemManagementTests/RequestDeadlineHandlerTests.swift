import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import TandemManagement

/// The slow-request guard on an embedded channel with a manual clock.
@Suite struct RequestDeadlineHandlerTests {
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            RequestDeadlineHandler(headDeadline: .seconds(10), bodyDeadline: .seconds(60), onExpiry: {}))
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 443)).wait()
        return channel
    }

    let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/xmlrpc.php"))

    @Test func noHeadInTimeCloses() throws {
        let c = try channel()
        c.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(c.isActive)
        c.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!c.isActive)
    }

    @Test func bodyTricklingPastItsDeadlineCloses() throws {
        let c = try channel()
        try c.writeInbound(head)
        for _ in 0..<59 {
            try c.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "a")))
            c.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(c.isActive)
        c.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!c.isActive)
    }

    @Test func completeRequestIsNotCut() throws {
        let c = try channel()
        try c.writeInbound(head)
        try c.writeInbound(HTTPRequestPart.end(nil))
        c.embeddedEventLoop.advanceTime(by: .seconds(300))
        #expect(c.isActive)
        // After the response, the next request has a fresh head deadline.
        try c.writeOutbound(HTTPResponsePart.end(nil))
        c.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(!c.isActive)
    }
}
