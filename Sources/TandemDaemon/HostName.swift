import Foundation
import Logging
import TandemConfig
#if canImport(Glibc)
import Glibc
#endif

/// `system/hostname` applied to the node: the kernel's host name (sethostname(2)) and, on
/// an appliance, `/etc/hostname` (hostname(5): the short name). Only where renaming cannot
/// reach another machine's name: on an appliance (`--root /`), or when the daemon runs in a
/// UTS namespace of its own (the lab starts each node under `unshare --uts`). A node under
/// another root in the machine's own UTS namespace leaves the name alone.
enum HostName {
    static func apply(_ system: SystemConfig, paths: NodePaths, logger: Logger) {
        guard let name = system.hostname, !name.isEmpty else { return }
        let appliance = paths.root.isEmpty
        guard appliance || ownUTSNamespace else { return }
        var current = [CChar](repeating: 0, count: 256)
        gethostname(&current, current.count)
        if current.withUnsafeBufferPointer({ String(cString: $0.baseAddress!) }) != name {
            if sethostname(name, name.utf8.count) != 0 {
                logger.error("host name \(name): sethostname: \(String(cString: strerror(errno)))")
                return
            }
            logger.notice("host name set to \(name)")
        }
        if appliance {
            let file = "/etc/hostname"
            if (try? String(contentsOfFile: file, encoding: .utf8)) != name + "\n" {
                do { try (name + "\n").write(toFile: file, atomically: true, encoding: .utf8) } catch {
                    logger.error("host name: writing \(file): \(error)")
                }
            }
        }
    }

    /// Whether this process's UTS namespace differs from PID 1's (namespaces(7)).
    static var ownUTSNamespace: Bool {
        guard let mine = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/uts"),
              let init1 = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/1/ns/uts") else { return false }
        return mine != init1
    }
}
