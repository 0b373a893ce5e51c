import Foundation
import Testing
@testable import TandemConfig

@Suite struct RevisionHistoryTests {
    func withRoot(_ body: (NodePaths) throws -> Void) rethrows {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-history-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(NodePaths(root: dir))
    }

    func example() throws -> ConfigDocument {
        try ConfigDocument(bytes: ConfigFileReader.read(examplePath("primaryfw.xml")))
    }

    /// A filter rule with a tracker appended to `<filter>`.
    func addingRule(_ doc: ConfigDocument, tracker: String) -> ConfigDocument {
        var d = doc
        d.edit { root in
            root.appendElement(XMLElement(name: "rule", children: [
                .element(.leaf("type", "pass")), .element(.leaf("interface", "lan")),
                .element(.leaf("tracker", tracker)), .element(.leaf("descr", "test rule")),
                .element(XMLElement(name: "source", children: [.element(XMLElement(name: "any"))])),
                .element(XMLElement(name: "destination", children: [.element(XMLElement(name: "any"))])),
            ]), at: "filter")
        }
        return d
    }

    @Test func changesNameSectionsAndItems() throws {
        let base = try example()
        var changed = addingRule(base, tracker: "1700000001")
        changed.edit { root in root.setValue("fw-renamed", at: "system/hostname") }
        let changes = ConfigChanges(from: base.xml.root, to: changed.xml.root)
        #expect(changes.summary == "system: ~hostname; filter: +rule (tracker 1700000001)")
        // Layout and the revision stamp are not changes.
        var restamped = base
        restamped.edit { root in root.setRevision(time: 5, description: "x", username: "y") }
        #expect(ConfigChanges(from: base.xml.root, to: restamped.xml.root).summary == "no change")
        #expect(ConfigChanges(from: changed.xml.root, to: base.xml.root).summary
                == "system: ~hostname; filter: -rule (tracker 1700000001)")
    }

    @Test func aliasesAreNamedAndChangedItemsMarked() throws {
        let old = try XMLParser.parse(Array(document("""
            <aliases><alias><name>webservers</name><type>host</type><address>192.0.2.10</address></alias>
            <alias><name>dns</name><type>host</type><address>192.0.2.53</address></alias></aliases>
            """).utf8))
        let new = try XMLParser.parse(Array(document("""
            <aliases><alias><name>webservers</name><type>host</type><address>192.0.2.10 192.0.2.11</address></alias>
            <alias><name>mail</name><type>host</type><address>192.0.2.25</address></alias></aliases>
            <unbound><enable></enable></unbound>
            """).utf8))
        #expect(ConfigChanges(from: old.root, to: new.root).summary == "aliases: -dns, ~webservers, +mail; +unbound")
    }

    @Test func unifiedDiffHunks() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...20).map { "line \($0)" }
        lines[4] = "line five"
        lines.insert("inserted", at: 15)
        let new = lines.joined(separator: "\n") + "\n"
        #expect(UnifiedDiff.diff(old, new, oldName: "a", newName: "b") == """
            --- a
            +++ b
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8
            @@ -13,6 +13,7 @@
             line 13
             line 14
             line 15
            +inserted
             line 16
             line 17
             line 18

            """)
        #expect(UnifiedDiff.diff(old, old, oldName: "a", newName: "b") == "")
        // Everything removed: one hunk from line 1, the new side empty.
        #expect(UnifiedDiff.diff("x\ny\n", "", oldName: "a", newName: "b") == "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n")
    }

    /// The diff of random edits, applied to the old text, gives the new one.
    @Test func unifiedDiffReconstructs() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let a = (0..<Int.random(in: 0...40, using: &rng)).map { _ in "l\(Int.random(in: 0...6, using: &rng))" }
            var b = a
            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                if !b.isEmpty, Bool.random(using: &rng) { b.remove(at: Int.random(in: 0..<b.count, using: &rng)) }
                else { b.insert("n\(Int.random(in: 0...6, using: &rng))", at: Int.random(in: 0...b.count, using: &rng)) }
            }
            let ops = UnifiedDiff.script(a.map { Substring($0) }, b.map { Substring($0) })
            var x = 0, y = 0
            var rebuilt: [String] = []
            for op in ops {
                switch op {
                case .same: #expect(a[x] == b[y]); rebuilt.append(a[x]); x += 1; y += 1
                case .delete: x += 1
                case .insert: rebuilt.append(b[y]); y += 1
                }
            }
            #expect(rebuilt == b && x == a.count)
        }
    }

    @Test func listDiffAndRollbackRoundTrip() throws {
        try withRoot { paths in
            let store = ConfigStore(paths: paths)
            let base = try example()
            try store.commit(base, user: "admin", description: "first", time: 1_800_000_000)
            try store.commit(addingRule(base, tracker: "1700000001"), user: "admin", description: "rule", time: 1_800_000_060)
            let history = RevisionHistory(store: store)
            var entries = try history.entries()
            #expect(entries.map(\.number) == [2, 1])
            #expect(entries[0].changes?.summary == "filter: +rule (tracker 1700000001)")
            #expect(entries[0].current && !entries[1].current)
            #expect(entries[1].changes == nil)
            #expect(try history.entries(limit: 1).map(\.number) == [2])
            #expect(try history.entries(limit: 1)[0].changes?.summary == "filter: +rule (tracker 1700000001)")

            let diff = try history.diff(from: 1, to: 2)
            #expect(diff.contains("+\t\t\t<tracker>1700000001</tracker>") || diff.contains("+<tracker>1700000001</tracker>"))
            #expect(diff.hasPrefix("--- revision 1\n+++ revision 2\n@@ "))
            #expect(try history.diff(from: 2, to: nil) == "")

            let info = try history.rollback(to: 1, user: "admin", time: 1_800_000_120)
            #expect(info.number == 3)
            entries = try history.entries()
            #expect(entries[0].description == "Rolled back to revision 1")
            #expect(entries[0].changes?.summary == "filter: -rule (tracker 1700000001)")
            #expect(try store.load().config.filterRules.count == base.config.filterRules.count)
        }
    }

    @Test func rollbackOfAMissingOrInvalidRevisionChangesNothing() throws {
        try withRoot { paths in
            let store = ConfigStore(paths: paths)
            try store.commit(try example(), user: "admin", description: "first", time: 1)
            // Revision 2 does not validate (a rule on an unknown interface).
            var broken = try example()
            broken.edit { root in
                root.appendElement(XMLElement(name: "rule", children: [
                    .element(.leaf("type", "pass")), .element(.leaf("interface", "nosuchif")),
                    .element(XMLElement(name: "source", children: [.element(XMLElement(name: "any"))])),
                    .element(XMLElement(name: "destination", children: [.element(XMLElement(name: "any"))])),
                ]), at: "filter")
            }
            try store.commit(broken, user: "admin", description: "broken", time: 2)
            try store.commit(try example(), user: "admin", description: "fixed", time: 3)
            let history = RevisionHistory(store: store)
            let before = try ConfigFileReader.read(paths.config)
            #expect(throws: RollbackError.self) { try history.rollback(to: 9, user: "a", time: 4) }
            do {
                try history.rollback(to: 2, user: "a", time: 4)
                Issue.record("an invalid revision was rolled back to")
            } catch {
                #expect("\(error)".hasPrefix("revision 2 does not validate, nothing was changed:\nrevision 2:"), "\(error)")
            }
            #expect(try ConfigFileReader.read(paths.config) == before)
            #expect(try store.newestRevision() == 3)
        }
    }

    @Test func pinnedRevisionsAreNotPruned() throws {
        try withRoot { paths in
            let store = ConfigStore(paths: paths, keep: 2)
            let doc = try example()
            try store.pin([])   // nothing pinned: no directory made
            #expect(!FileManager.default.fileExists(atPath: paths.history))
            for i in 1...2 { try store.commit(doc, user: "a", description: "\(i)", time: Double(i)) }
            try store.pin([1])
            try store.pin([2], keepingOthers: true)
            for i in 3...5 { try store.commit(doc, user: "a", description: "\(i)", time: Double(i)) }
            #expect(try store.history().map(\.number) == [5, 4, 2, 1])
            try store.pin([])
            #expect(try store.pinnedRevisions() == [])
            try store.commit(doc, user: "a", description: "6", time: 6)
            #expect(try store.history().map(\.number) == [6, 5])
        }
    }

    /// `<system><backupcount>` decides how many revisions are kept.
    @Test func backupCountPrunes() throws {
        try withRoot { paths in
            let store = ConfigStore(paths: paths)
            var doc = try example()
            doc.edit { root in root.setValue("4", at: "system/backupcount") }
            for i in 1...7 { try store.commit(doc, user: "a", description: "\(i)", time: Double(i)) }
            #expect(try store.history().map(\.number) == [7, 6, 5, 4])
            #expect(ConfigStore.backupCount(configAt: paths.config) == 4)
            // Without it, the store's default (30).
            try store.commit(try example(), user: "a", description: "8", time: 8)
            #expect(ConfigStore.backupCount(configAt: paths.config) == nil)
            #expect(try store.history().count == 5)
        }
    }
}

@Suite struct CommitConfirmTests {
    @Test func expiresAndRestoresThePreviousRevision() {
        var c = CommitConfirm()
        var now = 1000.0
        #expect(c.handle(.arm(restore: 4, applied: 5, seconds: 60, user: "root"), now: now).contains(.persist))
        #expect(c.pending?.deadline == 1060)
        now = 1059.9
        #expect(c.handle(.tick, now: now) == [])
        now = 1060
        let actions = c.handle(.tick, now: now)
        #expect(actions.contains(.restore(revision: 4, description: "Commit-confirm expired: restored revision 4")))
        #expect(!actions.contains(.persist), "the deadline stays on disk until the restore is done")
        // While restoring: no second restore, no confirm.
        #expect(c.handle(.tick, now: 1061) == [])
        #expect(c.handle(.confirm, now: 1061).contains(.reply(ok: false, "too late: the deadline passed and revision 4 is being restored")))
        #expect(c.handle(.restored(revision: 6, error: nil), now: 1062).contains(.persist))
        #expect(c.pending == nil)
        #expect(c.lastExpiry == CommitConfirm.Expiry(time: 1062, restored: 4, revision: 6, error: nil))
        #expect(c.handle(.tick, now: 2000) == [])
    }

    @Test func confirmKeepsTheNewRevision() {
        var c = CommitConfirm()
        _ = c.handle(.arm(restore: 4, applied: 5, seconds: 60, user: nil), now: 0)
        let actions = c.handle(.confirm, now: 30)
        #expect(actions.contains(.persist))
        #expect(actions.contains(.reply(ok: true, "revision 5 confirmed (30 s before the deadline)")))
        #expect(c.pending == nil)
        #expect(c.handle(.tick, now: 100) == [])
        #expect(c.lastExpiry == nil)
    }

    @Test func nothingToConfirm() {
        var c = CommitConfirm()
        #expect(c.handle(.confirm, now: 0) == [.reply(ok: false, "nothing to confirm: no apply --confirm is pending")])
    }

    /// A second unconfirmed apply moves the deadline and keeps the revision to go back to.
    @Test func rearmingKeepsTheFirstRestorePoint() {
        var c = CommitConfirm()
        _ = c.handle(.arm(restore: 4, applied: 5, seconds: 60, user: nil), now: 0)
        _ = c.handle(.arm(restore: 5, applied: 6, seconds: 120, user: nil), now: 50)
        #expect(c.pending?.restore == 4)
        #expect(c.pending?.applied == 6)
        #expect(c.pending?.deadline == 170)
        #expect(c.handle(.tick, now: 100) == [])
        #expect(c.handle(.tick, now: 170).contains(.restore(revision: 4, description: "Commit-confirm expired: restored revision 4")))
    }

    /// What is persisted survives a restart (JSON round trip); `restoring` is not persisted.
    @Test func persistedFormRoundTrips() throws {
        var c = CommitConfirm()
        _ = c.handle(.arm(restore: 4, applied: 5, seconds: 60, user: "root"), now: 0)
        _ = c.handle(.tick, now: 61)
        let decoded = try JSONDecoder().decode(CommitConfirm.self, from: JSONEncoder().encode(c))
        #expect(decoded.pending == c.pending)
        #expect(!decoded.restoring)
        var restarted = decoded
        #expect(restarted.handle(.tick, now: 62).contains(.restore(revision: 4, description: "Commit-confirm expired: restored revision 4")))
    }

    @Test func failedRestoreIsRecorded() {
        var c = CommitConfirm()
        _ = c.handle(.arm(restore: 4, applied: 5, seconds: 1, user: nil), now: 0)
        _ = c.handle(.tick, now: 1)
        _ = c.handle(.restored(revision: nil, error: "revision 4 is not in the history"), now: 2)
        #expect(c.pending == nil)
        #expect(c.lastExpiry?.error == "revision 4 is not in the history")
    }
}
