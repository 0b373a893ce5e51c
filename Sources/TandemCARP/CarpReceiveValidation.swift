import TandemAddress

/// What the receive ladder needs to know about a vhid configured on the interface.
public struct CarpReceiveContext: Sendable {
    public var key: CarpKey
    /// All VIPs of the vhid, both families: the HMAC covers every one (`carp_hmac_prepare`).
    public var addresses: [IPAddress]
    /// The counter of the last advertisement we sent for this vhid, to spot echoes.
    public var lastSentCounter: UInt64?
    /// The counters accepted so far per source, to refuse replays.
    public var replay: CarpReplayGuard

    public init(key: CarpKey, addresses: [IPAddress], lastSentCounter: UInt64?, replay: CarpReplayGuard = CarpReplayGuard()) {
        self.key = key
        self.addresses = addresses
        self.lastSentCounter = lastSentCounter
        self.replay = replay
    }
}

/// The receive ladder: one early return per check, each with its own reason, in the order
/// TTL → length → version → type → checksum → vhid → HMAC → echo → replay. FreeBSD checks length and
/// checksum first and TTL later (`carp_input`, `carp_input_c`); checking TTL first costs nothing and drops
/// routed traffic before any parsing. authlen is not checked: BSD ignores it too.
public enum CarpReceiveValidation {
    public static func validate(_ packet: ReceivedCarpPacket,
                                ownAddresses: Set<IPAddress>,
                                context: (UInt8) -> CarpReceiveContext?) -> Result<CarpAdvertisement, CarpRejection> {
        guard packet.hopLimit == 255 else { return .failure(.badTTL) }
        guard let advertisement = try? CarpAdvertisement(decoding: packet.payload) else { return .failure(.badLength) }
        guard advertisement.version == CarpAdvertisement.currentVersion else { return .failure(.badVersion) }
        guard advertisement.type == CarpAdvertisement.advertisementType else { return .failure(.badType) }
        guard InternetChecksum.verifies(packet.payload) else { return .failure(.badChecksum) }
        guard let group = context(advertisement.vhid) else { return .failure(.unknownVHID) }
        guard CarpHMAC.verify(advertisement, key: group.key, addresses: group.addresses) else {
            return .failure(.badHMAC)
        }
        // An echo of ours carries a valid digest, so it is caught only here: by our source
        // address (FreeBSD `carp_source_is_self`) or our last counter (OpenBSD's cookie idea).
        if ownAddresses.contains(packet.source) || advertisement.counter == group.lastSentCounter {
            return .failure(.ownAdvertisement)
        }
        // After the HMAC, so only the signed counter is trusted; a forged packet never reaches it.
        guard group.replay.allows(advertisement.counter, from: packet.source) else { return .failure(.replayedCounter) }
        return .success(advertisement)
    }
}
