#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// Socket addresses built from Tandem's address types.
enum SocketAddress {
    static func ipv4(_ address: IPv4Address) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr = in_addr(s_addr: address.value.bigEndian)
        return a
    }

    static func ipv6(_ bytes: [UInt8], scope: Int32) -> sockaddr_in6 {
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_addr = in6(bytes)
        a.sin6_scope_id = UInt32(scope)
        return a
    }

    static func in6(_ bytes: [UInt8]) -> in6_addr {
        precondition(bytes.count == 16)
        var a = in6_addr()
        withUnsafeMutableBytes(of: &a) { raw in
            for i in 0..<16 { raw[i] = bytes[i] }
        }
        return a
    }

    static func bytes(of address: sockaddr_in6) -> [UInt8] {
        withUnsafeBytes(of: address.sin6_addr) { Array($0) }
    }
}

/// An IPv4 address as a host-order integer, for `SocketAddress.ipv4`.
typealias IPv4AddressBits = UInt32
