/// Parse + validate in one step, as `tandem check` and `tandem apply` need it: every problem,
/// from an unreadable file to a dangling alias, as a diagnostic.
public struct ConfigCheck: Sendable {
    /// The document when it could be read (nil after a parse error).
    public var document: ConfigDocument?
    public var diagnostics: [ConfigDiagnostic]

    public init(bytes: some Collection<UInt8>) {
        do {
            let doc = try ConfigDocument(bytes: bytes)
            document = doc
            diagnostics = ConfigValidator.validate(doc.config)
        } catch {
            document = nil
            diagnostics = [error.diagnostic]
        }
    }

    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var isValid: Bool { errors.isEmpty }
}
