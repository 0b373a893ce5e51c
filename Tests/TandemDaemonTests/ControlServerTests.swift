import Foundation
import Synchronization
import Testing
@testable import TandemDaemon

@Suite("Control socket", .serialized)
struct ControlServerTests {
    /// Runs blocking socket work on a thread of its own: a test thread blocked in a client
    /// call would otherwise hold one of the few cooperative-pool threads that the server's
    /// handler task needs, and parallel tests could starve it for good.
    func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// A server in a fresh temporary directory, answering with `handler`.
    func withServer(_ handler: @escaping ControlServer.Handler, _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-ctl-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("control.sock").path
        let server = try ControlServer(path: path, handler: handler)
        server.start()
        defer { server.stop() }
        try body(path)
    }

    static let status = NodeStatus(node: NodeSummary(hostname: "primaryfw", root: "/", pid: 1, configLoadedAt: nil,
                                                     configError: nil, maintenance: false), carp: [])

    @Test func answersARequestAndIsPrivate() async throws {
        try await offPool { try self.answersARequestAndIsPrivateBody() }
    }

    func answersARequestAndIsPrivateBody() throws {
        try withServer({ request in
            request.command == .status ? ControlResponse(ok: true, status: Self.status) : .failure("unexpected")
        }) { path in
            // The handler runs as a Swift task; when other suites keep the cooperative pool
            // busy with blocking kernel tests it can start late, so allow a generous wait.
            var client = ControlClient(path: path)
            client.timeoutMilliseconds = 600_000
            let response = try client.send(ControlRequest(command: .status))
            #expect(response.ok)
            #expect(response.status?.node.hostname == "primaryfw")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test(arguments: [
        ("{\"command\":\"status\",\"on\":true}", "takes no field 'on'"),
        ("{\"command\":\"carp-maintenance\"}", "needs the field 'on'"),
        ("{\"command\":\"format-disk\"}", "not a control request"),
        ("not json", "not a control request"),
    ])
    func refusesInvalidRequests(_ line: String, _ expected: String) throws {
        #expect(throws: ControlRequestError.self) { try ControlServer.decode(Array(line.utf8)) }
        do {
            _ = try ControlServer.decode(Array(line.utf8))
        } catch {
            #expect("\(error)".contains(expected))
        }
    }

    @Test func refusesAnOversizedRequestOverTheSocket() throws {
        try withServer({ _ in ControlResponse(ok: true) }) { path in
            let fd = try UnixSocket.connect(path)
            defer { close(fd) }
            let huge = "{\"command\":\"status\",\"pad\":\"" + String(repeating: "x", count: 10_000) + "\"}\n"
            try UnixSocket.writeAll(fd, Array(huge.utf8), path: path)
            let line = try #require(try UnixSocket.readLine(fd, limit: 1 << 16, milliseconds: 2000, path: path))
            let response = try JSONDecoder().decode(ControlResponse.self, from: Data(line))
            #expect(!response.ok)
            #expect(response.error?.contains("longer than") == true)
        }
    }

    @Test func aSecondServerOnALiveSocketIsRefused() throws {
        try withServer({ _ in ControlResponse(ok: true) }) { path in
            #expect(throws: ControlSocketError.self) { try ControlServer(path: path) { _ in ControlResponse(ok: true) } }
        }
    }

    /// A client that sends a request and never reads: the server gives up on the response
    /// after its write deadline and serves the next client.
    @Test func aClientThatNeverReadsDoesNotHoldTheServer() async throws {
        try await offPool { try self.aClientThatNeverReadsBody() }
    }

    func aClientThatNeverReadsBody() throws {
        // 8 MiB: far more than a unix socket's buffers hold.
        let big = String(repeating: "x", count: 8 << 20)
        try withServer({ request in
            request.command == .reload ? ControlResponse(ok: true, message: big) : ControlResponse(ok: true, status: Self.status)
        }) { path in
            let stuck = try UnixSocket.connect(path)
            defer { close(stuck) }
            try UnixSocket.writeAll(stuck, Array("{\"command\":\"reload\"}\n".utf8), path: path)
            let clock = ContinuousClock()
            let started = clock.now
            var client = ControlClient(path: path)
            client.timeoutMilliseconds = 600_000
            let response = try client.send(ControlRequest(command: .status))
            #expect(response.ok && response.status?.node.hostname == "primaryfw")
            // The write deadline (2 s) plus the wait for the handler's task, which parallel
            // suites blocking the cooperative pool can delay; without the deadline the
            // second request is never answered.
            #expect(clock.now - started < .seconds(300))
        }
    }

    @Test func anExistingRunDirectoryIsTightenedAndAForeignOneRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-run-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o777) == 0)
        let server = try ControlServer(path: dir + "/control.sock") { _ in ControlResponse(ok: true) }
        server.stop()
        let mode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        // A symbolic link in its place is refused.
        let link = dir + "-link"
        #expect(symlink(dir, link) == 0)
        defer { unlink(link) }
        #expect(throws: ControlSocketError.self) { try ControlServer(path: link + "/control.sock") { _ in ControlResponse(ok: true) } }
    }

    @Test func onlyRootAndTheDaemonsUserMayConnect() {
        #expect(ControlServer.mayConnect(uid: 0, owner: 1000))
        #expect(ControlServer.mayConnect(uid: 1000, owner: 1000))
        #expect(!ControlServer.mayConnect(uid: 65534, owner: 0))
    }

    /// Another user reaching the socket (its file and directory opened up here on purpose)
    /// is refused by SO_PEERCRED before its request is read.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/nc"),
                   "needs root, setpriv and nc to connect as another user"))
    func anotherUserIsRefusedByPeerCredentials() throws {
        let handled = Mutex(false)
        try withServer({ _ in
            handled.withLock { $0 = true }
            return ControlResponse(ok: true)
        }) { path in
            let dir = (path as NSString).deletingLastPathComponent
            #expect(chmod(dir, 0o755) == 0 && chmod(path, 0o666) == 0)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            // Nothing sent: the refusal comes before the request is read, and a request left
            // unread would make the server's close reset the connection (unix(7) sockets
            // report ECONNRESET to the peer of a socket closed with unread data).
            p.arguments = ["-c", "timeout 10 /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/nc -U -N \(path) </dev/null"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            p.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) + " status \(p.terminationStatus)"
            #expect(text.contains("permission denied: uid 65534"), "\(text)")
            #expect(!handled.withLock { $0 })
        }
    }
}
