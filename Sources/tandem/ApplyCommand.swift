import ArgumentParser
import Foundation
import TandemCompiler
import TandemConfig
import TandemDaemon
import TandemNetlink
import TandemRuleset

/// `tandem apply [FILE] [--root DIR] [--dry-run]`: the command line's definition. The work
/// is `Apply`'s; a plain command line reaches it without this parser (`ApplyOptions`).
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate the config and commit its ruleset to the kernel atomically.",
        discussion: """
            The ruleset goes to the kernel as one nftables transaction: the kernel checks every \
            message before it commits any, so a refused rule changes nothing. When the kernel still holds what the last apply committed, only the \
            changed chains, sets and set elements are sent. Only Tandem's own tables are touched. \
            Exits 0 on success, 1 when the config is invalid or the kernel refuses the ruleset, \
            2 on a usage error.
            """)

    @Argument(help: ArgumentHelp("The config file (default: the node's config under --root).", valueName: "FILE"))
    var file: String?

    @OptionGroup var root: RootOptions

    @Flag(name: .long, help: "Validate everything with the kernel (a batch without END) and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: ArgumentHelp(
        "Send the batch once without END (the kernel checks it, commits nothing) before committing it.",
        discussion: "Not needed for safety: the kernel checks a whole batch before it commits any of it."))
    var validateFirst = false

    @Flag(name: .shortAndLong, help: "Print the commit mode and message counts.")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp(
        "Unless `tandem confirm` comes within MINUTES, the daemon restores the previous revision.",
        discussion: "As VyOS's commit-confirm and Junos's commit confirmed: the restore is the daemon's, so it happens even when the new rules cut off this shell. Needs a running daemon. `20s` gives seconds.",
        valueName: "MINUTES"))
    var confirm: String?

    func validate() throws {
        if let confirm, ApplyOptions.confirmSeconds(confirm) == nil {
            throw ValidationError("--confirm takes minutes (e.g. 5 or 0.5) or seconds with an s (e.g. 30s), from 1 s to 1440 min; got '\(confirm)'")
        }
        if confirm != nil, dryRun { throw ValidationError("--confirm and --dry-run exclude each other (a dry run changes nothing)") }
    }

    var options: ApplyOptions {
        ApplyOptions(file: file, root: root.root, dryRun: dryRun, validateFirst: validateFirst, verbose: verbose,
                     confirmSeconds: confirm.flatMap(ApplyOptions.confirmSeconds))
    }

    func run() throws {
        try Apply(options).run()
    }
}
