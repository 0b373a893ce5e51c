#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system call that failed: which call, on which path, and errno.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32
    public var detail: String?

    public init(operation: String, path: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        if let detail { return "\(path): \(operation): \(detail)" }
        return "\(path): \(operation): \(String(cString: strerror(errno)))"
    }
}

/// Writes a file so that readers see the old or the new content, never a mix, and the new
/// content survives a crash once `write` returns: temp file in the same directory, fsync,
/// rename over the target, fsync the directory (STYLE.md §8).
public enum AtomicFile {
    /// `durable: false` keeps the all-or-nothing replacement but not the fsyncs, for state
    /// that is worthless after a crash anyway (the kernel's ruleset does not survive one).
    /// `syncingDirectory: false`: the caller syncs the directory itself (after more renames).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, durable: Bool = true,
                             syncingDirectory: Bool = true) throws(StoreError) {
        let directory = parentDirectory(of: path)
        try makeDirectories(directory)
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError(operation: "open", path: temp, errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do throws(StoreError) {
            try bytes.withUnsafeBufferPointer { (b) throws(StoreError) in try writeAll(fd, b, path: temp) }
            guard !durable || fsync(fd) == 0 else { throw StoreError(operation: "fsync", path: temp, errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw StoreError(operation: "close", path: temp, errno: errno) }
        guard rename(temp, path) == 0 else { throw StoreError(operation: "rename", path: path, errno: errno) }
        ok = true
        if durable && syncingDirectory { try syncDirectory(directory) }
    }

    /// Gives `path` the content of the (already durable) file `source` by a hard link
    /// renamed into place: the same guarantees as `write` without writing the bytes again.
    /// Files are only ever replaced by rename, so the link keeps the content `source` has
    /// now. Falls back to writing `bytes` where links are impossible (another file system).
    public static func share(_ source: String, as path: String, bytes: @autoclosure () -> [UInt8],
                            mode: mode_t = 0o600, durable: Bool = true, syncingDirectory: Bool = true) throws(StoreError) {
        let directory = parentDirectory(of: path)
        try makeDirectories(directory)
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        let temp = "\(directory)/.\(name).link-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard link(source, temp) == 0 else {
            return try write(bytes(), to: path, mode: mode, durable: durable, syncingDirectory: syncingDirectory)
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw StoreError(operation: "rename", path: path, errno: code)
        }
        if durable && syncingDirectory { try syncDirectory(directory) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    public static func syncDirectory(_ directory: String) throws(StoreError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError(operation: "open", path: directory, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError(operation: "fsync", path: directory, errno: errno) }
    }

    /// `mkdir -p`, mode 0700 for what it creates (history holds password hashes).
    public static func makeDirectories(_ path: String) throws(StoreError) {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current.append("/")
            current.append(contentsOf: part)
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw StoreError(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
