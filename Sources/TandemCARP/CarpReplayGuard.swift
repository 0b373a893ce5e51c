import TandemAddress

/// Refuses replayed advertisements of one vhid. The HMAC covers the counter but not
/// advbase/advskew, and FreeBSD has no replay check ("XXX Replay protection goes here" in
/// `carp_input_c`): an on-link host could play a captured advertisement again with a
/// rewritten advskew and make a backup preempt or a master step down.
///
/// Senders do not all count the same way. Tandem increments its counter by one per
/// advertisement and never adopts the peer's, and so do FreeBSD and ucarp once they have
/// heard a valid advertisement; until then (`sc_init_counter` in `carp_prepare_ad`) they
/// draw a new random counter for every advertisement, so a master whose backup has never
/// been heard sends random counters. Two rules cover both:
///
/// - a counter accepted before on this vhid, from any source, is a replay (the last
///   `rememberedCounters` are kept: an hour at one advertisement per 3.5 s);
/// - a source whose last two counters were one small step apart counts sequentially, and a
///   counter at or below its last one is a replay (random counters are a step of at most
///   `sequentialStep` apart with probability 2⁻⁵⁴).
///
/// `forgetSources()` runs whenever the vhid enters MASTER or INIT (`CarpNode`): the other
/// nodes were declared down or outranked, or this node left the election, and a restarted
/// peer starts at a new random counter. The counters seen stay: a replay of the old master's
/// advertisement after the takeover is still refused. A source is an IP address, which an
/// on-link attacker can forge; the seen-counter rule does not depend on it.
public struct CarpReplayGuard: Sendable, Hashable {
    public static let rememberedCounters = 1024
    /// Sources tracked per vhid: both families of a peer and a few more nodes. When full,
    /// the least recently accepted one is forgotten, so forged sources cannot grow it.
    public static let maximumSources = 8
    /// The largest gap between two counters of a sequential sender (advertisements lost).
    public static let sequentialStep: UInt64 = 1024

    struct Source: Sendable, Hashable {
        var address: IPAddress
        var last: UInt64
        var sequential: Bool
    }

    /// Least recently accepted first.
    private(set) var sources: [Source] = []
    private var seen: Set<UInt64> = []
    /// `seen` in acceptance order, as a ring: `seenOrder[seenNext]` is the oldest once full.
    private var seenOrder: [UInt64] = []
    private var seenNext = 0

    public init() {}

    public func allows(_ counter: UInt64, from address: IPAddress) -> Bool {
        if seen.contains(counter) { return false }
        if let source = sources.first(where: { $0.address == address }), source.sequential, counter <= source.last {
            return false
        }
        return true
    }

    public mutating func accept(_ counter: UInt64, from address: IPAddress) {
        if seen.insert(counter).inserted {
            if seenOrder.count < Self.rememberedCounters {
                seenOrder.append(counter)
            } else {
                seen.remove(seenOrder[seenNext])
                seenOrder[seenNext] = counter
                seenNext = (seenNext + 1) % Self.rememberedCounters
            }
        }
        var source = Source(address: address, last: counter, sequential: false)
        if let i = sources.firstIndex(where: { $0.address == address }) {
            let last = sources[i].last
            source.sequential = counter > last && counter - last <= Self.sequentialStep
            sources.remove(at: i)
        } else if sources.count == Self.maximumSources {
            sources.removeFirst()
        }
        sources.append(source)
    }

    /// Forgets which sources count sequentially and where they stood; keeps the counters seen.
    public mutating func forgetSources() {
        sources.removeAll()
    }

    public func lastAccepted(from address: IPAddress) -> UInt64? {
        sources.first { $0.address == address }?.last
    }
}
