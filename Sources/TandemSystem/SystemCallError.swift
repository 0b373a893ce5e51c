#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was being done, and its errno (STYLE.md §6/§7: every error
/// names the call and the errno).
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    /// Extra context: the setting or config item the call was about.
    public var context: String?

    public init(_ operation: String, errno: Int32, context: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.context = context
    }

    public var description: String {
        var s = "\(operation): \(String(cString: strerror(errno))) (errno \(errno))"
        if let context { s = "\(context): " + s }
        return s
    }
}
