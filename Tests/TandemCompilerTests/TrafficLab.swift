import Foundation
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// client — firewall — server in three throwaway namespaces (DESIGN.md "Test rules"):
/// LAN 192.0.2.0/24 (client .100, firewall .2), WAN 198.51.100.0/24 (firewall .2 and the
/// WAN VIP .1 on its veth, server .254 and .77). The firewall loads a rendered ruleset with
/// `nft -f`. Every probe is bounded (`nc -w`, `ping -W`); listeners are stopped by PID.
final class TrafficLab {
    let client: NetworkNamespace
    let firewall: NetworkNamespace
    let server: NetworkNamespace
    private var listeners: [Process] = []

    init() throws {
        client = try NetworkNamespace(purpose: "client")
        firewall = try NetworkNamespace(purpose: "fw")
        server = try NetworkNamespace(purpose: "server")
        try connect(client, "eth0", "192.0.2.100/24", firewall, "lan0", "192.0.2.2/24")
        try connect(firewall, "wan0", "198.51.100.2/24", server, "eth0", "198.51.100.254/24")
        try firewall.exec(["ip", "address", "add", "198.51.100.1/24", "dev", "wan0"])
        try server.exec(["ip", "address", "add", "198.51.100.77/24", "dev", "eth0"])
        try client.exec(["ip", "route", "add", "default", "via", "192.0.2.2"])
        try server.exec(["ip", "route", "add", "192.0.2.0/24", "via", "198.51.100.2"])
        try firewall.exec(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    }

    /// Adds IPv6: LAN 2001:db8:1::/64 (client ::100, firewall ::2), WAN 2001:db8:2::/64
    /// (firewall ::2, server ::254). `nodad` so the addresses are usable at once.
    func addIPv6() throws {
        try client.exec(["ip", "-6", "address", "add", "2001:db8:1::100/64", "dev", "eth0", "nodad"])
        try firewall.exec(["ip", "-6", "address", "add", "2001:db8:1::2/64", "dev", "lan0", "nodad"])
        try firewall.exec(["ip", "-6", "address", "add", "2001:db8:2::2/64", "dev", "wan0", "nodad"])
        try server.exec(["ip", "-6", "address", "add", "2001:db8:2::254/64", "dev", "eth0", "nodad"])
        try client.exec(["ip", "-6", "route", "add", "default", "via", "2001:db8:1::2"])
        try server.exec(["ip", "-6", "route", "add", "2001:db8:1::/64", "via", "2001:db8:2::2"])
        try firewall.exec(["sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"])
        // A router sends neighbour solicitations for forwarded packets from its link-local
        // address, and not at all while that address is still tentative (DAD): wait, bounded.
        for ns in [client, firewall, server] {
            for _ in 0..<60 {
                guard let out = try? ns.exec(["ip", "-6", "address", "show", "tentative"]), !out.isEmpty else { break }
                usleep(100_000)
            }
        }
    }

    deinit { stop() }

    func stop() {
        // SIGKILL: children started by Foundation's Process inherit the test runner's
        // blocked signal mask, so SIGTERM would stay pending forever.
        for p in listeners where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        listeners.removeAll()
        client.delete()
        firewall.delete()
        server.delete()
    }

    /// Loads nft text into the firewall namespace.
    func load(_ text: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-lab-\(UUID()).nft").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try firewall.exec(["nft", "-f", path])
    }

    /// A TCP listener that answers every connection with the peer's address and closes.
    func listen(in ns: NetworkNamespace, port: UInt16, ipv6: Bool = false) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip", "netns", "exec", ns.name, "socat",
                       ipv6 ? "TCP6-LISTEN:\(port),fork,reuseaddr,ipv6only=1" : "TCP4-LISTEN:\(port),fork,reuseaddr", "SYSTEM:echo $SOCAT_PEERADDR"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        listeners.append(p)
    }

    /// Waits (bounded) until a listener accepts on the server's own side.
    func waitForListener(in ns: NetworkNamespace, host: String, port: UInt16) {
        for _ in 0..<50 {
            if (try? ns.exec(["nc", "-z", "-w", "1", host, "\(port)"])) != nil { return }
            usleep(20_000)
        }
    }

    enum TCPResult: Equatable { case connected(String), refused, timedOut }

    /// Connects once (2 s at most) and reads the listener's one line.
    func tcp(from ns: NetworkNamespace, to host: String, port: UInt16) -> TCPResult {
        do {
            let out = try ns.exec(["nc", "-v", "-w", "2", host, "\(port)"])
            let lines = out.split(separator: "\n").filter { !$0.contains("succeeded") && !$0.hasPrefix("Connection to") }
            return .connected(lines.first.map(String.init) ?? "")
        } catch NetworkNamespace.Failure.command(_, _, let output) {
            return output.contains("refused") ? .refused : .timedOut
        } catch {
            return .timedOut
        }
    }

    /// One ping, one second at most; returns ping's output and whether it got a reply.
    func ping(from ns: NetworkNamespace, _ host: String) -> (ok: Bool, output: String) {
        do {
            return (true, try ns.exec(["ping", "-n", "-c", "1", "-W", "1", host]))
        } catch NetworkNamespace.Failure.command(_, _, let output) {
            return (false, output)
        } catch {
            return (false, "\(error)")
        }
    }
}
