import Foundation

/// Writes calls and responses as Python's `xmlrpc.client` and PEAR XML_RPC2 do: every value
/// typed (`<string>` included), `<int>` for 32-bit integers and `<i8>` beyond.
struct ValueWriter {
    var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    mutating func call(_ call: XMLRPCCall) {
        text += "<methodCall><methodName>"
        escape(call.methodName)
        text += "</methodName><params>"
        for param in call.params {
            text += "<param>"
            value(param)
            text += "</param>"
        }
        text += "</params></methodCall>\n"
    }

    mutating func response(_ response: XMLRPCResponse) {
        text += "<methodResponse>"
        switch response {
        case .value(let v):
            text += "<params><param>"
            value(v)
            text += "</param></params>"
        case .fault(let code, let message):
            text += "<fault>"
            value(.structure([("faultCode", .int(code)), ("faultString", .string(message))]))
            text += "</fault>"
        }
        text += "</methodResponse>\n"
    }

    mutating func value(_ value: XMLRPCValue) {
        text += "<value>"
        switch value {
        case .int(let n):
            let tag = Int(Int32.min)...Int(Int32.max) ~= n ? "int" : "i8"
            text += "<\(tag)>\(n)</\(tag)>"
        case .boolean(let b):
            text += b ? "<boolean>1</boolean>" : "<boolean>0</boolean>"
        case .string(let s):
            text += "<string>"
            escape(s)
            text += "</string>"
        case .double(let d):
            // Non-finite values have no XML-RPC form; Python refuses them too.
            text += "<double>\(d.isFinite ? String(d) : "0")</double>"
        case .dateTime(let s):
            text += "<dateTime.iso8601>"
            escape(s)
            text += "</dateTime.iso8601>"
        case .base64(let bytes):
            text += "<base64>" + Data(bytes).base64EncodedString() + "</base64>"
        case .struct(let members):
            text += "<struct>"
            for member in members {
                text += "<member><name>"
                escape(member.name)
                text += "</name>"
                self.value(member.value)
                text += "</member>"
            }
            text += "</struct>"
        case .array(let items):
            text += "<array><data>"
            for item in items { self.value(item) }
            text += "</data></array>"
        case .nil:
            text += "<nil/>"
        }
        text += "</value>"
    }

    /// Character data: `&`, `<`, `>` escaped, CR as a reference so it survives end-of-line
    /// normalisation (XML 1.0 §2.11). Characters XML 1.0 cannot carry at all (C0 controls
    /// other than tab, LF, CR; U+FFFE/U+FFFF) become U+FFFD: a string decoded from XML or
    /// read from config.xml never holds one, so only a value built in code can.
    mutating func escape(_ s: String) {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x0D || $0 < 0x20 || $0 == 0xEF }) else {
            text += s
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "\r": text += "&#13;"
            case "\t", "\n": text.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                text += "\u{FFFD}"
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
