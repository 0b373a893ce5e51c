/// Which peer session is the live one. A datagram from a session the core does not know
/// means the peer restarted, or is a recording of an older session played back. Adopting it
/// at once (as version 2 did) let one replayed datagram replace the live session, whose
/// datagrams were then rejected as stale until the peer restarted.
///
/// So a newcomer must answer a challenge: every datagram carries the sender's current
/// `challenge` and echoes the receiver's (`echo`); a session other than the known peer's is
/// adopted only when it echoes this node's current challenge, which is renewed at every
/// adoption. A recording can only echo a challenge of the past, and the keys differ per
/// direction, so neither a replay nor this node's own datagram reflected back can displace
/// the peer. A node that knows no peer yet (it just started) adopts the first authenticated
/// session: there is nothing to displace, and if that was a replay, the live peer replaces it
/// with the echo.
///
/// How a restarted peer gets the echo: it knows no peer, so it adopts this node's session
/// from the first datagram it hears (this node answers the newcomer's first datagram at
/// once) and echoes this node's challenge from then on. The other
/// way round (this node restarted, the peer still holds the old session), this node echoes
/// the challenge of the newcomer (the live peer) when it has no live peer of its own or the
/// newcomer names this node's session, and answers it promptly, at most once per
/// `nackInterval`, so a flood of replays costs at most that many datagrams.
extension SyncCore {
    mutating func renewChallenge() {
        challengesIssued &+= 1
        // Unique per session and adoption (SplitMix64's finaliser over both); not secret: it
        // travels in the clear, and only a key holder can echo it.
        var z = session ^ (challengesIssued &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        challenge = z == 0 ? 1 : z
    }

    /// An authenticated datagram of a session that did not echo our challenge: echo its own
    /// when it may be the peer that needs ours (see above), and answer at once, so a
    /// restarted peer learns our challenge without waiting for the next keepalive.
    mutating func challengeNewcomer(_ d: SyncDatagram, _ now: SyncTime, _ out: inout Output) {
        if peer?.alive != true || d.peerSession == session { echo = d.challenge }
        if let allowed = newcomerAnswerAllowed, now < allowed { return }
        newcomerAnswerAllowed = now + configuration.nackInterval
        out.transmit = true
    }
}
