import ArgumentParser
import TandemConfig

/// `--root DIR`: the prefix of every path Tandem reads or writes, so two nodes can run side
/// by side on one machine. Every subcommand includes it with `@OptionGroup var root: RootOptions`.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Prefix for every path Tandem reads or writes.", valueName: "DIR"))
    var root: String = "/"

    var paths: NodePaths { NodePaths(root: root) }
}
