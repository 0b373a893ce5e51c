import ArgumentParser
import Logging
import TandemConfig
import TandemCARP
import TandemDaemon
import TandemNetlink

/// `tandem daemon [--root DIR]`: the long-running node (DESIGN.md "The daemon"). SIGTERM
/// bows out of CARP and exits (unless a handover was requested, see `Handover`); SIGHUP
/// reloads the config. Under systemd it notifies readiness and the watchdog (sd_notify(3)).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node: apply the config, run CARP, serve the control socket.")

    @OptionGroup var rootOptions: RootOptions

    @Flag(help: "Do not commit the nftables ruleset (addresses and CARP only).")
    var noRuleset = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        // Under systemd, standard error is the journal: priorities go with each line.
        let journal = JournalLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let paths = rootOptions.paths
        let logger = Logger(label: "tandem")
        let dependencies = NodeDaemon.Dependencies(
            config: FileConfigSource(paths: paths),
            link: try Rtnetlink(),
            makePacketIO: { try LinuxCarpSocketSet(plan: $0) },
            ruleset: noRuleset ? nil : CompiledRulesetApplier(committer: NetlinkRulesetCommitter(),
                                                              recorded: (paths, ApplyPipeline.version)))
        do {
            try await DaemonRunner.run(paths: paths, dependencies: dependencies, logger: logger,
                                       firmwareVersion: Tandem.configuration.version)
        } catch {
            logger.critical("daemon stopped: \(error)")
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
