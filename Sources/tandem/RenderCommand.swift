import ArgumentParser
import Foundation
import TandemCompiler
import TandemConfig
import TandemRuleset

/// `tandem render [FILE] [--root DIR]`: print the nftables ruleset the config compiles to,
/// in nft syntax that `nft -f` loads as one atomic replace of Tandem's table.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the nftables ruleset the config compiles to (loadable with nft -f).")

    @Argument(help: "The config file (default: ROOT/etc/tandem/config.xml).")
    var file: String?

    @Option(help: "Prefix for every path Tandem reads or writes.")
    var root: String = "/"

    func run() throws {
        let path = file ?? NodePaths(root: root).config
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            FileHandle.standardError.write(Data("\(path): cannot read: \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
        let config: Config
        do {
            config = try ConfigDocument(bytes: Array(data)).config
        } catch {
            FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            throw ExitCode(1)
        }
        let errors = config.issues.filter { $0.severity == .error }
        guard errors.isEmpty else {
            for e in errors { FileHandle.standardError.write(Data((e.formatted(file: path) + "\n").utf8)) }
            throw ExitCode(1)
        }
        let compiled = RulesetCompiler.compile(config)
        for w in compiled.diagnostics { FileHandle.standardError.write(Data((w.formatted(file: path) + "\n").utf8)) }
        print(compiled.ruleset.render(), terminator: "")
    }
}
