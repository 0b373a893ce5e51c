import Foundation

/// Serialises an `XMLDocument`. Parsed nodes keep their layout text, so an unedited file is
/// written back byte for byte (up to escaping choices); elements created by edits are laid out
/// pfSense style by the editing helpers (tab indentation, `<x></x>` for empty elements, CDATA
/// for the fields pfSense writes as CDATA).
public enum XMLWriter {
    public static func write(_ document: XMLDocument) -> String {
        var out = ""
        out.reserveCapacity(64 * 1024)
        if let declaration = document.declaration {
            out += declaration
            out += "\n"
        }
        for node in document.prolog {
            write(node, into: &out)
            out += "\n"
        }
        write(document.root, into: &out)
        out += "\n"
        for node in document.epilog {
            write(node, into: &out)
            out += "\n"
        }
        return out
    }

    public static func write(_ element: XMLElement) -> String {
        var out = ""
        write(element, into: &out)
        return out
    }

    static func write(_ element: XMLElement, into out: inout String) {
        out += "<"
        out += element.name
        for attribute in element.attributePairs {
            out += " "
            out += attribute.name
            out += "=\""
            out += escape(attribute.value, attribute: true)
            out += "\""
        }
        if element.children.isEmpty {
            out += element.selfClosing ? "/>" : "></" + element.name + ">"
            return
        }
        out += ">"
        for child in element.children {
            write(child, into: &out)
        }
        out += "</"
        out += element.name
        out += ">"
    }

    static func write(_ node: XMLNode, into out: inout String) {
        switch node {
        case .element(let e):
            write(e, into: &out)
        case .text(let t):
            out += escape(t, attribute: false)
        case .cdata(let t):
            // `]]>` cannot occur inside one CDATA section: split it across two.
            out += "<![CDATA["
            out += t.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
            out += "]]>"
        case .comment(let t):
            out += "<!--"
            out += t
            out += "-->"
        case .processingInstruction(let target, let data):
            out += "<?"
            out += target
            if !data.isEmpty {
                out += " "
                out += data
            }
            out += "?>"
        }
    }

    static func escape(_ text: String, attribute: Bool) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x0D }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
