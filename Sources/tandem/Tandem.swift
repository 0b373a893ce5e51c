import ArgumentParser

@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "A pfSense-style high-availability firewall for Debian on nftables.",
        // Recorded with the applied state: a state from another version is never the base of
        // an incremental commit, since its compiler may lay rules out otherwise (0.2.0: rule
        // groups; 0.3.0: interface rules in the prerouting `inbound` chain).
        version: "0.3.0",
        subcommands: [
            // Each subcommand lives in its own file.
            CheckCommand.self,
            RenderCommand.self,
            StatusCommand.self,
            CarpCommand.self,
            DiffCommand.self,
            ApplyCommand.self,
            DaemonCommand.self,
            SyncCommand.self,
            UserCommand.self,
            SetupCommand.self,
            HistoryCommand.self,
            RollbackCommand.self,
            ConfirmCommand.self,
        ]
    )

    /// Usage errors exit with status 2 (the convention of `tandem check` and most Unix tools)
    /// instead of swift-argument-parser's 64.
    static func main() async {
        do {
            // The command an edit runs, straight to its work when the line is plain.
            let arguments = CommandLine.arguments
            if arguments.count > 1, arguments[1] == "apply",
               let options = ApplyOptions(plainArguments: arguments.dropFirst(2)) {
                try Apply(options).run()
                return
            }
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Self.exit(withError: ExitCode(2))
            }
            Self.exit(withError: error)
        }
    }
}
