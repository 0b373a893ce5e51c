#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A config file that could not be read at all (as opposed to one that reads but is wrong).
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String {
        "\(path): cannot \(operation): \(String(cString: strerror(errno)))"
    }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

/// Reads a config file, refusing one larger than the parser's limit before reading it, so a
/// huge or endless file (`/dev/zero`) cannot exhaust memory.
public enum ConfigFileReader {
    public static func read(_ path: String, limit: Int = XMLParser.maximumSize) throws(ConfigFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigFileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        // Sized from fstat and read in place (a 2 MB config is read on every apply); one
        // byte past the limit is enough for the parser to report the size. A file that
        // grows while it is read is read on to its end, up to that byte.
        var info = stat()
        var capacity = (fstat(fd, &info) == 0 ? min(max(Int(info.st_size), 0), limit) : 0) + 1
        var bytes: [UInt8] = []
        while true {
            // Read into uninitialised storage (no zero fill of megabytes about to be
            // overwritten); grown only if the file grew since fstat.
            var failed: Int32 = 0
            let previous = bytes
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                if !previous.isEmpty {
                    _ = buffer.initialize(fromContentsOf: previous)
                }
                count = previous.count
                while count < capacity {
                    let n = systemRead(fd, buffer.baseAddress! + count, capacity - count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = errno
                        return
                    }
                    if n == 0 { break }
                    count += n
                }
            }
            if failed != 0 { throw ConfigFileError(path: path, operation: "read", errno: failed) }
            guard bytes.count == capacity, capacity <= limit else { break }
            capacity = min(capacity * 2, limit + 1)
        }
        return bytes
    }
}
