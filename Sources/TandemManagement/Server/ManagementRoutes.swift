import Hummingbird

/// Every path the management server answers, in one place: later pages join here.
enum ManagementRoutes {
    static func router(_ endpoint: ManagementEndpoint) -> Router<ManagementRequestContext> {
        let router = Router(context: ManagementRequestContext.self)
        // pfSense's XML-RPC sync target (`pfsense/pfsense:src/usr/local/www/xmlrpc.php`).
        router.post("/xmlrpc.php") { request, context in
            try await endpoint.xmlrpc(request, context: context)
        }
        return router
    }
}
