import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TandemAddress
import TandemConfig

/// The dashboard's handlers: the login form (pfSense's field names and `__csrf_magic`, so
/// the scripts people point at pfSense's `index.php` work), the page and its widgets, the
/// actions, logout, and `/metrics`. Every login goes through `LoginGuard` (the one door and
/// its per-address limiter, shared with `/xmlrpc.php`).
public struct DashboardEndpoint: Sendable {
    public static let sessionCookie = "tandem_session"
    public static let loginCookie = "tandem_login"
    /// The widgets refresh this often (ms): CARP's default advertisement interval is 1 s, so a
    /// failover shows within about three seconds without loading the page again.
    public static let pollMilliseconds = 2000
    /// Largest form accepted (a login or an action is well under 1 kB).
    static let maxFormBytes = 16 * 1024

    let node: any ManagementNode
    let dashboard: any DashboardNode
    let logins: LoginGuard
    public let sessions: DashboardSessions
    /// Cookies carry `Secure` when the endpoint speaks HTTPS.
    let secure: Bool
    let canRollback: Bool

    public init(node: any ManagementNode, dashboard: any DashboardNode, logins: LoginGuard, sessions: DashboardSessions,
                secure: Bool, canRollback: Bool = true) {
        self.node = node
        self.dashboard = dashboard
        self.logins = logins
        self.sessions = sessions
        self.secure = secure
        self.canRollback = canRollback
    }

    // MARK: - Pages

    /// `GET /`, `GET /index.php`: the dashboard, or the login form.
    func page(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let cookie = CookieHeader.value(Self.sessionCookie, in: request.headers[.cookie])
        switch await sessions.lookup(cookie) {
        case .active(let session):
            let flash = await sessions.takeFlash(for: session.id)
            return html(await render(session, template: "page", flash: flash))
        case .expired:
            return await loginPage(message: "Your session has expired. Sign in again.")
        case .unknown:
            return await loginPage(message: nil)
        }
    }

    /// `GET /widgets`: the widgets alone, which the page polls.
    func widgets(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let cookie = CookieHeader.value(Self.sessionCookie, in: request.headers[.cookie])
        guard case .active(let session) = await sessions.lookup(cookie) else {
            return plain(.unauthorized, "session ended\n")
        }
        return html(await render(session, template: "widgets", flash: nil))
    }

    private func render(_ session: WebSessionTable.Session, template: String, flash: ActionOutcome?) async -> String {
        let snapshot = await dashboard.dashboardSnapshot()
        let view = DashboardView(snapshot, user: session.user, csrf: session.csrf, now: Date().timeIntervalSince1970,
                                 canRollback: canRollback, message: flash)
        let data = PageData(view: view, pollMilliseconds: Self.pollMilliseconds, pollSeconds: Self.pollMilliseconds / 1000)
        return DashboardTemplates.library.render(template == "widgets" ? view as Any : data as Any, withTemplate: template) ?? ""
    }

    struct PageData {
        var view: DashboardView
        var pollMilliseconds: Int
        var pollSeconds: Int
    }

