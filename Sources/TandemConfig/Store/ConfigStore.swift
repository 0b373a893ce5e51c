#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One committed revision of config.xml, as pfSense's `<revision>` records it.
public struct RevisionInfo: Sendable, Hashable {
    /// Increasing number, the file name in the history directory.
    public var number: Int
    /// Unix time of the commit.
    public var time: Double?
    public var username: String?
    public var description: String?
    public var path: String
}

/// The node's config file and its revision history under `NodePaths`: every commit writes
/// the new config atomically and keeps a copy in the history directory (one file per
/// revision, `NNNNNN.xml`, newest `keep` kept), like pfSense's `/conf/backup`.
public struct ConfigStore: Sendable {
    public let paths: NodePaths
    /// How many revisions the history keeps when the config has no `<system><backupcount>`
    /// (pfSense's default, `g['default_config_backup_count']` in
    /// pfsense/pfsense:src/etc/inc/globals.inc, is 30).
    public let keep: Int

    public init(paths: NodePaths, keep: Int = 30) {
        self.paths = paths
        self.keep = max(1, keep)
    }

    /// Reads the current config.
    public func load() throws(ConfigStoreError) -> ConfigDocument {
        try read(paths.config)
    }

    /// Stamps `<revision>` (time, description, user), writes the config atomically, adds it
    /// to the history and prunes the oldest revisions. Returns the new revision.
    @discardableResult
    public func commit(_ document: ConfigDocument, user: String, description: String,
                       time: Double) throws(ConfigStoreError) -> RevisionInfo {
        try commit(Self.stamped(document, user: user, description: description, time: time))
    }

    /// A document with its `<revision>` stamped, serialized: the pure half of `commit`, which
    /// a caller may compute ahead (on another thread) of deciding to commit.
    public struct Stamped: Sendable {
        public var time: Double
        public var user: String
        public var description: String
        /// The revision's bytes as pieces: an edit's revision is the applied file with the
        /// edited window and the `<revision>` window replaced, written piece by piece and put
        /// together in memory only if `bytes` is asked for (megabytes copied into fresh
        /// pages, ~1 ms of an edit's apply).
        public var pieces: BytePieces

        public init(bytes: [UInt8], time: Double, user: String, description: String) {
            self.init(pieces: BytePieces(bytes), time: time, user: user, description: description)
        }

        public init(pieces: BytePieces, time: Double, user: String, description: String) {
            self.pieces = pieces
            self.time = time
            self.user = user
            self.description = description
        }

        /// The revision's bytes.
        public var bytes: [UInt8] { pieces.bytes }
    }

    public static func stamped(_ document: ConfigDocument, user: String, description: String, time: Double) -> Stamped {
        // Only the bytes are needed: stamping the tree without re-extracting the typed view
        // (which a large config pays for in full) keeps this to one serialization.
        var xml = document.xml
        xml.root.setRevision(time: time, description: description, username: user)
        return Stamped(bytes: Array(XMLWriter.write(xml).utf8), time: time, user: user, description: description)
    }

    /// Writes a stamped document as the new revision (see `commit(_:user:description:time:)`).
    @discardableResult
    public func commit(_ stamped: Stamped) throws(ConfigStoreError) -> RevisionInfo {
        try commit(prepare(stamped))
    }

    /// A revision written and synced under a temporary name, not yet in the history: the
    /// slow half of a commit (writing and syncing megabytes), which `tandem apply` does
    /// while the kernel takes the ruleset, so that recording it afterwards is a rename.
    public struct Pending: Sendable {
        public var stamped: Stamped
        var temporaryPath: String
        /// The written and synced file: it keeps its content when it is renamed into the
        /// history, so it may be linked elsewhere (the applied state) before that.
        public var path: String { temporaryPath }
    }

    public func prepare(_ stamped: Stamped) throws(ConfigStoreError) -> Pending {
        let writer = try begin()
        try writer.append(stamped.pieces)
        return try writer.finish(stamped)
    }

