import FuzzInput
import SyncInput
import TandemStateSync

/// One key per direction, as the nodes derive them (so a node's own datagram reflected back
/// does not verify); `codecs[side]` sends with that side's key and receives with the other's.
private let keys = [try! SyncKey(secret: Array("0 to 1".utf8)), try! SyncKey(secret: Array("1 to 0".utf8))]
private let codecs = [SyncCodec(keys: SyncKeyPair(sending: keys[0], receiving: keys[1])),
                      SyncCodec(keys: SyncKeyPair(sending: keys[1], receiving: keys[0]))]

/// Two state-sync nodes on a lossy, reordering wire with an attacker on it, on a fake clock.
/// The input is a script: deliver, drop, duplicate or replay datagrams (every datagram goes
/// through the codec, as on the socket), forge datagrams with the shared key, change local
/// flows, restart a node (new session), let time pass. Invariants after every step:
/// - nothing traps;
/// - a known peer session changes only on a datagram that echoes the node's current
///   challenge, forged or not (a key holder can answer a challenge; a listener cannot);
/// - a replayed datagram (bytes that node sent or received before, also from before a
///   restart) never changes the peer session the node has adopted: a replay cannot displace
///   a live session;
/// - every datagram a node sends fits its configured maximum size;
/// - after a tick the next deadline is not in the past (the driver would spin).
func fuzzSyncCore(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var input = FuzzInput(data, size)
    var harness = SyncPair(sessions: (input.u64() | 1, input.u64() | 2))
    var steps = 0
    while !input.isAtEnd, steps < 96 {
        steps += 1
        let op = input.u8()
        let side = Int(op >> 7)
        switch op & 0x0f {
        case 0, 1:
            harness.advance(by: UInt64(input.u16()) * 1_000_000)  // up to ~65 s
            harness.handle(.tick, on: 0)
            harness.handle(.tick, on: 1)
        case 2, 3, 4:
            harness.deliver(to: side, drop: input.u8() < 32, duplicate: input.u8() > 240)
        case 5:
            harness.replay(to: side, choosing: &input)
        case 6:
            harness.handle(.localUpdate(input.flow()), on: side)
        case 7:
            harness.handle(.localDelete(input.flowKey()), on: side)
        case 8:
            harness.handle(.localSnapshot((0..<input.below(4)).map { _ in input.flow() }), on: side)
        case 9:
            harness.forge(to: side, input.datagram(), answering: input.bool())
        case 10:
            harness.restart(side, session: input.u64())
        case 11:
            harness.handle(.flush, on: side)
        case 12:
            harness.handle(.requestBulk, on: side)
        case 13:
            harness.handle(.carrying(input.bool()), on: side)
        default:
            harness.advance(by: UInt64(input.u8()) * 1_000_000)
        }
    }
}

struct SyncPair {
    var nodes: [SyncCore]
    var now = SyncTime.zero
    /// In flight, per receiving side.
    var wire: [[[UInt8]]] = [[], []]
    /// Every datagram a side has sent or received (not forged ones): replaying one of these to
    /// that side is what an attacker who only listens can do.
    var seen: [[[UInt8]]] = [[], []]

    init(sessions: (UInt64, UInt64)) {
        nodes = [SyncCore(session: sessions.0), SyncCore(session: sessions.1)]
        handle(.start, on: 0)
        handle(.start, on: 1)
    }

    mutating func advance(by nanoseconds: UInt64) { now = SyncTime(nanoseconds: now.nanoseconds + nanoseconds) }

    mutating func handle(_ event: SyncEvent, on side: Int) {
        let actions = nodes[side].handle(event, now: now)
        for case .send(let d) in actions {
            let bytes = codecs[side].encode(d)
            fuzzCheck(bytes.count <= nodes[side].configuration.maximumDatagram,
                      "sent \(bytes.count) bytes, more than the \(nodes[side].configuration.maximumDatagram) configured")
            wire[1 - side].append(bytes)
            seen[side].append(bytes)
        }
        if let deadline = nodes[side].nextDeadline {
            // A deadline in the past would make the driver spin.
            fuzzCheck(deadline >= now || event != .tick, "next deadline \(deadline) before now \(now) after a tick")
        }
    }

    mutating func receive(_ bytes: [UInt8], on side: Int) {
        switch codecs[side].decode(bytes) {
        case .success(let d):
            let before = nodes[side].status.peerSession
            let challenge = nodes[side].challenge
            handle(.received(d), on: side)
            let after = nodes[side].status.peerSession
            if let before, after != before {
                fuzzCheck(d.echo == challenge && challenge != 0,
                          "peer session \(before) replaced by \(String(describing: after)) without echoing challenge \(challenge)")
            }
        case .failure(let why):
            handle(.rejected(why), on: side)
        }
    }

    mutating func deliver(to side: Int, drop: Bool, duplicate: Bool) {
        guard !wire[side].isEmpty else { return }
        let bytes = wire[side].removeFirst()
        if drop { return }
        seen[side].append(bytes)
        receive(bytes, on: side)
        if duplicate { replayChecked(bytes, to: side) }
    }

    mutating func replay(to side: Int, choosing input: inout FuzzInput) {
        guard !seen[side].isEmpty else { return }
        replayChecked(seen[side][input.below(seen[side].count)], to: side)
    }

    /// Bytes that were on the wire before: whatever they carry, the receiver's adopted peer
    /// session must stay as it is.
    mutating func replayChecked(_ bytes: [UInt8], to side: Int) {
        let before = nodes[side].status.peerSession
        receive(bytes, on: side)
        let after = nodes[side].status.peerSession
        if let before {
            fuzzCheck(after == before, "a replayed datagram displaced peer session \(before) with \(String(describing: after))")
        }
    }

    /// A datagram made with the key; `answering` makes it echo the receiver's current
    /// challenge, as a key holder can.
    mutating func forge(to side: Int, _ d: SyncDatagram, answering: Bool) {
        var d = d
        if answering { d.echo = nodes[side].challenge }
        receive(codecs[1 - side].encode(d), on: side)
    }

    mutating func restart(_ side: Int, session: UInt64) {
        guard session != 0, session != nodes[1 - side].session else { return }
        nodes[side] = SyncCore(session: session)
        wire[side] = []
        handle(.start, on: side)
    }
}
