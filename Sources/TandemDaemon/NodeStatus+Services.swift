import TandemServices

extension NodeStatus {
    /// The services part of `tandem status`: one line per supervised daemon.
    func servicesText() -> [String] {
        guard let services, !services.isEmpty else { return [] }
        var lines = ["", "services:"]
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
