import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the host could not do what the supervisor asked.
public struct ServiceHostError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var detail: String
    public var description: String { "\(operation) \(path): \(detail)" }

    public init(operation: String, path: String, detail: String) {
        self.operation = operation
        self.path = path
        self.detail = detail
    }
}

/// The real `ServiceHost`: files on disk and child processes (`Spawn`). Each child's output goes to
/// `ROOT/var/log/tandem/<program>.log`. Children are started through `setpriv
/// --pdeathsig KILL` (util-linux) so they die with the daemon even when it is killed with
/// SIGKILL: a DHCP server left running by a dead node would keep answering as primary.
public struct PosixServiceHost: ServiceHost {
    public let paths: ServicePaths
    /// Longest a check may take before it is killed and counts as failed.
    public var checkTimeout: TimeInterval = 20

    public init(paths: ServicePaths) { self.paths = paths }

    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    public func check(_ spec: ServiceSpec) -> (ok: Bool, output: String) {
        let candidate = spec.configPath + ".new"
        do {
            try makeDirectories(spec)
            try write(spec.contents, to: candidate)
        } catch {
            return (false, "\(error)")
        }
        let argv = spec.check.map { $0 == spec.configPath ? candidate : $0 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(spec.environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (false, "running \(argv[0]): \(error)") }
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + checkTimeout, execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let output = String(decoding: data, as: UTF8.self)
        let ok = process.terminationReason == .exit && process.terminationStatus == 0
        // Keep the relevant lines: Kea prints INFO lines before its error.
        let lines = output.split(separator: "\n").filter { !$0.contains(" INFO ") && !$0.contains(" DEBUG ") }
        let summary = lines.suffix(3).joined(separator: " | ").replacingOccurrences(of: candidate, with: spec.configPath)
        return (ok, ok ? "" : (summary.isEmpty ? "exit \(process.terminationStatus)" : summary))
    }

    public func install(_ spec: ServiceSpec) throws {
        let candidate = spec.configPath + ".new"
        if rename(candidate, spec.configPath) != 0 {
            let err = errno
            // A candidate already installed (same file checked twice) is not an error.
            if err == ENOENT, (try? String(contentsOfFile: spec.configPath, encoding: .utf8)) == spec.contents { return }
            throw ServiceHostError(operation: "rename to", path: spec.configPath, detail: String(cString: strerror(err)))
        }
    }

    public func start(_ spec: ServiceSpec, onExit: @escaping @Sendable (Int32, String) async -> Void) throws -> Int32 {
        try makeDirectories(spec)
        try FileManager.default.createDirectory(atPath: paths.logDirectory, withIntermediateDirectories: true)
        let argv = (Self.setpriv.map { [$0, "--pdeathsig", "KILL", "--"] } ?? []) + spec.command
        let environment = ProcessInfo.processInfo.environment.merging(spec.environment) { $1 }
        do {
            return try Spawn.start(argv, environment: environment, logPath: paths.log(spec.kind)) { pid, status in
                Task { await onExit(pid, status) }
            }
        } catch {
            throw ServiceHostError(operation: "start", path: spec.command[0], detail: "\(error)")
        }
    }

    public func signal(_ pid: Int32, _ signal: Int32) {
        guard pid > 0 else { return }
        kill(pid, signal)
    }

    /// Directories, owners and seed files: everything a check or a start needs around the file.
    private func makeDirectories(_ spec: ServiceSpec) throws {
        try makeDirectoriesOnly(spec)
        for seed in spec.seeds where !FileManager.default.fileExists(atPath: seed.destination) {
            do {
                try FileManager.default.copyItem(atPath: seed.source, toPath: seed.destination)
            } catch {
                throw ServiceHostError(operation: "copy \(seed.source) to", path: seed.destination, detail: "\(error)")
            }
        }
    }

    private func makeDirectoriesOnly(_ spec: ServiceSpec) throws {
        for d in spec.directories {
            do {
                try FileManager.default.createDirectory(atPath: d.path, withIntermediateDirectories: true)
            } catch {
                throw ServiceHostError(operation: "mkdir", path: d.path, detail: "\(error)")
            }
            chmod(d.path, mode_t(d.mode))
            if let owner = d.owner, let pw = getpwnam(owner) {
                // chronyd refuses a command socket in a directory not owned by its user
                // and group (chrony.conf(5) `bindcmdaddress`).
                if chown(d.path, pw.pointee.pw_uid, pw.pointee.pw_gid) != 0 {
                    throw ServiceHostError(operation: "chown \(owner)", path: d.path, detail: String(cString: strerror(errno)))
                }
            }
        }
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ServiceHostError(operation: "write", path: path, detail: "\(error)")
        }
    }
}

