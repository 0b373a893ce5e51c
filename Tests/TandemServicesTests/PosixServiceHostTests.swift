import Foundation
import Testing
import TandemServices
#if canImport(Glibc)
import Glibc
#endif

/// The real host with harmless programs (`sleep`, `sh`): files, checks, starts, signals.
@Suite(.serialized) struct PosixServiceHostTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-host-\(UUID().uuidString.prefix(8))").path

    func spec(_ text: String, command: [String], check: [String] = ["/bin/true"]) -> ServiceSpec {
        let path = root + "/etc/svc.conf"
        return ServiceSpec(kind: .dns, configPath: path, contents: text, command: command,
                           check: check.map { $0 == "FILE" ? path : $0 }, reload: .signal(SIGHUP),
                           directories: [ServiceDirectory(root + "/etc")])
    }

    /// Waits (bounded, 5 s) until `pid` is gone.
    /// Waits up to 15 s: on a loaded 2-core machine the host's reaper can take seconds to run.
    func gone(_ pid: Int32) async -> Bool {
        for _ in 0..<300 {
            if kill(pid, 0) != 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// A candidate file is checked where it lies and installed only on request; a refused
    /// one leaves the live file alone, and the program's complaint comes back.
    @Test func checkAndInstall() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let host = PosixServiceHost(paths: ServicePaths(root: root))
        let good = spec("good\n", command: ["/bin/true"], check: ["/bin/grep", "-q", "good", "FILE"])
        #expect(host.check(good).ok)
        try host.install(good)
        #expect(try String(contentsOfFile: good.configPath, encoding: .utf8) == "good\n")
        let bad = spec("bad\n", command: ["/bin/true"], check: ["/bin/sh", "-c", "echo 'FILE:1: error: bad'; exit 1", "FILE"])
        let result = host.check(bad)
        #expect(!result.ok && result.output.contains("error: bad"))
        #expect(try String(contentsOfFile: good.configPath, encoding: .utf8) == "good\n")
    }

    /// The daemon's threads block most signals; its children must not inherit that, or
    /// SIGTERM and SIGHUP never reach them (kea-dhcp4 and chronyd ran until SIGKILL). And a
    /// child outlives the thread that asked for it (its parent-death signal is tied to the
    /// thread that forked it).
    @Test func childrenReceiveSignalsTheDaemonBlocks() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let host = PosixServiceHost(paths: ServicePaths(root: root))
        let exits = ExitLog()
        let s = spec("", command: ["/bin/sleep", "300"])
        // Start from a thread that blocks SIGTERM, as the daemon's threads do.
        let pid: Int32 = try await withCheckedThrowingContinuation { c in
            let t = Thread {
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGTERM)
                pthread_sigmask(SIG_BLOCK, &set, nil)
                c.resume(with: Result { try host.start(s) { pid, status in exits.add(pid, status) } })
            }
            t.start()
        }
        // The asking thread has ended by now.
        try await Task.sleep(for: .milliseconds(300))
        #expect(kill(pid, 0) == 0, "the child died with the thread that started it")
        host.signal(pid, SIGTERM)
        let ended = await gone(pid)
        #expect(ended, "the child ignored SIGTERM")
        if !ended { kill(pid, SIGKILL) }
        for _ in 0..<500 where exits.all.isEmpty { try? await Task.sleep(for: .milliseconds(20)) }
        #expect(exits.all == ["\(pid) signal 15"])
        let log = try String(contentsOfFile: ServicePaths(root: root).log(.dns), encoding: .utf8)
        #expect(log.isEmpty)
    }

    /// The supervisor with the real host and clock: a killed child is started again after
    /// the 1 s back-off, and shutdown stops it.
    @Test func supervisorRestartsAKilledChild() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let supervisor = ServiceSupervisor(host: PosixServiceHost(paths: ServicePaths(root: root)), now: { ContinuousClock.now })
        await supervisor.apply([spec("x", command: ["/bin/sleep", "300"])])
        let first = try #require(await supervisor.status().first?.pid)
        kill(first, SIGKILL)
        var second: Int32?
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(50))
            await supervisor.tick()
            if let p = await supervisor.status().first?.pid, p != first { second = p; break }
        }
        let restarted = try #require(second, "not restarted within 3 s")
        #expect(await supervisor.status().first?.restarts == 1)
        await supervisor.shutdown()
        #expect(await gone(restarted))
        #expect(await supervisor.status().first?.state == "stopped")
    }
}

final class ExitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []
    func add(_ pid: Int32, _ status: String) { lock.withLock { entries.append("\(pid) \(status)") } }
    var all: [String] { lock.withLock { entries } }
}
