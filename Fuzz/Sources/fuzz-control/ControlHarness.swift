import FuzzInput
@testable import TandemDaemon

/// One line from the control socket, as the daemon decodes it (any local process that can
/// reach the socket sends these): it is a valid request or a `ControlRequestError`, never a
/// trap; a request that decodes is one the daemon knows how to answer, and it survives its
/// own JSON encoding.
func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    guard let request = try? ControlServer.decode(line) else { return }
    fuzzCheck(line.count <= ControlRequest.maximumSize, "accepted a \(line.count)-byte request")
    fuzzCheck((try? request.validated()) == request, "decoded request fails validation")
}

