/// One XML-RPC value (https://xmlrpc.com/spec.md), every type the specification names plus
/// the widely used `<nil/>` extension (Python's `allow_none`, PEAR XML_RPC2).
///
/// Structs keep their members in the order they were written: pfSense's PHP arrays are
/// ordered, and a config section sent as a struct must come back in the same order.
public enum XMLRPCValue: Sendable, Hashable {
    /// `<int>` / `<i4>` (32-bit in the specification; `<i8>` is accepted and written for
    /// values outside that range, as Apache XML-RPC and Python's `xmlrpc.client` read it).
    case int(Int)
    case boolean(Bool)
    case string(String)
    case double(Double)
    /// `<dateTime.iso8601>` in its lexical form (`19980717T14:08:55`): the specification
    /// gives no time zone, so the text is kept rather than guessed into an instant.
    case dateTime(String)
    case base64([UInt8])
    case `struct`([Member])
    case array([XMLRPCValue])
    case `nil`

    /// One struct member.
    public struct Member: Sendable, Hashable {
        public var name: String
        public var value: XMLRPCValue

        public init(_ name: String, _ value: XMLRPCValue) {
            self.name = name
            self.value = value
        }
    }

    /// A struct from `(name, value)` pairs, in order.
    public static func structure(_ members: [(String, XMLRPCValue)]) -> XMLRPCValue {
        .struct(members.map { Member($0.0, $0.1) })
    }

    /// The first member with this name, for a struct.
    public subscript(member name: String) -> XMLRPCValue? {
        guard case .struct(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var members: [Member]? {
        if case .struct(let m) = self { return m }
        return nil
    }

    public var items: [XMLRPCValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The type's element name, for messages.
    public var typeName: String {
        switch self {
        case .int: "int"
        case .boolean: "boolean"
        case .string: "string"
        case .double: "double"
        case .dateTime: "dateTime.iso8601"
        case .base64: "base64"
        case .struct: "struct"
        case .array: "array"
        case .nil: "nil"
        }
    }
}

/// `<methodCall>`: a method name and its positional parameters.
public struct XMLRPCCall: Sendable, Hashable {
    public var methodName: String
    public var params: [XMLRPCValue]

    public init(methodName: String, params: [XMLRPCValue] = []) {
        self.methodName = methodName
        self.params = params
    }
}

/// `<methodResponse>`: one value, or a fault.
public enum XMLRPCResponse: Sendable, Hashable {
    case value(XMLRPCValue)
    case fault(code: Int, message: String)
}
