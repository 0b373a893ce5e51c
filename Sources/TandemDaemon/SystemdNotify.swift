#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The service manager's notification protocol without libsystemd (sd_notify(3)): each
/// message is one AF_UNIX datagram of newline-separated `KEY=value` lines to the socket
/// named by `$NOTIFY_SOCKET`; a leading `@` names an abstract socket. Without the
/// variable the process is not supervised and every send is a no-op.
public struct SystemdNotifier: Sendable {
    /// The socket address bytes (`sun_path`), `@` already turned into the leading NUL.
    let address: [UInt8]?
    /// How often to send `WATCHDOG=1`, when the manager asked for it (`$WATCHDOG_USEC`).
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        address = Self.address(environment["NOTIFY_SOCKET"])
        watchdogInterval = Self.watchdogInterval(usec: environment["WATCHDOG_USEC"], pid: environment["WATCHDOG_PID"],
                                                 ownPID: pid)
    }

    public var isSupervised: Bool { address != nil }

    /// `$NOTIFY_SOCKET` as `sun_path` bytes: absolute path or `@abstract`; anything else
    /// (or a name longer than `sun_path`) is not a notification socket.
    static func address(_ value: String?) -> [UInt8]? {
        guard var bytes = value.map({ Array($0.utf8) }), let first = bytes.first else { return nil }
        switch first {
        case UInt8(ascii: "@"): bytes[0] = 0
        case UInt8(ascii: "/"): break
        default: return nil
        }
        return bytes.count <= MemoryLayout.size(ofValue: sockaddr_un().sun_path) ? bytes : nil
    }

    /// Half the watchdog timeout, as sd_watchdog_enabled(3) advises; nil when the
    /// variable is absent or meant for another process (`$WATCHDOG_PID`).
    static func watchdogInterval(usec: String?, pid: String?, ownPID: Int32) -> Duration? {
        guard let usec, let value = UInt64(usec), value > 0 else { return nil }
        if let pid, Int32(pid) != ownPID { return nil }
        return .microseconds(Int64(value / 2))
    }

    /// The datagram for a set of assignments, in the given order.
    static func payload(_ assignments: [(String, String)]) -> String {
        assignments.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }

    /// Sends `KEY=value` lines; returns the errno on failure, nil on success or when
    /// unsupervised. A lost notification must not stop the daemon: callers log it.
    @discardableResult
    public func send(_ assignments: [(String, String)]) -> Int32? {
        guard let address else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: address) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        // No trailing NUL in the length: an abstract name is exactly these bytes.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count)
        let message = Array(Self.payload(assignments).utf8)
        let sent = withUnsafePointer(to: &addr) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
        return sent < 0 ? errno : nil
    }
}
