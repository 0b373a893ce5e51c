import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Kea's control channel (Kea 2.2 ARM "Management API"): one JSON command per connection
/// on the unix socket, one JSON map back (`result` 0 = success), read until Kea closes.
struct KeaControl: Sendable {
    let socketPath: String
    var timeoutMilliseconds: Int32 = 2000

    struct Failure: Error, CustomStringConvertible {
        var command: String
        var detail: String
        var description: String { "Kea \(command): \(detail)" }
    }

    /// Sends `command` and returns the reply's map; throws when Kea answers result ≠ 0.
    func send(_ command: String, arguments: [String: Any]? = nil) throws -> [String: Any] {
        var request: [String: Any] = ["command": command]
        if let arguments { request["arguments"] = arguments }
        let body = try JSONSerialization.data(withJSONObject: request)
        let fd = try UnixSocket.connect(socketPath)
        defer { close(fd) }
        try UnixSocket.writeAll(fd, Array(body), path: socketPath)
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        let deadline = UnixSocket.monotonicMilliseconds() + Int64(timeoutMilliseconds)
        while true {
            let left = deadline - UnixSocket.monotonicMilliseconds()
            guard left > 0, try UnixSocket.waitReadable(fd, milliseconds: Int32(left), path: socketPath) else {
                throw Failure(command: command, detail: "no reply within \(timeoutMilliseconds) ms")
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ControlSocketError(operation: "read", path: socketPath, errno: errno)
            }
            if n == 0 { break }
            reply += chunk[0..<n]
            guard reply.count < 4 << 20 else { throw Failure(command: command, detail: "reply larger than 4 MiB") }
        }
        guard let map = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else {
            throw Failure(command: command, detail: "reply is not a JSON map")
        }
        guard (map["result"] as? Int) == 0 else {
            throw Failure(command: command, detail: "result \(map["result"] ?? "?"): \(map["text"] ?? "")")
        }
        return map
    }

    /// This server's HA state from `status-get`
    /// (`arguments.high-availability[0].ha-servers.local.state`).
    func haState() throws -> String {
        let map = try send("status-get")
        guard let args = map["arguments"] as? [String: Any],
              let ha = (args["high-availability"] as? [[String: Any]])?.first,
              let servers = ha["ha-servers"] as? [String: Any],
              let local = servers["local"] as? [String: Any],
              let state = local["state"] as? String else {
            throw Failure(command: "status-get", detail: "no high-availability local state in the reply")
        }
        return state
    }
}
