import TandemAddress
import TandemConfig

/// What the endpoint needs from the running node; `tandem daemon` implements it.
public protocol ManagementNode: Sendable {
    /// `<system>` of the running config (users, groups, webgui): kept in memory, so that
    /// authenticating a request reads no file.
    func runningSystem() async -> SystemConfig?
    /// The running config as a document, for the sync receiver.
    func runningDocument() async throws -> ConfigDocument
    /// Commits a config a peer sent, through the node's one commit path: validated, one
    /// revision, applied.
    func commitReceived(_ document: ConfigDocument, user: String, description: String) async -> CommitOutcome
    /// The revision history, newest first (at most `limit`), each with what changed.
    func revisions(limit: Int?) async throws -> [RevisionEntry]
    /// Commits revision `revision` again as a new revision ("Rolled back to revision N"
    /// unless `description` says otherwise), validated first, then applied by the same
    /// reload as a received config (and pushed to the peer on a primary). `.refused` when it
    /// does not validate, `.failed` when it is not in the history; nothing changes then.
    func rollback(to revision: Int, user: String, description: String?) async -> CommitOutcome
}

public enum CommitOutcome: Sendable, Hashable {
    /// Written as revision `revision` and applied (`applied` says how it went).
    case committed(revision: Int, applied: String)
    /// The config did not validate: the validator's messages; nothing changed.
    case refused([String])
    /// Writing or applying failed.
    case failed(String)
}

/// The XML-RPC layer behind `/xmlrpc.php`: fault bodies for refused logins, and the
/// response to an authenticated call.
public protocol XMLRPCService: Sendable {
    func faultBody(code: Int, message: String) -> [UInt8]
    func respond(to body: [UInt8], caller: IPAddress?, user: String) async -> [UInt8]
    /// The last config push received, for `tandem status`.
    func lastReceived() async -> ManagementStatus.ReceivedPush?
}
