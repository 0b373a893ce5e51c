import ArgumentParser
import TandemCompiler
import TandemConfig

/// `tandem check [FILE] [--json] [--root DIR]`: parse and validate a config.xml.
/// Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage (including an unreadable file).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and validate a config.xml.",
        discussion: """
            Prints each problem as FILE:LINE:COL: PATH: message (warnings with 'warning:'). \
            Exits 0 when the file is valid (warnings allowed), 1 when it is not, 2 on a usage error.
            """
    )

    @Argument(help: ArgumentHelp("The config file (default: the node's config under --root).", valueName: "FILE"))
    var file: String?

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    @OptionGroup var root: RootOptions

    func run() throws {
        let (path, bytes) = try readConfig(file, root: root, command: "check")
        let check = ConfigCheck(bytes: bytes)
        // A valid file is compiled too: the pass rules `apply` would leave out (a condition
        // Tandem cannot enforce) are part of what the file means on this node.
        let (diagnostics, leftOut) = check.withLeftOutRules()
        if json {
            print(CheckReport(file: path, check: check, leftOut: leftOut).json)
        } else {
            for d in diagnostics { print(d.formatted(file: path)) }
        }
        if !check.isValid { throw ExitCode(1) }
    }
}
