#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one window in which two byte strings differ: everything before `start` and after
/// the window is the same in both. Found from the longest common prefix and suffix, with
/// `memcmp` over blocks (two 2 MB files compare in well under a millisecond).
public struct ByteDifference: Sendable, Hashable {
    public var start: Int
    /// The window's length in the old and in the new bytes.
    public var oldCount: Int
    public var newCount: Int

    public init(start: Int, oldCount: Int, newCount: Int) {
        self.start = start
        self.oldCount = oldCount
        self.newCount = newCount
    }

    public var oldRange: Range<Int> { start..<(start + oldCount) }
    public var newRange: Range<Int> { start..<(start + newCount) }
    /// How far bytes after the window moved.
    public var shift: Int { newCount - oldCount }

    /// nil when the bytes are equal.
    public static func between(_ old: [UInt8], _ new: [UInt8]) -> ByteDifference? {
        old.withUnsafeBufferPointer { a in new.withUnsafeBufferPointer { b in between(a, b) } }
    }

    public static func between(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> ByteDifference? {
        let common = min(a.count, b.count)
        let prefix = commonPrefix(a.baseAddress, b.baseAddress, common)
        if prefix == common, a.count == b.count { return nil }
        // The suffix may not reach into the prefix of the shorter one.
        let limit = common - prefix
        let suffix = commonSuffix(a.baseAddress.map { $0 + a.count }, b.baseAddress.map { $0 + b.count }, limit)
        return ByteDifference(start: prefix, oldCount: a.count - prefix - suffix, newCount: b.count - prefix - suffix)
    }

    /// The difference between `old` with `window` replaced by `patch` and `new`, without
    /// building the patched copy (the applied file before its revision was stamped).
    public static func between(_ old: [UInt8], replacing window: Range<Int>, with patch: [UInt8],
                               _ new: [UInt8]) -> ByteDifference? {
        old.withUnsafeBufferPointer { a in new.withUnsafeBufferPointer { b in between(a, replacing: window, with: patch, b) } }
    }

    public static func between(_ a: UnsafeBufferPointer<UInt8>, replacing window: Range<Int>, with patch: [UInt8],
                               _ b: UnsafeBufferPointer<UInt8>) -> ByteDifference? {
        patch.withUnsafeBufferPointer { p in
            let segments = [UnsafeBufferPointer(rebasing: a[..<window.lowerBound]), p,
                            UnsafeBufferPointer(rebasing: a[window.upperBound...])]
            let oldCount = segments.reduce(0) { $0 + $1.count }
            let common = min(oldCount, b.count)
            var prefix = 0
            for segment in segments {
                let n = min(segment.count, common - prefix)
                let same = commonPrefix(segment.baseAddress, b.baseAddress.map { $0 + prefix }, n)
                prefix += same
                if same < segment.count { break }
            }
            if prefix == common, oldCount == b.count { return nil }
            let limit = common - prefix
            var suffix = 0
            for segment in segments.reversed() where suffix < limit {
                let n = min(segment.count, limit - suffix)
                let same = commonSuffix(segment.baseAddress.map { $0 + segment.count },
                                        b.baseAddress.map { $0 + b.count - suffix }, n)
                suffix += same
                if same < segment.count { break }
            }
            return ByteDifference(start: prefix, oldCount: oldCount - prefix - suffix, newCount: b.count - prefix - suffix)
        }
    }

    /// A range of the old bytes in the new ones: unchanged before the window, shifted after
    /// it, nil when it overlaps the window.
    public func map(_ range: Range<Int>) -> Range<Int>? {
        if range.upperBound <= start { return range }
        if range.lowerBound >= start + oldCount { return (range.lowerBound + shift)..<(range.upperBound + shift) }
        return nil
    }

    /// Equal bytes before `aEnd` and `bEnd`, at most `count`.
    private static func commonSuffix(_ aEnd: UnsafePointer<UInt8>?, _ bEnd: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        guard let aEnd, let bEnd else { return 0 }
        var i = 0
        while i + 4096 <= count, memcmp(aEnd - i - 4096, bEnd - i - 4096, 4096) == 0 { i += 4096 }
        while i < count, (aEnd - i - 1).pointee == (bEnd - i - 1).pointee { i += 1 }
        return i
    }

    private static func commonPrefix(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        guard let a, let b else { return 0 }
        var i = 0
        while i + 4096 <= count, memcmp(a + i, b + i, 4096) == 0 { i += 4096 }
        while i < count, a[i] == b[i] { i += 1 }
        return i
    }
}
