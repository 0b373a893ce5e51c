#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The CLI's side of the control socket: one request, one response.
public struct ControlClient: Sendable {
    public let path: String
    public var timeoutMilliseconds: Int32 = 5000

    public init(path: String) {
        self.path = path
    }

    public func send(_ request: ControlRequest) throws -> ControlResponse {
        let fd = try UnixSocket.connect(path)
        defer { close(fd) }
        var bytes = try JSONEncoder.control.encode(request)
        bytes.append(UInt8(ascii: "\n"))
        try UnixSocket.writeAll(fd, Array(bytes), path: path)
        guard let line = try UnixSocket.readLine(fd, limit: 1 << 20, milliseconds: timeoutMilliseconds, path: path) else {
            throw ControlSocketError(operation: "the daemon closed the connection without answering", path: path, errno: ECONNRESET)
        }
        return try JSONDecoder().decode(ControlResponse.self, from: Data(line))
    }
}
