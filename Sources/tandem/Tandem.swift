import ArgumentParser

@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "A pfSense-style high-availability firewall for Debian on nftables.",
        version: "0.1.0",
        subcommands: [
            // Each subcommand lives in its own file.
            RenderCommand.self,
        ]
    )
}
