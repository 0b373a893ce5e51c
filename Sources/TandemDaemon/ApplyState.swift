import Foundation
import TandemCompiler
import TandemConfig
import TandemNetlink

/// What `tandem apply` last committed to the kernel: the config bytes that were applied and
/// the ruleset generation the commit moved the kernel to. The next apply recompiles the
/// applied config to get the previous Ruleset (compiling is deterministic) and, when the
/// kernel is still at that generation, sends only the differences, deleting and placing
/// rules by the recorded handles. Kept under
/// `ROOT/var/lib/tandem/ruleset/` and written only after a successful commit; a missing or
/// unreadable state simply means a full replace. The daemon reads it too, so that reloading
/// the config `tandem apply` just committed costs no second commit.
public struct ApplyState: Equatable, Sendable {
    public var generation: UInt32
    /// The tandem version that compiled it: another compiler may produce another ruleset
    /// from the same config, so a version change means a full replace.
    public var version: String
    public var config: [UInt8]
    /// The kernel handles of the committed rules (in `applied.state`), so an incremental
    /// commit needs no dump of the chains it edits; nil when unknown.
    public var handles: NftRuleHandles?
    /// Where the config's items are in `config` and which kernel rules each filter rule
    /// made (also in `applied.state`), so an edit of one item is applied alone; nil when unknown.
    public var items: AppliedItems?

    public init(generation: UInt32, version: String, config: [UInt8], handles: NftRuleHandles? = nil,
                items: AppliedItems? = nil) {
        self.generation = generation
        self.version = version
        self.config = config
        self.handles = handles
        self.items = handles == nil ? nil : items
    }

    /// Plain paths and file calls (no URL or FileManager): an edit of one rule reads and
    /// writes this state in a few milliseconds all told (issue #3).
    static func directory(_ paths: NodePaths) -> String {
        paths.stateDirectory + "/ruleset"
    }

    /// Whether an applied state is recorded (the next apply may be incremental).
    public static func exists(_ paths: NodePaths) -> Bool {
        access(directory(paths) + "/applied.state", F_OK) == 0
    }

    public static func load(_ paths: NodePaths) -> ApplyState? {
        assemble(loadConfig(paths), loadIndexes(paths))
    }

    /// The state file's fields and the applied config: the half of `load` that reads the
    /// config (megabytes), which `tandem apply` runs beside `loadIndexes`.
    public struct LoadedConfig: Sendable {
        var generation: UInt32
        var version: String
        var config: [UInt8]
    }

    /// The handles and item index recorded for the generation the state file names.
    public struct LoadedIndexes: Sendable {
        var generation: UInt32
        var handles: NftRuleHandles?
        var items: AppliedItems?
    }

    public static func loadConfig(_ paths: NodePaths) -> LoadedConfig? {
        let dir = directory(paths)
        guard let (g, v) = stateHeader(dir), let config = try? ConfigFileReader.read(dir + "/applied.xml") else { return nil }
        return LoadedConfig(generation: g, version: v, config: config)
    }

    /// The state file's fields and the applied config mapped rather than read: what an edit
    /// of one item compares the new file with (`StableBytes`; the applied config is only
    /// ever replaced by rename).
    public struct MappedConfig: Sendable {
        public var generation: UInt32
        public var version: String
        public var bytes: StableBytes
    }

    public static func mapConfig(_ paths: NodePaths) -> MappedConfig? {
        let dir = directory(paths)
        guard let (g, v) = stateHeader(dir),
              let bytes = try? StableBytes(mapping: dir + "/applied.xml", limit: XMLParser.maximumSize) else { return nil }
        return MappedConfig(generation: g, version: v, bytes: bytes)
    }

    /// The handles and item index of `indexes` when they were recorded for `generation`.
    public static func index(_ indexes: LoadedIndexes?, for generation: UInt32) -> (NftRuleHandles, AppliedItems)? {
        guard let indexes, indexes.generation == generation, let handles = indexes.handles, let items = indexes.items else {
            return nil
        }
        return (handles, items)
    }

    public static func loadIndexes(_ paths: NodePaths) -> LoadedIndexes? {
        guard let bytes = try? ConfigFileReader.read(directory(paths) + "/applied.state", limit: .max - 1) else { return nil }
        return bytes.withUnsafeBytes { raw -> LoadedIndexes? in
            guard var r = StateReader(raw, tag: stateTag), let g = r.u32(), r.string() != nil, let flags = r.u8(),
                  let handles = r.data(), let items = r.data(), r.atEnd else { return nil }
            // A section that does not decode is no index (the next apply is then a full one).
            let h = flags & 1 == 0 ? nil : NftRuleHandles(encoded: handles)
            let i = h == nil || flags & 2 == 0 ? nil : AppliedItems(encoded: items)
            return LoadedIndexes(generation: UInt32(g), handles: h, items: i)
        }
    }

