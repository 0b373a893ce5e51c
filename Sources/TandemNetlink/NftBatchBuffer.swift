#if canImport(Glibc)
import Glibc
#endif
import CMnl

/// An owned, growable, contiguous buffer of netlink messages: the whole batch must go to
/// the kernel in one `sendmsg` (nftables.md §5.1), so messages are built in place one
/// after another, growing the buffer before each one. Freed on deinit.
final class NftBatchBuffer: @unchecked Sendable {  // owned by one thread at a time
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var length = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 4096)
        guard let p = calloc(1, self.capacity) else { fatalError("out of memory allocating \(capacity) bytes") }
        base = p
    }

    deinit { free(base) }

    /// Room for at least `bytes` more, zeroed (libnftnl builders expect zeroed headers).
    func reserve(_ bytes: Int) {
        guard length + bytes > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < length + bytes { newCapacity *= 2 }
        guard let p = realloc(base, newCapacity) else { fatalError("out of memory growing batch to \(newCapacity) bytes") }
        memset(p + capacity, 0, newCapacity - capacity)
        base = p
        capacity = newCapacity
    }

    /// Builds one message at the end with `build` (which must stay within `room` bytes)
    /// and advances past it. Returns the message's offset.
    @discardableResult
    func append(room: Int, _ build: (UnsafeMutablePointer<CChar>) -> UnsafeMutablePointer<nlmsghdr>) -> Int {
        reserve(room)
        let offset = length
        let nlh = build((base + offset).assumingMemoryBound(to: CChar.self))
        let aligned = (Int(nlh.pointee.nlmsg_len) + 3) & ~3
        precondition(aligned <= room, "netlink message of \(aligned) bytes overran its \(room)-byte reservation")
        length += aligned
        return offset
    }

    /// Appends another buffer's messages (already aligned) after these.
    func append(contentsOf other: NftBatchBuffer) {
        reserve(other.length)
        memcpy(base + length, other.base, other.length)
        length += other.length
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }
}
