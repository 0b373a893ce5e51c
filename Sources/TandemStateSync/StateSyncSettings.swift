import TandemAddress

/// State sync as a node's `<hasync>` section configures it (pfsense-config.md §10): enabled by
/// `pfsyncenabled`, on the interface `pfsyncinterface`, unicast to `pfsyncpeerip`, keyed by the
/// hasync password. The daemon resolves the interface name and the local address on it.
public struct StateSyncSettings: Sendable, Equatable {
    /// Linux name of the sync interface (SO_BINDTODEVICE).
    public var device: String
    /// This node's address on the sync interface.
    public var local: IPAddress
    public var peer: IPAddress
    public var port: UInt16
    /// The shared secret (hasync password); the datagram key is derived from it.
    public var secret: [UInt8]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noPeer
        case peerNotUnicast(String)
        case invalidPeer(String)
        case familyMismatch(local: IPAddress, peer: IPAddress)
        case emptySecret

        public var description: String {
            switch self {
            case .noPeer:
                "hasync/pfsyncpeerip is empty: pfSense would use multicast 224.0.0.240, Tandem syncs by unicast only; set the peer's sync address"
            case .peerNotUnicast(let text):
                "hasync/pfsyncpeerip '\(text)' is a multicast address: Tandem syncs by unicast only; set the peer's sync address"
            case .invalidPeer(let text):
                "hasync/pfsyncpeerip '\(text)' is not an IP address"
            case .familyMismatch(let local, let peer):
                "hasync/pfsyncpeerip \(peer) and the sync interface address \(local) are of different families"
            case .emptySecret:
                "hasync/password is empty: state-sync datagrams are authenticated with a key derived from it"
            }
        }
    }

    /// Validates the hasync values. Returns nil when state sync is disabled.
    public static func from(pfsyncEnabled: Bool, device: String, local: IPAddress, peerIP: String?,
                            password: String?, port: UInt16 = UDPSyncTransport.defaultPort) throws(Problem) -> StateSyncSettings? {
        guard pfsyncEnabled else { return nil }
        let text = trimmed(peerIP ?? "")
        guard !text.isEmpty else { throw .noPeer }
        guard let peer = IPAddress(text) else { throw .invalidPeer(text) }
        switch peer {
        case .v4(let a): if a.isMulticast { throw .peerNotUnicast(text) }
        case .v6(let a): if a.isMulticast { throw .peerNotUnicast(text) }
        }
        guard peer.family == local.family else { throw .familyMismatch(local: local, peer: peer) }
        let secret = Array((password ?? "").utf8)
        guard !secret.isEmpty else { throw .emptySecret }
        return StateSyncSettings(device: device, local: local, peer: peer, port: port, secret: secret)
    }
}

extension SyncDriver {
    /// The production driver: a UDP socket on the sync interface, the monotonic clock, and
    /// the direction keys stretched from the shared secret (once, here: ~0.2 s, 64 MiB).
    public convenience init(settings: StateSyncSettings, scope: FlowScope, configuration: SyncConfiguration = SyncConfiguration(),
                            stretching: KeyStretching = .standard) throws {
        let keys = try SyncKeyPair(secret: settings.secret, local: settings.local, peer: settings.peer, stretching: stretching)
        let transport = try UDPSyncTransport(local: settings.local, peer: settings.peer, port: settings.port, device: settings.device)
        self.init(configuration: configuration, scope: scope, keys: keys, transport: transport)
    }
}

private func trimmed(_ text: String) -> String {
    var s = Substring(text)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
}
