#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The console menu (`tandem setup --menu`), the items people use at pfSense's console
/// (`pfsense/pfsense:src/etc/rc.initial`): each runs this same binary's command, so the menu
/// adds no second way of doing anything.
struct ConsoleMenu {
    let root: String

    struct Item: Sendable {
        let key: String
        let title: String
        let arguments: @Sendable (ConsoleMenu) -> [String]?
    }

    static let items: [Item] = [
        Item(key: "1", title: "Show status") { _ in ["status"] },
        Item(key: "2", title: "Apply the configuration (the daemon reloads it)") { _ in ["apply", "/etc/tandem/config.xml"] },
        Item(key: "3", title: "Enter CARP maintenance mode") { _ in ["carp", "maintenance", "on"] },
        Item(key: "4", title: "Leave CARP maintenance mode") { _ in ["carp", "maintenance", "off"] },
        Item(key: "5", title: "Restore a revision") { menu in
            menu.tandem(["history", "--limit", "10"])
            print("revision to restore (empty: none): ", terminator: "")
            fflush(nil)
            guard let line = readLine()?.trimmingCharacters(in: .whitespaces), let n = Int(line) else { return nil }
            return ["rollback", String(n)]
        },
        Item(key: "6", title: "Run the first-boot setup again") { _ in ["setup"] },
        Item(key: "7", title: "Reboot") { _ in
            SetupCommand.confirm("Reboot now?") ? ["!reboot"] : nil
        },
    ]

    func run() throws {
        while true {
            print("\nTandem console (\(ProcessInfo.processInfo.hostName))")
            for item in Self.items { print("  \(item.key)) \(item.title)") }
            print("  0) Exit\nchoice: ", terminator: "")
            fflush(nil)
            guard let choice = readLine()?.trimmingCharacters(in: .whitespaces) else { return }
            if choice == "0" { return }
            guard let item = Self.items.first(where: { $0.key == choice }) else {
                print("✗ no item \"\(choice)\"; choose 0-\(Self.items.count)")
                continue
            }
            guard var arguments = item.arguments(self) else { continue }
            if arguments == ["!reboot"] {
                run("/bin/systemctl", ["reboot"])
                return
            }
            if arguments.first == "apply", root != "/" { arguments[1] = root + arguments[1] }
            tandem(arguments)
        }
    }

    /// This binary with `--root` (every command takes it).
    @discardableResult
    func tandem(_ arguments: [String]) -> Int32 {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return run(executable, arguments + ["--root", root])
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        do { try process.run() } catch {
            print("✗ \(executable): \(error.localizedDescription)")
            return -1
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 { print("(exit status \(process.terminationStatus))") }
        return process.terminationStatus
    }
}
