import Foundation
import Testing
@testable import TandemStateSync

@Suite struct SyncCountersTests {
    @Test func statusEncodesRejectionsByName() throws {
        var core = SyncCore(session: 0xabc)
        _ = core.handle(.rejected(.badAuthentication), now: .zero)
        _ = core.handle(.rejected(.badAuthentication), now: .zero)
        _ = core.handle(.rejected(.replayed), now: .zero)
        let json = String(decoding: try JSONEncoder().encode(core.status), as: UTF8.self)
        #expect(json.contains("\"badAuthentication\":2"))
        #expect(json.contains("\"replayed\":1"))
        let back = try JSONDecoder().decode(SyncStatus.self, from: Data(json.utf8))
        #expect(back == core.status)
        let text = core.status.summaryLines.joined(separator: "\n")
        #expect(text.contains("rejected: badAuthentication 2, replayed 1"))
        #expect(text.contains("peer unknown down"))
    }
}
