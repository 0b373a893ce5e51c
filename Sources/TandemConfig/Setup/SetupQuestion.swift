import Foundation
import TandemAddress

/// The first-boot questions (`tandem setup`), as pfSense's console asks them
/// (`pfsense/pfsense:src/etc/rc.initial.setports`, `rc.initial.setlanip`): which NIC is WAN,
/// LAN and SYNC, their addresses, the host name and the admin password, plus the CARP VIPs
/// a cluster node needs. Each has a key, used in an answers file (`key=value`) and with
/// `--set`, and a check that gives the reason a bad answer is refused; the console asks it
/// again with that reason.
public struct SetupQuestion: Sendable {
    public let key: String
    public let prompt: String
    /// Shown in brackets and taken for an empty answer; nil = an answer is required.
    public let defaultAnswer: (@Sendable (SetupFacts, [String: String]) -> String?)
    /// Whether to ask at all, given the answers so far (e.g. no SYNC address without a SYNC NIC).
    public let applies: @Sendable ([String: String]) -> Bool
    /// nil if acceptable, else why not.
    public let check: @Sendable (String, SetupFacts, [String: String]) -> String?
    /// Typed without echo.
    public let secret: Bool

    init(_ key: String, _ prompt: String, secret: Bool = false,
         default defaultAnswer: @escaping @Sendable (SetupFacts, [String: String]) -> String? = { _, _ in nil },
         applies: @escaping @Sendable ([String: String]) -> Bool = { _ in true },
         check: @escaping @Sendable (String, SetupFacts, [String: String]) -> String?) {
        self.key = key
        self.prompt = prompt
        self.secret = secret
        self.defaultAnswer = defaultAnswer
        self.applies = applies
        self.check = check
    }
}

/// What setup knows about the machine: its network interfaces (`/sys/class/net`, without
/// `lo`), in the order the kernel lists them.
public struct SetupFacts: Sendable {
    public var interfaces: [String]
    public init(interfaces: [String]) { self.interfaces = interfaces }
}

extension SetupQuestion {
    /// In the order they are asked.
    public static let all: [SetupQuestion] = [
        SetupQuestion("wan.if", "WAN interface", default: { facts, _ in facts.interfaces.first }) { answer, facts, so in
            nicProblem(answer, facts: facts, taken: so, roles: [])
        },
        SetupQuestion("wan.address", "WAN address with prefix length (e.g. 198.51.100.2/24)") { answer, _, _ in
            hostAddressProblem(answer)
        },
        SetupQuestion("wan.gateway", "WAN upstream gateway (empty for none)", default: { _, _ in "" }) { answer, _, so in
            answer.isEmpty ? nil : inSubnetProblem(answer, of: so["wan.address"], nic: so["wan.if"], role: "WAN")
        },
        SetupQuestion("lan.if", "LAN interface",
                      default: { facts, so in facts.interfaces.first { $0 != so["wan.if"] } }) { answer, facts, so in
            nicProblem(answer, facts: facts, taken: so, roles: ["wan.if"])
        },
        SetupQuestion("lan.address", "LAN address with prefix length (e.g. 192.0.2.2/24)") { answer, _, so in
            hostAddressProblem(answer) ?? overlapProblem(answer, with: so["wan.address"], role: "WAN")
        },
        SetupQuestion("sync.if", "SYNC interface for state and config sync (empty for none)", default: { _, _ in "" }) { answer, facts, so in
            answer.isEmpty ? nil : nicProblem(answer, facts: facts, taken: so, roles: ["wan.if", "lan.if"])
        },
        SetupQuestion("sync.address", "SYNC address with prefix length (e.g. 203.0.113.1/30)",
                      applies: { !($0["sync.if"] ?? "").isEmpty }) { answer, _, so in
            hostAddressProblem(answer) ?? overlapProblem(answer, with: so["wan.address"], role: "WAN")
                ?? overlapProblem(answer, with: so["lan.address"], role: "LAN")
        },
        SetupQuestion("sync.peer", "the peer node's SYNC address (empty: no sync yet)", default: { _, _ in "" },
                      applies: { !($0["sync.if"] ?? "").isEmpty }) { answer, _, so in
            guard !answer.isEmpty else { return nil }
            if answer == so["sync.address"].flatMap({ $0.split(separator: "/").first.map(String.init) }) {
                return "that is this node's own SYNC address"
            }
            return inSubnetProblem(answer, of: so["sync.address"], nic: so["sync.if"], role: "SYNC")
        },
        SetupQuestion("lan.vip", "LAN CARP VIP, the LAN's gateway address (empty for none)", default: { _, _ in "" }) { answer, _, so in
            answer.isEmpty ? nil : vipProblem(answer, of: so["lan.address"], nic: so["lan.if"], role: "LAN")
        },
        SetupQuestion("wan.vip", "WAN CARP VIP, the address outbound NAT uses (empty for none)", default: { _, _ in "" }) { answer, _, so in
            answer.isEmpty ? nil : vipProblem(answer, of: so["wan.address"], nic: so["wan.if"], role: "WAN")
        },
        SetupQuestion("carp.advskew", "CARP advskew: 0 on the primary node, 100 on the secondary", default: { _, _ in "0" },
                      applies: hasVIP) { answer, _, _ in
            guard let v = Int(answer), (0...254).contains(v) else { return "expected a number from 0 to 254" }
            return nil
        },
        SetupQuestion("carp.password", "CARP password (the same on both nodes)", secret: true, applies: hasVIP) { answer, _, _ in
            answer.isEmpty ? "the VIPs need a password" : nil
        },
        SetupQuestion("hostname", "host name", default: { _, _ in "tandem" }) { answer, _, _ in
            hostnameProblem(answer)
        },
        SetupQuestion("domain", "domain", default: { _, _ in "localdomain" }) { answer, _, _ in
            answer.split(separator: ".", omittingEmptySubsequences: false).lazy.compactMap { hostnameProblem(String($0)) }.first
                .map { "each part of the domain: \($0)" }
        },
        SetupQuestion("admin.password", "admin password (the management endpoint's login)", secret: true) { answer, _, _ in
            answer.count < 8 ? "at least 8 characters" : nil
        },
    ]

