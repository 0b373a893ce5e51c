import Foundation
import Testing
import TandemConfig
import TandemServices

/// Config → kea-dhcp4 / unbound / chronyd files against `Goldens/`, re-recorded only with
/// TANDEM_RECORD_GOLDENS=1.
@Suite struct RendererGoldenTests {
    @Test(arguments: ServiceGoldens.cases)
    func matchesGoldens(_ c: ServiceGoldens.Case) throws {
        let specs = try ServiceGoldens.specs(c)
        for kind in ServiceKind.allCases {
            let url = ServiceGoldens.directory.appendingPathComponent(ServiceGoldens.fileName(c, kind))
            let actual = specs.first { $0.kind == kind }?.contents
            if ServiceGoldens.recording {
                if let actual { try actual.write(to: url, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(at: url) }
                continue
            }
            let expected = try? String(contentsOf: url, encoding: .utf8)
            #expect(actual == expected, "\(url.lastPathComponent) differs (TANDEM_RECORD_GOLDENS=1 re-records):\n\(ServiceGoldens.diff(expected: expected ?? "<no file>", actual: actual ?? "<not rendered>"))")
        }
    }

    @Test func renderingIsDeterministic() throws {
        for c in ServiceGoldens.cases {
            #expect(try ServiceGoldens.specs(c) == ServiceGoldens.specs(c))
        }
    }

    /// The lab pair: the primary's Kea is the HA primary, the secondary's (advskew 100)
    /// the standby, each naming the other at its real address.
    @Test func examplePairHasMatchingHARoles() throws {
        let p = try ServiceGoldens.config(ServiceGoldens.examples.appendingPathComponent("primaryfw.xml"))
        let s = try ServiceGoldens.exampleSecondary()
        let hp = try #require(KeaRenderer.haPlan(p)), hs = try #require(KeaRenderer.haPlan(s))
        #expect(hp.role == .primary && hs.role == .standby)
        #expect(hp.localName == hs.partnerName && hs.localName == hp.partnerName)
        #expect(hp.interface == "lan")
    }

    /// A service whose section is absent or disabled is not planned.
    @Test func absentSectionsPlanNothing() throws {
        var config = try ServiceGoldens.config(ServiceGoldens.examples.appendingPathComponent("primaryfw.xml"))
        config.unbound?.enabled = false
        config.dhcpd = config.dhcpd.map { var s = $0; s.enabled = false; return s }
        config.system.timeservers = []
        #expect(ServicePlanner(paths: ServicePaths(root: "/srv/x")).plan(config).isEmpty)
    }

    /// Two nodes on one machine share no PID file, socket, lease file or config path.
    @Test func twoRootsShareNoFile() {
        func files(_ p: ServicePaths) -> Set<String> {
            [p.keaConfig, p.keaRunDirectory, p.keaLockDirectory, p.keaControlSocket, p.keaLeaseFile, p.unboundConfig,
             p.unboundPidFile, p.unboundControlSocket, p.unboundDirectory, p.chronyConfig, p.chronyPidFile,
             p.chronyControlSocket, p.chronyDriftFile, p.log(.dhcp4)]
        }
        let a = files(ServicePaths(root: "/srv/a")), b = files(ServicePaths(root: "/srv/b"))
        #expect(a.isDisjoint(with: b))
    }
}
