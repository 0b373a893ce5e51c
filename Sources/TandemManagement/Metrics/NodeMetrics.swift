/// `/metrics` of a node: its dashboard snapshot and the endpoint's login counters in the
/// Prometheus text format. A pure function; series are bounded by the config (one per vhid,
/// rejection reason, counter name) and by the daemon's cut of the rule list.
public enum NodeMetrics {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ s: DashboardSnapshot, logins: LoginStatus) -> String {
        var m = MetricsText()
        m.single("tandem_up", .gauge, "1 while the node's daemon answers.", 1, labels: [("hostname", s.hostname)])
        m.single("tandem_carp_maintenance", .gauge, "1 while CARP maintenance mode is on (advskew 254).",
                 s.maintenance ? 1 : 0)

        m.family("tandem_carp_state", .gauge, "CARP state per VIP: 1 for the state it is in, 0 for the others.")
        m.family("tandem_carp_advskew", .gauge, "The advskew a vhid advertises (with demotion and maintenance).")
        var seen = Set<String>()
        for vip in s.carp where seen.insert("\(vip.interface)/\(vip.vhid)").inserted {
            for state in ["INIT", "BACKUP", "MASTER"] {
                m.sample("tandem_carp_state", [("interface", vip.interface), ("vhid", "\(vip.vhid)"), ("state", state)],
                         vip.state == state ? 1 : 0)
            }
        }
        seen.removeAll()
        for vip in s.carp where seen.insert("\(vip.interface)/\(vip.vhid)").inserted {
            m.sample("tandem_carp_advskew", [("interface", vip.interface), ("vhid", "\(vip.vhid)")], Double(vip.advertisedSkew))
        }
        m.family("tandem_carp_transitions_total", .counter, "CARP state transitions since start, by vhid, new state and reason.")
        for c in s.carpTransitions {
            m.sample("tandem_carp_transitions_total", sorted(c.labels), c.value)
        }
        m.single("tandem_carp_advertisements_received_total", .counter, "CARP advertisements received.", s.carpReceived)
        m.single("tandem_carp_advertisements_accepted_total", .counter, "CARP advertisements that passed every check.",
                 s.carpAccepted)
        m.family("tandem_carp_advertisements_rejected_total", .counter, "CARP advertisements dropped, by reason.")
        for c in s.carpRejections {
            m.sample("tandem_carp_advertisements_rejected_total", sorted(c.labels), c.value)
        }

        if let sync = s.stateSync { stateSync(sync, into: &m) }

        let cs = s.configSync
        m.family("tandem_config_push_total", .counter, "Config pushes to the peer since start, by result.")
        for (result, n) in cs.pushes.sorted(by: { $0.key < $1.key }) {
            m.sample("tandem_config_push_total", [("result", result)], Double(n))
        }
        if let time = cs.lastPushTime {
            m.single("tandem_config_push_last_timestamp_seconds", .gauge, "When the last push ended (Unix time).", time)
        }
        if let result = cs.lastPushResult {
            m.single("tandem_config_push_last_success", .gauge, "1 when the last push was accepted by the peer.",
                     result == "pushed" ? 1 : 0)
        }
        if let time = cs.lastReceivedTime {
            m.single("tandem_config_receive_last_timestamp_seconds", .gauge, "When the peer last pushed a config here.", time)
        }

        m.single("tandem_apply_total", .counter, "Configs applied (start and reloads) since start.", Double(s.applies))
        m.single("tandem_apply_duration_seconds_total", .counter, "Time spent applying configs since start.", s.applySeconds)
        if let last = s.lastApplySeconds {
            m.single("tandem_apply_last_duration_seconds", .gauge, "Duration of the last apply.", last)
        }