    /// Makes a prepared revision the newest one and the node's config.
    @discardableResult
    public func commit(_ pending: Pending) throws(ConfigStoreError) -> RevisionInfo {
        let s = pending.stamped
        do throws(StoreError) {
            // Numbering, renaming and pruning under the lock: the number read is the one
            // taken (StoreLock).
            return try StoreLock.exclusive(paths.history) { () throws(StoreError) in
                let number = (try revisionNumbers().last ?? 0) + 1
                let path = historyPath(number)
                guard rename(pending.temporaryPath, path) == 0 else {
                    throw StoreError(operation: "rename", path: path, errno: errno)
                }
                // Both names first, then both directories synced: a journaling file system
                // commits both entries with the first sync and the second has nothing left to
                // do (one journal commit instead of two, ~2 ms here).
                try AtomicFile.share(path, as: paths.config, bytes: s.bytes, syncingDirectory: false)
                try AtomicFile.syncDirectory(paths.history)
                try AtomicFile.syncDirectory(AtomicFile.parentDirectory(of: paths.config))
                try prune()
                return RevisionInfo(number: number, time: s.time, username: s.user, description: s.description, path: path)
            }
        } catch {
            discard(pending)
            throw .file(error)
        }
    }

    /// Drops a prepared revision that will not be committed.
    public func discard(_ pending: Pending) {
        unlink(pending.temporaryPath)
    }

    /// Revisions, newest first.
    public func history() throws(ConfigStoreError) -> [RevisionInfo] {
        let numbers: [Int]
        do { numbers = try revisionNumbers() } catch { throw .file(error) }
        return numbers.reversed().map { n in
            let path = historyPath(n)
            let revision = (try? read(path))?.config.revision
            return RevisionInfo(number: n, time: revision?.time, username: revision?.username,
                                description: revision?.description, path: path)
        }
    }

    /// The newest revision's number (the node's current config), nil for an empty history.
    public func newestRevision() throws(ConfigStoreError) -> Int? {
        do { return try revisionNumbers().last } catch { throw .file(error) }
    }

    /// The document of one revision.
    public func revision(_ number: Int) throws(ConfigStoreError) -> ConfigDocument {
        guard (try? revisionNumbers().contains(number)) == true else { throw .noSuchRevision(number) }
        return try read(historyPath(number))
    }

    /// Keeps exactly `numbers` from pruning (a pending commit-confirm's restore point, which
    /// a small `backupcount` or many commits before the deadline would otherwise remove):
    /// an empty `NNNNNN.pin` file next to each, the others removed unless `keepingOthers`.
    public func pin(_ numbers: Set<Int>, keepingOthers: Bool = false) throws(ConfigStoreError) {
        do {
            // Nothing to pin and nothing pinned: no directory is made for it.
            if numbers.isEmpty, try pinnedRevisions().isEmpty { return }
            try StoreLock.exclusive(paths.history) { () throws(StoreError) in
                for n in try pinnedRevisions() where !numbers.contains(n) && !keepingOthers {
                    let path = pinPath(n)
                    if unlink(path) != 0, errno != ENOENT { throw StoreError(operation: "unlink", path: path, errno: errno) }
                }
                for n in numbers.sorted() { try AtomicFile.write([], to: pinPath(n)) }
            }
        } catch {
            throw .file(error)
        }
    }

    /// The revisions kept from pruning (`pin`).
    public func pinnedRevisions() throws(StoreError) -> [Int] {
        try entries(suffix: ".pin")
    }

    func pinPath(_ number: Int) -> String {
        String(historyPath(number).dropLast(4)) + ".pin"
    }

    func historyPath(_ number: Int) -> String {
        let digits = String(number)
        return paths.history + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".xml"
    }

