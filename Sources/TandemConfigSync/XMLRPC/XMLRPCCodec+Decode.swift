import Foundation
import TandemConfig

/// Reads a parsed `<methodCall>` / `<methodResponse>` tree into values. Every refusal names
/// the element path and what was expected there.
struct ValueReader {
    private var depth = 0

    mutating func call(_ root: XMLElement) throws(XMLRPCError) -> XMLRPCCall {
        let path = root.name
        let children = try elementChildren(of: root, path: path)
        guard let nameElement = children.first(where: { $0.name == "methodName" }) else {
            throw XMLRPCError(position: root.position, path: path, message: "missing <methodName>")
        }
        let name = try leafText(nameElement, path: path + "/methodName").trimmed
        // The specification's method-name alphabet.
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(Self.isMethodNameCharacter) else {
            throw XMLRPCError(position: nameElement.position, path: path + "/methodName",
                              message: "method name '\(name)' is empty or has characters outside A-Z a-z 0-9 _ . : /")
        }
        for child in children where child.name != "methodName" && child.name != "params" {
            throw XMLRPCError(position: child.position, path: path + "/" + child.name,
                              message: "unexpected element, expected <methodName> and <params>")
        }
        guard children.filter({ $0.name == "methodName" }).count == 1,
              children.filter({ $0.name == "params" }).count <= 1 else {
            throw XMLRPCError(position: root.position, path: path, message: "<methodName> and <params> may occur once each")
        }
        var params: [XMLRPCValue] = []
        if let paramsElement = children.first(where: { $0.name == "params" }) {
            params = try self.params(paramsElement, path: path + "/params")
        }
        return XMLRPCCall(methodName: name, params: params)
    }

    mutating func response(_ root: XMLElement) throws(XMLRPCError) -> XMLRPCResponse {
        let path = root.name
        let children = try elementChildren(of: root, path: path)
        guard children.count == 1, let only = children.first else {
            throw XMLRPCError(position: root.position, path: path, message: "expected exactly one of <params> or <fault>")
        }
        switch only.name {
        case "params":
            let params = try self.params(only, path: path + "/params")
            guard params.count == 1 else {
                throw XMLRPCError(position: only.position, path: path + "/params",
                                  message: "a response carries exactly one <param>, found \(params.count)")
            }
            return .value(params[0])
        case "fault":
            let faultPath = path + "/fault"
            let inner = try elementChildren(of: only, path: faultPath)
            guard inner.count == 1, inner[0].name == "value" else {
                throw XMLRPCError(position: only.position, path: faultPath, message: "expected one <value> in <fault>")
            }
            let value = try self.value(inner[0], path: faultPath + "/value")
            guard case .int(let code)? = value[member: "faultCode"], case .string(let message)? = value[member: "faultString"] else {
                throw XMLRPCError(position: inner[0].position, path: faultPath + "/value",
                                  message: "a fault is a struct with an int faultCode and a string faultString")
            }
            return .fault(code: code, message: message)
        default:
            throw XMLRPCError(position: only.position, path: path + "/" + only.name, message: "expected <params> or <fault>")
        }
    }

    private mutating func params(_ element: XMLElement, path: String) throws(XMLRPCError) -> [XMLRPCValue] {
        var result: [XMLRPCValue] = []
        for (i, param) in try elementChildren(of: element, path: path).enumerated() {
            let paramPath = "\(path)/param[\(i + 1)]"
            guard param.name == "param" else {
                throw XMLRPCError(position: param.position, path: "\(path)/\(param.name)", message: "expected <param>")
            }
            let inner = try elementChildren(of: param, path: paramPath)
            guard inner.count == 1, inner[0].name == "value" else {
                throw XMLRPCError(position: param.position, path: paramPath, message: "expected exactly one <value>")
            }
            result.append(try value(inner[0], path: paramPath + "/value"))
        }
        return result
    }

