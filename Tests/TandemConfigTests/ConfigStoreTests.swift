import Foundation
import Synchronization
import Testing
@testable import TandemConfig

@Suite struct ConfigStoreTests {
    /// A throwaway root directory, removed afterwards.
    func withRoot(_ body: (String) throws -> Void) rethrows {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    @Test func paths() {
        let p = NodePaths(root: "/srv/fw1/")
        #expect(p.config == "/srv/fw1/etc/tandem/config.xml")
        #expect(p.history == "/srv/fw1/var/lib/tandem/history")
        #expect(p.controlSocket == "/srv/fw1/run/tandem/control.sock")
        #expect(NodePaths().config == "/etc/tandem/config.xml")
        #expect(NodePaths(root: "/").tls == "/var/lib/tandem/tls")
    }

    /// Two committers at once (a CLI apply and the daemon taking its peer's config): each
    /// revision number is taken once, no revision file replaces another.
    @Test func concurrentCommitsTakeDistinctRevisionNumbers() throws {
        try withRoot { root in
            let store = ConfigStore(paths: NodePaths(root: root), keep: 1000)
            let bytes = try ConfigFileReader.read(examplePath("primaryfw.xml"))
            let perThread = 100
            let numbers = Mutex<[Int]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { thread in
                for i in 0..<perThread {
                    do {
                        let stamped = ConfigStore.Stamped(bytes: bytes, time: Double(i), user: "t\(thread)", description: "\(thread)-\(i)")
                        let pending = try store.prepare(stamped)
                        let info = try store.commit(pending)
                        numbers.withLock { $0.append(info.number) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let taken = numbers.withLock { $0 }
            #expect(Set(taken).count == 2 * perThread, "revision numbers taken twice: \(taken.sorted())")
            #expect(try store.history().count == 2 * perThread)
        }
    }

    @Test func commitWritesConfigAndHistory() throws {
        try withRoot { root in
            let store = ConfigStore(paths: NodePaths(root: root), keep: 3)
            let doc = try ConfigDocument(bytes: ConfigFileReader.read(examplePath("primaryfw.xml")))
            for i in 1...5 {
                let info = try store.commit(doc, user: "admin", description: "change \(i)", time: Double(1764151300 + i))
                #expect(info.number == i)
            }
            let loaded = try store.load()
            #expect(loaded.config.revision == ChangeStamp(time: 1764151305, username: "admin", description: "change 5"))
            #expect(loaded.config.filterRules == doc.config.filterRules)
            let history = try store.history()
            #expect(history.map(\.number) == [5, 4, 3])
            #expect(history.map(\.description) == ["change 5", "change 4", "change 3"])
            let four = try store.revision(4)
            #expect(four.config.revision?.description == "change 4")
            #expect(throws: ConfigStoreError.self) { try store.revision(1) }
            let mode = try FileManager.default.attributesOfItem(atPath: store.paths.config)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // No temp files are left behind.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/etc/tandem").filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func emptyHistoryAndMissingConfig() throws {
        try withRoot { root in
            let store = ConfigStore(paths: NodePaths(root: root))
            let history = try store.history()
            #expect(history.isEmpty)
            #expect(throws: ConfigStoreError.self) { try store.load() }
        }
    }

    @Test func readerRefusesOversizedFilesWithoutReadingThemWhole() throws {
        let bytes = try ConfigFileReader.read("/dev/zero", limit: 1000)
        #expect(bytes.count > 1000 && bytes.count <= 1000 + 65536)
        #expect(throws: ConfigFileError.self) { try ConfigFileReader.read("/nonexistent/config.xml") }
    }
}
