import TandemConfig
import TandemConfigSync

/// Carries out one push (`rc.filter_synchronize`, `xmlrpc_client.inc`): the version check,
/// then `restore_config_section`, each call tried up to 4 times 1 s apart while the
/// transport fails (a fault is an answer and is not retried), the peer's certificate
/// pinned on the first success and required from then on.
public struct SyncPushClient: Sendable {
    public static let attempts = 4
    public static let retryDelaySeconds = 1
    /// pfSense's default XML-RPC timeout (the restore call has its own 900 s).
    public static let callTimeout = 240

    let transport: any XMLRPCTransport
    let pins: PeerPinStore?
    /// Waits between attempts (a test passes one that does not sleep).
    let pause: @Sendable (Int) async -> Void

    public init(transport: any XMLRPCTransport, pins: PeerPinStore?,
                pause: @escaping @Sendable (Int) async -> Void = { try? await Task.sleep(for: .seconds($0)) }) {
        self.transport = transport
        self.pins = pins
        self.pause = pause
    }

    public func push(_ plan: SyncPushPlan) async -> SyncPushOutcome {
        var outcome = SyncPushOutcome(target: plan.target.description, sections: plan.sections)
        let pin = pins?.load()
        do throws(XMLRPCTransportError) {
            let (version, _) = try await call(plan.versionCall, plan, pin: pin, timeout: Self.callTimeout, outcome: &outcome)
            if case .refuse(let why) = VersionCheck.decide(version, localVersion: plan.configVersion) {
                outcome.result = .refused(why)
                return outcome
            }
            let (reply, certificate) = try await call(plan.restoreCall, plan, pin: pin, timeout: SyncPushPlan.restoreTimeout,
                                                      outcome: &outcome)
            switch reply {
            case .fault(let code, let message):
                outcome.result = .refused("restore_config_section failed: fault \(code): \(message)")
            case .value(.string(let s)) where s.hasPrefix("Authentication failed"):
                outcome.result = .refused("restore_config_section failed: \(s)")
            case .value:
                outcome.result = .pushed
                if pin == nil, let certificate, let pins {
                    do {
                        try pins.save(certificate)
                        outcome.pinned = certificate
                    } catch {
                        outcome.log.append("could not store the peer's certificate pin in \(pins.path): \(error)")
                    }
                }
            }
        } catch {
            outcome.result = .failed(error.description)
        }
        return outcome
    }

    private func call(_ call: XMLRPCCall, _ plan: SyncPushPlan, pin: String?, timeout: Int,
                      outcome: inout SyncPushOutcome) async throws(XMLRPCTransportError) -> (XMLRPCResponse, String?) {
        var attempt = 1
        while true {
            outcome.attempts += 1
            do {
                return try await transport.send(call, to: plan.target, pin: pin, timeoutSeconds: timeout)
            } catch where error.isRetryable && attempt < Self.attempts {
                outcome.log.append("Retrying XMLRPC Request due to error: \(call.methodName): \(error)")
                attempt += 1
                await pause(Self.retryDelaySeconds)
            }
        }
    }
}

/// What one push did, for the log, `tandem sync now` and `tandem status`.
public struct SyncPushOutcome: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        case pending
        case pushed
        /// The peer answered and refused (version, authentication, a fault).
        case refused(String)
        /// The peer could not be reached or answered garbage, after every attempt.
        case failed(String)
    }

    /// The URL, without credentials.
    public var target: String
    public var sections: [String]
    public var result: Result = .pending
    /// Calls made, retries included.
    public var attempts = 0
    /// The fingerprint pinned by this push (the first successful one).
    public var pinned: String?
    public var log: [String] = []

    public init(target: String, sections: [String]) {
        self.target = target
        self.sections = sections
    }

    public var succeeded: Bool { result == .pushed }

    /// One line: "XMLRPC sync successfully completed with URL." or the error.
    public var summary: String {
        switch result {
        case .pending: "XMLRPC sync to \(target) not finished"
        case .pushed: "XMLRPC sync successfully completed with \(target)."
        case .refused(let why), .failed(let why): "XMLRPC sync to \(target) failed: \(why)"
        }
    }
}
