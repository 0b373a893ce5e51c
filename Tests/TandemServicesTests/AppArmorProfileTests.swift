import Foundation
import Testing
import TandemServices

/// Under `--root /` every file a daemon opens is one Debian 12's AppArmor profile for that
/// daemon allows, with the access it needs (`/etc/apparmor.d/usr.sbin.kea-dhcp4`,
/// `usr.sbin.unbound`, `usr.sbin.chronyd`, from the kea-dhcp4-server, unbound and chrony
/// packages). The profiles are read where installed; a missing one is a skip with its name.
@Suite struct AppArmorProfileTests {
    static let directory = "/etc/apparmor.d"

    /// (profile, path, needed permissions) for the appliance layout.
    static var needs: [(profile: String, path: String, perms: String)] {
        let p = ServicePaths(root: "/")
        return [
            ("usr.sbin.kea-dhcp4", p.keaConfig, "r"),
            ("usr.sbin.kea-dhcp4", p.keaLeaseFile, "rw"),
            ("usr.sbin.kea-dhcp4", p.keaLeaseFile + ".2", "rw"),
            ("usr.sbin.kea-dhcp4", p.keaControlSocket, "w"),
            ("usr.sbin.kea-dhcp4", p.keaControlSocket + ".lock", "rwk"),
            // KEA_PIDFILE_DIR/<config name>.kea-dhcp4.pid, KEA_LOCKFILE_DIR/logger_lockfile.
            ("usr.sbin.kea-dhcp4", p.keaRunDirectory + "/kea-dhcp4.kea-dhcp4.pid", "w"),
            ("usr.sbin.kea-dhcp4", p.keaLockDirectory + "/logger_lockfile", "rwk"),
            ("usr.sbin.unbound", p.unboundConfig, "r"),
            ("usr.sbin.unbound", p.unboundPidFile, "rw"),
            ("usr.sbin.unbound", p.unboundControlSocket, "rw"),
            // RFC 5011: Unbound rewrites its trust anchor in place.
            ("usr.sbin.unbound", p.unboundDirectory + "/root.key", "rw"),
            ("usr.sbin.chronyd", p.chronyConfig, "r"),
            ("usr.sbin.chronyd", p.chronyPidFile, "rw"),
            ("usr.sbin.chronyd", p.chronyControlSocket, "rw"),
            ("usr.sbin.chronyd", p.chronyDriftFile, "rw"),
        ]
    }

    static var missingProfile: String? {
        Set(needs.map(\.profile)).sorted().first { !FileManager.default.fileExists(atPath: directory + "/" + $0) }
    }

    @Test(.enabled(if: missingProfile == nil, Comment(rawValue: "AppArmor profile \(directory)/\(missingProfile ?? "") not installed")))
    func applianceFilesAreAllowedByDebiansProfiles() throws {
        for need in Self.needs {
            let text = try String(contentsOfFile: Self.directory + "/" + need.profile, encoding: .utf8)
            let rules = AppArmorRule.parse(text)
            let granted = rules.filter { $0.matches(need.path) }.reduce(into: Set<Character>()) { $0.formUnion($1.permissions) }
            let missing = need.perms.filter { !granted.contains($0) }
            #expect(missing.isEmpty, "\(need.profile) does not allow '\(missing)' on \(need.path)")
        }
    }

    /// The matcher itself, on apparmor.d(5)'s globbing.
    @Test func globbing() {
        let r = AppArmorRule.parse("  owner /{tmp,run/kea}/kea4-ctrl-socket w,\n  /etc/kea/** r,\n  @{run}/chrony/{,*} rw,\n  /var/lib/kea/kea-leases4.csv* rw,\n")
        #expect(r.count == 4)
        #expect(r[0].matches("/run/kea/kea4-ctrl-socket") && r[0].matches("/tmp/kea4-ctrl-socket") && !r[0].matches("/run/kea4-ctrl-socket"))
        #expect(r[1].matches("/etc/kea/a/b.conf") && !r[1].matches("/etc/keax/a"))
        #expect(r[2].matches("/run/chrony/chronyd.sock") && r[2].matches("/var/run/chrony/") && !r[2].matches("/run/chrony/a/b"))
        #expect(r[3].matches("/var/lib/kea/kea-leases4.csv.2") && !r[3].matches("/var/lib/kea/x/kea-leases4.csv"))
    }
}

/// One file rule of an AppArmor profile: `[owner] PATH PERMS,` (apparmor.d(5)).
struct AppArmorRule {
    var pattern: NSRegularExpression
    var permissions: Set<Character>

    /// The variables Debian's tunables define for these profiles (`tunables/run`, `sys`).
    static let variables = ["@{run}": "{/var/run,/run}", "@{sys}": "/sys", "@{PROC}": "/proc"]

    static func parse(_ text: String) -> [AppArmorRule] {
        text.split(separator: "\n").compactMap { raw in
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasSuffix(","), !line.hasPrefix("#") else { return nil }
            line.removeLast()
            for prefix in ["audit ", "owner "] where line.hasPrefix(prefix) { line.removeFirst(prefix.count) }
            guard line.hasPrefix("/") || line.hasPrefix("@{") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            var glob = String(parts[0])
            for (name, value) in variables { glob = glob.replacingOccurrences(of: name, with: value) }
            guard let regex = try? NSRegularExpression(pattern: "^" + regexSource(glob) + "$") else { return nil }
            return AppArmorRule(pattern: regex, permissions: Set(parts[1].filter { "rwkalmx".contains($0) }))
        }
    }

    /// `**` any characters, `*` any but `/`, `?` one but `/`, `{a,b}` alternatives,
    /// `[...]` a character class.
    static func regexSource(_ glob: String) -> String {
        var out = ""
        var chars = Array(glob)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            switch c {
            case "*":
                if chars.first == "*" { chars = chars.dropFirst(); out += ".*" } else { out += "[^/]*" }
            case "?": out += "[^/]"
            case "{": out += "("
            case "}": out += ")"
            case ",": out += "|"
            case "[", "]", "-", "^": out.append(c)
            default: out += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        return out
    }

    func matches(_ path: String) -> Bool {
        pattern.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }
}