    static func hasVIP(_ so: [String: String]) -> Bool {
        !(so["lan.vip"] ?? "").isEmpty || !(so["wan.vip"] ?? "").isEmpty
    }

    static func nicProblem(_ answer: String, facts: SetupFacts, taken: [String: String], roles: [String]) -> String? {
        guard facts.interfaces.contains(answer) else {
            return "no interface \"\(answer)\" on this machine (there are: \(facts.interfaces.joined(separator: ", ")))"
        }
        if let role = roles.first(where: { taken[$0] == answer }) {
            return "\(answer) is already the \(role.prefix { $0 != "." }.uppercased()) interface"
        }
        return nil
    }

    static func hostAddressProblem(_ answer: String) -> String? {
        let parts = answer.split(separator: "/")
        guard parts.count == 2, let address = IPv4Address(parts[0]), let prefix = Int(parts[1]) else {
            return "expected an IPv4 address with a prefix length, like 192.0.2.2/24"
        }
        guard (8...30).contains(prefix) else { return "prefix length \(prefix): expected 8 to 30 (a subnet with room for a peer)" }
        guard let net = IPNetwork(address: .v4(address), prefixLength: prefix) else { return "not a valid network" }
        if IPAddress.v4(address) == net.network { return "\(address) is the network address of /\(prefix)" }
        if address.value | (UInt32.max >> UInt32(prefix)) == address.value { return "\(address) is the broadcast address of /\(prefix)" }
        return nil
    }

    static func subnet(_ cidr: String?) -> IPNetwork? {
        guard let cidr else { return nil }
        return IPNetwork(cidr)
    }

    static func inSubnetProblem(_ answer: String, of cidr: String?, nic: String?, role: String) -> String? {
        guard let address = IPv4Address(answer) else { return "expected an IPv4 address, like 192.0.2.1" }
        guard let net = subnet(cidr) else { return nil }
        guard net.contains(.v4(address)) else {
            return "\(address) is outside \(nic ?? role)'s subnet \(net.network)/\(net.prefixLength) (\(role))"
        }
        return nil
    }

    static func vipProblem(_ answer: String, of cidr: String?, nic: String?, role: String) -> String? {
        if let problem = inSubnetProblem(answer, of: cidr, nic: nic, role: role) { return problem }
        if let cidr, cidr.split(separator: "/").first.map(String.init) == answer {
            return "\(answer) is this node's own \(role) address; the VIP must be a third address"
        }
        return nil
    }

    static func overlapProblem(_ answer: String, with other: String?, role: String) -> String? {
        guard let a = subnet(answer), let b = subnet(other) else { return nil }
        if a.contains(b.network) || b.contains(a.network) {
            return "overlaps the \(role) subnet \(b.network)/\(b.prefixLength)"
        }
        return nil
    }

    /// RFC 1123 §2.1 host name label.
    static func hostnameProblem(_ answer: String) -> String? {
        let ok = !answer.isEmpty && answer.count <= 63 && answer.first != "-" && answer.last != "-"
            && answer.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return ok ? nil : "expected letters, digits and inner hyphens, at most 63 (RFC 1123)"
    }
}