    /// Revision numbers present in the history directory, ascending.
    func revisionNumbers() throws(StoreError) -> [Int] {
        try entries(suffix: ".xml")
    }

    /// Numbers of the history directory's `NNNNNN<suffix>` files, ascending.
    private func entries(suffix: String) throws(StoreError) -> [Int] {
        guard let dir = opendir(paths.history) else {
            if errno == ENOENT { return [] }
            throw StoreError(operation: "opendir", path: paths.history, errno: errno)
        }
        defer { closedir(dir) }
        var numbers: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(suffix), let n = Int(name.dropLast(suffix.count)), n > 0 else { continue }
            numbers.append(n)
        }
        return numbers.sorted()
    }

    private func prune() throws(StoreError) {
        let numbers = try revisionNumbers()
        let pinned = Set(try pinnedRevisions())
        for n in numbers.dropLast(Self.backupCount(configAt: paths.config) ?? keep) where !pinned.contains(n) {
            let path = historyPath(n)
            if unlink(path) != 0, errno != ENOENT { throw StoreError(operation: "unlink", path: path, errno: errno) }
        }
    }

    /// `<system><backupcount>` of the config just committed, as pfSense's
    /// `cleanup_backupcache()` reads it (pfsense/pfsense:src/etc/inc/config.lib.inc): the
    /// number of revisions to keep. Found by a byte search in the mapped file, so a commit
    /// does not parse megabytes again; only `system` holds that element in pfSense's schema.
    /// nil when absent, empty or not a number (the default applies); at least 1 (the
    /// current revision is always kept).
    static func backupCount(configAt path: String) -> Int? {
        guard let file = try? StableBytes(mapping: path, limit: XMLParser.maximumSize) else { return nil }
        return file.withUnsafeBytes { buffer -> Int? in
            let open = Array("<backupcount>".utf8)
            guard let base = buffer.baseAddress, buffer.count >= open.count else { return nil }
            // memchr to each `<`, then compare (glibc's memmem is not visible to Swift).
            var at = 0
            var found: Int?
            while at + open.count <= buffer.count {
                guard let lt = memchr(base + at, Int32(UInt8(ascii: "<")), buffer.count - at) else { break }
                let index = UnsafePointer<UInt8>(lt.assumingMemoryBound(to: UInt8.self)) - base
                guard index + open.count <= buffer.count else { break }
                if memcmp(base + index, open, open.count) == 0 {
                    found = index
                    break
                }
                at = index + 1
            }
            guard let found else { return nil }
            var i = found + open.count
            var digits = ""
            while i < buffer.count, buffer[i] == UInt8(ascii: " ") || buffer[i] == UInt8(ascii: "\n")
                    || buffer[i] == UInt8(ascii: "\t") || buffer[i] == UInt8(ascii: "\r") { i += 1 }
            while i < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[i]), digits.count < 6 {
                digits.append(Character(UnicodeScalar(buffer[i])))
                i += 1
            }
            return Int(digits).map { max(1, $0) }
        }
    }

    private func read(_ path: String) throws(ConfigStoreError) -> ConfigDocument {
        let bytes: [UInt8]
        do { bytes = try ConfigFileReader.read(path) } catch { throw .unreadable(error) }
        do { return try ConfigDocument(bytes: bytes) } catch { throw .invalid(path: path, error) }
    }
}

public enum ConfigStoreError: Error, Sendable, CustomStringConvertible {
    case unreadable(ConfigFileError)
    case invalid(path: String, XMLParseError)
    case file(StoreError)
    case noSuchRevision(Int)
    /// A revision abandoned before it was written (its caller gave up first).
    case notWritten

    public var description: String {
        switch self {
        case .unreadable(let e): e.description
        case .invalid(let path, let e): e.formatted(file: path)
        case .file(let e): e.description
        case .noSuchRevision(let n): "revision \(n) is not in the history"
        case .notWritten: "the revision was not written"
        }
    }
}
