#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import NIOSSL
import TandemConfig
import X509

/// The certificate and key the endpoint presents: `system/webgui/ssl-certref` from the
/// config's `<cert>` list when set (pfSense's GUI certificate; `crt` and `prv` are base64 of
/// PEM, `pfsense/pfsense:src/etc/inc/certs.inc`), otherwise the node's own self-signed one
/// under `var/lib/tandem/tls/`, made on first start and kept (key mode 0600).
public struct ServerIdentity: Sendable {
    public var certificatePEM: String
    public var privateKeyPEM: String
    /// Where it came from, for the log and `tandem status`.
    public var source: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The TLS configuration for NIOSSL (TLS 1.2 and later).
    public func tlsConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// SHA-256 of the leaf certificate's DER, lower-case hex: what a peer pins.
    public func fingerprint() throws -> String {
        // The DER is the base64 between the PEM armour lines of the first block (RFC 7468 §2).
        let lines = certificatePEM.split(whereSeparator: \.isNewline)
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN CERTIFICATE") }),
              let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END CERTIFICATE") }),
              let der = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw Failure(description: "the certificate is not a PEM CERTIFICATE block")
        }
        return SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }

    /// The identity for a node: the configured certificate, or the stored/new self-signed one.
    public static func load(config: ConfigDocument, paths: NodePaths, hostname: String?) throws -> ServerIdentity {
        if let ref = config.config.system.webgui.sslCertRef, !ref.isEmpty {
            return try configured(ref: ref, root: config.xml.root)
        }
        return try selfSigned(directory: paths.tls, hostname: hostname ?? "tandem")
    }

    /// `<cert>` with `<refid>` = ref: its `crt` and `prv`.
    static func configured(ref: String, root: XMLElement) throws -> ServerIdentity {
        guard let cert = root.children("cert").first(where: { $0.child("refid")?.text == ref }) else {
            throw Failure(description: "system/webgui/ssl-certref: no <cert> with refid '\(ref)'")
        }
        func pem(_ field: String) throws -> String {
            let encoded = cert.child(field)?.text.filter { !$0.isWhitespace } ?? ""
            guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
                  text.contains("-----BEGIN") else {
                throw Failure(description: "cert[refid=\(ref)]/\(field): expected base64 of a PEM block")
            }
            return text
        }
        return ServerIdentity(certificatePEM: try pem("crt"), privateKeyPEM: try pem("prv"),
                              source: "config cert '\(ref)'")
    }

    /// `DIR/node.crt` + `DIR/node.key`, created when absent.
    static func selfSigned(directory: String, hostname: String) throws -> ServerIdentity {
        let certPath = directory + "/node.crt"
        let keyPath = directory + "/node.key"
        let fm = FileManager.default
        if fm.fileExists(atPath: certPath), fm.fileExists(atPath: keyPath) {
            let cert = try String(contentsOfFile: certPath, encoding: .utf8)
            let key = try String(contentsOfFile: keyPath, encoding: .utf8)
            return ServerIdentity(certificatePEM: cert, privateKeyPEM: key, source: certPath)
        }
        let made = try makeSelfSigned(hostname: hostname, now: Date())
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try write(made.privateKeyPEM, to: keyPath, mode: 0o600)
        try write(made.certificatePEM, to: certPath, mode: 0o644)
        return ServerIdentity(certificatePEM: made.certificatePEM, privateKeyPEM: made.privateKeyPEM, source: certPath)
    }

    /// A P-256 key and a ten-year self-signed server certificate for `hostname`.
    public static func makeSelfSigned(hostname: String, now: Date) throws -> ServerIdentity {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("Tandem")
            CommonName(hostname)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames([.dnsName(hostname)])
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 366 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key))
        return ServerIdentity(certificatePEM: try certificate.serializeAsPEM().pemString,
                              privateKeyPEM: key.pemRepresentation, source: "self-signed")
    }

    /// Writes with the mode set at creation (the key is never readable by others, not even
    /// between create and chmod), then renames into place.
    private static func write(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(description: "creating \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw Failure(description: "writing \(path): \(String(cString: strerror(errno)))")
        }
    }
}
