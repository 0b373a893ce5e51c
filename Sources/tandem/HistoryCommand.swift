import ArgumentParser
import Foundation
import TandemConfig

/// `tandem history [list] | show N | diff N [M]`: the committed revisions of the node's
/// config (pfSense's Diagnostics > Backup & Restore > Config History), read from
/// `ROOT/var/lib/tandem/history`.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the config's revisions, show one, or diff two.",
        discussion: """
            Every commit (tandem apply, tandem user, tandem rollback, a config received from the \
            peer, maintenance mode) is one revision. The history keeps the newest \
            <system><backupcount> revisions (30 when unset), as pfSense does.
            """,
        subcommands: [List.self, Show.self, Diff.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List revisions, newest first, with what changed.")
        @OptionGroup var rootOptions: RootOptions
        @Flag(help: "Print the list as JSON.") var json = false
        @Option(help: "Show at most this many revisions.") var limit: Int?

        func run() throws {
            let entries: [RevisionEntry]
            do { entries = try RevisionHistory(paths: rootOptions.paths).entries(limit: limit) } catch {
                printError("tandem history: \(error)")
                throw ExitCode(1)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                return
            }
            guard !entries.isEmpty else {
                print("no revisions in \(rootOptions.paths.history)")
                return
            }
            print(HistoryText.table(entries))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a revision's config.")
        @Argument(help: "Revision number.") var number: Int
        @Flag(help: "Print only the revision's file name.") var path = false
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let history = RevisionHistory(paths: rootOptions.paths)
            do {
                if path {
                    print(try history.path(number))
                } else {
                    print(try history.text(number), terminator: "")
                }
            } catch {
                printError("tandem history show: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A unified diff from revision N to revision M (default: the current config).")
        @Argument(help: "The older revision.") var from: Int
        @Argument(help: "The newer revision (default: the current config).") var to: Int?
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let text: String
            do { text = try RevisionHistory(paths: rootOptions.paths).diff(from: from, to: to) } catch {
                printError("tandem history diff: \(error)")
                throw ExitCode(1)
            }
            if text.isEmpty {
                print("no difference")
            } else {
                print(text, terminator: "")
            }
        }
    }
}

/// The text form of `tandem history`.
enum HistoryText {
    static func table(_ entries: [RevisionEntry]) -> String {
        var rows = [["REV", "TIME (UTC)", "USER", "DESCRIPTION", "CHANGES"]]
        for e in entries {
            rows.append([
                "\(e.number)\(e.current ? "*" : "")",
                e.time.map(timestamp) ?? "-",
                e.user ?? "-",
                e.description ?? "-",
                e.error.map { "unreadable: \($0)" } ?? e.changes?.summary ?? "(oldest kept)",
            ])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c < 4 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) : cell }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `2026-12-07 22:10:05`.
    static func timestamp(_ t: Double) -> String {
        var time = time_t(t)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
