import Dispatch
import Foundation
import Logging
import TandemAddress
import TandemConfig
import TandemConfigSync

/// `/xmlrpc.php` behind authentication: the body decoded by `XMLRPCCodec`, the call
/// answered by `SyncReceiver` (pure), and a config it produces committed through the
/// node's one commit path. Calls run one at a time, as pfSense runs `xmlrpc.php` under an
/// exclusive lock, so two pushes never merge into the same base. Decoding and merging a
/// large config is CPU work of up to seconds: it runs on a thread of its own, not on the
/// event loop or Swift's cooperative pool that CARP's tasks share.
public struct SyncXMLRPCService: XMLRPCService {
    /// XML-RPC's conventional "parse error" (PEAR XML_RPC2 answers a body it cannot parse
    /// with -32700 "parse error. not well formed").
    public static let parseErrorCode = -32700

    let node: any ManagementNode
    let receiver: SyncReceiver
    let logger: Logger
    let maximumBodySize: Int
    public let received: ReceivedPushRecorder
    private let gate = AsyncGate()
    private let worker = DispatchQueue(label: "tandem-sync-receive", qos: .utility)

    public init(node: any ManagementNode, versions: SyncReceiver.Versions, maximumBodySize: Int, logger: Logger) {
        self.node = node
        receiver = SyncReceiver(versions: versions)
        self.maximumBodySize = maximumBodySize
        self.logger = logger
        received = ReceivedPushRecorder()
    }

    public func faultBody(code: Int, message: String) -> [UInt8] {
        XMLRPCCodec.encodeResponse(.fault(code: code, message: message))
    }

    public func respond(to body: [UInt8], caller: IPAddress?, user: String) async -> [UInt8] {
        await gate.enter()
        let reply = await handle(body, caller: caller, user: user)
        await gate.leave()
        return XMLRPCCodec.encodeResponse(reply)
    }

    private func handle(_ body: [UInt8], caller: IPAddress?, user: String) async -> XMLRPCResponse {
        let from = caller?.description ?? "unknown address"
        let limit = maximumBodySize
        let decoded: Result<XMLRPCCall, XMLRPCError> = await onWorker {
            do throws(XMLRPCError) { return .success(try XMLRPCCodec.decodeCall(body, maximumSize: limit)) } catch {
                return .failure(error)
            }
        }
        let call: XMLRPCCall
        switch decoded {
        case .success(let c): call = c
        case .failure(let error):
            logger.warning("XML-RPC request from \(from) not understood: \(error)")
            return .fault(code: Self.parseErrorCode, message: "parse error. not well formed: \(error)")
        }
        let local: ConfigDocument
        do { local = try await node.runningDocument() } catch {
            return SyncFault.commitFailed("reading the running config: \(error)")
        }
        let receiver = self.receiver
        let receipt = await onWorker { receiver.handle(call: call, local: local, caller: caller) }
        for line in receipt.log { logger.notice("\(line)") }
        guard case .commit(let commit) = receipt else {
            if receipt.log.contains(where: { $0.hasPrefix("Disallowing CARP sync loop") }) {
                await received.record(.init(time: Date().timeIntervalSince1970, from: from, user: user,
                                            method: call.methodName, sections: [], result: "ignored (sync loop)"))
            }
            return receipt.reply
        }
        let outcome = await node.commitReceived(commit.document, user: "\(user)@\(from) (XMLRPC)",
                                                description: commit.revisionDescription)
        let result: String
        let reply: XMLRPCResponse
        switch outcome {
        case .committed(let revision, let applied):
            result = "committed revision \(revision), \(applied)"
            reply = commit.reply
            logger.notice("\(commit.revisionDescription) Revision \(revision) from \(from) (\(user)): \(applied)")
        case .refused(let messages):
            result = "refused: " + messages.joined(separator: "; ")
            reply = SyncFault.invalidConfig(messages)
            logger.error("config from \(from) refused, nothing changed: \(messages.joined(separator: "; "))")
        case .failed(let why):
            result = "failed: \(why)"
            reply = SyncFault.commitFailed(why)
            logger.error("config from \(from): \(why)")
        }
        await received.record(.init(time: Date().timeIntervalSince1970, from: from, user: user, method: call.methodName,
                                    sections: commit.sections, result: result))
        return reply
    }

    private func onWorker<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            worker.async { continuation.resume(returning: body()) }
        }
    }
}

/// The last push received, for `tandem status`.
public actor ReceivedPushRecorder {
    public private(set) var last: ManagementStatus.ReceivedPush?
    public init() {}
    func record(_ push: ManagementStatus.ReceivedPush) { last = push }
}

extension SyncXMLRPCService {
    public func lastReceived() async -> ManagementStatus.ReceivedPush? { await received.last }
}
