import TandemAddress
import TandemServices
#if canImport(Glibc)
import Glibc
#endif

/// Whether a host answers a TCP connect within a limit: a non-blocking connect(2) and a
/// poll(2) for writability, then SO_ERROR (connect(2), "EINPROGRESS").
enum TCPProbe {
    static func probe(_ address: IPv4Address, port: Int, milliseconds: Int32) -> KeaTakeover.PartnerProbe {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        // Without a socket nothing can be learnt: treat the partner as there, so the
        // ordinary (slow but safe) path is taken.
        guard fd >= 0 else { return .connected }
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = UInt16(port).bigEndian
        sin.sin_addr.s_addr = address.value.bigEndian
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 { return .connected }
        // ECONNREFUSED, EHOSTUNREACH, ENETUNREACH: Kea's own connect fails as fast.
        guard errno == EINPROGRESS else { return .refused }
        let deadline = UnixSocket.monotonicMilliseconds() + Int64(milliseconds)
        while true {
            let left = deadline - UnixSocket.monotonicMilliseconds()
            guard left > 0 else { return .silent }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let n = poll(&p, 1, Int32(left))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return .silent }
            // Connected, or failed (SO_ERROR): either way the host, or a kernel, replied.
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return .refused }
            return error == 0 ? .connected : .refused
        }
    }
}
