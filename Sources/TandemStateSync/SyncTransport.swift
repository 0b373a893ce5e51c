/// Moves sync datagrams to and from the peer. The UDP socket is the real one; tests use an
/// in-memory fake (STYLE §2).
public protocol SyncTransport: AnyObject {
    /// Sends one datagram to the peer. Returns false if it was dropped because the socket
    /// buffer is full; the protocol's NACK/resend recovers.
    func send(_ datagram: [UInt8]) throws(SyncSocketError) -> Bool
    /// The next waiting datagram, or nil. `fromPeer` is false for one that came from another
    /// address or port (it is counted and dropped).
    func receive() throws(SyncSocketError) -> (bytes: [UInt8], fromPeer: Bool)?
    /// Blocks until a datagram may be waiting or `timeout` passed.
    func waitReadable(timeout: Duration) throws(SyncSocketError) -> Bool
    /// For the daemon's event loop; -1 when there is no descriptor (fakes).
    var fileDescriptor: Int32 { get }
}
