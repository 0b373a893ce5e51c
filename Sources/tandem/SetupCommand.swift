#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import TandemConfig
import TandemDaemon
import TandemManagement

/// `tandem setup`: the first-boot console setup (pfSense's console "Assign Interfaces" and
/// "Set interface IP address", `pfsense/pfsense:src/etc/rc.initial.setports`), asked
/// question by question at the terminal, or taken from `--answers FILE` / `--set KEY=VALUE`
/// to preseed an image. It commits config.xml as a revision. `--menu` is the console menu.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "First-boot setup: interfaces, addresses, CARP VIPs, host name, admin password; or the console menu.",
        discussion: """
            Keys for --answers (key=value lines) and --set: \(SetupQuestion.all.map(\.key).joined(separator: ", ")).
            admin.password may be given as admin.bcrypt (a \\$2b\\$ hash) instead.
            """)

    @OptionGroup var rootOptions: RootOptions
    @Option(help: ArgumentHelp("Take the answers from this file (key=value lines) instead of asking.", valueName: "FILE"))
    var answers: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("One answer, KEY=VALUE (repeatable); no questions are asked.", valueName: "KEY=VALUE"))
    var assignments: [String] = []
    @Flag(help: "Replace a config that already has interfaces without asking.") var force = false
    @Flag(help: "The console menu: status, apply, maintenance mode, restore a revision, reboot.") var menu = false

    func run() throws {
        if menu {
            try ConsoleMenu(root: rootOptions.root).run()
            return
        }
        let paths = rootOptions.paths
        let facts = SetupFacts(interfaces: Self.interfaces())
        var chosen: [String: String]
        var bcryptHash: String?
        if answers != nil || !assignments.isEmpty {
            var given: [(key: String, value: String, place: String)] = []
            do {
                if let answers {
                    let text: String
                    do { text = try String(contentsOfFile: answers, encoding: .utf8) } catch {
                        throw SetupError(place: answers, problem: "cannot read: \(error.localizedDescription)")
                    }
                    given += try SetupSession.parseAnswers(text, file: answers)
                }
                for (n, item) in assignments.enumerated() {
                    given += try SetupSession.parseAnswers(item, file: "--set #\(n + 1)")
                }
                // A preseed may carry the hash rather than the password.
                if let i = given.firstIndex(where: { $0.key == "admin.bcrypt" }) {
                    let hash = given.remove(at: i)
                    guard hash.value.hasPrefix("$2") else { throw SetupError(place: hash.place, problem: "admin.bcrypt: expected a bcrypt hash ($2b$…)") }
                    bcryptHash = hash.value
                    given.append((key: "admin.password", value: "(hash given)", place: hash.place))
                }
                chosen = try SetupSession.run(facts: facts, given: given)
            } catch {
                printError("tandem setup: \(error)")
                throw ExitCode(1)
            }
            if Self.isConfigured(paths), !force {
                printError("tandem setup: \(paths.config) already has interfaces; --force replaces it (as a new revision)")
                throw ExitCode(1)
            }
        } else {
            guard isatty(0) != 0 else {
                printError("tandem setup: standard input is not a terminal; give --answers FILE or --set KEY=VALUE")
                throw ExitCode(1)
            }
            print("Tandem setup. Interfaces on this machine: \(facts.interfaces.isEmpty ? "none" : facts.interfaces.joined(separator: ", "))")
            if Self.isConfigured(paths), !force, !Self.confirm("\(paths.config) already has interfaces. Replace it (as a new revision)?") {
                print("nothing changed")
                return
            }
            guard let interactive = Self.ask(facts: facts) else { print("nothing changed"); return }
            chosen = interactive
        }
        let hash: String
        if let bcryptHash { hash = bcryptHash } else {
            guard let made = Crypt.bcrypt(chosen["admin.password"] ?? "", cost: 10) else {
                printError("tandem setup: libcrypt could not make a bcrypt hash")
                throw ExitCode(1)
            }
            hash = made
        }
        let now = Int(Date().timeIntervalSince1970)
        let xml = SetupConfig.xml(chosen, adminBcrypt: hash, time: now)
        do {
            let document = try ConfigDocument(text: xml)
            try FileManager.default.createDirectory(atPath: paths.configDirectory, withIntermediateDirectories: true)
            let revision = try ConfigStore(paths: paths).commit(document, user: "setup", description: "Initial configuration by tandem setup",
                                                               time: Double(now))
            print("config written: \(paths.config) (revision \(revision.number))")
        } catch {
            printError("tandem setup: writing \(paths.config): \(error)")
            throw ExitCode(1)
        }
        // A running daemon takes it at once; otherwise systemd starts it at boot.
        if let response = try? ControlClient(path: paths.controlSocket).send(ControlRequest(command: .reload)) {
            print(response.ok ? "the running daemon reloaded it" : "the daemon did not take it: \(response.error ?? "")")
        } else {
            print("start the firewall with: systemctl start tandem")
        }
    }

    /// The machine's interfaces by ifindex, without loopback (`/sys/class/net`).
    static func interfaces() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        func index(_ n: String) -> Int {
            (try? String(contentsOfFile: "/sys/class/net/\(n)/ifindex", encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? Int.max
        }
        return names.filter { $0 != "lo" }.sorted { (index($0), $0) < (index($1), $1) }
    }

    static func isConfigured(_ paths: NodePaths) -> Bool {
        guard let doc = try? ConfigStore(paths: paths).load() else { return false }
        return !doc.config.interfaces.isEmpty
    }

    static func confirm(_ question: String) -> Bool {
        print("\(question) [y/N]: ", terminator: "")
        fflush(nil)
        return (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y")
    }

    /// The questions at the terminal; a refused answer is asked again with the reason.
    /// nil when the input ends or the summary is declined.
    static func ask(facts: SetupFacts) -> [String: String]? {
        var session = SetupSession(facts: facts)
        while let q = session.current {
            let fallback = session.currentDefault
            let prompt = "\(q.prompt)\(fallback.map { $0.isEmpty ? "" : " [\($0)]" } ?? ""): "
            let line: String
            if q.secret {
                guard let first = getpass(prompt).map({ String(cString: $0) }) else { return nil }
                guard let again = getpass("  again: ").map({ String(cString: $0) }) else { return nil }
                if first != again { print("  ✗ the two entries differ; again"); continue }
                line = first
            } else {
                print(prompt, terminator: "")
                fflush(nil)
                guard let read = readLine() else { return nil }
                line = read
            }
            if let problem = session.answer(line) { print("  ✗ \(problem); again") }
        }
        print("\nSummary:")
        for q in SetupQuestion.all {
            guard let value = session.answers[q.key] else { continue }
            print("  \(q.key) = \(q.secret ? "********" : value.isEmpty ? "(none)" : value)")
        }
        return confirm("Write this configuration?") ? session.answers : nil
    }
}
