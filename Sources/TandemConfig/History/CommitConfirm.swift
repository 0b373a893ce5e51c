/// `tandem apply --confirm MINUTES`, as VyOS's `commit-confirm` and Junos's `commit
/// confirmed`: the applied config stays only if `tandem confirm` comes before the deadline;
/// otherwise the daemon commits the revision from before the apply again. A value driven by
/// events and the clock (`handle(_:now:)`); the daemon persists it, runs the restore and
/// logs, and ticks it.
///
/// A second `--confirm` apply while one is pending moves the deadline and keeps the
/// revision to restore: as with Junos, the restore goes back to the config from before the
/// first unconfirmed change.
public struct CommitConfirm: Sendable, Codable, Equatable {
    public struct Pending: Sendable, Codable, Equatable {
        /// Unix time after which the previous revision is restored.
        public var deadline: Double
        /// The revision to restore (the config before the first unconfirmed apply).
        public var restore: Int
        /// The revision the unconfirmed apply wrote.
        public var applied: Int
        public var armedAt: Double
        public var user: String?
    }

    /// The last deadline that passed.
    public struct Expiry: Sendable, Codable, Equatable {
        public var time: Double
        /// The revision that was restored, and the new revision it was committed as (nil
        /// when restoring failed: `error` says why).
        public var restored: Int
        public var revision: Int?
        public var error: String?
    }

    public var pending: Pending?
    public var lastExpiry: Expiry?
    /// A restore is running (not persisted: a daemon that restarts during one finds the
    /// deadline still pending and restores again).
    public var restoring = false

    private enum CodingKeys: String, CodingKey { case pending, lastExpiry }

    public init(pending: Pending? = nil, lastExpiry: Expiry? = nil) {
        self.pending = pending
        self.lastExpiry = lastExpiry
    }

    public enum Event: Sendable, Equatable {
        /// An apply wrote revision `applied`; `restore` is the revision before it.
        case arm(restore: Int, applied: Int, seconds: Double, user: String?)
        case confirm
        /// The clock moved (the daemon ticks a few times a second).
        case tick
        /// The restore the value asked for finished: the new revision, or why it failed.
        case restored(revision: Int?, error: String?)
    }

    public enum Action: Sendable, Equatable {
        /// Write the value to its file (before answering the request that changed it).
        case persist
        /// Commit revision `revision` again as a new revision with `description`, and apply it.
        case restore(revision: Int, description: String)
        case log(String)
        /// The answer to the request: accepted with a message, or refused with one.
        case reply(ok: Bool, String)
    }

    public static func expiryDescription(_ revision: Int) -> String {
        "Commit-confirm expired: restored revision \(revision)"
    }

    public mutating func handle(_ event: Event, now: Double) -> [Action] {
        switch event {
        case .arm(let restore, let applied, let seconds, let user):
            guard !restoring else {
                return [.reply(ok: false, "the previous deadline passed and revision \(pending?.restore ?? restore) is being restored")]
            }
            let keep = pending?.restore ?? restore
            pending = Pending(deadline: now + seconds, restore: keep, applied: applied, armedAt: now, user: user)
            let message = "revision \(applied) applied; revision \(keep) is restored \(Self.seconds(seconds)) from now unless `tandem confirm` comes first"
            return [.persist, .log("commit-confirm: " + message), .reply(ok: true, message)]
        case .confirm:
            guard let p = pending else { return [.reply(ok: false, "nothing to confirm: no apply --confirm is pending")] }
            guard !restoring else {
                return [.reply(ok: false, "too late: the deadline passed and revision \(p.restore) is being restored")]
            }
            pending = nil
            let message = "revision \(p.applied) confirmed (\(Self.seconds(p.deadline - now)) before the deadline)"
            return [.persist, .log("commit-confirm: " + message), .reply(ok: true, message)]
        case .tick:
            guard let p = pending, !restoring, now >= p.deadline else { return [] }
            restoring = true
            return [.log("commit-confirm: revision \(p.applied) was not confirmed by the deadline; restoring revision \(p.restore)"),
                    .restore(revision: p.restore, description: Self.expiryDescription(p.restore))]
        case .restored(let revision, let error):
            guard restoring, let p = pending else { return [] }
            restoring = false
            pending = nil
            lastExpiry = Expiry(time: now, restored: p.restore, revision: revision, error: error)
            let message = if let revision {
                "commit-confirm expired: restored revision \(p.restore) as revision \(revision)"
            } else {
                "commit-confirm expired: restoring revision \(p.restore) failed: \(error ?? "no reason given")"
            }
            return [.persist, .log(message)]
        }
    }

    /// `90 s`, `2.5 min`.
    public static func seconds(_ s: Double) -> String {
        let v = max(0, s)
        if v < 120 { return v == v.rounded() ? "\(Int(v)) s" : "\(Double(Int(v * 10)) / 10) s" }
        let m = v / 60
        return m == m.rounded() ? "\(Int(m)) min" : "\(Double(Int(m * 10)) / 10) min"
    }
}
