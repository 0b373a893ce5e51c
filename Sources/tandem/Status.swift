import ArgumentParser
import Foundation
import TandemConfig
import TandemDaemon

/// `tandem status [--json] [--root DIR]`: asks the running daemon over its control socket.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show CARP state per VIP, the node and its packet counters (asks the running daemon).")

    @OptionGroup var rootOptions: RootOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() throws {
        let paths = rootOptions.paths
        let response: ControlResponse
        do {
            response = try ControlClient(path: paths.controlSocket).send(ControlRequest(command: .status))
        } catch {
            printError("tandem status: cannot reach the daemon (is `tandem daemon --root \(rootOptions.root)` running?): \(error)")
            throw ExitCode(1)
        }
        guard response.ok, let status = response.status else {
            printError("tandem status: the daemon answered: \(response.error ?? "no status in the response")")
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(status.text())
        }
    }
}
