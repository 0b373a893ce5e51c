import Foundation
import Logging
import TandemAddress
import TandemCARP
import TandemConfig
import TandemNetlink
@testable import TandemDaemon

/// An in-memory network stack: links and addresses, with the kernel's exact-match rules
/// for add (EEXIST) and remove (EADDRNOTAVAIL).
final class FakeLink: LinkControl, @unchecked Sendable {
    private let lock = NSLock()
    private var _links: [LinkInfo]
    private var _addresses: [InterfaceAddress] = []
    private(set) var sysctls: [String: String] = [:]
    private(set) var log: [String] = []

    init(devices: [String]) {
        _links = devices.enumerated().map { i, name in
            LinkInfo(index: Int32(i + 2), name: name, flags: LinkFlag.up | LinkFlag.lowerUp, carrier: true,
                     operState: .up, mac: [2, 0, 0, 0, 0, UInt8(i + 2)])
        }
    }

    func index(_ name: String) -> Int32 { lock.withLock { _links.first { $0.name == name }!.index } }

    func has(_ network: String, on device: String) -> Bool {
        let idx = index(device)
        return lock.withLock { _addresses.contains { $0.interfaceIndex == idx && $0.network == IPNetwork(network)! } }
    }

    func links() throws -> [LinkInfo] { lock.withLock { _links } }
    func addresses() throws -> [InterfaceAddress] { lock.withLock { _addresses } }

    func addAddress(_ address: IPNetwork, interfaceIndex: Int32) throws {
        try lock.withLock {
            if _addresses.contains(where: { $0.interfaceIndex == interfaceIndex && $0.network == address }) {
                throw NetlinkError("RTM_NEWADDR", errno: EEXIST)
            }
            _addresses.append(InterfaceAddress(interfaceIndex: interfaceIndex, network: address))
            log.append("add \(address)")
        }
    }

    func removeAddress(_ address: IPNetwork, interfaceIndex: Int32) throws {
        try lock.withLock {
            guard let i = _addresses.firstIndex(where: { $0.interfaceIndex == interfaceIndex && $0.network == address }) else {
                throw NetlinkError("RTM_DELADDR", errno: EADDRNOTAVAIL)
            }
            _addresses.remove(at: i)
            log.append("remove \(address)")
        }
    }

    func setLinkUp(interfaceIndex: Int32) throws {
        lock.withLock {
            if let i = _links.firstIndex(where: { $0.index == interfaceIndex }) { _links[i].flags |= LinkFlag.up }
        }
    }

    func writeSysctl(_ components: [String], value: String) throws {
        lock.withLock { sysctls[components.joined(separator: ".")] = value }
    }
}

/// Records what the daemon sends and announces; receives nothing by itself.
final class FakePacketIO: CarpPacketIO, @unchecked Sendable {
    private let lock = NSLock()
    private var _sent: [(ad: CarpAdvertisement, interface: String, family: IPFamily)] = []
    private var _announced: [(addresses: [IPAddress], interface: String)] = []

    var sent: [(ad: CarpAdvertisement, interface: String, family: IPFamily)] { lock.withLock { _sent } }
    var announced: [(addresses: [IPAddress], interface: String)] { lock.withLock { _announced } }

    func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws {
        lock.withLock { _sent.append((advertisement, interface, family)) }
    }

    func announce(_ addresses: [IPAddress], interface: String) throws {
        lock.withLock { _announced.append((addresses, interface)) }
    }

    func receive(timeoutMilliseconds: Int32) throws -> [ReceivedCarpPacket] { [] }
}

/// A config held in memory; maintenance writes are recorded as the store would persist them.
final class FakeConfigSource: ConfigSource, @unchecked Sendable {
    private let lock = NSLock()
    private var config: Config
    var failWith: Error?

    init(_ config: Config) { self.config = config }

    var current: Config { lock.withLock { config } }

    func load() throws -> Config {
        try lock.withLock {
            if let failWith { throw failWith }
            return config
        }
    }

    func setCarpMaintenance(_ on: Bool) throws {
        lock.withLock { config.carpMaintenanceMode = on }
    }

    func replace(_ c: Config) { lock.withLock { config = c } }
}

/// The reference scenario's primary (DESIGN.md): wan0 198.51.100.2/24 with VIP .1 vhid 143,
/// lan0 192.0.2.2/24 with VIP .1 vhid 1, sync0 203.0.113.1/30.
enum Scenario {
    static func net(_ s: String) -> IPNetwork { IPNetwork(s)! }

    static func primary(advskew: Int = 0, password: String = "tandem-lab") -> Config {
        func vip(_ iface: String, _ vhid: Int, _ addr: String, _ n: Int) -> VirtualIP {
            VirtualIP(mode: .carp, attachment: .interface(iface), vhid: vhid, advskew: advskew, advbase: 1,
                      password: password, type: "single", address: IPAddress(addr), prefixLength: 24,
                      uniqid: "vip\(n)", location: SourceLocation(path: "virtualip/vip[\(n)]"))
        }
        return Config(
            system: SystemConfig(hostname: "primaryfw", domain: "vmlab.corp"),
            interfaces: [
                InterfaceConfig(name: "wan", device: "wan0", ipv4: .static(net("198.51.100.2/24"))),
                InterfaceConfig(name: "lan", device: "lan0", ipv4: .static(net("192.0.2.2/24"))),
                InterfaceConfig(name: "opt1", device: "sync0", ipv4: .static(net("203.0.113.1/30"))),
            ],
            virtualIPs: [vip("wan", 143, "198.51.100.1", 1), vip("lan", 1, "192.0.2.1", 2)])
    }

    static var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// An advertisement as the peer would send it, signed with `password`.
    static func advertisement(vhid: UInt8, advbase: UInt8 = 1, advskew: UInt8, password: String = "tandem-lab",
                              addresses: [String], interface: String, from source: String = "198.51.100.3",
                              counter: UInt64 = 77) -> ReceivedCarpPacket {
        let ad = CarpAdvertisement.signed(vhid: vhid, advbase: advbase, advskew: advskew, counter: counter,
                                          key: CarpKey(password: password), addresses: addresses.map { IPAddress($0)! })
        return ReceivedCarpPacket(interface: interface, source: IPAddress(source)!, hopLimit: 255, payload: ad.encoded())
    }
}

/// Packet I/O whose sends fail (an interface without a route), for the send-error demotion.
final class FailingPacketIO: CarpPacketIO, @unchecked Sendable {
    struct Unreachable: Error {}
    func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws { throw Unreachable() }
    func announce(_ addresses: [IPAddress], interface: String) throws {}
    func receive(timeoutMilliseconds: Int32) throws -> [ReceivedCarpPacket] { [] }
}
