#if canImport(Glibc)
import Glibc
#endif

/// A failed packet-I/O call: the syscall, the errno, and what it was about
/// e.g. `lan0: setsockopt(IP_ADD_MEMBERSHIP 224.0.0.18): No such device`.
public struct CarpIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var context: String

    public init(_ operation: String, errno: Int32, context: String) {
        self.operation = operation
        self.errno = errno
        self.context = context
    }

    public var description: String {
        "\(context): \(operation): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