    /// The state from both halves; the indexes count only when both read the same state
    /// file generation (an apply in between replaces it).
    public static func assemble(_ config: LoadedConfig?, _ indexes: LoadedIndexes?) -> ApplyState? {
        guard let config else { return nil }
        let same = indexes?.generation == config.generation
        return ApplyState(generation: config.generation, version: config.version, config: config.config,
                          handles: same ? indexes?.handles : nil, items: same ? indexes?.items : nil)
    }

    /// `applied.state` (`StateWriter`): generation, version, then the handles and the item
    /// index, each as a length-prefixed section (empty when unknown).
    static let stateTag = "TNS1"

    /// The generation and version alone: the start of the state file.
    private static func stateHeader(_ dir: String) -> (UInt32, String)? {
        guard let bytes = try? ConfigFileReader.read(dir + "/applied.state", limit: 4096) else { return nil }
        return bytes.withUnsafeBytes { raw -> (UInt32, String)? in
            guard var r = StateReader(raw, tag: stateTag), let g = r.u32(), let v = r.string() else { return nil }
            return (UInt32(g), v)
        }
    }

    /// Writes the config first, then the state naming its generation, with the handles and
    /// item index, each atomically (temporary file + rename), so a crash in between leaves a
    /// stale generation that only forces the next apply to be a full one. `sharing`: a
    /// durable file with the same config (the revision just recorded), linked instead of
    /// written again.
    public func save(_ paths: NodePaths, sharing file: String? = nil) throws {
        try Self.saveConfig(config, paths, sharing: file)
        try saveStateFile(paths)
    }

    /// The applied config alone. `tandem apply` links it while the revision's file still has
    /// the name `sharing`, before renaming it into the history.
    public static func saveConfig(_ config: @autoclosure () -> [UInt8], _ paths: NodePaths,
                                  sharing file: String? = nil) throws {
        let dir = directory(paths)
        try AtomicFile.makeDirectories(dir)
        let applied = dir + "/applied.xml"
        if let file {
            try AtomicFile.share(file, as: applied, bytes: config(), durable: false)
        } else {
            try AtomicFile.write(config(), to: applied, durable: false)
        }
    }

    /// The state: generation, version, handles and item index in one file, written after
    /// the applied config, which it makes the applied state. One file, not three: an edit
    /// of one rule waits for it at its end (issue #3). Replaced atomically but not synced:
    /// after a crash the kernel's ruleset is gone too, and a stale state only makes the next
    /// apply a full one.
    public func saveStateFile(_ paths: NodePaths) throws {
        try Self.saveState(stateBytes, paths)
    }

    /// The state file's content (`saveStateFile`), which `tandem apply` makes while the
    /// revision is still being synced.
    public var stateBytes: [UInt8] {
        let handles = self.handles?.encoded ?? [], items = self.handles == nil ? [] : (self.items?.encoded ?? [])
        var out = StateWriter(tag: Self.stateTag, capacity: 64 + version.utf8.count + handles.count + items.count)
        out.u32(Int(generation))
        out.string(version)
        out.u8((self.handles == nil ? 0 : 1) | (self.handles != nil && self.items != nil ? 2 : 0))
        out.data(handles)
        out.data(items)
        return out.bytes
    }

    public static func saveState(_ bytes: [UInt8], _ paths: NodePaths) throws {
        let dir = directory(paths)
        try AtomicFile.makeDirectories(dir)
        try AtomicFile.write(bytes, to: dir + "/applied.state", mode: 0o644, durable: false)
    }
}

extension ApplyState {
    /// The ruleset the kernel holds from the last recorded commit, recompiled from the
    /// applied config (compiling is deterministic), when that commit was made by this
    /// version of tandem. Whether the kernel is still at its generation is the committer's
    /// check.
    public static func committedRuleset(_ paths: NodePaths, version: String) -> CommittedRuleset? {
        guard let state = load(paths), state.version == version,
              let document = try? ConfigDocument(bytes: state.config) else { return nil }
        return CommittedRuleset(ruleset: RulesetCompiler.compile(document.config).ruleset, generation: state.generation,
                                handles: state.handles)
    }
}
