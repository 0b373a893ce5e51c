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
        #expect(copy.withUnsafeBytes { ByteDifference.between($0, new) } == ByteDifference.between(old, new))
        #expect(copy.withUnsafeBytes { ByteDifference.between($0, replacing: 3..<6, with: Array("1".utf8), new) }
            == ByteDifference.between(old, replacing: 3..<6, with: Array("1".utf8), new))
        let cuts = [3..<6, 13..<16]
        #expect(copy.withUnsafeBytes { ConfigSkeleton($0, cutting: cuts) }.bytes == ConfigSkeleton(old, cutting: cuts).bytes)
        #expect(StableBytes(copying: []).count == 0)
    }
}

@Suite struct StampedRevisionTests {
    @Test func aStampedWindowIsWrittenInPiecesAndReadsAsTheSplicedFile() throws {
        let file = Array("<pfsense><filter/><revision>old</revision></pfsense>".utf8)
        let window = 28..<31
        let stamped = ConfigStore.Stamped(bytes: file, replacing: window, with: Array("new one".utf8), time: 1,
                                          user: "root", description: "test")
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
