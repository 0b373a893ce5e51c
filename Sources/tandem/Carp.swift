import ArgumentParser
import TandemConfig
import TandemDaemon

/// `tandem carp …`: CARP operations on the running daemon.
struct CarpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carp",
        abstract: "CARP operations.",
        subcommands: [Maintenance.self])

    /// `tandem carp maintenance on|off`: persistent maintenance mode (pfSense's
    /// `virtualip_carp_maintenancemode`): every VIP advertises advskew 254, so the peer takes
    /// over; it stays on across restarts until turned off.
    struct Maintenance: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "maintenance",
            abstract: "Turn persistent CARP maintenance mode on or off (advskew 254 on every VIP).")

        enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

        @Argument(help: "on or off")
        var mode: Switch

        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let paths = rootOptions.paths
            let response: ControlResponse
            do {
                response = try ControlClient(path: paths.controlSocket)
                    .send(ControlRequest(command: .carpMaintenance, on: mode == .on))
            } catch {
                printError("tandem carp maintenance: cannot reach the daemon (is `tandem daemon --root \(rootOptions.root)` running?): \(error)")
                throw ExitCode(1)
            }
            guard response.ok else {
                printError("tandem carp maintenance: the daemon refused: \(response.error ?? "no reason given")")
                throw ExitCode(1)
            }
            print(response.message ?? "ok")
        }
    }
}
