import Dispatch
import Foundation
import Logging
import TandemAddress
import TandemConfig

/// Authenticates requests for the server: the limiter's state, the clock, and the threads
/// the password hashes run on. bcrypt at pfSense's cost (10) takes ~50 ms of CPU: run on
/// the event loop or Swift's cooperative pool (two threads on this machine) it would stall
/// everything else there. It runs instead on two serial queues of its own: one for
/// addresses that have logged in before (the peer), one for strangers, so a flood of guesses
/// queues behind itself only, and at most two cores' worth of hashing ever runs.
public actor LoginGuard {
    private var limiter: LoginLimiter
    private let logger: Logger
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let knownLane = DispatchQueue(label: "tandem-auth-known", qos: .utility)
    private let strangerLane = DispatchQueue(label: "tandem-auth-strangers", qos: .background)
    private var decoys: [Int: PasswordHash] = [:]
    /// Logins granted, by user name (for status).
    public private(set) var granted = 0

    public init(policy: LoginLimiter.Policy = LoginLimiter.Policy(), logger: Logger) {
        limiter = LoginLimiter(policy: policy)
        self.logger = logger
        start = clock.now
    }

    private var now: Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The decision for one request from `address` (nil for a non-IP transport).
    public func authenticate(header: String?, address: IPAddress?, system: SystemConfig) async -> AuthDecision {
        guard let credentials = BasicCredentials(header: header) else {
            let decision = AuthDecision.invalidCredentials(username: nil, reason: "no Basic credentials")
            if let address, case .refuse(let retry) = limiter.admit(address, now: now) {
                return .invalidCredentials(username: nil, reason: "address locked out for another \(Int(retry.rounded(.up))) s")
            }
            record(decision, address: address)
            return decision
        }
        return await authenticate(credentials, purpose: .xmlrpcSync, address: address, system: system)
    }

    /// The decision for a user name and password (the dashboard's login form, or a Basic
    /// header), counted by the same per-address limiter whatever the door.
    public func authenticate(_ credentials: BasicCredentials, purpose: Authenticator.Purpose, address: IPAddress?,
                             system: SystemConfig) async -> AuthDecision {
        if let address, case .refuse(let retry) = limiter.admit(address, now: now) {
            return .invalidCredentials(username: credentials.username,
                                       reason: "address locked out for another \(Int(retry.rounded(.up))) s")
        }
        let decoy = decoy(cost: Authenticator.decoyCost(for: system.allUsers))
        let authenticator = Authenticator(system: system, decoy: decoy)
        let today = Int(Date().timeIntervalSince1970 / 86400)
        let lane = address.map { limiter.isKnown($0) } == true ? knownLane : strangerLane
        let decision = await withCheckedContinuation { (continuation: CheckedContinuation<AuthDecision, Never>) in
            lane.async {
                continuation.resume(returning: authenticator.check(credentials, today: today, purpose: purpose,
                                                                   verify: PasswordCheck.verify))
            }
        }
        record(decision, address: address)
        return decision
    }

    private func record(_ decision: AuthDecision, address: IPAddress?) {
        let from = address?.description ?? "unknown address"
        switch decision {
        case .granted(let user):
            granted += 1
            if let address { limiter.recordSuccess(address) }
            logger.info("management login: user '\(user)' from \(from)")
        case .invalidCredentials(let user, let reason):
            // pfSense logs every failure with the address (auth.log), which is what an
            // operator or sshguard reads.
            logger.warning("management login failed: user '\(user ?? "")' from \(from): \(reason)")
            if let address, let lockout = limiter.recordFailure(address, now: now) {
                logger.warning("management login: \(from) locked out for \(Int(lockout)) s after repeated failures")
            }
        case .notEnoughPrivileges(let user):
            logger.warning("management login: user '\(user)' from \(from) lacks the privilege for this page")
        }
    }

    /// A bcrypt hash of a random password at `cost`, made once per cost.
    private func decoy(cost: Int) -> PasswordHash {
        if let made = decoys[cost] { return made }
        let random = (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let made = PasswordHash.bcrypt(Crypt.bcrypt(random, cost: min(max(cost, 4), 31)) ?? "")
        decoys[cost] = made
        return made
    }

    /// Counters and the locked addresses, for `tandem status`.
    public func status() -> LoginStatus {
        let t = now
        return LoginStatus(granted: granted, failed: limiter.totalFailures, refusedWhileLocked: limiter.totalRefused,
                           lockouts: limiter.totalLockouts,
                           locked: limiter.locked(now: t).map {
                               LoginStatus.Locked(address: $0.address.description, failures: $0.entry.failures,
                                                  secondsLeft: Int((($0.entry.lockedUntil ?? t) - t).rounded(.up)),
                                                  refused: $0.entry.refused)
                           })
    }
}

/// The login part of the management section of `tandem status`.
public struct LoginStatus: Sendable, Codable, Hashable {
    public struct Locked: Sendable, Codable, Hashable {
        public var address: String
        public var failures: Int
        public var secondsLeft: Int
        public var refused: Int
    }

    public var granted: Int
    public var failed: Int
    public var refusedWhileLocked: Int
    public var lockouts: Int
    public var locked: [Locked]

    public init(granted: Int = 0, failed: Int = 0, refusedWhileLocked: Int = 0, lockouts: Int = 0, locked: [Locked] = []) {
        self.granted = granted
        self.failed = failed
        self.refusedWhileLocked = refusedWhileLocked
        self.lockouts = lockouts
        self.locked = locked
    }
}
