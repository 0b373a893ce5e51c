/// The Prometheus text exposition format, version 0.0.4 (prometheus/docs
/// `content/docs/instrumenting/exposition_formats.md`): per family one `# HELP` and one
/// `# TYPE` line, then `name{label="value",…} value` samples; label values escape `\`, `"`
/// and newline. Written by hand rather than through swift-prometheus's registry: every value
/// here is read from the node's status at scrape time (a snapshot), not incremented in
/// place by instrumented code, so a registry would only be filled and emptied per scrape.
public struct MetricsText: Sendable {
    public enum Kind: String, Sendable { case gauge, counter }

    public private(set) var text = ""
    private var declared: Set<String> = []

    public init() {}

    /// Declares a family once; samples follow with `sample`.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    /// One family with one sample.
    public mutating func single(_ name: String, _ kind: Kind, _ help: String, _ value: Double,
                                labels: [(String, String)] = []) {
        family(name, kind, help)
        sample(name, labels, value)
    }

    /// Integers without a fraction; NaN and infinities in Go's spelling, as the format wants.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
