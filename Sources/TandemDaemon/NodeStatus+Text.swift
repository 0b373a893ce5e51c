import Foundation
import TandemCARP

extension NodeStatus {
    /// The human form of `tandem status`: a node line, one line per CARP VIP, and the
    /// CARP packet counters.
    public func text(now: Date = Date()) -> String {
        var lines: [String] = []
        var head = "node \(node.hostname ?? "(no hostname)") (pid \(node.pid), root \(node.root))"
        if node.maintenance { head += "  CARP MAINTENANCE MODE" }
        lines.append(head)
        if let error = node.configError { lines.append("config error: \(error)") }
        lines.append("")
        if carp.isEmpty {
            lines.append("CARP: no CARP VIPs configured")
        } else {
            let header = ["INTERFACE", "VHID", "VIP", "STATE", "ADVBASE", "ADVSKEW", "DEMOTION", "LAST TRANSITION"]
            var rows = [header]
            for v in carp {
                var skew = "\(v.advskew)"
                if v.advertisedSkew != v.advskew { skew += " (sent \(v.advertisedSkew))" }
                var last = "-"
                if let t = v.lastTransition {
                    let ago = max(0, now.timeIntervalSince1970 - t)
                    last = Self.clock(t) + String(format: " (%.1fs ago)", ago) + (v.lastReason.map { ": \($0)" } ?? "")
                }
                rows.append([v.interface, "\(v.vhid)", v.vip, v.state, "\(v.advbase)", skew, "\(v.demotion)", last])
            }
            let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { c, cell in
                    c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                }
                lines.append(cells.joined(separator: "  "))
            }
        }
        lines.append("")
        var counters = "CARP packets: \(carpCounters.sent) sent"
        if carpCounters.sendErrors > 0 { counters += " (\(carpCounters.sendErrors) send errors)" }
        counters += ", \(carpCounters.received) received, \(carpCounters.accepted) accepted"
        let rejected = CarpRejection.allCases.filter { carpCounters[$0] > 0 }
        if rejected.isEmpty {
            counters += ", 0 rejected"
        } else {
            counters += "; rejected: " + rejected.map { "\($0) \(carpCounters[$0])" }.joined(separator: ", ")
        }
        lines.append(counters)
        if let sync {
            lines.append("")
            lines.append("state sync on \(sync.interface) with \(sync.peer): \(sync.state); flows: \(sync.localFlows) local, \(sync.remoteFlows) from the peer")
            if let agreement = sync.agreement { lines.append("  " + agreement.line) }
            let shown = sync.counters.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            if !shown.isEmpty { lines.append("  " + shown.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        }
        lines += servicesText()
        if let management {
            lines.append("")
            lines.append(contentsOf: management.lines)
        }
        if let configPush {
            lines.append("")
            lines.append(contentsOf: configPush.lines)
        }
        if let commitConfirm, commitConfirm.pending != nil || commitConfirm.lastExpiry != nil {
            lines.append("")
            lines.append(contentsOf: commitConfirm.lines(now: now.timeIntervalSince1970))
        }
        return lines.joined(separator: "\n")
    }

    /// `HH:MM:SS` UTC of a Unix time.
    static func clock(_ t: Double) -> String {
        let s = Int(t) % 86_400
        return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
