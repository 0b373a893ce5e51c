#if canImport(Glibc)
import Glibc
#endif

/// A failed socket call on the control socket: the call, the path and the errno.
public struct ControlSocketError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "\(path): \(operation): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The syscalls the control socket needs, in one place (STYLE.md §6): EINTR retried,
/// every failure a `ControlSocketError` naming the call and the socket path.
enum UnixSocket {
    static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { throw ControlSocketError(operation: "socket path longer than \(capacity - 1) bytes", path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }

    static func stream(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlSocketError(operation: "socket(AF_UNIX)", path: path, errno: errno) }
        return fd
    }

    /// Makes `directory` ours and private: created 0700 when missing; when it exists it
    /// must be a real directory (not a symlink) owned by this user, and loses any group or
    /// other permission (a writable run directory would let another user replace the
    /// socket with one of their own).
    static func secureDirectory(_ directory: String) throws {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw ControlSocketError(operation: "mkdir", path: directory, errno: errno)
        }
        var st = stat()
        guard lstat(directory, &st) == 0 else { throw ControlSocketError(operation: "lstat", path: directory, errno: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw ControlSocketError(operation: "not a directory (or a symbolic link)", path: directory, errno: ENOTDIR)
        }
        guard st.st_uid == geteuid() else {
            throw ControlSocketError(operation: "owned by uid \(st.st_uid), not by this user (\(geteuid()))", path: directory, errno: EPERM)
        }
        if st.st_mode & 0o077 != 0, chmod(directory, 0o700) != 0 {
            throw ControlSocketError(operation: "chmod 0700", path: directory, errno: errno)
        }
    }

    /// The connected peer's user id (SO_PEERCRED, unix(7)): the kernel's record of who
    /// connected, which the peer cannot forge.
    static func peerUID(_ fd: Int32, path: String) throws -> uid_t {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        var cred: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: cred))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 else {
            throw ControlSocketError(operation: "getsockopt(SO_PEERCRED)", path: path, errno: errno)
        }
        return cred.uid
    }

    /// Listens on `path` with mode 0600 (only root talks to the daemon) in a private
    /// directory (`secureDirectory`). A stale socket file left by a crashed daemon is
    /// replaced; a live one (something accepts) is not.
    static func listen(_ path: String) throws -> Int32 {
        let slash = path.lastIndex(of: "/")
        if let slash, slash != path.startIndex { try secureDirectory(String(path[..<slash])) }
        if access(path, F_OK) == 0 {
            if let probe = try? connect(path) {
                close(probe)
                throw ControlSocketError(operation: "another daemon is listening", path: path, errno: EADDRINUSE)
            }
            unlink(path)
        }
        let fd = try stream(path)
        var addr = try address(path)
        // umask makes the socket 0600 from birth (no window between bind and chmod).
        let oldMask = umask(0o177)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let bindErrno = errno
        umask(oldMask)
        guard bound == 0 else { close(fd); throw ControlSocketError(operation: "bind", path: path, errno: bindErrno) }
        guard chmod(path, 0o600) == 0 else { let e = errno; close(fd); throw ControlSocketError(operation: "chmod 0600", path: path, errno: e) }
        guard Glibc.listen(fd, 16) == 0 else { let e = errno; close(fd); throw ControlSocketError(operation: "listen", path: path, errno: e) }
        return fd
    }

    static func connect(_ path: String) throws -> Int32 {
        let fd = try stream(path)
        var addr = try address(path)
        while true {
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if r == 0 { return fd }
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw ControlSocketError(operation: "connect", path: path, errno: e)
        }
    }

    /// Waits up to `milliseconds` for `fd` to become readable.
    static func waitReadable(_ fd: Int32, milliseconds: Int32, path: String) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, milliseconds)
            if r >= 0 { return r > 0 }
            if errno == EINTR { continue }
            throw ControlSocketError(operation: "poll", path: path, errno: errno)
        }
    }

    /// Reads one `\n`-terminated line of at most `limit` bytes within `milliseconds`.
    /// Returns nil when the peer closed before sending a full line.
    static func readLine(_ fd: Int32, limit: Int, milliseconds: Int32, path: String) throws -> [UInt8]? {
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = monotonicMilliseconds() + Int64(milliseconds)
        while true {
            let left = deadline - monotonicMilliseconds()
            guard left > 0, try waitReadable(fd, milliseconds: Int32(left), path: path) else {
                throw ControlSocketError(operation: "read: no complete line within \(milliseconds) ms", path: path, errno: ETIMEDOUT)
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ControlSocketError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return nil }
            if let newline = chunk[0..<n].firstIndex(of: UInt8(ascii: "\n")) {
                line += chunk[0..<newline]
                guard line.count <= limit else { throw ControlSocketError(operation: "line longer than \(limit) bytes", path: path, errno: EMSGSIZE) }
                return line
            }
            line += chunk[0..<n]
            guard line.count <= limit else { throw ControlSocketError(operation: "line longer than \(limit) bytes", path: path, errno: EMSGSIZE) }
        }
    }

    /// Writes everything; with `milliseconds`, gives up (ETIMEDOUT) when the peer has not
    /// taken it all by then, so a client that never reads cannot hold the server.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, milliseconds: Int32? = nil) throws {
        var written = 0
        let deadline = milliseconds.map { monotonicMilliseconds() + Int64($0) }
        while written < bytes.count {
            if let deadline {
                let left = deadline - monotonicMilliseconds()
                guard left > 0, try waitWritable(fd, milliseconds: Int32(left), path: path) else {
                    throw ControlSocketError(operation: "write: the peer took \(written) of \(bytes.count) bytes within \(milliseconds!) ms",
                                             path: path, errno: ETIMEDOUT)
                }
            }
            let flags = Int32(MSG_NOSIGNAL) | (deadline == nil ? 0 : Int32(MSG_DONTWAIT))
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + written, $0.count - written, flags) }
            if n < 0 {
                if errno == EINTR || (deadline != nil && (errno == EAGAIN || errno == EWOULDBLOCK)) { continue }
                throw ControlSocketError(operation: "write", path: path, errno: errno)
            }
            written += n
        }
    }

    static func waitWritable(_ fd: Int32, milliseconds: Int32, path: String) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let r = poll(&p, 1, milliseconds)
            if r >= 0 { return r > 0 }
            if errno == EINTR { continue }
            throw ControlSocketError(operation: "poll", path: path, errno: errno)
        }
    }

    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
