#if canImport(Glibc)
import Glibc
#endif
import CNetfilterConntrack

/// An owned libnetfilter_conntrack object (`struct nf_conntrack`), freed on deinit. Used
/// only as an attribute codec: libmnl owns the sockets (state-sync.md §4.1 "With libmnl").
/// The pointer never leaves this module (STYLE.md §5).
struct ConntrackObject: ~Copyable {
    let handle: OpaquePointer

    init() throws(NetlinkError) {
        guard let h = nfct_new() else { throw NetlinkError("nfct_new", errno: ENOMEM) }
        handle = h
    }

    deinit { nfct_destroy(handle) }

    func set(_ attribute: nf_conntrack_attr, u8 value: UInt8) { nfct_set_attr_u8(handle, attribute, value) }
    func set(_ attribute: nf_conntrack_attr, u16 value: UInt16) { nfct_set_attr_u16(handle, attribute, value) }
    func set(_ attribute: nf_conntrack_attr, u32 value: UInt32) { nfct_set_attr_u32(handle, attribute, value) }

    /// Sets a variable-size attribute (IPv6 addresses); the library copies the bytes.
    func set(_ attribute: nf_conntrack_attr, bytes: [UInt8]) {
        bytes.withUnsafeBytes { nfct_set_attr_l(handle, attribute, $0.baseAddress, $0.count) }
    }

    func isSet(_ attribute: nf_conntrack_attr) -> Bool { nfct_attr_is_set(handle, attribute) > 0 }

    func u8(_ attribute: nf_conntrack_attr) -> UInt8 { nfct_get_attr_u8(handle, attribute) }
    func u16(_ attribute: nf_conntrack_attr) -> UInt16 { nfct_get_attr_u16(handle, attribute) }
    func u32(_ attribute: nf_conntrack_attr) -> UInt32 { nfct_get_attr_u32(handle, attribute) }

    func bytes(_ attribute: nf_conntrack_attr, count: Int) -> [UInt8]? {
        guard isSet(attribute), let p = nfct_get_attr(handle, attribute) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
