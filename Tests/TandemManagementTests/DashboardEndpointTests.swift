import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Testing
import TandemAddress
import TandemConfig
@testable import TandemManagement

/// The dashboard's routes end to end through the router, with a fake node: the login form
/// and its token, sessions, CSRF refusals, actions reaching the node, logout, and who may
/// read `/metrics`. No socket: each request gets a testing channel carrying the caller's
/// address.
@Suite struct DashboardEndpointTests {
    static let hash = PasswordHash.bcrypt(Crypt.bcrypt("tandem-lab", cost: 4)!)

    actor FakeNode: ManagementNode, DashboardNode {
        var maintenanceCalls: [Bool] = []
        var rollbacks: [(Int, String)] = []
        var metrics = MetricsSettings()

        func runningSystem() async -> SystemConfig? {
            var system = SystemConfig()
            system.hostname = "primaryfw"
            system.users = [
                User(name: "admin", uid: 0, password: DashboardEndpointTests.hash, location: SourceLocation(path: "system/user[1]")),
                User(name: "syncer", uid: 2001, privileges: ["system-xmlrpc-ha-sync"], password: DashboardEndpointTests.hash,
                     location: SourceLocation(path: "system/user[2]")),
            ]
            return system
        }
        func runningDocument() async throws -> ConfigDocument { try ConfigDocument(text: "<pfsense/>") }
        func commitReceived(_ document: ConfigDocument, user: String, description: String) async -> CommitOutcome {
            .failed("not in this test")
        }
        func revisions(limit: Int?) async throws -> [RevisionEntry] { [] }
        func rollback(to revision: Int, user: String, description: String?) async -> CommitOutcome {
            rollbacks.append((revision, user))
            return .committed(revision: 9, applied: "reloaded")
        }
        func dashboardSnapshot() async -> DashboardSnapshot {
            var s = DashboardSnapshot(hostname: "primaryfw", role: "pushes")
            s.carp = [.init(interface: "lan0", vhid: 1, address: "192.0.2.1/24", state: "MASTER", advbase: 1, advskew: 0,
                            advertisedSkew: 0, lastTransition: nil, lastReason: nil)]
            s.revisions = [.init(number: 4, time: nil, user: "admin", description: "now", current: true),
                           .init(number: 3, time: nil, user: "admin", description: "before")]
            return s
        }
        func setMaintenance(_ on: Bool, user: String) async -> ActionOutcome {
            maintenanceCalls.append(on)
            return ActionOutcome(ok: true, message: "maintenance \(on)")
        }
        func syncNow(user: String) async -> ActionOutcome { ActionOutcome(ok: true, message: "pushing") }
        func lanNetworks() async -> [IPNetwork] { [IPNetwork("192.0.2.0/24")!] }
        func metricsSettings() async -> MetricsSettings { metrics }
        func setMetrics(_ m: MetricsSettings) { metrics = m }
    }

