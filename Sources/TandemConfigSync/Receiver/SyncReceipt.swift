import TandemAddress
import TandemConfig

/// What the endpoint does with one authenticated call: answer it, or commit a new config
/// (through the node's one commit path, which validates first and answers a fault carrying
/// the validator's messages if the config is refused) and then answer.
public enum SyncReceipt: Sendable {
    case reply(XMLRPCResponse, log: [String])
    case commit(SyncCommit)

    /// The answer to send (for a commit: once it is committed).
    public var reply: XMLRPCResponse {
        switch self {
        case .reply(let r, _): r
        case .commit(let c): c.reply
        }
    }

    public var log: [String] {
        switch self {
        case .reply(_, let log): log
        case .commit(let c): c.log
        }
    }
}

/// A config received from the peer, ready to commit.
public struct SyncCommit: Sendable {
    public var document: ConfigDocument
    /// pfSense's revision text: "Merged in config (SECTIONS sections) from XMLRPC client."
    public var revisionDescription: String
    /// The section keys in the order of the revision text.
    public var sections: [String]
    public var reply: XMLRPCResponse
    /// What the VIP merge decided (`restore_config_section` only).
    public var vips: VIPChanges
    /// Static routes the push removed or changed: their old destination and gateway, for the
    /// route reconciler to take off before the new ones go in.
    public var removedRoutes: [(network: String, gateway: String)]
    /// Things the operator should look at, already in `log` too (interface assignments that
    /// differ between the nodes).
    public var warnings: [String]
    public var log: [String]
}

/// The VIP part of `restore_config_section`: CARP VIPs are keyed `<interface>_vip<vhid>`
/// (IP aliases stacked on a CARP VIP or on `lo0` by their address) and fingerprinted by
/// what their advertisements depend on. An unchanged VIP must not be reconfigured, or its
/// CARP group would flap; a VIP that disappeared has its address taken off the interface.
public struct VIPChanges: Sendable, Hashable {
    /// Keys of VIPs whose fingerprint did not change: leave them alone.
    public var unchanged: [String] = []
    /// Keys of VIPs that are new or changed: (re)configure them.
    public var configured: [String] = []
    /// VIPs that are gone: take `address` off `interface` (unless the same address is still
    /// used by another VIP or the interface itself).
    public var removed: [RemovedVIP] = []

    public init(unchanged: [String] = [], configured: [String] = [], removed: [RemovedVIP] = []) {
        self.unchanged = unchanged
        self.configured = configured
        self.removed = removed
    }

    public struct RemovedVIP: Sendable, Hashable {
        public var key: String
        public var interface: String
        public var address: String

        public init(key: String, interface: String, address: String) {
            self.key = key
            self.interface = interface
            self.address = address
        }
    }
}
