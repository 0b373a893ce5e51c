#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import TandemConfig
import TandemDaemon
import TandemManagement

/// `tandem user add|passwd|del|list`: the config's users, which are the management
/// endpoint's users (HTTP Basic on `/xmlrpc.php`). Each change is one committed revision,
/// so a primary's next config push carries it to the peer.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, change, delete or list the config's users (the management endpoint's logins).",
        subcommands: [Add.self, Passwd.self, Del.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (bcrypt password, uid from system/nextuid).")
        @Argument(help: "User name.") var name: String
        @Option(name: .long, help: "Group to join (repeatable), e.g. admins.") var group: [String] = []
        @Option(name: .long, help: "Full name or description.") var descr: String?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let password = try readPassword(fromStdin: passwordStdin, command: "user add")
            let hash = try bcrypt(password, command: "user add")
            var uid = 0
            try editUsers(rootOptions, command: "user add", description: "User \(name) added") { document in
                uid = try UserEdit.add(name: name, bcryptHash: hash, groups: group, description: descr, to: &document)
            }
            print("user \(name) added (uid \(uid)\(group.isEmpty ? "" : ", groups \(group.joined(separator: ","))"))")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password.")
        @Argument(help: "User name.") var name: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let password = try readPassword(fromStdin: passwordStdin, command: "user passwd")
            let hash = try bcrypt(password, command: "user passwd")
            try editUsers(rootOptions, command: "user passwd", description: "Password changed for user \(name)") { document in
                try UserEdit.setPassword(name: name, bcryptHash: hash, in: &document)
            }
            print("password of \(name) changed")
        }
    }

    struct Del: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and its group memberships.")
        @Argument(help: "User name.") var name: String
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            try editUsers(rootOptions, command: "user del", description: "User \(name) deleted") { document in
                try UserEdit.delete(name: name, from: &document)
            }
            print("user \(name) deleted")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users, their groups and whether they may sync.")
        @OptionGroup var rootOptions: RootOptions

        func run() throws {
            let document = try loadDocument(rootOptions, command: "user list")
            let system = document.config.system
            let auth = Authenticator(system: system, decoy: .bcrypt(""))
            for user in system.allUsers {
                let groups = system.groups.filter { g in user.uid.map { g.members.contains($0) } ?? false || g.name == user.groupName }
                    .map(\.name)
                let fields = [
                    user.name,
                    "uid \(user.uid.map(String.init) ?? "-")",
                    "groups \(groups.isEmpty ? "-" : groups.joined(separator: ","))",
                    "sync \(auth.mayUseSync(user) ? "allowed" : "not allowed")",
                    user.password.map { "password \($0.elementName)" } ?? "no password",
                ] + (user.disabled ? ["disabled"] : [])
                print(fields.joined(separator: "  "))
            }
        }
    }
}

private func loadDocument(_ options: RootOptions, command: String) throws -> ConfigDocument {
    do {
        return try ConfigStore(paths: options.paths).load()
    } catch {
        printError("tandem \(command): \(error)")
        throw ExitCode(1)
    }
}

/// Loads, edits, validates and commits one revision, then asks a running daemon to reload
/// (no daemon is fine: the next start reads the file).
private func editUsers(_ options: RootOptions, command: String, description: String,
                       _ edit: (inout ConfigDocument) throws -> Void) throws {
    var document = try loadDocument(options, command: command)
    do {
        try edit(&document)
    } catch {
        printError("tandem \(command): \(error)")
        throw ExitCode(1)
    }
    let check = ConfigCheck(bytes: Array(document.serialized().utf8))
    guard check.isValid else {
        printError("tandem \(command): the edited config does not validate:\n"
                   + check.errors.map { $0.formatted(file: "config.xml") }.joined(separator: "\n"))
        throw ExitCode(1)
    }
    let user = (ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "root") + "@localhost"
    do {
        try ConfigStore(paths: options.paths).commit(document, user: user, description: description,
                                                     time: Date().timeIntervalSince1970)
    } catch {
        printError("tandem \(command): \(error)")
        throw ExitCode(1)
    }
    guard FileManager.default.fileExists(atPath: options.paths.controlSocket) else { return }
    do {
        let response = try ControlClient(path: options.paths.controlSocket).send(ControlRequest(command: .reload))
        if !response.ok { printError("tandem \(command): warning: the daemon did not reload: \(response.error ?? "no reason given")") }
    } catch {
        printError("tandem \(command): warning: could not reach the daemon to reload it: \(error)")
    }
}

private func bcrypt(_ password: String, command: String) throws -> String {
    guard let hash = Crypt.bcrypt(password, cost: 10) else {
        printError("tandem \(command): libcrypt could not make a bcrypt hash")
        throw ExitCode(1)
    }
    return hash
}

/// The first line of standard input with `--password-stdin`, otherwise typed twice at the
/// terminal without echo.
private func readPassword(fromStdin: Bool, command: String) throws -> String {
    if fromStdin || isatty(0) == 0 {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            printError("tandem \(command): expected the password on the first line of standard input")
            throw ExitCode(1)
        }
        return line
    }
    guard let first = getpass("Password: ").map({ String(cString: $0) }),
          let second = getpass("Again: ").map({ String(cString: $0) }), !first.isEmpty else {
        printError("tandem \(command): no password given")
        throw ExitCode(1)
    }
    guard first == second else {
        printError("tandem \(command): the passwords differ")
        throw ExitCode(1)
    }
    return first
}