    /// The login form with a fresh pre-login cookie and its `__csrf_magic` token.
    private func loginPage(message: String?, status: HTTPResponse.Status = .ok) async -> Response {
        let nonce = DashboardSessions.randomToken()
        let token = sessions.loginTokens.make(cookie: nonce, now: Date().timeIntervalSince1970)
        let hostname = await node.runningSystem()?.fqdn ?? "Tandem"
        let body = DashboardTemplates.library.render(
            LoginData(hostname: hostname, csrf: token, message: message), withTemplate: "login") ?? ""
        var response = html(body, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: CookieHeader.set(
            Self.loginCookie, nonce, secure: secure, maxAge: Int(LoginFormToken.lifetime))))
        return response
    }

    struct LoginData {
        var hostname: String
        var csrf: String
        var message: String?
    }

    // MARK: - Forms

    /// `POST /`, `POST /index.php`: a login (`usernamefld`, `passwordfld`), or a logout
    /// (`?logout` or a `logout` field, as pfSense's menu posts it).
    func post(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        var request = request
        let form = FormBody(bytes: Array(buffer: try await request.collectBody(upTo: Self.maxFormBytes)))
        let query = FormBody(Substring(request.uri.query ?? ""))
        if query["logout"] != nil || form["logout"] != nil {
            return await logout(request, form: form)
        }
        guard let username = form["usernamefld"] else {
            return plain(.badRequest, "expected a login (usernamefld, passwordfld) or a logout\n")
        }
        let nonce = CookieHeader.value(Self.loginCookie, in: request.headers[.cookie])
        guard sessions.loginTokens.verify(form["__csrf_magic"], cookie: nonce, now: Date().timeIntervalSince1970) else {
            return csrfRefused()
        }
        guard let system = await node.runningSystem() else {
            return await loginPage(message: "The node has no running config.", status: .serviceUnavailable)
        }
        let credentials = BasicCredentials(username: username, password: form["passwordfld"] ?? "")
        let decision = await logins.authenticate(credentials, purpose: .dashboard, address: context.caller, system: system)
        switch decision {
        case .granted(let user):
            let session = await sessions.open(user: user)
            var response = redirect("/")
            response.headers.append(HTTPField(name: .setCookie, value: CookieHeader.set(Self.sessionCookie, session.id, secure: secure)))
            response.headers.append(HTTPField(name: .setCookie, value: CookieHeader.set(Self.loginCookie, "", secure: secure, maxAge: 0)))
            return response
        case .invalidCredentials:
            // pfSense's words (`authgui.inc`, `display_login_form()`).
            return await loginPage(message: "Username or Password incorrect", status: .unauthorized)
        case .notEnoughPrivileges:
            return await loginPage(message: "This user may not use the dashboard (it needs page-all or to be an admin).",
                             status: .forbidden)
        }
    }

    private func logout(_ request: Request, form: FormBody) async -> Response {
        let cookie = CookieHeader.value(Self.sessionCookie, in: request.headers[.cookie])
        guard case .active(let session) = await sessions.lookup(cookie) else { return redirect("/") }
        guard WebSessionTable.csrfMatches(session, token: form["__csrf_magic"]) else { return csrfRefused() }
        await sessions.close(session.id)
        var response = redirect("/")
        response.headers.append(HTTPField(name: .setCookie, value: CookieHeader.set(Self.sessionCookie, "", secure: secure, maxAge: 0)))
        return response
    }

    /// `POST /action/NAME`: maintenance on/off, sync now, rollback. A session and its CSRF
    /// token are required; the outcome shows on the page the browser is sent back to.
    func action(_ name: String, _ request: Request, context: ManagementRequestContext) async throws -> Response {
        var request = request
        let form = FormBody(bytes: Array(buffer: try await request.collectBody(upTo: Self.maxFormBytes)))
        let cookie = CookieHeader.value(Self.sessionCookie, in: request.headers[.cookie])
        guard case .active(let session) = await sessions.lookup(cookie) else {
            return plain(.unauthorized, "no session: sign in first\n")
        }
        guard WebSessionTable.csrfMatches(session, token: form["__csrf_magic"]) else { return csrfRefused() }
        let user = "\(session.user)@\(context.caller?.description ?? "?") (dashboard)"
        let outcome: ActionOutcome
        switch name {
        case "maintenance":
            guard let on = form["on"], on == "on" || on == "off" else {
                return plain(.badRequest, "maintenance: expected the field on=on or on=off\n")
            }
            outcome = await dashboard.setMaintenance(on == "on", user: user)
        case "sync":
            outcome = await dashboard.syncNow(user: user)
        case "rollback":
            guard canRollback, let text = form["revision"], let number = Int(text), number > 0 else {
                return plain(.badRequest, "rollback: expected the field revision=N (a revision number)\n")
            }
            outcome = ActionOutcome(await node.rollback(to: number, user: user, description: nil), revision: number)
        default:
            return plain(.notFound, "no action '\(name)'\n")
        }
        await sessions.flash(outcome, for: session.id)
        return redirect("/")
    }

    // MARK: - Metrics

    /// `GET /metrics` for Prometheus, allowed by `<tandem><metrics>` (`MetricsAccess`).
    func metrics(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let settings = await dashboard.metricsSettings()
        let lan = await dashboard.lanNetworks()
        switch MetricsAccess.decide(settings: settings, lan: lan, caller: context.caller,
                                    authorization: request.headers[.authorization]) {
        case .allowed:
            let text = NodeMetrics.render(await dashboard.dashboardSnapshot(), logins: await logins.status())
            return Response(status: .ok, headers: [.contentType: NodeMetrics.contentType, .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case .disabled:
            return plain(.notFound, "metrics are disabled (tandem/metrics/disable)\n")
        case .needsToken:
            var response = plain(.unauthorized, "a bearer token is required (tandem/metrics/token)\n")
            response.headers[.wwwAuthenticate] = "Bearer realm=\"tandem metrics\""
            return response
        case .forbiddenNetwork:
            return plain(.forbidden, "\(context.caller?.description ?? "this address") may not read metrics (tandem/metrics/allow, default: the LAN subnets)\n")
        }
    }

    // MARK: - Responses

    func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Pages are never cached, never framed, and run only this origin's script.
    private func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ]
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303: the browser follows with a GET, so a reload does not post the form again.
    private func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// csrf-magic's refusal (`csrf-magic.php`, `csrf_callback()`).
    private func csrfRefused() -> Response {
        plain(.forbidden, "CSRF check failed. Your form session may have expired, or you may not have cookies enabled.\n")
    }
}
