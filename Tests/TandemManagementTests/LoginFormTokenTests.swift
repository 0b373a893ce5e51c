import Crypto
import Testing
@testable import TandemManagement

/// The login form's `__csrf_magic`: bound to the pre-login cookie and the server key, and
/// good for `LoginFormToken.lifetime`.
@Suite struct LoginFormTokenTests {
    let tokens = LoginFormToken(key: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))

    @Test func formatIsCsrfMagics() {
        let token = tokens.make(cookie: "c", now: 1_700_000_000)
        #expect(token.hasPrefix("sid:") && token.hasSuffix(",1700000000"))
        #expect(token.count == 4 + 64 + 11)
    }

    @Test func validForItsCookieWithinItsLifetime() {
        let token = tokens.make(cookie: "c", now: 1000)
        #expect(tokens.verify(token, cookie: "c", now: 1000))
        #expect(tokens.verify(token, cookie: "c", now: 1000 + LoginFormToken.lifetime))
        #expect(!tokens.verify(token, cookie: "c", now: 1001 + LoginFormToken.lifetime))
    }

    @Test func refusedForAnotherCookieKeyOrTamperedTime() {
        let token = tokens.make(cookie: "c", now: 1000)
        #expect(!tokens.verify(token, cookie: "d", now: 1000))
        #expect(!tokens.verify(token, cookie: nil, now: 1000))
        #expect(!tokens.verify(nil, cookie: "c", now: 1000))
        let other = LoginFormToken(key: SymmetricKey(data: Array(repeating: UInt8(8), count: 32)))
        #expect(!other.verify(token, cookie: "c", now: 1000))
        // Moving the time forward to extend the token breaks the MAC.
        let extended = token.replacingOccurrences(of: ",1000", with: ",2000")
        #expect(!tokens.verify(extended, cookie: "c", now: 2000))
        #expect(!tokens.verify("sid:,1000", cookie: "c", now: 1000))
        #expect(!tokens.verify("garbage", cookie: "c", now: 1000))
    }
}
