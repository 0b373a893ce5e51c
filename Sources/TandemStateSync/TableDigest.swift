import TandemAddress

/// An order-independent summary of a flow table: how many flows and the wrapping sum of a
/// 64-bit hash of each flow's full state. Two tables with the same summary hold the same flows
/// in the same states, barring a 2^-64 accident; a sum (not a xor) keeps two copies of one
/// hash from cancelling out. The "periodic count/digest comparison" of the table a
/// node sends with the replica its peer built (state-sync.md §2.1: conntrackd compares the
/// internal and external cache counts by hand).
///
/// The hash is fixed here, not Swift's `Hasher`, which is seeded per process: both nodes
/// must compute the same value for the same flow.
public struct TableDigest: Sendable, Hashable, Codable {
    public var count: UInt32
    public var sum: UInt64

    public init(count: UInt32 = 0, sum: UInt64 = 0) {
        self.count = count
        self.sum = sum
    }

    public init<S: Sequence>(_ flows: S) where S.Element == FlowState {
        self.init(hashes: flows.lazy.map(Self.hash))
    }

    /// The summary of flows given by their `hash` values.
    public init<S: Sequence>(hashes: S) where S.Element == UInt64 {
        var count: UInt32 = 0
        var sum: UInt64 = 0
        for hash in hashes {
            count &+= 1
            sum &+= hash
        }
        self.init(count: count, sum: sum)
    }

    /// A 64-bit hash of every field the sync protocol carries for a flow.
    public static func hash(_ f: FlowState) -> UInt64 {
        var h = FlowHash()
        h.add(UInt64(f.family == .ipv4 ? 4 : 6) << 56 | UInt64(f.l4proto) << 48 | UInt64(f.zone) << 32 | UInt64(f.status))
        h.add(UInt64(f.timeout) << 32 | UInt64(f.mark))
        if let t = f.tcp {
            h.add(1 << 40 | UInt64(t.state) << 32 | UInt64(t.originalWindowScale) << 24 | UInt64(t.replyWindowScale) << 16
                  | UInt64(t.originalFlags) << 8 | UInt64(t.replyFlags))
        } else {
            h.add(0)
        }
        h.add(f.original)
        h.add(f.reply)
        return h.value
    }
}

/// A word-at-a-time hash: each word is mixed in with SplitMix64's finaliser, a bijection with
/// full avalanche, so a one-bit difference anywhere changes the whole value.
struct FlowHash {
    private(set) var value: UInt64 = 0x6A09_E667_F3BC_C908

    mutating func add(_ word: UInt64) {
        var z = (value ^ word) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        value = z ^ (z >> 31)
    }

    mutating func add(_ tuple: FlowTuple) {
        add(tuple.source)
        add(tuple.destination)
        add(UInt64(tuple.sourcePort) << 16 | UInt64(tuple.destinationPort))
    }

    mutating func add(_ address: IPAddress) {
        switch address {
        case .v4(let a): add(UInt64(a.value))
        case .v6(let a):
            add(a.high)
            add(a.low)
        }
    }
}
