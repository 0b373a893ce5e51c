import Foundation
import Testing
@testable import TandemConfig

@Suite struct StableBytesTests {
    func withFile(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-stable-\(UUID().uuidString)").path
        defer { unlink(path) }
        try AtomicFile.write(bytes, to: path, durable: false)
        try body(path)
    }

    @Test func aMappedFileHasTheFilesBytesAndOutlivesItsReplacement() throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try withFile(bytes) { path in
            let mapped = try StableBytes(mapping: path, limit: 1 << 20)
            #expect(mapped.count == bytes.count && mapped.array == bytes)
            // Files are replaced by rename: the mapping keeps the content it had.
            try AtomicFile.write([1, 2, 3], to: path, durable: false)
            #expect(mapped.array == bytes)
            #expect(try StableBytes(mapping: path, limit: 10).array == [1, 2, 3])
        }
    }

    @Test func anEmptyFileMapsToNoBytesAndAnOversizedOneIsRefused() throws {
        try withFile([]) { path in
            let empty = try StableBytes(mapping: path, limit: 10)
            #expect(empty.count == 0)
        }
        try withFile(Array(repeating: 0x41, count: 11)) { path in
            #expect(throws: ConfigFileError.self) { try StableBytes(mapping: path, limit: 10) }
        }
        #expect(throws: ConfigFileError.self) { try StableBytes(mapping: "/nonexistent/tandem-file", limit: 10) }
    }

    @Test func aCopyAndItsPointerVariantsAgreeWithTheArrayOnes() throws {
        let old = Array("<a>one</a><b>two</b>".utf8), new = Array("<a>one</a><b>2</b>".utf8)
        let copy = StableBytes(copying: old)
        let newCopy = StableBytes(copying: new)
        #expect(copy.withUnsafeBytes { a in newCopy.withUnsafeBytes { ByteDifference.between(a, $0) } }
            == ByteDifference.between(old, new))
        #expect(copy.withUnsafeBytes { a in newCopy.withUnsafeBytes { ByteDifference.between(a, replacing: 3..<6, with: Array("1".utf8), $0) } }
            == ByteDifference.between(old, replacing: 3..<6, with: Array("1".utf8), new))
        let cuts = [3..<6, 13..<16]
        #expect(ConfigSkeleton(BytePieces(copy), cutting: cuts).bytes == ConfigSkeleton(old, cutting: cuts).bytes)
        #expect(StableBytes(copying: []).count == 0)
    }
}

@Suite struct StampedRevisionTests {
    @Test func aStampedWindowIsWrittenInPiecesAndReadsAsTheSplicedFile() throws {
        let file = Array("<pfsense><filter/><revision>old</revision></pfsense>".utf8)
        let window = 28..<31
        let mapped = StableBytes(copying: file)
        let stamped = ConfigStore.Stamped(pieces: BytePieces(mapped).replacing(window, with: BytePieces(Array("new one".utf8))),
                                          time: 1, user: "root", description: "test")
        #expect(String(decoding: stamped.bytes, as: UTF8.self) == "<pfsense><filter/><revision>new one</revision></pfsense>")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-stamped-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ConfigStore(paths: NodePaths(root: root))
        let info = try store.commit(store.prepare(stamped))
        #expect(try ConfigFileReader.read(info.path) == stamped.bytes)
        #expect(try ConfigFileReader.read(store.paths.config) == stamped.bytes)
        // Nothing replaced: the bytes as given.
        #expect(ConfigStore.Stamped(bytes: file, time: 1, user: "u", description: "d").bytes == file)
    }
}

@Suite struct BytePiecesTests {
    /// Random replacements of random ranges, checked against the same edits of an array.
    @Test func replacingAndSlicingAgreeWithArrays() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var expected = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var pieces = Bool.random(using: &rng) ? BytePieces(expected) : BytePieces(StableBytes(copying: expected))
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let a = Int.random(in: 0...expected.count, using: &rng), b = Int.random(in: a...expected.count, using: &rng)
                let patch = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8(ascii: "a") + UInt8.random(in: 0...25) }
                expected.replaceSubrange(a..<b, with: patch)
                pieces = pieces.replacing(a..<b, with: BytePieces(patch))
            }
            #expect(pieces.count == expected.count)
            #expect(pieces.bytes == expected)
            let a = Int.random(in: 0...expected.count, using: &rng), b = Int.random(in: a...expected.count, using: &rng)
            #expect(pieces[a..<b] == Array(expected[a..<b]))
            #expect(pieces.slice(a..<b).bytes == Array(expected[a..<b]))
        }
    }

    /// A skeleton cut from pieces equals one cut from the same bytes in one array, whatever
    /// the piece boundaries (cuts crossing them included).
    @Test func aSkeletonCutFromPiecesEqualsOneCutFromAnArray() {
        let text = Array((0..<40).map { "<rule><descr>r\($0)</descr>\n</rule>\n" }.joined().utf8)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            var points = (0..<6).map { _ in Int.random(in: 0...text.count, using: &rng) }.sorted()
            var pieces = BytePieces([])
            var last = 0
            points.append(text.count)
            for p in points where p > last {
                pieces = pieces.replacing(pieces.count..<pieces.count, with: BytePieces(StableBytes(copying: Array(text[last..<p]))))
                last = p
            }
            var cuts: [Range<Int>] = []
            var at = 0
            while at < text.count {
                let lo = Int.random(in: at...text.count, using: &rng), hi = Int.random(in: lo...min(text.count, lo + 200), using: &rng)
                if lo < hi { cuts.append(lo..<hi) }
                at = hi + 1
            }
            let fromPieces = ConfigSkeleton(pieces, cutting: cuts), fromArray = ConfigSkeleton(text, cutting: cuts)
            #expect(fromPieces.bytes == fromArray.bytes)
            #expect(fromPieces.sourceRange(of: 0..<1) == fromArray.sourceRange(of: 0..<1))
        }
    }
}

@Suite struct RevisionWriterTests {
    func withStore(_ body: (ConfigStore) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(ConfigStore(paths: NodePaths(root: root)))
    }

    func pendingFiles(_ store: ConfigStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.paths.history)) ?? []).filter { $0.hasPrefix(".pending") }
    }

    @Test func aRevisionWrittenInPartsIsCommittedWhole() throws {
        try withStore { store in
            let file = Array("<pfsense><filter><rule/></filter><revision>x</revision></pfsense>".utf8)
            let stamped = ConfigStore.Stamped(bytes: file, time: 1, user: "root", description: "parts")
            let writer = try store.begin()
            try writer.append(stamped.pieces.slice(0..<20))
            try writer.append(stamped.pieces.slice(20..<file.count))
            let info = try store.commit(writer.finish(stamped))
            #expect(try ConfigFileReader.read(info.path) == file)
            #expect(pendingFiles(store).isEmpty)
        }
    }

    @Test func aDiscardedOrAbandonedRevisionLeavesNoFile() throws {
        try withStore { store in
            let writer = try store.begin()
            try writer.append(BytePieces(Array("half".utf8)))
            #expect(pendingFiles(store).count == 1)
            writer.discard()
            writer.discard()
            #expect(pendingFiles(store).isEmpty)
            do {
                let abandoned = try store.begin()
                try abandoned.append(BytePieces(Array("half".utf8)))
            }
            #expect(pendingFiles(store).isEmpty)
            #expect(try store.history().isEmpty)
        }
    }
}
