import ArgumentParser
import TandemConfig
import TandemDaemon

/// `tandem rollback N`: revision N's config committed as a new revision ("Rolled back to
/// revision N") by the same path as `tandem apply`: checked first, the ruleset committed to
/// the kernel, the revision recorded, the daemon reloaded (which pushes it to the peer on a
/// primary).
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Apply an earlier revision's config again, as a new revision.")

    @Argument(help: "The revision to go back to (see `tandem history`).") var number: Int
    @OptionGroup var rootOptions: RootOptions
    @Option(name: .long, help: ArgumentHelp("As `tandem apply --confirm`.", valueName: "MINUTES"))
    var confirm: String?
    @Flag(name: .shortAndLong, help: "Print the commit mode and message counts.") var verbose = false

    func validate() throws {
        if let confirm, ApplyOptions.confirmSeconds(confirm) == nil {
            throw ValidationError("--confirm takes minutes (e.g. 5 or 0.5) or seconds with an s (e.g. 30s), from 1 s to 1440 min; got '\(confirm)'")
        }
    }

    func run() throws {
        let history = RevisionHistory(paths: rootOptions.paths)
        let path: String
        do {
            // Checked here for the message naming the revision; the apply checks again.
            _ = try history.validated(number)
            path = try history.path(number)
        } catch {
            printError("tandem rollback: \(error)")
            throw ExitCode(1)
        }
        try Apply(ApplyOptions(file: path, root: rootOptions.root, dryRun: false, validateFirst: false, verbose: verbose,
                               confirmSeconds: confirm.flatMap(ApplyOptions.confirmSeconds),
                               description: RevisionHistory.rollbackDescription(number))).run()
    }
}

/// `tandem confirm`: keeps the config a `tandem apply --confirm` applied (the daemon stops
/// the restore).
struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Keep the config of a pending `tandem apply --confirm`.")

    @OptionGroup var rootOptions: RootOptions

    func run() throws {
        let paths = rootOptions.paths
        let response: ControlResponse
        do {
            response = try ControlClient(path: paths.controlSocket).send(ControlRequest(command: .confirm))
        } catch {
            printError("tandem confirm: cannot reach the daemon (is `tandem daemon --root \(rootOptions.root)` running?): \(error)")
            throw ExitCode(1)
        }
        guard response.ok else {
            printError("tandem confirm: \(response.error ?? "refused")")
            throw ExitCode(1)
        }
        print(response.message ?? "confirmed")
    }
}
