import TandemAddress

extension ConfigExtractor {
    /// `<tandem><metrics>`, each value that cannot be typed recorded at its element.
    mutating func metricsSettings() -> MetricsSettings {
        guard let element = root.child("tandem")?.child("metrics") else { return MetricsSettings() }
        var settings = MetricsSettings(disabled: ItemReader.flag(element.child("disable")))
        let allows = element.children("allow")
        if !allows.isEmpty {
            var networks: [IPNetwork] = []
            for (i, allow) in allows.enumerated() {
                let text = allow.text.trimmed
                if let network = IPNetwork(text) {
                    networks.append(network.masked)
                } else {
                    issues.append(ConfigDiagnostic(.error, path: "tandem/metrics/allow[\(i + 1)]", position: allow.position,
                                                   message: "'\(text)' is not an address or a network (expected e.g. 192.0.2.0/24)"))
                }
            }
            settings.allow = networks
        }
        if let token = element.child("token") {
            let text = token.text.trimmed
            // A bearer token is a b64token (RFC 6750 §2.1): letters, digits and -._~+/ with
            // trailing '='. Anything else could not be sent in the header as written.
            let allowed = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._~+/=".contains($0)) }
            if text.count < 16 || !allowed {
                issues.append(ConfigDiagnostic(.error, path: "tandem/metrics/token", position: token.position,
                                               message: "expected at least 16 characters of A-Z a-z 0-9 - . _ ~ + / = (a bearer token, RFC 6750 §2.1)"))
            } else {
                settings.token = text
            }
        }
        return settings
    }
}