    struct NoXMLRPC: XMLRPCService {
        func faultBody(code: Int, message: String) -> [UInt8] { [] }
        func respond(to body: [UInt8], caller: IPAddress?, user: String) async -> [UInt8] { [] }
        func lastReceived() async -> ManagementStatus.ReceivedPush? { nil }
    }

    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var cookies: [String] { headers[values: .setCookie] }
        func cookie(_ name: String) -> String? {
            cookies.compactMap { CookieHeader.value(name, in: String($0.split(separator: ";")[0])) }.first
        }
        var token: String? {
            guard let r = body.range(of: "name=\"__csrf_magic\" value=\"") else { return nil }
            return String(body[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    final class Collector: ResponseBodyWriter, @unchecked Sendable {
        var bytes = ByteBuffer()
        func write(_ buffer: ByteBuffer) async throws { var b = buffer; bytes.writeBuffer(&b) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    let node = FakeNode()
    let responder: RouterResponder<ManagementRequestContext>

    init() {
        let logins = LoginGuard(logger: Logger(label: "test"))
        let dashboard = DashboardEndpoint(node: node, dashboard: node, logins: logins, sessions: DashboardSessions(),
                                          secure: true)
        let endpoint = ManagementEndpoint(node: node, xmlrpc: NoXMLRPC(), logins: logins, settings: ManagementSettings(),
                                          dashboard: dashboard)
        responder = ManagementRoutes.router(endpoint).buildResponder()
    }

    func send(_ method: HTTPRequest.Method, _ path: String, from caller: String = "192.0.2.100", cookies: [String: String] = [:],
              form: [String: String]? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body = ByteBuffer()
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&"))
        }
        let request = Request(head: HTTPRequest(method: method, scheme: "https", authority: "primaryfw", path: path,
                                                headerFields: headers),
                              body: RequestBody(buffer: body))
        let channel = NIOAsyncTestingChannel()
        channel.remoteAddress = try SocketAddress(ipAddress: caller, port: 50000)
        let context = ManagementRequestContext(source: .init(channel: channel, logger: Logger(label: "test")))
        let response = try await responder.respond(to: request, context: context)
        let collector = Collector()
        try await response.body.write(collector)
        return Reply(status: response.status, headers: response.headers, body: String(buffer: collector.bytes))
    }

    /// Logs in as `user`; returns the session cookie and the session's token.
    func login(_ user: String = "admin", password: String = "tandem-lab") async throws -> (Reply, String?, String?) {
        let form = try await send(.get, "/")
        let nonce = form.cookie(DashboardEndpoint.loginCookie)
        let reply = try await send(.post, "/index.php", cookies: [DashboardEndpoint.loginCookie: nonce ?? ""],
                                   form: ["usernamefld": user, "passwordfld": password, "__csrf_magic": form.token ?? "",
                                          "login": "Sign In"])
        guard let session = reply.cookie(DashboardEndpoint.sessionCookie), !session.isEmpty else { return (reply, nil, nil) }
        let page = try await send(.get, "/", cookies: [DashboardEndpoint.sessionCookie: session])
        return (reply, session, page.token)
    }

    @Test func loginFormSessionAndLogout() async throws {
        let form = try await send(.get, "/index.php")
        #expect(form.status == .ok && form.body.contains("name=\"usernamefld\"") && form.token?.hasPrefix("sid:") == true)
        #expect(form.cookies.first?.hasSuffix("; Secure; HttpOnly; SameSite=Strict") == true)

        let (granted, session, token) = try await login()
        #expect(granted.status == .seeOther && granted.headers[.location] == "/")
        #expect(granted.cookies.contains { $0.hasPrefix("tandem_session=") && $0.hasSuffix("; Secure; HttpOnly; SameSite=Strict") })
        let cookie = try #require(session)
        let widgets = try await send(.get, "/widgets", cookies: ["tandem_session": cookie])
        #expect(widgets.status == .ok && widgets.body.contains(">MASTER<"))
        #expect(widgets.body.contains("value=\"\(try #require(token))\""))

        let refused = try await send(.post, "/index.php?logout", cookies: ["tandem_session": cookie], form: ["logout": "1"])
        #expect(refused.status == .forbidden)
        let out = try await send(.post, "/index.php?logout", cookies: ["tandem_session": cookie],
                                 form: ["logout": "1", "__csrf_magic": token!])
        #expect(out.status == .seeOther)
        #expect(try await send(.get, "/widgets", cookies: ["tandem_session": cookie]).status == .unauthorized)
    }

    @Test func refusedLogins() async throws {
        let (wrong, session, _) = try await login(password: "wrong")
        #expect(wrong.status == .unauthorized && wrong.body.contains("Username or Password incorrect") && session == nil)
        let (syncOnly, s2, _) = try await login("syncer")
        #expect(syncOnly.status == .forbidden && s2 == nil)
        // A correct password without the form's token, or with another cookie's token.
        let form = try await send(.get, "/")
        let noToken = try await send(.post, "/", cookies: ["tandem_login": form.cookie("tandem_login") ?? ""],
                                     form: ["usernamefld": "admin", "passwordfld": "tandem-lab"])
        #expect(noToken.status == .forbidden && noToken.body.hasPrefix("CSRF check failed"))
        let otherCookie = try await send(.post, "/", cookies: ["tandem_login": "0000"],
                                         form: ["usernamefld": "admin", "passwordfld": "tandem-lab", "__csrf_magic": form.token ?? ""])
        #expect(otherCookie.status == .forbidden)
    }

    @Test func actionsNeedTheSessionsToken() async throws {
        let (_, session, token) = try await login()
        let cookie = try #require(session)
        let t = try #require(token)
        #expect(try await send(.post, "/action/maintenance", form: ["on": "on", "__csrf_magic": t]).status == .unauthorized)
        #expect(try await send(.post, "/action/maintenance", cookies: ["tandem_session": cookie], form: ["on": "on"]).status
                == .forbidden)
        #expect(try await send(.post, "/action/maintenance", cookies: ["tandem_session": cookie],
                               form: ["on": "on", "__csrf_magic": "forged"]).status == .forbidden)
        #expect(await node.maintenanceCalls.isEmpty)

        let on = try await send(.post, "/action/maintenance", cookies: ["tandem_session": cookie], form: ["on": "on", "__csrf_magic": t])
        #expect(on.status == .seeOther)
        #expect(await node.maintenanceCalls == [true])
        // The outcome shows once, on the next page.
        #expect(try await send(.get, "/", cookies: ["tandem_session": cookie]).body.contains("maintenance true"))
        #expect(!(try await send(.get, "/", cookies: ["tandem_session": cookie]).body.contains("maintenance true")))

        let back = try await send(.post, "/action/rollback", cookies: ["tandem_session": cookie],
                                  form: ["revision": "3", "__csrf_magic": t])
        #expect(back.status == .seeOther)
        let rollbacks = await node.rollbacks
        #expect(rollbacks.count == 1 && rollbacks.first?.0 == 3 && rollbacks.first?.1 == "admin@192.0.2.100 (dashboard)")
        #expect(try await send(.get, "/", cookies: ["tandem_session": cookie]).body
                .contains("Revision 3 committed again as revision 9"))
        #expect(try await send(.post, "/action/rollback", cookies: ["tandem_session": cookie],
                               form: ["revision": "x", "__csrf_magic": t]).status == .badRequest)
    }

    @Test func metricsAccess() async throws {
        let lan = try await send(.get, "/metrics", from: "192.0.2.100")
        #expect(lan.status == .ok && lan.headers[.contentType] == NodeMetrics.contentType)
        #expect(lan.body.contains("tandem_carp_state{interface=\"lan0\",vhid=\"1\",state=\"MASTER\"} 1"))
        #expect(try await send(.get, "/metrics", from: "198.51.100.7").status == .forbidden)
        await node.setMetrics(MetricsSettings(token: "0123456789abcdef"))
        let noToken = try await send(.get, "/metrics", from: "198.51.100.7")
        #expect(noToken.status == .unauthorized && noToken.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        #expect(try await send(.get, "/metrics", from: "198.51.100.7",
                               headers: [.authorization: "Bearer 0123456789abcdef"]).status == .ok)
        await node.setMetrics(MetricsSettings(disabled: true))
        #expect(try await send(.get, "/metrics", from: "192.0.2.100").status == .notFound)
    }
}
