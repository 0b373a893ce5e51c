import TandemServices

extension NodeStatus {
    /// The routes and services part of `tandem status`: one line per route and per
    /// supervised daemon.
    func servicesText() -> [String] {
        var lines: [String] = []
        if let routes, !routes.isEmpty {
            lines += ["", "routes:"]
            for r in routes {
                var line = "  \(r.route) (\(r.source)): \(r.installed ? "installed" : "not installed")"
                if let e = r.error { line += "; \(e)" }
                lines.append(line)
            }
        }
        guard let services, !services.isEmpty else { return lines }
        lines += ["", "services:"]
        for s in services {
            var line = "  \(s.name): \(s.state)"
            if let pid = s.pid { line += " (pid \(pid))" }
            if s.restarts > 0 { line += ", \(s.restarts) restarts" }
            if s.reloads > 0 { line += ", \(s.reloads) reloads" }
            if s.refusals > 0 { line += ", \(s.refusals) files refused" }
            if let error = s.lastError { line += "; last error: \(error)" }
            lines.append(line)
        }
        return lines
    }
}
