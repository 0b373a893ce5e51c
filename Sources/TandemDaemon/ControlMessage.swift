/// The control socket's protocol: one JSON object per line each way (`ROOT/run/tandem/
/// control.sock`). Requests are small; anything longer than `ControlRequest.maximumSize`
/// or not one of the commands below is refused with an error response.
public struct ControlRequest: Sendable, Codable, Equatable {
    public enum Command: String, Sendable, Codable, CaseIterable {
        case status
        /// Persistent CARP maintenance mode: `on` is required.
        case carpMaintenance = "carp-maintenance"
        case reload
        /// `tandem confirm`: keep the config an `apply --confirm` applied.
        case confirm
        /// After `tandem apply --confirm`: restore `revision` unless confirmed within
        /// `seconds`; `applied` is the revision the apply wrote.
        case armConfirm = "arm-confirm"
    }

    public static let maximumSize = 4096

    public var command: Command
    public var on: Bool?
    public var seconds: Double?
    public var revision: Int?
    public var applied: Int?
    public var user: String?

    public init(command: Command, on: Bool? = nil, seconds: Double? = nil, revision: Int? = nil,
                applied: Int? = nil, user: String? = nil) {
        self.command = command
        self.on = on
        self.seconds = seconds
        self.revision = revision
        self.applied = applied
        self.user = user
    }

    /// The request's meaning, or why it is not one.
    public func validated() throws(ControlRequestError) -> ControlRequest {
        switch command {
        case .carpMaintenance:
            guard on != nil else { throw .missingField("on", command: command.rawValue) }
            try refuse(["seconds": seconds != nil, "revision": revision != nil, "applied": applied != nil, "user": user != nil])
        case .status, .reload, .confirm:
            try refuse(["on": on != nil, "seconds": seconds != nil, "revision": revision != nil, "applied": applied != nil,
                        "user": user != nil])
        case .armConfirm:
            guard let seconds else { throw .missingField("seconds", command: command.rawValue) }
            guard seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw .badValue("seconds", command: command.rawValue, expected: "more than 0 and at most 86400")
            }
            guard let revision else { throw .missingField("revision", command: command.rawValue) }
            guard let applied else { throw .missingField("applied", command: command.rawValue) }
            guard revision > 0, applied > 0 else {
                throw .badValue("revision", command: command.rawValue, expected: "revision numbers of 1 or more")
            }
            try refuse(["on": on != nil])
        }
        return self
    }

    private func refuse(_ present: [String: Bool]) throws(ControlRequestError) {
        if let field = present.filter(\.value).keys.sorted().first {
            throw .unexpectedField(field, command: command.rawValue)
        }
    }
}

public enum ControlRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(Int)
    case malformed(String)
    case missingField(String, command: String)
    case unexpectedField(String, command: String)
    case badValue(String, command: String, expected: String)

    public var description: String {
        switch self {
        case .tooLong(let n): "request of \(n) bytes, expected at most \(ControlRequest.maximumSize)"
        case .malformed(let why): "request is not a control request: \(why)"
        case .missingField(let f, let c): "'\(c)' needs the field '\(f)'"
        case .unexpectedField(let f, let c): "'\(c)' takes no field '\(f)'"
        case .badValue(let f, let c, let e): "'\(c)': '\(f)' must be \(e)"
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
