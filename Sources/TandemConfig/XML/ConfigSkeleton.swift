#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A config file with some items cut out: the small document that an edit confined to one
/// item is checked, compiled and stamped from, while the items cut out (unchanged since the
/// last apply) stay as the kernel has them (issue #3: one rule changed among 10,000).
///
/// Each cut becomes the newlines it held, so every line number in the skeleton is the
/// file's; on a file that keeps many items on one line the columns after a cut can differ.
public struct ConfigSkeleton: Sendable {
    public private(set) var bytes: [UInt8]
    /// The runs copied from the source: skeleton offset, source offset, length; in order.
    private var kept: [(at: Int, from: Int, count: Int)] = []

    /// `cuts`: sorted, disjoint ranges of `source`.
    public init(_ source: [UInt8], cutting cuts: [Range<Int>]) {
        self.init(BytePieces(source), cutting: cuts)
    }

    public init(_ source: BytePieces, cutting cuts: [Range<Int>]) {
        var out: [UInt8] = [], kept: [(at: Int, from: Int, count: Int)] = []
        out.reserveCapacity(source.count - cuts.reduce(0) { $0 + $1.count } + cuts.count * 2)
        var next = 0
        // Runs between cuts are copied, each cut's newlines counted: over the pieces in order,
        // without slicing them per cut (a rule edit cuts the file at 10,000 places).
        source.withBuffers { segments in
            var segment = 0, segmentStart = 0
            func visit(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
                while segment < segments.count, segmentStart + segments[segment].count <= range.lowerBound {
                    segmentStart += segments[segment].count
                    segment += 1
                }
                var i = segment, start = segmentStart
                while i < segments.count, start < range.upperBound {
                    let lo = max(range.lowerBound, start), hi = min(range.upperBound, start + segments[i].count)
                    if lo < hi { body(UnsafeBufferPointer(rebasing: segments[i][(lo - start)..<(hi - start)])) }
                    start += segments[i].count
                    i += 1
                }
            }
            for cut in cuts {
                if cut.lowerBound > next {
                    kept.append((out.count, next, cut.lowerBound - next))
                    visit(next..<cut.lowerBound) { out.append(contentsOf: $0) }
                }
                var newlines = 0
                visit(cut) { newlines += Self.newlines(in: $0) }
                out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: newlines))
                next = max(next, cut.upperBound)
            }
            if next < source.count {
                kept.append((out.count, next, source.count - next))
                visit(next..<source.count) { out.append(contentsOf: $0) }
            }
        }
        bytes = out
        self.kept = kept
    }

    private static func newlines(in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var count = 0
        var p = UnsafeRawPointer(base)
        let end = p + buffer.count
        while p < end, let hit = memchr(p, 0x0A, end - p) {
            count += 1
            p = UnsafeRawPointer(hit) + 1
        }
        return count
    }

    /// Where a range of the skeleton was in the source, when it lies inside one copied run
    /// (an empty range may sit at either end of one).
    public func sourceRange(of range: Range<Int>) -> Range<Int>? {
        for run in kept where run.at <= range.lowerBound && range.upperBound <= run.at + run.count {
            let start = run.from + (range.lowerBound - run.at)
            return start..<(start + range.count)
        }
        return nil
    }
}
