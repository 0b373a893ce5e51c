import TandemCompiler
import TandemConfig

/// The `--json` form of `tandem check`:
/// `{"file":…,"valid":…,"errors":[{"line":…,"column":…,"path":…,"message":…}],"warnings":[…],
/// "left_out":[{"path":…,"line":…,"description":…,"tracker":…,"missing":[…]}]}`: `left_out`
/// lists the pass rules not applied because a condition of theirs cannot be enforced.
struct CheckReport {
    var file: String
    var check: ConfigCheck
    var leftOut: [LeftOutRule] = []

    var json: String {
        func item(_ d: ConfigDiagnostic) -> String {
            let line = d.position.map { String($0.line) } ?? "null"
            let column = d.position.map { String($0.column) } ?? "null"
            return "{\"line\":\(line),\"column\":\(column),\"path\":\(quote(d.path)),\"message\":\(quote(d.message))}"
        }
        let errors = check.errors.map(item).joined(separator: ",")
        let warnings = check.warnings.map(item).joined(separator: ",")
        func rule(_ r: LeftOutRule) -> String {
            let missing = r.missing.map(quote).joined(separator: ",")
            return "{\"path\":\(quote(r.path)),\"line\":\(r.line.map(String.init) ?? "null"),"
                + "\"description\":\(r.description.map(quote) ?? "null"),\"tracker\":\(r.tracker.map(quote) ?? "null"),"
                + "\"missing\":[\(missing)]}"
        }
        let left = leftOut.map(rule).joined(separator: ",")
        return "{\"file\":\(quote(file)),\"valid\":\(check.isValid),\"errors\":[\(errors)],\"warnings\":[\(warnings)],\"left_out\":[\(left)]}"
    }
}

/// A JSON string literal (RFC 8259 §7).
func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let c where c.value < 0x20:
            let hex = String(c.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
