import TandemAddress

/// The sync transport on the wire: UDP, unicast to `pfsyncpeerip`, on a dedicated port, bound
/// to the sync interface (SO_BINDTODEVICE) and to the local address there, non-blocking.
///
/// pfsync uses IP protocol 240 and conntrackd UDP 3780 (state-sync.md §1.1, §2.6); Tandem's
/// format is its own, so it takes its own port, 4877/udp (unassigned in Debian's
/// /etc/services), and the sync interface must pass it (README "State sync").
public final class UDPSyncTransport: SyncTransport {
    public static let defaultPort: UInt16 = 4877

    public let local: IPAddress
    public let peer: IPAddress
    public let port: UInt16
    public let fileDescriptor: Int32
    private let peerAddress: SocketAddress
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    /// - Parameters:
    ///   - device: the sync interface (`pfsyncinterface` resolved to a Linux name); nil
    ///     leaves the socket unbound to a device.
    ///   - socketBuffer: SO_RCVBUF / SO_SNDBUF bytes, so a bulk burst is not dropped.
    public init(local: IPAddress, peer: IPAddress, port: UInt16 = defaultPort, device: String? = nil,
                socketBuffer: Int32 = 4 << 20) throws(SyncSocketError) {
        guard local.family == peer.family else {
            throw Syscall.familyMismatch(local, peer)
        }
        self.local = local
        self.peer = peer
        self.port = port
        peerAddress = SocketAddress(peer, port: port)
        let fd = try Syscall.udpSocket(local.family)
        do throws(SyncSocketError) {
            try Syscall.configure(fd, buffer: socketBuffer)
            if let device { try Syscall.bindToDevice(fd, device) }
            try Syscall.bind(fd, SocketAddress(local, port: port))
        } catch {
            Syscall.close(fd)
            throw error
        }
        fileDescriptor = fd
    }

    deinit { Syscall.close(fileDescriptor) }

    public func send(_ datagram: [UInt8]) throws(SyncSocketError) -> Bool {
        try Syscall.send(fileDescriptor, datagram, to: peerAddress)
    }

    public func receive() throws(SyncSocketError) -> (bytes: [UInt8], fromPeer: Bool)? {
        guard let (n, source) = try Syscall.receive(fileDescriptor, into: &buffer) else { return nil }
        // MSG_TRUNC returns the real length: a datagram longer than the buffer is cut, and
        // the codec rejects it as oversized or forged.
        let bytes = Array(buffer.prefix(min(n, buffer.count)))
        return (bytes, source == peerAddress)
    }

    public func waitReadable(timeout: Duration) throws(SyncSocketError) -> Bool {
        let ms = Int32(clamping: (timeout.syncNanoseconds + 999_999) / 1_000_000)
        return try Syscall.waitReadable(fileDescriptor, timeoutMilliseconds: ms)
    }
}
