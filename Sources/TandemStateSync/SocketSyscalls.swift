#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// A failed socket call: which call, on what, and the errno it returned (STYLE §7).
public struct SyncSocketError: Error, Equatable, CustomStringConvertible {
    public var call: String
    public var context: String
    public var errno: Int32

    public var description: String {
        "state sync: \(call)(\(context)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The only place in TandemStateSync that makes socket syscalls or reads `errno` (STYLE §6,
/// as swift-nio's `System.swift`): retries EINTR, turns EAGAIN into "would block" (nil), and
/// throws a typed error naming the call otherwise.
enum Syscall {
    private static func check(_ call: String, _ context: @autoclosure () -> String,
                              _ body: () -> Int) throws(SyncSocketError) -> Int? {
        while true {
            let result = body()
            if result >= 0 { return result }
            let e = errno
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case EBADF, EFAULT: preconditionFailure("\(call)(\(context())): errno \(e), a programming error")
            default: throw SyncSocketError(call: call, context: context(), errno: e)
            }
        }
    }

    static func udpSocket(_ family: IPFamily) throws(SyncSocketError) -> Int32 {
        let domain = family == .ipv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try check("socket", "\(family), SOCK_DGRAM") { Int(socket(domain, type, 0)) }
        return Int32(fd!)
    }

    /// The options every sync socket gets: large buffers both ways, so a window's worth of
    /// records (a bulk burst) is neither dropped on receive nor refused on send. The FORCE
    /// variants need CAP_NET_ADMIN; without it fall back to the plain ones, which the kernel
    /// caps at rmem_max / wmem_max. No SO_REUSEADDR: on a UDP socket it lets another socket
    /// bind the same address and port (socket(7)), and the kernel then delivers the peer's
    /// datagrams to whichever bound last, so any local user could read them and starve the
    /// daemon. A restarted daemon needs no reuse: UDP has no TIME_WAIT.
    static func configure(_ fd: Int32, buffer: Int32) throws(SyncSocketError) {
        do {
            try setOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, buffer, "SO_RCVBUFFORCE")
        } catch {
            try setOption(fd, SOL_SOCKET, SO_RCVBUF, buffer, "SO_RCVBUF")
        }
        do {
            try setOption(fd, SOL_SOCKET, SO_SNDBUFFORCE, buffer, "SO_SNDBUFFORCE")
        } catch {
            try setOption(fd, SOL_SOCKET, SO_SNDBUF, buffer, "SO_SNDBUF")
        }
    }

    static func familyMismatch(_ local: IPAddress, _ peer: IPAddress) -> SyncSocketError {
        SyncSocketError(call: "socket", context: "local \(local) and peer \(peer) differ in family", errno: EAFNOSUPPORT)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws(SyncSocketError) {
        var v = value
        _ = try check("setsockopt", what) {
            Int(setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)))
        }
    }

    /// SO_BINDTODEVICE: only datagrams arriving on this interface reach the socket, and
    /// sends leave through it (socket(7)).
    static func bindToDevice(_ fd: Int32, _ device: String) throws(SyncSocketError) {
        var name = Array(device.utf8)
        name.append(0)
        _ = try check("setsockopt", "SO_BINDTODEVICE \(device)") {
            Int(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, socklen_t(name.count)))
        }
    }

    static func bind(_ fd: Int32, _ address: SocketAddress) throws(SyncSocketError) {
        _ = try check("bind", address.description) {
            address.withSockaddr { Int(Glibc.bind(fd, $0, $1)) }
        }
    }

    /// Returns false when the socket buffer is full (EAGAIN): the datagram is dropped and the
    /// protocol's NACK/resend recovers it.
    static func send(_ fd: Int32, _ bytes: [UInt8], to address: SocketAddress) throws(SyncSocketError) -> Bool {
        try check("sendto", address.description) {
            bytes.withUnsafeBytes { buf in
                address.withSockaddr { sa, len in sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), sa, len) }
            }
        } != nil
    }

    /// One datagram and its source, or nil when none is waiting.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws(SyncSocketError) -> (Int, SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = try check("recvfrom", "fd \(fd)") {
            buffer.withUnsafeMutableBytes { buf in
                withUnsafeMutablePointer(to: &storage) { sp in
                    sp.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, buf.baseAddress, buf.count, Int32(MSG_TRUNC), $0, &length)
                    }
                }
            }
        }
        guard let n else { return nil }
        return (n, SocketAddress(storage))
    }

    /// Waits until `fd` is readable or `timeout` passes; true when readable.
    static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) throws(SyncSocketError) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let n = try check("poll", "fd \(fd)") { Int(poll(&pfd, 1, timeoutMilliseconds)) }
        return (n ?? 0) > 0
    }

    /// Waits until any of `fds` is readable or `timeout` passes. Negative descriptors are
    /// ignored (poll(2)), so a fake transport's -1 is harmless.
    static func waitReadable(_ fds: [Int32], timeoutMilliseconds: Int32) throws(SyncSocketError) {
        var pfds = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = try check("poll", "fds \(fds)") { Int(poll(&pfds, nfds_t(pfds.count), timeoutMilliseconds)) }
    }

    /// An eventfd(2) another thread writes to wake the sync loop out of poll.
    static func eventFD() throws(SyncSocketError) -> Int32 {
        let fd = try check("eventfd", "EFD_NONBLOCK|EFD_CLOEXEC") {
            // EFD_NONBLOCK and EFD_CLOEXEC equal O_NONBLOCK and O_CLOEXEC (<sys/eventfd.h>).
            Int(tandem_eventfd(0, O_NONBLOCK | O_CLOEXEC))
        }
        return Int32(fd!)
    }

    static func signal(_ fd: Int32) throws(SyncSocketError) {
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the loop is woken anyway.
        _ = try check("write", "eventfd \(fd)") { write(fd, &one, 8) }
    }

    static func drain(_ fd: Int32) throws(SyncSocketError) {
        var value: UInt64 = 0
        _ = try check("read", "eventfd \(fd)") { read(fd, &value, 8) }
    }

    static func close(_ fd: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
        _ = Glibc.close(fd)
    }
}

/// An IPv4 or IPv6 address with a UDP port, convertible to and from `sockaddr`.
struct SocketAddress: Equatable, CustomStringConvertible {
    var address: IPAddress
    var port: UInt16

    var description: String {
        switch address {
        case .v4(let a): "\(a):\(port)"
        case .v6(let a): "[\(a)]:\(port)"
        }
    }

    init(_ address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            address = .v4(IPv4Address(UInt32(bigEndian: sin.sin_addr.s_addr)))
            port = UInt16(bigEndian: sin.sin_port)
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            guard let a = IPv6Address(bytes: bytes) else { return nil }
            address = .v6(a)
            port = UInt16(bigEndian: sin6.sin6_port)
        default:
            return nil
        }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch address {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = a.value.bigEndian
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let a):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                for (i, b) in a.bytes.enumerated() { raw[i] = b }
            }
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

// eventfd(2) is not exported by the Glibc module; bind the symbol directly.
@_silgen_name("eventfd")
private func tandem_eventfd(_ initialValue: UInt32, _ flags: Int32) -> Int32
