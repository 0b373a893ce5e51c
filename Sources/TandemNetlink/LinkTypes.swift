import TandemAddress

/// One network interface as rtnetlink reports it (RTM_NEWLINK).
public struct LinkInfo: Sendable, Hashable {
    public var index: Int32
    public var name: String
    /// `ifi_flags` (IFF_UP, IFF_RUNNING, IFF_LOWER_UP, …).
    public var flags: UInt32
    /// IFLA_CARRIER; nil when the kernel did not report it.
    public var carrier: Bool?
    public var operState: OperState
    /// IFLA_ADDRESS: the link-layer address (6 bytes on Ethernet), empty when none.
    public var mac: [UInt8]
    public var mtu: UInt32?

    public init(index: Int32, name: String, flags: UInt32, carrier: Bool? = nil,
                operState: OperState = .unknown, mac: [UInt8] = [], mtu: UInt32? = nil) {
        self.index = index
        self.name = name
        self.flags = flags
        self.carrier = carrier
        self.operState = operState
        self.mac = mac
        self.mtu = mtu
    }

    /// Administratively up (IFF_UP).
    public var isAdminUp: Bool { flags & LinkFlag.up != 0 }

    /// Usable for CARP: administratively up and the carrier present (carp.md §6: INIT →
    /// BACKUP needs the parent interface up and link up; §12: RTM_NEWLINK carrier/IFF_UP).
    /// IFF_LOWER_UP is the driver's carrier bit; IFLA_CARRIER, when present, agrees with it.
    public var isUsable: Bool {
        guard isAdminUp else { return false }
        if let carrier { return carrier }
        return flags & LinkFlag.lowerUp != 0
    }

    /// `aa:bb:cc:dd:ee:ff`.
    public var macText: String {
        mac.map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined(separator: ":")
    }
}

/// `ifi_flags` bits used here (from <linux/if.h>, which clashes with <net/if.h> in Swift).
public enum LinkFlag {
    public static let up: UInt32 = 0x1
    public static let running: UInt32 = 0x40
    public static let lowerUp: UInt32 = 0x1_0000
}

/// RFC 2863 operational state (IFLA_OPERSTATE, `IF_OPER_*` in <linux/if.h>).
public enum OperState: UInt8, Sendable, Hashable {
    case unknown = 0, notPresent = 1, down = 2, lowerLayerDown = 3, testing = 4, dormant = 5, up = 6
}

/// One address on an interface (RTM_NEWADDR): the address with its real prefix length.
public struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    public var interfaceIndex: Int32
    public var network: IPNetwork
    /// IFA_FLAGS / `ifa_flags` (IFA_F_NODAD, IFA_F_TENTATIVE, IFA_F_DADFAILED, …).
    public var flags: UInt32
    public var scope: UInt8
    /// IFA_LABEL (IPv4 only).
    public var label: String?

    public init(interfaceIndex: Int32, network: IPNetwork, flags: UInt32 = 0, scope: UInt8 = 0, label: String? = nil) {
        self.interfaceIndex = interfaceIndex
        self.network = network
        self.flags = flags
        self.scope = scope
        self.label = label
    }

    public var isTentative: Bool { flags & AddressFlag.tentative != 0 }
    public var isDADFailed: Bool { flags & AddressFlag.dadFailed != 0 }

    public var description: String { "\(network) on ifindex \(interfaceIndex)" }
}

/// `IFA_F_*` bits from <linux/if_addr.h> that Tandem reads or sets.
public enum AddressFlag {
    public static let noDAD: UInt32 = 0x02
    public static let dadFailed: UInt32 = 0x08
    public static let tentative: UInt32 = 0x40
    public static let permanent: UInt32 = 0x80
}

/// What the link watcher reports (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR).
public enum LinkEvent: Sendable, Hashable {
    /// RTM_NEWLINK: a link appeared or changed (flags, carrier, operstate).
    case linkChanged(LinkInfo)
    /// RTM_DELLINK.
    case linkRemoved(index: Int32, name: String)
    case addressAdded(InterfaceAddress)
    case addressRemoved(InterfaceAddress)
    /// The socket overflowed (ENOBUFS) and events were lost: re-list links and addresses.
    case resynchronize
}