        m.family("tandem_rule_packets_total", .counter, "Packets matched by a filter rule (the busiest rules only).")
        m.family("tandem_rule_bytes_total", .counter, "Bytes matched by a filter rule (the busiest rules only).")
        for r in s.rules {
            m.sample("tandem_rule_packets_total", [("tracker", r.tracker), ("description", r.description)], Double(r.packets))
        }
        for r in s.rules {
            m.sample("tandem_rule_bytes_total", [("tracker", r.tracker), ("description", r.description)], Double(r.bytes))
        }

        m.family("tandem_interface_up", .gauge, "1 when the interface is up with a carrier.")
        for i in s.interfaces {
            m.sample("tandem_interface_up", [("interface", i.name), ("device", i.device)], i.up ? 1 : 0)
        }
        m.family("tandem_service_up", .gauge, "1 when a supervised daemon runs as it should.")
        for svc in s.services { m.sample("tandem_service_up", [("service", svc.name)], svc.ok ? 1 : 0) }

        m.single("tandem_login_success_total", .counter, "Logins granted on the management endpoint.", Double(logins.granted))
        m.single("tandem_login_failures_total", .counter, "Failed logins (wrong or unknown credentials).", Double(logins.failed))
        m.single("tandem_login_refused_locked_total", .counter, "Logins refused while the address was locked out.",
                 Double(logins.refusedWhileLocked))
        m.single("tandem_login_lockouts_total", .counter, "Addresses locked out after repeated failures.",
                 Double(logins.lockouts))
        m.single("tandem_login_locked_addresses", .gauge, "Addresses locked out now.", Double(logins.locked.count))
        return m.text
    }

    private static func stateSync(_ sync: DashboardSnapshot.StateSync, into m: inout MetricsText) {
        let peer = [("peer", sync.peer)]
        m.single("tandem_statesync_peer_up", .gauge, "1 while the state-sync peer is heard.",
                 sync.state == "peer up" ? 1 : 0, labels: peer)
        m.family("tandem_statesync_flows", .gauge, "Flows in the local table and in the replica of the peer's.")
        m.sample("tandem_statesync_flows", [("table", "local")], Double(sync.localFlows))
        m.sample("tandem_statesync_flows", [("table", "peer")], Double(sync.remoteFlows))
        m.family("tandem_statesync_agreement", .gauge,
                 "Whether the peer's table and the replica here agree: 1 agree, 0 differ, -1 not known yet.")
        m.sample("tandem_statesync_agreement", peer,
                 sync.agreement == "agree" ? 1 : sync.agreement == "differ" ? 0 : -1)
        let c = sync.counters
        m.family("tandem_statesync_records_total", .counter, "State-sync records sent, received and resent.")
        for (direction, key) in [("sent", "recordsSent"), ("received", "recordsReceived"), ("resent", "recordsResent")] {
            m.sample("tandem_statesync_records_total", [("direction", direction)], Double(c[key] ?? 0))
        }
        m.family("tandem_statesync_drops_total", .counter, "State-sync datagrams and flows dropped, by reason.")
        for (name, value) in c.sorted(by: { $0.key < $1.key }) {
            if let dot = name.firstIndex(of: "."), ["rejected", "peerFlowsRefused"].contains(String(name[..<dot])) {
                m.sample("tandem_statesync_drops_total", [("reason", name)], Double(value))
            }
        }
        for key in ["recordsOutOfWindow", "resendQueueOverflows"] where c[key] != nil {
            m.sample("tandem_statesync_drops_total", [("reason", key)], Double(c[key]!))
        }
        if let queue = c["resendQueue"] {
            m.single("tandem_statesync_lag_records", .gauge, "Records sent and not yet acknowledged by the peer.",
                     Double(queue))
        }
        m.family("tandem_statesync_events_total", .counter, "Every state-sync protocol counter by name.")
        for (name, value) in c.sorted(by: { $0.key < $1.key }) where !name.contains(".") && name != "resendQueue" {
            m.sample("tandem_statesync_events_total", [("counter", name)], Double(value))
        }
    }

    private static func sorted(_ labels: [String: String]) -> [(String, String)] {
        labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
