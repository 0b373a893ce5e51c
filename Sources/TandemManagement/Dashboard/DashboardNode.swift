import TandemAddress
import TandemConfig

/// What the dashboard and `/metrics` need from the running node, besides `ManagementNode`;
/// `tandem daemon` implements it. Each action goes through the same door as its CLI
/// command (`tandem carp maintenance`, `tandem sync now`, `tandem rollback`).
public protocol DashboardNode: Sendable {
    func dashboardSnapshot() async -> DashboardSnapshot
    func setMaintenance(_ on: Bool, user: String) async -> ActionOutcome
    func syncNow(user: String) async -> ActionOutcome
    /// The networks `/metrics` answers without a token by default: the node's LAN subnets.
    func lanNetworks() async -> [IPNetwork]
    /// `<tandem><metrics>` of the running config (validated with it).
    func metricsSettings() async -> MetricsSettings
}

/// The result of a dashboard action, shown as a one-line message on the next page.
public struct ActionOutcome: Sendable, Hashable {
    public var ok: Bool
    public var message: String

    public init(ok: Bool, message: String) {
        self.ok = ok
        self.message = message
    }
}

extension ActionOutcome {
    /// A rollback's outcome as the page shows it.
    init(_ outcome: CommitOutcome, revision: Int) {
        switch outcome {
        case .committed(let new, let applied):
            self.init(ok: true, message: "Revision \(revision) committed again as revision \(new): \(applied).")
        case .refused(let messages):
            self.init(ok: false, message: "Revision \(revision) does not validate, nothing changed: " + messages.joined(separator: "; "))
        case .failed(let why):
            self.init(ok: false, message: "Rollback to revision \(revision) failed: \(why)")
        }
    }
}
