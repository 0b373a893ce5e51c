/// What the daemon tells its Kea when CARP moves the DHCP interface's VIP, so DHCP fails
/// over as fast as the VIP instead of after Kea's own partner-down detection (with the
/// 2.2 defaults, `max-response-delay` = 60 s after the last heartbeat). Kea 2.2 ARM
/// "ha: High Availability", "Controlled Shutdown and Maintenance of DHCP Servers":
///
/// * `ha-maintenance-start` on a standby in `hot-standby` makes it serve the primary's
///   scope at once: with the partner alive the partner goes `in-maintenance` and this one
///   `partner-in-maintenance`; with the partner gone this one goes `partner-down`.
/// * `ha-maintenance-cancel` on the node in `partner-in-maintenance` hands the scope back
///   (both return to `hot-standby`). `in-maintenance` can only be ended by the partner.
///
/// The rule is level-triggered: it is evaluated on every CARP change and periodically, so
/// a forced state lost to a Kea reload (a reload restarts the HA state machine in
/// `waiting`) is asked for again once Kea is back in `hot-standby`.
public enum KeaTakeover {
    public enum Command: String, Sendable, Hashable {
        case maintenanceStart = "ha-maintenance-start"
        case maintenanceCancel = "ha-maintenance-cancel"
    }

    /// - Parameters:
    ///   - carpMaster: whether this node is CARP MASTER of the DHCP interface's VIP.
    ///   - role: this server's HA role.
    ///   - state: this server's HA state from `status-get` (`hot-standby`, `partner-down`, …).
    /// A node in `waiting` (Kea just started: a node restarted while its partner is dead)
    /// serves nothing until Kea itself declares the partner down, `max-response-delay`
    /// after its last contact; when it is CARP MASTER it is told to start at once too, but
    /// only if the partner is silent (`steps`): with a live partner Kea's own start-up
    /// (syncing, ready) is the right path.
    public static func command(carpMaster: Bool, role: KeaHARole, state: String) -> Command? {
        if carpMaster, role == .standby, state == "hot-standby" { return .maintenanceStart }
        if carpMaster, state == "waiting" { return .maintenanceStart }
        if !carpMaster, state == "partner-in-maintenance" { return .maintenanceCancel }
        return nil
    }

    /// What came of a TCP connect to the partner's HA listener, tried by the daemon just
    /// before the command.
    public enum PartnerProbe: Sendable, Hashable {
        /// Connected: the partner's Kea listens.
        case connected
        /// Refused (RST, or an ICMP error): the host is there but its Kea is not, and Kea's
        /// own request fails as quickly.
        case refused
        /// No answer within the probe's limit: the host has vanished (dead, links down).
        case silent
    }

    public enum Step: Sendable, Hashable {
        /// Install an unreachable route to the partner's address (`KernelRoute.unreachable`).
        case blockPartner
        case send(Command)
        /// Remove that route again: Kea must reach the partner when it comes back.
        case unblockPartner
    }

    /// How to carry `command` out. `ha-maintenance-start` sends `ha-maintenance-notify`
    /// to the partner and waits for it synchronously with the HA hook's fixed 10 s HTTP
    /// timeout before it concludes that the partner is gone and goes `partner-down`
    /// (`HAService::processMaintenanceStart()`, isc-projects/kea:
    /// src/hooks/dhcp/high_availability/ha_service.cc, 2.2.0;
    /// `TIMEOUT_DEFAULT_HTTP_CLIENT_REQUEST`). Kea 2.2 has no command that goes
    /// `partner-down` directly, and `ha-scopes` alone would not do: in `hot-standby` every
    /// DHCPACK waits for its lease update to the partner and is dropped when that fails.
    /// So when the partner does not answer, the node makes the kernel refuse the connection
    /// (EHOSTUNREACH at once) for as long as the command runs: Kea then takes its own
    /// "partner unreachable" branch within milliseconds.
    public static func steps(for command: Command, state: String, partner: PartnerProbe) -> [Step] {
        if state == "waiting", partner == .connected { return [] }
        guard command == .maintenanceStart, partner == .silent else { return [.send(command)] }
        return [.blockPartner, .send(command), .unblockPartner]
    }
}
