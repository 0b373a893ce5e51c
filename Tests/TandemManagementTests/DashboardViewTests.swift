import Testing
@testable import TandemManagement

/// The templates render, escape what comes from the config or the network, and carry the
/// session's CSRF token in every form.
@Suite struct DashboardViewTests {
    static func snapshot() -> DashboardSnapshot {
        var s = DashboardSnapshot(hostname: "primaryfw", role: "pushes its config to https://203.0.113.2:443/xmlrpc.php")
        s.carp = [.init(interface: "lan0", vhid: 1, address: "192.0.2.1/24", state: "MASTER", advbase: 1, advskew: 0,
                        advertisedSkew: 0, lastTransition: 1000, lastReason: "master timed out")]
        s.configSync.pushPeer = "https://203.0.113.2:443/xmlrpc.php"
        s.rules = [.init(tracker: "1700000001", description: "<script>alert(1)</script>", packets: 12_345, bytes: 20_000_000)]
        s.revisions = [.init(number: 4, time: 990, user: "admin@192.0.2.100", description: "edit", changes: "filter: 1 changed", current: true),
                       .init(number: 3, time: 900, user: "admin", description: "first")]
        return s
    }

    func page(canRollback: Bool = true) -> String {
        let view = DashboardView(Self.snapshot(), user: "admin", csrf: "TOKEN123", now: 1030, canRollback: canRollback)
        return DashboardTemplates.library.render(
            DashboardEndpoint.PageData(view: view, pollMilliseconds: 2000, pollSeconds: 2), withTemplate: "page") ?? ""
    }

    @Test func pageShowsTheWidgets() {
        let html = page()
        for id in ["w-carp", "w-node", "w-statesync", "w-configsync", "w-interfaces", "w-services", "w-rules", "w-revisions"] {
            #expect(html.contains("id=\"\(id)\""), "missing widget \(id)")
        }
        #expect(html.contains("<span class=\"badge master\">MASTER</span>"))
        #expect(html.contains("00:16:40 UTC (30 s ago)"))
        #expect(html.contains("<title>primaryfw - Tandem</title>"))
        #expect(html.contains("12k"))
        #expect(html.contains("19 MiB"))
    }

    @Test func valuesAreEscaped() {
        let html = page()
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func everyFormCarriesTheToken() {
        let html = page()
        let forms = html.components(separatedBy: "<form").dropFirst()
        #expect(forms.count == 4)  // logout, maintenance, sync, rollback of revision 3
        for form in forms {
            #expect(form.contains("name=\"__csrf_magic\" value=\"TOKEN123\""))
        }
        // The running revision has no rollback button; the older one has.
        #expect(html.contains("name=\"revision\" value=\"3\""))
        #expect(!html.contains("name=\"revision\" value=\"4\""))
        #expect(!page(canRollback: false).contains("/action/rollback"))
    }

    @Test func loginFormHasPfSensesFieldNames() {
        let html = DashboardTemplates.library.render(
            DashboardEndpoint.LoginData(hostname: "primaryfw.vmlab.corp", csrf: "sid:ab,1", message: "Username or Password incorrect"),
            withTemplate: "login") ?? ""
        for needle in ["name=\"usernamefld\"", "name=\"passwordfld\"", "name=\"__csrf_magic\" value=\"sid:ab,1\"",
                       "action=\"/index.php\"", "method=\"post\"", "Username or Password incorrect"] {
            #expect(html.contains(needle), "missing \(needle)")
        }
    }
}
