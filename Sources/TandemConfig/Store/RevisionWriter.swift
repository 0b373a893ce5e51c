#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ConfigStore {
    /// A revision being written under a temporary name in the history directory, its bytes
    /// appended as they become known, then synced (`finish`) or removed (`discard`). An edit
    /// of one item writes the megabytes it already knows unchanged while it still checks and
    /// stamps the rest (issue #3). One thread at a time.
    public final class RevisionWriter: @unchecked Sendable {
        private let fd: Int32
        public let path: String
        private var open = true

        fileprivate init(directory: String) throws(StoreError) {
            try AtomicFile.makeDirectories(directory)
            path = directory + "/.pending-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).xml.tmp"
            fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StoreError(operation: "open", path: path, errno: errno) }
        }

        deinit { discard() }

        public func append(_ pieces: BytePieces) throws(ConfigStoreError) {
            var failure: StoreError?
            pieces.forEachBuffer { buffer in
                guard failure == nil else { return }
                do throws(StoreError) { try AtomicFile.writeAll(fd, buffer, path: path) } catch { failure = error }
            }
            if let failure {
                discard()
                throw .file(failure)
            }
        }

        /// Syncs and closes the file: `stamped`'s bytes must be what was appended.
        public func finish(_ stamped: Stamped) throws(ConfigStoreError) -> Pending {
            guard fsync(fd) == 0 else {
                let failure = StoreError(operation: "fsync", path: path, errno: errno)
                discard()
                throw .file(failure)
            }
            open = false
            guard close(fd) == 0 else {
                let failure = StoreError(operation: "close", path: path, errno: errno)
                unlink(path)
                throw .file(failure)
            }
            return Pending(stamped: stamped, temporaryPath: path)
        }

        /// Removes the file (nothing happens after `finish`).
        public func discard() {
            guard open else { return }
            open = false
            close(fd)
            unlink(path)
        }
    }

    /// Starts a revision file (see `RevisionWriter`).
    public func begin() throws(ConfigStoreError) -> RevisionWriter {
        do { return try RevisionWriter(directory: paths.history) } catch { throw .file(error) }
    }
}
