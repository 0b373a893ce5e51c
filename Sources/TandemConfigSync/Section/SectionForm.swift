import TandemConfig

/// A config section as it travels in an XML-RPC push: the PHP array pfSense's
/// `parse_xml_config()` makes of it (`pfsense/pfsense:src/etc/inc/xmlparse.inc`), encoded by
/// PEAR XML_RPC2 (numerically indexed arrays → `<array>`, keyed ones → `<struct>`).
///
/// - an element with child elements is a struct, members in order of first appearance;
/// - a child named in `listTags`, or one that occurs more than once, is an array of its
///   occurrences (so a single `<rule>` is still a one-item list, as pfSense needs it);
/// - a leaf is a string (an empty element is `""`, which keeps present-means-true flags);
/// - attributes (OPNsense's `uuid`, `version`) travel as an `@attributes` struct and a
///   leaf's text beside them as `@value`, the names OPNsense's `Config::toArray()` uses.
///
/// Like pfSense's own form it does not keep comments, layout, or the interleaving of
/// differently named siblings (`<a/><b/><a/>` comes back `<a/><a/><b/>`); everything else
/// survives the round trip (`canonical(_:)` is what comes back).
public enum SectionForm {
    /// pfSense's `listtags()`: elements that are always lists, however many occur.
    public static let listTags: Set<String> = [
        "acls", "alias", "aliasurl", "allowedip", "allowedhostname", "authserver",
        "bridged", "build_port_path",
        "ca", "cacert", "cert", "crl", "clone", "config", "container", "columnitem",
        "checkipservice",
        "depends_on_package", "disk", "dnsserver", "dnsupdate", "domainoverrides", "dyndns",
        "earlyshellcmd", "element", "encryption-algorithm-option",
        "field", "fieldname",
        "gateway_item", "gateway_group", "gif", "gre", "group",
        "hash-algorithm-option", "hosts", "ifgroupentry", "igmpentry", "interface_array", "item", "key",
        "lagg", "lbaction", "lbpool", "l7rules", "lbprotocol",
        "member", "menu", "tab", "mobilekey", "monitor_type", "mount",
        "npt", "ntpserver",
        "onetoone", "openvpn-server", "openvpn-client", "openvpn-csc", "option",
        "package", "passthrumac", "phase1", "phase2", "ppp", "pppoe", "priv", "proxyarpnet", "pool",
        "qinqentry", "queue",
        "pages", "pipe", "radnsserver", "roll", "route", "row", "rrddatafile", "rule",
        "schedule", "service", "servernat", "servers",
        "serversdisabled", "shellcmd", "staticmap", "subqueue", "switch", "swport",
        "timerange", "tunnel", "user", "vip", "virtual_server", "vlan", "vlangroup",
        "winsserver", "wolentry", "widget",
    ]

    static let attributesKey = "@attributes"
    static let textKey = "@value"

    /// The section's value, as pfSense sends it.
    public static func value(of element: XMLElement) -> XMLRPCValue {
        let attributes = element.attributes
        let attributeMember = attributes.isEmpty ? nil
            : XMLRPCValue.Member(attributesKey, .struct(attributes.map { XMLRPCValue.Member($0.name, .string($0.value)) }))
        guard element.hasElementChildren else {
            let text = leafText(element)
            guard let attributeMember else { return .string(text) }
            return .struct([attributeMember] + (text.isEmpty ? [] : [XMLRPCValue.Member(textKey, .string(text))]))
        }
        var order: [String] = []
        var groups: [String: [XMLElement]] = [:]
        for case .element(let child) in element.children {
            if groups[child.name] == nil { order.append(child.name) }
            groups[child.name, default: []].append(child)
        }
        var members: [XMLRPCValue.Member] = attributeMember.map { [$0] } ?? []
        for name in order {
            let group = groups[name]!
            if group.count > 1 || listTags.contains(name) {
                members.append(XMLRPCValue.Member(name, .array(group.map(value(of:)))))
            } else {
                members.append(XMLRPCValue.Member(name, value(of: group[0])))
            }
        }
        return .struct(members)
    }

