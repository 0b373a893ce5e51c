#if canImport(Glibc)
import Glibc
#endif

/// Sysctl access for the current network namespace through `/proc/sys` (the one place
/// Tandem writes kernel tunables: carp.md §12 "Sysctls"). `/proc/sys/net` shows the
/// namespace of the thread that opens the file.
public enum Sysctl {
    /// `/proc/sys/a/b/c` for `["a", "b", "c"]`. Components may not be empty, `.`/`..`,
    /// or contain `/`, so a config-supplied interface name cannot leave /proc/sys.
    public static func path(_ components: [String]) throws -> String {
        guard !components.isEmpty else {
            throw SystemCallError("sysctl path", errno: EINVAL, context: "empty sysctl name")
        }
        for c in components where c.isEmpty || c == "." || c == ".." || c.contains("/") || c.contains("\0") {
            throw SystemCallError("sysctl path", errno: EINVAL, context: "sysctl component '\(c)' in \(components.joined(separator: "."))")
        }
        // Appended in a loop: `joined(separator:)` is unspecialized standard library code
        // whose generic types the runtime looks up by name at first use.
        var path = "/proc/sys"
        for c in components {
            path.append("/")
            path.append(c)
        }
        return path
    }

    public static func write(_ components: [String], value: String) throws {
        let p = try path(components)
        func name() -> String { components.joined(separator: ".") }  // for errors only (see `path`)
        let fd = open(p, O_WRONLY | O_CLOEXEC | O_TRUNC)
        guard fd >= 0 else { throw SystemCallError("open(\(p))", errno: errno, context: "sysctl \(name())") }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write(\(p), \(value))", errno: errno, context: "sysctl \(name())")
            }
            written += n
        }
    }

    public static func read(_ components: [String]) throws -> String {
        let p = try path(components)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError("open(\(p))", errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("read(\(p))", errno: errno)
            }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self).trimmingSuffix()
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
