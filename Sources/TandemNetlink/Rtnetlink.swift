#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CMnl
import TandemSystem
import TandemAddress

/// The real `LinkControl`: rtnetlink requests over one NETLINK_ROUTE socket (libmnl).
/// The socket belongs to the network namespace of the thread that creates this object,
/// so an instance made inside `NetworkNamespace.run` keeps acting on that namespace.
/// Requests are serialised by a lock, so one instance may be shared between tasks.
public final class Rtnetlink: LinkControl, @unchecked Sendable {
    private let socket: NetlinkSocket
    private let lock = NSLock()
    /// How long a request waits for the kernel's answer before giving up.
    private let timeoutMilliseconds: Int32 = 5_000

    public init() throws {
        socket = try NetlinkSocket(bus: NETLINK_ROUTE)
    }

    public func links() throws -> [LinkInfo] {
        try dump(UInt16(RTM_GETLINK), what: "links") { RtnlMessage.parseLink($0) }
    }

    public func addresses() throws -> [InterfaceAddress] {
        try dump(UInt16(RTM_GETADDR), what: "addresses") { RtnlMessage.parseAddress($0) }
    }

    public func addAddress(_ address: IPNetwork, interfaceIndex: Int32) throws {
        try request("RTM_NEWADDR", context: "add \(address) on ifindex \(interfaceIndex)") { seq, buffer in
            RtnlMessage.address(UInt16(RTM_NEWADDR), address, interfaceIndex: interfaceIndex, sequence: seq, into: buffer)
        }
    }

    public func removeAddress(_ address: IPNetwork, interfaceIndex: Int32) throws {
        try request("RTM_DELADDR", context: "remove \(address) from ifindex \(interfaceIndex)") { seq, buffer in
            RtnlMessage.address(UInt16(RTM_DELADDR), address, interfaceIndex: interfaceIndex, sequence: seq, into: buffer)
        }
    }

    public func setLinkUp(interfaceIndex: Int32) throws {
        try request("RTM_NEWLINK", context: "set ifindex \(interfaceIndex) up") { seq, buffer in
            RtnlMessage.linkUp(interfaceIndex: interfaceIndex, sequence: seq, into: buffer)
        }
    }

    public func writeSysctl(_ components: [String], value: String) throws {
        try Sysctl.write(components, value: value)
    }

    // MARK: - Request/response

    /// Sends one request built by `build` and waits for its acknowledgement.
    func request(_ operation: String, context: String,
                         _ build: (UInt32, UnsafeMutableRawBufferPointer) -> Int) throws {
        lock.lock()
        defer { lock.unlock() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RtnlMessage.bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let seq = socket.sequence()
        let length = build(seq, buffer)
        do {
            try socket.send(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), operation: operation)
            try receive(sequence: seq, operation: operation, buffer: buffer) { _ in }
        } catch var error as NetlinkError {
            error.context = context
            throw error
        }
    }

    /// Sends a dump request and collects what `parse` makes of each reply message. A dump
    /// the kernel marks interrupted (NLM_F_DUMP_INTR: the table changed meanwhile) is retried.
    func dump<T>(_ type: UInt16, what: String,
                 build: (UInt16, UInt32, UnsafeMutableRawBufferPointer) -> Int = RtnlMessage.dump,
                 _ parse: (UnsafePointer<nlmsghdr>) -> T?) throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RtnlMessage.bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        for _ in 0..<3 {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let seq = socket.sequence()
            let length = build(type, seq, buffer)
            try socket.send(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), operation: "dump \(what)")
            var items: [T] = []
            var interrupted = false
            try receive(sequence: seq, operation: "dump \(what)", buffer: buffer) { nlh in
                if Int32(nlh.pointee.nlmsg_flags) & NLM_F_DUMP_INTR != 0 { interrupted = true }
                if let item = parse(nlh) { items.append(item) }
            }
            if !interrupted { return items }
        }
        throw NetlinkError("dump \(what)", errno: EAGAIN, context: "the kernel interrupted the dump three times")
    }

    /// Reads replies to `sequence` until the acknowledgement (NLMSG_ERROR with error 0) or
    /// the end of a dump (NLMSG_DONE). Messages for other sequence numbers (a late answer to
    /// a request that timed out) are skipped.
    private func receive(sequence: UInt32, operation: String, buffer: UnsafeMutableRawBufferPointer,
                         _ body: (UnsafePointer<nlmsghdr>) -> Void) throws {
        while true {
            guard try socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds) else {
                throw NetlinkError(operation, errno: ETIMEDOUT)
            }
            guard let n = try socket.receive(into: buffer, operation: operation) else { continue }
            var finished = false
            var failure: Int32 = 0
            RtnlMessage.forEachMessage(in: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { nlh in
                guard !finished, nlh.pointee.nlmsg_seq == sequence, nlh.pointee.nlmsg_pid == socket.portID else { return }
                switch Int32(nlh.pointee.nlmsg_type) {
                case NLMSG_DONE:
                    finished = true
                case NLMSG_ERROR:
                    let err = UnsafeRawPointer(mnl_nlmsg_get_payload(nlh)!).loadUnaligned(as: Int32.self)
                    failure = -err
                    finished = true
                default:
                    body(nlh)
                }
            }
            if failure != 0 { throw NetlinkError(operation, errno: failure) }
            if finished { return }
        }
    }
}
