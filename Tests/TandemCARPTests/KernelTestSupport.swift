#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TandemTestSupport

/// Kernel tests block (poll, usleep, waiting for tcpdump and ucarp) for seconds. Run that
/// on a thread of its own, not on one of the few cooperative threads other suites' async
/// tests need; the test awaits the result and asserts on its own task.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

enum KernelLab {
    /// Namespaces A (198.51.100.2, 2001:db8::2) and B (198.51.100.3, 2001:db8::3) on a veth
    /// pair `carpa0`–`carpb0`, DAD off so IPv6 addresses are usable at once.
    static func pair() throws -> (NetworkNamespace, NetworkNamespace) {
        let a = try NetworkNamespace(purpose: "carp-a")
        let b = try NetworkNamespace(purpose: "carp-b")
        for ns in [a, b] {
            try ns.exec(["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"])
            try ns.exec(["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"])
        }
        try connect(a, "carpa0", "198.51.100.2/24", b, "carpb0", "198.51.100.3/24")
        try a.exec(["ip", "-6", "address", "add", "2001:db8::2/64", "dev", "carpa0", "nodad"])
        try b.exec(["ip", "-6", "address", "add", "2001:db8::3/64", "dev", "carpb0", "nodad"])
        return (a, b)
    }

    /// Starts `argv` inside `ns`; `ip netns exec` execs in place, so the PID is the
    /// program's own and it is stopped by that PID.
    static func start(_ argv: [String], in ns: NetworkNamespace) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", ns.name] + argv
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    /// SIGKILL, by PID: children spawned from the test's threads inherit a mask that blocks
    /// SIGTERM, and ucarp never unblocks it, so a SIGTERM would stay pending forever.
    static func stop(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Runs tcpdump for one packet matching `filter` in `ns` while `send` is called every
    /// 100 ms, at most 50 times; tcpdump is then killed by PID if it is still waiting.
    static func captureOne(in ns: NetworkNamespace, interface: String, filter: String,
                           send: () throws -> Void) throws -> String {
        let (dump, output) = try start(["tcpdump", "-i", interface, "-T", "carp", "-e", "-vv", "-n",
                                        "-c", "1", "-l", filter], in: ns)
        // tcpdump needs a moment to attach; keep sending until it has seen one.
        do {
            for _ in 0..<50 where dump.isRunning {
                try send()
                usleep(100_000)
            }
        } catch {
            stop(dump)
            throw error
        }
        stop(dump)
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