    /// One `<value>`: untyped text is a string (the specification's default type).
    mutating func value(_ element: XMLElement, path: String) throws(XMLRPCError) -> XMLRPCValue {
        guard depth < XMLRPCCodec.maximumDepth else {
            throw XMLRPCError(position: element.position, path: path,
                              message: "values nest more than \(XMLRPCCodec.maximumDepth) deep")
        }
        depth += 1
        defer { depth -= 1 }
        guard element.hasElementChildren else { return .string(element.text) }
        let children = try elementChildren(of: element, path: path)
        guard children.count == 1, let typed = children.first else {
            throw XMLRPCError(position: element.position, path: path, message: "a <value> holds exactly one typed element")
        }
        let typePath = path + "/" + typed.name
        func fail(_ message: String) -> XMLRPCError {
            XMLRPCError(position: typed.position, path: typePath, message: message)
        }
        switch typed.name {
        case "int", "i4", "i8":
            let text = try leafText(typed, path: typePath).trimmed
            let range: ClosedRange<Int> = typed.name == "i8" ? Int(Int64.min)...Int(Int64.max) : Int(Int32.min)...Int(Int32.max)
            guard Self.isInteger(text), let n = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text), range.contains(n) else {
                throw fail("'\(text)' is not a \(typed.name == "i8" ? "64" : "32")-bit integer")
            }
            return .int(n)
        case "boolean":
            switch try leafText(typed, path: typePath).trimmed {
            case "1": return .boolean(true)
            case "0": return .boolean(false)
            case let other: throw fail("'\(other)' is not a boolean (0 or 1)")
            }
        case "string":
            return .string(try leafText(typed, path: typePath))
        case "double":
            let text = try leafText(typed, path: typePath).trimmed
            guard !text.isEmpty, text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }),
                  let d = Double(text), d.isFinite else {
                throw fail("'\(text)' is not a finite double")
            }
            return .double(d)
        case "dateTime.iso8601":
            let text = try leafText(typed, path: typePath).trimmed
            guard text.count >= 8, text.unicodeScalars.allSatisfy({ "0123456789T:-+Z.".unicodeScalars.contains($0) }) else {
                throw fail("'\(text)' is not an ISO 8601 date and time")
            }
            return .dateTime(text)
        case "base64":
            let text = try leafText(typed, path: typePath).filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: text) else { throw fail("not valid base64") }
            return .base64(Array(data))
        case "nil":
            guard !typed.hasElementChildren, typed.text.allSatisfy(\.isWhitespace) else { throw fail("<nil/> has no content") }
            return .nil
        case "struct":
            var members: [XMLRPCValue.Member] = []
            for (i, member) in try elementChildren(of: typed, path: typePath).enumerated() {
                let memberPath = "\(typePath)/member[\(i + 1)]"
                guard member.name == "member" else {
                    throw XMLRPCError(position: member.position, path: "\(typePath)/\(member.name)", message: "expected <member>")
                }
                let parts = try elementChildren(of: member, path: memberPath)
                guard parts.count == 2, let nameElement = parts.first(where: { $0.name == "name" }),
                      let valueElement = parts.first(where: { $0.name == "value" }) else {
                    throw XMLRPCError(position: member.position, path: memberPath, message: "a <member> holds one <name> and one <value>")
                }
                let name = try leafText(nameElement, path: memberPath + "/name")
                members.append(XMLRPCValue.Member(name, try value(valueElement, path: memberPath + "/value")))
            }
            return .struct(members)
        case "array":
            let inner = try elementChildren(of: typed, path: typePath)
            guard inner.count == 1, inner[0].name == "data" else { throw fail("an <array> holds exactly one <data>") }
            var items: [XMLRPCValue] = []
            for (i, item) in try elementChildren(of: inner[0], path: typePath + "/data").enumerated() {
                guard item.name == "value" else {
                    throw XMLRPCError(position: item.position, path: "\(typePath)/data/\(item.name)", message: "expected <value>")
                }
                items.append(try value(item, path: "\(typePath)/data/value[\(i + 1)]"))
            }
            return .array(items)
        default:
            throw fail("unknown type <\(typed.name)>")
        }
    }

    /// The element children, refusing text between them (comments are allowed).
    private func elementChildren(of element: XMLElement, path: String) throws(XMLRPCError) -> [XMLElement] {
        var result: [XMLElement] = []
        for child in element.children {
            switch child {
            case .element(let e): result.append(e)
            case .text, .cdata:
                guard child.isLayout else {
                    throw XMLRPCError(position: element.position, path: path, message: "unexpected text inside <\(element.name)>")
                }
            case .comment, .processingInstruction: continue
            }
        }
        return result
    }

    /// The text of an element that must not hold elements.
    private func leafText(_ element: XMLElement, path: String) throws(XMLRPCError) -> String {
        guard !element.hasElementChildren else {
            throw XMLRPCError(position: element.position, path: path, message: "<\(element.name)> holds text, not elements")
        }
        return element.text
    }

    private static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.count <= 20 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func isMethodNameCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", ":", "/": true
        default: false
        }
    }
}
