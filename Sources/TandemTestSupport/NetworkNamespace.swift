#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A throwaway network namespace for kernel tests: named `tandem-<purpose>-<random>`,
/// never connected to the host's namespace, deleted when the test is done.
///
/// Test rules (README "Tests"): only documentation addresses (192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) inside namespaces the test made;
/// every traffic loop bounded; processes stopped by PID.
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    private var deleted = false

    public enum Failure: Error, CustomStringConvertible {
        case unavailable(String)
        case command([String], status: Int32, output: String)

        public var description: String {
            switch self {
            case .unavailable(let why): "network namespaces unavailable: \(why)"
            case .command(let argv, let status, let output):
                "`\(argv.joined(separator: " "))` exited \(status): \(output)"
            }
        }
    }

    /// Why kernel tests cannot run here, or nil when they can (root, `ip` present,
    /// a namespace can be created and deleted). Checked once per process.
    public static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "not running as root" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
                || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else { return "iproute2 (`ip`) not installed" }
        do {
            let probe = try NetworkNamespace(purpose: "probe")
            probe.delete()
            return nil
        } catch {
            return "\(error)"
        }
    }()

    /// True when kernel tests can run; prints one line saying why not otherwise.
    public static func available(for test: String) -> Bool {
        if let why = unavailableReason {
            print("skipped \(test): \(why)")
            return false
        }
        return true
    }

    public init(purpose: String) throws {
        let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        name = "tandem-\(purpose.prefix(16))-\(suffix)"
        try Self.run(["ip", "netns", "add", name])
        try exec(["ip", "link", "set", "lo", "up"])
    }

    deinit { delete() }

    public func delete() {
        guard !deleted else { return }
        deleted = true
        _ = try? Self.run(["ip", "netns", "delete", name])
    }

    /// Runs a command inside the namespace; throws on a non-zero exit.
    @discardableResult
    public func exec(_ argv: [String], input: String? = nil) throws -> String {
        try Self.run(["ip", "netns", "exec", name] + argv, input: input)
    }

    /// Runs `body` on the calling thread while it is switched into the namespace
    /// (setns(2) affects only this thread). Sockets opened inside stay in the namespace.
    /// `body` must be synchronous: an `await` could resume on another thread.
    public func run<T>(_ body: () throws -> T) throws -> T {
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else { throw Failure.unavailable("open own netns: errno \(errno)") }
        defer { close(original) }
        let target = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw Failure.unavailable("open /run/netns/\(name): errno \(errno)") }
        defer { close(target) }
        guard tandem_setns(target, cloneNewNet) == 0 else { throw Failure.unavailable("setns: errno \(errno)") }
        defer {
            // Returning to the original namespace cannot fail for a namespace we came from;
            // if it did, this thread would stay in the test namespace, so stop loudly.
            precondition(tandem_setns(original, cloneNewNet) == 0, "setns back to the original namespace failed")
        }
        return try body()
    }

    /// Runs a host command (outside any namespace); throws on a non-zero exit.
    @discardableResult
    public static func run(_ argv: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let inPipe = Pipe()
        if input != nil { process.standardInput = inPipe }
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure.command(argv, status: process.terminationStatus, output: text)
        }
        return text
    }
}

// setns(2) is a GNU extension the Glibc module does not export; bind the symbol directly.
@_silgen_name("setns")
private func tandem_setns(_ fd: Int32, _ nstype: Int32) -> Int32
/// CLONE_NEWNET from <sched.h>.
private let cloneNewNet: Int32 = 0x4000_0000
