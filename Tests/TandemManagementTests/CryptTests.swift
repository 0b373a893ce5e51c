import Testing
@testable import TandemManagement

@Suite struct CryptTests {
    @Test func bcryptRoundTrip() throws {
        let hash = try #require(Crypt.bcrypt("s3cret", cost: 4))
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(Crypt.verify("s3cret", against: hash))
        #expect(!Crypt.verify("s3creT", against: hash))
    }

    @Test func malformedSettingIsRejected() {
        #expect(Crypt.hash("x", setting: "$9$nope") == nil)
        #expect(!Crypt.verify("x", against: ""))
    }
}
