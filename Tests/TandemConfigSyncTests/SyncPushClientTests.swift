import Foundation
import Testing
import TandemConfig
import TandemConfigSync
@testable import TandemConfigSyncClient

/// The push's sequence, retries and pinning, against a scripted transport.
@Suite struct SyncPushClientTests {
    /// Answers calls from a script, one entry per call, and records what was sent.
    final class ScriptedTransport: XMLRPCTransport, @unchecked Sendable {
        let lock = NSLock()
        var script: [Result<(XMLRPCResponse, String?), XMLRPCTransportError>]
        var sent: [(method: String, pin: String?)] = []

        init(_ script: [Result<(XMLRPCResponse, String?), XMLRPCTransportError>]) { self.script = script }

        func send(_ call: XMLRPCCall, to target: SyncPushPlan.Target, pin: String?,
                  timeoutSeconds: Int) async throws(XMLRPCTransportError) -> (response: XMLRPCResponse, certificate: String?) {
            let next: Result<(XMLRPCResponse, String?), XMLRPCTransportError> = lock.withLock {
                sent.append((call.methodName, pin))
                return script.isEmpty ? .failure(.connection("script exhausted")) : script.removeFirst()
            }
            switch next {
            case .success(let r): return (r.0, r.1)
            case .failure(let e): throw e
            }
        }
    }

    static let version = XMLRPCResponse.value(.structure([("config_version", .string("23.3"))]))
    static let fingerprint = String(repeating: "ab", count: 32)

    static func plan() throws -> SyncPushPlan {
        try #require(SyncPush.plan(try SyncPushTests.primary()))
    }

    static func temporaryRoot() -> NodePaths {
        NodePaths(root: FileManager.default.temporaryDirectory.appendingPathComponent("tandem-pin-\(UUID().uuidString)").path)
    }

    @Test func pushesAndPinsOnFirstSuccess() async throws {
        let paths = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: paths.root) }
        let transport = ScriptedTransport([.success((Self.version, Self.fingerprint)), .success((.value(.boolean(true)), Self.fingerprint))])
        let client = SyncPushClient(transport: transport, pins: PeerPinStore(paths: paths), pause: { _ in })
        let outcome = await client.push(try Self.plan())
        #expect(outcome.result == .pushed)
        #expect(outcome.pinned == Self.fingerprint)
        #expect(PeerPinStore(paths: paths).load() == Self.fingerprint)
        #expect(transport.sent.map(\.method) == ["pfsense.host_firmware_version", "pfsense.restore_config_section"])
        #expect(transport.sent.map(\.pin) == [nil, nil])
        #expect(outcome.summary == "XMLRPC sync successfully completed with https://203.0.113.2:443/xmlrpc.php.")

        // The next push requires the pinned certificate.
        let again = ScriptedTransport([.success((Self.version, Self.fingerprint)), .success((.value(.boolean(true)), Self.fingerprint))])
        _ = await SyncPushClient(transport: again, pins: PeerPinStore(paths: paths), pause: { _ in }).push(try Self.plan())
        #expect(again.sent.map(\.pin) == [Self.fingerprint, Self.fingerprint])
    }

    @Test func retriesTransportFailuresFourTimesOneSecondApart() async throws {
        let pauses = PauseLog()
        let transport = ScriptedTransport([.failure(.connection("refused")), .failure(.timedOut(seconds: 240)),
                                           .failure(.connection("refused")), .success((Self.version, nil)),
                                           .success((.value(.boolean(true)), nil))])
        let outcome = await SyncPushClient(transport: transport, pins: nil, pause: { await pauses.add($0) }).push(try Self.plan())
        #expect(outcome.result == .pushed)
        #expect(outcome.attempts == 5)
        #expect(await pauses.seconds == [1, 1, 1])
        #expect(outcome.log.filter { $0.hasPrefix("Retrying XMLRPC Request due to error") }.count == 3)
    }

    @Test func givesUpAfterFourAttempts() async throws {
        let transport = ScriptedTransport(Array(repeating: .failure(.connection("refused")), count: 6))
        let outcome = await SyncPushClient(transport: transport, pins: nil, pause: { _ in }).push(try Self.plan())
        #expect(outcome.result == .failed("connection failed: refused"))
        #expect(transport.sent.count == 4)
    }

    @Test func differentConfigVersionRefusesWithoutRestore() async throws {
        let transport = ScriptedTransport([.success((.value(.structure([("config_version", .string("22.2"))])), nil))])
        let outcome = await SyncPushClient(transport: transport, pins: nil, pause: { _ in }).push(try Self.plan())
        guard case .refused(let why) = outcome.result else { Issue.record("not refused"); return }
        #expect(why.contains("different configuration version"))
        #expect(transport.sent.count == 1)
    }

    @Test func faultIsNotRetried() async throws {
        let transport = ScriptedTransport([.success((Self.version, nil)),
                                           .success((.fault(code: -32002, message: "invalid"), nil))])
        let outcome = await SyncPushClient(transport: transport, pins: nil, pause: { _ in }).push(try Self.plan())
        #expect(outcome.result == .refused("restore_config_section failed: fault -32002: invalid"))
        #expect(transport.sent.count == 2)
    }

    @Test func changedCertificateIsNotRetried() async throws {
        let transport = ScriptedTransport([.failure(.certificateChanged(pinned: "aa", presented: "bb"))])
        let outcome = await SyncPushClient(transport: transport, pins: nil, pause: { _ in }).push(try Self.plan())
        guard case .failed(let why) = outcome.result else { Issue.record("not failed"); return }
        #expect(why.contains("certificate changed") && why.contains("tandem sync trust-peer"))
        #expect(transport.sent.count == 1)
    }

    actor PauseLog {
        var seconds: [Int] = []
        func add(_ s: Int) { seconds.append(s) }
    }
}
