import Foundation
import NIOCore
import NIOPosix
import Testing
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient
import TandemTestSupport

/// Tandem's push client against a Python XML-RPC server standing in for a pfSense
/// secondary (`scripts/xmlrpc-recorder.py`), over real TLS on 127.0.0.1 inside a throwaway
/// network namespace: the calls' shape, the credentials, the pin, a changed certificate.
@Suite(.serialized) struct SyncPushTLSTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts")

    static var available: Bool {
        guard NetworkNamespace.available(for: "SyncPushTLSTests") else { return false }
        for tool in ["/usr/bin/openssl", "/usr/bin/python3"] where !FileManager.default.isExecutableFile(atPath: tool) {
            print("skipped SyncPushTLSTests: \(tool) not installed")
            return false
        }
        return true
    }

    /// A self-signed certificate and its SHA-256 fingerprint (of the DER form).
    static func certificate(in dir: String, name: String) throws -> (cert: String, key: String, fingerprint: String) {
        let cert = "\(dir)/\(name).crt", key = "\(dir)/\(name).key"
        try run(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=secondaryfw"])
        let der = try run(["/usr/bin/openssl", "x509", "-in", cert, "-outform", "DER"], binary: true)
        let digest = try run(["/usr/bin/openssl", "dgst", "-sha256", "-r"], input: der)
        return (cert, key, String(String(decoding: digest, as: UTF8.self).prefix(64)))
    }

    @discardableResult
    static func run(_ argv: [String], input: Data? = nil, binary: Bool = false) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe(), inPipe = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        if input != nil { p.standardInput = inPipe }
        try p.run()
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw NetworkNamespace.Failure.command(argv, status: p.terminationStatus, output: "") }
        return data
    }

    /// Starts the recorder inside the namespace; returns the process (stopped by its PID).
    static func recorder(_ ns: NetworkNamespace, dir: String, cert: (cert: String, key: String, fingerprint: String),
                         record: String) throws -> Process {
        let ready = "\(dir)/ready-\(UUID().uuidString)"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", ns.name, "/usr/bin/python3", scripts.appendingPathComponent("xmlrpc-recorder.py").path,
                       "--port", "8443", "--cert", cert.cert, "--key", cert.key, "--record", record, "--ready", ready,
                       "--password", "s3cret", "--max-calls", "2", "--seconds", "300"]
        try p.run()
        // Bounded wait for the socket.
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: ready) { usleep(50_000) }
        guard FileManager.default.fileExists(atPath: ready) else {
            kill(p.processIdentifier, SIGTERM)
            throw NetworkNamespace.Failure.unavailable("the XML-RPC recorder did not start")
        }
        return p
    }

    /// Runs blocking work (processes, waits) on a Dispatch thread, never on the cooperative
    /// pool that other suites' tasks need.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func calls(_ record: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test(.enabled(if: available)) func pushesOverTLSPinsAndRefusesAChangedCertificate() async throws {
        // `ip netns add/delete` wait for a process: on a Dispatch thread, like every blocking step.
        let ns = try await Self.blocking { try NetworkNamespace(purpose: "xmlrpc-push") }
        do {
            try await pushes(in: ns)
        } catch {
            try await Self.blocking { ns.delete() }
            throw error
        }
        try await Self.blocking { ns.delete() }
    }

    func pushes(in ns: NetworkNamespace) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-push-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = NodePaths(root: dir + "/node")

        let hasync = SyncPushTests.hasync.replacingOccurrences(of: "203.0.113.2</synchronizetoip>", with: "127.0.0.1</synchronizetoip>")
        let primary = try SyncPushTests.primary(hasync: hasync, webgui: "<webgui><protocol>https</protocol><port>8443</port></webgui>")
        let plan = try #require(SyncPush.plan(primary))
        let transport = HTTPSTransport(connect: { bootstrap, address in
            // The socket is made on this thread, inside the namespace.
            (try? ns.run { bootstrap.connect(to: address) }) ?? MultiThreadedEventLoopGroup.singleton.next().makeFailedFuture(ChannelError.ioOnClosedChannel)
        })
        let client = SyncPushClient(transport: transport, pins: PeerPinStore(paths: paths), pause: { _ in })

        // First push: accepted, pinned.
        let first = try await Self.blocking { try Self.certificate(in: dir, name: "first") }
        let record1 = dir + "/calls1.jsonl"
        let server1 = try await Self.blocking { try Self.recorder(ns, dir: dir, cert: first, record: record1) }
        defer { if server1.isRunning { kill(server1.processIdentifier, SIGTERM) } }
        let outcome = await client.push(plan)
        #expect(outcome.result == SyncPushOutcome.Result.pushed, "\(outcome.summary)")
        #expect(outcome.pinned == first.fingerprint)
        #expect(PeerPinStore(paths: paths).load() == first.fingerprint)
        if server1.isRunning { kill(server1.processIdentifier, SIGTERM) }
        try await Self.blocking { server1.waitUntilExit() }

        let calls = Self.calls(record1)
        #expect(calls.map { $0["method"] as? String } == ["pfsense.host_firmware_version", "pfsense.restore_config_section"])
        #expect(calls.map { $0["user"] as? String } == ["admin", "admin"])
        let params = calls.last?["params"] as? [Any] ?? []
        #expect(params.count == 2)
        #expect(params.last as? Int == 900)
        let sections = params.first as? [String: Any] ?? [:]
        #expect(Set(sections.keys) == ["system", "virtualip", "filter", "aliases", "dhcpd", "kea"])
        let vips = (sections["virtualip"] as? [String: Any])?["vip"] as? [[String: Any]] ?? []
        #expect(vips.compactMap { $0["advskew"] as? Int } == [100, 254])
        let rules = (sections["filter"] as? [String: Any])?["rule"] as? [[String: Any]] ?? []
        #expect(rules.map { $0["descr"] as? String } == ["synced"])
        let users = (sections["system"] as? [String: Any])?["user"] as? [[String: Any]] ?? []
        #expect(users.map { $0["name"] as? String } == ["admin", "john"])

        // The peer now presents another certificate: refused in the handshake, nothing sent.
        let second = try await Self.blocking { try Self.certificate(in: dir, name: "second") }
        let record2 = dir + "/calls2.jsonl"
        let server2 = try await Self.blocking { try Self.recorder(ns, dir: dir, cert: second, record: record2) }
        defer { if server2.isRunning { kill(server2.processIdentifier, SIGTERM) } }
        let refused = await client.push(plan)
        guard case .failed(let why) = refused.result else { Issue.record("not refused: \(refused.summary)"); return }
        #expect(why.contains("certificate changed") && why.contains(second.fingerprint))
        #expect(refused.attempts == 1)
        #expect(Self.calls(record2).isEmpty)

        // `tandem sync trust-peer` forgets the pin: the next push pins the new certificate.
        try PeerPinStore(paths: paths).remove()
        let trusted = await client.push(plan)
        #expect(trusted.result == SyncPushOutcome.Result.pushed, "\(trusted.summary)")
        #expect(PeerPinStore(paths: paths).load() == second.fingerprint)
        if server2.isRunning { kill(server2.processIdentifier, SIGTERM) }
        try await Self.blocking { server2.waitUntilExit() }
    }
}
