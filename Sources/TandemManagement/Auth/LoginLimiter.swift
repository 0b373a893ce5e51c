import TandemAddress

/// Failed logins per remote address, and the lockout that follows too many (what pfSense
/// leaves to sshguard watching its auth log). A value: `(state, event, now) -> decision`,
/// with time passed in as seconds of a monotonic clock.
///
/// Why a flood cannot lock the peer out: failures are counted per source address of an
/// accepted TCP connection (a TLS handshake completed before any request is read), which a
/// third party cannot forge; a locked address is refused before any password is hashed, so
/// a flood costs one table look-up per request; the table is bounded and evicts the oldest
/// unlocked entry; and an address that has logged in successfully is remembered as known,
/// so the server checks its passwords on a lane of its own that strangers never queue on.
public struct LoginLimiter: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Failures within `window` that lock the address.
        public var maxFailures: Int
        public var window: Double
        /// The first lockout; each further one within `window` of its end doubles, up to `maxLockout`.
        public var lockout: Double
        public var maxLockout: Double
        /// Addresses tracked at once.
        public var capacity: Int
        /// Addresses remembered as known (successful logins).
        public var knownCapacity: Int

        public init(maxFailures: Int = 5, window: Double = 60, lockout: Double = 60, maxLockout: Double = 900,
                    capacity: Int = 4096, knownCapacity: Int = 64) {
            self.maxFailures = maxFailures
            self.window = window
            self.lockout = lockout
            self.maxLockout = maxLockout
            self.capacity = capacity
            self.knownCapacity = knownCapacity
        }
    }

    public struct Entry: Sendable, Hashable {
        public var failures: Int
        public var windowStart: Double
        public var lastFailure: Double
        public var lockedUntil: Double?
        /// The length of the last lockout (doubles on repeat offences).
        public var lastLockout: Double
        /// Requests refused while locked.
        public var refused: Int
    }

    public enum Admission: Sendable, Hashable {
        case check
        /// Locked: refuse without checking the password.
        case refuse(retryAfter: Double)
    }

    public let policy: Policy
    public private(set) var entries: [IPAddress: Entry] = [:]
    /// Addresses that logged in successfully, oldest first.
    public private(set) var known: [IPAddress] = []
    public private(set) var totalFailures = 0
    public private(set) var totalRefused = 0
    public private(set) var totalLockouts = 0

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    public mutating func admit(_ address: IPAddress, now: Double) -> Admission {
        guard var entry = entries[address], let until = entry.lockedUntil else { return .check }
        if now >= until {
            entry.lockedUntil = nil
            entry.failures = 0
            entry.windowStart = now
            entries[address] = entry
            return .check
        }
        entry.refused += 1
        totalRefused += 1
        entries[address] = entry
        return .refuse(retryAfter: until - now)
    }

    /// Records a wrong password; returns the lockout's length when this failure starts one.
    @discardableResult
    public mutating func recordFailure(_ address: IPAddress, now: Double) -> Double? {
        totalFailures += 1
        var entry = entries[address] ?? {
            makeRoom(now: now)
            return Entry(failures: 0, windowStart: now, lastFailure: now, lockedUntil: nil, lastLockout: 0, refused: 0)
        }()
        if now - entry.windowStart > policy.window {
            entry.failures = 0
            entry.windowStart = now
        }
        entry.failures += 1
        entry.lastFailure = now
        var started: Double?
        if entry.failures >= policy.maxFailures {
            // A repeat offence soon after the previous lockout doubles it.
            let repeatOffence = entry.lastLockout > 0 && now - entry.windowStart <= policy.window + entry.lastLockout
            let length = repeatOffence ? min(entry.lastLockout * 2, policy.maxLockout) : policy.lockout
            entry.lockedUntil = now + length
            entry.lastLockout = length
            totalLockouts += 1
            started = length
        }
        entries[address] = entry
        return started
    }

    public mutating func recordSuccess(_ address: IPAddress) {
        entries[address] = nil
        known.removeAll { $0 == address }
        known.append(address)
        if known.count > policy.knownCapacity { known.removeFirst(known.count - policy.knownCapacity) }
    }

    public func isKnown(_ address: IPAddress) -> Bool { known.contains(address) }

    /// Addresses locked at `now`, longest-locked first.
    public func locked(now: Double) -> [(address: IPAddress, entry: Entry)] {
        entries.filter { ($0.value.lockedUntil ?? 0) > now }
            .map { (address: $0.key, entry: $0.value) }
            .sorted { ($0.entry.lockedUntil ?? 0) > ($1.entry.lockedUntil ?? 0) }
    }

    /// Keeps the table under `capacity`: drops the entry whose last failure is oldest,
    /// preferring unlocked ones (dropping an entry only ever forgives).
    private mutating func makeRoom(now: Double) {
        guard entries.count >= policy.capacity else { return }
        let unlocked = entries.filter { ($0.value.lockedUntil ?? 0) <= now }
        let pool = unlocked.isEmpty ? entries : unlocked
        if let oldest = pool.min(by: { $0.value.lastFailure < $1.value.lastFailure }) {
            entries[oldest.key] = nil
        }
    }
}
