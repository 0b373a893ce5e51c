/// The faults Tandem's endpoint answers besides pfSense's authentication faults (-1, -2,
/// sent by the endpoint before a call reaches the receiver). Codes follow the XML-RPC
/// fault-code interoperability convention (xmlrpc-epi "specs/faults"): -32601 method not
/// found, -32602 invalid parameters, -32603 internal error; -32000… for the server's own.
public enum SyncFault {
    public static func methodNotFound(_ name: String) -> XMLRPCResponse {
        .fault(code: -32601, message: "requested method not found: \(name)")
    }

    public static func invalidParams(_ name: String, _ why: String) -> XMLRPCResponse {
        .fault(code: -32602, message: "invalid method parameters for \(name): \(why)")
    }

    /// `exec_php`, `exec_shell`, `reboot`: pfSense runs them for any sync user.
    public static func refused(_ name: String) -> XMLRPCResponse {
        .fault(code: -32001, message: "\(name) is refused: Tandem never runs code or commands sent over the network")
    }

    /// The merged config did not validate; nothing changed.
    public static func invalidConfig(_ messages: [String]) -> XMLRPCResponse {
        .fault(code: -32002, message: "the merged configuration is invalid, nothing changed:\n" + messages.joined(separator: "\n"))
    }

    /// The merged config validated but could not be committed or applied.
    public static func commitFailed(_ why: String) -> XMLRPCResponse {
        .fault(code: -32603, message: "the merged configuration could not be committed: \(why)")
    }
}
