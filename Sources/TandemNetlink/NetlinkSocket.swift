#if canImport(Glibc)
import Glibc
#endif
import CMnl
import CCloseAfterExit

/// An owned libmnl netlink socket (closed on deinit). The single funnel through which
/// Tandem's netlink modules send and receive: EINTR is retried here, errors become
/// `NetlinkError` with the call's name (STYLE.md §6).
final class NetlinkSocket {
    private let handle: OpaquePointer
    let portID: UInt32
    private var nextSequence: UInt32

    /// Opens and binds a socket on `bus` (NETLINK_NETFILTER, NETLINK_ROUTE) joined to
    /// `groups` (a bitmask of multicast groups, 0 for request/response use).
    init(bus: Int32, groups: UInt32 = 0) throws {
        guard let h = mnl_socket_open2(bus, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw NetlinkError("mnl_socket_open(bus \(bus))", errno: errno)
        }
        guard mnl_socket_bind(h, groups, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let e = errno
            mnl_socket_close(h)
            throw NetlinkError("mnl_socket_bind(bus \(bus))", errno: e)
        }
        handle = h
        portID = mnl_socket_get_portid(h)
        // Start from the clock so sequence numbers from a previous run never match.
        nextSequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit { mnl_socket_close(handle) }

    var fileDescriptor: Int32 { mnl_socket_get_fd(handle) }

    /// Makes this socket's release happen in a child process after this one has exited
    /// (`tandem_close_after_exit` in `CCloseAfterExit` says how and why); `deinit` then
    /// drops only this process's reference.
    /// False when no child could be made (the release happens here).
    func closeAfterExit() -> Bool {
        tandem_close_after_exit(fileDescriptor) == 0
    }

    /// A fresh sequence number for the next message.
    func sequence() -> UInt32 {
        nextSequence &+= 1
        return nextSequence
    }

    func setOption(level: Int32 = SOL_NETLINK, _ name: Int32, _ value: Int32) throws {
        var v = value
        guard setsockopt(fileDescriptor, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw NetlinkError("setsockopt(\(level), \(name), \(value))", errno: errno)
        }
    }

    /// Sizes the socket buffers. The FORCE variants pass the rmem_max/wmem_max caps (they
    /// need CAP_NET_ADMIN, which a root daemon has); without them large batches fail with
    /// EMSGSIZE (nftables.md §5.1), so fall back to the capped options only if refused.
    func setBufferSizes(send: Int32? = nil, receive: Int32? = nil) throws {
        if let send {
            if (try? setOption(level: SOL_SOCKET, SO_SNDBUFFORCE, send)) == nil {
                try setOption(level: SOL_SOCKET, SO_SNDBUF, send)
            }
        }
        if let receive {
            if (try? setOption(level: SOL_SOCKET, SO_RCVBUFFORCE, receive)) == nil {
                try setOption(level: SOL_SOCKET, SO_RCVBUF, receive)
            }
        }
    }

    /// Bounds how long a blocking receive waits; after it `receive` returns nil.
    func setReceiveTimeout(milliseconds: Int) throws {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw NetlinkError("setsockopt(SO_RCVTIMEO)", errno: errno)
        }
    }

    /// Installs a classic BPF program that the kernel runs on every message before queueing
    /// it to this socket (SO_ATTACH_FILTER); a message the program rejects never wakes the
    /// reader. Replaces any earlier program.
    func attachFilter(_ program: [sock_filter]) throws {
        var instructions = program
        let r = instructions.withUnsafeMutableBufferPointer { code -> Int32 in
            var fprog = sock_fprog(len: UInt16(code.count), filter: code.baseAddress)
            return setsockopt(fileDescriptor, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, socklen_t(MemoryLayout<sock_fprog>.size))
        }
        guard r == 0 else { throw NetlinkError("setsockopt(SO_ATTACH_FILTER, \(program.count) instructions)", errno: errno) }
    }

    /// Makes receives return nil at once when nothing is queued (event sockets polled by a
    /// loop).
    func setNonBlocking() throws {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw NetlinkError("fcntl(O_NONBLOCK)", errno: errno)
        }
    }

    /// Sends one buffer as one datagram (one `sendmsg`, as an nftables batch requires).
    func send(_ bytes: UnsafeRawBufferPointer, operation: String) throws {
        while true {
            let n = mnl_socket_sendto(handle, bytes.baseAddress, bytes.count)
            if n >= 0 { return }
            if errno == EINTR { continue }
            throw NetlinkError(operation, errno: errno)
        }
    }

    /// Receives one datagram into `buffer`; returns its length. Returns nil when the
    /// socket is non-blocking and nothing is queued.
    func receive(into buffer: UnsafeMutableRawBufferPointer, operation: String) throws -> Int? {
        while true {
            let n = mnl_socket_recvfrom(handle, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN: return nil
            default: throw NetlinkError(operation, errno: errno)
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for data (0 = just check, -1 = forever).
    func waitReadable(timeoutMilliseconds: Int32) throws -> Bool {
        var p = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, timeoutMilliseconds)
            if r >= 0 { return r > 0 }
            if errno == EINTR { continue }
            throw NetlinkError("poll(netlink)", errno: errno)
        }
    }
}
