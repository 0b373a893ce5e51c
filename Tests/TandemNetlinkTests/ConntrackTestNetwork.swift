#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TandemTestSupport

/// Forwarding labs for the conntrack tests, built only from throwaway namespaces and
/// documentation addresses:
///
///     client 192.0.2.100 ── lanN 192.0.2.1 [fwN] wanN 198.51.100.1 ── server 198.51.100.254
///
/// Every firewall source-NATs LAN traffic to 198.51.100.1 and forwards only established
/// flows plus new ones from the LAN; with `nf_conntrack_tcp_loose=0` a mid-stream TCP packet
/// it has no entry for is invalid and dropped, so a connection survives a move from fw1 to
/// fw2 only if fw2 was given the entry.
final class ConntrackLab {
    let client: NetworkNamespace
    let server: NetworkNamespace
    let firewalls: [NetworkNamespace]

    static let ruleset = """
        table ip tandem_test {
            chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "wan*" snat to 198.51.100.1
            }
            chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                ct state invalid drop
                iifname "lan*" ct state new accept
            }
        }
        """

    init(firewalls count: Int) throws {
        client = try NetworkNamespace(purpose: "ct-client")
        server = try NetworkNamespace(purpose: "ct-server")
        var fws: [NetworkNamespace] = []
        for i in 1...count { fws.append(try NetworkNamespace(purpose: "ct-fw\(i)")) }
        firewalls = fws
        for ns in [client, server] {
            try ns.exec(["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"])
        }
        for (i, fw) in fws.enumerated() {
            let n = i + 1
            try fw.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
            try connect(client, "c\(n)", nil, fw, "lan\(n)", "192.0.2.1/24")
            try client.exec(["ip", "address", "add", "192.0.2.100/24", "dev", "c\(n)", "noprefixroute"])
            try connect(server, "s\(n)", nil, fw, "wan\(n)", "198.51.100.1/24")
            try server.exec(["ip", "address", "add", "198.51.100.254/24", "dev", "s\(n)", "noprefixroute"])
            try fw.exec(["nft", "-f", "-"], input: Self.ruleset)
            try fw.exec(["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0", "net.netfilter.nf_conntrack_events=1"])
        }
        try route(through: 1)
    }

    /// Points the client's default route and the server's route to the NAT address at fwN.
    func route(through n: Int) throws {
        try client.exec(["ip", "route", "replace", "default", "via", "192.0.2.1", "dev", "c\(n)", "onlink"])
        try server.exec(["ip", "route", "replace", "198.51.100.1/32", "dev", "s\(n)"])
    }

    func delete() {
        for ns in [client, server] + firewalls { ns.delete() }
    }
}

/// Minimal blocking TCP over IPv4 for the lab, every wait bounded by a socket timeout.
/// Sockets are opened inside a namespace (`NetworkNamespace.run`) and stay there. Unchecked
/// Sendable: a bulk sender runs on another thread while the test reads, each side using
/// only its own socket.
final class LabSocket: @unchecked Sendable {
    private(set) var fd: Int32

    init(fd: Int32) { self.fd = fd }
    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Closes now (with `resetOnClose`, the RST leaves at once), not whenever the last
    /// reference goes.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    struct Failure: Error, CustomStringConvertible {
        var call: String
        var errno: Int32
        var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    private static func address(_ ip: String, _ port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &a.sin_addr)
        return a
    }

    private static func socketWithTimeouts(seconds: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", errno: errno) }
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func bind(_ fd: Int32, _ ip: String, _ port: UInt16) throws {
        var a = address(ip, port)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { throw Failure(call: "bind \(ip):\(port)", errno: errno) }
    }

    static func listen(_ ip: String, _ port: UInt16) throws -> LabSocket {
        let fd = try socketWithTimeouts(seconds: 5)
        let s = LabSocket(fd: fd)
        try bind(fd, ip, port)
        guard Glibc.listen(fd, 8) == 0 else { throw Failure(call: "listen", errno: errno) }
        return s
    }

    /// Connects from `sourceIP:sourcePort` (fixed, so tests know the tuple); bounded by 5 s.
    static func connect(from sourceIP: String, _ sourcePort: UInt16, to ip: String, _ port: UInt16) throws -> LabSocket {
        let fd = try socketWithTimeouts(seconds: 5)
        let s = LabSocket(fd: fd)
        try bind(fd, sourceIP, sourcePort)
        var a = address(ip, port)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { throw Failure(call: "connect \(ip):\(port)", errno: errno) }
        return s
    }

    func accept() throws -> LabSocket {
        let c = Glibc.accept(fd, nil, nil)
        guard c >= 0 else { throw Failure(call: "accept", errno: errno) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return LabSocket(fd: c)
    }

    /// Makes the close send RST instead of FIN (SO_LINGER with zero time).
    func resetOnClose() {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw Failure(call: "send", errno: errno) }
    }

    /// Sends `count` bytes of a repeating pattern (blocking; bounded by the send timeout).
    func sendBulk(_ count: Int) throws {
        let chunk = [UInt8]((0..<65_536).map { UInt8($0 % 251) })
        var sent = 0
        while sent < count {
            let n = min(chunk.count, count - sent)
            let r = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, n, Int32(MSG_NOSIGNAL)) }
            guard r > 0 else { throw Failure(call: "send bulk", errno: errno) }
            sent += r
        }
    }

    /// Reads until `count` bytes arrived or a read waits longer than `seconds`; returns how
    /// many arrived and whether they followed `sendBulk`'s pattern.
    func receiveBulk(_ count: Int, within seconds: Int) -> (bytes: Int, intact: Bool) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var received = 0
        var intact = true
        while received < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - received), 0) }
            guard n > 0 else { break }
            for i in 0..<n where buffer[i] != UInt8((received + i) % 65_536 % 251) { intact = false }
            received += n
        }
        return (received, intact)
    }

    /// What arrives within `seconds`, or nil if nothing did.
    func receive(within seconds: Int) -> String? {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
