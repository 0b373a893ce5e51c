import Foundation
import Hummingbird
import Logging
import NIOCore
import TandemAddress
import TandemConfig

/// The handlers behind the routes: every request authenticated through `LoginGuard`
/// (the one door, STYLE.md §15) before its body is read.
public struct ManagementEndpoint: Sendable {
    public let node: any ManagementNode
    public let xmlrpc: any XMLRPCService
    public let logins: LoginGuard
    public let settings: ManagementSettings
    /// The dashboard and `/metrics`, when the node offers them.
    public let dashboard: DashboardEndpoint?
    let counters: RequestCounter

    public init(node: any ManagementNode, xmlrpc: any XMLRPCService, logins: LoginGuard, settings: ManagementSettings,
                dashboard: DashboardEndpoint? = nil) {
        self.node = node
        self.xmlrpc = xmlrpc
        self.logins = logins
        self.settings = settings
        self.dashboard = dashboard
        counters = RequestCounter()
    }

    public var requests: Int { counters.value }

    /// `POST /xmlrpc.php`. Faults travel as XML-RPC faults with status 200, as pfSense
    /// answers them; only transport errors (413 for a body over the limit) use HTTP status.
    func xmlrpc(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        counters.increment()
        guard let system = await node.runningSystem() else {
            return Self.xml(xmlrpc.faultBody(code: -1, message: "Authentication failed: no running config"))
        }
        let decision = await logins.authenticate(header: request.headers[.authorization], address: context.caller,
                                                 system: system)
        guard case .granted(let user) = decision, decision.faultCode == nil else {
            return Self.xml(xmlrpc.faultBody(code: decision.faultCode ?? -1, message: decision.faultString ?? ""))
        }
        var request = request
        let body = try await request.collectBody(upTo: settings.maxBodyBytes)
        let reply = await xmlrpc.respond(to: Array(buffer: body), caller: context.caller, user: user)
        return Self.xml(reply)
    }

    static func xml(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Requests served, counted from any thread.
final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
