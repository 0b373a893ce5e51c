#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes at a fixed address for as long as the object lives: a file mapped read-only, or a
/// copy. An edit of one item compares the new file with the applied one and cuts the applied
/// skeleton from it (issue #3); mapping the applied file hands it the page cache's pages
/// where reading it would copy megabytes into freshly faulted memory (~1.5 ms of a ~20 ms
/// apply).
public final class StableBytes: @unchecked Sendable {
    /// Valid while `self` is: reached only through `withUnsafeBytes`, which keeps it alive.
    private let buffer: UnsafeBufferPointer<UInt8>
    private let mapped: Bool

    /// Maps `path` read-only. Only for files that are replaced by rename and never written
    /// in place (Tandem's applied state, `AtomicFile`): a mapped file truncated under its
    /// reader would fault it. A file larger than `limit` is refused like an unreadable one.
    public init(mapping path: String, limit: Int) throws(ConfigFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigFileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ConfigFileError(path: path, operation: "stat", errno: errno) }
        let size = Int(info.st_size)
        guard size <= limit else { throw ConfigFileError(path: path, operation: "map", errno: EFBIG) }
        guard size > 0 else {
            buffer = UnsafeBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else {
            throw ConfigFileError(path: path, operation: "map", errno: errno)
        }
        buffer = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
        mapped = true
    }

    /// A file to compare with another and copy pieces of, mapped when it is a regular file
    /// (no copy of megabytes into fresh memory), else read (a pipe, a device). A mapped file
    /// that someone truncates while it is read faults its reader: a caller maps a file it
    /// does not own only for as long as a check that changes nothing (an edit's `locate`).
    public static func reading(_ path: String, limit: Int) throws(ConfigFileError) -> StableBytes {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            return try StableBytes(mapping: path, limit: limit)
        }
        return StableBytes(copying: try ConfigFileReader.read(path, limit: limit))
    }

    /// A copy of `bytes` (tests, and files that must be read rather than mapped).
    public init(copying bytes: [UInt8]) {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = copy.initialize(from: bytes)
        buffer = UnsafeBufferPointer(copy)
        mapped = false
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), buffer.count)
        } else {
            UnsafeMutableBufferPointer(mutating: buffer).deallocate()
        }
    }

    public var count: Int { buffer.count }

    /// Calls `body` with the bytes, `self` kept alive until it returns (a caller holding only
    /// the pointer could otherwise outlive the mapping).
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(buffer)
    }

    /// The bytes as an array (a copy).
    public var array: [UInt8] { Array(buffer) }
}
