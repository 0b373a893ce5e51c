#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Serves the control socket: a dedicated thread accepts one client at a time, checks who
/// it is (SO_PEERCRED: root or the daemon's own user), reads one request line (size- and
/// time-limited), asks `handler` and writes one response line (time-limited: a client that
/// never reads is dropped). All socket I/O stays on that thread so a slow client never
/// blocks the CARP tasks.
final class ControlServer: @unchecked Sendable {
    typealias Handler = @Sendable (ControlRequest) async -> ControlResponse

    let path: String
    private let listener: Int32
    private let handler: Handler
    private let stopLock = NSLock()
    private var stopRequested = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    /// How long a client has to send its request, and to take the response.
    static let readMilliseconds: Int32 = 2000
    static let writeMilliseconds: Int32 = 2000

    init(path: String, handler: @escaping Handler) throws {
        self.path = path
        self.listener = try UnixSocket.listen(path)
        self.handler = handler
    }

    func start() {
        let t = Thread { [self] in acceptLoop() }
        t.name = "tandem-control"
        thread = t
        t.start()
    }

    /// Stops accepting, waits for the thread, removes the socket file.
    func stop() {
        stopLock.withLock { stopRequested = true }
        if thread != nil { finished.wait() }
        close(listener)
        unlink(path)
    }

    private var shouldStop: Bool { stopLock.withLock { stopRequested } }

    private func acceptLoop() {
        defer { finished.signal() }
        while !shouldStop {
            // Poll with a short timeout so stop() is noticed promptly.
            guard (try? UnixSocket.waitReadable(listener, milliseconds: 200, path: path)) == true else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            guard fcntl(client, F_SETFD, FD_CLOEXEC) == 0 else { close(client); continue }
            serve(client)
            close(client)
        }
    }

    /// Root, or the user the daemon runs as (who owns the socket).
    static func mayConnect(uid: uid_t, owner: uid_t = geteuid()) -> Bool {
        uid == 0 || uid == owner
    }

    private func serve(_ client: Int32) {
        let response: ControlResponse
        do {
            let uid = try UnixSocket.peerUID(client, path: path)
            guard Self.mayConnect(uid: uid) else {
                // The socket is 0600 in a 0700 directory; this holds even if those change.
                respond(.failure("permission denied: uid \(uid) is neither root nor the daemon's user"), to: client)
                return
            }
            guard let line = try UnixSocket.readLine(client, limit: ControlRequest.maximumSize,
                                                     milliseconds: Self.readMilliseconds, path: path) else { return }
            let request = try Self.decode(line)
            response = call(request)
        } catch let error as ControlRequestError {
            response = .failure(error.description)
        } catch {
            response = .failure("\(error)")
        }
        respond(response, to: client)
    }

    private func respond(_ response: ControlResponse, to client: Int32) {
        guard var bytes = try? JSONEncoder.control.encode(response) else { return }
        bytes.append(UInt8(ascii: "\n"))
        try? UnixSocket.writeAll(client, Array(bytes), path: path, milliseconds: Self.writeMilliseconds)
    }

    static func decode(_ line: [UInt8]) throws(ControlRequestError) -> ControlRequest {
        guard line.count <= ControlRequest.maximumSize else { throw .tooLong(line.count) }
        let request: ControlRequest
        do {
            request = try JSONDecoder().decode(ControlRequest.self, from: Data(line))
        } catch {
            throw .malformed("\(error)")
        }
        return try request.validated()
    }

    /// Runs the async handler from this thread and waits for its answer.
    private func call(_ request: ControlRequest) -> ControlResponse {
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        Task {
            box.set(await handler(request))
            done.signal()
        }
        done.wait()
        return box.get() ?? .failure("no response")
    }
}

private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ControlResponse?
    func set(_ v: ControlResponse) { lock.withLock { value = v } }
    func get() -> ControlResponse? { lock.withLock { value } }
}

extension JSONEncoder {
    static var control: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
