import ArgumentParser
import TandemCompiler
import TandemConfig
import TandemRuleset

/// `tandem render [FILE] [--root DIR]`: print the nftables ruleset the config compiles to,
/// in nft syntax that `nft -f` loads as one atomic replace of Tandem's table.
/// Exit status: 0 rendered (compile warnings go to stderr), 1 invalid config, 2 unreadable file.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the nftables ruleset the config compiles to (loadable with nft -f).",
        discussion: """
            Validation errors print as FILE:LINE:COL: PATH: message and exit 1. Compiler warnings \
            (unresolved FQDN/URL aliases, settings Tandem does not apply) go to stderr.
            """
    )

    @Argument(help: ArgumentHelp("The config file (default: the node's config under --root).", valueName: "FILE"))
    var file: String?

    @OptionGroup var root: RootOptions

    func run() throws {
        let (path, bytes) = try readConfig(file, root: root, command: "render")
        let check = ConfigCheck(bytes: bytes)
        guard check.isValid, let document = check.document else {
            for d in check.errors { printError(d.formatted(file: path)) }
            throw ExitCode(1)
        }
        let compiled = RulesetCompiler.compile(document.config)
        for d in check.warnings + compiled.diagnostics { printError(d.formatted(file: path)) }
        print(compiled.ruleset.render(), terminator: "")
    }
}
