#if canImport(Glibc)
import Glibc
#endif
import CMnl

/// Watches link and address changes: a NETLINK_ROUTE socket joined to RTNLGRP_LINK,
/// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR (carp.md §12: RTM_NEWLINK carrier/IFF_UP
/// → INIT + demotion; RTM_DELADDR → a VIP removed by someone else). Non-blocking: an event
/// loop polls `fileDescriptor` and calls `readEvents()`.
public final class LinkMonitor {
    private let socket: NetlinkSocket
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens the socket in the calling thread's network namespace.
    public init() throws {
        let groups = UInt32(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
        socket = try NetlinkSocket(bus: NETLINK_ROUTE, groups: groups)
        let fd = socket.fileDescriptor
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw NetlinkError("fcntl(O_NONBLOCK, link monitor)", errno: errno)
        }
        // A burst of changes (an interface flapping, many addresses) must not overflow the
        // queue; if it does anyway, readEvents reports .resynchronize.
        try? socket.setBufferSizes(receive: 1 << 20)
        buffer = .allocate(byteCount: RtnlMessage.bufferSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// The descriptor to poll for readability.
    public var fileDescriptor: Int32 { socket.fileDescriptor }

    /// Waits up to `timeoutMilliseconds` for an event (0 = just check, -1 = forever).
    public func wait(timeoutMilliseconds: Int32) throws -> Bool {
        try socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Every event queued now, in kernel order; empty when none is queued.
    public func readEvents() throws -> [LinkEvent] {
        var events: [LinkEvent] = []
        // Bounded: at most 1024 datagrams per call so a storm cannot starve the caller.
        for _ in 0..<1024 {
            let n: Int?
            do {
                n = try socket.receive(into: buffer, operation: "recv(link monitor)")
            } catch let error as NetlinkError where error.errno == ENOBUFS {
                events.append(.resynchronize)
                continue
            }
            guard let n else { break }
            RtnlMessage.forEachMessage(in: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { nlh in
                if let event = RtnlMessage.parseEvent(nlh) { events.append(event) }
            }
        }
        return events
    }
}
