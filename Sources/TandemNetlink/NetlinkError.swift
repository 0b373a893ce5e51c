import TandemSystem

/// A failed netlink or socket call: what was being done, and the errno the kernel or
/// libmnl reported. It is the system-call error every module shares, under the name the
/// netlink code has always used.
public typealias NetlinkError = SystemCallError
