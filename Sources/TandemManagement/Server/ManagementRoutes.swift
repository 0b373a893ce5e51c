import Hummingbird

/// Every path the management server answers, in one place.
enum ManagementRoutes {
    static func router(_ endpoint: ManagementEndpoint) -> Router<ManagementRequestContext> {
        let router = Router(context: ManagementRequestContext.self)
        // pfSense's XML-RPC sync target (`pfsense/pfsense:src/usr/local/www/xmlrpc.php`).
        router.post("/xmlrpc.php") { request, context in
            try await endpoint.xmlrpc(request, context: context)
        }
        guard let dashboard = endpoint.dashboard else { return router }
        // The dashboard at `/` and, for scripts written against pfSense, `/index.php`.
        for path in ["/", "/index.php"] {
            router.get(RouterPath(path)) { request, context in try await dashboard.page(request, context: context) }
            router.post(RouterPath(path)) { request, context in try await dashboard.post(request, context: context) }
        }
        router.get("/widgets") { request, context in try await dashboard.widgets(request, context: context) }
        router.post("/action/:name") { request, context in
            try await dashboard.action(context.parameters.get("name") ?? "", request, context: context)
        }
        router.get("/tandem.css") { _, _ in dashboard.asset(DashboardAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/tandem.js") { _, _ in dashboard.asset(DashboardAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/metrics") { request, context in try await dashboard.metrics(request, context: context) }
        return router
    }
}
