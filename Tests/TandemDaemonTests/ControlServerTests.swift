import Foundation
import Testing
@testable import TandemDaemon

@Suite("Control socket")
struct ControlServerTests {
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

    @Test func answersARequestAndIsPrivate() throws {
        try withServer({ request in
            request.command == .status ? ControlResponse(ok: true, status: Self.status) : .failure("unexpected")
        }) { path in
            // The handler runs as a Swift task; when other suites keep the cooperative pool
            // busy with blocking kernel tests it can start late, so allow a generous wait.
            var client = ControlClient(path: path)
            client.timeoutMilliseconds = 60_000
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
}
