#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte string made of ranges of other byte strings (arrays, mapped files), none copied.
/// An edit of one item (issue #3) knows the new file as the applied one with one window
/// replaced, and its revision as the new file with the stamp replaced: as pieces, both are
/// compared, cut and written without putting megabytes together in freshly faulted memory.
public struct BytePieces: Sendable {
    /// Where a piece's bytes live.
    public enum Source: Sendable {
        case array([UInt8])
        case stable(StableBytes)
    }

    struct Piece: Sendable {
        var source: Source
        var range: Range<Int>
    }

    private(set) var pieces: [Piece]
    public private(set) var count: Int

    public init(_ bytes: [UInt8]) {
        pieces = bytes.isEmpty ? [] : [Piece(source: .array(bytes), range: 0..<bytes.count)]
        count = bytes.count
    }

    public init(_ bytes: StableBytes) {
        pieces = bytes.count == 0 ? [] : [Piece(source: .stable(bytes), range: 0..<bytes.count)]
        count = bytes.count
    }

    private init(pieces: [Piece]) {
        self.pieces = pieces.filter { !$0.range.isEmpty }
        count = self.pieces.reduce(0) { $0 + $1.range.count }
    }

    /// The bytes of `range` (offsets into `self`), as pieces.
    public func slice(_ range: Range<Int>) -> BytePieces {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice outside the bytes")
        var out: [Piece] = []
        var at = 0
        for piece in pieces {
            let end = at + piece.range.count
            let lo = max(range.lowerBound, at), hi = min(range.upperBound, end)
            if lo < hi {
                let from = piece.range.lowerBound + (lo - at)
                out.append(Piece(source: piece.source, range: from..<(from + hi - lo)))
            }
            at = end
            if at >= range.upperBound { break }
        }
        return BytePieces(pieces: out)
    }

    /// `self` with `range` replaced by `replacement`.
    public func replacing(_ range: Range<Int>, with replacement: BytePieces) -> BytePieces {
        BytePieces(pieces: slice(0..<range.lowerBound).pieces + replacement.pieces + slice(range.upperBound..<count).pieces)
    }

    /// Calls `body` with each piece's bytes in order, each kept alive while it runs.
    public func forEachBuffer(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        for piece in pieces {
            switch piece.source {
            case .array(let a):
                try a.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[piece.range])) }
            case .stable(let s):
                try s.withUnsafeBytes { try body(UnsafeBufferPointer(rebasing: $0[piece.range])) }
            }
        }
    }

    /// Calls `body` with the buffers of all pieces in order, all kept alive while it runs.
    public func withBuffers<R>(_ body: ([UnsafeBufferPointer<UInt8>]) -> R) -> R {
        func nest(_ i: Int, _ buffers: [UnsafeBufferPointer<UInt8>]) -> R {
            guard i < pieces.count else { return body(buffers) }
            let range = pieces[i].range
            switch pieces[i].source {
            case .array(let a):
                return a.withUnsafeBufferPointer { nest(i + 1, buffers + [UnsafeBufferPointer(rebasing: $0[range])]) }
            case .stable(let s):
                return s.withUnsafeBytes { nest(i + 1, buffers + [UnsafeBufferPointer(rebasing: $0[range])]) }
            }
        }
        return nest(0, [])
    }

    /// Appends the bytes of `range` to `out`.
    public func append(_ range: Range<Int>, to out: inout [UInt8]) {
        slice(range).forEachBuffer { out.append(contentsOf: $0) }
    }

    /// The bytes of `range`, contiguous (a copy).
    public subscript(range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        append(range, to: &out)
        return out
    }

    /// All the bytes, contiguous (a copy, unless there is one array piece covering them).
    public var bytes: [UInt8] {
        if pieces.count == 1, case .array(let a) = pieces[0].source, pieces[0].range == 0..<a.count { return a }
        return self[0..<count]
    }
}
