/// The control socket's protocol: one JSON object per line each way (`ROOT/run/tandem/
/// control.sock`). Requests are small; anything longer than `ControlRequest.maximumSize`
/// or not one of the commands below is refused with an error response.
public struct ControlRequest: Sendable, Codable, Equatable {
    public enum Command: String, Sendable, Codable, CaseIterable {
        case status
        /// Persistent CARP maintenance mode: `on` is required.
        case carpMaintenance = "carp-maintenance"
        case reload
    }

    public static let maximumSize = 4096

    public var command: Command
    public var on: Bool?

    public init(command: Command, on: Bool? = nil) {
        self.command = command
        self.on = on
    }

    /// The request's meaning, or why it is not one.
    public func validated() throws(ControlRequestError) -> ControlRequest {
        switch command {
        case .carpMaintenance:
            guard on != nil else { throw .missingField("on", command: command.rawValue) }
        case .status, .reload:
            guard on == nil else { throw .unexpectedField("on", command: command.rawValue) }
        }
        return self
    }
}

public enum ControlRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(Int)
    case malformed(String)
    case missingField(String, command: String)
    case unexpectedField(String, command: String)

    public var description: String {
        switch self {
        case .tooLong(let n): "request of \(n) bytes, expected at most \(ControlRequest.maximumSize)"
        case .malformed(let why): "request is not a control request: \(why)"
        case .missingField(let f, let c): "'\(c)' needs the field '\(f)'"
        case .unexpectedField(let f, let c): "'\(c)' takes no field '\(f)'"
        }
    }
}

public struct ControlResponse: Sendable, Codable, Equatable {
    public var ok: Bool
    public var error: String?
    public var message: String?
    public var status: NodeStatus?

    public init(ok: Bool, error: String? = nil, message: String? = nil, status: NodeStatus? = nil) {
        self.ok = ok
        self.error = error
        self.message = message
        self.status = status
    }

    public static func failure(_ error: String) -> ControlResponse { ControlResponse(ok: false, error: error) }
}
