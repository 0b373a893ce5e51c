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
    public static func command(carpMaster: Bool, role: KeaHARole, state: String) -> Command? {
        if carpMaster, role == .standby, state == "hot-standby" { return .maintenanceStart }
        if !carpMaster, state == "partner-in-maintenance" { return .maintenanceCancel }
        return nil
    }
}
