#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a store directory for the length of `body`: two committers
/// (a CLI apply and the daemon taking a config from its peer, or two CLI applies) would
/// otherwise both read the same newest revision number and rename their files to the same
/// next one, the second silently replacing the first. flock locks belong to the open file
/// description, so two threads of one process exclude each other too, and the kernel drops
/// the lock if the holder dies.
enum StoreLock {
    static func exclusive<T>(_ directory: String, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try AtomicFile.makeDirectories(directory)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError(operation: "open (to lock)", path: directory, errno: errno) }
        defer { close(fd) }  // closing the last descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw StoreError(operation: "flock", path: directory, errno: errno)
        }
        return try body()
    }
}
