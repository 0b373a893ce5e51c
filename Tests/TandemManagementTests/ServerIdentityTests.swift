import Foundation
import Testing
import TandemConfig
@testable import TandemManagement

@Suite struct ServerIdentityTests {
    @Test func selfSignedIsMadeOnceKeptAndPrivate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tls-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ServerIdentity.selfSigned(directory: dir, hostname: "fw1.example")
        let again = try ServerIdentity.selfSigned(directory: dir, hostname: "fw1.example")
        #expect(first.certificatePEM == again.certificatePEM)
        #expect(try first.fingerprint().count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/node.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        _ = try first.tlsConfiguration()
    }

    @Test func configuredCertificateByRefid() throws {
        let made = try ServerIdentity.makeSelfSigned(hostname: "gui", now: Date())
        let crt = Data(made.certificatePEM.utf8).base64EncodedString()
        let prv = Data(made.privateKeyPEM.utf8).base64EncodedString()
        let doc = try ConfigDocument(text: """
        <?xml version="1.0"?>
        <pfsense><version>23.3</version><system><webgui><protocol>https</protocol><ssl-certref>abc</ssl-certref></webgui></system>
        <cert><refid>abc</refid><descr>GUI</descr><crt>\(crt)</crt><prv>\(prv)</prv></cert></pfsense>
        """)
        let identity = try ServerIdentity.load(config: doc, paths: NodePaths(root: "/nonexistent"), hostname: nil)
        #expect(identity.certificatePEM == made.certificatePEM)
        #expect(identity.source == "config cert 'abc'")
    }

    @Test func missingRefidIsAnError() throws {
        let doc = try ConfigDocument(text: """
        <?xml version="1.0"?>
        <pfsense><version>23.3</version><system><webgui><ssl-certref>nope</ssl-certref></webgui></system></pfsense>
        """)
        #expect { try ServerIdentity.load(config: doc, paths: NodePaths(root: "/nonexistent"), hostname: nil) } throws: {
            "\($0)".contains("no <cert> with refid 'nope'")
        }
    }
}
