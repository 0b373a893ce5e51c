#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
import TandemCARP
import TandemConfig
@testable import TandemDaemon

/// sd_notify(3) without libsystemd, journald priorities (sd-daemon(3)), and the handover
/// file between an old and a new daemon.
@Suite struct SystemdNotifyTests {
    @Test func notifySocketAddresses() {
        #expect(SystemdNotifier.address("/run/systemd/notify") == Array("/run/systemd/notify".utf8))
        #expect(SystemdNotifier.address("@tandem-x") == [0] + Array("tandem-x".utf8))
        #expect(SystemdNotifier.address("relative/path") == nil)
        #expect(SystemdNotifier.address("") == nil)
        #expect(SystemdNotifier.address(nil) == nil)
        #expect(SystemdNotifier.address("/" + String(repeating: "a", count: 200)) == nil)
    }

    @Test func watchdogIntervalIsHalfTheTimeoutAndOnlyForThisProcess() {
        #expect(SystemdNotifier.watchdogInterval(usec: "20000000", pid: nil, ownPID: 10) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(usec: "20000000", pid: "10", ownPID: 10) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(usec: "20000000", pid: "11", ownPID: 10) == nil)
        #expect(SystemdNotifier.watchdogInterval(usec: "0", pid: nil, ownPID: 10) == nil)
        #expect(SystemdNotifier.watchdogInterval(usec: "x", pid: nil, ownPID: 10) == nil)
    }

    @Test func unsupervisedSendsNothing() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isSupervised)
        #expect(notifier.send([("READY", "1")]) == nil)
    }

    /// A real datagram to an abstract socket, as systemd's manager receives it.
    @Test func sendsOneDatagramToAnAbstractSocket() throws {
        let name = "tandem-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(bound == 0)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name])
        #expect(notifier.send([("READY", "1"), ("STATUS", "config applied")]) == nil)
        var buffer = [UInt8](repeating: 0, count: 256)
        let received = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        try #require(received > 0)
        #expect(String(decoding: buffer[0..<received], as: UTF8.self) == "READY=1\nSTATUS=config applied")
    }

    @Test func sendingToAMissingSocketReportsTheError() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/tandem-notify"])
        #expect(notifier.send([("WATCHDOG", "1")]) == ENOENT)
    }

    @Test func journalPrioritiesAndOneLinePerEntry() {
        #expect(JournalLogHandler.priority(.critical) == 2)
        #expect(JournalLogHandler.priority(.error) == 3)
        #expect(JournalLogHandler.priority(.warning) == 4)
        #expect(JournalLogHandler.priority(.notice) == 5)
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.debug) == 7)
        #expect(JournalLogHandler.line(level: .error, label: "tandem", message: "a\nb", metadata: ["k": "v"])
                == "<3>tandem: a | b k=v\n")
        #expect(!JournalLogHandler.stderrIsJournal(environment: [:]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:2"]))
    }

    @Test func handoverFileRoundTripsAndNamesABadLine() throws {
        let masters = [CarpGroupID(interface: "wan0", vhid: 143): UInt64(900), CarpGroupID(interface: "lan0", vhid: 1): .max]
        let text = Handover.encode(masters)
        #expect(text == "lan0 1 18446744073709551615\nwan0 143 900\n")
        #expect(try Handover.decode(text, file: "f") == masters)
        #expect(throws: HandoverError.self) { try Handover.decode("lan0 1 5\nlan0 0 5\n", file: "f") }
        do {
            _ = try Handover.decode("lan0 1\n", file: "/run/tandem/handover")
            Issue.record("a line without a counter was accepted")
        } catch {
            #expect(error.description.hasPrefix("/run/tandem/handover:1: expected `interface vhid counter`"))
        }
    }

    @Test func handoverFilesAreReadOnceAndOnlyWhenFresh() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-handover-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let paths = NodePaths(root: root)
        try FileManager.default.createDirectory(atPath: paths.runDirectory, withIntermediateDirectories: true)
        let files = HandoverFiles(paths: paths)
        #expect(!files.takeRequest())
        FileManager.default.createFile(atPath: paths.handoverRequest, contents: Data())
        #expect(files.takeRequest())
        #expect(!files.takeRequest())
        let masters = [CarpGroupID(interface: "lan0", vhid: 1): UInt64(77)]
        try files.write(masters)
        #expect(try files.take() == masters)
        #expect(try files.take() == [:])
        try files.write(masters)
        #expect(try files.take(now: Date().addingTimeInterval(Handover.maximumAge + 5)) == [:])
        #expect(!FileManager.default.fileExists(atPath: paths.handover))
    }
}
