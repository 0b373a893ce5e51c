/// One revision as `tandem history` (and the dashboard) lists it.
public struct RevisionEntry: Sendable, Hashable, Codable {
    public var number: Int
    /// Unix time of the commit, from the revision's `<revision><time>`.
    public var time: Double?
    public var user: String?
    public var description: String?
    /// What changed since the revision before it; nil for the oldest one kept (nothing to
    /// compare with) and for a revision file that no longer parses.
    public var changes: ConfigChanges?
    /// Why the revision's file could not be read, if it could not.
    public var error: String?
    /// Whether this revision is the node's current config (the newest one).
    public var current: Bool

    public init(number: Int, time: Double?, user: String?, description: String?, changes: ConfigChanges?,
                error: String? = nil, current: Bool = false) {
        self.number = number
        self.time = time
        self.user = user
        self.description = description
        self.changes = changes
        self.error = error
        self.current = current
    }
}

/// The node's revision history read as changes: the list, one revision's text, the diff
/// between two, and rolling back to one. The CLI (`tandem history`, `tandem rollback`)
/// and the management endpoint use this one type.
public struct RevisionHistory: Sendable {
    public let store: ConfigStore

    public init(store: ConfigStore) {
        self.store = store
    }

    public init(paths: NodePaths) {
        self.init(store: ConfigStore(paths: paths))
    }

    /// Revisions, newest first, each with what changed since the one before it (at most
    /// `limit`, the newest).
    public func entries(limit: Int? = nil) throws(ConfigStoreError) -> [RevisionEntry] {
        let numbers: [Int]
        do { numbers = try store.revisionNumbers() } catch { throw .file(error) }
        // One more than shown: the oldest shown needs its predecessor to say what changed.
        let wanted = limit.map { Array(numbers.suffix($0 + 1)) } ?? numbers
        // The XML trees only: what changed is read from them, and the typed view (which a
        // large config pays for in full) is not needed.
        var parsed: [(number: Int, tree: Result<XMLElement, ConfigStoreError>)] = []
        for n in wanted {
            parsed.append((n, Result { () throws(ConfigStoreError) in try tree(n) }))
        }
        var entries: [RevisionEntry] = []
        for (index, item) in parsed.enumerated() {
            if let limit, parsed.count > limit, index == 0 { continue }
            switch item.tree {
            case .success(let root):
                let stamp = ConfigExtractor(root: root).revision()
                var changes: ConfigChanges?
                if index > 0, case .success(let before) = parsed[index - 1].tree {
                    changes = ConfigChanges(from: before, to: root)
                }
                entries.append(RevisionEntry(number: item.number, time: stamp?.time, user: stamp?.username,
                                             description: stamp?.description, changes: changes))
            case .failure(let error):
                entries.append(RevisionEntry(number: item.number, time: nil, user: nil, description: nil, changes: nil,
                                             error: error.description))
            }
        }
        if !entries.isEmpty { entries[entries.count - 1].current = true }
        return entries.reversed()
    }

    private func tree(_ number: Int) throws(ConfigStoreError) -> XMLElement {
        let path = store.historyPath(number)
        let bytes: [UInt8]
        do { bytes = try ConfigFileReader.read(path) } catch { throw .unreadable(error) }
        do { return try XMLParser.parse(bytes).root } catch { throw .invalid(path: path, error) }
    }

    /// The file of revision `number`, as it was committed.
    public func text(_ number: Int) throws(ConfigStoreError) -> String {
        try String(decoding: bytes(number), as: UTF8.self)
    }

    /// The path of revision `number` in the history directory.
    public func path(_ number: Int) throws(ConfigStoreError) -> String {
        guard (try? store.revisionNumbers().contains(number)) == true else { throw .noSuchRevision(number) }
        return store.historyPath(number)
    }

    /// `diff -u` from revision `from` to revision `to` (nil: the node's current config).
    /// Empty when they are the same.
    public func diff(from: Int, to: Int?) throws(ConfigStoreError) -> String {
        let old = try text(from)
        let newText: String, newName: String
        if let to {
            newText = try text(to)
            newName = "revision \(to)"
        } else {
            do { newText = String(decoding: try ConfigFileReader.read(store.paths.config), as: UTF8.self) } catch {
                throw .unreadable(error)
            }
            newName = "current (\(store.paths.config))"
        }
        return UnifiedDiff.diff(old, newText, oldName: "revision \(from)", newName: newName)
    }

    /// The description of a rollback's revision, as pfSense's `Restored backup` entries say
    /// what they restored.
    public static func rollbackDescription(_ number: Int) -> String { "Rolled back to revision \(number)" }

    /// Commits revision `number`'s config as a new revision, after checking it as `tandem
    /// check` does: a missing or invalid revision throws and changes nothing. Applying it
    /// (the kernel, the daemon's reload, the push to the peer) is the caller's: the CLI's
    /// `tandem apply` path or the daemon's reload.
    @discardableResult
    public func rollback(to number: Int, user: String, time: Double,
                         description: String? = nil) throws(RollbackError) -> RevisionInfo {
        let document = try validated(number)
        do {
            return try store.commit(document, user: user, description: description ?? Self.rollbackDescription(number),
                                    time: time)
        } catch {
            throw .store(error)
        }
    }

    /// Revision `number`'s config, checked as `tandem check` checks a file.
    public func validated(_ number: Int) throws(RollbackError) -> ConfigDocument {
        let raw: [UInt8]
        do { raw = try bytes(number) } catch { throw .store(error) }
        let check = ConfigCheck(bytes: raw)
        guard check.isValid, let document = check.document else {
            throw .invalid(revision: number, check.errors.map { $0.formatted(file: "revision \(number)") })
        }
        return document
    }

    private func bytes(_ number: Int) throws(ConfigStoreError) -> [UInt8] {
        let path = try path(number)
        do { return try ConfigFileReader.read(path) } catch { throw .unreadable(error) }
    }
}

/// Why a rollback did not happen (nothing was changed).
public enum RollbackError: Error, Sendable, CustomStringConvertible {
    case store(ConfigStoreError)
    /// The revision's config does not pass the check: the check's messages.
    case invalid(revision: Int, [String])

    public var description: String {
        switch self {
        case .store(let e): e.description
        case .invalid(let n, let errors):
            "revision \(n) does not validate, nothing was changed:\n" + errors.joined(separator: "\n")
        }
    }
}