    /// A leaf's text. Whitespace-only text with a line break is layout (`<filter>\n\t</filter>`
    /// is an empty section), unless it was written as CDATA.
    static func leafText(_ element: XMLElement) -> String {
        let text = element.text
        let isCDATA = element.children.contains { if case .cdata = $0 { true } else { false } }
        if !isCDATA, text.contains(where: \.isNewline), text.allSatisfy(\.isWhitespace) { return "" }
        return text
    }

    /// The element named `name` a value stands for, written as pfSense's
    /// `dump_xml_config_sub()` writes a PHP value: `true` and `nil` as an empty element,
    /// `false` not at all (nil is returned), numbers as their decimal text.
    public static func element(named name: String, from value: XMLRPCValue) throws(SectionFormError) -> XMLElement? {
        try element(named: name, from: value, path: name)
    }

    static func element(named name: String, from value: XMLRPCValue, path: String) throws(SectionFormError) -> XMLElement? {
        guard isElementName(name) else {
            throw SectionFormError(path: path, message: "'\(name)' cannot be an XML element name")
        }
        switch value {
        case .string(let s): return XMLElement.leaf(name, s)
        case .int(let n): return XMLElement.leaf(name, String(n))
        case .double(let d): return XMLElement.leaf(name, phpFloatText(d))
        case .dateTime(let s): return XMLElement.leaf(name, s)
        case .boolean(let b): return b ? XMLElement(name: name) : nil
        case .nil: return XMLElement(name: name)
        case .base64(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SectionFormError(path: path, message: "base64 value is not UTF-8 text")
            }
            return XMLElement.leaf(name, text)
        case .array:
            throw SectionFormError(path: path, message: "an array must be a struct member (its items become repeated <\(name)> elements)")
        case .struct(let members):
            var element = XMLElement(name: name)
            for member in members {
                let memberPath = path + "/" + member.name
                if member.name == attributesKey {
                    guard case .struct(let attributes) = member.value else {
                        throw SectionFormError(path: memberPath, message: "expected a struct of attribute values")
                    }
                    for attribute in attributes {
                        guard isElementName(attribute.name), let text = scalarText(attribute.value) else {
                            throw SectionFormError(path: memberPath + "/" + attribute.name, message: "not an attribute name and text value")
                        }
                        element.attributes.append((attribute.name, text))
                    }
                    continue
                }
                if member.name == textKey {
                    guard let text = scalarText(member.value) else {
                        throw SectionFormError(path: memberPath, message: "expected the element's text")
                    }
                    element.children.append(XMLElement.leaf(name, text).children.first ?? .text(""))
                    continue
                }
                if case .array(let items) = member.value {
                    for (i, item) in items.enumerated() {
                        if case .array = item {
                            throw SectionFormError(path: "\(memberPath)[\(i + 1)]", message: "an array inside an array has no XML form")
                        }
                        if let child = try self.element(named: member.name, from: item, path: "\(memberPath)[\(i + 1)]") {
                            element.children.append(.element(child))
                        }
                    }
                } else if let child = try self.element(named: member.name, from: member.value, path: memberPath) {
                    element.children.append(.element(child))
                }
            }
            element.children.removeAll { if case .text(let t) = $0 { t.isEmpty } else { false } }
            return element
        }
    }

    /// What a section becomes after a trip through `value(of:)` and back.
    public static func canonical(_ element: XMLElement) -> XMLElement {
        (try? self.element(named: element.name, from: value(of: element))).flatMap { $0 } ?? XMLElement(name: element.name)
    }

    static func scalarText(_ value: XMLRPCValue) -> String? {
        switch value {
        case .string(let s), .dateTime(let s): s
        case .int(let n): String(n)
        case .double(let d): phpFloatText(d)
        case .boolean(let b): b ? "1" : ""
        default: nil
        }
    }

    /// PHP's string form of a float: integral values without a fraction (`3.0` → `3`).
    static func phpFloatText(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// XML 1.0 names as config files use them: a letter or `_` first, then letters, digits,
    /// `-`, `.`, `_`, `:` (no other punctuation, no spaces).
    static func isElementName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || "-._:".unicodeScalars.contains($0) }
    }
}

/// A value that has no config.xml form, with the member path (`filter/rule[3]/source`).
public struct SectionFormError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
